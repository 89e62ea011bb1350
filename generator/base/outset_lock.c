/* outset_lock.c - the locks of a run's directories (see outset.h).
 *
 * Each directory is locked by flock on its own descriptor, to write
 * (exclusive) or to read (shared), all in one call (outset_lock_dirs) that
 * never waits for one lock while holding another, so two runs that want
 * each other's directories cannot deadlock. A directory read that holds a
 * killed run's journal is taken exclusive, for outset_recover; so is one
 * that a leftover of outset_save_temp is in, or that such a journal names
 * in its "lock" lines. */
#include "outset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outset_internal.h"
#include "util.h"

long outset_lock_holder(int fd, bool *reading)
{
    struct stat st;
    *reading = false;
    FILE *f = fstat(fd, &st) == 0 ? fopen("/proc/locks", "r") : NULL;
    if (!f)
        return 0;
    char line[256];
    long found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char kind[16], mode[16], dev[64];
        long pid;
        unsigned long long ino;
        /* "1: FLOCK  ADVISORY  WRITE 4242 fe:01:123456 0 EOF" (READ: shared) */
        if (sscanf(line, "%*d: %15s %*s %15s %ld %63[^ ]", kind, mode, &pid, dev) == 4 &&
            !strcmp(kind, "FLOCK")) {
            const char *c = strrchr(dev, ':');
            if (c && sscanf(c + 1, "%llu", &ino) == 1 && ino == (unsigned long long)st.st_ino) {
                found = pid;
                *reading = !strcmp(mode, "READ");
            }
        }
    }
    fclose(f);
    return found;
}

static void say_waiting(const root *r)
{
    bool reading;
    long pid = outset_lock_holder(r->fd, &reading);
    if (pid > 0)
        fprintf(stderr, "memreport: %s is being %s by another memreport (pid %ld); waiting\n",
                r->dir, reading ? "read" : "written", pid);
    else
        fprintf(stderr, "memreport: %s is being written by another memreport; waiting\n", r->dir);
}

static int lock_op(const root *r)
{
    return r->exclusive ? LOCK_EX : LOCK_SH;
}

/* Takes, without waiting, every lock of o but the skip-th (o->nroots: no
 * exception). Returns the first one another process holds, or o->nroots
 * when all are held. */
static size_t take_others(outset *o, size_t skip)
{
    for (size_t i = 0; i < o->nroots; i++) {
        const root *r = &o->roots[i];
        if (i != skip && r->fd >= 0 && flock(r->fd, lock_op(r) | LOCK_NB) != 0)
            return i;
    }
    return o->nroots;
}

/* Takes every lock of o. Waiting for a taken one while holding the others
 * could deadlock with a run that holds it and waits for one of ours (two
 * builds, each with the other's experiment as its -o; a site that reads
 * an experiment and a build of it whose -o is the site's). So all are let
 * go, the busy one is waited for alone, and the others are taken back
 * without waiting; when one of them is taken now, everything is let go
 * again and that one is waited for. Nothing is read or written under
 * these locks before all are held. */
static int take_all(outset *o, diag_list *d)
{
    size_t busy = take_others(o, o->nroots);
    if (busy == o->nroots)
        return 0;
    bool *said = xcalloc(o->nroots, sizeof *said);
    int rc = 0;
    for (;;) {
        for (size_t i = 0; i < o->nroots; i++)
            if (o->roots[i].fd >= 0)
                flock(o->roots[i].fd, LOCK_UN);
        const root *r = &o->roots[busy];
        if (!said[busy])
            say_waiting(r);
        said[busy] = true;
        while ((rc = flock(r->fd, lock_op(r))) != 0 && errno == EINTR)
            ;
        if (rc != 0) {
            diag_io(d, r->dir, 0, "cannot lock: %s", strerror(errno));
            break;
        }
        busy = take_others(o, busy);
        if (busy == o->nroots)
            break;
    }
    /* After a failure the run stops; outset_free closes every lock. */
    free(said);
    return rc;
}

/* Opens e's directory to lock it. The lock is the directory itself (flock
 * works on a directory's descriptor): no lock file to publish, leave
 * behind or clean up. A directory to write is made when missing: below a
 * root to write registered already (build X -o X/www) it is made and
 * opened from that root's descriptor, never through a link; anywhere else
 * as named (the user's). A directory to read is never made, and is opened
 * as named: nothing of the set is written through it, and it is read by
 * that name. Returns the descriptor, or -1 with errno set; for a
 * directory to write, with an error added to d too. */
