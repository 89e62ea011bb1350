/* outset.c - staged, all-or-nothing output files (see outset.h).
 *
 * The commit, step by step (docs/architecture.md, "The commit"):
 *   1. every temporary is fsynced; a destination that is a directory stops
 *      the commit before anything changed;
 *   2. each existing destination gets a second name, a hard link
 *      .NAME.old-XXXXXX (no bytes copied), so it can be put back;
 *   3. the journal (HOME/.memreport.journal: every temporary, destination
 *      and backup) is written, fsynced and renamed into place;
 *   4. the temporaries are renamed over their destinations, in order; a
 *      rename that fails puts every renamed destination back from its
 *      backup (the journal says "undo" first, so a kill then is undone
 *      too);
 *   5. the directories are fsynced, the backups and the journal removed.
 * A run killed in 4 leaves the journal: the next run that locks HOME
 * (outset_recover) finishes the renames (roll forward), or, after "undo",
 * puts the backups back (roll back); that run may be one that only reads
 * HOME, which then takes its lock exclusive (outset_lock_dirs). Either way
 * one whole set is visible.
 *
 * Every folder a file goes into is opened once (o->dirs), below a
 * directory locked to write from that directory's own descriptor, one
 * component at a time and never through a symbolic link; every create,
 * sync, link, rename and unlink of the set is then made relative to that
 * descriptor (openat, linkat, renameat, unlinkat), so a folder swapped for
 * a link after it was looked at cannot take any of them elsewhere. */
#define _GNU_SOURCE /* O_PATH */
#include "outset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define JOURNAL_NAME ".memreport.journal"
#define JOURNAL_MAGIC "memreport journal 1"
#define JOURNAL_MAX (64 * 1024 * 1024)
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
    outset *next_live; /* every outset not yet freed, for the fatal hook */
};

static outset *live;

/* The last component of path: the name a descriptor of its folder takes. */
static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Out of memory mid-build: leave no temporaries behind. Allocates nothing. */
static void remove_all_temporaries(void)
{
    for (outset *o = live; o; o = o->next_live)
        for (size_t i = 0; i < o->n; i++)
            if (!o->files[i].renamed && o->files[i].tmp)
                unlinkat(o->dirs.v[o->files[i].dir].fd, base_of(o->files[i].tmp), 0);
}

static long env_long(const char *name)
{
    const char *f = getenv(name);
    return f && *f ? strtol(f, NULL, 10) : 0;
}

outset *outset_new(void)
{
    outset *o = xcalloc(1, sizeof *o);
    o->fail_after = env_long("MEMREPORT_FAIL_AFTER");
    o->fail_rename = env_long("MEMREPORT_FAIL_RENAME");
    o->pause_ms = env_long("MEMREPORT_PAUSE_COMMIT");
    o->next_live = live;
    live = o;
    util_set_fatal_hook(remove_all_temporaries);
    return o;
}

size_t outset_count(const outset *o)
{
    return o->n;
}

bool outset_writes_all(const outset *o)
{
    return o->fail_after > 0 || o->fail_rename > 0 || o->pause_ms > 0;
}

outset_entry outset_entry_at(const outset *o, size_t i)
{
    const staged *f = &o->files[i];
    return (outset_entry){f->dest, f->tmp, f->remove};
}

static void add_entry(outset *o, const char *dest, char *tmp, size_t dir, bool renamed,
                      bool remove)
{
    xgrow((void **)&o->files, &o->cap, o->n + 1, sizeof *o->files);
    o->files[o->n++] = (staged){xstrdup(dest), tmp, NULL, dir, renamed, remove};
}

/* The directory part of path ("." when there is none). Caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* ---- Output directories that are symbolic links. ----------------------- */

typedef enum { LINK_TO_DIR, LINK_TO_OTHER, LINK_DANGLING, LINK_LOOP, LINK_UNREADABLE } link_kind;

/* What the symbolic link path leads to; *target is its text (malloc'd). */
static link_kind link_classify(const char *path, char **target, int *err)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    *target = n >= 0 ? xstrndup(buf, (size_t)n) : xstrdup("?");
    struct stat st;
    if (stat(path, &st) == 0)
        return S_ISDIR(st.st_mode) ? LINK_TO_DIR : LINK_TO_OTHER;
    *err = errno;
    return errno == ELOOP ? LINK_LOOP
           : errno == ENOENT || errno == ENOTDIR ? LINK_DANGLING
                                                  : LINK_UNREADABLE;
}

/* The error for path, a symbolic link where memreport writes outputs:
 * the data's (exit 1), saying where it leads and what to do. */
static void link_refused(const char *path, bool site, diag_list *d)
{
    char *target;
    int err = 0;
    switch (link_classify(path, &target, &err)) {
    case LINK_TO_DIR:
        if (site)
            diag_error(d, path, 0, "is a symbolic link (to %s); memreport writes its outputs "
                                   "only into real directories, so nothing was written: to "
                                   "publish the site there, remove the link and pass -o %s",
                       target, target);
        else
            diag_error(d, path, 0, "is a symbolic link (to %s); memreport writes its outputs "
                                   "only into real directories, so nothing was written: remove "
                                   "the link, and the next build makes the directory",
                       target);
        break;
    case LINK_TO_OTHER:
        diag_error(d, path, 0, "is a symbolic link to %s, which is not a directory: remove "
                               "the link", target);
        break;
    case LINK_DANGLING:
        diag_error(d, path, 0, "is a dangling symbolic link (to %s, which does not exist): "
                               "remove the link", target);
        break;
    case LINK_LOOP:
        diag_error(d, path, 0, "is a symbolic link that loops (to %s): remove the link",
                   target);
        break;
    case LINK_UNREADABLE:
        diag_io(d, path, 0, "is a symbolic link (to %s) that cannot be followed: %s", target,
                strerror(err));
        break;
    }
    free(target);
}

