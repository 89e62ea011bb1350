/* chart_util.c - what every chart file shares: the charts' names and
 * titles, the "no data" note and the number and time formats of tooltips,
 * keys and captions. */
#include <math.h>
#include <stdio.h>

#include "chart_impl.h"
#include "plot.h"
#include "timestamp.h"

static const char *const names[CHART_COUNT] = {
    "memory_timeseries", "memory_distribution", "memory_trajectories", "memory_total"};
static const char *const titles[CHART_COUNT] = {
    "Group mean RSS over time, with the 10th-90th percentile band and events",
    "RSS of every relay at the final snapshot, per group",
    "RSS of every relay over time, one panel per group",
    "Server total RSS over time, with the number of relays"};

/* The width the charts lay out for (plot.h): wide, or narrow while
 * chart_render_narrow draws; one per thread. */
_Thread_local double plot_width = PLOT_W_WIDE;

const char *chart_name(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? names[k] : NULL;
}

const char *chart_title(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? titles[k] : NULL;
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

void chart_fmt_time(const chart_spec *s, int64_t t, char *buf, size_t n)
{
    timestamp_format_human(t, s->tz_offset_min, buf, n);
}

void chart_fmt_short_time(const chart_spec *s, int64_t t, char *buf, size_t n)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t local = t + (int64_t)s->tz_offset_min * 60;
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
