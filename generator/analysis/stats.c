/* stats.c - the numbers of DESIGN 6: per-collection group statistics,
 * final snapshot, ratios to the baseline with bootstrap intervals, rank-sum
 * tests with Holm adjustment, growth slopes, restart-aware steady growth,
 * forecast, trend class and the day table.
 *
 * Steady growth (the figure behind "leaks ~1 GiB/day"): each member relay's
 * samples inside the group's window are cut into segments at its restarts
 * (restarts.c). Samples within th.warmup_hours after each start (the window
 * start, or a restart's estimated time) are skipped, because a freshly
 * started relay fills its caches fast and that is not a leak. Inside each
 * segment with at least 3 points (thinned to at most STEADY_MAX_POINTS
 * evenly spaced points, fewer when a relay has so many segments that its
 * pairs would exceed STEADY_PAIR_BUDGET) every pairwise slope is taken; a
 * relay's slope is the median of its pooled within-segment slopes (a
 * Theil-Sen estimator that never spans a restart). The group's steady
 * growth is the median of its relays' slopes, with a 95% bootstrap interval
 * over relays. */
#include "stats.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "quality.h"
#include "restarts.h"
#include "rng.h"
#include "strmap.h"
#include "timestamp.h"
#include "util.h"

#define STEADY_MAX_POINTS 200
#define STEADY_PAIR_BUDGET 40000.0
#define SERIES_TS_MAX_POINTS 400
#define SECONDS_PER_DAY 86400.0

/* ---- numeric kernels ------------------------------------------------- */

double stats_mean(const double *x, size_t n)
{
    if (!n)
        return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void insertion_sort(double *x, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = x[i];
        size_t j = i;
        for (; j > 0 && x[j - 1] > v; j--)
            x[j] = x[j - 1];
        x[j] = v;
    }
}

/* Quicksort without a comparison callback (this sorts every collection's
 * samples of every group). Depth-limited: past it, qsort takes over. */
static void quick_sort(double *x, size_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            qsort(x, n, sizeof *x, cmp_double);
            return;
        }
        double a = x[0], b = x[n / 2], c = x[n - 1];
        double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = 0, j = n - 1;
        for (;;) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i >= j)
                break;
            double t = x[i];
            x[i] = x[j];
            x[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j + 1, n): recurse into the smaller side. */
        size_t left = j + 1;
        if (left < n - left) {
            quick_sort(x, left, depth);
            x += left;
            n -= left;
        } else {
            quick_sort(x + left, n - left, depth);
            n = left;
        }
    }
    insertion_sort(x, n);
}

void stats_sort(double *x, size_t n)
{
    if (n < 2)
        return;
    /* Without NaN or -0 the sorted array is the same whatever the sort
     * (equal values are equal bits), so the fast sort changes no result;
     * otherwise qsort, as always. */
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]) || (x[i] == 0 && signbit(x[i]))) {
            qsort(x, n, sizeof *x, cmp_double);
            return;
        }
    quick_sort(x, n, 64);
}

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (!n)
        return NAN;
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void stats_box(const double *x, size_t n, box_stats *out)
{
    double *v = xmalloc((n ? n : 1) * sizeof *v);
    memcpy(v, x, n * sizeof *v);
    stats_sort(v, n);
    double q1 = stats_quantile_sorted(v, n, 0.25), q3 = stats_quantile_sorted(v, n, 0.75);
    double iqr = q3 - q1, wlo = q1, whi = q3;
    for (size_t i = 0; i < n; i++) {
        if (v[i] >= q1 - 1.5 * iqr && v[i] < wlo)
            wlo = v[i];
        if (v[i] <= q3 + 1.5 * iqr && v[i] > whi)
            whi = v[i];
    }
    *out = (box_stats){q1, stats_quantile_sorted(v, n, 0.5), q3, wlo, whi, n ? v[n - 1] : NAN};
    free(v);
}

/* k-th smallest of v (0-based), reordering v so that everything before
 * index k is <= v[k] (quickselect with a three-way partition). */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
        double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t lt = lo, i = lo, gt = hi + 1;
        while (i < gt) {
            double t = v[i];
            if (t < p) {
                v[i++] = v[lt];
                v[lt++] = t;
            } else if (t > p) {
                v[i] = v[--gt];
                v[gt] = t;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt - 1;
        else if (k >= gt)
            lo = gt;
        else
            return p;
    }
    return v[k];
}

/* True when v holds a NaN or a negative zero: values a comparison cannot
 * tell from another bit pattern, so which copy a selection returns would
 * depend on the algorithm. Such arrays keep the reference routines. */
static bool ambiguous_values(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i]) || (v[i] == 0 && signbit(v[i])))
            return true;
    return false;
}

/* Rank k of v[lo, hi) into v[k], smaller values before it and larger
 * after, for arrays without NaN or -0. Partitions without branches on the
 * data (a three-way partition that branches costs a misprediction every
 * other element): values below the pivot to the front, then, only when
 * the rank lies beyond them, values equal to it. Past the depth limit the
 * range is sorted instead, so a bad pivot sequence stays O(n log n). */
static void select_range(double *v, size_t lo, size_t hi, size_t k)
{
    for (int depth = 0; hi - lo > 16; depth++) {
        if (depth == 48) {
            quick_sort(v + lo, hi - lo, 64);
            return;
        }
        double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t lt = lo;
        for (size_t i = lo; i < hi; i++) {
            double t = v[i];
            size_t less = t < p;
            v[i] = v[lt];
            v[lt] = t;
            lt += less;
        }
        if (k < lt) {
            hi = lt;
            continue;
        }
        size_t eq = lt;
        for (size_t i = lt; i < hi; i++) {
            double t = v[i];
            size_t same = !(t > p);
            v[i] = v[eq];
            v[eq] = t;
            eq += same;
        }
        if (k < eq)
            return; /* v[k] == p */
        lo = eq;
    }
    insertion_sort(v + lo, hi - lo);
}

