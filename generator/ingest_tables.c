/* ingest_tables.c - the small optional tables: events.csv,
 * diagnostics.csv and relay_config.csv. Header-driven like the memory CSV:
 * columns are found by name, unknown columns are ignored. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "ingest_internal.h"
#include "timestamp.h"
#include "util.h"

/* Common row checks: field count against the header, with the partial
 * last line rule of DESIGN 11. Returns false when the row is to be left out. */
static bool row_width_ok(csvr *r, const csv_row *row, size_t nfields, const char *display,
                         const ingest_options *opt, diag_list *d)
{
    if (row->n == nfields)
        return true;
    if (!row->terminated && row->n < nfields) {
        diag_add(d, opt->strict ? DIAG_ERROR : DIAG_WARNING, display, row->line, 0,
                 "last line has %zu of %zu fields and no final newline: a row still being "
                 "written, left out",
                 row->n, nfields);
        return false;
    }
    csvr_error(r, d, row->line, 0, "%zu fields, but the header has %zu", row->n, nfields);
    return false;
}

/* A text field as a new string ("" when the column is absent); NULL after
 * reporting invalid UTF-8. */
static char *text_field(csvr *r, const csv_row *row, int col, const char *what, diag_list *d)
{
    if (col < 0)
        return xstrdup("");
    if (!utf8_valid(row->f[col], row->len[col])) {
        csvr_error(r, d, row->line, csv_row_col(row, (size_t)col), "%s is not valid UTF-8",
                   what);
        return NULL;
    }
    return ingest_strdup_field(row, col);
}

static bool time_field(csvr *r, const csv_row *row, int col, const experiment *e, diag_list *d,
                       int64_t *t)
{
    ts_value v;
    const char *s = row->f[col];
    size_t n = row->len[col];
    ts_status st = n ? timestamp_parse(s, n, e->man.tz_offset_min, &v) : TS_SYNTAX;
    if (st != TS_OK) {
        char show[64];
        csvr_error(r, d, row->line, csv_row_col(row, (size_t)col), "timestamp %s: %s",
                   ingest_show(s, n, show, sizeof show), n ? timestamp_strerror(st) : "empty");
        return false;
    }
    *t = v.t;
    return true;
}

static bool require(csvr *r, const csv_row *hdr, int col, const char *name, diag_list *d)
{
    if (col >= 0)
        return true;
    csvr_error(r, d, hdr->line, 0, "the header has no '%s' column", name);
    return false;
}

static int finish(csvr *r, experiment *e, const char *rel, uint64_t rows,
                  diag_list *d, size_t errors_before)
{
    csvr_report_io_error(r, d);
    char hex[65];
    csvr_sha256(r, hex);
    ingest_add_input(e, rel, csvr_bytes(r), rows, hex);
    csvr_close(r, d);
    return d->nerrors > errors_before ? 1 : 0;
}

int ingest_events_csv(FILE *f, const char *display, const char *rel, const ingest_options *opt,
                      experiment *e, diag_list *d)
{
    size_t errors_before = d->nerrors, cap = 0;
    uint64_t rows = 0;
    csvr *r = csvr_open(f, display, opt->force_libcsv);
    csv_row row;
    if (ingest_header(r, d, display, &row)) {
        int ct = ingest_column(&row, "timestamp"), cy = ingest_column(&row, "event_type");
        int cd = ingest_column(&row, "description"), cg = ingest_column(&row, "group");
        if (cy < 0)
            cy = ingest_column(&row, "type");
        size_t nf = row.n;
        bool ok = require(r, &row, ct, "timestamp", d);
        ok &= require(r, &row, cy, "event_type", d);
        while (ok && csvr_next(r, &row, d)) {
            if (!row_width_ok(r, &row, nf, display, opt, d))
                continue;
            event ev = {.line = row.line};
            if (!time_field(r, &row, ct, e, d, &ev.t))
                continue;
            ev.type = text_field(r, &row, cy, "event_type", d);
            ev.description = text_field(r, &row, cd, "description", d);
            ev.group = text_field(r, &row, cg, "group", d);
            if (!ev.type || !ev.description || !ev.group) {
                free(ev.type);
                free(ev.description);
                free(ev.group);
                continue;
            }
            xgrow((void **)&e->events, &cap, e->nevents + 1, sizeof *e->events);
            e->events[e->nevents++] = ev;
            rows++;
        }
    }
    return finish(r, e, rel, rows, d, errors_before);
}

static bool num_field(csvr *r, const csv_row *row, int col, const char *name, diag_list *d,
                      double *out)
{
    *out = NAN;
    if (col < 0 || !row->len[col])
        return true;
    if (ingest_parse_double(row->f[col], row->len[col], out) && *out >= 0)
        return true;
    char show[64];
    csvr_error(r, d, row->line, csv_row_col(row, (size_t)col),
               "%s: %s is not a non-negative number", name,
               ingest_show(row->f[col], row->len[col], show, sizeof show));
    return false;
}

