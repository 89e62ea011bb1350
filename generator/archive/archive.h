/* archive.h - results.sqlite: everything one build read and computed.
 *
 * One sqlite file per experiment (schema in docs/archive.md, versioned with
 * PRAGMA user_version). It is written in one transaction to a temporary
 * file in the destination directory and renamed into place, so readers see
 * either the previous archive or the new one, never a half-written file.
 *
 * The archive holds enough to rebuild a full `analysis` (experiment with
 * packed samples, membership, results, warnings) without reading the CSVs:
 * that is what makes rebuilds incremental and what `site` and `compare`
 * read. An archive is reused only when the inputs, the generator version,
 * the schema version and the options that change results (--until,
 * --baseline, --strict) are all the same as when it was written. */
#ifndef MEMREPORT_ARCHIVE_H
#define MEMREPORT_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "diag.h"
#include "model.h"
#include "outset.h"

#define ARCHIVE_SCHEMA_VERSION 6
#define ARCHIVE_FILE_NAME "results.sqlite"

/* Writes the archive of `a` (computed with options `o`; NULL means the
 * defaults) to `path`: a temporary file beside it (outset_save_temp's
 * .NAME.save-XXXXXX, which a later run holding that directory exclusive
 * removes if this one is killed first), then rename. An existing
 * archive whose mode has no write bit is left alone and reported as an
 * error (its owner protected it). Returns 0, or EXIT_IO after adding a
 * message naming `path` to d; on failure no temporary file is left and the
 * previous archive is untouched. */
int archive_write(const analysis *a, const analysis_options *o, const char *path, diag_list *d);

/* Writes a complete archive at exactly `tmp_path` (which must exist and be
 * empty, as outset_save_temp or outset_reserve leave it; it is never created here)
 * without renaming: for callers that stage several outputs and
 * rename them together. `display` names the final file in messages.
 * Returns 0 or EXIT_IO; on failure tmp_path may hold garbage that the
 * caller removes. */
int archive_write_file(const analysis *a, const analysis_options *o, const char *tmp_path,
                       const char *display, diag_list *d);

/* The same archive as bytes (an in-memory database serialised). It holds
 * the database twice in memory (sqlite's and the copy), so outputs are
 * staged with archive_stage instead; this stays for measuring the two
 * paths against each other. *data is malloc'd; free it. Returns 0 or
 * EXIT_IO. */
int archive_serialize(const analysis *a, const analysis_options *o, const char *display,
                      unsigned char **data, size_t *len, diag_list *d);

/* 0 when path may be replaced: it does not exist or has a write bit. An
 * archive made read-only is the owner's way of keeping it: EXIT_IO and a
 * message. */
int archive_check_replaceable(const char *path, diag_list *d);

/* Stages the archive at `path` in an output set so it is renamed together
 * with the build's other outputs: archive_check_replaceable, then
 * outset_reserve, then archive_write_file into that temporary, so the
 * database goes straight to disk. When `tmp` is not NULL it gets the
 * finished temporary's name (borrowed from os, valid until the commit),
 * for staging further names of the same bytes with
 * outset_add_link_or_copy. Returns 0 or EXIT_IO. */
int archive_stage(outset *os, const analysis *a, const analysis_options *o, const char *path,
                  const char **tmp, diag_list *d);

/* archive_stage in two halves, so the archive is written by a thread of
 * its own while the caller renders the other outputs: begin checks that
 * `path` may be replaced and reserves its temporary in `os` (in the
 * calling thread, so the outset is only ever touched there), then starts
 * the write; `a`, `o` and `path` must stay unchanged until end. Returns
 * NULL after an error (in d). */
typedef struct archive_job archive_job;
archive_job *archive_stage_begin(outset *os, const analysis *a, const analysis_options *o,
                                 const char *path, diag_list *d);
/* Waits for the write and frees the job (NULL: returns EXIT_IO); its
 * messages are added to d. Returns 0 with *tmp (when not NULL) the
 * finished temporary's name, as archive_stage gives it, or EXIT_IO.
 * After an append (a->resumed), the archive is a copy of the one it
 * replaces with only what changed written again: *kept (when not NULL)
 * gets the number of leading collections whose packed samples were kept
 * as they were (0: written whole). */
int archive_stage_end(archive_job *j, const char **tmp, size_t *kept, diag_list *d);

/* Reads an archive back into `a` (which must be zeroed or freshly
 * initialised). e.dir is set to `dir` (the experiment directory the
 * archive belongs to; file names in stored messages are made relative to
 * it). Archives of older schemas are read too (docs/archive.md, "Archives
 * of older schemas"); archive_matches_inputs never takes one for current.
 * Returns 0; 1 when the file is not an archive of a schema this memreport
 * reads (schema 1, a newer one, corrupt, truncated: a message in d); 3
 * when it cannot be opened. `a` is always safe to free with analysis_free. */
int archive_read(const char *path, const char *dir, analysis *a, diag_list *d);

/* An archive's samples still packed (archive_read_experiment), checked
 * row by row for their place but not yet decoded. */
