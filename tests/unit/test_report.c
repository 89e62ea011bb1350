/* test_report.c - the report writers' building blocks: Markdown escaping,
 * the ctemplate bridge (x-md modifier, HTML auto-escaping, template
 * errors), notes.md through cmark-gfm, staged outputs with an injected
 * failure, and the REPORT.md edit marker. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "harness.h"
#include "notes.h"
#include "outset.h"
#include "report_md.h"
#include "tmpl.h"
#include "util.h"

static const char *XSS1 = "<script>alert(1)</script>";
static const char *XSS2 = "\"><img src=x onerror=alert(1)>";

static void test_md_escape(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"plain text 1.5", "plain text 1.5"},
        {"a|b", "a\\|b"},
        {"`code`", "\\`code\\`"},
        {"# head", "\\# head"},
        {"*x* _y_", "\\*x\\* \\_y\\_"},
        {"group_A_x.txt", "group_A_x.txt"},          /* intraword: cannot emphasise */
        {"[link](u)", "\\[link\\](u)"},
        {"line\nbreak\r\ttab", "line break  tab"},
        {"<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"},
        {"\"><img src=x onerror=alert(1)>", "\"\\>\\<img src=x onerror=alert(1)\\>"},
        {"a & b ~c~ !x", "a \\& b \\~c\\~ \\!x"},
        {"back\\slash", "back\\\\slash"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = fmt_md_escaped(cases[i].in);
        char name[64];
        snprintf(name, sizeof name, "md_escape case %zu", i);
        STR_EQ(got, cases[i].want, name);
        free(got);
    }
}

static void test_fmt(void)
{
    char b[FMT_BUF];
    STR_EQ(fmt_fixed(b, -0.004, 2), "0.00", "fmt_fixed no negative zero");
    STR_EQ(fmt_fixed(b, NAN, 2), FMT_NONE, "fmt_fixed NAN");
    STR_EQ(fmt_signed(b, 1.049, 2), "+1.05", "fmt_signed positive");
    STR_EQ(fmt_signed(b, 0.001, 2), "0.00", "fmt_signed rounds to zero without sign");
    STR_EQ(fmt_ratio(b, 7.4213), "7.42\xc3\x97", "fmt_ratio");
    STR_EQ(fmt_range(b, 6.871, 7.99, 2), "6.87\xe2\x80\x93" "7.99", "fmt_range en dash");
    STR_EQ(fmt_range(b, -0.02, 0.01, 2), "-0.02 to 0.01", "fmt_range negative uses 'to'");
    STR_EQ(fmt_range(b, -0.001, 0.004, 2), "0.00\xe2\x80\x93" "0.00",
           "fmt_range: an end that prints as 0.00 is not negative");
    STR_EQ(fmt_pvalue(b, 0.0004), "<0.001", "fmt_pvalue small");
    STR_EQ(fmt_pvalue(b, 0.0123), "0.01", "fmt_pvalue two digits");
    STR_EQ(fmt_count(b, 4940), "4,940", "fmt_count");
    STR_EQ(fmt_count(b, 1234567), "1,234,567", "fmt_count millions");
    STR_EQ(fmt_bytes(b, 560928), "547.8 KiB", "fmt_bytes KiB");

    /* CSV numbers: empty when not available, no negative zero. */
    static const struct {
        const char *fmt;
        double v;
        const char *want;
    } nums[] = {{"%.4f", 1.23456, "1.2346"}, {"%.4f", -0.00001, "0.0000"},
                {"%.3f", -0.5, "-0.500"},    {"%.3f", NAN, ""},
                {"%.4g", INFINITY, ""},      {"%.4g", 0.000123456, "0.0001235"}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        strbuf s;
        buf_init(&s);
        fmt_csv_num(&s, nums[i].fmt, nums[i].v);
        char name[64];
        snprintf(name, sizeof name, "fmt_csv_num %s of case %zu", nums[i].fmt, i);
        STR_EQ(s.len ? s.data : "", nums[i].want, name);
        buf_free(&s);
    }

    /* Slugs: the site's (dashes, may end in one, at most 80 bytes) and
     * the simulator's (underscores between words, dots dropped). */
    static const struct {
        const char *in, *keep, *drop;
        char sep;
        bool trail;
        size_t max;
        const char *want;
    } slugs[] = {
        {"2026-01 Allocator Test!", "-_", "", '-', true, 80, "2026-01-allocator-test-"},
        {"  A  b", "-_", "", '-', true, 80, "a-b"},
        {"a-!b", "-_", "", '-', true, 80, "a-b"},
        {"abcdef", "-_", "", '-', true, 3, "abc"},
        {"mimalloc 2.0.9", "", ".", '_', false, SIZE_MAX, "mimalloc_209"},
        {"glibc (control)", "", ".", '_', false, SIZE_MAX, "glibc_control"},
        {"...", "", ".", '_', false, SIZE_MAX, ""},
    };
    for (size_t i = 0; i < sizeof slugs / sizeof slugs[0]; i++) {
        strbuf s;
        buf_init(&s);
        fmt_slug(&s, slugs[i].in, slugs[i].keep, slugs[i].drop, slugs[i].sep, slugs[i].trail,
                 slugs[i].max);
        char name[64];
        snprintf(name, sizeof name, "fmt_slug \"%s\"", slugs[i].in);
        STR_EQ(s.len ? s.data : "", slugs[i].want, name);
        buf_free(&s);
    }
}

