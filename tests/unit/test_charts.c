/* test_charts.c - scales, nice ticks, time ticks, thinning, and the four
 * charts of a hand-built analysis: deterministic bytes, PNG size, SVG
 * well-formed with a <title> per point, text escaped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "chart_data.h"
#include "charts.h"
#include "harness.h"
#include "palette.h"
#include "plot.h"
#include "scale.h"
#include "test_charts_fixture.h"
#include "thin.h"
#include "timestamp.h"

static canvas *mc; /* for measuring labels */

static double measure(void *ctx, const char *s)
{
    return canvas_text_width(ctx, s, FS_TICK, false);
}

static bool is_nice_step(double s)
{
    double p = pow(10, floor(log10(s)));
    double m = s / p;
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 ||
           fabs(m - 5) < 1e-9;
}

static double parse_label(const char *s)
{
    char buf[64];
    size_t k = 0;
    for (; *s && k + 1 < sizeof buf; s++)
        if (*s != ',')
            buf[k++] = *s;
    buf[k] = 0;
    return strtod(buf, NULL);
}

static void test_scale(void)
{
    scale_linear s = {0, 10, 400, 100};
    DBL_NEAR(scale_map(&s, 0), 400, 1e-12, "scale maps domain start to range start");
    DBL_NEAR(scale_map(&s, 10), 100, 1e-12, "scale maps domain end to range end");
    DBL_NEAR(scale_map(&s, 2.5), 325, 1e-12, "scale is linear");
}

static void test_numeric_ticks(void)
{
    const double maxes[] = {0.01, 0.05, 0.37, 1.4, 4.149, 10.437, 99, 123.4, 2500, 12000};
    for (size_t i = 0; i < ARRAY_LEN(maxes); i++) {
        double step, top = ticks_nice_max(maxes[i], 6, &step);
        char name[96];
        snprintf(name, sizeof name, "nice top covers max %g", maxes[i]);
        OK(top >= maxes[i] && top < maxes[i] + step + 1e-12, name);
        snprintf(name, sizeof name, "nice step for %g is 1/2/2.5/5 x 10^k", maxes[i]);
        OK(is_nice_step(step), name);
        tick *t;
        size_t n = ticks_linear(0, top, step, &t);
        snprintf(name, sizeof name, "tick count for %g within 2..7", maxes[i]);
        OK(n >= 2 && n <= 7, name);
        bool ok = true;
        for (size_t k = 0; k < n; k++) {
            if (fabs(parse_label(t[k].label) - t[k].v) > step * 1e-6)
                ok = false;
            if (k && strcmp(t[k].label, t[k - 1].label) == 0)
                ok = false;
        }
        snprintf(name, sizeof name, "labels for %g read back as values, all distinct", maxes[i]);
        OK(ok, name);
        free(t);
    }
    double step, top = ticks_nice_max(12000, 6, &step);
    DBL_NEAR(step, 2000, 1e-9, "12,000 GiB: step 2,000");
    tick *t;
    size_t n = ticks_linear(0, top, step, &t);
    STR_EQ(n ? t[n - 1].label : "", "12,000", "12,000 GiB: top label with separator");
    STR_EQ(n > 1 ? t[1].label : "", "2000", "four-digit labels stay without separator");
    free(t);
    top = ticks_nice_max(0.01, 5, &step);
    DBL_NEAR(step, 0.002, 1e-12, "0.01 GiB: step 0.002");
    n = ticks_linear(0, top, step, &t);
    STR_EQ(n ? t[n - 1].label : "", "0.010", "0.01 GiB: three decimals");
    free(t);
    char b[32];
    ticks_format(1.75, 0.25, b, sizeof b);
    STR_EQ(b, "1.75", "step 0.25 gives two decimals");
    ticks_format(-0.0000001, 0.5, b, sizeof b);
    STR_EQ(b, "0.0", "no negative zero");
    top = ticks_nice_max(0, 5, &step);
    DBL_NEAR(top, 1, 0, "empty data gives a 0..1 axis");
}

