/* canvas_cairo.c - the PNG backend: replays the display list on a cairo
 * image surface at `scale` device pixels per CSS pixel (2 for sharp
 * charts on high-density screens), on white, or in the dark theme on its
 * background with its colours (canvas_theme.c), and encodes a PNG
 * through png_encode.c (no filter, and png_deflate.c's compressor made for
 * charts: a small fraction of cairo's own encoder's time at about its
 * size). No time stamps are
 * written, so the bytes are reproducible. A big canvas is drawn in two
 * bands on two threads (rasterize below).
 * Groups, classes and tooltips have no meaning here and are skipped. */
#include <cairo.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "canvas_impl.h"
#include "png_encode.h"
#include "palette.h"
#include "util.h"

/* Polylines narrower than this (CSS px) are stroked with fast antialiasing. */
#define THIN_LINE_PX 1.0

static bool set_paint(cairo_t *cr, const cv_paint *p, const char *group_color, cv_theme t)
{
    const char *hex = p->color;
    const char *themed = canvas_theme_color(t, p->var);
    if (p->var && strcmp(p->var, "c") == 0 && group_color)
        hex = group_color;
    else if (themed && hex)
        hex = themed; /* a paint with no colour stays unpainted */
    double r, g, b;
    if (!hex || !palette_parse(hex, &r, &g, &b))
        return false;
    cairo_set_source_rgba(cr, r, g, b, p->opacity > 0 ? p->opacity : 1.0);
    return true;
}

