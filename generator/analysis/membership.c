/* membership.c - resolves which relays belong to which group, and when.
 *
 * Static sources (a manifest list or file, relay_config.csv, a group file)
 * give a fixed member set per group; the memory CSV's `group` column gives
 * membership per sample, so a relay moved from reserve (empty value) into a
 * group mid-experiment counts from that row on. Each group also has a time
 * window. Overlaps (a relay counted in two groups at one collection) are
 * recorded and reported, because both groups' numbers include that relay. */
#include "membership.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "palette.h"
#include "strmap.h"
#include "timestamp.h"
#include "util.h"


void relay_index_build(relay_index *ix, const experiment *e)
{
    strmap_init(&ix->nick);
    strmap_init(&ix->fp);
    ix->next_nick = xmalloc((e->nrelays ? e->nrelays : 1) * sizeof *ix->next_nick);
    ix->next_fp = xmalloc((e->nrelays ? e->nrelays : 1) * sizeof *ix->next_fp);
    /* Insert backwards so each chain lists relays in index order. */
    for (size_t i = e->nrelays; i-- > 0;) {
        const relay *r = &e->relays[i];
        size_t head;
        ix->next_nick[i] = ix->next_fp[i] = SIZE_MAX;
        if (!str_empty(r->nickname)) {
            size_t n = strlen(r->nickname);
            ix->next_nick[i] = strmap_get(&ix->nick, r->nickname, n, &head) ? head : SIZE_MAX;
            strmap_put(&ix->nick, r->nickname, n, i);
        }
        if (!str_empty(r->fingerprint)) {
            size_t n = strlen(r->fingerprint);
            ix->next_fp[i] = strmap_get(&ix->fp, r->fingerprint, n, &head) ? head : SIZE_MAX;
            strmap_put(&ix->fp, r->fingerprint, n, i);
        }
    }
}

void relay_index_free(relay_index *ix)
{
    strmap_free(&ix->nick);
    strmap_free(&ix->fp);
    free(ix->next_nick);
    free(ix->next_fp);
}

/* The relays the name denotes, as a chain: its first relay in *first and
 * the array that links each to the next (SIZE_MAX ends it), or NULL when
 * it denotes none. A fingerprint (any case) is looked up as one first,
 * then as a nickname. */
static const size_t *index_find(const relay_index *ix, const char *name, size_t *first)
{
    if (is_fingerprint(name)) {
        char up[41];
        for (int i = 0; i < 40; i++)
            up[i] = (char)toupper((unsigned char)name[i]);
        up[40] = '\0';
        if (strmap_get(&ix->fp, up, 40, first))
            return ix->next_fp;
    }
    return strmap_get(&ix->nick, name, strlen(name), first) ? ix->next_nick : NULL;
}

/* Sets mask[r] = val for every relay the name denotes; returns how many. */
static size_t index_mark(const relay_index *ix, const char *name, uint8_t *mask, uint8_t val)
{
    size_t hits = 0, r;
    const size_t *next = index_find(ix, name, &r);
    for (; next && r != SIZE_MAX; r = next[r], hits++)
        mask[r] = val;
    return hits;
}

size_t relay_index_collect(const relay_index *ix, const char *name, size_t *out)
{
    size_t hits = 0, r;
    const size_t *next = index_find(ix, name, &r);
    for (; next && r != SIZE_MAX; r = next[r])
        out[hits++] = r;
    return hits;
}

/* The members' own windows of a manifest list. A relay listed more than
 * once gets the union of its windows (a plain listing is the whole data).
 * Leaves g->mstart NULL when no entry has a window. */
