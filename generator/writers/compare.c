/* compare.c - lines up groups that run the same allocator in different
 * experiments (see compare.h), and writes the table as text, CSV or JSON. */
#include "compare.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "jsonout.h"
#include "report_common.h"

static int cmp_version(const char *a, const char *b)
{
    /* Numeric runs compare as numbers: 2.0.9 < 2.1.7 < 3.0.1 < 10.0. */
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            char *ea, *eb;
            unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
            if (x != y)
                return x < y ? -1 : 1;
            a = ea;
            b = eb;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int row_cmp(const void *x, const void *y)
{
    const compare_row *a = x, *b = y;
    int c = strcmp(a->allocator, b->allocator);
    if (!c)
        c = cmp_version(a->version, b->version);
    if (!c)
        c = a->exp < b->exp ? -1 : a->exp > b->exp;
    if (!c)
        c = a->group < b->group ? -1 : a->group > b->group;
    return c;
}

void compare_build(const analysis *const *as, size_t n, comparison *out)
{
    memset(out, 0, sizeof *out);
    compare_row *all = NULL;
    size_t nall = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        const analysis *a = as[i];
        long ctl = versus_control(a, NULL);
        for (size_t g = 0; g < a->m.ngroups && g < a->r.ngroups; g++) {
            const group_result *r = &a->r.groups[g];
            xgrow((void **)&all, &cap, nall + 1, sizeof *all);
            compare_row *row = &all[nall++];
            memset(row, 0, sizeof *row);
            row->exp = i;
            row->group = g;
            versus_allocator(a, g, &row->allocator, &row->version);
            row->final_mean = r->has_final ? r->final_mean : NAN;
            row->steady = r->steady;
            row->control = ctl;
            row->ratio_control = NAN;
            if (ctl >= 0) {
                const group_result *c = &a->r.groups[ctl];
                if ((size_t)ctl == g)
                    row->ratio_control = 1;
                else if (c->has_final && r->has_final && r->final_mean > 0)
                    row->ratio_control = c->final_mean / r->final_mean;
            }
        }
    }
    if (nall)
        qsort(all, nall, sizeof *all, row_cmp);
    /* Keep allocators seen in two experiments or more. */
    size_t keep = 0;
    for (size_t i = 0; i < nall;) {
        size_t j = i;
        bool several = false;
        while (j < nall && str_eq(all[j].allocator, all[i].allocator)) {
            if (all[j].exp != all[i].exp)
                several = true;
            j++;
        }
        for (size_t k = i; k < j; k++) {
            if (several) {
                all[keep++] = all[k];
            } else {
                free(all[k].allocator);
                free(all[k].version);
            }
        }
        if (several)
            out->nallocators++;
        i = j;
    }
    out->rows = all;
    out->nrows = keep;
}

void compare_free(comparison *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nrows; i++) {
        free(c->rows[i].allocator);
        free(c->rows[i].version);
    }
    free(c->rows);
    memset(c, 0, sizeof *c);
}

void compare_vs_cell(const compare_row *r, const analysis *a, strbuf *b)
{
    char v[FMT_BUF];
    if (r->control < 0 || isnan(r->ratio_control) || r->ratio_control <= 0)
        buf_puts(b, FMT_NONE);
    else if ((size_t)r->control == r->group)
        buf_puts(b, "control");
    else if (r->ratio_control >= 1)
        buf_printf(b, "%s less than %s", fmt_ratio(v, r->ratio_control),
                   a->m.groups[r->control].id);
    else
        buf_printf(b, "%s more than %s", fmt_ratio(v, 1.0 / r->ratio_control),
                   a->m.groups[r->control].id);
}

void compare_text(const comparison *c, const analysis *const *as, const char *const *titles,
                  strbuf *out)
{
    if (!c->nrows) {
        buf_puts(out, "\nNo allocator appears in more than one experiment.\n");
        return;
    }
    (void)titles; /* the experiments are numbered by compare_rank_text */
    buf_puts(out, "\nAllocators in more than one experiment (vs control = control mean / "
                  "group mean):\n");
    char b1[FMT_BUF], b2[FMT_BUF];
    for (size_t i = 0; i < c->nrows;) {
        const char *al = c->rows[i].allocator;
        buf_printf(out, "\n%s\n", al);
        buf_printf(out, "  %-10s %4s  %-28s %6s %10s %14s  %s\n", "version", "exp", "group",
                   "relays", "final GiB", "steady GiB/d", "vs control");
        for (; i < c->nrows && str_eq(c->rows[i].allocator, al); i++) {
            const compare_row *r = &c->rows[i];
            const analysis *a = as[r->exp];
            char *name = report_label(&a->m.groups[r->group], LABEL_NAME);
            char *grp = xasprintf("%s %s", a->m.groups[r->group].id, name);
            free(name);
            strbuf vsb;
            buf_init(&vsb);
            compare_vs_cell(r, a, &vsb);
            char *vs = buf_detach(&vsb);
            char expn[24];
            snprintf(expn, sizeof expn, "[%zu]", r->exp + 1);
            buf_printf(out, "  %-10s %4s  %-28.28s %6zu %10s %14s  %s\n",
                       str_empty(r->version) ? "-" : r->version, expn, grp,
                       a->m.groups[r->group].nmembers, fmt_fixed(b1, r->final_mean, 2),
                       fmt_signed(b2, r->steady, 3), vs);
            free(grp);
            free(vs);
        }
    }
}

void compare_json(const comparison *c, const versus_table *t, const analysis *const *as,
                  const char *const *titles, strbuf *out)
{
    json_t *root = json_object();
    json_object_set_new(root, "convention", json_string(COMPARE_CONVENTION));
    json_object_set_new(root, "ranking", compare_rank_json(t, as, titles));
    json_t *allocs = json_array();
    json_object_set_new(root, "allocators", allocs);
    json_t *cur = NULL, *groups = NULL;
    for (size_t i = 0; i < c->nrows; i++) {
        const compare_row *r = &c->rows[i];
        const analysis *a = as[r->exp];
        if (!cur || (i && !str_eq(c->rows[i - 1].allocator, r->allocator))) {
            cur = json_object();
            json_object_set_new(cur, "allocator", json_string(r->allocator));
            groups = json_array();
            json_object_set_new(cur, "groups", groups);
            json_array_append_new(allocs, cur);
        }
        json_t *o = json_object();
        json_object_set_new(o, "version", json_string(r->version));
        json_object_set_new(o, "experiment", json_string(titles[r->exp]));
        json_object_set_new(o, "experiment_id",
                            a->e.man.id ? json_string(a->e.man.id) : json_null());
        json_object_set_new(o, "group", json_string(a->m.groups[r->group].id));
        char *name = report_label(&a->m.groups[r->group], LABEL_NAME);
        json_object_set_new(o, "name", json_string(name));
        free(name);
        json_object_set_new(o, "relays", json_integer((json_int_t)a->m.groups[r->group].nmembers));
        json_object_set_new(o, "final_mean_gib", jsonout_num(r->final_mean));
        json_object_set_new(o, "steady_growth_gib_day", jsonout_num(r->steady));
        json_object_set_new(o, "ratio_to_control", jsonout_num(r->ratio_control));
        json_object_set_new(o, "control_group", r->control >= 0
                                                    ? json_string(a->m.groups[r->control].id)
                                                    : json_null());
        json_array_append_new(groups, o);
    }
    jsonout_dump(root, out);
}
