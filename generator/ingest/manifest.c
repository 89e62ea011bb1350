/* manifest.c - experiment.json into a `manifest`, with every problem
 * reported at its line and column. See manifest.h. */
#include "manifest.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "palette.h"
#include "timestamp.h"
#include "util.h"

/* ---- Where each key and value starts in the text. ---------------------
 * jansson has already accepted the text, so this scanner can assume valid
 * JSON. Paths join keys (and array indexes) with '\x1f'. Columns count
 * code points, as jansson's do. */

typedef struct {
    char *path;
    long kline, kcol;   /* the key (or the element, for arrays) */
    long vline, vcol;   /* the value */
} jpos;

typedef struct {
    const char *s, *end;
    long line, col;
    jpos *v;
    size_t n, cap;
} jscan;

static void adv(jscan *j)
{
    if (*j->s == '\n') {
        j->line++;
        j->col = 1;
    } else if (((unsigned char)*j->s & 0xC0) != 0x80) {
        j->col++;
    }
    j->s++;
}

static void skip_ws(jscan *j)
{
    while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r'))
        adv(j);
}

/* Reads a string token; its content (escapes kept, except \" and \\) goes to out. */
static void scan_string(jscan *j, strbuf *out)
{
    adv(j); /* opening quote */
    while (j->s < j->end && *j->s != '"') {
        if (*j->s == '\\' && j->s + 1 < j->end) {
            adv(j);
            if (out && *j->s != '"' && *j->s != '\\' && *j->s != '/')
                buf_putc(out, '\\');
        }
        if (out)
            buf_putc(out, *j->s);
        adv(j);
    }
    if (j->s < j->end)
        adv(j);
}

static void scan_value(jscan *j, strbuf *path, int depth);

static void record(jscan *j, const strbuf *path, long kl, long kc)
{
    xgrow((void **)&j->v, &j->cap, j->n + 1, sizeof *j->v);
    j->v[j->n++] = (jpos){xstrdup(path->data ? path->data : ""), kl, kc, j->line, j->col};
}

static void scan_member(jscan *j, strbuf *path, const char *key, size_t keylen, long kl,
                        long kc, int depth)
{
    size_t mark = path->len;
    if (path->len)
        buf_putc(path, '\x1f');
    buf_putn(path, key, keylen);
    skip_ws(j);
    record(j, path, kl, kc);
    scan_value(j, path, depth + 1);
    path->len = mark;
    if (path->data)
        path->data[mark] = '\0';
}

/* Skips one value without recording it: the parser already refused
 * manifests nested deeper than MANIFEST_MAX_DEPTH, so this only guards the
 * scanner against text it was not meant to see. Always advances. */
static void skip_value(jscan *j)
{
    long open = 0;
    do {
        if (*j->s == '"') {
            scan_string(j, NULL);
            continue;
        }
        if (*j->s == '{' || *j->s == '[')
            open++;
        else if (*j->s == '}' || *j->s == ']')
            open--;
        adv(j);
    } while (j->s < j->end && open > 0);
}

static void scan_value(jscan *j, strbuf *path, int depth)
{
    skip_ws(j);
    if (j->s >= j->end)
        return;
    if (depth > MANIFEST_MAX_DEPTH) {
        skip_value(j);
        return;
    }
    char c = *j->s;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        adv(j);
        strbuf key;
        buf_init(&key);
        for (size_t i = 0;; i++) {
            skip_ws(j);
            if (j->s >= j->end || *j->s == close)
                break;
            /* Every member moves the scanner on, or the scan ends: text
             * the scanner does not expect (a NUL byte) must not loop. */
            const char *before = j->s;
            long kl = j->line, kc = j->col;
            if (c == '{') {
                buf_reset(&key);
                scan_string(j, &key);
                skip_ws(j);
                if (j->s < j->end && *j->s == ':')
                    adv(j);
            } else {
                buf_reset(&key);
                buf_printf(&key, "%zu", i);
            }
            scan_member(j, path, key.data ? key.data : "", key.len, kl, kc, depth);
            skip_ws(j);
            if (j->s < j->end && *j->s == ',')
                adv(j);
            if (j->s == before)
                break;
        }
        buf_free(&key);
        if (j->s < j->end)
            adv(j);
    } else if (c == '"') {
        scan_string(j, NULL);
    } else {
        while (j->s < j->end && *j->s && !strchr(",]} \t\r\n", *j->s))
            adv(j);
    }
}

