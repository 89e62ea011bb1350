/* scale.h - scales and tick generation for chart axes.
 *
 * A linear scale maps a data domain onto a pixel range. Numeric ticks use
 * "nice" steps (1, 2, 2.5, 5 x 10^k). Time ticks are chosen from a ladder
 * of calendar steps (minutes, hours, days, weeks, months, years), aligned
 * in the experiment's timezone, and the finest step whose labels do not
 * overlap at the given width wins. */
#ifndef MEMREPORT_SCALE_H
#define MEMREPORT_SCALE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double d0, d1;   /* domain */
    double r0, r1;   /* range (pixels); r1 < r0 for a y axis */
} scale_linear;

/* Inline: the trajectories map every sample of every relay. */
static inline double scale_map(const scale_linear *s, double v)
{
    if (s->d1 == s->d0)
        return (s->r0 + s->r1) / 2;
    return s->r0 + (v - s->d0) / (s->d1 - s->d0) * (s->r1 - s->r0);
}

typedef struct {
    double v;        /* value (numbers) or UTC epoch seconds (times) */
    char label[40];  /* main label */
    char sub[40];    /* second line ("Jan 5", "2026"), often empty */
} tick;

/* The smallest nice step (1, 2, 2.5, 5 x 10^k) that cuts span into at
 * most max_ticks intervals. span > 0, max_ticks >= 1. */
double ticks_nice_step(double span, int max_ticks);
/* The nice upper end for an axis from 0 showing max: a multiple of the
 * step chosen for at most max_ticks intervals; *step receives the step.
 * max <= 0 gives 1. */
double ticks_nice_max(double max, int max_ticks, double *step);
/* Ticks at every multiple of step within [lo, hi] (with tolerance),
 * labelled with as many decimals as the step needs and thousands
 * separators. Returns the count; *out is malloc'd, caller frees. */
size_t ticks_linear(double lo, double hi, double step, tick **out);
/* Formats v with the decimals step needs, e.g. step 0.25 -> "1.75",
 * step 2000 -> "12,000". */
void ticks_format(double v, double step, char *buf, size_t n);

typedef enum { TU_MINUTE, TU_HOUR, TU_DAY, TU_WEEK, TU_MONTH, TU_YEAR } time_unit;
typedef struct {
    time_unit unit;
    int n;
} time_step;

/* Ticks from t0 to t1 (inclusive) at multiples of step in local time
 * (tz_offset_min east of UTC): minutes/hours from local midnight, days
 * counted from the epoch, weeks on Mondays, months from January, years
 * from year 0. Labels: "14:00" (sub "Jan 5" on the first tick of each
 * day), "Jan 5" (sub the year on the first tick and on year change),
 * "Feb" (sub year), "2026". Returns count; *out malloc'd. */
size_t ticks_time(int64_t t0, int64_t t1, int tz_offset_min, time_step step, tick **out);

/* Measures a label's width in px. */
typedef double (*tick_measure_fn)(void *ctx, const char *label);

/* Picks the finest step from the ladder whose labels, placed over
 * width_px, keep at least gap_px between neighbours; the coarsest step
 * when none fits. Returns the ticks as ticks_time does. */
size_t ticks_time_auto(int64_t t0, int64_t t1, int tz_offset_min, double width_px, double gap_px,
                       tick_measure_fn measure, void *ctx, time_step *chosen, tick **out);

#endif
