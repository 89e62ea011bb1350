/* notes.c - notes.md through cmark-gfm (see notes.h). */
#include "notes.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <cmark-gfm/registry.h>

#include "util.h"

/* Never CMARK_OPT_UNSAFE: with it raw HTML (and onerror= attributes) would
 * reach the page. */
#define NOTES_OPTS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* cmark-gfm's own allocator aborts when memory runs out; this one ends
 * the program the project's way (util.h: a message, the staged
 * temporaries removed, exit 3). Every parser, node and rendering here
 * uses it, so a tree never mixes allocators. Only the registry of
 * extensions, filled once at start, allocates with cmark's own. */
static void *notes_calloc(size_t count, size_t size)
{
    return xcalloc_for("cmark-gfm", count, size);
}

static void *notes_realloc(void *p, size_t n)
{
    return xrealloc_for("cmark-gfm", p, n);
}

static cmark_mem notes_mem = {notes_calloc, notes_realloc, free};

static cmark_parser *new_parser(void)
{
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *p = cmark_parser_new_with_mem(NOTES_OPTS, &notes_mem);
    const char *exts[] = {"table", "strikethrough", "autolink", "tasklist"};
    for (size_t i = 0; i < ARRAY_LEN(exts); i++) {
        cmark_syntax_extension *x = cmark_find_syntax_extension(exts[i]);
        if (x)
            cmark_parser_attach_syntax_extension(p, x);
    }
    return p;
}

/* A URL that leaves the site: has a scheme or starts with "//". */
static bool is_remote(const char *url)
{
    if (!url)
        return false;
    if (url[0] == '/' && url[1] == '/')
        return true;
    for (const char *s = url; *s && *s != '/' && *s != '?' && *s != '#'; s++)
        if (*s == ':')
            return true;
    return false;
}

static bool is_raw_html(cmark_node_type t)
{
    return t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE;
}

/* Replaces each raw HTML node with text showing it literally (renderers
 * escape text), and each remote image with a link to it. Returns whether
 * any raw HTML was seen. */
static bool defuse(cmark_node *root, bool html_to_text)
{
    bool saw_html = false;
    cmark_iter *it = cmark_iter_new(root);
    cmark_node **victims = NULL;
    size_t nv = 0, cap = 0;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER && ev != CMARK_EVENT_EXIT)
            continue;
        cmark_node_type t = cmark_node_get_type(n);
        if (is_raw_html(t) && ev == CMARK_EVENT_ENTER) {
            saw_html = true;
            if (html_to_text) {
                xgrow((void **)&victims, &cap, nv + 1, sizeof *victims);
                victims[nv++] = n;
            }
        } else if (t == CMARK_NODE_IMAGE && ev == CMARK_EVENT_EXIT &&
                   is_remote(cmark_node_get_url(n))) {
            xgrow((void **)&victims, &cap, nv + 1, sizeof *victims);
            victims[nv++] = n;
        }
    }
    cmark_iter_free(it);
    for (size_t i = 0; i < nv; i++) {
        cmark_node *n = victims[i];
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_IMAGE) {
            cmark_node *link = cmark_node_new_with_mem(CMARK_NODE_LINK, &notes_mem);
            cmark_node_set_url(link, cmark_node_get_url(n));
            cmark_node *child;
            while ((child = cmark_node_first_child(n)) != NULL)
                cmark_node_append_child(link, child);
            cmark_node_replace(n, link);
            cmark_node_free(n);
            continue;
        }
        const char *lit = cmark_node_get_literal(n);
        char *copy = xstrdup(lit ? lit : "");
        if (t == CMARK_NODE_HTML_BLOCK) {
            /* Trailing newlines of the block are not part of the text. */
            size_t l = strlen(copy);
            while (l > 0 && (copy[l - 1] == '\n' || copy[l - 1] == '\r'))
                copy[--l] = '\0';
            cmark_node *para = cmark_node_new_with_mem(CMARK_NODE_PARAGRAPH, &notes_mem);
            cmark_node *text = cmark_node_new_with_mem(CMARK_NODE_TEXT, &notes_mem);
            cmark_node_set_literal(text, copy);
            cmark_node_append_child(para, text);
            cmark_node_replace(n, para);
        } else {
            cmark_node *text = cmark_node_new_with_mem(CMARK_NODE_TEXT, &notes_mem);
            cmark_node_set_literal(text, copy);
            cmark_node_replace(n, text);
        }
        cmark_node_free(n);
        free(copy);
    }
    free(victims);
    return saw_html;
}

