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
 * one whole set is visible. */
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

#include "util.h"

#define JOURNAL_NAME ".memreport.journal"
#define JOURNAL_MAGIC "memreport journal 1"

typedef struct {
    char *dest;
    char *tmp;
    char *backup;   /* hard link to the previous dest, or NULL */
    bool renamed;
    bool remove;    /* no tmp: dest is removed by the commit */
} staged;

typedef struct {
    char *dir;        /* as given */
    int fd;           /* its lock, held until outset_free; -1 once let go */
    bool write;       /* outputs go below it (else it is only read) */
    bool exclusive;   /* LOCK_EX: to write, or read with a journal to finish */
    unsigned readers; /* outset_lock_dirs' OUTSET_READ entries for it, less
                         outset_unlock_read's */
} root;

struct outset {
    staged *files;
    size_t n, cap;
    long fail_after;   /* test hook: 0 = off */
    long writes;
    long fail_rename;  /* test hook: the N-th commit rename fails */
    root *roots;
    size_t nroots, rcap;
    outset *next_live; /* every outset not yet freed, for the fatal hook */
};

static outset *live;

/* Out of memory mid-build: leave no temporaries behind. Allocates nothing. */
static void remove_all_temporaries(void)
{
    for (outset *o = live; o; o = o->next_live)
        for (size_t i = 0; i < o->n; i++)
            if (!o->files[i].renamed && o->files[i].tmp)
                unlink(o->files[i].tmp);
}

outset *outset_new(void)
{
    outset *o = xcalloc(1, sizeof *o);
    const char *f = getenv("MEMREPORT_FAIL_AFTER");
    if (f && *f)
        o->fail_after = strtol(f, NULL, 10);
    f = getenv("MEMREPORT_FAIL_RENAME");
    if (f && *f)
        o->fail_rename = strtol(f, NULL, 10);
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
    return o->fail_after > 0 || o->fail_rename > 0;
}

outset_entry outset_entry_at(const outset *o, size_t i)
{
    const staged *f = &o->files[i];
    return (outset_entry){f->dest, f->tmp, f->remove};
}

/* The registered root to write that path lies under (by its spelling),
 * or NULL. */
static const root *root_of(const outset *o, const char *path)
{
    const root *best = NULL;
    for (size_t i = 0; i < o->nroots; i++) {
        if (!o->roots[i].write)
            continue;
        size_t n = strlen(o->roots[i].dir);
        while (n > 1 && o->roots[i].dir[n - 1] == '/')
            n--;
        if (!strncmp(path, o->roots[i].dir, n) && path[n] == '/' &&
            (!best || n > strlen(best->dir)))
            best = &o->roots[i];
    }
    return best;
}

/* The first directory of path below its root to write that is a
 * symbolic link (malloc'd), or NULL. Only what lies below a root is
 * checked: a root itself, and the directories above it, were named on the
 * command line, so links there are the user's own. */
static char *linked_parent(const outset *o, const char *path)
{
    const root *r = root_of(o, path);
    if (!r)
        return NULL;
    size_t from = strlen(r->dir);
    char *p = xstrdup(path);
    for (char *s = p + from + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        struct stat st;
        if (lstat(p, &st) != 0)
            break; /* missing: made for real below */
        if (S_ISLNK(st.st_mode))
            return p;
        *s = '/';
    }
    free(p);
    return NULL;
}

/* mkdir -p for the directory part of path. Below a root to write, a
 * directory that is a symbolic link is refused (errno ELOOP, *link set):
 * EXPDIR/charts -> /elsewhere must not get files written elsewhere. */
