/* ingest_memory.c - the memory CSV: relay rows into packed sample
 * matrices, aggregate rows into e->aggs.
 *
 * A big file is read by two threads at once, each its half, while a third
 * hashes it (read_parallel below); that path is exact only for files
 * whose relay rows all carry a fingerprint and whose timestamps never go
 * back, so it checks that and otherwise leaves the file to the reader
 * described next, which gives the reference result for every file.
 *
 * Rows are first kept in one compact array (32 bytes a row, no allocation
 * per row). After the file is read, the distinct timestamps are sorted and
 * grouped into collections: a collector writes its relays a few seconds
 * apart, so every timestamp within COLLECTION_SPAN seconds of a
 * collection's first timestamp belongs to that collection, and the
 * collection's time is its first timestamp. Then the rows are placed into
 * the [relay * ncoll + collection] matrices; when one relay has two rows in
 * one collection the later row in the file wins and e->notes counts it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cellstore.h"
#include "csvread.h"
#include "ingest.h"
#include "ingest_internal.h"
#include "instream.h"
#include "progress.h"
#include "sha256.h"
#include "strmap.h"
#include "timestamp.h"
#include "util.h"

#define COLLECTION_SPAN 120 /* seconds */

typedef struct {
    uint32_t relay;
    int32_t dt;        /* seconds after the first row's time */
    uint32_t rss, vms, hwm;
    float frag;
    uint32_t line;
    uint16_t grp;
} mrow;

enum {
    C_TIMESTAMP, C_TYPE, C_FINGERPRINT, C_NICKNAME, C_GROUP, C_RSS, C_VMS, C_HWM, C_FRAG,
    C_COUNT, C_TOTAL, C_AVG, C_MIN, C_MAX, NCOLS
};
static const char *const colnames[NCOLS] = {
    "timestamp", "type", "fingerprint", "nickname", "group", "rss_kb", "vmsize_kb",
    "hwm_kb", "frag_ratio", "count", "total_kb", "avg_kb", "min_kb", "max_kb",
};

typedef struct {
    const char *display;
    csvr *r;
    diag_list *d;
    experiment *e;
    int col[NCOLS];
    size_t nfields;

    mrow *rows;
    size_t nrows, rows_cap;
    int32_t *tl;           /* timestamps, deduplicated against the previous one */
    size_t ntl, tl_cap;
    bool have_base;
    int64_t base;

    strmap by_fp, by_nick, by_group;
    size_t relays_cap, colgroups_cap, aggs_cap;

    char prev_ts[64];      /* last timestamp text parsed, and its value */
    size_t prev_ts_len;
    int64_t prev_t;
    bool have_prev_relay_t;
    int64_t prev_relay_t;
    bool warned_shared_nick;
    size_t *succ;          /* the relay that followed relay r last time */
    size_t nsucc, succ_cap, last;

    /* Streaming (one half of a parallel read): relay rows go straight into
     * cs, collection by collection, times into e->times; `bail` says the
     * half met something only the sequential reader reproduces exactly. */
    bool stream, bail;
    bool groups_full; /* EXPERIMENT_MAX_GROUPS reached and said once */
    cellstore cs;
    int64_t coll_start, first_relay_t, last_relay_t;
} mctx;

static long colpos(const csv_row *row, int c)
{
    return csv_row_col(row, (size_t)c);
}

/* Field k of the row as (pointer, length); empty when the column is absent. */
static void field(const mctx *m, const csv_row *row, int which, const char **s, size_t *n)
{
    int c = m->col[which];
    if (c < 0) {
        *s = "";
        *n = 0;
        return;
    }
    *s = row->f[c];
    *n = row->len[c];
}

/* Parses a kB column into *out; empty gives KB_MISSING. */
static bool kb32(mctx *m, const csv_row *row, int which, uint32_t *out)
{
    const char *s;
    size_t n;
    field(m, row, which, &s, &n);
    if (n == 0) {
        *out = KB_MISSING;
        return true;
    }
    if (ingest_kb_digits(s, n, out))
        return true;
    uint64_t v;
    if (ingest_parse_u64(s, n, &v) && v < KB_MISSING) {
        *out = (uint32_t)v;
        return true;
    }
    char show[64];
    double dv;
    const char *why = !ingest_parse_double(s, n, &dv) ? "is not a number of kB"
                      : dv < 0                            ? "is negative; kB must be 0 or more"
                      : dv >= KB_MISSING                  ? "is too large for a kB value"
                                                          : "is not a whole number of kB";
    csvr_error(m->r, m->d, row->line, colpos(row, m->col[which]), "%s: %s %s",
               colnames[which], ingest_show(s, n, show, sizeof show), why);
    return false;
}

static bool kb64(mctx *m, const csv_row *row, int which, uint64_t *out)
{
    const char *s;
    size_t n;
    field(m, row, which, &s, &n);
    if (n == 0) {
        *out = UINT64_MAX;
        return true;
    }
    if (ingest_parse_u64(s, n, out) && *out != UINT64_MAX)
        return true;
    char show[64];
    double dv;
    bool num = ingest_parse_double(s, n, &dv);
    csvr_error(m->r, m->d, row->line, colpos(row, m->col[which]), "%s: %s %s", colnames[which],
               ingest_show(s, n, show, sizeof show),
               num && dv < 0 ? "is negative" : num ? "is not a whole number" : "is not a number");
    return false;
}

static bool row_time(mctx *m, const csv_row *row, int64_t *t)
{
    const char *s;
    size_t n;
    field(m, row, C_TIMESTAMP, &s, &n);
    if (n == m->prev_ts_len && n && memcmp(s, m->prev_ts, n) == 0) {
        *t = m->prev_t;
        return true;
    }
    ts_value v;
    ts_status st = n ? timestamp_parse(s, n, m->e->man.tz_offset_min, &v) : TS_SYNTAX;
    if (st != TS_OK) {
        char show[64];
        csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_TIMESTAMP]),
                   "timestamp %s: %s", ingest_show(s, n, show, sizeof show),
                   n ? timestamp_strerror(st) : "empty");
        return false;
    }
    if (n < sizeof m->prev_ts) {
        memcpy(m->prev_ts, s, n);
        m->prev_ts_len = n;
        m->prev_t = v.t;
    }
    *t = v.t;
    return true;
}

static size_t new_relay(mctx *m, const char *fp, size_t fpn, const char *nick, size_t nn,
                        long line)
{
    experiment *e = m->e;
    xgrow((void **)&e->relays, &m->relays_cap, e->nrelays + 1, sizeof *e->relays);
    size_t id = e->nrelays++;
    e->relays[id].fingerprint = xstrndup(fp, fpn);
    e->relays[id].nickname = xstrndup(nick, nn);
    e->relays[id].first_line = line;
    e->relays[id].label = NULL;
    if (fpn)
        strmap_put(&m->by_fp, fp, fpn, id);
    if (nn && !strmap_get(&m->by_nick, nick, nn, NULL))
        strmap_put(&m->by_nick, nick, nn, id);
    return id;
}

/* Finds or creates the relay of a row. Identity is the fingerprint when
 * the row has one, else the nickname; older collectors wrote rows with an
 * empty fingerprint, so a nickname-only relay takes the fingerprint of a
 * later row with the same nickname (and the other way round). Returns
 * false after reporting a bad row. */
