/* charts.c - the public entry point: picks the chart, renders its canvas
 * with both backends, and the helpers the chart files share. */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "chart_impl.h"
#include "palette.h"
#include "plot.h"
#include "timestamp.h"
#include "util.h"

static const char *const names[CHART_COUNT] = {
    "memory_timeseries", "memory_distribution", "memory_trajectories", "memory_total"};
static const char *const titles[CHART_COUNT] = {
    "Group mean RSS over time, with the 10th-90th percentile band and events",
    "RSS of every relay at the final snapshot, per group",
    "RSS of every relay over time, one panel per group",
    "Server total RSS over time, with the number of relays"};

/* What REPORT.md and the HTML pages print with each chart: a heading and a
 * sentence on how to read it. One table, so `build` and `site` say the
 * same thing. */
static const struct {
    const char *heading;
    const char *caption;
} texts[CHART_COUNT] = {
    [CHART_TIMESERIES] = {"Memory over time",
                          "Mean RSS per relay of each group at every collection; numbered "
                          "markers are the events listed below."},
    [CHART_DISTRIBUTION] = {"Distribution at the final snapshot",
                            "RSS of every relay at its group's final snapshot, with each "
                            "group's median, quartiles and mean."},
    [CHART_TRAJECTORIES] = {"Relay trajectories",
                            "RSS of every relay over time, coloured by group: restarts show "
                            "as drops, leaks as steady climbs."},
    [CHART_TOTAL] = {"Server total",
                     "Memory of all relays on the server together at every collection."},
};

const char *chart_heading(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? texts[k].heading : NULL;
}

const char *chart_caption(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? texts[k].caption : NULL;
}

const char *chart_name(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? names[k] : NULL;
}

const char *chart_title(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? titles[k] : NULL;
}

char *chart_group_label(const analysis *a, size_t g)
{
    const group *gr = &a->m.groups[g];
    if (gr->name && !str_eq(gr->name, gr->id))
        return xasprintf("%s %s", gr->id, gr->name);
    return xstrdup(gr->id);
}

_Thread_local double plot_width = PLOT_W_WIDE;

int chart_group_shape(size_t g)
{
    return (int)(g % PLOT_NSHAPES);
}

cv_dash chart_group_dash(size_t g)
{
    static const cv_dash dashes[] = {CV_SOLID, CV_DASHED, CV_DOTTED};
    return dashes[(g / PLOT_NSHAPES) % 3];
}

const char *chart_group_color(const analysis *a, size_t g)
{
    double r, gg, b;
    const char *c = a->m.groups[g].color;
    return palette_parse(c, &r, &gg, &b) ? c : palette_color(g);
}

void chart_no_data(canvas *c, double x, double y, double w, double h, const char *what)
{
    cv_font f = {.size = FS_LABEL, .anchor = CV_MIDDLE, .valign = CV_CENTER, .fill = PAINT_MUTED,
                 .cls = "nodata"};
    cv_text(c, x + w / 2, y + h / 2, what, &f);
}

void chart_fmt_gib(double v, char *buf, size_t n)
{
    if (!isfinite(v))
        snprintf(buf, n, "n/a");
    else if (fabs(v) < 0.1 && v != 0)
        snprintf(buf, n, "%.3f", v);
    else
        snprintf(buf, n, "%.2f", v);
}

void chart_fmt_time(const analysis *a, int64_t t, char *buf, size_t n)
{
    timestamp_format_human(t, a->e.man.tz_offset_min, buf, n);
}

void chart_fmt_short_time(const analysis *a, int64_t t, char *buf, size_t n)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t local = t + (int64_t)a->e.man.tz_offset_min * 60;
    int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int64_t secs = local - day * 86400, y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, n, "%s %u %02d:%02d", mon[m - 1], d, (int)(secs / 3600), (int)(secs / 60 % 60));
}

void chart_fmt_tz(int tz, char *buf, size_t n)
{
    int m = tz < 0 ? -tz : tz;
    if (tz == 0)
        snprintf(buf, n, "UTC");
    else
        snprintf(buf, n, "UTC%c%02d:%02d", tz < 0 ? '-' : '+', m / 60, m % 60);
}

static canvas *draw(const analysis *a, chart_kind k)
{
    switch (k) {
    case CHART_TIMESERIES: return chart_draw_timeseries(a);
    case CHART_DISTRIBUTION: return chart_draw_distribution(a);
    case CHART_TRAJECTORIES: return chart_draw_trajectories(a);
    case CHART_TOTAL: return chart_draw_total(a);
    case CHART_COUNT: break;
    }
    return NULL;
}

int chart_render_narrow(const analysis *a, chart_kind k, char **svg, size_t *svg_len,
                        diag_list *d)
{
    *svg = NULL, *svg_len = 0;
    plot_width = PLOT_W_NARROW;
    canvas *c = draw(a, k);
    plot_width = PLOT_W_WIDE;
    if (!c) {
        diag_error(d, NULL, 0, "unknown chart kind %d", (int)k);
        return -1;
    }
    /* Both renderings sit on one page: their ids must differ. */
    char *id = xasprintf("%s-narrow", names[k]);
    canvas_set_id(c, id);
    free(id);
    canvas_to_svg(c, svg, svg_len);
    canvas_free(c);
    return 0;
}

int chart_render(const analysis *a, chart_kind k, unsigned char **png, size_t *png_len,
                 char **svg, size_t *svg_len, diag_list *d)
{
    if (png)
        *png = NULL, *png_len = 0;
    if (svg)
        *svg = NULL, *svg_len = 0;
    canvas *c = draw(a, k);
    if (!c) {
        diag_error(d, NULL, 0, "unknown chart kind %d", (int)k);
        return -1;
    }
    if (png) {
        const char *err = NULL;
        if (canvas_to_png(c, PLOT_SCALE, png, png_len, &err) != 0) {
            diag_error(d, NULL, 0, "chart %s: cairo: %s", names[k], err ? err : "failed");
            canvas_free(c);
            return -1;
        }
    }
    if (svg)
        canvas_to_svg(c, svg, svg_len);
    canvas_free(c);
    return 0;
}

void charts_shutdown(void)
{
    canvas_shutdown();
}
