/* csvread.c - line-tracking CSV reader: a fast in-place splitter for plain
 * lines and libcsv (strict) for anything quoted. See csvread.h for the
 * rules both paths share. */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "util.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define HAVE_VECTOR_SCAN 1
#endif

#define BUF_SIZE (4u * 1024 * 1024)
#define BUF_PAD 64 /* the vector scan may read up to 63 bytes past the data */
#define MAX_SHOWN_ERRORS 50

struct csvr {
    FILE *fp;               /* NULL when reading a range of fd */
    int fd;
    uint64_t off, to;       /* next file offset to read, end of the range */
    bool hash;              /* SHA-256 of every byte read */
    bool no_hex;            /* csvr_no_hash: csvr_sha256 gives "" */
    char *display;
    bool force_libcsv;
    bool no_vector_scan;    /* csvr_no_vector_scan: the reference splitter */
    uint64_t vector_rows;   /* rows the vector scan split */
    uint32_t *commas;       /* the vector scan's comma offsets in a line */
    size_t commas_cap;

    char *buf;
    size_t pos, end;        /* unread bytes are buf[pos..end) */
    size_t scan;            /* no '\n' in buf[pos..scan) */
    bool eof, ioerr, started;
    bool ioerr_reported;
    int err;
    long line;              /* physical lines consumed */
    uint64_t bytes;
    sha256_ctx sha;

    /* The record handed out. */
    const char **f;
    size_t *len;
    size_t fcap;

    /* libcsv state for quoted records. */
    struct csv_parser p;
    strbuf sb;              /* field bytes of the record being parsed */
    size_t *soff, *slen;
    size_t sn, scap;
    bool row_ready;
    bool in_rec;            /* a quoted field spans the line end */
    long rec_line;
    size_t rec_bytes;

    size_t shown, hidden;
};

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int is_lf(unsigned char c)
{
    return c == '\n';
}

/* libcsv reports a failed realloc as CSV_ENOMEM, which would read as a
 * malformed field (exit 1): memory running out exits 3 instead (util.h). */
static void *csv_xrealloc(void *p, size_t n)
{
    return xrealloc_for("libcsv", p, n);
}

static void parser_init(csvr *r)
{
    csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_realloc_func(&r->p, csv_xrealloc);
    csv_set_free_func(&r->p, free);
    csv_set_space_func(&r->p, is_ws);
    csv_set_term_func(&r->p, is_lf);
}

csvr *csvr_open(FILE *f, const char *display, bool force_libcsv)
{
    csvr *r = xcalloc(1, sizeof *r);
    r->fp = f;
    r->fd = -1;
    r->hash = true;
    r->display = xstrdup(display);
    r->force_libcsv = force_libcsv;
    /* Not cleared: a small file would fault in all 4 MiB (2 ms, in every
     * build); fill clears only the BUF_PAD bytes past the data. */
    r->buf = xmalloc(BUF_SIZE + BUF_PAD);
    memset(r->buf, 0, BUF_PAD);
    sha256_init(&r->sha);
    buf_init(&r->sb);
    parser_init(r);
    return r;
}

csvr *csvr_open_range(int fd, uint64_t from, uint64_t to, const char *display)
{
    csvr *r = csvr_open(NULL, display, false);
    r->fd = fd;
    r->off = from;
    r->to = to;
    r->hash = false;
    /* Only the file's first bytes can be a byte-order mark. */
    r->started = from > 0;
    return r;
}

/* Reads into buf[end..): from the FILE, or the next part of the range. */
static size_t read_more(csvr *r)
{
    size_t room = BUF_SIZE - r->end;
    if (r->fp) {
        size_t n = fread(r->buf + r->end, 1, room, r->fp);
        if (n == 0 && ferror(r->fp)) {
            r->ioerr = true;
            r->err = errno ? errno : EIO;
        }
        return n;
    }
    if (r->off >= r->to)
        return 0;
    if (room > r->to - r->off)
        room = (size_t)(r->to - r->off);
    ssize_t n;
    do
        n = pread(r->fd, r->buf + r->end, room, (off_t)r->off);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        /* Shorter than when the range was chosen: as bad as a read error. */
        r->ioerr = true;
        r->err = n < 0 ? errno : EIO;
        return 0;
    }
    r->off += (uint64_t)n;
    return (size_t)n;
}

