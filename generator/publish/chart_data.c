/* chart_data.c - analysis -> chart spec. */
#include "chart_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_common.h"
#include "rng.h"
#include "totals.h"
#include "util.h"

/* Group g's relay i at every collection, in GiB, NAN where it has no
 * sample counting for g. */
static void sample_row(const void *ctx, size_t g, size_t i, double *v)
{
    const chart_data *cd = ctx;
    const experiment *e = &cd->a->e;
    size_t r = cd->members[g][i];
    const uint32_t *kb = e->rss_kb + exp_idx(e, r, 0);
    unsigned char *in = xmalloc(e->ncoll ? e->ncoll : 1);
    membership_relay_mask(&cd->a->m, e, g, r, in);
    for (size_t c = 0; c < e->ncoll; c++)
        v[c] = kb[c] == KB_MISSING || !in[c] ? NAN : kb[c] / KB_PER_GIB;
    free(in);
}

static void fill_series(chart_data *cd, size_t g, const group_result *gr)
{
    chart_point *p = xmalloc((gr->nseries ? gr->nseries : 1) * sizeof *p);
    for (size_t i = 0; i < gr->nseries; i++) {
        const group_point *q = &gr->series[i];
        p[i] = (chart_point){q->t, q->n, q->mean, q->median, q->p10, q->p90};
    }
    cd->series[g] = p;
    cd->groups[g].series = p;
    cd->groups[g].nseries = gr->nseries;
}

static void fill_final(chart_data *cd, size_t g, const group_result *gr)
{
    const experiment *e = &cd->a->e;
    chart_group *cg = &cd->groups[g];
    cg->has_final = gr->has_final;
    cg->final_t = gr->final_t;
    cg->final_mean = gr->final_mean;
    if (!gr->has_final || !gr->final_n)
        return;
    chart_dot *d = xmalloc(gr->final_n * sizeof *d);
    for (size_t i = 0; i < gr->final_n; i++) {
        size_t rel = gr->final_relays[i];
        /* The jitter comes from the relay's index alone, so a relay sits at
         * the same place in every run. */
        rng r;
        rng_seed(&r, rel);
        d[i] = (chart_dot){rel < e->nrelays ? relay_label(&e->relays[rel]) : "?",
                           rng_unit(&r) * 2 - 1, gr->final_values[i]};
    }
    cd->dots[g] = d;
    cg->dots = d;
    cg->ndots = gr->final_n;
    box_stats b;
    stats_box(gr->final_values, gr->final_n, &b);
    cg->box = (chart_box){b.q1, b.median, b.q3, b.whisker_lo, b.whisker_hi, b.max};
}

/* The relays with a sample counting for g, and the restarts among them. */
static void fill_members(chart_data *cd, size_t g)
{
    const analysis *a = cd->a;
    const experiment *e = &a->e;
    size_t *mem = xmalloc((e->nrelays ? e->nrelays : 1) * sizeof *mem), n = 0;
    unsigned char *in = xmalloc(e->ncoll ? e->ncoll : 1);
    for (size_t r = 0; r < e->nrelays; r++) {
        if (!membership_relay_mask(&a->m, e, g, r, in))
            continue;
        const uint32_t *kb = e->rss_kb + exp_idx(e, r, 0);
        for (size_t c = 0; c < e->ncoll; c++)
            if (kb[c] != KB_MISSING && in[c]) {
                mem[n++] = r;
                break;
            }
    }
    free(in);
    /* Kept for every group: as long as what it holds, not as the relays
     * or the restarts of the whole experiment. */
    mem = xrealloc(mem, (n ? n : 1) * sizeof *mem);
    chart_relay *rl = xmalloc((n ? n : 1) * sizeof *rl);
    for (size_t i = 0; i < n; i++)
        rl[i].label = relay_label(&e->relays[mem[i]]);
    int64_t *rs = NULL;
    size_t nrs = 0, cap = 0;
    for (size_t i = 0; i < a->r.nrestarts; i++) {
        const restart *x = &a->r.restarts[i];
        if (x->relay < e->nrelays && x->c < e->ncoll &&
            membership_has(&a->m, e, g, x->relay, x->c)) {
            xgrow((void **)&rs, &cap, nrs + 1, sizeof *rs);
            rs[nrs++] = e->times[x->c];
        }
    }
    cd->members[g] = mem;
    cd->relays[g] = rl;
    cd->restarts[g] = rs;
    cd->groups[g].relays = rl;
    cd->groups[g].nrelays = n;
    cd->groups[g].restarts = rs;
    cd->groups[g].nrestarts = nrs;
}

