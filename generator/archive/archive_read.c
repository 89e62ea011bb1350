/* archive_read.c - reads results.sqlite back (tables in archive_schema.c),
 * and tells whether an archive still describes a directory's inputs.
 *
 * Every value the writers, charts and the site need comes back exactly
 * (NAN is stored as NULL, open time bounds as NULL). Counts stored in the
 * experiment row are checked on the way back, and every stored index
 * against the array it indexes, so a damaged file is noticed instead of
 * read short or out of bounds. */
#include "archive.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive_internal.h"
#include "manifest.h"
#include "samplecol.h"
#include "status.h"
#include "strmap.h"
#include "util.h"

void archive_rfail(rctx *r, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_error(r->d, r->path, 0, "%s", msg);
    free(msg);
}
#define rfail archive_rfail

static void rfail_db(rctx *r, const char *what)
{
    rfail(r, "not a readable archive (%s: %s)", what, sqlite3_errmsg(r->db));
}

static sqlite3_stmt *rprep(rctx *r, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (r->failed)
        return NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rfail_db(r, "query");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *archive_rselect(rctx *r, const atable *t, const char *where)
{
    int version = r->ver ? r->ver->version : ARCHIVE_SCHEMA_VERSION;
    if (!archive_table_in(t, version))
        return NULL; /* not in this file's schema: no rows */
    char *sql = archive_select_sql(t, where, version);
    sqlite3_stmt *st = rprep(r, sql);
    free(sql);
    return st;
}

bool archive_rrow(rctx *r, sqlite3_stmt *st)
{
    if (r->failed || !st)
        return false;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        rfail_db(r, "read");
    return false;
}
#define rrow archive_rrow

bool archive_rindex(rctx *r, int64_t v, size_t n, const char *what, size_t *out)
{
    if (v < 0 || (uint64_t)v >= n) {
        rfail(r, "damaged archive: %s %lld out of range", what, (long long)v);
        return false;
    }
    *out = (size_t)v;
    return true;
}
#define r_index archive_rindex

static char *c_text(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    return xstrdup((const char *)sqlite3_column_text(st, i));
}

#define SLOT(row, off, type) (*(type *)(void *)((char *)(row) + (off)))

bool archive_rget(rctx *r, sqlite3_stmt *st, const atable *t, void *row, int64_t *parent)
{
    int i = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        const acol *col = &t->cols[c];
        if (col->type == AC_SEQ || col->type == AC_ISO)
            continue;
        bool null = sqlite3_column_type(st, i) == SQLITE_NULL;
        int64_t v = sqlite3_column_int64(st, i);
        switch (col->type) {
        case AC_SEQ:
        case AC_ISO: break;
        case AC_PARENT:
            if (parent)
                *parent = v;
            break;
        case AC_TEXT: SLOT(row, col->off, char *) = c_text(st, i); break;
        case AC_FILE: {
            /* A stored "./name" becomes dir/name again. */
            char *s = c_text(st, i);
            if (s && str_starts(s, "./") && r->dir) {
                char *full = path_join(r->dir, s + 2);
                free(s);
                s = full;
            }
            SLOT(row, col->off, char *) = s;
            break;
        }
        case AC_CHARS:
        case AC_CHARS_OPT: {
            const char *s = (const char *)sqlite3_column_text(st, i);
            snprintf((char *)row + col->off, (size_t)col->none, "%s", s ? s : "");
            break;
        }
        case AC_I64: SLOT(row, col->off, int64_t) = v; break;
        case AC_INT: SLOT(row, col->off, int) = (int)v; break;
        case AC_LONG: SLOT(row, col->off, long) = (long)v; break;
        case AC_SIZE: SLOT(row, col->off, size_t) = (size_t)v; break;
        case AC_BOOL: SLOT(row, col->off, bool) = v != 0; break;
        case AC_U16: SLOT(row, col->off, uint16_t) = (uint16_t)v; break;
        case AC_U64: SLOT(row, col->off, uint64_t) = null ? UINT64_MAX : (uint64_t)v; break;
        case AC_IDX: SLOT(row, col->off, size_t) = null ? SIZE_MAX : (size_t)v; break;
        case AC_COUNT: SLOT(row, col->off, long) = null ? -1 : (long)v; break;
        case AC_TIME: SLOT(row, col->off, int64_t) = null ? col->none : v; break;
        case AC_DBL:
            SLOT(row, col->off, double) = null ? NAN : sqlite3_column_double(st, i);
            break;
        case AC_ENUM: {
            const char *s = (const char *)sqlite3_column_text(st, i);
            int k = archive_name_index(col->names, col->nnames, s);
            if (k < 0) {
                rfail(r, "damaged archive: unknown %s '%s' in %s", col->name, s ? s : "",
                      t->name);
                return false;
            }
            SLOT(row, col->off, int) = k;
            break;
        }
        case AC_BLOB:
        case AC_BLOB_REF: {
            const unsigned char *p = sqlite3_column_blob(st, i);
            size_t n = (size_t)sqlite3_column_bytes(st, i);
            if (col->type == AC_BLOB_REF) {
                SLOT(row, col->off, const unsigned char *) = p;
            } else if (n > (size_t)col->none) {
                rfail(r, "damaged archive: %s too long in %s", col->name, t->name);
                return false;
            } else if (p) {
                memcpy((char *)row + col->off, p, n);
            }
            SLOT(row, col->len_off, size_t) = p ? n : 0;
            break;
        }
        }
        i++;
    }
    return true;
}
#define rget archive_rget

/* rget into a row cleared first, so padding and unread fields are zero
 * (rows are compared and copied whole). */
static bool rget_zeroed(rctx *r, sqlite3_stmt *st, const atable *t, void *row, size_t size,
                        int64_t *parent)
{
    memset(row, 0, size);
    return rget(r, st, t, row, parent);
}

static char *meta_get(rctx *r, const char *key)
{
    char *where = xasprintf("key = '%s'", key); /* keys are the program's own words */
    sqlite3_stmt *st = archive_rselect(r, &T_META, where);
    free(where);
    char *v = NULL;
    meta_row row;
    if (rrow(r, st) && rget_zeroed(r, st, &T_META, &row, sizeof row, NULL)) {
        free((char *)row.key);
        v = row.value;
    }
    sqlite3_finalize(st);
    return v;
}

