/* outset.c - staged, all-or-nothing output files (see outset.h). */
#include "outset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

typedef struct {
    char *dest;
    char *tmp;
    bool renamed;
} staged;

struct outset {
    staged *files;
    size_t n, cap;
    long fail_after;  /* test hook: 0 = off */
    long writes;
};

outset *outset_new(void)
{
    outset *o = xcalloc(1, sizeof *o);
    const char *f = getenv("MEMREPORT_FAIL_AFTER");
    if (f && *f)
        o->fail_after = strtol(f, NULL, 10);
    return o;
}

size_t outset_count(const outset *o)
{
    return o->n;
}

/* mkdir -p for the directory part of path. */
static int make_parents(const char *path)
{
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
 * directory as dest so rename() never crosses file systems. */
static char *temp_template(const char *dest)
{
    const char *slash = strrchr(dest, '/');
    if (!slash)
        return xasprintf(".%s.tmp-XXXXXX", dest);
    return xasprintf("%.*s/.%s.tmp-XXXXXX", (int)(slash - dest), dest, slash + 1);
}

int outset_add(outset *o, const char *path, const void *data, size_t len, diag_list *d)
{
    o->writes++;
    if (make_parents(path) != 0) {
        diag_error(d, path, 0, "cannot create directory: %s", strerror(errno));
        return -1;
    }
    char *tmp = temp_template(path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        diag_error(d, path, 0, "cannot create a temporary file: %s", strerror(errno));
        free(tmp);
        return -1;
    }
    /* Register before writing so a failure below still removes it. */
    xgrow((void **)&o->files, &o->cap, o->n + 1, sizeof *o->files);
    o->files[o->n++] = (staged){xstrdup(path), tmp, false};

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
        diag_error(d, path, 0, "cannot write: %s", strerror(e));
        return -1;
    }
    return 0;
}

int outset_reserve(outset *o, const char *dest, const char **tmp, diag_list *d)
{
    if (outset_add(o, dest, "", 0, d) != 0)
        return -1;
    *tmp = o->files[o->n - 1].tmp;
    return 0;
}

int outset_add_copy(outset *o, const char *dest, const char *src, diag_list *d)
{
    size_t len = 0;
    char *data = file_read_all(src, &len);
    if (!data) {
        diag_error(d, src, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    int rc = outset_add(o, dest, data, len, d);
    free(data);
    return rc;
}

/* Registers tmp (malloc'd, now owned by o) as the temporary for dest. */
static void register_tmp(outset *o, const char *dest, char *tmp)
{
    xgrow((void **)&o->files, &o->cap, o->n + 1, sizeof *o->files);
    o->files[o->n++] = (staged){xstrdup(dest), tmp, false};
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
static char *link_beside(const char *dest, const char *src)
{
    /* mkstemp picks an unused random name; link() cannot replace a file,
     * so that name is freed first, and a name taken in between (EEXIST)
     * only means another try. */
    for (int tries = 0; tries < 16; tries++) {
        char *tmp = temp_template(dest);
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
        if (linkat(AT_FDCWD, src, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
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
        diag_error(d, dest, 0, "cannot write: %s", strerror(ENOSPC));
        return -1;
    }
    if (make_parents(dest) != 0) {
        diag_error(d, dest, 0, "cannot create directory: %s", strerror(errno));
        return -1;
    }
    char *tmp = link_beside(dest, src);
    if (tmp) {
        register_tmp(o, dest, tmp);
        return 0;
    }

    /* No link possible: a streamed copy. */
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        diag_error(d, src, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    tmp = temp_template(dest);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        diag_error(d, dest, 0, "cannot create a temporary file: %s", strerror(errno));
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
        diag_error(d, dest, 0, "cannot copy %s: %s", src, strerror(e));
        return -1;
    }
    return 0;
}

int outset_commit(outset *o, diag_list *d)
{
    for (size_t i = 0; i < o->n; i++) {
        /* A hard link to the file dest already is (outset_add_link_or_copy
         * of an unchanged archive) would survive rename(), which does
         * nothing when both names are one file: drop it instead. */
        struct stat st, sd;
        if (lstat(o->files[i].tmp, &st) == 0 && lstat(o->files[i].dest, &sd) == 0 &&
            st.st_dev == sd.st_dev && st.st_ino == sd.st_ino) {
            unlink(o->files[i].tmp);
            o->files[i].renamed = true;
            continue;
        }
        if (rename(o->files[i].tmp, o->files[i].dest) != 0) {
            diag_error(d, o->files[i].dest, 0, "cannot rename into place: %s", strerror(errno));
            return -1;
        }
        o->files[i].renamed = true;
    }
    return 0;
}

void outset_free(outset *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++) {
        if (!o->files[i].renamed)
            unlink(o->files[i].tmp);
        free(o->files[i].dest);
        free(o->files[i].tmp);
    }
    free(o->files);
    free(o);
}
