/* fmt.c - formatting helpers for the writers (see fmt.h). */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* printf rounds -0.004 to "-0.00"; a report should say "0.00". */
static void strip_negative_zero(char *buf)
{
    if (buf[0] != '-')
        return;
    for (const char *p = buf + 1; *p; p++)
        if (*p != '0' && *p != '.')
            return;
    memmove(buf, buf + 1, strlen(buf));
}

/* Parts of composite values are kept short so the whole fits FMT_BUF. */
#define PART 28

static void fixed_n(char *buf, size_t n, double v, int prec)
{
    if (isnan(v))
        snprintf(buf, n, "%s", FMT_NONE);
    else if (isinf(v))
        snprintf(buf, n, "%s", v > 0 ? "\xe2\x88\x9e" : "-\xe2\x88\x9e");
    else if (fabs(v) >= 1e12)
        snprintf(buf, n, "%.3g", v);
    else {
        snprintf(buf, n, "%.*f", prec < 0 ? 0 : prec > 6 ? 6 : prec, v);
        strip_negative_zero(buf);
    }
}

char *fmt_fixed(char buf[FMT_BUF], double v, int prec)
{
    fixed_n(buf, FMT_BUF, v, prec);
    return buf;
}

/* Writes the decimal digits of u before end; returns where they start. */
static char *digits_before(char *end, uint64_t u)
{
    do
        *--end = (char)('0' + u % 10);
    while (u /= 10);
    return end;
}

void fmt_put_long(strbuf *b, long n)
{
    char tmp[24], *end = tmp + sizeof tmp;
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    char *p = digits_before(end, u);
    if (n < 0)
        *--p = '-';
    buf_putn(b, p, (size_t)(end - p));
}

void fmt_put_fixed(strbuf *b, double v, int prec)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double a = fabs(v);
    if (prec >= 0 && prec <= 9 && a < 1e9) {
        /* a * 10^prec < 1e18 is off the exact product by at most half an
         * ulp, under 1e-6 below 2^33; printf rounds the exact value, so
         * the two agree unless the product is that close to a tie. */
        double s = a * pow10[prec];
        double fl = floor(s), frac = s - fl;
        if (s < 8e9 && fabs(frac - 0.5) > 1e-6) {
            uint64_t r = (uint64_t)fl + (frac > 0.5);
            uint64_t scale = (uint64_t)pow10[prec];
            char tmp[40], *end = tmp + sizeof tmp, *p = end;
            if (prec > 0) {
                uint64_t f = r % scale;
                for (int i = 0; i < prec; i++, f /= 10)
                    *--p = (char)('0' + f % 10);
                *--p = '.';
            }
            p = digits_before(p, r / scale);
            if (signbit(v))
                *--p = '-'; /* printf keeps the sign of -0 and of -0.0000001 */
            buf_putn(b, p, (size_t)(end - p));
            return;
        }
    }
    buf_printf(b, "%.*f", prec, v);
}

char *fmt_signed(char buf[FMT_BUF], double v, int prec)
{
    char tmp[PART];
    fixed_n(tmp, sizeof tmp, v, prec);
    bool zero = true;
    for (const char *p = tmp; *p; p++)
        if (*p >= '1' && *p <= '9')
            zero = false;
    if (!isnan(v) && v > 0 && !zero)
        snprintf(buf, FMT_BUF, "+%s", tmp);
    else
        snprintf(buf, FMT_BUF, "%s", tmp);
    return buf;
}

char *fmt_ratio(char buf[FMT_BUF], double v)
{
    if (isnan(v) || isinf(v))
        return fmt_fixed(buf, v, 2);
    snprintf(buf, FMT_BUF, "%.2f\xc3\x97", v);
    return buf;
}

