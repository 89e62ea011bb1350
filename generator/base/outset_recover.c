/* outset_recover.c - what a killed run left (see outset.h): its journal,
 * finished (rolled forward) or, after "undo", rolled back, through folders
 * opened from "/" without following a link and under the lock of every
 * directory the killed run wrote, in every directory this run holds
 * exclusive; then the sweep of leftover temporaries and backups below
 * each directory the run writes (sparing what a journal there names and
 * folders other runs hold), and of a killed site's saved archive in each
 * directory held exclusive. */
#include "outset.h"

#include <dirent.h>
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

#define JOURNAL_MAX (64 * 1024 * 1024)

/* One field of a journal line, decoded (put_field in outset.c encodes it). */
static char *get_field(const char *s, size_t n)
{
    strbuf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%2X", &v) == 1) {
            buf_putc(&b, (char)v);
            i += 2;
        } else {
            buf_putc(&b, s[i]);
        }
    }
    return buf_detach(&b);
}

/* The journal in the folder dirfd, when it is a regular file of at most
 * JOURNAL_MAX bytes (a link is not followed); NULL otherwise. */
static char *journal_read(int dirfd, size_t *len)
{
    int fd = openat(dirfd, JOURNAL_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= JOURNAL_MAX;
    strbuf b;
    buf_init(&b);
    char chunk[8192];
    while (ok) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || b.len + (size_t)r > JOURNAL_MAX) {
            ok = r == 0;
            break;
        }
        buf_putn(&b, chunk, (size_t)r);
    }
    close(fd);
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return buf_detach(&b);
}

typedef struct {
    char *tmp, *dest, *backup;
    int fd[3];   /* the folders of the three, opened by journal_dir */
    bool gone;   /* a folder missing (or unreadable): nothing to do */
} jentry;

/* The folder of path (written to the journal resolved), opened from "/"
 * one component at a time without following a link, once per folder (in
 * s). DIR_LINK: it resolves elsewhere than the journal wrote it, a
 * symbolic link was put on the way since. */
static dir_status journal_dir(dirset *s, const char *path, int *fd)
{
    char *dir = path_dir(path);
    size_t i = outset_dirset_find(s, dir);
    if (i != NONE) {
        free(dir);
        *fd = s->v[i].fd;
        return DIR_OK;
    }
    size_t failed;
    int f = outset_open_below(AT_FDCWD, dir, false, &failed);
    if (f >= 0 && (i = outset_dirset_add(s, dir, f, NONE)) != NONE) {
        *fd = f;
        return DIR_OK;
    }
    int e = errno;
    dir_status st = e == ENOENT ? DIR_MISSING : DIR_FAILED;
    if (f < 0) {
        char *p = xstrndup(dir, failed);
        if (e == ELOOP || (e == ENOTDIR && outset_is_link(p)))
            st = DIR_LINK;
        free(p);
        free(dir);
    }
    return st;
}

/* Opens the folders of every entry. Finishing through a link would
 * rename and unlink elsewhere: refused, and the journal kept for a run
 * after the link is gone. Returns 0, or -1 after an error. */
static int journal_open_dirs(jentry *v, size_t n, dirset *dirs, const char *jpath, diag_list *d)
{
    for (size_t i = 0; i < n; i++) {
        char *paths[3] = {*v[i].tmp ? v[i].tmp : NULL, v[i].dest, v[i].backup};
        for (int k = 0; k < 3; k++) {
            v[i].fd[k] = -1;
            dir_status s = paths[k] ? journal_dir(dirs, paths[k], &v[i].fd[k]) : DIR_OK;
            if (s == DIR_LINK) {
                char *moved = path_dir(paths[k]);
                diag_error(d, moved, 0, "leads through a symbolic link since a killed build "
                                        "wrote %s; nothing was finished or undone: remove the "
                                        "link", jpath);
                free(moved);
                return -1;
            }
            if (s != DIR_OK)
                v[i].gone = true;
        }
    }
    return 0;
}

