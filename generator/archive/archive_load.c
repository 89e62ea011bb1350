/* archive_load.c - analysis_load: the analysis of a directory, from its
 * archive when the archive still describes the inputs, else from the CSVs.
 *
 * Hashing is one sequential read per file, far cheaper than parsing. The
 * files hashed are the ones the archive says the last build read (the
 * manifest among them, so a manifest that now names other member files
 * changes its own hash), plus a look for files a build would read now that
 * were not there then: another memory CSV, events.csv, diagnostics.csv,
 * relay_config.csv, a new group file. Any difference, or any doubt about
 * the archive, means the CSVs are read again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "ingest.h"
#include "sha256.h"
#include "util.h"

/* SHA-256 and size of dir/rel; false when it cannot be read. */
static bool hash_file(const char *dir, const char *rel, input_file *out)
{
    char *p = path_join(dir, rel);
    /* A FIFO or a device in place of an input would block or never end:
     * such an archive is not current, and ingest says what is wrong. */
    file_result fr;
    int fd = file_open_regular(p, NULL, &fr);
    free(p);
    if (fd < 0)
        return false;
    bool ok = sha256_hex_of_fd(fd, UINT64_MAX, &out->bytes, out->sha256);
    close(fd);
    return ok;
}

static bool listed(const input_file *in, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(in[i].path, rel))
            return true;
    return false;
}

static bool is_file(const char *dir, const char *rel)
{
    char *p = path_join(dir, rel);
    struct stat sb;
    bool ok = stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
    free(p);
    return ok;
}

/* Every file a build would read now that the archive does not list, in
 * the order a build reads them; *count of them. Caller frees each, then
 * the array. */
static char **new_inputs(const char *dir, const input_file *in, size_t n, size_t *count)
{
    char **found = NULL;
    size_t cap = 0;
    *count = 0;
    const char *fixed[] = {"experiment.json", ingest_find_memory_csv(dir), "events.csv",
                           "diagnostics.csv", "relay_config.csv", "notes.md"};
    for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
        if (fixed[i] && is_file(dir, fixed[i]) && !listed(in, n, fixed[i])) {
            xgrow((void **)&found, &cap, *count + 1, sizeof *found);
            found[(*count)++] = xstrdup(fixed[i]);
        }
    char *gdir = xasprintf("%s/groups", dir);
    DIR *dp = opendir(gdir);
    free(gdir);
    struct dirent *de;
    while (dp && (de = readdir(dp))) {
        if (!str_starts(de->d_name, "group_") || !str_ends(de->d_name, ".txt"))
            continue;
        char *rel = xasprintf("groups/%s", de->d_name);
        if (is_file(dir, rel) && !listed(in, n, rel)) {
            xgrow((void **)&found, &cap, *count + 1, sizeof *found);
            found[(*count)++] = rel;
        } else {
            free(rel);
        }
    }
    if (dp)
        closedir(dp);
    return found;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* True when the archive at path describes dir's inputs now and was made
 * with options o: what the last build read, every input hashed again (the
 * memory CSV told apart by its size and last 64 KiB). *in gets the
 * archive's list of inputs (free with input_files_free). *grew is set when it
 * would have matched but for a memory CSV that only grew. */
static bool inputs_current(const char *dir, const analysis_options *o, const char *path,
                           input_file **in, size_t *n, char **why, bool *grew)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        *why = xstrdup("no results.sqlite yet");
        return false;
    }
    if (archive_stored_inputs(path, in, n, why) != 0)
        return false;
    /* The memory CSV, the one big input, is told apart by its size and its
     * last 64 KiB (ingest_memory_change): collectors only append. */
    const char *memname = ingest_find_memory_csv(dir);
    for (size_t i = 0; i < *n; i++) {
        if (memname && str_eq((*in)[i].path, memname)) {
            memory_change mc = ingest_memory_change(dir, &(*in)[i]);
            *grew = mc == MEMORY_GREW;
            if (mc != MEMORY_OTHER)
                continue; /* the stored hash stands, or is carried on by ingest */
        }
        if (!hash_file(dir, (*in)[i].path, &(*in)[i])) {
            *why = xasprintf("%s is gone", (*in)[i].path);
            return false;
        }
    }
    size_t nfresh = 0;
    char **fresh = new_inputs(dir, *in, *n, &nfresh);
    if (nfresh) {
        *why = xasprintf("%s is new", fresh[0]);
        free_names(fresh, nfresh);
        return false;
    }
    free(fresh);
    if (!archive_matches_inputs(path, *in, *n, o, why)) {
        *grew = false;
        return false;
    }
    if (*grew) {
        *why = xasprintf("%s grew", memname);
        return false;
    }
    return true;
}

static void add_input(input_file **in, size_t *n, size_t *cap, const char *rel,
                      const input_file *now)
{
    xgrow((void **)in, cap, *n + 1, sizeof **in);
    (*in)[*n] = (input_file){.path = xstrdup(rel), .bytes = now->bytes};
    memcpy((*in)[*n].sha256, now->sha256, sizeof now->sha256);
    (*n)++;
}

