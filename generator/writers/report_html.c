/* report_html.c - fills the experiment page's template (see report_html.h). */
#include "report_html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "fmt.h"
#include "report_fill.h"
#include "sha256.h"
#include "strmap.h"
#include "timestamp.h"
#include "tmpl.h"

static void base64(const unsigned char *in, size_t n, strbuf *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        buf_putc(out, tab[(v >> 18) & 63]);
        buf_putc(out, tab[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? tab[v & 63] : '=');
    }
}

/* Distinct strings, in a hash map for the membership test (a chart at
 * fleet scale holds ~10^5 style attributes, mostly alike). */
typedef struct {
    char **v;
    size_t n, cap;
    strmap seen;
} strset;

static void strset_add(strset *s, const char *p, size_t len)
{
    size_t ignored;
    if (strmap_get(&s->seen, p, len, &ignored))
        return;
    strmap_put(&s->seen, p, len, s->n);
    xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = xstrndup(p, len);
}

/* Collects <style> bodies and style="..." values of one SVG. The chart
 * writer escapes quotes inside values, so the first '"' ends one. Each
 * search goes on from where its last match was, so the scan is linear in
 * the SVG (searching the rest again after every attribute was quadratic:
 * 100k relays never finished). */
static void collect_styles(const char *svg, size_t len, strset *s)
{
    const char *end = svg + len;
    const char *st = report_find(svg, len, "<style>");
    const char *at = report_find(svg, len, " style=\"");
    while (st || at) {
        const char *p;
        if (st && (!at || st < at)) {
            const char *body = st + 7;
            const char *close = report_find(body, (size_t)(end - body), "</style>");
            if (!close)
                break;
            strset_add(s, body, (size_t)(close - body));
            p = close + 8;
        } else {
            const char *v = at + 8;
            const char *q = memchr(v, '"', (size_t)(end - v));
            if (!q)
                break;
            strset_add(s, v, (size_t)(q - v));
            p = q + 1;
        }
        if (st && st < p)
            st = report_find(p, (size_t)(end - p), "<style>");
        if (at && at < p)
            at = report_find(p, (size_t)(end - p), " style=\"");
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *report_html_csp(const report_chart *charts, size_t n)
{
    strset s = {0};
    strmap_init(&s.seen);
    for (size_t i = 0; i < n; i++) {
        if (charts[i].svg)
            collect_styles(charts[i].svg, charts[i].svg_len, &s);
        if (charts[i].svg_narrow)
            collect_styles(charts[i].svg_narrow, charts[i].svg_narrow_len, &s);
    }
    /* Sorted so the policy does not depend on drawing order. */
    if (s.n)
        qsort(s.v, s.n, sizeof *s.v, cmp_str);
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "default-src 'none'; img-src 'self'; style-src 'self'");
    if (s.n)
        buf_puts(&b, " 'unsafe-hashes'");
    for (size_t i = 0; i < s.n; i++) {
        sha256_ctx c;
        unsigned char dg[32];
        sha256_init(&c);
        sha256_update(&c, s.v[i], strlen(s.v[i]));
        sha256_final(&c, dg);
        buf_puts(&b, " 'sha256-");
        base64(dg, sizeof dg, &b);
        buf_putc(&b, '\'');
        free(s.v[i]);
    }
    free(s.v);
    strmap_free(&s.seen);
    buf_puts(&b, "; base-uri 'none'; form-action 'none'");
    return buf_detach(&b);
}

void report_html_fill_look(tmpl_dict *d, const page_look *lk)
{
    if (!lk)
        return;
    if (lk->theme_css)
        tmpl_set(tmpl_add_section(d, "THEME_CSS"), "HREF", lk->theme_css);
    if (lk->canonical)
        tmpl_set(tmpl_add_section(d, "CANONICAL"), "URL", lk->canonical);
    if (lk->feed)
        tmpl_set(tmpl_add_section(d, "FEED"), "HREF", lk->feed);
    /* Checked when the theme was read (site_theme.c): no script, no
     * inline style, nothing the page's policy would block. */
    tmpl_set(d, "THEME_HEADER", lk->header);
    tmpl_set(d, "THEME_FOOTER", lk->footer);
}

static void add_kpi(tmpl_dict *d, const char *label, const char *value, const char *note)
{
    tmpl_dict *k = tmpl_add_section(d, "KPI");
    tmpl_set(k, "LABEL", label);
    tmpl_set(k, "VALUE", value);
    tmpl_set(k, "NOTE", note);
}

static void fill_kpis(const analysis *a, tmpl_dict *d)
{
    char v[FMT_BUF], ci[FMT_BUF];
    long best = report_best(a);
    if (best >= 0) {
        const group_result *r = &a->r.groups[best];
        char *lbl = report_label(&a->m.groups[best], LABEL_PAREN);
        char *val = xasprintf("%s GiB", fmt_fixed(v, r->final_mean, 2));
        add_kpi(d, "Least memory per relay", val, lbl);
        free(val);
        if ((size_t)best != a->r.baseline && !isnan(r->ratio) && r->ratio >= 1) {
            char *bl = report_label(&a->m.groups[a->r.baseline], LABEL_PAREN);
            fmt_range(ci, r->ratio_lo, r->ratio_hi, 2);
            char *note = xasprintf("less than baseline %s%s; 95%% CI %s", bl,
                                   report_baseline_shown(a) ? "" : ", not shown", ci);
            add_kpi(d, "Memory saved vs baseline", fmt_ratio(v, r->ratio), note);
            free(note);
            free(bl);
        }
        free(lbl);
    }
    long worst = report_fastest(a);
    if (worst >= 0) {
        const group_result *r = &a->r.groups[worst];
        char *lbl = report_label(&a->m.groups[worst], LABEL_PAREN);
        char *val = xasprintf("%s GiB/day", fmt_signed(v, r->steady, 2));
        char *note = xasprintf("%s, steady state", lbl);
        add_kpi(d, "Fastest growth", val, note);
        free(note);
        free(val);
        free(lbl);
    }
    char *period = report_period(a);
    char *p = strchr(period, '(');
    char *days = p ? xstrndup(p + 1, strlen(p + 1) - 1) : xstrdup(period);
    /* The experiment's relays and groups, shown or not (--groups). */
    size_t grouped = a->e.nrelays - a->m.nungrouped, all = report_groups_all(a);
    char *note = xasprintf("%zu relay%s in %zu group%s", grouped, fmt_s(grouped), all,
                           fmt_s(all));
    add_kpi(d, "Period", days, note);
    free(note);
    free(days);
    free(period);
}

char *report_share_text(const analysis *a)
{
    const manifest *man = &a->e.man;
    const char *src = !str_empty(man->result)       ? man->result
                      : !str_empty(man->hypothesis) ? man->hypothesis
                                                    : NULL;
    char *text = src ? xstrdup(src)
                     : xasprintf("Memory of Tor relays by allocator group: %s.", report_title(a));
    for (char *p = text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(text);
    if (n > 300) {
        size_t cut = 300;
        while (cut > 200 && text[cut] != ' ')
            cut--;
        /* Never split a UTF-8 sequence. */
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut--;
        char *cut_text = xasprintf("%.*s…", (int)cut, text);
        free(text);
        text = cut_text;
    }
    return text;
}

static void fill_share(const analysis *a, const report_ctx *ctx, tmpl_dict *d)
{
    char *text = report_share_text(a);
    tmpl_set(d, "SHARE_DESCRIPTION", text);
    free(text);
    if (ctx->og_image)
        tmpl_set(tmpl_add_section(d, "OG_IMAGE"), "SRC", ctx->og_image);
}

void report_html_fill_theme(tmpl_dict *d, const char *theme)
{
    tmpl_set(d, "COLOR_SCHEME", theme ? theme : "light dark");
    if (theme)
        tmpl_set(tmpl_add_section(d, "THEME"), "NAME", theme);
}

static void fill_meta(const analysis *a, tmpl_dict *d)
{
    const manifest *man = &a->e.man;
    if (!str_empty(man->server))
        tmpl_setf(tmpl_add_section(d, "META"), "TEXT", "Server %s", man->server);
    char *period = report_period(a);
    tmpl_set(tmpl_add_section(d, "META"), "TEXT", period);
    free(period);
    char *count = report_groups_count(a);
    tmpl_set(tmpl_add_section(d, "META"), "TEXT", count);
    free(count);
    if (!str_empty(man->id))
        tmpl_set(tmpl_add_section(d, "META"), "TEXT", man->id);
}

static void fill_events(const analysis *a, tmpl_dict *d)
{
    if (!a->e.nevents) {
        tmpl_show_section(d, "NO_EVENTS");
        return;
    }
    tmpl_dict *sec = tmpl_add_section(d, "EVENTS");
    char when[40];
    for (size_t i = 0; i < a->e.nevents; i++) {
        const event *ev = &a->e.events[i];
        tmpl_dict *r = tmpl_add_section(sec, "EVENT");
        tmpl_setf(r, "N", "%zu", i + 1);
        timestamp_format_human(ev->t, a->e.man.tz_offset_min, when, sizeof when);
        tmpl_set(r, "TIME", when);
        tmpl_set(r, "TYPE", ev->type);
        tmpl_set(r, "DESCRIPTION", ev->description);
        tmpl_set(r, "GROUP", ev->group);
    }
}

static void add_download(tmpl_dict *d, const char *href, const char *label, const char *note)
{
    tmpl_dict *r = tmpl_add_section(d, "DOWNLOAD");
    tmpl_set(r, "HREF", href);
    tmpl_set(r, "LABEL", label);
    tmpl_set(r, "NOTE", note);
}

static void fill_downloads(const analysis *a, const report_ctx *ctx, tmpl_dict *d)
{
    if (ctx->results_csv)
        add_download(d, ctx->results_csv, "Results (CSV)",
                     "one row per group: final mean, ratio and CI, p-values, slopes, trend");
    for (size_t g = 0; ctx->series_csv && g < a->m.ngroups; g++) {
        if (!ctx->series_csv[g])
            continue;
        char *label = xasprintf("Series of group %s (CSV)", a->m.groups[g].id);
        add_download(d, ctx->series_csv[g], label,
                     "per collection: members with a sample, mean, median, p10, p90, min, max (GiB)");
        free(label);
    }
    if (ctx->archive)
        add_download(d, ctx->archive, "Archive (results.sqlite)",
                     "everything read and computed; query it with the sqlite3 shell");
}

void report_html_fill_page(const analysis *a, tmpl_dict *dict)
{
    tmpl_set(dict, "VERSION", MEMREPORT_VERSION);
    fill_meta(a, dict);
    fill_kpis(a, dict);
    fill_events(a, dict);
}

int report_html_render(const analysis *a, const report_ctx *ctx, strbuf *out, diag_list *d)
{
    tmpl_dict *dict = tmpl_dict_new();
    report_fill(a, ctx, RF_HTML, dict);

    char *csp = report_html_csp(ctx->charts, ctx->ncharts);
    tmpl_set(dict, "CSP", csp);
    free(csp);
    tmpl_set(dict, "ASSETS", ctx->asset_prefix ? ctx->asset_prefix : "assets/");
    report_html_fill_page(a, dict);
    fill_share(a, ctx, dict);
    report_html_fill_theme(dict, ctx->theme);
    fill_downloads(a, ctx, dict);
    report_html_fill_look(dict, ctx->look);
    if (ctx->site_index) {
        tmpl_dict *nav = tmpl_add_section(dict, "SITE_NAV");
        tmpl_set(nav, "INDEX", ctx->site_index);
        if (ctx->site_compare) {
            tmpl_dict *c = tmpl_add_section(nav, "SITE_COMPARE");
            tmpl_set(c, "HREF", ctx->site_compare);
        }
    }
    if (ctx->notes && ctx->notes->present && !str_empty(ctx->notes->html)) {
        tmpl_show_section(dict, "HAS_NOTES");
        tmpl_set(dict, "NOTES_HTML", ctx->notes->html);
    }
    int rc;
    size_t start = out->len;
    rc = tmpl_expand(REPORT_HTML_TEMPLATE, dict, out);
    tmpl_dict_free(dict);
    if (rc != 0) {
        out->len = start;
        out->data[start] = '\0';
        diag_error(d, "templates/experiment.html.tpl", 0, "template failed to expand");
        return -1;
    }
    return 0;
}

void report_series_csv(const analysis *a, size_t g, strbuf *out)
{
    const group_result *r = &a->r.groups[g];
    char ts[40];
    buf_puts(out, "timestamp,group,n,mean_gib,median_gib,p10_gib,p90_gib,min_gib,max_gib\n");
    for (size_t i = 0; i < r->nseries; i++) {
        const group_point *p = &r->series[i];
        timestamp_format_iso(p->t, a->e.man.tz_offset_min, ts, sizeof ts);
        buf_puts(out, ts);
        buf_putc(out, ',');
        /* Group IDs are free text: quote when needed (RFC 4180). */
        const char *id = a->m.groups[g].id;
        if (strpbrk(id, ",\"\r\n")) {
            buf_putc(out, '"');
            for (const char *s = id; *s; s++) {
                if (*s == '"')
                    buf_putc(out, '"');
                buf_putc(out, *s);
            }
            buf_putc(out, '"');
        } else {
            buf_puts(out, id);
        }
        /* printf's bytes, without its cost: a year of hourly points. */
        buf_putc(out, ',');
        fmt_put_long(out, (long)p->n);
        const double col[] = {p->mean, p->median, p->p10, p->p90, p->min, p->max};
        for (size_t k = 0; k < ARRAY_LEN(col); k++) {
            buf_putc(out, ',');
            fmt_put_fixed(out, col[k], 6);
        }
        buf_putc(out, '\n');
    }
}

int report_html_stage_assets(outset *os, const char *site, int verbosity, diag_list *d)
{
    static const char *const assets[] = {"style.css", "favicon.svg"};
    int bad = 0;
    for (size_t i = 0; i < ARRAY_LEN(assets) && !bad; i++) {
        char *src = xasprintf("%s/assets/%s", report_data_dir(), assets[i]);
        char *dst = xasprintf("%s/assets/%s", site, assets[i]);
        if (verbosity > 1)
            fprintf(stderr, "memreport: writing %s\n", dst);
        bad = outset_add_copy(os, dst, src, d);
        free(src);
        free(dst);
    }
    return bad ? -1 : 0;
}

char *report_series_href(const analysis *a, size_t g)
{
    /* A group's number in the whole report, so a --groups view names its
     * file as a full build does. */
    size_t k = a->m.shown_from ? a->m.shown_from[g] : g;
    char *id = report_file_id(a->m.groups[g].id, k);
    char *href = xasprintf("data/series_%s.csv", id);
    free(id);
    return href;
}
