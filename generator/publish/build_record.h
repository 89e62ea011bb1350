/* build_record.h - what the last build was made from and what it wrote,
 * so a build with nothing changed writes nothing and renders nothing.
 *
 * Every successful `memreport build` stages EXPDIR/.memreport.build in the
 * same output set (outset) as its other outputs, so the record commits, or
 * fails, with them. It holds a key, SHA-256 over everything that can change
 * any output byte (the program's own bytes, the archive's inputs as the
 * freshness check just matched them, the options, the templates and assets
 * read, the site theme's files, SOURCE_DATE_EPOCH), the list of every
 * output with its size and SHA-256 (results.sqlite by its inode, size and
 * modification time, its site download by being the same inode), the paths
 * the build removed, and the analysis's messages. The next build computes
 * the key again; when it is the same and every output still is as listed,
 * that build prints the same messages and stops (docs/architecture.md,
 * "The build record"). Any doubt (no record, another format, a bad
 * checksum, a line it cannot parse, a file that differs) means a normal
 * build. */
#ifndef MEMREPORT_BUILD_RECORD_H
#define MEMREPORT_BUILD_RECORD_H

#include <stdbool.h>

#include "analysis.h"
#include "diag.h"
#include "outset.h"
#include "sha256.h"
#include "site_theme.h"

#define BUILD_RECORD_NAME ".memreport.build"

/* What a build is made from, besides the experiment's inputs and the
 * site theme. */
typedef struct {
    const char *dir;          /* EXPDIR as given */
    const char *site;         /* the site's directory as given */
    const char *single_file;  /* --single-file FILE, or NULL */
    const char *options;      /* every option that changes outputs, as one text */
} build_key_input;

/* The key, being made: everything but the experiment's inputs. */
typedef struct {
    sha256_ctx ctx;
    bool ok;      /* false: a file could not be read; no record is written */
} build_key;

/* Starts the key with the program, the options, SOURCE_DATE_EPOCH and
 * every file of the templates/ and assets/ a build reads. Call it before
 * they are loaded: an edit after this makes the next build differ. */
void build_key_start(build_key *k, const build_key_input *in);
/* Adds the site theme as loaded (NULL: none). */
void build_key_add_theme(build_key *k, const site_theme *t);

/* True when dir's record has the key k gives with the inputs that
 * archive_current_inputs finds current (under options ao), and every
 * output it lists is as recorded; *msgs then gets the messages the
 * recorded build printed (free with diag_free). Else false with *why
 * (malloc'd, may be NULL) saying why. Reads no samples and renders
 * nothing. */
bool build_record_holds(const char *dir, const build_key *k, const analysis_options *ao,
                        diag_list *msgs, char **why);

/* The record's text check (text[0..len), NUL-terminated, modified):
 * format line, checksum, key (64 hex digits) and every line against the
 * file system; what build_record_holds does after reading the file. For
 * the tests and the fuzzer. */
bool build_record_check_text(char *text, size_t len, const char *key, diag_list *msgs,
                             char **why);

/* Stages dir's record of the set os holds now (call it after the last
 * other output is staged): the key with e's inputs (as the archive stores
 * them), archive the path of the staged results.sqlite (archive_tmp its
 * finished temporary, or NULL when the archive is kept as it is) and msgs
 * the analysis's messages. A build that cannot be keyed, or whose outputs
 * cannot all be recorded, removes the record instead. Returns 0, or -1
 * after adding an error to d. */
int build_record_stage(outset *os, const char *dir, const build_key *k, const experiment *e,
                       const char *archive, const char *archive_tmp, const diag_list *msgs,
                       diag_list *d);

#endif
