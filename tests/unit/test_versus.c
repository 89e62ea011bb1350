/* Every group against its own control (versus.c) and its renderings
 * (compare_rank.c), on hand-built experiments whose figures are known:
 * the control rules in order, "% less" and its interval (the experiment's
 * own ratio interval when the control is the baseline, a point when every
 * relay holds the same value), the configuration a group differs by, the
 * ranking across experiments, caveats, and the CSV and Markdown tables. */
#include <jansson.h>

#include "analysis.h"
#include "compare.h"
#include "expfix.h"
#include "harness.h"
#include "versus.h"

#define T0 1767268800 /* 2026-01-01T12:00:00Z */
#define DAY 86400

static void analyse(analysis *a)
{
    diag_init(&a->diag);
    membership_resolve(&a->e, false, &a->m, &a->diag);
    stats_options o = {.until = INT64_MAX};
    stats_compute(&a->e, &a->m, &o, &a->r, &a->diag);
}

static void set_config(manifest_group *g, const char *json)
{
    free(g->config_json);
    g->config_json = xstrdup(json);
    json_t *v = json_loads(json, 0, NULL);
    free(g->allocator);
    free(g->version);
    g->allocator = xstrdup(json_string_value(json_object_get(v, "allocator")));
    g->version = xstrdup(json_string_value(json_object_get(v, "version")));
    json_decref(v);
}

/* X: A finals 4,5,6,9 (mean 6, the baseline); B 1,2,2,3 (mean 2), same
 * allocator as A with other tunables; C one relay at 2 on mimalloc. */
static void make_x(analysis *a)
{
    memset(a, 0, sizeof *a);
    experiment *e = &a->e;
    fx_abc_samples(e, T0, DAY);
    e->man.id = xstrdup("x");
    e->man.name = xstrdup("Experiment X");
    manifest_group *g = fx_group(e, "A", "tuned A");
    fx_members(g, "r0", "r1", "r2", "r3", NULL);
    set_config(g, "{\"allocator\":\"glibc\",\"version\":\"2.41\",\"DirCache\":\"1\"}");
    g = fx_group(e, "B", "tuned B");
    fx_members(g, "r4", "r5", "r6", "r7", NULL);
    set_config(g, "{\"allocator\":\"glibc\",\"version\":\"2.41\",\"DirCache\":\"0\","
                  "\"MaxMemInQueues\":\"2 GB\"}");
    g = fx_group(e, "C", "mimalloc");
    fx_members(g, "r8", NULL);
    set_config(g, "{\"allocator\":\"mimalloc\",\"version\":\"2.0.9\",\"DirCache\":\"1\"}");
    analyse(a);
}

/* Y: G1 three relays at 2 GiB (the manifest's baseline), G2 three at 4
 * GiB (the control when asked for), G3 two at 1; no configs. */
static void make_y(analysis *a, const char *control)
{
    memset(a, 0, sizeof *a);
    experiment *e = &a->e;
    fx_init(e, 8, 3, T0, DAY);
    for (size_t c = 0; c < 3; c++)
        for (size_t r = 0; r < 8; r++)
            fx_set(e, r, c, r < 3 ? 2.0 : r < 6 ? 4.0 : 1.0, -1);
    e->man.id = xstrdup("y");
    e->man.name = xstrdup("Experiment Y");
    e->man.control = control ? xstrdup(control) : NULL;
    e->man.baseline = xstrdup("G1");
    fx_members(fx_group(e, "G1", "one"), "r0", "r1", "r2", NULL);
    fx_members(fx_group(e, "G2", "two"), "r3", "r4", "r5", NULL);
    fx_members(fx_group(e, "G3", "three"), "r6", "r7", NULL);
    analyse(a);
}

static const versus_row *row_of(const versus_table *t, size_t exp, const char *id,
                                const analysis *const *as)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (t->rows[i].exp == exp && str_eq(as[exp]->m.groups[t->rows[i].group].id, id))
            return &t->rows[i];
    return NULL;
}

static void test_control_rules(void)
{
    analysis x;
    make_x(&x);
    control_reason why;
    INT_EQ(versus_control(&x, &why), 0, "control: first glibc group (A)");
    INT_EQ(why, CONTROL_GLIBC, "control: chosen as the glibc group");
    set_config(&x.e.man.groups[1], "{\"allocator\":\"glibc\",\"version\":\"2.41\","
                                    "\"source\":\"system default\"}");
    INT_EQ(versus_control(&x, &why), 1, "control: config says default (B) beats glibc");
    INT_EQ(why, CONTROL_DEFAULT, "control: chosen as default");
    free(x.m.groups[2].name);
    x.m.groups[2].name = xstrdup("mimalloc (control)");
    INT_EQ(versus_control(&x, &why), 2, "control: a name that says control beats default");
    INT_EQ(why, CONTROL_NAMED, "control: chosen as named");
    x.e.man.control = xstrdup("A");
    INT_EQ(versus_control(&x, &why), 0, "control: the manifest's key beats everything");
    INT_EQ(why, CONTROL_MANIFEST, "control: chosen by the manifest");
    analysis_free(&x);

    analysis y;
    make_y(&y, NULL); /* no config, no names: the baseline */
    INT_EQ(versus_control(&y, &why), 0, "control: falls back to the baseline (G1)");
    INT_EQ(why, CONTROL_BASELINE, "control: chosen as the baseline");
    analysis_free(&y);
}