static void fill_and_stroke(cairo_t *cr, const cv_style *st, const char *gc, cv_theme t)
{
    if (set_paint(cr, &st->fill, gc, t))
        cairo_fill_preserve(cr);
    if (st->width > 0 && set_paint(cr, &st->stroke, gc, t)) {
        cairo_set_line_width(cr, st->width);
        double d[2];
        if (st->dash == CV_DASHED) {
            d[0] = 5 * st->width + 2, d[1] = 3 * st->width + 1;
            cairo_set_dash(cr, d, 2, 0);
        } else if (st->dash == CV_DOTTED) {
            d[0] = st->width, d[1] = 2 * st->width + 1;
            cairo_set_dash(cr, d, 2, 0);
        } else {
            cairo_set_dash(cr, NULL, 0, 0);
        }
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

/* Rows [y0, y1) of the image, drawn on a surface of their own with
 * BAND_MARGIN more rows above and below, then copied into the image: the
 * whole display list is replayed, and cairo skips what lies outside, so
 * each band costs about its share. The margin is there because cairo's
 * pixels within a few rows of a surface's edge can differ by a level from
 * the same pixels inside a bigger surface (a stroke crossing the edge is
 * clipped there); BAND_MARGIN rows away they are the same. */
#define BAND_MARGIN 32

typedef struct {
    const canvas *c;
    double scale;
    cairo_surface_t *image; /* the whole image, drawn on directly by a lone band */
    unsigned char *data;    /* the image's */
    int pw, ph, y0, y1, stride;
    cairo_status_t st;
} band;

static void draw_band(band *b)
{
    const canvas *c = b->c;
    /* One band is the image: no surface of its own, nothing to copy. */
    bool whole = b->y0 == 0 && b->y1 == b->ph;
    int top = b->y0 - BAND_MARGIN > 0 ? b->y0 - BAND_MARGIN : 0;
    int bottom = b->y1 + BAND_MARGIN < b->ph ? b->y1 + BAND_MARGIN : b->ph;
    cairo_surface_t *surf = whole ? cairo_surface_reference(b->image)
                                  : cairo_image_surface_create(CAIRO_FORMAT_RGB24, b->pw,
                                                               bottom - top);
    cv_font_lock();
    cairo_t *cr = cairo_create(surf);
    canvas_font_options(cr);
    cv_font_unlock();
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_translate(cr, 0, -top);
    cairo_scale(cr, b->scale, b->scale);
    double br = 1, bg = 1, bb = 1;
    const char *bghex = canvas_theme_color(c->theme, "bg");
    if (bghex)
        palette_parse(bghex, &br, &bg, &bb);
    cairo_set_source_rgb(cr, br, bg, bb);
    cairo_paint(cr);

    /* Stack of group colours (--c) for paints that refer to var "c". */
    const char *gstack[64];
    int depth = 0;
    const char *gc = NULL;
    for (size_t i = 0; i < c->nops; i++) {
        const cv_op *op = &c->ops[i];
        switch (op->kind) {
        case OP_GROUP_BEGIN:
            if (depth < 64)
                gstack[depth] = gc;
            depth++;
            if (op->color)
                gc = op->color;
            break;
        case OP_GROUP_END:
            if (depth > 0 && --depth < 64)
                gc = gstack[depth];
            break;
        case OP_LINE:
            cairo_move_to(cr, op->a[0], op->a[1]);
            cairo_line_to(cr, op->a[2], op->a[3]);
            fill_and_stroke(cr, &op->st, gc, c->theme);
            break;
        case OP_POLYLINE:
        case OP_POLYGON: {
            const double *p = c->pts + 2 * op->pt;
            cairo_move_to(cr, p[0], p[1]);
            for (size_t k = 1; k < op->npt; k++)
                cairo_line_to(cr, p[2 * k], p[2 * k + 1]);
            if (op->kind == OP_POLYGON)
                cairo_close_path(cr);
            /* Lines thinner than a CSS pixel are a big chart's data (a
             * fleet's trajectories: a thousand relays at partial opacity).
             * Cairo's fast antialiasing (a coarser coverage grid) strokes
             * them in half the time, and at that width looks the same. */
            bool thin = op->kind == OP_POLYLINE && op->st.width < THIN_LINE_PX;
            if (thin)
                cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
            fill_and_stroke(cr, &op->st, gc, c->theme);
            if (thin)
                cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
            break;
        }
        case OP_RECT:
            cairo_rectangle(cr, op->a[0], op->a[1], op->a[2], op->a[3]);
            fill_and_stroke(cr, &op->st, gc, c->theme);
            break;
        case OP_CIRCLE:
            cairo_new_sub_path(cr);
            cairo_arc(cr, op->a[0], op->a[1], op->a[2], 0, 2 * M_PI);
            fill_and_stroke(cr, &op->st, gc, c->theme);
            break;
        case OP_TEXT: {
            if (!set_paint(cr, &op->font.fill, gc, c->theme))
                break;
            cv_font_lock();
            cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                   op->font.bold ? CAIRO_FONT_WEIGHT_BOLD
                                                 : CAIRO_FONT_WEIGHT_NORMAL);
            cairo_set_font_size(cr, op->font.size);
            double dx = op->font.anchor == CV_MIDDLE ? -op->a[3] / 2
                        : op->font.anchor == CV_END  ? -op->a[3]
                                                     : 0;
            cairo_save(cr);
            cairo_translate(cr, op->a[0], op->a[1]);
            if (op->font.angle != 0)
                cairo_rotate(cr, op->font.angle * M_PI / 180);
            cairo_move_to(cr, dx, op->a[2]);
            cairo_show_text(cr, op->text);
            cairo_restore(cr);
            cv_font_unlock();
            cairo_new_path(cr);
            break;
        }
        }
    }

    cairo_status_t st = cairo_status(cr);
    cv_font_lock();
    cairo_destroy(cr);
    cv_font_unlock();
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(surf);
    if (st == CAIRO_STATUS_SUCCESS && !whole) {
        cairo_surface_flush(surf);
        const unsigned char *src = cairo_image_surface_get_data(surf);
        int sstride = cairo_image_surface_get_stride(surf);
        for (int y = b->y0; y < b->y1; y++)
            memcpy(b->data + (size_t)y * (size_t)b->stride,
                   src + (size_t)(y - top) * (size_t)sstride, (size_t)b->pw * 4);
    }
    cairo_surface_destroy(surf);
    b->st = st;
}

static void *band_run(void *arg)
{
    draw_band(arg);
    return NULL;
}

/* A canvas with at least this many points (a fleet's trajectories) is
 * rasterised in two bands, the lower one on a thread of its own: it is
 * the longest job of a render, and the bands give the same pixels. */
#define BAND_MIN_POINTS 50000

static const cairo_user_data_key_t pixels_key;

/* Pixels mapped for one surface: unmapped when cairo destroys it. */
typedef struct {
    void *at;
    size_t len;
} pixel_map;

static void pixels_unmap(void *data)
{
    pixel_map *m = data;
    munmap(m->at, m->len);
    free(m);
}

/* len bytes (a multiple of align, a power of two) of zeroed memory at an
 * align boundary: mapped align bytes longer and trimmed at both ends, so
 * no address space is left unused and nothing is cleared by hand (the
 * kernel's fresh pages are zero, as cairo's own surfaces start). NULL
 * when the system gives no mapping. */
static void *map_aligned(size_t len, size_t align)
{
    if (len > SIZE_MAX - align)
        return NULL;
    unsigned char *raw =
        mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    size_t head = (align - (uintptr_t)raw % align) % align;
    if (head)
        munmap(raw, head);
    if (align - head)
        munmap(raw + head + len, align - head);
    return raw + head;
}

enum { HUGE_PAGE = 2 << 20 };

/* len bytes (a multiple of HUGE_PAGE) in huge pages where the system
 * gives them (transparent huge pages on request): a chart's 6 MB then
 * costs a few page faults rather than some 1,600. NULL when the system
 * gives no mapping. */
static void *map_pixels(size_t len)
{
    void *data = map_aligned(len, HUGE_PAGE);
#ifdef MADV_HUGEPAGE
    if (data)
        (void)madvise(data, len, MADV_HUGEPAGE); /* a hint: without it, small pages */
#endif
    return data;
}

/* A surface of pw x ph on pixels mapped for it alone (map_pixels),
 * unmapped when cairo destroys it; NULL when there is no mapping to give. */
static cairo_surface_t *surface_own(int pw, int ph, int stride, size_t len)
{
    void *data = map_pixels(len);
    pixel_map *m = data ? malloc(sizeof *m) : NULL;
    if (!m) {
        if (data)
            munmap(data, len);
        return NULL;
    }
    *m = (pixel_map){data, len};
    cairo_surface_t *surf = cairo_image_surface_create_for_data(data, CAIRO_FORMAT_RGB24, pw, ph,
                                                                stride);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_set_user_data(surf, &pixels_key, m, pixels_unmap) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        pixels_unmap(m);
        return NULL;
    }
    return surf;
}

