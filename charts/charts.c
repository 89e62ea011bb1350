/* charts.c - the public entry point: picks the chart and renders its
 * canvas with both backends. The helpers the chart files share, and the
 * charts' names and titles, are in chart_util.c, which calls nothing
 * here. */
#include "charts.h"

#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

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

/* chart_render, its PNG drawn into px (NULL: pixels of its own). */
static int render_in(const chart_spec *s, chart_kind k, canvas_pixels *px, unsigned char **png,
                     size_t *png_len, char **svg, size_t *svg_len, diag_list *d)
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
        if (canvas_to_png_in(c, PLOT_SCALE, px, png, png_len, &err) != 0) {
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

int chart_render(const chart_spec *s, chart_kind k, unsigned char **png, size_t *png_len,
                 char **svg, size_t *svg_len, diag_list *d)
{
    return render_in(s, k, NULL, png, png_len, svg, svg_len, d);
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

static void render_one(render_job *j, canvas_pixels *px)
{
    if (j->narrow)
        j->rc = chart_render_narrow(j->s, j->k, &j->svg[j->k], &j->svg_len[j->k], &j->d);
    else
        j->rc = render_in(j->s, j->k, px, j->png ? &j->png[j->k] : NULL,
                          j->png ? &j->png_len[j->k] : NULL, j->svg ? &j->svg[j->k] : NULL,
                          j->svg ? &j->svg_len[j->k] : NULL, &j->d);
}

static void *narrow_run(void *arg)
{
    render_one(arg, NULL);
    return NULL;
}

/* The wide renderings, taken in turn by a few threads that each draw into
 * pixels of their own, chart after chart (canvas_pixels). */
typedef struct {
    render_job *jobs;
    size_t n;
    atomic_size_t next;
} wide_queue;

static void *wide_run(void *arg)
{
    wide_queue *q = arg;
    canvas_pixels px = {0};
    for (size_t i; (i = atomic_fetch_add(&q->next, 1)) < q->n;)
        render_one(&q->jobs[i], &px);
    canvas_pixels_free(&px);
    return NULL;
}

int chart_render_all(const chart_spec *s, unsigned char **png, size_t *png_len, char **svg,
                     size_t *svg_len, char **narrow, size_t *narrow_len, diag_list *d)
{
    /* The longest first (a fleet's trajectories, then the time series), so
     * that no thread is left with a long one at the end. */
    static const chart_kind wide_order[CHART_COUNT] = {CHART_TRAJECTORIES, CHART_TIMESERIES,
                                                       CHART_DISTRIBUTION, CHART_TOTAL};
    enum { NJOBS = 2 * CHART_COUNT };
    render_job jobs[NJOBS];
    size_t nwide = 0, n = 0;
    for (size_t i = 0; i < CHART_COUNT && (png || svg); i++)
        jobs[n++] = (render_job){.s = s, .k = wide_order[i], .png = png, .png_len = png_len,
                                 .svg = svg, .svg_len = svg_len};
    nwide = n;
    for (size_t k = 0; k < CHART_COUNT && narrow; k++)
        jobs[n++] = (render_job){.s = s, .k = (chart_kind)k, .narrow = true, .svg = narrow,
                                 .svg_len = narrow_len};
    for (size_t i = 0; i < n; i++)
        diag_init(&jobs[i].d);
    /* Fontconfig's configuration is loaded on first use; load it here, once,
     * rather than from several threads at the same moment. */
    FcInit();
    /* A thread per narrow rendering (SVG only, quick); the wide ones on as
     * many threads as there are processors, this one among them. */
    pthread_t th[NJOBS];
    bool started[NJOBS] = {false};
    for (size_t i = nwide; i < n; i++)
        started[i] = pthread_create(&th[i], NULL, narrow_run, &jobs[i]) == 0;
    wide_queue q = {.jobs = jobs, .n = nwide};
    atomic_init(&q.next, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = cpus < 1 ? 1 : cpus > (long)nwide ? nwide : (size_t)cpus;
    for (size_t w = 1; w < workers; w++)
        started[w] = pthread_create(&th[w], NULL, wide_run, &q) == 0;
    wide_run(&q);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (started[i]) /* th[0] is a narrow rendering's only when there is no wide one */
            pthread_join(th[i], NULL);
        else if (i >= nwide)
            render_one(&jobs[i], NULL); /* no thread to be had: draw it here */
        if (jobs[i].rc != 0)
            rc = -1;
    }
    /* Messages in chart order, the wide renderings' first. */
    for (int narrow_pass = 0; narrow_pass < 2; narrow_pass++)
        for (size_t k = 0; k < CHART_COUNT; k++)
            for (size_t i = 0; i < n; i++)
                if (jobs[i].narrow == narrow_pass && jobs[i].k == (chart_kind)k) {
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
