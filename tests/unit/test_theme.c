/* test_theme.c - the dark theme of the PNG charts (--theme dark):
 * - its colour table is what assets/style.css gives the page's charts in
 *   every dark block (so a dark PNG looks like the dark page's SVG), and
 *   the stylesheet's dark blocks agree with one another;
 * - its text reads and its lines show on its background (WCAG 2 contrast,
 *   computed here: >= 4.5:1 for text, >= 3:1 for axes and group colours);
 * - a dark PNG is drawn on that background with the groups' colours and
 *   the dark text colour, and drawing dark leaves light PNGs as they were. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "chart_data.h"
#include "chart_impl.h"
#include "charts.h"
#include "harness.h"
#include "palette.h"
#include "plot.h"
#include "test_charts_fixture.h"
#include "util.h"

static double channel(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(const char *hex)
{
    unsigned r, g, b;
    sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b);
    return 0.2126 * channel(r / 255.0) + 0.7152 * channel(g / 255.0) +
           0.0722 * channel(b / 255.0);
}

static double contrast(const char *a, const char *b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static const char *dark(const char *var)
{
    const char *c = canvas_theme_color(CV_THEME_DARK, var);
    return c ? c : "#000000";
}

/* ---- the stylesheet's dark blocks ------------------------------------- */

/* One rule of the stylesheet that sets custom properties in a dark
 * context (inside @media (prefers-color-scheme: dark) or under
 * [data-theme=dark]): its selector and its "--name:value;" declarations,
 * spaces removed, in order. */
typedef struct {
    char sel[256];
    char decls[2048];
} css_rule;

static bool is_dark_header(const char *h)
{
    return strstr(h, "prefers-color-scheme:dark") || strstr(h, "data-theme=dark") ||
           strstr(h, "data-theme=\"dark\"");
}

/* Walks css (comments skipped, spaces dropped) and collects the dark rules
 * into r (at most max). Returns how many. */
static size_t dark_rules(const char *css, css_rule *r, size_t max)
{
    char stack[8][256];
    int depth = 0;
    char text[2048];
    css_rule cur = {"", ""};
    size_t tl = 0, n = 0;
    for (const char *p = css; *p; p++) {
        if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            if (!e)
                break;
            p = e + 1;
            continue;
        }
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            continue;
        if (*p != '{' && *p != '}' && *p != ';') {
            if (tl + 1 < sizeof text)
                text[tl++] = *p;
            continue;
        }
        text[tl] = '\0';
        tl = 0;
        if (*p == '{') {
            if (depth < 8)
                snprintf(stack[depth], sizeof stack[depth], "%.255s", text);
            depth++;
            snprintf(cur.sel, sizeof cur.sel, "%.255s", text);
            cur.decls[0] = '\0';
            continue;
        }
        bool in_dark = false;
        for (int i = 0; i < depth && i < 8; i++)
            in_dark |= is_dark_header(stack[i]);
        size_t dl = strlen(cur.decls), l = strlen(text);
        if (in_dark && strncmp(text, "--", 2) == 0 && dl + l + 2 <= sizeof cur.decls) {
            memcpy(cur.decls + dl, text, l);
            memcpy(cur.decls + dl + l, ";", 2);
        }
        if (*p == '}') {
            if (cur.decls[0] && n < max)
                r[n++] = cur;
            cur.decls[0] = '\0';
            depth = depth > 0 ? depth - 1 : 0;
        }
    }
    return n;
}

/* The value rule r gives property name ("--fg"), copied into v; false
 * when it does not set it. */
static bool rule_value(const css_rule *r, const char *name, char *v, size_t vn)
{
    size_t nl = strlen(name);
    for (const char *p = r->decls; (p = strstr(p, name)) != NULL; p++)
        if ((p == r->decls || p[-1] == ';') && p[nl] == ':') {
            const char *e = strchr(p, ';');
            snprintf(v, vn, "%.*s", (int)(e - p - nl - 1), p + nl + 1);
            return true;
        }
    return false;
}

