/* summary.c - renders the per-group results for `memreport summary`: an
 * aligned table for a terminal, the stable CSV for scripts, and JSON. */
#include "summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "jsonout.h"
#include "timestamp.h"

const char *summary_steady_method(void)
{
    return "Steady growth is restart-aware: each relay's series is cut at its restarts, "
           "a warm-up after each start is skipped, a Theil-Sen slope is pooled over the "
           "segments, and the group's figure is the median over relays with a 95% bootstrap "
           "interval over relays.";
}

/* ---- text ------------------------------------------------------------ */

/* Display width of UTF-8 text: one column per code point. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* Copies s with control characters replaced, so data cannot move the
 * terminal's cursor or change its colours. */
static char *terminal_safe(const char *s)
{
    char *d = xstrdup(s ? s : "");
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return d;
}

/* Drops the sign of a value that rounds to zero: "-0.000" reads as a
 * direction the data does not have. */
static void unsign_zero(char *s)
{
    if (s[0] != '-' || strspn(s + 1, "0.") != strlen(s + 1))
        return;
    memmove(s, s + 1, strlen(s));
}

static void fixed(char *buf, size_t n, double v, int prec)
{
    if (isnan(v))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.*f", prec, v);
    unsign_zero(buf);
}

typedef struct {
    char *cell[8];
} text_row;

static void pad(strbuf *b, const char *s, size_t width, bool right)
{
    size_t w = text_width(s);
    if (right)
        for (size_t i = w; i < width; i++)
            buf_putc(b, ' ');
    buf_puts(b, s);
    if (!right)
        for (size_t i = w; i < width; i++)
            buf_putc(b, ' ');
}

static void tz_text(int tz, char *buf, size_t n)
{
    int a = tz < 0 ? -tz : tz;
    snprintf(buf, n, "%c%02d:%02d", tz < 0 ? '-' : '+', a / 60, a % 60);
}

void summary_text(const analysis *a, strbuf *out)
{
    const experiment *e = &a->e;
    const membership *m = &a->m;
    const results *r = &a->r;
    int tz = e->man.tz_offset_min;
    char tzs[16], when[32];
    tz_text(tz, tzs, sizeof tzs);

    char *title = terminal_safe(e->man.name ? e->man.name : e->dir);
    buf_printf(out, "%s\n", title);
    free(title);
    if (r->last_t != TIME_NONE) {
        timestamp_format_human(r->last_t, tz, when, sizeof when);
        buf_printf(out, "Final snapshot: %s (UTC%s)", when, tzs);
        if (r->until != INT64_MAX) {
            char u[32];
            timestamp_format_human(r->until, tz, u, sizeof u);
            buf_printf(out, ", data up to %s", u);
        }
        buf_puts(out, "\n");
    }
    if (r->ngroups) {
        char *bn = terminal_safe(m->groups[r->baseline].name);
        buf_printf(out, "Baseline: %s (%s); ratio = baseline final mean / group final mean\n\n",
                   m->groups[r->baseline].id, bn);
        free(bn);
    }

    static const char *head[8] = {"Group",    "Name",     "Relays",
                                  "Final GiB", "Ratio (95% CI)", "p (Holm)",
                                  "Steady GiB/day (95% CI)", "Trend"};
    static const bool right[8] = {false, false, true, true, false, false, false, false};
    text_row *rows = xcalloc(r->ngroups + 1, sizeof *rows);
    size_t width[8];
    for (int k = 0; k < 8; k++) {
        rows[0].cell[k] = xstrdup(head[k]);
        width[k] = text_width(head[k]);
    }
    for (size_t g = 0; g < r->ngroups; g++) {
        const group_result *gr = &r->groups[g];
        char **c = rows[g + 1].cell, a1[32], a2[32], a3[32];
        c[0] = terminal_safe(m->groups[g].id);
        c[1] = terminal_safe(m->groups[g].name);
        c[2] = xasprintf("%zu", gr->has_final ? gr->final_n : 0);
        fixed(a1, sizeof a1, gr->has_final ? gr->final_mean : NAN, 3);
        c[3] = xstrdup(a1);
        fixed(a1, sizeof a1, gr->ratio, 2);
        fixed(a2, sizeof a2, gr->ratio_lo, 2);
        fixed(a3, sizeof a3, gr->ratio_hi, 2);
        c[4] = isnan(gr->ratio_lo) ? xasprintf("%s (n/a)", a1)
                                   : xasprintf("%s (%s-%s)", a1, a2, a3);
        if (g == r->baseline)
            c[5] = xstrdup("baseline");
        else if (isnan(gr->p_holm))
            c[5] = xstrdup("n/a");
        else if (gr->p_holm < 0.001)
            c[5] = xstrdup("<0.001");
        else
            c[5] = xasprintf("%.3f", gr->p_holm);
        fixed(a1, sizeof a1, gr->steady, 3);
        fixed(a2, sizeof a2, gr->steady_lo, 3);
        fixed(a3, sizeof a3, gr->steady_hi, 3);
        c[6] = isnan(gr->steady_lo) ? xasprintf("%s (n/a)", a1)
                                    : xasprintf("%s (%s to %s)", a1, a2, a3);
        c[7] = xstrdup(trend_name(gr->trend));
        for (int k = 0; k < 8; k++)
            if (text_width(c[k]) > width[k])
                width[k] = text_width(c[k]);
    }
    for (size_t i = 0; i <= r->ngroups; i++) {
        for (int k = 0; k < 8; k++) {
            if (k)
                buf_puts(out, "  ");
            pad(out, rows[i].cell[k], k == 7 ? 0 : width[k], right[k]);
            free(rows[i].cell[k]);
        }
        buf_puts(out, "\n");
    }
    free(rows);

    for (size_t g = 0; g < r->ngroups; g++) {
        const group_result *gr = &r->groups[g];
        if (gr->has_final && gr->final_t != r->last_t) {
            timestamp_format_human(gr->final_t, tz, when, sizeof when);
            buf_printf(out, "Group %s's last sample is at %s.\n", m->groups[g].id, when);
        }
    }
    buf_printf(out, "\n%s\n", summary_steady_method());
}