/* Finishes (or, after "undo", rolls back) the commit the entries record.
 * Returns 0, or -1 after an error. */
static int journal_finish(const jentry *v, size_t n, bool undo, diag_list *d)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].gone)
            continue;
        int tfd = v[i].fd[0], dfd = v[i].fd[1], bfd = v[i].fd[2];
        const char *tmp = outset_base_of(v[i].tmp), *dest = outset_base_of(v[i].dest);
        const char *backup = v[i].backup ? outset_base_of(v[i].backup) : NULL;
        struct stat st;
        bool removal = !*v[i].tmp;
        bool pending = !removal && fstatat(tfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (undo) {
            /* Back to the previous set: a renamed entry without a backup
             * was new, so it goes. */
            outset_put_back(dfd, dest, bfd, backup, !pending && !removal);
            if (pending)
                unlinkat(tfd, tmp, 0);
            continue;
        }
        if (removal && backup && unlinkat(dfd, dest, 0) != 0 && errno != ENOENT) {
            diag_io(d, v[i].dest, 0, "cannot finish the interrupted commit: %s", strerror(errno));
            rc = -1;
        }
        if (pending && renameat(tfd, tmp, dfd, dest) != 0) {
            diag_io(d, v[i].dest, 0, "cannot finish the interrupted commit: %s", strerror(errno));
            rc = -1;
        }
        if (backup)
            unlinkat(bfd, backup, 0);
    }
    return rc;
}

/* A journal as read: its "lock" lines, its entries, and how it ends. */
typedef struct {
    char **locks;
    size_t nlocks, lcap;
    jentry *v;
    size_t n, cap;
    bool magic, commit, undo;
} journal;

static void journal_parse(const char *text, size_t len, journal *j)
{
    *j = (journal){0};
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a torn last line: the journal was never finished */
        size_t ln = (size_t)(nl - p);
        const char *t1 = memchr(p, '\t', ln);
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1)) : NULL;
        if (!j->magic) {
            j->magic = (ln == strlen(JOURNAL_MAGIC) && !memcmp(p, JOURNAL_MAGIC, ln)) ||
                       (ln == strlen(JOURNAL_MAGIC_V1) && !memcmp(p, JOURNAL_MAGIC_V1, ln));
            if (!j->magic)
                break;
        } else if (ln == 6 && !memcmp(p, "commit", 6)) {
            j->commit = true;
        } else if (ln == 4 && !memcmp(p, "undo", 4) && j->commit) {
            j->undo = true;
        } else if (!j->commit && t1 && !t2 && t1 - p == 4 && !memcmp(p, "lock", 4)) {
            xgrow((void **)&j->locks, &j->lcap, j->nlocks + 1, sizeof *j->locks);
            j->locks[j->nlocks++] = get_field(t1 + 1, (size_t)(nl - t1 - 1));
        } else if (!j->commit) {
            if (!t2)
                break;
            xgrow((void **)&j->v, &j->cap, j->n + 1, sizeof *j->v);
            jentry *e = &j->v[j->n++];
            *e = (jentry){0};
            e->tmp = get_field(p, (size_t)(t1 - p));
            e->dest = get_field(t1 + 1, (size_t)(t2 - t1 - 1));
            e->backup = t2 + 1 < nl ? get_field(t2 + 1, (size_t)(nl - t2 - 1)) : NULL;
        }
        p = nl + 1;
    }
}

static void journal_free(journal *j)
{
    for (size_t i = 0; i < j->nlocks; i++)
        free(j->locks[i]);
    free(j->locks);
    for (size_t i = 0; i < j->n; i++) {
        free(j->v[i].tmp);
        free(j->v[i].dest);
        free(j->v[i].backup);
    }
    free(j->v);
}

char **outset_journal_locks(const root *r, size_t *n)
{
    *n = 0;
    size_t len;
    char *text = journal_read(r->fd, &len);
    if (!text)
        return NULL;
    journal j;
    journal_parse(text, len, &j);
    free(text);
    char **locks = NULL;
    if (j.magic && j.commit) {
        locks = j.locks;
        *n = j.nlocks;
        j.locks = NULL;
        j.nlocks = 0;
    }
    journal_free(&j);
    return locks;
}

