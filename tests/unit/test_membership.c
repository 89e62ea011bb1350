/* Membership resolution on hand-built experiments: sources in order,
 * windows, fingerprints, exclude, overlaps, column membership that changes
 * mid-experiment, discovery without a manifest, ambiguous group files. */
#include "expfix.h"
#include "harness.h"
#include "membership.h"
#include "stats.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */
#define H 3600

static bool has_error_containing(const diag_list *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].severity == DIAG_ERROR && strstr(d->items[i].message, needle))
            return true;
    return false;
}

static const char *first_message(const diag_list *d)
{
    return d->n ? d->items[0].message : "";
}

static void fill_all(experiment *e, double v)
{
    for (size_t r = 0; r < e->nrelays; r++)
        for (size_t c = 0; c < e->ncoll; c++)
            fx_set(e, r, c, v, v);
}

/* membership_relay_mask gives membership_has's answer at every (g, r, c),
 * and says false only for an all-zero mask. */
static void mask_agrees(const membership *m, const experiment *e, const char *name)
{
    unsigned char *in = xmalloc(e->ncoll + 1);
    size_t bad = 0;
    for (size_t g = 0; g < m->ngroups; g++)
        for (size_t r = 0; r < e->nrelays; r++) {
            memset(in, 7, e->ncoll + 1);
            bool any = membership_relay_mask(m, e, g, r, in), seen = false;
            for (size_t c = 0; c < e->ncoll; c++) {
                bad += in[c] != (membership_has(m, e, g, r, c) ? 1 : 0);
                seen |= in[c] == 1;
            }
            bad += (!any && seen) || in[e->ncoll] != 7;
        }
    free(in);
    INT_EQ(bad, 0, name);
}

static void test_list_fingerprint_window(void)
{
    experiment e;
    fx_init(&e, 4, 4, T0, 12 * H);
    fill_all(&e, 1.0);
    free(e.relays[2].fingerprint);
    e.relays[2].fingerprint = xstrdup("0123456789ABCDEF0123456789ABCDEF01234567");
    manifest_group *a = fx_group(&e, "A", "first");
    fx_members(a, "r0", "0123456789abcdef0123456789abcdef01234567", "ghost", NULL);
    a->start = T0 + 12 * H;
    a->end = T0 + 24 * H;
    manifest_group *b = fx_group(&e, "B", NULL);
    fx_members(b, "r1", NULL);
    membership m;
    diag_list d;
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 0, "list: resolves");
    INT_EQ(m.ngroups, 2, "list: two groups");
    INT_EQ(m.groups[0].source, MEMBERS_MANIFEST_LIST, "list: source");
    OK(membership_has(&m, &e, 0, 0, 1), "list: r0 in A inside window");
    OK(!membership_has(&m, &e, 0, 0, 0), "window: before start excluded");
    OK(!membership_has(&m, &e, 0, 0, 3), "window: after end excluded");
    OK(membership_has(&m, &e, 0, 2, 2), "fingerprint matched case-insensitively");
    OK(!membership_has(&m, &e, 0, 1, 1), "list: r1 not in A");
    INT_EQ(m.groups[0].nmembers, 2, "list: two members with samples");
    INT_EQ(m.groups[0].nmissing, 1, "missing: one listed member never seen");
    STR_EQ(m.groups[0].nmissing ? m.groups[0].missing[0] : NULL, "ghost", "missing: named");
    STR_EQ(m.groups[1].name, "B", "name defaults to the ID");
    OK(m.groups[0].color && m.groups[0].color[0] == '#', "palette colour given");
    INT_EQ(m.nungrouped, 1, "ungrouped: r3 only");
    OK(m.ungrouped[3] && !m.ungrouped[0], "ungrouped: flags");
    INT_EQ(membership_find(&m, "B"), 1, "find B");
    INT_EQ(membership_find(&m, "b"), -1, "find is case-sensitive");
    mask_agrees(&m, &e, "list: relay masks equal membership_has");
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

