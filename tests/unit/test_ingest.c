/* Ingest: the memory CSV into packed matrices (collections, identity,
 * duplicates, order, groups, errors with positions, the partial last
 * line), the optional tables, group files, and a whole directory. Ends
 * with the real 5-way experiment when it is present. */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "ingest.h"
#include "ingest_internal.h"
#include "membership.h"
#include "sha256.h"
#include "timestamp.h"
#include "util.h"

static const char *HDR =
    "timestamp,server,type,fingerprint,nickname,rss_kb,vmsize_kb,hwm_kb,frag_ratio,count,"
    "total_kb,avg_kb,min_kb,max_kb\n";
static const char *FP1 = "12E3D3AE15C3A4F39191EC69FF9FFB28A130A32E";
static const char *FP2 = "F14F2336C7FBCF654B670F765865CC471BC25465";

static int64_t ts(const char *s, int tz)
{
    ts_value v;
    timestamp_parse(s, strlen(s), tz, &v);
    return v.t;
}

/* Ingests CSV text with the given options; returns ingest's status. */
static int mem(const char *text, bool strict, bool force, int tz, experiment *e, diag_list *d)
{
    memset(e, 0, sizeof *e);
    e->man.tz_offset_min = tz;
    diag_init(d);
    FILE *f = tmpfile();
    fwrite(text, 1, strlen(text), f);
    rewind(f);
    ingest_options o = {.strict = strict, .force_libcsv = force};
    int rc = ingest_memory_csv(f, "m.csv", &o, e, d);
    fclose(f);
    return rc;
}

static char *cat(const char *a, const char *b)
{
    return xasprintf("%s%s", a, b);
}

/* First diagnostic, formatted ("m.csv:3:5: ..."), or "". */
static char *first_diag(const diag_list *d)
{
    return d->n ? diag_format(&d->items[0]) : xstrdup("");
}

static void collections_and_identity(void)
{
    char *t = cat(HDR, "2026-01-01T00:00:00,go,aggregate,,,,,,,2,300,150,100,200\n"
                       "2026-01-01T00:00:05,go,relay,12E3D3AE15C3A4F39191EC69FF9FFB28A130A32E,alpha,100,1000,110,1.5,,,,,\n"
                       "2026-01-01T00:01:59,go,relay,F14F2336C7FBCF654B670F765865CC471BC25465,beta,200,,,,,,,,\n"
                       "2026-01-01T00:02:06,go,relay,,alpha,101,,,,,,,,\n"
                       "2026-01-02T00:00:00,go,relay,,beta,202,2000,210,2.25,,,,,\n"
                       "2025-12-31T23:00:00,go,aggregate,,,,,,,1,50,50,50,50\n");
    for (int force = 0; force < 2; force++) {
        experiment e;
        diag_list d;
        const char *p = force ? "libcsv: " : "fast: ";
        char name[128];
#define N(s) (snprintf(name, sizeof name, "%s%s", p, s), name)
        INT_EQ(mem(t, false, force, 0, &e, &d), 0, N("clean file ingests"));
        INT_EQ(d.n, 0, N("no diagnostics"));
        INT_EQ(e.nrelays, 2, N("nickname-only rows join the fingerprinted relay"));
        INT_EQ(e.ncoll, 3, N("0:05 and 1:59 are one collection, 2:06 starts another"));
        INT_EQ(e.times[0], ts("2026-01-01T00:00:05", 0), N("collection time is its first timestamp"));
        INT_EQ(e.times[1], ts("2026-01-01T00:02:06", 0), N("second collection time"));
        STR_EQ(e.relays[0].fingerprint, FP1, N("relay 0 fingerprint"));
        STR_EQ(e.relays[1].nickname, "beta", N("relay 1 nickname"));
        INT_EQ(e.relays[1].first_line, 4, N("relay first line"));
        INT_EQ(e.rss_kb[exp_idx(&e, 0, 0)], 100, N("alpha c0 rss"));
        INT_EQ(e.rss_kb[exp_idx(&e, 1, 0)], 200, N("beta c0 rss"));
        INT_EQ(e.rss_kb[exp_idx(&e, 0, 1)], 101, N("alpha c1 rss from nickname-only row"));
        INT_EQ(e.rss_kb[exp_idx(&e, 1, 1)], KB_MISSING, N("beta c1 missing"));
        INT_EQ(e.rss_kb[exp_idx(&e, 1, 2)], 202, N("beta c2 rss"));
        INT_EQ(e.vmsize_kb[exp_idx(&e, 1, 0)], KB_MISSING, N("empty vmsize is missing"));
        INT_EQ(e.hwm_kb[exp_idx(&e, 0, 0)], 110, N("hwm read"));
        DBL_NEAR(e.frag[exp_idx(&e, 1, 2)], 2.25, 1e-6, N("frag read"));
        OK(isnan(e.frag[exp_idx(&e, 1, 0)]), N("empty frag is NAN"));
        OK(e.col_group == NULL, N("no group column, no col_group"));
        INT_EQ(e.naggs, 2, N("two aggregate rows"));
        INT_EQ(e.aggs[0].t, ts("2025-12-31T23:00:00", 0), N("aggregates sorted by time"));
        INT_EQ(e.aggs[1].total_kb, 300, N("aggregate total"));
        INT_EQ(e.aggs[1].line, 2, N("aggregate line"));
        INT_EQ(e.notes.relay_rows, 4, N("relay rows counted"));
        INT_EQ(e.notes.aggregate_rows, 2, N("aggregate rows counted"));
        INT_EQ(e.notes.duplicate_rows, 0, N("no duplicates"));
        INT_EQ(e.ninputs, 1, N("one input recorded"));
        char want[65];
        sha256_hex_of(t, strlen(t), want);
        STR_EQ(e.inputs[0].sha256, want, N("input sha256"));
        INT_EQ(e.inputs[0].rows, 6, N("input rows"));
        INT_EQ(e.inputs[0].bytes, strlen(t), N("input bytes"));
        experiment_free(&e);
        diag_free(&d);
#undef N
    }
    free(t);
}

