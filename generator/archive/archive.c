/* archive.c - writes and reads results.sqlite (see archive.h and
 * docs/archive.md for the schema).
 *
 * Writing: one transaction over prepared statements into a fresh temporary
 * file, then rename; the journal is off because nobody else can see the
 * temporary file until it is complete, and fsync before the rename keeps a
 * crash from leaving a renamed but empty archive.
 *
 * Reading: every value the writers, charts and the site need comes back
 * exactly (NAN is stored as NULL, open time bounds as NULL). Row counts
 * stored in the experiment row are checked on the way back so a damaged
 * file is noticed instead of read short. */
#include "archive.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "outset.h"
#include "samplecol.h"
#include "timestamp.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Schema                                                               */

static const char schema_sql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;\n"
    "CREATE TABLE experiment(\n"
    "  id TEXT, name TEXT, server TEXT, start_date TEXT, end_date TEXT,\n"
    "  timezone TEXT, tz_offset_min INTEGER,\n"
    "  problem TEXT, hypothesis TEXT, description TEXT, result TEXT, recommendation TEXT,\n"
    "  manifest_baseline TEXT, tor_version TEXT, allocator TEXT, manifest_present INTEGER,\n"
    "  memory_budget_gib REAL, flat_gib_day REAL, variable_cv REAL, warmup_hours REAL,\n"
    "  restart_drop REAL, memory_path TEXT, generator_version TEXT,\n"
    "  nrelays INTEGER, ncollections INTEGER, nsamples INTEGER, has_group_column INTEGER,\n"
    "  duplicate_rows INTEGER, first_duplicate_line INTEGER, out_of_order_rows INTEGER,\n"
    "  first_out_of_order_line INTEGER, partial_last_line INTEGER, partial_line INTEGER,\n"
    "  relay_rows INTEGER, aggregate_rows INTEGER,\n"
    "  until_t INTEGER, baseline_group INTEGER, first_t INTEGER, last_t INTEGER, day1 INTEGER,\n"
    "  first_time TEXT, last_time TEXT);\n"
    "CREATE TABLE input_files(seq INTEGER PRIMARY KEY, path TEXT NOT NULL, bytes INTEGER,\n"
    "  rows INTEGER, sha256 TEXT NOT NULL, tail_sha256 TEXT, sha256_state BLOB);\n"
    "CREATE TABLE relays(relay_id INTEGER PRIMARY KEY, nickname TEXT, fingerprint TEXT,\n"
    "  first_line INTEGER, ungrouped INTEGER);\n"
    "CREATE TABLE collections(c INTEGER PRIMARY KEY, t INTEGER NOT NULL, time TEXT NOT NULL);\n"
    "CREATE TABLE csv_groups(idx INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE sample_columns(relay_id INTEGER PRIMARY KEY, nsamples INTEGER,\n"
    "  rss_kb BLOB, vmsize_kb BLOB, hwm_kb BLOB, frag_ratio BLOB, csv_group BLOB);\n"
    /* One row per sample for the sqlite3 shell, decoded by the
     * memreport_unpack function of the memreport_samples extension
     * (docs/archive.md). CROSS JOIN keeps each relay's columns outside,
     * so the extension decodes every column once. */
    "CREATE VIEW samples(relay_id, c, rss_kb, vmsize_kb, hwm_kb, frag_ratio, csv_group) AS\n"
    "  SELECT relay_id, c, rss, vms, hwm, frag, grp FROM (\n"
    "    SELECT p.relay_id AS relay_id, k.c AS c, memreport_unpack(p.rss_kb, k.c) AS rss,\n"
    "      memreport_unpack(p.vmsize_kb, k.c) AS vms, memreport_unpack(p.hwm_kb, k.c) AS hwm,\n"
    "      memreport_unpack(p.frag_ratio, k.c) AS frag,\n"
    "      memreport_unpack(p.csv_group, k.c) AS grp\n"
    "    FROM sample_columns p CROSS JOIN collections k)\n"
    "  WHERE rss IS NOT NULL OR vms IS NOT NULL OR hwm IS NOT NULL OR frag IS NOT NULL;\n"
    "CREATE TABLE aggregates(seq INTEGER PRIMARY KEY, t INTEGER, time TEXT, count INTEGER,\n"
    "  total_kb INTEGER, avg_kb INTEGER, min_kb INTEGER, max_kb INTEGER, line INTEGER);\n"
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, t INTEGER, time TEXT, type TEXT,\n"
    "  description TEXT, grp TEXT, line INTEGER);\n"
    "CREATE TABLE hosts(seq INTEGER PRIMARY KEY, t INTEGER, time TEXT, hostname TEXT,\n"
    "  tor_version TEXT, os_release TEXT, kernel TEXT, allocator TEXT, mem_total_mb REAL,\n"
    "  relay_count INTEGER, relay_total_mb REAL, line INTEGER);\n"
    "CREATE TABLE relay_config(seq INTEGER PRIMARY KEY, key TEXT, grp TEXT, line INTEGER);\n"
    "CREATE TABLE group_files(idx INTEGER PRIMARY KEY, id TEXT, path TEXT);\n"
    "CREATE TABLE group_file_members(file_idx INTEGER, seq INTEGER, member TEXT, line INTEGER,\n"
    "  PRIMARY KEY(file_idx, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE manifest_groups(idx INTEGER PRIMARY KEY, id TEXT, name TEXT, color TEXT,\n"
    "  description TEXT, added TEXT, config_json TEXT, allocator TEXT, version TEXT,\n"
    "  source TEXT, has_members INTEGER, members_file TEXT, start_t INTEGER, end_t INTEGER,\n"
    "  line INTEGER);\n"
    "CREATE TABLE manifest_group_lists(group_idx INTEGER, kind TEXT, seq INTEGER, member TEXT,\n"
    "  PRIMARY KEY(group_idx, kind, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE groups(idx INTEGER PRIMARY KEY, id TEXT NOT NULL, name TEXT, color TEXT,\n"
    "  manifest_idx INTEGER, source TEXT, source_path TEXT, start_t INTEGER, end_t INTEGER,\n"
    "  has_member_list INTEGER, has_exclude_list INTEGER, csv_group INTEGER, nmembers INTEGER,\n"
    "  allocator TEXT,"
    "  version TEXT, is_baseline INTEGER);\n"
    "CREATE TABLE membership(group_idx INTEGER, relay_id INTEGER, first_t INTEGER,\n"
    "  last_t INTEGER, first_time TEXT, last_time TEXT, excluded INTEGER,\n"
    "  PRIMARY KEY(group_idx, relay_id)) WITHOUT ROWID;\n"
    "CREATE TABLE member_windows(group_idx INTEGER, relay_id INTEGER, start_t INTEGER,\n"
    "  end_t INTEGER, PRIMARY KEY(group_idx, relay_id)) WITHOUT ROWID;\n"
    "CREATE TABLE missing_members(group_idx INTEGER, seq INTEGER, member TEXT,\n"
    "  PRIMARY KEY(group_idx, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE overlaps(seq INTEGER PRIMARY KEY, relay_id INTEGER, group1 INTEGER,\n"
    "  group2 INTEGER, from_t INTEGER, to_t INTEGER);\n"
    "CREATE TABLE group_stats(group_idx INTEGER, c INTEGER, t INTEGER, time TEXT, n INTEGER,\n"
    "  mean_gib REAL, median_gib REAL, p10_gib REAL, p90_gib REAL, min_gib REAL, max_gib REAL,\n"
    "  PRIMARY KEY(group_idx, c)) WITHOUT ROWID;\n"
    "CREATE TABLE results(group_idx INTEGER PRIMARY KEY, group_id TEXT, name TEXT,\n"
    "  has_final INTEGER, final_c INTEGER, final_t INTEGER, final_time TEXT, final_n INTEGER,\n"
    "  final_mean_gib REAL, final_median_gib REAL, ratio REAL, ratio_lo REAL, ratio_hi REAL,\n"
    "  p_value REAL, p_holm REAL, slope_ols_gib_day REAL, slope_theil_sen_gib_day REAL,\n"
    "  r2 REAL, first_mean_gib REAL, last_mean_gib REAL, change_pct REAL, cv REAL,\n"
    "  steady_gib_day REAL, steady_lo REAL, steady_hi REAL, steady_n INTEGER,\n"
    "  forecast_days REAL, trend TEXT);\n"
    "CREATE TABLE final_values(group_idx INTEGER, seq INTEGER, relay_id INTEGER, rss_gib REAL,\n"
    "  PRIMARY KEY(group_idx, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE days(k INTEGER PRIMARY KEY, day INTEGER);\n"
    "CREATE TABLE day_values(group_idx INTEGER, k INTEGER, mean_gib REAL,\n"
    "  PRIMARY KEY(group_idx, k)) WITHOUT ROWID;\n"
    "CREATE TABLE restarts(seq INTEGER PRIMARY KEY, relay_id INTEGER, c INTEGER, t INTEGER,\n"
    "  time TEXT, from_event INTEGER);\n"
    "CREATE TABLE findings(seq INTEGER PRIMARY KEY, kind TEXT, error INTEGER, message TEXT,\n"
    "  file TEXT, line INTEGER);\n"
    "CREATE TABLE diagnostics(seq INTEGER PRIMARY KEY, severity TEXT, file TEXT, line INTEGER,\n"
    "  col INTEGER, message TEXT);\n";

