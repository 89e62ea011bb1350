/* test_archive.c - results.sqlite: what is written reads back equal, the
 * reuse check, and damaged, old, read-only and concurrently written
 * archives; archives of the older schemas still read (in the layouts and
 * codecs those schemas had, made here from the format's description). The analysis is filled by hand so every field has a known
 * value, including the awkward ones (NAN, INFINITY, missing kB, open
 * windows, a relay with no nickname). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "cli.h"
#include "harness.h"
#include "oldcol.h"
#include "samplecol.h"
#include "util.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */
#define FP "0123456789ABCDEF0123456789ABCDEF01234567"

static char **strv(size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
    char **v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    return v;
}

static void fill_result(group_result *g, size_t ndays, double base, size_t nrel)
{
    g->nseries = 2;
    g->series = xcalloc(2, sizeof *g->series);
    for (size_t k = 0; k < 2; k++) {
        group_point *p = &g->series[k];
        p->c = k + 1;
        p->t = T0 + 86400 * (int64_t)(k + 1);
        p->n = 2;
        p->mean = base + 0.125 * (double)k;
        p->median = base + 0.1;
        p->p10 = base - 0.3;
        p->p90 = base + 0.3;
        p->min = base - 0.5;
        p->max = base + 0.5 + 1e-12;
    }
    g->has_final = true;
    g->final_c = 2;
    g->final_t = T0 + 2 * 86400;
    g->final_n = nrel;
    g->final_relays = xcalloc(nrel, sizeof *g->final_relays);
    g->final_values = xcalloc(nrel, sizeof *g->final_values);
    for (size_t i = 0; i < nrel; i++) {
        g->final_relays[i] = i;
        g->final_values[i] = base + (double)i / 3.0;
    }
    g->final_mean = base + 0.125;
    g->final_median = base + 0.1;
    g->ratio = 1.0 / 3.0;
    g->ratio_lo = 0.25;
    g->ratio_hi = 0.5;
    g->p_value = 0.0123;
    g->p_holm = 0.0246;
    g->slope_ols = 0.987654321;
    g->slope_theil_sen = 1.0 / 7.0;
    g->r2 = 0.9;
    g->first_mean = base;
    g->last_mean = base + 0.125;
    g->change_pct = 12.5 / base;
    g->cv = 0.05;
    g->steady = 1.02;
    g->steady_lo = 0.95;
    g->steady_hi = NAN;
    g->steady_n = nrel;
    g->forecast_days = INFINITY;
    g->trend = TREND_GROWING;
    g->day_values = xcalloc(ndays, sizeof *g->day_values);
    for (size_t k = 0; k < ndays; k++)
        g->day_values[k] = k == 0 ? NAN : base * (double)k;
}

/* A small experiment with every kind of value an archive must keep. */
static void make_analysis(analysis *a, const char *dir)
{
    memset(a, 0, sizeof *a);
    diag_init(&a->diag);
    experiment *e = &a->e;
    e->dir = xstrdup(dir);
    e->memory_path = xstrdup("measurements.csv");
    manifest *m = &e->man;
    m->present = true;
    m->id = xstrdup("2026-01-01-test");
    m->name = xstrdup("Test <\"quoted\"> – ü");
    m->server = xstrdup("go");
    m->start_date = xstrdup("2026-01-01");
    m->end_date = xstrdup("");
    m->hypothesis = xstrdup("smaller is better");
    m->baseline = xstrdup("B");
    m->tz_offset_min = -480;
    thresholds_default(&m->th);
    m->th.warmup_hours = 3.5;
    m->memory_budget_gib = 12.5;
    m->ngroups = 2;
    m->groups = xcalloc(2, sizeof *m->groups);
    manifest_group *g0 = &m->groups[0], *g1 = &m->groups[1];
    g0->id = xstrdup("A");
    g0->name = xstrdup("mimalloc 3.0.1");
    g0->added = xstrdup("2026-01-02");
    g0->config_json = xstrdup("{\"allocator\":\"mimalloc\",\"version\":\"3.0.1\"}");
    g0->allocator = xstrdup("mimalloc");
    g0->version = xstrdup("3.0.1");
    g0->has_members = true;
    g0->members = strv(3, "alpha", "beta", "ghost");
    g0->nmembers = 3;
    g0->exclude = strv(1, "gamma");
    g0->nexclude = 1;
    g0->start = T0 + 3600;
    g0->end = TIME_NONE;
    g0->line = 7;
    g1->id = xstrdup("B");
    g1->color = xstrdup("#e74c3c");
    g1->start = TIME_NONE;
    g1->end = T0 + 5 * 86400;
    g1->line = 12;

    e->nrelays = 3;
    e->relays = xcalloc(3, sizeof *e->relays);
    e->relays[0] = (relay){xstrdup("alpha"), xstrdup(""), 2, NULL};
    e->relays[1] = (relay){xstrdup("beta"), xstrdup(FP), 3, NULL};
    e->relays[2] = (relay){xstrdup(""), xstrdup("89ABCDEF0123456789ABCDEF0123456789ABCDEF"), 4, NULL};
    e->ncoll = 4;
    e->times = xcalloc(4, sizeof *e->times);
    for (size_t c = 0; c < 4; c++)
        e->times[c] = T0 + 86400 * (int64_t)c + 7;
    size_t cells = 12;
    experiment_alloc_samples(e, true);
    for (size_t k = 0; k < cells; k++) {
        e->rss_kb[k] = 1000000u + 4097u * (uint32_t)k;
        e->vmsize_kb[k] = k % 3 == 2 ? KB_MISSING : 2000000u + (uint32_t)k;
        e->hwm_kb[k] = k % 2 ? KB_MISSING : 3000000u + (uint32_t)k;
        e->frag[k] = k % 4 == 1 ? NAN : 1.0f + (float)k / 7.0f;
        e->col_group[k] = k % 3 == 0 ? COLGROUP_NONE : (uint16_t)(k % 2);
    }
    e->rss_kb[exp_idx(e, 2, 0)] = KB_MISSING; /* not yet running */
    e->vmsize_kb[exp_idx(e, 2, 0)] = KB_MISSING;
    e->hwm_kb[exp_idx(e, 2, 0)] = KB_MISSING;
    e->frag[exp_idx(e, 2, 0)] = NAN;
    e->col_group[exp_idx(e, 2, 0)] = COLGROUP_NONE;
    e->rss_kb[exp_idx(e, 1, 3)] = UINT32_MAX - 1; /* the largest kB value */
    e->ncolgroups = 2;
    e->colgroups = strv(2, "A", "B");

    e->naggs = 2;
    e->aggs = xcalloc(2, sizeof *e->aggs);
    e->aggs[0] = (aggregate_row){T0 - 86400, 3, 3000000, 1000000, 900000, 1100000, 2};
    e->aggs[1] = (aggregate_row){T0, 3, 3100000, UINT64_MAX, UINT64_MAX, 1200000, 5};
    e->nevents = 2;
    e->events = xcalloc(2, sizeof *e->events);
    e->events[0] = (event){.t = T0 + 100, .type = xstrdup("restart"),
                           .description = xstrdup("all relays → restarted"),
                           .group = xstrdup(""), .line = 2};
    e->events[1] = (event){.t = T0 + 200, .type = xstrdup("config_change"),
                           .description = xstrdup("A, then B"), .group = xstrdup("A"), .line = 3};
    e->nhosts = 1;
    e->hosts = xcalloc(1, sizeof *e->hosts);
    e->hosts[0] = (host_row){T0, xstrdup("go"), xstrdup("0.4.8.21"), xstrdup("Debian 13"),
                             xstrdup("6.12"), xstrdup("mixed"), NAN, -1, 1234.5, 2};
    e->nassignments = 1;
    e->assignments = xcalloc(1, sizeof *e->assignments);
    e->assignments[0] = (relay_assignment){xstrdup(FP), xstrdup("B"), 2};
    e->ngfiles = 1;
    e->gfiles = xcalloc(1, sizeof *e->gfiles);
    e->gfiles[0].id = xstrdup("B");
    e->gfiles[0].path = xstrdup("groups/group_B_glibc.txt");
    e->gfiles[0].members = strv(2, "beta", FP);
    e->gfiles[0].member_lines = xcalloc(2, sizeof(long));
    e->gfiles[0].member_lines[0] = 1;
    e->gfiles[0].member_lines[1] = 3;
    e->gfiles[0].nmembers = 2;
    e->ninputs = 2;
    e->inputs = xcalloc(2, sizeof *e->inputs);
    e->inputs[0] = (input_file){.path = xstrdup("experiment.json"), .bytes = 1234};
    memset(e->inputs[0].sha256, 'a', 64);
    e->inputs[1] = (input_file){.path = xstrdup("measurements.csv"), .bytes = 98765, .rows = 13};
    memset(e->inputs[1].sha256, 'b', 64);
    /* What a rebuild after an append needs: the tail's hash and the hash
     * state (here after 70 bytes: one block and 6 waiting). */
    memset(e->inputs[1].tail_sha256, 'c', 64);
    sha256_ctx hc;
    sha256_init(&hc);
    sha256_update(&hc, "0123456789012345678901234567890123456789012345678901234567890123456789", 70);
    e->inputs[1].sha_state_len = sha256_state_export(&hc, e->inputs[1].sha_state);
    e->notes = (ingest_notes){3, 17, 1, 9, true, 14, 11, 2, false, false, NULL, 0};

    membership *ms = &a->m;
    ms->ngroups = 2;
    ms->groups = xcalloc(2, sizeof *ms->groups);
    group *mg = &ms->groups[0];
    mg->id = xstrdup("A");
    mg->name = xstrdup("mimalloc 3.0.1");
    mg->color = xstrdup("#009e73");
    mg->spec = &m->groups[0];
    mg->source = MEMBERS_MANIFEST_LIST;
    mg->start = T0 + 3600;
    mg->end = INT64_MAX;
    mg->member = xcalloc(3, 1);
    mg->member[0] = mg->member[1] = 1;
    mg->nmembers = 2;
    mg->missing = strv(1, "ghost");
    mg->nmissing = 1;
    mg = &ms->groups[1];
    mg->id = xstrdup("B");
    mg->name = xstrdup("B");
    mg->color = xstrdup("#e74c3c");
    mg->spec = &m->groups[1];
    mg->source = MEMBERS_GROUP_COLUMN;
    mg->source_path = xstrdup("measurements.csv");
    mg->start = INT64_MIN;
    mg->end = T0 + 5 * 86400;
    mg->colgroup = 1;
    mg->excluded = xcalloc(3, 1);
    mg->excluded[2] = 1;
    mg->nmembers = 2;
    ms->noverlaps = 1;
    ms->overlaps = xcalloc(1, sizeof *ms->overlaps);
    ms->overlaps[0] = (overlap){1, 0, 1, T0 + 86400 + 7, T0 + 3 * 86400 + 7};
    ms->ungrouped = xcalloc(3, 1);
    ms->ungrouped[2] = 1;
    ms->nungrouped = 1;

    results *r = &a->r;
    r->ngroups = 2;
    r->groups = xcalloc(2, sizeof *r->groups);
    r->baseline = 1;
    r->until = INT64_MAX;
    r->first_t = T0 + 7;
    r->last_t = T0 + 3 * 86400 + 7;
    r->day1 = 20454;
    r->ndays = 3;
    r->days = xcalloc(3, sizeof *r->days);
    r->days[0] = 1;
    r->days[1] = 2;
    r->days[2] = 4;
    fill_result(&r->groups[0], 3, 2.5, 2);
    fill_result(&r->groups[1], 3, 4.25, 1);
    r->groups[1].p_value = NAN;
    r->groups[1].p_holm = NAN;
    r->groups[1].ratio = 1;
    r->groups[1].forecast_days = 42.5;
    r->groups[1].trend = TREND_VARIABLE;
    r->nrestarts = 1;
    r->restarts = xcalloc(1, sizeof *r->restarts);
    r->restarts[0] = (restart){1, 2, T0 + 86400 + 3600, true};
    r->nfindings = 2;
    r->findings = xcalloc(2, sizeof *r->findings);
    char *mem = xasprintf("%s/measurements.csv", dir);
    r->findings[0] = (finding){FINDING_DUPLICATE, false, xstrdup("3 duplicate rows"), mem, 17};
    r->findings[1] = (finding){FINDING_EMPTY_GROUP, true, xstrdup("group C is empty"), NULL, 0};
    diag_warn(&a->diag, mem, 17, "duplicate row for %s", "alpha");
    diag_add(&a->diag, DIAG_WARNING, "experiment.json", 3, 9, "unknown key 'added'");
}