/* ---- CSV ------------------------------------------------------------- */

static void csv_cell(strbuf *b, const char *fmt, double v)
{
    buf_putc(b, ',');
    fmt_csv_num(b, fmt, v);
}

void summary_csv(const analysis *a, strbuf *out)
{
    const results *r = &a->r;
    buf_puts(out, SUMMARY_CSV_HEADER "\n");
    for (size_t g = 0; g < r->ngroups; g++) {
        const group_result *gr = &r->groups[g];
        const group *gp = &a->m.groups[g];
        fmt_csv_field(out, gp->id);
        buf_putc(out, ',');
        fmt_csv_field(out, gp->name);
        buf_printf(out, ",%zu", gr->has_final ? gr->final_n : 0);
        csv_cell(out, "%.4f", gr->has_final ? gr->final_mean : NAN);
        csv_cell(out, "%.3f", gr->ratio);
        csv_cell(out, "%.3f", gr->ratio_lo);
        csv_cell(out, "%.3f", gr->ratio_hi);
        csv_cell(out, "%.4g", gr->p_value);
        csv_cell(out, "%.4g", gr->p_holm);
        csv_cell(out, "%.4f", gr->slope_ols);
        csv_cell(out, "%.4f", gr->slope_theil_sen);
        csv_cell(out, "%.4f", gr->steady);
        csv_cell(out, "%.4f", gr->steady_lo);
        csv_cell(out, "%.4f", gr->steady_hi);
        csv_cell(out, "%.4f", gr->r2);
        /* Empty, like every other value that is not available. */
        buf_printf(out, ",%s\n", gr->trend == TREND_NONE ? "" : trend_name(gr->trend));
    }
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *jtime(int64_t t, int tz)
{
    if (t == TIME_NONE || t == INT64_MAX)
        return json_null();
    char buf[40];
    timestamp_format_iso(t, tz, buf, sizeof buf);
    return json_string(buf);
}

void summary_json(const analysis *a, strbuf *out)
{
    const experiment *e = &a->e;
    const membership *m = &a->m;
    const results *r = &a->r;
    int tz = e->man.tz_offset_min;
    char tzs[16];
    tz_text(tz, tzs, sizeof tzs);

    json_t *root = json_object();
    json_t *ex = json_object();
    json_object_set_new(ex, "id", jsonout_str(e->man.id));
    json_object_set_new(ex, "name", jsonout_str(e->man.name));
    json_object_set_new(ex, "dir", jsonout_str(e->dir));
    json_object_set_new(ex, "timezone", json_string(tzs));
    json_object_set_new(ex, "until", jtime(r->until, tz));
    json_object_set_new(ex, "first", jtime(r->first_t, tz));
    json_object_set_new(ex, "final_snapshot", jtime(r->last_t, tz));
    json_object_set_new(ex, "baseline",
                        r->ngroups ? jsonout_str(m->groups[r->baseline].id) : json_null());
    json_object_set_new(ex, "relays", json_integer((json_int_t)e->nrelays));
    json_object_set_new(root, "experiment", ex);
    json_object_set_new(root, "steady_method", json_string(summary_steady_method()));

    json_t *days = json_array();
    for (size_t k = 0; k < r->ndays; k++)
        json_array_append_new(days, json_integer(r->days[k]));
    json_object_set_new(root, "days", days);

    json_t *groups = json_array();
    for (size_t g = 0; g < r->ngroups; g++) {
        const group_result *gr = &r->groups[g];
        json_t *o = json_object();
        json_object_set_new(o, "group", jsonout_str(m->groups[g].id));
        json_object_set_new(o, "name", jsonout_str(m->groups[g].name));
        json_object_set_new(o, "relays", json_integer(gr->has_final ? (json_int_t)gr->final_n : 0));
        json_object_set_new(o, "final_time", gr->has_final ? jtime(gr->final_t, tz) : json_null());
        json_object_set_new(o, "final_mean_gib", jsonout_num(gr->has_final ? gr->final_mean : NAN));
        json_object_set_new(o, "ratio", jsonout_num(gr->ratio));
        json_object_set_new(o, "ratio_lo", jsonout_num(gr->ratio_lo));
        json_object_set_new(o, "ratio_hi", jsonout_num(gr->ratio_hi));
        json_object_set_new(o, "p_value", jsonout_num(gr->p_value));
        json_object_set_new(o, "p_holm", jsonout_num(gr->p_holm));
        json_object_set_new(o, "slope_ols_gib_day", jsonout_num(gr->slope_ols));
        json_object_set_new(o, "slope_theil_sen_gib_day", jsonout_num(gr->slope_theil_sen));
        json_object_set_new(o, "steady_growth_gib_day", jsonout_num(gr->steady));
        json_object_set_new(o, "steady_lo", jsonout_num(gr->steady_lo));
        json_object_set_new(o, "steady_hi", jsonout_num(gr->steady_hi));
        json_object_set_new(o, "steady_relays", json_integer((json_int_t)gr->steady_n));
        json_object_set_new(o, "r2", jsonout_num(gr->r2));
        json_object_set_new(o, "first_mean_gib", jsonout_num(gr->first_mean));
        json_object_set_new(o, "last_mean_gib", jsonout_num(gr->last_mean));
        json_object_set_new(o, "change_pct", jsonout_num(gr->change_pct));
        json_object_set_new(o, "cv", jsonout_num(gr->cv));
        if (e->man.memory_budget_gib > 0)
            json_object_set_new(o, "forecast_days", jsonout_num(gr->forecast_days));
        json_object_set_new(o, "trend", json_string(trend_name(gr->trend)));
        json_t *dv = json_array();
        for (size_t k = 0; k < r->ndays && gr->day_values; k++)
            json_array_append_new(dv, jsonout_num(gr->day_values[k]));
        json_object_set_new(o, "day_values", dv);
        json_array_append_new(groups, o);
    }
    json_object_set_new(root, "groups", groups);

    json_t *fs = json_array();
    for (size_t i = 0; i < r->nfindings; i++)
        json_array_append_new(fs, jsonout_str(r->findings[i].message));
    json_object_set_new(root, "findings", fs);
    json_t *ws = json_array();
    for (size_t i = 0; i < a->diag.n; i++) {
        char *s = diag_format(&a->diag.items[i]);
        json_array_append_new(ws, jsonout_str(s));
        free(s);
    }
    json_object_set_new(root, "warnings", ws);

    jsonout_dump(root, out);
}