static cmark_node *parse(cmark_parser *p, const char *text, size_t len)
{
    cmark_parser_feed(p, text, len);
    return cmark_parser_finish(p);
}

/* One section for REPORT.md: verbatim unless it holds raw HTML. */
static char *section_markdown(const char *text, size_t len)
{
    cmark_parser *p = new_parser();
    cmark_node *doc = parse(p, text, len);
    char *out;
    if (defuse(doc, true)) {
        char *md = cmark_render_commonmark_with_mem(doc, NOTES_OPTS, 0, &notes_mem);
        out = xstrdup(md);
        free(md);
    } else {
        out = xstrndup(text, len);
    }
    cmark_node_free(doc);
    cmark_parser_free(p);
    /* Exactly one trailing newline, so sections join cleanly. */
    size_t l = strlen(out);
    while (l > 0 && (out[l - 1] == '\n' || out[l - 1] == '\r' || out[l - 1] == ' '))
        out[--l] = '\0';
    char *r = xasprintf("%s\n", out);
    free(out);
    return r;
}

/* The text of each header cell of the table that starts at t (cmark's
 * "<thead>...</thead>"), tags left out: cmark escaped it already, so it
 * can stand in an attribute. Returns the count; *heads is malloc'd. */
static size_t table_heads(const char *t, const char *end, char ***heads)
{
    size_t n = 0, cap = 0;
    *heads = NULL;
    const char *stop = strstr(t, "</thead>");
    if (!stop || stop > end)
        return 0;
    for (const char *p = strstr(t, "<th"); p && p < stop; p = strstr(p + 3, "<th")) {
        if (p[3] != '>' && p[3] != ' ')
            continue; /* <thead> */
        const char *open = strchr(p, '>');
        const char *close = open ? strstr(open, "</th>") : NULL;
        if (!close || close > stop)
            break;
        strbuf h;
        buf_init(&h);
        bool tag = false;
        for (const char *q = open + 1; q < close; q++) {
            if (*q == '<' || *q == '>')
                tag = *q == '<';
            else if (!tag)
                buf_putc(&h, *q == '\n' ? ' ' : *q);
        }
        xgrow((void **)heads, &cap, n + 1, sizeof **heads);
        (*heads)[n++] = h.data ? buf_detach(&h) : xstrdup("");
        p = close;
    }
    return n;
}

/* A notes table with more columns than this is stacked on a tablet too
 * (cards-wide, style.css), as on a phone. */
#define NOTES_TABLET_COLUMNS 6

/* Puts each table of the rendered notes in a focusable, named box, and
 * labels each body cell with its column's header (data-label), so that a
 * wide table is a stack of cards on a phone (style.css) rather than
 * pushing the page sideways. Raw HTML never reaches the output (defuse),
 * so every "<table>" in it is one that cmark wrote. Caller frees. */
static char *wrap_tables(const char *html)
{
    strbuf b;
    buf_init(&b);
    size_t k = 0, col = 0, nheads = 0;
    char **heads = NULL;
    const char *body = NULL; /* past the current table's </thead> */
    for (const char *p = html; *p;) {
        if (!strncmp(p, "<table>", 7)) {
            k++;
            const char *end = strstr(p, "</table>");
            nheads = table_heads(p, end ? end : p + strlen(p), &heads);
            buf_printf(&b, "<div class=\"table-wrap cards%s\" tabindex=\"0\" role=\"region\" "
                           "aria-label=\"Table %zu of the notes\"><span class=\"scroll-hint\" "
                           "aria-hidden=\"true\">Scroll sideways for more columns \xe2\x86\x92</span>"
                           "<table>",
                       nheads > NOTES_TABLET_COLUMNS ? " cards-wide" : "", k);
            body = strstr(p, "</thead>");
            p += 7;
        } else if (!strncmp(p, "</table>", 8)) {
            buf_puts(&b, "</table></div>");
            for (size_t i = 0; i < nheads; i++)
                free(heads[i]);
            free(heads);
            heads = NULL;
            nheads = 0;
            body = NULL;
            p += 8;
        } else if (!strncmp(p, "<tr>", 4)) {
            col = 0;
            buf_puts(&b, "<tr>");
            p += 4;
        } else if (body && p > body && !strncmp(p, "<td", 3) && (p[3] == '>' || p[3] == ' ')) {
            buf_puts(&b, "<td");
            if (col < nheads)
                buf_printf(&b, " data-label=\"%s\"", heads[col]);
            col++;
            p += 3;
        } else {
            buf_putc(&b, *p++);
        }
    }
    for (size_t i = 0; i < nheads; i++)
        free(heads[i]);
    free(heads);
    return buf_detach(&b);
}