int outset_check_dir(const char *path, bool site, diag_list *d)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0; /* made for real when written (or its parent is reported) */
        diag_io(d, path, 0, "cannot look at: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return 0;
    if (S_ISLNK(st.st_mode))
        link_refused(path, site, d);
    else
        diag_error(d, path, 0, "is %s, not a directory: move it away, and the next build makes "
                               "the directory", file_type_name(st.st_mode));
    return -1;
}

int outset_resolve_dir(const char *path, char **real, diag_list *d)
{
    struct stat st;
    *real = NULL;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) {
        *real = xstrdup(path);
        return 0;
    }
    char *target;
    int err = 0;
    link_kind k = link_classify(path, &target, &err);
    char *resolved = k == LINK_TO_DIR ? realpath(path, NULL) : NULL;
    if (resolved) {
        *real = xstrdup(resolved); /* realpath's malloc is not ours to hand on */
        free(resolved);
    } else if (k == LINK_TO_DIR) {
        diag_io(d, path, 0, "cannot follow the symbolic link (to %s): %s", target,
                strerror(errno));
    } else if (k == LINK_TO_OTHER) {
        diag_error(d, path, 0, "is a symbolic link to %s, which is not a directory: give the "
                               "site's directory", target);
    } else if (k == LINK_DANGLING) {
        diag_error(d, path, 0, "is a dangling symbolic link (to %s, which does not exist): "
                               "make that directory, or give another", target);
    } else if (k == LINK_LOOP) {
        diag_error(d, path, 0, "is a symbolic link that loops (to %s): give the site's real "
                               "directory", target);
    } else {
        diag_io(d, path, 0, "is a symbolic link (to %s) that cannot be followed: %s", target,
                strerror(err));
    }
    free(target);
    return *real ? 0 : -1;
}

/* ---- The folders files go into, each opened once. --------------------- */

/* The length of r's spelling without trailing slashes ("exp/" is "exp"). */
static size_t root_len(const root *r)
{
    size_t n = strlen(r->dir);
    while (n > 1 && r->dir[n - 1] == '/')
        n--;
    return n;
}

/* The registered root to write that path lies under (by its spelling),
 * or NONE. */
static size_t root_of(const outset *o, const char *path)
{
    size_t best = NONE;
    for (size_t i = 0; i < o->nroots; i++) {
        if (!o->roots[i].write)
            continue;
        size_t n = root_len(&o->roots[i]);
        if (!strncmp(path, o->roots[i].dir, n) && path[n] == '/' &&
            (best == NONE || n > root_len(&o->roots[best])))
            best = i;
    }
    return best;
}

static bool is_link(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* The folder name in at, opened as itself (never through a link). One to
 * pass through is opened by O_PATH, which, as a path lookup, needs only
 * search permission; the last, to be read and synced, for reading (or by
 * O_PATH when it cannot be read). */
static int open_dir_at(int at, const char *name, bool last)
{
    if (last) {
        int fd = openat(at, name, DIR_NOFOLLOW);
        if (fd >= 0 || errno != EACCES)
            return fd;
    }
    return openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Opens the directory rel names below the directory at (with AT_FDCWD,
 * from "/" when rel is absolute), one component at a time and never
 * through a symbolic link (ENOTDIR or ELOOP, as for a file there), making
 * a missing one when create. Returns the new descriptor, or -1 with errno
 * set and *failed the length of rel up to the end of the component that
 * failed. */
static int open_below(int at, const char *rel, bool create, size_t *failed)
{
    *failed = 0;
    bool from_top = at == AT_FDCWD && *rel == '/';
    const char *p = rel + strspn(rel, "/");
    int cur = open_dir_at(at, from_top ? "/" : ".", !*p);
    while (cur >= 0 && *p) {
        size_t n = strcspn(p, "/");
        const char *next_name = p + n + strspn(p + n, "/");
        char *name = xstrndup(p, n);
        int next = open_dir_at(cur, name, !*next_name);
        if (next < 0 && errno == ENOENT && create &&
            (mkdirat(cur, name, 0777) == 0 || errno == EEXIST))
            next = open_dir_at(cur, name, !*next_name);
        int e = errno;
        free(name);
        close(cur);
        if ((cur = next) < 0) {
            *failed = (size_t)(p + n - rel);
            errno = e;
        }
        p = next_name;
    }
    return cur;
}

/* mkdir -p dir, for a folder outside every root to write (the user's own).
 * Returns 0, or -1 with errno set. */
static int make_dirs(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            rc = -1;
        *s = c;
        if (!c)
            break;
    }
    int e = errno;
    free(p);
    errno = e;
    return rc;
}

static size_t dirset_find(const dirset *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].path, path))
            return i;
    return NONE;
}

/* Adds the open folder fd, named path (now owned by s). Returns its index,
 * or NONE (fd closed, errno set) when it cannot be told what it is. */
static size_t dirset_add(dirset *s, char *path, int fd, size_t root)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        free(path);
        errno = e;
        return NONE;
    }
    xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n] = (destdir){path, fd, root, st.st_dev, st.st_ino};
    return s->n++;
}

static void dirset_free(dirset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        close(s->v[i].fd);
        free(s->v[i].path);
    }
    free(s->v);
    *s = (dirset){0};
}

typedef enum { DIR_OK, DIR_MISSING, DIR_LINK, DIR_FAILED } dir_status;

/* Every folder stays open until the set is freed, a few for each
 * experiment of a site: past a few hundred, the soft limit on open files
 * (1024 by default) is raised to the hard one, once. */
