/* canvas_impl.h - the recorded display list, shared by the canvas and its
 * two backends (canvas_cairo.c, canvas_svg.c). Not part of the public API. */
#ifndef MEMREPORT_CANVAS_IMPL_H
#define MEMREPORT_CANVAS_IMPL_H

#include <cairo.h>

#include "canvas.h"

typedef enum {
    OP_GROUP_BEGIN,
    OP_GROUP_END,
    OP_LINE,
    OP_POLYLINE,
    OP_POLYGON,
    OP_RECT,
    OP_CIRCLE,
    OP_TEXT,
} cv_op_kind;

typedef struct {
    cv_op_kind kind;
    double a[4];          /* line x1 y1 x2 y2; rect x y w h; circle cx cy r;
                             text x y (anchor point) and a[2] = baseline shift,
                             a[3] = measured width */
    size_t pt, npt;       /* polylines: points c->pts[2*pt .. 2*(pt+npt)) */
    cv_style st;
    cv_font font;
    char *text;           /* text; group title */
    char *cls;            /* group class */
    char *color;          /* group --c */
} cv_op;

struct canvas {
    double w, h;
    cv_op *ops;
    size_t nops, capops;
    double *pts;
    size_t npts, cappts;  /* in doubles */
    char *id, *title, *desc;
    cv_theme theme;         /* for the PNG backend */
    int bands;              /* PNG rasterised in this many bands; 0: by size */
    cairo_surface_t *msurf; /* for measuring text */
    cairo_t *mcr;
};

/* Font options used for measuring and drawing: no hinting, so text
 * metrics do not depend on the pixel density. */
void canvas_font_options(cairo_t *cr);
/* Held around every cairo call that takes, uses or drops a scaled font
 * (see canvas.c): cairo does not make those safe across threads. */
void cv_font_lock(void);
void cv_font_unlock(void);

#endif