static const char *const source_names[] = {
    [MEMBERS_MANIFEST_LIST] = "manifest_list", [MEMBERS_MANIFEST_FILE] = "manifest_file",
    [MEMBERS_GROUP_COLUMN] = "group_column",   [MEMBERS_RELAY_CONFIG] = "relay_config",
    [MEMBERS_GROUP_FILE] = "group_file",
};

static const char *const finding_names[] = {
    [FINDING_MISSING_MEMBER] = "missing_member",
    [FINDING_UNGROUPED] = "ungrouped",
    [FINDING_OVERLAP] = "overlap",
    [FINDING_DUPLICATE] = "duplicate",
    [FINDING_OUT_OF_ORDER] = "out_of_order",
    [FINDING_RESTART] = "restart",
    [FINDING_AGGREGATE_MISMATCH] = "aggregate_mismatch",
    [FINDING_PARTIAL_LINE] = "partial_line",
    [FINDING_EMPTY_GROUP] = "empty_group",
    [FINDING_STOPPED] = "stopped",
    [FINDING_CROSS_LISTED] = "cross_listed",
};

static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && str_eq(names[i], s))
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */

typedef struct {
    sqlite3 *db;
    diag_list *d;
    const char *display;
    bool failed;             /* first error wins; later calls do nothing */
    int tz;
    const char *dir;         /* e->dir, to store file names relative to it */
} wctx;

static void wfail(wctx *w, const char *what)
{
    if (w->failed)
        return;
    w->failed = true;
    diag_error(w->d, w->display, 0, "cannot write the archive (%s): %s", what,
               w->db ? sqlite3_errmsg(w->db) : "out of memory");
}

