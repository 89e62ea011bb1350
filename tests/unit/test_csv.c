/* The CSV reader: table-driven edge cases run through both the fast path
 * and libcsv, positions of errors, over-long lines, and a differential
 * test of the two paths on a varied generated file whose intended fields
 * are known. */
#include <stdlib.h>

#include "csvread.h"
#include "harness.h"
#include "sha256.h"
#include "util.h"

static FILE *file_of(const char *s, size_t n)
{
    FILE *f = tmpfile();
    if (n)
        fwrite(s, 1, n, f);
    rewind(f);
    return f;
}

/* Reads everything: rows as "LINE:f1|f2|...($ when unterminated)\n",
 * errors as "LINE:COL " in *errs. */
enum { VECTOR, MEMCHR, LIBCSV }; /* the three ways a plain line is split */

static uint64_t last_vector_rows; /* of the last read_all */

static char *read_all(const char *s, size_t n, int mode, char **errs)
{
    FILE *f = file_of(s, n);
    csvr *r = csvr_open(f, "t.csv", mode == LIBCSV);
    if (mode == MEMCHR)
        csvr_no_vector_scan(r);
    diag_list d;
    diag_init(&d);
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "");
    csv_row row;
    while (csvr_next(r, &row, &d)) {
        buf_printf(&b, "%ld%s:", row.line, row.fast ? "" : "q");
        for (size_t i = 0; i < row.n; i++) {
            if (i)
                buf_putc(&b, '|');
            buf_putn(&b, row.f[i], row.len[i]);
        }
        buf_puts(&b, row.terminated ? "\n" : "$\n");
    }
    last_vector_rows = csvr_vector_rows(r);
    csvr_close(r, &d);
    fclose(f);
    strbuf e;
    buf_init(&e);
    buf_puts(&e, "");
    for (size_t i = 0; i < d.n; i++)
        buf_printf(&e, "%ld:%ld ", d.items[i].line, d.items[i].col);
    diag_free(&d);
    *errs = buf_detach(&e);
    return buf_detach(&b);
}

static const struct {
    const char *name;
    const char *in;
    size_t len; /* 0: strlen */
    const char *rows;
    const char *errs;
} cases[] = {
    {"plain", "a,b,c\n1,2,3\n", 0, "1:a|b|c\n2:1|2|3\n", ""},
    {"crlf", "a,b\r\n1,2\r\n", 0, "1:a|b\n2:1|2\n", ""},
    {"bom", "\xEF\xBB\xBF" "a,b\n1,2\n", 0, "1:a|b\n2:1|2\n", ""},
    {"empty fields", "a,,c,\n,,\n", 0, "1:a||c|\n2:||\n", ""},
    {"quotes", "\"a,b\",\"c\"\"d\"\n", 0, "1:a,b|c\"d\n", ""},
    {"quoted newline keeps later line numbers", "h1,h2\n\"x\ny\",2\n3,4\n", 0,
     "1:h1|h2\n2:x\ny|2\n4:3|4\n", ""},
    {"quoted crlf inside", "\"a\r\nb\",c\r\nd,e\r\n", 0, "1:a\r\nb|c\n3:d|e\n", ""},
    {"blank lines skipped but counted", "a\n\n  \n\r\nb\n", 0, "1:a\n5:b\n", ""},
    {"unquoted fields trimmed", " a ,\tb\t, c\r\n", 0, "1:a|b|c\n", ""},
    {"no final newline", "a,b\nc", 0, "1:a|b\n2:c$\n", ""},
    {"quoted last line without newline", "a\n\"b\",c", 0, "1:a\n2:b|c$\n", ""},
    {"unterminated quote at end", "a\n\"b,c\nd\n", 0, "1:a\n", "2:0 "},
    {"quote inside unquoted field", "a\nx\"y,z\nq\n", 0, "1:a\n3:q\n", "2:2 "},
    {"text after closing quote", "\"ab\"c,d\nok\n", 0, "2:ok\n", "1:5 "},
    {"NUL byte", "a\nb\0c\nd\n", 8, "1:a\n3:d\n", "2:2 "},
    {"quoted empty", "\"\",x\n", 0, "1:|x\n", ""},
    {"spaces after closing quote", "\"a\"  ,b\n", 0, "1:a|b\n", ""},
    {"inner CR kept", "a\rb,c\n", 0, "1:a\rb|c\n", ""},
    {"header only, no newline", "h", 0, "1:h$\n", ""},
    {"empty file", "", 0, "", ""},
    {"non-ASCII text", "2026,migration,3.0.1 \xE2\x86\x92 2.0.9\n", 0,
     "1:2026|migration|3.0.1 \xE2\x86\x92 2.0.9\n", ""},
};

