/* site_theme.c - reads and checks a site theme directory (see
 * site_theme.h). One small tag scanner serves both the check and the
 * rewriting of relative links, so the two agree on what an attribute is. */
#include "site_theme.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util.h"

#define MAX_DEPTH 4

/* Elements a fragment may not hold, and why. */
static const struct {
    const char *name;
    const char *why;
} refused[] = {
    {"script", "the pages' Content-Security-Policy runs no script"},
    {"style", "the policy applies no inline CSS; put it in style.css"},
    {"link", "the head is memreport's; style.css is linked on every page"},
    {"meta", "the head is memreport's"},
    {"base", "it would change every link of the page"},
    {"iframe", "the policy loads no other document"},
    {"frame", "the policy loads no other document"},
    {"frameset", "the policy loads no other document"},
    {"object", "the policy loads no plugin content"},
    {"embed", "the policy loads no plugin content"},
    {"form", "the policy sends no form"},
    {"html", "a fragment is part of the page's body"},
    {"head", "a fragment is part of the page's body"},
    {"body", "a fragment is part of the page's body"},
};

/* One attribute or element found by the scanner. */
typedef struct {
    const char *file;   /* for messages; NULL: rewriting */
    diag_list *d;
    int bad;
    strbuf *out;        /* rewriting: the fragment with root added */
    const char *root;
} scan_ctx;

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == ':' || c == '.';
}

static size_t line_at(const char *start, const char *p)
{
    size_t line = 1;
    for (const char *q = start; q < p; q++)
        line += *q == '\n';
    return line;
}

/* A URL with a scheme ("https:", "data:", "mailto:"), or one that is not
 * relative to the page's folder ("/x", "#id", "?q", "//host"). */
static bool url_is_relative(const char *v, size_t n)
{
    if (!n || v[0] == '/' || v[0] == '#' || v[0] == '?')
        return false;
    for (size_t i = 0; i < n && v[i] != '/' && v[i] != '?' && v[i] != '#'; i++)
        if (v[i] == ':')
            return false;
    return true;
}

static bool starts_javascript(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)v[i]))
        i++;
    return n - i >= 11 && !strncasecmp(v + i, "javascript:", 11);
}

/* Records one refusal at `at`; msg is malloc'd and consumed. */
static void refuse(scan_ctx *c, const char *start, const char *at, char *msg)
{
    if (c->file)
        diag_error(c->d, c->file, (long)line_at(start, at), "%s", msg);
    free(msg);
    c->bad++;
}

/* Copies [from, to) to the output when rewriting. */
static void emit(scan_ctx *c, const char *from, const char *to)
{
    if (c->out && to > from)
        buf_putn(c->out, from, (size_t)(to - from));
}

/* Scans one tag starting at p ('<' of an element); returns the position
 * after it. *copied is where the output has been written up to. */
