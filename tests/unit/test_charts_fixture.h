/* test_charts_fixture.h - builds an `analysis` by hand for chart tests:
 * nrel relays split evenly over ngroups groups, ncoll collections `step`
 * seconds apart, RSS that grows per group with a restart (a drop) in the
 * middle of every fifth relay, aggregate rows on every other collection,
 * and a few events. Group series, final values and restarts are computed
 * here directly, so chart tests do not depend on ingest or stats. Free
 * with analysis_free. */
#ifndef TEST_CHARTS_FIXTURE_H
#define TEST_CHARTS_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "palette.h"
#include "stats.h"
#include "util.h"

static const char *const fixture_names[] = {"mimalloc 3.0.1", "mimalloc 2.0.9",
                                            "jemalloc <5.3> & \"co\"", "glibc 2.41 (control)",
                                            "tcmalloc", "snmalloc"};

static void fixture_build(analysis *a, size_t nrel, size_t ncoll, size_t ngroups, int64_t t0,
                          int64_t step, int tz)
{
    memset(a, 0, sizeof *a);
    experiment *e = &a->e;
    thresholds_default(&e->man.th);
    e->man.tz_offset_min = tz;
    e->man.name = xstrdup("Fixture experiment");
    e->man.server = xstrdup("go");
    e->nrelays = nrel;
    e->ncoll = ncoll;
    e->relays = xcalloc(nrel, sizeof *e->relays);
    for (size_t r = 0; r < nrel; r++) {
        e->relays[r].nickname = xasprintf("relay%04zu", r);
        e->relays[r].fingerprint = xstrdup("");
    }
    e->times = xmalloc(ncoll * sizeof *e->times);
    for (size_t c = 0; c < ncoll; c++)
        e->times[c] = t0 + (int64_t)c * step;
    e->rss_kb = xmalloc(nrel * ncoll * sizeof *e->rss_kb);
    e->hwm_kb = xmalloc(nrel * ncoll * sizeof *e->hwm_kb);
    for (size_t r = 0; r < nrel; r++) {
        size_t g = r % ngroups;
        double base = 1.0 + 0.25 * (double)g + 0.01 * (double)(r % 7);
        double slope = (ngroups - g) * 0.8 / (double)ncoll; /* GiB per collection */
        for (size_t c = 0; c < ncoll; c++) {
            double gib = base + slope * (double)c;
            if (r % 5 == 0 && c >= ncoll / 2)
                gib = base + slope * (double)(c - ncoll / 2); /* restarted */
            /* relay 1 misses its third sample: a gap */
            e->rss_kb[r * ncoll + c] = (r == 1 && c == 2) ? KB_MISSING
                                                           : (uint32_t)(gib * KB_PER_GIB);
            e->hwm_kb[r * ncoll + c] = e->rss_kb[r * ncoll + c];
        }
    }
    e->naggs = (ncoll + 1) / 2;
    e->aggs = xcalloc(e->naggs, sizeof *e->aggs);
    for (size_t i = 0; i < e->naggs; i++) {
        size_t c = 2 * i;
        uint64_t sum = 0, n = 0;
        for (size_t r = 0; r < nrel; r++)
            if (e->rss_kb[r * ncoll + c] != KB_MISSING)
                sum += e->rss_kb[r * ncoll + c], n++;
        e->aggs[i] = (aggregate_row){e->times[c], n, sum, n ? sum / n : 0, 0, 0, (long)i + 2};
    }
    static const char *const ev[][2] = {
        {"config_change", "allocator enabled on the first group"},
        {"restart", "full system restart"},
        {"experiment", "second group started (20 relays)"},
        {"experiment", "third group started at the same time"},
        {"migration", "60 relays from mimalloc 3.0.1 \xE2\x86\x92 2.0.9 <moved>"},
    };
    e->nevents = 5;
    e->events = xcalloc(e->nevents, sizeof *e->events);
    int64_t span = (int64_t)(ncoll - 1) * step;
    int64_t at[] = {t0 + span / 10, t0 + span / 2, t0 + span * 6 / 10, t0 + span * 6 / 10,
                    t0 + span * 9 / 10};
    for (size_t i = 0; i < e->nevents; i++) {
        e->events[i].t = at[i];
        e->events[i].type = xstrdup(ev[i][0]);
        e->events[i].description = xstrdup(ev[i][1]);
        e->events[i].group = xstrdup("all");
    }

    membership *m = &a->m;
    m->ngroups = ngroups;
    m->groups = xcalloc(ngroups, sizeof *m->groups);
    for (size_t g = 0; g < ngroups; g++) {
        group *gr = &m->groups[g];
        gr->id = xasprintf("%c", (char)('A' + g));
        gr->name = xstrdup(fixture_names[g % ARRAY_LEN(fixture_names)]);
        gr->color = xstrdup(palette_color(g));
        gr->source = MEMBERS_MANIFEST_LIST;
        /* later groups start later */
        gr->start = g == 0 ? INT64_MIN : t0 + (int64_t)g * span / 8;
        gr->end = INT64_MAX;
        gr->member = xcalloc(nrel, 1);
        for (size_t r = 0; r < nrel; r++)
            if (r % ngroups == g)
                gr->member[r] = 1, gr->nmembers++;
    }

    results *res = &a->r;
    res->ngroups = ngroups;
    res->groups = xcalloc(ngroups, sizeof *res->groups);
    res->baseline = 0;
    res->until = INT64_MAX;
    res->first_t = e->times[0];
    res->last_t = e->times[ncoll - 1];
    double *v = xmalloc(nrel * sizeof *v);
    for (size_t g = 0; g < ngroups; g++) {
        group_result *gr = &res->groups[g];
        gr->series = xcalloc(ncoll, sizeof *gr->series);
        for (size_t c = 0; c < ncoll; c++) {
            size_t n = 0;
            for (size_t r = 0; r < nrel; r++)
                if (e->rss_kb[r * ncoll + c] != KB_MISSING && membership_has(m, e, g, r, c))
                    v[n++] = e->rss_kb[r * ncoll + c] / KB_PER_GIB;
            if (!n)
                continue;
            group_point *p = &gr->series[gr->nseries++];
            p->c = c;
            p->t = e->times[c];
            p->n = n;
            p->mean = stats_mean(v, n);
            stats_sort(v, n);
            p->median = stats_quantile_sorted(v, n, 0.5);
            p->p10 = stats_quantile_sorted(v, n, 0.1);
            p->p90 = stats_quantile_sorted(v, n, 0.9);
            p->min = v[0];
            p->max = v[n - 1];
        }
        size_t c = ncoll - 1, n = 0;
        gr->final_relays = xmalloc(nrel * sizeof *gr->final_relays);
        gr->final_values = xmalloc(nrel * sizeof *gr->final_values);
        for (size_t r = 0; r < nrel; r++)
            if (e->rss_kb[r * ncoll + c] != KB_MISSING && membership_has(m, e, g, r, c)) {
                gr->final_relays[n] = r;
                gr->final_values[n++] = e->rss_kb[r * ncoll + c] / KB_PER_GIB;
            }
        gr->has_final = n > 0;
        gr->final_n = n;
        gr->final_c = c;
        gr->final_t = e->times[c];
        gr->final_mean = stats_mean(gr->final_values, n);
    }
    free(v);
    res->restarts = xmalloc((nrel / 5 + 1) * sizeof *res->restarts);
    for (size_t r = 0; r < nrel; r += 5) {
        res->restarts[res->nrestarts++] =
            (restart){r, ncoll / 2, e->times[ncoll / 2], false};
    }
    diag_init(&a->diag);
}

#endif