static void edge_cases(void)
{
    char name[160];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].len ? cases[i].len : strlen(cases[i].in);
        static const char *const how[] = {"vector scan", "memchr split", "libcsv"};
        for (int mode = VECTOR; mode <= LIBCSV; mode++) {
            char *errs;
            char *rows = read_all(cases[i].in, n, mode, &errs);
            /* Rows are compared without the q marking libcsv's rows. */
            for (char *p = rows, *o = rows;; p++) {
                if (*p == 'q' && p > rows && p[1] == ':' && p[-1] >= '0' && p[-1] <= '9')
                    continue;
                if (!(*o++ = *p))
                    break;
            }
            snprintf(name, sizeof name, "csv %s (%s): rows", cases[i].name, how[mode]);
            STR_EQ(rows, cases[i].rows, name);
            snprintf(name, sizeof name, "csv %s (%s): errors", cases[i].name, how[mode]);
            STR_EQ(errs, cases[i].errs, name);
            free(rows);
            free(errs);
        }
    }
}

static void columns(void)
{
    const char *in = "ab, cd,,e\n\"x,y\", z ,w\n";
    FILE *f = file_of(in, strlen(in));
    csvr *r = csvr_open(f, "t.csv", false);
    diag_list d;
    diag_init(&d);
    csv_row row;
    csvr_next(r, &row, &d);
    OK(row.fast, "plain line takes the fast path");
    INT_EQ(csv_row_col(&row, 1), 5, "fast row: column of field 2 (after the space)");
    INT_EQ(csv_row_col(&row, 3), 9, "fast row: column of field 4");
    csvr_next(r, &row, &d);
    OK(!row.fast, "quoted line goes to libcsv");
    INT_EQ(csv_row_col(&row, 1), 8, "libcsv row: column of field 2");
    INT_EQ(csv_row_col(&row, 2), 11, "libcsv row: column of field 3");
    INT_EQ(csvr_bytes(r), strlen(in), "bytes counted");
    char hex[65];
    csvr_sha256(r, hex);
    char want[65];
    sha256_hex_of(in, strlen(in), want);
    STR_EQ(hex, want, "reader hashes every byte it read");
    csvr_close(r, &d);
    diag_free(&d);
    fclose(f);
}

static void long_lines(void)
{
    size_t big = 2 * 1024 * 1024;
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "a\n");
    for (size_t i = 0; i < big; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\nb,");
    for (size_t i = 0; i < CSVR_MAX_LINE - 2; i++)
        buf_putc(&b, 'y');
    buf_puts(&b, "\nc\n");
    for (int force = 0; force < 2; force++) {
        FILE *f = file_of(b.data, b.len);
        csvr *r = csvr_open(f, "t.csv", force);
        diag_list d;
        diag_init(&d);
        csv_row row;
        long lines[4] = {0};
        size_t lens[4] = {0}, nrows = 0;
        while (csvr_next(r, &row, &d) && nrows < 4) {
            lines[nrows] = row.line;
            lens[nrows++] = row.n == 2 ? row.len[1] : row.len[0];
        }
        INT_EQ(nrows, 3, force ? "libcsv: long line skipped" : "fast: long line skipped");
        INT_EQ(lines[1], 3, "line of exactly 1 MiB is read, with its number");
        INT_EQ(lens[1], CSVR_MAX_LINE - 2, "1 MiB line read whole");
        INT_EQ(lines[2], 4, "line after it numbered right");
        INT_EQ(d.nerrors, 1, "one error for the over-long line");
        INT_EQ(d.n ? d.items[0].line : 0, 2, "error names line 2");
        csvr_close(r, &d);
        diag_free(&d);
        fclose(f);
    }
    buf_free(&b);
}

/* A varied file whose fields are known: plain, padded, empty, quoted with
 * commas, quotes and newlines, CRLF and LF lines, blank lines. */
typedef struct {
    char **f;
    size_t n;
    long line;
} want_row;

static unsigned rng = 12345;
static unsigned rnd(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) % n;
}

