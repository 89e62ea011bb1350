/* axis.c - theme paints, titles, axes and grid shared by every chart. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "util.h"

const cv_paint PAINT_FG = {"#222222", "fg", 0};
const cv_paint PAINT_MUTED = {"#5f5f5f", "muted", 0};
const cv_paint PAINT_GRID = {"#e6e6e6", "grid", 0};
const cv_paint PAINT_AXIS = {"#8c8c8c", "axis", 0};
const cv_paint PAINT_BG = {"#ffffff", "bg", 0};
const cv_paint PAINT_NONE = {NULL, NULL, 0};

cv_paint plot_group_paint(const char *color, double opacity)
{
    cv_paint p = {color, "c", opacity};
    return p;
}

double plot_title(canvas *c, const char *title, const char *subtitle, double x, double y,
                  double w)
{
    cv_font f = {.size = FS_TITLE, .bold = true, .valign = CV_TOP, .fill = PAINT_FG, .cls = "title"};
    char *t = canvas_fit_text(c, title, FS_TITLE, true, w);
    cv_text(c, x, y, t, &f);
    free(t);
    y += FS_TITLE * 1.25;
    if (subtitle && *subtitle) {
        cv_font s = {.size = FS_SUBTITLE, .valign = CV_TOP, .fill = PAINT_MUTED, .cls = "subtitle"};
        char *st = canvas_fit_text(c, subtitle, FS_SUBTITLE, false, w);
        cv_text(c, x, y + 2, st, &s);
        free(st);
        y += FS_SUBTITLE * 1.4 + 2;
    }
    return y;
}

double plot_tick_width(canvas *c, const tick *t, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w = fmax(w, canvas_text_width(c, t[i].label, FS_TICK, false));
    return w;
}

void plot_axis_y(canvas *c, const plot_rect *r, const scale_linear *ys, const tick *t, size_t n,
                 bool labels, const char *title, double title_x)
{
    cv_style grid = {.stroke = PAINT_GRID, .width = 1, .cls = "grid"};
    cv_font f = {.size = FS_TICK, .anchor = CV_END, .valign = CV_CENTER, .fill = PAINT_MUTED,
                 .cls = "tick"};
    for (size_t i = 0; i < n; i++) {
        double y = scale_map(ys, t[i].v);
        if (y < r->y - 0.5 || y > r->y + r->h + 0.5)
            continue;
        cv_line(c, r->x, y, r->x + r->w, y, &grid);
        if (labels)
            cv_text(c, r->x - 6, y, t[i].label, &f);
    }
    if (title && labels) {
        cv_font tf = {.size = FS_LABEL, .anchor = CV_MIDDLE, .valign = CV_CENTER, .angle = -90,
                      .fill = PAINT_MUTED, .cls = "axis-title"};
        cv_text(c, title_x, r->y + r->h / 2, title, &tf);
    }
}

static double measure_tick(void *ctx, const char *s)
{
    return canvas_text_width(ctx, s, FS_TICK, false);
}

size_t plot_time_ticks(canvas *c, double width, int64_t t0, int64_t t1, int tz, tick **out)
{
    time_step st;
    return ticks_time_auto(t0, t1, tz, width, 14, measure_tick, c, &st, out);
}

double plot_time_axis_height(void)
{
    return 6 + FS_TICK * 2.5 + 4;
}

void plot_axis_time(canvas *c, const plot_rect *r, const scale_linear *xs, const tick *t,
                    size_t n, bool grid, bool labels)
{
    cv_style gs = {.stroke = PAINT_GRID, .width = 1, .cls = "grid"};
    cv_style ts = {.stroke = PAINT_AXIS, .width = 1, .cls = "axis"};
    cv_font f = {.size = FS_TICK, .anchor = CV_MIDDLE, .valign = CV_TOP, .fill = PAINT_MUTED,
                 .cls = "tick"};
    double yb = r->y + r->h;
    for (size_t i = 0; i < n; i++) {
        double x = scale_map(xs, t[i].v);
        if (x < r->x - 0.5 || x > r->x + r->w + 0.5)
            continue;
        if (grid)
            cv_line(c, x, r->y, x, yb, &gs);
        cv_line(c, x, yb, x, yb + 4, &ts);
        if (labels) {
            /* Keep labels at the ends inside the plot's width (a few px
             * of slack), so neighbouring panels' labels never meet. */
            double lw = fmax(canvas_text_width(c, t[i].label, FS_TICK, false),
                             canvas_text_width(c, t[i].sub, FS_TICK, false));
            double lx = x;
            if (lx - lw / 2 < r->x - 4)
                lx = r->x - 4 + lw / 2;
            if (lx + lw / 2 > r->x + r->w + 4)
                lx = r->x + r->w + 4 - lw / 2;
            cv_text(c, lx, yb + 7, t[i].label, &f);
            if (t[i].sub[0])
                cv_text(c, lx, yb + 7 + FS_TICK * 1.25, t[i].sub, &f);
        }
    }
}