/* Checks that neighbouring labels do not overlap at width w. */
static bool no_overlap(const tick *t, size_t n, int64_t t0, int64_t t1, double w)
{
    double prev = -1e300;
    for (size_t i = 0; i < n; i++) {
        double x = (t[i].v - (double)t0) / (double)(t1 - t0) * w;
        double lw = fmax(measure(mc, t[i].label), t[i].sub[0] ? measure(mc, t[i].sub) : 0);
        if (x - lw / 2 < prev + 4)
            return false;
        prev = x + lw / 2;
    }
    return true;
}

static void test_time_ticks(void)
{
    const int tz = -480; /* -08:00 */
    int64_t off = tz * 60;
    ts_value v;

    /* 90 minutes */
    timestamp_parse("2026-01-05T10:07:00", 19, tz, &v);
    int64_t t0 = v.t, t1 = v.t + 90 * 60;
    time_step st;
    tick *t;
    size_t n = ticks_time_auto(t0, t1, tz, 700, 14, measure, mc, &st, &t);
    OK(st.unit == TU_MINUTE, "90 minutes: minute steps");
    OK(n >= 4 && n <= 19, "90 minutes: 4..19 ticks");
    bool aligned = true, inside = true;
    for (size_t i = 0; i < n; i++) {
        int64_t l = (int64_t)t[i].v + off;
        if (((l % 86400) + 86400) % (60 * st.n) != 0)
            aligned = false;
        if (t[i].v < t0 || t[i].v > t1)
            inside = false;
    }
    OK(aligned, "90 minutes: ticks on local multiples of the step");
    OK(inside, "90 minutes: ticks inside the span");
    OK(no_overlap(t, n, t0, t1, 700), "90 minutes: labels do not overlap");
    /* the first tick at or after 10:07 local on a step of st.n minutes */
    int first_min = ((10 * 60 + 7 + st.n - 1) / st.n) * st.n;
    char want[16];
    snprintf(want, sizeof want, "%02d:%02d", first_min / 60, first_min % 60);
    STR_EQ(n ? t[0].label : "", want, "90 minutes: first label in local time");
    STR_EQ(n ? t[0].sub : "", "Jan 5", "90 minutes: first tick carries the date");
    OK(n > 1 && t[1].sub[0] == 0, "90 minutes: later ticks of the same day carry no date");
    free(t);

    /* 9 days */
    timestamp_parse("2026-01-01T02:00:00", 19, tz, &v);
    t0 = v.t, t1 = v.t + 9 * 86400;
    n = ticks_time_auto(t0, t1, tz, 700, 14, measure, mc, &st, &t);
    OK(st.unit == TU_DAY, "9 days: day steps");
    bool midnight = true;
    for (size_t i = 0; i < n; i++)
        if ((((int64_t)t[i].v + off) % 86400 + 86400) % 86400 != 0)
            midnight = false;
    OK(midnight, "9 days: ticks at local midnight");
    STR_EQ(n ? t[0].label : "", st.n == 1 ? "Jan 2" : (n ? t[0].label : ""),
           "9 days: first label is the first local midnight");
    STR_EQ(n ? t[0].sub : "", "2026", "9 days: first tick carries the year");
    OK(no_overlap(t, n, t0, t1, 700), "9 days: labels do not overlap");
    free(t);

    /* 17 days over a year boundary at the real chart's width */
    timestamp_parse("2025-12-25T02:00:00", 19, tz, &v);
    t0 = v.t, t1 = v.t + 17 * 86400;
    n = ticks_time_auto(t0, t1, tz, 690, 14, measure, mc, &st, &t);
    OK(st.unit == TU_DAY || st.unit == TU_WEEK, "17 days: day or week steps");
    OK(n >= 3 && n <= 18, "17 days: 3..18 ticks");
    OK(no_overlap(t, n, t0, t1, 690), "17 days: labels do not overlap");
    bool year_sub = false;
    for (size_t i = 1; i < n; i++)
        if (strcmp(t[i].sub, "2026") == 0 && strncmp(t[i].label, "Jan", 3) == 0)
            year_sub = true;
    OK(year_sub, "17 days: the new year is labelled where it starts");
    free(t);
    /* narrow panel: coarser steps, still no overlap */
    n = ticks_time_auto(t0, t1, tz, 200, 14, measure, mc, &st, &t);
    OK(n >= 2 && no_overlap(t, n, t0, t1, 200), "17 days in 200 px: at least 2 ticks, no overlap");
    free(t);

    /* 14 months */
    timestamp_parse("2025-03-10T00:00:00", 19, tz, &v);
    t0 = v.t;
    timestamp_parse("2026-05-10T00:00:00", 19, tz, &v);
    t1 = v.t;
    n = ticks_time_auto(t0, t1, tz, 700, 14, measure, mc, &st, &t);
    OK(st.unit == TU_MONTH, "14 months: month steps");
    bool first_of_month = true;
    for (size_t i = 0; i < n; i++) {
        int64_t y;
        unsigned mo, d;
        int64_t l = (int64_t)t[i].v + off;
        civil_from_days(l / 86400, &y, &mo, &d);
        if (d != 1 || l % 86400 != 0)
            first_of_month = false;
    }
    OK(first_of_month, "14 months: ticks on the 1st at local midnight");
    STR_EQ(n ? t[0].label : "", st.n == 1 ? "Apr" : t[0].label, "14 months: first label");
    OK(no_overlap(t, n, t0, t1, 700), "14 months: labels do not overlap");
    bool jan = false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].label, "Jan") == 0 && strcmp(t[i].sub, "2026") == 0)
            jan = true;
    OK(jan || st.n > 1, "14 months: January carries its year");
    free(t);

    /* fixed steps */
    n = ticks_time(0, 7 * 86400 * 3, 0, (time_step){TU_WEEK, 1}, &t);
    bool monday = n > 0;
    for (size_t i = 0; i < n; i++)
        if ((((int64_t)t[i].v / 86400) - 4) % 7 != 0)
            monday = false;
    OK(monday, "weeks start on Monday");
    free(t);
}

