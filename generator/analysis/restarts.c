/* restarts.c - finds relay restarts, so steady growth can be measured
 * between them rather than across the saw-tooth they make. */
#include "restarts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool ieq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

bool restarts_event_covers(const char *event_group, const group *g)
{
    if (str_empty(event_group) || str_ieq(event_group, "all"))
        return true;
    if (str_ieq(event_group, g->id) || str_ieq(event_group, g->name))
        return true;
    const char *s = event_group;
    if (strlen(s) > 5 && ieq_n(s, "group", 5)) {
        s += 5;
        while (*s == '_' || *s == '-' || *s == ' ')
            s++;
        return str_ieq(s, g->id);
    }
    return false;
}

/* Relay r is in g at collection c, the window aside: an event aimed at a
 * group restarts its relays whatever the analysis window is. */
static bool member_any_time(const membership *m, const experiment *e, size_t g, size_t r,
                            size_t c)
{
    const group *gr = &m->groups[g];
    if (gr->source == MEMBERS_GROUP_COLUMN)
        return e->col_group && e->col_group[exp_idx(e, r, c)] == gr->colgroup;
    return gr->member && gr->member[r];
}

static bool is_restart_event(const event *ev)
{
    return ev->type && str_ieq(ev->type, "restart") && ev->t != TIME_NONE;
}

/* Restart events in time order, so each relay walks them once. */
typedef struct {
    const event **ev;
    size_t n;
} event_list;

static int cmp_event_time(const void *a, const void *b)
{
    int64_t x = (*(const event *const *)a)->t, y = (*(const event *const *)b)->t;
    return (x > y) - (x < y);
}

static void event_list_build(const experiment *e, event_list *l)
{
    l->ev = xmalloc((e->nevents ? e->nevents : 1) * sizeof *l->ev);
    l->n = 0;
    for (size_t i = 0; i < e->nevents; i++)
        if (is_restart_event(&e->events[i]))
            l->ev[l->n++] = &e->events[i];
    qsort(l->ev, l->n, sizeof *l->ev, cmp_event_time);
}

/* Latest restart event in (times[p], times[c]] that covers relay r, or
 * TIME_NONE. *k is the relay's position in the list; it only moves on. */
static int64_t covering_event(const experiment *e, const membership *m, const event_list *l,
                              size_t *k, size_t r, size_t p, size_t c)
{
    int64_t t0 = e->times[p], t1 = e->times[c], best = TIME_NONE;
    while (*k < l->n && l->ev[*k]->t <= t0)
        (*k)++;
    for (size_t i = *k; i < l->n && l->ev[i]->t <= t1; i++) {
        const event *ev = l->ev[i];
        bool covers = str_empty(ev->group) || str_ieq(ev->group, "all");
        for (size_t g = 0; !covers && g < m->ngroups; g++)
            covers = (member_any_time(m, e, g, r, p) || member_any_time(m, e, g, r, c)) &&
                     restarts_event_covers(ev->group, &m->groups[g]);
        if (covers)
            best = ev->t;
    }
    return best;
}

static bool dropped(const experiment *e, size_t ip, size_t ic, double drop)
{
    double a = e->rss_kb[ip], b = e->rss_kb[ic];
    uint32_t ha = e->hwm_kb ? e->hwm_kb[ip] : KB_MISSING;
    uint32_t hb = e->hwm_kb ? e->hwm_kb[ic] : KB_MISSING;
    if (ha != KB_MISSING && hb != KB_MISSING)
        return hb < ha && b <= a * (1.0 - drop);
    return b <= a * 0.5;
}

void restarts_detect(const experiment *e, const membership *m, int64_t until, restart **out,
                     size_t *n)
{
    restart *v = NULL;
    size_t nv = 0, cap = 0;
    event_list l;
    event_list_build(e, &l);
    for (size_t r = 0; r < e->nrelays; r++) {
        size_t p = SIZE_MAX, k = 0;
        for (size_t c = 0; c < e->ncoll && e->times[c] <= until; c++) {
            size_t ic = exp_idx(e, r, c);
            if (e->rss_kb[ic] == KB_MISSING)
                continue;
            if (p != SIZE_MAX) {
                int64_t te = l.n ? covering_event(e, m, &l, &k, r, p, c) : TIME_NONE;
                bool drop = dropped(e, exp_idx(e, r, p), ic, e->man.th.restart_drop);
                if (te != TIME_NONE || drop) {
                    xgrow((void **)&v, &cap, nv + 1, sizeof *v);
                    v[nv++] = (restart){r, c, te != TIME_NONE ? te : e->times[p],
                                        te != TIME_NONE};
                }
            }
            p = c;
        }
    }
    free(l.ev);
    *out = v;
    *n = nv;
}
