/* outset_recover.c - what a killed run left (see outset.h): its journal,
 * finished (rolled forward) or, after "undo", rolled back, through folders
 * opened from "/" without following a link and under the lock of every
 * directory the killed run wrote, in every directory this run holds
 * exclusive; then the sweep of leftover temporaries and backups below
 * each directory the run writes (sparing what a journal there, above it,
 * or one a reference there leads to names, and folders other runs hold;
 * such a journal elsewhere is finished first when its locks are free),
 * and of a killed site's saved archive in each directory held exclusive. */
#include "outset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
 * JOURNAL_MAX bytes (a link is not followed) and, when foreign, this
 * user's own with no other name; NULL otherwise. */
static char *journal_read_as(int dirfd, size_t *len, bool foreign)
{
    int fd = openat(dirfd, JOURNAL_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= JOURNAL_MAX &&
              (!foreign || (st.st_uid == geteuid() && st.st_nlink == 1));
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
                diag_error(d, moved, 0, "leads through a symbolic link since a killed run "
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

/* True when name is exactly .DEST.KIND-XXXXXX (kind given as ".KIND-"),
 * what the commit names a temporary or backup of dest. */
static bool named_for(const char *name, const char *dest, const char *kind)
{
    size_t nd = strlen(dest), nk = strlen(kind);
    if (name[0] != '.' || strncmp(name + 1, dest, nd) || strncmp(name + 1 + nd, kind, nk))
        return false;
    const char *x = name + 1 + nd + nk;
    size_t i = 0;
    while (i < 6 && ((x[i] >= 'a' && x[i] <= 'z') || (x[i] >= 'A' && x[i] <= 'Z') ||
                     (x[i] >= '0' && x[i] <= '9')))
        i++;
    return i == 6 && !x[6];
}

/* True when path is dir/NAME for the folder dir (given with its length). */
static bool in_folder(const char *path, const char *dir, size_t ndir)
{
    return !strncmp(path, dir, ndir) && path[ndir] == '/' && !strchr(path + ndir + 1, '/');
}

/* True when an entry is one the commit writes: an absolute destination,
 * its temporary (none for a removal) and backup beside it under their
 * names for it. Anything else (a journal damaged, or not memreport's)
 * would have recovery rename or remove files it never wrote. */
static bool entry_sound(const jentry *e)
{
    const char *slash = e->dest[0] == '/' ? strrchr(e->dest, '/') : NULL;
    if (!slash)
        return false;
    const char *base = slash + 1;
    size_t ndir = (size_t)(slash - e->dest);
    if (!*base || str_eq(base, ".") || str_eq(base, ".."))
        return false;
    if (*e->tmp && !(in_folder(e->tmp, e->dest, ndir) &&
                     named_for(outset_base_of(e->tmp), base, ".tmp-")))
        return false;
    return !e->backup || (in_folder(e->backup, e->dest, ndir) &&
                          named_for(outset_base_of(e->backup), base, ".old-"));
}

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
            if (!entry_sound(e)) {
                j->magic = false; /* not a journal to act on */
                break;
            }
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

/* The journal in the folder dirfd, parsed into *j; false, with *j empty,
 * when there is none to read (journal_read_as). foreign: one found above
 * a directory swept or through a reference, anywhere, so read only when
 * this user wrote it (a journal another user put in /tmp would otherwise
 * have this run rename and remove files it names). */
static bool journal_load(int dirfd, bool foreign, journal *j)
{
    size_t len;
    char *text = journal_read_as(dirfd, &len, foreign);
    *j = (journal){0};
    if (!text)
        return false;
    journal_parse(text, len, j);
    free(text);
    return true;
}

char **outset_journal_locks(const root *r, size_t *n)
{
    *n = 0;
    journal j;
    if (!journal_load(r->fd, false, &j))
        return NULL;
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
    diag_io(d, path, 0, "is being %s by %s: the interrupted run that %s records wrote here "
                        "too, so nothing was finished; the journal is kept for a later run "
                        "(run again once that one is done)",
            reading ? "read" : "written", who, jpath);
    return -1;
}

static void refs_drop_stray(int dirfd);

/* Finishes the journal a killed run left in home: the set's home, or a
 * directory only read that outset_lock_dirs took exclusive for it.
 * Returns 0 (none there, or finished), or -1 after an error. */
static int recover_journal(const outset *o, const root *home, bool foreign, diag_list *d)
{
    journal j;
    if (!journal_load(home->fd, foreign, &j))
        return 0;
    char *jpath = path_join(home->dir, JOURNAL_NAME);
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
            fprintf(stderr, "memreport: %s: %s the outputs of an interrupted run (%zu files)\n",
                    home->dir, j.undo ? "restored" : "completed", j.n);
        }
    }
    if (rc == 0) {
        outset_journal_remove(home);
        for (size_t k = 0; k < dirs.n; k++)
            refs_drop_stray(dirs.v[k].fd);
    }
    /* Let go only now: a journal removed is one no later run replays. */
    for (size_t k = 0; k < nheld; k++)
        close(held[k]);
    free(held);
    outset_dirset_free(&dirs);
    journal_free(&j);
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
 * finishes it later; swept, it could no longer roll forward, nor back.
 * Journals found other than on the walk down (through a reference in a
 * folder walked, or above a directory swept) are listed by path, to say
 * which one holds what is kept. */
typedef struct {
    dev_t dev;
    ino_t ino;
    char *name;
    size_t by; /* its journal in kept_set.journals, or NONE: one walked to */
} kept_name;

/* A journal found other than on the walk down, and what the sweep of one
 * directory kept for it: how many, and the folder they all lie in or
 * below (NULL: none yet). */
typedef struct {
    char *path;
    size_t held;
    char *where;
    bool gone; /* finished (or dropped) before the sweep: names nothing now */
} kept_source;

typedef struct {
    kept_name *v;
    size_t n, cap;
    kept_source *journals;
    size_t nj, jcap;
} kept_set;

static void kept_add(kept_set *k, const char *path, size_t by)
{
    char *dir = path_dir(path);
    struct stat st;
    if (stat(dir, &st) == 0) {
        xgrow((void **)&k->v, &k->cap, k->n + 1, sizeof *k->v);
        k->v[k->n++] = (kept_name){st.st_dev, st.st_ino, xstrdup(outset_base_of(path)), by};
    }
    free(dir);
}

/* Adds what j names. Entries of a journal without its "commit" line count
 * too: its run may be live. */
static void kept_journal(kept_set *k, const journal *j, size_t by)
{
    for (size_t i = 0; i < j->n; i++) {
        if (*j->v[i].tmp)
            kept_add(k, j->v[i].tmp, by);
        if (j->v[i].backup)
            kept_add(k, j->v[i].backup, by);
    }
}

/* The index of the journal path in k->journals, added when new. */
static size_t kept_journal_index(kept_set *k, const char *path)
{
    for (size_t i = 0; i < k->nj; i++)
        if (str_eq(k->journals[i].path, path))
            return i;
    xgrow((void **)&k->journals, &k->jcap, k->nj + 1, sizeof *k->journals);
    k->journals[k->nj] = (kept_source){xstrdup(path), 0, NULL, false};
    return k->nj++;
}

/* Adds what the journal in the folder dirfd (if any) names; by as for
 * kept_name. */
static void kept_read(kept_set *k, int dirfd, size_t by)
{
    journal j;
    if (!journal_load(dirfd, false, &j))
        return;
    kept_journal(k, &j, by);
    journal_free(&j);
}

/* The entry of k for name in the folder dir (its stat), or NULL. */
static const kept_name *kept_find(const kept_set *k, const struct stat *dir, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i].dev == dir->st_dev && k->v[i].ino == dir->st_ino &&
            str_eq(k->v[i].name, name) && (k->v[i].by == NONE || !k->journals[k->v[i].by].gone))
            return &k->v[i];
    return NULL;
}

