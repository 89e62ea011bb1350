/* ingest.c - reads an experiment directory into an `experiment`.
 *
 * Order matters: experiment.json first, because its timezone is the zone
 * of every naive timestamp in the CSV files; then the memory CSV, the
 * optional tables, the group files and the files the manifest names as
 * member lists. Each file read is recorded in e->inputs with its size,
 * row count and SHA-256. Also home of the small helpers the ingest modules
 * share (ingest_internal.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest.h"
#include "ingest_internal.h"
#include "instream.h"
#include "manifest.h"
#include "sha256.h"
#include "util.h"

/* ---- Shared helpers. ------------------------------------------------- */

int ingest_column(const csv_row *hdr, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < hdr->n; i++) {
        if (hdr->len[i] != n)
            continue;
        size_t k = 0;
        for (; k < n; k++) {
            char a = hdr->f[i][k], b = name[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (a != b)
                break;
        }
        if (k == n)
            return (int)i;
    }
    return -1;
}

bool ingest_header(csvr *r, diag_list *d, const char *display, csv_row *hdr)
{
    if (csvr_next(r, hdr, d))
        return true;
    if (csvr_io_error(r))
        csvr_report_io_error(r, d);
    else if (csvr_bytes(r) == 0)
        diag_add(d, DIAG_ERROR, display, 1, 0, "empty file (expected a header line)");
    else
        diag_add(d, DIAG_ERROR, display, 1, 0, "no header line (the file holds no CSV record)");
    return false;
}

bool ingest_parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (!n || n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned dgt = (unsigned)(unsigned char)s[i] - '0';
        if (dgt > 9)
            return false;
        if (v > (UINT64_MAX - dgt) / 10)
            return false;
        v = v * 10 + dgt;
    }
    *out = v;
    return true;
}

bool ingest_parse_double(const char *s, size_t n, double *out)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
                                 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    if (!n)
        return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+')
        neg = s[i++] == '-';
    uint64_t mant = 0;
    int digits = 0, frac = 0;
    bool dot = false, simple = true;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (digits < 18) {
                mant = mant * 10 + (uint64_t)(c - '0');
                if (mant)
                    digits++;
                if (dot)
                    frac++;
            } else {
                simple = false;
            }
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    bool any_digit = false;
    for (size_t k = 0; k < i; k++)
        any_digit |= s[k] >= '0' && s[k] <= '9';
    if (!any_digit)
        return false;
    if (i == n && simple) {
        double v = (double)mant / p10[frac];
        *out = neg ? -v : v;
        return true;
    }
    /* Exponents and long mantissas: strtod on a bounded copy of a field
     * made only of number characters (so no "nan", "inf" or hex). */
    char buf[64];
    if (n >= sizeof buf)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!strchr("0123456789.eE+-", s[k]))
            return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n || errno)
        return false;
    *out = v;
    return true;
}

char *ingest_strdup_field(const csv_row *row, int col)
{
    if (col < 0 || (size_t)col >= row->n)
        return xstrdup("");
    return xstrndup(row->f[col], row->len[col]);
}

input_file *ingest_add_input(experiment *e, const char *path, uint64_t bytes, uint64_t rows,
                             const char *sha_hex)
{
    size_t cap = e->ninputs;
    xgrow((void **)&e->inputs, &cap, e->ninputs + 1, sizeof *e->inputs);
    input_file *in = &e->inputs[e->ninputs++];
    memset(in, 0, sizeof *in);
    in->path = xstrdup(path);
    in->bytes = bytes;
    in->rows = rows;
    snprintf(in->sha256, sizeof in->sha256, "%s", sha_hex);
    return in;
}

const char *ingest_show(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0, limit = 40;
    buf[o++] = '\'';
    for (size_t i = 0; i < n && o + 6 < cap; i++) {
        if (i == limit) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return buf;
}

bool ingest_path_inside(const char *dir, const char *rel, char **why)
{
    if (rel[0] == '/') {
        *why = xasprintf("%s is an absolute path; member files must be inside the experiment "
                         "directory",
                         rel);
        return false;
    }
    if (path_has_dotdot(rel)) {
        *why = xasprintf("%s leaves the experiment directory (..)", rel);
        return false;
    }
    char *full = path_join(dir, rel);
    char *rd = realpath(dir, NULL), *rf = realpath(full, NULL);
    bool ok = true;
    if (rd && rf) {
        size_t n = strlen(rd);
        ok = strncmp(rf, rd, n) == 0 && (rf[n] == '/' || (n == 1 && rd[0] == '/'));
        if (!ok)
            *why = xasprintf("%s resolves to %s, outside the experiment directory (symlink?)",
                             rel, rf);
    }
    free(rd);
    free(rf);
    free(full);
    return ok;
}

int ingest_check_input(const char *dir, const char *rel, const char *display, diag_list *d)
{
    char *path = path_join(dir, rel);
    struct stat ls;
    int rc = 0;
    char *why = NULL;
    file_result fr;
    if (lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode) && access(path, F_OK) != 0) {
        diag_add(d, DIAG_ERROR, display, 0, 0, "a dangling symbolic link (its target is missing)");
        rc = 1;
    } else if (!ingest_path_inside(dir, rel, &why)) {
        diag_add(d, DIAG_ERROR, display, 0, 0, "%s", why);
        rc = 1;
    } else if (!file_check_regular(path, &fr)) {
        char *msg = file_result_text(&fr);
        if (file_result_is_io(&fr)) {
            diag_io(d, display, 0, "%s", msg);
            rc = 3;
        } else {
            diag_add(d, DIAG_ERROR, display, 0, 0, "%s", msg);
            rc = 1;
        }
        free(msg);
    }
    free(why);
    free(path);
    return rc;
}

