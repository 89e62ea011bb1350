/* compare_rank.c - the ranking of every group against its own control
 * (versus.h) as text, CSV, JSON and a GitHub Markdown table. Words and
 * digits only: every figure was computed by versus_build. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "fmt.h"
#include "jsonout.h"
#include "report_common.h"

void compare_pct_cell(const versus_row *r, strbuf *b)
{
    char v[FMT_BUF], ci[FMT_BUF];
    if (r->is_control) {
        buf_puts(b, "control");
        return;
    }
    if (isnan(r->pct_less)) {
        buf_puts(b, FMT_NONE);
        return;
    }
    if (r->pct_less >= 0) {
        buf_printf(b, "%s%% less", fmt_fixed(v, r->pct_less, 1));
        fmt_range(ci, r->pct_lo, r->pct_hi, 1);
    } else {
        /* More memory than the control reads better as "% more". */
        buf_printf(b, "%s%% more", fmt_fixed(v, -r->pct_less, 1));
        fmt_range(ci, -r->pct_hi, -r->pct_lo, 1);
    }
    if (!str_eq(ci, FMT_NONE))
        buf_printf(b, " (%s)", ci);
}

void compare_ratio_cell(const versus_row *r, strbuf *b)
{
    char v[FMT_BUF];
    if (r->is_control)
        buf_puts(b, "1.00×");
    else if (isnan(r->ratio) || r->ratio <= 0)
        buf_puts(b, FMT_NONE);
    else if (r->ratio >= 1)
        buf_printf(b, "%s less", fmt_ratio(v, r->ratio));
    else
        buf_printf(b, "%s more", fmt_ratio(v, 1.0 / r->ratio));
}

void compare_caveat_cell(const versus_row *r, strbuf *b)
{
    size_t start = b->len;
    if (r->relays < VERSUS_MIN_RELAYS)
        buf_printf(b, "only %zu relay%s", r->relays, r->relays == 1 ? "" : "s");
    if (!r->is_control && r->control_relays < VERSUS_MIN_RELAYS)
        buf_printf(b, "%sonly %zu relay%s in the control", b->len > start ? "; " : "",
                   r->control_relays, r->control_relays == 1 ? "" : "s");
    if (r->caveat_no_ci && !isnan(r->pct_less))
        buf_printf(b, "%sno CI", b->len > start ? "; " : "");
}

static char *group_text(const analysis *a, size_t g)
{
    strbuf b;
    buf_init(&b);
    report_group_label(&b, &a->m.groups[g]);
    return buf_detach(&b);
}

static char *control_text(const analysis *a, const versus_row *r)
{
    char v[FMT_BUF];
    if (r->control < 0)
        return xstrdup(FMT_NONE);
    return xasprintf("%s (%s GiB)", a->m.groups[r->control].id, fmt_fixed(v, r->control_mean, 2));
}

/* "3", or `none` for a control or a group without a figure. */
static void rank_label(const versus_table *t, size_t i, const char *none, char buf[24])
{
    if (i < t->nranked)
        snprintf(buf, 24, "%zu", i + 1);
    else
        snprintf(buf, 24, "%s", none);
}

