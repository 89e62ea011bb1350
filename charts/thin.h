/* thin.h - thinning traces to the pixel grid.
 *
 * A chart never needs more than a few points per pixel column: these pick
 * which samples to draw so that files stay small and rendering fast at any
 * row count, while the drawn shape (peaks, drops) stays what the full
 * series would show. Both return indices into the input, ascending. */
#ifndef MEMREPORT_THIN_H
#define MEMREPORT_THIN_H

#include <stddef.h>

/* Per pixel column (x in px, ascending): the first, lowest, highest and
 * last point, in order, without repeats. keep needs room for n indices
 * (at most 4 per column are used). Returns how many were kept. */
size_t thin_minmax(const double *x, const double *y, size_t n, size_t *keep);
/* The same with col[i] = floor(x[i]) given, for callers that draw many
 * series over one x grid. */
size_t thin_minmax_cols(const double *col, const double *y, size_t n, size_t *keep);

/* Largest-Triangle-Three-Buckets down to at most `target` points (>= 3);
 * keeps first and last. keep needs room for min(n, target). */
size_t thin_lttb(const double *x, const double *y, size_t n, size_t target, size_t *keep);

#endif