static int64_t count_rows(rctx *r, const char *table)
{
    char *sql = xasprintf("SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = rprep(r, sql);
    free(sql);
    int64_t n = -1;
    if (rrow(r, st))
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

typedef struct {
    size_t nsamples;
} read_counts;

static void read_experiment(rctx *r, analysis *a, read_counts *cnt)
{
    experiment *e = &a->e;
    manifest *m = &e->man;
    results *res = &a->r;
    sqlite3_stmt *st = archive_rselect(r, &T_EXPERIMENT, NULL);
    experiment_row x;
    memset(&x, 0, sizeof x);
    bool got = rrow(r, st) && rget_zeroed(r, st, &T_EXPERIMENT, &x, sizeof x, NULL);
    sqlite3_finalize(st);
    if (!got) {
        if (!r->failed)
            rfail(r, "damaged archive: no experiment row");
        return;
    }
    m->id = x.id;
    m->name = x.name;
    m->server = x.server;
    m->start_date = x.start_date;
    m->end_date = x.end_date;
    free(x.timezone); /* tz_offset_min says the same */
    m->tz_offset_min = x.tz_offset_min;
    m->problem = x.problem;
    m->hypothesis = x.hypothesis;
    m->description = x.description;
    m->result = x.result;
    m->recommendation = x.recommendation;
    m->baseline = x.manifest_baseline;
    m->tor_version = x.tor_version;
    m->allocator = x.allocator;
    m->present = x.manifest_present;
    m->memory_budget_gib = isnan(x.memory_budget_gib) ? 0 : x.memory_budget_gib;
    m->th.flat_gib_day = x.flat_gib_day;
    m->th.variable_cv = x.variable_cv;
    m->th.warmup_hours = x.warmup_hours;
    m->th.restart_drop = x.restart_drop;
    e->memory_path = x.memory_path;
    free((char *)x.generator_version); /* checked through the meta table */
    e->notes.duplicate_rows = x.duplicate_rows;
    e->notes.first_duplicate_line = x.first_duplicate_line;
    e->notes.out_of_order_rows = x.out_of_order_rows;
    e->notes.first_out_of_order_line = x.first_out_of_order_line;
    e->notes.partial_last_line = x.partial_last_line;
    e->notes.partial_line = x.partial_line;
    e->notes.relay_rows = x.relay_rows;
    e->notes.aggregate_rows = x.aggregate_rows;
    res->until = x.until_t;
    res->first_t = x.first_t;
    res->last_t = x.last_t;
    res->day1 = x.day1;
    res->baseline = x.baseline_group == SIZE_MAX ? 0 : x.baseline_group;

    /* Counts bound the allocations below; refuse absurd ones rather than
     * trust a damaged file (a negative count reads as a huge one). */
    long long nrelays = (long long)x.nrelays, ncoll = (long long)x.ncollections,
              nsamples = (long long)x.nsamples;
    if (nrelays < 0 || ncoll < 0 || nsamples < 0 || nrelays > (1 << 24) || ncoll > (1 << 26) ||
        (nrelays && ncoll > (long long)(SIZE_MAX / 16) / nrelays)) {
        rfail(r, "damaged archive: impossible sizes (%lld relays, %lld collections)", nrelays,
              ncoll);
        return;
    }
    /* The matrix is sized from these counts: they must be the rows the
     * file holds, and the samples must fill a sane part of the matrix, so
     * a damaged count is refused here instead of allocated (the sample
     * count itself is checked against the rows read). */
    int64_t have_r = count_rows(r, "relays"), have_c = count_rows(r, "collections");
    if (r->failed)
        return;
    if (have_r != nrelays || have_c != ncoll) {
        rfail(r, "damaged archive: the experiment row says %lld relays and %lld collections, "
                 "the file holds %lld and %lld",
              nrelays, ncoll, (long long)have_r, (long long)have_c);
        return;
    }
    char *why;
    if (!experiment_table_fits((uint64_t)nrelays, (uint64_t)ncoll, (uint64_t)nsamples, &why)) {
        rfail(r, "damaged archive: %s", why);
        free(why);
        return;
    }
    e->nrelays = (size_t)nrelays;
    e->ncoll = (size_t)ncoll;
    cnt->nsamples = (size_t)nsamples;
    e->relays = xcalloc(e->nrelays ? e->nrelays : 1, sizeof *e->relays);
    e->times = xcalloc(e->ncoll ? e->ncoll : 1, sizeof *e->times);
    r->has_group = x.has_group_column;
    if (r->defer) /* the samples stay packed (archive_read_experiment) */
        r->defer->has_group = x.has_group_column;
}


/* Rows of table t appended to a growing array *arr of *n elements of
 * `size` bytes (strings malloc'd), in the table's order. */
static void read_all(rctx *r, const atable *t, void **arr, size_t *n, size_t size)
{
    size_t cap = 0;
    sqlite3_stmt *st = archive_rselect(r, t, NULL);
    while (rrow(r, st)) {
        xgrow(arr, &cap, *n + 1, size);
        void *row = (char *)*arr + *n * size;
        memset(row, 0, size);
        bool ok = rget(r, st, t, row, NULL);
        (*n)++; /* kept even when refused, so its strings are freed with the rest */
        if (!ok)
            break;
    }
    sqlite3_finalize(st);
}

static void read_inputs(rctx *r, experiment *e)
{
    read_all(r, &T_INPUT_FILES, (void **)&e->inputs, &e->ninputs, sizeof *e->inputs);
    for (size_t i = 0; i < e->ninputs && !r->failed; i++) {
        input_file *f = &e->inputs[i];
        sha256_ctx check;
        if (f->sha_state_len && sha256_state_import(&check, f->sha_state, f->sha_state_len) != 0)
            rfail(r, "damaged archive: the hash state of %s", f->path ? f->path : "an input");
    }
}

static const samplecol_kind field_kinds[SF_COUNT] = {
    [SF_RSS] = SAMPLECOL_KB, [SF_VMSIZE] = SAMPLECOL_KB, [SF_HWM] = SAMPLECOL_KB,
    [SF_FRAG] = SAMPLECOL_FLOAT, [SF_GROUP] = SAMPLECOL_GROUP};

/* One segment's row of sample_columns, its BLOBs copied out of sqlite
 * (into one arena) so that two threads can decode the rows while nothing
 * else reads the database, and what decoding found. */
enum { ROW_OK = -1, ROW_GROUP_RANGE = SF_COUNT };
typedef struct packed_row {
    size_t relay, first, n, nsamples; /* collections [first, first + n) */
    size_t off[SF_COUNT], len[SF_COUNT];
    bool has[SF_COUNT];
    int bad;                   /* ROW_OK, a field that did not decode, ROW_GROUP_RANGE */
    size_t present;
} packed_row;

typedef struct {
    experiment *e;
    const unsigned char *arena;
    packed_row *rows;
    size_t nrows, first, step, maxn;
    int nf;
    size_t ncolgroups;         /* the archive's: group codes must index them */
    samplecol_codec codec;
    bool store;                /* false: check only, e has no matrices yet */
} decode_job;

/* Decodes field f of row p into codes[0..p->n). */
static bool decode_field(samplecol_coder *coder, const decode_job *j, const packed_row *p, int f,
                         uint32_t *codes)
{
    samplecol_kind kind;
    return p->has[f] &&
           samplecol_decode_as(coder, j->codec, j->arena + p->off[f], p->len[f], p->n, codes,
                               &kind) == 0 &&
           kind == field_kinds[f];
}

/* Marks in seen[] the collections where field f has a value: a sample is
 * any of rss, vmsize, hwm or frag there. */
static void mark_present(int f, const uint32_t *codes, size_t n, unsigned char *seen)
{
    if (f == SF_FRAG) {
        for (size_t c = 0; c < n; c++)
            seen[c] |= !isnan(samplecol_float_value(codes[c]));
    } else if (f != SF_GROUP) {
        for (size_t c = 0; c < n; c++)
            seen[c] |= codes[c] != 0; /* 0 is KB_MISSING's code */
    }
}

static bool groups_in_range(const uint32_t *codes, size_t n, size_t ncolgroups)
{
    for (size_t c = 0; c < n; c++) {
        uint16_t g = samplecol_group_value(codes[c]);
        if (g != COLGROUP_NONE && g >= ncolgroups)
            return false;
    }
    return true;
}

/* Field f's values at row p's collections into the experiment's arrays. */
static void store_field(experiment *e, const packed_row *p, int f, const uint32_t *codes)
{
    size_t n = p->n, base = exp_idx(e, p->relay, p->first);
    switch (f) {
    case SF_RSS:
    case SF_VMSIZE:
    case SF_HWM: {
        uint32_t *dst = f == SF_RSS ? e->rss_kb : f == SF_VMSIZE ? e->vmsize_kb : e->hwm_kb;
        for (size_t c = 0; c < n; c++)
            dst[base + c] = samplecol_kb_value(codes[c]);
        break;
    }
    case SF_FRAG:
        for (size_t c = 0; c < n; c++)
            e->frag[base + c] = samplecol_float_value(codes[c]);
        break;
    default:
        for (size_t c = 0; c < n; c++)
            e->col_group[base + c] = samplecol_group_value(codes[c]);
        break;
    }
}

/* Decodes every j->step-th row from j->first: what each holds is checked
 * from the codes (so a pass that stores nothing checks the same), and
 * stored when the job stores. */
static void *decode_rows(void *arg)
{
    decode_job *j = arg;
    size_t maxn = j->maxn ? j->maxn : 1;
    uint32_t *codes = xmalloc(maxn * sizeof *codes);
    unsigned char *seen = xmalloc(maxn);
    samplecol_coder *coder = samplecol_coder_new();
    for (size_t i = j->first; i < j->nrows; i += j->step) {
        packed_row *p = &j->rows[i];
        p->bad = ROW_OK;
        p->present = 0;
        memset(seen, 0, p->n);
        for (int f = 0; f < j->nf; f++) {
            if (!decode_field(coder, j, p, f, codes)) {
                p->bad = f;
                break;
            }
            if (f == SF_GROUP && !groups_in_range(codes, p->n, j->ncolgroups)) {
                p->bad = ROW_GROUP_RANGE;
                break;
            }
            mark_present(f, codes, p->n, seen);
            if (j->store)
                store_field(j->e, p, f, codes);
        }
        for (size_t c = 0; p->bad == ROW_OK && c < p->n; c++)
            p->present += seen[c];
    }
    samplecol_coder_free(coder);
    free(seen);
    free(codes);
    return NULL;
}

/* Every cell missing: what a relay without samples holds, and what a
 * refused archive is left with (read_experiment leaves the arrays for the
 * decoding to fill). */
static void samples_clear(experiment *e)
{
    size_t cells = e->nrelays * e->ncoll;
    for (size_t k = 0; k < cells; k++) {
        e->rss_kb[k] = e->vmsize_kb[k] = e->hwm_kb[k] = KB_MISSING;
        e->frag[k] = NAN;
    }
    for (size_t k = 0; e->col_group && k < cells; k++)
        e->col_group[k] = COLGROUP_NONE;
}

/* Decodes rows[0..nrows) on two threads, into e's matrices (any width:
 * exp_idx) when `store`, else only to check them; each row says what it
 * found. A row holds a segment, or all of a relay's collections in an
 * archive older than segments: the codes buffer is the longest row's (the
 * rows' lengths were checked against the collections the file holds). */
static void decode_packed(experiment *e, const unsigned char *arena, packed_row *rows,
                          size_t nrows, size_t ncolgroups, bool has_group, samplecol_codec codec,
                          bool store)
{
    enum { NTHREADS = 2 };
    decode_job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    bool started[NTHREADS] = {false};
    size_t maxn = 0;
    for (size_t i = 0; i < nrows; i++)
        maxn = rows[i].n > maxn ? rows[i].n : maxn;
    for (size_t t = 0; t < NTHREADS; t++) {
        jobs[t] = (decode_job){.e = e, .arena = arena, .rows = rows, .nrows = nrows, .first = t,
                               .step = NTHREADS, .maxn = maxn,
                               .nf = has_group ? SF_COUNT : SF_GROUP,
                               .ncolgroups = ncolgroups, .codec = codec, .store = store};
        if (t > 0 && nrows > 1)
            started[t] = pthread_create(&th[t], NULL, decode_rows, &jobs[t]) == 0;
    }
    decode_rows(&jobs[0]);
    for (size_t t = 1; t < NTHREADS; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            decode_rows(&jobs[t]);
    }
}

/* True when every decoded row is whole and holds the samples it says, and
 * they add up to the experiment's count. */
static bool rows_sound(const packed_row *rows, size_t nrows, size_t nsamples)
{
    size_t total = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].bad != ROW_OK || rows[i].present != rows[i].nsamples)
            return false;
        total += rows[i].present;
    }
    return total == nsamples;
}