static void room_for_folders(size_t open_now)
{
    static bool raised;
    struct rlimit rl;
    if (raised || open_now < 256)
        return;
    raised = true;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The folder of dest, as *idx in o->dirs, opened the first time it is
 * asked for. Below a root to write it is opened from the root's descriptor
 * and never through a symbolic link: EXPDIR/charts -> /elsewhere must not
 * get files written elsewhere. A root itself, and what lies outside every
 * root, were named on the command line: opened as named. With create,
 * missing folders are made. DIR_LINK sets *link to the first folder on
 * the way that is a link (malloc'd); DIR_FAILED sets *err. */
static dir_status dir_get(outset *o, const char *dest, bool create, size_t *idx, char **link,
                          int *err)
{
    char *dir = dir_of(dest);
    *link = NULL;
    if ((*idx = dirset_find(&o->dirs, dir)) != NONE) {
        free(dir);
        return DIR_OK;
    }
    room_for_folders(o->dirs.n);
    size_t ri = root_of(o, dest), from = 0, failed = 0;
    int fd;
    if (ri != NONE) {
        from = root_len(&o->roots[ri]);
        fd = open_below(o->roots[ri].fd, dir + from, create, &failed);
    } else {
        fd = create && make_dirs(dir) != 0 ? -1 : open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd >= 0 && (*idx = dirset_add(&o->dirs, dir, fd, ri)) != NONE)
        return DIR_OK;
    *err = errno;
    dir_status s = *err == ENOENT ? DIR_MISSING : DIR_FAILED;
    if (fd < 0 && ri != NONE && (*err == ELOOP || *err == ENOTDIR)) {
        char *p = xstrndup(dir, from + failed);
        if (is_link(p)) {
            *link = p;
            s = DIR_LINK;
        } else {
            free(p);
        }
    }
    if (fd < 0)
        free(dir); /* else dirset_add freed it */
    return s;
}

/* The folder of a file about to be staged, made when missing; a folder
 * that is a symbolic link, or that cannot be made, is an error. Returns
 * 0, or -1 after adding the error to d. */
static int staging_dir(outset *o, const char *dest, size_t *idx, diag_list *d)
{
    char *link = NULL;
    int err = 0;
    dir_status s = dir_get(o, dest, true, idx, &link, &err);
    if (s == DIR_LINK)
        link_refused(link, false, d);
    else if (s != DIR_OK)
        diag_io(d, dest, 0, "cannot create directory: %s", strerror(err));
    free(link);
    return s == DIR_OK ? 0 : -1;
}

/* The commit's look at folder i, below a root to write: reached from the
 * root again without a link, it must be the very directory opened when
 * its first file was staged. A link in its place (or above it) is refused
 * as at staging; a folder moved away or replaced stops the commit too,
 * since its files are in the one opened. Returns 0, or -1 after an error. */
static int dir_still_there(const outset *o, size_t i, diag_list *d)
{
    const destdir *dd = &o->dirs.v[i];
    if (dd->root == NONE)
        return 0;
    size_t from = root_len(&o->roots[dd->root]), failed = 0;
    int fd = open_below(o->roots[dd->root].fd, dd->path + from, false, &failed);
    int e = errno;
    struct stat st;
    bool same = fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dd->dev && st.st_ino == dd->ino;
    if (fd >= 0)
        close(fd);
    if (same)
        return 0;
    if (fd < 0 && (e == ELOOP || e == ENOTDIR)) {
        char *p = xstrndup(dd->path, from + failed);
        bool linked = is_link(p);
        if (linked)
            link_refused(p, false, d);
        free(p);
        if (linked)
            return -1;
    }
    if (fd < 0 && e != ENOENT && e != ENOTDIR)
        diag_io(d, dd->path, 0, "cannot look at: %s", strerror(e));
    else
        diag_io(d, dd->path, 0, "was moved or replaced while the outputs were written; nothing "
                                "was changed");
    return -1;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Temporaries are hidden (leading dot) and unique, in the same directory
 * as dest so a rename never crosses file systems. The names,
 * .NAME.tmp-XXXXXX and .NAME.old-XXXXXX, are what outset_recover sweeps. */
static char *named_template(const char *dest, const char *kind)
{
    const char *slash = strrchr(dest, '/');
    if (!slash)
        return xasprintf(".%s.%s-XXXXXX", dest, kind);
    return xasprintf("%.*s/.%s.%s-XXXXXX", (int)(slash - dest), dest, slash + 1, kind);
}

/* Replaces the XXXXXX that ends name with six random letters and digits,
 * as mkstemp does (which cannot create relative to a descriptor). */
static void randomize(char *name)
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static uint64_t counter;
    unsigned char r[6];
    if (getentropy(r, sizeof r) != 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t v = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
                     ((uint64_t)getpid() << 40) ^ (++counter * 0x9E3779B97F4A7C15u);
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (unsigned char)(v >> (8 * i) ^ v >> (8 * i + 48));
    }
    char *x = name + strlen(name) - 6;
    for (size_t i = 0; i < sizeof r; i++)
        x[i] = set[r[i] % (sizeof set - 1)];
}

/* Creates a fresh .NAME.KIND-XXXXXX beside dest, in the folder dfd (mode
 * 0600, as mkstemp). *path gets its name spelled as dest is (malloc'd).
 * Returns the open descriptor, or -1 with errno set. */
static int create_beside(int dfd, const char *dest, const char *kind, char **path)
{
    for (int tries = 0; tries < 64; tries++) {
        char *p = named_template(dest, kind);
        randomize(p);
        int fd = openat(dfd, base_of(p), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            *path = p;
            return fd;
        }
        int e = errno;
        free(p);
        errno = e;
        if (e != EEXIST)
            return -1;
    }
    return -1;
}

/* Makes a fresh hidden name beside dest, in the folder dfd, that is a
 * hard link to src in sfd. Returns the name spelled as dest is
 * (malloc'd), or NULL with errno set by linkat (EXDEV across file
 * systems, EPERM where links are not allowed, ...). */
static char *link_beside(int dfd, const char *dest, int sfd, const char *src, const char *kind,
                         int flags)
{
    /* linkat cannot replace a file: a name taken already (EEXIST) only
     * means another try. */
    for (int tries = 0; tries < 64; tries++) {
        char *p = named_template(dest, kind);
        randomize(p);
        if (linkat(sfd, src, dfd, base_of(p), flags) == 0)
            return p;
        int e = errno;
        free(p);
        errno = e;
        if (e != EEXIST)
            return NULL;
    }
    return NULL;
}

static int stage_bytes(outset *o, const char *path, const void *data, size_t len,
                       diag_list *d);

/* True when name in the folder dfd is already a plain file of exactly
 * these bytes, as a fresh temporary would be (one link, the umask's
 * mode): the commit can keep it, with no write, sync or rename. */
static bool unchanged(int dfd, const char *name, const void *data, size_t len)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    mode_t mask = umask(0);
    umask(mask);
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
                (st.st_mode & 07777) == (0666 & ~mask) && (off_t)len == st.st_size;
    enum { BLOCK = 1 << 16 };
    char *buf = same ? xmalloc(BLOCK) : NULL;
    for (size_t at = 0; same && at < len;) {
        size_t want = len - at < BLOCK ? len - at : BLOCK;
        ssize_t r = read(fd, buf, want);
        if (r < 0 && errno == EINTR)
            continue;
        same = r > 0 && memcmp(buf, (const char *)data + at, (size_t)r) == 0;
        at += r > 0 ? (size_t)r : 0;
    }
    free(buf);
    close(fd);
    return same;
}

int outset_add(outset *o, const char *path, const void *data, size_t len, diag_list *d)
{
    /* A rebuild mostly makes the bytes it made before: those files stay
     * (not with a test hook set, whose count of writes and renames the
     * tests rely on). A folder that is missing or a link is left to
     * stage_bytes, which makes or refuses it. */
    size_t dir;
    char *link = NULL;
    int err = 0;
    if (!outset_writes_all(o) && dir_get(o, path, false, &dir, &link, &err) == DIR_OK &&
        unchanged(o->dirs.v[dir].fd, base_of(path), data, len)) {
        add_entry(o, path, NULL, dir, true, false);
        return 0;
    }
    free(link);
    return stage_bytes(o, path, data, len, d);
}

/* mkstemp makes 0600; outputs are ordinary files, so honour umask. */
static int chmod_umask(int fd)
{
    mode_t mask = umask(0);
    umask(mask);
    return fchmod(fd, 0666 & ~mask);
}

static int stage_bytes(outset *o, const char *path, const void *data, size_t len,
                       diag_list *d)
{
    o->writes++;
    size_t dir;
    if (staging_dir(o, path, &dir, d) != 0)
        return -1;
    char *tmp;
    int fd = create_beside(o->dirs.v[dir].fd, path, "tmp", &tmp);
    if (fd < 0) {
        diag_io(d, path, 0, "cannot create a temporary file: %s", strerror(errno));
        return -1;
    }
    /* Register before writing so a failure below still removes it. */
    add_entry(o, path, tmp, dir, false, false);
    int rc = chmod_umask(fd);
    if (rc == 0 && o->fail_after > 0 && o->writes == o->fail_after) {
        errno = ENOSPC;
        rc = -1;
    }
    if (rc == 0)
        rc = write_all(fd, data, len);
    int e = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0) {
        diag_io(d, path, 0, "cannot write: %s", strerror(e));
        return -1;
    }
    return 0;
}