static bool row_relay_lookup(mctx *m, const csv_row *row, size_t *id)
{
    const char *fs, *ns;
    size_t fn, nn;
    char fp[40], show[64];
    field(m, row, C_FINGERPRINT, &fs, &fn);
    field(m, row, C_NICKNAME, &ns, &nn);
    if (fn) {
        const char *p = fs;
        size_t k = fn;
        if (*p == '$')
            p++, k--;
        bool ok = k == 40;
        for (size_t i = 0; ok && i < 40; i++) {
            char c = p[i];
            if (c >= 'a' && c <= 'f')
                c = (char)(c - 'a' + 'A');
            ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
            fp[i] = c;
        }
        if (!ok) {
            csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_FINGERPRINT]),
                       "fingerprint %s is not 40 hexadecimal digits",
                       ingest_show(fs, fn, show, sizeof show));
            return false;
        }
        fn = 40;
    }
    if (!fn && !nn) {
        csvr_error(m->r, m->d, row->line, 0, "relay row has neither nickname nor fingerprint");
        return false;
    }
    size_t r;
    if (fn && strmap_get(&m->by_fp, fp, fn, &r)) {
        relay *x = &m->e->relays[r];
        if (nn && !*x->nickname) {
            free(x->nickname);
            x->nickname = xstrndup(ns, nn);
            if (!strmap_get(&m->by_nick, ns, nn, NULL))
                strmap_put(&m->by_nick, ns, nn, r);
        }
        *id = r;
        return true;
    }
    if (nn && strmap_get(&m->by_nick, ns, nn, &r)) {
        relay *x = &m->e->relays[r];
        if (!fn) {
            *id = r;
            return true;
        }
        if (!*x->fingerprint) {
            free(x->fingerprint);
            x->fingerprint = xstrndup(fp, fn);
            strmap_put(&m->by_fp, fp, fn, r);
            *id = r;
            return true;
        }
        if (!m->warned_shared_nick) {
            m->warned_shared_nick = true;
            diag_add(m->d, DIAG_WARNING, m->display, row->line, 0,
                     "nickname %s belongs to two fingerprints; they are kept apart, and rows "
                     "with this nickname but no fingerprint go to the first",
                     ingest_show(ns, nn, show, sizeof show));
        }
    }
    if (nn && !utf8_valid(ns, nn)) {
        csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_NICKNAME]),
                   "nickname is not valid UTF-8");
        return false;
    }
    *id = new_relay(m, fp, fn, ns, nn, row->line);
    return true;
}

/* row_relay_lookup, tried on a guess first: collectors list the relays in
 * the same order every collection, so the relay that followed the previous
 * row's relay last time usually comes next. A stored fingerprint is valid
 * upper-case hex, so a field with exactly its bytes names that relay, as
 * the full look-up would find. */
static bool row_relay(mctx *m, const csv_row *row, size_t *id)
{
    experiment *e = m->e;
    const char *fs, *ns;
    size_t fn, nn;
    field(m, row, C_FINGERPRINT, &fs, &fn);
    size_t g = m->nsucc && m->last < m->nsucc ? m->succ[m->last] : SIZE_MAX;
    bool hit = fn == 40 && g < e->nrelays && *e->relays[g].fingerprint &&
               !memcmp(fs, e->relays[g].fingerprint, 40);
    if (hit) {
        field(m, row, C_NICKNAME, &ns, &nn);
        relay *x = &e->relays[g];
        if (nn && !*x->nickname) {
            free(x->nickname);
            x->nickname = xstrndup(ns, nn);
            if (!strmap_get(&m->by_nick, ns, nn, NULL))
                strmap_put(&m->by_nick, ns, nn, g);
        }
        *id = g;
    } else if (!row_relay_lookup(m, row, id)) {
        return false;
    }
    if (m->nsucc < e->nrelays) {
        xgrow((void **)&m->succ, &m->succ_cap, e->nrelays, sizeof *m->succ);
        for (size_t r = m->nsucc; r < e->nrelays; r++)
            m->succ[r] = SIZE_MAX;
        m->nsucc = e->nrelays;
    }
    if (m->last < m->nsucc)
        m->succ[m->last] = *id;
    m->last = *id;
    return true;
}

static bool row_group(mctx *m, const csv_row *row, uint16_t *g)
{
    const char *s;
    size_t n;
    field(m, row, C_GROUP, &s, &n);
    *g = COLGROUP_NONE;
    if (!n)
        return true;
    size_t v;
    if (strmap_get(&m->by_group, s, n, &v)) {
        *g = (uint16_t)v;
        return true;
    }
    experiment *e = m->e;
    if (!utf8_valid(s, n)) {
        csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_GROUP]),
                   "group is not valid UTF-8");
        return false;
    }
    if (e->ncolgroups >= EXPERIMENT_MAX_GROUPS) {
        /* Once: every later row of a group of its own would say it again. */
        char show[64];
        if (!m->groups_full)
            csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_GROUP]),
                       "group %s would be group %d: a report compares at most %d (rows naming "
                       "further groups are not read)",
                       ingest_show(s, n, show, sizeof show), EXPERIMENT_MAX_GROUPS + 1,
                       EXPERIMENT_MAX_GROUPS);
        m->groups_full = true;
        return false;
    }
    xgrow((void **)&e->colgroups, &m->colgroups_cap, e->ncolgroups + 1, sizeof *e->colgroups);
    e->colgroups[e->ncolgroups] = xstrndup(s, n);
    strmap_put(&m->by_group, s, n, e->ncolgroups);
    *g = (uint16_t)e->ncolgroups++;
    return true;
}

/* A relay row of a streaming half: timestamps only grow, so a row either
 * joins the collection being read or starts the next one, exactly as the
 * sorted grouping of build_matrices would place it. */
static void stream_row(mctx *m, const mrow *x, int64_t t)
{
    experiment *e = m->e;
    ingest_notes *no = &e->notes;
    if (no->out_of_order_rows) {
        m->bail = true;
        return;
    }
    if (!no->relay_rows || t - m->coll_start > COLLECTION_SPAN) {
        size_t cap = e->ncoll;
        xgrow((void **)&e->times, &cap, e->ncoll + 1, sizeof *e->times);
        e->times[e->ncoll++] = t;
        cellstore_next_collection(&m->cs, e->nrelays);
        m->coll_start = t;
    }
    if (!no->relay_rows)
        m->first_relay_t = t;
    m->last_relay_t = t;
    if (cellstore_put(&m->cs, x->relay, x->rss, x->vms, x->hwm, x->frag, x->grp)) {
        if (!no->duplicate_rows++)
            no->first_duplicate_line = x->line;
    }
    no->relay_rows++;
}

static void relay_row(mctx *m, const csv_row *row, int64_t t)
{
    mrow x;
    const char *s;
    size_t n;
    if (m->stream && (m->col[C_FINGERPRINT] < 0 || !row->len[m->col[C_FINGERPRINT]])) {
        /* Identity by nickname depends on every earlier row. */
        m->bail = true;
        return;
    }
    field(m, row, C_RSS, &s, &n);
    if (!n) {
        csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_RSS]),
                   "rss_kb is empty in a relay row");
        return;
    }
    bool ok = kb32(m, row, C_RSS, &x.rss);
    ok &= kb32(m, row, C_VMS, &x.vms);
    ok &= kb32(m, row, C_HWM, &x.hwm);
    x.frag = NAN;
    field(m, row, C_FRAG, &s, &n);
    if (n) {
        double f;
        if ((ingest_plain_decimal(s, n, &f) || ingest_parse_double(s, n, &f)) && f >= 0) {
            x.frag = (float)f;
        } else {
            char show[64];
            csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_FRAG]),
                       "frag_ratio: %s is not a non-negative number",
                       ingest_show(s, n, show, sizeof show));
            ok = false;
        }
    }
    if (!ok || !row_group(m, row, &x.grp))
        return;
    size_t id;
    if (!row_relay(m, row, &id))
        return;
    if (!m->have_base) {
        m->have_base = true;
        m->base = t;
    }
    int64_t dt = t - m->base;
    if (dt < INT32_MIN || dt > INT32_MAX) {
        csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_TIMESTAMP]),
                   "timestamp more than 68 years away from the first relay row");
        return;
    }
    ingest_notes *no = &m->e->notes;
    if (m->have_prev_relay_t && t < m->prev_relay_t) {
        if (!no->out_of_order_rows++)
            no->first_out_of_order_line = row->line;
    }
    m->have_prev_relay_t = true;
    m->prev_relay_t = t;
    x.relay = (uint32_t)id;
    x.dt = (int32_t)dt;
    x.line = row->line > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)row->line;
    if (m->stream) {
        stream_row(m, &x, t);
        return;
    }
    xgrow((void **)&m->rows, &m->rows_cap, m->nrows + 1, sizeof *m->rows);
    m->rows[m->nrows++] = x;
    if (!m->ntl || m->tl[m->ntl - 1] != x.dt) {
        xgrow((void **)&m->tl, &m->tl_cap, m->ntl + 1, sizeof *m->tl);
        m->tl[m->ntl++] = x.dt;
    }
    no->relay_rows++;
}