/* The sample matrices are sized by the relays and collections tables,
 * whose rows cost a file a few bytes each: their product alone could ask
 * a file of a megabyte for gigabytes. So before the packed columns are
 * decoded the matrices may take at most ARCHIVE_UNPACKED_RATIO times the
 * columns' bytes (ordinary data takes 1.5 to 6 times, relays missing most
 * of the time up to about 50), or ARCHIVE_UNPACKED_FREE; a larger table
 * is allocated only after a pass that decodes and checks every column
 * and keeps nothing. One test for every schema: a row is a segment or a
 * whole relay alike. */
#define ARCHIVE_UNPACKED_RATIO 64
#define ARCHIVE_UNPACKED_FREE ((size_t)16 << 20)

static bool table_backed(const experiment *e, bool has_group, size_t packed_bytes)
{
    size_t cell = sizeof *e->rss_kb + sizeof *e->vmsize_kb + sizeof *e->hwm_kb + sizeof *e->frag +
                  (has_group ? sizeof *e->col_group : 0);
    size_t bytes = e->nrelays * e->ncoll * cell; /* bounded by read_experiment */
    return bytes <= ARCHIVE_UNPACKED_FREE || bytes / ARCHIVE_UNPACKED_RATIO <= packed_bytes;
}

/* The first thing wrong with the sample rows, in the table's order:
 * what decoding found in the rows[0..ndecoded) that were decoded, a row
 * refused before decoding (`late`), rows missing, a total that does not
 * add up. Nothing when they are sound. */
static void report_sample_rows(rctx *r, const experiment *e, const packed_row *rows,
                               size_t ndecoded, size_t nrows, size_t want, const char *late,
                               size_t nsamples)
{
    size_t total = 0;
    for (size_t i = 0; i < ndecoded && !r->failed; i++) {
        const packed_row *p = &rows[i];
        if (p->bad == ROW_GROUP_RANGE)
            rfail(r, "damaged archive: group column value out of range");
        else if (p->bad != ROW_OK)
            rfail(r, "damaged archive: %s of relay %zu", archive_sample_field_names[p->bad],
                  p->relay);
        else if (p->present != p->nsamples)
            rfail(r, "damaged archive: relay %zu has %zu samples from collection %zu, expected %zu",
                  p->relay, p->present, p->first, p->nsamples);
        total += p->present;
    }
    if (late && !r->failed)
        rfail(r, "%s", late);
    if (!r->failed && nrows != want)
        rfail(r, "damaged archive: %zu sample rows for %zu relays", nrows, e->nrelays);
    if (!r->failed && ndecoded == nrows && total != nsamples)
        rfail(r, "damaged archive: %zu samples, expected %zu", total, nsamples);
}

/* Every relay's packed columns back into the experiment's arrays, decoded
 * on two threads; the stored counts must add up to the experiment's and
 * every relay must have exactly one row per segment, in order, so a
 * damaged file is noticed rather than read short, and every cell is
 * written. Messages name the first bad row in the table's order whatever
 * thread decoded it. A schema without segments has one row per relay:
 * one segment holding every collection. With r->defer the rows are handed
 * over packed instead, once they are known to be sound or the matrices
 * they will be decoded into are backed by their bytes (table_backed). */
