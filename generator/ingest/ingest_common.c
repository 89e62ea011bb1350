/* ingest_common.c - the small helpers every reader of an input file
 * shares (ingest_internal.h): header columns, numbers as the collectors
 * write them, field copies, quoting for messages, the inputs list, path
 * and file checks, bounded reads. Called by ingest.c and the readers;
 * calls neither. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest_internal.h"
#include "instream.h"
#include "util.h"

int ingest_column(const csv_row *hdr, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < hdr->n; i++) {
        if (hdr->len[i] != n)
            continue;
        size_t k = 0;
        for (; k < n; k++) {
            char a = hdr->f[i][k], b = name[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (a != b)
                break;
        }
        if (k == n)
            return (int)i;
    }
    return -1;
}

bool ingest_header(csvr *r, diag_list *d, const char *display, csv_row *hdr)
{
    if (csvr_next(r, hdr, d))
        return true;
    if (csvr_io_error(r))
        csvr_report_io_error(r, d);
    else if (csvr_bytes(r) == 0)
        diag_add(d, DIAG_ERROR, display, 1, 0, "empty file (expected a header line)");
    else
        diag_add(d, DIAG_ERROR, display, 1, 0, "no header line (the file holds no CSV record)");
    return false;
}

bool ingest_parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (!n || n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned dgt = (unsigned)(unsigned char)s[i] - '0';
        if (dgt > 9)
            return false;
        if (v > (UINT64_MAX - dgt) / 10)
            return false;
        v = v * 10 + dgt;
    }
    *out = v;
    return true;
}

const double ingest_pow10[19] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

bool ingest_parse_double(const char *s, size_t n, double *out)
{
    const double *p10 = ingest_pow10;
    if (!n)
        return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+')
        neg = s[i++] == '-';
    uint64_t mant = 0;
    int digits = 0, frac = 0;
    bool dot = false, simple = true;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (digits < 18) {
                mant = mant * 10 + (uint64_t)(c - '0');
                if (mant)
                    digits++;
                if (dot)
                    frac++;
            } else {
                simple = false;
            }
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    bool any_digit = false;
    for (size_t k = 0; k < i; k++)
        any_digit |= s[k] >= '0' && s[k] <= '9';
    if (!any_digit)
        return false;
    /* Past 18 places (leading zeros count) the table ends: strtod. */
    if (i == n && simple && frac < 19) {
        double v = (double)mant / p10[frac];
        *out = neg ? -v : v;
        return true;
    }
    /* Exponents and long mantissas: strtod on a bounded copy of a field
     * made only of number characters (so no "nan", "inf" or hex). */
    char buf[64];
    if (n >= sizeof buf)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!strchr("0123456789.eE+-", s[k]))
            return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n || errno)
        return false;
    *out = v;
    return true;
}

char *ingest_strdup_field(const csv_row *row, int col)
{
    if (col < 0 || (size_t)col >= row->n)
        return xstrdup("");
    return xstrndup(row->f[col], row->len[col]);
}

input_file *ingest_add_input(experiment *e, const char *path, uint64_t bytes, uint64_t rows,
                             const char *sha_hex)
{
    size_t cap = e->ninputs;
    xgrow((void **)&e->inputs, &cap, e->ninputs + 1, sizeof *e->inputs);
    input_file *in = &e->inputs[e->ninputs++];
    memset(in, 0, sizeof *in);
    in->path = xstrdup(path);
    in->bytes = bytes;
    in->rows = rows;
    snprintf(in->sha256, sizeof in->sha256, "%s", sha_hex);
    return in;
}