/* An experiment kept as its archive alone reads one file beside it,
 * notes.md, which the page renders as it is now: its entry in *in follows
 * the file (hashed again, added, or dropped with it). The other files a
 * build from the CSVs would read are not read; each that differs from the
 * archive's record, changed or new, goes to *unread as it is now. One that
 * is gone, or cannot be read, goes nowhere: the archive alone is the data,
 * and the usual way to keep it is with nothing beside it. */
static void files_beside(const char *dir, input_file **in, size_t *n, input_file **unread,
                         size_t *nunread)
{
    size_t cap = 0, keep = 0;
    *unread = NULL;
    *nunread = 0;
    for (size_t i = 0; i < *n; i++) {
        input_file *f = &(*in)[i];
        input_file now = {0};
        bool here = hash_file(dir, f->path, &now);
        if (str_eq(f->path, "notes.md")) {
            if (!here) {
                free(f->path);
                continue;
            }
            f->bytes = now.bytes;
            memcpy(f->sha256, now.sha256, sizeof now.sha256);
        } else if (here && (now.bytes != f->bytes || !str_eq(now.sha256, f->sha256))) {
            add_input(unread, nunread, &cap, f->path, &now);
        }
        (*in)[keep++] = *f;
    }
    *n = keep;
    size_t nfresh = 0, incap = keep;
    char **fresh = new_inputs(dir, *in, *n, &nfresh);
    for (size_t i = 0; i < nfresh; i++) {
        input_file now = {0};
        if (!hash_file(dir, fresh[i], &now))
            continue;
        if (str_eq(fresh[i], "notes.md"))
            add_input(in, n, &incap, fresh[i], &now);
        else
            add_input(unread, nunread, &cap, fresh[i], &now);
    }
    free_names(fresh, nfresh);
}

int archive_current_inputs(const char *dir, const analysis_options *o, input_file **in,
                           size_t *n, input_file **unread, size_t *nunread, char **why)
{
    char *path = path_join(dir, ARCHIVE_FILE_NAME);
    bool grew = false, ok;
    *in = *unread = NULL;
    *n = *nunread = 0;
    *why = NULL;
    if (archive_only(dir)) { /* the archive is the data: its own list */
        ok = archive_stored_inputs(path, in, n, why) == 0;
        if (ok)
            files_beside(dir, in, n, unread, nunread);
    } else {
        ok = inputs_current(dir, o, path, in, n, why, &grew);
    }
    free(path);
    if (!ok) {
        input_files_free(*in, *n);
        *in = NULL;
        *n = 0;
    }
    return ok ? 0 : -1;
}

/* Tries the archive; true when `a` was filled from it. *grew is set when the
 * archive would have matched but for a memory CSV that only grew. */
static bool try_archive(const char *dir, const analysis_options *o, analysis *a, char **why,
                        bool *grew, bool *damaged)
{
    char *path = path_join(dir, ARCHIVE_FILE_NAME);
    input_file *in = NULL;
    size_t n = 0;
    bool used = false;
    if (!inputs_current(dir, o, path, &in, &n, why, grew))
        goto out;
    diag_list d;
    diag_init(&d);
    memset(a, 0, sizeof *a);
    diag_init(&a->diag);
    /* The notes are not archived: the page renders the notes.md whose
     * hash the archive just matched. */
    char what[512];
    snprintf(what, sizeof what, "reading %s", path);
    util_set_activity(what);
    if (archive_read(path, dir, a, &d) == 0 && ingest_notes_md(dir, &a->e, false, &d) == 0) {
        used = true;
    } else {
        *why = d.n ? diag_format(&d.items[d.n - 1]) : xstrdup("results.sqlite is damaged");
        *damaged = true;
        analysis_free(a);
    }
    diag_free(&d);
out:
    input_files_free(in, n);
    free(path);
    return used;
}

bool archive_only(const char *dir)
{
    return !ingest_find_memory_csv(dir) && is_file(dir, ARCHIVE_FILE_NAME);
}

/* A concluded experiment kept as its archive alone: read it back, and
 * when it was computed with other options (or by another version), run
 * membership and stats again over the archived samples. A damaged
 * archive is an error here: there are no CSVs to fall back on. */