static int make_parents(const outset *o, const char *path, char **link)
{
    if ((*link = linked_parent(o, path))) {
        errno = ELOOP;
        return -1;
    }
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
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

static int parents_or_error(const outset *o, const char *path, diag_list *d)
{
    char *link = NULL;
    if (make_parents(o, path, &link) == 0)
        return 0;
    if (link) {
        link_refused(link, false, d);
        free(link);
    } else {
        diag_io(d, path, 0, "cannot create directory: %s", strerror(errno));
    }
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

/* The temporary is hidden (leading dot) and unique (mkstemp), in the same
 * directory as dest so rename() never crosses file systems. The names,
 * .NAME.tmp-XXXXXX and .NAME.old-XXXXXX, are what outset_recover sweeps. */
static char *named_template(const char *dest, const char *kind)
{
    const char *slash = strrchr(dest, '/');
    if (!slash)
        return xasprintf(".%s.%s-XXXXXX", dest, kind);
    return xasprintf("%.*s/.%s.%s-XXXXXX", (int)(slash - dest), dest, slash + 1, kind);
}

static char *temp_template(const char *dest)
{
    return named_template(dest, "tmp");
}

static int stage_bytes(outset *o, const char *path, const void *data, size_t len,
                       diag_list *d);

/* True when path is already a plain file of exactly these bytes, as a
 * fresh temporary would be (one link, the umask's mode): the commit can
 * keep it, with no write, sync or rename. */
static bool unchanged(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
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
     * (not with a failure hook set, whose count of writes and renames the
     * tests rely on). */
    if (!outset_writes_all(o) && unchanged(path, data, len)) {
        xgrow((void **)&o->files, &o->cap, o->n + 1, sizeof *o->files);
        o->files[o->n++] = (staged){xstrdup(path), NULL, NULL, true, false};
        return 0;
    }
    return stage_bytes(o, path, data, len, d);
}

static int stage_bytes(outset *o, const char *path, const void *data, size_t len,
                       diag_list *d)
{
    o->writes++;
    if (parents_or_error(o, path, d) != 0)
        return -1;
    char *tmp = temp_template(path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        diag_io(d, path, 0, "cannot create a temporary file: %s", strerror(errno));
        free(tmp);
        return -1;
    }
    /* Register before writing so a failure below still removes it. */
    xgrow((void **)&o->files, &o->cap, o->n + 1, sizeof *o->files);
    o->files[o->n++] = (staged){xstrdup(path), tmp, NULL, false, false};

    /* mkstemp makes 0600; outputs are ordinary files, so honour umask. */
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask);
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
    xgrow((void **)&o->files, &o->cap, o->n + 1, sizeof *o->files);
    o->files[o->n++] = (staged){xstrdup(path), NULL, NULL, false, true};
    return 0;
}

/* Registers tmp (malloc'd, now owned by o) as the temporary for dest. */
static void register_tmp(outset *o, const char *dest, char *tmp)
{
    xgrow((void **)&o->files, &o->cap, o->n + 1, sizeof *o->files);
    o->files[o->n++] = (staged){xstrdup(dest), tmp, NULL, false, false};
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

/* Tries to make a fresh hidden name beside dest that is a hard link to
 * src. Returns the name (malloc'd), or NULL with errno set by link (EXDEV
 * across file systems, EPERM where links are not allowed, ...). */
static char *link_beside(const char *dest, const char *src, const char *kind, int flags)
{
    /* mkstemp picks an unused random name; link() cannot replace a file,
     * so that name is freed first, and a name taken in between (EEXIST)
     * only means another try. */
    for (int tries = 0; tries < 16; tries++) {
        char *tmp = named_template(dest, kind);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            int e = errno;
            free(tmp);
            errno = e;
            return NULL;
        }
        close(fd);
        unlink(tmp);
        /* AT_SYMLINK_FOLLOW: an archive reached through a symbolic link
         * is linked as the file it names, not as the link. */
        if (linkat(AT_FDCWD, src, AT_FDCWD, tmp, flags) == 0)
            return tmp;
        int e = errno;
        free(tmp);
        errno = e;
        if (e != EEXIST)
            return NULL;
    }
    return NULL;
}

int outset_add_link_or_copy(outset *o, const char *dest, const char *src, diag_list *d)
{
    o->writes++;
    if (o->fail_after > 0 && o->writes == o->fail_after) {
        diag_io(d, dest, 0, "cannot write: %s", strerror(ENOSPC));
        return -1;
    }
    if (parents_or_error(o, dest, d) != 0)
        return -1;
    char *tmp = link_beside(dest, src, "tmp", AT_SYMLINK_FOLLOW);
    if (tmp) {
        register_tmp(o, dest, tmp);
        return 0;
    }

    /* No link possible: a streamed copy. */
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        diag_io(d, src, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    tmp = temp_template(dest);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        diag_io(d, dest, 0, "cannot create a temporary file: %s", strerror(errno));
        free(tmp);
        close(in);
        return -1;
    }
    register_tmp(o, dest, tmp);
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask);
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

/* A directory is opened following a link: the ones synced are a locked
 * root (which the user may have named through a link) or directories
 * below it that the commit checked are real. */
static int sync_path(const char *path, bool directory)
{
    int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NOFOLLOW) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
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

/* fsyncs the directory of each path once, so the renames in it last. */
static int sync_dirs(char *const *paths, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *dir = dir_of(paths[i]);
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            char *other = dir_of(paths[k]);
            seen = !strcmp(dir, other);
            free(other);
        }
        if (!seen && sync_path(dir, true) != 0 && errno != EINVAL && errno != EROFS)
            rc = -1;
        free(dir);
    }
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