void compare_rank_text(const versus_table *t, const analysis *const *as,
                       const char *const *titles, size_t nexp, strbuf *out)
{
    buf_puts(out, "Experiments:\n");
    for (size_t i = 0; i < nexp; i++)
        buf_printf(out, "  [%zu] %s (%s)\n", i + 1, titles[i], as[i]->e.dir ? as[i]->e.dir : "");
    buf_puts(out, "\nEvery group against its own experiment's control, ranked by % less memory\n"
                  "than the control (" COMPARE_CONVENTION ")\n\n");
    buf_printf(out, "  %-4s %4s  %-26s %-26s %6s %9s %-14s  %-24s %s\n", "rank", "exp", "group",
               "differs from control by", "relays", "mean GiB", "control", "vs control (95% CI)",
               "note");
    char b1[FMT_BUF];
    for (size_t i = 0; i < t->nrows; i++) {
        const versus_row *r = &t->rows[i];
        const analysis *a = as[r->exp];
        char rank[24], expn[24];
        rank_label(t, i, "-", rank);
        snprintf(expn, sizeof expn, "[%zu]", r->exp + 1);
        char *grp = group_text(a, r->group);
        char *ctl = control_text(a, r);
        strbuf pct, note;
        buf_init(&pct);
        buf_init(&note);
        compare_pct_cell(r, &pct);
        if (r->is_control)
            buf_puts(&note, versus_reason_text(r->reason));
        compare_caveat_cell(r, &note);
        buf_printf(out, "  %-4s %4s  %-26.26s %-26.26s %6zu %9s %-14s  %-24s %s\n", rank, expn,
                   grp, r->is_control ? "(the control)" : r->differs ? r->differs : "",
                   r->relays, fmt_fixed(b1, r->final_mean, 2), r->is_control ? "" : ctl,
                   pct.data ? pct.data : "", note.data ? note.data : "");
        free(grp);
        free(ctl);
        buf_free(&pct);
        buf_free(&note);
    }
}

void compare_rank_csv(const versus_table *t, const analysis *const *as,
                      const char *const *titles, strbuf *out)
{
    buf_puts(out, COMPARE_RANK_CSV_HEADER "\n");
    for (size_t i = 0; i < t->nrows; i++) {
        const versus_row *r = &t->rows[i];
        const analysis *a = as[r->exp];
        if (i < t->nranked)
            buf_printf(out, "%zu", i + 1);
        buf_putc(out, ',');
        fmt_csv_field(out, titles[r->exp]);
        buf_putc(out, ',');
        fmt_csv_field(out, a->e.man.id);
        buf_putc(out, ',');
        fmt_csv_field(out, a->m.groups[r->group].id);
        buf_putc(out, ',');
        char *name = report_label(&a->m.groups[r->group], LABEL_NAME);
        fmt_csv_field(out, name);
        free(name);
        buf_putc(out, ',');
        fmt_csv_field(out, r->allocator);
        buf_putc(out, ',');
        fmt_csv_field(out, r->version);
        buf_putc(out, ',');
        fmt_csv_field(out, r->is_control ? "" : r->differs);
        buf_printf(out, ",%zu,", r->relays);
        fmt_csv_num(out, "%.4f", r->final_mean);
        buf_putc(out, ',');
        if (r->control >= 0)
            fmt_csv_field(out, a->m.groups[r->control].id);
        buf_putc(out, ',');
        fmt_csv_field(out, versus_reason_text(r->reason));
        buf_printf(out, ",%zu,", r->control_relays);
        fmt_csv_num(out, "%.4f", r->control_mean);
        buf_putc(out, ',');
        fmt_csv_num(out, "%.2f", r->pct_less);
        buf_putc(out, ',');
        fmt_csv_num(out, "%.2f", r->pct_lo);
        buf_putc(out, ',');
        fmt_csv_num(out, "%.2f", r->pct_hi);
        buf_putc(out, ',');
        fmt_csv_num(out, "%.4f", r->ratio);
        buf_putc(out, ',');
        fmt_csv_num(out, "%.4f", r->ratio_lo);
        buf_putc(out, ',');
        fmt_csv_num(out, "%.4f", r->ratio_hi);
        buf_putc(out, ',');
        strbuf note;
        buf_init(&note);
        compare_caveat_cell(r, &note);
        fmt_csv_field(out, note.data ? note.data : "");
        buf_free(&note);
        buf_putc(out, '\n');
    }
}

static void md_cell(strbuf *b, const char *s)
{
    buf_puts(b, " ");
    fmt_md_escape(b, s ? s : "", s ? strlen(s) : 0);
    buf_puts(b, " |");
}