static void test_stylesheet(void)
{
    const char *top = getenv("TOP");
    if (!top) {
        printf("SKIP theme: stylesheet: TOP not set\n");
        return;
    }
    char *path = xasprintf("%s/assets/style.css", top);
    char *css = file_read_all(path, NULL);
    free(path);
    OK(css != NULL, "theme: assets/style.css reads");
    if (!css)
        return;
    static css_rule rules[32];
    size_t n = dark_rules(css, rules, 32);
    size_t charts = 0, pages = 0;
    const css_rule *first_page = NULL;
    for (size_t i = 0; i < n; i++) {
        char name[300];
        if (strstr(rules[i].sel, ".mr-chart")) {
            charts++;
            for (size_t k = 0; k < cv_dark_ncolors; k++) {
                char prop[32], v[64] = "";
                snprintf(prop, sizeof prop, "--%s", cv_dark_colors[k].var);
                bool set = rule_value(&rules[i], prop, v, sizeof v);
                snprintf(name, sizeof name, "theme: style.css dark %.100s sets %s to the PNG's %s",
                         rules[i].sel, prop, cv_dark_colors[k].dark);
                CHECK_(set && strcmp(v, cv_dark_colors[k].dark) == 0, name, "it has \"%s\"", v);
            }
        } else {
            pages++;
            if (!first_page) {
                first_page = &rules[i];
                continue;
            }
            snprintf(name, sizeof name, "theme: style.css dark %.100s has the same colours as %.100s",
                     rules[i].sel, first_page->sel);
            STR_EQ(rules[i].decls, first_page->decls, name);
        }
    }
    OK(charts >= 2 && pages >= 2,
       "theme: style.css has dark blocks for the preference and for data-theme=dark");
    /* The page's chart surface is the chart's background: no seam. */
    char surface[64] = "";
    OK(first_page && rule_value(first_page, "--surface", surface, sizeof surface) &&
           strcmp(surface, dark("bg")) == 0,
       "theme: the dark chart background is the dark page's chart surface");
    free(css);
}

/* ---- contrast ----------------------------------------------------------- */

static void test_contrast(void)
{
    const char *bg = dark("bg");
    char name[200];
    static const struct {
        const char *var;
        double min;
    } need[] = {{"fg", 4.5}, {"muted", 4.5}, {"axis", 3.0}};
    for (size_t i = 0; i < ARRAY_LEN(need); i++) {
        double r = contrast(dark(need[i].var), bg);
        snprintf(name, sizeof name, "theme: dark --%s on --bg %.2f:1 >= %.1f:1", need[i].var, r,
                 need[i].min);
        OK(r >= need[i].min, name);
    }
    for (size_t i = 0; i < PALETTE_SIZE; i++) {
        double r = contrast(palette_color(i), bg);
        snprintf(name, sizeof name, "theme: group colour %s on the dark background %.2f:1 >= 3:1",
                 palette_color(i), r);
        OK(r >= 3.0, name);
    }
    /* Grid lines are meant to be faint, but visible. */
    double g = contrast(dark("grid"), bg);
    snprintf(name, sizeof name, "theme: dark grid %.2f:1 differs from the background", g);
    OK(g > 1.15, name);
    OK(canvas_theme_color(CV_THEME_LIGHT, "fg") == NULL &&
           canvas_theme_color(CV_THEME_DARK, "c") == NULL &&
           canvas_theme_color(CV_THEME_DARK, NULL) == NULL,
       "theme: light keeps every paint's own colour; a group's colour is never themed");
}

/* ---- rendering ---------------------------------------------------------- */

static uint32_t rgb_word(const char *hex)
{
    unsigned r, g, b;
    sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b);
    return (uint32_t)(r << 16 | g << 8 | b);
}

static uint32_t pixel(const unsigned char *px, int stride, int x, int y)
{
    uint32_t v;
    memcpy(&v, px + (size_t)y * (size_t)stride + 4 * (size_t)x, 4);
    return v & 0xffffff;
}

static size_t count(const unsigned char *px, int w, int h, int stride, uint32_t want)
{
    size_t n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            n += pixel(px, stride, x, y) == want;
    return n;
}

