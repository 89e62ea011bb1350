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
    bool narrow; /* the phone rendering (SVG only) rather than the wide one */
    unsigned char **png;
    size_t *png_len;
    char **svg;
    size_t *svg_len;
    diag_list d; /* this job's own messages: diag_list is not shared */
    int rc;
} render_job;

static void *render_one(void *arg)
{
    render_job *j = arg;
    if (j->narrow)
        j->rc = chart_render_narrow(j->s, j->k, &j->svg[j->k], &j->svg_len[j->k], &j->d);
    else
        j->rc = chart_render(j->s, j->k, j->png ? &j->png[j->k] : NULL,
                             j->png ? &j->png_len[j->k] : NULL, j->svg ? &j->svg[j->k] : NULL,
                             j->svg ? &j->svg_len[j->k] : NULL, &j->d);
    return NULL;
}

int chart_render_all(const chart_spec *s, unsigned char **png, size_t *png_len, char **svg,
                     size_t *svg_len, char **narrow, size_t *narrow_len, diag_list *d)
{
    /* The wide renderings first, then the narrow ones: one thread each,
     * so the longest (a big experiment's trajectories, drawn twice) does
     * not hold back the others. */
    enum { NJOBS = 2 * CHART_COUNT };
    render_job jobs[NJOBS];
    pthread_t th[NJOBS];
    bool started[NJOBS] = {false};
    size_t n = 0;
    for (size_t k = 0; k < CHART_COUNT; k++)
        if (png || svg)
            jobs[n++] = (render_job){.s = s, .k = (chart_kind)k, .png = png, .png_len = png_len,
                                     .svg = svg, .svg_len = svg_len};
    for (size_t k = 0; k < CHART_COUNT && narrow; k++)
        jobs[n++] = (render_job){.s = s, .k = (chart_kind)k, .narrow = true, .svg = narrow,
                                 .svg_len = narrow_len};
    /* Fontconfig's configuration is loaded on first use; load it here, once,
     * rather than from several threads at the same moment. */
    FcInit();
    for (size_t i = 0; i < n; i++) {
        diag_init(&jobs[i].d);
        if (i > 0)
            started[i] = pthread_create(&th[i], NULL, render_one, &jobs[i]) == 0;
    }
    if (n)
        render_one(&jobs[0]);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && started[i])
            pthread_join(th[i], NULL);
        else if (i > 0)
            render_one(&jobs[i]); /* no thread to be had: draw it here */
        if (jobs[i].rc != 0)
            rc = -1;
        diag_append(d, &jobs[i].d);
        diag_free(&jobs[i].d);
    }
    return rc;
}

bool charts_prepare(void)
{
    return FcInit() == FcTrue;
}

void charts_shutdown(void)
{
    canvas_shutdown();
}
