/* report_single.c - the single page for a blog post (see report_single.h). */
#include "report_single.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "report_fill.h"
#include "report_html.h"
#include "strmap.h"
#include "timestamp.h"
#include "tmpl.h"

#define BLOCK_BEGIN "<!-- memreport:begin -->"
#define BLOCK_END "<!-- memreport:end -->"
/* The line of single.css after which its rules come after style.css's. */
#define SITE_RULES "/* memreport: site rules */"

static bool starts_at(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

/* Writes the attribute value [v, q) with each space-separated token
 * prefixed ("PREFIX-"), except the root's own class and tokens prefixed
 * already; a fragment link ("#x") becomes "#PREFIX-x". */
static void put_prefixed(strbuf *out, const char *v, const char *q, bool tokens,
                         const char *prefix)
{
    const char *root = REPORT_SINGLE_ROOT;
    size_t rn = strlen(root), pn = strlen(prefix);
    bool frag = v < q && *v == '#';
    if (frag) {
        buf_putc(out, '#');
        v++;
    }
    while (v < q) {
        const char *w = v;
        while (w < q && *w != ' ')
            w++;
        size_t n = (size_t)(w - v);
        bool done = (n == rn && !memcmp(v, root, rn)) ||
                    (n > pn && !memcmp(v, prefix, pn) && v[pn] == '-');
        if (n && !done)
            buf_printf(out, "%s-", prefix);
        buf_putn(out, v, n);
        if (w < q)
            buf_putc(out, ' ');
        v = w < q ? w + 1 : q;
        if (!tokens && v < q) {
            buf_putn(out, v, (size_t)(q - v));
            break;
        }
    }
}

/* Copies the block with every class prefixed by the root's class, and
 * every id, id reference and fragment link by ids (block_ids). Each chart's own <style> is left out (its rules join the
 * block's stylesheet, scoped: the first one is appended to svg_css; the
 * charts share it) and so is the SVG namespace, which HTML does not need.
 * Attribute values are escaped by the template and the chart writer, so
 * a '"' always ends one. */
static void prefix_block(const char *s, size_t n, const char *ids, strbuf *out, strbuf *svg_css)
{
    static const struct {
        const char *attr;
        bool tokens;
        bool id;       /* an id or a reference to one, not a class */
    } attrs[] = {
        {" class=\"", true, false}, {" id=\"", false, true}, {" for=\"", false, true},
        {" aria-labelledby=\"", true, true}, {" aria-describedby=\"", true, true},
        {" aria-controls=\"", true, true},
    };
    const char *end = s + n;
    const char *p = s;
    while (p < end) {
        const char *next = p;
        while (next < end && *next != ' ' && *next != '<')
            next++;
        buf_putn(out, p, (size_t)(next - p));
        p = next;
        if (p >= end)
            break;
        if (starts_at(p, end, "<style>")) {
            const char *body = p + 7;
            const char *close = strstr(body, "</style>");
            if (!close || close > end)
                close = end;
            if (!svg_css->len)
                buf_putn(svg_css, body, (size_t)(close - body));
            p = close + 8 <= end ? close + 8 : end;
            continue;
        }
        if (starts_at(p, end, " xmlns=\"http://www.w3.org/2000/svg\"")) {
            p += strlen(" xmlns=\"http://www.w3.org/2000/svg\"");
            continue;
        }
        bool matched = false;
        for (size_t i = 0; i < sizeof attrs / sizeof *attrs && !matched; i++) {
            if (!starts_at(p, end, attrs[i].attr))
                continue;
            const char *v = p + strlen(attrs[i].attr);
            const char *q = memchr(v, '"', (size_t)(end - v));
            if (!q)
                break;
            buf_putn(out, p, (size_t)(v - p));
            put_prefixed(out, v, q, attrs[i].tokens, attrs[i].id ? ids : REPORT_SINGLE_ROOT);
            buf_putc(out, '"');
            p = q + 1;
            matched = true;
        }
        if (!matched && starts_at(p, end, " href=\"#")) {
            const char *v = p + 7;
            const char *q = memchr(v, '"', (size_t)(end - v));
            if (q) {
                buf_puts(out, " href=\"");
                put_prefixed(out, v, q, false, ids);
                buf_putc(out, '"');
                p = q + 1;
                matched = true;
            }
        }
        if (!matched)
            buf_putc(out, *p++);
    }
}

static char *read_asset(const char *name, size_t *len, diag_list *d)
{
    char *path = xasprintf("%s/assets/%s", report_data_dir(), name);
    char *text = file_read_all(path, len);
    if (!text)
        diag_io(d, path, 0, "cannot read: %s", strerror(errno));
    free(path);
    return text;
}

/* The block's stylesheet: the charts' own rules, single.css's resets,
 * style.css, then single.css's own rules, each scoped to the block and
 * only with what the block uses. Returns 0, or -1 after adding an error. */
static int block_css(const strbuf *block, const strbuf *svg_css, scope_theme theme,
                     const char *ids, const char *key, strbuf *css, diag_list *d)
{
    size_t slen = 0, sglen = 0;
    char *site = read_asset("style.css", &slen, d);
    char *single = site ? read_asset("single.css", &sglen, d) : NULL;
    if (!single) {
        free(site);
        return -1;
    }
    const char *split = strstr(single, SITE_RULES);
    if (!split) {
        diag_io(d, "assets/single.css", 0, "has no \"%s\" line", SITE_RULES);
        free(site);
        free(single);
        return -1;
    }
    strmap classes, tags;
    strmap_init(&classes);
    strmap_init(&tags);
    css_scope_collect(block->data, block->len, &classes, &tags);
    scope_opts o = {.root = REPORT_SINGLE_ROOT, .ids = ids, .key = key, .theme = theme,
                    .classes = &classes, .tags = &tags};
    css_scope(svg_css->data, svg_css->len, &o, css);
    css_scope(single, (size_t)(split - single), &o, css);
    css_scope(site, slen, &o, css);
    css_scope(split, sglen - (size_t)(split - single), &o, css);
    strmap_free(&classes);
    strmap_free(&tags);
    free(site);
    free(single);
    if (strstr(css->data, "</")) {
        diag_io(d, "assets/style.css", 0, "holds \"</\", which would end the block's <style>");
        return -1;
    }
    return 0;
}

/* What a view of the experiment shows (a --groups view's groups, the end
 * of an --until cut, a baseline chosen by --baseline), for the heading and
 * for the ids: two views of one experiment in one post must differ in
 * both, or a screen reader hears two alike landmarks. `human`: "groups C
 * and A, to 2026-01-15 23:59, compared with B"; otherwise a slug part,
 * "-c-a-until-202601152359-vs-b". Empty for the whole experiment with its
 * own baseline. */
static void view_text(strbuf *b, const analysis *a, bool human)
{
    size_t start = b->len;
    size_t n = a->m.shown_from ? a->m.ngroups : 0;
    for (size_t g = 0; g < n; g++) {
        if (human)
            buf_puts(b, g == 0 ? (n > 1 ? "groups " : "group ") : g + 1 < n ? ", " : " and ");
        else
            buf_putc(b, '-');
        if (human)
            buf_puts(b, a->m.groups[g].id);
        else
            fmt_slug(b, a->m.groups[g].id, "_", "", '-', false, b->len + 40);
    }
    if (a->r.until != INT64_MAX) {
        char when[40];
        if (human) {
            timestamp_format_human(a->r.until, a->e.man.tz_offset_min, when, sizeof when);
            buf_printf(b, "%sto %s", b->len > start ? ", " : "", when);
        } else {
            timestamp_format_iso(a->r.until, a->e.man.tz_offset_min, when, sizeof when);
            buf_puts(b, "-until-");
            for (const char *s = when; *s && s < when + 16; s++) /* YYYY-MM-DDTHH:MM */
                if (*s >= '0' && *s <= '9')
                    buf_putc(b, *s);
        }
    }
    if (!a->r.baseline_chosen)
        return;
    /* In a --groups view the baseline may be the slot past the shown ones. */
    const char *base = a->m.groups[a->r.baseline].id;
    if (human) {
        buf_printf(b, "%scompared with %s", b->len > start ? ", " : "", base);
    } else {
        buf_puts(b, "-vs-");
        fmt_slug(b, base, "_", "", '-', false, b->len + 40);
    }
}

/* The prefix of the block's ids: "mrp-", the experiment's slug (of its
 * id or directory, else of its title) and what a view shows, so two
 * reports pasted into one post, of two experiments or two views of one,
 * keep their ids, links and labels apart. Caller frees. */
static char *block_ids(const analysis *a)
{
    strbuf b;
    buf_init(&b);
    report_slug(&b, a->e.man.id, a->e.dir);
    if (!b.len)
        fmt_slug(&b, report_title(a), "-_", "", '-', true, 80);
    view_text(&b, a, false);
    const char *slug = b.len ? b.data : "";
    while (*slug == '-') /* a view of an experiment without a slug */
        slug++;
    char *ids = *slug ? xasprintf("%s-%s", REPORT_SINGLE_ROOT, slug) : xstrdup(REPORT_SINGLE_ROOT);
    buf_free(&b);
    return ids;
}

/* The block's own context: the charts a post shows. */
static void post_charts(const report_ctx *ctx, report_ctx *post)
{
    *post = *ctx;
    post->ncharts = 0;
    for (size_t i = 0; i < ctx->ncharts; i++)
        if (!str_eq(ctx->charts[i].name, chart_name(CHART_TRAJECTORIES)))
            post->charts[post->ncharts++] = ctx->charts[i];
}

int report_single_render(const analysis *a, const report_ctx *ctx, scope_theme theme,
                         strbuf *out, diag_list *d)
{
    report_ctx post;
    post_charts(ctx, &post);
    tmpl_dict *dict = tmpl_dict_new();
    report_fill(a, &post, RF_HTML, dict);
    report_html_fill_page(a, dict);
    strbuf view;
    buf_init(&view);
    view_text(&view, a, true);
    if (view.len)
        tmpl_set(tmpl_add_section(dict, "VIEW"), "TEXT", view.data);
    buf_free(&view);
    const char *forced = theme == SCOPE_THEME_LIGHT ? "light" : theme == SCOPE_THEME_DARK ? "dark" : NULL;
    /* The site's stylesheet reads a forced theme from data-theme on the
     * page's root, which in the block is the article (css_scope.h). */
    report_html_fill_theme(dict, forced);
    strbuf doc;
    buf_init(&doc);
    int rc = tmpl_expand(REPORT_SINGLE_TEMPLATE, dict, &doc);
    tmpl_dict_free(dict);
    const char *b = rc == 0 ? strstr(doc.data, BLOCK_BEGIN) : NULL;
    const char *e = b ? strstr(b, BLOCK_END) : NULL;
    if (!e) {
        diag_io(d, "templates/single.html.tpl", 0,
                rc ? "template failed to expand" : "has no memreport:begin/end block");
        buf_free(&doc);
        return -1;
    }
    b += strlen(BLOCK_BEGIN);

    strbuf block, svg_css, css;
    buf_init(&block);
    buf_init(&svg_css);
    buf_init(&css);
    char *ids = block_ids(a);
    prefix_block(b, (size_t)(e - b), ids, &block, &svg_css);
    /* The block's stylesheet is keyed on the root's id, so the rules of
     * one block style that block alone beside another. */
    char *key = xasprintf("%s-" REPORT_SINGLE_ROOT_ID, ids);
    char *want = xasprintf(" id=\"%s\"", key);
    const char *root = strstr(block.data, "<article class=\"" REPORT_SINGLE_ROOT "\"");
    const char *open_end = root ? strchr(root, '>') : NULL;
    const char *id_at = open_end ? strstr(root, want) : NULL;
    if (!id_at || id_at > open_end) {
        diag_io(d, "templates/single.html.tpl", 0, "has no <article class=\"%s\" id=\"%s\">",
                REPORT_SINGLE_ROOT, REPORT_SINGLE_ROOT_ID);
        rc = -1;
    } else {
        rc = block_css(&block, &svg_css, theme, ids, key, &css, d);
    }
    free(want);
    free(key);
    if (rc == 0) {
        size_t at = (size_t)(open_end + 1 - block.data);
        buf_putn(out, doc.data, (size_t)(b - doc.data));
        buf_putn(out, block.data, at);
        buf_puts(out, "\n<style>\n");
        buf_putn(out, css.data, css.len);
        buf_puts(out, "</style>");
        buf_putn(out, block.data + at, block.len - at);
        buf_puts(out, e);
    }
    free(ids);
    buf_free(&css);
    buf_free(&svg_css);
    buf_free(&block);
    buf_free(&doc);
    return rc;
}