/* Ranks ks[0..nk) (ascending, distinct, all in [lo, hi)) into place:
 * afterwards v[ks[i]] is what a sorted copy would hold there. */
static void select_ranks(double *v, size_t lo, size_t hi, const size_t *ks, size_t nk)
{
    while (nk) {
        size_t mid = nk / 2, k = ks[mid];
        select_range(v, lo, hi, k);
        select_ranks(v, lo, k, ks, mid);
        lo = k + 1;
        ks += mid + 1;
        nk -= mid + 1;
    }
}

bool stats_select_quantiles(double *v, size_t n, const double *q, size_t nq)
{
    enum { MAXQ = 8 };
    if (n < 2)
        return true;
    if (nq > MAXQ || ambiguous_values(v, n)) {
        stats_sort(v, n);
        return true;
    }
    /* The positions stats_quantile_sorted reads, and the ends. */
    size_t ks[2 * MAXQ + 2], nk = 0;
    ks[nk++] = 0;
    ks[nk++] = n - 1;
    for (size_t i = 0; i < nq; i++) {
        size_t lo = (size_t)floor((double)(n - 1) * q[i]);
        if (lo + 1 < n) {
            ks[nk++] = lo;
            ks[nk++] = lo + 1;
        }
    }
    for (size_t i = 1; i < nk; i++) /* a few: insertion sort, then dedupe */
        for (size_t j = i; j > 0 && ks[j - 1] > ks[j]; j--) {
            size_t t = ks[j];
            ks[j] = ks[j - 1];
            ks[j - 1] = t;
        }
    size_t m = 0;
    for (size_t i = 0; i < nk; i++)
        if (!m || ks[m - 1] != ks[i])
            ks[m++] = ks[i];
    select_ranks(v, 0, n, ks, m);
    return false;
}

double stats_median_inplace(double *v, size_t n)
{
    if (!n)
        return NAN;
    if (!ambiguous_values(v, n)) {
        select_range(v, 0, n, n / 2);
        double hi = v[n / 2];
        if (n % 2)
            return hi;
        /* Everything before n/2 is <= hi: the largest of it is rank n/2-1. */
        double lo = v[0];
        for (size_t i = 1; i < n / 2; i++)
            lo = v[i] > lo ? v[i] : lo;
        return (lo + hi) / 2;
    }
    double hi = select_kth(v, n, n / 2);
    if (n % 2)
        return hi;
    double lo = v[0];
    for (size_t i = 1; i < n / 2; i++)
        if (v[i] > lo)
            lo = v[i];
    return (lo + hi) / 2;
}

double stats_ols(const double *x, const double *y, size_t n, double *intercept, double *r2)
{
    if (intercept)
        *intercept = NAN;
    if (r2)
        *r2 = NAN;
    if (n < 2)
        return NAN;
    double mx = stats_mean(x, n), my = stats_mean(y, n), sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0)
        return NAN;
    double b = sxy / sxx;
    if (intercept)
        *intercept = my - b * mx;
    if (r2 && syy > 0)
        *r2 = sxy * sxy / (sxx * syy);
    return b;
}

/* Appends every pairwise slope of (x, y) with distinct x to *v. */
static void pairwise_slopes(const double *x, const double *y, size_t n, double **v, size_t *nv,
                            size_t *cap)
{
    if (n < 2)
        return;
    xgrow((void **)v, cap, *nv + n * (n - 1) / 2, sizeof **v);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (x[j] != x[i])
                (*v)[(*nv)++] = (y[j] - y[i]) / (x[j] - x[i]);
}

double stats_theil_sen(const double *x, const double *y, size_t n)
{
    double *v = NULL;
    size_t nv = 0, cap = 0;
    pairwise_slopes(x, y, n, &v, &nv, &cap);
    double m = stats_median_inplace(v, nv);
    free(v);
    return m;
}

/* Picks at most max evenly spaced points of (x, y) into (tx, ty); returns
 * how many. Keeps the first and last point. */
static size_t thin(const double *x, const double *y, size_t n, size_t max, double *tx, double *ty)
{
    if (n <= max) {
        memcpy(tx, x, n * sizeof *x);
        memcpy(ty, y, n * sizeof *y);
        return n;
    }
    for (size_t i = 0; i < max; i++) {
        size_t k = (size_t)llround((double)i * (double)(n - 1) / (double)(max - 1));
        tx[i] = x[k];
        ty[i] = y[k];
    }
    return max;
}

static double theil_sen_capped(const double *x, const double *y, size_t n, size_t max)
{
    if (n <= max)
        return stats_theil_sen(x, y, n);
    double *tx = xmalloc(max * sizeof *tx), *ty = xmalloc(max * sizeof *ty);
    size_t k = thin(x, y, n, max, tx, ty);
    double s = stats_theil_sen(tx, ty, k);
    free(tx);
    free(ty);
    return s;
}