static void test_thin(void)
{
    enum { N = 10000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    size_t *keep = malloc(N * sizeof *keep);
    for (size_t i = 0; i < N; i++) {
        x[i] = (double)i / N * 100; /* 100 columns */
        y[i] = sin((double)i / 50) + (i == 5003 ? 10 : 0);
    }
    size_t k = thin_minmax(x, y, N, keep);
    OK(k <= 400 && k >= 200, "min/max: at most 4 points per pixel column");
    bool spike = false, sorted = true;
    for (size_t i = 0; i < k; i++) {
        spike |= keep[i] == 5003;
        if (i && keep[i] <= keep[i - 1])
            sorted = false;
    }
    OK(spike, "min/max keeps a one-sample spike");
    OK(sorted && keep[0] == 0 && keep[k - 1] == N - 1, "min/max keeps order, first and last");
    k = thin_lttb(x, y, N, 300, keep);
    INT_EQ(k, 300, "LTTB returns the target count");
    spike = false;
    for (size_t i = 0; i < k; i++)
        spike |= keep[i] == 5003;
    OK(spike && keep[0] == 0 && keep[k - 1] == N - 1, "LTTB keeps the spike, first and last");
    free(x);
    free(y);
    free(keep);
}

static size_t count(const char *hay, size_t len, const char *needle)
{
    size_t n = 0, nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++)
        if (memcmp(hay + i, needle, nl) == 0)
            n++;
    return n;
}

