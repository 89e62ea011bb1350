/* outset_dirs.c - the folders an output set writes into (see outset.h).
 *
 * Each folder a file goes into is opened once (o->dirs): below a directory
 * locked to write, from that directory's own descriptor, one component at
 * a time and never through a symbolic link (outset_open_below); the commit
 * walks to it again to check it is still the one opened
 * (outset_dir_still_there). A folder that is a symbolic link is refused
 * with an error that says where it leads. */
#define _GNU_SOURCE /* O_PATH */
#include "outset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outset_internal.h"
#include "util.h"

/* The last component of path: the name a descriptor of its folder takes. */
const char *outset_base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

bool outset_path_within(const char *path, const char *top)
{
    size_t n = strlen(top);
    while (n > 0 && top[n - 1] == '/')
        n--;
    return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
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
void outset_link_refused(const char *path, bool site, diag_list *d)
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
        outset_link_refused(path, site, d);
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
size_t outset_root_len(const root *r)
{
    size_t n = strlen(r->dir);
    while (n > 1 && r->dir[n - 1] == '/')
        n--;
    return n;
}

/* The registered root to write that path lies under (by its spelling),
 * or NONE. */
size_t outset_root_of(const outset *o, const char *path)
{
    size_t best = NONE;
    for (size_t i = 0; i < o->nroots; i++) {
        if (!o->roots[i].write)
            continue;
        size_t n = outset_root_len(&o->roots[i]);
        if (!strncmp(path, o->roots[i].dir, n) && path[n] == '/' &&
            (best == NONE || n > outset_root_len(&o->roots[best])))
            best = i;
    }
    return best;
}

bool outset_is_link(const char *path)
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
int outset_open_below(int at, const char *rel, bool create, size_t *failed)
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
int outset_make_dirs(const char *dir)
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

size_t outset_dirset_find(const dirset *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].path, path))
            return i;
    return NONE;
}

/* Adds the open folder fd, named path (now owned by s). Returns its index,
 * or NONE (fd closed, errno set) when it cannot be told what it is. */
size_t outset_dirset_add(dirset *s, char *path, int fd, size_t root)
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

void outset_dirset_free(dirset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        close(s->v[i].fd);
        free(s->v[i].path);
    }
    free(s->v);
    *s = (dirset){0};
}

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
dir_status outset_dir_get(outset *o, const char *dest, bool create, size_t *idx, char **link,
                          int *err)
{
    char *dir = path_dir(dest);
    *link = NULL;
    if ((*idx = outset_dirset_find(&o->dirs, dir)) != NONE) {
        free(dir);
        return DIR_OK;
    }
    room_for_folders(o->dirs.n);
    size_t ri = outset_root_of(o, dest), from = 0, failed = 0;
    int fd;
    if (ri != NONE) {
        from = outset_root_len(&o->roots[ri]);
        fd = outset_open_below(o->roots[ri].fd, dir + from, create, &failed);
    } else {
        fd = create && outset_make_dirs(dir) != 0 ? -1
                                                  : open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd >= 0 && (*idx = outset_dirset_add(&o->dirs, dir, fd, ri)) != NONE)
        return DIR_OK;
    *err = errno;
    dir_status s = *err == ENOENT ? DIR_MISSING : DIR_FAILED;
    if (fd < 0 && ri != NONE && (*err == ELOOP || *err == ENOTDIR)) {
        char *p = xstrndup(dir, from + failed);
        if (outset_is_link(p)) {
            *link = p;
            s = DIR_LINK;
        } else {
            free(p);
        }
    }
    if (fd < 0)
        free(dir); /* else outset_dirset_add freed it */
    return s;
}

/* The commit's look at folder i, below a root to write: reached from the
 * root again without a link, it must be the very directory opened when
 * its first file was staged. A link in its place (or above it) is refused
 * as at staging; a folder moved away or replaced stops the commit too,
 * since its files are in the one opened. Returns 0, or -1 after an error. */
int outset_dir_still_there(const outset *o, size_t i, diag_list *d)
{
    const destdir *dd = &o->dirs.v[i];
    if (dd->root == NONE)
        return 0;
    size_t from = outset_root_len(&o->roots[dd->root]), failed = 0;
    int fd = outset_open_below(o->roots[dd->root].fd, dd->path + from, false, &failed);
    int e = errno;
    struct stat st;
    bool same = fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dd->dev && st.st_ino == dd->ino;
    if (fd >= 0)
        close(fd);
    if (same)
        return 0;
    if (fd < 0 && (e == ELOOP || e == ENOTDIR)) {
        char *p = xstrndup(dd->path, from + failed);
        bool linked = outset_is_link(p);
        if (linked)
            outset_link_refused(p, false, d);
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
