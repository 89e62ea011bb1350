/* outset.c - staged, all-or-nothing output files (see outset.h): the
 * staging of each file and the commit of the set.
 *
 * The commit, step by step (docs/architecture.md, "The commit"):
 *   1. every temporary is fsynced; a destination that is a directory stops
 *      the commit before anything changed;
 *   2. each existing destination gets a second name, a hard link
 *      .NAME.old-XXXXXX (no bytes copied), so it can be put back;
 *   3. the journal (HOME/.memreport.journal: the set's other directories
 *      to write, every temporary, destination and backup) is written,
 *      fsynced and renamed into place; first each folder outside HOME's
 *      tree that it renames into gets a reference to it,
 *      .memreport.journal-ref-XXXXXX, so that a sweep there spares what it
 *      names;
 *   4. the temporaries are renamed over their destinations, in order; a
 *      rename that fails puts every renamed destination back from its
 *      backup (the journal says "undo" first, so a kill then is undone
 *      too);
 *   5. the directories are fsynced, the backups, the journal and its
 *      references removed.
 * A run killed in 4 leaves the journal: the next run that locks HOME
 * (outset_recover) finishes the renames (roll forward), or, after "undo",
 * puts the backups back (roll back), holding the lock of each of those
 * other directories too; that run may be one that only reads HOME, which
 * then takes its lock exclusive (outset_lock_dirs). Either way one whole
 * set is visible.
 *
 * Every folder a file goes into is opened once (o->dirs), below a
 * directory locked to write from that directory's own descriptor, one
 * component at a time and never through a symbolic link; every create,
 * sync, link, rename and unlink of the set is then made relative to that
 * descriptor (openat, linkat, renameat, unlinkat), so a folder swapped for
 * a link after it was looked at cannot take any of them elsewhere.
 *
 * The rest of the set has a file each, sharing outset_internal.h: the
 * locks in outset_lock.c, the folders' descriptors in outset_dirs.c, the
 * recovery of a killed run's journal and the sweep of leftovers in
 * outset_recover.c. */
#define _GNU_SOURCE /* sync_file_range */
#include "outset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outset_internal.h"
#include "util.h"

static outset *live;

