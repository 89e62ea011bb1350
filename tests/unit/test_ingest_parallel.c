/* test_ingest_parallel.c - the two-thread reader of the memory CSV against
 * the sequential one (the reference): on every file both must leave the
 * same experiment and the same messages, whether the file suits the
 * parallel path (clean, growing timestamps, fingerprints everywhere) or
 * sends it back to the sequential reader (odd rows, errors, quotes).
 *
 * With a directory argument it compares the two readers on that
 * directory's memory.csv instead (used by hand on a big fleet). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ingest.h"
#include "model.h"
#include "util.h"

#define HDR "timestamp,server,type,fingerprint,nickname,rss_kb,vmsize_kb,hwm_kb,frag_ratio,count,total_kb,avg_kb,min_kb,max_kb"

static int ingest_file(FILE *f, bool parallel, bool strict, experiment *e, diag_list *d)
{
    memset(e, 0, sizeof *e);
    diag_init(d);
    rewind(f);
    ingest_options o = {.strict = strict, .parallel_min_bytes = parallel ? 1 : UINT64_MAX};
    return ingest_memory_csv(f, "memory.csv", &o, e, d);
}

static bool str_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Number of differences between two ingested experiments; the first few
 * are printed. */
static int differences(const experiment *a, const experiment *b)
{
    int n = 0;
#define DIFF(cond, ...)                                                                   \
    do {                                                                                  \
        if (cond) {                                                                       \
            if (n++ < 5) {                                                                \
                printf("  differs: ");                                                    \
                printf(__VA_ARGS__);                                                      \
                printf("\n");                                                             \
            }                                                                             \
        }                                                                                 \
    } while (0)
    DIFF(a->nrelays != b->nrelays, "nrelays %zu vs %zu", a->nrelays, b->nrelays);
    DIFF(a->ncoll != b->ncoll, "ncoll %zu vs %zu", a->ncoll, b->ncoll);
    DIFF(a->ncolgroups != b->ncolgroups, "ncolgroups %zu vs %zu", a->ncolgroups, b->ncolgroups);
    DIFF(a->naggs != b->naggs, "naggs %zu vs %zu", a->naggs, b->naggs);
    if (n)
        return n;
    for (size_t r = 0; r < a->nrelays; r++) {
        const relay *x = &a->relays[r], *y = &b->relays[r];
        DIFF(!str_same(x->nickname, y->nickname) || !str_same(x->fingerprint, y->fingerprint) ||
                 x->first_line != y->first_line,
             "relay %zu: %s/%s/%ld vs %s/%s/%ld", r, x->nickname, x->fingerprint, x->first_line,
             y->nickname, y->fingerprint, y->first_line);
    }
    for (size_t c = 0; c < a->ncoll; c++)
        DIFF(a->times[c] != b->times[c], "time %zu", c);
    for (size_t k = 0; k < a->nrelays * a->ncoll; k++) {
        DIFF(a->rss_kb[k] != b->rss_kb[k] || a->vmsize_kb[k] != b->vmsize_kb[k] ||
                 a->hwm_kb[k] != b->hwm_kb[k],
             "cell %zu: %u vs %u", k, a->rss_kb[k], b->rss_kb[k]);
        DIFF(memcmp(&a->frag[k], &b->frag[k], sizeof a->frag[k]) != 0, "frag %zu", k);
    }
    DIFF(!a->col_group != !b->col_group, "group column");
    if (a->col_group && b->col_group)
        for (size_t k = 0; k < a->nrelays * a->ncoll; k++)
            DIFF(a->col_group[k] != b->col_group[k], "cell group %zu", k);
    for (size_t g = 0; g < a->ncolgroups; g++)
        DIFF(!str_same(a->colgroups[g], b->colgroups[g]), "colgroup %zu", g);
    for (size_t i = 0; i < a->naggs; i++)
        DIFF(memcmp(&a->aggs[i], &b->aggs[i], sizeof a->aggs[i]) != 0, "aggregate %zu", i);
    const ingest_notes *p = &a->notes, *q = &b->notes;
    DIFF(p->duplicate_rows != q->duplicate_rows || p->first_duplicate_line != q->first_duplicate_line,
         "duplicates %llu@%ld vs %llu@%ld", (unsigned long long)p->duplicate_rows,
         p->first_duplicate_line, (unsigned long long)q->duplicate_rows, q->first_duplicate_line);
    DIFF(p->out_of_order_rows != q->out_of_order_rows ||
             p->first_out_of_order_line != q->first_out_of_order_line,
         "out of order");
    DIFF(p->partial_last_line != q->partial_last_line || p->partial_line != q->partial_line,
         "partial line");
    DIFF(p->relay_rows != q->relay_rows || p->aggregate_rows != q->aggregate_rows, "row counts");
    DIFF(a->ninputs != b->ninputs, "inputs");
    for (size_t i = 0; i < a->ninputs && i < b->ninputs; i++)
        DIFF(a->inputs[i].bytes != b->inputs[i].bytes || a->inputs[i].rows != b->inputs[i].rows ||
                 strcmp(a->inputs[i].sha256, b->inputs[i].sha256) != 0,
             "input %zu: %s vs %s", i, a->inputs[i].sha256, b->inputs[i].sha256);
#undef DIFF
    return n;
}

