/* outset.h - a set of output files written all-or-nothing (DESIGN 7).
 *
 * Each staged file goes to a temporary file in its destination directory
 * (same file system, so the final rename is atomic); nothing visible
 * changes until outset_commit renames every temporary into place, in the
 * order staged. On any failure before the commit the temporaries are
 * removed and the previous outputs stay as they were.
 *
 * The commit is atomic as a set, durable and locked; outset.c says how
 * (and docs/architecture.md, "The commit"). One program at a time writes
 * into a locked directory (outset_lock_dirs), and none reads a directory
 * locked to read while another writes it; the first directory locked to
 * write holds the commit's journal, which the next run finishes
 * (outset_recover). Each folder a file goes into is opened once, and
 * every create, sync, link, rename and unlink goes through that
 * descriptor.
 *
 * Test hooks: with MEMREPORT_FAIL_AFTER=N in the environment, the N-th
 * staged write (1-based) fails as if the disk were full; with
 * MEMREPORT_FAIL_RENAME=N, the N-th rename of the commit fails (EIO);
 * with MEMREPORT_PAUSE_COMMIT=MS, the commit waits MS milliseconds once
 * its journal is written, before the first rename. */
#ifndef MEMREPORT_OUTSET_H
#define MEMREPORT_OUTSET_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct outset outset;

outset *outset_new(void);
/* How outset_lock_dirs takes a directory. */
typedef enum {
    OUTSET_WRITE, /* outputs go there: exclusive; made when missing */
    OUTSET_READ   /* only read: shared with other readers, never with a writer */
} outset_mode;
typedef struct {
    const char *dir;
    outset_mode mode;
    int err; /* set by outset_lock_dirs: 0, or the errno that kept a
                directory to read from being opened (it is not locked
                then, and should be left unread) */
} outset_dir;
/* Locks every directory of dirs[0..n) with flock on the directory itself,
 * held until outset_free (or outset_unlock_read); one named twice (by any
 * spelling) is locked once, to write if either asks. When one is taken,
 * says so on stderr (with the holder's pid) and waits for it with every
 * other lock of o let go, then takes the rest back without waiting (and
 * waits again, alone, for one that is taken now), so no two runs can each
 * hold what the other waits for. A directory to read that holds a killed
 * run's journal is taken exclusive instead, so that outset_recover may
 * finish that commit; under a shared lock no journal can appear. Under a
 * directory to write, outputs are written only into real directories:
 * each folder is opened from that directory's descriptor one component at
 * a time without following a link, so a symlinked charts/ or site/ is an
 * error when a file is staged, and again at the commit if it became one
 * since; one swapped for a link later still gets the files, as the
 * directory opened. Each directory named, and those above it, may be
 * links (the user named them), except a directory to write below one
 * named before it to write (build X -o X/www), which is made and opened
 * from that one's descriptor as its folders are. The first directory to
 * write is the set's home, where its journal lives. A directory to read
 * whose own folder holds a leftover of outset_save_temp is taken
 * exclusive too, so that no run writing one there is live when
 * outset_recover removes it; and so is one named by a "lock" line of a
 * journal outset_recover is to finish (a killed build's -o that this run
 * reads). Returns 0, or -1 after adding an error to d (o's locks may then
 * be let go: free it). */
int outset_lock_dirs(outset *o, outset_dir *dirs, size_t n, diag_list *d);
/* outset_lock_dirs for the one directory DIR, to write. */
int outset_lock(outset *o, const char *dir, diag_list *d);
/* Lets go of dir, locked to read, once it has been read as many times as
 * it was locked: a build of it need not wait for the rest of the run. A
 * directory also locked to write stays locked. */
void outset_unlock_read(outset *o, const char *dir);
/* Checks path, a directory outputs are written into below a locked one
 * (EXPDIR/charts, SITE/data), before anything is read: missing or a real
 * directory is fine; a symbolic link (to a directory, dangling or
 * looping) or a file is an error of the data (exit 1) naming path, where
 * it leads and what to do; with site, a link to a directory is answered
 * with "pass -o TARGET". Returns 0, or -1 after adding an error to d. */
int outset_check_dir(const char *path, bool site, diag_list *d);
/* For a directory named on the command line (-o SITE): a symbolic link to
 * a directory is followed once, *real being its target's real path, so
 * the lock and every write go to that one directory; otherwise *real is a
 * copy of path. A dangling or looping link, or one to a file, is an error
 * (exit 1). Caller frees *real. Returns 0, or -1 after adding an error. */