/* Takes the lock of path, a directory the killed run wrote besides home
 * (a "lock" line), exclusive as that run held it, unless o holds it
 * exclusive already: a run writing there now would race the renames.
 * Without waiting: the run that holds it may be one that waits for home
 * (finishing a journal of its own that names home), and a later run
 * finishes this one just as well. *fd: the lock taken, or -1. A
 * directory that is gone needs none (what the journal has there is gone
 * too). Returns 0, or -1 after an error. */
static int journal_lock(const outset *o, const char *path, const char *jpath, int *fd,
                        diag_list *d)
{
    *fd = -1;
    int f = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f < 0 && errno == ENOENT)
        return 0;
    if (f < 0) {
        diag_io(d, path, 0, "cannot open to lock, to finish the interrupted commit %s "
                            "records: %s; nothing was finished", jpath, strerror(errno));
        return -1;
    }
    size_t i = outset_root_same(o, f);
    if (i != NONE && o->roots[i].exclusive) {
        close(f);
        return 0;
    }
    if (flock(f, LOCK_EX | LOCK_NB) == 0) {
        *fd = f;
        return 0;
    }
    int e = errno;
    bool reading = false;
    long pid = e == EWOULDBLOCK ? outset_lock_holder(f, &reading) : 0;
    close(f);
    if (e != EWOULDBLOCK) {
        diag_io(d, path, 0, "cannot lock, to finish the interrupted commit %s records: %s; "
                            "nothing was finished", jpath, strerror(e));
        return -1;
    }
    char who[64] = "another memreport";
    if (pid > 0)
        snprintf(who, sizeof who, "another memreport (pid %ld)", pid);
    diag_io(d, path, 0, "is being %s by %s: the interrupted build that %s records wrote here "
                        "too, so nothing was finished; the journal is kept for a later run "
                        "(run again once that one is done)",
            reading ? "read" : "written", who, jpath);
    return -1;
}

/* Finishes the journal a killed run left in home: the set's home, or a
 * directory only read that outset_lock_dirs took exclusive for it.
 * Returns 0 (none there, or finished), or -1 after an error. */
static int recover_journal(const outset *o, const root *home, diag_list *d)
{
    size_t len;
    char *text = journal_read(home->fd, &len);
    if (!text)
        return 0;
    char *jpath = path_join(home->dir, JOURNAL_NAME);
    journal j;
    journal_parse(text, len, &j);
    int rc = 0;
    dirset dirs = {0};
    int *held = xcalloc(j.nlocks + 1, sizeof *held);
    size_t nheld = 0;
    if (j.magic && j.commit) {
        for (size_t k = 0; k < j.nlocks && rc == 0; k++)
            if ((rc = journal_lock(o, j.locks[k], jpath, &held[nheld], d)) == 0 &&
                held[nheld] >= 0)
                nheld++;
        if (rc == 0)
            rc = journal_open_dirs(j.v, j.n, &dirs, jpath, d);
        if (rc == 0)
            rc = journal_finish(j.v, j.n, j.undo, d);
        if (rc == 0) {
            for (size_t k = 0; k < dirs.n; k++)
                outset_sync_dir(dirs.v[k].fd);
            fprintf(stderr, "memreport: %s: %s the outputs of an interrupted build (%zu files)\n",
                    home->dir, j.undo ? "restored" : "completed", j.n);
        }
    }
    if (rc == 0)
        outset_journal_remove(home);
    /* Let go only now: a journal removed is one no later run replays. */
    for (size_t k = 0; k < nheld; k++)
        close(held[k]);
    free(held);
    outset_dirset_free(&dirs);
    journal_free(&j);
    free(text);
    free(jpath);
    return rc;
}

/* ---- Leftovers. ------------------------------------------------------- */