static bool same_diags(const diag_list *a, const diag_list *b)
{
    if (a->n != b->n || a->nerrors != b->nerrors) {
        printf("  %zu messages vs %zu\n", a->n, b->n);
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        char *x = diag_format(&a->items[i]), *y = diag_format(&b->items[i]);
        bool same = strcmp(x, y) == 0;
        if (!same)
            printf("  message %zu: '%s' vs '%s'\n", i, x, y);
        free(x);
        free(y);
        if (!same)
            return false;
    }
    return true;
}

/* Reads f both ways and checks they agree; `parallel` is whether the
 * two-thread path should have kept the result (1), not (0), or either (-1). */
static void both_ways(const char *name, FILE *f, bool strict, int parallel)
{
    experiment a, b;
    diag_list da, db;
    int ra = ingest_file(f, false, strict, &a, &da);
    int rb = ingest_file(f, true, strict, &b, &db);
    char *what = xasprintf("%s: same status", name);
    INT_EQ(rb, ra, what);
    free(what);
    what = xasprintf("%s: same experiment", name);
    int n = differences(&a, &b);
    INT_EQ(n, 0, what);
    free(what);
    what = xasprintf("%s: same messages", name);
    OK(same_diags(&da, &db), what);
    free(what);
    if (parallel >= 0) {
        what = xasprintf("%s: %s", name,
                         parallel ? "read in parallel" : "left to the sequential reader");
        OK(b.notes.read_in_parallel == (parallel == 1) && !a.notes.read_in_parallel, what);
        free(what);
    } else {
        printf("# %s: %s\n", name,
               b.notes.read_in_parallel ? "read in parallel" : "left to the sequential reader");
    }
    experiment_free(&a);
    experiment_free(&b);
    diag_free(&da);
    diag_free(&db);
}

/* What to put into a generated file. */
typedef struct {
    int relays, colls;
    bool group_col;        /* a `group` column, the group changing over time */
    bool crlf;
    int late_relay_at;     /* a relay that first shows up at this collection (0: none) */
    int gone_relay_at;     /* relay 1 stops at this collection (0: never) */
    int dup_at;            /* relay 2 written twice at this collection */
    int nick_late;         /* relay 3 has no nickname before this collection */
    int fpless_at;         /* relay 4 without fingerprint at this collection */
    int back_at;           /* a collection stamped before the one before it */
    int bad_at;            /* relay 5's rss_kb is not a number here */
    int quote_at;          /* relay 0's nickname quoted here */
    int shared_nick_at;    /* a new relay with relay 0's nickname appears here */
    bool partial;          /* the last line cut short, no newline */
    /* Collection numbers are 1 or more; 0 means "none". */
} spec;

static void fp_of(int r, char fp[41])
{
    uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)(r + 1);
    for (int i = 0; i < 40; i++) {
        fp[i] = "0123456789ABCDEF"[(x >> ((i % 16) * 4)) & 15];
        if (i % 16 == 15)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    fp[40] = '\0';
}