/* Standard normal upper tail, 1 - Phi(z). */
static double normal_sf(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

typedef struct {
    double v;
    int from_a;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    return cmp_double(&((const ranked *)a)->v, &((const ranked *)b)->v);
}

double stats_rank_sum_p(const double *a, size_t na, const double *b, size_t nb)
{
    if (!na || !nb)
        return NAN;
    size_t n = na + nb;
    ranked *all = xmalloc(n * sizeof *all);
    for (size_t i = 0; i < na; i++)
        all[i] = (ranked){a[i], 1};
    for (size_t i = 0; i < nb; i++)
        all[na + i] = (ranked){b[i], 0};
    qsort(all, n, sizeof *all, cmp_ranked);
    double ra = 0, ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].v == all[i].v)
            j++;
        double rank = (double)(i + j + 2) / 2.0, t = (double)(j - i + 1);
        ties += t * t * t - t;
        for (size_t k = i; k <= j; k++)
            if (all[k].from_a)
                ra += rank;
        i = j + 1;
    }
    free(all);
    double dna = (double)na, dnb = (double)nb, dn = (double)n;
    double u = ra - dna * (dna + 1) / 2;
    double mu = dna * dnb / 2;
    double var = dna * dnb / 12.0 * ((dn + 1) - ties / (dn * (dn - 1)));
    if (var <= 0)
        return 1.0; /* every value tied: no evidence of a difference */
    double dev = fabs(u - mu) - 0.5;
    if (dev < 0)
        dev = 0;
    double p = 2 * normal_sf(dev / sqrt(var));
    return p > 1 ? 1 : p;
}

typedef struct {
    double p;
    size_t i;
} pidx;

static int cmp_pidx(const void *a, const void *b)
{
    return cmp_double(&((const pidx *)a)->p, &((const pidx *)b)->p);
}

void stats_holm(double *p, size_t n)
{
    pidx *v = xmalloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i]))
            v[m++] = (pidx){p[i], i};
    qsort(v, m, sizeof *v, cmp_pidx);
    double run = 0;
    for (size_t k = 0; k < m; k++) {
        double adj = (double)(m - k) * v[k].p;
        if (adj > 1)
            adj = 1;
        if (adj < run)
            adj = run;
        run = adj;
        p[v[k].i] = adj;
    }
    free(v);
}

/* The 2.5% and 97.5% quantiles of the resampled values (reordered): only
 * the ranks they read are put in place, as a sort would put them. */
static void bootstrap_interval(double *v, double *lo, double *hi)
{
    static const double q[2] = {0.025, 0.975};
    stats_select_quantiles(v, BOOTSTRAP_RESAMPLES, q, 2);
    *lo = stats_quantile_sorted(v, BOOTSTRAP_RESAMPLES, q[0]);
    *hi = stats_quantile_sorted(v, BOOTSTRAP_RESAMPLES, q[1]);
}

static double resample_mean(rng *r, const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[rng_below(r, n)];
    return s / (double)n;
}

/* 95% bootstrap interval of mean(base)/mean(x), resampling both
 * independently; NAN when either has fewer than two values. */
static void bootstrap_ratio(const double *base, size_t nb, const double *x, size_t nx,
                            uint64_t seed, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (nb < 2 || nx < 2)
        return;
    rng r;
    rng_seed(&r, seed);
    double *v = xmalloc(BOOTSTRAP_RESAMPLES * sizeof *v);
    for (size_t b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
        double mb = resample_mean(&r, base, nb), mx = resample_mean(&r, x, nx);
        v[b] = mb / mx;
    }
    bootstrap_interval(v, lo, hi);
    free(v);
}

/* 95% bootstrap interval of the median of x over resampled x. */
static void bootstrap_median(const double *x, size_t n, uint64_t seed, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n < 2)
        return;
    rng r;
    rng_seed(&r, seed);
    double *v = xmalloc(BOOTSTRAP_RESAMPLES * sizeof *v), *s = xmalloc(n * sizeof *s);
    for (size_t b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
        for (size_t i = 0; i < n; i++)
            s[i] = x[rng_below(&r, n)];
        v[b] = stats_median_inplace(s, n);
    }
    bootstrap_interval(v, lo, hi);
    free(v);
    free(s);
}

static uint64_t group_seed(const char *id, uint64_t salt)
{
    return strmap_hash(id, strlen(id)) ^ salt;
}

void stats_bootstrap_ratio(const double *base, size_t nb, const double *x, size_t nx,
                           uint64_t seed, double *lo, double *hi)
{
    bootstrap_ratio(base, nb, x, nx, seed, lo, hi);
}

/* ---- per-group computation ------------------------------------------- */

const char *trend_name(trend_class t)
{
    switch (t) {
    case TREND_GROWING:
        return "Growing";
    case TREND_FALLING:
        return "Falling";
    case TREND_VARIABLE:
        return "Variable";
    case TREND_NONE:
        return "n/a";
    case TREND_FLAT:
    default:
        return "Flat";
    }
}

static double gib(uint32_t kb)
{
    return (double)kb / KB_PER_GIB;
}

/* The relays that can be members of g, ascending, into list; returns
 * their count, or SIZE_MAX when any relay can (a group column). */
static size_t member_list(const experiment *e, const membership *m, size_t g, size_t *list)
{
    const group *gp = &m->groups[g];
    if (gp->source == MEMBERS_GROUP_COLUMN)
        return SIZE_MAX;
    size_t n = 0;
    for (size_t r = 0; r < e->nrelays && gp->member; r++)
        if (gp->member[r])
            list[n++] = r;
    return n;
}

/* Member RSS of group g at collection c into buf (GiB); relay indices into
 * rel when not NULL. Only relays of `cand` (ncand of them, SIZE_MAX: all)
 * are looked at. Returns the count. */
static size_t gather(const experiment *e, const membership *m, size_t g, size_t c, double *buf,
                     size_t *rel, const size_t *cand, size_t ncand)
{
    size_t n = 0;
    size_t nr = ncand == SIZE_MAX ? e->nrelays : ncand;
    for (size_t i = 0; i < nr; i++) {
        size_t r = ncand == SIZE_MAX ? i : cand[i];
        if (!membership_has(m, e, g, r, c))
            continue;
        uint32_t kb = e->rss_kb[exp_idx(e, r, c)];
        if (kb == KB_MISSING)
            continue;
        if (rel)
            rel[n] = r;
        buf[n++] = gib(kb);
    }
    return n;
}