static void differential(void)
{
    const size_t nrows = 20000;
    strbuf file;
    buf_init(&file);
    want_row *want = calloc(nrows, sizeof *want);
    long line = 1;
    for (size_t r = 0; r < nrows; r++) {
        if (rnd(50) == 0) {
            buf_puts(&file, rnd(2) ? "\n" : "  \r\n");
            line++;
        }
        size_t n = 1 + rnd(8);
        want[r].f = calloc(n, sizeof *want[r].f);
        want[r].n = n;
        want[r].line = line;
        for (size_t i = 0; i < n; i++) {
            strbuf v;
            buf_init(&v);
            buf_puts(&v, "");
            unsigned kind = rnd(10);
            if (n == 1)
                kind = 6; /* a lone empty field would be a blank line */
            if (i)
                buf_putc(&file, ',');
            if (kind < 5) { /* plain */
                size_t len = rnd(12);
                for (size_t k = 0; k < len; k++)
                    buf_putc(&v, (char)('a' + rnd(26)));
                if (rnd(4) == 0)
                    buf_puts(&file, " ");
                buf_puts(&file, v.data);
                if (rnd(4) == 0)
                    buf_puts(&file, "\t");
            } else if (kind < 6) { /* empty */
            } else if (kind < 8) { /* number */
                buf_printf(&v, "%u", rnd(100000000));
                buf_puts(&file, v.data);
            } else { /* quoted, with specials */
                size_t len = rnd(10);
                for (size_t k = 0; k < len; k++) {
                    unsigned c = rnd(12);
                    char ch = c == 0 ? ',' : c == 1 ? '"' : c == 2 ? '\n' : c == 3 ? ' '
                                                                                  : (char)('A' + c);
                    buf_putc(&v, ch);
                }
                buf_putc(&file, '"');
                for (size_t k = 0; k < v.len; k++) {
                    if (v.data[k] == '"')
                        buf_putc(&file, '"');
                    if (v.data[k] == '\n')
                        line++;
                    buf_putc(&file, v.data[k]);
                }
                buf_putc(&file, '"');
            }
            want[r].f[i] = buf_detach(&v);
        }
        buf_puts(&file, rnd(3) == 0 ? "\r\n" : "\n");
        line++;
    }
    size_t mismatch[2] = {0, 0}, got_rows[2] = {0, 0};
    char **first[1] = {NULL};
    size_t firstn[1] = {0};
    size_t nfast = 0;
    /* Row-by-row: both paths side by side, each against the truth. */
    FILE *f0 = file_of(file.data, file.len), *f1 = file_of(file.data, file.len);
    csvr *r0 = csvr_open(f0, "gen.csv", false), *r1 = csvr_open(f1, "gen.csv", true);
    diag_list d;
    diag_init(&d);
    size_t differ = 0;
    for (size_t r = 0; r < nrows; r++) {
        csv_row a, b;
        int ga = csvr_next(r0, &a, &d);
        char **fa = NULL;
        size_t na = 0;
        long la = 0;
        if (ga) {
            got_rows[0]++;
            nfast += a.fast;
            fa = calloc(a.n, sizeof *fa);
            na = a.n;
            la = a.line;
            for (size_t i = 0; i < a.n; i++)
                fa[i] = xstrndup(a.f[i], a.len[i]);
        }
        int gb = csvr_next(r1, &b, &d);
        if (gb)
            got_rows[1]++;
        bool ok_a = ga && na == want[r].n && la == want[r].line;
        for (size_t i = 0; ok_a && i < na; i++)
            ok_a = !strcmp(fa[i], want[r].f[i]);
        bool ok_b = gb && b.n == want[r].n && b.line == want[r].line;
        for (size_t i = 0; ok_b && i < b.n; i++)
            ok_b = b.len[i] == strlen(want[r].f[i]) && !memcmp(b.f[i], want[r].f[i], b.len[i]);
        bool same = ga && gb && na == b.n && la == b.line;
        for (size_t i = 0; same && i < na; i++)
            same = strlen(fa[i]) == b.len[i] && !memcmp(fa[i], b.f[i], b.len[i]);
        mismatch[0] += !ok_a;
        mismatch[1] += !ok_b;
        differ += !same;
        if (!ok_a && !first[0]) {
            first[0] = want[r].f;
            firstn[0] = r;
        }
        for (size_t i = 0; i < na; i++)
            free(fa[i]);
        free(fa);
    }
    csv_row extra;
    INT_EQ(csvr_next(r0, &extra, &d) + csvr_next(r1, &extra, &d), 0, "differential: no extra rows");
    INT_EQ(got_rows[0], nrows, "differential: fast path reads every row");
    INT_EQ(got_rows[1], nrows, "differential: libcsv reads every row");
    INT_EQ(mismatch[0], 0, "differential: fast path rows equal the generated fields and lines");
    if (first[0])
        printf("  first fast-path mismatch at generated row %zu\n", firstn[0]);
    INT_EQ(mismatch[1], 0, "differential: libcsv rows equal the generated fields and lines");
    INT_EQ(differ, 0, "differential: fast path and libcsv give identical rows");
    OK(nfast > nrows / 4 && nfast < nrows, "differential: both paths were exercised");
    INT_EQ(d.n, 0, "differential: no diagnostics");
    csvr_close(r0, &d);
    csvr_close(r1, &d);
    diag_free(&d);
    fclose(f0);
    fclose(f1);
    for (size_t r = 0; r < nrows; r++) {
        for (size_t i = 0; i < want[r].n; i++)
            free(want[r].f[i]);
        free(want[r].f);
    }
    free(want);
    buf_free(&file);
}

