/* crosscheck.c - a relay stated for two groups anywhere (see crosscheck.h).
 *
 * The statements are gathered into one array, sorted by relay; each relay
 * stated for two or more groups gets a signature (the groups, the files
 * and whether the figures use them, and the probable move) and relays with
 * the same signature share one finding, so six relays moved together read
 * as one sentence. The probable move is looked for only when exactly one
 * of the two groups' statements is the one the figures use: inside the
 * relay's time in that group, a restart after a `migration` event that
 * names either group, else the migration event itself, else the last
 * restart the data shows (RSS and hwm_kb fell), else the last restart
 * event. Direction: out of the group the figures use into the other,
 * unless the other's file is named as historical (the operators keep the
 * pre-move lists as group_<ID>_<slug>_historical.txt). */
#include "crosscheck.h"

#include <stdlib.h>
#include <string.h>

#include "quality.h"
#include "restarts.h"
#include "timestamp.h"
#include "util.h"

#define RELAYS_SHOWN 24

typedef struct {
    size_t relay;
    const char *gid;  /* the group the statement names */
    const char *file; /* relative to the experiment directory */
    long line;
    bool used;        /* the figures take this group's members from here */
    size_t seq;       /* gathering order, for a stable sort */
} stmt;

typedef struct {
    stmt *v;
    size_t n, cap;
} stmt_list;

static void push(stmt_list *l, size_t relay, const char *gid, const char *file, long line,
                 bool used)
{
    xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n] = (stmt){relay, gid, file, line, used, l->n};
    l->n++;
}