/* The first root to write: where the set's journal lives. NULL if none. */
static const root *home_of(const outset *o)
{
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write)
            return &o->roots[i];
    return NULL;
}

static char *journal_path(const outset *o)
{
    const root *home = home_of(o);
    return home ? path_join(home->dir, JOURNAL_NAME) : NULL;
}

/* Writes the journal of o's pending renames, durably. Returns 0 or -1. */
static int journal_write(const outset *o, const char *jpath)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, JOURNAL_MAGIC "\n");
    for (size_t i = 0; i < o->n; i++) {
        if (o->files[i].renamed)
            continue;
        /* A removal has no temporary: its first field is empty. */
        char *t = o->files[i].tmp ? absolute(o->files[i].tmp) : xstrdup("");
        char *dst = absolute(o->files[i].dest);
        char *bk = o->files[i].backup ? absolute(o->files[i].backup) : NULL;
        put_field(&b, t);
        buf_putc(&b, '\t');
        put_field(&b, dst);
        buf_putc(&b, '\t');
        put_field(&b, bk);
        buf_putc(&b, '\n');
        free(t);
        free(dst);
        free(bk);
    }
    buf_puts(&b, "commit\n");
    char *tmp = temp_template(jpath);
    int fd = mkstemp(tmp);
    int rc = fd < 0 ? -1 : write_all(fd, b.data, b.len);
    if (fd >= 0) {
        if (rc == 0)
            rc = fsync(fd);
        if (close(fd) != 0)
            rc = -1;
    }
    if (rc == 0)
        rc = rename(tmp, jpath);
    if (rc == 0) {
        char *dir = dir_of(jpath);
        sync_path(dir, true);
        free(dir);
    } else if (fd >= 0) {
        unlink(tmp);
    }
    free(tmp);
    buf_free(&b);
    return rc;
}

/* Marks the journal "undo" before a failed commit puts backups back, so a
 * kill during the undo is finished by the next run the same way. */
