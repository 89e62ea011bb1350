/* Statistics against values computed by hand (or with the textbook
 * formulas in a few lines of python, quoted beside each constant). */
#include "analysis.h"
#include "expfix.h"
#include "harness.h"
#include "membership.h"
#include "restarts.h"
#include "rng.h"
#include "stats.h"
#include "totals.h"

#define T0 1767268800 /* 2026-01-01T12:00:00Z */
#define H 3600
#define DAY 86400

static void test_kernels(void)
{
    double x[] = {1, 2, 3, 4};
    DBL_NEAR(stats_mean(x, 4), 2.5, 1e-12, "mean");
    OK(isnan(stats_mean(x, 0)), "mean of nothing is NAN");

    double s[] = {10, 1, 4, 3, 2};
    stats_sort(s, 5);
    OK(s[0] == 1 && s[4] == 10, "sort");
    DBL_NEAR(stats_quantile_sorted(s, 5, 0.5), 3, 1e-12, "median of 1,2,3,4,10");
    DBL_NEAR(stats_quantile_sorted(s, 5, 0.1), 1.4, 1e-12, "p10: h=0.4 -> 1.4");
    DBL_NEAR(stats_quantile_sorted(s, 5, 0.9), 7.6, 1e-12, "p90: h=3.6 -> 4+0.6*6");
    DBL_NEAR(stats_quantile_sorted(s, 4, 0.5), 2.5, 1e-12, "median of an even count");
    DBL_NEAR(stats_quantile_sorted(s, 1, 0.9), 1, 1e-12, "quantile of one value");

    /* x 0..3, y 1,3,2,5: sxx=5, sxy=5.5, syy=8.75 -> b=1.1, a=1.1,
     * r2 = 5.5^2/(5*8.75) = 0.691428571 */
    double ox[] = {0, 1, 2, 3}, oy[] = {1, 3, 2, 5}, a, r2;
    DBL_NEAR(stats_ols(ox, oy, 4, &a, &r2), 1.1, 1e-12, "ols slope");
    DBL_NEAR(a, 1.1, 1e-12, "ols intercept");
    DBL_NEAR(r2, 0.691428571428571, 1e-12, "ols r2");
    double flat[] = {2, 2, 2, 2};
    DBL_NEAR(stats_ols(ox, flat, 4, NULL, &r2), 0, 1e-12, "ols of a flat line");
    OK(isnan(r2), "r2 undefined for a flat line");
    OK(isnan(stats_ols(ox, oy, 1, NULL, NULL)), "ols of one point is NAN");

    /* pairwise slopes 2, .5, 4/3, -1, 1, 3 -> median (1 + 4/3)/2 */
    DBL_NEAR(stats_theil_sen(ox, oy, 4), (1 + 4.0 / 3) / 2, 1e-12, "theil-sen even count");
    double tx[] = {0, 1, 2}, ty[] = {0, 1, 10};
    DBL_NEAR(stats_theil_sen(tx, ty, 3), 5, 1e-12, "theil-sen: slopes 1,5,9 -> 5");
    OK(isnan(stats_theil_sen(tx, ty, 1)), "theil-sen of one point is NAN");

    /* Mann-Whitney, normal approximation with tie and continuity
     * correction. a={1..5}, b={3,6..10}: U=2.5, mu=15, tie t=2,
     * var = 30/12*(12-6/110) -> z=2.19587 -> p=0.028100063557 */
    double ra[] = {1, 2, 3, 4, 5}, rb[] = {3, 6, 7, 8, 9, 10};
    DBL_NEAR(stats_rank_sum_p(ra, 5, rb, 6), 0.028100063557317638, 1e-9, "rank-sum with a tie");
    DBL_NEAR(stats_rank_sum_p(rb, 6, ra, 5), 0.028100063557317638, 1e-9, "rank-sum symmetric");
    double t1[] = {1.5, 2.5, 2.5, 4}, t2[] = {2.5, 5, 6};
    DBL_NEAR(stats_rank_sum_p(t1, 4, t2, 3), 0.19908985214820457, 1e-9, "rank-sum, 3-way tie");
    double same[] = {1, 2, 3};
    DBL_NEAR(stats_rank_sum_p(same, 3, same, 3), 1.0, 1e-12, "rank-sum of equal samples");
    OK(isnan(stats_rank_sum_p(same, 0, same, 3)), "rank-sum of nothing is NAN");

    double p[] = {0.01, 0.04, 0.03, NAN};
    stats_holm(p, 4);
    DBL_NEAR(p[0], 0.03, 1e-12, "holm: smallest x3");
    DBL_NEAR(p[2], 0.06, 1e-12, "holm: second x2");
    DBL_NEAR(p[1], 0.06, 1e-12, "holm: monotone (0.04 -> 0.06)");
    OK(isnan(p[3]), "holm skips NAN");
    double q[] = {0.5, 0.9};
    stats_holm(q, 2);
    DBL_NEAR(q[0], 1.0, 1e-12, "holm caps at 1");

    rng r1, r2g;
    rng_seed(&r1, 42);
    rng_seed(&r2g, 42);
    bool same_seq = true, in_range = true;
    for (int i = 0; i < 1000; i++)
        same_seq &= rng_next(&r1) == rng_next(&r2g);
    for (int i = 0; i < 1000; i++)
        in_range &= rng_below(&r1, 7) < 7;
    OK(same_seq, "rng: same seed, same sequence");
    OK(in_range, "rng_below in range");
    /* splitmix64's first output for seed 0 (published reference value). */
    rng_seed(&r1, 0);
    OK(rng_next(&r1) == 0xE220A8397B1DCDAFULL, "rng: splitmix64 reference value");
}

