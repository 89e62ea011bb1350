/* canvas.c - recording the display list and measuring text.
 *
 * Every drawing call appends one op; nothing is rasterised until a backend
 * walks the list. Text is measured here, once, with cairo's toy font API
 * ("DejaVu Sans", hinting off), and the measured width and baseline shift
 * are stored in the op so both backends place text identically. */
#include "canvas_impl.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CV_FONT "DejaVu Sans"

/* cairo's scaled fonts are shared by every context in the process, and
 * cairo 1.16 can free one that another thread is drawing or measuring with
 * (assertion `! scaled_font->cache_frozen`) when charts render in threads.
 * Every call that takes, uses or drops a scaled font holds this lock; the
 * paths and fills, where the time goes, still run in parallel. */
static pthread_mutex_t font_lock = PTHREAD_MUTEX_INITIALIZER;

void cv_font_lock(void) { pthread_mutex_lock(&font_lock); }
void cv_font_unlock(void) { pthread_mutex_unlock(&font_lock); }

void canvas_font_options(cairo_t *cr)
{
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
}

canvas *canvas_new(double w, double h)
{
    canvas *c = xcalloc(1, sizeof *c);
    c->w = w;
    c->h = h;
    c->msurf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cv_font_lock();
    c->mcr = cairo_create(c->msurf);
    canvas_font_options(c->mcr);
    cv_font_unlock();
    return c;
}

void canvas_free(canvas *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nops; i++) {
        free(c->ops[i].text);
        free(c->ops[i].cls);
        free(c->ops[i].color);
    }
    free(c->ops);
    free(c->pts);
    free(c->id);
    free(c->title);
    free(c->desc);
    cv_font_lock();
    cairo_destroy(c->mcr);
    cv_font_unlock();
    cairo_surface_destroy(c->msurf);
    free(c);
}

double canvas_width(const canvas *c) { return c->w; }
double canvas_height(const canvas *c) { return c->h; }
void canvas_set_height(canvas *c, double h) { c->h = h; }

void canvas_set_meta(canvas *c, const char *id, const char *title, const char *desc)
{
    free(c->id);
    free(c->title);
    free(c->desc);
    c->id = xstrdup(id);
    c->title = xstrdup(title);
    c->desc = xstrdup(desc);
}

void canvas_set_id(canvas *c, const char *id)
{
    free(c->id);
    c->id = xstrdup(id);
}

void canvas_set_theme(canvas *c, cv_theme t) { c->theme = t; }
void canvas_set_bands(canvas *c, int n) { c->bands = n > 0 ? n : 0; }

