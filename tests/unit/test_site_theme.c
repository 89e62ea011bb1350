/* test_site_theme.c - the theme fragments: relative href/src get the
 * page's way to the site's top folder, nothing else changes; what the
 * strict policy would block is refused, each at its line. */
#include <stdlib.h>

#include "harness.h"
#include "site_theme.h"

static const struct {
    const char *in, *root, *want;
} rewrites[] = {
    {"<a href=\"index.html\">x</a>", "../", "<a href=\"../index.html\">x</a>"},
    {"<img src='assets/theme/a.png' alt=\"\">", "../", "<img src='../assets/theme/a.png' alt=\"\">"},
    {"<a href=compare.html>c</a>", "https://h/s/", "<a href=https://h/s/compare.html>c</a>"},
    {"<A HREF=\"x/y.html#k\">", "../", "<A HREF=\"../x/y.html#k\">"},
    {"<a href=\"https://e.org/\">", "../", "<a href=\"https://e.org/\">"},
    {"<a href=\"mailto:ops@e.org\">", "../", "<a href=\"mailto:ops@e.org\">"},
    {"<a href=\"#main\">", "../", "<a href=\"#main\">"},
    {"<a href=\"/abs\">", "../", "<a href=\"/abs\">"},
    {"<a href=\"?q\">", "../", "<a href=\"?q\">"},
    {"<a class=\"index.html\" title='src=x'>", "../", "<a class=\"index.html\" title='src=x'>"},
    {"<!-- <a href=\"x\"> -->text href=\"y\"", "../", "<!-- <a href=\"x\"> -->text href=\"y\""},
    {"1 < 2 and <b>bold</b>", "../", "1 < 2 and <b>bold</b>"},
    {"<a href=\"a\"><img src=\"b\"></a>", "", "<a href=\"a\"><img src=\"b\"></a>"},
};

static const struct {
    const char *html;
    int nerr;
    long line;      /* of the first error */
} checks[] = {
    {"<nav aria-label=\"x\"><a href=\"index.html\">Home</a></nav>", 0, 0},
    {"<p>\n<script src=\"x.js\"></script>", 1, 2},
    {"<p>\n\n<SCRIPT>", 1, 3},
    {"<p style=\"color:red\">", 1, 1},
    {"<p STYLE=x>", 1, 1},
    {"<a\nonclick=\"go()\">", 1, 2},
    {"<img onerror=x src=y>", 1, 1},
    {"<a href=\"  JavaScript:alert(1)\">", 1, 1},
    {"<style>p{}</style>", 1, 1},
    {"<link rel=stylesheet href=x.css>", 1, 1},
    {"<iframe src=x></iframe><form></form>", 2, 1},
    {"<!-- <script> in a comment is text -->", 0, 0},
    {"<a title=\"on the style of x\" class=\"online\">", 0, 0},
    {"<p data-on=\"1\">", 0, 0},
};

/* The case as one line for the report. */
static const char *name_of(const char *html, char *buf, size_t n)
{
    size_t k = 0;
    for (; html[k] && k + 1 < n; k++)
        buf[k] = html[k] == '\n' ? '/' : html[k];
    buf[k] = '\0';
    return buf;
}

int main(void)
{
    char nm[128];
    for (size_t i = 0; i < sizeof rewrites / sizeof rewrites[0]; i++) {
        char *got = site_theme_fragment(rewrites[i].in, rewrites[i].root);
        STR_EQ(got, rewrites[i].want, rewrites[i].in);
        free(got);
    }
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        diag_list d;
        diag_init(&d);
        int rc = site_theme_check_fragment("h.html", checks[i].html, &d);
        name_of(checks[i].html, nm, sizeof nm);
        INT_EQ((long)d.n, (long)checks[i].nerr, nm);
        INT_EQ(rc, checks[i].nerr ? -1 : 0, nm);
        if (checks[i].nerr && d.n)
            INT_EQ((long)d.items[0].line, checks[i].line, nm);
        diag_free(&d);
    }
    return harness_done();
}
