/* test_charts_scale.c - charts stay small and fast at fleet scale.
 *
 * With an experiment directory argument (tests/e2e/charts_scale.sh passes
 * one made by memsim: 1,000 relays x 8,760 hourly collections), it runs
 * the whole analysis and checks that every chart renders in under 2 s and
 * every SVG stays under 2 MB, printing the times and sizes. Without one
 * (as `make check` runs it), it checks the same limits on a hand-built
 * analysis of 300 relays x 3,000 collections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart_data.h"
#include "charts.h"
#include "harness.h"
#include "test_charts_fixture.h"

/* Sanitizers slow everything several times over; the limit is for the
 * normal build. */
#ifdef __SANITIZE_ADDRESS__
#define TIME_LIMIT 10.0
#else
#define TIME_LIMIT 2.0
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    analysis a;
    const char *what;
    if (argc > 1) {
        analysis_options o;
        analysis_options_default(&o);
        double t = now();
        int rc = analysis_run(argv[1], &o, &a);
        printf("# analysis of %s: %.2f s, %zu relays x %zu collections\n", argv[1], now() - t,
               a.e.nrelays, a.e.ncoll);
        if (rc != 0) {
            diag_print(&a.diag, stdout, true);
            printf("FAIL scale analysis: analysis_run returned %d\n", rc);
            analysis_free(&a);
            return 1;
        }
        what = "scale";
    } else {
        fixture_build(&a, 300, 3000, 5, 1735689600, 3600, 0);
        what = "fixture 300x3000";
    }
    chart_data cd;
    chart_data_fill(&cd, &a);
    for (int k = 0; k < CHART_COUNT; k++) {
        unsigned char *png;
        char *svg;
        size_t pl, sl;
        diag_list d;
        diag_init(&d);
        double t = now();
        int rc = chart_render(&cd.spec, (chart_kind)k, &png, &pl, &svg, &sl, &d);
        double dt = now() - t;
        char name[160];
        snprintf(name, sizeof name, "%s: %s renders", what, chart_name((chart_kind)k));
        OK(rc == 0, name);
        if (rc)
            continue;
        printf("# %s: %.3f s, PNG %zu bytes, SVG %zu bytes\n", chart_name((chart_kind)k), dt, pl,
               sl);
        snprintf(name, sizeof name, "%s: %s renders (PNG+SVG) in under %g s", what,
                 chart_name((chart_kind)k), TIME_LIMIT);
        CHECK_(dt < TIME_LIMIT, name, "took %.3f s", dt);
        snprintf(name, sizeof name, "%s: %s SVG under 2 MB", what, chart_name((chart_kind)k));
        CHECK_(sl < 2000000, name, "SVG is %zu bytes", sl);
        if (argc > 2) {
            char *path = xasprintf("%s/%s.svg", argv[2], chart_name((chart_kind)k));
            FILE *f = fopen(path, "wb");
            if (f) {
                fwrite(svg, 1, sl, f);
                fclose(f);
            }
            free(path);
            path = xasprintf("%s/%s.png", argv[2], chart_name((chart_kind)k));
            f = fopen(path, "wb");
            if (f) {
                fwrite(png, 1, pl, f);
                fclose(f);
            }
            free(path);
        }
        free(png);
        free(svg);
        diag_free(&d);
    }
    chart_data_free(&cd);
    analysis_free(&a);
    charts_shutdown();
    return harness_done();
}
