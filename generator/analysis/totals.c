/* totals.c - server totals: aggregate rows merged with relay sums. */
#include "totals.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

size_t totals_relay_sum(const experiment *e, size_t c, double *sum_kb)
{
    double sum = 0;
    size_t n = 0;
    for (size_t r = 0; r < e->nrelays; r++) {
        uint32_t kb = e->rss_kb[exp_idx(e, r, c)];
        if (kb != KB_MISSING) {
            sum += kb;
            n++;
        }
    }
    *sum_kb = sum;
    return n;
}

static bool has_agg_at(const experiment *e, int64_t t)
{
    size_t lo = 0, hi = e->naggs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->aggs[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < e->naggs && e->aggs[lo].t == t && e->aggs[lo].total_kb != UINT64_MAX;
}

size_t totals_series(const experiment *e, server_total **out)
{
    size_t n = 0, cap = 0;
    server_total *p = NULL;
    size_t ai = 0, ci = 0;
    while (ai < e->naggs || ci < e->ncoll) {
        bool take_agg = ai < e->naggs && (ci >= e->ncoll || e->aggs[ai].t <= e->times[ci]);
        if (take_agg) {
            const aggregate_row *ag = &e->aggs[ai++];
            if (ag->total_kb == UINT64_MAX)
                continue;
            xgrow((void **)&p, &cap, n + 1, sizeof *p);
            p[n++] = (server_total){ag->t, (double)ag->total_kb / KB_PER_GIB,
                                    ag->count == UINT64_MAX ? NAN : (double)ag->count, false};
        } else {
            size_t c = ci++;
            if (has_agg_at(e, e->times[c]))
                continue;
            double sum;
            size_t cnt = totals_relay_sum(e, c, &sum);
            if (!cnt)
                continue;
            xgrow((void **)&p, &cap, n + 1, sizeof *p);
            p[n++] = (server_total){e->times[c], sum / KB_PER_GIB, (double)cnt, true};
        }
    }
    *out = p;
    return n;
}