static void test_tmpl(void)
{
    char *err = NULL;
    const char *md = "| {{X:x-md}} | {{Y}} |\n{{#S}}- {{V:x-md}}\n{{/S}}";
    INT_EQ(tmpl_load_string("t.md", md, strlen(md), &err), 0, "tmpl loads markdown template");
    tmpl_dict *d = tmpl_dict_new();
    tmpl_set(d, "X", "a|b <script>");
    tmpl_set(d, "Y", "**trusted**");
    tmpl_set(tmpl_add_section(d, "S"), "V", "one");
    tmpl_set(tmpl_add_section(d, "S"), "V", "#two");
    strbuf out;
    buf_init(&out);
    INT_EQ(tmpl_expand("t.md", d, &out), 0, "tmpl expands markdown");
    STR_EQ(out.data, "| a\\|b \\<script\\> | **trusted** |\n- one\n- \\#two\n",
           "x-md modifier escapes cells, sections repeat");
    tmpl_dict_free(d);

    const char *html = "{{%AUTOESCAPE context=\"HTML\"}}<p title=\"{{X}}\">{{X}}</p>"
                       "<a href=\"{{U}}\">l</a>{{T:none}}";
    INT_EQ(tmpl_load_string("t.html", html, strlen(html), &err), 0, "tmpl loads html template");
    d = tmpl_dict_new();
    tmpl_set(d, "X", XSS2);
    tmpl_set(d, "U", "javascript:alert(1)");
    tmpl_set(d, "T", "<b>ok</b>");
    buf_reset(&out);
    INT_EQ(tmpl_expand("t.html", d, &out), 0, "tmpl expands html");
    OK(!strstr(out.data, "<img"), "html auto-escape: no live <img");
    OK(!strstr(out.data, "\"><"), "html auto-escape: attribute not broken out of");
    STR_CONTAINS(out.data, "&lt;img src=x onerror=alert(1)&gt;", "html text escaped");
    OK(!strstr(out.data, "javascript:"), "html auto-escape: javascript: URL dropped");
    STR_CONTAINS(out.data, "<b>ok</b>", ":none passes trusted HTML");
    tmpl_dict_free(d);

    const char *bad = "{{#OPEN}} never closed";
    OK(tmpl_load_string("t.bad", bad, strlen(bad), &err) != 0, "tmpl rejects a broken template");
    STR_CONTAINS(err, "t.bad", "tmpl error names the template");
    free(err);
    err = NULL;
    OK(tmpl_load_file("t.missing", "/nonexistent/x.tpl", &err) != 0, "tmpl missing file fails");
    STR_CONTAINS(err, "/nonexistent/x.tpl", "tmpl missing-file error names the path");
    free(err);
    buf_reset(&out);
    d = tmpl_dict_new();
    OK(tmpl_expand("never.loaded", d, &out) != 0, "tmpl expand of an unknown template fails");
    tmpl_dict_free(d);
    buf_free(&out);
}

