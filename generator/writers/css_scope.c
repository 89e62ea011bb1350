/* css_scope.c - rewrites a stylesheet for a pasted block (see css_scope.h).
 *
 * The grammar handled is what the project's stylesheets use: comments,
 * rules "selectors { declarations }", @media, @supports and @container
 * blocks holding rules, strings in declarations. Whitespace is collapsed on the way. */
#include "css_scope.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *end;
    const scope_opts *o;
} scanner;

static bool ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == '-' || c == '\\' || (unsigned char)c >= 0x80;
}

static bool ident_char(char c)
{
    return ident_start(c) || isdigit((unsigned char)c);
}

static void skip_space(scanner *s)
{
    while (s->p < s->end) {
        if (isspace((unsigned char)*s->p)) {
            s->p++;
        } else if (s->end - s->p >= 2 && s->p[0] == '/' && s->p[1] == '*') {
            const char *close = NULL;
            for (const char *q = s->p + 2; q + 1 < s->end && !close; q++)
                if (q[0] == '*' && q[1] == '/')
                    close = q;
            s->p = close ? close + 2 : s->end;
        } else {
            break;
        }
    }
}

/* Past the string that starts at p (a quote), or the end. */
static const char *skip_string(const char *p, const char *end)
{
    char q = *p++;
    while (p < end && *p != q) {
        if (*p == '\\' && p + 1 < end)
            p++;
        p++;
    }
    return p < end ? p + 1 : end;
}

/* Copies [a, b) to out with comments removed and every run of white space
 * made one space (strings kept as they are), trimmed. */
static void put_collapsed(strbuf *out, const char *a, const char *b)
{
    bool space = false;
    size_t start = out->len;
    while (a < b) {
        if (*a == '"' || *a == '\'') {
            const char *e = skip_string(a, b);
            if (space && out->len > start)
                buf_putc(out, ' ');
            space = false;
            buf_putn(out, a, (size_t)(e - a));
            a = e;
        } else if (b - a >= 2 && a[0] == '/' && a[1] == '*') {
            const char *e = a + 2;
            while (e + 1 < b && !(e[0] == '*' && e[1] == '/'))
                e++;
            a = e + 1 < b ? e + 2 : b;
            space = true;
        } else if (isspace((unsigned char)*a)) {
            space = true;
            a++;
        } else {
            if (space && out->len > start)
                buf_putc(out, ' ');
            space = false;
            buf_putc(out, *a++);
        }
    }
}

/* Reads up to '{', ';' or '}' outside strings, parentheses and brackets.
 * Sets [*a, *b) to what came before; consumes '{' and ';' (not '}').
 * Returns the character found, or 0 at the end. */
static char read_prelude(scanner *s, const char **a, const char **b)
{
    *a = s->p;
    int depth = 0;
    while (s->p < s->end) {
        char c = *s->p;
        if (c == '"' || c == '\'') {
            s->p = skip_string(s->p, s->end);
            continue;
        }
        if (c == '(' || c == '[')
            depth++;
        else if ((c == ')' || c == ']') && depth > 0)
            depth--;
        else if (depth == 0 && (c == '{' || c == ';' || c == '}')) {
            *b = s->p;
            if (c != '}')
                s->p++;
            return c;
        }
        s->p++;
    }
    *b = s->end;
    return 0;
}

/* After a '{': the body up to its matching '}', which is consumed. */
static void read_block(scanner *s, const char **a, const char **b)
{
    *a = s->p;
    int depth = 0;
    while (s->p < s->end) {
        char c = *s->p;
        if (c == '"' || c == '\'') {
            s->p = skip_string(s->p, s->end);
            continue;
        }
        if (c == '{')
            depth++;
        else if (c == '}' && depth-- == 0) {
            *b = s->p++;
            return;
        }
        s->p++;
    }
    *b = s->end;
}