static void read_sample_columns(rctx *r, experiment *e, size_t nsamples)
{
    const archive_version *ver = r->ver ? r->ver : archive_version_find(ARCHIVE_SCHEMA_VERSION);
    size_t seglen = ver->segment ? ver->segment : e->ncoll;
    size_t nseg = ver->segment ? (e->ncoll + seglen - 1) / seglen : 1;
    size_t want = e->nrelays * nseg; /* the counts were bounded by read_experiment */
    size_t rcap = 16; /* grown as rows come: as many as the file holds */
    packed_row *rows = xmalloc(rcap * sizeof *rows);
    unsigned char *arena = NULL;
    size_t nrows = 0, used = 0, cap = 0;
    char *late = NULL; /* a row refused before decoding: said after the rows before it */
    sqlite3_stmt *st = archive_rselect(r, &T_SAMPLE_COLUMNS, NULL);
    sample_row row;
    while (!late && rrow(r, st) && rget_zeroed(r, st, &T_SAMPLE_COLUMNS, &row, sizeof row, NULL)) {
        /* Rows come in key order (segment, relay): each must be the one
         * after the last. */
        size_t nr = e->nrelays ? e->nrelays : 1;
        size_t next_seg = nrows / nr, next_relay = nrows % nr;
        if (row.relay_id >= e->nrelays || row.seg >= nseg || nrows == want) {
            late = row.relay_id < e->nrelays
                       ? xasprintf("damaged archive: sample segment %lld of relay %zu out of range",
                                   (long long)row.seg, row.relay_id)
                       : xasprintf("damaged archive: sample relay %lld out of range",
                                   (long long)row.relay_id);
            break;
        }
        if (row.relay_id != next_relay || row.seg != next_seg) {
            /* A skipped row is a missing one: said once every row was seen. */
            late = row.seg < next_seg || (row.seg == next_seg && row.relay_id < next_relay)
                       ? xasprintf("damaged archive: two sample rows for relay %zu", row.relay_id)
                       : NULL;
            if (!late)
                late = xasprintf("damaged archive: no sample segment %zu for relay %zu", next_seg,
                                 next_relay);
            break;
        }
        xgrow((void **)&rows, &rcap, nrows + 1, sizeof *rows);
        packed_row *p = &rows[nrows++];
        memset(p, 0, sizeof *p);
        p->relay = row.relay_id;
        p->first = row.seg * seglen;
        p->n = e->ncoll - p->first < seglen ? e->ncoll - p->first : seglen;
        p->nsamples = row.nsamples;
        for (int f = 0; f < SF_COUNT; f++) {
            p->has[f] = row.blob[f] != NULL;
            p->len[f] = row.len[f];
            p->off[f] = used;
            xgrow((void **)&arena, &cap, used + row.len[f] + 1, 1);
            if (row.len[f])
                memcpy(arena + used, row.blob[f], row.len[f]);
            used += row.len[f];
        }
    }
    sqlite3_finalize(st);
    r->packed_bytes = used;

    /* Decoded: every row once all are there; short, when the table is one
     * any file may ask for, so the first bad row is named in order. A
     * table its columns' bytes do not back is checked first, matrices
     * allocated only when every row is sound. */
    bool complete = !late && !r->failed && nrows == want;
    bool decode = complete || (!r->defer && e->nrelays * e->ncoll <= EXPERIMENT_TABLE_FREE);
    size_t ndecoded = 0;
    if (decode && !table_backed(e, r->has_group, used)) {
        decode_packed(e, arena, rows, nrows, e->ncolgroups, r->has_group, ver->codec, false);
        ndecoded = nrows;
        decode = complete && rows_sound(rows, nrows, nsamples);
    }
    if (r->defer && decode) {
        /* Decoded later, straight into the matrices that need them. */
        bool has_group = r->defer->has_group;
        *r->defer = (archive_samples){.arena = arena, .rows = rows, .nrows = nrows,
                                      .nrelays = e->nrelays, .ncoll = e->ncoll,
                                      .ncolgroups = e->ncolgroups, .nsamples = nsamples,
                                      .has_group = has_group};
        return;
    }
    if (decode) {
        /* Not cleared: decoding writes every cell, or samples_clear
         * clears them all when the file is refused, so the 140 MB of a
         * fleet are touched once. */
        experiment_alloc_samples(e, r->has_group);
        decode_packed(e, arena, rows, nrows, e->ncolgroups, r->has_group, ver->codec, true);
        ndecoded = nrows;
    }
    free(arena);
    report_sample_rows(r, e, rows, ndecoded, nrows, want, late, nsamples);
    free(rows);
    free(late);
    if (r->failed && e->rss_kb)
        samples_clear(e);
}

bool archive_samples_fill(void *ctx, experiment *e)
{
    archive_samples *s = ctx;
    if (!s || !s->rows || s->nrelays > e->nrelays || s->ncoll > e->ncoll ||
        s->ncolgroups > e->ncolgroups || s->has_group != (e->col_group != NULL))
        return false;
    /* Kept packed only from an archive of the current schema. */
    decode_packed(e, s->arena, s->rows, s->nrows, s->ncolgroups, s->has_group, SAMPLECOL_ZSTD,
                  true);
    size_t total = 0;
    bool ok = true;
    for (size_t i = 0; i < s->nrows && ok; i++) {
        ok = s->rows[i].bad == ROW_OK && s->rows[i].present == s->rows[i].nsamples;
        total += s->rows[i].present;
    }
    if (!ok || total != s->nsamples)
        return false;
    /* Relays the archive did not know have no samples there. */
    for (size_t r = s->nrelays; r < e->nrelays; r++)
        for (size_t c = 0; c < s->ncoll; c++) {
            size_t k = exp_idx(e, r, c);
            e->rss_kb[k] = e->vmsize_kb[k] = e->hwm_kb[k] = KB_MISSING;
            e->frag[k] = NAN;
            if (e->col_group)
                e->col_group[k] = COLGROUP_NONE;
        }
    return true;
}