/* Builds the series up to `until` and the final snapshot. Returns false
 * when the group's window holds no sample at all. */
/* The prior series of group g when it can stand for the collections
 * before prior->ncoll: the same group at the same index, no --until (so
 * every collection with a sample has its point), and every point at a
 * collection that is still at its time. NULL otherwise. */
static const group_result *prior_series(const experiment *e, const membership *m, size_t g,
                                        const stats_options *opt)
{
    const stats_prior *p = opt->prior;
    if (!p || opt->until != INT64_MAX || p->ngroups != m->ngroups || p->ncoll > e->ncoll ||
        !str_eq(p->ids[g], m->groups[g].id))
        return NULL;
    const group_result *pg = &p->groups[g];
    for (size_t k = 0; k < pg->nseries; k++)
        if (pg->series[k].c >= p->ncoll || e->times[pg->series[k].c] != pg->series[k].t ||
            (k && pg->series[k].c <= pg->series[k - 1].c))
            return NULL;
    return pg;
}

static bool group_series(const experiment *e, const membership *m, size_t g,
                         const stats_options *opt, group_result *gr, double *buf)
{
    int64_t until = opt->until;
    size_t cap = 0, from = 0;
    bool any = false;
    const group_result *pg = prior_series(e, m, g, opt);
    if (pg) {
        /* A point for every earlier collection that had a sample. */
        from = opt->prior->ncoll;
        any = pg->nseries > 0;
        if (pg->nseries) {
            xgrow((void **)&gr->series, &cap, pg->nseries, sizeof *gr->series);
            memcpy(gr->series, pg->series, pg->nseries * sizeof *gr->series);
            gr->nseries = gr->nseries_prior = pg->nseries;
        }
    }
    size_t *cand = xmalloc((e->nrelays ? e->nrelays : 1) * sizeof *cand);
    size_t ncand = member_list(e, m, g, cand);
    for (size_t c = from; c < e->ncoll; c++) {
        size_t n = gather(e, m, g, c, buf, NULL, cand, ncand);
        if (!n)
            continue;
        any = true;
        if (e->times[c] > until)
            continue;
        /* The order statistics the point needs, without sorting: the mean
         * is exact in any order (kB / 2^20 are exact binary fractions, and
         * their sum stays exact below 2^21 values), so only the quantiles
         * and ends are placed, where a sorted copy would hold them. */
        static const double qs[] = {0.5, 0.1, 0.9};
        if (n >= (size_t)1 << 21)
            stats_sort(buf, n);
        else
            stats_select_quantiles(buf, n, qs, ARRAY_LEN(qs));
        xgrow((void **)&gr->series, &cap, gr->nseries + 1, sizeof *gr->series);
        gr->series[gr->nseries++] = (group_point){
            c,
            e->times[c],
            n,
            stats_mean(buf, n),
            stats_quantile_sorted(buf, n, 0.5),
            stats_quantile_sorted(buf, n, 0.1),
            stats_quantile_sorted(buf, n, 0.9),
            buf[0],
            buf[n - 1],
        };
    }
    if (!gr->nseries) {
        free(cand);
        return any;
    }
    const group_point *last = &gr->series[gr->nseries - 1];
    gr->has_final = true;
    gr->final_c = last->c;
    gr->final_t = last->t;
    gr->final_n = last->n;
    gr->final_mean = last->mean;
    gr->final_median = last->median;
    gr->final_relays = xmalloc(last->n * sizeof *gr->final_relays);
    gr->final_values = xmalloc(last->n * sizeof *gr->final_values);
    gather(e, m, g, last->c, gr->final_values, gr->final_relays, cand, ncand);
    free(cand);
    return true;
}

static void group_growth(group_result *gr)
{
    size_t n = gr->nseries;
    double *x = xmalloc((n ? n : 1) * sizeof *x), *y = xmalloc((n ? n : 1) * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)(gr->series[i].t - gr->series[0].t) / SECONDS_PER_DAY;
        y[i] = gr->series[i].mean;
    }
    gr->slope_ols = stats_ols(x, y, n, NULL, &gr->r2);
    gr->slope_theil_sen = theil_sen_capped(x, y, n, SERIES_TS_MAX_POINTS);
    gr->first_mean = n ? y[0] : NAN;
    gr->last_mean = n ? y[n - 1] : NAN;
    gr->change_pct = n && y[0] != 0 ? (y[n - 1] - y[0]) / y[0] * 100.0 : NAN;
    gr->cv = NAN;
    if (n >= 2) {
        double mu = stats_mean(y, n), ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += (y[i] - mu) * (y[i] - mu);
        if (mu != 0)
            gr->cv = sqrt(ss / (double)(n - 1)) / mu;
    }
    free(x);
    free(y);
}

/* Scratch space for the steady-growth pass. */
typedef struct {
    double *sx, *sy;      /* one relay's kept points, segment after segment */
    size_t n;
    size_t *seg;          /* start index of each segment in sx/sy */
    size_t nseg;
    double *tx, *ty;      /* thinned segment */
    double *pool;         /* pooled pairwise slopes of one relay */
    size_t npool, cappool;
} steady_scratch;

/* Steady slope of relay r in group g up to the final snapshot; NAN when no
 * segment had enough points after warm-up. rs/nrs: r's restarts. */