/* A grows 0.5 GiB/day (finals 4,5,6,9), B is flat (1,2,2,3), C is one
 * relay swinging 2,4,2,4,2. Five daily collections at 12:00 UTC. */
static void make_abc(experiment *e)
{
    fx_abc_samples(e, T0, DAY);
    fx_members(fx_group(e, "A", "grows"), "r0", "r1", "r2", "r3", NULL);
    fx_members(fx_group(e, "B", "flat, \"quoted\""), "r4", "r5", "r6", "r7", NULL);
    fx_members(fx_group(e, "C", "swings"), "r8", NULL);
    e->man.memory_budget_gib = 8;
}

static int run(experiment *e, membership *m, results *res, int64_t until, const char *baseline,
               diag_list *d)
{
    diag_init(d);
    memset(res, 0, sizeof *res);
    if (membership_resolve(e, false, m, d))
        return -1;
    stats_options o = {.until = until, .baseline = baseline};
    return stats_compute(e, m, &o, res, d);
}

static void test_groups(void)
{
    experiment e;
    membership m;
    results res;
    diag_list d;
    make_abc(&e);
    INT_EQ(run(&e, &m, &res, INT64_MAX, NULL, &d), 0, "abc: computes");
    const group_result *A = &res.groups[0], *B = &res.groups[1], *C = &res.groups[2];
    INT_EQ(res.baseline, 0, "baseline defaults to the highest final mean");
    INT_EQ(A->nseries, 5, "A: five points");
    DBL_NEAR(A->series[0].mean, 4.0, 1e-9, "A: first mean");
    DBL_NEAR(A->series[4].median, 5.5, 1e-9, "A: final median of 4,5,6,9");
    DBL_NEAR(A->series[4].p10, 4.3, 1e-9, "A: final p10 (h=0.3)");
    DBL_NEAR(A->series[4].p90, 8.1, 1e-9, "A: final p90 (h=2.7)");
    DBL_NEAR(A->series[4].min, 4, 1e-9, "A: min");
    DBL_NEAR(A->series[4].max, 9, 1e-9, "A: max");
    DBL_NEAR(A->final_mean, 6.0, 1e-9, "A: final mean");
    INT_EQ(A->final_n, 4, "A: four relays at the end");
    INT_EQ(A->final_t, T0 + 4 * DAY, "A: final time");
    DBL_NEAR(A->slope_ols, 0.5, 1e-9, "A: OLS slope 0.5 GiB/day");
    DBL_NEAR(A->r2, 1.0, 1e-9, "A: R2 of a straight line");
    DBL_NEAR(A->slope_theil_sen, 0.5, 1e-9, "A: Theil-Sen slope");
    DBL_NEAR(A->change_pct, 50.0, 1e-9, "A: 4 -> 6 is +50%");
    DBL_NEAR(A->steady, 0.5, 1e-9, "A: steady growth");
    DBL_NEAR(A->steady_lo, 0.5, 1e-9, "A: steady CI low");
    DBL_NEAR(A->steady_hi, 0.5, 1e-9, "A: steady CI high");
    INT_EQ(A->trend, TREND_GROWING, "A: Growing");
    DBL_NEAR(A->forecast_days, 4.0, 1e-9, "A: (8 - 6) / 0.5 = 4 days to the budget");
    DBL_NEAR(A->ratio, 1, 0, "baseline ratio 1");
    OK(A->ratio_lo == 1 && A->ratio_hi == 1, "baseline CI 1..1");
    OK(isnan(A->p_value) && isnan(A->p_holm), "baseline p is NAN");

    DBL_NEAR(B->final_mean, 2.0, 1e-9, "B: final mean");
    DBL_NEAR(B->ratio, 3.0, 1e-9, "B: ratio 6/2");
    OK(B->ratio_lo < B->ratio && B->ratio < B->ratio_hi, "B: CI brackets the ratio");
    /* Resampling A (4..9) and B (1..3): extreme ratios are 4/3 and 9/1. */
    OK(B->ratio_lo >= 4.0 / 3 && B->ratio_hi <= 9, "B: CI within the possible range");
    DBL_NEAR(B->p_value, 0.02940104819033966, 1e-9, "B: rank-sum p vs A");
    DBL_NEAR(B->p_holm, 0.05880209638067932, 1e-9, "B: Holm-adjusted p (x2)");
    DBL_NEAR(B->slope_ols, 0, 1e-12, "B: flat");
    INT_EQ(B->trend, TREND_FLAT, "B: Flat");
    OK(isinf(B->forecast_days), "B: never reaches the budget");

    DBL_NEAR(C->ratio, 3.0, 1e-9, "C: ratio 6/2");
    OK(isnan(C->ratio_lo) && isnan(C->ratio_hi), "C: one relay -> no CI");
    DBL_NEAR(C->p_value, 0.28884436634648497, 1e-9, "C: rank-sum p of one relay");
    DBL_NEAR(C->p_holm, 0.28884436634648497, 1e-9, "C: Holm keeps the larger p");
    DBL_NEAR(C->slope_theil_sen, 0, 1e-12, "C: Theil-Sen of 2,4,2,4,2 is 0");
    DBL_NEAR(C->cv, sqrt(4.8 / 4) / 2.8, 1e-9, "C: cv of the mean series");
    OK(isnan(C->steady_lo), "C: one relay -> no steady CI");
    INT_EQ(C->trend, TREND_VARIABLE, "C: Variable");

    INT_EQ(res.ndays, 5, "days: 5 days");
    INT_EQ(res.ndays ? res.days[4] : 0, 5, "days: last is day 5");
    DBL_NEAR(A->day_values ? A->day_values[1] : NAN, 4.5, 1e-9, "day 2 value of A");

    /* Bootstrap is deterministic. */
    results res2;
    membership m2;
    diag_list d2;
    run(&e, &m2, &res2, INT64_MAX, NULL, &d2);
    OK(res2.groups[1].ratio_lo == B->ratio_lo && res2.groups[1].ratio_hi == B->ratio_hi &&
           res2.groups[0].steady_lo == A->steady_lo,
       "bootstrap: same inputs, same interval");
    results_free(&res2);
    membership_free(&m2);
    diag_free(&d2);
    results_free(&res);
    membership_free(&m);
    diag_free(&d);

    /* --until the end of day 3 (2026-01-03) takes the collection of that day. */
    int64_t until;
    OK(analysis_parse_until("2026-01-03", 0, &until), "until: a date parses");
    INT_EQ(until, T0 + 2 * DAY + 12 * H - 1, "until: a date means 23:59:59 that day");
    OK(analysis_parse_until("2026-01-03", -480, &until), "until: with a timezone");
    INT_EQ(until, T0 + 2 * DAY + 12 * H - 1 + 8 * H, "until: local end of day");
    OK(!analysis_parse_until("tomorrow", 0, &until), "until: nonsense refused");
    analysis_parse_until("2026-01-03", 0, &until);
    INT_EQ(run(&e, &m, &res, until, NULL, &d), 0, "until: computes");
    DBL_NEAR(res.groups[0].final_mean, 5.0, 1e-9, "until: A's mean on day 3");
    DBL_NEAR(res.groups[1].ratio, 2.5, 1e-9, "until: B's ratio on day 3");
    INT_EQ(res.groups[0].nseries, 3, "until: series stops at the cut-off");
    INT_EQ(res.ndays, 3, "until: days 1..3");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);

    /* Explicit and unknown baselines. */
    INT_EQ(run(&e, &m, &res, INT64_MAX, "B", &d), 0, "baseline B: computes");
    DBL_NEAR(res.groups[0].ratio, 2.0 / 6.0, 1e-9, "baseline B: A's ratio 2/6");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    INT_EQ(run(&e, &m, &res, INT64_MAX, "Q", &d), 1, "unknown baseline: error");
    STR_CONTAINS(d.n ? d.items[d.n - 1].message : "", "A, B, C", "unknown baseline: names groups");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);

    /* A window with no samples is an error. */
    e.man.groups[2].start = T0 + 10 * DAY;
    INT_EQ(run(&e, &m, &res, INT64_MAX, NULL, &d), 1, "empty window: error");
    STR_CONTAINS(d.n ? d.items[d.n - 1].message : "", "group C has no samples",
                 "empty window: names the group");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* Three relays grow 1 GiB/day for 4 days of hourly samples; at hour 48
 * each restarts (RSS and hwm fall back to 1 GiB), then fills caches by an
 * extra 0.5 GiB over 4 hours before growing at 1 GiB/day again. */