void csvr_error(csvr *r, diag_list *d, long line, long col, const char *fmt, ...)
{
    if (r->shown >= MAX_SHOWN_ERRORS) {
        r->hidden++;
        return;
    }
    r->shown++;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(d, DIAG_ERROR, r->display, line, col, "%s", msg);
    free(msg);
}

/* Moves unread bytes to the front and reads more. */
static void fill(csvr *r)
{
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->scan -= r->pos;
        r->pos = 0;
    }
    size_t n = read_more(r);
    if (n == 0) {
        r->eof = true;
        return;
    }
    if (r->hash)
        sha256_update(&r->sha, r->buf + r->end, n);
    r->bytes += n;
    r->end += n;
    memset(r->buf + r->end, 0, BUF_PAD); /* what the vector scan reads past the data */
    if (!r->started) {
        r->started = true;
        if (r->end >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
            r->pos = r->scan = 3;
    }
}

enum { LINE_EOF, LINE_OK, LINE_SKIPPED };

/* Takes the next physical line: buf[*start .. *start + *len), without its
 * newline. Lines over CSVR_MAX_LINE are reported and skipped. */
static int next_line(csvr *r, diag_list *d, size_t *start, size_t *len, bool *has_nl)
{
    for (;;) {
        const char *nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
        if (nl) {
            size_t at = (size_t)(nl - r->buf);
            *start = r->pos;
            *len = at - r->pos;
            *has_nl = true;
            r->pos = r->scan = at + 1;
            r->line++;
            if (*len > CSVR_MAX_LINE) {
                csvr_error(r, d, r->line, 0, "line is longer than 1 MiB (%zu bytes)", *len);
                return LINE_SKIPPED;
            }
            return LINE_OK;
        }
        r->scan = r->end;
        if (r->end - r->pos > CSVR_MAX_LINE) {
            r->line++;
            csvr_error(r, d, r->line, 0, "line is longer than 1 MiB");
            /* Drop bytes up to the next newline without keeping them. */
            for (;;) {
                r->pos = r->scan = r->end;
                fill(r);
                if (r->eof)
                    return LINE_SKIPPED;
                nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
                if (nl) {
                    r->pos = r->scan = (size_t)(nl - r->buf) + 1;
                    return LINE_SKIPPED;
                }
            }
        }
        if (r->eof) {
            if (r->pos == r->end)
                return LINE_EOF;
            *start = r->pos;
            *len = r->end - r->pos;
            *has_nl = false;
            r->pos = r->scan = r->end;
            r->line++;
            return LINE_OK;
        }
        fill(r);
    }
}

static void want_fields(csvr *r, size_t n)
{
    if (n <= r->fcap)
        return;
    size_t cap = r->fcap;
    xgrow((void **)&r->f, &cap, n, sizeof *r->f);
    xgrow((void **)&r->len, &r->fcap, n, sizeof *r->len);
}

static bool all_ws(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws((unsigned char)s[i]))
            return false;
    return true;
}

/* The fast path: split a line with no quote on commas, in place. */
static void split_plain(csvr *r, const char *s, size_t n, csv_row *row)
{
    const char *p = s, *end = s + n;
    size_t k = 0;
    for (;;) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *a = p, *b = c ? c : end;
        while (a < b && is_ws((unsigned char)*a))
            a++;
        while (b > a && is_ws((unsigned char)b[-1]))
            b--;
        if (k == r->fcap)
            want_fields(r, k + 1);
        r->f[k] = a;
        r->len[k] = (size_t)(b - a);
        k++;
        if (!c)
            break;
        p = c + 1;
    }
    row->n = k;
}

#ifdef HAVE_VECTOR_SCAN
/* Bit masks over the 64 bytes at p: commas, newlines, bytes the fast path
 * must not take (quote, NUL) and whitespace (space, tab, CR). */
