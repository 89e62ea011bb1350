/* quality.c - data-quality findings: things in the inputs that change how
 * far the numbers can be trusted, said in plain sentences that name the
 * relays and groups concerned. */
#include "quality.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crosscheck.h"
#include "timestamp.h"
#include "totals.h"
#include "util.h"

#define NAMES_SHOWN 5
#define AGGREGATE_TOLERANCE 0.01

void quality_add(results *res, finding_kind kind, bool error, const char *file, long line,
                 const char *message)
{
    res->findings = xrealloc(res->findings, (res->nfindings + 1) * sizeof *res->findings);
    res->findings[res->nfindings++] =
        (finding){kind, error, xstrdup(message), xstrdup(file), line};
}

/* "a, b, c and 4 more" into b. */
static void list_names(strbuf *b, const char *const *names, size_t n)
{
    size_t shown = n > NAMES_SHOWN ? NAMES_SHOWN : n;
    for (size_t i = 0; i < shown; i++)
        buf_printf(b, "%s%s", i == 0 ? "" : (i + 1 == n ? " and " : ", "), names[i]);
    if (n > shown)
        buf_printf(b, " and %zu more", n - shown);
}

static void missing_members(const experiment *e, const membership *m, results *res)
{
    const char **names = xmalloc((e->nrelays ? e->nrelays : 1) * sizeof *names);
    for (size_t g = 0; g < m->ngroups; g++) {
        const group *gp = &m->groups[g];
        strbuf b;
        buf_init(&b);
        if (gp->nmissing) {
            buf_printf(&b, "Group %s lists %zu member%s never seen in the data: ", gp->id,
                       gp->nmissing, gp->nmissing == 1 ? "" : "s");
            list_names(&b, (const char *const *)gp->missing, gp->nmissing);
            buf_puts(&b, ".");
            quality_add(res, FINDING_MISSING_MEMBER, false, gp->source_path, 0, b.data);
            buf_reset(&b);
        }
        /* Listed members that are in the data but have no sample inside
         * the window add nothing to the group. (The cut-off is left out:
         * a member that only starts later is not a data problem.) */
        size_t n = 0;
        if (gp->member)
            for (size_t r = 0; r < e->nrelays; r++) {
                if (!gp->member[r])
                    continue;
                bool seen = false;
                for (size_t c = 0; c < e->ncoll && !seen; c++)
                    seen = e->rss_kb[exp_idx(e, r, c)] != KB_MISSING &&
                           membership_has(m, e, g, r, c);
                if (!seen)
                    names[n++] = relay_label(&e->relays[r]);
            }
        if (n) {
            buf_printf(&b, "Group %s has %zu member%s with no samples inside its window: ",
                       gp->id, n, n == 1 ? "" : "s");
            list_names(&b, names, n);
            buf_puts(&b, ".");
            quality_add(res, FINDING_MISSING_MEMBER, false, gp->source_path, 0, b.data);
        }
        buf_free(&b);
    }
    free(names);
}

/* Members whose last sample in the group comes before the group's final
 * snapshot, each with that time, so "11 of 17" in the final table has
 * names. A member whose own window (manifest) ends before the snapshot
 * left as stated and is not named. */
static void stopped_members(const experiment *e, const membership *m, results *res)
{
    strbuf b;
    buf_init(&b);
    for (size_t g = 0; g < m->ngroups; g++) {
        const group *gp = &m->groups[g];
        const group_result *gr = &res->groups[g];
        if (!gr->has_final)
            continue;
        size_t n = 0;
        buf_reset(&b);
        for (size_t r = 0; r < e->nrelays; r++) {
            if ((gp->mstart && gp->mend[r] < gr->final_t) || !membership_may_have(m, g, r))
                continue;
            long last = -1;
            for (size_t c = 0; c <= gr->final_c; c++)
                if (e->rss_kb[exp_idx(e, r, c)] != KB_MISSING && membership_has(m, e, g, r, c))
                    last = (long)c;
            if (last < 0 || (size_t)last == gr->final_c)
                continue;
            char when[32];
            timestamp_format_human(e->times[last], e->man.tz_offset_min, when, sizeof when);
            if (n < NAMES_SHOWN)
                buf_printf(&b, "%s%s (last sample %s)", n ? ", " : "",
                           relay_label(&e->relays[r]), when);
            n++;
        }
        if (!n)
            continue;
        if (n > NAMES_SHOWN)
            buf_printf(&b, " and %zu more", n - NAMES_SHOWN);
        char when[32];
        timestamp_format_human(gr->final_t, e->man.tz_offset_min, when, sizeof when);
        char *s = xasprintf("Group %s: %zu of its %zu members stopped reporting before its final "
                            "snapshot (%s), which counts %zu: %s.",
                            gp->id, n, gp->nmembers, when, gr->final_n, b.data);
        quality_add(res, FINDING_STOPPED, false, gp->source_path, 0, s);
        free(s);
    }
    buf_free(&b);
}