static void nickname_first(void)
{
    const char *t = "timestamp,nickname,fingerprint,rss_kb\n"
                    "2026-01-01T00:00:00,alpha,,10\n"
                    "2026-01-02T00:00:00,alpha,12e3d3ae15c3a4f39191ec69ff9ffb28a130a32e,20\n"
                    "2026-01-03T00:00:00,,12E3D3AE15C3A4F39191EC69FF9FFB28A130A32E,30\n";
    experiment e;
    diag_list d;
    INT_EQ(mem(t, false, false, 0, &e, &d), 0, "nickname first: ingests");
    INT_EQ(e.nrelays, 1, "nickname then fingerprint rows are one relay");
    STR_EQ(e.relays[0].fingerprint, FP1, "fingerprint adopted, upper-cased");
    INT_EQ(e.rss_kb[2], 30, "fingerprint-only row found the relay");
    experiment_free(&e);
    diag_free(&d);
}

/* Two relays under one nickname, no fingerprints: rows with different
 * values at one collection are two relays (the second called alpha#2,
 * continued by order within each collection); a row equal in every value
 * to one already there is a duplicate. By hand: alpha = 10, 11, 12 and
 * alpha#2 = 20, 21 (it is missing at the third collection). */
static void two_relays_one_nickname(void)
{
    const char *t = "timestamp,nickname,fingerprint,rss_kb,group\n"
                    "2026-01-01T00:00:00,alpha,,10,A\n"
                    "2026-01-01T00:00:00,beta,,5,A\n"
                    "2026-01-01T00:00:01,alpha,,20,A\n"
                    "2026-01-02T00:00:00,alpha,,11,A\n"
                    "2026-01-02T00:00:00,alpha,,21,A\n"
                    "2026-01-02T00:00:05,alpha,,21,A\n"
                    "2026-01-03T00:00:00,alpha,,12,A\n"
                    "2026-01-03T00:00:00,beta,,5,A\n"
                    "2026-01-03T00:00:00,beta,,5,B\n";
    for (int force = 0; force < 2; force++) {
        experiment e;
        diag_list d;
        INT_EQ(mem(t, false, force, 0, &e, &d), 0, "shared nickname: ingests");
        INT_EQ(e.nrelays, 4, "shared nickname: alpha twice, beta twice (its group differs)");
        INT_EQ(e.ncoll, 3, "shared nickname: three collections");
        if (e.nrelays == 4 && e.ncoll == 3) {
            STR_EQ(relay_label(&e.relays[0]), "alpha", "the first keeps the nickname");
            STR_EQ(relay_label(&e.relays[2]), "alpha#2", "the second is alpha#2");
            STR_EQ(e.relays[2].nickname, "alpha", "alpha#2's nickname is still alpha");
            STR_EQ(relay_label(&e.relays[3]), "beta#2", "beta#2");
            INT_EQ(e.rss_kb[exp_idx(&e, 0, 1)], 11, "alpha at collection 2");
            INT_EQ(e.rss_kb[exp_idx(&e, 2, 0)], 20, "alpha#2 at collection 1");
            INT_EQ(e.rss_kb[exp_idx(&e, 2, 1)], 21, "alpha#2 at collection 2");
            OK(e.rss_kb[exp_idx(&e, 2, 2)] == KB_MISSING, "alpha#2 has no third sample");
            INT_EQ(e.notes.duplicate_rows, 1, "the equal row is one duplicate");
            INT_EQ(e.notes.first_duplicate_line, 7, "the duplicate's line");
            INT_EQ(e.notes.nshared, 2, "two splits noted");
            if (e.notes.nshared == 2) {
                INT_EQ(e.notes.shared[0].line1, 2, "alpha's first line");
                INT_EQ(e.notes.shared[0].line2, 4, "alpha#2's first line");
            }
        }
        experiment_free(&e);
        diag_free(&d);
    }
}