static const char *scan_tag(scan_ctx *c, const char *start, const char *p, const char **copied)
{
    const char *q = p + 1;
    bool closing = *q == '/';
    if (closing)
        q++;
    const char *n0 = q;
    while (name_char(*q))
        q++;
    char name[32];
    size_t nl = (size_t)(q - n0) < sizeof name - 1 ? (size_t)(q - n0) : sizeof name - 1;
    for (size_t i = 0; i < nl; i++)
        name[i] = (char)tolower((unsigned char)n0[i]);
    name[nl] = '\0';
    for (size_t i = 0; i < ARRAY_LEN(refused) && !closing; i++)
        if (nl && !strcmp(name, refused[i].name)) {
            refuse(c, start, p, xasprintf("<%s> is not allowed in a theme fragment: %s", name,
                                          refused[i].why));
            break;
        }
    /* Attributes, up to the tag's '>'. */
    while (*q && *q != '>') {
        if (isspace((unsigned char)*q) || *q == '/') {
            q++;
            continue;
        }
        const char *a0 = q;
        while (*q && !isspace((unsigned char)*q) && *q != '=' && *q != '>' && *q != '/')
            q++;
        size_t an = (size_t)(q - a0);
        const char *v0 = NULL, *v1 = NULL;
        while (isspace((unsigned char)*q))
            q++;
        if (*q == '=') {
            q++;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '"' || *q == '\'') {
                char quote = *q++;
                v0 = q;
                while (*q && *q != quote)
                    q++;
                v1 = q;
                if (*q)
                    q++;
            } else {
                v0 = q;
                while (*q && !isspace((unsigned char)*q) && *q != '>')
                    q++;
                v1 = q;
            }
        }
        char attr[32];
        size_t al = an < sizeof attr - 1 ? an : sizeof attr - 1;
        for (size_t i = 0; i < al; i++)
            attr[i] = (char)tolower((unsigned char)a0[i]);
        attr[al] = '\0';
        if (!strcmp(attr, "style"))
            refuse(c, start, a0, xstrdup("the style attribute is not allowed in a theme "
                                         "fragment: the pages' Content-Security-Policy applies "
                                         "no inline CSS; use a class and style.css"));
        else if (al > 2 && !strncmp(attr, "on", 2))
            refuse(c, start, a0, xasprintf("the event handler %s= is not allowed in a theme "
                                           "fragment: the pages' Content-Security-Policy runs "
                                           "no script", attr));
        else if (v0 && starts_javascript(v0, (size_t)(v1 - v0)))
            refuse(c, start, v0, xasprintf("a javascript: URL in %s= is not allowed in a theme "
                                           "fragment: the pages' Content-Security-Policy runs "
                                           "no script", attr));
        else if (v0 && c->out && (!strcmp(attr, "href") || !strcmp(attr, "src")) &&
                 url_is_relative(v0, (size_t)(v1 - v0))) {
            emit(c, *copied, v0);
            buf_puts(c->out, c->root);
            *copied = v0;
        }
    }
    return *q ? q + 1 : q;
}

/* Walks html: comments, declarations and text pass; tags are scanned. */
static void scan(scan_ctx *c, const char *html)
{
    const char *p = html, *copied = html;
    while ((p = strchr(p, '<'))) {
        if (!strncmp(p, "<!--", 4)) {
            const char *e = strstr(p + 4, "-->");
            p = e ? e + 3 : p + strlen(p);
        } else if (p[1] == '!' || p[1] == '?') {
            const char *e = strchr(p, '>');
            p = e ? e + 1 : p + strlen(p);
        } else if (isalpha((unsigned char)p[1]) || (p[1] == '/' && isalpha((unsigned char)p[2]))) {
            p = scan_tag(c, html, p, &copied);
        } else {
            p++;
        }
    }
    emit(c, copied, html + strlen(html));
}

int site_theme_check_fragment(const char *file, const char *html, diag_list *d)
{
    scan_ctx c = {.file = file, .d = d};
    scan(&c, html);
    return c.bad ? -1 : 0;
}