static void test_exclude_and_file(void)
{
    experiment e;
    fx_init(&e, 4, 2, T0, H);
    fill_all(&e, 1.0);
    fx_gfile(&e, "A", "groups/group_A_x.txt", "r0", "r1", "r2", NULL);
    fx_gfile(&e, NULL, "lists/custom.txt", "r3", NULL);
    manifest_group *a = fx_group(&e, "A", "from file");
    a->has_members = true;
    a->members_file = xstrdup("./groups/group_A_x.txt");
    fx_exclude(a, "r1", NULL);
    manifest_group *b = fx_group(&e, "B", "elsewhere");
    b->has_members = true;
    b->members_file = xstrdup("lists/custom.txt");
    membership m;
    diag_list d;
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 0, "file: resolves");
    INT_EQ(m.groups[0].source, MEMBERS_MANIFEST_FILE, "file: source");
    STR_EQ(m.groups[0].source_path, "groups/group_A_x.txt", "file: path");
    OK(membership_has(&m, &e, 0, 0, 0) && membership_has(&m, &e, 0, 2, 0), "file: members");
    OK(!membership_has(&m, &e, 0, 1, 0), "exclude removes r1");
    INT_EQ(m.groups[0].nmembers, 2, "exclude: two left");
    OK(membership_has(&m, &e, 1, 3, 1), "members file outside groups/ read by path");
    mask_agrees(&m, &e, "file: relay masks equal membership_has");
    membership_free(&m);
    diag_free(&d);

    /* A members file ingest did not read is an error naming it. */
    free(b->members_file);
    b->members_file = xstrdup("lists/nothere.txt");
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 1, "unread members file: error");
    OK(has_error_containing(&d, "lists/nothere.txt"), "unread members file: named");
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

static void test_overlap(bool strict)
{
    experiment e;
    fx_init(&e, 5, 4, T0, 12 * H);
    fill_all(&e, 2.0);
    free(e.relays[1].nickname);
    e.relays[1].nickname = xstrdup("kendricklamar");
    free(e.relays[2].nickname);
    e.relays[2].nickname = xstrdup("keithsweat");
    free(e.relays[3].nickname);
    e.relays[3].nickname = xstrdup("kenmani");
    manifest_group *dgr = fx_group(&e, "D", "jemalloc");
    fx_members(dgr, "r0", "kendricklamar", "keithsweat", "kenmani", NULL);
    dgr->start = T0 + 12 * H;
    manifest_group *egr = fx_group(&e, "E", "glibc");
    fx_members(egr, "kendricklamar", "keithsweat", "kenmani", "r4", NULL);
    membership m;
    diag_list d;
    diag_init(&d);
    int rc = membership_resolve(&e, strict, &m, &d);
    if (strict) {
        INT_EQ(rc, 1, "overlap strict: error");
        INT_EQ(d.nerrors, 1, "overlap strict: one error");
    } else {
        INT_EQ(rc, 0, "overlap: warning only");
        INT_EQ(m.noverlaps, 3, "overlap: three relays");
        INT_EQ(m.noverlaps ? m.overlaps[0].from : 0, T0 + 12 * H, "overlap: from D's start");
        INT_EQ(m.noverlaps ? m.overlaps[0].to : 0, T0 + 36 * H, "overlap: to the last sample");
        INT_EQ(d.n, 1, "overlap: one sentence for the three");
        STR_EQ(first_message(&d),
               "kendricklamar, keithsweat and kenmani are in both D and E from 2026-01-01 "
               "12:00; they count in both groups",
               "overlap: message names relays, groups and time");
        OK(membership_has(&m, &e, 0, 1, 2) && membership_has(&m, &e, 1, 1, 2),
           "overlap: counted in both");
    }
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* The group column: a relay moved from reserve into B at collection 2
 * counts in B from that row on; a relay always in reserve is ungrouped. */
static void test_column(void)
{
    experiment e;
    fx_init(&e, 4, 4, T0, H);
    fill_all(&e, 1.0);
    fx_colgroups(&e, "B", "A", NULL);
    for (size_t c = 0; c < 4; c++) {
        e.col_group[exp_idx(&e, 0, c)] = 1;          /* A throughout */
        e.col_group[exp_idx(&e, 1, c)] = c >= 2 ? 0 : COLGROUP_NONE; /* reserve -> B */
        e.col_group[exp_idx(&e, 3, c)] = 0;          /* B throughout */
    }
    membership m;
    diag_list d;
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 0, "column: resolves");
    INT_EQ(m.ngroups, 2, "column: discovered two groups");
    STR_EQ(m.groups[0].id, "A", "column: sorted (A first)");
    STR_EQ(m.groups[1].id, "B", "column: sorted (B second)");
    INT_EQ(m.groups[1].source, MEMBERS_GROUP_COLUMN, "column: source");
    OK(!membership_has(&m, &e, 1, 1, 1), "column: reserve row not in B");
    OK(membership_has(&m, &e, 1, 1, 2), "column: in B from the row that says so");
    INT_EQ(m.groups[1].nmembers, 2, "column: B has two members over time");
    INT_EQ(m.nungrouped, 1, "column: reserve-only relay ungrouped");
    OK(m.ungrouped[2], "column: r2 ungrouped");
    mask_agrees(&m, &e, "column: relay masks equal membership_has");
    membership_free(&m);
    diag_free(&d);

    /* With a manifest: the column is used for IDs that appear in it, and
     * exclude works on column membership too. */
    manifest_group *b = fx_group(&e, "B", "bee");
    fx_exclude(b, "r3", NULL);
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 0, "column+manifest: resolves");
    INT_EQ(m.ngroups, 1, "column+manifest: only manifest groups");
    OK(!membership_has(&m, &e, 0, 3, 1), "column exclude: r3 left out");
    OK(membership_has(&m, &e, 0, 1, 3), "column exclude: r1 kept");
    mask_agrees(&m, &e, "column+manifest: relay masks equal membership_has");
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