static void truncate_to(strbuf *b, size_t len)
{
    if (b->data && len <= b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

static bool has_name(const strmap *m, const char *a, size_t n)
{
    size_t ignored;
    return !m || strmap_get(m, a, n, &ignored);
}

/* The length of the selector's first compound (up to a combinator
 * outside parentheses and brackets). */
static size_t first_compound(const char *sel)
{
    int depth = 0;
    size_t i = 0;
    for (; sel[i]; i++) {
        char c = sel[i];
        if (c == '(' || c == '[')
            depth++;
        else if ((c == ')' || c == ']') && depth > 0)
            depth--;
        else if (depth == 0 && (c == ' ' || c == '>' || c == '+' || c == '~'))
            break;
    }
    return i;
}

/* Appends one selector scoped under the root; false (nothing appended)
 * when it names a class or element the block does not use, or `html`. */
static bool scope_selector(const scope_opts *o, const char *sel, strbuf *out)
{
    size_t start = out->len;
    /* The page's root (:root, body, and a leading attribute compound, such
     * as the site's [data-theme=dark], which it puts on <html>) is the
     * block's root: ":root:where(:not([data-theme=light])) .x" becomes
     * ".mrp:where(:not([data-theme=light])) .mrp-x". */
    size_t first = first_compound(sel);
    if (first == 4 && !strncmp(sel, "html", 4))
        return false;
    bool body = first >= 4 && !strncmp(sel, "body", 4) && !ident_char(sel[4]);
    char *own = NULL;
    buf_putc(out, '.');
    buf_puts(out, o->root);
    if (o->key) {
        buf_putc(out, '#');
        buf_puts(out, o->key);
    }
    bool has_root = false;
    for (size_t i = 0; i + 5 <= first && !has_root; i++)
        has_root = !strncmp(sel + i, ":root", 5);
    if (body || sel[0] == '[' || has_root) {
        strbuf b;
        buf_init(&b);
        for (size_t i = body ? 4 : 0; i < first; i++) {
            if (!strncmp(sel + i, ":root", 5) && !ident_char(sel[i + 5]))
                i += 4;
            else
                buf_putc(&b, sel[i]);
        }
        buf_puts(&b, sel + first);
        own = buf_detach(&b);
    } else {
        buf_putc(out, ' ');
    }
    const char *p = own ? own : sel;

    int depth = 0;
    bool compound_start = true;
    while (*p) {
        char c = *p;
        if (c == '"' || c == '\'') {
            const char *e = skip_string(p, p + strlen(p));
            buf_putn(out, p, (size_t)(e - p));
            p = e;
            compound_start = false;
        } else if (c == '[') {
            const char *e = strchr(p, ']');
            e = e ? e + 1 : p + strlen(p);
            buf_putn(out, p, (size_t)(e - p));
            p = e;
            compound_start = false;
        } else if ((c == '.' || c == '#') && ident_start(p[1])) {
            const char *n = ++p;
            while (ident_char(*p))
                p++;
            strbuf name;
            buf_init(&name);
            const char *prefix = c == '#' && o->ids ? o->ids : o->root;
            buf_printf(&name, "%s-%.*s", prefix, (int)(p - n), n);
            /* Only classes at the top level must be in use: one inside
             * :not() or :is() may rightly be absent. */
            bool ok = c == '#' || depth > 0 || has_name(o->classes, name.data, name.len);
            buf_putc(out, c);
            buf_puts(out, name.data);
            buf_free(&name);
            if (!ok)
                goto drop;
            compound_start = false;
        } else if (c == ':') {
            /* A pseudo-class or pseudo-element: its name is no element. */
            buf_putc(out, *p++);
            if (*p == ':')
                buf_putc(out, *p++);
            while (ident_char(*p))
                buf_putc(out, *p++);
            compound_start = false;
        } else if (ident_start(c) && compound_start) {
            const char *n = p;
            while (ident_char(*p))
                p++;
            char tag[64];
            size_t len = (size_t)(p - n);
            if (len >= sizeof tag)
                goto drop;
            for (size_t i = 0; i < len; i++)
                tag[i] = (char)tolower((unsigned char)n[i]);
            if (depth == 0 && !has_name(o->tags, tag, len))
                goto drop;
            buf_putn(out, n, len);
            compound_start = false;
        } else {
            if (c == '(')
                depth++;
            else if (c == ')' && depth > 0)
                depth--;
            compound_start = c == ' ' || c == '>' || c == '+' || c == '~' || c == '(' ||
                             c == ',';
            buf_putc(out, c);
            p++;
        }
    }
    free(own);
    return true;
drop:
    free(own);
    truncate_to(out, start);
    return false;
}

/* Splits a selector list at its top-level commas. */
static void scope_rule(const scope_opts *o, const char *prelude, const char *body, size_t blen,
                       strbuf *out)
{
    for (size_t i = 0; i + 4 <= blen; i++)
        if (!strncmp(body + i, "url(", 4) || !strncmp(body + i, "URL(", 4))
            return; /* nothing may be fetched */
    strbuf sels;
    buf_init(&sels);
    const char *p = prelude;
    while (*p) {
        const char *q = p;
        int depth = 0;
        while (*q && !(*q == ',' && depth == 0)) {
            if (*q == '(' || *q == '[')
                depth++;
            else if ((*q == ')' || *q == ']') && depth > 0)
                depth--;
            else if (*q == '"' || *q == '\'') {
                q = skip_string(q, q + strlen(q));
                continue;
            }
            q++;
        }
        while (p < q && *p == ' ')
            p++;
        const char *e = q;
        while (e > p && e[-1] == ' ')
            e--;
        if (e > p) {
            char *one = xstrndup(p, (size_t)(e - p));
            size_t before = sels.len;
            if (before)
                buf_putc(&sels, ',');
            if (!scope_selector(o, one, &sels))
                truncate_to(&sels, before);
            free(one);
        }
        p = *q ? q + 1 : q;
    }
    if (sels.len) {
        buf_putn(out, sels.data, sels.len);
        buf_putc(out, '{');
        buf_putn(out, body, blen);
        buf_puts(out, "}\n");
    }
    buf_free(&sels);
}

/* The media condition without spaces, for matching. Caller frees. */
static char *squeeze(const char *s)
{
    char *t = xmalloc(strlen(s) + 1), *q = t;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            *q++ = (char)tolower((unsigned char)*s);
    *q = '\0';
    return t;
}

/* True when the squeezed condition is only (max-width: N) / (min-width: N)
 * parts joined by "and". */
static bool width_only(const char *c)
{
    if (!*c)
        return false;
    while (*c) {
        if (strncmp(c, "(max-width:", 11) && strncmp(c, "(min-width:", 11))
            return false;
        c += 11;
        while (isdigit((unsigned char)*c) || *c == '.')
            c++;
        while (isalpha((unsigned char)*c))
            c++;
        if (*c++ != ')')
            return false;
        if (!strncmp(c, "and", 3))
            c += 3;
        else if (*c)
            return false;
    }
    return true;
}

static void scope_list(scanner *s, strbuf *out, bool nested);

static void skip_rest_of_block(scanner *s)
{
    const char *a, *b;
    read_block(s, &a, &b);
}

/* After "@media COND {", "@supports COND {" or "@container COND {" (a
 * query on a box of the stylesheet's own, kept as it is). */
static void scope_at(scanner *s, const char *prelude, strbuf *out)
{
    bool media = !strncmp(prelude, "@media ", 7);
    if (!media && strncmp(prelude, "@supports ", 10) && strncmp(prelude, "@container ", 11)) {
        skip_rest_of_block(s); /* @font-face, @keyframes, @page, @layer, ... */
        return;
    }
    char *cond = squeeze(strchr(prelude, ' '));
    if (media && (strstr(cond, "prefers-color-scheme:dark") ||
                  strstr(cond, "prefers-color-scheme:light"))) {
        scope_theme t = s->o->theme;
        free(cond);
        if (t == SCOPE_THEME_AUTO) {
            strbuf inner;
            buf_init(&inner);
            scope_list(s, &inner, true);
            if (inner.len)
                buf_printf(out, "%s{\n%s}\n", prelude, inner.data);
            buf_free(&inner);
        } else {
            /* A forced theme comes from the [data-theme] rules on the
             * block's root: applied always, a preference's rules would
             * restyle every other block of the post too. */
            skip_rest_of_block(s);
        }
        return;
    }
    strbuf inner;
    buf_init(&inner);
    scope_list(s, &inner, true);
    if (inner.len) {
        if (media && width_only(cond))
            buf_printf(out, "@container %s %s{\n%s}\n", s->o->root, prelude + 7, inner.data);
        else
            buf_printf(out, "%s{\n%s}\n", prelude, inner.data);
    }
    buf_free(&inner);
    free(cond);
}

/* Rules up to the end (or, nested, up to the block's closing brace). */
static void scope_list(scanner *s, strbuf *out, bool nested)
{
    for (;;) {
        skip_space(s);
        if (s->p >= s->end)
            return;
        if (*s->p == '}') {
            s->p++;
            if (nested)
                return;
            continue; /* a stray brace */
        }
        const char *a, *b;
        char t = read_prelude(s, &a, &b);
        if (t != '{')
            continue; /* @import, @charset, a stray ';': dropped */
        strbuf pre;
        buf_init(&pre);
        put_collapsed(&pre, a, b);
        if (pre.data[0] == '@') {
            scope_at(s, pre.data, out);
        } else {
            const char *ba, *bb;
            read_block(s, &ba, &bb);
            strbuf body;
            buf_init(&body);
            put_collapsed(&body, ba, bb);
            if (body.len && pre.len)
                scope_rule(s->o, pre.data, body.data, body.len, out);
            buf_free(&body);
        }
        buf_free(&pre);
    }
}

void css_scope(const char *css, size_t len, const scope_opts *o, strbuf *out)
{
    scanner s = {css, css + len, o};
    scope_list(&s, out, false);
}

static void put_name(strmap *m, const char *a, size_t n)
{
    if (n && !has_name(m, a, n))
        strmap_put(m, a, n, 1);
}

void css_scope_collect(const char *html, size_t len, strmap *classes, strmap *tags)
{
    const char *end = html + len;
    for (const char *p = html; p < end; p++) {
        if (*p == '<' && p + 1 < end && isalpha((unsigned char)p[1])) {
            char tag[64];
            size_t n = 0;
            for (const char *q = p + 1; q < end && n < sizeof tag &&
                                        (isalnum((unsigned char)*q) || *q == '-');
                 q++)
                tag[n++] = (char)tolower((unsigned char)*q);
            if (n < sizeof tag)
                put_name(tags, tag, n);
        } else if (*p == ' ' && end - p > 8 && !memcmp(p, " class=\"", 8)) {
            const char *v = p + 8;
            const char *q = memchr(v, '"', (size_t)(end - v));
            if (!q)
                return;
            while (v < q) {
                while (v < q && isspace((unsigned char)*v))
                    v++;
                const char *w = v;
                while (w < q && !isspace((unsigned char)*w))
                    w++;
                put_name(classes, v, (size_t)(w - v));
                v = w;
            }
            p = q;
        }
    }
}