/* The vector scan against the memchr split on a file of plain lines made
 * to trip it: fields of every length so commas and newlines fall at every
 * offset of a 16-byte block, padding with spaces, tabs and CRs, CRLF, blank
 * and whitespace-only lines, a few quoted and NUL lines, lines over 1 MiB,
 * and lines across the 4 MiB buffer's refills; the file ends without a
 * newline. Rows, line numbers, which path split each, and errors must be
 * identical. */
static void vector_scan(void)
{
    strbuf b;
    buf_init(&b);
    static const char pad[] = {' ', '\t', '\r'};
    unsigned seed = 777;
#define R(n) ((seed = seed * 1103515245u + 12345u) >> 16) % (n)
    for (size_t line = 0; b.len < 9u * 1024 * 1024; line++) {
        unsigned kind = R(200);
        if (kind == 0) {
            buf_puts(&b, R(2) ? "\n" : " \t\r\n");
            continue;
        }
        if (kind == 1) {
            buf_puts(&b, "a,\"q,uoted\",b\n");
            continue;
        }
        if (kind == 2) {
            buf_puts(&b, "x,y");
            buf_putc(&b, '\0');
            buf_puts(&b, "z,w\n");
            continue;
        }
        if (kind == 3 && R(300) == 0) {
            for (size_t i = 0; i < CSVR_MAX_LINE + R(3) - 1; i++)
                buf_putc(&b, i % 7 ? 'L' : ',');
            buf_putc(&b, '\n');
            continue;
        }
        size_t nf = 1 + R(kind < 100 ? 15 : 40);
        for (size_t i = 0; i < nf; i++) {
            if (i)
                buf_putc(&b, ',');
            if (R(5) == 0)
                buf_putc(&b, pad[R(3)]);
            size_t len = R(4) == 0 ? 0 : R(kind < 150 ? 12 : 40);
            for (size_t k = 0; k < len; k++)
                buf_putc(&b, (char)('a' + R(26)));
            if (R(5) == 0)
                buf_putc(&b, pad[R(3)]);
        }
        buf_puts(&b, R(4) == 0 ? "\r\n" : "\n");
    }
    buf_puts(&b, "last,line,without,newline");
#undef R
    char *errs_v, *errs_m;
    char *rows_v = read_all(b.data, b.len, VECTOR, &errs_v);
    uint64_t nvec = last_vector_rows;
    char *rows_m = read_all(b.data, b.len, MEMCHR, &errs_m);
#if defined(__SSE2__)
    size_t nrows = 0;
    for (const char *p = rows_v; *p; p++)
        nrows += *p == '\n';
    OK(nrows > 50000 && nvec > nrows * 9 / 10, "vector scan: it split most lines");
#else
    OK(nvec == 0 && rows_v, "vector scan: not built here, every line split by memchr");
#endif
    INT_EQ(last_vector_rows, 0, "memchr split: the vector scan stayed off");
    OK(strlen(rows_v) > 4u * 1024 * 1024, "vector scan: a file over the buffer size was read");
    OK(!strcmp(rows_v, rows_m), "vector scan: the same rows as the memchr split");
    STR_EQ(errs_v, errs_m, "vector scan: the same errors as the memchr split");
    OK(strlen(errs_v) > 10, "vector scan: the bad lines were reported");
    free(rows_v);
    free(rows_m);
    free(errs_v);
    free(errs_m);
    buf_free(&b);
}

int main(void)
{
    edge_cases();
    columns();
    long_lines();
    differential();
    vector_scan();
    return harness_done();
}