static void duplicates_order_groups_tz(void)
{
    const char *t = "nickname,rss_kb,extra,timestamp,group\n"
                    "a,1,x,2026-01-01T10:00:00,A\n"
                    "b,2,x,2026-01-01T10:00:01,\n"
                    "a,3,x,2026-01-01T10:00:02,B\n"
                    "a,4,x,2026-01-01T11:00:00,A\n"
                    "b,5,x,2026-01-01T10:59:00,A\n";
    experiment e;
    diag_list d;
    INT_EQ(mem(t, false, false, -480, &e, &d), 0, "any column order, unknown column ignored");
    INT_EQ(e.ncoll, 2, "two collections");
    INT_EQ(e.times[0], ts("2026-01-01T18:00:00Z", 0), "naive timestamps in the manifest zone");
    /* Two rows of "a" in one collection with different values (and
     * groups) are two relays, not a duplicate. */
    INT_EQ(e.notes.duplicate_rows, 0, "no duplicate: the two rows of a differ");
    INT_EQ(e.nrelays, 3, "a, b and a#2");
    STR_EQ(relay_label(&e.relays[2]), "a#2", "the second a");
    INT_EQ(e.rss_kb[exp_idx(&e, 0, 0)], 1, "a's own row");
    INT_EQ(e.rss_kb[exp_idx(&e, 2, 0)], 3, "a#2's row");
    INT_EQ(e.notes.out_of_order_rows, 1, "one out-of-order row");
    INT_EQ(e.notes.first_out_of_order_line, 6, "out-of-order line");
    INT_EQ(e.ncolgroups, 2, "two distinct group values");
    OK(e.col_group != NULL, "col_group filled");
    STR_EQ(e.colgroups[e.col_group[exp_idx(&e, 2, 0)]], "B", "group of a#2's row");
    INT_EQ(e.col_group[exp_idx(&e, 1, 0)], COLGROUP_NONE, "empty group is COLGROUP_NONE");
    STR_EQ(e.colgroups[e.col_group[exp_idx(&e, 1, 1)]], "A", "group per sample");
    experiment_free(&e);
    diag_free(&d);
}