int ingest_diagnostics_csv(FILE *f, const char *display, const char *rel,
                           const ingest_options *opt, experiment *e, diag_list *d)
{
    size_t errors_before = d->nerrors, cap = 0;
    uint64_t rows = 0;
    csvr *r = csvr_open(f, display, opt->force_libcsv);
    csv_row row;
    if (ingest_header(r, d, display, &row)) {
        int cdate = ingest_column(&row, "date"), ctime = ingest_column(&row, "time");
        int cts = ingest_column(&row, "timestamp");
        int chost = ingest_column(&row, "hostname"), ctor = ingest_column(&row, "tor_version");
        int cos = ingest_column(&row, "os_release"), ck = ingest_column(&row, "kernel");
        int calloc = ingest_column(&row, "allocator");
        int cmem = ingest_column(&row, "mem_total_mb"), cnr = ingest_column(&row, "relay_count");
        int crt = ingest_column(&row, "relay_total_mb");
        size_t nf = row.n;
        bool ok = true;
        if (cts < 0 && (cdate < 0 || ctime < 0)) {
            csvr_error(r, d, row.line, 0,
                       "the header needs 'date' and 'time' columns (or 'timestamp')");
            ok = false;
        }
        while (ok && csvr_next(r, &row, d)) {
            if (!row_width_ok(r, &row, nf, display, opt, d))
                continue;
            host_row h = {.line = row.line, .relay_count = -1};
            if (cts >= 0) {
                if (!time_field(r, &row, cts, e, d, &h.t))
                    continue;
            } else {
                /* "2025-12-25" + "T" + "19:03:49" */
                char ts[96];
                size_t dn = row.len[cdate], tn = row.len[ctime];
                ts_value v;
                ts_status st = TS_SYNTAX;
                if (dn && tn && dn + tn + 1 < sizeof ts) {
                    memcpy(ts, row.f[cdate], dn);
                    ts[dn] = 'T';
                    memcpy(ts + dn + 1, row.f[ctime], tn);
                    st = timestamp_parse(ts, dn + tn + 1, e->man.tz_offset_min, &v);
                }
                if (st != TS_OK) {
                    char s1[64], s2[64];
                    csvr_error(r, d, row.line, csv_row_col(&row, (size_t)cdate),
                               "date %s and time %s: %s",
                               ingest_show(row.f[cdate], dn, s1, sizeof s1),
                               ingest_show(row.f[ctime], tn, s2, sizeof s2),
                               timestamp_strerror(st));
                    continue;
                }
                h.t = v.t;
            }
            double count;
            bool good = num_field(r, &row, cmem, "mem_total_mb", d, &h.mem_total_mb);
            good &= num_field(r, &row, crt, "relay_total_mb", d, &h.relay_total_mb);
            good &= num_field(r, &row, cnr, "relay_count", d, &count);
            if (!good)
                continue;
            if (!isnan(count))
                h.relay_count = (long)count;
            h.hostname = text_field(r, &row, chost, "hostname", d);
            h.tor_version = text_field(r, &row, ctor, "tor_version", d);
            h.os_release = text_field(r, &row, cos, "os_release", d);
            h.kernel = text_field(r, &row, ck, "kernel", d);
            h.allocator = text_field(r, &row, calloc, "allocator", d);
            if (!h.hostname || !h.tor_version || !h.os_release || !h.kernel || !h.allocator) {
                free(h.hostname);
                free(h.tor_version);
                free(h.os_release);
                free(h.kernel);
                free(h.allocator);
                continue;
            }
            xgrow((void **)&e->hosts, &cap, e->nhosts + 1, sizeof *e->hosts);
            e->hosts[e->nhosts++] = h;
            rows++;
        }
    }
    return finish(r, e, rel, rows, d, errors_before);
}

int ingest_relay_config_csv(FILE *f, const char *display, const char *rel,
                            const ingest_options *opt, experiment *e, diag_list *d)
{
    size_t errors_before = d->nerrors, cap = 0;
    uint64_t rows = 0;
    csvr *r = csvr_open(f, display, opt->force_libcsv);
    csv_row row;
    if (ingest_header(r, d, display, &row)) {
        int cf = ingest_column(&row, "fingerprint"), cn = ingest_column(&row, "nickname");
        int cg = ingest_column(&row, "group");
        size_t nf = row.n;
        bool ok = require(r, &row, cg, "group", d);
        if (cf < 0 && cn < 0) {
            csvr_error(r, d, row.line, 0,
                       "the header has neither a 'fingerprint' nor a 'nickname' column");
            ok = false;
        }
        while (ok && csvr_next(r, &row, d)) {
            if (!row_width_ok(r, &row, nf, display, opt, d))
                continue;
            bool has_fp = cf >= 0 && row.len[cf];
            int kc = has_fp ? cf : cn;
            if (kc < 0 || !row.len[kc]) {
                csvr_error(r, d, row.line, 0, "row has neither fingerprint nor nickname");
                continue;
            }
            if (!row.len[cg]) {
                csvr_error(r, d, row.line, csv_row_col(&row, (size_t)cg), "group is empty");
                continue;
            }
            char *key = text_field(r, &row, kc, has_fp ? "fingerprint" : "nickname", d);
            char *grp = text_field(r, &row, cg, "group", d);
            if (key && has_fp) {
                char *k = key[0] == '$' ? key + 1 : key;
                if (!is_fingerprint(k)) {
                    char show[64];
                    csvr_error(r, d, row.line, csv_row_col(&row, (size_t)cf),
                               "fingerprint %s is not 40 hexadecimal digits",
                               ingest_show(key, strlen(key), show, sizeof show));
                    free(key);
                    key = NULL;
                } else {
                    for (char *p = k; *p; p++)
                        if (*p >= 'a' && *p <= 'f')
                            *p = (char)(*p - 'a' + 'A');
                    memmove(key, k, strlen(k) + 1);
                }
            }
            if (!key || !grp) {
                free(key);
                free(grp);
                continue;
            }
            xgrow((void **)&e->assignments, &cap, e->nassignments + 1, sizeof *e->assignments);
            e->assignments[e->nassignments++] =
                (relay_assignment){.key = key, .group = grp, .line = row.line};
            rows++;
        }
    }
    return finish(r, e, rel, rows, d, errors_before);
}
