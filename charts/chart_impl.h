/* chart_impl.h - what each chart file provides to charts.c. */
#ifndef MEMREPORT_CHART_IMPL_H
#define MEMREPORT_CHART_IMPL_H

#include "analysis.h"
#include "canvas.h"
#include "charts.h"

/* Each draws one chart of a into a canvas it creates; the caller frees. */
canvas *chart_draw_timeseries(const analysis *a);
canvas *chart_draw_distribution(const analysis *a);
canvas *chart_draw_trajectories(const analysis *a);
canvas *chart_draw_total(const analysis *a);

/* Shared helpers (charts.c). */
/* "A mimalloc 3.0.1" style label for group g. Caller frees. */
char *chart_group_label(const analysis *a, size_t g);
/* Marker shape and line dash of group g (from its index), so groups differ
 * without colour: six shapes, then the same shapes dashed, then dotted. */
int chart_group_shape(size_t g);
cv_dash chart_group_dash(size_t g);
/* "#rrggbb" of group g: manifest colour, else the palette. */
const char *chart_group_color(const analysis *a, size_t g);
/* Draws a muted "no data" note in the middle of rect (x, y, w, h). */
void chart_no_data(canvas *c, double x, double y, double w, double h, const char *what);
/* Formats a GiB value with 2 decimals ("10.44"), or 3 below 0.1. */
void chart_fmt_gib(double v, char *buf, size_t n);
/* Local time for tooltips: "2026-01-05 02:00". */
void chart_fmt_time(const analysis *a, int64_t t, char *buf, size_t n);
/* Short local time for keys: "Jan 5 10:47". */
void chart_fmt_short_time(const analysis *a, int64_t t, char *buf, size_t n);
/* "UTC-08:00" for the axis caption. */
void chart_fmt_tz(int tz_offset_min, char *buf, size_t n);

#endif