char *site_theme_fragment(const char *html, const char *root)
{
    strbuf b;
    buf_init(&b);
    scan_ctx c = {.out = &b, .root = root ? root : ""};
    scan(&c, html);
    return buf_detach(&b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    site_theme *t;
    diag_list *d;
    size_t cap;
    unsigned long long bytes;
    int bad;
} walk_ctx;

/* Lists the files under dir/rel (rel "" at the top) into w->t->files. */
static void walk(walk_ctx *w, const char *rel, int depth)
{
    char *path = *rel ? path_join(w->t->dir, rel) : xstrdup(w->t->dir);
    DIR *dp = opendir(path);
    if (!dp) {
        diag_error(w->d, path, 0, "cannot open the theme folder: %s", strerror(errno));
        w->bad++;
        free(path);
        return;
    }
    struct dirent *de;
    while (!w->bad && (de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        char *r = *rel ? path_join(rel, de->d_name) : xstrdup(de->d_name);
        char *full = path_join(w->t->dir, r);
        struct stat st;
        if (lstat(full, &st) != 0) {
            diag_error(w->d, full, 0, "cannot read: %s", strerror(errno));
            w->bad++;
        } else if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
            walk(w, r, depth + 1);
        } else if (S_ISDIR(st.st_mode)) {
            diag_error(w->d, full, 0, "is more than %d folders deep in the theme", MAX_DEPTH);
            w->bad++;
        } else if (!S_ISREG(st.st_mode)) {
            diag_error(w->d, full, 0, "is %s; a theme holds regular files and folders only",
                       S_ISLNK(st.st_mode) ? "a symbolic link" : file_type_name(st.st_mode));
            w->bad++;
        } else if (!*rel && (str_eq(de->d_name, "header.html") ||
                             str_eq(de->d_name, "footer.html"))) {
            /* Fragments are read below, not copied. */
        } else if (w->t->nfiles >= SITE_THEME_MAX_FILES) {
            diag_error(w->d, w->t->dir, 0, "holds more than %d files; a theme is a stylesheet, "
                       "two fragments and a few images", SITE_THEME_MAX_FILES);
            w->bad++;
        } else if ((w->bytes += (unsigned long long)st.st_size) > SITE_THEME_MAX_BYTES) {
            diag_error(w->d, w->t->dir, 0, "holds more than %u MiB", SITE_THEME_MAX_BYTES >> 20);
            w->bad++;
        } else {
            xgrow((void **)&w->t->files, &w->cap, w->t->nfiles + 1, sizeof *w->t->files);
            w->t->files[w->t->nfiles++] = r;
            r = NULL;
            if (!*rel && str_eq(de->d_name, SITE_THEME_CSS))
                w->t->has_css = true;
        }
        free(r);
        free(full);
    }
    closedir(dp);
    free(path);
}

/* Reads DIR/name when present into *out; checks it. */
static int read_fragment(const site_theme *t, const char *name, char **out, diag_list *d)
{
    char *path = path_join(t->dir, name);
    struct stat st;
    int rc = 0;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            diag_error(d, path, 0, "cannot read: %s", strerror(errno));
            rc = -1;
        }
        free(path);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_error(d, path, 0, "is %s; a theme holds regular files and folders only",
                   S_ISLNK(st.st_mode) ? "a symbolic link" : file_type_name(st.st_mode));
        free(path);
        return -1;
    }
    file_result why;
    size_t len = 0;
    char *text = file_read_bounded(path, SITE_THEME_MAX_FRAGMENT, &len, &why);
    if (!text) {
        char *m = file_result_text(&why);
        diag_error(d, path, 0, "%s", m);
        free(m);
        rc = -1;
    } else if (memchr(text, '\0', len)) {
        diag_error(d, path, (long)line_at(text, memchr(text, '\0', len)), "holds a NUL byte");
        rc = -1;
    } else if (!utf8_valid(text, len)) {
        diag_error(d, path, 0, "is not valid UTF-8");
        rc = -1;
    } else if (site_theme_check_fragment(path, text, d) != 0) {
        rc = -1;
    }
    if (rc == 0)
        *out = text;
    else
        free(text);
    free(path);
    return rc;
}

int site_theme_load(const char *dir, site_theme *t, diag_list *d)
{
    memset(t, 0, sizeof *t);
    t->dir = xstrdup(dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        diag_error(d, dir, 0, "cannot open the site theme: %s", strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        diag_error(d, dir, 0, "is not a directory; a site theme is a folder holding "
                              "header.html, footer.html and style.css (each optional)");
        return -1;
    }
    walk_ctx w = {.t = t, .d = d};
    walk(&w, "", 0);
    if (w.bad)
        return -1;
    if (t->nfiles)
        qsort(t->files, t->nfiles, sizeof *t->files, cmp_str);
    int bad = read_fragment(t, "header.html", &t->header, d);
    bad |= read_fragment(t, "footer.html", &t->footer, d);
    return bad ? -1 : 0;
}

void site_theme_free(site_theme *t)
{
    if (!t)
        return;
    free(t->dir);
    free(t->header);
    free(t->footer);
    for (size_t i = 0; i < t->nfiles; i++)
        free(t->files[i]);
    free(t->files);
    memset(t, 0, sizeof *t);
}