static double relay_steady(const experiment *e, const membership *m, size_t g, size_t r,
                           int64_t final_t, const restart *rs, size_t nrs, steady_scratch *s)
{
    int64_t warm = (int64_t)llround(e->man.th.warmup_hours * 3600.0);
    int64_t start = membership_member_start(m, g, r);
    if (start == INT64_MIN)
        start = TIME_NONE;
    size_t prev = SIZE_MAX, ri = 0;
    s->n = s->nseg = s->npool = 0;
    s->seg[s->nseg++] = 0;
    for (size_t c = 0; c < e->ncoll && e->times[c] <= final_t; c++) {
        uint32_t kb = e->rss_kb[exp_idx(e, r, c)];
        if (kb == KB_MISSING || !membership_has(m, e, g, r, c))
            continue;
        /* Restarts since the previous member sample start a new segment. */
        bool cut = false;
        while (ri < nrs && rs[ri].c <= c) {
            if (prev == SIZE_MAX || rs[ri].c > prev) {
                cut = true;
                if (start == TIME_NONE || rs[ri].t > start)
                    start = rs[ri].t;
            }
            ri++;
        }
        if (cut && prev != SIZE_MAX && s->seg[s->nseg - 1] != s->n)
            s->seg[s->nseg++] = s->n;
        prev = c;
        if (start != TIME_NONE && e->times[c] < start + warm)
            continue;
        s->sx[s->n] = (double)e->times[c] / SECONDS_PER_DAY;
        s->sy[s->n] = gib(kb);
        s->n++;
    }
    s->seg[s->nseg] = s->n;
    /* Bound the work per relay: with many segments, thin each further so
     * the pooled pairs stay near STEADY_PAIR_BUDGET. */
    size_t usable = 0;
    for (size_t i = 0; i < s->nseg; i++)
        usable += s->seg[i + 1] - s->seg[i] >= 3;
    size_t cap = STEADY_MAX_POINTS;
    if (usable) {
        double k = sqrt(2.0 * STEADY_PAIR_BUDGET / (double)usable);
        cap = k >= STEADY_MAX_POINTS ? STEADY_MAX_POINTS : k < 20 ? 20 : (size_t)k;
    }
    for (size_t i = 0; i < s->nseg; i++) {
        size_t a = s->seg[i], len = s->seg[i + 1] - a;
        if (len < 3)
            continue;
        size_t k = thin(s->sx + a, s->sy + a, len, cap, s->tx, s->ty);
        pairwise_slopes(s->tx, s->ty, k, &s->pool, &s->npool, &s->cappool);
    }
    return stats_median_inplace(s->pool, s->npool);
}

/* Scratch for relay_steady, sized for e. */
static void steady_scratch_init(steady_scratch *s, const experiment *e)
{
    memset(s, 0, sizeof *s);
    size_t nc = e->ncoll ? e->ncoll : 1;
    s->sx = xmalloc(nc * sizeof *s->sx);
    s->sy = xmalloc(nc * sizeof *s->sy);
    s->seg = xmalloc((nc + 2) * sizeof *s->seg);
    s->tx = xmalloc(STEADY_MAX_POINTS * sizeof *s->tx);
    s->ty = xmalloc(STEADY_MAX_POINTS * sizeof *s->ty);
}

static void steady_scratch_free(steady_scratch *s)
{
    free(s->sx);
    free(s->sy);
    free(s->seg);
    free(s->tx);
    free(s->ty);
    free(s->pool);
}

/* The steady slope of each member relay in [r0, r1) of group g into
 * slope[r] (NAN: none, or not a member). rstart[r] indexes r's first
 * restart in res->restarts. */
static void group_steady_relays(const experiment *e, const membership *m, size_t g,
                                const group_result *gr, const results *res,
                                const size_t *rstart, size_t r0, size_t r1, double *slope,
                                steady_scratch *s)
{
    const group *gp = &m->groups[g];
    for (size_t r = r0; r < r1; r++) {
        slope[r] = NAN;
        if (!gr->has_final ||
            (gp->source != MEMBERS_GROUP_COLUMN && !(gp->member && gp->member[r])))
            continue;
        /* No restarts at all: NULL, not NULL + 0 (undefined, and clang's
         * UBSan says so). */
        const restart *rs = res->restarts ? res->restarts + rstart[r] : NULL;
        slope[r] = relay_steady(e, m, g, r, gr->final_t, rs, rstart[r + 1] - rstart[r], s);
    }
}

/* The group's steady growth from its relays' slopes, in relay order. */
static void group_steady(const experiment *e, size_t g, const membership *m, group_result *gr,
                         const double *slope)
{
    gr->steady = gr->steady_lo = gr->steady_hi = NAN;
    gr->steady_n = 0;
    if (!gr->has_final)
        return;
    double *slopes = xmalloc((e->nrelays ? e->nrelays : 1) * sizeof *slopes);
    for (size_t r = 0; r < e->nrelays; r++)
        if (!isnan(slope[r]))
            slopes[gr->steady_n++] = slope[r];
    if (gr->steady_n) {
        bootstrap_median(slopes, gr->steady_n, group_seed(m->groups[g].id, 0x5354454144ULL),
                         &gr->steady_lo, &gr->steady_hi);
        gr->steady = stats_median_inplace(slopes, gr->steady_n);
    }
    free(slopes);
}

/* The coefficient of variation of the group mean, and its first value,
 * over the collections where at most half of the members are warming up
 * after a start (the window start or a restart). The low means right
 * after a start say how fast a relay fills its caches, not how variable
 * the allocator is, so they would otherwise turn every restarted group
 * "Variable". Falls back to every point when fewer than three settled. */