/* Compares two analyses field by field; every mismatch is one FAIL line
 * naming the field, and each section is one PASS when it matches. */
static int mismatches;
#define SAME(cond, what)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            mismatches++;                                                                 \
            printf("FAIL %s: %s differs\n", prefix, what);                                \
        }                                                                                 \
    } while (0)

static bool dbl_same(double x, double y)
{
    return (isnan(x) && isnan(y)) || x == y;
}

static bool strv_same(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i], b[i]))
            return false;
    return true;
}

static void compare_experiment(const char *prefix, const experiment *x, const experiment *y)
{
    const manifest *a = &x->man, *b = &y->man;
    SAME(a->present == b->present, "manifest present");
    SAME(str_eq(a->id, b->id) && str_eq(a->name, b->name) && str_eq(a->server, b->server) &&
             str_eq(a->start_date, b->start_date) && str_eq(a->end_date, b->end_date) &&
             str_eq(a->hypothesis, b->hypothesis) && str_eq(a->problem, b->problem) &&
             str_eq(a->baseline, b->baseline) && str_eq(a->result, b->result),
         "manifest strings");
    SAME(a->tz_offset_min == b->tz_offset_min, "timezone");
    SAME(memcmp(&a->th, &b->th, sizeof a->th) == 0, "thresholds");
    SAME(a->memory_budget_gib == b->memory_budget_gib, "memory budget");
    SAME(a->ngroups == b->ngroups, "manifest group count");
    for (size_t i = 0; i < a->ngroups && i < b->ngroups; i++) {
        const manifest_group *p = &a->groups[i], *q = &b->groups[i];
        SAME(str_eq(p->id, q->id) && str_eq(p->name, q->name) && str_eq(p->color, q->color) &&
                 str_eq(p->added, q->added) && str_eq(p->config_json, q->config_json) &&
                 str_eq(p->allocator, q->allocator) && str_eq(p->version, q->version) &&
                 str_eq(p->members_file, q->members_file),
             "manifest group strings");
        SAME(p->has_members == q->has_members && p->start == q->start && p->end == q->end &&
                 p->line == q->line,
             "manifest group fields");
        SAME(strv_same(p->members, p->nmembers, q->members, q->nmembers) &&
                 strv_same(p->exclude, p->nexclude, q->exclude, q->nexclude),
             "manifest group lists");
    }
    SAME(str_eq(x->memory_path, y->memory_path), "memory path");
    SAME(x->nrelays == y->nrelays && x->ncoll == y->ncoll, "dimensions");
    if (x->nrelays != y->nrelays || x->ncoll != y->ncoll)
        return;
    for (size_t r = 0; r < x->nrelays; r++)
        SAME(str_eq(x->relays[r].nickname, y->relays[r].nickname) &&
                 str_eq(x->relays[r].fingerprint, y->relays[r].fingerprint) &&
                 x->relays[r].first_line == y->relays[r].first_line,
             "relay");
    SAME(memcmp(x->times, y->times, x->ncoll * sizeof *x->times) == 0, "collection times");
    size_t cells = x->nrelays * x->ncoll;
    SAME(memcmp(x->rss_kb, y->rss_kb, cells * 4) == 0, "rss_kb");
    SAME(memcmp(x->vmsize_kb, y->vmsize_kb, cells * 4) == 0, "vmsize_kb");
    SAME(memcmp(x->hwm_kb, y->hwm_kb, cells * 4) == 0, "hwm_kb");
    for (size_t k = 0; k < cells; k++)
        SAME(dbl_same(x->frag[k], y->frag[k]), "frag");
    SAME((x->col_group == NULL) == (y->col_group == NULL), "group column presence");
    if (x->col_group && y->col_group)
        SAME(memcmp(x->col_group, y->col_group, cells * 2) == 0, "group column");
    SAME(strv_same(x->colgroups, x->ncolgroups, y->colgroups, y->ncolgroups),
         "group column values");
    SAME(x->naggs == y->naggs, "aggregate count");
    for (size_t i = 0; i < x->naggs && i < y->naggs; i++)
        SAME(memcmp(&x->aggs[i], &y->aggs[i], sizeof x->aggs[i]) == 0, "aggregate row");
    SAME(x->nevents == y->nevents, "event count");
    for (size_t i = 0; i < x->nevents && i < y->nevents; i++)
        SAME(x->events[i].t == y->events[i].t && str_eq(x->events[i].type, y->events[i].type) &&
                 str_eq(x->events[i].description, y->events[i].description) &&
                 str_eq(x->events[i].group, y->events[i].group) &&
                 x->events[i].line == y->events[i].line,
             "event");
    SAME(x->nhosts == y->nhosts, "host count");
    for (size_t i = 0; i < x->nhosts && i < y->nhosts; i++) {
        const host_row *p = &x->hosts[i], *q = &y->hosts[i];
        SAME(p->t == q->t && str_eq(p->hostname, q->hostname) &&
                 str_eq(p->tor_version, q->tor_version) && str_eq(p->kernel, q->kernel) &&
                 str_eq(p->os_release, q->os_release) && str_eq(p->allocator, q->allocator) &&
                 dbl_same(p->mem_total_mb, q->mem_total_mb) && p->relay_count == q->relay_count &&
                 dbl_same(p->relay_total_mb, q->relay_total_mb) && p->line == q->line,
             "host row");
    }
    SAME(x->nassignments == y->nassignments && str_eq(x->assignments[0].key, y->assignments[0].key) &&
             str_eq(x->assignments[0].group, y->assignments[0].group),
         "relay_config");
    SAME(x->ngfiles == y->ngfiles && str_eq(x->gfiles[0].path, y->gfiles[0].path) &&
             str_eq(x->gfiles[0].id, y->gfiles[0].id) &&
             strv_same(x->gfiles[0].members, x->gfiles[0].nmembers, y->gfiles[0].members,
                       y->gfiles[0].nmembers) &&
             y->gfiles[0].member_lines[1] == 3,
         "group files");
    SAME(x->ninputs == y->ninputs, "input count");
    for (size_t i = 0; i < x->ninputs && i < y->ninputs; i++)
        SAME(str_eq(x->inputs[i].path, y->inputs[i].path) &&
                 x->inputs[i].bytes == y->inputs[i].bytes &&
                 x->inputs[i].rows == y->inputs[i].rows &&
                 str_eq(x->inputs[i].sha256, y->inputs[i].sha256) &&
                 str_eq(x->inputs[i].tail_sha256, y->inputs[i].tail_sha256) &&
                 x->inputs[i].sha_state_len == y->inputs[i].sha_state_len &&
                 memcmp(x->inputs[i].sha_state, y->inputs[i].sha_state,
                        x->inputs[i].sha_state_len) == 0,
             "input file");
    /* Field by field: a struct copy need not copy padding (clang's does not). */
    const ingest_notes *xn = &x->notes, *yn = &y->notes;
    SAME(xn->duplicate_rows == yn->duplicate_rows &&
             xn->first_duplicate_line == yn->first_duplicate_line &&
             xn->out_of_order_rows == yn->out_of_order_rows &&
             xn->first_out_of_order_line == yn->first_out_of_order_line &&
             xn->partial_last_line == yn->partial_last_line &&
             xn->partial_line == yn->partial_line && xn->relay_rows == yn->relay_rows &&
             xn->aggregate_rows == yn->aggregate_rows &&
             xn->read_in_parallel == yn->read_in_parallel &&
             xn->read_appended_only == yn->read_appended_only,
         "ingest notes");
}

