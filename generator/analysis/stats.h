/* stats.h - everything computed from an experiment (DESIGN 6).
 *
 * stats_compute turns (experiment, membership, options) into `results`.
 * Memory values are GiB (kB / 1,048,576); slopes are GiB per day; NAN
 * means "not available" (for example a CI of a one-relay group). Every
 * random step (bootstrap) uses a fixed seed so reports are reproducible.
 *
 * The numeric kernels are exported for tests and for other modules. */
#ifndef MEMREPORT_STATS_H
#define MEMREPORT_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "membership.h"
#include "model.h"

#define BOOTSTRAP_RESAMPLES 2000

/* One point of a group's series: member RSS at one collection. */
typedef struct {
    size_t c;                 /* collection index */
    int64_t t;
    size_t n;                 /* members with a sample */
    double mean, median, p10, p90, min, max;
} group_point;

typedef enum {
    TREND_FLAT,
    TREND_GROWING,
    TREND_FALLING,
    TREND_VARIABLE,
    TREND_NONE, /* no samples at or before the final snapshot */
} trend_class;

/* A restart seen in the data: RSS and hwm_kb dropped together, or a
 * restart event covered the relay. */
typedef struct {
    size_t relay;
    size_t c;                 /* first collection after the restart */
    int64_t t;                /* estimated time of the restart: the restart
                                 event's time, else the last sample before
                                 the drop */
    bool from_event;
} restart;

typedef struct {
    group_point *series;      /* collections inside the window with n > 0,
                                 up to the final snapshot */
    size_t nseries;
    size_t nseries_prior;     /* the leading points taken as they were from
                                 stats_options.prior (all of its points) */

    bool has_final;           /* false when no sample at or before --until */
    size_t final_c;
    int64_t final_t;
    size_t final_n;
    double final_mean, final_median;
    size_t *final_relays;     /* final_n relay indices ... */
    double *final_values;     /* ... and their RSS in GiB, same order */

    double ratio, ratio_lo, ratio_hi;   /* baseline final mean / this one */
    double p_value, p_holm;             /* rank-sum vs baseline; NAN for baseline */

    double slope_ols, slope_theil_sen;  /* of the group-mean series */
    double r2;                          /* of the OLS fit */
    double first_mean, last_mean, change_pct; /* first: past the warm-up, like cv */
    double cv;                          /* sd / mean of the group-mean series, over
                                           the points where most members are past
                                           their warm-up (all points if < 3) */

    double steady, steady_lo, steady_hi; /* restart-aware growth, CI over relays */
    size_t steady_n;                     /* relays with a steady slope */
    double forecast_days;    /* NAN: no budget; INFINITY: not at this rate;
                                0: already over */
    trend_class trend;
    double *day_values;       /* [results.ndays], NAN where no data */
} group_result;

typedef enum {
    FINDING_MISSING_MEMBER,
    FINDING_UNGROUPED,
    FINDING_OVERLAP,
    FINDING_DUPLICATE,
    FINDING_OUT_OF_ORDER,
    FINDING_RESTART,
    FINDING_AGGREGATE_MISMATCH,
    FINDING_PARTIAL_LINE,
    FINDING_EMPTY_GROUP,
    FINDING_STOPPED,          /* members whose samples end before the final snapshot */
    FINDING_CROSS_LISTED,     /* a relay listed for two groups somewhere */
    FINDING_SHARED_NICKNAME,  /* two relays report under one nickname */
} finding_kind;

typedef struct {
    finding_kind kind;
    bool error;
    char *message;            /* one sentence, plain text */
    char *file;               /* may be NULL */
    long line;
} finding;

/* Per-collection statistics already known, for a rebuild after rows were
 * appended: series[g] (of the group with id ids[g]) is the group's series
 * over the collections before ncoll, as an archive holds it. */
typedef struct {
    size_t ngroups;
    char **ids;
    group_result *groups;     /* only their series are used */
    size_t ncoll;
} stats_prior;

typedef struct {
    int64_t until;            /* INT64_MAX: end of data */
    const char *baseline;     /* group ID, or NULL for the manifest/default */
    bool strict;
    /* When set (only after an append that left every earlier sample and
     * membership as it was), the points of collections before
     * prior->ncoll are taken from it instead of computed again: they are
     * the same numbers, as the old samples and their membership are. */
    const stats_prior *prior;
} stats_options;