static void kept_free(kept_set *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i].name);
    free(k->v);
    for (size_t i = 0; i < k->nj; i++) {
        free(k->journals[i].path);
        free(k->journals[i].where);
    }
    free(k->journals);
}

/* Adds what the journal in the folder fd (named at) names, when it names
 * a temporary or backup below top: one that names nothing there is not
 * this run's to keep, nor to finish. */
static void kept_read_if_below(kept_set *k, int fd, const char *at, const char *top)
{
    journal j;
    if (!journal_load(fd, true, &j))
        return;
    bool names = false;
    for (size_t i = 0; i < j.n && !names; i++)
        names = (*j.v[i].tmp && outset_path_within(j.v[i].tmp, top)) ||
                (j.v[i].backup && outset_path_within(j.v[i].backup, top));
    if (names) {
        char *jpath = path_join(at, JOURNAL_NAME);
        kept_journal(k, &j, kept_journal_index(k, jpath));
        free(jpath);
    }
    journal_free(&j);
}

/* Reads the journals of the folders above the directory dir, up to "/",
 * that name files below it (build Y killed, then build Z -o Y/www sweeps
 * Y/www without walking to Y). */
static void kept_read_above(kept_set *k, const char *dir)
{
    char *top = realpath(dir, NULL);
    char *at = top ? xstrdup(top) : NULL;
    while (at && !str_eq(at, "/")) {
        char *up = path_dir(at);
        free(at);
        at = up;
        int fd = open(at, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstatat(fd, JOURNAL_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0)
            kept_read_if_below(k, fd, at, top);
        if (fd >= 0)
            close(fd);
    }
    free(at);
    free(top);
}

/* ---- References to a journal outside its folder. ----------------------- */

bool outset_is_journal_ref(const char *name)
{
    return !strncmp(name, "." REF_BASE ".", strlen(REF_BASE) + 2) &&
           named_kind(name, "." REF_KIND "-", false);
}

typedef enum {
    REF_STRAY,   /* its journal is gone, or names nothing here: it goes */
    REF_LIVE,    /* its journal names files here: they stay */
    REF_UNKNOWN  /* it or its journal cannot be read: everything here stays */
} ref_state;

/* The journal path a reference holds ("/...\n", written whole before its
 * journal was put in place, so a torn one has none): malloc'd, or NULL
 * with *state set. */
static char *ref_target(int dirfd, const char *name, ref_state *state)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    *state = fd < 0 && errno == ENOENT ? REF_STRAY : REF_UNKNOWN;
    if (fd < 0)
        return NULL;
    char buf[PATH_MAX + 2];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == sizeof buf - 1)
            break;
    }
    close(fd);
    *state = REF_STRAY;
    if (len < 2 || buf[0] != '/' || buf[len - 1] != '\n' || memchr(buf, '\n', len - 1))
        return NULL;
    return xstrndup(buf, len - 1);
}