static void compare_membership(const char *prefix, const analysis *x, const analysis *y)
{
    const membership *a = &x->m, *b = &y->m;
    SAME(a->ngroups == b->ngroups, "group count");
    for (size_t g = 0; g < a->ngroups && g < b->ngroups; g++) {
        const group *p = &a->groups[g], *q = &b->groups[g];
        SAME(str_eq(p->id, q->id) && str_eq(p->name, q->name) && str_eq(p->color, q->color) &&
                 str_eq(p->source_path, q->source_path),
             "group strings");
        SAME(p->source == q->source && p->start == q->start && p->end == q->end &&
                 p->colgroup == q->colgroup && p->nmembers == q->nmembers,
             "group fields");
        SAME((p->spec ? p->spec - x->e.man.groups : -1) ==
                 (q->spec ? q->spec - y->e.man.groups : -1),
             "group manifest entry");
        SAME((p->member == NULL) == (q->member == NULL) &&
                 (!p->member || memcmp(p->member, q->member, x->e.nrelays) == 0),
             "static members");
        SAME((p->excluded == NULL) == (q->excluded == NULL) &&
                 (!p->excluded || memcmp(p->excluded, q->excluded, x->e.nrelays) == 0),
             "excluded relays");
        SAME(strv_same(p->missing, p->nmissing, q->missing, q->nmissing), "missing members");
        for (size_t r = 0; r < x->e.nrelays; r++)
            for (size_t c = 0; c < x->e.ncoll; c++)
                SAME(membership_has(a, &x->e, g, r, c) == membership_has(b, &y->e, g, r, c),
                     "membership_has");
    }
    SAME(a->noverlaps == b->noverlaps &&
             memcmp(a->overlaps, b->overlaps, a->noverlaps * sizeof *a->overlaps) == 0,
         "overlaps");
    SAME(a->nungrouped == b->nungrouped && memcmp(a->ungrouped, b->ungrouped, x->e.nrelays) == 0,
         "ungrouped");
}

static void compare_results(const char *prefix, const results *a, const results *b)
{
    SAME(a->ngroups == b->ngroups && a->baseline == b->baseline && a->until == b->until &&
             a->first_t == b->first_t && a->last_t == b->last_t && a->day1 == b->day1,
         "results header");
    SAME(a->ndays == b->ndays && memcmp(a->days, b->days, a->ndays * sizeof *a->days) == 0,
         "days");
    for (size_t g = 0; g < a->ngroups && g < b->ngroups; g++) {
        const group_result *p = &a->groups[g], *q = &b->groups[g];
        SAME(p->nseries == q->nseries, "series length");
        for (size_t k = 0; k < p->nseries && k < q->nseries; k++) {
            const group_point *u = &p->series[k], *v = &q->series[k];
            SAME(u->c == v->c && u->t == v->t && u->n == v->n && u->mean == v->mean &&
                     u->median == v->median && u->p10 == v->p10 && u->p90 == v->p90 &&
                     u->min == v->min && u->max == v->max,
                 "series point");
        }
        SAME(p->has_final == q->has_final && p->final_c == q->final_c &&
                 p->final_t == q->final_t && p->final_n == q->final_n,
             "final snapshot");
        for (size_t k = 0; k < p->final_n && k < q->final_n; k++)
            SAME(p->final_relays[k] == q->final_relays[k] &&
                     p->final_values[k] == q->final_values[k],
                 "final values");
        const double pa[] = {p->final_mean, p->final_median, p->ratio, p->ratio_lo, p->ratio_hi,
                             p->p_value, p->p_holm, p->slope_ols, p->slope_theil_sen, p->r2,
                             p->first_mean, p->last_mean, p->change_pct, p->cv, p->steady,
                             p->steady_lo, p->steady_hi, p->forecast_days};
        const double qa[] = {q->final_mean, q->final_median, q->ratio, q->ratio_lo, q->ratio_hi,
                             q->p_value, q->p_holm, q->slope_ols, q->slope_theil_sen, q->r2,
                             q->first_mean, q->last_mean, q->change_pct, q->cv, q->steady,
                             q->steady_lo, q->steady_hi, q->forecast_days};
        for (size_t i = 0; i < ARRAY_LEN(pa); i++)
            SAME(dbl_same(pa[i], qa[i]), "group statistic");
        SAME(p->steady_n == q->steady_n && p->trend == q->trend, "steady_n and trend");
        for (size_t k = 0; k < a->ndays && k < b->ndays; k++)
            SAME(dbl_same(p->day_values[k], q->day_values[k]), "day values");
    }
    /* Field by field: memcmp would compare the struct's padding too. */
    bool same_restarts = a->nrestarts == b->nrestarts;
    for (size_t i = 0; same_restarts && i < a->nrestarts; i++)
        same_restarts = a->restarts[i].relay == b->restarts[i].relay &&
                        a->restarts[i].c == b->restarts[i].c &&
                        a->restarts[i].t == b->restarts[i].t &&
                        a->restarts[i].from_event == b->restarts[i].from_event;
    SAME(same_restarts, "restarts");
    SAME(a->nfindings == b->nfindings, "finding count");
    for (size_t i = 0; i < a->nfindings && i < b->nfindings; i++)
        SAME(a->findings[i].kind == b->findings[i].kind &&
                 a->findings[i].error == b->findings[i].error &&
                 str_eq(a->findings[i].message, b->findings[i].message) &&
                 str_eq(a->findings[i].file, b->findings[i].file) &&
                 a->findings[i].line == b->findings[i].line,
             "finding");
}

static void compare_all(const char *prefix, const analysis *x, const analysis *y)
{
    mismatches = 0;
    compare_experiment(prefix, &x->e, &y->e);
    compare_membership(prefix, x, y);
    compare_results(prefix, &x->r, &y->r);
    SAME(x->diag.n == y->diag.n, "diagnostic count");
    for (size_t i = 0; i < x->diag.n && i < y->diag.n; i++) {
        char *p = diag_format(&x->diag.items[i]), *q = diag_format(&y->diag.items[i]);
        SAME(str_eq(p, q), "diagnostic");
        free(p);
        free(q);
    }
    if (!mismatches)
        printf("PASS %s\n", prefix);
}

static char *tmpdir;

static char *path_in(const char *name)
{
    return xasprintf("%s/%s", tmpdir, name);
}

/* Temporary files (".results.sqlite.*") left in dir. */
static int temps_in(const char *dir)
{
    DIR *dp = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (dp && (de = readdir(dp)))
        if (str_starts(de->d_name, ".results.sqlite."))
            n++;
    if (dp)
        closedir(dp);
    return n;
}

/* Number of leftover temporary files in tmpdir. */
static int temp_files(void)
{
    return temps_in(tmpdir);
}

/* The sqlite extension beside the test binaries (build/memreport_samples.so
 * for build/tests/test_archive): the samples view needs it, as in the
 * sqlite3 shell. */
static char *extension_path;

static double sql_double(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, NULL) == SQLITE_OK &&
        sqlite3_load_extension(db, extension_path, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_double(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

static bool diag_has(const diag_list *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->items[i].message, needle))
            return true;
    return false;
}