static int cmp_stmt(const void *a, const void *b)
{
    const stmt *x = a, *y = b;
    if (x->relay != y->relay)
        return x->relay < y->relay ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *strip_dot(const char *p)
{
    while (p && p[0] == '.' && p[1] == '/')
        p += 2;
    return p;
}

/* The group whose figures take their members from file f, or -1. */
static long group_using_file(const membership *m, const char *f)
{
    for (size_t g = 0; g < m->ngroups; g++) {
        const group *gr = &m->groups[g];
        if ((gr->source == MEMBERS_MANIFEST_FILE || gr->source == MEMBERS_GROUP_FILE) &&
            gr->source_path && str_eq(strip_dot(gr->source_path), strip_dot(f)))
            return (long)g;
    }
    return -1;
}

static bool group_uses(const membership *m, const char *gid, members_source src)
{
    long g = membership_find(m, gid);
    return g >= 0 && m->groups[g].source == src;
}

static void gather(const experiment *e, const membership *m, const relay_index *ix,
                   stmt_list *l, size_t *hit)
{
    for (size_t i = 0; i < e->ngfiles; i++) {
        const group_file *f = &e->gfiles[i];
        long g = group_using_file(m, f->path);
        const char *gid = g >= 0 ? m->groups[g].id : f->id;
        if (!gid || !f->path)
            continue;
        for (size_t k = 0; k < f->nmembers; k++) {
            size_t n = relay_index_collect(ix, f->members[k], hit);
            for (size_t j = 0; j < n; j++)
                push(l, hit[j], gid, f->path, f->member_lines ? f->member_lines[k] : 0, g >= 0);
        }
    }
    for (size_t g = 0; g < m->ngroups; g++) {
        const group *gr = &m->groups[g];
        if (gr->source != MEMBERS_MANIFEST_LIST || !gr->spec)
            continue;
        for (size_t k = 0; k < gr->spec->nmembers; k++) {
            size_t n = relay_index_collect(ix, gr->spec->members[k], hit);
            long line = gr->spec->member_lines ? gr->spec->member_lines[k] : gr->spec->line;
            for (size_t j = 0; j < n; j++)
                push(l, hit[j], gr->id, "experiment.json", line, true);
        }
    }
    for (size_t i = 0; i < e->nassignments; i++) {
        const relay_assignment *a = &e->assignments[i];
        size_t n = relay_index_collect(ix, a->key, hit);
        bool used = group_uses(m, a->group, MEMBERS_RELAY_CONFIG);
        for (size_t j = 0; j < n; j++)
            push(l, hit[j], a->group, "relay_config.csv", a->line, used);
    }
    if (e->col_group && e->ncolgroups) {
        uint8_t *seen = xmalloc(e->ncolgroups);
        for (size_t r = 0; r < e->nrelays; r++) {
            memset(seen, 0, e->ncolgroups);
            for (size_t c = 0; c < e->ncoll; c++) {
                uint16_t v = e->col_group[exp_idx(e, r, c)];
                if (v == COLGROUP_NONE || v >= e->ncolgroups || seen[v])
                    continue;
                seen[v] = 1;
                push(l, r, e->colgroups[v], e->memory_path, e->relays[r].first_line,
                     group_uses(m, e->colgroups[v], MEMBERS_GROUP_COLUMN));
            }
        }
        free(seen);
    }
}

/* excl[g]: relays the manifest's `exclude` leaves out of group g (NULL:
 * none). Caller frees each and the array. */
static uint8_t **exclusions(const experiment *e, const membership *m, const relay_index *ix,
                            size_t *hit)
{
    uint8_t **excl = xcalloc(m->ngroups ? m->ngroups : 1, sizeof *excl);
    for (size_t g = 0; g < m->ngroups; g++) {
        const manifest_group *spec = m->groups[g].spec;
        if (!spec || !spec->nexclude)
            continue;
        excl[g] = xcalloc(e->nrelays ? e->nrelays : 1, 1);
        for (size_t k = 0; k < spec->nexclude; k++) {
            size_t n = relay_index_collect(ix, spec->exclude[k], hit);
            for (size_t j = 0; j < n; j++)
                excl[g][hit[j]] = 1;
        }
    }
    return excl;
}

/* The manifest gives relay r a window of its own in some group. */
static bool window_stated(const membership *m, size_t r)
{
    for (size_t g = 0; g < m->ngroups; g++) {
        const group *gr = &m->groups[g];
        if (gr->mstart && gr->mstart[r] != INT64_MAX &&
            (gr->mstart[r] != INT64_MIN || gr->mend[r] != INT64_MAX))
            return true;
    }
    return false;
}

/* Does an event's group field name this ID (a group of the figures, or an
 * ID seen only in an unused file)? */
static bool event_names(const membership *m, const char *ev_group, const char *gid)
{
    long g = membership_find(m, gid);
    if (g >= 0)
        return restarts_event_covers(ev_group, &m->groups[g]);
    group tmp = {0};
    tmp.id = (char *)gid;
    tmp.name = (char *)gid;
    return restarts_event_covers(ev_group, &tmp);
}

typedef struct {
    bool found;
    int64_t end_t, start_t; /* last time in the old group, first in the new */
    const char *reason;
} move_guess;

/* Previous sample of relay r before collection c, or SIZE_MAX. */
static size_t prev_sample(const experiment *e, size_t r, size_t c)
{
    while (c-- > 0)
        if (e->rss_kb[exp_idx(e, r, c)] != KB_MISSING)
            return c;
    return SIZE_MAX;
}

static bool data_drop(const experiment *e, size_t r, size_t p, size_t c)
{
    size_t ip = exp_idx(e, r, p), ic = exp_idx(e, r, c);
    double a = e->rss_kb[ip], b = e->rss_kb[ic];
    uint32_t ha = e->hwm_kb ? e->hwm_kb[ip] : KB_MISSING, hb = e->hwm_kb ? e->hwm_kb[ic] : KB_MISSING;
    if (ha != KB_MISSING && hb != KB_MISSING)
        return hb < ha && b <= a * (1.0 - e->man.th.restart_drop);
    return b <= a * 0.5;
}

static void guess_move(const experiment *e, const membership *m, const results *res, size_t r,
                       size_t gu, const char *other, move_guess *mv)
{
    memset(mv, 0, sizeof *mv);
    size_t first = SIZE_MAX, last = SIZE_MAX;
    for (size_t c = 0; c < e->ncoll; c++)
        if (e->rss_kb[exp_idx(e, r, c)] != KB_MISSING && membership_has(m, e, gu, r, c)) {
            if (first == SIZE_MAX)
                first = c;
            last = c;
        }
    if (first == SIZE_MAX || first == last)
        return;
    int64_t t0 = e->times[first], t1 = e->times[last];
    const event *mig = NULL;
    for (size_t i = 0; i < e->nevents && !mig; i++) {
        const event *ev = &e->events[i];
        if (ev->type && str_ieq(ev->type, "migration") && ev->t > t0 && ev->t <= t1 &&
            (event_names(m, ev->group, m->groups[gu].id) || event_names(m, ev->group, other)))
            mig = ev;
    }
    const restart *pick = NULL, *last_drop = NULL, *last_event = NULL;
    for (size_t i = 0; i < res->nrestarts; i++) {
        const restart *rs = &res->restarts[i];
        if (rs->relay != r || rs->c <= first || rs->c > last)
            continue;
        if (mig && !pick && e->times[rs->c] >= mig->t)
            pick = rs;
        size_t p = prev_sample(e, r, rs->c);
        if (p != SIZE_MAX && data_drop(e, r, p, rs->c))
            last_drop = rs;
        else if (rs->from_event)
            last_event = rs;
    }
    if (!pick && mig) {
        mv->found = true;
        mv->end_t = mv->start_t = mig->t;
        mv->reason = "a migration event";
        return;
    }
    if (!pick)
        pick = last_drop ? last_drop : last_event;
    if (!pick)
        return;
    size_t p = prev_sample(e, r, pick->c);
    bool drop = p != SIZE_MAX && data_drop(e, r, p, pick->c);
    mv->found = true;
    if (pick->from_event) {
        mv->end_t = mv->start_t = pick->t;
    } else {
        mv->end_t = e->times[p];
        mv->start_t = e->times[pick->c];
    }
    mv->reason = mig && pick->from_event && drop ? "a restart event after a migration event; RSS "
                                                   "and hwm_kb fell"
                 : mig && pick->from_event        ? "a restart event after a migration event"
                 : mig                            ? "RSS and hwm_kb fell, after a migration event"
                 : pick->from_event && drop       ? "a restart event; RSS and hwm_kb fell"
                 : pick->from_event               ? "a restart event"
                                                  : "RSS and hwm_kb fell";
}

/* "2026-01-05T10:58:00": local time as the manifest writes it. */
static void manifest_time(int64_t t, int tz, char *buf, size_t n)
{
    char iso[48];
    timestamp_format_iso(t, tz, iso, sizeof iso);
    snprintf(buf, n, "%.19s", iso);
}

/* One relay's reading: its distinct groups, in the order used groups
 * first, and for each the files (used or not). */
typedef struct {
    const char *gid[8];
    size_t ngid;
    bool gused[8];
} reading;

static bool has_histor(const stmt *s, size_t n, const char *gid)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(s[i].gid, gid) && s[i].file && strstr(s[i].file, "histor"))
            return true;
    return false;
}

