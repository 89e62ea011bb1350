/* instream.c - plain, gzip and Zstandard input files as one kind of FILE *
 * (see instream.h), and the table of signatures that says what a file
 * holds (instream_sniff). The compressed kinds are glibc cookie streams
 * (fopencookie) whose read function pulls stored bytes from the file,
 * hashes them, and runs them through the decompressor. */
#define _GNU_SOURCE /* fopencookie */
#include "instream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>
#include <zstd.h>

#include "sha256.h"
#include "util.h"

#define IN_SIZE (256u * 1024)

struct instream {
    instream_kind kind;
    FILE *raw;              /* the file as stored */
    FILE *out;              /* what callers read: raw itself when plain */
    sha256_ctx sha;
    uint64_t stored;
    unsigned char *in;      /* stored bytes not yet decompressed */
    size_t in_pos, in_len;
    bool raw_eof, failed;
    char *error;

    z_stream z;             /* gzip */
    bool z_ready, in_member;
    ZSTD_DStream *zs;       /* zstd */
    size_t zs_pending;      /* last ZSTD_decompressStream hint: 0 at a frame end */
};

instream_kind instream_kind_of(const char *name)
{
    if (str_ends(name, ".gz"))
        return INSTREAM_GZIP;
    if (str_ends(name, ".zst"))
        return INSTREAM_ZSTD;
    return INSTREAM_PLAIN;
}

const char *instream_kind_name(instream_kind k)
{
    return k == INSTREAM_GZIP ? "gzip" : k == INSTREAM_ZSTD ? "zstd" : "plain";
}

/* The leading bytes of what a file saved under an input's name most often
 * turns out to be: the two kinds this stream decompresses, and formats no
 * input can be. First match wins. Signatures must not take text: a '?'
 * matches any byte (none has a literal one), so bzip2's "BZh" counts only
 * with its block size digit and block magic after it; GIF's, which is
 * also a possible relay nickname, only when a control byte follows. */
#define SIG(s) s, sizeof s - 1
#define ONLY_GZ_ZST "only gzip and zstd are read, for a memory CSV named .gz or .zst"
static const struct {
    const char *magic;
    size_t len;
    bool printable; /* could begin a text: a control byte must follow */
    instream_format f;
} signatures[] = {
    {SIG("\x1f\x8b"), false, {"gzip-compressed data", NULL, INSTREAM_GZIP}},
    {SIG("\x28\xb5\x2f\xfd"), false, {"zstd-compressed data", NULL, INSTREAM_ZSTD}},
    {SIG("BZh?1AY&SY"), false, {"bzip2-compressed data", ONLY_GZ_ZST, INSTREAM_PLAIN}},
    {SIG("\xfd" "7zXZ\0"), false, {"xz-compressed data", ONLY_GZ_ZST, INSTREAM_PLAIN}},
    {SIG("\x89PNG\r\n\x1a\n"), false, {"a PNG image", NULL, INSTREAM_PLAIN}},
    {SIG("\xff\xd8\xff"), false, {"a JPEG image", NULL, INSTREAM_PLAIN}},
    {SIG("GIF87a"), true, {"a GIF image", NULL, INSTREAM_PLAIN}},
    {SIG("GIF89a"), true, {"a GIF image", NULL, INSTREAM_PLAIN}},
    {SIG("%PDF-"), false, {"a PDF document", NULL, INSTREAM_PLAIN}},
    {SIG("PK\x03\x04"), false,
     {"a ZIP archive", "an .xlsx or .ods spreadsheet is one: export the sheet as CSV",
      INSTREAM_PLAIN}},
    {SIG("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), false,
     {"a Microsoft Office document", "an .xls spreadsheet is one: export the sheet as CSV",
      INSTREAM_PLAIN}},
    {SIG("SQLite format 3\0"), false, {"an SQLite database", NULL, INSTREAM_PLAIN}},
    {SIG("\x7f" "ELF"), false, {"an ELF executable or library", NULL, INSTREAM_PLAIN}},
    {SIG("\xff\xfe"), false, {"UTF-16 text", "save it as UTF-8", INSTREAM_PLAIN}},
    {SIG("\xfe\xff"), false, {"UTF-16 text", "save it as UTF-8", INSTREAM_PLAIN}},
};
#undef ONLY_GZ_ZST
#undef SIG

/* A byte no text holds: a control character other than tab, newline,
 * form feed and carriage return. */
static bool has_control(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = b[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f)
            return true;
    }
    return false;
}

const instream_format *instream_sniff(const void *head, size_t n)
{
    const unsigned char *b = head;
    for (size_t i = 0; i < ARRAY_LEN(signatures); i++) {
        const char *m = signatures[i].magic;
        size_t len = signatures[i].len, k = 0;
        while (k < len && k < n && (m[k] == '?' || (unsigned char)m[k] == b[k]))
            k++;
        if (k == len && (!signatures[i].printable || has_control(b + len, n - len)))
            return &signatures[i].f;
    }
    return NULL;
}

const instream_format *instream_format_of(instream_kind k)
{
    for (size_t i = 0; k != INSTREAM_PLAIN && i < ARRAY_LEN(signatures); i++)
        if (signatures[i].f.kind == k)
            return &signatures[i].f;
    return NULL;
}

/* First error wins; reads fail from then on. */
static ssize_t fail(instream *s, char *msg)
{
    if (!s->failed) {
        s->failed = true;
        s->error = msg;
    } else {
        free(msg);
    }
    errno = EIO;
    return -1;
}