void notes_parse(const char *text, size_t len, notes *n)
{
    memset(n, 0, sizeof *n);
    n->present = true;

    cmark_parser *p = new_parser();
    cmark_node *doc = parse(p, text, len);

    /* Section starts: line numbers of top-level headings of level 1-2. */
    long *starts = NULL;
    size_t ns = 0, cap = 0;
    for (cmark_node *c = cmark_node_first_child(doc); c; c = cmark_node_next(c)) {
        if (cmark_node_get_type(c) == CMARK_NODE_HEADING && cmark_node_get_heading_level(c) <= 2) {
            xgrow((void **)&starts, &cap, ns + 1, sizeof *starts);
            starts[ns++] = cmark_node_get_start_line(c);
        }
    }

    /* Byte offset of the start of each line. */
    size_t *line_off = NULL, lcap = 0, nl = 0;
    xgrow((void **)&line_off, &lcap, 1, sizeof *line_off);
    line_off[nl++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n') {
            xgrow((void **)&line_off, &lcap, nl + 1, sizeof *line_off);
            line_off[nl++] = i + 1;
        }
    /* Offset of 1-based line l, or len past the end. */
#define LINE_AT(l) ((size_t)(l) - 1 < nl ? line_off[(size_t)(l) - 1] : len)

    size_t bounds_n = ns + 1;
    for (size_t i = 0; i < bounds_n; i++) {
        size_t from = i == 0 ? 0 : LINE_AT(starts[i - 1]);
        size_t to = i < ns ? LINE_AT(starts[i]) : len;
        /* Skip blank stretches (text before the first heading that is only
         * whitespace). */
        bool blank = true;
        for (size_t k = from; k < to; k++)
            if (text[k] != ' ' && text[k] != '\n' && text[k] != '\r' && text[k] != '\t')
                blank = false;
        if (blank)
            continue;
        char *md = section_markdown(text + from, to - from);
        if (i == 0) {
            /* Text before any heading still needs a heading in REPORT.md. */
            char *h = xasprintf("## Notes\n\n%s", md);
            free(md);
            md = h;
        }
        n->sections = xrealloc(n->sections, (n->nsections + 1) * sizeof *n->sections);
        n->sections[n->nsections++].markdown = md;
    }
#undef LINE_AT
    free(line_off);
    free(starts);

    n->had_raw_html = defuse(doc, false);
    cmark_llist *exts = cmark_parser_get_syntax_extensions(p);
    char *html = cmark_render_html_with_mem(doc, NOTES_OPTS, exts, &notes_mem);
    n->html = wrap_tables(html);
    free(html);
    cmark_node_free(doc);
    cmark_parser_free(p);
}

int notes_from_text(const char *text, size_t len, notes *n, diag_list *d)
{
    memset(n, 0, sizeof *n);
    if (!text) {
        n->html = xstrdup("");
        return 0;
    }
    if (!utf8_valid(text, len) || memchr(text, '\0', len)) {
        diag_error(d, "notes.md", 0, "not UTF-8 text");
        n->html = xstrdup("");
        return -1;
    }
    notes_parse(text, len, n);
    return 0;
}

void notes_free(notes *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nsections; i++)
        free(n->sections[i].markdown);
    free(n->sections);
    free(n->html);
    memset(n, 0, sizeof *n);
}

void notes_cleanup(void)
{
    cmark_release_plugins();
}
