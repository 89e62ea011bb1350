/* report_common.c - ordering, wording and facts shared by the writers
 * (see report_common.h). */
#include "report_common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "fmt.h"
#include "palette.h"
#include "report_html.h"
#include "report_md.h"
#include "report_single.h"
#include "tmpl.h"
#include "timestamp.h"

void rf_text(report_flavor f, strbuf *b, const char *s)
{
    if (!s)
        return;
    if (f == RF_MD)
        fmt_md_escape(b, s, strlen(s));
    else
        fmt_html_escape(b, s);
}

void report_slug(strbuf *b, const char *id, const char *dir)
{
    const char *base = id;
    if (str_empty(base) && dir) {
        const char *s = strrchr(dir, '/');
        base = s && s[1] ? s + 1 : dir;
    }
    fmt_slug(b, base ? base : "", "-_", "", '-', true, 80);
}

void rf_html_path(strbuf *b, const char *path)
{
    char one[2] = {0, 0};
    for (const char *s = path; s && *s; s++) {
        one[0] = *s;
        fmt_html_escape(b, one);
        if (*s == '/' || *s == '_' || *s == '-')
            buf_puts(b, "<wbr>");
    }
}

void rf_strong(report_flavor f, strbuf *b, const char *s)
{
    buf_puts(b, f == RF_MD ? "**" : "<strong>");
    rf_text(f, b, s);
    buf_puts(b, f == RF_MD ? "**" : "</strong>");
}

void report_group_label(strbuf *b, const group *g)
{
    buf_puts(b, g->id);
    /* One form for every group, whatever its name holds: "E · glibc
     * (control)", "B · mimalloc 2.0.9". */
    if (!str_empty(g->name) && !str_eq(g->name, g->id)) {
        buf_puts(b, " \xc2\xb7 ");
        buf_puts(b, g->name);
    }
}

char *report_label(const group *g, label_style style)
{
    switch (style) {
    case LABEL_SENTENCE: {
        strbuf b;
        buf_init(&b);
        report_group_label(&b, g);
        return buf_detach(&b);
    }
    case LABEL_PAREN:
        if (!str_empty(g->name) && !str_eq(g->name, g->id))
            return xasprintf("%s (%s)", g->id, g->name);
        break;
    case LABEL_SHORT:
        if (g->name && !str_eq(g->name, g->id))
            return xasprintf("%s %s", g->id, g->name);
        break;
    case LABEL_NAME:
        return xstrdup(!str_empty(g->name) ? g->name : g->id);
    case LABEL_DOT:
        if (!str_empty(g->name) && !str_eq(g->name, g->id))
            return xasprintf("%s · %s", g->id, g->name);
        break;
    }
    return xstrdup(g->id);
}

void rf_group(report_flavor f, strbuf *b, const group *g)
{
    strbuf label;
    buf_init(&label);
    report_group_label(&label, g);
    rf_text(f, b, label.data);
    buf_free(&label);
}

/* What the order compares, copied out so the comparator needs no global. */
typedef struct {
    size_t g;
    bool has_final;
    double final_mean;
} order_key;

static int order_cmp(const void *pa, const void *pb)
{
    const order_key *x = pa, *y = pb;
    if (x->has_final != y->has_final)
        return x->has_final ? -1 : 1;
    if (x->has_final && x->final_mean != y->final_mean)
        return x->final_mean < y->final_mean ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g; /* stable: manifest order */
}