static void journal_mark_undo(const char *jpath)
{
    int fd = open(jpath, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return;
    if (write_all(fd, "undo\n", 5) == 0)
        fsync(fd);
    close(fd);
}

static void journal_remove(const char *jpath)
{
    if (unlink(jpath) == 0) {
        char *dir = dir_of(jpath);
        sync_path(dir, true);
        free(dir);
    }
}

typedef struct {
    char *tmp, *dest, *backup;
} jentry;

/* Puts entry e's previous file back: its backup, or nothing when there
 * was none (the destination is new in this commit). */
static void put_back(const char *dest, const char *backup, bool dest_is_new)
{
    struct stat sb, sd;
    if (backup && lstat(backup, &sb) == 0) {
        /* rename() between two names of one file does nothing: unlink. */
        if (lstat(dest, &sd) == 0 && sb.st_dev == sd.st_dev && sb.st_ino == sd.st_ino)
            unlink(backup);
        else
            rename(backup, dest);
    } else if (!backup && dest_is_new) {
        unlink(dest);
    }
}

/* The folder of path (written to the journal resolved) when it now
 * resolves elsewhere: a symbolic link was put on the way since. Caller
 * frees; NULL when it is as it was, or gone. */
static char *moved_by_link(const char *path)
{
    char *dir = dir_of(path);
    char *real = realpath(dir, NULL);
    bool moved = real && strcmp(real, dir) != 0;
    free(real);
    if (moved)
        return dir;
    free(dir);
    return NULL;
}

static int recover_journal(const char *dir, diag_list *d)
{
    char *jpath = path_join(dir, JOURNAL_NAME);
    file_result fr;
    size_t len;
    char *text = file_read_bounded(jpath, 64 * 1024 * 1024, &len, &fr);
    if (!text) {
        free(jpath);
        return 0;
    }
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
            v[n].tmp = get_field(p, (size_t)(t1 - p));
            v[n].dest = get_field(t1 + 1, (size_t)(t2 - t1 - 1));
            v[n].backup = t2 + 1 < nl ? get_field(t2 + 1, (size_t)(nl - t2 - 1)) : NULL;
            n++;
        }
        p = nl + 1;
    }
    int rc = 0;
    /* Finishing would rename and unlink through the link: refused, and
     * the journal kept for a run after the link is gone. */
    for (size_t i = 0; magic && commit && i < n && rc == 0; i++) {
        char *moved = moved_by_link(v[i].dest);
        if (moved) {
            diag_error(d, moved, 0, "leads through a symbolic link since a killed build wrote "
                                    "%s; nothing was finished or undone: remove the link",
                       jpath);
            free(moved);
            rc = -1;
        }
    }
    if (magic && commit && rc == 0) {
        char **dests = xcalloc(n + 1, sizeof *dests);
        for (size_t i = 0; i < n; i++) {
            struct stat st;
            bool removal = !*v[i].tmp;
            bool pending = !removal && lstat(v[i].tmp, &st) == 0;
            if (undo) {
                /* Back to the previous set: a renamed entry without a
                 * backup was new, so it goes. */
                put_back(v[i].dest, v[i].backup, !pending && !removal);
                if (pending)
                    unlink(v[i].tmp);
            } else {
                if (removal && v[i].backup && unlink(v[i].dest) != 0 && errno != ENOENT) {
                    diag_io(d, v[i].dest, 0, "cannot finish the interrupted commit: %s",
                            strerror(errno));
                    rc = -1;
                }
                if (pending && rename(v[i].tmp, v[i].dest) != 0) {
                    diag_io(d, v[i].dest, 0, "cannot finish the interrupted commit: %s",
                            strerror(errno));
                    rc = -1;
                }
                if (v[i].backup)
                    unlink(v[i].backup);
            }
            dests[i] = v[i].dest;
        }
        if (rc == 0) {
            sync_dirs(dests, n);
            fprintf(stderr, "memreport: %s: %s the outputs of an interrupted build (%zu files)\n",
                    dir, undo ? "restored" : "completed", n);
        }
        free(dests);
    }
    if (rc == 0)
        journal_remove(jpath);
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

/* Removes leftovers in dir and its subdirectories, depth levels down
 * (symlinks are not followed). Returns the number removed. */