static void group_settled_cv(const experiment *e, const membership *m, size_t g,
                             group_result *gr, const results *res)
{
    if (gr->nseries < 3)
        return;
    const group *gp = &m->groups[g];
    int64_t warm = (int64_t)llround(e->man.th.warmup_hours * 3600.0);
    size_t *point_of = xmalloc((e->ncoll ? e->ncoll : 1) * sizeof *point_of);
    size_t *warming = xcalloc(gr->nseries, sizeof *warming);
    for (size_t c = 0; c < e->ncoll; c++)
        point_of[c] = SIZE_MAX;
    for (size_t i = 0; i < gr->nseries; i++)
        point_of[gr->series[i].c] = i;
    size_t ri = 0;
    for (size_t r = 0; r < e->nrelays; r++) {
        size_t r0 = ri;
        while (ri < res->nrestarts && res->restarts[ri].relay == r)
            ri++;
        if (gp->source != MEMBERS_GROUP_COLUMN && !(gp->member && gp->member[r]))
            continue;
        int64_t start = membership_member_start(m, g, r);
        size_t k = r0;
        for (size_t c = 0; c < e->ncoll; c++) {
            while (k < ri && res->restarts[k].c <= c) {
                if (res->restarts[k].t > start)
                    start = res->restarts[k].t;
                k++;
            }
            size_t i = point_of[c];
            if (i == SIZE_MAX || e->rss_kb[exp_idx(e, r, c)] == KB_MISSING ||
                !membership_has(m, e, g, r, c))
                continue;
            if (start != INT64_MIN && e->times[c] < start + warm)
                warming[i]++;
        }
    }
    double *y = xmalloc(gr->nseries * sizeof *y);
    size_t n = 0;
    for (size_t i = 0; i < gr->nseries; i++)
        if (warming[i] * 2 <= gr->series[i].n)
            y[n++] = gr->series[i].mean;
    if (n >= 3) {
        /* "went from X to Y" starts once the group has settled, too. */
        gr->first_mean = y[0];
        gr->change_pct = y[0] != 0 ? (gr->last_mean - y[0]) / y[0] * 100.0 : NAN;
        double mu = stats_mean(y, n), ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += (y[i] - mu) * (y[i] - mu);
        gr->cv = mu != 0 ? sqrt(ss / (double)(n - 1)) / mu : NAN;
    }
    free(y);
    free(warming);
    free(point_of);
}

static void group_trend(const thresholds *th, group_result *gr)
{
    if (!gr->has_final) {
        gr->trend = TREND_NONE;
        return;
    }
    double slope = !isnan(gr->steady) ? gr->steady : gr->slope_theil_sen;
    if (!isnan(slope) && slope > th->flat_gib_day)
        gr->trend = TREND_GROWING;
    else if (!isnan(slope) && slope < -th->flat_gib_day)
        gr->trend = TREND_FALLING;
    else if (!isnan(gr->cv) && gr->cv > th->variable_cv)
        gr->trend = TREND_VARIABLE;
    else
        gr->trend = TREND_FLAT;
}

static void group_forecast(double budget, group_result *gr)
{
    gr->forecast_days = NAN;
    if (!(budget > 0) || !gr->has_final)
        return;
    if (gr->final_mean >= budget)
        gr->forecast_days = 0;
    else if (isnan(gr->steady))
        gr->forecast_days = NAN;
    else if (gr->steady <= 0)
        gr->forecast_days = INFINITY;
    else
        gr->forecast_days = (budget - gr->final_mean) / gr->steady;
}

/* About five or six evenly spaced day numbers from 1 to last, always
 * including the last: 1,3,5,7,9 for 9 days. */
static void choose_days(results *res, int last)
{
    res->ndays = 0;
    if (last < 1)
        return;
    int step = last <= 6 ? 1 : (last - 1 + 4) / 5;
    res->days = xmalloc(8 * sizeof *res->days);
    for (int d = 1; d <= last && res->ndays < 7; d += step)
        res->days[res->ndays++] = d;
    if (res->days[res->ndays - 1] != last)
        res->days[res->ndays++] = last;
}

static void day_table(const experiment *e, results *res)
{
    int tz = e->man.tz_offset_min;
    res->day1 = TIME_NONE;
    ts_value sd;
    if (e->man.start_date &&
        timestamp_parse(e->man.start_date, strlen(e->man.start_date), tz, &sd) == TS_OK)
        res->day1 = timestamp_local_day(sd.t, tz);
    else if (res->first_t != TIME_NONE)
        res->day1 = timestamp_local_day(res->first_t, tz);
    if (res->day1 == TIME_NONE || res->last_t == TIME_NONE)
        return;
    int64_t last = timestamp_local_day(res->last_t, tz) - res->day1 + 1;
    choose_days(res, last > 10000 ? 10000 : (int)last);
    for (size_t g = 0; g < res->ngroups; g++) {
        group_result *gr = &res->groups[g];
        gr->day_values = xmalloc((res->ndays ? res->ndays : 1) * sizeof *gr->day_values);
        for (size_t k = 0; k < res->ndays; k++) {
            int64_t day = res->day1 + res->days[k] - 1;
            gr->day_values[k] = NAN;
            for (size_t i = gr->nseries; i-- > 0;) {
                int64_t d = timestamp_local_day(gr->series[i].t, tz);
                if (d == day) {
                    gr->day_values[k] = gr->series[i].mean;
                    break;
                }
                if (d < day)
                    break;
            }
        }
    }
}

/* The default baseline: the group with the highest final mean (the
 * first of equals), or the first group when none has a final snapshot. */
static size_t highest_final(const results *res)
{
    double best = -INFINITY;
    size_t at = 0;
    for (size_t g = 0; g < res->ngroups; g++)
        if (res->groups[g].has_final && res->groups[g].final_mean > best) {
            best = res->groups[g].final_mean;
            at = g;
        }
    return at;
}

