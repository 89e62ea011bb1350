/* test_png.c - the PNG encoder against the image it was given and against
 * cairo's own encoder (which wrote every PNG before): for the four charts
 * of a hand-built analysis, libpng's reader decodes our bytes and cairo's
 * bytes to exactly the rendered pixels, and ours are at most 15% larger
 * than cairo's; charts rendered in parallel are the bytes of charts
 * rendered one by one; the rows packed in the pixels' own buffer give
 * every pixel back at the edges (one column, tight and padded strides,
 * widths on both sides of the four-at-a-time packing);
 * and the committed example charts decode to the pixels recorded from the
 * cairo-encoded files they replaced. */
#include <cairo.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "chart_data.h"
#include "chart_impl.h"
#include "charts.h"
#include "harness.h"
#include "plot.h"
#include "png_encode.h"
#include "sha256.h"
#include "test_charts_fixture.h"
#include "util.h"

/* RGB bytes of a PNG through libpng's simplified reader; NULL when it is
 * not one. */
static unsigned char *decode(const unsigned char *png, size_t len, unsigned *w, unsigned *h)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, png, len))
        return NULL;
    im.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
    if (!png_image_finish_read(&im, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&im);
        return NULL;
    }
    *w = im.width;
    *h = im.height;
    return px;
}

typedef struct {
    unsigned char *data;
    size_t len, cap;
} sink;

static cairo_status_t put(void *closure, const unsigned char *data, unsigned int n)
{
    sink *s = closure;
    xgrow((void **)&s->data, &s->cap, s->len + n, 1);
    memcpy(s->data + s->len, data, n);
    s->len += n;
    return CAIRO_STATUS_SUCCESS;
}

static void check_canvas(const char *nm, canvas *c)
{
    char name[160];
    unsigned char *px, *ours;
    int w, h, stride;
    size_t olen;
    const char *err = NULL;
    if (canvas_to_pixels(c, PLOT_SCALE, &px, &w, &h, &stride, &err) != 0 ||
        canvas_to_png(c, PLOT_SCALE, &ours, &olen, &err) != 0) {
        snprintf(name, sizeof name, "%s: renders", nm);
        OK(0, name);
        return;
    }
    /* The rendered image as RGB rows, from cairo's native-endian words. */
    unsigned char *rgb = malloc((size_t)w * (size_t)h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t v;
            memcpy(&v, px + (size_t)y * (size_t)stride + 4 * (size_t)x, 4);
            unsigned char *o = rgb + 3 * ((size_t)y * (size_t)w + (size_t)x);
            o[0] = (unsigned char)(v >> 16), o[1] = (unsigned char)(v >> 8), o[2] = (unsigned char)v;
        }
    cairo_surface_t *s = cairo_image_surface_create_for_data(px, CAIRO_FORMAT_RGB24, w, h, stride);
    sink ref = {0};
    cairo_surface_write_to_png_stream(s, put, &ref);
    cairo_surface_destroy(s);

    unsigned ow = 0, oh = 0, rw = 0, rh = 0;
    unsigned char *od = decode(ours, olen, &ow, &oh), *rd = decode(ref.data, ref.len, &rw, &rh);
    size_t n = (size_t)w * (size_t)h * 3;
    snprintf(name, sizeof name, "%s: our PNG decodes to the rendered pixels", nm);
    OK(od && ow == (unsigned)w && oh == (unsigned)h && memcmp(od, rgb, n) == 0, name);
    snprintf(name, sizeof name, "%s: cairo's PNG of the same image decodes to the same pixels", nm);
    OK(rd && rw == (unsigned)w && rh == (unsigned)h && od && memcmp(od, rd, n) == 0, name);
    snprintf(name, sizeof name, "%s: at most 15%% larger than cairo's (%zu vs %zu bytes)", nm, olen,
             ref.len);
    OK(olen <= ref.len * 1.15, name);
    free(od);
    free(rd);
    free(ref.data);
    free(rgb);
    free(px);
    free(ours);
}