static size_t sweep(const char *dir, int depth)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return 0;
    size_t removed = 0;
    struct dirent *de;
    char **subdirs = NULL;
    size_t nsub = 0, cap = 0;
    while ((de = readdir(dh))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *p = path_join(dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) != 0) {
            free(p);
            continue;
        }
        if (!S_ISDIR(st.st_mode) && outset_is_leftover(de->d_name)) {
            if (unlink(p) == 0)
                removed++;
            free(p);
        } else if (S_ISDIR(st.st_mode) && depth > 0 && de->d_name[0] != '.') {
            xgrow((void **)&subdirs, &cap, nsub + 1, sizeof *subdirs);
            subdirs[nsub++] = p;
        } else {
            free(p);
        }
    }
    closedir(dh);
    for (size_t i = 0; i < nsub; i++) {
        removed += sweep(subdirs[i], depth - 1);
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

/* mkdir DIR (and its parents), refusing a link below a root to write. */
static int make_dir(const outset *o, const char *dir, diag_list *d)
{
    char *link = NULL;
    char *probe = path_join(dir, ".");
    int rc = 0;
    if ((make_parents(o, probe, &link) != 0 || mkdir(dir, 0777) != 0) &&
        (errno != EEXIST || link)) {
        if (link)
            link_refused(link, false, d);
        else
            diag_io(d, dir, 0, "cannot create directory: %s", strerror(errno));
        rc = -1;
    }
    free(link);
    free(probe);
    return rc;
}

/* Opens e's directory to lock it (a directory to write is made when
 * missing). Returns its descriptor, or -1 with errno set; for a directory
 * to write, with an error added to d too. */
static int open_dir(const outset *o, const outset_dir *e, diag_list *d)
{
    if (e->mode == OUTSET_WRITE && make_dir(o, e->dir, d) != 0)
        return -1;
    /* The lock is the directory itself (flock works on a directory's
     * descriptor): no lock file to publish, leave behind or clean up. */
    int fd = open(e->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && e->mode == OUTSET_WRITE) {
        int err = errno;
        diag_io(d, e->dir, 0, "cannot open to lock: %s", strerror(err));
        errno = err;
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

static bool journal_left(const char *dir)
{
    char *jpath = path_join(dir, JOURNAL_NAME);
    struct stat st;
    bool left = lstat(jpath, &st) == 0;
    free(jpath);
    return left;
}

int outset_lock_dirs(outset *o, outset_dir *dirs, size_t n, diag_list *d)
{
    for (size_t i = 0; i < n; i++) {
        dirs[i].err = 0;
        int fd = open_dir(o, &dirs[i], d);
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
            if (r->fd >= 0 && !r->exclusive && journal_left(r->dir))
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

int outset_recover(outset *o, diag_list *d)
{
    const root *home = home_of(o);
    for (size_t i = 0; i < o->nroots; i++) {
        const root *r = &o->roots[i];
        /* The home's journal, and one a killed build left in a directory
         * only read (outset_lock_dirs took that one exclusive). */
        bool journal = r == home || (!r->write && r->exclusive && r->fd >= 0);
        if (journal && recover_journal(r->dir, d) != 0)
            return -1;
    }
    /* Only below directories this run writes: a reader's sweep could take
     * a temporary from a run that writes a folder inside the one read. */
    for (size_t i = 0; i < o->nroots; i++)
        if (o->roots[i].write)
            sweep(o->roots[i].dir, 3);
    return 0;
}

/* ---- The commit. ------------------------------------------------------- */

/* Puts back the destinations of files [0, upto) that this commit renamed. */
static void undo_renames(outset *o, size_t upto, const bool *was_new)
{
    for (size_t i = upto; i-- > 0;) {
        staged *f = &o->files[i];
        if (!f->renamed || (!f->tmp && !f->remove))
            continue;
        put_back(f->dest, f->backup, was_new[i]);
    }
}

static void drop_backups(outset *o)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->files[i].backup) {
            unlink(o->files[i].backup);
            free(o->files[i].backup);
            o->files[i].backup = NULL;
        }
}

int outset_commit(outset *o, diag_list *d)
{
    bool *was_new = xcalloc(o->n + 1, sizeof *was_new);
    char **dests = xcalloc(o->n + 1, sizeof *dests);
    int rc = -1;
    /* 1. Durable temporaries; destinations that can be replaced. */
    for (size_t i = 0; i < o->n; i++) {
        staged *f = &o->files[i];
        dests[i] = f->dest;
        /* A directory swapped for a link since it was staged (or one a
         * kept file or a removal lies in, which staging never made) would
         * take the renames, backups and unlinks elsewhere. */
        char *link = linked_parent(o, f->dest);
        if (link) {
            link_refused(link, false, d);
            free(link);
            goto out;
        }
        if (f->renamed)
            continue; /* kept as it was (outset_add) */
        /* A hard link to the file dest already is (outset_add_link_or_copy
         * of an unchanged archive) would survive rename(), which does
         * nothing when both names are one file: drop it instead. */
        struct stat st, sd;
        bool have_dest = lstat(f->dest, &sd) == 0;
        if (f->remove && (!have_dest || S_ISDIR(sd.st_mode))) {
            f->renamed = true; /* nothing there to remove (a directory is kept) */
            continue;
        }
        if (f->remove)
            continue;
        if (lstat(f->tmp, &st) == 0 && have_dest && st.st_dev == sd.st_dev &&
            st.st_ino == sd.st_ino) {
            unlink(f->tmp);
            f->renamed = true;
            free(f->tmp);
            f->tmp = NULL;
            continue;
        }
        if (have_dest && S_ISDIR(sd.st_mode)) {
            diag_error(d, f->dest, 0, "is a directory; memreport replaces only files there "
                                      "(nothing was changed)");
            goto out;
        }
        was_new[i] = !have_dest;
        if (sync_path(f->tmp, false) != 0) {
            diag_io(d, f->dest, 0, "cannot sync to disk: %s", strerror(errno));
            goto out;
        }
    }
    /* 2. A second name for every file about to be replaced. */
    for (size_t i = 0; i < o->n; i++) {
        staged *f = &o->files[i];
        if (f->renamed || was_new[i])
            continue;
        f->backup = link_beside(f->dest, f->dest, "old", 0);
        if (!f->backup) {
            diag_io(d, f->dest, 0, "cannot keep the previous file while replacing it: %s",
                    strerror(errno));
            goto out;
        }
    }
    /* 3. The journal. */
    char *jpath = journal_path(o);
    if (jpath && journal_write(o, jpath) != 0) {
        diag_io(d, jpath, 0, "cannot write the commit journal: %s", strerror(errno));
        free(jpath);
        goto out;
    }
    /* 4. The renames. */
    long renames = 0;
    for (size_t i = 0; i < o->n; i++) {
        staged *f = &o->files[i];
        if (f->renamed)
            continue;
        int r;
        if (o->fail_rename > 0 && ++renames == o->fail_rename) {
            errno = EIO;
            r = -1;
        } else if (f->remove) {
            r = unlink(f->dest) != 0 && errno != ENOENT ? -1 : 0;
        } else {
            r = rename(f->tmp, f->dest);
        }
        if (r != 0) {
            diag_io(d, f->dest, 0,
                    f->remove ? "cannot remove: %s; the previous outputs were put back"
                              : "cannot rename into place: %s; the previous outputs were put back",
                    strerror(errno));
            if (jpath)
                journal_mark_undo(jpath);
            undo_renames(o, i, was_new);
            sync_dirs(dests, o->n);
            if (jpath)
                journal_remove(jpath);
            free(jpath);
            goto out;
        }
        f->renamed = true;
    }
    /* 5. Durable renames; the previous set and the journal go. */
    if (sync_dirs(dests, o->n) != 0) {
        /* The new set is in place; a later power cut may still lose it. */
        diag_warn(d, o->files[0].dest, 0, "cannot sync a directory: %s", strerror(errno));
    }
    drop_backups(o);
    if (jpath)
        journal_remove(jpath);
    free(jpath);
    rc = 0;
out:
    if (rc != 0)
        drop_backups(o);
    free(was_new);
    free(dests);
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
            unlink(o->files[i].tmp);
        free(o->files[i].dest);
        free(o->files[i].tmp);
        free(o->files[i].backup);
    }
    free(o->files);
    for (size_t i = 0; i < o->nroots; i++) {
        if (o->roots[i].fd >= 0)
            close(o->roots[i].fd); /* releases the lock */
        free(o->roots[i].dir);
    }
    free(o->roots);
    free(o);
}