static void test_round_trip(void)
{
    analysis a, b;
    make_analysis(&a, tmpdir);
    char *path = path_in("results.sqlite");
    diag_list d;
    diag_init(&d);
    INT_EQ(archive_write(&a, NULL, path, &d), 0, "write: status");
    INT_EQ(d.n, 0, "write: no messages");
    INT_EQ(temp_files(), 0, "write: no temporary left");
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), 0, "read: status");
    if (d.n)
        diag_print(&d, stdout, false);
    compare_all("round trip: every field equal", &a, &b);
    analysis_free(&b);

    /* The ingest part alone, as a rebuild after an append reads it. */
    experiment ex;
    INT_EQ(archive_read_experiment(path, tmpdir, &ex, NULL, &d), 0, "read experiment: status");
    mismatches = 0;
    compare_experiment("read experiment", &a.e, &ex);
    if (!mismatches)
        printf("PASS read experiment: samples, inputs and hash states equal\n");
    experiment_free(&ex);

    /* The same with the samples left packed, then decoded into matrices
     * the reader did not make (as ingest's merge does). */
    archive_samples packed;
    INT_EQ(archive_read_experiment(path, tmpdir, &ex, &packed, &d), 0, "read packed: status");
    INT_EQ(ex.rss_kb == NULL, 1, "read packed: no matrices yet");
    size_t cells = ex.nrelays * ex.ncoll;
    ex.rss_kb = xmalloc(cells * sizeof *ex.rss_kb);
    ex.vmsize_kb = xmalloc(cells * sizeof *ex.vmsize_kb);
    ex.hwm_kb = xmalloc(cells * sizeof *ex.hwm_kb);
    ex.frag = xmalloc(cells * sizeof *ex.frag);
    if (a.e.col_group)
        ex.col_group = xmalloc(cells * sizeof *ex.col_group);
    INT_EQ(archive_samples_fill(&packed, &ex), 1, "read packed: decoded into given matrices");
    mismatches = 0;
    compare_experiment("read packed", &a.e, &ex);
    if (!mismatches)
        printf("PASS read packed: samples equal once decoded\n");
    /* Matrices of another shape (a group column the archive has not):
     * refused rather than half filled. */
    uint16_t *grp = ex.col_group;
    ex.col_group = grp ? NULL : xmalloc(cells * sizeof *ex.col_group);
    INT_EQ(archive_samples_fill(&packed, &ex), 0, "read packed: another shape refused");
    free(ex.col_group);
    ex.col_group = grp;
    archive_samples_free(&packed);
    experiment_free(&ex);

    /* The values users query are the computed ones, in the units the
     * schema documents. */
    DBL_NEAR(sql_double(path, "SELECT final_mean_gib FROM results WHERE group_id='A'"),
             a.r.groups[0].final_mean, 0, "sql: final mean of A");
    DBL_NEAR(sql_double(path, "SELECT count(*) FROM samples"), 11, 0,
             "sql: one row per present sample");
    DBL_NEAR(sql_double(path, "SELECT rss_kb FROM samples s JOIN relays r USING(relay_id) "
                              "WHERE r.nickname='beta' AND c=3"),
             (double)(UINT32_MAX - 1), 0, "sql: largest kB value");
    DBL_NEAR(sql_double(path, "SELECT count(*) FROM samples WHERE hwm_kb IS NULL"), 6, 0,
             "sql: missing hwm is NULL");
    double inf = sql_double(path, "SELECT forecast_days FROM results WHERE group_id='A'");
    OK(isinf(inf) && inf > 0, "sql: infinite forecast kept");
    DBL_NEAR(sql_double(path, "SELECT p_value IS NULL FROM results WHERE group_id='B'"), 1, 0,
             "sql: NAN stored as NULL");
    DBL_NEAR(sql_double(path, "PRAGMA user_version"), ARCHIVE_SCHEMA_VERSION, 0,
             "sql: user_version");
    DBL_NEAR(sql_double(path, "SELECT count(*) FROM membership WHERE group_idx=0"), 2, 0,
             "sql: static members listed");
    DBL_NEAR(sql_double(path, "SELECT is_baseline FROM groups WHERE id='B'"), 1, 0,
             "sql: baseline flagged");

    /* The same archive through the in-memory path the build stages. */
    unsigned char *bytes;
    size_t len;
    INT_EQ(archive_serialize(&a, NULL, "x", &bytes, &len, &d), 0, "serialize: status");
    char *p2 = path_in("serialized.sqlite");
    FILE *f = fopen(p2, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
    free(bytes);
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(p2, tmpdir, &b, &d), 0, "serialize: read status");
    compare_all("serialize round trip: every field equal", &a, &b);
    analysis_free(&b);
    unlink(p2);
    free(p2);

    /* File names inside the directory follow the directory. */
    memset(&b, 0, sizeof b);
    archive_read(path, "elsewhere", &b, &d);
    STR_EQ(b.r.findings[0].file, "elsewhere/measurements.csv", "read: file names relocated");
    analysis_free(&b);

    diag_free(&d);
    analysis_free(&a);
    free(path);
}

static void test_matches(void)
{
    analysis a;
    make_analysis(&a, tmpdir);
    char *path = path_in("results.sqlite");
    diag_list d;
    diag_init(&d);
    analysis_options o;
    analysis_options_default(&o);
    o.baseline = "B";
    archive_write(&a, &o, path, &d);
    char *why = NULL;
    OK(archive_matches_inputs(path, a.e.inputs, a.e.ninputs, &o, &why), "match: same inputs");
    OK(why == NULL, "match: no reason when reused");

    input_file in[3];
    memcpy(in, a.e.inputs, 2 * sizeof *in);
    in[1].sha256[10] = 'c';
    OK(!archive_matches_inputs(path, in, 2, &o, &why), "match: changed file");
    STR_EQ(why, "measurements.csv changed", "match: names the changed file");
    free(why);
    /* Order of the list does not matter. */
    in[0] = a.e.inputs[1];
    in[1] = a.e.inputs[0];
    OK(archive_matches_inputs(path, in, 2, &o, NULL), "match: order ignored");
    in[2] = (input_file){.path = "events.csv", .bytes = 1, .rows = 1};
    OK(!archive_matches_inputs(path, in, 3, &o, &why), "match: new file");
    STR_EQ(why, "events.csv is new", "match: names the new file");
    free(why);
    OK(!archive_matches_inputs(path, in, 1, &o, &why), "match: file gone");
    STR_EQ(why, "experiment.json is gone", "match: names the gone file");
    free(why);

    analysis_options o2 = o;
    o2.strict = true;
    OK(!archive_matches_inputs(path, a.e.inputs, 2, &o2, NULL), "match: --strict");
    o2 = o;
    o2.baseline = NULL;
    OK(!archive_matches_inputs(path, a.e.inputs, 2, &o2, NULL), "match: --baseline");
    o2 = o;
    o2.until = T0;
    OK(!archive_matches_inputs(path, a.e.inputs, 2, &o2, NULL), "match: --until");
    o2 = o;
    o2.until_text = "2026-01-02";
    OK(!archive_matches_inputs(path, a.e.inputs, 2, &o2, NULL), "match: --until as text");

    /* Another generator version is not trusted. */
    sql_exec(path, "UPDATE meta SET value='0.0.1' WHERE key='generator_version'");
    OK(!archive_matches_inputs(path, a.e.inputs, 2, &o, &why), "match: generator version");
    STR_CONTAINS(why, "0.0.1", "match: names the version");
    free(why);

    char *none = path_in("none.sqlite");
    OK(!archive_matches_inputs(none, a.e.inputs, 2, &o, &why), "match: no archive");
    STR_EQ(why, "no archive", "match: says there is none");
    free(why);
    free(none);
    unlink(path);
    free(path);
    diag_free(&d);
    analysis_free(&a);
}

static void test_old_schema(void)
{
    char *path = path_in("results.sqlite");
    unlink(path);
    /* What an archive of an earlier layout looks like: other tables, an
     * older user_version. It must not be read as if it were current. */
    sql_exec(path, "CREATE TABLE experiment(name TEXT); INSERT INTO experiment VALUES('old');"
                   "CREATE TABLE samples(relay TEXT, t INTEGER, rss_kb INTEGER);"
                   "PRAGMA user_version=0;");
    analysis b;
    memset(&b, 0, sizeof b);
    diag_list d;
    diag_init(&d);
    INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, "old schema: read refused");
    OK(diag_has(&d, "schema version 0"), "old schema: message names the version");
    analysis_free(&b);
    analysis a;
    make_analysis(&a, tmpdir);
    char *why = NULL;
    OK(!archive_matches_inputs(path, a.e.inputs, a.e.ninputs, NULL, &why),
       "old schema: not reused");
    STR_CONTAINS(why, "schema version 0", "old schema: reason");
    free(why);
    /* And the rebuild replaces it with the current version. */
    INT_EQ(archive_write(&a, NULL, path, &d), 0, "old schema: rewritten");
    DBL_NEAR(sql_double(path, "PRAGMA user_version"), ARCHIVE_SCHEMA_VERSION, 0,
             "old schema: now current");
    /* A future version is refused the same way. */
    sql_exec(path, "PRAGMA user_version=99");
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, "newer schema: refused");
    analysis_free(&b);
    analysis_free(&a);
    diag_free(&d);
    unlink(path);
    free(path);
}

static void test_damaged(void)
{
    analysis a, b;
    make_analysis(&a, tmpdir);
    char *path = path_in("results.sqlite");
    diag_list d;
    diag_init(&d);

    FILE *f = fopen(path, "wb");
    fputs("this is not a database, just some text that is long enough to look like one "
          "if nobody checks the header at all......",
          f);
    fclose(f);
    memset(&b, 0, sizeof b);
    int rc = archive_read(path, tmpdir, &b, &d);
    OK(rc != 0, "corrupt: read refused");
    OK(diag_has(&d, "not a readable archive") || diag_has(&d, "not a database"),
       "corrupt: clear message");
    analysis_free(&b);
    OK(!archive_matches_inputs(path, a.e.inputs, a.e.ninputs, NULL, NULL), "corrupt: not reused");
    diag_free(&d);

    /* Enough samples that the table spans many pages, then cut the file. */
    analysis big;
    make_analysis(&big, tmpdir);
    free(big.e.relays[0].nickname);
    big.e.relays[0].nickname = xstrdup("alpha-with-a-long-nickname-to-fill-pages");
    archive_write(&big, NULL, path, &d);
    struct stat sb;
    stat(path, &sb);
    size_t full = (size_t)sb.st_size;
    OK(truncate(path, (off_t)(full / 2)) == 0, "truncated: cut");
    memset(&b, 0, sizeof b);
    rc = archive_read(path, tmpdir, &b, &d);
    OK(rc != 0, "truncated: read refused");
    OK(d.n > 0 && strstr(d.items[d.n - 1].file, "results.sqlite"), "truncated: message names the file");
    analysis_free(&b);
    OK(!archive_matches_inputs(path, a.e.inputs, a.e.ninputs, NULL, NULL), "truncated: not reused");
    /* Writing over a damaged archive is fine: it is replaced whole. */
    INT_EQ(archive_write(&a, NULL, path, &d), 0, "damaged: replaced");
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), 0, "damaged: replacement reads");
    analysis_free(&b);
    analysis_free(&big);
    diag_free(&d);

    /* A final snapshot's count sizes its arrays: one beyond the relays is
     * refused as damaged, not allocated (8 TB here: out of memory). */
    sql_exec(path, "UPDATE results SET final_n = 1000000000000 WHERE group_idx = 1");
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, "final count beyond the relays: refused");
    OK(diag_has(&d, "damaged archive: the final snapshot of group 1 has 1000000000000 relays, of 3"),
       "final count beyond the relays: says so");
    analysis_free(&b);
    diag_free(&d);
    INT_EQ(archive_write(&a, NULL, path, &d), 0, "final count beyond the relays: replaced");

    /* A read-only archive is kept as it is, with a message. */
    chmod(path, 0444);
    size_t before_len;
    char *before = file_read_all(path, &before_len);
    a.r.groups[0].final_mean = 99;
    rc = archive_write(&a, NULL, path, &d);
    INT_EQ(rc, EXIT_IO, "read-only: refused");
    OK(diag_has(&d, "read-only"), "read-only: clear message");
    size_t after_len;
    char *after = file_read_all(path, &after_len);
    OK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0,
       "read-only: file unchanged");
    INT_EQ(temp_files(), 0, "read-only: no temporary left");
    free(before);
    free(after);
    /* It is still readable. */
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), 0, "read-only: still read");
    analysis_free(&b);
    chmod(path, 0644);
    diag_free(&d);

    /* A destination that cannot be written: a clear message, nothing left. */
    char *nodir = path_in("no/such/dir/results.sqlite");
    INT_EQ(archive_write(&a, NULL, nodir, &d), EXIT_IO, "missing directory: refused");
    OK(d.n && strstr(d.items[0].message, "temporary file"), "missing directory: message");
    free(nodir);
    diag_free(&d);
    unlink(path);
    free(path);
    analysis_free(&a);
}