static void test_files_and_config(void)
{
    experiment e;
    fx_init(&e, 4, 2, T0, H);
    fill_all(&e, 1.0);
    fx_gfile(&e, "B", "groups/group_B_old.txt", "r0", NULL);
    fx_gfile(&e, "B", "groups/group_B_new.txt", "r1", NULL);
    fx_gfile(&e, "A", "groups/group_A_x.txt", "r2", NULL);
    membership m;
    diag_list d;
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 1, "ambiguous files: error");
    OK(has_error_containing(&d, "groups/group_B_old.txt") &&
           has_error_containing(&d, "groups/group_B_new.txt"),
       "ambiguous files: both named");
    OK(has_error_containing(&d, "\"members\""), "ambiguous files: says how to choose");
    membership_free(&m);
    diag_free(&d);

    /* Choosing one in the manifest resolves it. */
    manifest_group *b = fx_group(&e, "B", NULL);
    b->has_members = true;
    b->members_file = xstrdup("groups/group_B_new.txt");
    fx_group(&e, "A", NULL);
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 0, "chosen file: resolves");
    OK(membership_has(&m, &e, 0, 1, 0) && !membership_has(&m, &e, 0, 0, 0), "chosen file used");
    INT_EQ(m.groups[1].source, MEMBERS_GROUP_FILE, "A from its single group file");
    membership_free(&m);
    diag_free(&d);

    /* relay_config.csv comes before group files. */
    e.assignments = xcalloc(2, sizeof *e.assignments);
    e.assignments[0] = (relay_assignment){xstrdup("r3"), xstrdup("A"), 2};
    e.assignments[1] = (relay_assignment){xstrdup("nobody"), xstrdup("A"), 3};
    e.nassignments = 2;
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 0, "relay_config: resolves");
    INT_EQ(m.groups[1].source, MEMBERS_RELAY_CONFIG, "relay_config before group files");
    OK(membership_has(&m, &e, 1, 3, 0) && !membership_has(&m, &e, 1, 2, 0), "relay_config members");
    INT_EQ(m.groups[1].nmissing, 1, "relay_config: unknown key missing");
    membership_free(&m);
    diag_free(&d);

    /* An ID no source knows is an error. */
    fx_group(&e, "Z", NULL);
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 1, "unknown group: error");
    OK(has_error_containing(&d, "unknown group Z"), "unknown group: named");
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

/* Members' own windows: r1 leaves A after c1 and joins B at c2, r3
 * joins B at c3, r0 is listed twice for C (the span of its windows), and
 * a plain listing beside a window means the whole data. Hand-computed
 * finals: A = r0 alone (1 GiB, 1 of 2 members), B = (3 + 0.5 + 4) / 3. */