/* The first NUL byte in text, which jansson stops at but does not refuse,
 * as a line and column; false when there is none. */
static bool find_nul(const char *text, size_t len, long *line, long *col)
{
    const char *z = memchr(text, '\0', len);
    if (!z)
        return false;
    jscan j = {.s = text, .end = z, .line = 1, .col = 1};
    while (j.s < j.end)
        adv(&j);
    *line = j.line;
    *col = j.col;
    return true;
}

/* Where valid JSON text first nests deeper than MANIFEST_MAX_DEPTH
 * (brackets outside strings); false when it never does. */
static bool too_deep(const char *text, size_t len, long *line, long *col)
{
    jscan j = {.s = text, .end = text + len, .line = 1, .col = 1};
    int depth = 0;
    while (j.s < j.end) {
        char c = *j.s;
        if (c == '"') {
            scan_string(&j, NULL);
            continue;
        }
        if ((c == '{' || c == '[') && ++depth > MANIFEST_MAX_DEPTH) {
            *line = j.line;
            *col = j.col;
            return true;
        }
        if (c == '}' || c == ']')
            depth--;
        adv(&j);
    }
    return false;
}

/* ---- The parser proper. ---------------------------------------------- */

typedef struct {
    const char *display;
    diag_list *d;
    jscan idx;
    manifest *m;
} mparse;

static const jpos *find_pos(const mparse *p, const char *path)
{
    for (size_t i = 0; i < p->idx.n; i++)
        if (!strcmp(p->idx.v[i].path, path))
            return &p->idx.v[i];
    return NULL;
}