static void member_windows(group *g, const relay_index *ix, const manifest_group *spec,
                           size_t nrelays)
{
    bool any = false;
    for (size_t i = 0; spec->member_start && i < spec->nmembers && !any; i++)
        any = spec->member_start[i] != TIME_NONE || spec->member_end[i] != TIME_NONE;
    if (!any)
        return;
    size_t n = nrelays ? nrelays : 1;
    g->mstart = xmalloc(n * sizeof *g->mstart);
    g->mend = xmalloc(n * sizeof *g->mend);
    for (size_t r = 0; r < n; r++) {
        g->mstart[r] = INT64_MAX; /* not listed yet */
        g->mend[r] = INT64_MIN;
    }
    size_t *hit = xmalloc(n * sizeof *hit);
    for (size_t i = 0; i < spec->nmembers; i++) {
        int64_t s = spec->member_start[i] != TIME_NONE ? spec->member_start[i] : INT64_MIN;
        int64_t e = spec->member_end[i] != TIME_NONE ? spec->member_end[i] : INT64_MAX;
        size_t k = relay_index_collect(ix, spec->members[i], hit);
        for (size_t j = 0; j < k; j++) {
            if (s < g->mstart[hit[j]])
                g->mstart[hit[j]] = s;
            if (e > g->mend[hit[j]])
                g->mend[hit[j]] = e;
        }
    }
    free(hit);
}

static void add_missing(group *g, const char *name)
{
    for (size_t i = 0; i < g->nmissing; i++)
        if (str_eq(g->missing[i], name))
            return;
    g->missing = xrealloc(g->missing, (g->nmissing + 1) * sizeof *g->missing);
    g->missing[g->nmissing++] = xstrdup(name);
}

static void mark_list(group *g, const relay_index *ix, char *const *names, size_t n, size_t nrelays)
{
    if (!g->member)
        g->member = xcalloc(nrelays ? nrelays : 1, 1);
    for (size_t i = 0; i < n; i++)
        if (!str_empty(names[i]) && !index_mark(ix, names[i], g->member, 1))
            add_missing(g, names[i]);
}

static const char *strip_dot(const char *p)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    return p;
}

static const group_file *find_gfile_path(const experiment *e, const char *path)
{
    for (size_t i = 0; i < e->ngfiles; i++)
        if (e->gfiles[i].path && str_eq(strip_dot(e->gfiles[i].path), strip_dot(path)))
            return &e->gfiles[i];
    return NULL;
}

/* Group files found under groups/ (not files read only because the
 * manifest named them elsewhere). */
static bool gfile_discovered(const group_file *f)
{
    return f->id && f->path && !f->manifest_only;
}

static long find_colgroup(const experiment *e, const char *id)
{
    if (!e->col_group)
        return -1;
    for (size_t i = 0; i < e->ncolgroups; i++)
        if (str_eq(e->colgroups[i], id))
            return (long)i;
    return -1;
}

static bool config_has_group(const experiment *e, const char *id)
{
    for (size_t i = 0; i < e->nassignments; i++)
        if (str_eq(e->assignments[i].group, id))
            return true;
    return false;
}

/* Fills g's members from the first source that has any for its ID.
 * Returns false after adding an error. */