static void fill_totals(chart_data *cd)
{
    server_total *t;
    size_t n = totals_series(&cd->a->e, &t);
    cd->totals = xmalloc((n ? n : 1) * sizeof *cd->totals);
    for (size_t i = 0; i < n; i++)
        cd->totals[i] = (chart_total){t[i].t, t[i].gib, t[i].count, t[i].summed};
    free(t);
    cd->spec.totals = cd->totals;
    cd->spec.ntotals = n;
}

void chart_data_fill(chart_data *cd, const analysis *a)
{
    memset(cd, 0, sizeof *cd);
    cd->a = a;
    const experiment *e = &a->e;
    const size_t ng = a->m.ngroups;
    chart_spec *s = &cd->spec;
    s->name = e->man.name;
    s->server = e->man.server;
    s->tz_offset_min = e->man.tz_offset_min;
    s->first_t = a->r.first_t;
    s->last_t = a->r.last_t;
    s->budget_gib = e->man.memory_budget_gib;

    size_t cap = ng ? ng : 1;
    cd->groups = xcalloc(cap, sizeof *cd->groups);
    cd->series = xcalloc(cap, sizeof *cd->series);
    cd->dots = xcalloc(cap, sizeof *cd->dots);
    cd->relays = xcalloc(cap, sizeof *cd->relays);
    cd->members = xcalloc(cap, sizeof *cd->members);
    cd->restarts = xcalloc(cap, sizeof *cd->restarts);
    cd->labels = xcalloc(cap, sizeof *cd->labels);
    bool samples = e->rss_kb != NULL;
    for (size_t g = 0; g < ng; g++) {
        const group *gp = &a->m.groups[g];
        chart_group *cg = &cd->groups[g];
        cd->labels[g] = report_label(gp, LABEL_SHORT);
        cg->id = gp->id;
        cg->label = cd->labels[g];
        /* A group looks the same in a --groups view as in the whole
         * report: its place among all the groups picks its marks. */
        size_t k = a->m.shown_from ? a->m.shown_from[g] : g;
        cg->color = report_group_color(gp, k);
        /* Six shapes, then the same shapes dashed, then dotted: colour is
         * never the only cue, even past the palette's twelve colours. */
        cg->shape = (int)(k % CHART_NSHAPES);
        cg->dash = (int)(k / CHART_NSHAPES % 3);
        cg->baseline = g == a->r.baseline;
        if (g < a->r.ngroups) {
            fill_series(cd, g, &a->r.groups[g]);
            fill_final(cd, g, &a->r.groups[g]);
        }
        if (samples)
            fill_members(cd, g);
    }
    s->groups = cd->groups;
    s->ngroups = ng;

    /* The distribution's order: the writers' one, groups with dots only. */
    cd->order = report_order(a);
    size_t no = 0;
    for (size_t j = 0; j < a->r.ngroups; j++) {
        size_t g = cd->order[j];
        if (g < ng && cd->groups[g].has_final && cd->groups[g].ndots)
            cd->order[no++] = g;
    }
    s->by_final_mean = cd->order;
    s->nby_final_mean = no;

    cd->events = xmalloc((e->nevents ? e->nevents : 1) * sizeof *cd->events);
    for (size_t i = 0; i < e->nevents; i++)
        cd->events[i] = (chart_event){e->events[i].t, i + 1, e->events[i].type,
                                      e->events[i].description};
    s->events = cd->events;
    s->nevents = e->nevents;

    /* Aggregate rows alone (no relay rows) still draw the server total. */
    if (samples || e->naggs)
        fill_totals(cd);
    if (samples)
        s->samples = (chart_samples){e->times, e->ncoll, sample_row, cd};
}

void chart_data_free(chart_data *cd)
{
    if (!cd)
        return;
    size_t ng = cd->spec.ngroups;
    for (size_t g = 0; g < ng; g++) {
        free(cd->series[g]);
        free(cd->dots[g]);
        free(cd->relays[g]);
        free(cd->members[g]);
        free(cd->restarts[g]);
        free(cd->labels[g]);
    }
    free(cd->groups);
    free(cd->series);
    free(cd->dots);
    free(cd->relays);
    free(cd->members);
    free(cd->restarts);
    free(cd->labels);
    free(cd->order);
    free(cd->events);
    free(cd->totals);
    memset(cd, 0, sizeof *cd);
}