/* Reports at the value (or key, when at_key) of path. */
static void err_at(mparse *p, const char *path, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err_at(mparse *p, const char *path, bool at_key, const char *fmt, ...)
{
    const jpos *pos = find_pos(p, path);
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    long line = pos ? (at_key ? pos->kline : pos->vline) : 0;
    long col = pos ? (at_key ? pos->kcol : pos->vcol) : 0;
    diag_add(p->d, DIAG_ERROR, p->display, line, col, "%s", msg);
    free(msg);
}

static char *join(const char *a, const char *b)
{
    return *a ? xasprintf("%s\x1f%s", a, b) : xstrdup(b);
}

/* For messages: "groups.A.start", "groups.A.members[2].end" (the lists
 * are the only arrays, so only their elements are numbered). */
static char *dotted(const char *path)
{
    strbuf b;
    buf_init(&b);
    const char *prev = NULL, *p = path;
    size_t prevn = 0;
    while (*p) {
        const char *sep = strchr(p, '\x1f');
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        bool digits = n > 0 && strspn(p, "0123456789") >= n;
        bool list = prev && ((prevn == 7 && !strncmp(prev, "members", 7)) ||
                             (prevn == 7 && !strncmp(prev, "exclude", 7)));
        if (digits && list)
            buf_printf(&b, "[%.*s]", (int)n, p);
        else
            buf_printf(&b, "%s%.*s", b.len ? "." : "", (int)n, p);
        prev = p;
        prevn = n;
        p += n + (sep ? 1 : 0);
    }
    return buf_detach(&b);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* A string member: absent or null leaves *out alone. */
static bool get_string(mparse *p, json_t *obj, const char *prefix, const char *key, char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return true;
    char *path = join(prefix, key);
    bool ok = json_is_string(v);
    if (ok) {
        free(*out);
        *out = xstrdup(json_string_value(v));
    } else {
        char *dp = dotted(path);
        err_at(p, path, false, "%s must be a string, not %s", dp, type_name(v));
        free(dp);
    }
    free(path);
    return ok;
}

static bool get_number(mparse *p, json_t *obj, const char *prefix, const char *key, double lo,
                       double hi, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return true;
    char *path = join(prefix, key), *dp = dotted(path);
    bool ok = json_is_number(v);
    if (!ok) {
        err_at(p, path, false, "%s must be a number, not %s", dp, type_name(v));
    } else {
        double x = json_number_value(v);
        ok = x >= lo && x <= hi;
        if (ok)
            *out = x;
        else
            err_at(p, path, false, "%s is %g; it must be between %g and %g", dp, x, lo, hi);
    }
    free(path);
    free(dp);
    return ok;
}

/* A timestamp member; date-only values mean the start of the day, or its
 * end when end_of_day (a window's last day is included). */
static bool get_time(mparse *p, json_t *obj, const char *prefix, const char *key,
                     bool end_of_day, int64_t *out)
{
    char *s = NULL;
    if (!get_string(p, obj, prefix, key, &s))
        return false;
    bool ok = true;
    if (s && *s) {
        ts_value v;
        ts_status st = timestamp_parse(s, strlen(s), p->m->tz_offset_min, &v);
        if (st == TS_OK) {
            *out = v.t + (v.date_only && end_of_day ? 86399 : 0);
        } else {
            char *path = join(prefix, key), *dp = dotted(path);
            err_at(p, path, false, "%s \"%s\": %s", dp, s, timestamp_strerror(st));
            free(path);
            free(dp);
            ok = false;
        }
    }
    free(s);
    return ok;
}

static char *member_name(const char *s)
{
    const char *q = s[0] == '$' && strlen(s) == 41 ? s + 1 : s;
    if (!is_fingerprint(q))
        return xstrdup(s);
    char *m = xstrdup(q);
    for (char *c = m; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    return m;
}

static bool get_names(mparse *p, json_t *arr, const char *path, char ***out, size_t *n)
{
    bool ok = true;
    size_t i;
    json_t *v;
    *out = xcalloc(json_array_size(arr) + 1, sizeof **out);
    json_array_foreach(arr, i, v)
    {
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", i);
        char *ep = join(path, idx);
        if (!json_is_string(v) || !*json_string_value(v)) {
            char *dp = dotted(path);
            err_at(p, ep, false, "%s[%zu] must be a nickname or fingerprint, not %s", dp, i,
                   json_is_string(v) ? "an empty string" : type_name(v));
            free(dp);
            ok = false;
        } else {
            (*out)[(*n)++] = member_name(json_string_value(v));
        }
        free(ep);
    }
    return ok;
}

/* One {"relay": NAME, "start": T, "end": T} entry of a members list. */
static bool get_member_object(mparse *p, json_t *v, const char *ep, const char *dp, size_t i,
                              manifest_group *g)
{
    bool ok = true;
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x)
    {
        if (str_eq(key, "relay") || str_eq(key, "start") || str_eq(key, "end"))
            continue;
        char *kp = join(ep, key);
        err_at(p, kp, true, "%s[%zu]: unknown key \"%s\" (a member is {\"relay\": NAME, "
                            "\"start\": TIME, \"end\": TIME})",
               dp, i, key);
        free(kp);
        ok = false;
    }
    json_t *r = json_object_get(v, "relay");
    if (!json_is_string(r) || !*json_string_value(r)) {
        err_at(p, ep, false, "%s[%zu] needs \"relay\": a nickname or fingerprint%s", dp, i,
               r ? "" : " (the key is missing)");
        return false;
    }
    int64_t start = TIME_NONE, end = TIME_NONE;
    ok &= get_time(p, v, ep, "start", false, &start);
    ok &= get_time(p, v, ep, "end", true, &end);
    if (start != TIME_NONE && end != TIME_NONE && end < start) {
        char *xp = join(ep, "end");
        err_at(p, xp, false, "%s[%zu]: the member's end is before its start", dp, i);
        free(xp);
        ok = false;
    }
    size_t k = g->nmembers++;
    g->members[k] = member_name(json_string_value(r));
    g->member_start[k] = start;
    g->member_end[k] = end;
    return ok;
}

/* A members list: names, fingerprints and member objects, each with the
 * line it is on (for messages that point at it). */
static bool get_members(mparse *p, json_t *arr, const char *path, manifest_group *g)
{
    bool ok = true;
    size_t i, n = json_array_size(arr);
    json_t *v;
    g->members = xcalloc(n + 1, sizeof *g->members);
    g->member_start = xcalloc(n + 1, sizeof *g->member_start);
    g->member_end = xcalloc(n + 1, sizeof *g->member_end);
    g->member_lines = xcalloc(n + 1, sizeof *g->member_lines);
    char *dp = dotted(path);
    json_array_foreach(arr, i, v)
    {
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", i);
        char *ep = join(path, idx);
        const jpos *pos = find_pos(p, ep);
        g->member_lines[g->nmembers] = pos ? pos->kline : 0;
        if (json_is_object(v)) {
            ok &= get_member_object(p, v, ep, dp, i, g);
        } else if (json_is_string(v) && *json_string_value(v)) {
            g->member_start[g->nmembers] = g->member_end[g->nmembers] = TIME_NONE;
            g->members[g->nmembers++] = member_name(json_string_value(v));
        } else {
            err_at(p, ep, false,
                   "%s[%zu] must be a nickname, a fingerprint or {\"relay\": ..., \"start\": "
                   "..., \"end\": ...}, not %s",
                   dp, i, json_is_string(v) ? "an empty string" : type_name(v));
            ok = false;
        }
        free(ep);
    }
    free(dp);
    return ok;
}

void manifest_config_pairs(manifest_group *g)
{
    if (!g->config_json || g->nconfig)
        return;
    json_t *cfg = json_loads(g->config_json, JSON_DECODE_ANY, NULL);
    if (json_is_object(cfg)) {
        size_t n = json_object_size(cfg), k = 0;
        g->config_keys = xcalloc(n + 1, sizeof *g->config_keys);
        g->config_values = xcalloc(n + 1, sizeof *g->config_values);
        const char *key;
        json_t *v;
        json_object_foreach(cfg, key, v)
        {
            g->config_keys[k] = xstrdup(key);
            g->config_values[k++] = json_is_string(v) ? xstrdup(json_string_value(v))
                                                      : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        }
        g->nconfig = k;
    }
    json_decref(cfg);
}

char *manifest_clean_path(const char *s)
{
    strbuf b;
    buf_init(&b);
    const char *p = s;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n && !(n == 1 && p[0] == '.')) {
            if (b.len)
                buf_putc(&b, '/');
            buf_putn(&b, p, n);
        }
        p += n + (slash ? 1 : 0);
    }
    if (s[0] == '/') {
        char *abs = xasprintf("/%s", b.data ? b.data : "");
        buf_free(&b);
        return abs;
    }
    if (!b.len)
        buf_puts(&b, ".");
    return buf_detach(&b);
}