static int load_archive_only(const char *dir, const analysis_options *o, analysis *a,
                             char **why)
{
    char *path = path_join(dir, ARCHIVE_FILE_NAME);
    memset(a, 0, sizeof *a);
    diag_init(&a->diag);
    diag_list d;
    diag_init(&d);
    int rc = archive_read(path, dir, a, &d);
    if (rc == 0)
        rc = ingest_notes_md(dir, &a->e, false, &d);
    if (rc != 0) {
        analysis_free(a);
        memset(a, 0, sizeof *a);
        diag_init(&a->diag);
        a->e.dir = xstrdup(dir);
        diag_append(&a->diag, &d);
        *why = d.n ? diag_format(&d.items[d.n - 1]) : xstrdup("results.sqlite is damaged");
    } else {
        input_file *in = NULL;
        size_t n = 0;
        char *reason = NULL;
        /* Its own inputs, so only the options and the version can differ. */
        if (archive_stored_inputs(path, &in, &n, &reason) == 0 &&
            !archive_matches_inputs(path, in, n, o, &reason)) {
            *why = xasprintf("archive only, recomputed from its samples: %s", reason);
            rc = analysis_rerun(a, o);
        }
        free(reason);
        input_files_free(in, n);
        files_beside(dir, &a->e.inputs, &a->e.ninputs, &a->e.unread, &a->e.nunread);
        for (size_t i = 0; i < a->e.nunread; i++) {
            const char *rel = a->e.unread[i].path;
            char *p = path_join(dir, rel);
            diag_warn(&a->diag, p, 0,
                      "not read: %s, and with no memory CSV in %s the report comes from "
                      "results.sqlite alone (put the memory CSV back to read the CSVs again)",
                      listed(a->e.inputs, a->e.ninputs, rel)
                          ? "it differs from the file results.sqlite was made from"
                          : "results.sqlite was made without it",
                      dir);
            free(p);
        }
    }
    diag_free(&d);
    free(path);
    return rc;
}

int analysis_load(const char *dir, const analysis_options *o, analysis *a, bool *from_archive,
                  char **why)
{
    if (archive_only(dir)) {
        char *reason = NULL;
        int rc = load_archive_only(dir, o, a, &reason);
        if (from_archive)
            *from_archive = true;
        if (why)
            *why = reason;
        else
            free(reason);
        return rc;
    }
    char *reason = NULL;
    bool grew = false, damaged = false;
    bool used = try_archive(dir, o, a, &reason, &grew, &damaged);
    if (from_archive)
        *from_archive = used;
    if (used) {
        if (why)
            *why = NULL;
        return 0;
    }
    int rc;
    experiment old;
    diag_list d;
    diag_init(&d);
    char *path = path_join(dir, ARCHIVE_FILE_NAME);
    /* archive_read_experiment fills `old` whatever it returns. */
    stats_prior prior = {0};
    archive_samples packed;
    struct stat before, after;
    bool stable = grew && stat(path, &before) == 0;
    if (grew) {
        char what[512];
        snprintf(what, sizeof what, "reading %s", path);
        util_set_activity(what);
    }
    bool resumable = grew && archive_read_experiment(path, dir, &old, &packed, &d) == 0;
    if (grew && !resumable) {
        /* Fresh by its inputs, but its samples cannot be read back: said as
         * a damaged archive is below, and the CSVs read whole. */
        damaged = true;
        free(reason);
        reason = xstrdup(d.n ? d.items[0].message : "its samples cannot be read");
    }
    if (resumable) {
        /* Only the appended rows are read; membership runs again over the
         * stored samples and the new ones, and so do the statistics,
         * except the per-collection ones of the earlier collections,
         * which are the archive's (the same samples and members). */
        analysis_options ro = *o;
        ro.resume = &old;
        /* Decoded by ingest's merge straight into the grown matrices. */
        ro.resume_samples = archive_samples_fill;
        ro.resume_ctx = &packed;
        if (archive_read_prior(path, &prior, &d) == 0)
            ro.prior = &prior;
        rc = analysis_run(dir, &ro, a);
        archive_prior_free(&prior);
        archive_samples_free(&packed);
        /* The archive writer may update a copy of the file the samples
         * came from, if it is still the file that was read. */
        stable = stable && stat(path, &after) == 0 && after.st_dev == before.st_dev &&
                 after.st_ino == before.st_ino && after.st_size == before.st_size &&
                 after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                 after.st_mtim.tv_nsec == before.st_mtim.tv_nsec;
        if (rc == 0 && a->e.notes.read_appended_only && stable)
            a->resumed = (archive_origin){
                .path = xstrdup(path), .dev = (unsigned long long)before.st_dev,
                .ino = (unsigned long long)before.st_ino,
                .size = (unsigned long long)before.st_size,
                .mtime_s = (long long)before.st_mtim.tv_sec,
                .mtime_ns = (long long)before.st_mtim.tv_nsec, .nrelays = old.nrelays,
                .ncoll = old.ncoll};
        if (a->e.notes.read_appended_only) {
            char *r = xasprintf("%s: read only the appended bytes", reason);
            free(reason);
            reason = r;
        }
    } else {
        rc = analysis_run(dir, o, a);
    }
    if (grew)
        experiment_free(&old);
    /* An archive whose inputs match but whose contents cannot be right
     * (absurd counts, a short blob) is never trusted: said, and replaced
     * by what the CSVs give. */
    if (damaged) /* said now, not kept in a->diag: the new archive must not record it */
        fprintf(stderr, "memreport: %s: warning: cannot be used (%s); the CSVs were read instead\n",
                path, reason);
    diag_free(&d);
    free(path);
    if (why)
        *why = reason;
    else
        free(reason);
    return rc;
}