/* A surface of pw x ph on px's pixels, mapped again (larger) when they are
 * too few; they outlive it. NULL when there is no mapping to give. */
static cairo_surface_t *surface_in(int pw, int ph, int stride, size_t len, canvas_pixels *px)
{
    if (px->len < len) {
        canvas_pixels_free(px);
        if ((px->at = map_pixels(len)))
            px->len = len;
    }
    if (!px->at)
        return NULL;
    cairo_surface_t *surf = cairo_image_surface_create_for_data(px->at, CAIRO_FORMAT_RGB24, pw,
                                                                ph, stride);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        return NULL;
    }
    return surf;
}

/* A new RGB24 surface of pw x ph, in huge pages: its own pixels, or px's
 * when given. Anything smaller than a huge page, or a system without a
 * mapping to give, gets cairo's own surface. */
static cairo_surface_t *surface_new(int pw, int ph, canvas_pixels *px)
{
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, pw);
    size_t n = stride > 0 && ph > 0 ? (size_t)stride * (size_t)ph : 0;
    size_t len = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    cairo_surface_t *surf = NULL;
    if (n >= HUGE_PAGE)
        surf = px ? surface_in(pw, ph, stride, len, px) : surface_own(pw, ph, stride, len);
    return surf ? surf : cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
}

