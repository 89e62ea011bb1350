/* charts.c - the public entry point: picks the chart and renders its
 * canvas with both backends. The helpers the chart files share are in
 * chart_util.c. */
#include "charts.h"

#include <stdlib.h>

#include "canvas.h"
#include "chart_impl.h"
#include "plot.h"

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

int chart_render(const chart_spec *s, chart_kind k, unsigned char **png, size_t *png_len,
                 char **svg, size_t *svg_len, diag_list *d)
{
    if (png)
        *png = NULL, *png_len = 0;
    if (svg)
        *svg = NULL, *svg_len = 0;
    canvas *c = NULL;
    switch (k) {
    case CHART_TIMESERIES: c = chart_draw_timeseries(s); break;
    case CHART_DISTRIBUTION: c = chart_draw_distribution(s); break;
    case CHART_TRAJECTORIES: c = chart_draw_trajectories(s); break;
    case CHART_TOTAL: c = chart_draw_total(s); break;
    case CHART_COUNT: break;
    }
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