/* The four charts' drawing functions, by kind. */
static canvas *(*const chart_drawers[CHART_COUNT])(const chart_spec *) = {
    [CHART_TIMESERIES] = chart_draw_timeseries, [CHART_DISTRIBUTION] = chart_draw_distribution,
    [CHART_TRAJECTORIES] = chart_draw_trajectories, [CHART_TOTAL] = chart_draw_total};

static void test_charts(void)
{
    analysis a;
    fixture_build(&a, 60, 40, 4, 1767225600 /* 2026-01-01 */, 6 * 3600, -480);
    chart_data cd;
    chart_data_fill(&cd, &a);
    for (int k = 0; k < CHART_COUNT; k++) {
        canvas *c = chart_drawers[k](&cd.spec);
        check_canvas(chart_name((chart_kind)k), c);
        canvas_free(c);
    }

    /* All at once, in threads: the same bytes as one by one, every time. */
    int same = 1;
    for (int round = 0; round < 3; round++) {
        unsigned char *png[CHART_COUNT] = {0};
        size_t plen[CHART_COUNT] = {0}, slen[CHART_COUNT] = {0};
        char *svg[CHART_COUNT] = {0}, *nar[CHART_COUNT] = {0};
        size_t nlen[CHART_COUNT] = {0};
        diag_list d;
        diag_init(&d);
        same &= chart_render_all(&cd.spec, png, plen, svg, slen, nar, nlen, &d) == 0 &&
                d.n == 0;
        for (int k = 0; k < CHART_COUNT; k++) {
            unsigned char *p1 = NULL;
            char *s1 = NULL, *n1 = NULL;
            size_t pl1 = 0, sl1 = 0, nl1 = 0;
            same &= chart_render(&cd.spec, (chart_kind)k, &p1, &pl1, &s1, &sl1, &d) == 0 &&
                    p1 && png[k] && pl1 == plen[k] && memcmp(p1, png[k], pl1) == 0 && s1 &&
                    svg[k] && sl1 == slen[k] && memcmp(s1, svg[k], sl1) == 0;
            same &= chart_render_narrow(&cd.spec, (chart_kind)k, &n1, &nl1, &d) == 0 && n1 &&
                    nar[k] && nl1 == nlen[k] && memcmp(n1, nar[k], nl1) == 0 &&
                    (nl1 != sl1 || memcmp(n1, s1, nl1) != 0);
            free(p1);
            free(s1);
            free(n1);
            free(png[k]);
            free(svg[k]);
            free(nar[k]);
        }
        diag_free(&d);
    }
    OK(same, "parallel: each chart's PNG, SVG and narrow SVG equal the one-by-one bytes, 3 rounds");
    unsigned char *png[CHART_COUNT] = {0};
    size_t plen[CHART_COUNT] = {0};
    diag_list d;
    diag_init(&d);
    int rc = chart_render_all(&cd.spec, png, plen, NULL, NULL, NULL, NULL, &d);
    OK(rc == 0 && png[CHART_TOTAL] && plen[CHART_TOTAL] > 8, "parallel: PNG alone");
    for (int k = 0; k < CHART_COUNT; k++)
        free(png[k]);
    /* No wide rendering: every narrow one drawn once, on its own thread. */
    char *nar[CHART_COUNT] = {0};
    size_t nlen[CHART_COUNT] = {0};
    rc = chart_render_all(&cd.spec, NULL, NULL, NULL, NULL, nar, nlen, &d);
    int narrow_same = rc == 0;
    for (int k = 0; k < CHART_COUNT; k++) {
        char *n1 = NULL;
        size_t nl1 = 0;
        narrow_same &= chart_render_narrow(&cd.spec, (chart_kind)k, &n1, &nl1, &d) == 0 &&
                       nar[k] && nl1 == nlen[k] && memcmp(n1, nar[k], nl1) == 0;
        free(n1);
        free(nar[k]);
    }
    OK(narrow_same, "parallel: the narrow SVGs alone equal the one-by-one bytes");
    diag_free(&d);
    chart_data_free(&cd);
    analysis_free(&a);
}