static void test_member_windows(void)
{
    experiment e;
    fx_init(&e, 4, 4, T0, 12 * H);
    for (size_t c = 0; c < 4; c++) {
        fx_set(&e, 0, c, 1, 1);
        fx_set(&e, 1, c, c < 2 ? 2 : 0.5, c < 2 ? 2 : 0.5);
        fx_set(&e, 2, c, 3, 3);
        fx_set(&e, 3, c, 4, 4);
    }
    manifest_group *a = fx_group(&e, "A", NULL);
    fx_members(a, "r0", "r1", NULL);
    fx_member_window(a, 1, TIME_NONE, T0 + 12 * H);
    manifest_group *b = fx_group(&e, "B", NULL);
    fx_members(b, "r2", "r1", "r3", NULL);
    fx_member_window(b, 1, T0 + 24 * H, TIME_NONE);
    fx_member_window(b, 2, T0 + 36 * H, TIME_NONE);
    manifest_group *c = fx_group(&e, "C", NULL);
    fx_members(c, "r0", "r0", "r2", "r2", NULL);
    fx_member_window(c, 0, TIME_NONE, T0);
    fx_member_window(c, 1, T0 + 36 * H, TIME_NONE);
    fx_member_window(c, 2, T0 + 12 * H, T0 + 12 * H);
    c->start = T0 + 12 * H;
    membership m;
    diag_list d;
    diag_init(&d);
    INT_EQ(membership_resolve(&e, false, &m, &d), 0, "member windows: resolve");
    OK(membership_has(&m, &e, 0, 1, 1), "member window: r1 in A up to its end (inclusive)");
    OK(!membership_has(&m, &e, 0, 1, 2), "member window: r1 not in A after its end");
    OK(membership_has(&m, &e, 0, 0, 3), "member window: a plain member has the whole data");
    OK(!membership_has(&m, &e, 1, 1, 1), "member window: r1 not in B before its start");
    OK(membership_has(&m, &e, 1, 1, 2), "member window: r1 in B from its start");
    OK(!membership_has(&m, &e, 1, 3, 2) && membership_has(&m, &e, 1, 3, 3),
       "member window: r3 joins B at c3");
    OK(membership_has(&m, &e, 2, 0, 1) && membership_has(&m, &e, 2, 0, 2),
       "listed twice: the span from the earliest start to the latest end");
    OK(!membership_has(&m, &e, 2, 0, 0), "listed twice: the group's own window still applies");
    OK(membership_has(&m, &e, 2, 2, 3), "a plain listing beside a window: the whole data");
    INT_EQ(m.noverlaps, 2, "member windows: r0 in A and C, r2 in B and C; r1 in no two at once");
    INT_EQ(membership_member_start(&m, 1, 3), T0 + 36 * H, "member start: r3's own");
    INT_EQ(membership_member_start(&m, 2, 0), T0 + 12 * H, "member start: the group's, later");
    INT_EQ(membership_member_start(&m, 0, 0), INT64_MIN, "member start: open");
    results res;
    stats_options so = {.until = INT64_MAX, .baseline = "A"};
    INT_EQ(stats_compute(&e, &m, &so, &res, &d), 0, "member windows: stats");
    INT_EQ(res.groups[0].final_n, 1, "A's final: r0 alone");
    DBL_NEAR(res.groups[0].final_mean, 1.0, 1e-6, "A's final mean");
    INT_EQ(m.groups[0].nmembers, 2, "A has two members over the data");
    INT_EQ(res.groups[1].final_n, 3, "B's final: r1, r2 and r3");
    DBL_NEAR(res.groups[1].final_mean, 7.5 / 3, 1e-6, "B's final mean (3 + 0.5 + 4) / 3");
    DBL_NEAR(res.groups[1].series[0].mean, 3.0, 1e-6, "B at c0: r2 alone");
    results_free(&res);
    mask_agrees(&m, &e, "member windows: relay masks equal membership_has");
    membership_free(&m);
    diag_free(&d);
    experiment_free(&e);
}

int main(void)
{
    test_member_windows();
    test_list_fingerprint_window();
    test_exclude_and_file();
    test_overlap(false);
    test_overlap(true);
    test_column();
    test_files_and_config();
    return harness_done();
}