static bool resolve_group(const experiment *e, const relay_index *ix, group *g, diag_list *d)
{
    const manifest_group *spec = g->spec;
    const char *mfile = e->man.present ? "experiment.json" : NULL;
    long mline = spec ? spec->line : 0;

    if (spec && spec->has_members) {
        if (spec->members_file) {
            const group_file *f = find_gfile_path(e, spec->members_file);
            if (!f) {
                diag_error(d, mfile, mline, "group %s: members file '%s' was not read", g->id,
                           spec->members_file);
                return false;
            }
            g->source = MEMBERS_MANIFEST_FILE;
            g->source_path = xstrdup(f->path);
            mark_list(g, ix, f->members, f->nmembers, e->nrelays);
        } else {
            g->source = MEMBERS_MANIFEST_LIST;
            mark_list(g, ix, spec->members, spec->nmembers, e->nrelays);
            member_windows(g, ix, spec, e->nrelays);
        }
        return true;
    }
    long cg = find_colgroup(e, g->id);
    if (cg >= 0) {
        g->source = MEMBERS_GROUP_COLUMN;
        g->colgroup = (uint16_t)cg;
        g->source_path = xstrdup(e->memory_path);
        return true;
    }
    if (config_has_group(e, g->id)) {
        g->source = MEMBERS_RELAY_CONFIG;
        g->source_path = xstrdup("relay_config.csv");
        g->member = xcalloc(e->nrelays ? e->nrelays : 1, 1);
        for (size_t i = 0; i < e->nassignments; i++)
            if (str_eq(e->assignments[i].group, g->id) &&
                !index_mark(ix, e->assignments[i].key, g->member, 1))
                add_missing(g, e->assignments[i].key);
        return true;
    }
    const group_file *hit = NULL;
    size_t nhits = 0;
    for (size_t i = 0; i < e->ngfiles; i++)
        if (gfile_discovered(&e->gfiles[i]) && str_eq(e->gfiles[i].id, g->id)) {
            hit = hit ? hit : &e->gfiles[i];
            nhits++;
        }
    if (nhits > 1) {
        strbuf b;
        buf_init(&b);
        size_t k = 0;
        for (size_t i = 0; i < e->ngfiles; i++)
            if (gfile_discovered(&e->gfiles[i]) && str_eq(e->gfiles[i].id, g->id))
                buf_printf(&b, "%s%s", k++ ? ", " : "", e->gfiles[i].path);
        diag_error(d, mfile ? mfile : "groups", mline,
                   "group %s has %zu member files (%s); choose one in experiment.json with "
                   "\"members\": \"groups/FILE\" (memreport init writes a first "
                   "experiment.json)",
                   g->id, nhits, b.data);
        buf_free(&b);
        return false;
    }
    if (nhits == 1) {
        g->source = MEMBERS_GROUP_FILE;
        g->source_path = xstrdup(hit->path);
        mark_list(g, ix, hit->members, hit->nmembers, e->nrelays);
        return true;
    }
    diag_error(d, mfile, mline,
               "unknown group %s: no members in the manifest, no '%s' in the group column, "
               "relay_config.csv or groups/group_%s_*.txt",
               g->id, g->id, g->id);
    return false;
}

/* "glibc historical" from groups/group_E_glibc_historical.txt when the
 * file is group E's; NULL when the name has no slug or another ID. */
static char *name_from_slug(const char *path, const char *id)
{
    if (!path)
        return NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t il = strlen(id);
    if (!str_starts(base, "group_") || strncmp(base + 6, id, il) != 0 || base[6 + il] != '_' ||
        !str_ends(base, ".txt"))
        return NULL;
    const char *s = base + 7 + il;
    size_t n = strlen(s) - 4;
    if (!n)
        return NULL;
    char *name = xstrndup(s, n);
    for (char *p = name; *p; p++)
        if (*p == '_')
            *p = ' ';
    return name;
}