static FILE *generate(const spec *s)
{
    FILE *f = tmpfile();
    const char *nl = s->crlf ? "\r\n" : "\n";
    fprintf(f, "%s%s%s", HDR, s->group_col ? ",group" : "", nl);
    for (int c = 0; c < s->colls; c++) {
        /* Hourly collections starting 2026-01-01T00:00:00, relays a few
         * seconds apart. */
        long base = (long)c * 3600 + (c == s->back_at && c ? -7200 : 0);
        int nrel = s->relays + (s->late_relay_at && c >= s->late_relay_at);
        fprintf(f, "2026-01-01T00:00:00Z,x,aggregate,,,,,,,%d,%d,1,1,1%s%s", nrel, nrel,
                s->group_col ? "," : "", nl);
        (void)base;
        for (int r = 0; r < nrel; r++) {
            if (r == 1 && s->gone_relay_at && c >= s->gone_relay_at)
                continue;
            long t = base + r / 3;
            char ts[32], fp[41];
            snprintf(ts, sizeof ts, "2026-01-%02ldT%02ld:%02ld:%02ld", 1 + t / 86400,
                     t % 86400 / 3600, t % 3600 / 60, t % 60);
            fp_of(r, fp);
            char nick[32];
            snprintf(nick, sizeof nick, "relay%d", r);
            if (r == 3 && c < s->nick_late)
                nick[0] = '\0';
            const char *fps = r == 4 && s->fpless_at && c == s->fpless_at ? "" : fp;
            char rss[32];
            snprintf(rss, sizeof rss, "%d", 1000 + r * 7 + c * 3);
            if (r == 5 && s->bad_at && c == s->bad_at)
                snprintf(rss, sizeof rss, "12x");
            char grp[16] = "";
            if (s->group_col)
                snprintf(grp, sizeof grp, ",%c", 'A' + (r + c / 5) % 3);
            int times = r == 2 && s->dup_at && c == s->dup_at ? 2 : 1;
            for (int k = 0; k < times; k++) {
                if (r == 0 && s->quote_at && c == s->quote_at)
                    fprintf(f, "%s,x,relay,%s,\"%s\",%s,%d,%d,%s,,,,,%s%s", ts, fps, nick, rss,
                            5000 + r, 1200 + c, "1.25", grp, nl);
                else
                    fprintf(f, "%s,x,relay,%s,%s,%s%s,%d,%d,%s,,,,,%s%s", ts, fps, nick, rss,
                            k ? "1" : "", 5000 + r, 1200 + c, r % 4 ? "1.25" : "", grp, nl);
            }
        }
        if (s->shared_nick_at && c >= s->shared_nick_at)
            fprintf(f, "2026-01-%02ldT%02ld:00:09,x,relay,%s,relay0,77,,,,,,,,%s%s",
                    1 + base / 86400, base % 86400 / 3600,
                    "ABCDEF0123456789ABCDEF0123456789ABCDEF01", s->group_col ? "," : "", nl);
    }
    if (s->partial)
        fprintf(f, "2026-02-01T00:00:00,x,relay,%s,cut", "ABCDEF0123456789ABCDEF0123456789ABCDEF02");
    fflush(f);
    return f;
}

static void case_(const char *name, spec s, bool strict, bool parallel)
{
    FILE *f = generate(&s);
    both_ways(name, f, strict, parallel);
    fclose(f);
}

static void generated(void)
{
    spec base = {.relays = 12, .colls = 40};
    case_("plain", base, false, true);
    spec s = base;
    s.group_col = true;
    s.crlf = true;
    s.late_relay_at = 30;
    s.gone_relay_at = 10;
    s.dup_at = 33;
    s.nick_late = 25;
    case_("groups, CRLF, late relay, gone relay, duplicate, late nickname", s, false, true);
    s = base;
    s.partial = true;
    case_("partial last line", s, false, true);
    case_("partial last line, strict", s, true, true);
    s = base;
    s.fpless_at = 30;
    case_("row without fingerprint", s, false, false);
    s = base;
    s.back_at = 31;
    case_("timestamps going back", s, false, false);
    s = base;
    s.bad_at = 35;
    case_("bad number", s, false, false);
    s = base;
    s.bad_at = 3;
    case_("bad number in the first half", s, false, false);
    s = base;
    s.quote_at = 36;
    case_("quoted field (libcsv inside a half)", s, false, true);
    s = base;
    s.shared_nick_at = 30;
    case_("nickname of another relay", s, false, false);
    s = base;
    s.relays = 1;
    s.colls = 1;
    case_("one collection", s, false, false);
}