static void make_sawtooth(experiment *e)
{
    fx_init(e, 3, 96, T0, H);
    for (size_t r = 0; r < 3; r++) {
        double hwm = 0;
        for (size_t h = 0; h < 96; h++) {
            double v;
            if (h < 48) {
                v = 1 + (double)r + (double)h / 24;
            } else {
                double k = (double)(h - 48);
                v = 1 + (double)r + k / 24 + 0.5 * (k < 4 ? k / 4 : 1);
                if (h == 48)
                    hwm = 0;
            }
            hwm = v > hwm ? v : hwm;
            fx_set(e, r, h, v, hwm);
        }
    }
    fx_members(fx_group(e, "R", "restarted"), "r0", "r1", "r2", NULL);
}

static void test_steady(void)
{
    experiment e;
    membership m;
    results res;
    diag_list d;
    make_sawtooth(&e);
    INT_EQ(run(&e, &m, &res, INT64_MAX, NULL, &d), 0, "sawtooth: computes");
    INT_EQ(res.nrestarts, 3, "sawtooth: one restart per relay");
    INT_EQ(res.nrestarts ? res.restarts[0].c : 0, 48, "restart: first collection after");
    INT_EQ(res.nrestarts ? res.restarts[0].t : 0, T0 + 47 * H,
           "restart: estimated at the last sample before the drop");
    OK(res.nrestarts && !res.restarts[0].from_event, "restart: from the data");
    const group_result *R = &res.groups[0];
    DBL_NEAR(R->steady, 1.0, 1e-6, "steady: 1 GiB/day between restarts");
    INT_EQ(R->steady_n, 3, "steady: three relays");
    OK(R->slope_ols < 0.6, "group-mean OLS is pulled down by the restart");
    INT_EQ(R->trend, TREND_GROWING, "sawtooth: Growing");
    bool found = false;
    for (size_t i = 0; i < res.nfindings; i++)
        found |= res.findings[i].kind == FINDING_RESTART &&
                 strstr(res.findings[i].message, "R 3") != NULL;
    OK(found, "finding: restarts counted per group");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);

    /* A restart event for the group (group_<id> form) cuts the series too;
     * one for another group does not. */
    fx_event(&e, T0 + 30 * H + 1800, "restart", "group_r");
    fx_event(&e, T0 + 20 * H + 1800, "restart", "other");
    run(&e, &m, &res, INT64_MAX, NULL, &d);
    INT_EQ(res.nrestarts, 6, "event: a restart per relay added");
    bool ev = false;
    for (size_t i = 0; i < res.nrestarts; i++)
        ev |= res.restarts[i].from_event && res.restarts[i].c == 31 &&
              res.restarts[i].t == T0 + 30 * H + 1800;
    OK(ev, "event: at the event's time, next collection");
    DBL_NEAR(res.groups[0].steady, 1.0, 1e-6, "event: steady still 1 GiB/day");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);

    group g = {.id = "B", .name = "mimalloc 2.0.9"};
    OK(restarts_event_covers("all", &g), "covers: all");
    OK(restarts_event_covers("", &g), "covers: empty");
    OK(restarts_event_covers(NULL, &g), "covers: NULL");
    OK(restarts_event_covers("b", &g), "covers: ID, any case");
    OK(restarts_event_covers("Group_B", &g), "covers: group_<id>");
    OK(restarts_event_covers("MIMALLOC 2.0.9", &g), "covers: name");
    OK(!restarts_event_covers("group_c", &g), "covers: not another group");
    OK(!restarts_event_covers("group_b_c", &g), "covers: not a compound");

    /* Without hwm_kb, only an RSS drop of at least half is a restart. */
    fx_init(&e, 2, 3, T0, H);
    fx_set(&e, 0, 0, 4, -1);
    fx_set(&e, 0, 1, 3, -1);
    fx_set(&e, 0, 2, 3.2, -1);
    fx_set(&e, 1, 0, 4, -1);
    fx_set(&e, 1, 1, 1.5, -1);
    fx_set(&e, 1, 2, 1.6, -1);
    fx_members(fx_group(&e, "N", NULL), "r0", "r1", NULL);
    run(&e, &m, &res, INT64_MAX, NULL, &d);
    INT_EQ(res.nrestarts, 1, "no hwm: one restart");
    INT_EQ(res.nrestarts ? res.restarts[0].relay : 9, 1, "no hwm: the relay that halved");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* The window start is a start: a relay that fills its caches in its first
 * hours (+0.5 GiB over 4 h, then 1 GiB/day) grows 1 GiB/day once the 6 h
 * warm-up is skipped; without the warm-up most pairwise slopes include the
 * fill and the estimate is higher. */