char *ingest_read_input(const char *dir, const char *rel, const char *display, size_t max,
                        size_t *len, diag_list *d, int *rc)
{
    *rc = ingest_check_input(dir, rel, display, d);
    if (*rc)
        return NULL;
    char *path = path_join(dir, rel);
    file_result fr;
    char *text = file_read_bounded(path, max, len, &fr);
    free(path);
    if (!text) {
        char *msg = file_result_text(&fr);
        if (file_result_is_io(&fr)) {
            diag_io(d, display, 0, "%s", msg);
            *rc = 3;
        } else {
            diag_add(d, DIAG_ERROR, display, 0, 0, "%s", msg);
            *rc = 1;
        }
        free(msg);
    }
    return text;
}

/* ---- The directory. -------------------------------------------------- */

/* In order of preference; each may also be stored compressed. */
static const char *const memory_names[] = {
    "memory.csv",          "memory_measurements.csv",     "measurements.csv",
    "memory.csv.gz",       "memory_measurements.csv.gz",  "measurements.csv.gz",
    "memory.csv.zst",      "memory_measurements.csv.zst", "measurements.csv.zst",
};

/* lstat: a dangling symlink exists, and is reported when it is read. */
static bool exists(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    struct stat st;
    bool ok = lstat(p, &st) == 0;
    free(p);
    return ok;
}

const char *ingest_find_memory_csv(const char *dir)
{
    for (size_t i = 0; i < ARRAY_LEN(memory_names); i++)
        if (exists(dir, memory_names[i]))
            return memory_names[i];
    return NULL;
}

typedef int (*table_fn)(FILE *, const char *, const char *, const ingest_options *,
                        experiment *, diag_list *);