static void choose_baseline(const experiment *e, const membership *m, const stats_options *opt,
                            results *res, diag_list *d, bool *ok)
{
    const char *want = opt->baseline ? opt->baseline : e->man.baseline;
    if (want) {
        long b = membership_find(m, want);
        if (b < 0) {
            strbuf known;
            buf_init(&known);
            for (size_t g = 0; g < m->ngroups; g++)
                buf_printf(&known, "%s%s", g ? ", " : "", m->groups[g].id);
            diag_error(d, opt->baseline ? NULL : "experiment.json", 0,
                       "baseline '%s' is not a group; the groups are %s", want, known.data);
            buf_free(&known);
            *ok = false;
            return;
        }
        res->baseline = (size_t)b;
        if (!res->groups[b].has_final) {
            diag_error(d, NULL, 0, "baseline group %s has no samples at or before the cut-off",
                       want);
            *ok = false;
        }
        return;
    }
    res->baseline = highest_final(res);
}

bool stats_baseline_chosen(const experiment *e, const membership *m, const results *res)
{
    if (!res->ngroups)
        return false;
    const char *named = e->man.baseline;
    long def = named ? membership_find(m, named) : (long)highest_final(res);
    return def != (long)res->baseline;
}

static void compare_to_baseline(const membership *m, results *res)
{
    const group_result *b = &res->groups[res->baseline];
    double *p = xmalloc(res->ngroups * sizeof *p);
    for (size_t g = 0; g < res->ngroups; g++) {
        group_result *gr = &res->groups[g];
        gr->ratio = gr->ratio_lo = gr->ratio_hi = gr->p_value = NAN;
        p[g] = NAN;
        if (g == res->baseline) {
            gr->ratio = gr->ratio_lo = gr->ratio_hi = 1.0;
            continue;
        }
        if (!gr->has_final || !b->has_final)
            continue;
        gr->ratio = b->final_mean / gr->final_mean;
        bootstrap_ratio(b->final_values, b->final_n, gr->final_values, gr->final_n,
                        group_seed(m->groups[g].id, 0x524154494FULL), &gr->ratio_lo,
                        &gr->ratio_hi);
        p[g] = gr->p_value =
            stats_rank_sum_p(gr->final_values, gr->final_n, b->final_values, b->final_n);
    }
    stats_holm(p, res->ngroups);
    for (size_t g = 0; g < res->ngroups; g++)
        res->groups[g].p_holm = p[g];
    free(p);
}

/* ---- groups on both cores --------------------------------------------- */

/* The per-group work of stats_compute touches only its own group_result,
 * so the groups are shared out between two threads (each takes the next
 * group not yet taken); messages and cross-group figures are made after,
 * in group order, so the results do not depend on the sharing. */
#define STEADY_CHUNK 32 /* relays per work item of the steady-growth phase */

typedef struct {
    const experiment *e;
    const membership *m;
    const stats_options *opt;
    results *res;
    bool *has_samples;   /* series: group_series found a sample */
    bool restarts;       /* series: restarts_detect is one more item */
    size_t *rstart;      /* [nrelays + 1]: each relay's first restart */
    double *slope;       /* [ngroups * nrelays]: steady slope per relay */
    size_t nchunks;      /* relay chunks per group */
    int phase;
    size_t nitems;
    atomic_size_t next;
} group_work;

enum { PHASE_SERIES, PHASE_SLOPES, PHASE_GROUPS };

static void one_item(group_work *w, size_t i, double *buf, steady_scratch *s)
{
    const experiment *e = w->e;
    const membership *m = w->m;
    if (w->phase == PHASE_SERIES) {
        /* Restarts depend on nothing the series make: beside them. */
        if (w->restarts && i-- == 0) {
            restarts_detect(e, m, w->opt->until, &w->res->restarts, &w->res->nrestarts);
            return;
        }
        group_result *gr = &w->res->groups[i];
        gr->forecast_days = gr->ratio = gr->ratio_lo = gr->ratio_hi = NAN;
        gr->p_value = gr->p_holm = NAN;
        w->has_samples[i] = group_series(e, m, i, w->opt, gr, buf);
        group_growth(gr);
    } else if (w->phase == PHASE_SLOPES) {
        size_t g = i / w->nchunks, r0 = (i % w->nchunks) * STEADY_CHUNK;
        size_t r1 = r0 + STEADY_CHUNK < e->nrelays ? r0 + STEADY_CHUNK : e->nrelays;
        group_steady_relays(e, m, g, &w->res->groups[g], w->res, w->rstart, r0, r1,
                            w->slope + g * e->nrelays, s);
    } else {
        group_result *gr = &w->res->groups[i];
        group_steady(e, i, m, gr, w->slope + i * e->nrelays);
        group_settled_cv(e, m, i, gr, w->res);
        group_forecast(e->man.memory_budget_gib, gr);
        group_trend(&e->man.th, gr);
    }
}

static void *group_worker(void *arg)
{
    group_work *w = arg;
    double *buf = xmalloc((w->e->nrelays ? w->e->nrelays : 1) * sizeof *buf);
    steady_scratch s;
    steady_scratch_init(&s, w->e);
    for (size_t i; (i = atomic_fetch_add(&w->next, 1)) < w->nitems;)
        one_item(w, i, buf, &s);
    steady_scratch_free(&s);
    free(buf);
    return NULL;
}

static void run_phase(group_work *w, int phase, size_t nitems)
{
    w->phase = phase;
    w->nitems = nitems;
    atomic_store(&w->next, 0);
    pthread_t th;
    bool two = nitems > 1 && pthread_create(&th, NULL, group_worker, w) == 0;
    group_worker(w);
    if (two)
        pthread_join(th, NULL);
}

/* The steady slopes relay by relay in chunks, then each group's figures:
 * both phases shared out between two threads. */