static void select_font(canvas *c, double size, bool bold)
{
    cairo_select_font_face(c->mcr, CV_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(c->mcr, size);
}

double canvas_text_width(canvas *c, const char *s, double size, bool bold)
{
    if (!s || !*s)
        return 0;
    cairo_text_extents_t te;
    cv_font_lock();
    select_font(c, size, bold);
    cairo_text_extents(c->mcr, s, &te);
    cv_font_unlock();
    return te.x_advance;
}

double canvas_ascent(canvas *c, double size)
{
    /* Cap height: what the eye reads as the top of a label. */
    cairo_text_extents_t te;
    cv_font_lock();
    select_font(c, size, false);
    cairo_text_extents(c->mcr, "H", &te);
    cv_font_unlock();
    return -te.y_bearing;
}

double canvas_descent(canvas *c, double size)
{
    cairo_font_extents_t fe;
    cv_font_lock();
    select_font(c, size, false);
    cairo_font_extents(c->mcr, &fe);
    cv_font_unlock();
    return fe.descent;
}

/* Length of the UTF-8 character starting at s (1 for a stray byte). */
static size_t u8len(const char *s)
{
    unsigned char b = (unsigned char)*s;
    size_t n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

/* Copies s without control characters (CR, LF, tabs...). */
static char *clean_text(const char *s)
{
    strbuf b;
    buf_init(&b);
    for (const char *p = s ? s : ""; *p; p++)
        if ((unsigned char)*p >= 0x20 && *p != 0x7f)
            buf_putc(&b, *p);
        else if (*p == '\t' || *p == '\n' || *p == '\r')
            buf_putc(&b, ' ');
    return buf_detach(&b);
}

char *canvas_fit_text(canvas *c, const char *s, double size, bool bold, double max_w)
{
    char *t = clean_text(s);
    if (canvas_text_width(c, t, size, bold) <= max_w)
        return t;
    /* Drop whole UTF-8 characters from the end until "text…" fits. */
    size_t n = strlen(t);
    size_t *starts = xmalloc((n + 1) * sizeof *starts);
    size_t k = 0;
    for (size_t i = 0; i < n; i += u8len(t + i))
        starts[k++] = i;
    char *out = NULL;
    while (k > 0) {
        k--;
        char *cand = xasprintf("%.*s\xE2\x80\xA6", (int)starts[k], t);
        if (canvas_text_width(c, cand, size, bold) <= max_w || k == 0) {
            out = cand;
            break;
        }
        free(cand);
    }
    free(starts);
    free(t);
    return out ? out : xstrdup("\xE2\x80\xA6");
}

static cv_op *push(canvas *c, cv_op_kind k)
{
    xgrow((void **)&c->ops, &c->capops, c->nops + 1, sizeof *c->ops);
    cv_op *op = &c->ops[c->nops++];
    memset(op, 0, sizeof *op);
    op->kind = k;
    return op;
}

void cv_group_begin(canvas *c, const char *cls, const char *title, const char *color)
{
    cv_op *op = push(c, OP_GROUP_BEGIN);
    op->cls = cls ? xstrdup(cls) : NULL;
    op->text = title ? clean_text(title) : NULL;
    op->color = color ? xstrdup(color) : NULL;
}

void cv_group_end(canvas *c)
{
    push(c, OP_GROUP_END);
}

void cv_line(canvas *c, double x1, double y1, double x2, double y2, const cv_style *st)
{
    cv_op *op = push(c, OP_LINE);
    op->a[0] = x1, op->a[1] = y1, op->a[2] = x2, op->a[3] = y2;
    op->st = *st;
}

static void points(canvas *c, cv_op_kind k, const double *xy, size_t n, const cv_style *st)
{
    if (n < 2)
        return;
    cv_op *op = push(c, k);
    op->st = *st;
    xgrow((void **)&c->pts, &c->cappts, c->npts + 2 * n, sizeof *c->pts);
    op->pt = c->npts / 2;
    op->npt = n;
    memcpy(c->pts + c->npts, xy, 2 * n * sizeof *xy);
    c->npts += 2 * n;
}

void cv_polyline(canvas *c, const double *xy, size_t n, const cv_style *st)
{
    points(c, OP_POLYLINE, xy, n, st);
}

void cv_polygon(canvas *c, const double *xy, size_t n, const cv_style *st)
{
    points(c, OP_POLYGON, xy, n, st);
}

void cv_rect(canvas *c, double x, double y, double w, double h, const cv_style *st)
{
    cv_op *op = push(c, OP_RECT);
    op->a[0] = x, op->a[1] = y, op->a[2] = w, op->a[3] = h;
    op->st = *st;
}

void cv_circle(canvas *c, double cx, double cy, double r, const cv_style *st)
{
    cv_op *op = push(c, OP_CIRCLE);
    op->a[0] = cx, op->a[1] = cy, op->a[2] = r;
    op->st = *st;
}

void cv_text(canvas *c, double x, double y, const char *s, const cv_font *f)
{
    char *t = clean_text(s);
    if (!*t) {
        free(t);
        return;
    }
    cv_op *op = push(c, OP_TEXT);
    op->text = t;
    op->font = *f;
    double cap = canvas_ascent(c, f->size);
    double shift = 0;
    switch (f->valign) {
    case CV_BASELINE: shift = 0; break;
    case CV_TOP: shift = cap; break;
    case CV_CENTER: shift = cap / 2; break;
    case CV_BOTTOM: shift = -canvas_descent(c, f->size); break;
    }
    op->a[0] = x;
    op->a[1] = y;
    op->a[2] = shift;
    op->a[3] = canvas_text_width(c, t, f->size, f->bold);
}

void canvas_shutdown(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