/* A monitoring report (one group `all`) ranks its relays. */
#define RANK_N 5
typedef struct {
    size_t relay;
    double value;             /* final RSS in GiB, or steady growth in GiB/day */
} relay_rank;

typedef struct {
    size_t ngroups;
    group_result *groups;     /* parallel to membership.groups */
    size_t baseline;          /* group index */
    bool baseline_chosen;     /* it is not the group the manifest names or,
                                 without one, the default: --baseline chose
                                 it (stats_baseline_chosen) */
    int64_t until;            /* as requested */
    int64_t first_t, last_t;  /* analysed period: first and last collection used */

    int64_t day1;             /* local day number of Day 1 */
    int *days;                /* the chosen day numbers (1 = Day 1) */
    size_t ndays;

    restart *restarts;
    size_t nrestarts;
    finding *findings;
    size_t nfindings;

    /* Monitoring reports only (see stats_rank_relays): the relays with the
     * highest and lowest final RSS and the fastest steady growth. */
    relay_rank top[RANK_N], bottom[RANK_N], fastest[RANK_N];
    size_t ntop, nbottom, nfastest;
} results;

/* Returns 0, or 1 after adding errors to d (baseline unknown, window with
 * no samples...). `res` is always safe to free. */
int stats_compute(const experiment *e, const membership *m, const stats_options *opt,
                  results *res, diag_list *d);
void results_free(results *res);

/* For a report over every relay (one group `all`): fills res->top, bottom
 * (final RSS, highest and lowest first) and fastest (steady growth, fastest
 * first; ties by relay order). Leaves them empty otherwise. Needs the
 * finals and restarts; the archive calls it again after reading them. */
void stats_rank_relays(const experiment *e, const membership *m, results *res);
/* Whether res->baseline differs from the baseline a report without
 * --baseline has: the group the manifest names, else the one with the
 * highest final mean. True also when that default names no group. False
 * without groups. Needs the finals; the archive reader calls it too. */
bool stats_baseline_chosen(const experiment *e, const membership *m, const results *res);
const char *trend_name(trend_class t);

/* Numeric kernels. Arrays are not modified unless stated. */
double stats_mean(const double *x, size_t n);
/* Quantile with linear interpolation (type 7); sorts x in place. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);
void stats_sort(double *x, size_t n);
/* Reorders v so that stats_quantile_sorted(v, n, q[i]) for each of the nq
 * (at most 8) quantiles, v[0] and v[n-1] give exactly what they give on a
 * sorted copy, in about linear time. Returns true when it sorted v instead
 * (a NaN or -0 in v, or too many quantiles). */
bool stats_select_quantiles(double *v, size_t n, const double *q, size_t nq);
/* Median of v (the mean of the middle two for an even count), reordering
 * v; NAN when empty. Selects rather than sorts; the same value a sort
 * would give, to the bit. */
double stats_median_inplace(double *v, size_t n);
/* A box plot's numbers over n > 0 values: quartiles (type 7), whiskers to
 * the furthest value within 1.5 IQR of the box, and the largest value. */
typedef struct {
    double q1, median, q3;
    double whisker_lo, whisker_hi;
    double max;
} box_stats;
void stats_box(const double *x, size_t n, box_stats *out);
/* OLS fit y = a + b x; returns b, sets *r2 (NAN when undefined). */
double stats_ols(const double *x, const double *y, size_t n, double *intercept, double *r2);
/* Median of pairwise slopes. */
double stats_theil_sen(const double *x, const double *y, size_t n);
/* Two-sided Mann-Whitney rank-sum p-value (normal approximation with tie
 * and continuity correction). */
double stats_rank_sum_p(const double *a, size_t na, const double *b, size_t nb);
/* Holm step-down adjustment, in place; NAN entries are skipped. */
void stats_holm(double *p, size_t n);
/* 95% bootstrap interval of mean(base) / mean(x), both resampled
 * (BOOTSTRAP_RESAMPLES times, from seed); NAN when either has fewer than
 * two values. The interval of every ratio a report shows. */
void stats_bootstrap_ratio(const double *base, size_t nb, const double *x, size_t nx,
                           uint64_t seed, double *lo, double *hi);

#endif