/* "A and B", "no group": the groups relay r counts in at some sample. */
static void groups_of(const experiment *e, const membership *m, size_t r, strbuf *b)
{
    size_t k = 0, n = 0;
    for (size_t g = 0; g < m->ngroups; g++)
        for (size_t c = 0; c < e->ncoll && membership_may_have(m, g, r); c++)
            if (e->rss_kb[exp_idx(e, r, c)] != KB_MISSING && membership_has(m, e, g, r, c)) {
                n++;
                break;
            }
    for (size_t g = 0; g < m->ngroups; g++)
        for (size_t c = 0; c < e->ncoll && membership_may_have(m, g, r); c++)
            if (e->rss_kb[exp_idx(e, r, c)] != KB_MISSING && membership_has(m, e, g, r, c)) {
                buf_printf(b, "%s%s", k == 0 ? "" : k + 1 == n ? " and " : ", ",
                           m->groups[g].id);
                k++;
                break;
            }
    if (!n)
        buf_puts(b, "no group");
}

/* Relays ingest split because they share a nickname (no fingerprints)
 * yet report different values at one collection. */
static void shared_nicknames(const experiment *e, const membership *m, results *res)
{
    const char *f = e->memory_path ? e->memory_path : "memory.csv";
    for (size_t i = 0; i < e->notes.nshared; i++) {
        const shared_nickname *s = &e->notes.shared[i];
        if (s->first >= e->nrelays || s->second >= e->nrelays)
            continue;
        strbuf g1, g2;
        buf_init(&g1);
        buf_init(&g2);
        groups_of(e, m, s->first, &g1);
        groups_of(e, m, s->second, &g2);
        char *msg = xasprintf("Two relays report as %s without fingerprints and with different "
                              "values at one collection (lines %ld and %ld): they are counted "
                              "as two relays, %s (%s) and %s (%s).",
                              e->relays[s->first].nickname, s->line1, s->line2,
                              relay_label(&e->relays[s->first]), g1.data,
                              relay_label(&e->relays[s->second]), g2.data);
        quality_add(res, FINDING_SHARED_NICKNAME, false, f, s->line1, msg);
        free(msg);
        buf_free(&g1);
        buf_free(&g2);
    }
}

static void ungrouped(const experiment *e, const membership *m, results *res)
{
    if (!m->nungrouped || !m->ungrouped)
        return;
    const char **names = xmalloc(m->nungrouped * sizeof *names);
    size_t n = 0;
    for (size_t r = 0; r < e->nrelays; r++)
        if (m->ungrouped[r])
            names[n++] = relay_label(&e->relays[r]);
    strbuf b;
    buf_init(&b);
    buf_printf(&b, "%zu relay%s in no group and %s left out of the group statistics (", n,
               n == 1 ? " is" : "s are", n == 1 ? "is" : "are");
    list_names(&b, names, n);
    buf_puts(&b, ").");
    quality_add(res, FINDING_UNGROUPED, false, e->memory_path, 0, b.data);
    buf_free(&b);
    free(names);
}

static void overlaps(const experiment *e, const membership *m, results *res)
{
    char **msgs;
    size_t n = membership_overlap_messages(m, e, &msgs);
    for (size_t i = 0; i < n; i++) {
        char *s = xasprintf("%s.", msgs[i]);
        quality_add(res, FINDING_OVERLAP, false, NULL, 0, s);
        free(s);
        free(msgs[i]);
    }
    free(msgs);
}

static void ingest_notes_findings(const experiment *e, results *res)
{
    const ingest_notes *no = &e->notes;
    const char *f = e->memory_path ? e->memory_path : "memory.csv";
    char *s;
    if (no->duplicate_rows) {
        s = xasprintf("%s has %llu duplicate row%s (a relay's second row in one collection, "
                      "within 2 minutes of its first; the last one was kept), the first at "
                      "line %ld.",
                      f, (unsigned long long)no->duplicate_rows,
                      no->duplicate_rows == 1 ? "" : "s", no->first_duplicate_line);
        quality_add(res, FINDING_DUPLICATE, false, f, no->first_duplicate_line, s);
        free(s);
    }
    if (no->out_of_order_rows) {
        s = xasprintf("%s has %llu row%s out of time order, the first at line %ld (a clock "
                      "set back does this, for example at the end of daylight saving time when "
                      "the timestamps carry no UTC offset).",
                      f, (unsigned long long)no->out_of_order_rows,
                      no->out_of_order_rows == 1 ? "" : "s", no->first_out_of_order_line);
        quality_add(res, FINDING_OUT_OF_ORDER, false, f, no->first_out_of_order_line, s);
        free(s);
    }
    if (no->partial_last_line) {
        s = xasprintf("The last line of %s (line %ld) is incomplete, probably still being "
                      "written, and was left out.",
                      f, no->partial_line);
        quality_add(res, FINDING_PARTIAL_LINE, false, f, no->partial_line, s);
        free(s);
    }
}