/* ------------------------------------------------------------------ */
/* Older schemas (docs/archive.md, "Archives of older schemas")          */

/* Rewrites the archive at path (written from `a`) as schema `version`
 * lays it out: sample_columns with one row per relay holding all its
 * collections, each field packed by the schema's codec; no
 * input_files.lines before 5, no member_windows before 3. `skip_relay`
 * (or SIZE_MAX) has no row, `extra` adds a second row for relay 0. */
static void make_older(const char *path, const analysis *a, int version, size_t skip_relay,
                       bool extra)
{
    const experiment *e = &a->e;
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db,
                 "DROP VIEW samples; DROP TABLE sample_columns;"
                 "CREATE TABLE sample_columns(relay_id INTEGER, nsamples INTEGER, rss_kb BLOB,"
                 " vmsize_kb BLOB, hwm_kb BLOB, frag_ratio BLOB, csv_group BLOB)",
                 NULL, NULL, NULL);
    if (version < 5)
        sqlite3_exec(db, "ALTER TABLE input_files DROP COLUMN lines", NULL, NULL, NULL);
    if (version < 3)
        sqlite3_exec(db, "DROP TABLE member_windows", NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO sample_columns VALUES(?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
    uint32_t *codes = xmalloc((e->ncoll ? e->ncoll : 1) * sizeof *codes);
    for (size_t r = 0; r < e->nrelays + (extra ? 1 : 0); r++) {
        size_t rl = r < e->nrelays ? r : 0;
        if (rl == skip_relay)
            continue;
        size_t present = 0;
        for (size_t c = 0; c < e->ncoll; c++) {
            size_t k = exp_idx(e, rl, c);
            present += e->rss_kb[k] != KB_MISSING || e->vmsize_kb[k] != KB_MISSING ||
                       e->hwm_kb[k] != KB_MISSING || !isnan(e->frag[k]);
        }
        sqlite3_bind_int64(st, 1, (sqlite3_int64)rl);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)present);
        for (int f = 0; f < 5; f++) {
            samplecol_kind kind = f < 3 ? SAMPLECOL_KB : f == 3 ? SAMPLECOL_FLOAT : SAMPLECOL_GROUP;
            for (size_t c = 0; c < e->ncoll; c++) {
                size_t k = exp_idx(e, rl, c);
                codes[c] = f == 0   ? samplecol_kb_code(e->rss_kb[k])
                           : f == 1 ? samplecol_kb_code(e->vmsize_kb[k])
                           : f == 2 ? samplecol_kb_code(e->hwm_kb[k])
                           : f == 3 ? samplecol_float_code(e->frag[k])
                                    : samplecol_group_code(e->col_group[k]);
            }
            unsigned char *b;
            size_t len = version < 4 ? oldcol_encode(kind, codes, e->ncoll, &b)
                                     : samplecol_encode(NULL, kind, codes, e->ncoll, &b);
            sqlite3_bind_blob(st, 3 + f, b, (int)len, free);
        }
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    free(codes);
    char *v = xasprintf("PRAGMA user_version=%d", version);
    sqlite3_exec(db, v, NULL, NULL, NULL);
    free(v);
    sqlite3_close(db);
}

/* a's experiment stretched to n collections an hour apart (more than a
 * segment), every cell given a value from its place. */
static void stretch(analysis *a, size_t n)
{
    experiment *e = &a->e;
    experiment_free_samples(e);
    free(e->times);
    e->ncoll = n;
    e->times = xmalloc(n * sizeof *e->times);
    for (size_t c = 0; c < n; c++)
        e->times[c] = T0 + 3600 * (int64_t)c;
    size_t cells = e->nrelays * n;
    experiment_alloc_samples(e, true);
    for (size_t k = 0; k < cells; k++) {
        e->rss_kb[k] = k % 97 == 5 ? KB_MISSING : 1500000u + (uint32_t)(k * 37 % 20011);
        e->vmsize_kb[k] = 5000000u + (uint32_t)k;
        e->hwm_kb[k] = k % 3 ? KB_MISSING : 2000000u;
        e->frag[k] = k % 5 == 0 ? NAN : 2.0f + (float)(k % 13) / 8.0f;
        e->col_group[k] = k % 7 == 0 ? COLGROUP_NONE : (uint16_t)(k % 2);
    }
}

static void test_older_schemas(void)
{
    char *path = path_in("results.sqlite");
    diag_list d;
    diag_init(&d);
    /* Every schema read, with a short experiment and one longer than a
     * segment (its old rows hold 1,500 collections each). */
    for (int lng = 0; lng < 2; lng++)
        for (int v = 2; v <= 5; v++) {
            analysis a, b;
            make_analysis(&a, tmpdir);
            if (lng)
                stretch(&a, 1500);
            unlink(path);
            INT_EQ(archive_write(&a, NULL, path, &d), 0, "older: written");
            make_older(path, &a, v, SIZE_MAX, false);
            memset(&b, 0, sizeof b);
            char prefix[64];
            snprintf(prefix, sizeof prefix, "schema %d%s", v, lng ? ", 1,500 collections" : "");
            char name[128];
            snprintf(name, sizeof name, "%s: read", prefix);
            INT_EQ(archive_read(path, tmpdir, &b, &d), 0, name);
            compare_all(prefix, &a, &b);
            /* Read, but never current: its results come from an older memreport. */
            char *why = NULL;
            snprintf(name, sizeof name, "%s: not taken for current", prefix);
            OK(!archive_matches_inputs(path, a.e.inputs, a.e.ninputs, NULL, &why), name);
            char want[96];
            snprintf(want, sizeof want, "archive schema version %d, this memreport writes version %d",
                     v, ARCHIVE_SCHEMA_VERSION);
            snprintf(name, sizeof name, "%s: the reason names the version", prefix);
            STR_CONTAINS(why, want, name);
            free(why);
            /* An append's rebuild reads only the current schema. */
            experiment x;
            snprintf(name, sizeof name, "%s: not resumed from", prefix);
            INT_EQ(archive_read_experiment(path, tmpdir, &x, NULL, &d), EXIT_BAD_INPUT, name);
            experiment_free(&x);
            analysis_free(&b);
            analysis_free(&a);
        }
    diag_free(&d);

    /* The same checks as for segments: a relay without its row, two rows
     * for one relay, a column of the other codec, a column that unpacks
     * to more than its values can take. */
    analysis a, b;
    make_analysis(&a, tmpdir);
    static const struct {
        const char *name;
        int version;
        size_t skip;
        bool extra;
        int relabel; /* 0: keep */
        const char *want;
    } bad[] = {
        {"a relay without its row", 4, 1, false, 0, "no sample segment 0 for relay 1"},
        {"two rows for one relay", 3, SIZE_MAX, true, 0, "two sample rows for relay 0"},
        {"Zstandard where zlib belongs", 4, SIZE_MAX, false, 3, "damaged archive: rss_kb of relay 0"},
        {"zlib where Zstandard belongs", 3, SIZE_MAX, false, 4, "damaged archive: rss_kb of relay 0"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        unlink(path);
        archive_write(&a, NULL, path, &d);
        make_older(path, &a, bad[i].version, bad[i].skip, bad[i].extra);
        if (bad[i].relabel) {
            char *v = xasprintf("PRAGMA user_version=%d", bad[i].relabel);
            sql_exec(path, v);
            free(v);
        }
        diag_free(&d);
        memset(&b, 0, sizeof b);
        char name[128];
        snprintf(name, sizeof name, "older, damaged: %s: refused", bad[i].name);
        INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, name);
        snprintf(name, sizeof name, "older, damaged: %s: says so", bad[i].name);
        OK(diag_has(&d, bad[i].want), name);
        analysis_free(&b);
    }
    /* A zlib column whose stream inflates far beyond its count: refused
     * when the buffer for n varints is full, not followed. */
    unlink(path);
    archive_write(&a, NULL, path, &d);
    make_older(path, &a, 3, SIZE_MAX, false);
    size_t big = 1 << 22;
    unsigned char *zeros = xcalloc(big, 1); /* 2^22 varints of 0: a relay's worth of nothing */
    unsigned char *bomb;
    size_t blen = oldcol_wrap(SAMPLECOL_KB, a.e.ncoll, zeros, big, &bomb);
    free(zeros);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "UPDATE sample_columns SET rss_kb = ? WHERE relay_id = 1", -1, &st, NULL);
    sqlite3_bind_blob(st, 1, bomb, (int)blen, free);
    sqlite3_step(st);
    sqlite3_finalize(st);
    sqlite3_close(db);
    diag_free(&d);
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, "older, damaged: a zlib bomb: refused");
    OK(diag_has(&d, "damaged archive: rss_kb of relay 1"), "older, damaged: a zlib bomb: says so");
    analysis_free(&b);

    /* Schema 1 and a newer schema: refused with the version. */
    sql_exec(path, "PRAGMA user_version=1");
    diag_free(&d);
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, "schema 1: refused");
    OK(diag_has(&d, "archive schema version 1, this memreport reads versions 2 to"),
       "schema 1: says which are read");
    analysis_free(&b);
    char *newer = xasprintf("PRAGMA user_version=%d", ARCHIVE_SCHEMA_VERSION + 1);
    sql_exec(path, newer);
    free(newer);
    diag_free(&d);
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, "newer schema: refused");
    OK(diag_has(&d, "newer than this memreport reads"), "newer schema: says so");
    analysis_free(&b);
    analysis_free(&a);
    diag_free(&d);
    unlink(path);
    free(path);
}