static void agg_row(mctx *m, const csv_row *row, int64_t t)
{
    aggregate_row a = {.t = t, .line = row->line};
    bool ok = kb64(m, row, C_COUNT, &a.count);
    ok &= kb64(m, row, C_TOTAL, &a.total_kb);
    ok &= kb64(m, row, C_AVG, &a.avg_kb);
    ok &= kb64(m, row, C_MIN, &a.min_kb);
    ok &= kb64(m, row, C_MAX, &a.max_kb);
    if (!ok)
        return;
    experiment *e = m->e;
    xgrow((void **)&e->aggs, &m->aggs_cap, e->naggs + 1, sizeof *e->aggs);
    e->aggs[e->naggs++] = a;
    e->notes.aggregate_rows++;
}

static void one_row(mctx *m, const csv_row *row, const ingest_options *opt)
{
    if (row->n != m->nfields) {
        if (!row->terminated && row->n < m->nfields) {
            /* DESIGN 11: the collector is still writing this row. */
            m->e->notes.partial_last_line = true;
            m->e->notes.partial_line = row->line;
            diag_add(m->d, opt->strict ? DIAG_ERROR : DIAG_WARNING, m->display, row->line, 0,
                     "last line has %zu of %zu fields and no final newline: a row still being "
                     "written, left out",
                     row->n, m->nfields);
            return;
        }
        csvr_error(m->r, m->d, row->line, 0, "%zu fields, but the header has %zu", row->n,
                   m->nfields);
        return;
    }
    bool aggregate = false;
    if (m->col[C_TYPE] >= 0) {
        const char *s = row->f[m->col[C_TYPE]];
        size_t n = row->len[m->col[C_TYPE]];
        if (n == 9 && !memcmp(s, "aggregate", 9)) {
            aggregate = true;
        } else if (!(n == 5 && !memcmp(s, "relay", 5))) {
            char show[64];
            csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_TYPE]),
                       "unknown type %s (expected relay or aggregate)",
                       ingest_show(s, n, show, sizeof show));
            return;
        }
    }
    int64_t t;
    if (!row_time(m, row, &t))
        return;
    if (aggregate)
        agg_row(m, row, t);
    else
        relay_row(m, row, t);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_agg(const void *a, const void *b)
{
    const aggregate_row *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (x->line > y->line) - (x->line < y->line);
}

/* Groups timestamps into collections and fills the packed matrices. */
static bool same_values(const mrow *a, const mrow *b)
{
    return a->rss == b->rss && a->vms == b->vms && a->hwm == b->hwm && a->grp == b->grp &&
           (a->frag == b->frag || (isnan(a->frag) && isnan(b->frag)));
}

