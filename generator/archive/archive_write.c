/* archive_write.c - writes results.sqlite (tables in archive_schema.c,
 * format in docs/archive.md).
 *
 * One transaction over prepared statements into a fresh temporary file,
 * then rename; the journal is off because nobody else can see the
 * temporary file until it is complete, and fsync before the rename keeps a
 * crash from leaving a renamed but empty archive. The connection is opened
 * without sqlite's mutexes: one thread uses it. Every row is a row struct
 * bound column by column from its table. */
#define _GNU_SOURCE /* copy_file_range */
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_internal.h"
#include "outset.h"
#include "samplecol.h"
#include "status.h"
#include "timestamp.h"
#include "util.h"

/* The errno behind an I/O error of db: the database file's own last one
 * (sqlite3_system_errno is often 0 by the time a statement reports). */
static int last_errno(sqlite3 *db)
{
    int e = sqlite3_system_errno(db);
    if (!e && sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &e) != SQLITE_OK)
        e = 0;
    return e;
}

static void wfail(wctx *w, const char *what)
{
    if (w->failed)
        return;
    w->failed = true;
    /* sqlite's "disk I/O error" hides which: the system's errno says it,
     * and makes the failure the system's (exit 3). */
    int e = w->db ? last_errno(w->db) : 0;
    if (e)
        diag_io(w->d, w->display, 0, "cannot write the archive (%s): %s (%s)", what,
                sqlite3_errmsg(w->db), strerror(e));
    else
        diag_error(w->d, w->display, 0, "cannot write the archive (%s): %s", what,
                   w->db ? sqlite3_errmsg(w->db) : "out of memory");
}

