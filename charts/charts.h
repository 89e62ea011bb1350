/* charts.h - the chart library's public API.
 *
 * Four charts of one experiment, each drawn once over a small canvas and
 * emitted as a PNG (cairo, 2x pixel density, for Markdown) and as an SVG
 * (the project's own writer: real text, <title> tooltips, CSS classes and
 * custom properties, for the web), plus the site index's sparkline. Charts
 * read only a chart_spec (chart_spec.h: plain series, boxes, events and
 * labels, filled by the caller) and never open files or compute
 * statistics. The same spec always gives the same bytes. */
#ifndef MEMREPORT_CHARTS_H
#define MEMREPORT_CHARTS_H

#include <stddef.h>

#include "chart_spec.h"
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

/* Renders chart k. On success returns 0 and sets *png, *png_len and
 * *svg, *svg_len to malloc'd buffers the caller frees (either pointer pair
 * may be NULL to skip that format). On failure returns -1, adds an error
 * to d and leaves the outputs NULL. A chart with nothing to show (no
 * samples) is still drawn, with a "no data" note. */
int chart_render(const chart_spec *s, chart_kind k, unsigned char **png, size_t *png_len,
                 char **svg, size_t *svg_len, diag_list *d);

/* Renders every chart kind at once: the wide renderings on one thread per
 * processor, each reusing its pixels, and a thread per narrow one (cairo
 * keeps its state per surface and per canvas; fontconfig is set up before
 * the threads start), into png[k], svg[k] and narrow[k] for k < CHART_COUNT,
 * as chart_render and chart_render_narrow would one by one; png, svg or
 * narrow may be NULL to skip that format. Returns 0, or -1 with the
 * failing renderings' errors added to d (wide ones first, in chart
 * order); the outputs that were made are left for the caller to free
 * either way. */
int chart_render_all(const chart_spec *s, unsigned char **png, size_t *png_len, char **svg,
                     size_t *svg_len, char **narrow, size_t *narrow_len, diag_list *d);

/* Renders chart k as an SVG PLOT_W_NARROW (360) px wide for phones: the
 * same data, larger type relative to the width, fewer columns. Its ids
 * end in "-narrow" so it can share a page with the wide SVG. Returns 0
 * and a malloc'd *svg, or -1 after adding an error to d. */
int chart_render_narrow(const chart_spec *s, chart_kind k, char **svg, size_t *svg_len,
                        diag_list *d);

/* The site index's 140x40 px sparkline of each group's mean series, as SVG
 * text (caller frees). *range gets the scale as text ("1.02–2.41 GiB",
 * caller frees) or NULL when there is no data. */
char *chart_sparkline(const chart_spec *s, char **range);

/* Loads fontconfig's configuration now rather than at the first chart: a
 * build calls it before it reads its inputs, while memory is plentiful
 * (fontconfig does not survive a failed allocation inside it). False when
 * it cannot be loaded. */
bool charts_prepare(void);

/* Frees cairo's and fontconfig's process-wide caches. Call once, at exit,
 * after the last chart_render. */
void charts_shutdown(void);

#endif