static const struct {
    const char *name;
    const char *text; /* after HDR unless it starts with '!' */
    const char *want; /* first diagnostic, prefix */
} bad[] = {
    {"negative kB", "2026-01-01T00:00:00,go,relay,,a,-5,,,,,,,,\n",
     "m.csv:2:33: rss_kb: '-5' is negative"},
    {"non-numeric kB", "2026-01-01T00:00:00,go,relay,,a,12,abc,,,,,,,\n",
     "m.csv:2:36: vmsize_kb: 'abc' is not a number"},
    {"fractional kB", "2026-01-01T00:00:00,go,relay,,a,1.5,,,,,,,,\n",
     "m.csv:2:33: rss_kb: '1.5' is not a whole number"},
    {"unknown type", "2026-01-01T00:00:00,go,node,,a,1,,,,,,,,\n",
     "m.csv:2:24: unknown type 'node'"},
    {"impossible date", "2026-02-30T00:00:00,go,relay,,a,1,,,,,,,,\n",
     "m.csv:2:1: timestamp '2026-02-30T00:00:00': impossible"},
    {"unparseable time", "yesterday,go,relay,,a,1,,,,,,,,\n", "m.csv:2:1: timestamp 'yesterday'"},
    {"wrong column count", "2026-01-01T00:00:00,go,relay,,a,1,,,\n",
     "m.csv:2: 9 fields, but the header has 14"},
    {"no identity", "2026-01-01T00:00:00,go,relay,,,1,,,,,,,,\n",
     "m.csv:2: relay row has neither nickname nor fingerprint"},
    {"bad fingerprint", "2026-01-01T00:00:00,go,relay,XYZ,a,1,,,,,,,,\n",
     "m.csv:2:30: fingerprint 'XYZ' is not 40"},
    {"empty rss", "2026-01-01T00:00:00,go,relay,,a,,,,,,,,,\n", "m.csv:2:33: rss_kb is empty"},
    {"invalid UTF-8 nickname", "2026-01-01T00:00:00,go,relay,,a\xff,1,,,,,,,,\n",
     "m.csv:2:31: nickname is not valid UTF-8"},
    {"unterminated quote", "2026-01-01T00:00:00,go,relay,,\"a,1,,,,,,,,\n",
     "m.csv:2: unterminated quoted field"},
    {"!missing column", "timestamp,nickname\n2026-01-01,a\n",
     "m.csv:1: the header has no 'rss_kb' column"},
    {"!no header", "2026-01-01T00:00:00,go,relay,,a,1,,,,,,,,\n",
     "m.csv:1: the header has no 'timestamp' column"},
    {"!empty file", "", "m.csv:1: empty file"},
    {"!only blank lines", "\n\n", "m.csv:1: no header line"},
    {"!no relay rows", "timestamp,nickname,rss_kb\n", "m.csv: no relay rows and no aggregate rows"},
};

static void bad_rows(void)
{
    char name[160];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *t = bad[i].name[0] == '!' ? xstrdup(bad[i].text) : cat(HDR, bad[i].text);
        const char *nm = bad[i].name + (bad[i].name[0] == '!');
        experiment e;
        diag_list d;
        int rc = mem(t, false, false, 0, &e, &d);
        snprintf(name, sizeof name, "bad input %s: status 1", nm);
        INT_EQ(rc, 1, name);
        char *got = first_diag(&d);
        snprintf(name, sizeof name, "bad input %s: message", nm);
        CHECK_(!strncmp(got, bad[i].want, strlen(bad[i].want)), name, "got \"%s\", want \"%s...\"",
               got, bad[i].want);
        free(got);
        experiment_free(&e);
        diag_free(&d);
        free(t);
    }
}

