/* expfix.h - builds small experiments by hand for unit tests of
 * membership, stats and summary, without reading any file. Every string is
 * malloc'd so experiment_free releases the fixture. */
#ifndef MEMREPORT_EXPFIX_H
#define MEMREPORT_EXPFIX_H

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

/* nrelays relays named r0, r1, ... and ncoll collections every step
 * seconds from t0; no samples yet. */
static inline void fx_init(experiment *e, size_t nrelays, size_t ncoll, int64_t t0, int64_t step)
{
    memset(e, 0, sizeof *e);
    e->dir = xstrdup("fixture");
    e->memory_path = xstrdup("memory.csv");
    thresholds_default(&e->man.th);
    e->nrelays = nrelays;
    e->relays = xcalloc(nrelays, sizeof *e->relays);
    for (size_t r = 0; r < nrelays; r++) {
        e->relays[r].nickname = xasprintf("r%zu", r);
        e->relays[r].fingerprint = xstrdup("");
        e->relays[r].first_line = (long)r + 2;
    }
    e->ncoll = ncoll;
    e->times = xcalloc(ncoll, sizeof *e->times);
    for (size_t c = 0; c < ncoll; c++)
        e->times[c] = t0 + (int64_t)c * step;
    size_t n = nrelays * ncoll;
    e->rss_kb = xmalloc(n * sizeof *e->rss_kb);
    e->vmsize_kb = xmalloc(n * sizeof *e->vmsize_kb);
    e->hwm_kb = xmalloc(n * sizeof *e->hwm_kb);
    e->frag = xmalloc(n * sizeof *e->frag);
    for (size_t i = 0; i < n; i++) {
        e->rss_kb[i] = e->vmsize_kb[i] = e->hwm_kb[i] = KB_MISSING;
        e->frag[i] = NAN;
    }
}

/* Sets relay r's sample at collection c, in GiB (hwm < 0: missing). */
static inline void fx_set(experiment *e, size_t r, size_t c, double rss_gib, double hwm_gib)
{
    size_t i = exp_idx(e, r, c);
    e->rss_kb[i] = (uint32_t)llround(rss_gib * KB_PER_GIB);
    e->hwm_kb[i] = hwm_gib < 0 ? KB_MISSING : (uint32_t)llround(hwm_gib * KB_PER_GIB);
}

/* Adds a manifest group (open window, no members yet). */
static inline manifest_group *fx_group(experiment *e, const char *id, const char *name)
{
    e->man.present = true;
    e->man.groups = xrealloc(e->man.groups, (e->man.ngroups + 1) * sizeof *e->man.groups);
    manifest_group *g = &e->man.groups[e->man.ngroups++];
    memset(g, 0, sizeof *g);
    g->id = xstrdup(id);
    g->name = xstrdup(name);
    g->start = g->end = TIME_NONE;
    g->line = (long)e->man.ngroups + 1;
    return g;
}

/* NULL-terminated list of names into a malloc'd vector. */
static inline char **fx_strv(size_t *n, const char *first, va_list ap)
{
    char **v = NULL;
    size_t k = 0;
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        v[k++] = xstrdup(s);
    }
    *n = k;
    return v;
}

static inline void fx_members(manifest_group *g, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    g->has_members = true;
    g->members = fx_strv(&g->nmembers, first, ap);
    va_end(ap);
}

/* Gives member k of g's list its own window (TIME_NONE: open). */
static inline void fx_member_window(manifest_group *g, size_t k, int64_t start, int64_t end)
{
    if (!g->member_start) {
        g->member_start = xmalloc((g->nmembers ? g->nmembers : 1) * sizeof *g->member_start);
        g->member_end = xmalloc((g->nmembers ? g->nmembers : 1) * sizeof *g->member_end);
        for (size_t i = 0; i < g->nmembers; i++)
            g->member_start[i] = g->member_end[i] = TIME_NONE;
    }
    g->member_start[k] = start;
    g->member_end[k] = end;
}

static inline void fx_exclude(manifest_group *g, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    g->exclude = fx_strv(&g->nexclude, first, ap);
    va_end(ap);
}

static inline group_file *fx_gfile(experiment *e, const char *id, const char *path,
                                   const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    e->gfiles = xrealloc(e->gfiles, (e->ngfiles + 1) * sizeof *e->gfiles);
    group_file *f = &e->gfiles[e->ngfiles++];
    memset(f, 0, sizeof *f);
    f->id = xstrdup(id);
    f->path = xstrdup(path);
    f->members = fx_strv(&f->nmembers, first, ap);
    f->member_lines = xcalloc(f->nmembers ? f->nmembers : 1, sizeof *f->member_lines);
    f->manifest_only = !str_starts(path, "groups/");
    va_end(ap);
    return f;
}

/* Gives the memory CSV a `group` column with these distinct values; every
 * sample starts in reserve (no group). */
static inline void fx_colgroups(experiment *e, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    e->colgroups = fx_strv(&e->ncolgroups, first, ap);
    va_end(ap);
    size_t n = e->nrelays * e->ncoll;
    e->col_group = xmalloc(n * sizeof *e->col_group);
    for (size_t i = 0; i < n; i++)
        e->col_group[i] = COLGROUP_NONE;
}

static inline void fx_event(experiment *e, int64_t t, const char *type, const char *group)
{
    e->events = xrealloc(e->events, (e->nevents + 1) * sizeof *e->events);
    e->events[e->nevents++] = (event){t, xstrdup(type), xstrdup("test event"), xstrdup(group),
                                      (long)e->nevents + 2, false, 0};
}

/* The "abc" samples shared by the stats and summary tests: relays r0-r3
 * grow 0.5 GiB/day to finals 4, 5, 6, 9; r4-r7 hold 1, 2, 2, 3; r8 swings
 * 2, 4, 2, 4, 2 (hwm 4). Five collections `step` apart from t0. */
static inline void fx_abc_samples(experiment *e, int64_t t0, int64_t step)
{
    fx_init(e, 9, 5, t0, step);
    const double afinal[] = {4, 5, 6, 9}, bval[] = {1, 2, 2, 3}, cval[] = {2, 4, 2, 4, 2};
    for (size_t c = 0; c < 5; c++) {
        for (size_t r = 0; r < 4; r++) {
            double v = afinal[r] - (4.0 - (double)c) * 0.5;
            fx_set(e, r, c, v, v);
            fx_set(e, 4 + r, c, bval[r], bval[r]);
        }
        fx_set(e, 8, c, cval[c], 4);
    }
}

#endif
