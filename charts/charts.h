/* charts.h - the chart library's public API.
 *
 * Four charts of one analysed experiment, each drawn once over a small
 * canvas and emitted as a PNG (cairo, 2x pixel density, for Markdown) and
 * as an SVG (the project's own writer: real text, <title> tooltips, CSS
 * classes and custom properties, for the web). Charts read only the
 * `analysis` (experiment, membership, results) and never open files. The
 * same analysis always gives the same bytes. */
#ifndef MEMREPORT_CHARTS_H
#define MEMREPORT_CHARTS_H

#include <stddef.h>

#include "analysis.h"
#include "diag.h"

typedef enum {
    CHART_TIMESERIES,
    CHART_DISTRIBUTION,
    CHART_TRAJECTORIES,
    CHART_TOTAL,
    CHART_COUNT
} chart_kind;

/* File stem: "memory_timeseries", "memory_distribution",
 * "memory_trajectories", "memory_total". NULL for an unknown kind. */
const char *chart_name(chart_kind k);
/* A one-line caption for the chart (also its accessible title). */
const char *chart_title(chart_kind k);
/* The chart's heading in reports and pages ("Memory over time") and the
 * sentence printed under it (how to read it). Static; NULL for an unknown
 * kind. */
const char *chart_heading(chart_kind k);
const char *chart_caption(chart_kind k);

/* Renders chart k. On success returns 0 and sets *png, *png_len and
 * *svg, *svg_len to malloc'd buffers the caller frees (either pointer pair
 * may be NULL to skip that format). On failure returns -1, adds an error
 * to d and leaves the outputs NULL. A chart with nothing to show (no
 * samples) is still drawn, with a "no data" note. */
int chart_render(const analysis *a, chart_kind k, unsigned char **png, size_t *png_len,
                 char **svg, size_t *svg_len, diag_list *d);

/* Renders chart k as an SVG PLOT_W_NARROW (360) px wide for phones: the
 * same data, larger type relative to the width, fewer columns. Its ids
 * end in "-narrow" so it can share a page with the wide SVG. Returns 0
 * and a malloc'd *svg, or -1 after adding an error to d. */
int chart_render_narrow(const analysis *a, chart_kind k, char **svg, size_t *svg_len,
                        diag_list *d);

/* Frees cairo's and fontconfig's process-wide caches. Call once, at exit,
 * after the last chart_render. */
void charts_shutdown(void);

#endif