static bool path_escapes(const char *clean)
{
    return clean[0] == '/' || path_has_dotdot(clean);
}

static bool parse_group(mparse *p, const char *id, json_t *v, manifest_group *g)
{
    char *gp = join("groups", id);
    bool ok = true;
    g->id = xstrdup(id);
    g->start = g->end = TIME_NONE;
    const jpos *pos = find_pos(p, gp);
    g->line = pos ? pos->kline : 0;
    if (!*id) {
        err_at(p, gp, true, "a group ID must not be empty");
        ok = false;
    }
    if (!json_is_object(v)) {
        err_at(p, gp, false, "groups.%s must be an object, not %s", id, type_name(v));
        free(gp);
        return false;
    }
    ok &= get_string(p, v, gp, "name", &g->name);
    ok &= get_string(p, v, gp, "description", &g->description);
    ok &= get_string(p, v, gp, "added", &g->added);
    ok &= get_string(p, v, gp, "color", &g->color);
    if (g->color && !palette_valid(g->color)) {
        char *cp = join(gp, "color");
        err_at(p, cp, false, "groups.%s.color \"%s\" is not #rrggbb", id, g->color);
        free(cp);
        ok = false;
    }
    json_t *cfg = json_object_get(v, "config");
    if (cfg && !json_is_null(cfg)) {
        if (json_is_object(cfg) || json_is_string(cfg)) {
            g->config_json = json_dumps(cfg, JSON_COMPACT | JSON_ENCODE_ANY);
            manifest_config_pairs(g);
            if (json_is_object(cfg)) {
                char *cp = join(gp, "config");
                static const char *const keys[] = {"allocator", "version", "source"};
                char **dst[] = {&g->allocator, &g->version, &g->source};
                for (size_t i = 0; i < 3; i++) {
                    json_t *x = json_object_get(cfg, keys[i]);
                    if (json_is_string(x))
                        *dst[i] = xstrdup(json_string_value(x));
                    else if (json_is_number(x))
                        *dst[i] = json_dumps(x, JSON_ENCODE_ANY);
                }
                free(cp);
            }
        } else {
            char *cp = join(gp, "config");
            err_at(p, cp, false, "groups.%s.config must be an object or a string, not %s", id,
                   type_name(cfg));
            free(cp);
            ok = false;
        }
    }
    json_t *mem = json_object_get(v, "members");
    if (mem && !json_is_null(mem)) {
        char *mp = join(gp, "members");
        if (json_is_string(mem)) {
            const char *s = json_string_value(mem);
            char *clean = manifest_clean_path(s);
            if (!*s) {
                err_at(p, mp, false, "groups.%s.members is an empty path", id);
                ok = false;
            } else if (path_escapes(clean)) {
                err_at(p, mp, false,
                       "groups.%s.members \"%s\" leaves the experiment directory (use a path "
                       "inside it, without ..)",
                       id, s);
                ok = false;
            }
            g->members_file = clean;
            g->has_members = true;
        } else if (json_is_array(mem)) {
            ok &= get_members(p, mem, mp, g);
            g->has_members = true;
        } else {
            err_at(p, mp, false,
                   "groups.%s.members must be a file path or a list of names, not %s", id,
                   type_name(mem));
            ok = false;
        }
        free(mp);
    }
    json_t *ex = json_object_get(v, "exclude");
    if (ex && !json_is_null(ex)) {
        char *xp = join(gp, "exclude");
        if (json_is_array(ex)) {
            ok &= get_names(p, ex, xp, &g->exclude, &g->nexclude);
        } else {
            err_at(p, xp, false, "groups.%s.exclude must be a list of names, not %s", id,
                   type_name(ex));
            ok = false;
        }
        free(xp);
    }
    ok &= get_time(p, v, gp, "start", false, &g->start);
    ok &= get_time(p, v, gp, "end", true, &g->end);
    if (g->start != TIME_NONE && g->end != TIME_NONE && g->end < g->start) {
        char *ep = join(gp, "end");
        err_at(p, ep, false, "groups.%s.end is before its start", id);
        free(ep);
        ok = false;
    }
    free(gp);
    return ok;
}