void compare_rank_md(const versus_table *t, const analysis *const *as,
                     const char *const *titles, strbuf *out)
{
    buf_puts(out, "| Rank | Experiment | Group | Differs from control by | Relays | Mean RSS (GiB) "
                  "| Control (GiB) | Less memory than control (95% CI) | Control ÷ group | Note |\n"
                  "|---:|---|---|---|---:|---:|---|---|---:|---|\n");
    char b1[FMT_BUF];
    for (size_t i = 0; i < t->nrows; i++) {
        const versus_row *r = &t->rows[i];
        const analysis *a = as[r->exp];
        char rank[24];
        rank_label(t, i, "–", rank);
        buf_printf(out, "| %s |", rank);
        md_cell(out, titles[r->exp]);
        char *grp = group_text(a, r->group);
        md_cell(out, grp);
        free(grp);
        md_cell(out, r->is_control ? "(the control)" : r->differs);
        buf_printf(out, " %zu | %s |", r->relays, fmt_fixed(b1, r->final_mean, 2));
        char *ctl = control_text(a, r);
        md_cell(out, r->is_control ? "" : ctl);
        free(ctl);
        strbuf cell;
        buf_init(&cell);
        compare_pct_cell(r, &cell);
        md_cell(out, cell.data);
        buf_reset(&cell);
        compare_ratio_cell(r, &cell);
        md_cell(out, cell.data);
        buf_reset(&cell);
        if (r->is_control)
            buf_puts(&cell, versus_reason_text(r->reason));
        compare_caveat_cell(r, &cell);
        md_cell(out, cell.data);
        buf_free(&cell);
        buf_putc(out, '\n');
    }
    buf_puts(out, "\n" COMPARE_LEGEND "\n");
}

json_t *compare_rank_json(const versus_table *t, const analysis *const *as,
                          const char *const *titles)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < t->nrows; i++) {
        const versus_row *r = &t->rows[i];
        const analysis *a = as[r->exp];
        const group *g = &a->m.groups[r->group];
        json_t *o = json_object();
        json_object_set_new(o, "rank", i < t->nranked ? json_integer((json_int_t)i + 1)
                                                      : json_null());
        json_object_set_new(o, "experiment", json_string(titles[r->exp]));
        json_object_set_new(o, "experiment_id",
                            a->e.man.id ? json_string(a->e.man.id) : json_null());
        json_object_set_new(o, "group", json_string(g->id));
        char *name = report_label(g, LABEL_NAME);
        json_object_set_new(o, "name", json_string(name));
        free(name);
        json_object_set_new(o, "allocator", json_string(r->allocator));
        json_object_set_new(o, "version", json_string(r->version));
        json_object_set_new(o, "is_control", json_boolean(r->is_control));
        json_object_set_new(o, "differs_by", r->differs ? json_string(r->differs) : json_null());
        json_object_set_new(o, "relays", json_integer((json_int_t)r->relays));
        json_object_set_new(o, "final_mean_gib", jsonout_num(r->final_mean));
        json_object_set_new(o, "control_group", r->control >= 0
                                                    ? json_string(a->m.groups[r->control].id)
                                                    : json_null());
        json_object_set_new(o, "control_chosen_as", json_string(versus_reason_text(r->reason)));
        json_object_set_new(o, "control_relays", json_integer((json_int_t)r->control_relays));
        json_object_set_new(o, "control_final_mean_gib", jsonout_num(r->control_mean));
        json_object_set_new(o, "pct_less_than_control", jsonout_num(r->pct_less));
        json_object_set_new(o, "pct_lo", jsonout_num(r->pct_lo));
        json_object_set_new(o, "pct_hi", jsonout_num(r->pct_hi));
        json_object_set_new(o, "ratio_control_over_group", jsonout_num(r->ratio));
        json_object_set_new(o, "ratio_lo", jsonout_num(r->ratio_lo));
        json_object_set_new(o, "ratio_hi", jsonout_num(r->ratio_hi));
        strbuf note;
        buf_init(&note);
        compare_caveat_cell(r, &note);
        json_object_set_new(o, "caveat", note.len ? json_string(note.data) : json_null());
        buf_free(&note);
        json_array_append_new(arr, o);
    }
    return arr;
}
