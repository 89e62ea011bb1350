/* totals.h - the server's total memory over time: aggregate rows where the
 * collector wrote them, else the sum of the relay rows of the collection.
 * The one place that sums relay rows (the total chart and the data-quality
 * check of aggregate rows both use it). */
#ifndef MEMREPORT_TOTALS_H
#define MEMREPORT_TOTALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct {
    int64_t t;
    double gib;
    double count;             /* relays; NAN when the aggregate row has none */
    bool summed;              /* from relay rows: no aggregate row then */
} server_total;

/* Sum of the relay rows' RSS at collection c, in kB, and how many rows
 * had a value. Returns that count (0: no relay row, *sum_kb is 0). */
size_t totals_relay_sum(const experiment *e, size_t c, double *sum_kb);

/* Aggregate rows (those with a total) and, at collections without one,
 * relay sums, merged in time order. Returns the count; *out is malloc'd
 * and owned by the caller (NULL when there is none). Needs the samples. */
size_t totals_series(const experiment *e, server_total **out);

#endif
