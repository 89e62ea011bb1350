/* outset_internal.h - what the files of the output set share (outset.c,
 * outset_lock.c, outset_dirs.c, outset_recover.c): its structs and the
 * helpers one file defines for another. Not for use outside them. */
#ifndef MEMREPORT_OUTSET_INTERNAL_H
#define MEMREPORT_OUTSET_INTERNAL_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "diag.h"
#include "outset.h"

#define JOURNAL_NAME ".memreport.journal"
/* Version 2 adds "lock" lines: the set's other directories to write. A
 * version 1 journal (a run before them) is finished as it always was. */
#define JOURNAL_MAGIC "memreport journal 2"
#define JOURNAL_MAGIC_V1 "memreport journal 1"
/* The kind of a temporary written by name beside a file in a directory
 * that is only read (outset_save_temp): .NAME.save-XXXXXX. */
#define SAVE_KIND "save"
/* A reference to a journal, left in a folder outside the journal's own
 * directory that its commit renames into (build Y -o X/www):
 * .memreport.journal-ref-XXXXXX, holding the journal's absolute path. */
#define REF_BASE "memreport"
#define REF_KIND "journal-ref"
#define NONE ((size_t)-1)
/* A directory opened as itself: a symbolic link there fails (ENOTDIR or
 * ELOOP). */
#define DIR_NOFOLLOW (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

typedef struct {
    char *dest;
    char *tmp;
    char *backup;   /* hard link to the previous dest, or NULL */
    size_t dir;     /* the folder of all three (o->dirs); NONE: a removal not
                     * looked at yet, or whose folder is missing */
    bool renamed;
    bool remove;    /* no tmp: dest is removed by the commit */
} staged;

typedef struct {
    char *dir;        /* as given */
    int fd;           /* the directory itself, flocked until outset_free;
                         -1 once let go */
    bool write;       /* outputs go below it (else it is only read) */
    bool exclusive;   /* LOCK_EX: to write, or read with a journal to finish */
    unsigned readers; /* outset_lock_dirs' OUTSET_READ entries for it, less
                         outset_unlock_read's */
} root;

/* A folder files are written into, opened once. */
typedef struct {
    char *path;     /* as the staged paths spell it */
    int fd;
    size_t root;    /* the root to write it was opened from, or NONE */
    dev_t dev;      /* what fd is, to tell it from a folder put in its place */
    ino_t ino;
} destdir;

typedef struct {
    destdir *v;
    size_t n, cap;
} dirset;

/* A folder holding what a killed run's journal, found but not finished
 * (another run holds its directory), still needs: nothing of this set may
 * be renamed into it, or that journal's replay would rename its stale
 * temporaries over it later. */
typedef struct {
    dev_t dev;
    ino_t ino;
    char *journal;
} held_dir;

/* A reference to the set's journal that the commit wrote (REF_KIND). */
typedef struct {
    size_t dir;  /* its folder (o->dirs) */
    char *name;
} journal_ref;

struct outset {
    staged *files;
    size_t n, cap;
    long fail_after;   /* test hook: 0 = off */
    long writes;
    long fail_rename;  /* test hook: the N-th commit rename fails */
    long pause_ms;     /* test hook: the commit waits before its renames */
    root *roots;
    size_t nroots, rcap;
    dirset dirs;
    journal_ref *refs; /* written by the commit, removed with its journal */
    size_t nrefs, refcap;
    held_dir *held;    /* outset_recover's: folders the commit must not write */
    size_t nheld, hcap;
    outset *next_live; /* every outset not yet freed, for the fatal hook */
};

typedef enum { DIR_OK, DIR_MISSING, DIR_LINK, DIR_FAILED } dir_status;

/* outset_dirs.c */
/* The last component of path: the name a descriptor of its folder takes. */
const char *outset_base_of(const char *path);
/* True when the resolved path is top or lies below it (a trailing slash
 * of top aside; every path lies below "/"). */
bool outset_path_within(const char *path, const char *top);
/* Adds the error for path, a symbolic link where outputs are written. */
void outset_link_refused(const char *path, bool site, diag_list *d);
/* The length of r's spelling without trailing slashes. */
size_t outset_root_len(const root *r);
/* The registered root to write that path lies under, or NONE. */
size_t outset_root_of(const outset *o, const char *path);
/* True when path itself is a symbolic link. */
bool outset_is_link(const char *path);
/* Opens the directory rel below at, never through a link (-1, errno). */
int outset_open_below(int at, const char *rel, bool create, size_t *failed);
/* mkdir -p dir, for a folder outside every root to write (-1, errno). */
int outset_make_dirs(const char *dir);
/* The index of the folder named path in s, or NONE. */
size_t outset_dirset_find(const dirset *s, const char *path);
/* Adds the open folder fd, named path (owned by s): its index, or NONE. */
size_t outset_dirset_add(dirset *s, char *path, int fd, size_t root);
/* Closes and frees every folder of s. */
void outset_dirset_free(dirset *s);
/* The folder of dest as *idx in o->dirs, opened the first time asked. */
dir_status outset_dir_get(outset *o, const char *dest, bool create, size_t *idx, char **link,
                          int *err);
/* The commit's step-1 check that folder i is still the one opened. */
int outset_dir_still_there(const outset *o, size_t i, diag_list *d);

/* outset_lock.c */
/* The first root to write: where the set's journal lives. NULL if none. */
const root *outset_home_of(const outset *o);
/* True when outset_recover finishes a journal found in r: in every
 * directory held exclusive, to write or to read (outset_lock_dirs). */
bool outset_recovers_journal(const root *r);
/* The pid holding a flock on fd's file, from /proc/locks (Linux), and
 * whether that lock is shared (*reading); 0 when it cannot be told. */
long outset_lock_holder(int fd, bool *reading);
/* The root of o that is the directory fd is open on, or NONE. */
size_t outset_root_same(const outset *o, int fd);

/* outset_recover.c */
/* The "lock" lines of the finished journal in r (malloc'd, *n of them;
 * NULL when none): the other directories its killed run wrote. */
char **outset_journal_locks(const root *r, size_t *n);
/* True when the folder dirfd itself holds a file outset_is_saved_leftover
 * accepts. */
bool outset_saved_left(int dirfd);

/* outset.c */
/* fsyncs the folder fd; a file system that cannot is no error. */
int outset_sync_dir(int fd);
/* Removes the journal in home and syncs home. */
void outset_journal_remove(const root *home);
/* Puts a destination's previous file back from its backup (or removes a
 * new one). */
void outset_put_back(int dfd, const char *dest, int bfd, const char *backup, bool dest_is_new);
/* The folder (dev, ino) in o->held, where outset_recover kept files for a
 * journal it could not finish, or NULL. */
const held_dir *outset_held_at(const outset *o, dev_t dev, ino_t ino);

#endif