static sqlite3_stmt *wprep(wctx *w, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (w->failed)
        return NULL;
    if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK) {
        wfail(w, "prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static void wexec(wctx *w, const char *sql)
{
    if (w->failed)
        return;
    if (sqlite3_exec(w->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        wfail(w, "statement");
}

static void b_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void b_int(sqlite3_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, v);
}

/* Open bounds and "none" (INT64_MIN, INT64_MAX) are NULL. */
static void b_time(sqlite3_stmt *st, int i, int64_t t)
{
    if (t == INT64_MIN || t == INT64_MAX)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, t);
}

static void b_dbl(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

static void b_u64(sqlite3_stmt *st, int i, uint64_t v)
{
    if (v == UINT64_MAX || v > (uint64_t)INT64_MAX)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, (int64_t)v);
}

/* Local ISO time for people reading the archive. */
static void b_iso(wctx *w, sqlite3_stmt *st, int i, int64_t t)
{
    if (t == INT64_MIN || t == INT64_MAX) {
        sqlite3_bind_null(st, i);
        return;
    }
    char buf[40];
    timestamp_format_iso(t, w->tz, buf, sizeof buf);
    sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

/* A file name relative to the experiment directory when it lies inside
 * it, so a stored message reads right whatever path the directory is
 * given by next time. */
static void b_file(wctx *w, sqlite3_stmt *st, int i, const char *file)
{
    size_t n = w->dir ? strlen(w->dir) : 0;
    while (n > 1 && w->dir[n - 1] == '/') /* "dir/" names the same directory */
        n--;
    if (file && n && strncmp(file, w->dir, n) == 0 && file[n] == '/') {
        char *rel = xasprintf("./%s", file + n + 1);
        sqlite3_bind_text(st, i, rel, -1, free);
        return;
    }
    b_text(st, i, file);
}

static void wstep(wctx *w, sqlite3_stmt *st)
{
    if (w->failed || !st)
        return;
    if (sqlite3_step(st) != SQLITE_DONE)
        wfail(w, "insert");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* --until as given: the text when it was parsed after the manifest (its
 * meaning depends on the manifest's timezone, which is hashed too). */
static char *until_key(const analysis_options *o)
{
    if (o && o->until_text)
        return xasprintf("text:%s", o->until_text);
    if (o && o->until != INT64_MAX)
        return xasprintf("%lld", (long long)o->until);
    return xstrdup("end");
}

static const char *opt_baseline(const analysis_options *o)
{
    return o && o->baseline ? o->baseline : "";
}

static void write_meta(wctx *w, const analysis *a, const analysis_options *o)
{
    sqlite3_stmt *st = wprep(w, "INSERT INTO meta VALUES(?,?)");
    if (!st)
        return;
    char *until = until_key(o);
    char *schema = xasprintf("%d", ARCHIVE_SCHEMA_VERSION);
    const char *manifest_sha = "";
    for (size_t i = 0; i < a->e.ninputs; i++)
        if (str_eq(a->e.inputs[i].path, "experiment.json"))
            manifest_sha = a->e.inputs[i].sha256;
    const char *kv[][2] = {
        {"generator_version", MEMREPORT_VERSION},
        {"schema_version", schema},
        {"option_until", until},
        {"option_baseline", opt_baseline(o)},
        {"option_strict", o && o->strict ? "1" : "0"},
        {"manifest_sha256", manifest_sha},
        /* Not in the experiment table: older archives simply lack it. */
        {"manifest_control", a->e.man.control ? a->e.man.control : ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(kv); i++) {
        b_text(st, 1, kv[i][0]);
        b_text(st, 2, kv[i][1]);
        wstep(w, st);
    }
    free(until);
    free(schema);
    sqlite3_finalize(st);
}

static bool sample_present(const experiment *e, size_t k);

static size_t count_samples(const experiment *e)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nrelays * e->ncoll; i++)
        n += sample_present(e, i);
    return n;
}

static void write_experiment(wctx *w, const analysis *a, size_t nsamples)
{
    const experiment *e = &a->e;
    const manifest *m = &e->man;
    const results *r = &a->r;
    sqlite3_stmt *st = wprep(w, "INSERT INTO experiment VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st)
        return;
    int i = 1;
    b_text(st, i++, m->id);
    b_text(st, i++, m->name);
    b_text(st, i++, m->server);
    b_text(st, i++, m->start_date);
    b_text(st, i++, m->end_date);
    char tz[16];
    int off = m->tz_offset_min < 0 ? -m->tz_offset_min : m->tz_offset_min;
    snprintf(tz, sizeof tz, "%c%02d:%02d", m->tz_offset_min < 0 ? '-' : '+', off / 60, off % 60);
    b_text(st, i++, tz);
    b_int(st, i++, m->tz_offset_min);
    b_text(st, i++, m->problem);
    b_text(st, i++, m->hypothesis);
    b_text(st, i++, m->description);
    b_text(st, i++, m->result);
    b_text(st, i++, m->recommendation);
    b_text(st, i++, m->baseline);
    b_text(st, i++, m->tor_version);
    b_text(st, i++, m->allocator);
    b_int(st, i++, m->present);
    b_dbl(st, i++, m->memory_budget_gib);
    b_dbl(st, i++, m->th.flat_gib_day);
    b_dbl(st, i++, m->th.variable_cv);
    b_dbl(st, i++, m->th.warmup_hours);
    b_dbl(st, i++, m->th.restart_drop);
    b_text(st, i++, e->memory_path);
    b_text(st, i++, MEMREPORT_VERSION);
    b_int(st, i++, (int64_t)e->nrelays);
    b_int(st, i++, (int64_t)e->ncoll);
    b_int(st, i++, (int64_t)nsamples);
    b_int(st, i++, e->col_group != NULL);
    b_u64(st, i++, e->notes.duplicate_rows);
    b_int(st, i++, e->notes.first_duplicate_line);
    b_u64(st, i++, e->notes.out_of_order_rows);
    b_int(st, i++, e->notes.first_out_of_order_line);
    b_int(st, i++, e->notes.partial_last_line);
    b_int(st, i++, e->notes.partial_line);
    b_u64(st, i++, e->notes.relay_rows);
    b_u64(st, i++, e->notes.aggregate_rows);
    b_time(st, i++, r->until);
    if (r->ngroups)
        b_int(st, i++, (int64_t)r->baseline);
    else
        sqlite3_bind_null(st, i++);
    b_time(st, i++, r->first_t);
    b_time(st, i++, r->last_t);
    b_int(st, i++, r->day1);
    b_iso(w, st, i++, r->first_t);
    b_iso(w, st, i++, r->last_t);
    wstep(w, st);
    sqlite3_finalize(st);
}

static void write_inputs(wctx *w, const experiment *e)
{
    sqlite3_stmt *st = wprep(w, "INSERT INTO input_files VALUES(?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < e->ninputs; i++) {
        const input_file *f = &e->inputs[i];
        b_int(st, 1, (int64_t)i);
        b_text(st, 2, f->path);
        b_u64(st, 3, f->bytes);
        b_u64(st, 4, f->rows);
        b_text(st, 5, f->sha256);
        b_text(st, 6, f->tail_sha256[0] ? f->tail_sha256 : NULL);
        if (f->sha_state_len)
            sqlite3_bind_blob(st, 7, f->sha_state, (int)f->sha_state_len, SQLITE_STATIC);
        wstep(w, st);
    }
    sqlite3_finalize(st);
}

/* The packed sample columns, one per field, in table order. */
enum { SF_RSS, SF_VMSIZE, SF_HWM, SF_FRAG, SF_GROUP, SF_COUNT };
static const struct {
    const char *column;
    samplecol_kind kind;
} sample_fields[SF_COUNT] = {
    [SF_RSS] = {"rss_kb", SAMPLECOL_KB},       [SF_VMSIZE] = {"vmsize_kb", SAMPLECOL_KB},
    [SF_HWM] = {"hwm_kb", SAMPLECOL_KB},       [SF_FRAG] = {"frag_ratio", SAMPLECOL_FLOAT},
    [SF_GROUP] = {"csv_group", SAMPLECOL_GROUP},
};

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

static void sample_store(experiment *e, int f, size_t k, uint32_t code)
{
    switch (f) {
    case SF_RSS: e->rss_kb[k] = samplecol_kb_value(code); break;
    case SF_VMSIZE: e->vmsize_kb[k] = samplecol_kb_value(code); break;
    case SF_HWM: e->hwm_kb[k] = samplecol_kb_value(code); break;
    case SF_FRAG: e->frag[k] = samplecol_float_value(code); break;
    default: e->col_group[k] = samplecol_group_value(code); break;
    }
}

static bool sample_present(const experiment *e, size_t k)
{
    return e->rss_kb[k] != KB_MISSING || e->vmsize_kb[k] != KB_MISSING ||
           e->hwm_kb[k] != KB_MISSING || !isnan(e->frag[k]);
}

/* One relay's encoded columns. */
typedef struct {
    unsigned char *blob[SF_COUNT];
    size_t len[SF_COUNT];
    size_t nsamples;
} relay_columns;

typedef struct {
    const experiment *e;
    relay_columns *out;
    size_t first, step;
} encode_job;

static void *encode_relays(void *arg)
{
    encode_job *j = arg;
    const experiment *e = j->e;
    uint32_t *codes = xmalloc((e->ncoll ? e->ncoll : 1) * sizeof *codes);
    int nf = e->col_group ? SF_COUNT : SF_GROUP;
    for (size_t r = j->first; r < e->nrelays; r += j->step) {
        relay_columns *rc = &j->out[r];
        size_t base = exp_idx(e, r, 0);
        for (size_t c = 0; c < e->ncoll; c++)
            rc->nsamples += sample_present(e, base + c);
        for (int f = 0; f < nf; f++) {
            for (size_t c = 0; c < e->ncoll; c++)
                codes[c] = sample_code(e, f, base + c);
            rc->len[f] = samplecol_encode(sample_fields[f].kind, codes, e->ncoll, &rc->blob[f]);
        }
    }
    free(codes);
    return NULL;
}

/* Deflating the columns is most of the archive's time: the relays are
 * split between two threads (each relay's bytes do not depend on how). */
static void write_sample_columns(wctx *w, const experiment *e)
{
    enum { NTHREADS = 2 };
    relay_columns *cols = xcalloc(e->nrelays ? e->nrelays : 1, sizeof *cols);
    encode_job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    bool started[NTHREADS] = {false};
    for (size_t t = 0; t < NTHREADS; t++) {
        jobs[t] = (encode_job){.e = e, .out = cols, .first = t, .step = NTHREADS};
        if (t > 0)
            started[t] = pthread_create(&th[t], NULL, encode_relays, &jobs[t]) == 0;
    }
    encode_relays(&jobs[0]);
    for (size_t t = 1; t < NTHREADS; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            encode_relays(&jobs[t]); /* no thread: do its share here */
    }

    sqlite3_stmt *st = wprep(w, "INSERT INTO sample_columns VALUES(?,?,?,?,?,?,?)");
    for (size_t r = 0; st && r < e->nrelays; r++) {
        b_int(st, 1, (int64_t)r);
        b_int(st, 2, (int64_t)cols[r].nsamples);
        for (int f = 0; f < SF_COUNT; f++)
            if (cols[r].blob[f])
                sqlite3_bind_blob(st, 3 + f, cols[r].blob[f], (int)cols[r].len[f], SQLITE_STATIC);
        wstep(w, st);
    }
    sqlite3_finalize(st);
    for (size_t r = 0; r < e->nrelays; r++)
        for (int f = 0; f < SF_COUNT; f++)
            free(cols[r].blob[f]);
    free(cols);
}

static void write_relays_and_samples(wctx *w, const analysis *a)
{
    const experiment *e = &a->e;
    sqlite3_stmt *st = wprep(w, "INSERT INTO relays VALUES(?,?,?,?,?)");
    for (size_t r = 0; st && r < e->nrelays; r++) {
        b_int(st, 1, (int64_t)r);
        b_text(st, 2, e->relays[r].nickname);
        b_text(st, 3, e->relays[r].fingerprint);
        b_int(st, 4, e->relays[r].first_line);
        b_int(st, 5, a->m.ungrouped ? a->m.ungrouped[r] : 0);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO collections VALUES(?,?,?)");
    for (size_t c = 0; st && c < e->ncoll; c++) {
        b_int(st, 1, (int64_t)c);
        b_int(st, 2, e->times[c]);
        b_iso(w, st, 3, e->times[c]);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO csv_groups VALUES(?,?)");
    for (size_t g = 0; st && g < e->ncolgroups; g++) {
        b_int(st, 1, (int64_t)g);
        b_text(st, 2, e->colgroups[g]);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    write_sample_columns(w, e);
}

static void write_inputs_detail(wctx *w, const experiment *e)
{
    sqlite3_stmt *st = wprep(w, "INSERT INTO aggregates VALUES(?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < e->naggs; i++) {
        const aggregate_row *g = &e->aggs[i];
        b_int(st, 1, (int64_t)i);
        b_time(st, 2, g->t);
        b_iso(w, st, 3, g->t);
        b_u64(st, 4, g->count);
        b_u64(st, 5, g->total_kb);
        b_u64(st, 6, g->avg_kb);
        b_u64(st, 7, g->min_kb);
        b_u64(st, 8, g->max_kb);
        b_int(st, 9, g->line);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO events VALUES(?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < e->nevents; i++) {
        const event *v = &e->events[i];
        b_int(st, 1, (int64_t)i);
        b_time(st, 2, v->t);
        b_iso(w, st, 3, v->t);
        b_text(st, 4, v->type);
        b_text(st, 5, v->description);
        b_text(st, 6, v->group);
        b_int(st, 7, v->line);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO hosts VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < e->nhosts; i++) {
        const host_row *h = &e->hosts[i];
        b_int(st, 1, (int64_t)i);
        b_time(st, 2, h->t);
        b_iso(w, st, 3, h->t);
        b_text(st, 4, h->hostname);
        b_text(st, 5, h->tor_version);
        b_text(st, 6, h->os_release);
        b_text(st, 7, h->kernel);
        b_text(st, 8, h->allocator);
        b_dbl(st, 9, h->mem_total_mb);
        if (h->relay_count >= 0)
            b_int(st, 10, h->relay_count);
        b_dbl(st, 11, h->relay_total_mb);
        b_int(st, 12, h->line);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO relay_config VALUES(?,?,?,?)");
    for (size_t i = 0; st && i < e->nassignments; i++) {
        b_int(st, 1, (int64_t)i);
        b_text(st, 2, e->assignments[i].key);
        b_text(st, 3, e->assignments[i].group);
        b_int(st, 4, e->assignments[i].line);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO group_files VALUES(?,?,?)");
    sqlite3_stmt *sm = wprep(w, "INSERT INTO group_file_members VALUES(?,?,?,?)");
    for (size_t i = 0; st && sm && i < e->ngfiles; i++) {
        const group_file *f = &e->gfiles[i];
        b_int(st, 1, (int64_t)i);
        b_text(st, 2, f->id);
        b_text(st, 3, f->path);
        wstep(w, st);
        for (size_t j = 0; j < f->nmembers; j++) {
            b_int(sm, 1, (int64_t)i);
            b_int(sm, 2, (int64_t)j);
            b_text(sm, 3, f->members[j]);
            b_int(sm, 4, f->member_lines ? f->member_lines[j] : 0);
            wstep(w, sm);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(sm);

    const manifest *m = &e->man;
    st = wprep(w, "INSERT INTO manifest_groups VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    sm = wprep(w, "INSERT INTO manifest_group_lists VALUES(?,?,?,?)");
    for (size_t i = 0; st && sm && i < m->ngroups; i++) {
        const manifest_group *g = &m->groups[i];
        b_int(st, 1, (int64_t)i);
        b_text(st, 2, g->id);
        b_text(st, 3, g->name);
        b_text(st, 4, g->color);
        b_text(st, 5, g->description);
        b_text(st, 6, g->added);
        b_text(st, 7, g->config_json);
        b_text(st, 8, g->allocator);
        b_text(st, 9, g->version);
        b_text(st, 10, g->source);
        b_int(st, 11, g->has_members);
        b_text(st, 12, g->members_file);
        b_time(st, 13, g->start);
        b_time(st, 14, g->end);
        b_int(st, 15, g->line);
        wstep(w, st);
        for (size_t j = 0; j < g->nmembers; j++) {
            b_int(sm, 1, (int64_t)i);
            b_text(sm, 2, "members");
            b_int(sm, 3, (int64_t)j);
            b_text(sm, 4, g->members[j]);
            wstep(w, sm);
        }
        for (size_t j = 0; j < g->nexclude; j++) {
            b_int(sm, 1, (int64_t)i);
            b_text(sm, 2, "exclude");
            b_int(sm, 3, (int64_t)j);
            b_text(sm, 4, g->exclude[j]);
            wstep(w, sm);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(sm);
}

static void write_membership(wctx *w, const analysis *a)
{
    const experiment *e = &a->e;
    const membership *m = &a->m;
    sqlite3_stmt *st = wprep(w, "INSERT INTO groups VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t g = 0; st && g < m->ngroups; g++) {
        const group *gr = &m->groups[g];
        b_int(st, 1, (int64_t)g);
        b_text(st, 2, gr->id);
        b_text(st, 3, gr->name);
        b_text(st, 4, gr->color);
        if (gr->spec && e->man.groups && gr->spec >= e->man.groups &&
            gr->spec < e->man.groups + e->man.ngroups)
            b_int(st, 5, gr->spec - e->man.groups);
        b_text(st, 6, (size_t)gr->source < ARRAY_LEN(source_names) ? source_names[gr->source]
                                                                   : NULL);
        b_text(st, 7, gr->source_path);
        b_time(st, 8, gr->start);
        b_time(st, 9, gr->end);
        b_int(st, 10, gr->member != NULL);
        b_int(st, 11, gr->excluded != NULL);
        b_int(st, 12, gr->colgroup);
        b_int(st, 13, (int64_t)gr->nmembers);
        b_text(st, 14, gr->spec ? gr->spec->allocator : NULL);
        b_text(st, 15, gr->spec ? gr->spec->version : NULL);
        b_int(st, 16, a->r.ngroups && a->r.baseline == g);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    /* One row per (group, relay) that is a member at some point: the
     * listed members of static groups (with or without samples), and the
     * relays a group column puts in the group. first/last are the first
     * and last samples that count for the group. */
    st = wprep(w, "INSERT INTO membership VALUES(?,?,?,?,?,?,?)");
    for (size_t g = 0; st && g < m->ngroups && !w->failed; g++) {
        const group *gr = &m->groups[g];
        for (size_t r = 0; r < e->nrelays; r++) {
            int64_t first = INT64_MIN, last = INT64_MIN;
            for (size_t c = 0; c < e->ncoll; c++) {
                if (e->rss_kb[exp_idx(e, r, c)] == KB_MISSING || !membership_has(m, e, g, r, c))
                    continue;
                if (first == INT64_MIN)
                    first = e->times[c];
                last = e->times[c];
            }
            bool listed = gr->member && gr->member[r];
            bool excluded = gr->excluded && gr->excluded[r];
            if (!listed && !excluded && first == INT64_MIN)
                continue;
            b_int(st, 1, (int64_t)g);
            b_int(st, 2, (int64_t)r);
            b_time(st, 3, first);
            b_time(st, 4, last);
            b_iso(w, st, 5, first);
            b_iso(w, st, 6, last);
            b_int(st, 7, excluded);
            wstep(w, st);
        }
    }
    sqlite3_finalize(st);

    /* Members' own windows, where a manifest list gave any: the relays
     * listed with a window (open bounds NULL). */
    st = wprep(w, "INSERT INTO member_windows VALUES(?,?,?,?)");
    for (size_t g = 0; st && g < m->ngroups && !w->failed; g++) {
        const group *gr = &m->groups[g];
        for (size_t r = 0; gr->mstart && r < e->nrelays; r++) {
            if (gr->mstart[r] == INT64_MAX || (gr->mstart[r] == INT64_MIN &&
                                               gr->mend[r] == INT64_MAX))
                continue;
            b_int(st, 1, (int64_t)g);
            b_int(st, 2, (int64_t)r);
            b_time(st, 3, gr->mstart[r]);
            b_time(st, 4, gr->mend[r]);
            wstep(w, st);
        }
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO missing_members VALUES(?,?,?)");
    for (size_t g = 0; st && g < m->ngroups; g++)
        for (size_t j = 0; j < m->groups[g].nmissing; j++) {
            b_int(st, 1, (int64_t)g);
            b_int(st, 2, (int64_t)j);
            b_text(st, 3, m->groups[g].missing[j]);
            wstep(w, st);
        }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO overlaps VALUES(?,?,?,?,?,?)");
    for (size_t i = 0; st && i < m->noverlaps; i++) {
        const overlap *o = &m->overlaps[i];
        b_int(st, 1, (int64_t)i);
        b_int(st, 2, (int64_t)o->relay);
        b_int(st, 3, (int64_t)o->g1);
        b_int(st, 4, (int64_t)o->g2);
        b_time(st, 5, o->from);
        b_time(st, 6, o->to);
        wstep(w, st);
    }
    sqlite3_finalize(st);
}

static void write_results(wctx *w, const analysis *a)
{
    const results *res = &a->r;
    sqlite3_stmt *st = wprep(w, "INSERT INTO group_stats VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t g = 0; st && g < res->ngroups; g++) {
        const group_result *gr = &res->groups[g];
        for (size_t k = 0; k < gr->nseries; k++) {
            const group_point *p = &gr->series[k];
            b_int(st, 1, (int64_t)g);
            b_int(st, 2, (int64_t)p->c);
            b_int(st, 3, p->t);
            b_iso(w, st, 4, p->t);
            b_int(st, 5, (int64_t)p->n);
            b_dbl(st, 6, p->mean);
            b_dbl(st, 7, p->median);
            b_dbl(st, 8, p->p10);
            b_dbl(st, 9, p->p90);
            b_dbl(st, 10, p->min);
            b_dbl(st, 11, p->max);
            wstep(w, st);
        }
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO results VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                  "?,?,?,?)");
    for (size_t g = 0; st && g < res->ngroups; g++) {
        const group_result *gr = &res->groups[g];
        int i = 1;
        b_int(st, i++, (int64_t)g);
        b_text(st, i++, g < a->m.ngroups ? a->m.groups[g].id : NULL);
        b_text(st, i++, g < a->m.ngroups ? a->m.groups[g].name : NULL);
        b_int(st, i++, gr->has_final);
        b_int(st, i++, (int64_t)gr->final_c);
        if (gr->has_final) {
            b_int(st, i++, gr->final_t);
            b_iso(w, st, i++, gr->final_t);
        } else {
            i += 2;
        }
        b_int(st, i++, (int64_t)gr->final_n);
        b_dbl(st, i++, gr->final_mean);
        b_dbl(st, i++, gr->final_median);
        b_dbl(st, i++, gr->ratio);
        b_dbl(st, i++, gr->ratio_lo);
        b_dbl(st, i++, gr->ratio_hi);
        b_dbl(st, i++, gr->p_value);
        b_dbl(st, i++, gr->p_holm);
        b_dbl(st, i++, gr->slope_ols);
        b_dbl(st, i++, gr->slope_theil_sen);
        b_dbl(st, i++, gr->r2);
        b_dbl(st, i++, gr->first_mean);
        b_dbl(st, i++, gr->last_mean);
        b_dbl(st, i++, gr->change_pct);
        b_dbl(st, i++, gr->cv);
        b_dbl(st, i++, gr->steady);
        b_dbl(st, i++, gr->steady_lo);
        b_dbl(st, i++, gr->steady_hi);
        b_int(st, i++, (int64_t)gr->steady_n);
        b_dbl(st, i++, gr->forecast_days);
        b_text(st, i++, trend_name(gr->trend));
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO final_values VALUES(?,?,?,?)");
    for (size_t g = 0; st && g < res->ngroups; g++) {
        const group_result *gr = &res->groups[g];
        for (size_t k = 0; k < gr->final_n && gr->final_relays; k++) {
            b_int(st, 1, (int64_t)g);
            b_int(st, 2, (int64_t)k);
            b_int(st, 3, (int64_t)gr->final_relays[k]);
            b_dbl(st, 4, gr->final_values[k]);
            wstep(w, st);
        }
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO days VALUES(?,?)");
    for (size_t k = 0; st && k < res->ndays; k++) {
        b_int(st, 1, (int64_t)k);
        b_int(st, 2, res->days[k]);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO day_values VALUES(?,?,?)");
    for (size_t g = 0; st && g < res->ngroups; g++)
        for (size_t k = 0; k < res->ndays && res->groups[g].day_values; k++) {
            b_int(st, 1, (int64_t)g);
            b_int(st, 2, (int64_t)k);
            b_dbl(st, 3, res->groups[g].day_values[k]);
            wstep(w, st);
        }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO restarts VALUES(?,?,?,?,?,?)");
    for (size_t i = 0; st && i < res->nrestarts; i++) {
        const restart *rs = &res->restarts[i];
        b_int(st, 1, (int64_t)i);
        b_int(st, 2, (int64_t)rs->relay);
        b_int(st, 3, (int64_t)rs->c);
        b_int(st, 4, rs->t);
        b_iso(w, st, 5, rs->t);
        b_int(st, 6, rs->from_event);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO findings VALUES(?,?,?,?,?,?)");
    for (size_t i = 0; st && i < res->nfindings; i++) {
        const finding *f = &res->findings[i];
        b_int(st, 1, (int64_t)i);
        b_text(st, 2, (size_t)f->kind < ARRAY_LEN(finding_names) ? finding_names[f->kind] : NULL);
        b_int(st, 3, f->error);
        b_text(st, 4, f->message);
        b_file(w, st, 5, f->file);
        b_int(st, 6, f->line);
        wstep(w, st);
    }
    sqlite3_finalize(st);

    st = wprep(w, "INSERT INTO diagnostics VALUES(?,?,?,?,?,?)");
    for (size_t i = 0; st && i < a->diag.n; i++) {
        const diag_item *it = &a->diag.items[i];
        b_int(st, 1, (int64_t)i);
        b_text(st, 2, it->severity == DIAG_ERROR ? "error" : "warning");
        b_file(w, st, 3, it->file);
        b_int(st, 4, it->line);
        b_int(st, 5, it->col);
        b_text(st, 6, it->message);
        wstep(w, st);
    }
    sqlite3_finalize(st);
}

/* Creates the schema and every row inside one transaction on w->db. */
static void fill_db(wctx *w, const analysis *a, const analysis_options *o)
{
    /* Nobody else sees this database until it is renamed or serialised:
     * no journal needed, and durability comes from the fsync before the
     * rename. */
    wexec(w, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;"
             "PRAGMA cache_size=-65536;");
    wexec(w, "BEGIN");
    wexec(w, schema_sql);
    char *ver = xasprintf("PRAGMA user_version=%d", ARCHIVE_SCHEMA_VERSION);
    wexec(w, ver);
    free(ver);
    write_meta(w, a, o);
    write_experiment(w, a, a->e.rss_kb ? count_samples(&a->e) : 0);
    write_inputs(w, &a->e);
    if (a->e.rss_kb)
        write_relays_and_samples(w, a);
    write_inputs_detail(w, &a->e);
    write_membership(w, a);
    write_results(w, a);
    wexec(w, "COMMIT");
}

int archive_write_file(const analysis *a, const analysis_options *o, const char *tmp_path,
                       const char *display, diag_list *d)
{
    wctx w = {.d = d, .display = display ? display : tmp_path, .tz = a->e.man.tz_offset_min,
              .dir = a->e.dir};
    if (sqlite3_open_v2(tmp_path, &w.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
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

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
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
    char *dir = dir_of(path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        diag_error(d, path, 0, "cannot create a temporary file in %s: %s", dir, strerror(errno));
        free(tmp);
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
        /* mkstemp makes 0600; an archive is a shareable result like the
         * report beside it. */
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

/* ------------------------------------------------------------------ */
/* Reading                                                              */

typedef struct {
    sqlite3 *db;
    diag_list *d;
    const char *path;
    const char *dir;
    bool failed;
} rctx;

static void rfail(rctx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rfail(rctx *r, const char *fmt, ...)
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

/* Steps a query; returns true for a row, false at the end or on error
 * (then r->failed is set). */
static bool rrow(rctx *r, sqlite3_stmt *st)
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

static char *c_text(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    return xstrdup((const char *)sqlite3_column_text(st, i));
}

static int64_t c_int(sqlite3_stmt *st, int i)
{
    return sqlite3_column_int64(st, i);
}

static int64_t c_time(sqlite3_stmt *st, int i, int64_t none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

static double c_dbl(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static uint64_t c_u64(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? UINT64_MAX
                                                     : (uint64_t)sqlite3_column_int64(st, i);
}

/* A stored "./name" becomes dir/name again. */
static char *c_file(rctx *r, sqlite3_stmt *st, int i)
{
    char *s = c_text(st, i);
    if (s && str_starts(s, "./") && r->dir) {
        char *full = path_join(r->dir, s + 2);
        free(s);
        return full;
    }
    return s;
}

/* An index read from the file, checked against the array it indexes. */
static bool r_index(rctx *r, int64_t v, size_t n, const char *what, size_t *out)
{
    if (v < 0 || (uint64_t)v >= n) {
        rfail(r, "damaged archive: %s %lld out of range", what, (long long)v);
        return false;
    }
    *out = (size_t)v;
    return true;
}

static char *meta_get(rctx *r, const char *key)
{
    sqlite3_stmt *st = rprep(r, "SELECT value FROM meta WHERE key=?");
    char *v = NULL;
    if (!st)
        return NULL;
    b_text(st, 1, key);
    if (rrow(r, st))
        v = c_text(st, 0);
    sqlite3_finalize(st);
    return v;
}

typedef struct {
    size_t nsamples;
} read_counts;

/* Rows in a table (a name from this file, never from the data). */
static int64_t count_rows(rctx *r, const char *table)
{
    char *sql = xasprintf("SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = rprep(r, sql);
    free(sql);
    int64_t n = -1;
    if (rrow(r, st))
        n = c_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void read_experiment(rctx *r, analysis *a, read_counts *cnt)
{
    experiment *e = &a->e;
    manifest *m = &e->man;
    results *res = &a->r;
    sqlite3_stmt *st =
        rprep(r, "SELECT id, name, server, start_date, end_date, tz_offset_min, problem, "
                 "hypothesis, description, result, recommendation, manifest_baseline, "
                 "tor_version, allocator, manifest_present, memory_budget_gib, flat_gib_day, "
                 "variable_cv, warmup_hours, restart_drop, memory_path, nrelays, ncollections, "
                 "nsamples, has_group_column, duplicate_rows, first_duplicate_line, "
                 "out_of_order_rows, first_out_of_order_line, partial_last_line, partial_line, "
                 "relay_rows, aggregate_rows, until_t, baseline_group, first_t, last_t, day1 "
                 "FROM experiment");
    if (!rrow(r, st)) {
        if (!r->failed)
            rfail(r, "damaged archive: no experiment row");
        sqlite3_finalize(st);
        return;
    }
    int i = 0;
    m->id = c_text(st, i++);
    m->name = c_text(st, i++);
    m->server = c_text(st, i++);
    m->start_date = c_text(st, i++);
    m->end_date = c_text(st, i++);
    m->tz_offset_min = (int)c_int(st, i++);
    m->problem = c_text(st, i++);
    m->hypothesis = c_text(st, i++);
    m->description = c_text(st, i++);
    m->result = c_text(st, i++);
    m->recommendation = c_text(st, i++);
    m->baseline = c_text(st, i++);
    m->tor_version = c_text(st, i++);
    m->allocator = c_text(st, i++);
    m->present = c_int(st, i++) != 0;
    m->memory_budget_gib = c_dbl(st, i++);
    if (isnan(m->memory_budget_gib))
        m->memory_budget_gib = 0;
    m->th.flat_gib_day = c_dbl(st, i++);
    m->th.variable_cv = c_dbl(st, i++);
    m->th.warmup_hours = c_dbl(st, i++);
    m->th.restart_drop = c_dbl(st, i++);
    e->memory_path = c_text(st, i++);
    int64_t nrelays = c_int(st, i++), ncoll = c_int(st, i++), nsamples = c_int(st, i++);
    bool has_cg = c_int(st, i++) != 0;
    e->notes.duplicate_rows = c_u64(st, i++);
    e->notes.first_duplicate_line = (long)c_int(st, i++);
    e->notes.out_of_order_rows = c_u64(st, i++);
    e->notes.first_out_of_order_line = (long)c_int(st, i++);
    e->notes.partial_last_line = c_int(st, i++) != 0;
    e->notes.partial_line = (long)c_int(st, i++);
    e->notes.relay_rows = c_u64(st, i++);
    e->notes.aggregate_rows = c_u64(st, i++);
    res->until = c_time(st, i++, INT64_MAX);
    int64_t base = c_time(st, i++, -1);
    res->first_t = c_time(st, i++, INT64_MIN);
    res->last_t = c_time(st, i++, INT64_MIN);
    res->day1 = c_int(st, i++);
    sqlite3_finalize(st);

    /* Counts bound the allocations below; refuse absurd ones rather than
     * trust a damaged file. */
    if (nrelays < 0 || ncoll < 0 || nsamples < 0 || nrelays > (1 << 24) || ncoll > (1 << 26) ||
        (nrelays && ncoll > (int64_t)(SIZE_MAX / 16) / nrelays)) {
        rfail(r, "damaged archive: impossible sizes (%lld relays, %lld collections)",
              (long long)nrelays, (long long)ncoll);
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
              (long long)nrelays, (long long)ncoll, (long long)have_r, (long long)have_c);
        return;
    }
    if (nrelays * ncoll > (1 << 20) && nrelays * ncoll / 256 > nsamples) {
        rfail(r, "damaged archive: %lld samples cannot fill %lld relays x %lld collections",
              (long long)nsamples, (long long)nrelays, (long long)ncoll);
        return;
    }
    e->nrelays = (size_t)nrelays;
    e->ncoll = (size_t)ncoll;
    cnt->nsamples = (size_t)nsamples;
    size_t cells = e->nrelays * e->ncoll;
    e->relays = xcalloc(e->nrelays ? e->nrelays : 1, sizeof *e->relays);
    e->times = xcalloc(e->ncoll ? e->ncoll : 1, sizeof *e->times);
    e->rss_kb = xmalloc((cells ? cells : 1) * sizeof *e->rss_kb);
    e->vmsize_kb = xmalloc((cells ? cells : 1) * sizeof *e->vmsize_kb);
    e->hwm_kb = xmalloc((cells ? cells : 1) * sizeof *e->hwm_kb);
    e->frag = xmalloc((cells ? cells : 1) * sizeof *e->frag);
    for (size_t k = 0; k < cells; k++) {
        e->rss_kb[k] = e->vmsize_kb[k] = e->hwm_kb[k] = KB_MISSING;
        e->frag[k] = NAN;
    }
    if (has_cg) {
        e->col_group = xmalloc((cells ? cells : 1) * sizeof *e->col_group);
        for (size_t k = 0; k < cells; k++)
            e->col_group[k] = COLGROUP_NONE;
    }
    res->baseline = base < 0 ? 0 : (size_t)base;
}

static void read_inputs(rctx *r, experiment *e)
{
    sqlite3_stmt *st = rprep(r, "SELECT path, bytes, rows, sha256, tail_sha256, sha256_state "
                                "FROM input_files ORDER BY seq");
    size_t cap = 0;
    while (rrow(r, st)) {
        xgrow((void **)&e->inputs, &cap, e->ninputs + 1, sizeof *e->inputs);
        input_file *f = &e->inputs[e->ninputs++];
        memset(f, 0, sizeof *f);
        f->path = c_text(st, 0);
        f->bytes = c_u64(st, 1);
        f->rows = c_u64(st, 2);
        const char *h = (const char *)sqlite3_column_text(st, 3);
        snprintf(f->sha256, sizeof f->sha256, "%s", h ? h : "");
        const char *tail = (const char *)sqlite3_column_text(st, 4);
        snprintf(f->tail_sha256, sizeof f->tail_sha256, "%s", tail ? tail : "");
        const void *state = sqlite3_column_blob(st, 5);
        size_t slen = (size_t)sqlite3_column_bytes(st, 5);
        sha256_ctx check;
        if (state && slen <= sizeof f->sha_state && sha256_state_import(&check, state, slen) == 0) {
            memcpy(f->sha_state, state, slen);
            f->sha_state_len = slen;
        } else if (state) {
            rfail(r, "damaged archive: the hash state of %s", f->path ? f->path : "an input");
        }
    }
    sqlite3_finalize(st);
}

/* Every relay's packed columns back into the experiment's arrays; the
 * stored counts must add up to the experiment's, so a damaged file is
 * noticed rather than read short. */
static void read_sample_columns(rctx *r, experiment *e, size_t nsamples)
{
    uint32_t *codes = xmalloc((e->ncoll ? e->ncoll : 1) * sizeof *codes);
    size_t rows = 0, total = 0, k;
    int nf = e->col_group ? SF_COUNT : SF_GROUP;
    sqlite3_stmt *st = rprep(r, "SELECT relay_id, nsamples, rss_kb, vmsize_kb, hwm_kb, "
                                "frag_ratio, csv_group FROM sample_columns");
    while (rrow(r, st)) {
        if (!r_index(r, c_int(st, 0), e->nrelays, "sample relay", &k))
            break;
        size_t base = exp_idx(e, k, 0), present = 0;
        for (int f = 0; f < nf && !r->failed; f++) {
            const unsigned char *b = sqlite3_column_blob(st, 2 + f);
            size_t len = (size_t)sqlite3_column_bytes(st, 2 + f);
            samplecol_kind kind;
            if (!b || samplecol_decode(b, len, e->ncoll, codes, &kind) != 0 ||
                kind != sample_fields[f].kind) {
                rfail(r, "damaged archive: %s of relay %zu", sample_fields[f].column, k);
                break;
            }
            for (size_t c = 0; c < e->ncoll; c++)
                sample_store(e, f, base + c, codes[c]);
            if (f == SF_GROUP)
                for (size_t c = 0; c < e->ncoll; c++)
                    if (e->col_group[base + c] != COLGROUP_NONE &&
                        e->col_group[base + c] >= e->ncolgroups) {
                        rfail(r, "damaged archive: group column value out of range");
                        break;
                    }
        }
        for (size_t c = 0; c < e->ncoll && !r->failed; c++)
            present += sample_present(e, base + c);
        if (!r->failed && present != (size_t)c_int(st, 1))
            rfail(r, "damaged archive: relay %zu has %zu samples, expected %lld", k, present,
                  (long long)c_int(st, 1));
        total += present;
        rows++;
    }
    sqlite3_finalize(st);
    free(codes);
    if (!r->failed && rows != e->nrelays)
        rfail(r, "damaged archive: %zu sample columns for %zu relays", rows, e->nrelays);
    if (!r->failed && total != nsamples)
        rfail(r, "damaged archive: %zu samples, expected %zu", total, nsamples);
}

static void read_relays_and_samples(rctx *r, analysis *a, const read_counts *cnt)
{
    experiment *e = &a->e;
    a->m.ungrouped = xcalloc(e->nrelays ? e->nrelays : 1, 1);
    size_t n = 0, k;
    sqlite3_stmt *st =
        rprep(r, "SELECT relay_id, nickname, fingerprint, first_line, ungrouped FROM relays");
    while (rrow(r, st)) {
        if (!r_index(r, c_int(st, 0), e->nrelays, "relay", &k))
            break;
        relay *rl = &e->relays[k];
        free(rl->nickname);
        free(rl->fingerprint);
        rl->nickname = c_text(st, 1);
        rl->fingerprint = c_text(st, 2);
        rl->first_line = (long)c_int(st, 3);
        a->m.ungrouped[k] = c_int(st, 4) != 0;
        a->m.nungrouped += a->m.ungrouped[k];
        n++;
    }
    sqlite3_finalize(st);
    if (!r->failed && n != e->nrelays)
        rfail(r, "damaged archive: %zu relays, expected %zu", n, e->nrelays);

    n = 0;
    st = rprep(r, "SELECT c, t FROM collections");
    while (rrow(r, st)) {
        if (!r_index(r, c_int(st, 0), e->ncoll, "collection", &k))
            break;
        e->times[k] = c_int(st, 1);
        n++;
    }
    sqlite3_finalize(st);
    if (!r->failed && n != e->ncoll)
        rfail(r, "damaged archive: %zu collections, expected %zu", n, e->ncoll);

    size_t cap = 0;
    st = rprep(r, "SELECT name FROM csv_groups ORDER BY idx");
    while (rrow(r, st)) {
        xgrow((void **)&e->colgroups, &cap, e->ncolgroups + 1, sizeof *e->colgroups);
        e->colgroups[e->ncolgroups++] = c_text(st, 0);
    }
    sqlite3_finalize(st);

    read_sample_columns(r, e, cnt->nsamples);
}

static void read_inputs_detail(rctx *r, experiment *e)
{
    size_t cap = 0;
    sqlite3_stmt *st = rprep(r, "SELECT t, count, total_kb, avg_kb, min_kb, max_kb, line "
                                "FROM aggregates ORDER BY seq");
    while (rrow(r, st)) {
        xgrow((void **)&e->aggs, &cap, e->naggs + 1, sizeof *e->aggs);
        aggregate_row *g = &e->aggs[e->naggs++];
        g->t = c_time(st, 0, TIME_NONE);
        g->count = c_u64(st, 1);
        g->total_kb = c_u64(st, 2);
        g->avg_kb = c_u64(st, 3);
        g->min_kb = c_u64(st, 4);
        g->max_kb = c_u64(st, 5);
        g->line = (long)c_int(st, 6);
    }
    sqlite3_finalize(st);

    cap = 0;
    st = rprep(r, "SELECT t, type, description, grp, line FROM events ORDER BY seq");
    while (rrow(r, st)) {
        xgrow((void **)&e->events, &cap, e->nevents + 1, sizeof *e->events);
        event *v = &e->events[e->nevents++];
        v->t = c_time(st, 0, TIME_NONE);
        v->type = c_text(st, 1);
        v->description = c_text(st, 2);
        v->group = c_text(st, 3);
        v->line = (long)c_int(st, 4);
    }
    sqlite3_finalize(st);

    cap = 0;
    st = rprep(r, "SELECT t, hostname, tor_version, os_release, kernel, allocator, "
                  "mem_total_mb, relay_count, relay_total_mb, line FROM hosts ORDER BY seq");
    while (rrow(r, st)) {
        xgrow((void **)&e->hosts, &cap, e->nhosts + 1, sizeof *e->hosts);
        host_row *h = &e->hosts[e->nhosts++];
        h->t = c_time(st, 0, TIME_NONE);
        h->hostname = c_text(st, 1);
        h->tor_version = c_text(st, 2);
        h->os_release = c_text(st, 3);
        h->kernel = c_text(st, 4);
        h->allocator = c_text(st, 5);
        h->mem_total_mb = c_dbl(st, 6);
        h->relay_count = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : (long)c_int(st, 7);
        h->relay_total_mb = c_dbl(st, 8);
        h->line = (long)c_int(st, 9);
    }
    sqlite3_finalize(st);

    cap = 0;
    st = rprep(r, "SELECT key, grp, line FROM relay_config ORDER BY seq");
    while (rrow(r, st)) {
        xgrow((void **)&e->assignments, &cap, e->nassignments + 1, sizeof *e->assignments);
        relay_assignment *ra = &e->assignments[e->nassignments++];
        ra->key = c_text(st, 0);
        ra->group = c_text(st, 1);
        ra->line = (long)c_int(st, 2);
    }
    sqlite3_finalize(st);

    cap = 0;
    st = rprep(r, "SELECT id, path FROM group_files ORDER BY idx");
    while (rrow(r, st)) {
        xgrow((void **)&e->gfiles, &cap, e->ngfiles + 1, sizeof *e->gfiles);
        group_file *f = &e->gfiles[e->ngfiles++];
        memset(f, 0, sizeof *f);
        f->id = c_text(st, 0);
        f->path = c_text(st, 1);
    }
    sqlite3_finalize(st);
    st = rprep(r, "SELECT file_idx, member, line FROM group_file_members "
                  "ORDER BY file_idx, seq");
    size_t *caps = xcalloc(e->ngfiles + 1, sizeof *caps);
    while (rrow(r, st)) {
        size_t fi;
        if (!r_index(r, c_int(st, 0), e->ngfiles, "group file", &fi))
            break;
        group_file *f = &e->gfiles[fi];
        size_t lcap = caps[fi];
        xgrow((void **)&f->members, &caps[fi], f->nmembers + 1, sizeof *f->members);
        xgrow((void **)&f->member_lines, &lcap, f->nmembers + 1, sizeof *f->member_lines);
        f->members[f->nmembers] = c_text(st, 1);
        f->member_lines[f->nmembers++] = (long)c_int(st, 2);
    }
    sqlite3_finalize(st);
    free(caps);

    manifest *m = &e->man;
    cap = 0;
    st = rprep(r, "SELECT id, name, color, description, added, config_json, allocator, version, "
                  "source, has_members, members_file, start_t, end_t, line "
                  "FROM manifest_groups ORDER BY idx");
    while (rrow(r, st)) {
        xgrow((void **)&m->groups, &cap, m->ngroups + 1, sizeof *m->groups);
        manifest_group *g = &m->groups[m->ngroups++];
        memset(g, 0, sizeof *g);
        g->id = c_text(st, 0);
        g->name = c_text(st, 1);
        g->color = c_text(st, 2);
        g->description = c_text(st, 3);
        g->added = c_text(st, 4);
        g->config_json = c_text(st, 5);
        g->allocator = c_text(st, 6);
        g->version = c_text(st, 7);
        g->source = c_text(st, 8);
        g->has_members = c_int(st, 9) != 0;
        g->members_file = c_text(st, 10);
        g->start = c_time(st, 11, TIME_NONE);
        g->end = c_time(st, 12, TIME_NONE);
        g->line = (long)c_int(st, 13);
    }
    sqlite3_finalize(st);
    st = rprep(r, "SELECT group_idx, kind, member FROM manifest_group_lists "
                  "ORDER BY group_idx, kind, seq");
    while (rrow(r, st)) {
        size_t gi;
        if (!r_index(r, c_int(st, 0), m->ngroups, "manifest group", &gi))
            break;
        manifest_group *g = &m->groups[gi];
        bool excl = str_eq((const char *)sqlite3_column_text(st, 1), "exclude");
        char ***v = excl ? &g->exclude : &g->members;
        size_t *nv = excl ? &g->nexclude : &g->nmembers;
        /* Exact-size growth: these lists are short. */
        *v = xrealloc(*v, (*nv + 1) * sizeof **v);
        (*v)[(*nv)++] = c_text(st, 2);
    }
    sqlite3_finalize(st);
}

static void read_membership(rctx *r, analysis *a)
{
    experiment *e = &a->e;
    membership *m = &a->m;
    size_t cap = 0;
    sqlite3_stmt *st = rprep(r, "SELECT idx, id, name, color, manifest_idx, source, source_path, "
                                "start_t, end_t, has_member_list, has_exclude_list, csv_group, "
                                "nmembers "
                                "FROM groups ORDER BY idx");
    while (rrow(r, st)) {
        if (c_int(st, 0) != (int64_t)m->ngroups) {
            rfail(r, "damaged archive: group numbers are not consecutive");
            break;
        }
        xgrow((void **)&m->groups, &cap, m->ngroups + 1, sizeof *m->groups);
        group *g = &m->groups[m->ngroups++];
        memset(g, 0, sizeof *g);
        g->id = c_text(st, 1);
        g->name = c_text(st, 2);
        g->color = c_text(st, 3);
        if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
            size_t mi;
            if (!r_index(r, c_int(st, 4), e->man.ngroups, "manifest group", &mi))
                break;
            g->spec = &e->man.groups[mi];
        }
        const char *src = (const char *)sqlite3_column_text(st, 5);
        int s = name_index(source_names, ARRAY_LEN(source_names), src);
        if (s < 0) {
            rfail(r, "damaged archive: unknown member source '%s'", src ? src : "");
            break;
        }
        g->source = (members_source)s;
        g->source_path = c_text(st, 6);
        g->start = c_time(st, 7, INT64_MIN);
        g->end = c_time(st, 8, INT64_MAX);
        if (c_int(st, 9))
            g->member = xcalloc(e->nrelays ? e->nrelays : 1, 1);
        if (c_int(st, 10))
            g->excluded = xcalloc(e->nrelays ? e->nrelays : 1, 1);
        g->colgroup = (uint16_t)c_int(st, 11);
        g->nmembers = (size_t)c_int(st, 12);
    }
    sqlite3_finalize(st);

    st = rprep(r, "SELECT group_idx, relay_id, excluded FROM membership");
    while (rrow(r, st)) {
        size_t g, rl;
        if (!r_index(r, c_int(st, 0), m->ngroups, "membership group", &g) ||
            !r_index(r, c_int(st, 1), e->nrelays, "membership relay", &rl))
            break;
        if (c_int(st, 2)) {
            if (m->groups[g].excluded)
                m->groups[g].excluded[rl] = 1;
        } else if (m->groups[g].member) {
            m->groups[g].member[rl] = 1;
        }
    }
    sqlite3_finalize(st);

    /* A group with windows: every other listed member has the whole data,
     * a relay not listed none (it is no member anyway). */
    st = rprep(r, "SELECT group_idx, relay_id, start_t, end_t FROM member_windows");
    while (rrow(r, st)) {
        size_t g, rl;
        if (!r_index(r, c_int(st, 0), m->ngroups, "member window group", &g) ||
            !r_index(r, c_int(st, 1), e->nrelays, "member window relay", &rl))
            break;
        group *gr = &m->groups[g];
        if (!gr->mstart) {
            size_t n = e->nrelays ? e->nrelays : 1;
            gr->mstart = xmalloc(n * sizeof *gr->mstart);
            gr->mend = xmalloc(n * sizeof *gr->mend);
            for (size_t k = 0; k < n; k++) {
                gr->mstart[k] = INT64_MIN;
                gr->mend[k] = INT64_MAX;
            }
        }
        gr->mstart[rl] = c_time(st, 2, INT64_MIN);
        gr->mend[rl] = c_time(st, 3, INT64_MAX);
    }
    sqlite3_finalize(st);

    st = rprep(r, "SELECT group_idx, member FROM missing_members ORDER BY group_idx, seq");
    while (rrow(r, st)) {
        size_t g;
        if (!r_index(r, c_int(st, 0), m->ngroups, "missing member group", &g))
            break;
        group *gr = &m->groups[g];
        gr->missing = xrealloc(gr->missing, (gr->nmissing + 1) * sizeof *gr->missing);
        gr->missing[gr->nmissing++] = c_text(st, 1);
    }
    sqlite3_finalize(st);

    cap = 0;
    st = rprep(r, "SELECT relay_id, group1, group2, from_t, to_t FROM overlaps ORDER BY seq");
    while (rrow(r, st)) {
        overlap o = {0};
        if (!r_index(r, c_int(st, 0), e->nrelays, "overlap relay", &o.relay) ||
            !r_index(r, c_int(st, 1), m->ngroups, "overlap group", &o.g1) ||
            !r_index(r, c_int(st, 2), m->ngroups, "overlap group", &o.g2))
            break;
        o.from = c_time(st, 3, INT64_MIN);
        o.to = c_time(st, 4, INT64_MAX);
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
    sqlite3_stmt *st = rprep(r, "SELECT group_idx, c, t, n, mean_gib, median_gib, p10_gib, "
                                "p90_gib, min_gib, max_gib FROM group_stats "
                                "ORDER BY group_idx, c");
    while (rrow(r, st)) {
        size_t g, c;
        if (!r_index(r, c_int(st, 0), res->ngroups, "series group", &g) ||
            !r_index(r, c_int(st, 1), e->ncoll, "series collection", &c))
            break;
        group_result *gr = &res->groups[g];
        xgrow((void **)&gr->series, &caps[g], gr->nseries + 1, sizeof *gr->series);
        group_point *p = &gr->series[gr->nseries++];
        p->c = c;
        p->t = c_int(st, 2);
        p->n = (size_t)c_int(st, 3);
        p->mean = c_dbl(st, 4);
        p->median = c_dbl(st, 5);
        p->p10 = c_dbl(st, 6);
        p->p90 = c_dbl(st, 7);
        p->min = c_dbl(st, 8);
        p->max = c_dbl(st, 9);
    }
    sqlite3_finalize(st);
    free(caps);

    size_t nres = 0;
    st = rprep(r, "SELECT group_idx, has_final, final_c, final_t, final_n, final_mean_gib, "
                  "final_median_gib, ratio, ratio_lo, ratio_hi, p_value, p_holm, "
                  "slope_ols_gib_day, slope_theil_sen_gib_day, r2, first_mean_gib, "
                  "last_mean_gib, change_pct, cv, steady_gib_day, steady_lo, steady_hi, "
                  "steady_n, forecast_days, trend FROM results");
    while (rrow(r, st)) {
        size_t g;
        if (!r_index(r, c_int(st, 0), res->ngroups, "result group", &g))
            break;
        group_result *gr = &res->groups[g];
        int i = 1;
        gr->has_final = c_int(st, i++) != 0;
        gr->final_c = (size_t)c_int(st, i++);
        gr->final_t = c_time(st, i++, 0);
        gr->final_n = (size_t)c_int(st, i++);
        gr->final_mean = c_dbl(st, i++);
        gr->final_median = c_dbl(st, i++);
        gr->ratio = c_dbl(st, i++);
        gr->ratio_lo = c_dbl(st, i++);
        gr->ratio_hi = c_dbl(st, i++);
        gr->p_value = c_dbl(st, i++);
        gr->p_holm = c_dbl(st, i++);
        gr->slope_ols = c_dbl(st, i++);
        gr->slope_theil_sen = c_dbl(st, i++);
        gr->r2 = c_dbl(st, i++);
        gr->first_mean = c_dbl(st, i++);
        gr->last_mean = c_dbl(st, i++);
        gr->change_pct = c_dbl(st, i++);
        gr->cv = c_dbl(st, i++);
        gr->steady = c_dbl(st, i++);
        gr->steady_lo = c_dbl(st, i++);
        gr->steady_hi = c_dbl(st, i++);
        gr->steady_n = (size_t)c_int(st, i++);
        gr->forecast_days = c_dbl(st, i++);
        const char *tn = (const char *)sqlite3_column_text(st, i++);
        gr->trend = TREND_FLAT;
        bool known = false;
        for (int t = TREND_FLAT; t <= TREND_NONE; t++)
            if (str_eq(trend_name((trend_class)t), tn)) {
                gr->trend = (trend_class)t;
                known = true;
            }
        if (!known) {
            rfail(r, "damaged archive: unknown trend '%s'", tn ? tn : "");
            break;
        }
        gr->final_relays = xcalloc(gr->final_n ? gr->final_n : 1, sizeof *gr->final_relays);
        gr->final_values = xcalloc(gr->final_n ? gr->final_n : 1, sizeof *gr->final_values);
        nres++;
    }
    sqlite3_finalize(st);
    if (!r->failed && nres != res->ngroups)
        rfail(r, "damaged archive: %zu results for %zu groups", nres, res->ngroups);
    if (r->failed)
        return;

    st = rprep(r, "SELECT group_idx, seq, relay_id, rss_gib FROM final_values");
    while (rrow(r, st)) {
        size_t g, k, rl;
        if (!r_index(r, c_int(st, 0), res->ngroups, "final group", &g) ||
            !r_index(r, c_int(st, 1), res->groups[g].final_n, "final value", &k) ||
            !r_index(r, c_int(st, 2), e->nrelays, "final relay", &rl))
            break;
        res->groups[g].final_relays[k] = rl;
        res->groups[g].final_values[k] = c_dbl(st, 3);
    }
    sqlite3_finalize(st);

    size_t cap = 0;
    st = rprep(r, "SELECT day FROM days ORDER BY k");
    while (rrow(r, st)) {
        xgrow((void **)&res->days, &cap, res->ndays + 1, sizeof *res->days);
        res->days[res->ndays++] = (int)c_int(st, 0);
    }
    sqlite3_finalize(st);
    for (size_t g = 0; g < res->ngroups; g++) {
        res->groups[g].day_values = xmalloc((res->ndays ? res->ndays : 1) * sizeof(double));
        for (size_t k = 0; k < res->ndays; k++)
            res->groups[g].day_values[k] = NAN;
    }
    st = rprep(r, "SELECT group_idx, k, mean_gib FROM day_values");
    while (rrow(r, st)) {
        size_t g, k;
        if (!r_index(r, c_int(st, 0), res->ngroups, "day group", &g) ||
            !r_index(r, c_int(st, 1), res->ndays, "day", &k))
            break;
        res->groups[g].day_values[k] = c_dbl(st, 2);
    }
    sqlite3_finalize(st);

    cap = 0;
    st = rprep(r, "SELECT relay_id, c, t, from_event FROM restarts ORDER BY seq");
    while (rrow(r, st)) {
        restart rs = {0};
        if (!r_index(r, c_int(st, 0), e->nrelays, "restart relay", &rs.relay) ||
            !r_index(r, c_int(st, 1), e->ncoll, "restart collection", &rs.c))
            break;
        rs.t = c_int(st, 2);
        rs.from_event = c_int(st, 3) != 0;
        xgrow((void **)&res->restarts, &cap, res->nrestarts + 1, sizeof *res->restarts);
        res->restarts[res->nrestarts++] = rs;
    }
    sqlite3_finalize(st);

    cap = 0;
    st = rprep(r, "SELECT kind, error, message, file, line FROM findings ORDER BY seq");
    while (rrow(r, st)) {
        const char *kn = (const char *)sqlite3_column_text(st, 0);
        int k = name_index(finding_names, ARRAY_LEN(finding_names), kn);
        if (k < 0) {
            rfail(r, "damaged archive: unknown finding kind '%s'", kn ? kn : "");
            break;
        }
        xgrow((void **)&res->findings, &cap, res->nfindings + 1, sizeof *res->findings);
        finding *f = &res->findings[res->nfindings++];
        f->kind = (finding_kind)k;
        f->error = c_int(st, 1) != 0;
        f->message = c_text(st, 2);
        f->file = c_file(r, st, 3);
        f->line = (long)c_int(st, 4);
    }
    sqlite3_finalize(st);

    st = rprep(r, "SELECT severity, file, line, col, message FROM diagnostics ORDER BY seq");
    while (rrow(r, st)) {
        char *file = c_file(r, st, 1);
        diag_add(&a->diag,
                 str_eq((const char *)sqlite3_column_text(st, 0), "error") ? DIAG_ERROR
                                                                           : DIAG_WARNING,
                 file, (long)c_int(st, 2), (long)c_int(st, 3), "%s",
                 (const char *)sqlite3_column_text(st, 4));
        free(file);
    }
    sqlite3_finalize(st);
}

/* Opens read-only and checks the schema version. Returns 0, 1 (not an
 * archive of this version) or 3 (cannot open). */
static int open_checked(rctx *r, const char *path)
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
    sqlite3_stmt *st = rprep(r, "PRAGMA user_version");
    int64_t v = -1;
    if (rrow(r, st))
        v = c_int(st, 0);
    sqlite3_finalize(st);
    if (r->failed)
        return EXIT_BAD_INPUT;
    if (v != ARCHIVE_SCHEMA_VERSION) {
        rfail(r, "archive schema version %lld, this memreport reads version %d",
              (long long)v, ARCHIVE_SCHEMA_VERSION);
        return EXIT_BAD_INPUT;
    }
    return 0;
}

int archive_read(const char *path, const char *dir, analysis *a, diag_list *d)
{
    rctx r = {.d = d, .path = path, .dir = dir};
    int rc = open_checked(&r, path);
    if (rc == 0) {
        /* One read transaction: a snapshot even if a writer appears. */
        sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL);
        read_counts cnt = {0};
        a->e.dir = xstrdup(dir);
        thresholds_default(&a->e.man.th);
        read_experiment(&r, a, &cnt);
        a->e.man.control = meta_get(&r, "manifest_control");
        if (str_empty(a->e.man.control)) {
            free(a->e.man.control);
            a->e.man.control = NULL;
        }
        if (!r.failed) {
            read_inputs(&r, &a->e);
            read_relays_and_samples(&r, a, &cnt);
            read_inputs_detail(&r, &a->e);
            read_membership(&r, a);
            read_results(&r, a);
        }
        sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL);
        rc = r.failed ? EXIT_BAD_INPUT : 0;
    }
    sqlite3_close(r.db);
    return rc;
}

int archive_read_experiment(const char *path, const char *dir, experiment *e, diag_list *d)
{
    rctx r = {.d = d, .path = path, .dir = dir};
    analysis a;
    memset(&a, 0, sizeof a);
    diag_init(&a.diag);
    int rc = open_checked(&r, path);
    if (rc == 0) {
        sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL);
        read_counts cnt = {0};
        a.e.dir = xstrdup(dir);
        thresholds_default(&a.e.man.th);
        read_experiment(&r, &a, &cnt);
        if (!r.failed) {
            read_inputs(&r, &a.e);
            read_relays_and_samples(&r, &a, &cnt);
            read_inputs_detail(&r, &a.e);
        }
        sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL);
        rc = r.failed ? EXIT_BAD_INPUT : 0;
    }
    sqlite3_close(r.db);
    /* Hand over the experiment alone; what belongs to later stages goes. */
    *e = a.e;
    memset(&a.e, 0, sizeof a.e);
    analysis_free(&a);
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
    if (open_checked(&r, path) != 0) {
        reason = diag_format(&d.items[d.n - 1]);
        goto out;
    }
    char *gen = meta_get(&r, "generator_version");
    char *until = meta_get(&r, "option_until");
    char *base = meta_get(&r, "option_baseline");
    char *strict = meta_get(&r, "option_strict");
    char *want_until = until_key(o);
    if (r.failed)
        reason = diag_format(&d.items[d.n - 1]);
    else if (!str_eq(gen, MEMREPORT_VERSION))
        reason = xasprintf("written by memreport %s", gen ? gen : "(unknown)");
    else if (!str_eq(until, want_until))
        reason = xstrdup("--until differs");
    else if (!str_eq(base, opt_baseline(o)))
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
    sqlite3_stmt *st = rprep(&r, "SELECT path, sha256 FROM input_files");
    size_t nstored = 0;
    while (!reason && rrow(&r, st)) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        const char *h = (const char *)sqlite3_column_text(st, 1);
        nstored++;
        size_t i = 0;
        while (i < ninputs && !str_eq(inputs[i].path, p))
            i++;
        if (i == ninputs)
            reason = xasprintf("%s is gone", p ? p : "an input");
        else if (!str_eq(inputs[i].sha256, h))
            reason = xasprintf("%s changed", p);
    }
    sqlite3_finalize(st);
    if (!reason && r.failed)
        reason = diag_format(&d.items[d.n - 1]);
    if (!reason && nstored != ninputs) {
        for (size_t i = 0; i < ninputs && !reason; i++) {
            sqlite3_stmt *q = rprep(&r, "SELECT 1 FROM input_files WHERE path=?");
            b_text(q, 1, inputs[i].path);
            if (!rrow(&r, q))
                reason = xasprintf("%s is new", inputs[i].path);
            sqlite3_finalize(q);
        }
        if (!reason)
            reason = xstrdup("the input files differ");
    }
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
    int rc = open_checked(&r, path);
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