int outset_reserve(outset *o, const char *dest, const char **tmp, diag_list *d)
{
    if (stage_bytes(o, dest, "", 0, d) != 0)
        return -1;
    *tmp = o->files[o->n - 1].tmp;
    return 0;
}

int outset_add_copy(outset *o, const char *dest, const char *src, diag_list *d)
{
    size_t len = 0;
    char *data = file_read_all(src, &len);
    if (!data) {
        diag_io(d, src, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    int rc = outset_add(o, dest, data, len, d);
    free(data);
    return rc;
}

int outset_remove(outset *o, const char *path)
{
    /* Its folder is looked at by the commit, which may find it missing. */
    add_entry(o, path, NULL, NONE, false, true);
    return 0;
}

/* Copies the open file in to out in blocks, so a large file never sits in
 * memory whole. Returns 0 or -1 with errno set. */
static int copy_fd(int in, int out)
{
    enum { BLOCK = 1 << 20 };
    char *buf = xmalloc(BLOCK);
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, BLOCK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? -1 : 0;
            break;
        }
        if (write_all(out, buf, (size_t)r) != 0) {
            rc = -1;
            break;
        }
    }
    int e = errno;
    free(buf);
    errno = e;
    return rc;
}

/* Where src is, for a link or a copy of it: in a folder the set has open
 * (its own temporary, an archive kept in EXPDIR), by that descriptor and
 * its name there; any other file by its path. */
static const char *source_at(const outset *o, const char *src, int *fd)
{
    char *dir = dir_of(src);
    size_t i = dirset_find(&o->dirs, dir);
    free(dir);
    *fd = i != NONE ? o->dirs.v[i].fd : AT_FDCWD;
    return i != NONE ? base_of(src) : src;
}

