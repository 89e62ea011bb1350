/* summary_csv / summary_json / summary_text on a hand-built analysis. */
#include <jansson.h>

#include "analysis.h"
#include "expfix.h"
#include "harness.h"
#include "summary.h"

#define T0 1767268800 /* 2026-01-01T12:00:00Z */
#define DAY 86400

/* A grows 0.5 GiB/day to finals 4,5,6,9; B is flat 1,2,2,3 and has a name
 * that needs CSV quoting; C is one relay 2,4,2,4,2. */
static void make(analysis *a)
{
    memset(a, 0, sizeof *a);
    experiment *e = &a->e;
    fx_abc_samples(e, T0, DAY);
    e->man.name = xstrdup("Fixture \x1b[31mexperiment");
    e->man.id = xstrdup("fx-1");
    fx_members(fx_group(e, "A", "grows"), "r0", "r1", "r2", "r3", NULL);
    fx_members(fx_group(e, "B", "flat, \"quoted\""), "r4", "r5", "r6", "r7", NULL);
    fx_members(fx_group(e, "C", "swings"), "r8", "ghost", NULL);
    diag_init(&a->diag);
    membership_resolve(e, false, &a->m, &a->diag);
    stats_options o = {.until = INT64_MAX};
    stats_compute(e, &a->m, &o, &a->r, &a->diag);
    diag_warn(&a->diag, "memory.csv", 7, "a warning for the JSON");
}

static char *line_of(const char *s, int n)
{
    for (int i = 0; i < n && s; i++) {
        s = strchr(s, '\n');
        if (s)
            s++;
    }
    if (!s)
        return xstrdup("");
    const char *e = strchr(s, '\n');
    return xstrndup(s, e ? (size_t)(e - s) : strlen(s));
}

static void test_csv(const analysis *a)
{
    strbuf b;
    buf_init(&b);
    summary_csv(a, &b);
    char *l0 = line_of(b.data, 0), *l1 = line_of(b.data, 1), *l2 = line_of(b.data, 2),
         *l3 = line_of(b.data, 3), *l4 = line_of(b.data, 4);
    STR_EQ(l0,
           "group,name,relays,final_mean_gib,ratio,ratio_lo,ratio_hi,p_value,p_holm,"
           "slope_ols_gib_day,slope_theil_sen_gib_day,steady_growth_gib_day,steady_lo,"
           "steady_hi,r2,trend",
           "csv: exact header");
    STR_EQ(l1, "A,grows,4,6.0000,1.000,1.000,1.000,,,0.5000,0.5000,0.5000,0.5000,0.5000,1.0000,"
               "Growing",
           "csv: baseline row");
    const group_result *B = &a->r.groups[1];
    char want[512];
    snprintf(want, sizeof want,
             "B,\"flat, \"\"quoted\"\"\",4,2.0000,3.000,%.3f,%.3f,0.0294,0.0588,0.0000,0.0000,"
             "0.0000,0.0000,0.0000,,Flat",
             B->ratio_lo, B->ratio_hi);
    STR_EQ(l2, want, "csv: quoted name, p-values, empty r2");
    STR_EQ(l3, "C,swings,1,2.0000,3.000,,,0.2888,0.2888,0.0000,0.0000,0.0000,,,0.0000,Variable",
           "csv: one-relay group has empty CI fields");
    STR_EQ(l4, "", "csv: one row per group");
    free(l0);
    free(l1);
    free(l2);
    free(l3);
    free(l4);
    buf_free(&b);
}

static void test_json(const analysis *a)
{
    strbuf b;
    buf_init(&b);
    summary_json(a, &b);
    json_error_t err;
    json_t *root = json_loads(b.data, 0, &err);
    OK(root != NULL, "json: parses");
    json_t *groups = json_object_get(root, "groups");
    INT_EQ(json_array_size(groups), 3, "json: three groups");
    json_t *g1 = json_array_get(groups, 1), *g2 = json_array_get(groups, 2);
    STR_EQ(json_string_value(json_object_get(g1, "name")), "flat, \"quoted\"", "json: name");
    DBL_NEAR(json_real_value(json_object_get(g1, "ratio")), 3.0, 1e-9, "json: ratio");
    OK(json_is_null(json_object_get(g2, "ratio_lo")), "json: NAN is null");
    STR_EQ(json_string_value(json_object_get(g2, "trend")), "Variable", "json: trend");
    json_t *ex = json_object_get(root, "experiment");
    STR_EQ(json_string_value(json_object_get(ex, "baseline")), "A", "json: baseline");
    STR_EQ(json_string_value(json_object_get(ex, "final_snapshot")), "2026-01-05T12:00:00Z",
           "json: final snapshot time");
    json_t *w = json_object_get(root, "warnings");
    OK(json_array_size(w) >= 1, "json: warnings present");
    STR_CONTAINS(json_string_value(json_array_get(w, json_array_size(w) - 1)),
                 "a warning for the JSON", "json: warning text");
    bool ghost = false;
    json_t *f = json_object_get(root, "findings");
    for (size_t i = 0; i < json_array_size(f); i++)
        ghost |= strstr(json_string_value(json_array_get(f, i)), "ghost") != NULL;
    OK(ghost, "json: findings name the missing member");
    json_decref(root);
    buf_free(&b);
}

static void test_text(const analysis *a)
{
    strbuf b;
    buf_init(&b);
    summary_text(a, &b);
    STR_CONTAINS(b.data, "Final snapshot: 2026-01-05 12:00", "text: snapshot time");
    STR_CONTAINS(b.data, "Baseline: A (grows)", "text: baseline");
    STR_CONTAINS(b.data, "3.00 (n/a)", "text: C's ratio without an interval");
    STR_CONTAINS(b.data, "Theil-Sen", "text: names the steady estimator");
    OK(strchr(b.data, '\x1b') == NULL, "text: control characters from data removed");
    /* Columns line up: "Relays" ends where each relay count ends. */
    char *h = line_of(b.data, 4), *r1 = line_of(b.data, 5);
    const char *rel = strstr(h, "Relays");
    size_t end = rel ? (size_t)(rel - h) + 6 : 0;
    OK(rel && strlen(r1) > end && r1[end - 1] == '4' && r1[end] == ' ', "text: aligned columns");
    free(h);
    free(r1);
    buf_free(&b);
}

int main(void)
{
    analysis a;
    make(&a);
    test_csv(&a);
    test_json(&a);
    test_text(&a);
    results_free(&a.r);
    membership_free(&a.m);
    experiment_free(&a.e);
    diag_free(&a.diag);
    return harness_done();
}