/* ------------------------------------------------------------------ */
/* A table of samples its packed columns do not back                   */

static long long sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

/* A packed column of n missing values, as schema `version` packs it. */
static size_t empty_column(int version, samplecol_kind kind, size_t n, unsigned char **out)
{
    uint32_t *zeros = xcalloc(n ? n : 1, sizeof *zeros);
    size_t len = version < 4 ? oldcol_encode(kind, zeros, n, out)
                             : samplecol_encode(NULL, kind, zeros, n, out);
    free(zeros);
    return len;
}

/* Pads the archive at path, of schema `version` (its sample rows laid out
 * as that schema has them), to nrelays relays and ncoll collections: the
 * relay and collection rows, and a sample row for each relay and segment
 * without one, whose columns are all-missing ones of the right length
 * (`columns`) or NULL. The experiment row then claims `nsamples`. Rows
 * the file had stay as they were. */
static void pad_archive(const char *path, int version, size_t nrelays, size_t ncoll,
                        bool columns, long long nsamples)
{
    long long had_relays = sql_int(path, "SELECT count(*) FROM relays");
    long long had_coll = sql_int(path, "SELECT count(*) FROM collections");
    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO relays VALUES(?, ?, '', 1, 0)", -1, &st, NULL);
    for (size_t r = (size_t)had_relays; r < nrelays; r++) {
        char nick[32];
        snprintf(nick, sizeof nick, "pad%zu", r);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)r);
        sqlite3_bind_text(st, 2, nick, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "INSERT INTO collections VALUES(?, ?, 'pad')", -1, &st, NULL);
    for (size_t c = (size_t)had_coll; c < ncoll; c++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)c);
        sqlite3_bind_int64(st, 2, 1900000000 + 3600 * (sqlite3_int64)c);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);

    /* Schema 6 has a row per segment and a key that skips the rows there
     * are; older ones a row per relay, and no key. */
    bool segmented = version >= 6;
    size_t seglen = segmented ? 1024 : ncoll, nseg = segmented ? (ncoll + 1023) / 1024 : 1;
    sqlite3_prepare_v2(db,
                       segmented ? "INSERT OR IGNORE INTO sample_columns VALUES(?, ?, 0, ?, ?, ?, ?, ?)"
                                 : "INSERT INTO sample_columns VALUES(?, 0, ?, ?, ?, ?, ?)",
                       -1, &st, NULL);
    static const samplecol_kind kinds[5] = {SAMPLECOL_KB, SAMPLECOL_KB, SAMPLECOL_KB,
                                            SAMPLECOL_FLOAT, SAMPLECOL_GROUP};
    unsigned char *col[2][5] = {{NULL}};
    size_t len[2][5] = {{0}};
    for (int f = 0; columns && f < 5; f++) {
        len[0][f] = empty_column(version, kinds[f], seglen, &col[0][f]);
        len[1][f] = empty_column(version, kinds[f], ncoll - (nseg - 1) * seglen, &col[1][f]);
    }
    for (size_t s = 0; s < nseg; s++)
        for (size_t r = segmented ? 0 : (size_t)had_relays; r < nrelays; r++) {
            int i = 1;
            sqlite3_bind_int64(st, i++, (sqlite3_int64)r);
            if (segmented)
                sqlite3_bind_int64(st, i++, (sqlite3_int64)s);
            int last = s == nseg - 1;
            for (int f = 0; f < 5; f++, i++)
                if (columns)
                    sqlite3_bind_blob(st, i, col[last][f], (int)len[last][f], SQLITE_STATIC);
                else
                    sqlite3_bind_null(st, i);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
    sqlite3_finalize(st);
    for (int k = 0; k < 2; k++)
        for (int f = 0; f < 5; f++)
            free(col[k][f]);
    char *sql = xasprintf("UPDATE experiment SET nrelays = %zu, ncollections = %zu, nsamples = %lld;"
                          "COMMIT",
                          nrelays, ncoll, nsamples);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    free(sql);
    sqlite3_close(db);
}

/* What reading an archive in a child process gave: its status, the last
 * message (with the file it names) and how far the child's peak resident
 * size rose above what it had from its parent. */
typedef struct {
    int rc;
    long grew_kb;
    char msg[512];
} child_read;

static long resident_kb(void)
{
    long pages = -1, resident = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    if (f)
        fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Reads the archive at path in a child, as a command does (archive_read)
 * or, with `packed`, as an append's rebuild does (archive_read_experiment,
 * the samples left packed). */