int outset_add_link_or_copy(outset *o, const char *dest, const char *src, diag_list *d)
{
    o->writes++;
    if (o->fail_after > 0 && o->writes == o->fail_after) {
        diag_io(d, dest, 0, "cannot write: %s", strerror(ENOSPC));
        return -1;
    }
    size_t dir;
    if (staging_dir(o, dest, &dir, d) != 0)
        return -1;
    int dfd = o->dirs.v[dir].fd, sfd;
    const char *from = source_at(o, src, &sfd);
    /* AT_SYMLINK_FOLLOW: an archive reached through a symbolic link is
     * linked as the file it names, not as the link. */
    char *tmp = link_beside(dfd, dest, sfd, from, "tmp", AT_SYMLINK_FOLLOW);
    if (tmp) {
        add_entry(o, dest, tmp, dir, false, false);
        return 0;
    }

    /* No link possible: a streamed copy. */
    int in = openat(sfd, from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        diag_io(d, src, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    int fd = create_beside(dfd, dest, "tmp", &tmp);
    if (fd < 0) {
        diag_io(d, dest, 0, "cannot create a temporary file: %s", strerror(errno));
        close(in);
        return -1;
    }
    add_entry(o, dest, tmp, dir, false, false);
    int rc = chmod_umask(fd);
    if (rc == 0)
        rc = copy_fd(in, fd);
    int e = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    close(in);
    if (rc != 0) {
        diag_io(d, dest, 0, "cannot copy %s: %s", src, strerror(e));
        return -1;
    }
    return 0;
}

/* ---- Durability. ------------------------------------------------------ */

/* fsyncs the folder fd; a file system that cannot (EINVAL, EROFS) is no
 * error. */
static int sync_dir(int fd)
{
    return fsync(fd) != 0 && errno != EINVAL && errno != EROFS ? -1 : 0;
}

/* fsyncs the file name in the folder dfd. */
static int sync_file_at(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* fsyncs each folder the set's files lie in, once, so the renames in it
 * last. */
static int sync_dirs(const outset *o)
{
    bool *done = xcalloc(o->dirs.n + 1, sizeof *done);
    int rc = 0;
    for (size_t i = 0; i < o->n; i++) {
        size_t k = o->files[i].dir;
        if (k == NONE || done[k])
            continue;
        done[k] = true;
        if (sync_dir(o->dirs.v[k].fd) != 0)
            rc = -1;
    }
    free(done);
    return rc;
}

/* ---- The journal. ------------------------------------------------------ */

/* path with '%', tab and newline written as %25, %09, %0A: one field. */
static void put_field(strbuf *b, const char *path)
{
    for (const char *p = path ? path : ""; *p; p++) {
        if (*p == '%' || *p == '\t' || *p == '\n')
            buf_printf(b, "%%%02X", (unsigned char)*p);
        else
            buf_putc(b, *p);
    }
}

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

/* An absolute spelling of path (its directory resolved), so a journal
 * works from any working directory. Caller frees. */
static char *absolute(const char *path)
{
    char *dir = dir_of(path);
    char *real = realpath(dir, NULL);
    free(dir);
    if (!real)
        return xstrdup(path);
    const char *base = strrchr(path, '/');
    char *abs = path_join(real, base ? base + 1 : path);
    free(real);
    return abs;
}

bool outset_has(const outset *o, const char *path)
{
    char *want = absolute(path);
    bool found = false;
    for (size_t i = 0; i < o->n && !found; i++) {
        char *have = absolute(o->files[i].dest);
        found = str_eq(have, want);
        free(have);
    }
    free(want);
    return found;
}

/* Where folder dd is now, resolved, for the journal (read back from any
 * working directory): the kernel's name for its descriptor, else its path
 * resolved, either only when it names that very directory. Caller frees;
 * NULL with errno set when neither does. */
static char *dir_real(const destdir *dd)
{
    char proc[64], buf[PATH_MAX];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", dd->fd);
    ssize_t n = readlink(proc, buf, sizeof buf - 1);
    for (int k = 0; k < 2; k++) {
        char *cand = NULL;
        if (k == 0 && n > 0 && buf[0] == '/') {
            cand = xstrndup(buf, (size_t)n);
        } else if (k == 1) {
            char *r = realpath(dd->path, NULL);
            cand = r ? xstrdup(r) : NULL; /* realpath's malloc is not ours to hand on */
            free(r);
        }
        struct stat st;
        if (cand && stat(cand, &st) == 0 && st.st_dev == dd->dev && st.st_ino == dd->ino)
            return cand;
        free(cand);
    }
    errno = ENOENT;
    return NULL;
}

/* The journal's line for f, its paths under the folder's real name. */
static void journal_line(strbuf *b, const staged *f, const char *real)
{
    /* A removal has no temporary: its first field is empty. */
    char *t = f->tmp ? path_join(real, base_of(f->tmp)) : xstrdup("");
    char *dst = path_join(real, base_of(f->dest));
    char *bk = f->backup ? path_join(real, base_of(f->backup)) : NULL;
    put_field(b, t);
    buf_putc(b, '\t');
    put_field(b, dst);
    buf_putc(b, '\t');
    put_field(b, bk);
    buf_putc(b, '\n');
    free(t);
    free(dst);
    free(bk);
}

/* The journal's text: every pending entry, then "commit". Returns 0, or
 * -1 with errno set when a folder's real name cannot be told. */
static int journal_text(const outset *o, strbuf *b)
{
    buf_puts(b, JOURNAL_MAGIC "\n");
    char **real = xcalloc(o->dirs.n + 1, sizeof *real);
    int rc = 0;
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        const staged *f = &o->files[i];
        if (f->renamed)
            continue;
        if (!real[f->dir] && !(real[f->dir] = dir_real(&o->dirs.v[f->dir])))
            rc = -1;
        else
            journal_line(b, f, real[f->dir]);
    }
    int e = errno;
    for (size_t k = 0; k < o->dirs.n; k++)
        free(real[k]);
    free(real);
    buf_puts(b, "commit\n");
    errno = e;
    return rc;
}

/* Writes the journal of o's pending renames into home, durably. Returns
 * 0, or -1 with errno set. */
static int journal_write(const outset *o, const root *home)
{
    strbuf b;
    buf_init(&b);
    char *tmp = NULL;
    int fd = -1;
    int rc = journal_text(o, &b);
    if (rc == 0 && (fd = create_beside(home->fd, JOURNAL_NAME, "tmp", &tmp)) < 0)
        rc = -1;
    if (rc == 0)
        rc = write_all(fd, b.data, b.len);
    if (rc == 0)
        rc = fsync(fd);
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && renameat(home->fd, tmp, home->fd, JOURNAL_NAME) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0)
        fsync(home->fd);
    else if (tmp)
        unlinkat(home->fd, tmp, 0);
    free(tmp);
    buf_free(&b);
    errno = e;
    return rc;
}

/* Marks the journal "undo" before a failed commit puts backups back, so a
 * kill during the undo is finished by the next run the same way. */
static void journal_mark_undo(const root *home)
{
    int fd = openat(home->fd, JOURNAL_NAME, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    if (write_all(fd, "undo\n", 5) == 0)
        fsync(fd);
    close(fd);
}

static void journal_remove(const root *home)
{
    if (unlinkat(home->fd, JOURNAL_NAME, 0) == 0)
        fsync(home->fd);
}

/* Puts a destination's previous file back: its backup, or nothing when
 * there was none (the destination is new in this commit). Each name is
 * in the folder given with it. */
static void put_back(int dfd, const char *dest, int bfd, const char *backup, bool dest_is_new)
{
    struct stat sb, sd;
    if (backup && fstatat(bfd, backup, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        /* rename() between two names of one file does nothing: unlink. */
        if (fstatat(dfd, dest, &sd, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_dev == sd.st_dev &&
            sb.st_ino == sd.st_ino)
            unlinkat(bfd, backup, 0);
        else
            renameat(bfd, backup, dfd, dest);
    } else if (!backup && dest_is_new) {
        unlinkat(dfd, dest, 0);
    }
}

/* The journal in home, when it is a regular file of at most JOURNAL_MAX
 * bytes (a link is not followed); NULL otherwise. */
static char *journal_read(const root *home, size_t *len)
{
    int fd = openat(home->fd, JOURNAL_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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
    char *dir = dir_of(path);
    size_t i = dirset_find(s, dir);
    if (i != NONE) {
        free(dir);
        *fd = s->v[i].fd;
        return DIR_OK;
    }
    size_t failed;
    int f = open_below(AT_FDCWD, dir, false, &failed);
    if (f >= 0 && (i = dirset_add(s, dir, f, NONE)) != NONE) {
        *fd = f;
        return DIR_OK;
    }
    int e = errno;
    dir_status st = e == ENOENT ? DIR_MISSING : DIR_FAILED;
    if (f < 0) {
        char *p = xstrndup(dir, failed);
        if (e == ELOOP || (e == ENOTDIR && is_link(p)))
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
                char *moved = dir_of(paths[k]);
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
        const char *tmp = base_of(v[i].tmp), *dest = base_of(v[i].dest);
        const char *backup = v[i].backup ? base_of(v[i].backup) : NULL;
        struct stat st;
        bool removal = !*v[i].tmp;
        bool pending = !removal && fstatat(tfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (undo) {
            /* Back to the previous set: a renamed entry without a backup
             * was new, so it goes. */
            put_back(dfd, dest, bfd, backup, !pending && !removal);
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

/* Finishes the journal a killed run left in home: the set's home, or a
 * directory only read that outset_lock_dirs took exclusive for it.
 * Returns 0 (none there, or finished), or -1 after an error. */
static int recover_journal(const root *home, diag_list *d)
{
    size_t len;
    char *text = journal_read(home, &len);
    if (!text)
        return 0;
    char *jpath = path_join(home->dir, JOURNAL_NAME);
    jentry *v = NULL;
    size_t n = 0, cap = 0;
    bool magic = false, commit = false, undo = false;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a torn last line: the journal was never finished */
        size_t ln = (size_t)(nl - p);
        if (!magic) {
            magic = ln == strlen(JOURNAL_MAGIC) && !memcmp(p, JOURNAL_MAGIC, ln);
            if (!magic)
                break;
        } else if (ln == 6 && !memcmp(p, "commit", 6)) {
            commit = true;
        } else if (ln == 4 && !memcmp(p, "undo", 4) && commit) {
            undo = true;
        } else if (!commit) {
            const char *t1 = memchr(p, '\t', ln);
            const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1)) : NULL;
            if (!t2)
                break;
            xgrow((void **)&v, &cap, n + 1, sizeof *v);
            v[n] = (jentry){0};
            v[n].tmp = get_field(p, (size_t)(t1 - p));
            v[n].dest = get_field(t1 + 1, (size_t)(t2 - t1 - 1));
            v[n].backup = t2 + 1 < nl ? get_field(t2 + 1, (size_t)(nl - t2 - 1)) : NULL;
            n++;
        }
        p = nl + 1;
    }
    int rc = 0;
    dirset dirs = {0};
    if (magic && commit) {
        rc = journal_open_dirs(v, n, &dirs, jpath, d);
        if (rc == 0)
            rc = journal_finish(v, n, undo, d);
        if (rc == 0) {
            for (size_t k = 0; k < dirs.n; k++)
                sync_dir(dirs.v[k].fd);
            fprintf(stderr, "memreport: %s: %s the outputs of an interrupted build (%zu files)\n",
                    home->dir, undo ? "restored" : "completed", n);
        }
    }
    if (rc == 0)
        journal_remove(home);
    dirset_free(&dirs);
    for (size_t i = 0; i < n; i++) {
        free(v[i].tmp);
        free(v[i].dest);
        free(v[i].backup);
    }
    free(v);
    free(text);
    free(jpath);
    return rc;
}

/* ---- Locks and leftovers. ---------------------------------------------- */

/* True for the names this module makes: .NAME.tmp-XXXXXX or
 * .NAME.old-XXXXXX (mkstemp's six letters and digits), with sqlite's
 * -journal, -wal or -shm after an archive's. */
bool outset_is_leftover(const char *name)
{
    if (name[0] != '.')
        return false;
    const char *kinds[] = {".tmp-", ".old-"};
    for (size_t k = 0; k < 2; k++) {
        const char *at = strstr(name + 1, kinds[k]);
        while (at) {
            const char *x = at + 5;
            size_t i = 0;
            while (i < 6 && ((x[i] >= 'a' && x[i] <= 'z') || (x[i] >= 'A' && x[i] <= 'Z') ||
                             (x[i] >= '0' && x[i] <= '9')))
                i++;
            const char *rest = x + i;
            if (i == 6 && at > name + 1 &&
                (!*rest || !strcmp(rest, "-journal") || !strcmp(rest, "-wal") ||
                 !strcmp(rest, "-shm")))
                return true;
            at = strstr(at + 1, kinds[k]);
        }
    }
    return false;
}

/* Removes leftovers in the folder dirfd and its subfolders, depth levels
 * down; a symbolic link is never followed (a subfolder is opened as
 * itself, as the staging does). Returns the number removed. */
static size_t sweep(int dirfd, int depth)
{
    int fd = openat(dirfd, ".", DIR_NOFOLLOW);
    DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dh) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
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
            if (unlinkat(dirfd, de->d_name, 0) == 0)
                removed++;
        } else if (S_ISDIR(st.st_mode) && depth > 0 && de->d_name[0] != '.') {
            xgrow((void **)&subdirs, &cap, nsub + 1, sizeof *subdirs);
            subdirs[nsub++] = xstrdup(de->d_name);
        }
    }
    closedir(dh);
    for (size_t i = 0; i < nsub; i++) {
        int sub = openat(dirfd, subdirs[i], DIR_NOFOLLOW);
        if (sub >= 0) {
            removed += sweep(sub, depth - 1);
            close(sub);
        }
        free(subdirs[i]);
    }
    free(subdirs);
    return removed;
}

/* The pid holding a flock on fd's file, from /proc/locks (Linux), and
 * whether its lock is shared (*reading); 0 when it cannot be told. */
static long lock_holder(int fd, bool *reading)
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
    long pid = lock_holder(r->fd, &reading);
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
    size_t ri = root_of(o, probe);
    free(probe);
    if (ri == NONE) {
        if (make_dirs(dir) != 0) {
            diag_io(d, dir, 0, "cannot create directory: %s", strerror(errno));
            return -1;
        }
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            diag_io(d, dir, 0, "cannot open to lock: %s", strerror(errno));
        return fd;
    }
    size_t from = root_len(&o->roots[ri]), failed = 0;
    int fd = open_below(o->roots[ri].fd, dir + from, true, &failed);
    if (fd < 0) {
        int err = errno;
        char *p = xstrndup(dir, from + failed);
        if ((err == ELOOP || err == ENOTDIR) && is_link(p))
            link_refused(p, false, d);
        else
            diag_io(d, dir, 0, "cannot create directory: %s", strerror(err));
        free(p);
    }
    return fd;
}

/* Registers fd, e's directory open. One registered already (the same
 * directory again: build X -o X, site -o X X) gets e's mode added
 * instead: a second flock on it would wait for this very process. */
static void add_root(outset *o, const outset_dir *e, int fd)
{
    bool write = e->mode == OUTSET_WRITE;
    struct stat st, held;
    for (size_t i = 0; i < o->nroots && fstat(fd, &st) == 0; i++) {
        root *r = &o->roots[i];
        if (r->fd >= 0 && fstat(r->fd, &held) == 0 && held.st_dev == st.st_dev &&
            held.st_ino == st.st_ino) {
            close(fd);
            r->write |= write;
            r->exclusive |= write;
            r->readers += !write;
            return;
        }
    }
    xgrow((void **)&o->roots, &o->rcap, o->nroots + 1, sizeof *o->roots);
    o->roots[o->nroots++] = (root){xstrdup(e->dir), fd, write, write, !write};
}

static bool journal_left(const root *r)
{
    struct stat st;
    return fstatat(r->fd, JOURNAL_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0;
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
     * shows one, none will. */
    for (;;) {
        if (take_all(o, d) != 0)
            return -1;
        bool again = false;
        for (size_t i = 0; i < o->nroots; i++) {
            root *r = &o->roots[i];
            if (r->fd >= 0 && !r->exclusive && journal_left(r))
                r->exclusive = again = true;
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
static const root *home_of(const outset *o)
{
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write)
            return &o->roots[i];
    return NULL;
}

int outset_recover(outset *o, diag_list *d)
{
    const root *home = home_of(o);
    for (size_t i = 0; i < o->nroots; i++) {
        const root *r = &o->roots[i];
        /* The home's journal, and one a killed build left in a directory
         * only read (outset_lock_dirs took that one exclusive). */
        bool journal = r == home || (!r->write && r->exclusive && r->fd >= 0);
        if (journal && recover_journal(r, d) != 0)
            return -1;
    }
    /* Only below directories this run writes: a reader's sweep could take
     * a temporary from a run that writes a folder inside the one read. */
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write)
            sweep(o->roots[i].fd, 3);
    return 0;
}

/* ---- The commit. ------------------------------------------------------- */

/* The commit's look at the folders (step 1): each removal's folder is
 * opened as a staged file's was (a missing one has nothing to remove),
 * and every folder below a root to write must still be the directory it
 * was. Whatever happens to the paths after this, every rename, link and
 * unlink goes through the descriptors. Returns 0, or -1 after an error. */
static int check_dirs(outset *o, diag_list *d)
{
    for (size_t i = 0; i < o->n; i++) {
        staged *f = &o->files[i];
        if (!f->remove || f->dir != NONE)
            continue;
        char *link = NULL;
        int err = 0;
        size_t k;
        dir_status s = dir_get(o, f->dest, false, &k, &link, &err);
        if (s == DIR_LINK) {
            link_refused(link, false, d);
            free(link);
            return -1;
        }
        f->dir = s == DIR_OK ? k : NONE;
    }
    for (size_t k = 0; k < o->dirs.n; k++)
        if (dir_still_there(o, k, d) != 0)
            return -1;
    return 0;
}

/* Puts back the destinations of files [0, upto) that this commit renamed. */
static void undo_renames(outset *o, size_t upto, const bool *was_new)
{
    for (size_t i = upto; i-- > 0;) {
        staged *f = &o->files[i];
        if (!f->renamed || (!f->tmp && !f->remove) || f->dir == NONE)
            continue;
        int dfd = o->dirs.v[f->dir].fd;
        put_back(dfd, base_of(f->dest), dfd, f->backup ? base_of(f->backup) : NULL, was_new[i]);
    }
}

static void drop_backups(outset *o)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->files[i].backup) {
            unlinkat(o->dirs.v[o->files[i].dir].fd, base_of(o->files[i].backup), 0);
            free(o->files[i].backup);
            o->files[i].backup = NULL;
        }
}

/* Step 1 for one file: its temporary synced, its destination one that a
 * rename can replace. Returns 0, or -1 after an error. */
static int prepare_one(staged *f, int dfd, bool *was_new, diag_list *d)
{
    /* A hard link to the file dest already is (outset_add_link_or_copy
     * of an unchanged archive) would survive rename(), which does
     * nothing when both names are one file: drop it instead. */
    struct stat st, sd;
    bool have_dest = fstatat(dfd, base_of(f->dest), &sd, AT_SYMLINK_NOFOLLOW) == 0;
    if (f->remove) {
        /* Nothing there to remove (a directory is kept). */
        f->renamed = !have_dest || S_ISDIR(sd.st_mode);
        return 0;
    }
    if (fstatat(dfd, base_of(f->tmp), &st, AT_SYMLINK_NOFOLLOW) == 0 && have_dest &&
        st.st_dev == sd.st_dev && st.st_ino == sd.st_ino) {
        unlinkat(dfd, base_of(f->tmp), 0);
        f->renamed = true;
        free(f->tmp);
        f->tmp = NULL;
        return 0;
    }
    if (have_dest && S_ISDIR(sd.st_mode)) {
        diag_error(d, f->dest, 0, "is a directory; memreport replaces only files there "
                                  "(nothing was changed)");
        return -1;
    }
    *was_new = !have_dest;
    if (sync_file_at(dfd, base_of(f->tmp)) != 0) {
        diag_io(d, f->dest, 0, "cannot sync to disk: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Test hook: the commit waits here, its journal written, before the first
 * rename (tests swap a folder meanwhile). */
static void pause_before_renames(const outset *o)
{
    struct timespec ts = {o->pause_ms / 1000, (o->pause_ms % 1000) * 1000000L};
    while (o->pause_ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int outset_commit(outset *o, diag_list *d)
{
    bool *was_new = xcalloc(o->n + 1, sizeof *was_new);
    const root *home = home_of(o);
    char *jpath = home ? path_join(home->dir, JOURNAL_NAME) : NULL;
    int rc = -1;
    /* 1. Durable temporaries; destinations that can be replaced, in the
     * folders they were staged in. */
    if (check_dirs(o, d) != 0)
        goto out;
    for (size_t i = 0; i < o->n; i++) {
        staged *f = &o->files[i];
        if (f->renamed)
            continue; /* kept as it was (outset_add) */
        if (f->dir == NONE) {
            f->renamed = true; /* a removal whose folder is missing */
            continue;
        }
        if (prepare_one(f, o->dirs.v[f->dir].fd, &was_new[i], d) != 0)
            goto out;
    }
    /* 2. A second name for every file about to be replaced. */
    for (size_t i = 0; i < o->n; i++) {
        staged *f = &o->files[i];
        if (f->renamed || was_new[i])
            continue;
        int dfd = o->dirs.v[f->dir].fd;
        f->backup = link_beside(dfd, f->dest, dfd, base_of(f->dest), "old", 0);
        if (!f->backup) {
            diag_io(d, f->dest, 0, "cannot keep the previous file while replacing it: %s",
                    strerror(errno));
            goto out;
        }
    }
    /* 3. The journal. */
    if (home && journal_write(o, home) != 0) {
        diag_io(d, jpath, 0, "cannot write the commit journal: %s", strerror(errno));
        goto out;
    }
    pause_before_renames(o);
    /* 4. The renames. */
    long renames = 0;
    for (size_t i = 0; i < o->n; i++) {
        staged *f = &o->files[i];
        if (f->renamed)
            continue;
        int dfd = o->dirs.v[f->dir].fd, r;
        if (o->fail_rename > 0 && ++renames == o->fail_rename) {
            errno = EIO;
            r = -1;
        } else if (f->remove) {
            r = unlinkat(dfd, base_of(f->dest), 0) != 0 && errno != ENOENT ? -1 : 0;
        } else {
            r = renameat(dfd, base_of(f->tmp), dfd, base_of(f->dest));
        }
        if (r != 0) {
            diag_io(d, f->dest, 0,
                    f->remove ? "cannot remove: %s; the previous outputs were put back"
                              : "cannot rename into place: %s; the previous outputs were put back",
                    strerror(errno));
            if (home)
                journal_mark_undo(home);
            undo_renames(o, i, was_new);
            sync_dirs(o);
            if (home)
                journal_remove(home);
            goto out;
        }
        f->renamed = true;
    }
    /* 5. Durable renames; the previous set and the journal go. */
    if (sync_dirs(o) != 0) {
        /* The new set is in place; a later power cut may still lose it. */
        diag_warn(d, o->files[0].dest, 0, "cannot sync a directory: %s", strerror(errno));
    }
    drop_backups(o);
    if (home)
        journal_remove(home);
    rc = 0;
out:
    if (rc != 0)
        drop_backups(o);
    free(was_new);
    free(jpath);
    return rc;
}

void outset_free(outset *o)
{
    if (!o)
        return;
    for (outset **p = &live; *p; p = &(*p)->next_live)
        if (*p == o) {
            *p = o->next_live;
            break;
        }
    for (size_t i = 0; i < o->n; i++) {
        if (!o->files[i].renamed && o->files[i].tmp)
            unlinkat(o->dirs.v[o->files[i].dir].fd, base_of(o->files[i].tmp), 0);
        free(o->files[i].dest);
        free(o->files[i].tmp);
        free(o->files[i].backup);
    }
    free(o->files);
    dirset_free(&o->dirs);
    for (size_t i = 0; i < o->nroots; i++) {
        if (o->roots[i].fd >= 0)
            close(o->roots[i].fd); /* releases the lock */
        free(o->roots[i].dir);
    }
    free(o->roots);
    free(o);
}