/* SHA-256 of the RGB pixels of data/example's charts as cairo's encoder
 * wrote them (main at d2e607b, the last cairo-encoded ones). A change
 * that is meant to change the pictures updates these with the example. */
static const struct {
    const char *file;
    const char *pixels_sha256;
} example_pixels[] = {
    {"memory_distribution.png", "076d8f08f27cd99b2c4aaee9ccf99a5256819b48f39c02d87dcb8ba32f44d04f"},
    {"memory_timeseries.png", "504cbe2097db7ba624e0ba0a7a633a74c610251623cc739c22be23297e600132"},
    {"memory_total.png", "976595837cbf91fb3b9c46bb33d0f82ad0706782bf75cb71b8b189904c4f1bdd"},
    {"memory_trajectories.png", "6659d5db020fc304257a76f6d3c3be5ba78bc9c0cc60de223c66e859f6ad35fc"},
};

static void test_example(void)
{
    const char *top = getenv("TOP");
    if (!top) {
        printf("SKIP example pixels: TOP not set\n");
        return;
    }
    for (size_t i = 0; i < ARRAY_LEN(example_pixels); i++) {
        char *path = xasprintf("%s/data/example/charts/%s", top, example_pixels[i].file);
        size_t len = 0;
        char *bytes = file_read_all(path, &len);
        unsigned w = 0, h = 0;
        unsigned char *px = bytes ? decode((unsigned char *)bytes, len, &w, &h) : NULL;
        char hex[65] = "";
        if (px)
            sha256_hex_of(px, (size_t)w * h * 3, hex);
        char name[160];
        snprintf(name, sizeof name, "example %s: the pixels cairo's encoder wrote",
                 example_pixels[i].file);
        STR_EQ(hex, example_pixels[i].pixels_sha256, name);
        free(px);
        free(bytes);
        free(path);
    }
}

/* Lines under a CSS pixel wide are stroked with cairo's fast antialiasing
 * (canvas_cairo.c); they must still look like the default rendering: 300
 * thin, partly transparent polylines (a big chart's trajectories) against
 * the same strokes drawn by cairo itself with its default antialiasing. A
 * line of width 1 keeps the default: the same pixels exactly. */
