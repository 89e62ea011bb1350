/* model.c - lifetime of the experiment struct. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strmap.h"
#include "util.h"

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

size_t collection_at(const int64_t *times, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (times[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && times[lo] == t ? lo : SIZE_MAX;
}

bool experiment_groups_fit(uint64_t ngroups, uint64_t nrelays, char **why)
{
    uint64_t cells;
    *why = NULL;
    if (ngroups > EXPERIMENT_MAX_GROUPS)
        *why = xasprintf("%llu groups: a report compares at most %d",
                         (unsigned long long)ngroups, EXPERIMENT_MAX_GROUPS);
    else if (__builtin_mul_overflow(ngroups, nrelays, &cells) || cells > EXPERIMENT_TABLE_FREE)
        *why = xasprintf("%llu groups x %llu relays: more than %u group-relay cells",
                         (unsigned long long)ngroups, (unsigned long long)nrelays,
                         EXPERIMENT_TABLE_FREE);
    return *why == NULL;
}

bool experiment_table_fits(uint64_t nrelays, uint64_t ncoll, uint64_t nsamples, char **why)
{
    enum { CELL_BYTES = 18 }; /* four 4-byte fields and the CSV's group */
    uint64_t cells, bytes;
    *why = NULL;
    if (__builtin_mul_overflow(nrelays, ncoll, &cells) ||
        __builtin_mul_overflow(cells, (uint64_t)CELL_BYTES, &bytes)) {
        *why = xasprintf("%llu relays x %llu collections: a table too large to hold",
                         (unsigned long long)nrelays, (unsigned long long)ncoll);
        return false;
    }
    if (cells <= EXPERIMENT_TABLE_FREE)
        return true;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    double gib = (double)bytes / (1u << 30);
    if (cells / EXPERIMENT_TABLE_SPARSEST > nsamples)
        *why = xasprintf("%llu relays x %llu collections make a table of %llu cells (%.1f GiB) "
                         "for %llu samples, fewer than one in %d: memreport keeps every relay at "
                         "every collection, and refuses a table this empty",
                         (unsigned long long)nrelays, (unsigned long long)ncoll,
                         (unsigned long long)cells, gib, (unsigned long long)nsamples,
                         EXPERIMENT_TABLE_SPARSEST);
    else if (phys && bytes > phys / 2)
        *why = xasprintf("%llu relays x %llu collections need %.1f GiB for the samples, more than "
                         "half of this machine's memory (%.1f GiB)",
                         (unsigned long long)nrelays, (unsigned long long)ncoll, gib,
                         (double)phys / (1u << 30));
    return *why == NULL;
}

void thresholds_default(thresholds *th)
{
    th->flat_gib_day = 0.05;
    th->variable_cv = 0.10;
    th->warmup_hours = 6.0;
    th->restart_drop = 0.10;
}

static void manifest_free(manifest *m)
{
    char **s[] = {&m->id, &m->name, &m->server, &m->start_date, &m->end_date,
                  &m->problem, &m->hypothesis, &m->description, &m->result,
                  &m->recommendation, &m->baseline, &m->tor_version, &m->allocator,
                  &m->control};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(*s[i]);
    for (size_t i = 0; i < m->ngroups; i++) {
        manifest_group *g = &m->groups[i];
        free(g->id);
        free(g->name);
        free(g->color);
        free(g->description);
        free(g->added);
        free(g->config_json);
        free_strv(g->config_keys, g->nconfig);
        free_strv(g->config_values, g->nconfig);
        free(g->allocator);
        free(g->version);
        free(g->source);
        free(g->members_file);
        free_strv(g->members, g->nmembers);
        free(g->member_start);
        free(g->member_end);
        free(g->member_lines);
        free_strv(g->exclude, g->nexclude);
    }
    free(m->groups);
}

void experiment_alloc_samples(experiment *e, bool has_group)
{
    size_t cells = e->nrelays * e->ncoll;
    e->rss_kb = xmalloc(cells * sizeof *e->rss_kb);
    e->vmsize_kb = xmalloc(cells * sizeof *e->vmsize_kb);
    e->hwm_kb = xmalloc(cells * sizeof *e->hwm_kb);
    e->frag = xmalloc(cells * sizeof *e->frag);
    e->col_group = has_group ? xmalloc(cells * sizeof *e->col_group) : NULL;
}

void experiment_free_samples(experiment *e)
{
    free(e->rss_kb);
    free(e->vmsize_kb);
    free(e->hwm_kb);
    free(e->frag);
    free(e->col_group);
    e->rss_kb = e->vmsize_kb = e->hwm_kb = NULL;
    e->frag = NULL;
    e->col_group = NULL;
}

void input_files_free(input_file *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(in[i].path);
    free(in);
}

void experiment_free(experiment *e)
{
    if (!e)
        return;
    free(e->dir);
    free(e->memory_path);
    free(e->notes_text);
    free(e->notes.shared);
    manifest_free(&e->man);
    for (size_t i = 0; i < e->nrelays; i++) {
        free(e->relays[i].nickname);
        free(e->relays[i].fingerprint);
        free(e->relays[i].label);
    }
    free(e->relays);
    free(e->times);
    experiment_free_samples(e);
    free_strv(e->colgroups, e->ncolgroups);
    free(e->aggs);
    for (size_t i = 0; i < e->nevents; i++) {
        free(e->events[i].type);
        free(e->events[i].description);
        free(e->events[i].group);
    }
    free(e->events);
    for (size_t i = 0; i < e->nhosts; i++) {
        host_row *h = &e->hosts[i];
        free(h->hostname);
        free(h->tor_version);
        free(h->os_release);
        free(h->kernel);
        free(h->allocator);
    }
    free(e->hosts);
    for (size_t i = 0; i < e->nassignments; i++) {
        free(e->assignments[i].key);
        free(e->assignments[i].group);
    }
    free(e->assignments);
    for (size_t i = 0; i < e->ngfiles; i++) {
        free(e->gfiles[i].id);
        free(e->gfiles[i].path);
        free_strv(e->gfiles[i].members, e->gfiles[i].nmembers);
        free(e->gfiles[i].member_lines);
    }
    free(e->gfiles);
    input_files_free(e->inputs, e->ninputs);
    input_files_free(e->unread, e->nunread);
    *e = (experiment){0};
}

void experiment_label_relays(experiment *e)
{
    strmap seen; /* nickname -> relays with it so far */
    strmap_init(&seen);
    for (size_t i = 0; i < e->nrelays; i++) {
        relay *r = &e->relays[i];
        free(r->label);
        r->label = NULL;
        if (!r->nickname || !*r->nickname)
            continue;
        size_t len = strlen(r->nickname), k = 0;
        strmap_get(&seen, r->nickname, len, &k);
        strmap_put(&seen, r->nickname, len, ++k);
        if (k > 1) {
            size_t n = strlen(r->nickname) + 24;
            r->label = malloc(n);
            if (r->label)
                snprintf(r->label, n, "%s#%zu", r->nickname, k);
        }
    }
    strmap_free(&seen);
}

const char *relay_label(const relay *r)
{
    if (r->label)
        return r->label;
    return r->nickname && *r->nickname ? r->nickname : r->fingerprint;
}