/* Builds the signature of relay r's statements s[0..n) into b (the text of
 * the finding without the relay names) and reports the first line to cite. */
static void describe(const experiment *e, const membership *m, const results *res, size_t r,
                     const stmt *s, size_t n, const reading *rd, strbuf *b, const stmt **cite,
                     move_guess *mv, long *from_g, const char **to_id)
{
    *cite = NULL;
    size_t nused = 0;
    for (size_t k = 0; k < rd->ngid; k++)
        nused += rd->gused[k];
    for (size_t k = 0; k < rd->ngid; k++) {
        buf_printf(b, "%s %s in ", k == 0 ? "" : k + 1 == rd->ngid ? " and for" : ", for",
                   rd->gid[k]);
        size_t nf = 0;
        for (size_t i = 0; i < n; i++) {
            if (!str_eq(s[i].gid, rd->gid[k]))
                continue;
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++)
                dup = str_eq(s[j].gid, s[i].gid) && str_eq(s[j].file, s[i].file);
            if (dup)
                continue;
            if (!*cite && !s[i].used)
                *cite = &s[i];
            buf_printf(b, "%s%s", nf++ ? " and " : "", s[i].file);
            if (nused < rd->ngid)
                buf_puts(b, s[i].used ? " (the list the figures use)" : " (not used)");
        }
    }
    if (!*cite)
        for (size_t i = 0; i < n && !*cite; i++)
            if (rd->ngid > 1 && str_eq(s[i].gid, rd->gid[1]))
                *cite = &s[i];
    memset(mv, 0, sizeof *mv);
    *from_g = -1;
    *to_id = NULL;
    if (rd->ngid == 2 && nused == 1) {
        long gu = membership_find(m, rd->gid[0]);
        if (gu >= 0) {
            guess_move(e, m, res, r, (size_t)gu, rd->gid[1], mv);
            *from_g = gu;
            *to_id = rd->gid[1];
        }
    }
    if (mv->found) {
        bool back = has_histor(s, n, rd->gid[1]);
        char when[32];
        timestamp_format_human(mv->start_t, e->man.tz_offset_min, when, sizeof when);
        buf_printf(b, "|%s|%s|%lld|%lld|%s", back ? rd->gid[1] : rd->gid[0],
                   back ? rd->gid[0] : rd->gid[1], (long long)mv->end_t, (long long)mv->start_t,
                   mv->reason);
    } else {
        buf_printf(b, "|%zu", nused);
    }
}