static void partial_last_line(void)
{
    char *t = cat(HDR, "2026-01-01T00:00:00,go,relay,,a,1,,,,,,,,\n"
                       "2026-01-01T00:00:00,go,relay,,b,2,,,,,,,,\n"
                       "2026-01-02T00:00:00,go,relay,,a,3");
    experiment e;
    diag_list d;
    INT_EQ(mem(t, false, false, 0, &e, &d), 0, "partial last line: not an error");
    INT_EQ(d.n, 1, "partial last line: one warning");
    OK(d.n && d.items[0].severity == DIAG_WARNING && d.items[0].line == 4,
       "partial last line: warning at line 4");
    OK(e.notes.partial_last_line && e.notes.partial_line == 4, "partial last line: noted");
    INT_EQ(e.ncoll, 1, "partial row left out, not half-read");
    INT_EQ(e.notes.relay_rows, 2, "two complete rows");
    experiment_free(&e);
    diag_free(&d);
    INT_EQ(mem(t, true, false, 0, &e, &d), 1, "partial last line: error when strict");
    experiment_free(&e);
    diag_free(&d);
    free(t);
    /* A short line in the middle is an error, not a partial row. */
    t = cat(HDR, "2026-01-01T00:00:00,go,relay,,a,3\n2026-01-01T00:00:00,go,relay,,b,2,,,,,,,,\n");
    INT_EQ(mem(t, false, false, 0, &e, &d), 1, "short line with newline is an error");
    experiment_free(&e);
    diag_free(&d);
    free(t);
}

static void quoted_rows(void)
{
    /* A quoted nickname with an embedded newline: later line numbers stay right. */
    char *t = cat(HDR, "2026-01-01T00:00:00,go,relay,,\"odd\nname\",1,,,,,,,,\n"
                       "2026-01-01T00:00:00,go,relay,,b,-2,,,,,,,,\n");
    experiment e;
    diag_list d;
    mem(t, false, false, 0, &e, &d);
    char *got = first_diag(&d);
    STR_CONTAINS(got, "m.csv:4:33:", "error after a quoted newline names the right line");
    free(got);
    STR_EQ(e.nrelays ? e.relays[0].nickname : "", "odd\nname", "quoted nickname read");
    experiment_free(&e);
    diag_free(&d);
    free(t);
}

/* ---- A whole directory. --------------------------------------------- */

static void put(const char *dir, const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    fputs(text, f);
    fclose(f);
    free(p);
}

