/* outset.h - a set of output files written all-or-nothing (DESIGN 7).
 *
 * Each staged file goes to a temporary file in its destination directory
 * (same file system, so the final rename is atomic); nothing visible
 * changes until outset_commit renames every temporary into place, in the
 * order staged. On any failure before the commit the temporaries are
 * removed and the previous outputs stay as they were.
 *
 * Test hook: with MEMREPORT_FAIL_AFTER=N in the environment, the N-th
 * staged write (1-based) fails as if the disk were full. */
#ifndef MEMREPORT_OUTSET_H
#define MEMREPORT_OUTSET_H

#include <stddef.h>

#include "diag.h"

typedef struct outset outset;

outset *outset_new(void);
/* Writes data to a temporary beside path (creating missing directories).
 * Returns 0, or -1 after adding an error naming path to d. */
int outset_add(outset *o, const char *path, const void *data, size_t len, diag_list *d);
/* Stages a copy of an existing file. */
int outset_add_copy(outset *o, const char *dest, const char *src, diag_list *d);
/* Creates an empty temporary beside dest and registers it, for writers
 * that need a file name rather than bytes (sqlite). *tmp is borrowed from
 * o. Returns 0, or -1 after adding an error to d. Counts as a staged
 * write for MEMREPORT_FAIL_AFTER. */
int outset_reserve(outset *o, const char *dest, const char **tmp, diag_list *d);
/* Stages dest as the same bytes as the complete file src: a hard link to
 * src made beside dest when both are on one file system (no bytes are
 * copied), else a copy streamed in blocks (EXDEV, EPERM and the like).
 * src may be a temporary this set staged (from outset_reserve), provided
 * its writer has finished it: the link shares its bytes from now on, and
 * the commit renames both names into place. The two names then share one
 * inode, so a later in-place change to one (memreport never makes one; it
 * always replaces files by rename) shows through the other. Counts as a
 * staged write for MEMREPORT_FAIL_AFTER. Returns 0, or -1 after adding an
 * error naming dest or src to d. */
int outset_add_link_or_copy(outset *o, const char *dest, const char *src, diag_list *d);
/* Number of files staged so far. */
size_t outset_count(const outset *o);
/* Renames every temporary into place. Returns 0, or -1 after adding an
 * error (temporaries not yet renamed are removed). */
int outset_commit(outset *o, diag_list *d);
/* Removes temporaries that were not committed and frees o. NULL is fine. */
void outset_free(outset *o);

#endif