static child_read read_in_child(const char *path, bool packed)
{
    child_read out = {-1, -1, ""};
    int fd[2];
    if (pipe(fd) != 0)
        return out;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        long before = resident_kb();
        diag_list d;
        diag_init(&d);
        if (packed) {
            experiment x;
            archive_samples s;
            out.rc = archive_read_experiment(path, tmpdir, &x, &s, &d);
            archive_samples_free(&s);
            experiment_free(&x);
        } else {
            analysis b;
            memset(&b, 0, sizeof b);
            out.rc = archive_read(path, tmpdir, &b, &d);
            analysis_free(&b);
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        out.grew_kb = before < 0 ? -1 : ru.ru_maxrss - before;
        if (d.n) {
            char *s = diag_format(&d.items[d.n - 1]);
            snprintf(out.msg, sizeof out.msg, "%s", s);
            free(s);
        }
        diag_free(&d);
        _exit(write(fd[1], &out, sizeof out) == (ssize_t)sizeof out ? 0 : 1);
    }
    close(fd[1]);
    if (pid < 0 || read(fd[0], &out, sizeof out) != (ssize_t)sizeof out)
        out.rc = -1;
    close(fd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return out;
}

/* The matrices' bytes against the bytes of the file's packed columns: the
 * ratio read_sample_columns lets allocate before decoding is 64. */
static bool unbacked(const char *path, size_t nrelays, size_t ncoll)
{
    long long packed = sql_int(path, "SELECT sum(ifnull(length(rss_kb), 0) + "
                                     "ifnull(length(vmsize_kb), 0) + ifnull(length(hwm_kb), 0) + "
                                     "ifnull(length(frag_ratio), 0) + ifnull(length(csv_group), 0)) "
                                     "FROM sample_columns");
    double table = (double)nrelays * (double)ncoll * 18;
    return table > 16 * 1048576.0 && table > 64 * (double)packed;
}

/* The relays and collections tables cost a file a few bytes a row, and
 * the sample matrices are their product: a file of a few megabytes must
 * not get gigabytes allocated before its columns are decoded, in any
 * schema; and a real archive whose columns are small for its table
 * (relays missing most of the time) still reads, through the pass that
 * checks the columns before the matrices are made. */
static void test_unbacked_table(void)
{
    char *path = path_in("results.sqlite");
    diag_list d;
    diag_init(&d);
    /* 50,000 relays x 2,400 collections: 120 M cells, 2.2 GB of matrices
     * (fewer collections where that is more than a quarter of the
     * machine's memory), so that the sparse-table and memory limits let it
     * through; every sample row there, with NULL columns or all-missing
     * ones, and a claim of a full table. */
    enum { HOSTILE_RELAYS = 50000 };
    size_t hostile_coll = 2400;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 &&
        (uint64_t)pages * (uint64_t)page / 4 / 18 / HOSTILE_RELAYS < hostile_coll)
        hostile_coll = (size_t)((uint64_t)pages * (uint64_t)page / 4 / 18 / HOSTILE_RELAYS);
    char no_samples[96];
    snprintf(no_samples, sizeof no_samples, "damaged archive: 0 samples, expected %zu",
             HOSTILE_RELAYS * hostile_coll);
    const struct {
        int version;
        bool columns, emptied; /* all-missing columns; in place of every row too */
        const char *want;
    } hostile[] = {
        {ARCHIVE_SCHEMA_VERSION, false, false, "damaged archive: rss_kb of relay 0"},
        {ARCHIVE_SCHEMA_VERSION, true, true, no_samples},
        {5, false, false, "damaged archive: rss_kb of relay 0"},
        {2, false, false, "damaged archive: rss_kb of relay 0"},
    };
    for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
        analysis a;
        make_analysis(&a, tmpdir);
        unlink(path);
        archive_write(&a, NULL, path, &d);
        if (hostile[i].version != ARCHIVE_SCHEMA_VERSION)
            make_older(path, &a, hostile[i].version, SIZE_MAX, false);
        if (hostile[i].emptied)
            sql_exec(path, "DELETE FROM sample_columns");
        pad_archive(path, hostile[i].version, HOSTILE_RELAYS, hostile_coll, hostile[i].columns,
                    (long long)(HOSTILE_RELAYS * hostile_coll));
        char prefix[96], name[160];
        snprintf(prefix, sizeof prefix, "unbacked table, schema %d, %s", hostile[i].version,
                 hostile[i].emptied ? "every column all-missing" : "NULL columns");
        snprintf(name, sizeof name, "%s: a table its columns cannot fill", prefix);
        OK(unbacked(path, HOSTILE_RELAYS, hostile_coll), name);
        for (int packed = 0; packed < 2; packed++) {
            if (packed && hostile[i].version != ARCHIVE_SCHEMA_VERSION)
                continue; /* an append resumes only from the current schema */
            const char *how = packed ? "kept packed" : "read";
            child_read got = read_in_child(path, packed);
            snprintf(name, sizeof name, "%s, %s: refused", prefix, how);
            INT_EQ(got.rc, EXIT_BAD_INPUT, name);
            snprintf(name, sizeof name, "%s, %s: says which row, naming the file", prefix, how);
            OK(strstr(got.msg, "results.sqlite: ") && strstr(got.msg, hostile[i].want), name);
            if (!strstr(got.msg, hostile[i].want))
                printf("    got: %s\n", got.msg);
            /* The matrices would take 2.2 GB; the file's rows and columns
             * a few MB. */
            snprintf(name, sizeof name, "%s, %s: peak memory grows by under 200 MB", prefix, how);
            CHECK_(got.grew_kb >= 0 && got.grew_kb < 200 * 1000, name, "grew by %ld kB",
                   got.grew_kb);
        }
        analysis_free(&a);
    }

    /* Real samples in a table its columns do not back: 3 relays with
     * values at 1,500 collections beside 997 that have none. Read back
     * as written, and the same through an append's packed samples; a
     * damaged column found by the checking pass is named as ever. */
    enum { SPARSE_RELAYS = 1000, SPARSE_COLL = 1500 };
    static const int versions[] = {ARCHIVE_SCHEMA_VERSION, 5, 3};
    for (size_t i = 0; i < ARRAY_LEN(versions); i++) {
        int v = versions[i];
        analysis a, b;
        make_analysis(&a, tmpdir);
        stretch(&a, SPARSE_COLL);
        unlink(path);
        archive_write(&a, NULL, path, &d);
        if (v != ARCHIVE_SCHEMA_VERSION)
            make_older(path, &a, v, SIZE_MAX, false);
        long long nsamples = sql_int(path, "SELECT nsamples FROM experiment");
        pad_archive(path, v, SPARSE_RELAYS, SPARSE_COLL, true, nsamples);
        char prefix[96], name[160];
        snprintf(prefix, sizeof prefix, "sparse table, schema %d", v);
        snprintf(name, sizeof name, "%s: larger than its columns back", prefix);
        OK(unbacked(path, SPARSE_RELAYS, SPARSE_COLL), name);
        memset(&b, 0, sizeof b);
        diag_free(&d);
        snprintf(name, sizeof name, "%s: read", prefix);
        INT_EQ(archive_read(path, tmpdir, &b, &d), 0, name);
        if (d.n)
            diag_print(&d, stdout, false);
        const experiment *x = &a.e, *y = &b.e;
        bool same = y->nrelays == SPARSE_RELAYS && y->ncoll == SPARSE_COLL && y->rss_kb;
        for (size_t r = 0; same && r < SPARSE_RELAYS; r++)
            for (size_t c = 0; same && c < SPARSE_COLL; c++) {
                size_t k = exp_idx(y, r, c);
                if (r < x->nrelays) {
                    size_t kx = exp_idx(x, r, c);
                    same = y->rss_kb[k] == x->rss_kb[kx] && y->vmsize_kb[k] == x->vmsize_kb[kx] &&
                           y->hwm_kb[k] == x->hwm_kb[kx] && y->col_group[k] == x->col_group[kx] &&
                           memcmp(&y->frag[k], &x->frag[kx], sizeof *y->frag) == 0;
                } else {
                    same = y->rss_kb[k] == KB_MISSING && y->vmsize_kb[k] == KB_MISSING &&
                           y->hwm_kb[k] == KB_MISSING && isnan(y->frag[k]) &&
                           y->col_group[k] == COLGROUP_NONE;
                }
            }
        snprintf(name, sizeof name, "%s: every sample as written, the padding missing", prefix);
        OK(same, name);
        analysis_free(&b);

        if (v == ARCHIVE_SCHEMA_VERSION) {
            experiment ex;
            archive_samples packed;
            INT_EQ(archive_read_experiment(path, tmpdir, &ex, &packed, &d), 0,
                   "sparse table, kept packed: read");
            experiment_alloc_samples(&ex, true);
            INT_EQ(archive_samples_fill(&packed, &ex), 1, "sparse table, kept packed: decoded");
            bool filled = ex.rss_kb && memcmp(ex.rss_kb, a.e.rss_kb, 3 * SPARSE_COLL * 4) == 0 &&
                          ex.rss_kb[exp_idx(&ex, SPARSE_RELAYS - 1, 0)] == KB_MISSING;
            OK(filled, "sparse table, kept packed: the samples as written");
            archive_samples_free(&packed);
            experiment_free(&ex);
        }

        /* The last relay's high-water marks cut short. */
        sqlite3 *db;
        sqlite3_open(path, &db);
        char *sql = xasprintf("UPDATE sample_columns SET hwm_kb = substr(hwm_kb, 1, length(hwm_kb) - 2) "
                              "WHERE relay_id = %d",
                              SPARSE_RELAYS - 1);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        free(sql);
        sqlite3_close(db);
        memset(&b, 0, sizeof b);
        diag_free(&d);
        snprintf(name, sizeof name, "%s, a damaged column: refused", prefix);
        INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, name);
        char want[64];
        snprintf(want, sizeof want, "damaged archive: hwm_kb of relay %d", SPARSE_RELAYS - 1);
        snprintf(name, sizeof name, "%s, a damaged column: says which", prefix);
        OK(diag_has(&d, want), name);
        snprintf(name, sizeof name, "%s, a damaged column: no matrices were made", prefix);
        OK(b.e.rss_kb == NULL, name);
        analysis_free(&b);
        analysis_free(&a);
    }
    diag_free(&d);
    unlink(path);
    free(path);
}

/* The tables kept per group and relay, and per group and day, are the
 * product of two row counts: a file of a few MB must not get them
 * allocated by the gigabyte. Refused before they are made, whatever group
 * count asks for them; a second result row for one group is refused at
 * once (each would allocate its final snapshot). */
static void test_group_tables(void)
{
    char *path = path_in("results.sqlite");
    diag_list d;
    diag_init(&d);
    char name[160];

    /* 20,000 relays (all-missing columns) in 2,000 groups with member
     * windows: 40 M cells, 640 MB of windows alone, and more groups than
     * a report has. */
    const struct {
        const char *what, *sql, *want;
    } hostile[] = {
        {"2,000 groups",
         "WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < 1999)"
         " INSERT INTO groups SELECT k.i, 'pad' || k.i, name, color, NULL, source, source_path,"
         " start_t, end_t, 1, 1, csv_group, 0, allocator, version, 0 FROM k, groups WHERE idx = 0;"
         "INSERT INTO member_windows SELECT idx, 0, 0, NULL FROM groups WHERE idx >= 2",
         "damaged archive: 2000 groups: a report compares at most 256 groups"},
        {"2,000 manifest groups",
         "WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < 1999)"
         " INSERT INTO manifest_groups SELECT k.i, 'pad' || k.i, name, color, description, added,"
         " config_json, allocator, version, source, has_members, members_file, start_t, end_t,"
         " line FROM k, manifest_groups WHERE idx = 0",
         "damaged archive: 2000 manifest groups: a report compares at most 256 groups"},
        {"2,000 group files",
         "WITH RECURSIVE k(i) AS (SELECT (SELECT count(*) FROM group_files) UNION ALL"
         " SELECT i + 1 FROM k WHERE i < 1999) INSERT INTO group_files SELECT i, 'pad' || i,"
         " 'groups/pad.txt' FROM k",
         "damaged archive: 2000 group files: a report compares at most 256 groups"},
    };
    for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
        analysis a;
        make_analysis(&a, tmpdir);
        unlink(path);
        archive_write(&a, NULL, path, &d);
        long long nsamples = sql_int(path, "SELECT nsamples FROM experiment");
        pad_archive(path, ARCHIVE_SCHEMA_VERSION, 20000, a.e.ncoll, true, nsamples);
        sql_exec(path, hostile[i].sql);
        child_read got = read_in_child(path, false);
        snprintf(name, sizeof name, "%s x 20,000 relays: refused", hostile[i].what);
        INT_EQ(got.rc, EXIT_BAD_INPUT, name);
        snprintf(name, sizeof name, "%s x 20,000 relays: says what is impossible",
                 hostile[i].what);
        OK(strstr(got.msg, "results.sqlite: ") && strstr(got.msg, hostile[i].want), name);
        if (!strstr(got.msg, hostile[i].want))
            printf("    got: %s\n", got.msg);
        snprintf(name, sizeof name, "%s x 20,000 relays: peak memory grows by under 100 MB",
                 hostile[i].what);
        CHECK_(got.grew_kb >= 0 && got.grew_kb < 100 * 1000, name, "grew by %ld kB", got.grew_kb);
        analysis_free(&a);
    }

    /* 256 groups (with their results), the most a report has, of the 3
     * relays are 768 cells; with 10,000 days they are 2.56 M cells of day
     * values, which 3 relays' columns do not back. */
    analysis a, b;
    make_analysis(&a, tmpdir);
    unlink(path);
    archive_write(&a, NULL, path, &d);
    sql_exec(path,
             "WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < 255)"
             " INSERT INTO groups SELECT k.i, 'pad' || k.i, name, color, NULL, source, source_path,"
             " start_t, end_t, has_member_list, has_exclude_list, csv_group, nmembers, allocator,"
             " version, 0 FROM k, groups WHERE idx = 1;"
             "CREATE TEMP TABLE one AS SELECT * FROM results WHERE group_idx = 1;"
             "WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < 255)"
             " INSERT INTO results SELECT k.i, 'pad' || k.i, one.name, one.has_final, one.final_c,"
             " one.final_t, one.final_time, 0, one.final_mean_gib, one.final_median_gib, one.ratio,"
             " one.ratio_lo, one.ratio_hi, one.p_value, one.p_holm, one.slope_ols_gib_day,"
             " one.slope_theil_sen_gib_day, one.r2, one.first_mean_gib, one.last_mean_gib,"
             " one.change_pct, one.cv, one.steady_gib_day, one.steady_lo, one.steady_hi,"
             " one.steady_n, one.forecast_days, one.trend FROM k, one;");
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), 0, "256 groups x 3 relays x 3 days: read");
    INT_EQ((long long)b.r.ngroups, 256, "256 groups x 3 relays x 3 days: every group");
    if (d.n)
        diag_print(&d, stdout, false);
    analysis_free(&b);
    diag_free(&d);
    sql_exec(path, "WITH RECURSIVE k(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM k WHERE i < 9999)"
                   " INSERT INTO days SELECT i, i + 1 FROM k");
    child_read got = read_in_child(path, false);
    INT_EQ(got.rc, EXIT_BAD_INPUT, "256 groups x 10,000 days: refused");
    OK(strstr(got.msg, "damaged archive: 256 groups x 10000 days make 2560000 cells") != NULL,
       "256 groups x 10,000 days: says what is impossible");
    if (!strstr(got.msg, "damaged archive: 256 groups x 10000 days"))
        printf("    got: %s\n", got.msg);
    CHECK_(got.grew_kb >= 0 && got.grew_kb < 100 * 1000,
           "256 groups x 10,000 days: peak memory grows by under 100 MB", "grew by %ld kB",
           got.grew_kb);

    /* A results table without its key, holding a group twice. */
    unlink(path);
    archive_write(&a, NULL, path, &d);
    sql_exec(path, "CREATE TABLE r2 AS SELECT * FROM results; DROP TABLE results;"
                   "ALTER TABLE r2 RENAME TO results;"
                   "INSERT INTO results SELECT * FROM results WHERE group_idx = 1");
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(path, tmpdir, &b, &d), EXIT_BAD_INPUT, "a group's results twice: refused");
    OK(diag_has(&d, "damaged archive: two results for group 1"),
       "a group's results twice: says so");
    analysis_free(&b);
    analysis_free(&a);
    diag_free(&d);
    unlink(path);
    free(path);
}