char *fmt_range(char buf[FMT_BUF], double lo, double hi, int prec)
{
    if (isnan(lo) || isnan(hi)) {
        snprintf(buf, FMT_BUF, "%s", FMT_NONE);
        return buf;
    }
    char a[PART], b[PART];
    fixed_n(a, sizeof a, lo, prec);
    fixed_n(b, sizeof b, hi, prec);
    /* An en dash reads as "to" and cannot be mistaken for a minus sign;
     * with a negative end, " to " is clearer still. The printed ends
     * decide: -0.001 prints as "0.00" and needs no " to ". */
    if (a[0] == '-' || b[0] == '-')
        snprintf(buf, FMT_BUF, "%s to %s", a, b);
    else
        snprintf(buf, FMT_BUF, "%s\xe2\x80\x93%s", a, b);
    return buf;
}

char *fmt_pvalue(char buf[FMT_BUF], double p)
{
    if (isnan(p))
        snprintf(buf, FMT_BUF, "%s", FMT_NONE);
    else if (p < 0.001)
        snprintf(buf, FMT_BUF, "<0.001");
    else if (p < 0.01)
        snprintf(buf, FMT_BUF, "%.3f", p);
    else
        snprintf(buf, FMT_BUF, "%.2f", p);
    return buf;
}

char *fmt_bytes(char buf[FMT_BUF], uint64_t n)
{
    if (n < 1024)
        snprintf(buf, FMT_BUF, "%llu B", (unsigned long long)n);
    else if (n < 1024ull * 1024)
        snprintf(buf, FMT_BUF, "%.1f KiB", n / 1024.0);
    else if (n < 1024ull * 1024 * 1024)
        snprintf(buf, FMT_BUF, "%.1f MiB", n / (1024.0 * 1024));
    else
        snprintf(buf, FMT_BUF, "%.1f GiB", n / (1024.0 * 1024 * 1024));
    return buf;
}

char *fmt_count(char buf[FMT_BUF], uint64_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void fmt_md_escape(strbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '\r':
        case '\n':
        case '\t':
            buf_putc(b, ' ');
            break;
        case '_':
            /* Between two letters or digits '_' can neither open nor close
             * emphasis (GFM flanking rules), so file names stay readable. */
            if (i > 0 && i + 1 < n && is_alnum(s[i - 1]) && is_alnum(s[i + 1])) {
                buf_putc(b, c);
                break;
            }
            buf_puts(b, "\\_");
            break;
        case '\\': case '`': case '*': case '[': case ']': case '<':
        case '>': case '|': case '#': case '&': case '~': case '!':
            buf_putc(b, '\\');
            buf_putc(b, c);
            break;
        default:
            buf_putc(b, c);
        }
    }
}

char *fmt_md_escaped(const char *s)
{
    strbuf b;
    buf_init(&b);
    if (s)
        fmt_md_escape(&b, s, strlen(s));
    return buf_detach(&b);
}

void fmt_html_escape(strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

void fmt_csv_field(strbuf *b, const char *s)
{
    if (!s)
        s = "";
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

void fmt_csv_num(strbuf *b, const char *fmt, double v)
{
    if (isnan(v) || isinf(v))
        return;
    char s[64];
    snprintf(s, sizeof s, fmt, v);
    if (s[0] == '-' && strspn(s + 1, "0.") == strlen(s + 1))
        memmove(s, s + 1, strlen(s));
    buf_puts(b, s);
}

void fmt_slug(strbuf *b, const char *s, const char *keep, const char *drop, char sep, bool trail,
              size_t max)
{
    size_t start = b->len;
    bool pending = false;
    for (const char *p = s; *p && b->len < max; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(keep, c)) {
            if (pending && b->len > start)
                buf_putc(b, sep);
            pending = false;
            buf_putc(b, c);
        } else if (strchr(drop, c)) {
            continue;
        } else if (!trail) {
            pending = true;
        } else if (b->len > start && b->data[b->len - 1] != sep) {
            buf_putc(b, sep);
        }
    }
}

const char *fmt_s(uint64_t n)
{
    return n == 1 ? "" : "s";
}
