/* manifest_init.c - the experiment.json that `memreport init` writes (see
 * manifest_init.h): what an experiment directory already says, as a
 * manifest the user reviews and completes. */
#include "manifest_init.h"

#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "restarts.h"
#include "timestamp.h"
#include "util.h"

/* One group found in the directory, with its member files. */
typedef struct {
    const char *id;
    const group_file **files;
    size_t nfiles;
} found_group;

static found_group *find_group(found_group **v, size_t *n, size_t *cap, const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (str_eq((*v)[i].id, id))
            return &(*v)[i];
    xgrow((void **)v, cap, *n + 1, sizeof **v);
    (*v)[*n] = (found_group){id, NULL, 0};
    return &(*v)[(*n)++];
}

static void add_note(char ***notes, size_t *n, char *s)
{
    *notes = xrealloc(*notes, (*n + 1) * sizeof **notes);
    (*notes)[(*n)++] = s;
}

/* The file to use of several for one group: the plainest name (fewest
 * characters, then alphabetical), which is the operators' current list;
 * "_historical" and similar variants are kept as alternatives. */
static size_t pick_file(const found_group *g)
{
    size_t best = 0;
    for (size_t i = 1; i < g->nfiles; i++) {
        size_t a = strlen(g->files[i]->path), b = strlen(g->files[best]->path);
        if (a < b || (a == b && strcmp(g->files[i]->path, g->files[best]->path) < 0))
            best = i;
    }
    return best;
}

/* "mimalloc209" from groups/group_B_mimalloc209.txt; NULL without a slug. */
static char *slug_name(const char *path, const char *id)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t il = strlen(id), n = strlen(base);
    if (n <= 6 + il + 1 + 4 || base[6 + il] != '_')
        return NULL;
    char *s = xstrndup(base + 7 + il, n - (7 + il) - 4);
    for (char *p = s; *p; p++)
        if (*p == '_')
            *p = ' ';
    return s;
}

/* The earliest event that names the group (not "all", not a restart,
 * migration or end), as local text in the experiment's zone; "" if none. */
static void start_from_events(const experiment *e, const char *id, int tz, char out[32])
{
    group tmp = {0};
    tmp.id = (char *)id;
    tmp.name = (char *)id;
    const event *best = NULL;
    for (size_t i = 0; i < e->nevents; i++) {
        const event *ev = &e->events[i];
        if (str_empty(ev->group) || str_ieq(ev->group, "all") || !ev->type ||
            str_ieq(ev->type, "restart") || str_ieq(ev->type, "migration") ||
            str_ieq(ev->type, "experiment_end") || !restarts_event_covers(ev->group, &tmp))
            continue;
        if (!best || ev->t < best->t)
            best = ev;
    }
    out[0] = '\0';
    if (!best)
        return;
    char iso[48];
    /* Naive event times were read as UTC (no manifest yet): their text is
     * the local time already. */
    timestamp_format_iso(best->t, best->had_offset ? tz : 0, iso, sizeof iso);
    snprintf(out, 32, "%.19s", iso);
}

void manifest_init_text(const experiment *e, const char *name, strbuf *out, char ***notes,
                        size_t *nnotes)
{
    *notes = NULL;
    *nnotes = 0;
    /* The timezone: the offset the inputs write where they write one. */
    int tz = 0;
    bool have_tz = false;
    for (size_t i = 0; i < e->nevents && !have_tz; i++)
        if (e->events[i].had_offset) {
            tz = e->events[i].offset_min;
            have_tz = true;
        }
    json_t *root = json_object();
    json_object_set_new(root, "id", json_string(name));
    json_object_set_new(root, "name", json_string(name));
    char tzs[16];
    snprintf(tzs, sizeof tzs, "%c%02d:%02d", tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
    json_object_set_new(root, "timezone", json_string(tzs));
    if (!have_tz)
        add_note(notes, nnotes,
                 xstrdup("no timestamp carries an offset, so the timezone is +00:00; set "
                         "\"timezone\" if the collectors write local time"));
    int64_t first = TIME_NONE, last = TIME_NONE;
    if (e->ncoll) {
        first = e->times[0];
        last = e->times[e->ncoll - 1];
    } else if (e->naggs) {
        first = e->aggs[0].t;
        last = e->aggs[e->naggs - 1].t;
    }
    if (first != TIME_NONE) {
        char d0[16], d1[16];
        timestamp_format_date(first, 0, d0, sizeof d0);
        timestamp_format_date(last, 0, d1, sizeof d1);
        json_object_set_new(root, "start_date", json_string(d0));
        json_object_set_new(root, "end_date", json_string(d1));
    }

    found_group *fg = NULL;
    size_t nfg = 0, cap = 0;
    for (size_t i = 0; i < e->ngfiles; i++) {
        const group_file *f = &e->gfiles[i];
        if (!f->id || f->manifest_only)
            continue;
        found_group *g = find_group(&fg, &nfg, &cap, f->id);
        g->files = xrealloc(g->files, (g->nfiles + 1) * sizeof *g->files);
        g->files[g->nfiles++] = f;
    }
    /* Groups the memory CSV or relay_config.csv name (no file needed). */
    for (size_t i = 0; e->col_group && i < e->ncolgroups; i++)
        find_group(&fg, &nfg, &cap, e->colgroups[i]);
    for (size_t i = 0; i < e->nassignments; i++)
        find_group(&fg, &nfg, &cap, e->assignments[i].group);

    if (nfg) {
        json_t *groups = json_object();
        for (size_t k = 0; k < nfg; k++) {
            const found_group *g = &fg[k];
            json_t *o = json_object();
            char start[32];
            start_from_events(e, g->id, tz, start);
            if (g->nfiles) {
                size_t p = pick_file(g);
                char *nm = slug_name(g->files[p]->path, g->id);
                json_object_set_new(o, "name", json_string(nm ? nm : g->id));
                free(nm);
                json_object_set_new(o, "members", json_string(g->files[p]->path));
                if (g->nfiles > 1) {
                    json_t *alt = json_array();
                    strbuf others;
                    buf_init(&others);
                    for (size_t i = 0; i < g->nfiles; i++)
                        if (i != p) {
                            json_array_append_new(alt, json_string(g->files[i]->path));
                            buf_printf(&others, "%s%s", others.len ? ", " : "",
                                       g->files[i]->path);
                        }
                    json_object_set_new(o, "alternatives", alt);
                    add_note(notes, nnotes,
                             xasprintf("group %s has %zu member files: using %s; %s listed "
                                       "under \"alternatives\" (choose in \"members\")",
                                       g->id, g->nfiles, g->files[p]->path, others.data));
                    buf_free(&others);
                }
            } else {
                json_object_set_new(o, "name", json_string(g->id));
            }
            if (*start)
                json_object_set_new(o, "start", json_string(start));
            json_object_set(groups, g->id, o);
            json_decref(o);
            free(g->files);
        }
        json_object_set_new(root, "groups", groups);
    } else {
        add_note(notes, nnotes,
                 xstrdup("no groups found: the report will be over every relay (add "
                         "groups/group_<ID>_<name>.txt files or \"groups\" to compare)"));
    }
    free(fg);
    jsonout_dump(root, out);
}
