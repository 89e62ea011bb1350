/* canvas.h - a small drawing interface that records what a chart draws.
 *
 * A chart is drawn once into a canvas (a display list in CSS pixels,
 * origin top-left); the list is then emitted twice: by the cairo backend
 * as a PNG at 2x pixel density, and by the SVG backend as a standalone,
 * restylable SVG. Both walk the same list, so the two outputs always show
 * the same layout. Text is measured with cairo ("DejaVu Sans") for both.
 *
 * Colours are "#rrggbb" with an optional CSS custom property name: the
 * SVG writes `var(--NAME, #rrggbb)` so a page's light and dark themes
 * can restyle the chart; the PNG uses the fallback colour. */
#ifndef MEMREPORT_CANVAS_H
#define MEMREPORT_CANVAS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *color;   /* "#rrggbb"; NULL means none (no fill / no stroke) */
    const char *var;     /* CSS custom property without "--", or NULL */
    double opacity;      /* 0 means 1 (opaque) */
} cv_paint;

typedef enum { CV_SOLID, CV_DASHED, CV_DOTTED } cv_dash;

typedef struct {
    cv_paint stroke, fill;
    double width;        /* stroke width in px */
    cv_dash dash;
    const char *cls;     /* SVG class attribute, or NULL */
} cv_style;

typedef enum { CV_START, CV_MIDDLE, CV_END } cv_anchor;
typedef enum { CV_BASELINE, CV_TOP, CV_CENTER, CV_BOTTOM } cv_valign;

typedef struct {
    double size;         /* font size in px */
    bool bold;
    cv_anchor anchor;
    cv_valign valign;
    double angle;        /* degrees, clockwise; -90 reads bottom to top */
    cv_paint fill;
    const char *cls;
} cv_font;

typedef struct canvas canvas;

/* What the PNG backend resolves custom properties to. LIGHT draws every
 * paint in its own (fallback) colour on white, as PNGs always were; DARK
 * looks each property up in the dark table below and draws on its "bg".
 * The SVG backend ignores it: a page restyles its SVGs with CSS. */
typedef enum { CV_THEME_LIGHT, CV_THEME_DARK } cv_theme;

/* One themable property: its name without "--" and its value in the
 * site's dark theme. assets/style.css sets the same values on the page's
 * charts (tests/unit/test_theme.c compares the two). */
typedef struct {
    const char *var;
    const char *dark;
} cv_theme_color;
extern const cv_theme_color cv_dark_colors[];
extern const size_t cv_dark_ncolors;

/* The colour t gives property var ("fg", "bg", ...): the dark table's
 * entry, or NULL (use the paint's own colour) for LIGHT and for a
 * property the table does not name. */
const char *canvas_theme_color(cv_theme t, const char *var);

/* A canvas of w x h CSS pixels. Caller frees with canvas_free. */
canvas *canvas_new(double w, double h);
void canvas_free(canvas *c);
double canvas_width(const canvas *c);
double canvas_height(const canvas *c);
/* Changes the height before emitting (layouts that grow, e.g. an event key). */
void canvas_set_height(canvas *c, double h);
/* Sets the SVG's id prefix (deterministic ids, unique per chart on a page),
 * its accessible title and its description. All copied. */
void canvas_set_meta(canvas *c, const char *id, const char *title, const char *desc);
/* Replaces only the id prefix (copied). */
void canvas_set_id(canvas *c, const char *id);
/* The theme the PNG backend draws in (CV_THEME_LIGHT until set). */
void canvas_set_theme(canvas *c, cv_theme t);
/* The PNG backend draws a big canvas (many points) as two horizontal bands
 * on two threads, a small one whole. For tests: n bands (1..8) whatever
 * the size; 0 restores the choice by size. The pixels are the same. */
void canvas_set_bands(canvas *c, int n);

/* Text width and line metrics in px, measured by cairo with "DejaVu Sans"
 * and hinting off, so they are the same for every backend. */
double canvas_text_width(canvas *c, const char *s, double size, bool bold);
double canvas_ascent(canvas *c, double size);
double canvas_descent(canvas *c, double size);
/* Copies s shortened with "…" so that it fits max_w; caller frees. */
char *canvas_fit_text(canvas *c, const char *s, double size, bool bold, double max_w);

/* Strings inside styles and fonts (colour, var, cls) are not copied: they
 * must outlive the canvas. Text, titles and group strings are copied.
 *
 * Groups nest. cls is the SVG class, title a tooltip (<title>), color the
 * value of the group's --c custom property (for child paints with var "c").
 * All may be NULL. */
void cv_group_begin(canvas *c, const char *cls, const char *title, const char *color);
void cv_group_end(canvas *c);

void cv_line(canvas *c, double x1, double y1, double x2, double y2, const cv_style *st);
/* xy holds n (x, y) pairs. A polyline is open; a polygon is closed and filled. */
void cv_polyline(canvas *c, const double *xy, size_t n, const cv_style *st);
void cv_polygon(canvas *c, const double *xy, size_t n, const cv_style *st);
void cv_rect(canvas *c, double x, double y, double w, double h, const cv_style *st);
void cv_circle(canvas *c, double cx, double cy, double r, const cv_style *st);
/* Draws s (UTF-8, control characters dropped) at (x, y). */
void cv_text(canvas *c, double x, double y, const char *s, const cv_font *f);

/* Backends. Each returns 0 and a malloc'd buffer the caller frees, or -1
 * with *err set to a static message. The same canvas gives the same bytes. */
int canvas_to_png(const canvas *c, double scale, unsigned char **out, size_t *len,
                  const char **err);
/* Pixel memory one thread draws chart after chart into: a chart's 6 MB of
 * fresh pages cost more to fault in and clear than to draw over again
 * (every chart paints its whole background first). Start it zeroed; free
 * it with canvas_pixels_free. */
typedef struct {
    void *at;
    size_t len;
} canvas_pixels;
/* canvas_to_png drawing into px (grown when too small): the same bytes. */
int canvas_to_png_in(const canvas *c, double scale, canvas_pixels *px, unsigned char **out,
                     size_t *len, const char **err);
void canvas_pixels_free(canvas_pixels *px);
int canvas_to_svg(const canvas *c, char **out, size_t *len);
/* The pixels canvas_to_png encodes: cairo RGB24 (one native-endian uint32
 * 0x00RRGGBB per pixel), *w x *h, rows *stride bytes apart; *pixels is
 * malloc'd. For checking an encoder against the image it was given. */
int canvas_to_pixels(const canvas *c, double scale, unsigned char **pixels, int *w, int *h,
                     int *stride, const char **err);

/* Releases cairo's and fontconfig's process-wide caches. Call once at exit
 * (LeakSanitizer reports them otherwise); no canvas may be used after. */
void canvas_shutdown(void);

#endif