static void test_render(void)
{
    analysis a;
    fixture_build(&a, 40, 30, 4, 1767225600 /* 2026-01-01 */, 6 * 3600, 0);
    chart_data cd;
    chart_data_fill(&cd, &a);
    canvas *(*const draw[CHART_COUNT])(const chart_spec *) = {
        [CHART_TIMESERIES] = chart_draw_timeseries, [CHART_DISTRIBUTION] = chart_draw_distribution,
        [CHART_TRAJECTORIES] = chart_draw_trajectories, [CHART_TOTAL] = chart_draw_total};
    for (int k = 0; k < CHART_COUNT; k++) {
        const char *nm = chart_name((chart_kind)k);
        char name[200];
        canvas *c = draw[k](&cd.spec);
        unsigned char *light = NULL, *darkpx = NULL, *again = NULL;
        int w, h, stride, w2, h2, s2;
        const char *err = NULL;
        int rc = canvas_to_pixels(c, PLOT_SCALE, &light, &w, &h, &stride, &err);
        canvas_set_theme(c, CV_THEME_DARK);
        rc |= canvas_to_pixels(c, PLOT_SCALE, &darkpx, &w2, &h2, &s2, &err);
        canvas_set_theme(c, CV_THEME_LIGHT);
        rc |= canvas_to_pixels(c, PLOT_SCALE, &again, &w2, &h2, &s2, &err);
        snprintf(name, sizeof name, "theme: %s renders light and dark", nm);
        OK(rc == 0 && w == w2 && h == h2 && stride == s2, name);
        if (rc == 0 && w == w2 && h == h2 && stride == s2) {
            snprintf(name, sizeof name, "theme: %s light is on white", nm);
            INT_EQ(pixel(light, stride, 1, 1), 0xffffff, name);
            snprintf(name, sizeof name, "theme: %s dark is on the dark background", nm);
            INT_EQ(pixel(darkpx, stride, 1, 1), rgb_word(dark("bg")), name);
            INT_EQ(pixel(darkpx, stride, w - 2, h - 2), rgb_word(dark("bg")), name);
            snprintf(name, sizeof name, "theme: %s dark has text in the dark --fg", nm);
            OK(count(darkpx, w, h, stride, rgb_word(dark("fg"))) > 50, name);
            snprintf(name, sizeof name, "theme: %s dark has no light --fg text", nm);
            OK(count(darkpx, w, h, stride, rgb_word(PAINT_FG.color)) == 0, name);
            /* The series, drawn opaque on these two (the total's one
             * line is the first colour); the others draw them translucent. */
            size_t ng = k == CHART_TOTAL ? 1 : k == CHART_TIMESERIES ? cd.spec.ngroups : 0;
            for (size_t g = 0; g < ng; g++) {
                const char *col = cd.spec.groups[g].color;
                snprintf(name, sizeof name, "theme: %s dark draws group %zu in %s", nm, g, col);
                OK(count(darkpx, w, h, stride, rgb_word(col)) > 20, name);
            }
            if (k == CHART_TOTAL) {
                /* The relay count's line takes the theme's muted colour:
                 * its light grey would be 2.7:1 on the dark background. */
                OK(count(light, w, h, stride, rgb_word(PAINT_MUTED.color)) > 200 &&
                       count(darkpx, w, h, stride, rgb_word(PAINT_MUTED.color)) == 0 &&
                       count(darkpx, w, h, stride, rgb_word(dark("muted"))) > 200,
                   "theme: memory_total's relay line is drawn in the dark --muted");
            }
            snprintf(name, sizeof name, "theme: %s light again after dark: the same pixels", nm);
            OK(memcmp(light, again, (size_t)stride * (size_t)h) == 0, name);
        }
        free(light);
        free(darkpx);
        free(again);
        canvas_free(c);
    }

    /* Through the spec, as the build asks for it: only the PNG changes. */
    unsigned char *png[2] = {NULL, NULL};
    size_t plen[2] = {0, 0}, slen[2] = {0, 0};
    char *svg[2] = {NULL, NULL};
    diag_list d;
    diag_init(&d);
    int rc = chart_render(&cd.spec, CHART_TIMESERIES, &png[0], &plen[0], &svg[0], &slen[0], &d);
    cd.spec.dark = true;
    rc |= chart_render(&cd.spec, CHART_TIMESERIES, &png[1], &plen[1], &svg[1], &slen[1], &d);
    OK(rc == 0 && (plen[0] != plen[1] || memcmp(png[0], png[1], plen[0]) != 0),
       "theme: spec.dark changes the PNG");
    OK(rc == 0 && slen[0] == slen[1] && memcmp(svg[0], svg[1], slen[0]) == 0,
       "theme: spec.dark leaves the SVG (the page themes it)");
    for (int i = 0; i < 2; i++) {
        free(png[i]);
        free(svg[i]);
    }
    diag_free(&d);
    chart_data_free(&cd);
    analysis_free(&a);
}

int main(void)
{
    test_stylesheet();
    test_contrast();
    test_render();
    charts_shutdown();
    return harness_done();
}