void archive_samples_free(archive_samples *s)
{
    free(s->arena);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

static void read_relays_and_samples(rctx *r, analysis *a, const read_counts *cnt)
{
    experiment *e = &a->e;
    a->m.ungrouped = xcalloc(e->nrelays ? e->nrelays : 1, 1);
    size_t n = 0, k;
    sqlite3_stmt *st = archive_rselect(r, &T_RELAYS, NULL);
    relay_row rr;
    while (rrow(r, st) && rget_zeroed(r, st, &T_RELAYS, &rr, sizeof rr, NULL)) {
        if (!r_index(r, (int64_t)rr.relay_id, e->nrelays, "relay", &k)) {
            free(rr.nickname);
            free(rr.fingerprint);
            break;
        }
        relay *rl = &e->relays[k];
        free(rl->nickname);
        free(rl->fingerprint);
        rl->nickname = rr.nickname;
        rl->fingerprint = rr.fingerprint;
        rl->first_line = rr.first_line;
        a->m.ungrouped[k] = rr.ungrouped;
        a->m.nungrouped += rr.ungrouped;
        n++;
    }
    sqlite3_finalize(st);
    if (!r->failed && n != e->nrelays)
        rfail(r, "damaged archive: %zu relays, expected %zu", n, e->nrelays);

    n = 0;
    st = archive_rselect(r, &T_COLLECTIONS, NULL);
    collection_row cr;
    while (rrow(r, st) && rget_zeroed(r, st, &T_COLLECTIONS, &cr, sizeof cr, NULL)) {
        if (!r_index(r, (int64_t)cr.c, e->ncoll, "collection", &k))
            break;
        e->times[k] = cr.t;
        n++;
    }
    sqlite3_finalize(st);
    if (!r->failed && n != e->ncoll)
        rfail(r, "damaged archive: %zu collections, expected %zu", n, e->ncoll);

    size_t cap = 0;
    st = archive_rselect(r, &T_CSV_GROUPS, NULL);
    name_row nr;
    while (rrow(r, st) && rget_zeroed(r, st, &T_CSV_GROUPS, &nr, sizeof nr, NULL)) {
        xgrow((void **)&e->colgroups, &cap, e->ncolgroups + 1, sizeof *e->colgroups);
        e->colgroups[e->ncolgroups++] = nr.name;
    }
    sqlite3_finalize(st);
    read_sample_columns(r, e, cnt->nsamples);
}

static void read_inputs_detail(rctx *r, experiment *e)
{
    read_all(r, &T_AGGREGATES, (void **)&e->aggs, &e->naggs, sizeof *e->aggs);
    read_all(r, &T_EVENTS, (void **)&e->events, &e->nevents, sizeof *e->events);
    read_all(r, &T_HOSTS, (void **)&e->hosts, &e->nhosts, sizeof *e->hosts);
    read_all(r, &T_RELAY_CONFIG, (void **)&e->assignments, &e->nassignments,
             sizeof *e->assignments);
    read_all(r, &T_GROUP_FILES, (void **)&e->gfiles, &e->ngfiles, sizeof *e->gfiles);

    sqlite3_stmt *st = archive_rselect(r, &T_GROUP_FILE_MEMBERS, NULL);
    size_t *caps = xcalloc(e->ngfiles + 1, sizeof *caps);
    member_row mr;
    while (rrow(r, st) && rget_zeroed(r, st, &T_GROUP_FILE_MEMBERS, &mr, sizeof mr, NULL)) {
        size_t fi;
        if (!r_index(r, (int64_t)mr.owner, e->ngfiles, "group file", &fi)) {
            free(mr.member);
            break;
        }
        group_file *f = &e->gfiles[fi];
        size_t lcap = caps[fi];
        xgrow((void **)&f->members, &caps[fi], f->nmembers + 1, sizeof *f->members);
        xgrow((void **)&f->member_lines, &lcap, f->nmembers + 1, sizeof *f->member_lines);
        f->members[f->nmembers] = mr.member;
        f->member_lines[f->nmembers++] = mr.line;
    }
    sqlite3_finalize(st);
    free(caps);

    manifest *m = &e->man;
    read_all(r, &T_MANIFEST_GROUPS, (void **)&m->groups, &m->ngroups, sizeof *m->groups);
    for (size_t i = 0; i < m->ngroups; i++)
        manifest_config_pairs(&m->groups[i]);
    st = archive_rselect(r, &T_MANIFEST_GROUP_LISTS, NULL);
    while (rrow(r, st) && rget_zeroed(r, st, &T_MANIFEST_GROUP_LISTS, &mr, sizeof mr, NULL)) {
        size_t gi;
        bool excl = str_eq(mr.kind, "exclude");
        free((char *)mr.kind);
        if (!r_index(r, (int64_t)mr.owner, m->ngroups, "manifest group", &gi)) {
            free(mr.member);
            break;
        }
        manifest_group *g = &m->groups[gi];
        char ***v = excl ? &g->exclude : &g->members;
        size_t *nv = excl ? &g->nexclude : &g->nmembers;
        /* Exact-size growth: these lists are short. */
        *v = xrealloc(*v, (*nv + 1) * sizeof **v);
        (*v)[(*nv)++] = mr.member;
    }
    sqlite3_finalize(st);
}

/* Per group and relay, reading and the stages after it keep tables: the
 * member and excluded marks, the member windows (16 bytes), the final
 * snapshot (16), the steady slopes (8), a chart's members (8), some 50
 * bytes a cell. A group or relay row costs a file a few bytes, so their
 * product alone could ask a file of a few MB for gigabytes. As from the
 * CSVs (experiment_groups_fit), a report has at most EXPERIMENT_MAX_GROUPS
 * groups and EXPERIMENT_TABLE_FREE cells; beyond ARCHIVE_GROUP_CELLS_FREE
 * (10,000 relays in 100 groups) the packed sample columns must back them,
 * ARCHIVE_CELLS_PER_BYTE cells a byte. Every relay an archive holds has
 * its row of columns, at least 65 bytes even for a single sample, so every
 * archive memreport writes passes: 256 groups need 32 bytes a relay. The
 * days table of each group is bounded the same way. */
#define ARCHIVE_GROUP_CELLS_FREE ((uint64_t)1 << 20)
#define ARCHIVE_CELLS_PER_BYTE 8

static bool group_table_backed(rctx *r, size_t ngroups, const char *groups, size_t n,
                               const char *what)
{
    uint64_t cells;
    if (ngroups > EXPERIMENT_MAX_GROUPS) {
        rfail(r, "damaged archive: %zu %s: a report compares at most %d groups", ngroups, groups,
              EXPERIMENT_MAX_GROUPS);
        return false;
    }
    if (__builtin_mul_overflow((uint64_t)ngroups, (uint64_t)n, &cells) ||
        cells > EXPERIMENT_TABLE_FREE) {
        rfail(r, "damaged archive: %zu %s x %zu %s: more than %u cells of per-group tables",
              ngroups, groups, n, what, EXPERIMENT_TABLE_FREE);
        return false;
    }
    if (cells <= ARCHIVE_GROUP_CELLS_FREE || cells / ARCHIVE_CELLS_PER_BYTE <= r->packed_bytes)
        return true;
    rfail(r, "damaged archive: %zu %s x %zu %s make %llu cells of per-group tables, more than "
             "%llu and more than %d for each of the file's %zu bytes of samples",
          ngroups, groups, n, what, (unsigned long long)cells,
          (unsigned long long)ARCHIVE_GROUP_CELLS_FREE, ARCHIVE_CELLS_PER_BYTE, r->packed_bytes);
    return false;
}

static size_t distinct_groups(const relay_assignment *v, size_t n)
{
    strmap seen;
    strmap_init(&seen);
    for (size_t i = 0; i < n; i++)
        if (v[i].group)
            strmap_put(&seen, v[i].group, strlen(v[i].group), i);
    size_t k = seen.n;
    strmap_free(&seen);
    return k;
}

/* The groups table's rows, and as many groups as membership could
 * resolve again from what was read (from the manifest's groups, the
 * group column, relay_config.csv or the group files: analysis_rerun),
 * each times the relays: refused before any table is made. */
static bool groups_backed(rctx *r, const experiment *e)
{
    int64_t rows = count_rows(r, "groups");
    if (r->failed)
        return false;
    const struct {
        size_t n;
        const char *what;
    } g[] = {
        {rows > 0 ? (size_t)rows : 0, "groups"},
        {e->man.ngroups, "manifest groups"},
        {e->ncolgroups, "group column values"},
        {distinct_groups(e->assignments, e->nassignments), "relay_config groups"},
        {e->ngfiles, "group files"},
    };
    for (size_t i = 0; i < ARRAY_LEN(g); i++)
        if (!group_table_backed(r, g[i].n, g[i].what, e->nrelays, "relays"))
            return false;
    return true;
}

static void read_membership(rctx *r, analysis *a)
{
    experiment *e = &a->e;
    membership *m = &a->m;
    size_t cap = 0;
    if (!groups_backed(r, e))
        return;
    sqlite3_stmt *st = archive_rselect(r, &T_GROUPS, NULL);
    group_row gr;
    while (rrow(r, st)) {
        memset(&gr, 0, sizeof gr);
        xgrow((void **)&m->groups, &cap, m->ngroups + 1, sizeof *m->groups);
        group *g = &m->groups[m->ngroups];
        memset(g, 0, sizeof *g);
        bool ok = rget(r, st, &T_GROUPS, &gr, NULL);
        m->ngroups++;
        g->id = gr.id;
        g->name = gr.name;
        g->color = gr.color;
        g->source_path = gr.source_path;
        free((char *)gr.allocator); /* the manifest group's, read with it */
        free((char *)gr.version);
        if (!ok)
            break;
        if (gr.idx != m->ngroups - 1) {
            rfail(r, "damaged archive: group numbers are not consecutive");
            break;
        }
        if (gr.manifest_idx != SIZE_MAX) {
            size_t mi;
            if (!r_index(r, (int64_t)gr.manifest_idx, e->man.ngroups, "manifest group", &mi))
                break;
            g->spec = &e->man.groups[mi];
        }
        g->source = (members_source)gr.source;
        g->start = gr.start_t;
        g->end = gr.end_t;
        if (gr.has_member_list)
            g->member = xcalloc(e->nrelays ? e->nrelays : 1, 1);
        if (gr.has_exclude_list)
            g->excluded = xcalloc(e->nrelays ? e->nrelays : 1, 1);
        g->colgroup = gr.csv_group;
        g->nmembers = gr.nmembers;
    }
    sqlite3_finalize(st);

    st = archive_rselect(r, &T_MEMBERSHIP, NULL);
    membership_row mr;
    while (rrow(r, st) && rget_zeroed(r, st, &T_MEMBERSHIP, &mr, sizeof mr, NULL)) {
        size_t g, rl;
        if (!r_index(r, (int64_t)mr.group_idx, m->ngroups, "membership group", &g) ||
            !r_index(r, (int64_t)mr.relay_id, e->nrelays, "membership relay", &rl))
            break;
        if (mr.excluded) {
            if (m->groups[g].excluded)
                m->groups[g].excluded[rl] = 1;
        } else if (m->groups[g].member) {
            m->groups[g].member[rl] = 1;
        }
    }
    sqlite3_finalize(st);

    /* A group with windows: every other listed member has the whole data,
     * a relay not listed none (it is no member anyway). */
    st = archive_rselect(r, &T_MEMBER_WINDOWS, NULL);
    while (rrow(r, st) && rget_zeroed(r, st, &T_MEMBER_WINDOWS, &mr, sizeof mr, NULL)) {
        size_t g, rl;
        if (!r_index(r, (int64_t)mr.group_idx, m->ngroups, "member window group", &g) ||
            !r_index(r, (int64_t)mr.relay_id, e->nrelays, "member window relay", &rl))
            break;
        group *grp = &m->groups[g];
        if (!grp->mstart) {
            size_t n = e->nrelays ? e->nrelays : 1;
            grp->mstart = xmalloc(n * sizeof *grp->mstart);
            grp->mend = xmalloc(n * sizeof *grp->mend);
            for (size_t k = 0; k < n; k++) {
                grp->mstart[k] = INT64_MIN;
                grp->mend[k] = INT64_MAX;
            }
        }
        grp->mstart[rl] = mr.first_t;
        grp->mend[rl] = mr.last_t;
    }
    sqlite3_finalize(st);

    st = archive_rselect(r, &T_MISSING_MEMBERS, NULL);
    member_row mm;
    while (rrow(r, st) && rget_zeroed(r, st, &T_MISSING_MEMBERS, &mm, sizeof mm, NULL)) {
        size_t g;
        if (!r_index(r, (int64_t)mm.owner, m->ngroups, "missing member group", &g)) {
            free(mm.member);
            break;
        }
        group *grp = &m->groups[g];
        grp->missing = xrealloc(grp->missing, (grp->nmissing + 1) * sizeof *grp->missing);
        grp->missing[grp->nmissing++] = mm.member;
    }
    sqlite3_finalize(st);

    cap = 0;
    st = archive_rselect(r, &T_OVERLAPS, NULL);
    overlap o;
    while (rrow(r, st) && rget_zeroed(r, st, &T_OVERLAPS, &o, sizeof o, NULL)) {
        size_t x;
        if (!r_index(r, (int64_t)o.relay, e->nrelays, "overlap relay", &x) ||
            !r_index(r, (int64_t)o.g1, m->ngroups, "overlap group", &x) ||
            !r_index(r, (int64_t)o.g2, m->ngroups, "overlap group", &x))
            break;
        xgrow((void **)&m->overlaps, &cap, m->noverlaps + 1, sizeof *m->overlaps);
        m->overlaps[m->noverlaps++] = o;
    }
    sqlite3_finalize(st);
}

static void read_results(rctx *r, analysis *a)
{
    experiment *e = &a->e;
    results *res = &a->r;
    res->ngroups = a->m.ngroups;
    res->groups = xcalloc(res->ngroups ? res->ngroups : 1, sizeof *res->groups);
    if (res->ngroups && res->baseline >= res->ngroups)
        rfail(r, "damaged archive: baseline group out of range");

    size_t *caps = xcalloc(res->ngroups + 1, sizeof *caps);
    sqlite3_stmt *st = archive_rselect(r, &T_GROUP_STATS, NULL);
    group_point p;
    int64_t parent = -1;
    while (rrow(r, st) && rget_zeroed(r, st, &T_GROUP_STATS, &p, sizeof p, &parent)) {
        size_t g, c;
        if (!r_index(r, parent, res->ngroups, "series group", &g) ||
            !r_index(r, (int64_t)p.c, e->ncoll, "series collection", &c))
            break;
        group_result *gr = &res->groups[g];
        xgrow((void **)&gr->series, &caps[g], gr->nseries + 1, sizeof *gr->series);
        gr->series[gr->nseries++] = p;
    }
    sqlite3_finalize(st);
    free(caps);

    size_t nres = 0;
    st = archive_rselect(r, &T_RESULTS, NULL);
    result_row rr;
    while (rrow(r, st)) {
        memset(&rr, 0, sizeof rr);
        bool ok = rget(r, st, &T_RESULTS, &rr, NULL);
        free((char *)rr.group_id); /* the groups table's */
        free((char *)rr.name);
        size_t g;
        if (!ok || !r_index(r, (int64_t)rr.group_idx, res->ngroups, "result group", &g))
            break;
        /* The count sizes two arrays: a relay is in a snapshot once. */
        if (rr.r.final_n > e->nrelays) {
            rfail(r, "damaged archive: the final snapshot of group %zu has %zu relays, of %zu", g,
                  rr.r.final_n, e->nrelays);
            break;
        }
        group_result *gr = &res->groups[g];
        if (gr->final_relays) {
            rfail(r, "damaged archive: two results for group %zu", g);
            break;
        }
        /* The row carries no arrays: keep the series read above. */
        group_point *series = gr->series;
        size_t nseries = gr->nseries;
        *gr = rr.r;
        gr->series = series;
        gr->nseries = nseries;
        gr->final_relays = xcalloc(gr->final_n ? gr->final_n : 1, sizeof *gr->final_relays);
        gr->final_values = xcalloc(gr->final_n ? gr->final_n : 1, sizeof *gr->final_values);
        gr->day_values = NULL;
        nres++;
    }
    sqlite3_finalize(st);
    if (!r->failed && nres != res->ngroups)
        rfail(r, "damaged archive: %zu results for %zu groups", nres, res->ngroups);
    if (r->failed)
        return;

    st = archive_rselect(r, &T_FINAL_VALUES, NULL);
    value_row v;
    while (rrow(r, st) && rget_zeroed(r, st, &T_FINAL_VALUES, &v, sizeof v, NULL)) {
        size_t g, k, rl;
        if (!r_index(r, (int64_t)v.group_idx, res->ngroups, "final group", &g) ||
            !r_index(r, (int64_t)v.k, res->groups[g].final_n, "final value", &k) ||
            !r_index(r, (int64_t)v.relay_id, e->nrelays, "final relay", &rl))
            break;
        res->groups[g].final_relays[k] = rl;
        res->groups[g].final_values[k] = v.value;
    }
    sqlite3_finalize(st);

    size_t cap = 0;
    st = archive_rselect(r, &T_DAYS, NULL);
    while (rrow(r, st) && rget_zeroed(r, st, &T_DAYS, &v, sizeof v, NULL)) {
        xgrow((void **)&res->days, &cap, res->ndays + 1, sizeof *res->days);
        res->days[res->ndays++] = v.day;
    }
    sqlite3_finalize(st);
    if (!r->failed && !group_table_backed(r, res->ngroups, "groups", res->ndays, "days"))
        return;
    for (size_t g = 0; g < res->ngroups; g++) {
        res->groups[g].day_values = xmalloc((res->ndays ? res->ndays : 1) * sizeof(double));
        for (size_t k = 0; k < res->ndays; k++)
            res->groups[g].day_values[k] = NAN;
    }
    st = archive_rselect(r, &T_DAY_VALUES, NULL);
    while (rrow(r, st) && rget_zeroed(r, st, &T_DAY_VALUES, &v, sizeof v, NULL)) {
        size_t g, k;
        if (!r_index(r, (int64_t)v.group_idx, res->ngroups, "day group", &g) ||
            !r_index(r, (int64_t)v.k, res->ndays, "day", &k))
            break;
        res->groups[g].day_values[k] = v.value;
    }
    sqlite3_finalize(st);

    cap = 0;
    st = archive_rselect(r, &T_RESTARTS, NULL);
    restart rs;
    while (rrow(r, st) && rget_zeroed(r, st, &T_RESTARTS, &rs, sizeof rs, NULL)) {
        size_t x;
        if (!r_index(r, (int64_t)rs.relay, e->nrelays, "restart relay", &x) ||
            !r_index(r, (int64_t)rs.c, e->ncoll, "restart collection", &x))
            break;
        xgrow((void **)&res->restarts, &cap, res->nrestarts + 1, sizeof *res->restarts);
        res->restarts[res->nrestarts++] = rs;
    }
    sqlite3_finalize(st);

    read_all(r, &T_FINDINGS, (void **)&res->findings, &res->nfindings, sizeof *res->findings);

    st = archive_rselect(r, &T_DIAGNOSTICS, NULL);
    diag_item it;
    while (rrow(r, st)) {
        memset(&it, 0, sizeof it);
        bool ok = rget(r, st, &T_DIAGNOSTICS, &it, NULL);
        if (ok)
            diag_add(&a->diag, it.severity, it.file, it.line, it.col, "%s",
                     it.message ? it.message : "");
        free(it.file);
        free(it.message);
        if (!ok)
            break;
    }
    sqlite3_finalize(st);
}

char *archive_until_key(const analysis_options *o)
{
    /* --until as given: the text when it was parsed after the manifest (its
     * meaning depends on the manifest's timezone, which is hashed too). */
    if (o && o->until_text)
        return xasprintf("text:%s", o->until_text);
    if (o && o->until != INT64_MAX)
        return xasprintf("%lld", (long long)o->until);
    return xstrdup("end");
}

const char *archive_opt_baseline(const analysis_options *o)
{
    return o && o->baseline ? o->baseline : "";
}

int archive_open_checked(rctx *r, const char *path, bool older)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        diag_error(r->d, path, 0, "cannot open the archive: %s", strerror(errno));
        r->failed = true;
        return EXIT_IO;
    }
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        diag_error(r->d, path, 0, "cannot open the archive: %s",
                   r->db ? sqlite3_errmsg(r->db) : "out of memory");
        r->failed = true;
        return EXIT_IO;
    }
    archive_schema_init();
    sqlite3_stmt *st = rprep(r, "PRAGMA user_version");
    int64_t v = -1;
    if (rrow(r, st))
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (r->failed)
        return EXIT_BAD_INPUT;
    const archive_version *ver = archive_version_find(v);
    if (v > ARCHIVE_SCHEMA_VERSION) {
        rfail(r, "archive schema version %lld, newer than this memreport reads (version %d): "
                 "a later memreport wrote it",
              (long long)v, ARCHIVE_SCHEMA_VERSION);
        return EXIT_BAD_INPUT;
    }
    if (!ver || (!older && v != ARCHIVE_SCHEMA_VERSION)) {
        if (older)
            rfail(r, "archive schema version %lld, this memreport reads versions %d to %d",
                  (long long)v, archive_oldest_version(), ARCHIVE_SCHEMA_VERSION);
        else
            rfail(r, "archive schema version %lld, not the version this memreport writes (%d)",
                  (long long)v, ARCHIVE_SCHEMA_VERSION);
        return EXIT_BAD_INPUT;
    }
    r->ver = ver;
    return 0;
}

