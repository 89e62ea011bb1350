/* plot.h - the parts every chart shares: theme paints, font sizes, title
 * and caption, axes with grid, markers and the legend. Charts build on
 * these so that all four look alike. Everything draws into a canvas. */
#ifndef MEMREPORT_PLOT_H
#define MEMREPORT_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "chart_spec.h"
#include "scale.h"

/* Themable colours: the SVG writes var(--fg, #222222) and so on. */
extern const cv_paint PAINT_FG, PAINT_MUTED, PAINT_GRID, PAINT_AXIS, PAINT_BG, PAINT_NONE;

#define FS_TITLE 16.0
#define FS_SUBTITLE 12.0
#define FS_LABEL 12.0
#define FS_TICK 11.5
#define FS_SMALL 11.0
/* Event numbers: at least 9 px on a phone's 326 px of a narrow chart,
 * and on the 661 px a tablet of 701 px gives the wide one (style.css). */
#define FS_BADGE (PLOT_NARROW ? 10.0 : 11.0)

/* Base size of a chart in CSS px; the PNG is rendered at PLOT_SCALE. The
 * width is PLOT_W_WIDE, or PLOT_W_NARROW while the phone rendering is
 * drawn (chart_render_narrow); per thread, so charts may render in
 * parallel. */
#define PLOT_W_WIDE 800.0
#define PLOT_W_NARROW 360.0
extern _Thread_local double plot_width;
#define PLOT_W plot_width
/* A narrow rendering: fewer columns, one-column keys. */
#define PLOT_NARROW (plot_width < 500)
#define PLOT_H 450.0
#define PLOT_SCALE 2.0
#define PLOT_MARGIN 16.0

typedef struct {
    double x, y, w, h;
} plot_rect;

/* A paint in a group's colour (SVG: var(--c, color)). */
cv_paint plot_group_paint(const char *color, double opacity);

/* Title (bold) and an optional muted subtitle from (x, y) within width w,
 * shortened to fit. Returns the y just below them. */
double plot_title(canvas *c, const char *title, const char *subtitle, double x, double y,
                  double w);

/* Widest tick label, for sizing the left margin. */
double plot_tick_width(canvas *c, const tick *t, size_t n);

/* Horizontal grid lines and y labels at r's left edge (labels only when
 * `labels`), plus a rotated axis title left of the labels when `title`. */
void plot_axis_y(canvas *c, const plot_rect *r, const scale_linear *ys, const tick *t, size_t n,
                 bool labels, const char *title, double title_x);

/* Ticks for a time axis over r's width from t0 to t1, labels in the
 * experiment's timezone chosen so they never overlap. Caller frees. */
size_t plot_time_ticks(canvas *c, double width, int64_t t0, int64_t t1, int tz, tick **out);
/* Draws light vertical grid lines (when grid), tick marks and labels below r. */
void plot_axis_time(canvas *c, const plot_rect *r, const scale_linear *xs, const tick *t,
                    size_t n, bool grid, bool labels);
/* The x axis line along r's bottom edge. */
void plot_baseline(canvas *c, const plot_rect *r);
/* Height the time-axis labels take below the plot (two lines). */
double plot_time_axis_height(void);

/* Marker shapes, cycled per group so groups differ in print and in grey:
 * circle, square, triangle, diamond, inverted triangle, hexagon. */
#define PLOT_NSHAPES CHART_NSHAPES
void plot_marker(canvas *c, int shape, double x, double y, double r, const cv_style *st);
/* chart_group.dash (0 solid, 1 dashed, 2 dotted) as a canvas dash. */
cv_dash plot_dash(int dash);

typedef struct {
    const char *label;
    const char *color;    /* swatch colour, "#rrggbb" */
    int shape;            /* marker shape, or -1 for none */
    bool line;            /* draw a line sample */
    cv_dash dash;
    double width;         /* line width */
    bool bold;            /* bold label (the baseline) */
    bool hollow;          /* marker drawn as an outline */
    const char *var;      /* a theme property (e.g. "muted") the swatch is
                             drawn in, with color as its fallback; NULL: the
                             group colour (--c) */
} legend_entry;

/* Lays out entries left to right, wrapping within w, from (x, y). Draws
 * when `draw`; returns the height used either way. */
double plot_legend(canvas *c, const legend_entry *e, size_t n, double x, double y, double w,
                   bool draw);

/* Muted caption text from (x, y), wrapped at word boundaries within w,
 * at most max_lines (the last shortened). Returns the height used. */
double plot_caption(canvas *c, const char *text, double x, double y, double w, int max_lines,
                    bool draw);

/* Spreads label centres ys[n] (any order) so neighbours are at least gap
 * apart, staying within [lo, hi] where possible. In place. */
void plot_declutter(double *ys, size_t n, double gap, double lo, double hi);

#endif