static bool same_bytes(const char *p1, const char *p2)
{
    size_t n1 = 0, n2 = 0;
    char *b1 = file_read_all(p1, &n1), *b2 = file_read_all(p2, &n2);
    bool same = b1 && b2 && n1 == n2 && memcmp(b1, b2, n1) == 0;
    free(b1);
    free(b2);
    return same;
}

static ino_t inode_of(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_ino : 0;
}

/* What build and site do: the archive written straight into a staged
 * temporary, a second name for it staged beside another destination, both
 * renamed by the commit; a failure before the commit leaves neither. */
static void test_stage(void)
{
    analysis a, b;
    make_analysis(&a, tmpdir);
    char *path = path_in("results.sqlite");
    char *sitedir = path_in("site/data");
    char *site = path_in("site/data/results.sqlite");
    unlink(path);
    diag_list d;
    diag_init(&d);

    outset *os = outset_new();
    const char *tmp = NULL;
    INT_EQ(archive_stage(os, &a, NULL, path, &tmp, &d), 0, "stage: status");
    struct stat sb;
    OK(tmp && stat(tmp, &sb) == 0 && sb.st_size > 0, "stage: written into the temporary");
    OK(access(path, F_OK) != 0, "stage: nothing visible before the commit");
    INT_EQ(outset_add_link_or_copy(os, site, tmp, &d), 0, "stage: site name staged");
    INT_EQ(outset_commit(os, &d), 0, "stage: commit");
    outset_free(os);
    INT_EQ(d.n, 0, "stage: no messages");
    OK(inode_of(path) != 0 && inode_of(path) == inode_of(site),
       "stage: the site's copy is a hard link on one file system");
    INT_EQ(temps_in(tmpdir) + temps_in(sitedir), 0, "stage: no temporary left");
    memset(&b, 0, sizeof b);
    INT_EQ(archive_read(site, tmpdir, &b, &d), 0, "stage: site copy reads");
    compare_all("stage round trip: every field equal", &a, &b);
    analysis_free(&b);

    /* The rebuild of an unchanged archive links it again over a name that
     * already is the same file: rename() would do nothing there. */
    ino_t before = inode_of(path);
    os = outset_new();
    INT_EQ(outset_add_link_or_copy(os, site, path, &d), 0, "relink: staged");
    INT_EQ(outset_commit(os, &d), 0, "relink: commit");
    outset_free(os);
    OK(inode_of(site) == before, "relink: still the same file");
    INT_EQ(temps_in(sitedir), 0, "relink: no temporary left");

    /* Across file systems: a copy with the same bytes. */
    struct stat st1, st2;
    char shm_tmpl[] = "/dev/shm/test_archive.XXXXXX";
    char *shm = NULL;
    if (stat(tmpdir, &st1) == 0 && stat("/dev/shm", &st2) == 0 && st1.st_dev != st2.st_dev)
        shm = mkdtemp(shm_tmpl);
    if (shm) {
        char *other = xasprintf("%s/results.sqlite", shm);
        os = outset_new();
        INT_EQ(outset_add_link_or_copy(os, other, path, &d), 0, "copy: staged");
        INT_EQ(outset_commit(os, &d), 0, "copy: commit");
        outset_free(os);
        OK(same_bytes(other, path) && inode_of(other) != inode_of(path),
           "copy: another file system gets the same bytes");
        INT_EQ(temps_in(shm), 0, "copy: no temporary left");
        unlink(other);
        rmdir(shm);
        free(other);
    } else {
        printf("SKIP copy across file systems: no /dev/shm on another file system\n");
    }

    /* Disk full when the second name is staged: neither name changes, no
     * temporary remains (the finished archive temporary is removed too). */
    a.r.groups[0].final_mean = 42;
    setenv("MEMREPORT_FAIL_AFTER", "2", 1);
    os = outset_new();
    unsetenv("MEMREPORT_FAIL_AFTER");
    INT_EQ(archive_stage(os, &a, NULL, path, &tmp, &d), 0, "fail: archive staged");
    OK(outset_add_link_or_copy(os, site, tmp, &d) != 0, "fail: second name refused");
    OK(diag_has(&d, "No space left"), "fail: message");
    outset_free(os);
    OK(inode_of(path) == before && inode_of(site) == before, "fail: both names untouched");
    INT_EQ(temps_in(tmpdir) + temps_in(sitedir), 0, "fail: no temporary left");
    memset(&b, 0, sizeof b);
    diag_free(&d);
    INT_EQ(archive_read(path, tmpdir, &b, &d), 0, "fail: previous archive still reads");
    OK(b.r.ngroups > 0 && b.r.groups[0].final_mean != 42, "fail: previous archive's values");
    analysis_free(&b);

    /* Disk full at the archive itself. */
    setenv("MEMREPORT_FAIL_AFTER", "1", 1);
    os = outset_new();
    unsetenv("MEMREPORT_FAIL_AFTER");
    INT_EQ(archive_stage(os, &a, NULL, path, &tmp, &d), EXIT_IO, "fail early: refused");
    OK(tmp == NULL, "fail early: no temporary handed out");
    outset_free(os);
    INT_EQ(temps_in(tmpdir), 0, "fail early: no temporary left");

    unlink(site);
    unlink(path);
    diag_free(&d);
    free(path);
    free(site);
    free(sitedir);
    analysis_free(&a);
}

/* Two writers at once, several times over: every reader afterwards sees
 * one complete archive, never a mix. */
static void test_concurrent(void)
{
    char *path = path_in("results.sqlite");
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            analysis a;
            make_analysis(&a, tmpdir);
            a.r.groups[0].final_mean = 100 + k;
            diag_list d;
            diag_init(&d);
            int bad = 0;
            for (int i = 0; i < 8; i++)
                bad |= archive_write(&a, NULL, path, &d);
            diag_free(&d);
            analysis_free(&a);
            _exit(bad);
        }
    }
    int ok = 1;
    for (int k = 0; k < 2; k++) {
        int st;
        waitpid(kids[k], &st, 0);
        ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    OK(ok, "concurrent: both writers succeeded");
    analysis b;
    memset(&b, 0, sizeof b);
    diag_list d;
    diag_init(&d);
    INT_EQ(archive_read(path, tmpdir, &b, &d), 0, "concurrent: archive valid");
    OK(b.r.ngroups == 2 && (b.r.groups[0].final_mean == 100 || b.r.groups[0].final_mean == 101),
       "concurrent: one writer's archive, whole");
    INT_EQ(temp_files(), 0, "concurrent: no temporary left");
    analysis_free(&b);
    diag_free(&d);
    unlink(path);
    free(path);
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *slash = strrchr(argv[0], '/');
    extension_path = slash ? xasprintf("%.*s/../memreport_samples", (int)(slash - argv[0]), argv[0])
                           : xstrdup("../memreport_samples");
    char tmpl[] = "/tmp/test_archive.XXXXXX";
    tmpdir = mkdtemp(tmpl);
    if (!tmpdir) {
        printf("FAIL setup: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_round_trip();
    test_matches();
    test_old_schema();
    test_older_schemas();
    test_unbacked_table();
    test_group_tables();
    test_damaged();
    test_concurrent();
    test_stage();
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("FAIL cleanup\n");
    free(cmd);
    free(extension_path);
    return harness_done();
}