/* A "<tag" not escaped with a backslash (would be live HTML in Markdown). */
static bool live_tag(const char *s, const char *tag)
{
    size_t k = strlen(tag);
    for (const char *p = s; (p = strchr(p, '<')) != NULL; p++)
        if ((p == s || p[-1] != '\\') && !strncmp(p + 1, tag, k))
            return true;
    return false;
}

static void test_notes(void)
{
    strbuf s;
    buf_init(&s);
    buf_printf(&s, "Intro line.\n\n## Root cause %s\n\nText %s here.\n\n"
                   "<div class=\"evil\">raw block</div>\n\n![pic](https://example.org/x.png)\n\n"
                   "| a | b |\n|---|---|\n| 1 | 2 |\n\n| *Mean* `GiB` | b & \"c\" |\n|--:|---|\n| 3 | 4 |\n| 5 |\n\n"
                   "| 1 | 2 | 3 | 4 | 5 | 6 | 7 |\n|---|---|---|---|---|---|---|\n| a | b | c | d | e | f | g |\n\n"
                   "## Next steps\n\n- [ ] verbatim *item*\n",
               XSS1, XSS2);
    notes n;
    notes_parse(s.data, s.len, &n);
    INT_EQ(n.nsections, 3, "notes split into preamble + 2 sections");
    OK(n.had_raw_html, "notes: raw HTML noticed");
    OK(!strstr(n.html, "<script"), "notes html: no <script>");
    OK(!strstr(n.html, "<img"), "notes html: no <img> (raw and remote)");
    OK(!strstr(n.html, "class=\"evil\""), "notes html: raw block dropped");
    STR_CONTAINS(n.html, "<table>", "notes html: GFM table rendered");
    /* Each body cell carries its column's header as its phone label, the
     * header's tags left out and its escapes kept. */
    STR_CONTAINS(n.html, "<div class=\"table-wrap cards\"", "notes html: tables stack on a phone");
    /* Seven columns are too many for a tablet: that table stacks there too. */
    const char *wide = strstr(n.html, "<div class=\"table-wrap cards cards-wide\"");
    const char *head = wide ? strstr(wide, "<th>") : NULL;
    OK(head && !strncmp(head, "<th>1</th>", 10) && !strstr(head, "cards-wide"),
       "notes html: the one table of 7 columns stacks on a tablet");
    STR_CONTAINS(n.html, "<td data-label=\"a\">1</td>\n<td data-label=\"b\">2</td>",
                 "notes html: cells labelled by their headers");
    STR_CONTAINS(n.html, "<td data-label=\"Mean GiB\" align=\"right\">3</td>\n"
                         "<td data-label=\"b &amp; &quot;c&quot;\">4</td>",
                 "notes html: a header's text without its markup, escaped");
    STR_CONTAINS(n.html, "<td data-label=\"Mean GiB\" align=\"right\">5</td>\n<td data-label=\"b &amp; &quot;c&quot;\"></td>",
                 "notes html: a short row's cells labelled too");
    OK(!strstr(n.html, "<th data-label"), "notes html: header cells not labelled");
    STR_CONTAINS(n.html, "href=\"https://example.org/x.png\"", "notes html: remote image is a link");
    if (n.nsections == 3) {
        STR_CONTAINS(n.sections[0].markdown, "## Notes\n\nIntro line.", "notes preamble gets a heading");
        OK(!live_tag(n.sections[1].markdown, "script") &&
               strstr(n.sections[1].markdown, "\\<script"),
           "notes md: raw HTML section made inert");
        OK(!live_tag(n.sections[1].markdown, "img") && !live_tag(n.sections[1].markdown, "div"),
           "notes md: no live tags");
        OK(live_tag("x <img>", "img") && !live_tag("x \\<img>", "img"), "live_tag helper works");
        STR_EQ(n.sections[2].markdown, "## Next steps\n\n- [ ] verbatim *item*\n",
               "notes md: clean section verbatim");
    }
    notes_free(&n);
    buf_free(&s);
}