/* Out of memory mid-build: leave no temporaries behind. Allocates nothing. */
static void remove_all_temporaries(void)
{
    for (outset *o = live; o; o = o->next_live)
        for (size_t i = 0; i < o->n; i++)
            if (!o->files[i].renamed && o->files[i].tmp)
                unlinkat(o->dirs.v[o->files[i].dir].fd, outset_base_of(o->files[i].tmp), 0);
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

/* The folder of a file about to be staged, made when missing; a folder
 * that is a symbolic link, or that cannot be made, is an error. Returns
 * 0, or -1 after adding the error to d. */
static int staging_dir(outset *o, const char *dest, size_t *idx, diag_list *d)
{
    char *link = NULL;
    int err = 0;
    dir_status s = outset_dir_get(o, dest, true, idx, &link, &err);
    if (s == DIR_LINK)
        outset_link_refused(link, false, d);
    else if (s != DIR_OK)
        diag_io(d, dest, 0, "cannot create directory: %s", strerror(err));
    free(link);
    return s == DIR_OK ? 0 : -1;
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
 * .NAME.tmp-XXXXXX and .NAME.old-XXXXXX (and .NAME.save-XXXXXX of
 * outset_save_temp), are what outset_recover sweeps. */
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
        int fd = openat(dfd, outset_base_of(p), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0600);
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

int outset_save_temp(const char *path, char **tmp)
{
    char *dir = path_dir(path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dfd < 0)
        return -1;
    int fd = create_beside(dfd, path, SAVE_KIND, tmp);
    int e = errno;
    close(dfd);
    errno = e;
    return fd;
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
        if (linkat(sfd, src, dfd, outset_base_of(p), flags) == 0)
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
    if (!outset_writes_all(o) && outset_dir_get(o, path, false, &dir, &link, &err) == DIR_OK &&
        unchanged(o->dirs.v[dir].fd, outset_base_of(path), data, len)) {
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
#ifdef SYNC_FILE_RANGE_WRITE
    /* The bytes start for the disk now, so the commit's fsync of each
     * temporary (step 1) mostly finds them there: 4-6 ms of fsyncs became
     * 1.3-2 ms on the 5-way experiment's two dozen files. A hint only. */
    if (rc == 0)
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
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
    char *dir = path_dir(src);
    size_t i = outset_dirset_find(&o->dirs, dir);
    free(dir);
    *fd = i != NONE ? o->dirs.v[i].fd : AT_FDCWD;
    return i != NONE ? outset_base_of(src) : src;
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
int outset_sync_dir(int fd)
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
        if (outset_sync_dir(o->dirs.v[k].fd) != 0)
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

/* An absolute spelling of path (its directory resolved), so a journal
 * works from any working directory. Caller frees. */
static char *absolute(const char *path)
{
    char *dir = path_dir(path);
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

/* Where the directory open as fd (named path, the inode dev:ino) is now,
 * resolved, for the journal (read back from any working directory): the
 * kernel's name for its descriptor, else its path resolved, either only
 * when it names that very directory. Caller frees; NULL with errno set
 * when neither does. */
static char *fd_real(int fd, const char *path, dev_t dev, ino_t ino)
{
    char proc[64], buf[PATH_MAX];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, buf, sizeof buf - 1);
    for (int k = 0; k < 2; k++) {
        char *cand = NULL;
        if (k == 0 && n > 0 && buf[0] == '/') {
            cand = xstrndup(buf, (size_t)n);
        } else if (k == 1) {
            char *r = realpath(path, NULL);
            cand = r ? xstrdup(r) : NULL; /* realpath's malloc is not ours to hand on */
            free(r);
        }
        struct stat st;
        if (cand && stat(cand, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
            return cand;
        free(cand);
    }
    errno = ENOENT;
    return NULL;
}

static char *dir_real(const destdir *dd)
{
    return fd_real(dd->fd, dd->path, dd->dev, dd->ino);
}

/* The journal's "lock" lines: every directory the set writes but its home,
 * resolved, so that the run that finishes a killed commit takes the lock
 * of each (a build's -o SITE) as this run holds it. Returns 0, or -1 with
 * errno set when one's real name cannot be told. */
static int journal_locks(const outset *o, strbuf *b)
{
    const root *home = outset_home_of(o);
    for (size_t i = 0; i < o->nroots; i++) {
        const root *r = &o->roots[i];
        struct stat st;
        if (r == home || !r->write || r->fd < 0)
            continue;
        char *real = fstat(r->fd, &st) == 0 ? fd_real(r->fd, r->dir, st.st_dev, st.st_ino)
                                            : NULL;
        if (!real)
            return -1;
        buf_puts(b, "lock\t");
        put_field(b, real);
        buf_putc(b, '\n');
        free(real);
    }
    return 0;
}

/* The journal's line for f, its paths under the folder's real name. */
static void journal_line(strbuf *b, const staged *f, const char *real)
{
    /* A removal has no temporary: its first field is empty. */
    char *t = f->tmp ? path_join(real, outset_base_of(f->tmp)) : xstrdup("");
    char *dst = path_join(real, outset_base_of(f->dest));
    char *bk = f->backup ? path_join(real, outset_base_of(f->backup)) : NULL;
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

/* The journal's text: the other directories locked to write, every
 * pending entry, then "commit". Returns 0, or
 * -1 with errno set when a folder's real name cannot be told. */
static int journal_text(const outset *o, strbuf *b)
{
    buf_puts(b, JOURNAL_MAGIC "\n");
    char **real = xcalloc(o->dirs.n + 1, sizeof *real);
    int rc = journal_locks(o, b);
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

void outset_journal_remove(const root *home)
{
    if (unlinkat(home->fd, JOURNAL_NAME, 0) == 0)
        fsync(home->fd);
}

/* ---- References to the journal. ---------------------------------------- */

/* True when folder k resolves to home's real name top or below it. */
static bool in_home_tree(const outset *o, size_t k, const char *top)
{
    char *real = dir_real(&o->dirs.v[k]);
    bool in = real && outset_path_within(real, top);
    free(real);
    return in;
}

/* True when folder k was opened from home's descriptor. Either way the
 * sweep of any directory that reaches it reads home's journal on the way
 * (or above it). */
static bool below_home(const outset *o, const root *home, size_t k)
{
    size_t r = o->dirs.v[k].root;
    return r != NONE && &o->roots[r] == home;
}

/* Writes text, a reference to the journal, into a fresh
 * .memreport.journal-ref-XXXXXX in the folder dfd, durably (the file and
 * the folder synced). *name gets its name. Returns 0, or -1 with errno
 * set and nothing left. */
static int ref_write(int dfd, const char *text, char **name)
{
    int fd = create_beside(dfd, REF_BASE, REF_KIND, name);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, text, strlen(text));
    if (rc == 0)
        rc = fsync(fd);
    int e = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && outset_sync_dir(dfd) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0) {
        unlinkat(dfd, *name, 0);
        free(*name);
        *name = NULL;
    }
    errno = e;
    return rc;
}

/* Removes the references the commit wrote, once its journal is gone (a
 * journal that could not be removed keeps them: its files are still
 * needed). */
static void refs_remove(outset *o, const root *home)
{
    struct stat st;
    bool journal = home && fstatat(home->fd, JOURNAL_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0;
    for (size_t i = 0; i < o->nrefs; i++) {
        if (!journal)
            unlinkat(o->dirs.v[o->refs[i].dir].fd, o->refs[i].name, 0);
        free(o->refs[i].name);
    }
    o->nrefs = 0;
}

/* Before the journal is in place: a reference to it in every folder of a
 * pending entry outside home's tree (build Y -o X/www: X/www and its
 * folders), so a run that sweeps there without walking to home (build X)
 * finds the journal and spares what it names. None in the common case,
 * the site inside its own experiment. Returns 0, or -1 after an error. */
static int refs_write(outset *o, const root *home, diag_list *d)
{
    char *top = NULL, *jpath = NULL, *text = NULL;
    bool *done = xcalloc(o->dirs.n + 1, sizeof *done);
    int rc = 0;
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        const staged *f = &o->files[i];
        if (f->renamed || f->dir == NONE || done[f->dir])
            continue;
        done[f->dir] = true;
        if (below_home(o, home, f->dir))
            continue; /* no path to resolve */
        struct stat st;
        if (!top && fstat(home->fd, &st) == 0)
            top = fd_real(home->fd, home->dir, st.st_dev, st.st_ino);
        if (!top) {
            diag_io(d, home->dir, 0, "cannot tell where it is, to write the commit journal: %s",
                    strerror(errno));
            rc = -1;
            break;
        }
        if (in_home_tree(o, f->dir, top))
            continue;
        if (!jpath) {
            jpath = path_join(top, JOURNAL_NAME);
            text = xasprintf("%s\n", jpath);
        }
        char *name;
        if (ref_write(o->dirs.v[f->dir].fd, text, &name) != 0) {
            diag_io(d, o->dirs.v[f->dir].path, 0,
                    "cannot write a reference to the commit journal %s: %s", jpath,
                    strerror(errno));
            rc = -1;
            break;
        }
        xgrow((void **)&o->refs, &o->refcap, o->nrefs + 1, sizeof *o->refs);
        o->refs[o->nrefs++] = (journal_ref){f->dir, name};
    }
    free(done);
    free(text);
    free(jpath);
    free(top);
    return rc;
}

/* Puts a destination's previous file back: its backup, or nothing when
 * there was none (the destination is new in this commit). Each name is
 * in the folder given with it. */
void outset_put_back(int dfd, const char *dest, int bfd, const char *backup, bool dest_is_new)
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
        dir_status s = outset_dir_get(o, f->dest, false, &k, &link, &err);
        if (s == DIR_LINK) {
            outset_link_refused(link, false, d);
            free(link);
            return -1;
        }
        f->dir = s == DIR_OK ? k : NONE;
    }
    for (size_t k = 0; k < o->dirs.n; k++)
        if (outset_dir_still_there(o, k, d) != 0)
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
        outset_put_back(dfd, outset_base_of(f->dest), dfd,
                        f->backup ? outset_base_of(f->backup) : NULL, was_new[i]);
    }
}

static void drop_backups(outset *o)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->files[i].backup) {
            unlinkat(o->dirs.v[o->files[i].dir].fd, outset_base_of(o->files[i].backup), 0);
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
    bool have_dest = fstatat(dfd, outset_base_of(f->dest), &sd, AT_SYMLINK_NOFOLLOW) == 0;
    if (f->remove) {
        /* Nothing there to remove (a directory is kept). */
        f->renamed = !have_dest || S_ISDIR(sd.st_mode);
        return 0;
    }
    if (fstatat(dfd, outset_base_of(f->tmp), &st, AT_SYMLINK_NOFOLLOW) == 0 && have_dest &&
        st.st_dev == sd.st_dev && st.st_ino == sd.st_ino) {
        unlinkat(dfd, outset_base_of(f->tmp), 0);
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
    if (sync_file_at(dfd, outset_base_of(f->tmp)) != 0) {
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

const held_dir *outset_held_at(const outset *o, dev_t dev, ino_t ino)
{
    for (size_t h = 0; h < o->nheld; h++)
        if (o->held[h].dev == dev && o->held[h].ino == ino)
            return &o->held[h];
    return NULL;
}

static void say_held(const held_dir *h, const char *path, diag_list *d)
{
    char *home = path_dir(h->journal);
    diag_io(d, path, 0,
            "holds files that the interrupted run recorded in %s still needs, and "
            "another memreport holds %s, so that journal could not be finished; "
            "nothing was written (run again once that one is done)",
            h->journal, home);
    free(home);
}

/* Refuses a set that renames into a folder where the sweep kept what an
 * unfinished journal of another directory still needs (outset_recover):
 * its later replay would put that run's stale files over these. Returns
 * 0, or -1 after an error. */
static int check_held(const outset *o, diag_list *d)
{
    for (size_t i = 0; i < o->n && o->nheld; i++) {
        const staged *f = &o->files[i];
        struct stat st;
        if (f->renamed || f->dir == NONE || fstat(o->dirs.v[f->dir].fd, &st) != 0)
            continue;
        const held_dir *h = outset_held_at(o, st.st_dev, st.st_ino);
        if (h) {
            say_held(h, o->dirs.v[f->dir].path, d);
            return -1;
        }
    }
    return 0;
}

int outset_check_held(const outset *o, const char *const *dirs, size_t n, diag_list *d)
{
    for (size_t i = 0; i < n && o->nheld; i++) {
        struct stat st;
        const held_dir *h = stat(dirs[i], &st) == 0 ? outset_held_at(o, st.st_dev, st.st_ino) : NULL;
        if (h) {
            say_held(h, dirs[i], d);
            return -1;
        }
    }
    return 0;
}

int outset_commit(outset *o, diag_list *d)
{
    bool *was_new = xcalloc(o->n + 1, sizeof *was_new);
    const root *home = outset_home_of(o);
    char *jpath = home ? path_join(home->dir, JOURNAL_NAME) : NULL;
    int rc = -1;
    /* 1. Durable temporaries; destinations that can be replaced, in the
     * folders they were staged in. */
    if (check_held(o, d) != 0 || check_dirs(o, d) != 0)
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
        f->backup = link_beside(dfd, f->dest, dfd, outset_base_of(f->dest), "old", 0);
        if (!f->backup) {
            diag_io(d, f->dest, 0, "cannot keep the previous file while replacing it: %s",
                    strerror(errno));
            goto out;
        }
    }
    /* 3. The journal, after the references to it outside its folder. */
    if (home && refs_write(o, home, d) != 0)
        goto out;
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
            r = unlinkat(dfd, outset_base_of(f->dest), 0) != 0 && errno != ENOENT ? -1 : 0;
        } else {
            r = renameat(dfd, outset_base_of(f->tmp), dfd, outset_base_of(f->dest));
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
                outset_journal_remove(home);
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
        outset_journal_remove(home);
    rc = 0;
out:
    if (rc != 0)
        drop_backups(o);
    refs_remove(o, home);
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
            unlinkat(o->dirs.v[o->files[i].dir].fd, outset_base_of(o->files[i].tmp), 0);
        free(o->files[i].dest);
        free(o->files[i].tmp);
        free(o->files[i].backup);
    }
    free(o->files);
    for (size_t i = 0; i < o->nrefs; i++)
        free(o->refs[i].name); /* kept with a journal that could not be removed */
    free(o->refs);
    for (size_t i = 0; i < o->nheld; i++)
        free(o->held[i].journal);
    free(o->held);
    outset_dirset_free(&o->dirs);
    for (size_t i = 0; i < o->nroots; i++) {
        if (o->roots[i].fd >= 0)
            close(o->roots[i].fd); /* releases the lock */
        free(o->roots[i].dir);
    }
    free(o->roots);
    free(o);
}