static bool xml_well_formed(const char *svg, size_t len)
{
    char path[] = "/tmp/test_charts_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    FILE *f = fdopen(fd, "w");
    fwrite(svg, 1, len, f);
    fclose(f);
    char *cmd = xasprintf("xmllint --noout '%s' 2>/dev/null", path);
    int rc = system(cmd);
    free(cmd);
    remove(path);
    return rc == 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_render(void)
{
    analysis a;
    fixture_build(&a, 60, 40, 4, 1767225600 /* 2026-01-01 */, 6 * 3600, -480);
    chart_data cd;
    chart_data_fill(&cd, &a);
    bool have_xmllint = system("xmllint --version >/dev/null 2>&1") == 0;
    for (int k = 0; k < CHART_COUNT; k++) {
        const char *nm = chart_name((chart_kind)k);
        char name[128];
        unsigned char *p1, *p2;
        char *s1, *s2;
        size_t pl1, pl2, sl1, sl2;
        diag_list d;
        diag_init(&d);
        int rc1 = chart_render(&cd.spec, (chart_kind)k, &p1, &pl1, &s1, &sl1, &d);
        int rc2 = chart_render(&cd.spec, (chart_kind)k, &p2, &pl2, &s2, &sl2, &d);
        snprintf(name, sizeof name, "%s renders", nm);
        OK(rc1 == 0 && rc2 == 0 && p1 && s1, name);
        if (rc1 || rc2) {
            diag_free(&d);
            continue;
        }
        snprintf(name, sizeof name, "%s PNG bytes identical across runs", nm);
        OK(pl1 == pl2 && memcmp(p1, p2, pl1) == 0, name);
        snprintf(name, sizeof name, "%s SVG bytes identical across runs", nm);
        OK(sl1 == sl2 && memcmp(s1, s2, sl1) == 0, name);
        snprintf(name, sizeof name, "%s PNG signature and 1600 px width (2x)", nm);
        OK(pl1 > 24 && memcmp(p1, "\x89PNG\r\n\x1a\n", 8) == 0 && be32(p1 + 16) == 1600, name);
        /* PNG height is twice the SVG's height attribute */
        const char *hh = strstr(s1, "height=\"");
        double svg_h = hh ? strtod(hh + 8, NULL) : 0;
        snprintf(name, sizeof name, "%s PNG height is 2x the SVG height", nm);
        OK(pl1 > 24 && fabs(be32(p1 + 20) - 2 * svg_h) <= 1, name);
        snprintf(name, sizeof name, "%s SVG has viewBox, role, title and desc", nm);
        OK(strstr(s1, "viewBox=\"0 0 800 ") && strstr(s1, "role=\"img\"") &&
               strstr(s1, "<title id=\"") && strstr(s1, "<desc id=\""),
           name);
        snprintf(name, sizeof name, "%s SVG themable (var(--fg) and dark scheme)", nm);
        OK(strstr(s1, "var(--fg,#222222)") && strstr(s1, "prefers-color-scheme:dark"), name);
        snprintf(name, sizeof name, "%s SVG has real text, no raw '<' from data", nm);
        OK(count(s1, sl1, "<text ") > 5 && !strstr(s1, "<5.3>"), name);
        if (have_xmllint) {
            snprintf(name, sizeof name, "%s SVG is well-formed XML", nm);
            OK(xml_well_formed(s1, sl1), name);
        } else {
            printf("SKIP %s SVG well-formed: xmllint not installed\n", nm);
        }
        if (k == CHART_TIMESERIES) {
            size_t pts = 0;
            for (size_t g = 0; g < a.r.ngroups; g++)
                pts += a.r.groups[g].nseries;
            INT_EQ(count(s1, sl1, "<g class=\"pt\"><title>"), pts,
                   "timeseries: a <title> per group point");
            size_t a_pts = count(s1, sl1, "<g class=\"pt\"><title>A mimalloc 3.0.1, ");
            INT_EQ(a_pts, a.r.groups[0].nseries, "timeseries: group A's points titled with A");
            INT_EQ(count(s1, sl1, "class=\"event-badge\""), 5, "timeseries: five event badges");
            OK(strstr(s1, "series g-A baseline") != NULL, "timeseries: baseline marked by class");
            char want[40];
            snprintf(want, sizeof want, "style=\"--c:%s\"", palette_color(0));
            OK(strstr(s1, want) != NULL, "timeseries: group colour as --c");
            OK(strstr(s1, "jemalloc &lt;5.3&gt; &amp; &quot;co&quot;") != NULL,
               "timeseries: group names escaped");
            OK(strstr(s1, "\xE2\x86\x92 2.0.9 &lt;moved&gt;") != NULL,
               "timeseries: event text escaped, UTF-8 kept");
        }
        if (k == CHART_DISTRIBUTION) {
            size_t rel = 0;
            for (size_t g = 0; g < a.r.ngroups; g++)
                rel += a.r.groups[g].final_n;
            INT_EQ(count(s1, sl1, "<g class=\"pt\"><title>relay"), rel,
                   "distribution: a titled dot per relay");
            INT_EQ(count(s1, sl1, "<g class=\"pt mean\"><title>"), a.r.ngroups,
                   "distribution: a titled mean per group");
            /* groups ordered by final mean: find label x positions */
            double last = -1;
            bool ordered = true;
            size_t *ord = malloc(a.r.ngroups * sizeof *ord);
            for (size_t g = 0; g < a.r.ngroups; g++)
                ord[g] = g;
            for (size_t i = 0; i < a.r.ngroups; i++)
                for (size_t j = i + 1; j < a.r.ngroups; j++)
                    if (a.r.groups[ord[j]].final_mean < a.r.groups[ord[i]].final_mean) {
                        size_t t = ord[i];
                        ord[i] = ord[j], ord[j] = t;
                    }
            for (size_t i = 0; i < a.r.ngroups; i++) {
                char *needle = xasprintf("<g class=\"series g-%s", a.m.groups[ord[i]].id);
                const char *at = strstr(s1, needle);
                double pos = at ? (double)(at - s1) : -1;
                if (pos < last)
                    ordered = false;
                last = pos;
                free(needle);
            }
            free(ord);
            OK(ordered, "distribution: groups drawn in order of final mean");
        }
        if (k == CHART_TRAJECTORIES) {
            INT_EQ(count(s1, sl1, "<g class=\"relay\"><title>relay"), 60,
                   "trajectories: one titled line group per relay");
            INT_EQ(count(s1, sl1, "class=\"panel-title\""), 4, "trajectories: a panel per group");
        }
        if (k == CHART_TOTAL) {
            INT_EQ(count(s1, sl1, "(aggregate row)"), a.e.naggs,
                   "total: aggregate rows used where present");
            INT_EQ(count(s1, sl1, "(sum of relay rows)"), a.e.ncoll - a.e.naggs,
                   "total: relay sums where no aggregate row");
        }
        free(p1);
        free(p2);
        free(s1);
        free(s2);
        diag_free(&d);
    }

    /* SVG only, PNG only */
    char *s;
    size_t sl;
    diag_list d;
    diag_init(&d);
    OK(chart_render(&cd.spec, CHART_TOTAL, NULL, NULL, &s, &sl, &d) == 0 && s, "SVG alone renders");
    free(s);
    OK(chart_render(&cd.spec, (chart_kind)99, NULL, NULL, &s, &sl, &d) != 0 && d.nerrors == 1,
       "unknown chart kind is an error");
    diag_free(&d);
    chart_data_free(&cd);
    analysis_free(&a);

    /* No groups and no samples: still a chart with a note. */
    analysis e;
    memset(&e, 0, sizeof e);
    diag_init(&e.diag);
    diag_init(&d);
    chart_data_fill(&cd, &e);
    bool ok = true;
    for (int k = 0; k < CHART_COUNT; k++) {
        unsigned char *p;
        size_t pl;
        if (chart_render(&cd.spec, (chart_kind)k, &p, &pl, &s, &sl, &d) != 0)
            ok = false;
        else {
            ok &= strstr(s, "class=\"nodata\"") != NULL;
            free(p);
            free(s);
        }
    }
    OK(ok, "empty analysis: every chart renders a no-data note");
    chart_data_free(&cd);
    diag_free(&d);
    analysis_free(&e);
}

/* Badge centres of every event-badge in svg into cx/cy (up to max). */
static size_t badge_centres(const char *svg, double *cx, double *cy, size_t max)
{
    size_t n = 0;
    for (const char *p = strstr(svg, "class=\"event-badge\""); p && n < max;
         p = strstr(p + 1, "class=\"event-badge\"")) {
        const char *c = strstr(p, "<circle cx=\"");
        if (!c || sscanf(c, "<circle cx=\"%lf\" cy=\"%lf\"", &cx[n], &cy[n]) != 2)
            break;
        n++;
    }
    return n;
}

/* The smallest gap in svg's event key between a badge's right edge and
 * the start of its text (1e9 when there is no key). */
static double key_gap(const char *svg)
{
    double gap = 1e9;
    for (const char *p = strstr(svg, "class=\"event-key\""); p;
         p = strstr(p + 1, "class=\"event-key\"")) {
        double cx, cy, r, tx;
        const char *c = strstr(p, "<circle cx=\"");
        const char *t = c ? strstr(c, "<text x=\"") : NULL; /* the number */
        t = t ? strstr(t + 1, "<text x=\"") : NULL;          /* the text */
        if (!t || sscanf(c, "<circle cx=\"%lf\" cy=\"%lf\" r=\"%lf\"", &cx, &cy, &r) != 3 ||
            sscanf(t, "<text x=\"%lf\"", &tx) != 1)
            return -1;
        gap = fmin(gap, tx - (cx + r));
    }
    return gap;
}

/* Twelve events within twelve minutes (a fleet's groups switched on one
 * after another): every badge drawn, none on top of another, wide and
 * narrow. Once eight rows were full, 8-10 were hidden under 11. */
static void test_crowded_events(void)
{
    analysis a;
    fixture_build(&a, 60, 40, 4, 1767225600, 6 * 3600, 0);
    chart_data cd;
    chart_data_fill(&cd, &a);
    chart_event ev[12];
    for (size_t i = 0; i < 12; i++)
        ev[i] = (chart_event){1767225600 + 3600 + (int64_t)i * 60, i + 1, "config_change",
                              "group switched"};
    cd.spec.events = ev;
    cd.spec.nevents = 12;
    for (int narrow = 0; narrow < 2; narrow++) {
        char *svg = NULL;
        size_t len = 0;
        diag_list d;
        diag_init(&d);
        int rc = narrow ? chart_render_narrow(&cd.spec, CHART_TIMESERIES, &svg, &len, &d)
                        : chart_render(&cd.spec, CHART_TIMESERIES, NULL, NULL, &svg, &len, &d);
        double cx[16], cy[16];
        size_t n = rc == 0 ? badge_centres(svg, cx, cy, 16) : 0;
        INT_EQ(n, 12, narrow ? "crowded events: 12 badges (narrow)" : "crowded events: 12 badges");
        double closest = 1e9;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++)
                closest = fmin(closest, hypot(cx[i] - cx[j], cy[i] - cy[j]));
        /* Badges are 16-18 px across. */
        CHECK_(closest >= 16, narrow ? "crowded events: no badge covers another (narrow)"
                                     : "crowded events: no badge covers another",
               "closest centres %.1f px apart", closest);
        /* "12" is the widest badge: its key text starts clear of it. */
        double gap = rc == 0 ? key_gap(svg) : -1;
        CHECK_(gap >= 3 && gap < 1e9,
               narrow ? "crowded events: the key's texts clear of their badges (narrow)"
                      : "crowded events: the key's texts clear of their badges",
               "smallest gap %.1f px", gap);
        free(svg);
        diag_free(&d);
    }
    cd.spec.events = NULL;
    cd.spec.nevents = 0;
    chart_data_free(&cd);
    analysis_free(&a);
}

int main(void)
{
    mc = canvas_new(100, 100);
    STR_EQ(chart_name(CHART_TIMESERIES), "memory_timeseries", "chart_name timeseries");
    STR_EQ(chart_name(CHART_TOTAL), "memory_total", "chart_name total");
    OK(chart_name(CHART_COUNT) == NULL, "chart_name out of range");
    OK(chart_title(CHART_DISTRIBUTION) && *chart_title(CHART_DISTRIBUTION), "chart_title");
    test_scale();
    test_numeric_ticks();
    test_time_ticks();
    test_thin();
    char *fit = canvas_fit_text(mc, "a very long label that cannot fit", 12, false, 60);
    OK(canvas_text_width(mc, fit, 12, false) <= 60 && strstr(fit, "\xE2\x80\xA6"),
       "fit_text shortens with an ellipsis");
    free(fit);
    OK(canvas_text_width(mc, "WWW", 12, false) > canvas_text_width(mc, "iii", 12, false),
       "text is measured, not counted");
    test_render();
    test_crowded_events();
    canvas_free(mc);
    charts_shutdown();
    return harness_done();
}