/* Makes stored bytes available; false at the end of the file. */
static bool refill(instream *s)
{
    if (s->in_pos < s->in_len)
        return true;
    if (s->raw_eof)
        return false;
    size_t n = fread(s->in, 1, IN_SIZE, s->raw);
    if (n == 0) {
        s->raw_eof = true;
        if (ferror(s->raw))
            fail(s, xasprintf("read error: %s", strerror(errno ? errno : EIO)));
        return false;
    }
    sha256_update(&s->sha, s->in, n);
    s->stored += n;
    s->in_pos = 0;
    s->in_len = n;
    return true;
}

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
    instream *s = cookie;
    if (s->failed)
        return fail(s, NULL);
    s->z.next_out = (Bytef *)buf;
    s->z.avail_out = size > UINT32_MAX ? UINT32_MAX : (uInt)size;
    uInt want = s->z.avail_out;
    while (s->z.avail_out == want) {
        if (!refill(s)) {
            if (s->failed)
                return -1;
            if (s->in_member)
                return fail(s, xasprintf("truncated gzip data: the file ends inside a "
                                         "compressed block (after %llu bytes)",
                                         (unsigned long long)s->stored));
            break; /* end of the last member */
        }
        if (!s->in_member) {
            /* A new member: gzip files may be concatenated (gzip >> file). */
            if (inflateReset(&s->z) != Z_OK)
                return fail(s, xstrdup("gzip decoder failed to reset"));
            s->in_member = true;
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        int rc = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        if (rc == Z_STREAM_END) {
            s->in_member = false;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return fail(s, xasprintf("corrupt gzip data near stored byte %llu: %s",
                                     (unsigned long long)(s->stored - (s->in_len - s->in_pos)),
                                     s->z.msg ? s->z.msg : zError(rc)));
        }
    }
    return (ssize_t)(want - s->z.avail_out);
}

static ssize_t zs_read(void *cookie, char *buf, size_t size)
{
    instream *s = cookie;
    if (s->failed)
        return fail(s, NULL);
    ZSTD_outBuffer out = {buf, size, 0};
    while (out.pos == 0) {
        if (!refill(s)) {
            if (s->failed)
                return -1;
            if (s->zs_pending)
                return fail(s, xasprintf("truncated zstd data: the file ends inside a frame "
                                         "(after %llu bytes)",
                                         (unsigned long long)s->stored));
            break;
        }
        ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
        size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
        s->in_pos = in.pos;
        if (ZSTD_isError(rc))
            return fail(s, xasprintf("corrupt zstd data near stored byte %llu: %s",
                                     (unsigned long long)(s->stored - (s->in_len - s->in_pos)),
                                     ZSTD_getErrorName(rc)));
        s->zs_pending = rc;
    }
    return (ssize_t)out.pos;
}

/* The FILE is closed by instream_close, which owns the state. */
static int cookie_close(void *cookie)
{
    (void)cookie;
    return 0;
}

instream *instream_open(const char *path, file_result *why)
{
    FILE *raw = file_fopen_regular(path, why);
    if (!raw)
        return NULL;
    instream *s = xcalloc(1, sizeof *s);
    s->raw = raw;
    s->kind = instream_kind_of(path);
    sha256_init(&s->sha);
    if (s->kind == INSTREAM_PLAIN) {
        s->out = raw;
        return s;
    }
    s->in = xmalloc(IN_SIZE);
    cookie_io_functions_t io = {.close = cookie_close};
    if (s->kind == INSTREAM_GZIP) {
        /* 15 + 16: a 32 KiB window, gzip wrapper only. */
        if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
            instream_close(s);
            *why = (file_result){FILE_ERRNO, ENOMEM, 0, 0};
            return NULL;
        }
        s->z_ready = true;
        io.read = gz_read;
    } else {
        s->zs = ZSTD_createDStream();
        if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs))) {
            instream_close(s);
            *why = (file_result){FILE_ERRNO, ENOMEM, 0, 0};
            return NULL;
        }
        io.read = zs_read;
    }
    s->out = fopencookie(s, "rb", io);
    if (!s->out) {
        *why = (file_result){FILE_ERRNO, errno, 0, 0};
        instream_close(s);
        return NULL;
    }
    return s;
}

FILE *instream_file(instream *s)
{
    return s->out;
}

size_t instream_head(const char *path, void *buf, size_t size)
{
    file_result why;
    instream *s = instream_open(path, &why);
    size_t n = s ? fread(buf, 1, size, s->out) : 0;
    instream_close(s);
    return n;
}

instream_kind instream_kind_get(const instream *s)
{
    return s->kind;
}

const char *instream_error(const instream *s)
{
    return s ? s->error : NULL;
}

uint64_t instream_stored_bytes(const instream *s)
{
    return s->stored;
}

bool instream_finish(instream *s, char hex[65])
{
    s->in_pos = s->in_len;
    while (refill(s))
        s->in_pos = s->in_len;
    unsigned char dg[32];
    sha256_final(&s->sha, dg);
    sha256_hex(dg, hex);
    return !ferror(s->raw);
}

void instream_close(instream *s)
{
    if (!s)
        return;
    if (s->out && s->out != s->raw)
        fclose(s->out);
    if (s->raw)
        fclose(s->raw);
    if (s->z_ready)
        inflateEnd(&s->z);
    ZSTD_freeDStream(s->zs);
    free(s->in);
    free(s->error);
    free(s);
}