/* True when j names a temporary, destination or backup in the folder dir
 * (its stat). */
static bool journal_names_dir(const journal *j, const struct stat *dir)
{
    char *last = NULL;
    bool found = false;
    for (size_t i = 0; i < j->n && !found; i++) {
        const char *paths[3] = {j->v[i].tmp, j->v[i].dest, j->v[i].backup};
        for (int p = 0; p < 3 && !found; p++) {
            if (!paths[p] || !*paths[p])
                continue;
            char *d = path_dir(paths[p]);
            struct stat st;
            if (last && str_eq(d, last)) {
                free(d);
                continue; /* looked at already */
            }
            found = stat(d, &st) == 0 && st.st_dev == dir->st_dev && st.st_ino == dir->st_ino;
            free(last);
            last = d;
        }
    }
    free(last);
    return found;
}

/* What the reference name in the folder dirfd (its stat: dir) leads to.
 * REF_LIVE adds what its journal names to keep (when not NULL). */
static ref_state ref_follow(int dirfd, const struct stat *dir, const char *name, kept_set *keep)
{
    ref_state state;
    char *jpath = ref_target(dirfd, name, &state);
    if (!jpath)
        return state;
    char *home = path_dir(jpath);
    int hfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(home);
    struct stat st;
    if (hfd < 0 || fstatat(hfd, JOURNAL_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        state = errno == ENOENT || errno == ENOTDIR ? REF_STRAY : REF_UNKNOWN;
        if (hfd >= 0)
            close(hfd);
        free(jpath);
        return state;
    }
    journal j;
    state = REF_UNKNOWN;
    if (journal_load(hfd, true, &j)) {
        state = j.magic && journal_names_dir(&j, dir) ? REF_LIVE : REF_STRAY;
        if (state == REF_LIVE && keep)
            kept_journal(keep, &j, kept_journal_index(keep, jpath));
    }
    close(hfd);
    journal_free(&j);
    free(jpath);
    return state;
}

/* Removes the references in the folder dirfd whose journal is gone or
 * names nothing there (a journal just finished). */
static void refs_drop_stray(int dirfd)
{
    struct stat dir, st;
    DIR *dh = fstat(dirfd, &dir) == 0 ? list_dir(dirfd) : NULL;
    if (!dh)
        return;
    struct dirent *de;
    while ((de = readdir(dh)))
        if (outset_is_journal_ref(de->d_name) &&
            fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            ref_follow(dirfd, &dir, de->d_name, NULL) == REF_STRAY)
            unlinkat(dirfd, de->d_name, 0);
    closedir(dh);
}

/* ---- The sweep. -------------------------------------------------------- */

typedef struct {
    char **v;
    size_t n, cap;
} names;

static void names_add(names *s, const char *name)
{
    xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = xstrdup(name);
}

static void names_free(names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* Narrows *where to the folder that both it and path lie in or below
 * (both are spelled from one swept directory's name). */
static void common_folder(char **where, const char *path)
{
    char *w = *where;
    if (!w) {
        *where = xstrdup(path);
        return;
    }
    size_t i = 0, cut = 0;
    for (; w[i] && w[i] == path[i]; i++)
        if (w[i] == '/')
            cut = i;
    if (!w[i] && (!path[i] || path[i] == '/'))
        return; /* path is where, or below it */
    if (!path[i] && w[i] == '/')
        cut = i; /* where is below path */
    w[cut > 0 ? cut : 1] = '\0';
}

/* Removes the leftovers of the folder dirfd (its stat: dir, named path)
 * that keep does not name, counting those kept for a journal found
 * through a reference or above. Returns the number removed. */
static size_t sweep_files(int dirfd, const struct stat *dir, const char *path,
                          const names *left, kept_set *keep)
{
    size_t removed = 0;
    for (size_t i = 0; i < left->n; i++) {
        const kept_name *k = kept_find(keep, dir, left->v[i]);
        if (k && k->by != NONE) {
            kept_source *src = &keep->journals[k->by];
            src->held++;
            common_folder(&src->where, path);
        } else if (!k && unlinkat(dirfd, left->v[i], 0) == 0) {
            removed++;
        }
    }
    return removed;
}

/* Says, for each journal found through a reference or above, what the
 * sweep of one directory kept for it, and starts the count again. */
static void say_kept(kept_set *keep)
{
    for (size_t i = 0; i < keep->nj; i++) {
        kept_source *src = &keep->journals[i];
        if (!src->held)
            continue;
        char *home = path_dir(src->path);
        fprintf(stderr, "memreport: %s: kept %zu temporaries and backups of the interrupted run "
                        "that %s records (the next run that locks %s finishes it)\n",
                src->where, src->held, src->path, home);
        free(home);
        src->held = 0;
        free(src->where);
        src->where = NULL;
    }
}

/* Walks the folder dirfd (named path) and its subfolders, depth levels
 * down, a symbolic link never followed (a subfolder is opened as itself,
 * as the staging does), and reads into keep each folder's journal and
 * what the journal each reference there leads to names. With remove, it
 * removes the leftovers keep does not name and the references whose
 * journal is gone (in a folder with a reference that cannot be read,
 * nothing), and a subfolder another run holds locked is left with
 * everything below it: that run may be staging there (build Y -o X/www
 * while X is swept). One not held is locked while swept, so no run starts
 * there meanwhile. Returns the number removed. */
static size_t sweep(int dirfd, const char *path, int depth, bool remove, kept_set *keep)
{
    struct stat dir;
    DIR *dh = fstat(dirfd, &dir) == 0 ? list_dir(dirfd) : NULL;
    if (!dh)
        return 0;
    /* Read again when removing, under the folder's lock: a journal put
     * there since the first walk (its run killed meanwhile) is kept too. */
    kept_read(keep, dirfd, NONE);
    names left = {0}, refs = {0}, subdirs = {0};
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (!S_ISDIR(st.st_mode) && outset_is_leftover(de->d_name))
            names_add(&left, de->d_name);
        else if (S_ISREG(st.st_mode) && outset_is_journal_ref(de->d_name))
            names_add(&refs, de->d_name);
        else if (S_ISDIR(st.st_mode) && depth > 0 && de->d_name[0] != '.')
            names_add(&subdirs, de->d_name);
    }
    closedir(dh);
    bool unknown = false;
    for (size_t i = 0; i < refs.n; i++) {
        ref_state s = ref_follow(dirfd, &dir, refs.v[i], keep);
        if (s == REF_STRAY && remove)
            unlinkat(dirfd, refs.v[i], 0);
        unknown |= s == REF_UNKNOWN;
    }
    size_t removed = remove && !unknown ? sweep_files(dirfd, &dir, path, &left, keep) : 0;
    for (size_t i = 0; i < subdirs.n; i++) {
        int sub = openat(dirfd, subdirs.v[i], DIR_NOFOLLOW);
        if (sub >= 0 && (!remove || flock(sub, LOCK_EX | LOCK_NB) == 0)) {
            char *subpath = path_join(path, subdirs.v[i]);
            removed += sweep(sub, subpath, depth - 1, remove, keep);
            free(subpath);
        }
        if (sub >= 0)
            close(sub); /* lets go of its lock */
    }
    names_free(&left);
    names_free(&refs);
    names_free(&subdirs);
    return removed;
}

/* Finishes the journal at jpath, one found through a reference or above
 * a directory swept, when its own directory and those its "lock" lines
 * name can be locked now, without waiting (or o holds them exclusive):
 * left, what it names would be kept from the sweep, and renamed by its
 * next run over whatever this run writes there meanwhile (build Y -o
 * X/www killed, then build Z -o X/www). When one is taken, or the journal
 * cannot be finished, it is left as it is (its next run says why) and
 * the sweep keeps what it names. */
static void finish_found(const outset *o, kept_source *src)
{
    char *home = path_dir(src->path);
    int fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* One of o's own was finished first (or stopped the run). */
    if (fd >= 0 && outset_root_same(o, fd) == NONE && flock(fd, LOCK_EX | LOCK_NB) == 0) {
        root r = {home, fd, true, true, 0};
        diag_list quiet;
        diag_init(&quiet);
        struct stat st;
        src->gone = recover_journal(o, &r, true, &quiet) == 0 &&
                    fstatat(fd, JOURNAL_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0;
        diag_free(&quiet);
    }
    if (fd >= 0)
        close(fd); /* lets go of its lock */
    free(home);
}

/* Records in o each folder where the sweep kept files for a journal it
 * found and could not finish: the commit refuses to write there. */
static void hold_kept(outset *o, const kept_set *k)
{
    for (size_t i = 0; i < k->n; i++) {
        const kept_name *v = &k->v[i];
        if (v->by == NONE || k->journals[v->by].gone)
            continue;
        if (outset_held_at(o, v->dev, v->ino))
            continue;
        xgrow((void **)&o->held, &o->hcap, o->nheld + 1, sizeof *o->held);
        o->held[o->nheld++] = (held_dir){v->dev, v->ino, xstrdup(k->journals[v->by].path)};
    }
}

int outset_recover(outset *o, diag_list *d)
{
    /* The journal of every directory held exclusive: the home's, another
     * written (a killed site's in the SITE of a build's -o), and one a
     * killed build left in a directory only read (outset_lock_dirs took
     * that one exclusive). All before the sweep, which would take what
     * they name. */
    for (size_t i = 0; i < o->nroots; i++)
        if (outset_recovers_journal(&o->roots[i]) &&
            recover_journal(o, &o->roots[i], false, d) != 0)
            return -1;
    /* Only below directories this run writes: a reader's sweep could take
     * a temporary from a run that writes a folder inside the one read.
     * First every journal that may name a file there is read, so that
     * none of what one names is swept: each below them, wherever below
     * it is (build X/a -o X/b killed, then build X: X/a's journal names
     * X/b's temporaries), each above them (build Y killed, then build Z
     * -o Y/www), and each that a reference in a folder walked leads to
     * (build Y -o X/www killed, then build X: the commit left one in
     * every folder outside Y's tree). Those last two are finished first
     * when they can be without waiting (finish_found). */
    kept_set keep = {0};
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write) {
            kept_read_above(&keep, o->roots[i].dir);
            sweep(o->roots[i].fd, o->roots[i].dir, 3, false, &keep);
        }
    for (size_t i = 0; i < keep.nj; i++)
        finish_found(o, &keep.journals[i]);
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write) {
            sweep(o->roots[i].fd, o->roots[i].dir, 3, true, &keep);
            say_kept(&keep);
        }
    hold_kept(o, &keep);
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
