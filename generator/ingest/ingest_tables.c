/* ingest_tables.c - the small optional tables: events.csv,
 * diagnostics.csv and relay_config.csv. Header-driven like the memory CSV:
 * columns are found by name, unknown columns are ignored.
 *
 * The three share one reader (read_rows): header, width check of every
 * row, input bookkeeping; each table only maps its columns and turns one
 * row into a record. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "ingest_internal.h"
#include "timestamp.h"
#include "util.h"

#define TABLE_MAX_COLS 12

/* One table being read. `col` holds the column indices the table's header
 * function found (-1 when absent); `cap` is the capacity of the experiment
 * array its rows go into. */
typedef struct {
    csvr *r;
    const char *display;
    const ingest_options *opt;
    experiment *e;
    diag_list *d;
    size_t cap;
    int col[TABLE_MAX_COLS];
} table;

/* Maps the header's columns into t->col; false when the table cannot be
 * read (an error was reported). */
typedef bool (*table_header_fn)(table *t, const csv_row *hdr);
/* Turns one row of the header's width into a record; false when the row
 * was left out (its errors reported). */
typedef bool (*table_row_fn)(table *t, const csv_row *row);

/* Common row checks: field count against the header, with the partial
 * last line rule of DESIGN 11. Returns false when the row is to be left out. */
static bool row_width_ok(table *t, const csv_row *row, size_t nfields)
{
    if (row->n == nfields)
        return true;
    if (!row->terminated && row->n < nfields) {
        diag_add(t->d, t->opt->strict ? DIAG_ERROR : DIAG_WARNING, t->display, row->line, 0,
                 "last line has %zu of %zu fields and no final newline: a row still being "
                 "written, left out",
                 row->n, nfields);
        return false;
    }
    csvr_error(t->r, t->d, row->line, 0, "%zu fields, but the header has %zu", row->n, nfields);
    return false;
}

/* Reads one table from f; `display` names it in messages and `rel` is its
 * path relative to the experiment directory. Returns 0, or 1 when it
 * added errors. */
/* A line whose first field starts with '#': a comment, as the users'
 * experiment template writes them (no table's first column can start so:
 * timestamps, dates, fingerprints and nicknames never do). */
static bool comment_row(const csv_row *row)
{
    return row->n && row->len[0] && row->f[0][0] == '#';
}

static int read_rows(FILE *f, const char *display, const char *rel, const ingest_options *opt,
                     experiment *e, diag_list *d, table_header_fn header, table_row_fn read_row)
{
    size_t errors_before = d->nerrors;
    uint64_t rows = 0;
    table t = {.r = csvr_open(f, display, opt->force_libcsv), .display = display, .opt = opt,
               .e = e, .d = d};
    for (size_t i = 0; i < TABLE_MAX_COLS; i++)
        t.col[i] = -1;
    csv_row row;
    bool have = ingest_header(t.r, d, display, &row);
    while (have && comment_row(&row)) {
        have = csvr_next(t.r, &row, d);
        if (!have && !csvr_io_error(t.r) && d->nerrors == errors_before)
            diag_add(d, DIAG_ERROR, display, row.line, 0,
                     "only comment lines: no header line");
    }
    if (have) {
        size_t nf = row.n;
        bool ok = header(&t, &row);
        while (ok && csvr_next(t.r, &row, d)) {
            if (comment_row(&row))
                continue;
            if (rows == INGEST_MAX_TABLE_ROWS) {
                diag_add(d, DIAG_ERROR, display, row.line, 0,
                         "more than %d rows, the limit for this file", INGEST_MAX_TABLE_ROWS);
                break;
            }
            if (row_width_ok(&t, &row, nf) && read_row(&t, &row))
                rows++;
        }
    }
    csvr_report_io_error(t.r, d);
    char hex[65];
    csvr_sha256(t.r, hex);
    ingest_add_input(e, rel, csvr_bytes(t.r), rows, hex);
    csvr_close(t.r, d);
    return d->nerrors > errors_before ? 1 : 0;
}

/* A text field as a new string ("" when the column is absent); NULL after
 * reporting invalid UTF-8. */