size_t *report_order(const analysis *a)
{
    size_t n = a->r.ngroups;
    order_key *k = xmalloc((n ? n : 1) * sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = (order_key){i, a->r.groups[i].has_final, a->r.groups[i].final_mean};
    qsort(k, n, sizeof *k, order_cmp);
    size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = k[i].g;
    free(k);
    return idx;
}

long report_best(const analysis *a)
{
    long best = -1;
    for (size_t g = 0; g < a->r.ngroups; g++) {
        const group_result *r = &a->r.groups[g];
        if (r->has_final && !isnan(r->final_mean) &&
            (best < 0 || r->final_mean < a->r.groups[best].final_mean))
            best = (long)g;
    }
    return best;
}

long report_fastest(const analysis *a)
{
    long worst = -1;
    for (size_t g = 0; g < a->r.ngroups; g++) {
        const group_result *r = &a->r.groups[g];
        if (!isnan(r->steady) && (worst < 0 || r->steady > a->r.groups[worst].steady))
            worst = (long)g;
    }
    return worst;
}

const char *report_trend(trend_class t)
{
    switch (t) {
    case TREND_FLAT: return "\xe2\x86\x92 Flat";
    case TREND_GROWING: return "\xe2\x86\x91 Growing";
    case TREND_FALLING: return "\xe2\x86\x93 Falling";
    case TREND_VARIABLE: return "\xe2\x86\x95 Variable";
    case TREND_NONE: return "n/a";
    }
    return "";
}

void report_vs_baseline(const analysis *a, size_t g, strbuf *b)
{
    const group_result *r = &a->r.groups[g];
    char v[FMT_BUF], ci[FMT_BUF];
    if (g == a->r.baseline) {
        buf_puts(b, "baseline");
        return;
    }
    if (isnan(r->ratio) || r->ratio <= 0) {
        buf_puts(b, FMT_NONE);
        return;
    }
    /* A ratio below 1 reads better inverted ("2.00x more" rather than
     * "0.50x less"); 1/x keeps the interval's coverage. */
    if (r->ratio >= 1) {
        buf_printf(b, "%s less", fmt_ratio(v, r->ratio));
        fmt_range(ci, r->ratio_lo, r->ratio_hi, 2);
    } else {
        buf_printf(b, "%s more", fmt_ratio(v, 1.0 / r->ratio));
        fmt_range(ci, r->ratio_hi > 0 ? 1.0 / r->ratio_hi : NAN,
                  r->ratio_lo > 0 ? 1.0 / r->ratio_lo : NAN, 2);
    }
    if (strcmp(ci, FMT_NONE) != 0)
        buf_printf(b, " (%s)", ci);
}

void report_growth(const group_result *r, strbuf *b)
{
    char v[FMT_BUF], ci[FMT_BUF];
    buf_puts(b, fmt_signed(v, r->steady, 2));
    fmt_range(ci, r->steady_lo, r->steady_hi, 2);
    if (!isnan(r->steady) && strcmp(ci, FMT_NONE) != 0)
        buf_printf(b, " (%s)", ci);
}

/* The summary's figures for one group vs the baseline, as prose. */
static void ratio_phrase(const analysis *a, size_t g, report_flavor f, strbuf *b)
{
    const group_result *r = &a->r.groups[g];
    char v[FMT_BUF], ci[FMT_BUF];
    if (r->ratio >= 1) {
        buf_printf(b, "%s", f == RF_MD ? "**" : "<strong>");
        buf_printf(b, "%s less memory", fmt_ratio(v, r->ratio));
        fmt_range(ci, r->ratio_lo, r->ratio_hi, 2);
    } else {
        buf_printf(b, "%s", f == RF_MD ? "**" : "<strong>");
        buf_printf(b, "%s more memory", fmt_ratio(v, 1.0 / r->ratio));
        fmt_range(ci, r->ratio_hi > 0 ? 1.0 / r->ratio_hi : NAN,
                  r->ratio_lo > 0 ? 1.0 / r->ratio_lo : NAN, 2);
    }
    buf_puts(b, f == RF_MD ? "**" : "</strong>");
    buf_puts(b, " than the baseline ");
    rf_group(f, b, &a->m.groups[a->r.baseline]);
    if (!report_baseline_shown(a))
        buf_puts(b, " (not shown)");
    if (strcmp(ci, FMT_NONE) != 0)
        buf_printf(b, " (95%% CI %s)", ci);
}

bool report_monitoring(const analysis *a)
{
    return a->m.ngroups == 1 && a->m.groups[0].source == MEMBERS_ALL;
}

void report_result_sentence(const analysis *a, report_flavor f, strbuf *b)
{
    const manifest *man = &a->e.man;
    if (!str_empty(man->result)) {
        rf_text(f, b, man->result);
        return;
    }
    long best = report_best(a);
    char v[FMT_BUF], ci[FMT_BUF];
    if (!a->m.ngroups) {
        buf_puts(b, "The memory CSV holds server totals only (aggregate rows, no relay rows), "
                    "so the report is the server total over time.");
        return;
    }
    if (best < 0) {
        buf_puts(b, "No group has a final snapshot, so there is no result to state.");
        return;
    }
    if (report_monitoring(a)) {
        const group_result *r = &a->r.groups[0];
        buf_printf(b, "No groups were given, so this is a report over every relay: %zu relays "
                      "used %s GiB each on average at the last collection",
                   r->final_n, fmt_fixed(v, r->final_mean, 2));
        if (!isnan(r->steady)) {
            buf_printf(b, ", growing %s GiB/day in steady state", fmt_signed(v, r->steady, 2));
            fmt_range(ci, r->steady_lo, r->steady_hi, 2);
            if (strcmp(ci, FMT_NONE) != 0)
                buf_printf(b, " (95%% CI %s)", ci);
        }
        buf_puts(b, ".");
        return;
    }
    const group *bg = &a->m.groups[best];
    const group_result *br = &a->r.groups[best];
    buf_puts(b, f == RF_MD ? "**" : "<strong>");
    rf_group(f, b, bg);
    buf_puts(b, f == RF_MD ? "**" : "</strong>");
    buf_printf(b, " used the least memory, %s GiB per relay at the last collection",
               fmt_fixed(v, br->final_mean, 2));
    if ((size_t)best != a->r.baseline && !isnan(br->ratio) && br->ratio > 0) {
        buf_puts(b, ": ");
        ratio_phrase(a, (size_t)best, f, b);
    } else if ((size_t)best == a->r.baseline) {
        buf_puts(b, "; it is the baseline");
    }
    buf_puts(b, ".");

    long worst = report_fastest(a);
    double flat = man->th.flat_gib_day > 0 ? man->th.flat_gib_day : 0.05;
    if (worst >= 0 && a->r.groups[worst].steady > flat) {
        const group_result *wr = &a->r.groups[worst];
        buf_puts(b, " ");
        rf_group(f, b, &a->m.groups[worst]);
        buf_printf(b, " grew the fastest, %s GiB/day in steady state",
                   fmt_signed(v, wr->steady, 2));
        fmt_range(ci, wr->steady_lo, wr->steady_hi, 2);
        if (strcmp(ci, FMT_NONE) != 0)
            buf_printf(b, " (95%% CI %s)", ci);
        if (wr->has_final)
            buf_printf(b, ", reaching %s GiB per relay", fmt_fixed(v, wr->final_mean, 2));
        buf_puts(b, ".");
    } else if (worst >= 0) {
        buf_printf(b, " No group grew faster than %s GiB/day in steady state.",
                   fmt_fixed(v, flat, 2));
    }
}

static void push(char ***v, size_t *n, size_t *cap, strbuf *b)
{
    xgrow((void **)v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = buf_detach(b);
}

/* "+37%" change of the group mean over its window. */
static void change_phrase(const group_result *r, strbuf *b)
{
    char x[FMT_BUF], y[FMT_BUF], p[FMT_BUF];
    if (isnan(r->first_mean) || isnan(r->last_mean))
        return;
    buf_printf(b, "; its mean went from %s to %s GiB", fmt_fixed(x, r->first_mean, 2),
               fmt_fixed(y, r->last_mean, 2));
    if (!isnan(r->change_pct))
        buf_printf(b, " (%s%%)", fmt_signed(p, r->change_pct, 0));
}

size_t report_analysis_bullets(const analysis *a, report_flavor f, char ***out)
{
    char **v = NULL;
    size_t n = 0, cap = 0;
    strbuf b;
    buf_init(&b);
    char x[FMT_BUF], ci[FMT_BUF];
    size_t *order = report_order(a);
    const thresholds *th = &a->e.man.th;

    for (size_t k = 0; k < a->r.ngroups; k++) {
        size_t g = order[k];
        const group_result *r = &a->r.groups[g];
        if (r->nseries == 0)
            continue;
        buf_puts(&b, f == RF_MD ? "**" : "<strong>");
        rf_group(f, &b, &a->m.groups[g]);
        buf_puts(&b, f == RF_MD ? "**" : "</strong>");
        fmt_range(ci, r->steady_lo, r->steady_hi, 2);
        switch (r->trend) {
        case TREND_FLAT:
            buf_printf(&b, " stayed flat: steady growth %s GiB/day", fmt_signed(x, r->steady, 2));
            break;
        case TREND_GROWING:
            buf_printf(&b, " grew: %s GiB/day in steady state", fmt_signed(x, r->steady, 2));
            break;
        case TREND_FALLING:
            buf_printf(&b, " fell: steady growth %s GiB/day", fmt_signed(x, r->steady, 2));
            break;
        case TREND_VARIABLE:
            buf_printf(&b, " varied without a steady trend: steady growth %s GiB/day",
                       fmt_signed(x, r->steady, 2));
            break;
        case TREND_NONE:
            break;
        }
        if (strcmp(ci, FMT_NONE) != 0)
            buf_printf(&b, " (95%% CI %s)", ci);
        if (r->steady_n > 0)
            buf_printf(&b, " over %zu relay%s", r->steady_n, fmt_s(r->steady_n));
        change_phrase(r, &b);
        if (r->trend == TREND_VARIABLE && !isnan(r->cv))
            buf_printf(&b, ", varying by %s%% of its level (coefficient of variation)",
                       fmt_fixed(x, r->cv * 100.0, 0));
        buf_puts(&b, ".");
        if (!isnan(r->forecast_days) && a->e.man.memory_budget_gib > 0) {
            char bud[FMT_BUF];
            fmt_fixed(bud, a->e.man.memory_budget_gib, 1);
            if (isinf(r->forecast_days))
                buf_printf(&b, " It does not reach the %s GiB budget at this rate.", bud);
            else if (r->forecast_days <= 0)
                buf_printf(&b, " It is already over the %s GiB budget.", bud);
            else if (r->forecast_days > 3650)
                buf_printf(&b, " At this rate it would take more than ten years to reach the "
                               "%s GiB budget.", bud);
            else
                buf_printf(&b, " At this rate it reaches the %s GiB budget in %s days.", bud,
                           fmt_fixed(x, r->forecast_days, 0));
        }
        push(&v, &n, &cap, &b);
    }

    /* Significance against the baseline, Holm-adjusted. */
    if (a->r.ngroups > 1) {
        strbuf sig, ns;
        buf_init(&sig);
        buf_init(&ns);
        size_t nsig = 0, nns = 0;
        for (size_t k = 0; k < a->r.ngroups; k++) {
            size_t g = order[k];
            const group_result *r = &a->r.groups[g];
            if (g == a->r.baseline || isnan(r->p_holm))
                continue;
            strbuf *t = r->p_holm < 0.05 ? &sig : &ns;
            size_t *cnt = r->p_holm < 0.05 ? &nsig : &nns;
            if (*cnt)
                buf_puts(t, ", ");
            rf_group(f, t, &a->m.groups[g]);
            fmt_pvalue(x, r->p_holm);
            buf_printf(t, " p%s%s", x[0] == '<' ? "" : "=", x);
            (*cnt)++;
        }
        buf_puts(&b, "Against the baseline ");
        rf_group(f, &b, &a->m.groups[a->r.baseline]);
        if (!report_baseline_shown(a))
            buf_puts(&b, " (not shown)");
        if (nsig)
            buf_printf(&b, ", the final-memory difference is significant after Holm correction "
                           "for %s", sig.data);
        if (nsig && nns)
            buf_puts(&b, "; it is not for ");
        else if (nns)
            buf_puts(&b, ", the final-memory difference is not significant after Holm "
                         "correction for ");
        if (nns)
            buf_puts(&b, ns.data);
        if (!nsig && !nns)
            buf_puts(&b, ", no group has enough relays for a test");
        buf_puts(&b, " (two-sided rank-sum test over relays, Holm-adjusted p, 5% level).");
        buf_free(&sig);
        buf_free(&ns);
        push(&v, &n, &cap, &b);
    }

    if (a->m.noverlaps > 0) {
        buf_printf(&b, "%zu relay%s counted in two groups at the same time (",
                   a->m.noverlaps, a->m.noverlaps == 1 ? " is" : "s are");
        for (size_t i = 0; i < a->m.noverlaps && i < 5; i++) {
            const overlap *o = &a->m.overlaps[i];
            if (i)
                buf_puts(&b, ", ");
            rf_text(f, &b, relay_label(&a->e.relays[o->relay]));
            buf_puts(&b, " in ");
            rf_text(f, &b, a->m.groups[o->g1].id);
            buf_puts(&b, " and ");
            rf_text(f, &b, a->m.groups[o->g2].id);
        }
        if (a->m.noverlaps > 5)
            buf_puts(&b, ", ...");
        buf_puts(&b, "); both groups' figures include them.");
        push(&v, &n, &cap, &b);
    }

    buf_printf(&b, "Method: steady growth is the median over relays of Theil\xe2\x80\x93Sen slopes "
                   "fitted between restarts, skipping %s h of warm-up after each start; "
                   "confidence intervals are bootstrap intervals over relays (%d resamples, "
                   "fixed seed). Trend is Flat when |steady growth| \xe2\x89\xa4 %s GiB/day.",
               fmt_fixed(x, th->warmup_hours, 0), BOOTSTRAP_RESAMPLES,
               fmt_fixed(ci, th->flat_gib_day, 2));
    push(&v, &n, &cap, &b);

    free(order);
    buf_free(&b);
    *out = v;
    return n;
}

void report_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static const char *host_field(const host_row *h, const char *field)
{
    if (!strcmp(field, "tor_version"))
        return h->tor_version;
    if (!strcmp(field, "os_release"))
        return h->os_release;
    if (!strcmp(field, "kernel"))
        return h->kernel;
    if (!strcmp(field, "hostname"))
        return h->hostname;
    if (!strcmp(field, "allocator"))
        return h->allocator;
    return NULL;
}

/* Rows inside the analysed period; all rows when none is. */
static bool host_in_window(const analysis *a, const host_row *h, bool any_inside)
{
    if (!any_inside)
        return true;
    return h->t >= a->r.first_t && h->t <= a->r.last_t;
}

static bool hosts_inside(const analysis *a)
{
    for (size_t i = 0; i < a->e.nhosts; i++)
        if (a->e.hosts[i].t >= a->r.first_t && a->e.hosts[i].t <= a->r.last_t)
            return true;
    return false;
}

char *report_host_fact(const analysis *a, const char *field)
{
    bool inside = hosts_inside(a);
    strbuf b;
    buf_init(&b);
    const char **seen = NULL;
    size_t nseen = 0, cap = 0;
    for (size_t i = 0; i < a->e.nhosts; i++) {
        const host_row *h = &a->e.hosts[i];
        if (!host_in_window(a, h, inside))
            continue;
        const char *v = host_field(h, field);
        if (str_empty(v))
            continue;
        bool dup = false;
        for (size_t k = 0; k < nseen; k++)
            if (!strcmp(seen[k], v))
                dup = true;
        if (dup)
            continue;
        xgrow((void **)&seen, &cap, nseen + 1, sizeof *seen);
        seen[nseen++] = v;
        if (b.len)
            buf_puts(&b, " \xe2\x86\x92 "); /* changed during the period */
        buf_puts(&b, v);
    }
    free(seen);
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

char *report_host_ram(const analysis *a)
{
    bool inside = hosts_inside(a);
    double last = NAN;
    strbuf b;
    buf_init(&b);
    char v[FMT_BUF];
    for (size_t i = 0; i < a->e.nhosts; i++) {
        const host_row *h = &a->e.hosts[i];
        if (!host_in_window(a, h, inside) || isnan(h->mem_total_mb) || h->mem_total_mb == last)
            continue;
        if (b.len)
            buf_puts(&b, " \xe2\x86\x92 ");
        buf_printf(&b, "%s GiB", fmt_fixed(v, h->mem_total_mb / 1024.0, 1));
        last = h->mem_total_mb;
    }
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

long report_period_parts(const analysis *a, char from[32], char to[32])
{
    int tz = a->e.man.tz_offset_min;
    timestamp_format_date(a->r.first_t, tz, from, 32);
    timestamp_format_date(a->r.last_t, tz, to, 32);
    return (long)(timestamp_local_day(a->r.last_t, tz) - timestamp_local_day(a->r.first_t, tz)) + 1;
}

char *report_period(const analysis *a)
{
    char d1[32], d2[32];
    long days = report_period_parts(a, d1, d2);
    return xasprintf("%s to %s (%ld day%s)", d1, d2, days, days == 1 ? "" : "s");
}

const char *report_title(const analysis *a)
{
    const manifest *m = &a->e.man;
    if (!str_empty(m->name))
        return m->name;
    if (!str_empty(m->id))
        return m->id;
    if (a->e.dir) {
        const char *s = strrchr(a->e.dir, '/');
        /* "dir/" ends in a slash: fall back to the whole path. */
        if (s && s[1])
            return s + 1;
        return a->e.dir;
    }
    return "Memory experiment";
}

void report_stamp(int64_t t, bool from_sde, strbuf *b)
{
    char d[32];
    timestamp_format_date(t, 0, d, sizeof d);
    if (from_sde)
        buf_printf(b, "Built with memreport %s on %s.", MEMREPORT_VERSION, d);
    else
        buf_printf(b, "Built with memreport %s from data up to %s.", MEMREPORT_VERSION, d);
}

void report_generated(const analysis *a, const report_ctx *ctx, strbuf *b)
{
    (void)a;
    report_stamp(ctx->generated_t, ctx->generated_from_sde, b);
}

char *report_file_id(const char *id, size_t index)
{
    bool ok = !str_empty(id) && strlen(id) <= 64;
    for (const char *s = id; ok && *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            ok = false;
    if (ok)
        return xstrdup(id);
    return xasprintf("group%zu", index + 1);
}

/* "from 2025-12-31 22:00", "to ...", or "whole data". Caller frees. */
char *report_window(const analysis *a, const group *g)
{
    int tz = a->e.man.tz_offset_min;
    char s[40], e[40];
    bool has_s = g->start != INT64_MIN && g->start != TIME_NONE;
    bool has_e = g->end != INT64_MAX && g->end != TIME_NONE;
    if (has_s)
        timestamp_format_human(g->start, tz, s, sizeof s);
    if (has_e)
        timestamp_format_human(g->end, tz, e, sizeof e);
    if (has_s && has_e)
        return xasprintf("%s to %s", s, e);
    if (has_s)
        return xasprintf("from %s", s);
    if (has_e)
        return xasprintf("until %s", e);
    return xstrdup("whole data");
}

const char *report_find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0)
        return hay;
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, k))
            return hay + i;
    return NULL;
}

#ifndef MEMREPORT_DATA_DIR
#define MEMREPORT_DATA_DIR "."
#endif

/* PREFIX/share/memreport beside an installed PREFIX/bin/memreport, when
 * it holds templates/; NULL otherwise (a binary in the build tree). */
static char *installed_data_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    char *dir = path_join(exe, "../share/memreport");
    char *tpl = path_join(dir, "templates");
    struct stat st;
    bool ok = stat(tpl, &st) == 0 && S_ISDIR(st.st_mode);
    free(tpl);
    if (!ok) {
        free(dir);
        return NULL;
    }
    return dir;
}