/* Opens dir/name and hands it to fn; a missing optional file is fine. */
static int read_table(const char *dir, const char *name, table_fn fn, const ingest_options *opt,
                      experiment *e, diag_list *d)
{
    if (!exists(dir, name))
        return 0;
    char *path = path_join(dir, name);
    int rc = ingest_check_input(dir, name, path, d);
    FILE *f = rc ? NULL : fopen(path, "rb");
    if (rc) {
        /* said */
    } else if (!f) {
        rc = errno == ENOENT ? 1 : 3;
        if (rc == 3)
            diag_io(d, path, 0, "cannot open: %s", strerror(errno));
        else
            diag_add(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
    } else {
        rc = fn(f, path, name, opt, e, d);
        fclose(f);
    }
    free(path);
    return rc;
}

static int read_manifest(const char *dir, experiment *e, diag_list *d)
{
    if (!exists(dir, "experiment.json"))
        return 0;
    char *path = path_join(dir, "experiment.json");
    size_t len;
    int rc;
    char *text = ingest_read_input(dir, "experiment.json", path, MANIFEST_MAX_BYTES, &len, d, &rc);
    if (!text) {
        /* said */
    } else if (len == 0) {
        rc = 1;
        diag_add(d, DIAG_ERROR, path, 0, 0, "empty file (expected a JSON object)");
    } else {
        rc = manifest_parse(text, len, path, &e->man, d);
        char hex[65];
        sha256_hex_of(text, len, hex);
        ingest_add_input(e, "experiment.json", len, 0, hex);
    }
    free(text);
    free(path);
    return rc;
}

/* The memory CSV, plain or compressed (instream.h): a compressed file is
 * decompressed as it is read, and recorded with its stored size and hash,
 * under its own name, so the data reference describes the file on disk. */
static int read_memory(const char *dir, const ingest_options *opt, experiment *e, diag_list *d)
{
    const char *name = ingest_find_memory_csv(dir);
    if (!name) {
        diag_add(d, DIAG_ERROR, dir, 0, 0,
                 "no memory.csv (nor memory_measurements.csv or measurements.csv, "
                 "plain, .gz or .zst)");
        return 1;
    }
    e->memory_path = xstrdup(name);
    char *path = path_join(dir, name);
    int crc = ingest_check_input(dir, name, path, d);
    if (crc) {
        free(path);
        return crc;
    }
    instream *s = instream_open(path);
    if (!s) {
        diag_io(d, path, 0, "cannot open: %s", strerror(errno));
        free(path);
        return 3;
    }
    size_t before = d->n, ninputs = e->ninputs;
    int rc = ingest_memory_csv(instream_file(s), path, opt, e, d);
    if (instream_kind_get(s) != INSTREAM_PLAIN) {
        const char *why = instream_error(s);
        /* The CSV reader saw a failed read; say what was wrong with the data. */
        for (size_t i = before; why && i < d->n; i++)
            if (str_eq(d->items[i].file, path) && str_starts(d->items[i].message, "read error")) {
                /* Corrupt data is the input's fault, not the system's. */
                if (d->nio)
                    d->nio--;
                free(d->items[i].message);
                d->items[i].message = xstrdup(why);
                why = NULL;
            }
        if (why) {
            diag_add(d, DIAG_ERROR, path, 0, 0, "%s", why);
            rc = 1;
        }
        char hex[65];
        if (!instream_finish(s, hex)) {
            diag_add(d, DIAG_ERROR, path, 0, 0, "read error: %s", strerror(errno));
            rc = 1;
        }
        if (e->ninputs > ninputs) {
            input_file *in = &e->inputs[e->ninputs - 1];
            in->bytes = instream_stored_bytes(s);
            snprintf(in->sha256, sizeof in->sha256, "%s", hex);
        }
    }
    instream_close(s);
    free(path);
    return rc;
}

/* Member files the manifest names that the groups/ scan did not read. */
static int read_manifest_members(const char *dir, experiment *e, diag_list *d)
{
    int rc = 0;
    char *mpath = path_join(dir, "experiment.json");
    for (size_t i = 0; i < e->man.ngroups; i++) {
        const manifest_group *g = &e->man.groups[i];
        /* Absolute and ".." paths were reported by the manifest parser. */
        if (!g->members_file || g->members_file[0] == '/' || path_has_dotdot(g->members_file))
            continue;
        bool seen = false;
        for (size_t k = 0; k < e->ngfiles && !seen; k++)
            seen = str_eq(e->gfiles[k].path, g->members_file);
        if (seen)
            continue;
        char *why = NULL;
        if (!ingest_path_inside(dir, g->members_file, &why)) {
            diag_add(d, DIAG_ERROR, mpath, g->line, 0, "groups.%s.members: %s", g->id, why);
            free(why);
            rc = 1;
            continue;
        }
        char *full = path_join(dir, g->members_file);
        struct stat st;
        int err = stat(full, &st) == 0 ? 0 : errno;
        free(full);
        if (err) {
            diag_add(d, DIAG_ERROR, mpath, g->line, 0, "groups.%s.members: %s: %s", g->id,
                     g->members_file, strerror(err));
            rc = 1;
            continue;
        }
        char *display = path_join(dir, g->members_file);
        size_t before = e->ngfiles;
        rc |= ingest_group_file(dir, g->members_file, display, g->id, e, d);
        if (e->ngfiles > before)
            e->gfiles[e->ngfiles - 1].manifest_only = true;
        free(display);
    }
    free(mpath);
    return rc;
}

/* Without groups in the manifest, the baseline must name a group some
 * other source defines. */
static int check_baseline(const char *dir, experiment *e, diag_list *d)
{
    const char *b = e->man.baseline;
    if (!b || !*b || e->man.ngroups)
        return 0;
    for (size_t i = 0; i < e->ngfiles; i++)
        if (str_eq(e->gfiles[i].id, b))
            return 0;
    for (size_t i = 0; i < e->nassignments; i++)
        if (str_eq(e->assignments[i].group, b))
            return 0;
    for (size_t i = 0; i < e->ncolgroups; i++)
        if (str_eq(e->colgroups[i], b))
            return 0;
    char *mpath = path_join(dir, "experiment.json");
    diag_add(d, DIAG_ERROR, mpath, e->man.baseline_line, 0,
             "baseline \"%s\" names no group (not in the manifest, the group column, "
             "relay_config.csv or groups/)",
             b);
    free(mpath);
    return 1;
}

int ingest_experiment(const char *dir, const ingest_options *opt, experiment *e, diag_list *d)
{
    static const ingest_options defaults = {0};
    if (!opt)
        opt = &defaults;
    memset(e, 0, sizeof *e);
    manifest_defaults(&e->man);
    e->dir = xstrdup(dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot open the experiment directory: %s",
                 strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "not a directory");
        return 1;
    }
    int rc = read_manifest(dir, e, d);
    rc |= read_memory(dir, opt, e, d);
    rc |= read_table(dir, "events.csv", ingest_events_csv, opt, e, d);
    rc |= read_table(dir, "diagnostics.csv", ingest_diagnostics_csv, opt, e, d);
    rc |= read_table(dir, "relay_config.csv", ingest_relay_config_csv, opt, e, d);
    rc |= ingest_group_dir(dir, e, d);
    rc |= read_manifest_members(dir, e, d);
    rc |= check_baseline(dir, e, d);
    if (exists(dir, "notes.md")) {
        char *path = path_join(dir, "notes.md");
        size_t len;
        int nrc;
        char *text = ingest_read_input(dir, "notes.md", path, INGEST_MAX_NOTES_BYTES, &len, d, &nrc);
        if (!text) {
            rc |= nrc;
        } else {
            char hex[65];
            sha256_hex_of(text, len, hex);
            ingest_add_input(e, "notes.md", len, 0, hex);
        }
        free(text);
        free(path);
    }
    return d->nio ? 3 : rc ? 1 : 0;
}
