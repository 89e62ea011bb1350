/* charts.c - the public entry point: picks the chart and renders its
 * canvas with both backends. The helpers the chart files share are in
 * chart_util.c. */
#include "charts.h"

#include <stdlib.h>

#include "canvas.h"
#include "chart_impl.h"
#include "plot.h"
#include "util.h"

static const char *const names[CHART_COUNT] = {
    "memory_timeseries", "memory_distribution", "memory_trajectories", "memory_total"};
static const char *const titles[CHART_COUNT] = {
    "Group mean RSS over time, with the 10th-90th percentile band and events",
    "RSS of every relay at the final snapshot, per group",
    "RSS of every relay over time, one panel per group",
    "Server total RSS over time, with the number of relays"};

const char *chart_name(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? names[k] : NULL;
}

const char *chart_title(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? titles[k] : NULL;
}

_Thread_local double plot_width = PLOT_W_WIDE;

static canvas *draw(const chart_spec *s, chart_kind k)
{
    switch (k) {
    case CHART_TIMESERIES: return chart_draw_timeseries(s);
    case CHART_DISTRIBUTION: return chart_draw_distribution(s);
    case CHART_TRAJECTORIES: return chart_draw_trajectories(s);
    case CHART_TOTAL: return chart_draw_total(s);
    case CHART_COUNT: break;
    }
    return NULL;
}

int chart_render_narrow(const chart_spec *s, chart_kind k, char **svg, size_t *svg_len,
                        diag_list *d)
{
    *svg = NULL, *svg_len = 0;
    plot_width = PLOT_W_NARROW;
    canvas *c = draw(s, k);
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

int chart_render(const chart_spec *s, chart_kind k, unsigned char **png, size_t *png_len,
                 char **svg, size_t *svg_len, diag_list *d)
{
    if (png)
        *png = NULL, *png_len = 0;
    if (svg)
        *svg = NULL, *svg_len = 0;
    canvas *c = draw(s, k);
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