static char *text_field(table *t, const csv_row *row, int col, const char *what)
{
    if (col < 0)
        return xstrdup("");
    if (!utf8_valid(row->f[col], row->len[col])) {
        csvr_error(t->r, t->d, row->line, csv_row_col(row, (size_t)col),
                   "%s is not valid UTF-8", what);
        return NULL;
    }
    return ingest_strdup_field(row, col);
}

/* Reads n text fields into *out[i] (columns t->col[first + i], named
 * names[i] in messages). Every field is checked, so each bad one is
 * reported; when any is bad all are freed, set NULL, and false returned. */
static bool text_fields(table *t, const csv_row *row, int first, const char *const *names,
                        char **const *out, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        *out[i] = text_field(t, row, t->col[first + (int)i], names[i]);
        ok &= *out[i] != NULL;
    }
    if (!ok)
        for (size_t i = 0; i < n; i++) {
            free(*out[i]);
            *out[i] = NULL;
        }
    return ok;
}

static bool time_field(table *t, const csv_row *row, int col, int64_t *out)
{
    ts_value v;
    const char *s = row->f[col];
    size_t n = row->len[col];
    ts_status st = n ? timestamp_parse(s, n, t->e->man.tz_offset_min, &v) : TS_SYNTAX;
    if (st != TS_OK) {
        char show[64];
        csvr_error(t->r, t->d, row->line, csv_row_col(row, (size_t)col), "timestamp %s: %s",
                   ingest_show(s, n, show, sizeof show), n ? timestamp_strerror(st) : "empty");
        return false;
    }
    *out = v.t;
    return true;
}

static bool num_field(table *t, const csv_row *row, int col, const char *name, double *out)
{
    *out = NAN;
    if (col < 0 || !row->len[col])
        return true;
    if (ingest_parse_double(row->f[col], row->len[col], out) && *out >= 0)
        return true;
    char show[64];
    csvr_error(t->r, t->d, row->line, csv_row_col(row, (size_t)col),
               "%s: %s is not a non-negative number", name,
               ingest_show(row->f[col], row->len[col], show, sizeof show));
    return false;
}

static bool require(table *t, const csv_row *hdr, int col, const char *name)
{
    if (col >= 0)
        return true;
    csvr_error(t->r, t->d, hdr->line, 0, "the header has no '%s' column", name);
    return false;
}

/* ---- events.csv ------------------------------------------------------ */

enum { EV_TIME, EV_TYPE, EV_DESCRIPTION, EV_GROUP };

static bool events_header(table *t, const csv_row *hdr)
{
    t->col[EV_TIME] = ingest_column(hdr, "timestamp");
    t->col[EV_TYPE] = ingest_column(hdr, "event_type");
    if (t->col[EV_TYPE] < 0)
        t->col[EV_TYPE] = ingest_column(hdr, "type");
    t->col[EV_DESCRIPTION] = ingest_column(hdr, "description");
    t->col[EV_GROUP] = ingest_column(hdr, "group");
    bool ok = require(t, hdr, t->col[EV_TIME], "timestamp");
    ok &= require(t, hdr, t->col[EV_TYPE], "event_type");
    return ok;
}