typedef struct {
    char *sig;
    size_t *relays;
    size_t nrelays;
    const stmt *cite;
    move_guess mv;
    bool back;            /* moved into the group the figures use */
    const char *used_id, *other_id;
    size_t nused;
} cluster;

static void list_relays(const experiment *e, const cluster *c, strbuf *b)
{
    size_t shown = c->nrelays > RELAYS_SHOWN ? RELAYS_SHOWN : c->nrelays;
    for (size_t i = 0; i < shown; i++)
        buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == c->nrelays ? " and " : ", ",
                   relay_label(&e->relays[c->relays[i]]));
    if (c->nrelays > shown)
        buf_printf(b, " and %zu more", c->nrelays - shown);
}

/* {"relay": "x", "end": "T"}, ... for every relay of the cluster. */
static void entries(const experiment *e, const cluster *c, const char *key, int64_t t,
                    strbuf *b)
{
    char ts[32];
    manifest_time(t, e->man.tz_offset_min, ts, sizeof ts);
    size_t shown = c->nrelays > RELAYS_SHOWN ? RELAYS_SHOWN : c->nrelays;
    for (size_t i = 0; i < shown; i++) {
        const relay *rl = &e->relays[c->relays[i]];
        buf_printf(b, "%s{\"relay\": \"%s\", \"%s\": \"%s\"}", i ? ", " : "",
                   !str_empty(rl->nickname) ? rl->nickname : rl->fingerprint, key, ts);
    }
    if (c->nrelays > shown)
        buf_printf(b, " and the same for the other %zu", c->nrelays - shown);
}

static void emit(const experiment *e, const membership *m, const cluster *c, results *res)
{
    strbuf b;
    buf_init(&b);
    list_relays(e, c, &b);
    bool one = c->nrelays == 1;
    buf_printf(&b, " %s listed for", one ? "is" : "are");
    const char *bar = strchr(c->sig, '|');
    buf_putn(&b, c->sig, bar ? (size_t)(bar - c->sig) : strlen(c->sig));
    if (c->mv.found) {
        const char *from = c->back ? c->other_id : c->used_id;
        const char *to = c->back ? c->used_id : c->other_id;
        char when[32];
        timestamp_format_human(c->mv.start_t, e->man.tz_offset_min, when, sizeof when);
        if (c->mv.end_t != c->mv.start_t) {
            char before[32];
            timestamp_format_human(c->mv.end_t, e->man.tz_offset_min, before, sizeof before);
            buf_printf(&b, "; %s probably moved from %s to %s between %s and %s (%s)",
                       one ? "it" : "they", from, to, before, when, c->mv.reason);
        } else {
            buf_printf(&b, "; %s probably moved from %s to %s at %s (%s)", one ? "it" : "they",
                       from, to, when, c->mv.reason);
        }
        buf_printf(&b, ", but the figures count %s in %s throughout. To state the move, give "
                       "groups.%s.members in experiment.json as a list with ",
                   one ? "it" : "them", c->used_id, from);
        entries(e, c, "end", c->mv.end_t, &b);
        buf_printf(&b, " and groups.%s.members with ", to);
        entries(e, c, "start", c->mv.start_t, &b);
        (void)m;
    } else if (c->nused > 1) {
        buf_printf(&b, "; the figures use every one of these lists, so %s in each group "
                       "wherever the windows overlap",
                   one ? "it counts" : "they count");
    } else {
        buf_printf(&b, "; check which group %s belonged to, and when", one ? "it" : "they");
    }
    buf_puts(&b, ".");
    quality_add(res, FINDING_CROSS_LISTED, false, c->cite ? c->cite->file : NULL,
                c->cite ? c->cite->line : 0, b.data);
    buf_free(&b);
}

