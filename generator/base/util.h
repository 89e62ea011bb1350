/* util.h - allocation, growable buffers and small string helpers.
 *
 * Out-of-memory policy: every allocation goes through xmalloc and friends,
 * which print a message naming the activity, run the fatal hook (outset
 * removes its temporaries) and exit 3. No caller checks for NULL. */
#ifndef MEMREPORT_UTIL_H
#define MEMREPORT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KB_PER_GIB 1048576.0

/* What the program is doing, for the out-of-memory message ("reading
 * exp/memory.csv"); copied. */
void util_set_activity(const char *what);
/* Called once when the program must stop at once (out of memory). */
void util_set_fatal_hook(void (*hook)(void));

/* The out-of-memory exit itself, for allocators that are not xmalloc
 * (C++ new in the template bridge); n is the size that failed, 0 if not known. */
void util_out_of_memory(size_t n) __attribute__((noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* The same, for the libraries that take an allocator (jansson through
 * jsonout_use_xmalloc, cmark-gfm through notes.c's cmark_mem): their
 * running out of memory then ends the program this way (exit 3), not
 * theirs (cmark-gfm aborts; jansson would report a JSON error). lib names
 * the library for a test hook: with MEMREPORT_FAIL_ALLOC=LIB:N in the
 * environment, the N-th allocation LIB asks for fails as if memory had
 * run out. */
void *xmalloc_for(const char *lib, size_t n);
void *xcalloc_for(const char *lib, size_t count, size_t size);
void *xrealloc_for(const char *lib, void *p, size_t n);
/* Grows *p (of *cap elements of elem bytes) so that it holds at least need. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);            /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* A growable byte buffer, always NUL-terminated. buf_detach hands the
 * memory to the caller and leaves the buffer empty. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} strbuf;

void buf_init(strbuf *b);
void buf_free(strbuf *b);
void buf_reset(strbuf *b);
void buf_putn(strbuf *b, const char *s, size_t n);
void buf_puts(strbuf *b, const char *s);
void buf_putc(strbuf *b, char c);
void buf_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_detach(strbuf *b);

/* String helpers. */
bool str_eq(const char *a, const char *b);      /* NULL-safe */
bool str_ieq(const char *a, const char *b);     /* ASCII case-insensitive, NULL-safe */
bool str_empty(const char *s);                  /* NULL or "" */
char *str_trim(char *s);                        /* in place: spaces, tabs, CR, LF */
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* True when s[0..n) is valid UTF-8. */
bool utf8_valid(const char *s, size_t n);
/* True for 40 hexadecimal digits. */
bool is_fingerprint(const char *s);

/* dir + "/" + name without doubling a trailing slash. Caller frees. */
char *path_join(const char *dir, const char *name);
/* The directory part of path: "." when it has no '/', "/" for a file in
 * the root. Caller frees. */
char *path_dir(const char *path);
/* The last component of path, trailing slashes ignored: "exp" for
 * "/data/exp/"; "." for "", "." and "/". Caller frees. */
char *path_last_name(const char *path);
/* True when a '/'-separated component of path is "..". */
bool path_has_dotdot(const char *path);

/* True when dir exists and has no write permission bit at all. Root can
 * write there anyway; memreport treats such a directory as one its owner
 * marked "do not write" (a published data set, a read-only copy). */
bool dir_is_read_only(const char *dir);

/* Reads a whole regular file. Returns NULL and sets errno on failure
 * (EINVAL: not a regular file); *len gets the size. The result is
 * NUL-terminated and owned by the caller. */
char *file_read_all(const char *path, size_t *len);

/* Why reading an input failed, so every reader words it the same way. */
typedef enum {
    FILE_OK,
    FILE_ERRNO,        /* open or read failed: err */
    FILE_NOT_REGULAR,  /* a FIFO, device, socket or directory: mode */
    FILE_TOO_BIG,      /* more than limit bytes */
} file_status;

typedef struct {
    file_status st;
    int err;
    unsigned mode;
    size_t limit;
} file_result;

/* Opens path (symlinks followed) for reading when it is a regular file,
 * without ever blocking on it: the open is non-blocking and fstat looks at
 * what was opened, so a FIFO or device put in place of a file that was
 * checked before is refused, not waited on. Returns the descriptor
 * (close-on-exec, blocking reads again) and, when st is not NULL, its
 * stat; or -1 with *why filled in. */
int file_open_regular(const char *path, struct stat *st, file_result *why);
/* The same as a stdio stream ("rb"), or NULL with *why filled in. */
FILE *file_fopen_regular(const char *path, file_result *why);
/* Reads a whole regular file of at most max bytes without ever blocking
 * on it (a FIFO is refused before it is read, /dev/zero is not a regular
 * file). Returns the NUL-terminated bytes, or NULL with *why filled in. */
char *file_read_bounded(const char *path, size_t max, size_t *len, file_result *why);
/* Checks, without opening it, that path is a regular file (symlinks
 * followed). Returns true, or false with *why filled in. */
bool file_check_regular(const char *path, file_result *why);
/* "a FIFO", "a directory", "a character device", ... */
const char *file_type_name(unsigned mode);
/* The message for a failed read: "cannot read: ...", "not a regular file
 * (a FIFO)", "larger than 1 MiB, the limit for this file". Caller frees. */
char *file_result_text(const file_result *why);
/* True when the failure was the system's (exit 3), not the input's. */
bool file_result_is_io(const file_result *why);

#endif