static void test_thin_lines(void)
{
    const double W = 400, H = 200, S = 2;
    for (int pass = 0; pass < 2; pass++) {
        double width = pass == 0 ? 0.6 : 1.0;
        canvas *c = canvas_new(W, H);
        cv_style st = {.stroke = {"#d95f02", NULL, 0.35}, .width = width};
        cairo_surface_t *surf =
            cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(W * S), (int)(H * S));
        cairo_t *cr = cairo_create(surf);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, S, S);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_line_width(cr, width);
        cairo_set_source_rgba(cr, 0xd9 / 255.0, 0x5f / 255.0, 0x02 / 255.0, 0.35);
        uint32_t x = 99;
        for (int r = 0; r < 300; r++) {
            double xy[2 * 80];
            for (int i = 0; i < 80; i++) {
                x = x * 1103515245u + 12345u;
                xy[2 * i] = 5 + i * (W - 10) / 79;
                xy[2 * i + 1] = 20 + r * 0.5 + (double)(x >> 16 & 1023) / 1023 * 30;
            }
            cv_polyline(c, xy, 80, &st);
            cairo_move_to(cr, xy[0], xy[1]);
            for (int i = 1; i < 80; i++)
                cairo_line_to(cr, xy[2 * i], xy[2 * i + 1]);
            cairo_stroke(cr);
        }
        cairo_destroy(cr);
        cairo_surface_flush(surf);
        unsigned char *px;
        int w, h, stride;
        const char *err = NULL;
        bool ok = canvas_to_pixels(c, S, &px, &w, &h, &stride, &err) == 0 &&
                  w == cairo_image_surface_get_width(surf) &&
                  h == cairo_image_surface_get_height(surf) &&
                  stride == cairo_image_surface_get_stride(surf);
        const unsigned char *ref = cairo_image_surface_get_data(surf);
        double sum = 0, ink_a = 0, ink_b = 0;
        long far = 0, differ = 0, inked = 0;
        for (int y = 0; ok && y < h; y++)
            for (int i = 0; i < w; i++) {
                uint32_t a, b;
                memcpy(&a, px + (size_t)y * (size_t)stride + 4 * (size_t)i, 4);
                memcpy(&b, ref + (size_t)y * (size_t)stride + 4 * (size_t)i, 4);
                inked += (b & 0xFFFFFF) != 0xFFFFFF;
                int worst = 0;
                for (int k = 0; k < 24; k += 8) {
                    int d = abs((int)(a >> k & 255) - (int)(b >> k & 255));
                    sum += d;
                    ink_a += 255 - (int)(a >> k & 255);
                    ink_b += 255 - (int)(b >> k & 255);
                    worst = d > worst ? d : worst;
                }
                differ += worst > 0;
                far += worst > 48;
            }
        double mean = ok && inked ? sum / (3.0 * (double)inked) : 99;
        double ink = ink_b > 0 ? ink_a / ink_b : 0;
        char name[200];
        if (pass == 0) {
            snprintf(name, sizeof name,
                     "thin lines: fast antialiasing looks like the default (ink x%.4f; %ld of "
                     "%ld inked pixels differ, %ld by > 48, mean %.2f levels)",
                     ink, differ, inked, far, mean);
            OK(ok && inked > 50000 && ink > 0.95 && ink < 1.05 && far * 50 < inked, name);
        } else {
            snprintf(name, sizeof name, "lines of width 1: the default antialiasing (%ld differ)",
                     differ);
            OK(ok && inked > 50000 && differ == 0, name);
        }
        if (ok)
            free(px);
        cairo_surface_destroy(surf);
        canvas_free(c);
    }
}

/* The pixels of c drawn in n bands; NULL when it did not render. */
static unsigned char *pixels_in_bands(canvas *c, int n, size_t *len)
{
    unsigned char *px = NULL;
    int w, h, stride;
    const char *err = NULL;
    canvas_set_bands(c, n);
    if (canvas_to_pixels(c, PLOT_SCALE, &px, &w, &h, &stride, &err) != 0)
        return NULL;
    *len = (size_t)stride * (size_t)h;
    return px;
}

/* A canvas drawn in horizontal bands (each band replays the whole list,
 * cairo clips it to its rows) gives the pixels of the canvas drawn whole:
 * the four charts in both themes cut into 2, 3 and 7 bands (lines, fills,
 * circles and text across the cuts), and a canvas big enough to be cut by
 * itself, against one band. */