void plot_baseline(canvas *c, const plot_rect *r)
{
    cv_style ts = {.stroke = PAINT_AXIS, .width = 1, .cls = "axis"};
    cv_line(c, r->x, r->y + r->h, r->x + r->w, r->y + r->h, &ts);
}

cv_dash plot_dash(int dash)
{
    return dash == 1 ? CV_DASHED : dash == 2 ? CV_DOTTED : CV_SOLID;
}

void plot_marker(canvas *c, int shape, double x, double y, double r, const cv_style *st)
{
    double p[12];
    switch (((shape % PLOT_NSHAPES) + PLOT_NSHAPES) % PLOT_NSHAPES) {
    case 0:
        cv_circle(c, x, y, r, st);
        return;
    case 1: {
        double s = r * 0.9;
        cv_rect(c, x - s, y - s, 2 * s, 2 * s, st);
        return;
    }
    case 2: {
        double s = r * 1.25;
        double q[] = {x, y - s, x + s * 0.95, y + s * 0.7, x - s * 0.95, y + s * 0.7};
        cv_polygon(c, q, 3, st);
        return;
    }
    case 3: {
        double s = r * 1.3;
        double q[] = {x, y - s, x + s, y, x, y + s, x - s, y};
        cv_polygon(c, q, 4, st);
        return;
    }
    case 4: {
        double s = r * 1.25;
        double q[] = {x, y + s, x + s * 0.95, y - s * 0.7, x - s * 0.95, y - s * 0.7};
        cv_polygon(c, q, 3, st);
        return;
    }
    default:
        for (int i = 0; i < 6; i++) {
            double a = M_PI / 3 * i;
            p[2 * i] = x + r * 1.1 * cos(a);
            p[2 * i + 1] = y + r * 1.1 * sin(a);
        }
        cv_polygon(c, p, 6, st);
        return;
    }
}

static int cmp_dbl_ptr(const void *a, const void *b)
{
    const double *pa = *(double *const *)a, *pb = *(double *const *)b;
    if (*pa != *pb)
        return *pa < *pb ? -1 : 1;
    return pa < pb ? -1 : pa > pb; /* ties keep input order */
}

void plot_declutter(double *ys, size_t n, double gap, double lo, double hi)
{
    if (n < 2)
        return;
    double **p = xmalloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = &ys[i];
    qsort(p, n, sizeof *p, cmp_dbl_ptr);
    for (size_t i = 1; i < n; i++)
        if (*p[i] < *p[i - 1] + gap)
            *p[i] = *p[i - 1] + gap;
    if (*p[n - 1] > hi) {
        *p[n - 1] = hi;
        for (size_t i = n - 1; i-- > 0;)
            if (*p[i] > *p[i + 1] - gap)
                *p[i] = *p[i + 1] - gap;
    }
    (void)lo;
    free(p);
}