/* True when name is .NAME.KIND-XXXXXX (kind given as ".KIND-"; mkstemp's
 * six letters and digits), with sqlite's -journal, -wal or -shm after it
 * when sides. */
static bool named_kind(const char *name, const char *kind, bool sides)
{
    if (name[0] != '.')
        return false;
    size_t klen = strlen(kind);
    for (const char *at = strstr(name + 1, kind); at; at = strstr(at + 1, kind)) {
        const char *x = at + klen;
        size_t i = 0;
        while (i < 6 && ((x[i] >= 'a' && x[i] <= 'z') || (x[i] >= 'A' && x[i] <= 'Z') ||
                         (x[i] >= '0' && x[i] <= '9')))
            i++;
        const char *rest = x + i;
        if (i == 6 && at > name + 1 &&
            (!*rest || (sides && (!strcmp(rest, "-journal") || !strcmp(rest, "-wal") ||
                                  !strcmp(rest, "-shm")))))
            return true;
    }
    return false;
}

/* True for the names this module makes: .NAME.tmp-XXXXXX or
 * .NAME.old-XXXXXX, with sqlite's -journal, -wal or -shm after an
 * archive's. */
bool outset_is_leftover(const char *name)
{
    return named_kind(name, ".tmp-", true) || named_kind(name, ".old-", true);
}

/* Its writer opens it with journal_mode=OFF: no -journal beside it. */
bool outset_is_saved_leftover(const char *name)
{
    return named_kind(name, "." SAVE_KIND "-", false);
}

/* A file of dirfd named as outset_save_temp names them, and as it makes
 * them: a plain file of one link (a link or a directory of that name, or a
 * file linked elsewhere too, is someone else's). */
static bool saved_leftover_at(int dirfd, const char *name)
{
    struct stat st;
    return outset_is_saved_leftover(name) &&
           fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
           st.st_nlink == 1;
}

/* The folder dirfd's entries, read through a descriptor of its own (the
 * caller keeps dirfd); NULL when it cannot be read. */
static DIR *list_dir(int dirfd)
{
    int fd = openat(dirfd, ".", DIR_NOFOLLOW);
    DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dh && fd >= 0)
        close(fd);
    return dh;
}

/* Removes (when remove) or looks for the leftovers of outset_save_temp in
 * the folder dirfd itself. Returns how many it found. */
static size_t saved_scan(int dirfd, bool remove)
{
    DIR *dh = list_dir(dirfd);
    if (!dh)
        return 0;
    size_t found = 0;
    struct dirent *de;
    while ((de = readdir(dh)) && (remove || !found))
        if (saved_leftover_at(dirfd, de->d_name) &&
            (!remove || unlinkat(dirfd, de->d_name, 0) == 0))
            found++;
    closedir(dh);
    return found;
}

bool outset_saved_left(int dirfd)
{
    return saved_scan(dirfd, false) > 0;
}

/* Temporaries and backups that a journal left in place names, each by
 * its folder (dev, ino) and name: a killed run's journal in a folder
 * below a directory written (site -o X/www, then build X), whose run
 * finishes it later; swept, it could no longer roll forward, nor back. */
typedef struct {
    dev_t dev;
    ino_t ino;
    char *name;
} kept_name;

typedef struct {
    kept_name *v;
    size_t n, cap;
} kept_set;

static void kept_add(kept_set *k, const char *path)
{
    char *dir = path_dir(path);
    struct stat st;
    if (stat(dir, &st) == 0) {
        xgrow((void **)&k->v, &k->cap, k->n + 1, sizeof *k->v);
        k->v[k->n++] = (kept_name){st.st_dev, st.st_ino, xstrdup(outset_base_of(path))};
    }
    free(dir);
}

/* Adds what the journal in the folder dirfd (if any) names. Entries of a
 * journal without its "commit" line count too: its run may be live. */