static void test_bands(void)
{
    analysis a;
    fixture_build(&a, 60, 40, 4, 1767225600 /* 2026-01-01 */, 6 * 3600, -480);
    chart_data cd;
    chart_data_fill(&cd, &a);
    int same = 0, cases = 0;
    for (int k = 0; k < CHART_COUNT; k++)
        for (int dark = 0; dark < 2; dark++) {
            canvas *c = chart_drawers[k](&cd.spec);
            canvas_set_theme(c, dark ? CV_THEME_DARK : CV_THEME_LIGHT);
            size_t n1 = 0, n = 0;
            unsigned char *whole = pixels_in_bands(c, 1, &n1);
            for (int b = 2; b <= 7; b += b == 3 ? 4 : 1) {
                unsigned char *px = pixels_in_bands(c, b, &n);
                same += whole && px && n == n1 && memcmp(whole, px, n) == 0;
                cases++;
                free(px);
            }
            free(whole);
            canvas_free(c);
        }
    char name[120];
    snprintf(name, sizeof name, "bands: the charts cut into 2, 3, 7 bands are the whole (%d of %d)",
             same, cases);
    OK(same == cases, name);

    /* 400 polylines of 150 points over the whole height: cut by size. */
    canvas *c = canvas_new(800, 500);
    cv_style st = {.stroke = {"#1b9e77", NULL, 0.4}, .width = 0.6};
    cv_style thick = {.stroke = {"#7570b3", NULL, 0}, .width = 2};
    uint32_t x = 7;
    for (int r = 0; r < 400; r++) {
        double xy[2 * 150];
        for (int i = 0; i < 150; i++) {
            x = x * 1103515245u + 12345u;
            xy[2 * i] = 10 + i * 780.0 / 149;
            xy[2 * i + 1] = 10 + (double)(x >> 16 & 4095) / 4095 * 480;
        }
        cv_polyline(c, xy, 150, r % 10 ? &st : &thick);
    }
    cv_font f = {.size = 14, .fill = {"#333333", NULL, 0}};
    cv_text(c, 20, 251, "Text across the middle of the image", &f);
    size_t n1 = 0, n2 = 0;
    unsigned char *whole = pixels_in_bands(c, 1, &n1);
    unsigned char *cut = pixels_in_bands(c, 0, &n2);
    OK(whole && cut && n1 == n2 && memcmp(whole, cut, n1) == 0,
       "bands: a big canvas, cut in two by its size, is drawn as the whole");
    free(cut);
    same = 0;
    for (int b = 3; b <= 8; b++) {
        cut = pixels_in_bands(c, b, &n2);
        same += whole && cut && n1 == n2 && memcmp(whole, cut, n1) == 0;
        free(cut);
    }
    OK(same == 6, "bands: the big canvas cut into 3 to 8 bands is the whole");
    free(whole);
    canvas_free(c);
    chart_data_free(&cd);
    analysis_free(&a);
}

/* Images small enough to know every pixel: each a different colour, so a
 * byte packed over one not yet read shows as a wrong pixel. */
static void test_packing(void)
{
    /* One by one below 8 pixels; from 8, four at a time and the rest one
     * by one (pack_row_ssse3, where the processor has it). */
    const int sizes[][3] = {{1, 1, 4},   {1, 5, 4},   {1, 3, 12},   {2, 2, 8},
                            {7, 3, 28},  {5, 4, 24},  {8, 3, 32},   {9, 2, 36},
                            {13, 3, 52}, {16, 2, 64}, {17, 3, 80},  {31, 4, 124}};
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        int w = sizes[t][0], h = sizes[t][1], stride = sizes[t][2];
        unsigned char *px = calloc((size_t)stride * (size_t)h, 1);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint32_t v = (uint32_t)(0x10 * y + x) << 16 | (uint32_t)(0x80 + x) << 8 |
                             (uint32_t)(0xF0 - 3 * y);
                memcpy(px + (size_t)y * (size_t)stride + 4 * (size_t)x, &v, 4);
            }
        unsigned char *png = NULL;
        size_t len = 0;
        const char *err = NULL;
        unsigned dw = 0, dh = 0;
        unsigned char *back = png_encode_rgb24(px, w, h, stride, &png, &len, &err) == 0
                                  ? decode(png, len, &dw, &dh)
                                  : NULL;
        bool same = back && dw == (unsigned)w && dh == (unsigned)h;
        for (int y = 0; same && y < h; y++)
            for (int x = 0; same && x < w; x++) {
                const unsigned char *b = back + 3 * ((size_t)y * (size_t)w + (size_t)x);
                same = b[0] == 0x10 * y + x && b[1] == 0x80 + x && b[2] == 0xF0 - 3 * y;
            }
        char name[96];
        snprintf(name, sizeof name, "packed in place: %d x %d, stride %d: every pixel back", w, h,
                 stride);
        OK(same, name);
        free(back);
        free(png);
        free(px);
    }
    unsigned char one[4] = {0};
    unsigned char *png = NULL;
    size_t len = 0;
    const char *err = NULL;
    OK(png_encode_rgb24(one, 1, 1, 3, &png, &len, &err) == -1 && !png && err,
       "a stride shorter than the row: refused");
}

int main(void)
{
    test_packing();
    test_thin_lines();
    test_bands();
    test_charts();
    test_example();
    charts_shutdown();
    return harness_done();
}