static void directory(void)
{
    char tmpl[] = "/tmp/memreport-ingest-XXXXXX";
    char *dir = mkdtemp(tmpl);
    char *sub = xasprintf("%s/groups", dir), *lists = xasprintf("%s/lists", dir);
    mkdir(sub, 0755);
    mkdir(lists, 0755);
    put(dir, "experiment.json",
        "{\"timezone\": \"-08:00\", \"baseline\": \"A\",\n"
        " \"groups\": {\"A\": {\"members\": \"groups/group_A_one.txt\"},\n"
        "            \"B\": {\"members\": \"./lists//b.txt\"}}}\n");
    put(dir, "measurements.csv",
        "timestamp,nickname,fingerprint,rss_kb\n2026-01-01T00:00:00,alpha,,10\n"
        "2026-01-01T00:00:00,beta,,20\n");
    put(dir, "events.csv", "timestamp,event_type,description,group\n"
                           "2026-01-01T01:00:00,restart,\"a, b \xE2\x86\x92 c\",all\n"
                           "2026-01-01T01:00:00-05:00,migration,x,B\n");
    put(dir, "diagnostics.csv", "date,time,hostname,tor_version,mem_total_mb,relay_count,zzz\n"
                                "2026-01-01,02:00:01,go,0.4.8,786961,120,q\n"
                                "2026-01-02,02:00:01,go,0.4.8,,,q\n");
    put(dir, "relay_config.csv", "fingerprint,nickname,group\n"
                                 ",alpha,A\n$f14f2336c7fbcf654b670f765865cc471bc25465,beta,B\n");
    put(sub, "group_A_one.txt", "# group A\r\nalpha\r\n\r\n  beta  # trailing comment\r\n"
                                "$12e3d3ae15c3a4f39191ec69ff9ffb28a130a32e\n");
    put(sub, "group_A_two.txt", "gamma\n");
    put(sub, "readme.txt", "not a group file\n");
    put(lists, "b.txt", "beta\n");
    put(dir, "notes.md", "# Why\n\nabc\n");
    experiment e;
    diag_list d;
    diag_init(&d);
    ingest_options o = {0};
    int rc = ingest_experiment(dir, &o, &e, &d);
    INT_EQ(rc, 0, "directory ingests");
    /* notes.md: its bytes are kept for the renderer, and the hash in the
     * inputs list is of those bytes (sha256 of "# Why\n\nabc\n"). */
    STR_EQ(e.notes_text, "# Why\n\nabc\n", "notes.md bytes kept");
    INT_EQ(e.notes_len, 11, "notes.md length");
    const input_file *nin = NULL;
    for (size_t i = 0; i < e.ninputs; i++)
        if (str_eq(e.inputs[i].path, "notes.md"))
            nin = &e.inputs[i];
    OK(nin && nin->bytes == 11 &&
           str_eq(nin->sha256, "7592e865c1a309a7ad8ce6f25a9e59285a63335593633c914d60978d8ff008a3"),
       "notes.md hashed (sha256sum of the same bytes)");
    for (size_t i = 0; i < d.n; i++) {
        char *s = diag_format(&d.items[i]);
        printf("  diag: %s\n", s);
        free(s);
    }
    INT_EQ(d.nerrors, 0, "directory: no errors");
    INT_EQ(d.n - d.nerrors, 1, "directory: one warning (readme.txt ignored)");
    STR_EQ(e.memory_path, "measurements.csv", "measurements.csv accepted");
    INT_EQ(e.man.tz_offset_min, -480, "manifest read first");
    INT_EQ(e.times[0], ts("2026-01-01T08:00:00Z", 0), "memory timestamps in manifest zone");
    INT_EQ(e.nevents, 2, "two events");
    /* The file lists the 09:00Z event first; events are kept in time order. */
    STR_EQ(e.nevents > 1 ? e.events[1].description : "", "a, b \xE2\x86\x92 c", "event text");
    INT_EQ(e.nevents > 1 ? e.events[1].t : 0, ts("2026-01-01T09:00:00Z", 0), "event naive time");
    INT_EQ(e.nevents ? e.events[0].t : 0, ts("2026-01-01T06:00:00Z", 0),
           "event explicit offset, first in time order");
    INT_EQ(e.nevents > 1 ? e.events[0].line : 0, 3, "the earlier event came from line 3");
    INT_EQ(e.nhosts, 2, "two host rows");
    DBL_NEAR(e.nhosts ? e.hosts[0].mem_total_mb : 0, 786961, 0, "host RAM");
    INT_EQ(e.nhosts ? e.hosts[0].relay_count : 0, 120, "host relay count");
    INT_EQ(e.nhosts ? e.hosts[0].t : 0, ts("2026-01-01T10:00:01Z", 0), "date+time combined");
    OK(e.nhosts > 1 && isnan(e.hosts[1].mem_total_mb) && e.hosts[1].relay_count == -1,
       "empty host numbers are missing");
    INT_EQ(e.nassignments, 2, "two assignments");
    STR_EQ(e.nassignments > 1 ? e.assignments[1].key : "", FP2,
           "assignment keyed by normalised fingerprint");
    STR_EQ(e.nassignments ? e.assignments[0].key : "", "alpha", "else by nickname");
    INT_EQ(e.ngfiles, 3, "two groups/ files plus the manifest's list");
    if (e.ngfiles == 3) {
        STR_EQ(e.gfiles[0].id, "A", "group ID from the file name");
        STR_EQ(e.gfiles[0].path, "groups/group_A_one.txt", "group file path");
        INT_EQ(e.gfiles[0].nmembers, 3, "comments, blanks and CR dropped");
        STR_EQ(e.gfiles[0].members[1], "beta", "member trimmed");
        INT_EQ(e.gfiles[0].member_lines[1], 4, "member line");
        STR_EQ(e.gfiles[0].members[2], FP1, "fingerprint member normalised");
        OK(!e.gfiles[0].manifest_only, "groups/ file is a group-file source");
        STR_EQ(e.gfiles[2].path, "lists/b.txt", "manifest list read, path cleaned");
        STR_EQ(e.gfiles[2].id, "B", "manifest list takes the group ID");
        OK(e.gfiles[2].manifest_only, "manifest list marked");
    }
    INT_EQ(e.ninputs, 9, "inputs: manifest, memory, 3 tables, 2 group files, 1 list, notes");
    if (e.ninputs >= 2) {
        STR_EQ(e.inputs[0].path, "experiment.json", "first input is the manifest");
        STR_EQ(e.inputs[1].path, "measurements.csv", "then the memory CSV");
        INT_EQ(e.inputs[1].rows, 2, "memory rows");
    }
    experiment_free(&e);
    diag_free(&d);

    /* A members path that escapes through a symlink, and one with "..". */
    char *link = xasprintf("%s/groups/group_C_out.txt", dir);
    symlink("/etc/hostname", link);
    put(dir, "experiment.json", "{\"groups\": {\"A\": {\"members\": \"../x.txt\"}}}");
    diag_init(&d);
    rc = ingest_experiment(dir, &o, &e, &d);
    INT_EQ(rc, 1, "escaping paths are errors");
    strbuf all;
    buf_init(&all);
    for (size_t i = 0; i < d.n; i++) {
        char *s = diag_format(&d.items[i]);
        buf_printf(&all, "%s\n", s);
        free(s);
    }
    STR_CONTAINS(all.data, "experiment.json:1:30: groups.A.members \"../x.txt\" leaves",
                 "'..' in members reported at its position");
    STR_CONTAINS(all.data, "group_C_out.txt: groups/group_C_out.txt resolves to",
                 "symlink out of the directory reported");
    buf_free(&all);
    experiment_free(&e);
    diag_free(&d);
    unlink(link);
    free(link);

    /* Baseline naming no group when groups come from files: ingest reads
     * it, membership's check (run by analysis_run) rejects it. */
    put(dir, "experiment.json", "{\n  \"baseline\": \"Z\"\n}\n");
    diag_init(&d);
    rc = ingest_experiment(dir, &o, &e, &d);
    INT_EQ(membership_check_baseline(&e, &d), 1, "unknown baseline is an error");
    char *got = d.n ? diag_format(&d.items[d.n - 1]) : xstrdup("");
    STR_CONTAINS(got, "experiment.json:2: baseline \"Z\" names no group", "unknown baseline");
    free(got);
    experiment_free(&e);
    diag_free(&d);

    /* Missing directory and missing memory CSV. */
    diag_init(&d);
    INT_EQ(ingest_experiment("/nonexistent/memreport", &o, &e, &d), 1, "missing directory");
    experiment_free(&e);
    diag_free(&d);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("FAIL cleanup\n");
    free(cmd);
    free(sub);
    free(lists);
}