typedef struct archive_samples {
    unsigned char *arena;      /* the BLOBs, copied out of sqlite */
    struct packed_row *rows;   /* one per (segment, relay) */
    size_t nrows, nrelays, ncoll, ncolgroups, nsamples;
    bool has_group;
} archive_samples;

/* Reads only what ingest produced, from an archive of the current schema
 * alone: the experiment with its packed samples (every relay's columns
 * decoded, as the CSVs gave them), the inputs with
 * their sizes, hashes, tail hashes and SHA-256 states, events, hosts,
 * groups files and the manifest, for a rebuild that parses only the bytes
 * appended to memory.csv and recomputes membership and statistics from
 * the stored samples plus the new ones. `e` is overwritten (free it with
 * experiment_free, whatever the status). When `packed` is not NULL the
 * samples are not decoded: e has no sample matrices and *packed keeps
 * them for archive_samples_fill (free with archive_samples_free, also
 * after a failure). Returns like archive_read. */
int archive_read_experiment(const char *path, const char *dir, experiment *e,
                            archive_samples *packed, diag_list *d);

/* Decodes packed samples (ctx: an archive_samples) into the first
 * collections of the first relays of e, whose matrices may be wider (more
 * relays, more collections); the later relays get missing values at those
 * collections. False, with e's cells unspecified, when a column does not
 * decode or the counts do not add up. The shape of
 * ingest_options.resume_samples. */
bool archive_samples_fill(void *ctx, experiment *e);
void archive_samples_free(archive_samples *s);

/* The per-collection group statistics an archive holds (group_stats, by
 * group, with the groups' ids and the experiment's collection count), for
 * a rebuild after an append (stats_options.prior). Returns like
 * archive_read; free with archive_prior_free (also safe after a failure). */
int archive_read_prior(const char *path, stats_prior *p, diag_list *d);
void archive_prior_free(stats_prior *p);

/* True when the archive at `path` was written by this generator in the
 * current schema version, from inputs with exactly these paths and
 * SHA-256 hashes (the manifest is one of them), with the same
 * result-changing options. When false and `why` is not NULL, *why gets a
 * malloc'd reason ("no archive", "memory.csv changed", "archive schema
 * version 4, this memreport writes version 6", ...). Never changes the
 * file. */
bool archive_matches_inputs(const char *path, const input_file *inputs, size_t ninputs,
                            const analysis_options *o, char **why);

/* The input files an archive recorded (path, bytes, rows, sha256), for
 * hashing the same files again. *out is malloc'd (input_files_free).
 * Returns 0, else 1 or 3 with *why (malloc'd) saying why. */
int archive_stored_inputs(const char *path, input_file **out, size_t *n, char **why);

/* The analysis of `dir`: read from dir/results.sqlite when that archive
 * matches the directory's current inputs and `o`, else computed with
 * analysis_run. *from_archive tells which. When `why` is not NULL it gets
 * the reason the archive was not used (malloc'd, NULL when it was). A
 * damaged archive is never fatal: the CSVs are read instead. Returns
 * analysis_run's status. */
int analysis_load(const char *dir, const analysis_options *o, analysis *a, bool *from_archive,
                  char **why);

/* 0 when dir/results.sqlite is what analysis_load would read as it is:
 * its inputs are dir's inputs now (hashed again as analysis_load does, the
 * memory CSV by its size and last 64 KiB) and o its options; or, in a
 * directory with no memory CSV, an archive whose inputs can be read. *in
 * gets the archive's list of inputs (path, bytes, sha256; free with
 * input_files_free), and *unread what experiment.unread would hold (NULL
 * unless the archive is kept alone). -1 otherwise, *why (malloc'd, may be
 * NULL) saying why. Reads no samples: the build record (build_record.c)
 * keys on it. */
int archive_current_inputs(const char *dir, const analysis_options *o, input_file **in,
                           size_t *n, input_file **unread, size_t *nunread, char **why);

/* True when dir holds results.sqlite and no memory CSV: a concluded
 * experiment kept as its archive. analysis_load then reads the archive
 * (*from_archive is true); when it was written with other options or by
 * another version, membership and stats run again over its samples (*why
 * says so). A damaged or impossible archive is an error (1, or 3 when it
 * cannot be opened) with the archive's message in a->diag. */
bool archive_only(const char *dir);

/* What archive_check found. */
typedef struct {
    long long schema_version;   /* PRAGMA user_version, -1 when unreadable */
    bool integrity_ok;          /* PRAGMA integrity_check said "ok" */
    bool read_ok;               /* read back whole, every count matching its rows */
} archive_facts;

/* Checks the archive at `path` (of experiment `dir`) for `memreport
 * check`: sqlite's integrity check, the schema version, then a full read
 * into `a` (safe to free in any case), which refuses stored counts that
 * do not match the stored rows. Problems go to d. Returns 0, 1 (damaged
 * or another schema) or 3 (cannot be opened). */
int archive_check(const char *path, const char *dir, archive_facts *f, analysis *a,
                  diag_list *d);

#endif
