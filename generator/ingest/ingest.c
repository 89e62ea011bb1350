/* ingest.c - reads an experiment directory into an `experiment`.
 *
 * Order matters: experiment.json first, because its timezone is the zone
 * of every naive timestamp in the CSV files; then the memory CSV, the
 * optional tables, the group files and the files the manifest names as
 * member lists. Each file read is recorded in e->inputs with its size,
 * row count and SHA-256. The readers it calls share the helpers of
 * ingest_common.c (ingest_internal.h); they never call back here. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest.h"
#include "ingest_internal.h"
#include "instream.h"
#include "manifest.h"
#include "sha256.h"
#include "util.h"

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
    file_result fr;
    FILE *f = rc ? NULL : file_fopen_regular(path, &fr);
    if (rc) {
        /* said */
    } else if (!f) {
        rc = ingest_open_failed(path, &fr, d);
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
    char *what = xasprintf("reading %s", path);
    util_set_activity(what);
    free(what);
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
    char what[512];
    snprintf(what, sizeof what, "reading %s", path);
    util_set_activity(what);
    file_result fr;
    instream *s = instream_open(path, &fr);
    if (!s) {
        int orc = ingest_open_failed(path, &fr, d);
        free(path);
        return orc;
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

int ingest_notes_md(const char *dir, experiment *e, bool record, diag_list *d)
{
    if (!exists(dir, "notes.md"))
        return 0;
    char *path = path_join(dir, "notes.md");
    size_t len;
    int rc;
    char *text = ingest_read_input(dir, "notes.md", path, INGEST_MAX_NOTES_BYTES, &len, d, &rc);
    if (text) {
        if (record) {
            char hex[65];
            sha256_hex_of(text, len, hex);
            ingest_add_input(e, "notes.md", len, 0, hex);
        }
        free(e->notes_text);
        e->notes_text = text;
        e->notes_len = len;
    }
    free(path);
    return rc;
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
    rc |= ingest_notes_md(dir, e, true, d);
    return d->nio ? 3 : rc ? 1 : 0;
}