static void apply_exclude(const experiment *e, const relay_index *ix, group *g)
{
    if (!g->spec || !g->spec->nexclude)
        return;
    uint8_t **mask = &g->member;
    uint8_t val = 0;
    if (g->source == MEMBERS_GROUP_COLUMN) {
        g->excluded = xcalloc(e->nrelays ? e->nrelays : 1, 1);
        mask = &g->excluded;
        val = 1;
    }
    for (size_t i = 0; i < g->spec->nexclude; i++)
        index_mark(ix, g->spec->exclude[i], *mask, val);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Group IDs when the manifest lists none: the first source that has any. */
static char **discover_ids(const experiment *e, size_t *n)
{
    char **ids = NULL;
    size_t nids = 0, cap = 0;
    strmap seen;
    strmap_init(&seen);
#define ADD_ID(s)                                                                          \
    do {                                                                                   \
        const char *s_ = (s);                                                              \
        if (!str_empty(s_) && !strmap_get(&seen, s_, strlen(s_), NULL)) {                  \
            strmap_put(&seen, s_, strlen(s_), nids);                                       \
            xgrow((void **)&ids, &cap, nids + 1, sizeof *ids);                             \
            ids[nids++] = xstrdup(s_);                                                     \
        }                                                                                  \
    } while (0)
    if (e->col_group)
        for (size_t i = 0; i < e->ncolgroups; i++)
            ADD_ID(e->colgroups[i]);
    if (!nids)
        for (size_t i = 0; i < e->nassignments; i++)
            ADD_ID(e->assignments[i].group);
    if (!nids)
        for (size_t i = 0; i < e->ngfiles; i++)
            if (gfile_discovered(&e->gfiles[i]))
                ADD_ID(e->gfiles[i].id);
#undef ADD_ID
    strmap_free(&seen);
    if (nids)
        qsort(ids, nids, sizeof *ids, cmp_str);
    *n = nids;
    return ids;
}

bool membership_relay_mask(const membership *m, const experiment *e, size_t g, size_t r,
                    unsigned char *in)
{
    const group *gr = &m->groups[g];
    const size_t n = e->ncoll;
    const bool column = gr->source == MEMBERS_GROUP_COLUMN;
    if (column ? !e->col_group || (gr->excluded && gr->excluded[r])
               : !(gr->member && gr->member[r])) {
        memset(in, 0, n);
        return false;
    }
    /* The same tests as membership_has, the relay's part hoisted. */
    int64_t lo = gr->start, hi = gr->end;
    if (gr->mstart) {
        lo = gr->mstart[r] > lo ? gr->mstart[r] : lo;
        hi = gr->mend[r] < hi ? gr->mend[r] : hi;
    }
    const uint16_t *cg = column ? e->col_group + exp_idx(e, r, 0) : NULL;
    bool any = false;
    for (size_t c = 0; c < n; c++) {
        int64_t t = e->times[c];
        in[c] = t >= lo && t <= hi && (!cg || cg[c] == gr->colgroup);
        any |= in[c];
    }
    return any;
}

/* Could relay r be a member of g at some time (window aside)? */
static bool maybe_member(const membership *m, const experiment *e, size_t g, size_t r)
{
    const group *gr = &m->groups[g];
    if (gr->source != MEMBERS_GROUP_COLUMN)
        return gr->member && gr->member[r];
    if (!e->col_group || (gr->excluded && gr->excluded[r]))
        return false;
    for (size_t c = 0; c < e->ncoll; c++)
        if (e->col_group[exp_idx(e, r, c)] == gr->colgroup)
            return true;
    return false;
}

static void find_overlaps(membership *m, const experiment *e)
{
    size_t cap = 0;
    size_t *cand = xmalloc((m->ngroups ? m->ngroups : 1) * sizeof *cand);
    m->ungrouped = xcalloc(e->nrelays ? e->nrelays : 1, 1);
    for (size_t r = 0; r < e->nrelays; r++) {
        size_t nc = 0;
        for (size_t g = 0; g < m->ngroups; g++)
            if (maybe_member(m, e, g, r))
                cand[nc++] = g;
        if (!nc) {
            m->ungrouped[r] = 1;
            m->nungrouped++;
        }
        for (size_t i = 0; i < nc; i++)
            for (size_t j = i + 1; j < nc; j++) {
                overlap o = {r, cand[i], cand[j], TIME_NONE, TIME_NONE};
                for (size_t c = 0; c < e->ncoll; c++) {
                    if (e->rss_kb[exp_idx(e, r, c)] == KB_MISSING ||
                        !membership_has(m, e, cand[i], r, c) ||
                        !membership_has(m, e, cand[j], r, c))
                        continue;
                    if (o.from == TIME_NONE)
                        o.from = e->times[c];
                    o.to = e->times[c];
                }
                if (o.from == TIME_NONE)
                    continue;
                xgrow((void **)&m->overlaps, &cap, m->noverlaps + 1, sizeof *m->overlaps);
                m->overlaps[m->noverlaps++] = o;
            }
    }
    free(cand);
}

size_t membership_overlap_messages(const membership *m, const experiment *e, char ***out)
{
    char **msgs = NULL;
    size_t n = 0;
    uint8_t *done = xcalloc(m->noverlaps ? m->noverlaps : 1, 1);
    for (size_t i = 0; i < m->noverlaps; i++) {
        if (done[i])
            continue;
        const overlap *o = &m->overlaps[i];
        size_t k = 0, cnt = 0;
        for (size_t j = i; j < m->noverlaps; j++) {
            const overlap *p = &m->overlaps[j];
            if (!done[j] && p->g1 == o->g1 && p->g2 == o->g2 && p->from == o->from)
                cnt++;
        }
        strbuf b;
        buf_init(&b);
        for (size_t j = i; j < m->noverlaps; j++) {
            const overlap *p = &m->overlaps[j];
            if (done[j] || p->g1 != o->g1 || p->g2 != o->g2 || p->from != o->from)
                continue;
            done[j] = 1;
            k++;
            buf_printf(&b, "%s%s", k == 1 ? "" : k == cnt ? " and " : ", ",
                       relay_label(&e->relays[p->relay]));
        }
        char when[32];
        timestamp_format_human(o->from, e->man.tz_offset_min, when, sizeof when);
        msgs = xrealloc(msgs, (n + 1) * sizeof *msgs);
        msgs[n++] = xasprintf("%s %s in both %s and %s from %s; %s in both groups", b.data,
                              cnt == 1 ? "is" : "are", m->groups[o->g1].id,
                              m->groups[o->g2].id, when, cnt == 1 ? "it counts" : "they count");
        buf_free(&b);
    }
    free(done);
    *out = msgs;
    return n;
}

/* One warning (error when strict) per pair of groups and start time, naming
 * the relays, so the reader sees at once which numbers are double-counted. */
static void report_overlaps(const membership *m, const experiment *e, bool strict, diag_list *d)
{
    char **msgs;
    size_t n = membership_overlap_messages(m, e, &msgs);
    for (size_t i = 0; i < n; i++) {
        diag_add(d, strict ? DIAG_ERROR : DIAG_WARNING, e->man.present ? "experiment.json" : NULL,
                 0, 0, "%s", msgs[i]);
        free(msgs[i]);
    }
    free(msgs);
}

/* Without any group information (routine monitoring) the report is over
 * every relay: one group `all`. With no relay rows at all (aggregate rows
 * only) there is no group, and the report is the server total alone. */
static int monitoring_group(const experiment *e, membership *m)
{
    m->ungrouped = xcalloc(e->nrelays ? e->nrelays : 1, 1);
    if (!e->nrelays)
        return 0;
    m->groups = xcalloc(1, sizeof *m->groups);
    m->ngroups = 1;
    group *g = &m->groups[0];
    g->id = xstrdup(MEMBERSHIP_ALL_ID);
    g->name = xstrdup("all relays");
    g->color = xstrdup(palette_color(0));
    g->source = MEMBERS_ALL;
    g->start = INT64_MIN;
    g->end = INT64_MAX;
    g->member = xmalloc(e->nrelays);
    memset(g->member, 1, e->nrelays);
    for (size_t r = 0; r < e->nrelays; r++)
        for (size_t c = 0; c < e->ncoll; c++)
            if (e->rss_kb[exp_idx(e, r, c)] != KB_MISSING) {
                g->nmembers++;
                break;
            }
    return 0;
}

/* experiment_groups_fit for the nids groups membership resolves, the
 * error named where they come from: the manifest's group past the limit,
 * else the source discover_ids took them from. */
static bool groups_fit(const experiment *e, size_t nids, diag_list *d)
{
    char *why;
    if (experiment_groups_fit(nids, e->nrelays, &why))
        return true;
    const char *file = e->man.ngroups    ? "experiment.json"
                       : e->col_group    ? NULL
                       : e->nassignments ? "relay_config.csv"
                                         : "groups";
    long line = 0;
    if (e->man.ngroups)
        line = e->man.groups[nids > EXPERIMENT_MAX_GROUPS ? EXPERIMENT_MAX_GROUPS : 0].line;
    diag_error(d, file, line, "%s%s", why,
               file ? "" : " (in the group column of the memory CSV)");
    free(why);
    return false;
}

int membership_check_count(const experiment *e, diag_list *d)
{
    size_t nids = e->man.ngroups;
    char **ids = nids ? NULL : discover_ids(e, &nids);
    bool fit = groups_fit(e, nids, d);
    for (size_t i = 0; ids && i < nids; i++)
        free(ids[i]);
    free(ids);
    return fit ? 0 : 1;
}

int membership_resolve(const experiment *e, bool strict, membership *m, diag_list *d)
{
    memset(m, 0, sizeof *m);
    size_t nerr0 = d->nerrors;
    char **ids = NULL;
    size_t nids = 0;
    if (e->man.ngroups) {
        nids = e->man.ngroups;
    } else {
        ids = discover_ids(e, &nids);
        if (!nids)
            return monitoring_group(e, m);
    }
    if (!groups_fit(e, nids, d)) {
        for (size_t i = 0; i < nids; i++)
            free(ids ? ids[i] : NULL);
        free(ids);
        return 1;
    }
    m->groups = xcalloc(nids, sizeof *m->groups);
    m->ngroups = nids;
    relay_index ix;
    relay_index_build(&ix, e);
    for (size_t i = 0; i < nids; i++) {
        group *g = &m->groups[i];
        const manifest_group *spec = e->man.ngroups ? &e->man.groups[i] : NULL;
        g->spec = spec;
        g->id = xstrdup(spec ? spec->id : ids[i]);
        g->name = xstrdup(spec && !str_empty(spec->name) ? spec->name : g->id);
        g->color = xstrdup(spec && spec->color ? spec->color : palette_color(i));
        g->start = spec && spec->start != TIME_NONE ? spec->start : INT64_MIN;
        g->end = spec && spec->end != TIME_NONE ? spec->end : INT64_MAX;
        if (resolve_group(e, &ix, g, d))
            apply_exclude(e, &ix, g);
        if (!spec || str_empty(spec->name)) {
            /* The users name their member files group_<ID>_<slug>.txt. */
            char *slug = g->source == MEMBERS_GROUP_FILE || g->source == MEMBERS_MANIFEST_FILE
                             ? name_from_slug(g->source_path, g->id)
                             : NULL;
            if (slug) {
                free(g->name);
                g->name = slug;
            }
        }
    }
    relay_index_free(&ix);
    for (size_t i = 0; i < nids; i++)
        free(ids ? ids[i] : NULL);
    free(ids);
    if (d->nerrors > nerr0)
        return 1;

    for (size_t g = 0; g < m->ngroups; g++)
        for (size_t r = 0; r < e->nrelays; r++)
            for (size_t c = 0; c < e->ncoll && membership_may_have(m, g, r); c++)
                if (e->rss_kb[exp_idx(e, r, c)] != KB_MISSING && membership_has(m, e, g, r, c)) {
                    m->groups[g].nmembers++;
                    break;
                }
    find_overlaps(m, e);
    report_overlaps(m, e, strict, d);
    return d->nerrors > nerr0 ? 1 : 0;
}

void membership_free(membership *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->ngroups; i++) {
        group *g = &m->groups[i];
        free(g->id);
        free(g->name);
        free(g->color);
        free(g->source_path);
        free(g->member);
        free(g->excluded);
        free(g->mstart);
        free(g->mend);
        for (size_t j = 0; j < g->nmissing; j++)
            free(g->missing[j]);
        free(g->missing);
    }
    free(m->groups);
    free(m->overlaps);
    free(m->ungrouped);
    memset(m, 0, sizeof *m);
}