/* Restarts per group that the data shows (RSS and hwm_kb fell together),
 * counted at member samples inside the group's window, and the restart
 * events that cut series too: events often say "all" when only some relays
 * restarted, so they are listed apart from what the data shows. */
static void restarts_findings(const experiment *e, const membership *m, results *res)
{
    strbuf b;
    buf_init(&b);
    for (size_t g = 0; g < m->ngroups; g++) {
        size_t nd = 0;
        for (size_t i = 0; i < res->nrestarts; i++) {
            const restart *rs = &res->restarts[i];
            if (!rs->from_event && membership_has(m, e, g, rs->relay, rs->c))
                nd++;
        }
        if (nd)
            buf_printf(&b, "%s%s %zu", b.len ? ", " : "", m->groups[g].id, nd);
    }
    if (b.len) {
        char *s = xasprintf("Restarts seen in the data inside the group windows (RSS and hwm_kb "
                            "fell together): %s. Steady growth is measured between restarts.",
                            b.data);
        quality_add(res, FINDING_RESTART, false, NULL, 0, s);
        free(s);
    }
    buf_reset(&b);
    size_t nev = 0;
    for (size_t i = 0; i < e->nevents; i++) {
        const event *ev = &e->events[i];
        if (!ev->type || !str_ieq(ev->type, "restart") || ev->t == TIME_NONE ||
            res->first_t == TIME_NONE || ev->t < res->first_t || ev->t > res->last_t)
            continue;
        char when[32];
        timestamp_format_human(ev->t, e->man.tz_offset_min, when, sizeof when);
        if (nev++ < NAMES_SHOWN)
            buf_printf(&b, "%s%s (%s)", nev > 1 ? ", " : "", when,
                       str_empty(ev->group) ? "all" : ev->group);
    }
    if (nev > NAMES_SHOWN)
        buf_printf(&b, " and %zu more", nev - NAMES_SHOWN);
    if (nev) {
        char *s = xasprintf("%zu restart event%s (%s) also cut the series of every relay %s "
                            "cover%s.",
                            nev, nev == 1 ? "" : "s", b.data, nev == 1 ? "it" : "they",
                            nev == 1 ? "s" : "");
        quality_add(res, FINDING_RESTART, false, "events.csv", 0, s);
        free(s);
    }
    buf_free(&b);
}

static void aggregates(const experiment *e, results *res)
{
    size_t bad = 0;
    const aggregate_row *first = NULL;
    double first_sum = 0;
    for (size_t i = 0; i < e->naggs; i++) {
        const aggregate_row *a = &e->aggs[i];
        if (a->total_kb == UINT64_MAX || a->t > res->until)
            continue;
        size_t c = collection_at(e->times, e->ncoll, a->t);
        if (c == SIZE_MAX)
            continue;
        double sum;
        if (!totals_relay_sum(e, c, &sum))
            continue; /* aggregate-only collection: nothing to compare */
        if (fabs(sum - (double)a->total_kb) > AGGREGATE_TOLERANCE * (double)a->total_kb) {
            if (!bad++) {
                first = a;
                first_sum = sum;
            }
        }
    }
    if (!bad)
        return;
    const char *f = e->memory_path ? e->memory_path : "memory.csv";
    char when[32];
    timestamp_format_human(first->t, e->man.tz_offset_min, when, sizeof when);
    char *s = xasprintf("%zu aggregate row%s disagree%s with the sum of the relay rows at the "
                        "same collection by more than 1%%; the first at line %ld (%s: total "
                        "%llu kB, relays sum to %.0f kB).",
                        bad, bad == 1 ? "" : "s", bad == 1 ? "s" : "", first->line, when,
                        (unsigned long long)first->total_kb, first_sum);
    quality_add(res, FINDING_AGGREGATE_MISMATCH, false, f, first->line, s);
    free(s);
}

void quality_collect(const experiment *e, const membership *m, results *res)
{
    missing_members(e, m, res);
    stopped_members(e, m, res);
    shared_nicknames(e, m, res);
    ungrouped(e, m, res);
    overlaps(e, m, res);
    crosscheck_collect(e, m, res);
    ingest_notes_findings(e, res);
    restarts_findings(e, m, res);
    aggregates(e, res);
}