static void test_differs(void)
{
    analysis x;
    make_x(&x);
    char *s = versus_differs(&x, 1, 0);
    STR_EQ(s, "DirCache=0, MaxMemInQueues=2 GB", "differs: config keys, same allocator");
    free(s);
    s = versus_differs(&x, 0, 1);
    STR_EQ(s, "DirCache=1, MaxMemInQueues unset", "differs: a key the control has and the group not");
    free(s);
    s = versus_differs(&x, 2, 0);
    STR_EQ(s, "mimalloc 2.0.9", "differs: another allocator");
    free(s);
    s = versus_differs(&x, 0, 0);
    STR_EQ(s, "same configuration", "differs: nothing");
    free(s);
    analysis_free(&x);
}

static void test_table(void)
{
    analysis x, y;
    make_x(&x);
    make_y(&y, "G2");
    const analysis *as[] = {&x, &y};
    const char *titles[] = {"Experiment X", "Experiment Y"};
    versus_table t;
    versus_build(as, 2, &t);
    INT_EQ(t.nrows, 6, "table: one row per group");
    INT_EQ(t.nranked, 4, "table: four groups ranked, two controls after them");

    /* X: control A (glibc, and the baseline): B = 100 x (1 - 2/6). */
    const versus_row *b = row_of(&t, 0, "B", as);
    DBL_NEAR(b->pct_less, 100.0 * (1 - 2.0 / 6.0), 1e-9, "X.B: % less than A");
    DBL_NEAR(b->ratio, 3.0, 1e-9, "X.B: ratio A / B");
    DBL_NEAR(b->ratio_lo, x.r.groups[1].ratio_lo, 1e-12, "X.B: the page's own interval (low)");
    DBL_NEAR(b->ratio_hi, x.r.groups[1].ratio_hi, 1e-12, "X.B: the page's own interval (high)");
    DBL_NEAR(b->pct_lo, 100.0 * (1 - 1 / x.r.groups[1].ratio_lo), 1e-9, "X.B: % interval from the ratio's");
    OK(b->pct_lo < b->pct_less && b->pct_less < b->pct_hi, "X.B: interval around the figure");
    const versus_row *c = row_of(&t, 0, "C", as);
    OK(c->caveat_small && c->caveat_no_ci, "X.C: one relay: small, no CI");
    DBL_NEAR(c->pct_less, 100.0 * (1 - 2.0 / 6.0), 1e-9, "X.C: % less than A");

    /* Y: control G2 by the manifest, not the baseline (G1): every relay
     * holds one value, so the bootstrap interval is the point itself. */
    const versus_row *g1 = row_of(&t, 1, "G1", as);
    DBL_NEAR(g1->pct_less, 50.0, 1e-9, "Y.G1: 50% less than G2");
    DBL_NEAR(g1->pct_lo, 50.0, 1e-9, "Y.G1: interval low is the point");
    DBL_NEAR(g1->pct_hi, 50.0, 1e-9, "Y.G1: interval high is the point");
    OK(!g1->caveat_small && !g1->caveat_no_ci, "Y.G1: three relays, a CI: no caveat");
    const versus_row *g3 = row_of(&t, 1, "G3", as);
    DBL_NEAR(g3->pct_less, 75.0, 1e-9, "Y.G3: 75% less than G2");
    OK(g3->caveat_small, "Y.G3: two relays: caveat");
    OK(row_of(&t, 1, "G2", as)->is_control, "Y.G2 is the control");

    /* Ranked across experiments: 75 (Y.G3), 66.7 (X.B, X.C: experiment
     * then group order), 50 (Y.G1), then the controls X.A, Y.G2. */
    const char *want[] = {"G3", "B", "C", "G1", "A", "G2"};
    size_t want_exp[] = {1, 0, 0, 1, 0, 1};
    bool order = true;
    for (size_t i = 0; i < 6; i++)
        order &= t.rows[i].exp == want_exp[i] &&
                 str_eq(as[t.rows[i].exp]->m.groups[t.rows[i].group].id, want[i]);
    OK(order, "ranking across experiments, controls last");

    strbuf s;
    buf_init(&s);
    compare_rank_csv(&t, as, titles, &s);
    STR_CONTAINS(s.data, COMPARE_RANK_CSV_HEADER "\n", "csv: header");
    STR_CONTAINS(s.data, "\n1,Experiment Y,y,G3,three,three,,three,2,1.0000,G2,the manifest's control,3,"
                         "4.0000,75.00,75.00,75.00,4.0000,4.0000,4.0000,only 2 relays\n",
                 "csv: rank 1 row");
    STR_CONTAINS(s.data, "\n,Experiment X,x,A,tuned A,glibc,2.41,,4,6.0000,A,the glibc group,4,6.0000,"
                         "0.00,0.00,0.00,1.0000,1.0000,1.0000,\n",
                 "csv: the control row, unranked");
    buf_reset(&s);
    compare_rank_md(&t, as, titles, &s);
    STR_CONTAINS(s.data, "| Rank | Experiment | Group | Differs from control by |", "md: header");
    STR_CONTAINS(s.data, "| 2 | Experiment X | B · tuned B | DirCache=0, MaxMemInQueues=2 GB | 4 | 2.00 "
                         "| A (6.00 GiB) | 66.7% less (",
                 "md: X.B row");
    STR_CONTAINS(s.data, "| 3.00× less |", "md: ratio cell");
    STR_CONTAINS(s.data, "| 3 | Experiment X | C · mimalloc | mimalloc 2.0.9 | 1 | 2.00 | A (6.00 GiB) "
                         "| 66.7% less | 3.00× less | only 1 relay; no CI |",
                 "md: caveats in the note");
    STR_CONTAINS(s.data, "| – | Experiment Y | G2 · two | (the control) | 3 | 4.00 |  | control | 1.00× "
                         "| the manifest's control |",
                 "md: control row");
    buf_free(&s);
    versus_free(&t);
    analysis_free(&x);
    analysis_free(&y);
}

int main(void)
{
    test_control_rules();
    test_differs();
    test_table();
    return harness_done();
}
