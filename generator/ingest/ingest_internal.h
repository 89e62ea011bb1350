/* ingest_internal.h - helpers shared by the ingest modules (ingest.c,
 * ingest_memory.c, ingest_tables.c, ingest_groups.c). Not for other stages. */
#ifndef MEMREPORT_INGEST_INTERNAL_H
#define MEMREPORT_INGEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csvread.h"
#include "diag.h"
#include "ingest.h"
#include "model.h"
#include "util.h"

/* Index of the header column called name (ASCII case-insensitive), or -1. */
int ingest_column(const csv_row *hdr, const char *name);
/* Reads the header row of r into *hdr (valid until the next read: map the
 * columns at once). Returns false after reporting an empty file or a file
 * with no header. */
bool ingest_header(csvr *r, diag_list *d, const char *display, csv_row *hdr);
/* Whole non-negative decimal number, no sign, no spaces. */
bool ingest_parse_u64(const char *s, size_t n, uint64_t *out);
/* A decimal number as the collectors write them (-1.5, 2.93, 1e3). */
bool ingest_parse_double(const char *s, size_t n, double *out);

/* Inline fast paths for the memory CSV's millions of numbers. Each takes
 * only the plainest form and then gives exactly what the general function
 * gives; on false the caller asks the general one (which also explains an
 * error). */
extern const double ingest_pow10[19];

/* 1 to 9 digits: a kB value, always below KB_MISSING. */
static inline bool ingest_kb_digits(const char *s, size_t n, uint32_t *out)
{
    if (n == 0 || n > 9)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Digits with at most one '.', no sign, at most 17 digits: the value
 * ingest_parse_double's own simple path computes, mant / 10^frac. */
static inline bool ingest_plain_decimal(const char *s, size_t n, double *out)
{
    if (n == 0 || n > 18)
        return false;
    uint64_t mant = 0;
    unsigned digits = 0, frac = 0;
    bool dot = false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d <= 9) {
            mant = mant * 10 + d;
            digits++;
            frac += dot;
        } else if (s[i] == '.' && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    if (!digits || digits > 17)
        return false;
    *out = (double)mant / ingest_pow10[frac];
    return true;
}
/* Copies a field into a NUL-terminated string (caller frees). */
char *ingest_strdup_field(const csv_row *row, int col);
/* Appends an input_file entry to e->inputs and returns it. */
input_file *ingest_add_input(experiment *e, const char *path, uint64_t bytes, uint64_t rows,
                             const char *sha_hex);
/* Quotes a field for a message: at most 40 bytes, control bytes escaped. */
const char *ingest_show(const char *s, size_t n, char *buf, size_t cap);

/* The optional tables (ingest_tables.c). Each reads one open file;
 * `display` names it in messages and `rel` is its path relative to the
 * experiment directory. Return 0, or 1 when they added errors. */
int ingest_events_csv(FILE *f, const char *display, const char *rel, const ingest_options *opt,
                      experiment *e, diag_list *d);
int ingest_diagnostics_csv(FILE *f, const char *display, const char *rel,
                           const ingest_options *opt, experiment *e, diag_list *d);
int ingest_relay_config_csv(FILE *f, const char *display, const char *rel,
                            const ingest_options *opt, experiment *e, diag_list *d);

/* Group files (ingest_groups.c). Reads dir/rel as a member list into a new
 * e->gfiles entry with the given ID; `display` names it in messages. */
int ingest_group_file(const char *dir, const char *rel, const char *display, const char *id,
                      experiment *e, diag_list *d);
/* Reads every groups/group_<ID>_<slug>.txt under dir, in name order. */
int ingest_group_dir(const char *dir, experiment *e, diag_list *d);
/* Parses "group_<ID>_<slug>.txt" (or "group_<ID>.txt"); returns the ID
 * (caller frees) or NULL when the name does not follow the pattern. */
char *ingest_group_id_from_name(const char *base);
/* True when dir/rel names something inside dir: rel is relative, has no
 * ".." component, and (when it exists) resolves, symlinks followed, to a
 * path under dir. Otherwise *why gets a message (caller frees). */
bool ingest_path_inside(const char *dir, const char *rel, char **why);
/* Every input passes here before it is opened: dir/rel must resolve
 * inside dir (symlinks followed), exist (a dangling symlink is an error),
 * be a regular file (a FIFO would block, /dev/zero never ends) and begin
 * as text (under a .gz or .zst name, once decompressed): a known binary
 * format (instream_sniff) or a NUL byte in the first 8 KiB is one error,
 * at line 1 or the NUL's.
 * Returns 0, or 1 (bad input) or 3 (I/O) after adding an error naming
 * display. */
int ingest_check_input(const char *dir, const char *rel, const char *display, diag_list *d);
/* Says why display could not be opened or read (file_result_text) and
 * returns its exit status: 3 for the system's failure, 1 for the input's
 * (missing, not a regular file, too big). */
int ingest_open_failed(const char *display, const file_result *fr, diag_list *d);
/* Checks dir/rel as above and reads it whole, at most max bytes. Returns
 * the NUL-terminated text, or NULL after adding an error (*rc 1 or 3). */
char *ingest_read_input(const char *dir, const char *rel, const char *display, size_t max,
                        size_t *len, diag_list *d, int *rc);

#endif