int outset_resolve_dir(const char *path, char **real, diag_list *d);
/* With the locks held: finishes (or undoes) a commit that a killed run
 * left in the journal of each directory held exclusive (every directory
 * to write, not only the home: a killed site's journal in the SITE of
 * build EXPDIR -o SITE; and each directory to read that outset_lock_dirs
 * took exclusive for its journal), then removes temporaries and backups
 * that killed runs left under every directory to write (three levels
 * down, only names outset_is_leftover accepts; none that a journal left
 * below still names, for the run that finishes it; nothing in a folder
 * another run holds locked, nor below it, as that run may be staging
 * there, and a folder swept is locked meanwhile; not under one only
 * read, where the run writes nothing of its set), and the
 * leftovers of outset_save_temp in the folder of every directory held
 * exclusive (that folder alone: one below may be another's, read by a
 * live run). Before the sweep, a journal above a directory written, or
 * one that a reference in a folder swept leads to (a killed build Y -o
 * X/www's, seen by build X), is finished when its directory and lock
 * lines can be locked without waiting; otherwise what it names is kept,
 * and said so on stderr. A journal that names another directory its
 * killed run wrote (a build's -o SITE) is finished only under that
 * directory's lock too,
 * taken exclusive without waiting; when another run holds it, the journal
 * is kept for a later run and that is an error (exit 3), which names the
 * holder. Returns 0, or -1 after an error. */
int outset_recover(outset *o, diag_list *d);
/* After outset_recover: refuses a run that will write into one of dirs
 * (those that exist) when the recovery kept files there that another
 * directory's unfinished journal still needs. The commit refuses such a
 * set anyway; this says so before any work is done. Returns 0, or -1
 * after an error (I/O: the folder is another run's for now). */
int outset_check_held(const outset *o, const char *const *dirs, size_t n, diag_list *d);
/* True for a file name this module makes for its temporaries and backups:
 * .NAME.tmp-XXXXXX and .NAME.old-XXXXXX (with sqlite's -journal, -wal or
 * -shm after it). */
bool outset_is_leftover(const char *name);
/* True for the name of a reference to a journal that a commit leaves in
 * a folder outside the journal's directory: .memreport.journal-ref-XXXXXX
 * exactly. */
bool outset_is_journal_ref(const char *name);
/* Creates an empty .NAME.save-XXXXXX beside path (mode 0600), for a writer
 * that replaces path by its own rename in a directory this run holds only
 * to read (a site saving an experiment's results.sqlite under a shared
 * lock). *tmp gets its path, spelled as path is (caller frees). Returns
 * the open descriptor, or -1 with errno set. */
int outset_save_temp(const char *path, char **tmp);
/* True for a name outset_save_temp makes: .NAME.save-XXXXXX exactly. */
bool outset_is_saved_leftover(const char *name);
/* Writes data to a temporary beside path (creating missing directories);
 * when path already holds exactly these bytes (a plain file with one link
 * and the umask's mode) it is kept instead, untouched by the commit.
 * Returns 0, or -1 after adding an error naming path to d. */
int outset_add(outset *o, const char *path, const void *data, size_t len, diag_list *d);
/* Stages a copy of an existing file. */
int outset_add_copy(outset *o, const char *dest, const char *src, diag_list *d);
/* Creates an empty temporary beside dest and registers it, for writers
 * that need a file name rather than bytes (sqlite). *tmp is borrowed from
 * o. The writer opens it by that name (the one write of a set that goes
 * by path); the commit renames it through its folder's descriptor, as
 * every other file. Returns 0, or -1 after adding an error to d. Counts
 * as a staged write for MEMREPORT_FAIL_AFTER. */
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
/* True when a file staged so far goes to path (compared with both
 * directories resolved, so "exp/./REPORT.md" is "exp/REPORT.md"). */
bool outset_has(const outset *o, const char *path);
/* Removes path at the commit, as one step of the set: it stays until the
 * renames, and a failed or killed commit puts it back with the rest. A
 * path that is missing (or a directory) then is left alone. Returns 0. */
int outset_remove(outset *o, const char *path);
/* Number of files staged so far. */
size_t outset_count(const outset *o);
/* The i-th staged entry (i < outset_count), for a caller that records
 * what a set holds (the build record): its destination as staged, its
 * temporary (NULL when the destination is kept as it is, or removed), and
 * whether the commit removes it. Pointers are borrowed from o. */
typedef struct {
    const char *dest;
    const char *tmp;
    bool remove;
} outset_entry;
outset_entry outset_entry_at(const outset *o, size_t i);
/* True when a test hook (MEMREPORT_FAIL_AFTER, MEMREPORT_FAIL_RENAME,
 * MEMREPORT_PAUSE_COMMIT) is set: every file is then written, none kept
 * as it was, so a caller should not skip writing either. */
bool outset_writes_all(const outset *o);
/* Renames every temporary into place, all or nothing (a failure puts the
 * renamed ones back). First each folder below a directory locked to write
 * must still be the directory its files were staged in: a link there is
 * an error of the data (exit 1), a folder moved or replaced the system's.
 * Returns 0, or -1 after adding an error; the temporaries are removed by
 * outset_free. */
int outset_commit(outset *o, diag_list *d);
/* Removes temporaries that were not committed and frees o. NULL is fine. */
void outset_free(outset *o);

#endif