const char *ingest_show(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0, limit = 40;
    buf[o++] = '\'';
    for (size_t i = 0; i < n && o + 6 < cap; i++) {
        if (i == limit) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return buf;
}

bool ingest_path_inside(const char *dir, const char *rel, char **why)
{
    if (rel[0] == '/') {
        *why = xasprintf("%s is an absolute path; member files must be inside the experiment "
                         "directory",
                         rel);
        return false;
    }
    if (path_has_dotdot(rel)) {
        *why = xasprintf("%s leaves the experiment directory (..)", rel);
        return false;
    }
    char *full = path_join(dir, rel);
    char *rd = realpath(dir, NULL), *rf = realpath(full, NULL);
    bool ok = true;
    if (rd && rf) {
        size_t n = strlen(rd);
        ok = strncmp(rf, rd, n) == 0 && (rf[n] == '/' || (n == 1 && rd[0] == '/'));
        if (!ok)
            *why = xasprintf("%s resolves to %s, outside the experiment directory (symlink?)",
                             rel, rf);
    }
    free(rd);
    free(rf);
    free(full);
    return ok;
}

int ingest_open_failed(const char *display, const file_result *fr, diag_list *d)
{
    char *msg = file_result_text(fr);
    int rc = file_result_is_io(fr) ? 3 : 1;
    if (rc == 3)
        diag_io(d, display, 0, "%s", msg);
    else
        diag_add(d, DIAG_ERROR, display, 0, 0, "%s", msg);
    free(msg);
    return rc;
}

/* How much of an input is looked at before it is read: a signature, or a
 * NUL byte (no text has one) in the first block, says it is not text. */
#define INGEST_SNIFF_BYTES 8192

/* What an input is meant to hold, by its name, for messages. */
static const char *text_kind(const char *rel)
{
    if (str_ends(rel, ".csv") || str_ends(rel, ".csv.gz") || str_ends(rel, ".csv.zst"))
        return "CSV text";
    if (str_ends(rel, ".json"))
        return "JSON text";
    if (str_ends(rel, ".md"))
        return "Markdown text";
    return "a text list of members"; /* a group file, or one the manifest names */
}

/* 0 when the first block of an input, as its reader will see it (a
 * compressed memory CSV decompressed), can be text; else 1 after one
 * error saying what the file is, so that its reader, which would report
 * a string of puzzling header and NUL-byte errors, never sees it. A file
 * that cannot be read here is left to its reader to report. */
/* 0 when an input named .gz or .zst begins like that compression; else
 * 1 after one error saying what it holds instead (plain text, the other
 * compression, an image), where its reader would say "corrupt gzip data"
 * of a file that was never compressed. Bytes that are nothing known are
 * left to the reader, which says where the data is corrupt. */
static int check_compressed(const char *path, const instream_format *outer, const char *rel,
                            const char *display, diag_list *d)
{
    unsigned char b[INGEST_SNIFF_BYTES];
    file_result fr;
    int fd = file_open_regular(path, NULL, &fr);
    ssize_t n = fd >= 0 ? pread(fd, b, sizeof b, 0) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    const instream_format *f = instream_sniff(b, (size_t)n);
    if (f && f->kind == outer->kind)
        return 0;
    size_t stem = strlen(rel) - strlen(instream_kind_of(rel) == INSTREAM_GZIP ? ".gz" : ".zst");
    if (f && f->kind != INSTREAM_PLAIN)
        diag_add(d, DIAG_ERROR, display, 1, 0,
                 "this is %s, not %s as its name says (rename it to %.*s%s)", f->what,
                 outer->what, (int)stem, rel, f->kind == INSTREAM_GZIP ? ".gz" : ".zst");
    else if (f)
        diag_add(d, DIAG_ERROR, display, 1, 0, "this is %s, not %s as its name says%s%s%s",
                 f->what, outer->what, f->hint ? " (" : "", f->hint ? f->hint : "",
                 f->hint ? ")" : "");
    else if (!memchr(b, '\0', (size_t)n))
        diag_add(d, DIAG_ERROR, display, 1, 0,
                 "this is plain text, not %s as its name says (rename it to %.*s)", outer->what,
                 (int)stem, rel);
    else
        return 0;
    return 1;
}

static int check_text(const char *path, const char *rel, const char *display, diag_list *d)
{
    const instream_format *outer = instream_format_of(instream_kind_of(rel));
    if (outer && check_compressed(path, outer, rel, display, d))
        return 1;
    unsigned char b[INGEST_SNIFF_BYTES];
    size_t n = instream_head(path, b, sizeof b);
    if (!n)
        return 0;
    /* What a compressed input's contents came out of, for the messages. */
    char inside[64] = "";
    if (outer)
        snprintf(inside, sizeof inside, " (inside %s)", outer->what);
    const instream_format *f = instream_sniff(b, n);
    if (f && f->kind != INSTREAM_PLAIN && !outer) {
        diag_add(d, DIAG_ERROR, display, 1, 0,
                 "%s under a plain name (a memory CSV is read compressed when its name ends "
                 "in %s; every other input must be plain text)",
                 f->what, f->kind == INSTREAM_GZIP ? ".gz" : ".zst");
        return 1;
    }
    if (f) {
        const char *hint = f->kind != INSTREAM_PLAIN ? "compressed twice: decompress it once"
                                                     : f->hint;
        diag_add(d, DIAG_ERROR, display, 1, 0, "this is %s%s, not %s%s%s%s", f->what, inside,
                 text_kind(rel), hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
        return 1;
    }
    const unsigned char *z = memchr(b, '\0', n);
    if (!z)
        return 0;
    long line = 1;
    const unsigned char *line_start = b;
    for (const unsigned char *p = b; p < z; p++)
        if (*p == '\n') {
            line++;
            line_start = p + 1;
        }
    diag_add(d, DIAG_ERROR, display, line, (long)(z - line_start) + 1,
             "NUL byte at offset %ld%s: this is binary data, not %s", (long)(z - b), inside,
             text_kind(rel));
    return 1;
}

int ingest_check_input(const char *dir, const char *rel, const char *display, diag_list *d)
{
    char *path = path_join(dir, rel);
    struct stat ls;
    int rc = 0;
    char *why = NULL;
    file_result fr;
    if (lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode) && access(path, F_OK) != 0) {
        diag_add(d, DIAG_ERROR, display, 0, 0, "a dangling symbolic link (its target is missing)");
        rc = 1;
    } else if (!ingest_path_inside(dir, rel, &why)) {
        diag_add(d, DIAG_ERROR, display, 0, 0, "%s", why);
        rc = 1;
    } else if (!file_check_regular(path, &fr)) {
        rc = ingest_open_failed(display, &fr, d);
    } else {
        rc = check_text(path, rel, display, d);
    }
    free(why);
    free(path);
    return rc;
}

char *ingest_read_input(const char *dir, const char *rel, const char *display, size_t max,
                        size_t *len, diag_list *d, int *rc)
{
    *rc = ingest_check_input(dir, rel, display, d);
    if (*rc)
        return NULL;
    char *path = path_join(dir, rel);
    file_result fr;
    char *text = file_read_bounded(path, max, len, &fr);
    free(path);
    if (!text)
        *rc = ingest_open_failed(display, &fr, d);
    return text;
}