/* The ingest part of an archive into a (zeroed): the experiment with its
 * samples, and the relays' "ungrouped" marks. */
static void read_ingest_part(rctx *r, analysis *a, const char *dir)
{
    read_counts cnt = {0};
    a->e.dir = xstrdup(dir);
    thresholds_default(&a->e.man.th);
    read_experiment(r, a, &cnt);
    a->e.man.control = meta_get(r, "manifest_control");
    if (str_empty(a->e.man.control)) {
        free(a->e.man.control);
        a->e.man.control = NULL;
    }
    if (!r->failed) {
        read_inputs(r, &a->e);
        read_relays_and_samples(r, a, &cnt);
        experiment_label_relays(&a->e);
        read_inputs_detail(r, &a->e);
    }
}

int archive_read(const char *path, const char *dir, analysis *a, diag_list *d)
{
    rctx r = {.d = d, .path = path, .dir = dir};
    int rc = archive_open_checked(&r, path, true);
    if (rc == 0) {
        /* One read transaction: a snapshot even if a writer appears. */
        sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL);
        read_ingest_part(&r, a, dir);
        if (!r.failed) {
            read_membership(&r, a);
            read_results(&r, a);
            /* Derived from what was read, not stored. */
            if (!r.failed) {
                stats_rank_relays(&a->e, &a->m, &a->r);
                a->r.baseline_chosen = stats_baseline_chosen(&a->e, &a->m, &a->r);
            }
        }
        sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL);
        rc = r.failed ? EXIT_BAD_INPUT : 0;
    }
    sqlite3_close(r.db);
    return rc;
}