/* Offset of the line that holds the k-th aggregate row (k from 0): where
 * collection k starts in a generated file. */
static long collection_offset(FILE *f, int k)
{
    rewind(f);
    char line[512];
    long off = 0;
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, ",aggregate,") && seen++ == k)
            return off;
        off += (long)strlen(line);
    }
    return -1;
}

/* The file cut before collection `cut` is read, then the rest appended:
 * reading it again with the first read as `resume` must give what one
 * sequential read of the grown file gives; `appended` is whether only the
 * appended bytes should have been read. */
static void append_case(const char *name, spec s, int cut, bool appended)
{
    FILE *full = generate(&s);
    long at = collection_offset(full, cut);
    char *text = xmalloc(1 << 22);
    rewind(full);
    size_t len = fread(text, 1, 1 << 22, full);
    FILE *f = tmpfile();
    fwrite(text, 1, (size_t)at, f);
    fflush(f);
    experiment old, a, b;
    diag_list dold, da, db;
    ingest_file(f, false, false, &old, &dold);
    fseek(f, 0, SEEK_END);
    fwrite(text + at, 1, len - (size_t)at, f);
    fflush(f);
    int ra = ingest_file(f, false, false, &a, &da);
    memset(&b, 0, sizeof b);
    diag_init(&db);
    rewind(f);
    ingest_options o = {.parallel_min_bytes = UINT64_MAX, .resume = &old};
    int rb = ingest_memory_csv(f, "memory.csv", &o, &b, &db);
    char *what = xasprintf("append %s: same status", name);
    INT_EQ(rb, ra, what);
    free(what);
    what = xasprintf("append %s: same experiment", name);
    INT_EQ(differences(&a, &b), 0, what);
    free(what);
    what = xasprintf("append %s: same messages", name);
    OK(same_diags(&da, &db), what);
    free(what);
    what = xasprintf("append %s: %s", name,
                     appended ? "only the appended bytes read" : "the whole file read");
    OK(b.notes.read_appended_only == appended, what);
    free(what);
    what = xasprintf("append %s: tail hash and hash state kept", name);
    OK(b.ninputs == 1 && strlen(b.inputs[0].tail_sha256) == 64 && b.inputs[0].sha_state_len &&
           !memcmp(b.inputs[0].sha_state, a.inputs[0].sha_state, a.inputs[0].sha_state_len),
       what);
    free(what);
    experiment_free(&old);
    experiment_free(&a);
    experiment_free(&b);
    diag_free(&dold);
    diag_free(&da);
    diag_free(&db);
    free(text);
    fclose(f);
    fclose(full);
}

static void appended(void)
{
    spec base = {.relays = 12, .colls = 40};
    append_case("plain", base, 25, true);
    spec s = base;
    s.group_col = true;
    s.crlf = true;
    s.late_relay_at = 30;
    s.gone_relay_at = 10;
    s.dup_at = 33;
    s.nick_late = 28;
    append_case("groups, CRLF, new relay, duplicate, late nickname", s, 25, true);
    s = base;
    s.partial = true;
    append_case("ends in a partial line", s, 25, true);
    s = base;
    s.fpless_at = 30;
    append_case("a row without fingerprint", s, 25, false);
    s = base;
    s.back_at = 31;
    append_case("timestamps going back", s, 25, false);
    s = base;
    s.bad_at = 35;
    append_case("a bad number", s, 25, false);
    s = base;
    s.shared_nick_at = 30;
    append_case("another relay's nickname", s, 25, false);
    s = base;
    s.shared_nick_at = 10;
    append_case("a shared nickname before", s, 25, false);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        char *path = path_join(argv[1], "memory.csv");
        FILE *f = fopen(path, "rb");
        OK(f != NULL, "open the directory's memory.csv");
        if (f) {
            both_ways(path, f, false, -1);
            fclose(f);
        }
        free(path);
        return harness_done();
    }
    generated();
    appended();
    return harness_done();
}