static int open_root(const outset *o, const outset_dir *e, diag_list *d)
{
    if (e->mode == OUTSET_READ)
        return open(e->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const char *dir = e->dir;
    char *probe = path_join(dir, ".");
    size_t ri = outset_root_of(o, probe);
    free(probe);
    if (ri == NONE) {
        if (outset_make_dirs(dir) != 0) {
            diag_io(d, dir, 0, "cannot create directory: %s", strerror(errno));
            return -1;
        }
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            diag_io(d, dir, 0, "cannot open to lock: %s", strerror(errno));
        return fd;
    }
    size_t from = outset_root_len(&o->roots[ri]), failed = 0;
    int fd = outset_open_below(o->roots[ri].fd, dir + from, true, &failed);
    if (fd < 0) {
        int err = errno;
        char *p = xstrndup(dir, from + failed);
        if ((err == ELOOP || err == ENOTDIR) && outset_is_link(p))
            outset_link_refused(p, false, d);
        else
            diag_io(d, dir, 0, "cannot create directory: %s", strerror(err));
        free(p);
    }
    return fd;
}

size_t outset_root_same(const outset *o, int fd)
{
    struct stat st, held;
    for (size_t i = 0; i < o->nroots && fstat(fd, &st) == 0; i++) {
        const root *r = &o->roots[i];
        if (r->fd >= 0 && fstat(r->fd, &held) == 0 && held.st_dev == st.st_dev &&
            held.st_ino == st.st_ino)
            return i;
    }
    return NONE;
}

/* Registers fd, e's directory open. One registered already (the same
 * directory again: build X -o X, site -o X X) gets e's mode added
 * instead: a second flock on it would wait for this very process. */
static void add_root(outset *o, const outset_dir *e, int fd)
{
    bool write = e->mode == OUTSET_WRITE;
    size_t i = outset_root_same(o, fd);
    if (i != NONE) {
        root *r = &o->roots[i];
        close(fd);
        r->write |= write;
        r->exclusive |= write;
        r->readers += !write;
        return;
    }
    xgrow((void **)&o->roots, &o->rcap, o->nroots + 1, sizeof *o->roots);
    o->roots[o->nroots++] = (root){xstrdup(e->dir), fd, write, write, !write};
}

static bool journal_left(const root *r)
{
    struct stat st;
    return fstatat(r->fd, JOURNAL_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The directories that r's journal names in its "lock" lines and that o
 * holds only to read: made exclusive, since finishing that journal
 * renames into them (outset_recover takes those o does not hold). True
 * when one was. */
static bool lock_journal_dirs(outset *o, const root *r)
{
    size_t n = 0;
    char **locks = outset_journal_locks(r, &n);
    bool changed = false;
    for (size_t k = 0; k < n; k++) {
        int fd = open(locks[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t i = fd >= 0 ? outset_root_same(o, fd) : NONE;
        if (fd >= 0)
            close(fd);
        if (i != NONE && !o->roots[i].exclusive)
            o->roots[i].exclusive = changed = true;
        free(locks[k]);
    }
    free(locks);
    return changed;
}

int outset_lock_dirs(outset *o, outset_dir *dirs, size_t n, diag_list *d)
{
    for (size_t i = 0; i < n; i++) {
        dirs[i].err = 0;
        int fd = open_root(o, &dirs[i], d);
        if (fd < 0 && dirs[i].mode == OUTSET_WRITE)
            return -1;
        if (fd < 0)
            dirs[i].err = errno;
        else
            add_root(o, &dirs[i], fd);
    }
    /* A killed run's journal is finished only under an exclusive lock, and
     * none can appear under a shared one: once no directory held shared
     * shows one, none will. A leftover of outset_save_temp is removed only
     * under an exclusive lock too, where no run that writes one is live
     * (one appearing later under a shared lock is a live run's). Each
     * round only adds exclusive locks, so the rounds end. */
    for (;;) {
        if (take_all(o, d) != 0)
            return -1;
        bool again = false;
        for (size_t i = 0; i < o->nroots; i++) {
            root *r = &o->roots[i];
            if (r->fd >= 0 && !r->exclusive && (journal_left(r) || outset_saved_left(r->fd)))
                r->exclusive = again = true;
        }
        for (size_t i = 0; i < o->nroots; i++) {
            root *r = &o->roots[i];
            if (outset_recovers_journal(r) && journal_left(r))
                again |= lock_journal_dirs(o, r);
        }
        if (!again)
            return 0;
    }
}

int outset_lock(outset *o, const char *dir, diag_list *d)
{
    outset_dir one = {dir, OUTSET_WRITE, 0};
    return outset_lock_dirs(o, &one, 1, d);
}

void outset_unlock_read(outset *o, const char *dir)
{
    struct stat st, held;
    if (stat(dir, &st) != 0)
        return; /* kept to outset_free */
    for (size_t i = 0; i < o->nroots; i++) {
        root *r = &o->roots[i];
        if (r->fd < 0 || fstat(r->fd, &held) != 0 || held.st_dev != st.st_dev ||
            held.st_ino != st.st_ino)
            continue;
        if (!r->write && r->readers > 0 && --r->readers == 0) {
            close(r->fd); /* releases the lock */
            r->fd = -1;
        }
        return;
    }
}

/* The first root to write: where the set's journal lives. NULL if none. */
const root *outset_home_of(const outset *o)
{
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write)
            return &o->roots[i];
    return NULL;
}

bool outset_recovers_journal(const root *r)
{
    /* Not the home's alone: a journal in another directory written (a
     * killed site's in the SITE a build writes with -o) would be swept
     * from under it, and then replayed over this run's outputs. */
    return r->fd >= 0 && r->exclusive;
}