int archive_read_experiment(const char *path, const char *dir, experiment *e,
                            archive_samples *packed, diag_list *d)
{
    rctx r = {.d = d, .path = path, .dir = dir, .defer = packed};
    if (packed)
        memset(packed, 0, sizeof *packed);
    analysis a;
    memset(&a, 0, sizeof a);
    diag_init(&a.diag);
    int rc = archive_open_checked(&r, path, false);
    if (rc == 0) {
        sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL);
        read_ingest_part(&r, &a, dir);
        sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL);
        rc = r.failed ? EXIT_BAD_INPUT : 0;
    }
    sqlite3_close(r.db);
    if (rc != 0 && packed)
        archive_samples_free(packed);
    /* Hand over the experiment alone; what belongs to later stages goes. */
    *e = a.e;
    memset(&a.e, 0, sizeof a.e);
    analysis_free(&a);
    return rc;
}

void archive_prior_free(stats_prior *p)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        free(p->ids[g]);
        free(p->groups[g].series);
    }
    free(p->ids);
    free(p->groups);
    memset(p, 0, sizeof *p);
}

int archive_read_prior(const char *path, stats_prior *p, diag_list *d)
{
    rctx r = {.d = d, .path = path};
    memset(p, 0, sizeof *p);
    int rc = archive_open_checked(&r, path, false);
    if (rc == 0) {
        sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL);
        sqlite3_stmt *st = rprep(&r, "SELECT ncollections FROM experiment");
        int64_t ncoll = -1;
        if (rrow(&r, st))
            ncoll = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (!r.failed && (ncoll < 0 || ncoll > (1 << 26)))
            rfail(&r, "damaged archive: no collection count");
        p->ncoll = ncoll < 0 ? 0 : (size_t)ncoll;
        size_t cap = 0;
        st = rprep(&r, "SELECT idx, id FROM groups ORDER BY idx");
        while (rrow(&r, st)) {
            if (sqlite3_column_int64(st, 0) != (int64_t)p->ngroups) {
                rfail(&r, "damaged archive: group numbers are not consecutive");
                break;
            }
            xgrow((void **)&p->ids, &cap, p->ngroups + 1, sizeof *p->ids);
            p->ids[p->ngroups++] = c_text(st, 1);
        }
        sqlite3_finalize(st);
        p->groups = xcalloc(p->ngroups ? p->ngroups : 1, sizeof *p->groups);
        size_t *caps = xcalloc(p->ngroups + 1, sizeof *caps);
        st = archive_rselect(&r, &T_GROUP_STATS, NULL);
        group_point pt;
        int64_t parent = -1;
        while (rrow(&r, st) && rget_zeroed(&r, st, &T_GROUP_STATS, &pt, sizeof pt, &parent)) {
            size_t g, c;
            if (!r_index(&r, parent, p->ngroups, "series group", &g) ||
                !r_index(&r, (int64_t)pt.c, p->ncoll, "series collection", &c))
                break;
            group_result *gr = &p->groups[g];
            xgrow((void **)&gr->series, &caps[g], gr->nseries + 1, sizeof *gr->series);
            gr->series[gr->nseries++] = pt;
        }
        sqlite3_finalize(st);
        free(caps);
        sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL);
        rc = r.failed ? EXIT_BAD_INPUT : 0;
    }
    sqlite3_close(r.db);
    if (rc != 0)
        archive_prior_free(p);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reuse check                                                          */