/* ---- The real experiment. ------------------------------------------- */

static void real_data(void)
{
    /* The real data sits beside the repository when it is present. */
    const char *candidates[] = {"../shared/data/5way-allocator-comparison"};
    const char *dir = NULL;
    char *top = getenv("TOP") ? xasprintf("%s/../shared/data/5way-allocator-comparison", getenv("TOP")) : NULL;
    if (top && access(top, R_OK) == 0)
        dir = top;
    for (size_t i = 0; !dir && i < sizeof candidates / sizeof candidates[0]; i++)
        if (access(candidates[i], R_OK) == 0)
            dir = candidates[i];
    if (!dir) {
        printf("SKIP real data: the shared 5-way experiment is not here\n");
        free(top);
        return;
    }
    for (int force = 0; force < 2; force++) {
        experiment e;
        diag_list d;
        diag_init(&d);
        ingest_options o = {.force_libcsv = force};
        INT_EQ(ingest_experiment(dir, &o, &e, &d), 0, "real: ingests");
        INT_EQ(d.nerrors, 0, "real: no errors");
        INT_EQ(e.notes.relay_rows, 4940, "real: 4940 relay rows");
        INT_EQ(e.notes.aggregate_rows, 80, "real: 80 aggregate rows");
        INT_EQ(e.nrelays, 200, "real: 200 relays");
        INT_EQ(e.ncoll, 28, "real: 28 collections");
        INT_EQ(e.nevents, 12, "real: 12 events");
        INT_EQ(e.nevents > 8 ? e.events[8].t : 0, ts("2026-01-05T18:47:43Z", 0),
               "real: event with -08:00 offset");
        INT_EQ(e.nevents > 10 ? e.events[10].t : 0, ts("2026-01-05T18:58:00Z", 0),
               "real: naive event in the manifest zone (-08:00)");
        INT_EQ(e.ngfiles, 8, "real: 8 group files");
        INT_EQ(e.notes.duplicate_rows, 0, "real: no duplicate rows");
        INT_EQ(e.times[e.ncoll - 1], ts("2026-01-10T22:21:25-08:00", 0), "real: last collection");
        /* 9thwonder (first relay row, line 55): 3472100 kB at the first
         * collection; on 2026-01-03T21:56:03 the row has no fingerprint. */
        OK(e.nrelays && !strcmp(e.relays[0].nickname, "9thwonder") && e.relays[0].first_line == 55,
           "real: first relay");
        INT_EQ(e.rss_kb[exp_idx(&e, 0, 0)], 3472100, "real: first sample");
        size_t c = 0;
        while (c < e.ncoll && e.times[c] != ts("2026-01-03T21:56:03-08:00", 0))
            c++;
        INT_EQ(e.rss_kb[exp_idx(&e, 0, c < e.ncoll ? c : 0)], 3201404,
               "real: fingerprint-less row joined its relay");
        INT_EQ(e.hwm_kb[exp_idx(&e, 0, c < e.ncoll ? c : 0)], 3799572, "real: its hwm");
        OK(e.ninputs >= 2 && !strcmp(e.inputs[1].path, "memory.csv") &&
               !strcmp(e.inputs[1].sha256,
                       "91bd07c05ab28319fa767b29cc7c4e1f13fdcb2e0b863479f621d9485c4ae44e"),
           "real: memory.csv sha256 (sha256sum)");
        experiment_free(&e);
        diag_free(&d);
    }
    free(top);
}

