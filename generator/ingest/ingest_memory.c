/* ingest_memory.c - the memory CSV: relay rows into packed sample
 * matrices, aggregate rows into e->aggs.
 *
 * Rows are first kept in one compact array (32 bytes a row, no allocation
 * per row). After the file is read, the distinct timestamps are sorted and
 * grouped into collections: a collector writes its relays a few seconds
 * apart, so every timestamp within COLLECTION_SPAN seconds of a
 * collection's first timestamp belongs to that collection, and the
 * collection's time is its first timestamp. Then the rows are placed into
 * the [relay * ncoll + collection] matrices; when one relay has two rows in
 * one collection the later row in the file wins and e->notes counts it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvread.h"
#include "ingest.h"
#include "ingest_internal.h"
#include "progress.h"
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
static bool row_relay(mctx *m, const csv_row *row, size_t *id)
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
    if (e->ncolgroups >= COLGROUP_NONE) {
        csvr_error(m->r, m->d, row->line, colpos(row, m->col[C_GROUP]),
                   "more than %u distinct groups", (unsigned)COLGROUP_NONE - 1);
        return false;
    }
    xgrow((void **)&e->colgroups, &m->colgroups_cap, e->ncolgroups + 1, sizeof *e->colgroups);
    e->colgroups[e->ncolgroups] = xstrndup(s, n);
    strmap_put(&m->by_group, s, n, e->ncolgroups);
    *g = (uint16_t)e->ncolgroups++;
    return true;
}

static void relay_row(mctx *m, const csv_row *row, int64_t t)
{
    mrow x;
    const char *s;
    size_t n;
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
        if (ingest_parse_double(s, n, &f) && f >= 0) {
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
        if (n == 9 && !strncmp(s, "aggregate", 9)) {
            aggregate = true;
        } else if (!(n == 5 && !strncmp(s, "relay", 5))) {
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
    size_t cells = e->nrelays * nc;
    e->rss_kb = xmalloc(cells * sizeof *e->rss_kb);
    e->vmsize_kb = xmalloc(cells * sizeof *e->vmsize_kb);
    e->hwm_kb = xmalloc(cells * sizeof *e->hwm_kb);
    e->frag = xmalloc(cells * sizeof *e->frag);
    memset(e->rss_kb, 0xFF, cells * sizeof *e->rss_kb);
    memset(e->vmsize_kb, 0xFF, cells * sizeof *e->vmsize_kb);
    memset(e->hwm_kb, 0xFF, cells * sizeof *e->hwm_kb);
    for (size_t i = 0; i < cells; i++)
        e->frag[i] = NAN;
    if (m->col[C_GROUP] >= 0) {
        e->col_group = xmalloc(cells * sizeof *e->col_group);
        memset(e->col_group, 0xFF, cells * sizeof *e->col_group);
    }
    int32_t last_dt = m->rows[0].dt;
    size_t last_c = SIZE_MAX;
    for (size_t i = 0; i < m->nrows; i++) {
        const mrow *x = &m->rows[i];
        if (last_c == SIZE_MAX || x->dt != last_dt) {
            /* The last collection starting at or before dt. */
            size_t lo = 0, hi = nc;
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (m->tl[mid] <= x->dt)
                    lo = mid;
                else
                    hi = mid;
            }
            last_c = lo;
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

static void mctx_free(mctx *m)
{
    free(m->rows);
    free(m->tl);
    strmap_free(&m->by_fp);
    strmap_free(&m->by_nick);
    strmap_free(&m->by_group);
}

int ingest_memory_csv(FILE *f, const char *display, const ingest_options *opt, experiment *e,
                      diag_list *d)
{
    static const ingest_options defaults = {0};
    if (!opt)
        opt = &defaults;
    size_t errors_before = d->nerrors;
    mctx m = {.display = display, .d = d, .e = e};
    strmap_init(&m.by_fp);
    strmap_init(&m.by_nick);
    strmap_init(&m.by_group);
    m.r = csvr_open(f, display, opt->force_libcsv);
    csv_row row;
    bool ok = ingest_header(m.r, d, display, &row);
    if (ok) {
        m.nfields = row.n;
        for (int c = 0; c < NCOLS; c++)
            m.col[c] = ingest_column(&row, colnames[c]);
        static const int required[] = {C_TIMESTAMP, C_RSS};
        for (size_t i = 0; i < ARRAY_LEN(required); i++) {
            if (m.col[required[i]] < 0) {
                csvr_error(m.r, d, row.line, 0, "the header has no '%s' column",
                           colnames[required[i]]);
                ok = false;
            }
        }
        if (m.col[C_NICKNAME] < 0 && m.col[C_FINGERPRINT] < 0) {
            csvr_error(m.r, d, row.line, 0,
                       "the header has neither a 'nickname' nor a 'fingerprint' column");
            ok = false;
        }
        if (!ok && row.n && row.len[0] >= 10 && row.f[0][0] >= '0' && row.f[0][0] <= '9')
            diag_add(d, DIAG_ERROR, display, row.line, 0,
                     "line %ld looks like data: the first line must be the header", row.line);
    }
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
        if (!e->notes.relay_rows && d->nerrors == errors_before)
            diag_add(d, DIAG_ERROR, display, 0, 0, "no relay rows: nothing to report on");
    }
    char hex[65];
    csvr_sha256(m.r, hex);
    ingest_add_input(e, e->memory_path ? e->memory_path : display, csvr_bytes(m.r),
                     e->notes.relay_rows + e->notes.aggregate_rows, hex);
    csvr_close(m.r, d);
    mctx_free(&m);
    return d->nerrors > errors_before ? 1 : 0;
}