void crosscheck_collect(const experiment *e, const membership *m, results *res)
{
    if (!e->nrelays)
        return;
    relay_index ix;
    relay_index_build(&ix, e);
    size_t *hit = xmalloc(e->nrelays * sizeof *hit);
    stmt_list l = {0};
    gather(e, m, &ix, &l, hit);
    uint8_t **excl = exclusions(e, m, &ix, hit);
    if (l.n > 1) /* l.v is NULL when nothing was gathered */
        qsort(l.v, l.n, sizeof *l.v, cmp_stmt);

    cluster *cl = NULL;
    size_t ncl = 0, capcl = 0;
    strbuf sig;
    buf_init(&sig);
    for (size_t i = 0; i < l.n;) {
        size_t j = i, r = l.v[i].relay;
        while (j < l.n && l.v[j].relay == r)
            j++;
        /* Statements for groups the manifest excludes the relay from do
         * not count: the manifest has said where it is not. */
        stmt *s = l.v + i;
        size_t n = 0;
        for (size_t k = i; k < j; k++) {
            long g = membership_find(m, l.v[k].gid);
            if (g >= 0 && excl[g] && excl[g][r])
                continue;
            s[n++] = l.v[k];
        }
        reading rd = {0};
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < n && rd.ngid < 8; k++) {
                bool known = false;
                for (size_t q = 0; q < rd.ngid && !known; q++)
                    known = str_eq(rd.gid[q], s[k].gid);
                bool used = false;
                for (size_t q = 0; q < n; q++)
                    used |= str_eq(s[q].gid, s[k].gid) && s[q].used;
                if (!known && used == (pass == 0)) {
                    rd.gused[rd.ngid] = used;
                    rd.gid[rd.ngid++] = s[k].gid;
                }
            }
        if (rd.ngid >= 2 && !window_stated(m, r)) {
            buf_reset(&sig);
            const stmt *cite;
            move_guess mv;
            long from_g;
            const char *to_id;
            describe(e, m, res, r, s, n, &rd, &sig, &cite, &mv, &from_g, &to_id);
            size_t k = 0;
            while (k < ncl && !str_eq(cl[k].sig, sig.data))
                k++;
            if (k == ncl) {
                xgrow((void **)&cl, &capcl, ncl + 1, sizeof *cl);
                size_t nused = 0;
                for (size_t q = 0; q < rd.ngid; q++)
                    nused += rd.gused[q];
                cl[ncl++] = (cluster){xstrdup(sig.data), NULL, 0, cite, mv,
                                      mv.found && has_histor(s, n, rd.gid[1]), rd.gid[0],
                                      rd.gid[1], nused};
            }
            cl[k].relays = xrealloc(cl[k].relays, (cl[k].nrelays + 1) * sizeof *cl[k].relays);
            cl[k].relays[cl[k].nrelays++] = r;
        }
        i = j;
    }
    for (size_t k = 0; k < ncl; k++) {
        emit(e, m, &cl[k], res);
        free(cl[k].sig);
        free(cl[k].relays);
    }
    free(cl);
    buf_free(&sig);
    for (size_t g = 0; g < m->ngroups; g++)
        free(excl[g]);
    free(excl);
    free(l.v);
    free(hit);
    relay_index_free(&ix);
}