static void run_steady(group_work *w)
{
    const experiment *e = w->e;
    const results *res = w->res;
    w->rstart = xmalloc((e->nrelays + 1) * sizeof *w->rstart);
    size_t ri = 0;
    for (size_t r = 0; r < e->nrelays; r++) {
        while (ri < res->nrestarts && res->restarts[ri].relay < r)
            ri++;
        w->rstart[r] = ri;
    }
    w->rstart[e->nrelays] = res->nrestarts;
    w->nchunks = (e->nrelays + STEADY_CHUNK - 1) / STEADY_CHUNK;
    size_t cells = w->m->ngroups * e->nrelays;
    w->slope = xmalloc((cells ? cells : 1) * sizeof *w->slope);
    run_phase(w, PHASE_SLOPES, w->m->ngroups * w->nchunks);
    run_phase(w, PHASE_GROUPS, w->m->ngroups);
    free(w->slope);
    free(w->rstart);
}

int stats_compute(const experiment *e, const membership *m, const stats_options *opt,
                  results *res, diag_list *d)
{
    memset(res, 0, sizeof *res);
    res->until = opt->until;
    res->first_t = res->last_t = TIME_NONE;
    res->day1 = TIME_NONE;
    res->ngroups = m->ngroups;
    res->groups = xcalloc(m->ngroups ? m->ngroups : 1, sizeof *res->groups);
    bool ok = true;
    char when[32];
    group_work w = {.e = e, .m = m, .opt = opt, .res = res};
    w.has_samples = xcalloc(m->ngroups ? m->ngroups : 1, sizeof *w.has_samples);
    w.restarts = m->ngroups > 0;
    run_phase(&w, PHASE_SERIES, m->ngroups + w.restarts);
    for (size_t g = 0; g < m->ngroups; g++) {
        group_result *gr = &res->groups[g];
        if (!w.has_samples[g]) {
            diag_error(d, e->man.present ? "experiment.json" : NULL,
                       m->groups[g].spec ? m->groups[g].spec->line : 0,
                       "group %s has no samples inside its window", m->groups[g].id);
            quality_add(res, FINDING_EMPTY_GROUP, true, NULL, 0, d->items[d->n - 1].message);
            ok = false;
        } else if (!gr->has_final) {
            timestamp_format_human(opt->until, e->man.tz_offset_min, when, sizeof when);
            diag_warn(d, NULL, 0, "group %s has no samples at or before %s", m->groups[g].id,
                      when);
        }
        if (gr->nseries) {
            if (res->first_t == TIME_NONE || gr->series[0].t < res->first_t)
                res->first_t = gr->series[0].t;
            if (res->last_t == TIME_NONE || gr->final_t > res->last_t)
                res->last_t = gr->final_t;
        }
    }
    free(w.has_samples);
    if (!m->ngroups) {
        /* Server totals only: the period is that of the aggregate rows. */
        for (size_t i = 0; i < e->naggs; i++) {
            if (e->aggs[i].t > opt->until)
                continue;
            if (res->first_t == TIME_NONE || e->aggs[i].t < res->first_t)
                res->first_t = e->aggs[i].t;
            if (res->last_t == TIME_NONE || e->aggs[i].t > res->last_t)
                res->last_t = e->aggs[i].t;
        }
        quality_collect(e, m, res);
        return 0;
    }
    if (ok)
        choose_baseline(e, m, opt, res, d, &ok);
    if (!ok) {
        free(res->restarts); /* as if never looked for */
        res->restarts = NULL;
        res->nrestarts = 0;
        return 1;
    }
    res->baseline_chosen = stats_baseline_chosen(e, m, res);
    compare_to_baseline(m, res);
    run_steady(&w);
    day_table(e, res);
    stats_rank_relays(e, m, res);
    quality_collect(e, m, res);
    return 0;
}

static int cmp_rank_desc(const void *a, const void *b)
{
    const relay_rank *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->relay < y->relay ? -1 : x->relay > y->relay;
}

void stats_rank_relays(const experiment *e, const membership *m, results *res)
{
    res->ntop = res->nbottom = res->nfastest = 0;
    if (m->ngroups != 1 || m->groups[0].source != MEMBERS_ALL || !res->ngroups ||
        !res->groups[0].has_final)
        return;
    const group_result *gr = &res->groups[0];
    size_t n = gr->final_n;
    relay_rank *v = xmalloc((n > e->nrelays ? n : e->nrelays) * sizeof *v + sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (relay_rank){gr->final_relays[i], gr->final_values[i]};
    qsort(v, n, sizeof *v, cmp_rank_desc);
    for (size_t i = 0; i < n && i < RANK_N; i++)
        res->top[res->ntop++] = v[i];
    for (size_t i = 0; i < n && i < RANK_N; i++)
        res->bottom[res->nbottom++] = v[n - 1 - i];

    steady_scratch s;
    steady_scratch_init(&s, e);
    size_t k = 0, ri = 0;
    for (size_t r = 0; r < e->nrelays; r++) {
        size_t r0 = ri;
        while (ri < res->nrestarts && res->restarts[ri].relay == r)
            ri++;
        const restart *rs = res->restarts ? res->restarts + r0 : NULL; /* not NULL + 0 */
        double sl = relay_steady(e, m, 0, r, gr->final_t, rs, ri - r0, &s);
        if (!isnan(sl))
            v[k++] = (relay_rank){r, sl};
    }
    qsort(v, k, sizeof *v, cmp_rank_desc);
    for (size_t i = 0; i < k && i < RANK_N; i++)
        res->fastest[res->nfastest++] = v[i];
    steady_scratch_free(&s);
    free(v);
}

void results_free(results *res)
{
    if (!res)
        return;
    for (size_t g = 0; g < res->ngroups && res->groups; g++) {
        group_result *gr = &res->groups[g];
        free(gr->series);
        free(gr->final_relays);
        free(gr->final_values);
        free(gr->day_values);
    }
    free(res->groups);
    free(res->days);
    free(res->restarts);
    for (size_t i = 0; i < res->nfindings; i++) {
        free(res->findings[i].message);
        free(res->findings[i].file);
    }
    free(res->findings);
    memset(res, 0, sizeof *res);
}
