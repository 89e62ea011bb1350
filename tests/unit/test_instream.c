/* The input stream layer: gzip and zstd files (made here with zlib and
 * libzstd from known bytes) read back byte for byte, concatenated gzip
 * members and zstd frames, the stored bytes' hash against a one-shot
 * hash of the file, and truncated or corrupt data reported as a read
 * error with a message, never as short data read silently; and the
 * table of signatures that says what a file's first bytes are, also
 * those inside a compressed file (instream_head). */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "harness.h"
#include "instream.h"
#include "sha256.h"
#include "util.h"

static char *tmp_path(const char *suffix)
{
    static int k;
    return xasprintf("/tmp/memreport-instream-%ld-%d%s", (long)getpid(), k++, suffix);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

/* A gzip member of data[0..n). *len gets its size; caller frees. */
static unsigned char *gzip_of(const char *data, size_t n, size_t *len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, n) + 64;
    unsigned char *out = xmalloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static unsigned char *zstd_of(const char *data, size_t n, size_t *len)
{
    size_t cap = ZSTD_compressBound(n);
    unsigned char *out = xmalloc(cap);
    *len = ZSTD_compress(out, cap, data, n, 3);
    return out;
}

/* Reads path through the stream: contents, error (or NULL), stored hash. */
static char *read_through(const char *path, size_t *n, char **err, char hex[65])
{
    file_result fr;
    instream *s = instream_open(path, &fr);
    if (!s) {
        *n = 0;
        *err = xstrdup("cannot open");
        return xstrdup("");
    }
    strbuf b;
    buf_init(&b);
    char buf[1000]; /* small reads cross the decompressor's block edges */
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, instream_file(s))) > 0)
        buf_putn(&b, buf, k);
    *err = instream_error(s) ? xstrdup(instream_error(s)) : NULL;
    hex[0] = '\0';
    if (instream_kind_get(s) != INSTREAM_PLAIN)
        instream_finish(s, hex);
    instream_close(s);
    *n = b.len;
    return b.data ? buf_detach(&b) : xstrdup("");
}

/* Text that compresses but is not trivial: CSV-like rows. */
static char *sample_text(size_t rows, size_t *n)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "timestamp,type,nickname,rss_kb\n");
    unsigned x = 12345;
    for (size_t i = 0; i < rows; i++) {
        x = x * 1103515245u + 12345u;
        buf_printf(&b, "2026-01-%02zu 02:00:01,relay,relay%zu,%u\n", i % 28 + 1, i % 97,
                   x >> 8);
    }
    *n = b.len;
    return buf_detach(&b);
}

static void check_kind(const char *suffix, const char *what)
{
    size_t n;
    char *text = sample_text(40000, &n); /* ~1.5 MB: several input buffers */
    size_t clen;
    unsigned char *comp = str_eq(what, "gzip") ? gzip_of(text, n, &clen) : zstd_of(text, n, &clen);
    char *path = tmp_path(suffix);
    write_file(path, comp, clen);
    char want_hex[65], hex[65];
    sha256_hex_of(comp, clen, want_hex);

    char name[96];
    size_t got_n;
    char *err;
    char *got = read_through(path, &got_n, &err, hex);
    snprintf(name, sizeof name, "%s: decompressed bytes equal the original", what);
    OK(got_n == n && memcmp(got, text, n) == 0, name);
    snprintf(name, sizeof name, "%s: no error", what);
    OK(err == NULL, name);
    snprintf(name, sizeof name, "%s: hash is of the stored bytes", what);
    STR_EQ(hex, want_hex, name);
    free(got);
    free(err);

    /* Two members / frames back to back read as one text. */
    unsigned char *two = xmalloc(2 * clen);
    memcpy(two, comp, clen);
    memcpy(two + clen, comp, clen);
    write_file(path, two, 2 * clen);
    got = read_through(path, &got_n, &err, hex);
    snprintf(name, sizeof name, "%s: concatenated streams read whole", what);
    OK(got_n == 2 * n && memcmp(got, text, n) == 0 && memcmp(got + n, text, n) == 0, name);
    snprintf(name, sizeof name, "%s: concatenated, no error", what);
    OK(err == NULL, name);
    free(got);
    free(err);

    /* Cut short: an error, and what was read is a prefix of the text. */
    write_file(path, comp, clen / 2);
    got = read_through(path, &got_n, &err, hex);
    snprintf(name, sizeof name, "%s: truncated file is an error", what);
    STR_CONTAINS(err, "truncated", name);
    snprintf(name, sizeof name, "%s: truncated, only a prefix was read", what);
    OK(got_n < n && memcmp(got, text, got_n) == 0, name);
    sha256_hex_of(comp, clen / 2, want_hex);
    snprintf(name, sizeof name, "%s: truncated, hash still of the stored bytes", what);
    STR_EQ(hex, want_hex, name);
    free(got);
    free(err);

    /* Damaged in the middle. */
    memcpy(two, comp, clen);
    for (size_t i = clen / 3; i < clen / 3 + 64 && i < clen; i++)
        two[i] ^= 0x5a;
    write_file(path, two, clen);
    got = read_through(path, &got_n, &err, hex);
    snprintf(name, sizeof name, "%s: corrupt data is an error", what);
    OK(err != NULL && got_n < n + 1, name);
    free(got);
    free(err);

    unlink(path);
    free(path);
    free(two);
    free(comp);
    free(text);
}

