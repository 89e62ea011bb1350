/* charts.c - the public entry point: picks the chart and renders its
 * canvas with both backends. The helpers the chart files share, and the
 * charts' names and titles, are in chart_util.c, which calls nothing
 * here. */
#include "charts.h"

#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdlib.h>

#include "canvas.h"
#include "chart_impl.h"
#include "plot.h"
#include "util.h"

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
    char *id = xasprintf("%s-narrow", chart_name(k));
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
        canvas_set_theme(c, s->dark ? CV_THEME_DARK : CV_THEME_LIGHT);
        if (canvas_to_png(c, PLOT_SCALE, png, png_len, &err) != 0) {
            diag_error(d, NULL, 0, "chart %s: cairo: %s", chart_name(k), err ? err : "failed");
            canvas_free(c);
            return -1;
        }
    }
    if (svg)
        canvas_to_svg(c, svg, svg_len);
    canvas_free(c);
    return 0;
}

typedef struct {
    const chart_spec *s;
    chart_kind k;
    unsigned char **png;
    size_t *png_len;
    char **svg;
    size_t *svg_len;
    diag_list d; /* this chart's own messages: diag_list is not shared */
    int rc;
} render_job;

static void *render_one(void *arg)
{
    render_job *j = arg;
    j->rc = chart_render(j->s, j->k, j->png ? &j->png[j->k] : NULL,
                         j->png ? &j->png_len[j->k] : NULL, j->svg ? &j->svg[j->k] : NULL,
                         j->svg ? &j->svg_len[j->k] : NULL, &j->d);
    return NULL;
}

int chart_render_all(const chart_spec *s, unsigned char **png, size_t *png_len, char **svg,
                     size_t *svg_len, diag_list *d)
{
    render_job jobs[CHART_COUNT];
    pthread_t th[CHART_COUNT];
    bool started[CHART_COUNT] = {false};
    /* Fontconfig's configuration is loaded on first use; load it here, once,
     * rather than from four threads at the same moment. */
    FcInit();
    for (size_t k = 0; k < CHART_COUNT; k++) {
        jobs[k] = (render_job){.s = s, .k = (chart_kind)k, .png = png, .png_len = png_len,
                               .svg = svg, .svg_len = svg_len};
        diag_init(&jobs[k].d);
        if (k > 0)
            started[k] = pthread_create(&th[k], NULL, render_one, &jobs[k]) == 0;
    }
    render_one(&jobs[0]);
    int rc = 0;
    for (size_t k = 0; k < CHART_COUNT; k++) {
        if (k > 0 && started[k])
            pthread_join(th[k], NULL);
        else if (k > 0)
            render_one(&jobs[k]); /* no thread to be had: draw it here */
        if (jobs[k].rc != 0)
            rc = -1;
        diag_append(d, &jobs[k].d);
        diag_free(&jobs[k].d);
    }
    return rc;
}

void charts_shutdown(void)
{
    canvas_shutdown();
}