bool archive_matches_inputs(const char *path, const input_file *inputs, size_t ninputs,
                            const analysis_options *o, char **why)
{
    diag_list d;
    diag_init(&d);
    rctx r = {.d = &d, .path = path};
    char *reason = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        reason = xstrdup("no archive");
        goto out;
    }
    if (archive_open_checked(&r, path, true) != 0) {
        reason = diag_format(&d.items[d.n - 1]);
        goto out;
    }
    /* An older schema is read, never reused: it was written by an older
     * memreport, so its results are computed again (and, with the CSVs
     * there, it is replaced). */
    if (r.ver->version != ARCHIVE_SCHEMA_VERSION) {
        reason = xasprintf("archive schema version %d, this memreport writes version %d",
                           r.ver->version, ARCHIVE_SCHEMA_VERSION);
        goto out;
    }
    char *gen = meta_get(&r, "generator_version");
    char *until = meta_get(&r, "option_until");
    char *base = meta_get(&r, "option_baseline");
    char *strict = meta_get(&r, "option_strict");
    char *want_until = archive_until_key(o);
    if (r.failed)
        reason = diag_format(&d.items[d.n - 1]);
    else if (!str_eq(gen, MEMREPORT_VERSION))
        reason = xasprintf("written by memreport %s", gen ? gen : "(unknown)");
    else if (!str_eq(until, want_until))
        reason = xstrdup("--until differs");
    else if (!str_eq(base, archive_opt_baseline(o)))
        reason = xstrdup("--baseline differs");
    else if (!str_eq(strict, o && o->strict ? "1" : "0"))
        reason = xstrdup("--strict differs");
    free(gen);
    free(until);
    free(base);
    free(strict);
    free(want_until);
    if (reason)
        goto out;

    /* Same set of files, same hashes (order does not matter). */
    experiment stored;
    memset(&stored, 0, sizeof stored);
    read_inputs(&r, &stored);
    if (r.failed)
        reason = diag_format(&d.items[d.n - 1]);
    for (size_t s = 0; !reason && s < stored.ninputs; s++) {
        const input_file *f = &stored.inputs[s];
        size_t i = 0;
        while (i < ninputs && !str_eq(inputs[i].path, f->path))
            i++;
        if (i == ninputs)
            reason = xasprintf("%s is gone", f->path ? f->path : "an input");
        else if (!str_eq(inputs[i].sha256, f->sha256))
            reason = xasprintf("%s changed", f->path);
    }
    for (size_t i = 0; !reason && stored.ninputs != ninputs && i < ninputs; i++) {
        size_t s = 0;
        while (s < stored.ninputs && !str_eq(inputs[i].path, stored.inputs[s].path))
            s++;
        if (s == stored.ninputs)
            reason = xasprintf("%s is new", inputs[i].path);
    }
    if (!reason && stored.ninputs != ninputs)
        reason = xstrdup("the input files differ");
    input_files_free(stored.inputs, stored.ninputs);
out:
    sqlite3_close(r.db);
    diag_free(&d);
    if (why)
        *why = reason;
    else
        free(reason);
    return reason == NULL;
}

int archive_stored_inputs(const char *path, input_file **out, size_t *n, char **why)
{
    diag_list d;
    diag_init(&d);
    rctx r = {.d = &d, .path = path};
    *out = NULL;
    *n = 0;
    int rc = archive_open_checked(&r, path, true);
    if (rc == 0) {
        experiment tmp;
        memset(&tmp, 0, sizeof tmp);
        read_inputs(&r, &tmp);
        *out = tmp.inputs;
        *n = tmp.ninputs;
        rc = r.failed ? EXIT_BAD_INPUT : 0;
    }
    if (rc != 0 && why && d.n)
        *why = diag_format(&d.items[d.n - 1]);
    sqlite3_close(r.db);
    diag_free(&d);
    return rc;
}