int64_t membership_member_start(const membership *m, size_t g, size_t r)
{
    const group *gr = &m->groups[g];
    int64_t s = gr->start;
    if (gr->mstart && gr->mstart[r] > s && gr->mstart[r] != INT64_MAX)
        s = gr->mstart[r];
    return s;
}

long membership_find(const membership *m, const char *id)
{
    for (size_t i = 0; i < m->ngroups; i++)
        if (str_eq(m->groups[i].id, id))
            return (long)i;
    return -1;
}

int membership_check_baseline(const experiment *e, diag_list *d)
{
    const char *b = e->man.baseline;
    if (!b || !*b || e->man.ngroups)
        return 0;
    for (size_t i = 0; i < e->ngfiles; i++)
        if (str_eq(e->gfiles[i].id, b))
            return 0;
    for (size_t i = 0; i < e->nassignments; i++)
        if (str_eq(e->assignments[i].group, b))
            return 0;
    for (size_t i = 0; i < e->ncolgroups; i++)
        if (str_eq(e->colgroups[i], b))
            return 0;
    char *mpath = path_join(e->dir ? e->dir : ".", "experiment.json");
    diag_add(d, DIAG_ERROR, mpath, e->man.baseline_line, 0,
             "baseline \"%s\" names no group (not in the manifest, the group column, "
             "relay_config.csv or groups/)",
             b);
    free(mpath);
    return 1;
}