const char *report_data_dir(void)
{
    const char *e = getenv("MEMREPORT_DATA_DIR");
    if (e && *e)
        return e;
    /* Looked up once; kept for the life of the process. */
    static bool looked;
    static char *installed;
    if (!looked) {
        looked = true;
        installed = installed_data_dir();
    }
    return installed ? installed : MEMREPORT_DATA_DIR;
}

int report_load_template(const char *name, const char *file, diag_list *d)
{
    char *path = xasprintf("%s/templates/%s", report_data_dir(), file);
    char *err = NULL;
    int rc = tmpl_load_file(name, path, &err);
    free(path);
    if (rc != 0) {
        diag_error(d, NULL, 0, "%s (set MEMREPORT_DATA_DIR to the directory holding "
                               "templates/)", err);
        free(err);
        return -1;
    }
    return 0;
}

int report_load_templates(diag_list *d)
{
    if (report_load_template(REPORT_MD_TEMPLATE, "REPORT.md.tpl", d) != 0 ||
        report_load_template(REPORT_HTML_TEMPLATE, "experiment.html.tpl", d) != 0 ||
        report_load_template(REPORT_SINGLE_TEMPLATE, "single.html.tpl", d) != 0)
        return -1;
    return 0;
}

/* What REPORT.md and the HTML pages print with each chart: a heading and a
 * sentence on how to read it. One table, so `build` and `site` say the
 * same thing. */
