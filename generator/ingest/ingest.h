/* ingest.h - reads an experiment directory into an `experiment`.
 *
 * Reads, in order: experiment.json (manifest.c), the memory CSV
 * (memory.csv, memory_measurements.csv or measurements.csv), events.csv,
 * diagnostics.csv, relay_config.csv and the groups/ files. Every problem goes to
 * `d` with file and line; ingest carries on past an error where it can so
 * `memreport check` can list them all. Returns 0 when no error was added,
 * 1 otherwise (the experiment is then not fit for analysis, but is always
 * safe to free). With strict, conditions that are warnings otherwise (a
 * partial last line) are errors. */
#ifndef MEMREPORT_INGEST_H
#define MEMREPORT_INGEST_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "model.h"

typedef struct {
    bool strict;
    bool force_libcsv;   /* skip the fast path (tests, differential checks) */
    /* A memory CSV at least this big is read by two threads (0: 32 MiB);
     * tests set 1 to send small files down that path too. */
    unsigned long long parallel_min_bytes;
    /* The memory CSV as an earlier build read it (its archive): when the
     * file only grew since, only the appended bytes are read and joined to
     * these samples. NULL: read the whole file. */
    const experiment *resume;
    /* With resume: when resume holds no sample matrices (rss_kb NULL), this
     * fills the first resume->ncoll collections of every relay of e (its
     * matrices e->ncoll wide; relays after resume's get missing values)
     * from wherever the samples are kept, so they are written once, in
     * place. False when they cannot be read: the whole file is read. */
    bool (*resume_samples)(void *ctx, experiment *e);
    void *resume_ctx;
    /* The memory CSV is not hashed (its input_file gets an empty sha256):
     * for `check`, which prints nothing that depends on the hash. */
    bool no_memory_hash;
    /* When not NULL, a memory CSV that the two-thread reader parsed may
     * still be being hashed when ingest returns: *pending_hash is then that
     * job (else NULL), and the file's input_file has an empty sha256 and
     * no resume facts until ingest_hash_finish, which the caller must call
     * on every path. So work that needs no hash runs beside it. */
    struct ingest_hash **pending_hash;
} ingest_options;

/* Waits for a pending hash (NULL: nothing to do) and fills in its
 * input_file in e (NULL: the result is dropped); frees it. Returns 0, or 1
 * after adding an I/O error when the file could not be read. */
typedef struct ingest_hash ingest_hash;
int ingest_hash_finish(ingest_hash *h, experiment *e, diag_list *d);

/* Limits of the inputs (README, Limits). Beyond them an input is an error
 * naming it, never a long wait or an exhausted memory. Lines of every CSV
 * are limited by CSVR_MAX_LINE, the manifest by MANIFEST_MAX_*. */
#define INGEST_MAX_NOTES_BYTES (4 * 1024 * 1024)
#define INGEST_MAX_GROUP_FILE_BYTES (16 * 1024 * 1024)
#define INGEST_MAX_TABLE_ROWS 1000000 /* events.csv, diagnostics.csv, relay_config.csv */

int ingest_experiment(const char *dir, const ingest_options *opt, experiment *e, diag_list *d);

/* Lower-level entry points, for tests and for the archive's reuse path.
 * `display` is the name used in messages. */
int ingest_memory_csv(FILE *f, const char *display, const ingest_options *opt, experiment *e,
                      diag_list *d);

/* Reads dir/notes.md, when there is one, into e->notes_text (and, when
 * record, into e->inputs with its hash). Returns 0, or 1 after adding an
 * error when it exists but cannot be read. For an experiment read back
 * from its archive, whose inputs are already listed. */
int ingest_notes_md(const char *dir, experiment *e, bool record, diag_list *d);

/* How the memory CSV dir/rel compares with what an earlier read recorded
 * of it (`was`: bytes, tail_sha256, sha_state). Only the last 64 KiB
 * before the recorded size are read and hashed, so a change elsewhere
 * that keeps them is not seen: collectors only ever append. SAME: same
 * size, same tail. GREW: longer, the same tail where the file used to
 * end, which was the end of a line; the hash state lets the full hash be
 * carried on. OTHER: anything else (read it all). */
typedef enum { MEMORY_SAME, MEMORY_GREW, MEMORY_OTHER } memory_change;
memory_change ingest_memory_change(const char *dir, const input_file *was);

/* Finds the memory CSV in dir; returns its base name or NULL. */
const char *ingest_find_memory_csv(const char *dir);

#endif
