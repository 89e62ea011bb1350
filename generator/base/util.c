/* util.c - allocation wrappers that abort on exhaustion, strbuf, strings. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char activity[256];
static void (*fatal_hook)(void);

void util_set_activity(const char *what)
{
    snprintf(activity, sizeof activity, "%s", what ? what : "");
}

void util_set_fatal_hook(void (*hook)(void))
{
    fatal_hook = hook;
}

/* Out of memory: say what was being done, remove staged temporaries (the
 * hook), exit 3. Nothing here allocates. */
void util_out_of_memory(size_t n)
{
    if (activity[0])
        fprintf(stderr, "memreport: out of memory (%zu more bytes) while %s\n", n, activity);
    else
        fprintf(stderr, "memreport: out of memory (%zu more bytes)\n", n);
    if (fatal_hook)
        fatal_hook();
    fflush(NULL);
    _exit(3);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        util_out_of_memory(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        util_out_of_memory(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        util_out_of_memory(n);
    return q;
}

void xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            util_out_of_memory(SIZE_MAX);
        ncap *= 2;
    }
    *p = xrealloc(*p, ncap * elem);
    *cap = ncap;
}

/* ---- Allocators for libraries (see util.h). ---- */

/* MEMREPORT_FAIL_ALLOC=LIB:N, read once: the N-th allocation LIB asks
 * for fails. Counted atomically: a library may allocate from threads. */
static bool lib_alloc_fails(const char *lib)
{
    static int state; /* 0: not read, 1: off, 2: on */
    static char want[64];
    static long at;
    static _Atomic long count;
    if (!state) {
        const char *h = getenv("MEMREPORT_FAIL_ALLOC");
        const char *colon = h ? strrchr(h, ':') : NULL;
        state = 1;
        if (colon && (size_t)(colon - h) < sizeof want) {
            memcpy(want, h, (size_t)(colon - h));
            want[colon - h] = '\0';
            at = strtol(colon + 1, NULL, 10);
            state = at > 0 ? 2 : 1;
        }
    }
    return state == 2 && !strcmp(lib, want) && ++count == at;
}

void *xmalloc_for(const char *lib, size_t n)
{
    if (lib_alloc_fails(lib))
        util_out_of_memory(n);
    return xmalloc(n);
}

void *xcalloc_for(const char *lib, size_t count, size_t size)
{
    if (lib_alloc_fails(lib))
        util_out_of_memory(count * size);
    return xcalloc(count, size);
}

void *xrealloc_for(const char *lib, void *p, size_t n)
{
    if (lib_alloc_fails(lib))
        util_out_of_memory(n);
    return xrealloc(p, n);
}

char *xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void buf_init(strbuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_free(strbuf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(strbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_putn(strbuf *b, const char *s, size_t n)
{
    xgrow((void **)&b->data, &b->cap, b->len + n + 1, 1);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(strbuf *b, const char *s)
{
    buf_putn(b, s, strlen(s));
}

void buf_putc(strbuf *b, char c)
{
    buf_putn(b, &c, 1);
}

void buf_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    buf_puts(b, s);
    free(s);
}

char *buf_detach(strbuf *b)
{
    char *d = b->data ? b->data : xstrdup("");
    buf_init(b);
    return d;
}

bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool str_ieq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

bool str_empty(const char *s)
{
    return !s || !*s;
}

char *str_trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

bool str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t len;
        unsigned min;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) < len)
            return false;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        p += len;
    }
    return true;
}

bool is_fingerprint(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return i == 40;
}

char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    return n && dir[n - 1] == '/' ? xasprintf("%s%s", dir, name) : xasprintf("%s/%s", dir, name);
}

char *path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

char *path_last_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (start == n)
        return xstrdup(".");
    return xstrndup(path + start, n - start);
}

bool path_has_dotdot(const char *path)
{
    for (const char *p = path; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n + (slash ? 1 : 0);
    }
    return false;
}

bool dir_is_read_only(const char *dir)
{
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
           !(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH));
}

const char *file_type_name(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    }
    return "not a file";
}

static char *size_text(size_t n)
{
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
        return xasprintf("%zu MiB", n / (1024 * 1024));
    if (n >= 1024 && n % 1024 == 0)
        return xasprintf("%zu KiB", n / 1024);
    return xasprintf("%zu bytes", n);
}

char *file_result_text(const file_result *why)
{
    switch (why->st) {
    case FILE_OK:
        break;
    case FILE_ERRNO:
        return xasprintf("cannot read: %s", strerror(why->err));
    case FILE_NOT_REGULAR:
        return xasprintf("not a regular file (%s); inputs must be regular files",
                         file_type_name(why->mode));
    case FILE_TOO_BIG: {
        char *n = size_text(why->limit);
        char *m = xasprintf("larger than %s, the limit for this file", n);
        free(n);
        return m;
    }
    }
    return xstrdup("read");
}

bool file_result_is_io(const file_result *why)
{
    return why->st == FILE_ERRNO && why->err != ENOENT && why->err != ELOOP &&
           why->err != ENOTDIR && why->err != ENAMETOOLONG;
}

bool file_check_regular(const char *path, file_result *why)
{
    struct stat st;
    *why = (file_result){FILE_OK, 0, 0, 0};
    if (stat(path, &st) != 0) {
        *why = (file_result){FILE_ERRNO, errno, 0, 0};
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = (file_result){FILE_NOT_REGULAR, 0, (unsigned)st.st_mode, 0};
        return false;
    }
    return true;
}

int file_open_regular(const char *path, struct stat *st, file_result *why)
{
    *why = (file_result){FILE_OK, 0, 0, 0};
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then
     * tells what was opened before a single byte is read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *why = (file_result){FILE_ERRNO, errno, 0, 0};
        return -1;
    }
    struct stat sb;
    int fl;
    if (fstat(fd, &sb) != 0 || (fl = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        *why = (file_result){FILE_ERRNO, errno, 0, 0};
        close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        *why = (file_result){FILE_NOT_REGULAR, 0, (unsigned)sb.st_mode, 0};
        close(fd);
        return -1;
    }
    if (st)
        *st = sb;
    return fd;
}

FILE *file_fopen_regular(const char *path, file_result *why)
{
    int fd = file_open_regular(path, NULL, why);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (fd >= 0 && !f) {
        *why = (file_result){FILE_ERRNO, errno, 0, 0};
        close(fd);
    }
    return f;
}

char *file_read_bounded(const char *path, size_t max, size_t *len, file_result *why)
{
    struct stat st;
    int fd = file_open_regular(path, &st, why);
    if (fd < 0)
        return NULL;
    if ((uint64_t)st.st_size > (uint64_t)max) {
        *why = (file_result){FILE_TOO_BIG, 0, 0, max};
        close(fd);
        return NULL;
    }
    strbuf b;
    buf_init(&b);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = (file_result){FILE_ERRNO, errno, 0, 0};
            break;
        }
        if (n == 0)
            break;
        /* The file may grow while it is read: the limit holds for what was read. */
        if (b.len + (size_t)n > max) {
            *why = (file_result){FILE_TOO_BIG, 0, 0, max};
            break;
        }
        buf_putn(&b, chunk, (size_t)n);
    }
    close(fd);
    if (why->st != FILE_OK) {
        buf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return buf_detach(&b);
}

char *file_read_all(const char *path, size_t *len)
{
    file_result why;
    char *text = file_read_bounded(path, SIZE_MAX, len, &why);
    if (!text)
        errno = why.st == FILE_ERRNO ? why.err : why.st == FILE_TOO_BIG ? EFBIG : EINVAL;
    return text;
}