static void wexec(wctx *w, const char *sql)
{
    if (w->failed)
        return;
    if (sqlite3_exec(w->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        wfail(w, "statement");
}

/* The INSERT of table t; NULL after an error. */
static sqlite3_stmt *winsert(wctx *w, const atable *t)
{
    sqlite3_stmt *st = NULL;
    if (w->failed)
        return NULL;
    char *sql = archive_insert_sql(t);
    if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK) {
        wfail(w, "prepare");
        sqlite3_finalize(st);
        st = NULL;
    }
    free(sql);
    return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* A file name relative to the experiment directory when it lies inside
 * it, so a stored message reads right whatever path the directory is
 * given by next time. */
static void bind_file(const wctx *w, sqlite3_stmt *st, int i, const char *file)
{
    size_t n = w->dir ? strlen(w->dir) : 0;
    while (n > 1 && w->dir[n - 1] == '/') /* "dir/" names the same directory */
        n--;
    if (file && n && strncmp(file, w->dir, n) == 0 && file[n] == '/') {
        char *rel = xasprintf("./%s", file + n + 1);
        sqlite3_bind_text(st, i, rel, -1, free);
        return;
    }
    bind_text(st, i, file);
}

/* The ISO text of t when it is a collection's time, else NULL. */
static const char *collection_iso(const wctx *w, int64_t t)
{
    size_t c = collection_at(w->times, w->ntimes, t);
    return c == SIZE_MAX ? NULL : w->iso[c];
}

#define FIELD(row, off, type) (*(type const *)(const void *)((const char *)(row) + (off)))

/* Binds every column of t from row (seq and parent for the columns that
 * take them), inserts, and resets the statement. */
static void wput(wctx *w, sqlite3_stmt *st, const atable *t, const void *row, size_t seq,
                 size_t parent)
{
    if (w->failed || !st)
        return;
    for (size_t c = 0; c < t->ncols; c++) {
        const acol *col = &t->cols[c];
        int i = (int)c + 1;
        switch (col->type) {
        case AC_SEQ: sqlite3_bind_int64(st, i, (int64_t)seq); break;
        case AC_PARENT: sqlite3_bind_int64(st, i, (int64_t)parent); break;
        case AC_TEXT: bind_text(st, i, FIELD(row, col->off, const char *)); break;
        case AC_FILE: bind_file(w, st, i, FIELD(row, col->off, const char *)); break;
        case AC_CHARS: bind_text(st, i, (const char *)row + col->off); break;
        case AC_CHARS_OPT: {
            const char *s = (const char *)row + col->off;
            bind_text(st, i, *s ? s : NULL);
            break;
        }
        case AC_I64: sqlite3_bind_int64(st, i, FIELD(row, col->off, int64_t)); break;
        case AC_INT: sqlite3_bind_int64(st, i, FIELD(row, col->off, int)); break;
        case AC_LONG: sqlite3_bind_int64(st, i, FIELD(row, col->off, long)); break;
        case AC_SIZE: sqlite3_bind_int64(st, i, (int64_t)FIELD(row, col->off, size_t)); break;
        case AC_BOOL: sqlite3_bind_int64(st, i, FIELD(row, col->off, bool)); break;
        case AC_U16: sqlite3_bind_int64(st, i, FIELD(row, col->off, uint16_t)); break;
        case AC_U64: {
            uint64_t v = FIELD(row, col->off, uint64_t);
            if (v > (uint64_t)INT64_MAX) /* UINT64_MAX: empty */
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_int64(st, i, (int64_t)v);
            break;
        }
        case AC_IDX: {
            size_t v = FIELD(row, col->off, size_t);
            if (v == SIZE_MAX)
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_int64(st, i, (int64_t)v);
            break;
        }
        case AC_COUNT: {
            long v = FIELD(row, col->off, long);
            if (v < 0)
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_int64(st, i, v);
            break;
        }
        case AC_TIME: {
            int64_t v = FIELD(row, col->off, int64_t);
            if (v == INT64_MIN || v == INT64_MAX) /* open bounds and "none" */
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_int64(st, i, v);
            break;
        }
        case AC_ISO: {
            /* Local ISO time for people reading the archive. */
            int64_t v = FIELD(row, col->off, int64_t);
            if (v == INT64_MIN || v == INT64_MAX) {
                sqlite3_bind_null(st, i);
            } else {
                const char *known = collection_iso(w, v);
                char buf[40];
                if (!known)
                    timestamp_format_iso(v, w->tz, buf, sizeof buf);
                sqlite3_bind_text(st, i, known ? known : buf, -1, SQLITE_TRANSIENT);
            }
            break;
        }
        case AC_DBL: {
            double v = FIELD(row, col->off, double);
            if (isnan(v))
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_double(st, i, v);
            break;
        }
        case AC_ENUM: {
            int v = FIELD(row, col->off, int);
            bind_text(st, i, v >= 0 && (size_t)v < col->nnames ? col->names[v] : NULL);
            break;
        }
        case AC_BLOB:
        case AC_BLOB_REF: {
            const unsigned char *p = col->type == AC_BLOB
                                         ? (const unsigned char *)row + col->off
                                         : FIELD(row, col->off, const unsigned char *);
            size_t n = FIELD(row, col->len_off, size_t);
            if (p && n)
                sqlite3_bind_blob(st, i, p, (int)n, SQLITE_STATIC);
            else
                sqlite3_bind_null(st, i);
            break;
        }
        }
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        wfail(w, t->name);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Every element of an array of row structs, seq = its index. */
static void wput_all(wctx *w, const atable *t, const void *rows, size_t n, size_t size)
{
    sqlite3_stmt *st = winsert(w, t);
    for (size_t i = 0; st && i < n; i++)
        wput(w, st, t, (const char *)rows + i * size, i, 0);
    sqlite3_finalize(st);
}

static void write_meta(wctx *w, const analysis *a, const analysis_options *o)
{
    char *until = archive_until_key(o);
    char *schema = xasprintf("%d", ARCHIVE_SCHEMA_VERSION);
    const char *manifest_sha = "";
    for (size_t i = 0; i < a->e.ninputs; i++)
        if (str_eq(a->e.inputs[i].path, "experiment.json"))
            manifest_sha = a->e.inputs[i].sha256;
    const meta_row kv[] = {
        {"generator_version", MEMREPORT_VERSION},
        {"schema_version", schema},
        {"option_until", until},
        {"option_baseline", (char *)archive_opt_baseline(o)},
        {"option_strict", o && o->strict ? "1" : "0"},
        {"manifest_sha256", (char *)manifest_sha},
        /* Not in the experiment table: older archives simply lack it. */
        {"manifest_control", a->e.man.control ? a->e.man.control : ""},
    };
    wput_all(w, &T_META, kv, ARRAY_LEN(kv), sizeof kv[0]);
    free(until);
    free(schema);
}

static bool sample_present(const experiment *e, size_t k)
{
    return e->rss_kb[k] != KB_MISSING || e->vmsize_kb[k] != KB_MISSING ||
           e->hwm_kb[k] != KB_MISSING || !isnan(e->frag[k]);
}

static void write_experiment(wctx *w, const analysis *a)
{
    const experiment *e = &a->e;
    const manifest *m = &e->man;
    const results *r = &a->r;
    size_t nsamples = 0;
    for (size_t i = 0; e->rss_kb && i < e->nrelays * e->ncoll; i++)
        nsamples += sample_present(e, i);
    char tz[16];
    int off = m->tz_offset_min < 0 ? -m->tz_offset_min : m->tz_offset_min;
    snprintf(tz, sizeof tz, "%c%02d:%02d", m->tz_offset_min < 0 ? '-' : '+', off / 60, off % 60);
    experiment_row x = {
        .id = m->id, .name = m->name, .server = m->server, .start_date = m->start_date,
        .end_date = m->end_date, .timezone = tz, .tz_offset_min = m->tz_offset_min,
        .problem = m->problem, .hypothesis = m->hypothesis, .description = m->description,
        .result = m->result, .recommendation = m->recommendation,
        .manifest_baseline = m->baseline, .tor_version = m->tor_version,
        .allocator = m->allocator, .manifest_present = m->present,
        .memory_budget_gib = m->memory_budget_gib, .flat_gib_day = m->th.flat_gib_day,
        .variable_cv = m->th.variable_cv, .warmup_hours = m->th.warmup_hours,
        .restart_drop = m->th.restart_drop, .memory_path = e->memory_path,
        .generator_version = MEMREPORT_VERSION, .nrelays = e->nrelays, .ncollections = e->ncoll,
        .nsamples = nsamples, .has_group_column = e->col_group != NULL,
        .duplicate_rows = e->notes.duplicate_rows,
        .first_duplicate_line = e->notes.first_duplicate_line,
        .out_of_order_rows = e->notes.out_of_order_rows,
        .first_out_of_order_line = e->notes.first_out_of_order_line,
        .partial_last_line = e->notes.partial_last_line, .partial_line = e->notes.partial_line,
        .relay_rows = e->notes.relay_rows, .aggregate_rows = e->notes.aggregate_rows,
        .until_t = r->until, .baseline_group = r->ngroups ? r->baseline : SIZE_MAX,
        .first_t = r->first_t, .last_t = r->last_t, .day1 = r->day1,
    };
    wput_all(w, &T_EXPERIMENT, &x, 1, sizeof x);
}

/* One segment's encoded columns. */
typedef struct {
    unsigned char *blob[SF_COUNT];
    size_t len[SF_COUNT];
    size_t nsamples;
} relay_columns;

/* The columns to pack, one cell per (segment, relay) in the order they
 * are inserted (segment-major: the table's key order). Two threads pack
 * cells in that order while the archive's own thread inserts each one
 * as soon as it is packed, so sqlite's single-threaded part runs beside
 * the packing rather than after it. */
typedef struct {
    const experiment *e;
    relay_columns *cells;      /* nseg x nrelays, segment-major */
    size_t nseg, ncells;
    const size_t *from;        /* the first segment to pack, per relay */
    atomic_size_t next;        /* the next cell to pack */
    unsigned char *ready;      /* per cell, under mu */
    pthread_mutex_t mu;
    pthread_cond_t packed;
} encode_work;

static const samplecol_kind field_kinds[SF_COUNT] = {
    [SF_RSS] = SAMPLECOL_KB, [SF_VMSIZE] = SAMPLECOL_KB, [SF_HWM] = SAMPLECOL_KB,
    [SF_FRAG] = SAMPLECOL_FLOAT, [SF_GROUP] = SAMPLECOL_GROUP};

static uint32_t sample_code(const experiment *e, int f, size_t k)
{
    switch (f) {
    case SF_RSS: return samplecol_kb_code(e->rss_kb[k]);
    case SF_VMSIZE: return samplecol_kb_code(e->vmsize_kb[k]);
    case SF_HWM: return samplecol_kb_code(e->hwm_kb[k]);
    case SF_FRAG: return samplecol_float_code(e->frag[k]);
    default: return samplecol_group_code(e->col_group[k]);
    }
}

/* Packs cell k (nothing for a segment the file keeps). */
static void encode_cell(encode_work *w, size_t k, samplecol_coder *coder, uint32_t *codes)
{
    const experiment *e = w->e;
    size_t s = k / e->nrelays, r = k % e->nrelays;
    if (s < w->from[r])
        return;
    relay_columns *rc = &w->cells[k];
    int nf = e->col_group ? SF_COUNT : SF_GROUP;
    size_t c0 = s * ARCHIVE_SEGMENT, base = exp_idx(e, r, c0);
    size_t n = e->ncoll - c0 < ARCHIVE_SEGMENT ? e->ncoll - c0 : ARCHIVE_SEGMENT;
    for (size_t c = 0; c < n; c++)
        rc->nsamples += sample_present(e, base + c);
    for (int f = 0; f < nf; f++) {
        for (size_t c = 0; c < n; c++)
            codes[c] = sample_code(e, f, base + c);
        rc->len[f] = samplecol_encode(coder, field_kinds[f], codes, n, &rc->blob[f]);
    }
}

static void *encode_cells(void *arg)
{
    encode_work *w = arg;
    uint32_t *codes = xmalloc(ARCHIVE_SEGMENT * sizeof *codes);
    samplecol_coder *coder = samplecol_coder_new();
    for (size_t k; (k = atomic_fetch_add(&w->next, 1)) < w->ncells;) {
        encode_cell(w, k, coder, codes);
        pthread_mutex_lock(&w->mu);
        w->ready[k] = 1;
        pthread_cond_broadcast(&w->packed);
        pthread_mutex_unlock(&w->mu);
    }
    samplecol_coder_free(coder);
    free(codes);
    return NULL;
}

/* Packing the columns is most of the archive's time: two threads pack
 * them (each segment's bytes do not depend on which) while this one
 * inserts them in order. When the file already holds the first segments
 * of the first relays (w->keep_relays, w->keep_segs: an archive updated
 * after an append), only the segments after those are packed and
 * inserted. */
static void write_sample_columns(wctx *w, const experiment *e)
{
    enum { NTHREADS = 2 };
    encode_work ew = {.e = e, .nseg = (e->ncoll + ARCHIVE_SEGMENT - 1) / ARCHIVE_SEGMENT};
    ew.ncells = e->nrelays * ew.nseg;
    ew.cells = xcalloc(ew.ncells ? ew.ncells : 1, sizeof *ew.cells);
    ew.ready = xcalloc(ew.ncells ? ew.ncells : 1, 1);
    size_t *from = xmalloc((e->nrelays ? e->nrelays : 1) * sizeof *from);
    for (size_t r = 0; r < e->nrelays; r++)
        from[r] = r < w->keep_relays ? w->keep_segs : 0;
    ew.from = from;
    atomic_init(&ew.next, 0);
    pthread_mutex_init(&ew.mu, NULL);
    pthread_cond_init(&ew.packed, NULL);
    pthread_t th[NTHREADS];
    bool started[NTHREADS] = {false};
    size_t nstarted = 0;
    for (size_t t = 0; t < NTHREADS; t++)
        nstarted += started[t] = pthread_create(&th[t], NULL, encode_cells, &ew) == 0;
    if (!nstarted)
        encode_cells(&ew); /* no thread to be had: pack them all here first */
    sqlite3_stmt *st = winsert(w, &T_SAMPLE_COLUMNS);
    for (size_t k = 0; k < ew.ncells; k++) {
        pthread_mutex_lock(&ew.mu);
        while (!ew.ready[k])
            pthread_cond_wait(&ew.packed, &ew.mu);
        pthread_mutex_unlock(&ew.mu);
        size_t s = k / e->nrelays, r = k % e->nrelays;
        relay_columns *rc = &ew.cells[k];
        if (st && s >= from[r]) {
            sample_row row = {.relay_id = r, .seg = s, .nsamples = rc->nsamples};
            for (int f = 0; f < SF_COUNT; f++) {
                row.blob[f] = rc->blob[f];
                row.len[f] = rc->len[f];
            }
            wput(w, st, &T_SAMPLE_COLUMNS, &row, r, 0);
        }
        for (int f = 0; f < SF_COUNT; f++) {
            free(rc->blob[f]); /* inserted: sqlite has its copy */
            rc->blob[f] = NULL;
        }
    }
    sqlite3_finalize(st);
    for (size_t t = 0; t < NTHREADS; t++)
        if (started[t])
            pthread_join(th[t], NULL);
    pthread_cond_destroy(&ew.packed);
    pthread_mutex_destroy(&ew.mu);
    free(ew.ready);
    free(ew.cells);
    free(from);
}

static void write_relays_and_samples(wctx *w, const analysis *a)
{
    const experiment *e = &a->e;
    sqlite3_stmt *st = winsert(w, &T_RELAYS);
    for (size_t r = 0; st && r < e->nrelays; r++) {
        relay_row row = {r, e->relays[r].nickname, e->relays[r].fingerprint,
                         e->relays[r].first_line, a->m.ungrouped && a->m.ungrouped[r]};
        wput(w, st, &T_RELAYS, &row, r, 0);
    }
    sqlite3_finalize(st);
    st = winsert(w, &T_COLLECTIONS);
    for (size_t c = 0; st && c < e->ncoll; c++) {
        collection_row row = {c, e->times[c]};
        wput(w, st, &T_COLLECTIONS, &row, c, 0);
    }
    sqlite3_finalize(st);
    st = winsert(w, &T_CSV_GROUPS);
    for (size_t g = 0; st && g < e->ncolgroups; g++) {
        name_row row = {g, e->colgroups[g]};
        wput(w, st, &T_CSV_GROUPS, &row, g, 0);
    }
    sqlite3_finalize(st);
    write_sample_columns(w, e);
}

static void write_inputs_detail(wctx *w, const experiment *e)
{
    wput_all(w, &T_INPUT_FILES, e->inputs, e->ninputs, sizeof *e->inputs);
    wput_all(w, &T_AGGREGATES, e->aggs, e->naggs, sizeof *e->aggs);
    wput_all(w, &T_EVENTS, e->events, e->nevents, sizeof *e->events);
    wput_all(w, &T_HOSTS, e->hosts, e->nhosts, sizeof *e->hosts);
    wput_all(w, &T_RELAY_CONFIG, e->assignments, e->nassignments, sizeof *e->assignments);
    wput_all(w, &T_GROUP_FILES, e->gfiles, e->ngfiles, sizeof *e->gfiles);
    sqlite3_stmt *st = winsert(w, &T_GROUP_FILE_MEMBERS);
    for (size_t i = 0; st && i < e->ngfiles; i++) {
        const group_file *f = &e->gfiles[i];
        for (size_t j = 0; j < f->nmembers; j++) {
            member_row row = {.owner = i, .seq = j, .member = f->members[j],
                              .line = f->member_lines ? f->member_lines[j] : 0};
            wput(w, st, &T_GROUP_FILE_MEMBERS, &row, j, i);
        }
    }
    sqlite3_finalize(st);

    const manifest *m = &e->man;
    wput_all(w, &T_MANIFEST_GROUPS, m->groups, m->ngroups, sizeof *m->groups);
    st = winsert(w, &T_MANIFEST_GROUP_LISTS);
    for (size_t i = 0; st && i < m->ngroups; i++) {
        const manifest_group *g = &m->groups[i];
        for (size_t j = 0; j < g->nmembers; j++) {
            member_row row = {.owner = i, .kind = "members", .seq = j, .member = g->members[j]};
            wput(w, st, &T_MANIFEST_GROUP_LISTS, &row, j, i);
        }
        for (size_t j = 0; j < g->nexclude; j++) {
            member_row row = {.owner = i, .kind = "exclude", .seq = j, .member = g->exclude[j]};
            wput(w, st, &T_MANIFEST_GROUP_LISTS, &row, j, i);
        }
    }
    sqlite3_finalize(st);
}

/* A sample of relay r at c that counts for group g. */
static bool counts_for(const experiment *e, const membership *m, size_t g, size_t r, size_t c)
{
    return e->rss_kb[exp_idx(e, r, c)] != KB_MISSING && membership_has(m, e, g, r, c);
}

static void write_membership(wctx *w, const analysis *a)
{
    const experiment *e = &a->e;
    const membership *m = &a->m;
    sqlite3_stmt *st = winsert(w, &T_GROUPS);
    for (size_t g = 0; st && g < m->ngroups; g++) {
        const group *gr = &m->groups[g];
        group_row row = {
            .idx = g, .id = gr->id, .name = gr->name, .color = gr->color,
            .manifest_idx = SIZE_MAX, .source = (int)gr->source, .source_path = gr->source_path,
            .start_t = gr->start, .end_t = gr->end, .has_member_list = gr->member != NULL,
            .has_exclude_list = gr->excluded != NULL, .csv_group = gr->colgroup,
            .nmembers = gr->nmembers, .allocator = gr->spec ? gr->spec->allocator : NULL,
            .version = gr->spec ? gr->spec->version : NULL,
            .is_baseline = a->r.ngroups && a->r.baseline == g};
        if (gr->spec && e->man.groups && gr->spec >= e->man.groups &&
            gr->spec < e->man.groups + e->man.ngroups)
            row.manifest_idx = (size_t)(gr->spec - e->man.groups);
        wput(w, st, &T_GROUPS, &row, g, 0);
    }
    sqlite3_finalize(st);

    /* One row per (group, relay) that is a member at some point: the
     * listed members of static groups (with or without samples), and the
     * relays a group column puts in the group. first/last are the first
     * and last samples that count for the group. */
    st = winsert(w, &T_MEMBERSHIP);
    for (size_t g = 0; st && g < m->ngroups && !w->failed; g++) {
        const group *gr = &m->groups[g];
        for (size_t r = 0; r < e->nrelays; r++) {
            membership_row row = {g, r, INT64_MIN, INT64_MIN, false};
            /* Only a listed member or a group column can count a sample;
             * the first and the last one are looked for from each end. */
            bool may = gr->source == MEMBERS_GROUP_COLUMN || (gr->member && gr->member[r]);
            size_t first = e->ncoll;
            for (size_t c = 0; may && c < e->ncoll && first == e->ncoll; c++)
                if (counts_for(e, m, g, r, c))
                    first = c;
            for (size_t c = e->ncoll; first < e->ncoll && c-- > first;)
                if (counts_for(e, m, g, r, c)) {
                    row.first_t = e->times[first];
                    row.last_t = e->times[c];
                    break;
                }
            bool listed = gr->member && gr->member[r];
            row.excluded = gr->excluded && gr->excluded[r];
            if (!listed && !row.excluded && row.first_t == INT64_MIN)
                continue;
            wput(w, st, &T_MEMBERSHIP, &row, r, g);
        }
    }
    sqlite3_finalize(st);

    /* Members' own windows, where a manifest list gave any: the relays
     * listed with a window (open bounds NULL). */
    st = winsert(w, &T_MEMBER_WINDOWS);
    for (size_t g = 0; st && g < m->ngroups && !w->failed; g++) {
        const group *gr = &m->groups[g];
        for (size_t r = 0; gr->mstart && r < e->nrelays; r++) {
            if (gr->mstart[r] == INT64_MAX ||
                (gr->mstart[r] == INT64_MIN && gr->mend[r] == INT64_MAX))
                continue;
            membership_row row = {g, r, gr->mstart[r], gr->mend[r], false};
            wput(w, st, &T_MEMBER_WINDOWS, &row, r, g);
        }
    }
    sqlite3_finalize(st);

    st = winsert(w, &T_MISSING_MEMBERS);
    for (size_t g = 0; st && g < m->ngroups; g++)
        for (size_t j = 0; j < m->groups[g].nmissing; j++) {
            member_row row = {.owner = g, .seq = j, .member = m->groups[g].missing[j]};
            wput(w, st, &T_MISSING_MEMBERS, &row, j, g);
        }
    sqlite3_finalize(st);
    wput_all(w, &T_OVERLAPS, m->overlaps, m->noverlaps, sizeof *m->overlaps);
}

static void write_results(wctx *w, const analysis *a)
{
    const results *res = &a->r;
    sqlite3_stmt *st = winsert(w, &T_GROUP_STATS);
    for (size_t g = 0; st && g < res->ngroups; g++)
        for (size_t k = w->update ? res->groups[g].nseries_prior : 0; k < res->groups[g].nseries;
             k++)
            wput(w, st, &T_GROUP_STATS, &res->groups[g].series[k], k, g);
    sqlite3_finalize(st);

    st = winsert(w, &T_RESULTS);
    for (size_t g = 0; st && g < res->ngroups; g++) {
        result_row row = {g, g < a->m.ngroups ? a->m.groups[g].id : NULL,
                          g < a->m.ngroups ? a->m.groups[g].name : NULL, res->groups[g]};
        if (!row.r.has_final)
            row.r.final_t = INT64_MIN;
        wput(w, st, &T_RESULTS, &row, g, 0);
    }
    sqlite3_finalize(st);

    st = winsert(w, &T_FINAL_VALUES);
    for (size_t g = 0; st && g < res->ngroups; g++) {
        const group_result *gr = &res->groups[g];
        for (size_t k = 0; k < gr->final_n && gr->final_relays; k++) {
            value_row row = {.group_idx = g, .k = k, .relay_id = gr->final_relays[k],
                             .value = gr->final_values[k]};
            wput(w, st, &T_FINAL_VALUES, &row, k, g);
        }
    }
    sqlite3_finalize(st);

    st = winsert(w, &T_DAYS);
    for (size_t k = 0; st && k < res->ndays; k++) {
        value_row row = {.k = k, .day = res->days[k]};
        wput(w, st, &T_DAYS, &row, k, 0);
    }
    sqlite3_finalize(st);

    st = winsert(w, &T_DAY_VALUES);
    for (size_t g = 0; st && g < res->ngroups; g++)
        for (size_t k = 0; k < res->ndays && res->groups[g].day_values; k++) {
            value_row row = {.group_idx = g, .k = k, .value = res->groups[g].day_values[k]};
            wput(w, st, &T_DAY_VALUES, &row, k, g);
        }
    sqlite3_finalize(st);

    wput_all(w, &T_RESTARTS, res->restarts, res->nrestarts, sizeof *res->restarts);
    wput_all(w, &T_FINDINGS, res->findings, res->nfindings, sizeof *res->findings);
    wput_all(w, &T_DIAGNOSTICS, a->diag.items, a->diag.n, sizeof *a->diag.items);
}

/* Creates the schema and every row inside one transaction on w->db. */
static void fill_db(wctx *w, const analysis *a, const analysis_options *o)
{
    const experiment *e = &a->e;
    w->ntimes = e->times ? e->ncoll : 0;
    w->times = e->times;
    w->iso = xmalloc((w->ntimes ? w->ntimes : 1) * sizeof *w->iso);
    for (size_t c = 0; c < w->ntimes; c++)
        timestamp_format_iso(e->times[c], w->tz, w->iso[c], sizeof w->iso[c]);
    /* Nobody else sees this database until it is renamed or serialised:
     * no journal needed, and durability comes from the fsync before the
     * rename. */
    /* 64 KiB pages: a segment's row (a few KiB) then fits in its b-tree
     * page, where with small pages most rows would spill into overflow
     * pages and leave much of them empty. An 8 MiB cache: rows go in in
     * key order, so a page once full is not written again, and a cache
     * that spills it reuses its memory where a larger one (64 MiB was
     * tried) faults in fresh pages: the same bytes, the fleet's build 4%
     * quicker and 55 MB smaller at its peak. */
    wexec(w, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=65536;"
             "PRAGMA cache_size=-8192;");
    wexec(w, "BEGIN");
    if (w->update) {
        /* Every row goes, but the packed segments that stay as they are. */
        char *clear = archive_clear_sql(&T_SAMPLE_COLUMNS, &T_GROUP_STATS);
        wexec(w, clear);
        free(clear);
        /* A group's per-collection rows stay when its statistics took
         * every stored point as it was (stats_options.prior, from this
         * file); the other groups' go. */
        size_t ng = a->r.ngroups;
        char *stale = xasprintf("DELETE FROM group_stats WHERE group_idx >= %zu", ng);
        wexec(w, stale);
        free(stale);
        for (size_t g = 0; g < ng; g++) {
            if (a->r.groups[g].nseries_prior)
                continue;
            stale = xasprintf("DELETE FROM group_stats WHERE group_idx = %zu", g);
            wexec(w, stale);
            free(stale);
        }
        /* The segments an append reached are the last ones of the table
         * (segment-major order), so few pages change; the old relays are
         * all there is (the read checked it). */
        char *drop = xasprintf("DELETE FROM sample_columns WHERE seg >= %zu", w->keep_segs);
        wexec(w, drop);

        free(drop);
    } else {
        char *schema = archive_schema_sql();
        wexec(w, schema);
        free(schema);
        char *ver = xasprintf("PRAGMA user_version=%d", ARCHIVE_SCHEMA_VERSION);
        wexec(w, ver);
        free(ver);
    }
    write_meta(w, a, o);
    write_experiment(w, a);
    if (a->e.rss_kb)
        write_relays_and_samples(w, a);
    write_inputs_detail(w, &a->e);
    write_membership(w, a);
    write_results(w, a);
    wexec(w, "COMMIT");

    free(w->iso);
    w->iso = NULL;
    w->ntimes = 0;
}

/* Copies the file src (already open) into dst, a temporary that exists
 * (see archive_write_file); false on any error. */
static bool copy_file(int in, const char *dst, uint64_t size)
{
    int out = open(dst, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (out < 0)
        return false;
    uint64_t done = 0;
    bool ok = true;
    /* In the kernel (no copy through user space) where it can; else read
     * and write. */
    while (ok && done < size) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)(size - done), 0);
        if (n <= 0)
            break;
        done += (uint64_t)n;
    }
    static __thread unsigned char buf[1 << 16];
    while (ok && done < size) {
        ssize_t n = pread(in, buf, sizeof buf, (off_t)done);
        ok = n > 0 && write(out, buf, (size_t)n) == n;
        done += ok ? (uint64_t)n : 0;
    }
    return close(out) == 0 && ok;
}

/* The first row's first column of sql as malloc'd text, or NULL. */
static char *query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        out = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

/* Every table, index, view and trigger of db with its SQL, in name order. */
static char *schema_of(sqlite3 *db)
{
    return query_text(db, "SELECT group_concat(line, char(10)) FROM (SELECT type || ' ' || name "
                          "|| ' ' || coalesce(sql, '') AS line FROM sqlite_master ORDER BY name)");
}

/* True when the copy at db is fit to be updated: this schema version,
 * exactly the tables and views this version creates (nothing more — no
 * trigger would run on the updates), and sound pages (a damaged free list
 * could hand out a page that kept rows live in). */
static bool fit_for_update(sqlite3 *db)
{
    sqlite3 *mem = NULL;
    char *want = NULL, *have = NULL, *version = NULL, *check = NULL;
    char *sql = archive_schema_sql();
    if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ==
            SQLITE_OK &&
        sqlite3_exec(mem, sql, NULL, NULL, NULL) == SQLITE_OK)
        want = schema_of(mem);
    sqlite3_close(mem);
    free(sql);
    bool ok = want && (have = schema_of(db)) && str_eq(want, have) &&
              (version = query_text(db, "PRAGMA user_version")) &&
              atoi(version) == ARCHIVE_SCHEMA_VERSION &&
              (check = query_text(db, "PRAGMA quick_check")) && str_eq(check, "ok");
    free(want);
    free(have);
    free(version);
    free(check);
    return ok;
}

/* The archive of `a` made from a copy of the one its first samples were
 * read from (a->resumed): that file's packed segments that an append did
 * not reach are kept as they are, everything else is written again, so
 * the rows equal a fresh file's. False when it cannot be done (the file
 * changed since it was read, a copy or sqlite error): the caller then
 * writes the whole archive, and nothing is said. */
static bool update_file(const analysis *a, const analysis_options *o, const char *src,
                        const char *tmp_path, const char *display, size_t *kept)
{
    const archive_origin *ro = &a->resumed;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    bool ok = in >= 0 && fstat(in, &sb) == 0 && (unsigned long long)sb.st_dev == ro->dev &&
              (unsigned long long)sb.st_ino == ro->ino && (unsigned long long)sb.st_size == ro->size &&
              (long long)sb.st_mtim.tv_sec == ro->mtime_s &&
              (long long)sb.st_mtim.tv_nsec == ro->mtime_ns &&
              ro->nrelays <= a->e.nrelays && ro->ncoll <= a->e.ncoll &&
              copy_file(in, tmp_path, (uint64_t)sb.st_size);
    if (in >= 0)
        close(in);
    if (!ok)
        return false;
    diag_list d;
    diag_init(&d);
    wctx w = {.d = &d, .display = display, .tz = a->e.man.tz_offset_min, .dir = a->e.dir,
              .update = true, .keep_relays = ro->nrelays, .keep_segs = ro->ncoll / ARCHIVE_SEGMENT};
    if (sqlite3_open_v2(tmp_path, &w.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(w.db);
        diag_free(&d);
        return false;
    }
    if (!fit_for_update(w.db)) {
        sqlite3_close(w.db);
        diag_free(&d);
        return false;
    }
    fill_db(&w, a, o);
    if (sqlite3_close(w.db) != SQLITE_OK)
        w.failed = true;
    diag_free(&d);
    *kept = w.failed ? 0 : w.keep_segs * ARCHIVE_SEGMENT;
    return !w.failed;
}

int archive_write_file(const analysis *a, const analysis_options *o, const char *tmp_path,
                       const char *display, diag_list *d)
{
    wctx w = {.d = d, .display = display ? display : tmp_path, .tz = a->e.man.tz_offset_min,
              .dir = a->e.dir};
    /* Never created here: the caller made tmp_path, and if it is gone
     * (an out-of-memory exit on another thread removed the temporaries)
     * it must stay gone. */
    if (sqlite3_open_v2(tmp_path, &w.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        wfail(&w, "open");
        sqlite3_close(w.db);
        return EXIT_IO;
    }
    fill_db(&w, a, o);
    if (sqlite3_close(w.db) != SQLITE_OK) {
        w.db = NULL;
        wfail(&w, "close");
    }
    return w.failed ? EXIT_IO : 0;
}

int archive_serialize(const analysis *a, const analysis_options *o, const char *display,
                      unsigned char **data, size_t *len, diag_list *d)
{
    wctx w = {.d = d, .display = display, .tz = a->e.man.tz_offset_min, .dir = a->e.dir};
    *data = NULL;
    *len = 0;
    if (sqlite3_open_v2(":memory:", &w.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        wfail(&w, "open");
        sqlite3_close(w.db);
        return EXIT_IO;
    }
    fill_db(&w, a, o);
    if (!w.failed) {
        sqlite3_int64 n = 0;
        unsigned char *p = sqlite3_serialize(w.db, "main", &n, 0);
        if (!p) {
            wfail(&w, "serialise");
        } else {
            /* Hand out xmalloc'd memory so callers free() it like any
             * other buffer. */
            *data = xmalloc(n ? (size_t)n : 1);
            memcpy(*data, p, (size_t)n);
            *len = (size_t)n;
            sqlite3_free(p);
        }
    }
    sqlite3_close(w.db);
    return w.failed ? EXIT_IO : 0;
}

int archive_check_replaceable(const char *path, diag_list *d)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !(sb.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH))) {
        diag_error(d, path, 0, "the archive is read-only; it was not replaced "
                               "(make it writable or remove it to rebuild it)");
        return EXIT_IO;
    }
    return 0;
}

int archive_stage(outset *os, const analysis *a, const analysis_options *o, const char *path,
                  const char **tmp, diag_list *d)
{
    const char *t = NULL;
    if (tmp)
        *tmp = NULL;
    if (archive_check_replaceable(path, d) != 0)
        return EXIT_IO;
    /* Straight into the staged temporary: no copy of the database is ever
     * held in memory (sqlite keeps only its page cache). */
    if (outset_reserve(os, path, &t, d) != 0)
        return EXIT_IO;
    if (archive_write_file(a, o, t, path, d) != 0)
        return EXIT_IO; /* the outset removes the temporary */
    if (tmp)
        *tmp = t;
    return 0;
}

/* The background write of archive_stage_begin. */
struct archive_job {
    const analysis *a;
    const analysis_options *o;
    const char *tmp, *path;   /* the reserved temporary (the outset's), the final name */
    diag_list d;              /* the thread's messages, handed over at the end */
    int rc;
    size_t kept;              /* update_file's */
    pthread_t th;
    bool threaded;
};

static void *job_run(void *arg)
{
    archive_job *j = arg;
    /* After an append, the archive it resumed from (the one this replaces)
     * already holds most of the packed samples. */
    const char *src = j->a->resumed.path;
    if (!src || !str_eq(src, j->path) ||
        !update_file(j->a, j->o, src, j->tmp, j->path, &j->kept)) {
        int fd = open(j->tmp, O_WRONLY | O_TRUNC | O_CLOEXEC); /* what a failed update left */
        if (fd >= 0)
            close(fd);
        j->rc = archive_write_file(j->a, j->o, j->tmp, j->path, &j->d);
    }
    /* Synced here, beside the rendering, so the commit's own fsync of
     * the temporary finds nothing left to write. */
    int fd = j->rc == 0 ? open(j->tmp, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    return NULL;
}

archive_job *archive_stage_begin(outset *os, const analysis *a, const analysis_options *o,
                                 const char *path, diag_list *d)
{
    const char *t = NULL;
    if (archive_check_replaceable(path, d) != 0 || outset_reserve(os, path, &t, d) != 0)
        return NULL;
    archive_job *j = xcalloc(1, sizeof *j);
    *j = (archive_job){.a = a, .o = o, .tmp = t, .path = path};
    diag_init(&j->d);
    j->threaded = pthread_create(&j->th, NULL, job_run, j) == 0;
    if (!j->threaded)
        job_run(j); /* no thread: write it now */
    return j;
}

int archive_stage_end(archive_job *j, const char **tmp, size_t *kept, diag_list *d)
{
    if (tmp)
        *tmp = NULL;
    if (kept)
        *kept = 0;
    if (!j)
        return EXIT_IO;
    if (j->threaded)
        pthread_join(j->th, NULL);
    int rc = j->rc;
    diag_append(d, &j->d);
    diag_free(&j->d);
    if (rc == 0 && tmp)
        *tmp = j->tmp;
    if (rc == 0 && kept)
        *kept = j->kept;
    free(j);
    return rc;
}

static bool fsync_path(const char *path, bool directory)
{
    int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0 || directory; /* some file systems refuse directory fsync */
    close(fd);
    return ok;
}

int archive_write(const analysis *a, const analysis_options *o, const char *path, diag_list *d)
{
    if (archive_check_replaceable(path, d) != 0)
        return EXIT_IO;
    char *dir = path_dir(path);
    /* .results.sqlite.save-XXXXXX: the name outset_recover knows to remove
     * where a killed run left it. */
    char *tmp = NULL;
    int fd = outset_save_temp(path, &tmp);
    if (fd < 0) {
        diag_error(d, path, 0, "cannot create a temporary file in %s: %s", dir, strerror(errno));
        free(dir);
        return EXIT_IO;
    }
    close(fd);
    int rc = archive_write_file(a, o, tmp, path, d);
    if (rc == 0 && !fsync_path(tmp, false)) {
        diag_error(d, path, 0, "cannot sync the archive: %s", strerror(errno));
        rc = EXIT_IO;
    }
    if (rc == 0) {
        /* The temporary is made 0600; an archive is a shareable result like
         * the report beside it. */
        mode_t um = umask(0);
        umask(um);
        chmod(tmp, 0666 & ~um);
        if (rename(tmp, path) != 0) {
            diag_error(d, path, 0, "cannot rename the archive into place: %s", strerror(errno));
            rc = EXIT_IO;
        } else {
            fsync_path(dir, true);
        }
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    free(dir);
    return rc;
}