void manifest_defaults(manifest *m)
{
    memset(m, 0, sizeof *m);
    thresholds_default(&m->th);
}

/* Stable insertion sort by line: the file's order, whatever order the
 * JSON library iterates in (groups on one line keep the library's). */
static void sort_groups_by_line(manifest_group *g, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        manifest_group x = g[i];
        size_t j = i;
        for (; j > 0 && g[j - 1].line > x.line; j--)
            g[j] = g[j - 1];
        g[j] = x;
    }
}

int manifest_parse(const char *text, size_t len, const char *display, manifest *m,
                   diag_list *d)
{
    size_t errors_before = d->nerrors;
    if (!m->th.flat_gib_day && !m->th.warmup_hours)
        thresholds_default(&m->th);
    long zl, zc;
    if (find_nul(text, len, &zl, &zc)) {
        diag_add(d, DIAG_ERROR, display, zl, zc, "NUL byte in the manifest (binary file?)");
        return 1;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        diag_add(d, DIAG_ERROR, display, jerr.line > 0 ? jerr.line : 0,
                 jerr.column > 0 ? jerr.column : 0, "invalid JSON: %s", jerr.text);
        return 1;
    }
    if (too_deep(text, len, &zl, &zc)) {
        diag_add(d, DIAG_ERROR, display, zl, zc,
                 "the manifest nests deeper than %d levels of objects and arrays",
                 MANIFEST_MAX_DEPTH);
        json_decref(root);
        return 1;
    }
    m->present = true;
    mparse p = {.display = display, .d = d, .m = m};
    p.idx.s = text;
    p.idx.end = text + len;
    p.idx.line = p.idx.col = 1;
    strbuf path;
    buf_init(&path);
    scan_value(&p.idx, &path, 0);
    buf_free(&path);
    if (!json_is_object(root)) {
        diag_add(d, DIAG_ERROR, display, 1, 1, "the manifest must be a JSON object, not %s",
                 type_name(root));
        goto out;
    }
    static const char *const keys[] = {"id", "name", "server", "start_date", "end_date",
                                       "problem", "hypothesis", "description", "result",
                                       "recommendation", "baseline", "tor_version",
                                       "allocator", "control"};
    char **dst[] = {&m->id, &m->name, &m->server, &m->start_date, &m->end_date,
                    &m->problem, &m->hypothesis, &m->description, &m->result,
                    &m->recommendation, &m->baseline, &m->tor_version, &m->allocator,
                    &m->control};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        get_string(&p, root, "", keys[i], dst[i]);
    char *tz = NULL;
    if (get_string(&p, root, "", "timezone", &tz) && tz &&
        !timestamp_parse_offset(tz, &m->tz_offset_min))
        err_at(&p, "timezone", false, "timezone \"%s\" is not an offset like +01:00 or -08:00",
               tz);
    free(tz);
    const char *dates[] = {"start_date", "end_date"};
    const char *dv[] = {m->start_date, m->end_date};
    for (int i = 0; i < 2; i++) {
        ts_value v;
        ts_status st;
        if (dv[i] && *dv[i] &&
            (st = timestamp_parse(dv[i], strlen(dv[i]), m->tz_offset_min, &v)) != TS_OK)
            err_at(&p, dates[i], false, "%s \"%s\": %s", dates[i], dv[i],
                   timestamp_strerror(st));
    }
    get_number(&p, root, "", "memory_budget_gib", 1e-9, 1e9, &m->memory_budget_gib);
    json_t *th = json_object_get(root, "thresholds");
    if (th && !json_is_null(th)) {
        if (!json_is_object(th)) {
            err_at(&p, "thresholds", false, "thresholds must be an object, not %s",
                   type_name(th));
        } else {
            get_number(&p, th, "thresholds", "flat_gib_day", 0, 1e6, &m->th.flat_gib_day);
            get_number(&p, th, "thresholds", "variable_cv", 0, 1e6, &m->th.variable_cv);
            get_number(&p, th, "thresholds", "warmup_hours", 0, 1e6, &m->th.warmup_hours);
            get_number(&p, th, "thresholds", "restart_drop", 0, 1, &m->th.restart_drop);
        }
    }
    json_t *groups = json_object_get(root, "groups");
    if (groups && !json_is_null(groups)) {
        if (!json_is_object(groups)) {
            err_at(&p, "groups", false, "groups must be an object, not %s", type_name(groups));
        } else {
            m->groups = xcalloc(json_object_size(groups) + 1, sizeof *m->groups);
            const char *id;
            json_t *v;
            json_object_foreach(groups, id, v)
            {
                parse_group(&p, id, v, &m->groups[m->ngroups++]);
            }
            sort_groups_by_line(m->groups, m->ngroups);
        }
    }
    /* baseline and control each name one of the groups. */
    const char *roles[] = {"baseline", "control"};
    const char *named[] = {m->baseline, m->control};
    long *lines[] = {&m->baseline_line, &m->control_line};
    for (size_t k = 0; k < ARRAY_LEN(roles); k++) {
        const jpos *pos = find_pos(&p, roles[k]);
        *lines[k] = pos ? pos->vline : 0;
        if (!named[k] || !m->ngroups)
            continue;
        bool found = false;
        strbuf ids;
        buf_init(&ids);
        for (size_t i = 0; i < m->ngroups; i++) {
            found |= str_eq(m->groups[i].id, named[k]);
            buf_printf(&ids, "%s%s", i ? ", " : "", m->groups[i].id);
        }
        if (!found)
            err_at(&p, roles[k], false, "%s \"%s\" names no group (the groups are %s)",
                   roles[k], named[k], ids.data);
        buf_free(&ids);
    }
out:
    for (size_t i = 0; i < p.idx.n; i++)
        free(p.idx.v[i].path);
    free(p.idx.v);
    json_decref(root);
    return d->nerrors > errors_before ? 1 : 0;
}