static const struct {
    const char *heading;
    const char *caption;
} chart_texts[CHART_COUNT] = {
    [CHART_TIMESERIES] = {"Memory over time",
                          "Mean RSS per relay of each group at every collection."},
    [CHART_DISTRIBUTION] = {"Distribution at the final snapshot",
                            "RSS of every relay at its group's final snapshot, with each "
                            "group's median, quartiles and mean."},
    [CHART_TRAJECTORIES] = {"Relay trajectories",
                            "RSS of every relay over time, coloured by group: restarts show "
                            "as drops, leaks as steady climbs."},
    [CHART_TOTAL] = {"Server total",
                     "Memory of all relays on the server together at every collection."},
};

const char *report_chart_heading(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? chart_texts[k].heading : NULL;
}

const char *report_chart_caption(chart_kind k)
{
    return (unsigned)k < CHART_COUNT ? chart_texts[k].caption : NULL;
}

void report_add_chart(report_ctx *ctx, chart_kind k, const char *svg, size_t svg_len,
                      const char *narrow, size_t narrow_len)
{
    if (ctx->ncharts >= REPORT_MAX_CHARTS)
        return;
    report_chart *c = &ctx->charts[ctx->ncharts++];
    c->name = chart_name(k);
    c->title = report_chart_heading(k);
    c->caption = report_chart_caption(k);
    c->svg = svg;
    c->svg_len = svg_len;
    c->svg_narrow = narrow;
    c->svg_narrow_len = narrow_len;
}

bool report_source_date_epoch(int64_t *t)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        return false;
    *t = v;
    return true;
}

void report_set_generated(report_ctx *ctx, const analysis *a)
{
    ctx->generated_from_sde = report_source_date_epoch(&ctx->generated_t);
    if (!ctx->generated_from_sde)
        ctx->generated_t = a->r.last_t;
}

const char *report_color_of(const analysis *a, size_t g)
{
    return report_group_color(&a->m.groups[g], a->m.shown_from ? a->m.shown_from[g] : g);
}

size_t report_groups_all(const analysis *a)
{
    return a->m.shown_from ? a->m.nall : a->m.ngroups;
}

bool report_baseline_shown(const analysis *a)
{
    return a->r.baseline < a->m.ngroups;
}

char *report_groups_count(const analysis *a)
{
    size_t all = report_groups_all(a);
    if (!a->m.shown_from)
        return xasprintf("%zu group%s", all, fmt_s(all));
    return xasprintf("%zu of %zu group%s shown", a->m.ngroups, all, fmt_s(all));
}

const char *report_group_color(const group *g, size_t i)
{
    return palette_valid(g->color) ? g->color : palette_color(i);
}