static void test_warmup(void)
{
    experiment e;
    membership m;
    results res;
    diag_list d;
    fx_init(&e, 1, 10, T0, H);
    for (size_t h = 0; h < 10; h++) {
        double k = (double)h, v = 2 + k / 24 + 0.5 * (k < 4 ? k / 4 : 1);
        fx_set(&e, 0, h, v, v);
    }
    manifest_group *w = fx_group(&e, "W", NULL);
    fx_members(w, "r0", NULL);
    w->start = T0;
    run(&e, &m, &res, INT64_MAX, NULL, &d);
    DBL_NEAR(res.groups[0].steady, 1.0, 1e-4, "warm-up: skipped after the window start");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    e.man.th.warmup_hours = 0;
    run(&e, &m, &res, INT64_MAX, NULL, &d);
    OK(res.groups[0].steady > 1.01, "warm-up matters: slope higher without it");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* Column membership that changes mid-experiment feeds the series: n grows
 * when a reserve relay joins. */
static void test_column_series(void)
{
    experiment e;
    membership m;
    results res;
    diag_list d;
    fx_init(&e, 3, 3, T0, DAY);
    fx_colgroups(&e, "G", NULL);
    for (size_t c = 0; c < 3; c++) {
        fx_set(&e, 0, c, 1, 1);
        fx_set(&e, 1, c, 3, 3);
        fx_set(&e, 2, c, 7, 7);
        e.col_group[exp_idx(&e, 0, c)] = 0;
        e.col_group[exp_idx(&e, 1, c)] = c >= 1 ? 0 : COLGROUP_NONE;
    }
    INT_EQ(run(&e, &m, &res, INT64_MAX, NULL, &d), 0, "column series: computes");
    INT_EQ(res.groups[0].series[0].n, 1, "column series: one member first");
    INT_EQ(res.groups[0].series[2].n, 2, "column series: two after the move");
    DBL_NEAR(res.groups[0].final_mean, 2.0, 1e-9, "column series: reserve relay left out");
    bool ung = false;
    for (size_t i = 0; i < res.nfindings; i++)
        ung |= res.findings[i].kind == FINDING_UNGROUPED &&
               strstr(res.findings[i].message, "r2") != NULL;
    OK(ung, "finding: reserve relay reported as in no group");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* Findings from ingest notes and aggregates: each becomes one sentence. */
static void test_findings(void)
{
    experiment e;
    membership m;
    results res;
    diag_list d;
    fx_init(&e, 3, 2, T0, DAY);
    for (size_t c = 0; c < 2; c++) {
        fx_set(&e, 0, c, 1, 1);
        fx_set(&e, 1, c, 2, 2);
    }
    fx_members(fx_group(&e, "A", NULL), "r0", "r1", "r2", NULL);
    e.notes.duplicate_rows = 2;
    e.notes.first_duplicate_line = 17;
    e.notes.out_of_order_rows = 1;
    e.notes.first_out_of_order_line = 9;
    e.notes.partial_last_line = true;
    e.notes.partial_line = 40;
    /* Relays sum to 3 GiB = 3145728 kB at both collections: the first
     * aggregate is within 1%, the second 2% off. */
    e.aggs = xcalloc(2, sizeof *e.aggs);
    e.aggs[0] = (aggregate_row){T0, 2, 3145728 + 30000, 0, 0, 0, 5};
    e.aggs[1] = (aggregate_row){T0 + DAY, 2, 3145728 + 63000, 0, 0, 0, 8};
    e.naggs = 2;
    INT_EQ(run(&e, &m, &res, INT64_MAX, NULL, &d), 0, "findings: computes");
    const char *want[][2] = {
        {"duplicate", "2 duplicate rows"},
        {"out of order", "1 row out of time order, the first at line 9"},
        {"partial line", "(line 40)"},
        {"aggregate", "1 aggregate row disagrees"},
        {"aggregate line", "line 8"},
        {"no samples", "Group A has 1 member with no samples inside its window: r2"},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        bool found = false;
        for (size_t i = 0; i < res.nfindings; i++)
            found |= strstr(res.findings[i].message, want[k][1]) != NULL;
        char name[64];
        snprintf(name, sizeof name, "finding: %s", want[k][0]);
        OK(found, name);
    }
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* A group that starts low after its window opens, then holds level: the
 * warm-up point does not make it Variable; without the window start (so
 * no known start) the same series is Variable. */
static void test_settled_cv(void)
{
    for (int with_start = 1; with_start >= 0; with_start--) {
        experiment e;
        membership m;
        results res;
        diag_list d;
        fx_init(&e, 2, 5, T0, DAY / 4);
        const double v[] = {0.5, 2, 2, 2, 2};
        for (size_t c = 0; c < 5; c++) {
            fx_set(&e, 0, c, v[c], 2);
            fx_set(&e, 1, c, v[c], 2);
        }
        manifest_group *g = fx_group(&e, "W", "warms up");
        fx_members(g, "r0", "r1", NULL);
        if (with_start)
            g->start = T0 - 3600;
        INT_EQ(run(&e, &m, &res, INT64_MAX, NULL, &d), 0, "settled cv: computes");
        if (with_start) {
            DBL_NEAR(res.groups[0].cv, 0, 1e-12, "settled cv: warm-up point left out");
            INT_EQ(res.groups[0].trend, TREND_FLAT, "settled cv: Flat after warm-up");
            DBL_NEAR(res.groups[0].first_mean, 2, 1e-12, "settled: first mean past warm-up");
            DBL_NEAR(res.groups[0].change_pct, 0, 1e-12, "settled: no change once settled");
        } else {
            double mu = (0.5 + 8) / 5, ss = (0.5 - mu) * (0.5 - mu) + 4 * (2 - mu) * (2 - mu);
            DBL_NEAR(res.groups[0].cv, sqrt(ss / 4) / mu, 1e-9, "settled cv: no start, all points");
            INT_EQ(res.groups[0].trend, TREND_VARIABLE, "settled cv: Variable without a start");
        }
        results_free(&res);
        membership_free(&m);
        diag_free(&d);
        experiment_free(&e);
    }
}

/* A group whose window opens after --until has no final snapshot: no
 * trend either, rather than a "Flat" it never showed. */
static void test_no_final(void)
{
    experiment e;
    membership m;
    results res;
    diag_list d;
    fx_init(&e, 2, 4, T0, DAY);
    for (size_t c = 0; c < 4; c++) {
        fx_set(&e, 0, c, 1, 1);
        fx_set(&e, 1, c, 2, 2);
    }
    fx_members(fx_group(&e, "A", "early"), "r0", NULL);
    manifest_group *late = fx_group(&e, "L", "late");
    fx_members(late, "r1", NULL);
    late->start = T0 + 2 * DAY;
    INT_EQ(run(&e, &m, &res, T0 + DAY, NULL, &d), 0, "no final: computes");
    OK(!res.groups[1].has_final, "no final: L has none before its window");
    INT_EQ(res.groups[1].trend, TREND_NONE, "no final: trend not available");
    STR_EQ(trend_name(res.groups[1].trend), "n/a", "no final: named n/a");
    INT_EQ(res.groups[0].trend, TREND_FLAT, "no final: A still classified");
    results_free(&res);
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* Box numbers by hand: values 1..8 and an outlier at 30. Type-7
 * quartiles of the nine values are 3 and 7 (median 5), IQR 4, so the
 * upper whisker stops at 8 (30 > 7 + 6) and the lower at 1. */
static void test_box(void)
{
    const double v[] = {30, 8, 1, 7, 2, 6, 3, 5, 4};
    box_stats b;
    stats_box(v, 9, &b);
    DBL_NEAR(b.q1, 3, 1e-12, "box: first quartile");
    DBL_NEAR(b.median, 5, 1e-12, "box: median");
    DBL_NEAR(b.q3, 7, 1e-12, "box: third quartile");
    DBL_NEAR(b.whisker_lo, 1, 1e-12, "box: lower whisker at the smallest value inside 1.5 IQR");
    DBL_NEAR(b.whisker_hi, 8, 1e-12, "box: upper whisker leaves the outlier out");
    DBL_NEAR(b.max, 30, 1e-12, "box: largest value");
    OK(v[0] == 30 && v[8] == 4, "box: input left as it was");
    const double one = 2.5;
    stats_box(&one, 1, &b);
    OK(b.q1 == 2.5 && b.q3 == 2.5 && b.whisker_lo == 2.5 && b.whisker_hi == 2.5,
       "box: one value is its own box");
}

/* Server totals: an aggregate row where there is one, else the relay sum
 * (marked summed); a collection with neither is left out. */
static void test_totals(void)
{
    experiment e;
    fx_init(&e, 2, 3, T0, DAY);
    fx_set(&e, 0, 0, 1, 1);
    fx_set(&e, 1, 0, 2, 2);
    fx_set(&e, 0, 1, 1.5, 1.5);
    /* collection 2: no relay rows */
    e.aggs = xcalloc(2, sizeof *e.aggs);
    e.aggs[0] = (aggregate_row){T0, 2, 4 * 1048576, 0, 0, 0, 5};
    e.aggs[1] = (aggregate_row){T0 + DAY, UINT64_MAX, UINT64_MAX, 0, 0, 0, 7};
    e.naggs = 2;
    double sum;
    INT_EQ(totals_relay_sum(&e, 0, &sum), 2, "totals: two relay rows at the first collection");
    DBL_NEAR(sum, 3 * 1048576.0, 1e-6, "totals: relay sum in kB");
    INT_EQ(totals_relay_sum(&e, 2, &sum), 0, "totals: no relay row at the last collection");
    server_total *t;
    size_t n = totals_series(&e, &t);
    INT_EQ(n, 2, "totals: the aggregate row and one relay sum");
    OK(n == 2 && t[0].t == T0 && !t[0].summed && t[0].gib == 4 && t[0].count == 2,
       "totals: the aggregate row wins over the relay sum");
    OK(n == 2 && t[1].t == T0 + DAY && t[1].summed && t[1].gib == 1.5 && t[1].count == 1,
       "totals: an aggregate row without a total gives way to the relay sum");
    free(t);
    experiment_free(&e);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* stats_sort's own quicksort against qsort: random arrays of many sizes,
 * with many equal values, sorted, reversed; every byte must match. */
static void test_sort(void)
{
    rng r;
    rng_seed(&r, 99);
    int bad = 0, cases = 0;
    double a[700], b[700];
    for (size_t n = 0; n <= 700; n += 1 + n / 7) {
        for (int kind = 0; kind < 5; kind++, cases++) {
            for (size_t i = 0; i < n; i++) {
                uint64_t v = rng_next(&r);
                a[i] = kind == 0   ? (double)(v % 1000000) / 1048576.0
                       : kind == 1 ? (double)(v % 3)
                       : kind == 2 ? (double)i
                       : kind == 3 ? (double)(n - i)
                                   : (double)(v % 50) * 0.25;
            }
            memcpy(b, a, n * sizeof *a);
            stats_sort(a, n);
            qsort(b, n, sizeof *b, cmp_dbl);
            bad += n && memcmp(a, b, n * sizeof *a) != 0;
        }
    }
    INT_EQ(bad, 0, "stats_sort equals qsort on every array");
    OK(cases > 100, "stats_sort: over a hundred arrays tried");
}

/* The per-collection points of earlier collections given as a prior (an
 * append): the true prior gives exactly the full computation; a prior is
 * used only for the same group ids, times and no --until (a doctored prior
 * shows whether it was used). */
static int run_prior(experiment *e, membership *m, results *res, int64_t until,
                     const stats_prior *p)
{
    diag_list d;
    diag_init(&d);
    memset(res, 0, sizeof *res);
    int rc = membership_resolve(e, false, m, &d);
    stats_options o = {.until = until, .prior = p};
    if (!rc)
        rc = stats_compute(e, m, &o, res, &d);
    diag_free(&d);
    return rc;
}

static void test_prior(void)
{
    experiment e;
    membership m, m2;
    results full, res;
    make_abc(&e);
    INT_EQ(run_prior(&e, &m, &full, INT64_MAX, NULL), 0, "prior: full computation");
    /* The first three collections' points, as an archive holds them. */
    char *ids[3] = {"A", "B", "C"};
    group_result pg[3];
    memset(pg, 0, sizeof pg);
    for (size_t g = 0; g < 3; g++) {
        pg[g].series = malloc(full.groups[g].nseries * sizeof *pg[g].series);
        for (size_t k = 0; k < full.groups[g].nseries; k++)
            if (full.groups[g].series[k].c < 3)
                pg[g].series[pg[g].nseries++] = full.groups[g].series[k];
    }
    stats_prior p = {.ngroups = 3, .ids = ids, .groups = pg, .ncoll = 3};
    INT_EQ(run_prior(&e, &m2, &res, INT64_MAX, &p), 0, "prior: computes");
    bool same = true;
    for (size_t g = 0; g < 3; g++) {
        const group_result *a = &full.groups[g], *b = &res.groups[g];
        same &= a->nseries == b->nseries &&
                memcmp(a->series, b->series, a->nseries * sizeof *a->series) == 0 &&
                a->final_mean == b->final_mean && a->slope_ols == b->slope_ols &&
                a->slope_theil_sen == b->slope_theil_sen && a->final_n == b->final_n;
    }
    OK(same, "prior: the true earlier points give the full computation's results");
    results_free(&res);
    membership_free(&m2);

    /* Doctored: A's first mean doubled. Used as given... */
    double real = full.groups[0].series[0].mean;
    pg[0].series[0].mean = 2 * real;
    run_prior(&e, &m2, &res, INT64_MAX, &p);
    DBL_NEAR(res.groups[0].series[0].mean, 2 * real, 0, "prior: its points are taken");
    DBL_NEAR(res.groups[0].series[4].mean, full.groups[0].series[4].mean, 0,
             "prior: later collections computed");
    results_free(&res);
    membership_free(&m2);
    /* ...but not with --until, for another group id, or at another time. */
    run_prior(&e, &m2, &res, T0 + 10 * DAY, &p);
    DBL_NEAR(res.groups[0].series[0].mean, real, 0, "prior: not with --until");
    results_free(&res);
    membership_free(&m2);
    ids[0] = "Z";
    run_prior(&e, &m2, &res, INT64_MAX, &p);
    DBL_NEAR(res.groups[0].series[0].mean, real, 0, "prior: not for another group");
    results_free(&res);
    membership_free(&m2);
    ids[0] = "A";
    pg[0].series[1].t += 1;
    run_prior(&e, &m2, &res, INT64_MAX, &p);
    DBL_NEAR(res.groups[0].series[0].mean, real, 0, "prior: not when a time moved");
    results_free(&res);
    membership_free(&m2);
    pg[0].series[1].t -= 1;
    p.ncoll = 6;
    run_prior(&e, &m2, &res, INT64_MAX, &p);
    DBL_NEAR(res.groups[0].series[0].mean, real, 0, "prior: not for more collections than exist");
    results_free(&res);
    membership_free(&m2);
    for (size_t g = 0; g < 3; g++)
        free(pg[g].series);
    results_free(&full);
    membership_free(&m);
    experiment_free(&e);
}

/* Arrays for the selection tests: random, few distinct values (ties),
 * sorted, reversed, all equal, organ pipe, two values, and (kinds 7, 8)
 * with NaN or -0, which take the sorting fallback. n = 1 and 2 included. */
static void fill_kind(double *a, size_t n, int kind, rng *r)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v = rng_next(r);
        a[i] = kind == 0   ? (double)(v % 1000000) / 1048576.0
               : kind == 1 ? (double)(v % 3)
               : kind == 2 ? (double)i
               : kind == 3 ? (double)(n - i)
               : kind == 4 ? 2.5
               : kind == 5 ? (double)(i < n / 2 ? i : n - i)
               : kind == 6 ? (double)(v % 2) - 0.5
               : kind == 7 ? (v % 5 == 0 ? NAN : (double)(v % 7))
                           : (v % 3 == 0 ? -0.0 : v % 3 == 1 ? 0.0 : -(double)(v % 4));
    }
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* stats_select_quantiles and stats_median_inplace against sorting with
 * qsort: the same bits for every quantile, end and median, and the same
 * values afterwards (only reordered). */
static void test_select(void)
{
    static const double qsets[][3] = {{0.5, 0.1, 0.9}, {0.25, 0.75, 0.5}, {0, 1, 0.975}};
    rng r;
    rng_seed(&r, 4242);
    enum { MAXN = 20011 };
    double *a = malloc(MAXN * sizeof *a), *b = malloc(MAXN * sizeof *b);
    double *c = malloc(MAXN * sizeof *c);
    int bad_q = 0, bad_m = 0, bad_set = 0, cases = 0;
    for (size_t n = 1; n <= MAXN; n += n < 40 ? 1 : n < 400 ? 1 + n / 9 : 1 + n / 2) {
        for (int kind = 0; kind < 9; kind++) {
            for (size_t qs = 0; qs < 3; qs++, cases++) {
                fill_kind(a, n, kind, &r);
                memcpy(b, a, n * sizeof *a);
                memcpy(c, a, n * sizeof *a);
                bool amb = false;
                for (size_t i = 0; i < n; i++)
                    amb |= isnan(a[i]) || (a[i] == 0 && signbit(a[i]));
                if (amb) {
                    /* NaN and -0 have no order qsort could be a reference
                     * for: these must be sorted exactly as stats_sort does. */
                    stats_sort(b, n);
                    bool sorted = stats_select_quantiles(a, n, qsets[qs], 3);
                    bad_set += n > 1 && (!sorted || memcmp(a, b, n * sizeof *a) != 0);
                    continue;
                }
                qsort(b, n, sizeof *b, cmp_dbl);
                stats_select_quantiles(a, n, qsets[qs], 3);
                for (size_t i = 0; i < 3; i++)
                    bad_q += !same_bits(stats_quantile_sorted(a, n, qsets[qs][i]),
                                        stats_quantile_sorted(b, n, qsets[qs][i]));
                bad_q += !same_bits(a[0], b[0]) + !same_bits(a[n - 1], b[n - 1]);
                qsort(a, n, sizeof *a, cmp_dbl);
                bad_set += memcmp(a, b, n * sizeof *a) != 0;
                double want = n % 2 ? b[n / 2] : (b[n / 2 - 1] + b[n / 2]) / 2;
                bad_m += !same_bits(stats_median_inplace(c, n), want);
            }
        }
    }
    INT_EQ(bad_q, 0, "select: quantiles and ends equal a sorted copy's, to the bit");
    INT_EQ(bad_m, 0, "select: median equals a sorted copy's, to the bit");
    INT_EQ(bad_set, 0, "select: only reorders the values");
    OK(cases > 1000, "select: over a thousand arrays tried");
    OK(isnan(stats_median_inplace(a, 0)), "select: median of nothing is NaN");
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    test_sort();
    test_select();
    test_box();
    test_totals();
    test_kernels();
    test_groups();
    test_prior();
    test_settled_cv();
    test_no_final();
    test_steady();
    test_warmup();
    test_column_series();
    test_findings();
    return harness_done();
}