/* The offset a timestamp was written with ("...-08:00", "...Z"). */
static int written_offset(const char *s, size_t n)
{
    int min = 0;
    char buf[8];
    if (n && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
        return 0;
    for (size_t k = 6; k >= 5; k--)
        if (n > k + 10 && (s[n - k] == '+' || s[n - k] == '-')) {
            memcpy(buf, s + n - k, k);
            buf[k] = '\0';
            if (timestamp_parse_offset(buf, &min))
                return min;
        }
    return 0;
}

static bool events_row(table *t, const csv_row *row)
{
    static const char *const names[] = {"event_type", "description", "group"};
    event ev = {.line = row->line};
    if (!time_field(t, row, t->col[EV_TIME], &ev.t) ||
        !text_fields(t, row, EV_TYPE, names,
                     (char **const[]){&ev.type, &ev.description, &ev.group}, ARRAY_LEN(names)))
        return false;
    ts_value v;
    const char *s = row->f[t->col[EV_TIME]];
    size_t n = row->len[t->col[EV_TIME]];
    if (timestamp_parse(s, n, 0, &v) == TS_OK && v.had_offset) {
        ev.had_offset = true;
        ev.offset_min = written_offset(s, n);
    }
    experiment *e = t->e;
    xgrow((void **)&e->events, &t->cap, e->nevents + 1, sizeof *e->events);
    e->events[e->nevents++] = ev;
    return true;
}

static int event_cmp(const void *pa, const void *pb)
{
    const event *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Events are kept in time order (file order among equal times): every
 * page, chart and table numbers them by their place in time, and files
 * written by hand are not always in order. */
int ingest_events_csv(FILE *f, const char *display, const char *rel, const ingest_options *opt,
                      experiment *e, diag_list *d)
{
    int rc = read_rows(f, display, rel, opt, e, d, events_header, events_row);
    if (e->nevents > 1)
        qsort(e->events, e->nevents, sizeof *e->events, event_cmp);
    return rc;
}

/* ---- diagnostics.csv ------------------------------------------------- */

/* The text columns come first, in the order diagnostics_row reads them. */
enum {
    DG_HOST, DG_TOR, DG_OS, DG_KERNEL, DG_ALLOCATOR,
    DG_DATE, DG_TIME, DG_TIMESTAMP, DG_MEM, DG_COUNT, DG_RELAY_TOTAL
};

static bool diagnostics_header(table *t, const csv_row *hdr)
{
    static const char *const names[] = {
        [DG_HOST] = "hostname", [DG_TOR] = "tor_version", [DG_OS] = "os_release",
        [DG_KERNEL] = "kernel", [DG_ALLOCATOR] = "allocator", [DG_DATE] = "date",
        [DG_TIME] = "time", [DG_TIMESTAMP] = "timestamp", [DG_MEM] = "mem_total_mb",
        [DG_COUNT] = "relay_count", [DG_RELAY_TOTAL] = "relay_total_mb"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        t->col[i] = ingest_column(hdr, names[i]);
    if (t->col[DG_TIMESTAMP] < 0 && (t->col[DG_DATE] < 0 || t->col[DG_TIME] < 0)) {
        csvr_error(t->r, t->d, hdr->line, 0,
                   "the header needs 'date' and 'time' columns (or 'timestamp')");
        return false;
    }
    return true;
}

/* "2025-12-25" + "T" + "19:03:49" */
static bool date_time_fields(table *t, const csv_row *row, int64_t *out)
{
    int cdate = t->col[DG_DATE], ctime = t->col[DG_TIME];
    char ts[96];
    size_t dn = row->len[cdate], tn = row->len[ctime];
    ts_value v;
    ts_status st = TS_SYNTAX;
    if (dn && tn && dn + tn + 1 < sizeof ts) {
        memcpy(ts, row->f[cdate], dn);
        ts[dn] = 'T';
        memcpy(ts + dn + 1, row->f[ctime], tn);
        st = timestamp_parse(ts, dn + tn + 1, t->e->man.tz_offset_min, &v);
    }
    if (st != TS_OK) {
        char s1[64], s2[64];
        csvr_error(t->r, t->d, row->line, csv_row_col(row, (size_t)cdate),
                   "date %s and time %s: %s", ingest_show(row->f[cdate], dn, s1, sizeof s1),
                   ingest_show(row->f[ctime], tn, s2, sizeof s2), timestamp_strerror(st));
        return false;
    }
    *out = v.t;
    return true;
}

static bool diagnostics_row(table *t, const csv_row *row)
{
    static const char *const names[] = {"hostname", "tor_version", "os_release", "kernel",
                                        "allocator"};
    host_row h = {.line = row->line, .relay_count = -1};
    if (t->col[DG_TIMESTAMP] >= 0 ? !time_field(t, row, t->col[DG_TIMESTAMP], &h.t)
                                  : !date_time_fields(t, row, &h.t))
        return false;
    double count;
    bool good = num_field(t, row, t->col[DG_MEM], "mem_total_mb", &h.mem_total_mb);
    good &= num_field(t, row, t->col[DG_RELAY_TOTAL], "relay_total_mb", &h.relay_total_mb);
    good &= num_field(t, row, t->col[DG_COUNT], "relay_count", &count);
    if (!good)
        return false;
    if (!isnan(count))
        h.relay_count = (long)count;
    if (!text_fields(t, row, DG_HOST, names,
                     (char **const[]){&h.hostname, &h.tor_version, &h.os_release, &h.kernel,
                                      &h.allocator},
                     ARRAY_LEN(names)))
        return false;
    /* The collectors write "0.4.8.21." (tor --version's sentence end). */
    size_t tl = strlen(h.tor_version);
    while (tl && h.tor_version[tl - 1] == '.')
        h.tor_version[--tl] = '\0';
    experiment *e = t->e;
    xgrow((void **)&e->hosts, &t->cap, e->nhosts + 1, sizeof *e->hosts);
    e->hosts[e->nhosts++] = h;
    return true;
}

int ingest_diagnostics_csv(FILE *f, const char *display, const char *rel,
                           const ingest_options *opt, experiment *e, diag_list *d)
{
    return read_rows(f, display, rel, opt, e, d, diagnostics_header, diagnostics_row);
}

/* ---- relay_config.csv ------------------------------------------------ */

enum { RC_FINGERPRINT, RC_NICKNAME, RC_GROUP };

static bool relay_config_header(table *t, const csv_row *hdr)
{
    t->col[RC_FINGERPRINT] = ingest_column(hdr, "fingerprint");
    t->col[RC_NICKNAME] = ingest_column(hdr, "nickname");
    t->col[RC_GROUP] = ingest_column(hdr, "group");
    bool ok = require(t, hdr, t->col[RC_GROUP], "group");
    if (t->col[RC_FINGERPRINT] < 0 && t->col[RC_NICKNAME] < 0) {
        csvr_error(t->r, t->d, hdr->line, 0,
                   "the header has neither a 'fingerprint' nor a 'nickname' column");
        ok = false;
    }
    return ok;
}

/* "$abcd..." -> "ABCD..." in place; false (key untouched) when it is not
 * 40 hexadecimal digits. */
static bool normalize_fingerprint(char *key)
{
    char *k = key[0] == '$' ? key + 1 : key;
    if (!is_fingerprint(k))
        return false;
    for (char *p = k; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    memmove(key, k, strlen(k) + 1);
    return true;
}

static bool relay_config_row(table *t, const csv_row *row)
{
    int cf = t->col[RC_FINGERPRINT], cg = t->col[RC_GROUP];
    bool has_fp = cf >= 0 && row->len[cf];
    int kc = has_fp ? cf : t->col[RC_NICKNAME];
    if (kc < 0 || !row->len[kc]) {
        csvr_error(t->r, t->d, row->line, 0, "row has neither fingerprint nor nickname");
        return false;
    }
    if (!row->len[cg]) {
        csvr_error(t->r, t->d, row->line, csv_row_col(row, (size_t)cg), "group is empty");
        return false;
    }
    char *key = text_field(t, row, kc, has_fp ? "fingerprint" : "nickname");
    char *grp = text_field(t, row, cg, "group");
    if (key && has_fp && !normalize_fingerprint(key)) {
        char show[64];
        csvr_error(t->r, t->d, row->line, csv_row_col(row, (size_t)cf),
                   "fingerprint %s is not 40 hexadecimal digits",
                   ingest_show(key, strlen(key), show, sizeof show));
        free(key);
        key = NULL;
    }
    if (!key || !grp) {
        free(key);
        free(grp);
        return false;
    }
    experiment *e = t->e;
    xgrow((void **)&e->assignments, &t->cap, e->nassignments + 1, sizeof *e->assignments);
    e->assignments[e->nassignments++] =
        (relay_assignment){.key = key, .group = grp, .line = row->line};
    return true;
}

int ingest_relay_config_csv(FILE *f, const char *display, const char *rel,
                            const ingest_options *opt, experiment *e, diag_list *d)
{
    return read_rows(f, display, rel, opt, e, d, relay_config_header, relay_config_row);
}