/* What leading bytes say a file is: each known signature, and text that
 * begins like one (member lists whose first relay is GIF89a or BZh91AY, a
 * byte-order mark, a cut-off signature) taken for text. */
static void check_sniff(void)
{
#define B(s) s, sizeof s - 1
    static const struct {
        const char *head;
        size_t n;
        const char *want; /* NULL: not a known format */
    } cases[] = {
        {B("\x1f\x8b\x08\0\0\0\0\0"), "gzip-compressed data"},
        {B("\x28\xb5\x2f\xfd\x24\x04"), "zstd-compressed data"},
        {B("BZh91AY&SY\x8a\x12"), "bzip2-compressed data"},
        {B("\xfd" "7zXZ\0\0\x04"), "xz-compressed data"},
        {B("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "a PNG image"},
        {B("\xff\xd8\xff\xe0\0\x10JFIF"), "a JPEG image"},
        {B("GIF87a\x01\0\x01\0"), "a GIF image"},
        {B("GIF89a\x10\x01\x20\x01\xf7"), "a GIF image"},
        {B("%PDF-1.4\n"), "a PDF document"},
        {B("PK\x03\x04\x14\0\x06\0"), "a ZIP archive"},
        {B("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0"), "a Microsoft Office document"},
        {B("SQLite format 3\0\x10\0"), "an SQLite database"},
        {B("\x7f" "ELF\x02\x01\x01"), "an ELF executable or library"},
        {B("\xff\xfet\0i\0"), "UTF-16 text"},
        {B("\xfe\xff\0t\0i"), "UTF-16 text"},
        {B("timestamp,type,nickname,rss_kb\n"), NULL},
        {B("\xef\xbb\xbftimestamp,type\n"), NULL},
        {B("GIF89a\nalpha\n"), NULL},
        {B("GIF89a"), NULL},
        {B("BZh91AY\nBZhang\n"), NULL},
        {B("BZh"), NULL},
        {B("\x89PN"), NULL},
        {B("PK relays\n"), NULL},
        {B("{\"timezone\": \"UTC\"}\n"), NULL},
        {B(""), NULL},
    };
#undef B
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const instream_format *f = instream_sniff(cases[i].head, cases[i].n);
        char name[96];
        snprintf(name, sizeof name, "sniff case %zu: %s", i,
                 cases[i].want ? cases[i].want : "text");
        if (cases[i].want)
            STR_EQ(f ? f->what : NULL, cases[i].want, name);
        else
            OK(f == NULL, name);
    }
    const instream_format *gz = instream_sniff("\x1f\x8b", 2);
    const instream_format *zs = instream_sniff("\x28\xb5\x2f\xfd", 4);
    OK(gz && gz->kind == INSTREAM_GZIP && zs && zs->kind == INSTREAM_ZSTD,
       "sniff: the compressed kinds carry the stream kind that reads them");
    const instream_format *png = instream_sniff("\x89PNG\r\n\x1a\n", 8);
    OK(png && png->kind == INSTREAM_PLAIN, "sniff: other formats are no stream kind");
}

/* instream_head gives the first bytes a reader sees: of a compressed
 * file, decompressed, so the sniff says what is inside it. */
static void check_head(void)
{
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x02\x80";
    const instream_format *gzf = instream_format_of(INSTREAM_GZIP);
    const instream_format *zsf = instream_format_of(INSTREAM_ZSTD);
    STR_EQ(gzf ? gzf->what : NULL, "gzip-compressed data", "format of gzip: the table's entry");
    STR_EQ(zsf ? zsf->what : NULL, "zstd-compressed data", "format of zstd: the table's entry");
    OK(instream_format_of(INSTREAM_PLAIN) == NULL, "format of plain: none");
    for (int k = 0; k < 3; k++) {
        const char *suffix = k == 0 ? ".csv" : k == 1 ? ".csv.gz" : ".csv.zst";
        size_t len = sizeof png - 1;
        unsigned char *stored = k == 0 ? NULL : k == 1 ? gzip_of(png, len, &len)
                                                       : zstd_of(png, len, &len);
        char *path = tmp_path(suffix);
        write_file(path, stored ? (const void *)stored : png, len);
        unsigned char b[64];
        size_t n = instream_head(path, b, sizeof b);
        const instream_format *f = instream_sniff(b, n);
        char name[96];
        snprintf(name, sizeof name, "head of %s: the PNG bytes, sniffed as such", suffix);
        OK(n == sizeof png - 1 && !memcmp(b, png, n) && f && str_eq(f->what, "a PNG image"),
           name);
        n = instream_head(path, b, 4);
        snprintf(name, sizeof name, "head of %s: at most size bytes", suffix);
        OK(n == 4 && !memcmp(b, png, 4), name);
        unlink(path);
        free(path);
        free(stored);
    }
    unsigned char b[8];
    OK(instream_head("/nonexistent/memory.csv.gz", b, sizeof b) == 0, "head of a missing file: 0");
}

int main(void)
{
    check_sniff();
    check_head();
    OK(instream_kind_of("memory.csv.gz") == INSTREAM_GZIP, "kind by name: .gz");
    OK(instream_kind_of("memory.csv.zst") == INSTREAM_ZSTD, "kind by name: .zst");
    OK(instream_kind_of("memory.csv") == INSTREAM_PLAIN, "kind by name: plain");
    check_kind(".csv.gz", "gzip");
    check_kind(".csv.zst", "zstd");

    /* A plain file is read as it is. */
    char *path = tmp_path(".csv");
    write_file(path, "a,b\n1,2\n", 8);
    size_t n;
    char *err, hex[65];
    char *got = read_through(path, &n, &err, hex);
    OK(n == 8 && memcmp(got, "a,b\n1,2\n", 8) == 0 && !err, "plain file read as it is");
    free(got);
    free(err);

    /* Not gzip at all, under a .gz name. */
    char *gz = tmp_path(".gz");
    write_file(gz, "a,b\n1,2\n", 8);
    got = read_through(gz, &n, &err, hex);
    OK(err != NULL && n == 0, "a .gz that is not gzip is an error");
    free(got);
    free(err);
    unlink(gz);
    free(gz);
    unlink(path);
    free(path);

    file_result fr;
    OK(instream_open("/nonexistent/memory.csv.gz", &fr) == NULL && fr.st == FILE_ERRNO &&
           fr.err == ENOENT,
       "missing file: NULL, ENOENT");
    /* A FIFO is refused at once (no writer: an open without O_NONBLOCK
     * would wait for one forever). */
    char *fifo = tmp_path(".fifo.csv");
    OK(mkfifo(fifo, 0600) == 0, "mkfifo");
    OK(instream_open(fifo, &fr) == NULL && fr.st == FILE_NOT_REGULAR, "a FIFO: NULL, not regular");
    unlink(fifo);
    free(fifo);
    return harness_done();
}