/* The last collection starting at or before dt (tl holds the nc starts). */
static size_t collection_of(const mctx *m, size_t nc, int32_t dt)
{
    size_t lo = 0, hi = nc;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->tl[mid] <= dt)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Rows without a fingerprint are one relay per nickname, unless two of
 * them at one collection report different values: then they are two
 * relays (an older collector on a host with two relays of one name). The
 * k-th distinct row of a nickname within a collection goes to its k-th
 * relay, created the first time it is needed (NAME#2 when labelled); rows
 * equal in every value stay duplicates. Rewrites each row's relay. */
static void split_shared_nicknames(mctx *m, size_t nc)
{
    experiment *e = m->e;
    size_t nbase = e->nrelays;
    bool any = false;
    for (size_t r = 0; r < nbase && !any; r++)
        any = !*e->relays[r].fingerprint;
    if (!any)
        return;
    /* Per relay: the collection it last got a row in, that row, and the
     * next relay of the same nickname (SIZE_MAX ends the chain). */
    size_t cap = nbase + 8;
    size_t *last_c = xmalloc(cap * sizeof *last_c), *last_row = xmalloc(cap * sizeof *last_row);
    size_t *next = xmalloc(cap * sizeof *next);
    for (size_t r = 0; r < nbase; r++)
        last_c[r] = last_row[r] = next[r] = SIZE_MAX;
    size_t shared_cap = 0;
    for (size_t i = 0; i < m->nrows; i++) {
        mrow *x = &m->rows[i];
        size_t base = x->relay;
        if (*e->relays[base].fingerprint)
            continue;
        size_t c = collection_of(m, nc, x->dt), r = base, prev = SIZE_MAX;
        for (; r != SIZE_MAX; prev = r, r = next[r])
            if (last_c[r] != c || same_values(&m->rows[last_row[r]], x))
                break;
        if (r == SIZE_MAX) {
            const relay *b = &e->relays[base];
            r = new_relay(m, "", 0, b->nickname, strlen(b->nickname), (long)x->line);
            if (r >= cap) {
                cap = cap * 2 + 8;
                last_c = xrealloc(last_c, cap * sizeof *last_c);
                last_row = xrealloc(last_row, cap * sizeof *last_row);
                next = xrealloc(next, cap * sizeof *next);
            }
            next[prev] = next[r] = SIZE_MAX;
            next[prev] = r;
            ingest_notes *no = &e->notes;
            xgrow((void **)&no->shared, &shared_cap, no->nshared + 1, sizeof *no->shared);
            no->shared[no->nshared++] =
                (shared_nickname){prev, r, (long)m->rows[last_row[prev]].line, (long)x->line};
        }
        last_c[r] = c;
        last_row[r] = i;
        x->relay = (uint32_t)r;
    }
    free(last_c);
    free(last_row);
    free(next);
}

static void build_matrices(mctx *m)
{
    experiment *e = m->e;
    if (!m->nrows)
        return;
    qsort(m->tl, m->ntl, sizeof *m->tl, cmp_i32);
    /* Collection starts, in place at the front of tl. */
    size_t nc = 0;
    for (size_t i = 0; i < m->ntl; i++)
        if (!nc || (int64_t)m->tl[i] - m->tl[nc - 1] > COLLECTION_SPAN)
            m->tl[nc++] = m->tl[i];
    e->ncoll = nc;
    e->times = xmalloc(nc * sizeof *e->times);
    for (size_t c = 0; c < nc; c++)
        e->times[c] = m->base + m->tl[c];
    split_shared_nicknames(m, nc);
    char *why;
    if (!experiment_table_fits(e->nrelays, nc, e->notes.relay_rows, &why)) {
        diag_add(m->d, DIAG_ERROR, m->display, 0, 0, "%s", why);
        free(why);
        free(e->times);
        e->times = NULL;
        e->ncoll = 0;
        return;
    }
    size_t cells = e->nrelays * nc;
    experiment_alloc_samples(e, m->col[C_GROUP] >= 0);
    memset(e->rss_kb, 0xFF, cells * sizeof *e->rss_kb);
    memset(e->vmsize_kb, 0xFF, cells * sizeof *e->vmsize_kb);
    memset(e->hwm_kb, 0xFF, cells * sizeof *e->hwm_kb);
    for (size_t i = 0; i < cells; i++)
        e->frag[i] = NAN;
    if (e->col_group)
        memset(e->col_group, 0xFF, cells * sizeof *e->col_group);
    int32_t last_dt = m->rows[0].dt;
    size_t last_c = SIZE_MAX;
    for (size_t i = 0; i < m->nrows; i++) {
        const mrow *x = &m->rows[i];
        if (last_c == SIZE_MAX || x->dt != last_dt) {
            last_c = collection_of(m, nc, x->dt);
            last_dt = x->dt;
        }
        size_t k = exp_idx(e, x->relay, last_c);
        if (e->rss_kb[k] != KB_MISSING) {
            if (!e->notes.duplicate_rows++)
                e->notes.first_duplicate_line = x->line;
        }
        e->rss_kb[k] = x->rss;
        e->vmsize_kb[k] = x->vms;
        e->hwm_kb[k] = x->hwm;
        e->frag[k] = x->frag;
        if (e->col_group)
            e->col_group[k] = x->grp;
    }
}

static void mctx_init(mctx *m, const char *display, diag_list *d, experiment *e)
{
    memset(m, 0, sizeof *m);
    m->display = display;
    m->d = d;
    m->e = e;
    strmap_init(&m->by_fp);
    strmap_init(&m->by_nick);
    strmap_init(&m->by_group);
    m->last = SIZE_MAX;
}

static void mctx_free(mctx *m)
{
    free(m->succ);
    free(m->rows);
    free(m->tl);
    strmap_free(&m->by_fp);
    strmap_free(&m->by_nick);
    strmap_free(&m->by_group);
    cellstore_free(&m->cs);
}

/* Finds the columns named in the header row; false after reporting a
 * header the file cannot be read with. */
static bool map_header(mctx *m, const csv_row *row)
{
    diag_list *d = m->d;
    bool ok = true;
    m->nfields = row->n;
    for (int c = 0; c < NCOLS; c++)
        m->col[c] = ingest_column(row, colnames[c]);
    static const int required[] = {C_TIMESTAMP, C_RSS};
    for (size_t i = 0; i < ARRAY_LEN(required); i++) {
        if (m->col[required[i]] < 0) {
            csvr_error(m->r, d, row->line, 0, "the header has no '%s' column",
                       colnames[required[i]]);
            ok = false;
        }
    }
    if (m->col[C_NICKNAME] < 0 && m->col[C_FINGERPRINT] < 0) {
        csvr_error(m->r, d, row->line, 0,
                   "the header has neither a 'nickname' nor a 'fingerprint' column");
        ok = false;
    }
    if (!ok && row->n && row->len[0] >= 10 && row->f[0][0] >= '0' && row->f[0][0] <= '9')
        diag_add(d, DIAG_ERROR, m->display, row->line, 0,
                 "line %ld looks like data: the first line must be the header", row->line);
    return ok;
}

#define TAIL_BYTES (64u << 10)

/* Reads [off, off + n) of fd fully; false on a short read or an error. */
static bool pread_all(int fd, void *buf, size_t n, uint64_t off)
{
    char *p = buf;
    while (n) {
        ssize_t k = pread(fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return true;
}

/* SHA-256 of the last 64 KiB before `end` (all of [0, end) when shorter),
 * and whether byte end-1 is a newline. */
static bool tail_hash(int fd, uint64_t end, char hex[65], bool *ends_line)
{
    size_t n = end < TAIL_BYTES ? (size_t)end : TAIL_BYTES;
    char *buf = xmalloc(n ? n : 1);
    bool ok = pread_all(fd, buf, n, end - n);
    if (ok) {
        sha256_hex_of(buf, n, hex);
        *ends_line = n && buf[n - 1] == '\n';
    }
    free(buf);
    return ok;
}

/* What a later build needs to read only what gets appended: the tail's
 * hash and the hash state after every byte. Plain regular files only (a
 * compressed file's stream has no descriptor). */
static void keep_resume_facts(int fd, input_file *in, const unsigned char *state,
                              size_t state_len, long lines)
{
    struct stat st;
    bool ends_line;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !state_len ||
        !tail_hash(fd, in->bytes, in->tail_sha256, &ends_line)) {
        in->tail_sha256[0] = '\0';
        in->sha_state_len = 0;
        in->lines = 0;
        return;
    }
    memcpy(in->sha_state, state, state_len);
    in->sha_state_len = state_len;
    /* Only a file ending with a newline can grow into another collection,
     * and then the reader's line count is the count of newlines. */
    in->lines = ends_line && lines > 0 ? (uint64_t)lines : 0;
}

static memory_change change_of(int fd, uint64_t size, const input_file *was)
{
    if (strlen(was->tail_sha256) != 64 || size < was->bytes)
        return MEMORY_OTHER;
    char hex[65];
    bool ends_line = false;
    if (!tail_hash(fd, was->bytes, hex, &ends_line) || strcmp(hex, was->tail_sha256) != 0)
        return MEMORY_OTHER;
    if (size == was->bytes)
        return MEMORY_SAME;
    return ends_line && was->sha_state_len ? MEMORY_GREW : MEMORY_OTHER;
}

memory_change ingest_memory_change(const char *dir, const input_file *was)
{
    if (instream_kind_of(was->path) != INSTREAM_PLAIN)
        return MEMORY_OTHER;
    char *path = path_join(dir, was->path);
    file_result fr;
    struct stat st;
    int fd = file_open_regular(path, &st, &fr);
    free(path);
    if (fd < 0)
        return MEMORY_OTHER;
    memory_change c = change_of(fd, (uint64_t)st.st_size, was);
    close(fd);
    return c;
}

/* The reference reader: one pass, rows staged, then placed. */
static int read_sequential(FILE *f, const char *display, const ingest_options *opt,
                           experiment *e, diag_list *d)
{
    size_t errors_before = d->nerrors;
    mctx m;
    mctx_init(&m, display, d, e);
    m.r = csvr_open(f, display, opt->force_libcsv);
    if (opt->no_memory_hash)
        csvr_no_hash(m.r);
    csv_row row;
    bool ok = ingest_header(m.r, d, display, &row) && map_header(&m, &row);
    if (ok) {
        /* Big files (a year of a fleet is ~1 GB) get a meter on a terminal. */
        struct stat st;
        progress meter;
        progress_start(&meter, display, fstat(fileno(f), &st) == 0 ? (uint64_t)st.st_size : 0,
                       64u << 20);
        uint64_t rows = 0;
        while (csvr_next(m.r, &row, d)) {
            one_row(&m, &row, opt);
            if ((++rows & 0xFFFF) == 0)
                progress_update(&meter, csvr_bytes(m.r));
        }
        progress_done(&meter);
        csvr_report_io_error(m.r, d);
        build_matrices(&m);
        if (e->naggs > 1)
            qsort(e->aggs, e->naggs, sizeof *e->aggs, cmp_agg);
        /* Aggregate rows alone (the years before relay rows were
         * collected) still make a report: the server total. */
        if (!e->notes.relay_rows && !e->naggs && d->nerrors == errors_before)
            diag_add(d, DIAG_ERROR, display, 0, 0,
                     "no relay rows and no aggregate rows: nothing to report on");
    }
    char hex[65];
    unsigned char state[SHA256_STATE_MAX];
    size_t state_len = csvr_sha256_state(m.r, state);
    csvr_sha256(m.r, hex);
    input_file *in = ingest_add_input(e, e->memory_path ? e->memory_path : display,
                                      csvr_bytes(m.r),
                                      e->notes.relay_rows + e->notes.aggregate_rows, hex);
    keep_resume_facts(fileno(f), in, state, state_len, csvr_lines(m.r));
    csvr_close(m.r, d);
    mctx_free(&m);
    return d->nerrors > errors_before ? 1 : 0;
}

/* ---- The parallel reader ---- */

#define PARALLEL_MIN_BYTES (32u << 20)
#define SPLIT_WINDOW (4u << 20)

/* One half of the file, read into its own scratch experiment. */
typedef struct {
    mctx m;
    experiment pe;
    diag_list d;
    int fd;
    uint64_t from, to;
    const ingest_options *opt;
    progress *meter;        /* first half only: it shows the whole file */
    uint64_t meter_scale;   /* bytes of the file per byte of this half, x1024 */
    long lines;             /* physical lines in the half */
    const experiment *flat; /* samples already in matrices (an archive's),
                               instead of m.cs */
} half;

static void *half_run(void *arg)
{
    half *h = arg;
    mctx *m = &h->m;
    m->r = csvr_open_range(h->fd, h->from, h->to, m->display);
    csv_row row;
    if (h->from == 0 && !ingest_header(m->r, &h->d, m->display, &row))
        m->bail = true;
    uint64_t rows = 0;
    /* Any message means the sequential reader takes over: stop early. */
    while (!m->bail && !h->d.n && csvr_next(m->r, &row, &h->d)) {
        one_row(m, &row, h->opt);
        if (h->meter && (++rows & 0xFFFF) == 0)
            progress_update(h->meter, csvr_bytes(m->r) * h->meter_scale / 1024);
    }
    csvr_report_io_error(m->r, &h->d);
    h->lines = csvr_lines(m->r);
    csvr_close(m->r, &h->d);
    m->r = NULL;
    return NULL;
}

/* The hash of a file the halves read: its own descriptor (a duplicate,
 * as the caller closes the file when ingest returns and the hash may
 * still be running then: ingest_options.pending_hash). */
struct ingest_hash {
    int fd;
    uint64_t size;
    char hex[65];
    unsigned char state[SHA256_STATE_MAX]; /* before the end: for resuming */
    size_t state_len;
    bool ok;
    int err;          /* errno of a failed read */
    pthread_t th;
    bool threaded;
    size_t input;     /* e->inputs[input] gets the hash */
    long lines;       /* the file's lines, for keep_resume_facts */
    char *display;
};
typedef struct ingest_hash hash_job;

/* SHA-256 of bytes [0, size) of the file, beside the two halves. */
static void *hash_run(void *arg)
{
    hash_job *j = arg;
    /* Pieces that stay in the cache between the copy and the hash. */
    enum { CHUNK = 256u << 10 };
    char *buf = xmalloc(CHUNK);
    sha256_ctx c;
    sha256_init(&c);
    uint64_t off = 0;
    j->ok = true;
    while (off < j->size) {
        size_t want = j->size - off < CHUNK ? (size_t)(j->size - off) : CHUNK;
        ssize_t n = pread(j->fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            j->err = n < 0 ? errno : EIO;
            j->ok = false;
            break;
        }
        sha256_update(&c, buf, (size_t)n);
        off += (uint64_t)n;
    }
    j->state_len = sha256_state_export(&c, j->state);
    unsigned char dg[32];
    sha256_final(&c, dg);
    sha256_hex(dg, j->hex);
    free(buf);
    return NULL;
}

/* Field k of a plain line split on commas, trimmed as csvread trims. */
static bool plain_field(const char *s, size_t n, size_t k, const char **f, size_t *fn)
{
    const char *p = s, *end = s + n;
    for (size_t i = 0; i < k; i++) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        if (!c)
            return false;
        p = c + 1;
    }
    const char *c = memchr(p, ',', (size_t)(end - p));
    const char *b = c ? c : end;
    while (p < b && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    while (b > p && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
        b--;
    *f = p;
    *fn = (size_t)(b - p);
    return true;
}

/* Where the second half starts: a line in the middle of the file whose
 * relay row is more than COLLECTION_SPAN after the relay row before it, so
 * it opens a collection whatever came earlier. 0 when the lines there are
 * not plain enough to tell (quotes, odd rows) or no such gap is near. */
static uint64_t find_split(int fd, uint64_t size, const mctx *m, int tz)
{
    uint64_t at = size / 2;
    size_t want = size - at < SPLIT_WINDOW ? (size_t)(size - at) : SPLIT_WINDOW;
    char *buf = xmalloc(want);
    ssize_t got = pread(fd, buf, want, (off_t)at);
    uint64_t split = 0;
    const char *p = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
    const char *end = got > 0 ? buf + got : buf;
    bool have_prev = false;
    int64_t prev = 0;
    while (p && !split) {
        const char *s = p + 1;
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            break;
        size_t n = (size_t)(nl - s);
        p = nl;
        if (memchr(s, '"', n) || memchr(s, '\0', n))
            break;
        const char *f;
        size_t fn;
        if (m->col[C_TYPE] >= 0) {
            if (!plain_field(s, n, (size_t)m->col[C_TYPE], &f, &fn))
                continue;
            if (fn == 9 && !memcmp(f, "aggregate", 9))
                continue;
            if (!(fn == 5 && !memcmp(f, "relay", 5)))
                break;
        }
        ts_value v;
        if (!plain_field(s, n, (size_t)m->col[C_TIMESTAMP], &f, &fn) || !fn ||
            timestamp_parse(f, fn, tz, &v) != TS_OK)
            break;
        if (have_prev && v.t < prev)
            break;
        if (have_prev && v.t - prev > COLLECTION_SPAN)
            split = at + (uint64_t)(s - buf);
        have_prev = true;
        prev = v.t;
    }
    free(buf);
    return split;
}

static void half_init(half *h, const mctx *hdr, int fd, uint64_t from, uint64_t to,
                      const ingest_options *opt, const experiment *e)
{
    memset(h, 0, sizeof *h);
    diag_init(&h->d);
    h->pe.man.tz_offset_min = e->man.tz_offset_min;
    mctx_init(&h->m, hdr->display, &h->d, &h->pe);
    memcpy(h->m.col, hdr->col, sizeof h->m.col);
    h->m.nfields = hdr->nfields;
    h->m.stream = true;
    cellstore_init(&h->m.cs, hdr->col[C_GROUP] >= 0);
    h->fd = fd;
    h->from = from;
    h->to = to;
    h->opt = opt;
}

static void half_free(half *h)
{
    mctx_free(&h->m);
    h->pe.man.tz_offset_min = 0;
    experiment_free(&h->pe);
    diag_free(&h->d);
}

/* True when the two halves read together give what the sequential reader
 * would: nothing it would have said or done differently. */
static bool halves_agree(const half *a, const half *b)
{
    const ingest_notes *na = &a->pe.notes, *nb = &b->pe.notes;
    if (a->m.bail || b->m.bail || a->d.n)
        return false;
    /* The second half may end in a row still being written. */
    if (b->d.n > 1 || (b->d.n == 1 && !nb->partial_last_line))
        return false;
    if (!na->relay_rows || !nb->relay_rows || na->out_of_order_rows || nb->out_of_order_rows)
        return false;
    return b->m.first_relay_t - a->m.last_relay_t > COLLECTION_SPAN &&
           b->m.last_relay_t - a->m.base <= INT32_MAX;
}

static long shift_line(long line, long by)
{
    return line > 0 ? line + by : line;
}

/* Joins the second half's relays to the first's (identity is the
 * fingerprint: every row has one). Fills map[j] with the global relay of
 * the second half's relay j. False when a nickname is shared by two
 * relays in a way the sequential reader would have warned about. */
static bool join_relays(half *a, half *b, experiment *e, size_t *map)
{
    mctx *g = &a->m;
    e->relays = a->pe.relays;
    e->nrelays = a->pe.nrelays;
    a->pe.relays = NULL;
    a->pe.nrelays = 0;
    size_t cap = e->nrelays;
    for (size_t j = 0; j < b->pe.nrelays; j++) {
        relay *x = &b->pe.relays[j];
        size_t r;
        if (strmap_get(&g->by_fp, x->fingerprint, 40, &r)) {
            if (!*e->relays[r].nickname && *x->nickname) {
                free(e->relays[r].nickname);
                e->relays[r].nickname = x->nickname;
                x->nickname = xstrdup("");
            }
        } else {
            xgrow((void **)&e->relays, &cap, e->nrelays + 1, sizeof *e->relays);
            r = e->nrelays++;
            e->relays[r] = *x;
            e->relays[r].first_line = shift_line(x->first_line, a->lines);
            x->nickname = x->fingerprint = NULL;
            strmap_put(&g->by_fp, e->relays[r].fingerprint, 40, r);
        }
        map[j] = r;
        const char *nick = e->relays[r].nickname;
        size_t nn = strlen(nick), other;
        if (nn && strmap_get(&g->by_nick, nick, nn, &other) && other != r)
            return false;
        if (nn && !strmap_get(&g->by_nick, nick, nn, NULL))
            strmap_put(&g->by_nick, nick, nn, r);
    }
    return true;
}

/* The halves' samples into e's matrices, block by block, each block given
 * back as soon as it is copied. */
static void fill_matrices(experiment *e, half *h, size_t coll_off, const size_t *inv,
                          const uint16_t *gmap)
{
    cellstore *cs = &h->m.cs;
    size_t nc = e->ncoll;
    for (size_t bi = 0; bi < cs->nb; bi++) {
        const cblock *b = &cs->b[bi];
        for (size_t r = 0; r < e->nrelays; r++) {
            size_t j = inv[r];
            size_t k = r * nc + coll_off + b->first;
            if (j >= b->stride) {
                for (size_t c = 0; c < b->ncoll; c++) {
                    e->rss_kb[k + c] = e->vmsize_kb[k + c] = e->hwm_kb[k + c] = KB_MISSING;
                    e->frag[k + c] = NAN;
                    if (e->col_group)
                        e->col_group[k + c] = COLGROUP_NONE;
                }
                continue;
            }
            for (size_t c = 0; c < b->ncoll; c++) {
                size_t s = c * b->stride + j;
                e->rss_kb[k + c] = b->rss[s];
                e->vmsize_kb[k + c] = b->vms[s];
                e->hwm_kb[k + c] = b->hwm[s];
                e->frag[k + c] = b->frag[s];
                if (e->col_group) {
                    uint16_t g = b->grp[s];
                    e->col_group[k + c] = g == COLGROUP_NONE || !gmap ? g : gmap[g];
                }
            }
        }
        cellstore_release(cs, bi);
    }
}

typedef struct {
    experiment *e;
    half *h;
    size_t coll_off;
    const size_t *inv;
    const uint16_t *gmap;
} fill_job;

static void *fill_run(void *arg)
{
    fill_job *j = arg;
    fill_matrices(j->e, j->h, j->coll_off, j->inv, j->gmap);
    return NULL;
}

/* The samples of an earlier read (the first collections, the first
 * relays) into e's wider matrices; later relays miss there. */
static void fill_from_flat(experiment *e, const experiment *old)
{
    size_t nc = e->ncoll, oc = old->ncoll;
    for (size_t r = 0; r < e->nrelays; r++) {
        size_t k = r * nc;
        if (r < old->nrelays) {
            size_t o = r * oc;
            memcpy(e->rss_kb + k, old->rss_kb + o, oc * sizeof *e->rss_kb);
            memcpy(e->vmsize_kb + k, old->vmsize_kb + o, oc * sizeof *e->vmsize_kb);
            memcpy(e->hwm_kb + k, old->hwm_kb + o, oc * sizeof *e->hwm_kb);
            memcpy(e->frag + k, old->frag + o, oc * sizeof *e->frag);
            if (e->col_group)
                memcpy(e->col_group + k, old->col_group + o, oc * sizeof *e->col_group);
            continue;
        }
        for (size_t c = 0; c < oc; c++) {
            e->rss_kb[k + c] = e->vmsize_kb[k + c] = e->hwm_kb[k + c] = KB_MISSING;
            e->frag[k + c] = NAN;
            if (e->col_group)
                e->col_group[k + c] = COLGROUP_NONE;
        }
    }
}

/* Everything the halves read, into e, as the sequential reader leaves it. */
static bool merge_halves(half *a, half *b, experiment *e, diag_list *d)
{
    size_t nra = a->pe.nrelays; /* join_relays moves them into e */
    size_t *map = xmalloc((b->pe.nrelays + 1) * sizeof *map);
    if (!join_relays(a, b, e, map)) {
        free(map);
        return false;
    }
    size_t nr = e->nrelays;
    size_t *inv_a = xmalloc(nr * sizeof *inv_a), *inv_b = xmalloc(nr * sizeof *inv_b);
    for (size_t r = 0; r < nr; r++)
        inv_b[r] = SIZE_MAX;
    for (size_t j = 0; j < b->pe.nrelays; j++)
        inv_b[map[j]] = j;
    free(map);

    /* Groups named in the CSV: the second half's new ones come after. */
    e->colgroups = a->pe.colgroups;
    e->ncolgroups = a->pe.ncolgroups;
    a->pe.colgroups = NULL;
    a->pe.ncolgroups = 0;
    size_t gcap = e->ncolgroups;
    uint16_t *gmap = xmalloc((b->pe.ncolgroups + 1) * sizeof *gmap);
    for (size_t k = 0; k < b->pe.ncolgroups; k++) {
        const char *name = b->pe.colgroups[k];
        size_t v, n = strlen(name);
        if (!strmap_get(&a->m.by_group, name, n, &v)) {
            if (e->ncolgroups >= EXPERIMENT_MAX_GROUPS) {
                free(inv_a);
                free(inv_b);
                free(gmap);
                return false;
            }
            xgrow((void **)&e->colgroups, &gcap, e->ncolgroups + 1, sizeof *e->colgroups);
            v = e->ncolgroups++;
            e->colgroups[v] = xstrdup(name);
            strmap_put(&a->m.by_group, e->colgroups[v], n, v);
        }
        gmap[k] = (uint16_t)v;
    }

    size_t nca = a->pe.ncoll, ncb = b->pe.ncoll;
    char *why;
    if (!experiment_table_fits(nr, nca + ncb, a->pe.notes.relay_rows + b->pe.notes.relay_rows,
                               &why)) {
        /* One thread reads the file again and says so. */
        free(why);
        free(inv_a);
        free(inv_b);
        free(gmap);
        return false;
    }
    e->ncoll = nca + ncb;
    e->times = xmalloc(e->ncoll * sizeof *e->times);
    memcpy(e->times, a->pe.times, nca * sizeof *e->times);
    memcpy(e->times + nca, b->pe.times, ncb * sizeof *e->times);
    experiment_alloc_samples(e, a->m.col[C_GROUP] >= 0);
    for (size_t r = 0; r < nr; r++)
        inv_a[r] = r < nra ? r : SIZE_MAX;
    /* The halves fill disjoint collections: the second on its own thread. */
    fill_job jb = {e, b, nca, inv_b, gmap};
    pthread_t th;
    bool async = pthread_create(&th, NULL, fill_run, &jb) == 0;
    bool filled = true;
    if (a->flat && a->flat->rss_kb)
        fill_from_flat(e, a->flat);
    else if (a->flat)
        filled = a->opt->resume_samples && a->opt->resume_samples(a->opt->resume_ctx, e);
    else
        fill_matrices(e, a, 0, inv_a, NULL);
    if (async)
        pthread_join(th, NULL);
    else
        fill_run(&jb);
    free(inv_a);
    free(inv_b);
    free(gmap);
    if (!filled) { /* the caller undoes the relays and groups */
        free(e->times);
        e->times = NULL;
        experiment_free_samples(e);
        e->ncoll = 0;
        return false;
    }

    /* Aggregate rows: the second half's lines come after the first's. */
    size_t acap = 0;
    e->naggs = a->pe.naggs + b->pe.naggs;
    e->aggs = NULL;
    xgrow((void **)&e->aggs, &acap, e->naggs ? e->naggs : 1, sizeof *e->aggs);
    memcpy(e->aggs, a->pe.aggs, a->pe.naggs * sizeof *e->aggs);
    for (size_t i = 0; i < b->pe.naggs; i++) {
        e->aggs[a->pe.naggs + i] = b->pe.aggs[i];
        e->aggs[a->pe.naggs + i].line = shift_line(b->pe.aggs[i].line, a->lines);
    }
    if (e->naggs > 1)
        qsort(e->aggs, e->naggs, sizeof *e->aggs, cmp_agg);

    const ingest_notes *na = &a->pe.notes, *nb = &b->pe.notes;
    ingest_notes *no = &e->notes;
    no->read_in_parallel = true;
    no->relay_rows = na->relay_rows + nb->relay_rows;
    no->aggregate_rows = na->aggregate_rows + nb->aggregate_rows;
    no->duplicate_rows = na->duplicate_rows + nb->duplicate_rows;
    if (na->duplicate_rows) {
        no->first_duplicate_line = na->first_duplicate_line;
    } else if (nb->duplicate_rows) {
        long l = shift_line(nb->first_duplicate_line, a->lines);
        no->first_duplicate_line = l > (long)UINT32_MAX ? (long)UINT32_MAX : l;
    }
    if (nb->partial_last_line) {
        no->partial_last_line = true;
        no->partial_line = shift_line(nb->partial_line, a->lines);
        diag_item *it = &b->d.items[0];
        it->line = shift_line(it->line, a->lines);
        diag_append(d, &b->d);
    }
    return true;
}

/* A merge that gave up had moved relays and groups into e. */
static void undo_merge(experiment *e)
{
    for (size_t i = 0; i < e->nrelays; i++) {
        free(e->relays[i].nickname);
        free(e->relays[i].fingerprint);
    }
    free(e->relays);
    for (size_t i = 0; i < e->ncolgroups; i++)
        free(e->colgroups[i]);
    free(e->colgroups);
    e->relays = NULL;
    e->colgroups = NULL;
    e->nrelays = e->ncolgroups = 0;
}

/* Reads the header line into *hdr's column map (messages into *hd, which the
 * caller frees with hdr); false when it is not a clean header. */
static bool read_columns(mctx *hdr, diag_list *hd, int fd, uint64_t size, const char *display,
                         experiment *e)
{
    diag_init(hd);
    mctx_init(hdr, display, hd, e);
    hdr->r = csvr_open_range(fd, 0, size, display);
    csv_row row;
    bool ok = ingest_header(hdr->r, hd, display, &row) && map_header(hdr, &row) && !hd->n;
    csvr_close(hdr->r, NULL);
    hdr->r = NULL;
    return ok;
}

/* Reads a big regular file with two threads and hashes it with a third.
 * Returns false, with e and d untouched, when the file is not one this
 * path reads exactly; the caller then reads it sequentially. */
static bool read_parallel(FILE *f, const char *display, const ingest_options *opt,
                          experiment *e, diag_list *d, int *rc)
{
    struct stat st;
    int fd = fileno(f);
    uint64_t min = opt->parallel_min_bytes ? opt->parallel_min_bytes : PARALLEL_MIN_BYTES;
    if (opt->force_libcsv || e->nrelays || e->ncoll || e->naggs || e->ncolgroups || fd < 0 || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode) || (uint64_t)st.st_size < min || ftello(f) != 0)
        return false;
    uint64_t size = (uint64_t)st.st_size;

    /* The header, to know the columns before choosing where to split. */
    diag_list hd;
    mctx hdr;
    bool ok = read_columns(&hdr, &hd, fd, size, display, e);
    uint64_t split = ok ? find_split(fd, size, &hdr, e->man.tz_offset_min) : 0;
    if (!split) {
        mctx_free(&hdr);
        diag_free(&hd);
        return false;
    }

    half *h = xmalloc(2 * sizeof *h);
    half_init(&h[0], &hdr, fd, 0, split, opt, e);
    half_init(&h[1], &hdr, fd, split, size, opt, e);
    mctx_free(&hdr);
    diag_free(&hd);
    hash_job *hj = xcalloc(1, sizeof *hj);
    *hj = (hash_job){.fd = opt->no_memory_hash ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0), .size = size};
    progress meter;
    progress_start(&meter, display, size, 64u << 20);
    h[0].meter = &meter;
    h[0].meter_scale = (size * 1024) / split;

    pthread_t th_half;
    hj->threaded = hj->fd >= 0 && pthread_create(&hj->th, NULL, hash_run, hj) == 0;
    bool half_async = pthread_create(&th_half, NULL, half_run, &h[1]) == 0;
    half_run(&h[0]);
    if (!half_async)
        half_run(&h[1]);
    if (half_async)
        pthread_join(th_half, NULL);
    progress_done(&meter);
    bool agree = halves_agree(&h[0], &h[1]);
    if (agree && opt->no_memory_hash)
        hj->ok = true; /* hex and state stay empty */
    else if (agree && !hj->threaded)
        hash_run(hj);
    /* The caller may take the hash still running (the analysis runs beside
     * it); otherwise it is waited for here. */
    bool defer = agree && hj->threaded && opt->pending_hash;
    if (!defer && hj->threaded) {
        pthread_join(hj->th, NULL);
        hj->threaded = false;
    }

    size_t errors_before = d->nerrors;
    bool done = agree && (defer || hj->ok) && merge_halves(&h[0], &h[1], e, d);
    if (done) {
        ingest_add_input(e, e->memory_path ? e->memory_path : display, size,
                         e->notes.relay_rows + e->notes.aggregate_rows, defer ? "" : hj->hex);
        hj->input = e->ninputs - 1;
        hj->lines = h[0].lines + h[1].lines;
        *rc = d->nerrors > errors_before ? 1 : 0;
        if (defer) {
            hj->display = xstrdup(display);
            *opt->pending_hash = hj;
            hj = NULL;
        } else {
            keep_resume_facts(fd, &e->inputs[hj->input], hj->state, hj->state_len, hj->lines);
        }
    } else {
        undo_merge(e);
    }
    if (hj) {
        if (hj->threaded)
            pthread_join(hj->th, NULL);
        if (hj->fd >= 0)
            close(hj->fd);
        free(hj);
    }
    half_free(&h[0]);
    half_free(&h[1]);
    free(h);
    return done;
}

/* ---- Reading only what was appended ---- */

/* Physical lines in [0, end) of fd, or -1 after a read error. */
static long count_lines(int fd, uint64_t end)
{
    enum { CHUNK = 1u << 20 };
    char *buf = xmalloc(CHUNK);
    long n = 0;
    for (uint64_t off = 0; off < end && n >= 0;) {
        size_t want = end - off < CHUNK ? (size_t)(end - off) : CHUNK;
        if (!pread_all(fd, buf, want, off)) {
            n = -1;
            break;
        }
        for (const char *p = buf, *q = buf + want; (p = memchr(p, '\n', (size_t)(q - p))); p++)
            n++;
        off += want;
    }
    free(buf);
    return n;
}

/* The first half of a resumed read: the archived experiment's relays,
 * groups, collections and notes, with the look-ups the reader keeps. */
static void half_from_old(half *h, const experiment *old)
{
    experiment *pe = &h->pe;
    mctx *m = &h->m;
    pe->nrelays = old->nrelays;
    pe->relays = xmalloc(old->nrelays * sizeof *pe->relays);
    for (size_t r = 0; r < old->nrelays; r++) {
        const relay *x = &old->relays[r];
        pe->relays[r] = (relay){xstrdup(x->nickname), xstrdup(x->fingerprint), x->first_line, NULL};
        size_t fn = strlen(x->fingerprint), nn = strlen(x->nickname);
        if (fn)
            strmap_put(&m->by_fp, x->fingerprint, fn, r);
        if (nn && !strmap_get(&m->by_nick, x->nickname, nn, NULL))
            strmap_put(&m->by_nick, x->nickname, nn, r);
    }
    pe->ncolgroups = old->ncolgroups;
    pe->colgroups = xmalloc((old->ncolgroups ? old->ncolgroups : 1) * sizeof *pe->colgroups);
    for (size_t g = 0; g < old->ncolgroups; g++) {
        pe->colgroups[g] = xstrdup(old->colgroups[g]);
        strmap_put(&m->by_group, old->colgroups[g], strlen(old->colgroups[g]), g);
    }
    pe->ncoll = old->ncoll;
    pe->times = xmalloc(old->ncoll * sizeof *pe->times);
    memcpy(pe->times, old->times, old->ncoll * sizeof *pe->times);
    pe->naggs = old->naggs;
    pe->aggs = xmalloc((old->naggs ? old->naggs : 1) * sizeof *pe->aggs);
    memcpy(pe->aggs, old->aggs, old->naggs * sizeof *pe->aggs);
    pe->notes = old->notes;
    /* Every relay row of the old file is at most COLLECTION_SPAN after the
     * last collection's start, and none before the first collection. */
    m->last_relay_t = old->times[old->ncoll - 1];
    m->base = old->times[0];
    h->flat = old;
}

/* True when no two relays share a nickname: then reading the old file
 * said nothing about nicknames, which the archive would not repeat. */
static bool nicknames_unique(const experiment *old)
{
    strmap seen;
    strmap_init(&seen);
    bool ok = true;
    for (size_t r = 0; r < old->nrelays && ok; r++) {
        size_t nn = strlen(old->relays[r].nickname);
        if (!nn)
            continue;
        ok = !strmap_get(&seen, old->relays[r].nickname, nn, NULL);
        strmap_put(&seen, old->relays[r].nickname, nn, r);
    }
    strmap_free(&seen);
    return ok;
}

/* Reads only the bytes appended since opt->resume was read, and joins
 * them to its samples, when that gives exactly what reading the whole
 * file would: the file only grew, the old part left nothing to say, the
 * new part starts a new collection and suits a streaming half. Returns
 * false with e and d untouched otherwise. */
static bool read_resume(FILE *f, const char *display, const ingest_options *opt, experiment *e,
                        diag_list *d, int *rc)
{
    const experiment *old = opt->resume;
    const char *rel = e->memory_path ? e->memory_path : display;
    const input_file *was = NULL;
    for (size_t i = 0; i < old->ninputs; i++)
        if (str_eq(old->inputs[i].path, rel))
            was = &old->inputs[i];
    struct stat st;
    int fd = fileno(f);
    if (!was || opt->force_libcsv || !old->ncoll || !old->nrelays ||
        (!old->rss_kb && !opt->resume_samples) ||
        old->notes.partial_last_line || e->nrelays || e->ncoll || e->naggs || fd < 0 ||
        fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || ftello(f) != 0 ||
        change_of(fd, (uint64_t)st.st_size, was) != MEMORY_GREW || !nicknames_unique(old))
        return false;
    uint64_t from = was->bytes, size = (uint64_t)st.st_size;
    sha256_ctx sha;
    if (sha256_state_import(&sha, was->sha_state, was->sha_state_len) != 0 || sha.total != from)
        return false;

    diag_list hd;
    mctx hdr;
    bool ok = read_columns(&hdr, &hd, fd, size, display, e);
    /* The archive's count of the old part's lines saves reading it all;
     * one that cannot be right (more lines than bytes) is not used. */
    long lines = !ok ? -1
                 : was->lines && was->lines <= from && was->lines <= (uint64_t)LONG_MAX
                     ? (long)was->lines
                     : count_lines(fd, from);
    if (lines < 0) {
        mctx_free(&hdr);
        diag_free(&hd);
        return false;
    }
    half *h = xmalloc(2 * sizeof *h);
    half_init(&h[0], &hdr, fd, 0, from, opt, e);
    half_init(&h[1], &hdr, fd, from, size, opt, e);
    mctx_free(&hdr);
    diag_free(&hd);
    half_from_old(&h[0], old);
    h[0].lines = lines;
    half_run(&h[1]);

    /* The full hash, carried on from the archived state. */
    bool hashed = true;
    enum { CHUNK = 1u << 20 };
    char *buf = xmalloc(CHUNK);
    for (uint64_t off = from; off < size && hashed; off += CHUNK) {
        size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
        hashed = pread_all(fd, buf, want, off);
        if (hashed)
            sha256_update(&sha, buf, want);
    }
    free(buf);

    size_t errors_before = d->nerrors;
    bool done = hashed && halves_agree(&h[0], &h[1]) && merge_halves(&h[0], &h[1], e, d);
    if (done) {
        e->notes.read_in_parallel = false;
        e->notes.read_appended_only = true;
        unsigned char state[SHA256_STATE_MAX], dg[32];
        size_t state_len = sha256_state_export(&sha, state);
        char hex[65];
        sha256_final(&sha, dg);
        sha256_hex(dg, hex);
        input_file *in = ingest_add_input(e, rel, size,
                                          e->notes.relay_rows + e->notes.aggregate_rows, hex);
        keep_resume_facts(fd, in, state, state_len, h[0].lines + h[1].lines);
        *rc = d->nerrors > errors_before ? 1 : 0;
    } else {
        undo_merge(e);
    }
    half_free(&h[0]);
    half_free(&h[1]);
    free(h);
    return done;
}

int ingest_hash_finish(ingest_hash *j, experiment *e, diag_list *d)
{
    if (!j)
        return 0;
    if (j->threaded)
        pthread_join(j->th, NULL);
    int rc = 0;
    if (!j->ok) {
        diag_io(d, j->display, 0, "read error while hashing: %s", strerror(j->err));
        rc = 1;
    } else if (e && j->input < e->ninputs) {
        input_file *in = &e->inputs[j->input];
        snprintf(in->sha256, sizeof in->sha256, "%s", j->hex);
        keep_resume_facts(j->fd, in, j->state, j->state_len, j->lines);
    }
    close(j->fd);
    free(j->display);
    free(j);
    return rc;
}

int ingest_memory_csv(FILE *f, const char *display, const ingest_options *opt, experiment *e,
                      diag_list *d)
{
    static const ingest_options defaults = {0};
    if (!opt)
        opt = &defaults;
    int rc;
    if (!(opt->resume && read_resume(f, display, opt, e, d, &rc)) &&
        !read_parallel(f, display, opt, e, d, &rc))
        rc = read_sequential(f, display, opt, e, d);
    experiment_label_relays(e);
    return rc;
}