void canvas_pixels_free(canvas_pixels *px)
{
    if (px->at)
        munmap(px->at, px->len);
    px->at = NULL;
    px->len = 0;
}

/* The canvas drawn on a new image surface (on px's pixels, when given);
 * the caller destroys it. NULL with *err set when cairo failed. */
static cairo_surface_t *rasterize(const canvas *c, double scale, canvas_pixels *px,
                                  const char **err)
{
    int pw = (int)ceil(c->w * scale), ph = (int)ceil(c->h * scale);
    cairo_surface_t *surf = surface_new(pw, ph, px);
    cairo_status_t st = cairo_surface_status(surf);
    if (st == CAIRO_STATUS_SUCCESS) {
        unsigned char *data = cairo_image_surface_get_data(surf);
        int stride = cairo_image_surface_get_stride(surf);
        int nb = c->bands ? c->bands : c->npts / 2 >= BAND_MIN_POINTS ? 2 : 1;
        if (nb > ph)
            nb = ph > 0 ? ph : 1;
        enum { MAX_BANDS = 8 };
        nb = nb < MAX_BANDS ? nb : MAX_BANDS;
        band bs[MAX_BANDS];
        pthread_t th[MAX_BANDS];
        bool started[MAX_BANDS] = {false};
        cairo_surface_flush(surf);
        for (int i = 0; i < nb; i++) {
            bs[i] = (band){.c = c, .scale = scale, .image = surf, .data = data, .pw = pw, .ph = ph,
                           .y0 = (int)((long)ph * i / nb), .y1 = (int)((long)ph * (i + 1) / nb),
                           .stride = stride};
            if (i > 0)
                started[i] = pthread_create(&th[i], NULL, band_run, &bs[i]) == 0;
        }
        draw_band(&bs[0]);
        for (int i = 1; i < nb; i++) {
            if (started[i])
                pthread_join(th[i], NULL);
            else
                draw_band(&bs[i]); /* no thread to be had: draw it here */
        }
        for (int i = 0; i < nb && st == CAIRO_STATUS_SUCCESS; i++)
            st = bs[i].st;
        cairo_surface_mark_dirty(surf);
    }
    if (st != CAIRO_STATUS_SUCCESS) {
        *err = cairo_status_to_string(st);
        cairo_surface_destroy(surf);
        return NULL;
    }
    return surf;
}

int canvas_to_png(const canvas *c, double scale, unsigned char **out, size_t *len,
                  const char **err)
{
    return canvas_to_png_in(c, scale, NULL, out, len, err);
}

int canvas_to_png_in(const canvas *c, double scale, canvas_pixels *px, unsigned char **out,
                     size_t *len, const char **err)
{
    cairo_surface_t *surf = rasterize(c, scale, px, err);
    if (!surf)
        return -1;
    int rc = png_encode_rgb24(cairo_image_surface_get_data(surf),
                              cairo_image_surface_get_width(surf),
                              cairo_image_surface_get_height(surf),
                              cairo_image_surface_get_stride(surf), out, len, err);
    cairo_surface_destroy(surf);
    return rc;
}

int canvas_to_pixels(const canvas *c, double scale, unsigned char **pixels, int *w, int *h,
                     int *stride, const char **err)
{
    cairo_surface_t *surf = rasterize(c, scale, NULL, err);
    if (!surf)
        return -1;
    *w = cairo_image_surface_get_width(surf);
    *h = cairo_image_surface_get_height(surf);
    *stride = cairo_image_surface_get_stride(surf);
    size_t n = (size_t)*stride * (size_t)*h;
    *pixels = xmalloc(n ? n : 1);
    memcpy(*pixels, cairo_image_surface_get_data(surf), n);
    cairo_surface_destroy(surf);
    return 0;
}