static size_t count_temps(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp-"))
            n++;
    if (d)
        closedir(d);
    return n;
}

static void test_outset(void)
{
    char tmpl[] = "/tmp/memreport-outset-XXXXXX";
    char *dir = mkdtemp(tmpl);
    OK(dir != NULL, "outset temp dir");
    if (!dir)
        return;
    char *p1 = xasprintf("%s/a.txt", dir), *p2 = xasprintf("%s/sub/b.txt", dir),
         *p3 = xasprintf("%s/c.txt", dir);
    diag_list d;
    diag_init(&d);
    unsetenv("MEMREPORT_FAIL_AFTER");
    outset *o = outset_new();
    OK(outset_add(o, p1, "one", 3, &d) == 0 && outset_add(o, p2, "two", 3, &d) == 0 &&
           outset_add(o, p3, "three", 5, &d) == 0,
       "outset stages three files");
    size_t len = 0;
    char *before = file_read_all(p1, &len);
    OK(before == NULL, "outset: nothing visible before commit");
    free(before);
    INT_EQ(outset_commit(o, &d), 0, "outset commit");
    outset_free(o);
    char *got = file_read_all(p2, &len);
    STR_EQ(got, "two", "outset: committed content (in a new subdirectory)");
    free(got);

    /* Second run fails at its 2nd write: nothing changes, no temps left. */
    setenv("MEMREPORT_FAIL_AFTER", "2", 1);
    o = outset_new();
    int r1 = outset_add(o, p1, "ONE", 3, &d);
    int r2 = outset_add(o, p2, "TWO", 3, &d);
    INT_EQ(r1, 0, "outset: first write before the injected failure works");
    OK(r2 != 0, "outset: injected failure on the 2nd write");
    OK(d.nerrors > 0, "outset: failure reported in diag");
    outset_free(o);
    unsetenv("MEMREPORT_FAIL_AFTER");
    got = file_read_all(p1, &len);
    STR_EQ(got, "one", "outset: earlier output unchanged after failure");
    free(got);
    got = file_read_all(p2, &len);
    STR_EQ(got, "two", "outset: failed output unchanged");
    free(got);
    char *sub = xasprintf("%s/sub", dir);
    INT_EQ(count_temps(dir) + count_temps(sub), 0, "outset: no temporaries left");

    unlink(p1);
    unlink(p2);
    unlink(p3);
    rmdir(sub);
    rmdir(dir);
    free(sub);
    free(p1);
    free(p2);
    free(p3);
    diag_free(&d);
}

static void test_marker(void)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "# Title\n\nBody text.\n");
    report_md_seal(&b);
    OK(report_md_unedited(b.data, b.len), "marker: sealed report is unedited");
    STR_CONTAINS(b.data, "\n<!-- memreport: sha256=", "marker line present");
    /* Independently computed: sha256 of "# Title\n\nBody text.\n". */
    STR_CONTAINS(b.data, "sha256=d57f18c504e05ef99befcd524f5fe3fe65509f02702fb57c3f6ac1d5205342b2",
                 "marker hash matches sha256sum");
    char *edited = xstrdup(b.data);
    edited[3] = 't';
    OK(!report_md_unedited(edited, strlen(edited)), "marker: edited text detected");
    free(edited);
    strbuf c;
    buf_init(&c);
    buf_puts(&c, b.data);
    buf_puts(&c, "my own line\n");
    OK(!report_md_unedited(c.data, c.len), "marker: text appended after marker detected");
    const char *nomark = "# Title\n";
    OK(!report_md_unedited(nomark, strlen(nomark)), "marker: missing marker detected");
    buf_free(&b);
    buf_free(&c);
}

int main(void)
{
    test_md_escape();
    test_fmt();
    test_tmpl();
    test_notes();
    test_outset();
    test_marker();
    notes_cleanup();
    return harness_done();
}
