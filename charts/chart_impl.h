/* chart_impl.h - what each chart file provides to the dispatcher
 * (charts.c), and the helpers they share (chart_util.c). */
#ifndef MEMREPORT_CHART_IMPL_H
#define MEMREPORT_CHART_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "chart_spec.h"
#include "charts.h"

/* Each draws one chart of s into a canvas it creates; the caller frees. */
canvas *chart_draw_timeseries(const chart_spec *s);
canvas *chart_draw_distribution(const chart_spec *s);
canvas *chart_draw_trajectories(const chart_spec *s);
canvas *chart_draw_total(const chart_spec *s);

/* Shared helpers (chart_util.c). */
/* Draws a muted "no data" note in the middle of rect (x, y, w, h). */
void chart_no_data(canvas *c, double x, double y, double w, double h, const char *what);
/* Formats a GiB value with 2 decimals ("10.44"), or 3 below 0.1. */
void chart_fmt_gib(double v, char *buf, size_t n);
/* Local time for tooltips: "2026-01-05 02:00". */
void chart_fmt_time(const chart_spec *s, int64_t t, char *buf, size_t n);
/* Short local time for keys: "Jan 5 10:47". */
void chart_fmt_short_time(const chart_spec *s, int64_t t, char *buf, size_t n);
/* "UTC-08:00" for the axis caption. */
void chart_fmt_tz(int tz_offset_min, char *buf, size_t n);

#endif