static void kept_read(kept_set *k, int dirfd)
{
    size_t len;
    char *text = journal_read(dirfd, &len);
    if (!text)
        return;
    journal j;
    journal_parse(text, len, &j);
    for (size_t i = 0; i < j.n; i++) {
        if (*j.v[i].tmp)
            kept_add(k, j.v[i].tmp);
        if (j.v[i].backup)
            kept_add(k, j.v[i].backup);
    }
    journal_free(&j);
    free(text);
}

static bool kept_has(const kept_set *k, int dirfd, const char *name)
{
    struct stat st;
    if (k->n == 0)
        return false;
    if (fstat(dirfd, &st) != 0)
        return true; /* cannot tell: keep it */
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i].dev == st.st_dev && k->v[i].ino == st.st_ino && str_eq(k->v[i].name, name))
            return true;
    return false;
}

static void kept_free(kept_set *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i].name);
    free(k->v);
}

/* Walks the folder dirfd and its subfolders, depth levels down, a
 * symbolic link never followed (a subfolder is opened as itself, as the
 * staging does), and reads each folder's journal into keep. With remove,
 * it removes the leftovers keep does not name, and a subfolder another
 * run holds locked is left with everything below it: that run may be
 * staging there (build Y -o X/www while X is swept). One not held is
 * locked while swept, so no run starts there meanwhile. Returns the
 * number removed. */
static size_t sweep(int dirfd, int depth, bool remove, kept_set *keep)
{
    DIR *dh = list_dir(dirfd);
    if (!dh)
        return 0;
    /* Read again when removing, under the folder's lock: a journal put
     * there since the first walk (its run killed meanwhile) is kept too. */
    kept_read(keep, dirfd);
    size_t removed = 0;
    struct dirent *de;
    char **subdirs = NULL;
    size_t nsub = 0, cap = 0;
    while ((de = readdir(dh))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (!S_ISDIR(st.st_mode) && outset_is_leftover(de->d_name)) {
            if (remove && !kept_has(keep, dirfd, de->d_name) &&
                unlinkat(dirfd, de->d_name, 0) == 0)
                removed++;
        } else if (S_ISDIR(st.st_mode) && depth > 0 && de->d_name[0] != '.') {
            xgrow((void **)&subdirs, &cap, nsub + 1, sizeof *subdirs);
            subdirs[nsub++] = xstrdup(de->d_name);
        }
    }
    closedir(dh);
    for (size_t i = 0; i < nsub; i++) {
        int sub = openat(dirfd, subdirs[i], DIR_NOFOLLOW);
        if (sub >= 0 && (!remove || flock(sub, LOCK_EX | LOCK_NB) == 0))
            removed += sweep(sub, depth - 1, remove, keep);
        if (sub >= 0)
            close(sub); /* lets go of its lock */
        free(subdirs[i]);
    }
    free(subdirs);
    return removed;
}

int outset_recover(outset *o, diag_list *d)
{
    /* The journal of every directory held exclusive: the home's, another
     * written (a killed site's in the SITE of a build's -o), and one a
     * killed build left in a directory only read (outset_lock_dirs took
     * that one exclusive). All before the sweep, which would take what
     * they name. */
    for (size_t i = 0; i < o->nroots; i++)
        if (outset_recovers_journal(&o->roots[i]) && recover_journal(o, &o->roots[i], d) != 0)
            return -1;
    /* Only below directories this run writes: a reader's sweep could take
     * a temporary from a run that writes a folder inside the one read.
     * First every journal below them is read, so that none of what one
     * names is swept, wherever below it is (build X/a -o X/b killed, then
     * build X: X/a's journal names X/b's temporaries). */
    kept_set keep = {0};
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write)
            sweep(o->roots[i].fd, 3, false, &keep);
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write)
            sweep(o->roots[i].fd, 3, true, &keep);
    kept_free(&keep);
    /* A site saves an experiment's archive under a shared lock on that
     * directory: under an exclusive one, no run that writes such a file
     * there is live. Not below it: a folder there may be another
     * experiment, read (and saved into) under a lock of its own. */
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].fd >= 0 && o->roots[i].exclusive)
            saved_scan(o->roots[i].fd, true);
    return 0;
}
