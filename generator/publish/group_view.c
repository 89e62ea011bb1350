/* group_view.c - a subset of the groups, for a page (see group_view.h). */
#include "group_view.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void group_list_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

int group_list_parse(const char *text, char ***ids, size_t *n, char **why)
{
    *ids = NULL, *n = 0, *why = NULL;
    size_t cap = 0;
    const char *p = text ? text : "";
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            *why = xstrdup(*p || *n || p != text
                               ? "an empty group ID (give IDs separated by single commas)"
                               : "no group given (give IDs separated by commas, e.g. A,C)");
            break;
        }
        char *id = xasprintf("%.*s", (int)len, p);
        for (size_t i = 0; i < *n && !*why; i++)
            if (strcmp((*ids)[i], id) == 0)
                *why = xasprintf("group \"%s\" is given twice", id);
        if (*why) {
            free(id);
            break;
        }
        xgrow((void **)ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = id;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
    group_list_free(*ids, *n);
    *ids = NULL, *n = 0;
    return -1;
}

int group_view_resolve(const analysis *a, char *const *ids, size_t n, size_t *idx,
                       char **why)
{
    *why = NULL;
    for (size_t i = 0; i < n; i++) {
        long g = membership_find(&a->m, ids[i]);
        if (g >= 0) {
            idx[i] = (size_t)g;
            continue;
        }
        strbuf b;
        buf_init(&b);
        buf_printf(&b, "no group \"%s\" (groups: ", ids[i]);
        for (size_t k = 0; k < a->m.ngroups; k++)
            buf_printf(&b, "%s%s", k ? ", " : "", a->m.groups[k].id);
        buf_puts(&b, a->m.ngroups ? ")" : "none)");
        *why = buf_detach(&b);
        return -1;
    }
    return 0;
}

void group_view_make(const analysis *a, const size_t *idx, size_t n, analysis *view)
{
    *view = *a;
    bool base_shown = a->r.ngroups == 0;
    for (size_t i = 0; i < n; i++)
        base_shown |= idx[i] == a->r.baseline;
    size_t slots = n + !base_shown;
    group *gs = xcalloc(slots ? slots : 1, sizeof *gs);
    group_result *rs = xcalloc(slots ? slots : 1, sizeof *rs);
    size_t *from = xcalloc(slots ? slots : 1, sizeof *from);
    for (size_t s = 0; s < slots; s++) {
        size_t g = s < n ? idx[s] : a->r.baseline;
        gs[s] = a->m.groups[g];
        if (g < a->r.ngroups)
            rs[s] = a->r.groups[g];
        from[s] = g;
        if (g == a->r.baseline)
            view->r.baseline = s;
    }
    view->m.groups = gs;
    view->m.ngroups = n;
    view->m.shown_from = from;
    view->m.nall = a->m.ngroups;
    view->r.groups = rs;
    view->r.ngroups = a->r.ngroups ? n : 0;

    /* The experiment's events, less those about one group that is not
     * shown (events about every group, "all", or none stay). */
    event *ev = xcalloc(a->e.nevents ? a->e.nevents : 1, sizeof *ev);
    size_t nev = 0;
    for (size_t i = 0; i < a->e.nevents; i++) {
        const char *about = a->e.events[i].group;
        long g = str_empty(about) ? -1 : membership_find(&a->m, about);
        bool keep = g < 0;
        for (size_t s = 0; s < n && !keep; s++)
            keep = idx[s] == (size_t)g;
        if (keep)
            ev[nev++] = a->e.events[i];
    }
    view->e.events = ev;
    view->e.nevents = nev;

    /* Overlaps between two shown groups, in the view's indices. */
    view->m.overlaps = xcalloc(a->m.noverlaps ? a->m.noverlaps : 1, sizeof *view->m.overlaps);
    view->m.noverlaps = 0;
    for (size_t i = 0; i < a->m.noverlaps; i++) {
        overlap o = a->m.overlaps[i];
        long g1 = -1, g2 = -1;
        for (size_t s = 0; s < n; s++) {
            if (idx[s] == o.g1)
                g1 = (long)s;
            if (idx[s] == o.g2)
                g2 = (long)s;
        }
        if (g1 < 0 || g2 < 0)
            continue;
        o.g1 = (size_t)g1, o.g2 = (size_t)g2;
        view->m.overlaps[view->m.noverlaps++] = o;
    }
}

void group_view_free(analysis *view)
{
    free(view->m.groups);
    free(view->r.groups);
    free((size_t *)view->m.shown_from);
    free(view->m.overlaps);
    free(view->e.events);
    memset(view, 0, sizeof *view);
}
