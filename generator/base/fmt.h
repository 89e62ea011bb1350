/* fmt.h - number, date and Markdown formatting shared by the writers.
 *
 * Writers print what stats computed; these helpers only decide how a value
 * looks (digits, dashes for missing values, escaping). Functions that take
 * a `char buf[FMT_BUF]` write into it and return it. */
#ifndef MEMREPORT_FMT_H
#define MEMREPORT_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define FMT_BUF 64

/* Shown for a value that is not available (NAN). */
#define FMT_NONE "n/a"

/* Fixed point with prec decimals; FMT_NONE for NAN; never "-0.00". */
char *fmt_fixed(char buf[FMT_BUF], double v, int prec);
/* Like fmt_fixed with a leading '+' for positive values. */
char *fmt_signed(char buf[FMT_BUF], double v, int prec);
/* "7.42x" style ratio (the multiplication sign is U+00D7). */
char *fmt_ratio(char buf[FMT_BUF], double v);
/* "6.91-8.01" style interval with an en dash; FMT_NONE when either end
 * is NAN. */
char *fmt_range(char buf[FMT_BUF], double lo, double hi, int prec);
/* p-values: "<0.001", "0.012", "0.56"; FMT_NONE for NAN. */
char *fmt_pvalue(char buf[FMT_BUF], double p);
/* Byte counts: "548 B", "547.8 KiB", "1.2 MiB". */
char *fmt_bytes(char buf[FMT_BUF], uint64_t n);
/* Thousands separators: 4940 -> "4,940". */
char *fmt_count(char buf[FMT_BUF], uint64_t n);
/* "s" unless n is 1: "%zu relay%s". */
const char *fmt_s(uint64_t n);

/* Appends v as printf("%.*f", prec, v) writes it, byte for byte, for
 * prec 0..9 (others go to printf): the common case (|v| < 1e9 and v not
 * within 1e-6 of a rounding tie at prec decimals) is done with integer
 * digits, which is what large CSV and SVG outputs spend their time on. */
void fmt_put_fixed(strbuf *b, double v, int prec);
/* Appends n in decimal, as printf("%ld"). */
void fmt_put_long(strbuf *b, long n);

/* Appends s[0..n) to b escaped for inline GitHub-flavoured Markdown (table
 * cells and running text): every character that could start markup
 * (\ ` * _ [ ] < > | # & ~ !) gets a backslash, and CR, LF and tab become
 * spaces, so the text renders literally and never as HTML. */
void fmt_md_escape(strbuf *b, const char *s, size_t n);
/* Convenience: a malloc'd escaped copy of a NUL-terminated string. */
char *fmt_md_escaped(const char *s);

/* Appends s escaped for HTML and XML text and attribute values
 * (& < > " '); NULL appends nothing. */
void fmt_html_escape(strbuf *b, const char *s);

/* Appends s as one CSV field (RFC 4180): quoted, with inner quotes
 * doubled, only when it holds a comma, quote, CR or LF; NULL is an empty
 * field. */
void fmt_csv_field(strbuf *b, const char *s);
/* Appends a slug of s for file and directory names: ASCII letters (lower
 * case) and digits, the bytes in keep as they are, the bytes in drop left
 * out, and any other byte as sep, never first and never twice in a row
 * (when trail, a sep is written at once and may end the slug; otherwise
 * it is written only before the next kept byte). Stops once b holds max
 * bytes. The one slug maker of the project. */
void fmt_slug(strbuf *b, const char *s, const char *keep, const char *drop, char sep, bool trail,
              size_t max);
/* Appends a number to a CSV row with printf format fmt ("%.4f"), nothing
 * for NAN or an infinity (an empty field: not available), and without the
 * sign of a value that rounds to zero ("-0.000" reads as a direction the
 * data does not have). The one number format of every CSV writer. */
void fmt_csv_num(strbuf *b, const char *fmt, double v);

#endif