/* The inline number fast paths against the general parsers: wherever a
 * fast path takes a string, the general parser takes it too and gives the
 * same value, to the bit; strings of digits, dots, signs and exponents of
 * every length, leading zeros and 17-19 digits included. */
static void number_fast_paths(void)
{
    static const char *fixed[] = {"0", "00", ".", "1.", ".5", "3.42", "007.250", "1..2",
                                  "0.00000000000000000000001", "12345678901234567",
                                  "123456789012345678", "1234567890123456.7", "999999999",
                                  "4294967295", "0000000001", "-1", "+2", "1e3", ""};
    unsigned seed = 99;
    int bad = 0, fast_d = 0, fast_k = 0;
    char buf[32];
    for (int i = 0; i < 200000; i++) {
        size_t n;
        if (i < (int)(sizeof fixed / sizeof *fixed)) {
            n = strlen(fixed[i]);
            memcpy(buf, fixed[i], n);
        } else {
            seed = seed * 1103515245u + 12345u;
            n = (seed >> 16) % 21;
            for (size_t k = 0; k < n; k++) {
                seed = seed * 1103515245u + 12345u;
                unsigned c = (seed >> 16) % 40;
                buf[k] = c < 30 ? (char)('0' + c % 10) : c < 36 ? '.' : "-+e "[c - 36];
            }
        }
        double fd, gd;
        if (ingest_plain_decimal(buf, n, &fd)) {
            fast_d++;
            bad += !ingest_parse_double(buf, n, &gd) || memcmp(&fd, &gd, sizeof fd) != 0;
        }
        uint32_t fk;
        uint64_t gk;
        if (ingest_kb_digits(buf, n, &fk)) {
            fast_k++;
            bad += !ingest_parse_u64(buf, n, &gk) || gk != fk || gk >= KB_MISSING;
        }
    }
    INT_EQ(bad, 0, "number fast paths: the general parsers' values, to the bit");
    OK(fast_d > 10000 && fast_k > 5000, "number fast paths: both were taken often");
    double v = 0;
    OK(ingest_parse_double("0.00000000000000000000001", 25, &v) && v == 1e-23,
       "parse_double: past 18 decimal places (leading zeros) is still exact");
}

int main(void)
{
    number_fast_paths();
    two_relays_one_nickname();
    collections_and_identity();
    nickname_first();
    duplicates_order_groups_tz();
    bad_rows();
    partial_last_line();
    quoted_rows();
    directory();
    real_data();
    return harness_done();
}