typedef struct {
    uint64_t comma, nl, bad, ws;
} masks64;

static masks64 classify64(const char *p)
{
    const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n');
    const __m128i quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r');
    masks64 m = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        int sh = 16 * i;
        m.comma |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma)) << sh;
        m.nl |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) << sh;
        m.bad |= (uint64_t)(unsigned)_mm_movemask_epi8(
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, zero)))
                 << sh;
        m.ws |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(v, sp), _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, cr))))
                << sh;
    }
    return m;
}

/* Set bits of m: the instruction where the target has one, else a few
 * shifts and adds (x86-64's baseline has no popcnt, and the compiler's
 * fallback is a library call). */
static unsigned count_bits(uint64_t m)
{
#ifdef __POPCNT__
    return (unsigned)__builtin_popcountll(m);
#else
    m = m - ((m >> 1) & 0x5555555555555555u);
    m = (m & 0x3333333333333333u) + ((m >> 2) & 0x3333333333333333u);
    m = (m + (m >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
    return (unsigned)((m * 0x0101010101010101u) >> 56);
#endif
}

/* The fast path's fast path: one pass over a plain line that finds its
 * newline and every comma 64 bytes at a time (SSE2, which every x86-64
 * has), instead of a memchr for the line and one per field; the commas of
 * a block are written out without a branch per comma. It takes only what
 * the general path would split in place (a whole line in the buffer, under
 * CSVR_MAX_LINE, no quote, no NUL, not blank) and gives the same fields;
 * anything else is left to it (false, nothing consumed). */
static bool scan_plain(csvr *r, csv_row *row)
{
    if (r->in_rec || r->force_libcsv || r->no_vector_scan || r->scan != r->pos)
        return false;
    const char *s = r->buf + r->pos, *end = r->buf + r->end;
    size_t nc = 0;
    const char *p = s, *line_end = NULL;
    uint64_t any_ws = 0;
    while (p < end) {
        size_t avail = (size_t)(end - p);
        uint64_t valid = avail >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << avail) - 1;
        masks64 m = classify64(p);
        uint64_t mn = m.nl & valid;
        if (mn) {
            line_end = p + __builtin_ctzll(mn);
            valid = ((uint64_t)1 << __builtin_ctzll(mn)) - 1;
        }
        if (m.bad & valid)
            return false;
        any_ws |= m.ws & valid;
        uint64_t mc = m.comma & valid;
        if (nc + 64 > r->commas_cap)
            xgrow((void **)&r->commas, &r->commas_cap, nc + 64, sizeof *r->commas);
        uint32_t *o = r->commas + nc, base = (uint32_t)(p - s);
        nc += count_bits(mc);
        /* Eight offsets a round, written whether or not that many are left:
         * the count is right, the extra slots are scratch. */
        while (mc) {
            for (int i = 0; i < 8; i++) {
                o[i] = base + (uint32_t)(mc ? __builtin_ctzll(mc) : 0);
                mc &= mc - 1;
            }
            o += 8;
        }
        if (line_end)
            break;
        p += 64;
        if ((size_t)(p - s) > CSVR_MAX_LINE)
            return false;
    }
    if (!line_end || (size_t)(line_end - s) > CSVR_MAX_LINE)
        return false;
    size_t n = (size_t)(line_end - s), k = nc + 1;
    want_fields(r, k);
    const char **f = r->f;
    size_t *len = r->len;
    const uint32_t *cm = r->commas;
    size_t from = 0;
    for (size_t i = 0; i < nc; i++) {
        f[i] = s + from;
        len[i] = cm[i] - from;
        from = cm[i] + 1;
    }
    f[nc] = s + from;
    len[nc] = n - from;
    /* Trim as split_plain does (only a line with whitespace needs it); a
     * line of one blank field is a blank line. */
    for (size_t i = 0; any_ws && i < k; i++) {
        const char *a = f[i], *b = a + len[i];
        while (a < b && is_ws((unsigned char)*a))
            a++;
        while (b > a && is_ws((unsigned char)b[-1]))
            b--;
        f[i] = a;
        len[i] = (size_t)(b - a);
    }
    if (k == 1 && !len[0])
        return false;
    r->pos = r->scan = r->pos + n + 1;
    r->line++;
    r->vector_rows++;
    row->n = k;
    row->f = f;
    row->len = len;
    row->line = row->last_line = r->line;
    row->terminated = true;
    row->fast = true;
    row->raw = s;
    row->rawlen = n;
    return true;
}
#else
static bool scan_plain(csvr *r, csv_row *row)
{
    (void)r;
    (void)row;
    return false;
}
#endif

static void cb_field(void *s, size_t len, void *data)
{
    csvr *r = data;
    if (r->sn == r->scap) {
        size_t cap = r->scap;
        xgrow((void **)&r->soff, &cap, r->sn + 1, sizeof *r->soff);
        xgrow((void **)&r->slen, &r->scap, r->sn + 1, sizeof *r->slen);
    }
    r->soff[r->sn] = r->sb.len;
    r->slen[r->sn] = len;
    r->sn++;
    if (len)
        buf_putn(&r->sb, s, len);
}

static void cb_row(int c, void *data)
{
    (void)c;
    ((csvr *)data)->row_ready = true;
}

static void parser_reset(csvr *r)
{
    csv_free(&r->p);
    parser_init(r);
    r->in_rec = false;
    r->sn = 0;
    buf_reset(&r->sb);
}

/* Hands out the fields libcsv collected. */
static void take_slow_row(csvr *r, csv_row *row)
{
    want_fields(r, r->sn ? r->sn : 1);
    for (size_t i = 0; i < r->sn; i++) {
        r->f[i] = r->slen[i] ? r->sb.data + r->soff[i] : "";
        r->len[i] = r->slen[i];
    }
    row->n = r->sn;
    row->line = r->rec_line;
    row->last_line = r->line;
    row->fast = false;
    r->row_ready = false;
    r->in_rec = false;
}

int csvr_next(csvr *r, csv_row *row, diag_list *d)
{
    if (!r->started)
        fill(r);
    if (scan_plain(r, row))
        return 1;
    for (;;) {
        size_t start, len;
        bool has_nl;
        int st = next_line(r, d, &start, &len, &has_nl);
        if (st == LINE_SKIPPED) {
            if (r->in_rec)
                parser_reset(r);
            continue;
        }
        if (st == LINE_EOF) {
            if (!r->in_rec)
                return 0;
            /* A quoted field was still open at the end of the file. */
            csv_fini(&r->p, cb_field, cb_row, r);
            long at = r->rec_line;
            parser_reset(r);
            csvr_error(r, d, at, 0, "unterminated quoted field (the closing \" is missing)");
            return 0;
        }
        const char *s = r->buf + start;
        /* Per line: the vector scan takes nearly every plain line, so a
         * look-ahead over the whole buffer would mostly be wasted. */
        const char *nul = memchr(s, '\0', len);
        if (nul) {
            long col = (long)(nul - s) + 1;
            csvr_error(r, d, r->line, col, "NUL byte in the data (binary file?)");
            if (r->in_rec)
                parser_reset(r);
            continue;
        }
        bool quoted = memchr(s, '"', len) != NULL;
        if (!r->in_rec && !quoted && !r->force_libcsv) {
            if (all_ws(s, len))
                continue;
            split_plain(r, s, len, row);
            row->f = r->f;
            row->len = r->len;
            row->line = row->last_line = r->line;
            row->terminated = has_nl;
            row->fast = true;
            row->raw = s;
            row->rawlen = len;
            return 1;
        }
        /* libcsv: feed the line with its newline. */
        if (!r->in_rec) {
            r->rec_line = r->line;
            r->rec_bytes = 0;
            r->sn = 0;
            buf_reset(&r->sb);
        }
        size_t feed = len + (has_nl ? 1 : 0);
        size_t got = csv_parse(&r->p, s, feed, cb_field, cb_row, r);
        if (got < feed || csv_error(&r->p) != CSV_SUCCESS) {
            long col = r->rec_line == r->line ? (long)got + 1 : 0;
            long at = r->rec_line;
            parser_reset(r);
            csvr_error(r, d, at, col,
                       "malformed quoted field (a \" must open a field, close it, or be "
                       "doubled inside it)");
            continue;
        }
        if (!has_nl && !r->row_ready)
            csv_fini(&r->p, cb_field, cb_row, r);
        if (!has_nl && csv_error(&r->p) != CSV_SUCCESS) {
            long at = r->rec_line;
            parser_reset(r);
            csvr_error(r, d, at, 0, "unterminated quoted field (the closing \" is missing)");
            return 0;
        }
        if (r->row_ready) {
            bool one_line = r->rec_line == r->line;
            take_slow_row(r, row);
            row->f = r->f;
            row->len = r->len;
            row->terminated = has_nl;
            row->raw = one_line ? s : NULL;
            row->rawlen = one_line ? len : 0;
            return 1;
        }
        r->in_rec = r->in_rec || !all_ws(s, len);
        if (r->in_rec) {
            r->rec_bytes += feed;
            if (r->rec_bytes > CSVR_MAX_LINE) {
                long at = r->rec_line;
                parser_reset(r);
                csvr_error(r, d, at, 0,
                           "quoted field runs on past 1 MiB (unterminated quote?)");
            }
        }
    }
}

long csv_row_col(const csv_row *row, size_t i)
{
    if (i >= row->n || !row->raw)
        return 0;
    if (row->fast)
        return (long)(row->f[i] - row->raw) + 1;
    /* Walk the raw line, honouring quotes, to the start of field i. */
    size_t k = 0, j = 0;
    bool inq = false;
    for (; j < row->rawlen && k < i; j++) {
        char c = row->raw[j];
        if (c == '"')
            inq = !inq;
        else if (c == ',' && !inq)
            k++;
    }
    while (j < row->rawlen && is_ws((unsigned char)row->raw[j]))
        j++;
    return (long)j + 1;
}

bool csvr_io_error(const csvr *r)
{
    return r->ioerr;
}

void csvr_report_io_error(csvr *r, diag_list *d)
{
    if (!r->ioerr || r->ioerr_reported)
        return;
    r->ioerr_reported = true;
    diag_io(d, r->display, 0, "read error: %s", strerror(r->err));
}

int csvr_errno(const csvr *r)
{
    return r->err;
}

uint64_t csvr_bytes(const csvr *r)
{
    return r->bytes;
}

long csvr_lines(const csvr *r)
{
    return r->line;
}

void csvr_no_vector_scan(csvr *r)
{
    r->no_vector_scan = true;
}

uint64_t csvr_vector_rows(const csvr *r)
{
    return r->vector_rows;
}

void csvr_no_hash(csvr *r)
{
    r->hash = false;
    r->no_hex = true;
}

static void drain(csvr *r)
{
    while (!r->eof) {
        r->pos = r->scan = r->end;
        fill(r);
    }
}

size_t csvr_sha256_state(csvr *r, unsigned char out[SHA256_STATE_MAX])
{
    if (r->no_hex)
        return 0;
    drain(r);
    return sha256_state_export(&r->sha, out);
}

void csvr_sha256(csvr *r, char hex[65])
{
    if (r->no_hex) {
        hex[0] = '\0';
        return;
    }
    drain(r);
    unsigned char dg[32];
    sha256_final(&r->sha, dg);
    sha256_hex(dg, hex);
    sha256_init(&r->sha);
}

void csvr_close(csvr *r, diag_list *d)
{
    if (!r)
        return;
    if (r->hidden && d)
        diag_add(d, DIAG_ERROR, r->display, 0, 0, "%zu more errors in this file not shown",
                 r->hidden);
    csv_free(&r->p);
    buf_free(&r->sb);
    free(r->soff);
    free(r->slen);
    free(r->f);
    free(r->len);
    free(r->commas);
    free(r->buf);
    free(r->display);
    free(r);
}
