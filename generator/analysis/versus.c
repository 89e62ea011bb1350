/* versus.c - each group against its experiment's control, ranked across
 * experiments (see versus.h). */
#include "versus.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strmap.h"
#include "util.h"

static bool ci_contains(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* The group's config object, or NULL (caller decrefs). */
static json_t *config_of(const group *g)
{
    if (!g->spec || str_empty(g->spec->config_json))
        return NULL;
    json_t *v = json_loads(g->spec->config_json, 0, NULL);
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

/* True when a string value of the group's config contains word. */
static bool config_says(const group *g, const char *word)
{
    json_t *cfg = config_of(g);
    bool says = false;
    const char *k;
    json_t *v;
    json_object_foreach(cfg, k, v)
    {
        if (json_is_string(v) && ci_contains(json_string_value(v), word))
            says = true;
    }
    json_decref(cfg);
    return says;
}

void versus_allocator(const analysis *a, size_t g, char **allocator, char **version)
{
    const group *gr = &a->m.groups[g];
    const manifest_group *spec = gr->spec;
    const char *alloc = spec && !str_empty(spec->allocator) ? spec->allocator : NULL;
    const char *ver = spec && !str_empty(spec->version) ? spec->version : NULL;
    if (!alloc) {
        /* "jemalloc 5.3.0", "glibc 2.41 (control)": first word, then a
         * word that starts with a digit. */
        const char *name = !str_empty(gr->name) ? gr->name : gr->id;
        size_t n = strcspn(name, " \t");
        char *first = xstrndup(name, n);
        const char *rest = name + n;
        while (*rest == ' ' || *rest == '\t')
            rest++;
        if (n && isalpha((unsigned char)first[0]) && isdigit((unsigned char)*rest)) {
            *allocator = first;
            *version = xstrndup(rest, strcspn(rest, " \t("));
        } else {
            free(first);
            *allocator = xstrdup(name);
            *version = xstrdup(ver ? ver : "");
        }
    } else {
        *allocator = xstrdup(alloc);
        *version = xstrdup(ver ? ver : "");
    }
    for (char *p = *allocator; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

long versus_control(const analysis *a, control_reason *why)
{
    control_reason r = CONTROL_NONE;
    long found = -1;
    size_t n = a->m.ngroups;
    if (n && a->e.man.control)
        for (size_t g = 0; g < n && found < 0; g++)
            if (str_eq(a->m.groups[g].id, a->e.man.control)) {
                found = (long)g;
                r = CONTROL_MANIFEST;
            }
    for (size_t g = 0; g < n && found < 0; g++) {
        const group *gr = &a->m.groups[g];
        if (config_says(gr, "control") || ci_contains(gr->name, "control") ||
            (gr->spec && ci_contains(gr->spec->description, "control"))) {
            found = (long)g;
            r = CONTROL_NAMED;
        }
    }
    for (size_t g = 0; g < n && found < 0; g++)
        if (config_says(&a->m.groups[g], "default")) {
            found = (long)g;
            r = CONTROL_DEFAULT;
        }
    for (size_t g = 0; g < n && found < 0; g++) {
        char *al, *ver;
        versus_allocator(a, g, &al, &ver);
        if (str_eq(al, "glibc")) {
            found = (long)g;
            r = CONTROL_GLIBC;
        }
        free(al);
        free(ver);
    }
    if (found < 0 && n && a->r.ngroups) {
        found = (long)a->r.baseline;
        r = CONTROL_BASELINE;
    }
    if (why)
        *why = r;
    return found;
}

const char *versus_reason_text(control_reason r)
{
    switch (r) {
    case CONTROL_MANIFEST:
        return "the manifest's control";
    case CONTROL_NAMED:
        return "named control";
    case CONTROL_DEFAULT:
        return "default configuration";
    case CONTROL_GLIBC:
        return "the glibc group";
    case CONTROL_BASELINE:
        return "the baseline";
    case CONTROL_NONE:
        break;
    }
    return "none";
}

/* A config value as a reader writes it: strings bare, the rest as JSON. */
static char *value_text(json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *out = xstrdup(s ? s : "?");
    free(s);
    return out;
}

static bool is_allocator_key(const char *k, bool other_alloc)
{
    return str_eq(k, "allocator") || str_eq(k, "version") || (other_alloc && str_eq(k, "source"));
}

char *versus_differs(const analysis *a, size_t g, size_t ctl)
{
    strbuf b;
    buf_init(&b);
    char *al, *ver, *cal, *cver;
    versus_allocator(a, g, &al, &ver);
    versus_allocator(a, ctl, &cal, &cver);
    /* A different allocator says it all; where it came from (config
     * "source") is part of that change, not a second one. */
    bool other_alloc = !str_eq(al, cal) || !str_eq(ver, cver);
    if (other_alloc)
        buf_printf(&b, "%s%s%s", al, *ver ? " " : "", ver);
    json_t *mine = config_of(&a->m.groups[g]), *theirs = config_of(&a->m.groups[ctl]);
    const char *k;
    json_t *v;
    json_object_foreach(mine, k, v)
    {
        if (is_allocator_key(k, other_alloc))
            continue;
        json_t *c = json_object_get(theirs, k);
        if (c && json_equal(c, v))
            continue;
        char *t = value_text(v);
        buf_printf(&b, "%s%s=%s", b.len ? ", " : "", k, t);
        free(t);
    }
    json_object_foreach(theirs, k, v)
    {
        if (is_allocator_key(k, other_alloc) || json_object_get(mine, k))
            continue;
        buf_printf(&b, "%s%s unset", b.len ? ", " : "", k);
    }
    json_decref(mine);
    json_decref(theirs);
    free(al);
    free(ver);
    free(cal);
    free(cver);
    if (!b.len)
        buf_puts(&b, "same configuration");
    return buf_detach(&b);
}

/* A seed per experiment and group, so every figure is reproducible. */
static uint64_t row_seed(const analysis *a, size_t g)
{
    const char *eid = a->e.man.id ? a->e.man.id : "";
    const char *gid = a->m.groups[g].id;
    return strmap_hash(eid, strlen(eid)) * 31 ^ strmap_hash(gid, strlen(gid)) ^ 0x5653ULL;
}

static double pct_of(double ratio)
{
    return isnan(ratio) || ratio <= 0 ? NAN : 100.0 * (1.0 - 1.0 / ratio);
}

static void fill_row(const analysis *a, size_t g, long ctl, versus_row *row)
{
    const group_result *r = &a->r.groups[g];
    row->group = g;
    row->control = ctl;
    row->is_control = ctl >= 0 && (size_t)ctl == g;
    versus_allocator(a, g, &row->allocator, &row->version);
    row->final_mean = r->has_final ? r->final_mean : NAN;
    row->relays = r->has_final ? r->final_n : 0;
    row->ratio = row->ratio_lo = row->ratio_hi = NAN;
    row->control_mean = NAN;
    if (ctl < 0)
        return;
    const group_result *c = &a->r.groups[ctl];
    row->control_mean = c->has_final ? c->final_mean : NAN;
    row->control_relays = c->has_final ? c->final_n : 0;
    if (row->is_control) {
        row->ratio = row->ratio_lo = row->ratio_hi = 1;
    } else {
        row->differs = versus_differs(a, g, (size_t)ctl);
        if (r->has_final && c->has_final && r->final_mean > 0) {
            row->ratio = c->final_mean / r->final_mean;
            if ((size_t)ctl == a->r.baseline) {
                /* The experiment's own interval: the page says the same. */
                row->ratio_lo = r->ratio_lo;
                row->ratio_hi = r->ratio_hi;
            } else {
                stats_bootstrap_ratio(c->final_values, c->final_n, r->final_values, r->final_n,
                                      row_seed(a, g), &row->ratio_lo, &row->ratio_hi);
            }
        }
    }
    row->pct_less = pct_of(row->ratio);
    row->pct_lo = pct_of(row->ratio_lo);
    row->pct_hi = pct_of(row->ratio_hi);
    row->caveat_small = row->relays < VERSUS_MIN_RELAYS || row->control_relays < VERSUS_MIN_RELAYS;
    row->caveat_no_ci = !row->is_control && (isnan(row->ratio_lo) || isnan(row->ratio_hi));
}

/* Rank: groups with a figure by % less (most first), then those without,
 * then the controls; ties by experiment and group order. */
static int rank_class(const versus_row *r)
{
    return r->is_control ? 2 : isnan(r->pct_less) ? 1 : 0;
}

static int row_cmp(const void *x, const void *y)
{
    const versus_row *a = x, *b = y;
    int ca = rank_class(a), cb = rank_class(b);
    if (ca != cb)
        return ca < cb ? -1 : 1;
    if (ca == 0 && a->pct_less != b->pct_less)
        return a->pct_less > b->pct_less ? -1 : 1;
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    return (a->group > b->group) - (a->group < b->group);
}

void versus_build(const analysis *const *as, size_t n, versus_table *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        const analysis *a = as[i];
        control_reason why;
        long ctl = versus_control(a, &why);
        for (size_t g = 0; g < a->m.ngroups && g < a->r.ngroups; g++) {
            xgrow((void **)&out->rows, &cap, out->nrows + 1, sizeof *out->rows);
            versus_row *row = &out->rows[out->nrows++];
            memset(row, 0, sizeof *row);
            row->exp = i;
            row->reason = why;
            fill_row(a, g, ctl, row);
        }
    }
    if (out->nrows)
        qsort(out->rows, out->nrows, sizeof *out->rows, row_cmp);
    while (out->nranked < out->nrows && rank_class(&out->rows[out->nranked]) == 0)
        out->nranked++;
}

void versus_free(versus_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows; i++) {
        free(t->rows[i].allocator);
        free(t->rows[i].version);
        free(t->rows[i].differs);
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}
