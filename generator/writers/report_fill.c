/* report_fill.c - fills a template dictionary with everything REPORT.md
 * and the HTML page share (see report_fill.h). Values are plain text: the
 * templates escape them (x-md, or ctemplate's HTML auto-escaping); only
 * sentences composed by report_common.c arrive already in the flavour. */
#include "report_fill.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "timestamp.h"

static void set_opt_section(tmpl_dict *d, const char *section, const char *text)
{
    if (str_empty(text))
        return;
    tmpl_set(tmpl_add_section(d, section), "TEXT", text);
}

static void setup_row(tmpl_dict *d, const char *key, const char *value)
{
    if (str_empty(value))
        return;
    tmpl_dict *r = tmpl_add_section(d, "SETUP");
    tmpl_set(r, "KEY", key);
    tmpl_set(r, "VALUE", value);
}

static const char *trend_css(trend_class t)
{
    switch (t) {
    case TREND_FLAT: return "flat";
    case TREND_GROWING: return "growing";
    case TREND_FALLING: return "falling";
    case TREND_VARIABLE: return "variable";
    case TREND_NONE: return "none";
    }
    return "none";
}

static const char *members_from(const group *g)
{
    switch (g->source) {
    case MEMBERS_MANIFEST_LIST: return "experiment.json list";
    case MEMBERS_GROUP_COLUMN: return "group column of the memory CSV";
    case MEMBERS_RELAY_CONFIG: return "relay_config.csv";
    case MEMBERS_MANIFEST_FILE:
    case MEMBERS_GROUP_FILE: break;
    case MEMBERS_ALL: return "every relay (no groups given)";
    }
    return g->source_path ? g->source_path : "";
}

static void fill_setup(const analysis *a, tmpl_dict *d)
{
    const manifest *man = &a->e.man;
    char buf[FMT_BUF], buf2[FMT_BUF];
    char *host = report_host_fact(a, "hostname");
    char *server = NULL;
    if (!str_empty(man->server) && host && !str_eq(man->server, host))
        server = xasprintf("%s (host %s)", man->server, host);
    else
        server = xstrdup(!str_empty(man->server) ? man->server : host);
    setup_row(d, "Server", server);
    free(server);
    free(host);

    char *period = report_period(a);
    setup_row(d, "Period", period);
    free(period);

    int tz = man->tz_offset_min;
    char *tzs = xasprintf("UTC%c%02d:%02d", tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
    setup_row(d, "Timezone", tzs);
    free(tzs);

    size_t grouped = a->e.nrelays - a->m.nungrouped;
    char *relays = xasprintf("%s seen, %s in groups", fmt_count(buf, a->e.nrelays),
                             fmt_count(buf2, grouped));
    setup_row(d, "Relays", relays);
    free(relays);

    size_t ncoll = 0;
    for (size_t c = 0; c < a->e.ncoll; c++)
        if (a->e.times[c] >= a->r.first_t && a->e.times[c] <= a->r.last_t)
            ncoll++;
    char *colls = xasprintf("%zu", ncoll);
    setup_row(d, "Collections", colls);
    free(colls);

    char *tor = report_host_fact(a, "tor_version");
    setup_row(d, "Tor version", tor ? tor : man->tor_version);
    free(tor);
    /* diagnostics.csv says the host's default; the manifest, the setup's. */
    char *alloc = report_host_fact(a, "allocator");
    if (alloc)
        setup_row(d, "Default allocator", alloc);
    else
        setup_row(d, "Allocator", man->allocator);
    free(alloc);
    char *os = report_host_fact(a, "os_release");
    setup_row(d, "OS", os);
    free(os);
    char *kernel = report_host_fact(a, "kernel");
    setup_row(d, "Kernel", kernel);
    free(kernel);
    char *ram = report_host_ram(a);
    setup_row(d, "Host RAM", ram);
    free(ram);

    if (a->r.ngroups > 0 && !report_monitoring(a)) {
        strbuf b;
        buf_init(&b);
        const group *bg = &a->m.groups[a->r.baseline];
        report_group_label(&b, bg);
        buf_puts(&b, !str_empty(man->baseline) ? "" : ", the group with the highest final mean");
        if (!report_baseline_shown(a))
            buf_puts(&b, " (not shown in this report)");
        setup_row(d, "Baseline", b.data);
        buf_free(&b);
    }
}

/* The value of config key k for group g's manifest entry ("" when it has
 * none); a config given as a string is the key "config". */
static const char *config_value(const group *g, const char *k)
{
    const manifest_group *s = g->spec;
    if (!s)
        return "";
    for (size_t i = 0; i < s->nconfig; i++)
        if (str_eq(s->config_keys[i], k))
            return s->config_values[i];
    if (str_eq(k, "config") && !s->nconfig && s->config_json && s->config_json[0] == '"') {
        static char buf[256];
        size_t n = strlen(s->config_json);
        snprintf(buf, sizeof buf, "%.*s", (int)(n >= 2 ? n - 2 : 0), s->config_json + 1);
        return buf;
    }
    return "";
}

/* Every config key any group gives, in order of first appearance: each is
 * a column of the groups table (allocator, version, source, dircache...). */
static size_t config_columns(const analysis *a, const char ***out)
{
    const char **keys = NULL;
    size_t n = 0, cap = 0;
    for (size_t g = 0; g < a->m.ngroups; g++) {
        const manifest_group *s = a->m.groups[g].spec;
        if (!s)
            continue;
        size_t nk = s->nconfig ? s->nconfig : s->config_json && s->config_json[0] == '"';
        for (size_t i = 0; i < nk; i++) {
            const char *k = s->nconfig ? s->config_keys[i] : "config";
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = str_eq(keys[j], k);
            if (!seen) {
                xgrow((void **)&keys, &cap, n + 1, sizeof *keys);
                keys[n++] = k;
            }
        }
    }
    *out = keys;
    return n;
}

static void fill_groups(const analysis *a, tmpl_dict *d)
{
    const char **keys;
    size_t nkeys = config_columns(a, &keys);
    /* "allocator" heads a column as "Allocator"; each cell carries its
     * column's head too (the phone layout labels every cell). */
    char **heads = xcalloc(nkeys ? nkeys : 1, sizeof *heads);
    for (size_t k = 0; k < nkeys; k++) {
        heads[k] = xstrdup(keys[k]);
        if (heads[k][0] >= 'a' && heads[k][0] <= 'z')
            heads[k][0] = (char)(heads[k][0] - 'a' + 'A');
        tmpl_set(tmpl_add_section(d, "CFGH"), "K", heads[k]);
    }
    for (size_t g = 0; g < a->m.ngroups; g++) {
        const group *gr = &a->m.groups[g];
        tmpl_dict *r = tmpl_add_section(d, "GROUP");
        tmpl_set(r, "ID", gr->id);
        tmpl_set(r, "NAME", gr->name);
        tmpl_set(r, "ALLOCATOR", gr->spec ? gr->spec->allocator : NULL);
        tmpl_set(r, "VERSION", gr->spec ? gr->spec->version : NULL);
        tmpl_set(r, "SOURCE", gr->spec ? gr->spec->source : NULL);
        tmpl_setf(r, "RELAYS", "%zu", gr->nmembers);
        char *w = report_window(a, gr);
        tmpl_set(r, "WINDOW", w);
        free(w);
        tmpl_set(r, "MEMBERS", members_from(gr));
        for (size_t k = 0; k < nkeys; k++) {
            tmpl_dict *c = tmpl_add_section(r, "CFG");
            tmpl_set(c, "V", config_value(gr, keys[k]));
            tmpl_set(c, "L", heads[k]);
        }
        tmpl_set(r, "COLOR", report_color_of(a, g));
    }
    for (size_t k = 0; k < nkeys; k++)
        free(heads[k]);
    free(heads);
    free(keys);
}

static void fill_final(const analysis *a, tmpl_dict *d)
{
    size_t *order = report_order(a);
    long best = report_best(a);
    char buf[FMT_BUF];
    strbuf b;
    buf_init(&b);
    for (size_t k = 0; k < a->r.ngroups; k++) {
        size_t g = order[k];
        const group_result *r = &a->r.groups[g];
        tmpl_dict *row = tmpl_add_section(d, "FINAL");
        tmpl_set(row, "B", (long)g == best ? "**" : "");
        tmpl_set(row, "ID", a->m.groups[g].id);
        tmpl_set(row, "NAME", a->m.groups[g].name);
        /* "11 of 17": members that stopped or left before the snapshot. */
        size_t nm = a->m.groups[g].nmembers, nf = r->has_final ? r->final_n : 0;
        if (nf < nm)
            tmpl_setf(row, "RELAYS", "%zu of %zu", nf, nm);
        else
            tmpl_setf(row, "RELAYS", "%zu", nf);
        tmpl_set(row, "MEAN", r->has_final ? fmt_fixed(buf, r->final_mean, 2) : FMT_NONE);
        buf_reset(&b);
        report_vs_baseline(a, g, &b);
        tmpl_set(row, "VS", b.data);
        buf_reset(&b);
        report_growth(r, &b);
        tmpl_set(row, "GROWTH", b.data);
        tmpl_set(row, "TREND", report_trend(r->trend));
        tmpl_set(row, "TRENDCLASS", trend_css(r->trend));
        tmpl_set(row, "COLOR", report_color_of(a, g));
        tmpl_set(row, "ROWCLASS", (long)g == best ? "best" : g == a->r.baseline ? "baseline" : "");
        char *fid = report_file_id(a->m.groups[g].id, g);
        tmpl_set(row, "FILEID", fid);
        free(fid);
    }
    buf_free(&b);
    free(order);

    char when[40];
    timestamp_format_human(a->r.last_t, a->e.man.tz_offset_min, when, sizeof when);
    tmpl_setf(d, "FINAL_WHEN", "last collection %s", when);
    if (a->r.ngroups > 0)
        tmpl_set(d, "BASELINE", a->m.groups[a->r.baseline].id);
    if (a->r.ngroups > 0 && !report_baseline_shown(a))
        tmpl_add_section(d, "BASELINE_HIDDEN");
    strbuf note;
    buf_init(&note);
    buf_puts(&note,
             "Mean RSS per relay at each group's last collection, best first. \"vs baseline\" "
             "is the baseline's mean divided by the group's: \"3.00\xc3\x97 less\" means the "
             "group used a third of the baseline's memory. Intervals are 95% bootstrap "
             "intervals over relays; steady growth leaves out restarts and their warm-up.");
    if (a->m.shown_from) {
        size_t all = report_groups_all(a);
        buf_printf(&note, " This report shows %zu of the experiment's %zu groups, with the "
                          "figures of the whole analysis", a->m.ngroups, all);
        if (a->r.ngroups > 0 && !report_baseline_shown(a)) {
            buf_puts(&note, "; ratios are against the baseline ");
            report_group_label(&note, &a->m.groups[a->r.baseline]);
            buf_puts(&note, ", which is not shown");
        }
        buf_puts(&note, ".");
    }
    tmpl_set(d, "FINAL_NOTE", note.data);
    buf_free(&note);
}

/* The relay tables of a report over every relay (no groups). */
static void fill_ranks(const analysis *a, tmpl_dict *d)
{
    const results *r = &a->r;
    size_t n = r->ntop > r->nfastest ? r->ntop : r->nfastest;
    if (!n)
        return;
    tmpl_dict *s = tmpl_add_section(d, "RANKS");
    char buf[FMT_BUF];
    for (size_t i = 0; i < n; i++) {
        tmpl_dict *row = tmpl_add_section(s, "RANK");
        tmpl_setf(row, "N", "%zu", i + 1);
        const relay_rank *t = i < r->ntop ? &r->top[i] : NULL;
        const relay_rank *b = i < r->nbottom ? &r->bottom[i] : NULL;
        const relay_rank *f = i < r->nfastest ? &r->fastest[i] : NULL;
        tmpl_set(row, "TOPN", t ? relay_label(&a->e.relays[t->relay]) : "");
        tmpl_set(row, "TOPV", t ? fmt_fixed(buf, t->value, 2) : "");
        tmpl_set(row, "BOTN", b ? relay_label(&a->e.relays[b->relay]) : "");
        tmpl_set(row, "BOTV", b ? fmt_fixed(buf, b->value, 2) : "");
        tmpl_set(row, "FASTN", f ? relay_label(&a->e.relays[f->relay]) : "");
        if (f)
            tmpl_setf(row, "FASTV", "%s%s", f->value >= 0 ? "+" : "", fmt_fixed(buf, f->value, 3));
        else
            tmpl_set(row, "FASTV", "");
    }
    tmpl_set(s, "RANK_NOTE",
             "No groups were given, so the report is over every relay. RSS at the final "
             "snapshot; steady growth as in the table above (restarts and their warm-up left "
             "out), per relay.");
}

static void fill_days(const analysis *a, tmpl_dict *d)
{
    char buf[FMT_BUF];
    for (size_t i = 0; i < a->r.ndays; i++)
        tmpl_setf(tmpl_add_section(d, "DAYH"), "N", "%d", a->r.days[i]);
    size_t *order = report_order(a);
    for (size_t k = 0; k < a->r.ngroups; k++) {
        size_t g = order[k];
        const group_result *r = &a->r.groups[g];
        tmpl_dict *row = tmpl_add_section(d, "DAYROW");
        strbuf lb;
        buf_init(&lb);
        report_group_label(&lb, &a->m.groups[g]);
        tmpl_set(row, "LABEL", lb.data);
        buf_free(&lb);
        for (size_t i = 0; i < a->r.ndays; i++) {
            double v = r->day_values ? r->day_values[i] : NAN;
            tmpl_dict *c = tmpl_add_section(row, "CELL");
            tmpl_set(c, "V", isnan(v) ? "\xe2\x80\x93" : fmt_fixed(buf, v, 2));
            tmpl_setf(c, "L", "Day %d", a->r.days[i]);
        }
        tmpl_set(row, "TREND", report_trend(r->trend));
        tmpl_set(row, "TRENDCLASS", trend_css(r->trend));
    }
    free(order);
    if (a->r.ndays > 0) {
        int64_t y;
        unsigned m, dd;
        civil_from_days(a->r.day1, &y, &m, &dd);
        tmpl_setf(d, "DAY_NOTE",
                  "Mean RSS per relay in GiB at the last collection of each day; Day 1 is "
                  "%04lld-%02u-%02u. A dash means the group had no samples that day.",
                  (long long)y, m, dd);
    }
}

/* The SVG without an XML declaration or doctype, ready to sit in HTML. */
static char *inline_svg(const char *svg, size_t len)
{
    const char *open = report_find(svg, len, "<svg");
    const char *p = open ? open : svg;
    return xstrndup(p, (size_t)(svg + len - p));
}

/* At most this many rows in a chart's data table: the thinned times keep
 * the first and the last, evenly spaced between. */
#define DATA_MAX_ROWS 12
/* A chart's data with more group columns than this does not fit a
 * tablet's page (about 700 px) as a table: it is stacked there too
 * (cards-wide, style.css). */
#define DATA_TABLET_GROUPS 6

/* Row k of m thinned rows out of n (n > m: evenly spaced, both ends). */
static size_t thin_index(size_t k, size_t m, size_t n)
{
    return m < 2 || n <= m ? k : (k * (n - 1) + (m - 1) / 2) / (m - 1);
}

static size_t thin_rows(size_t n)
{
    return n < DATA_MAX_ROWS ? n : DATA_MAX_ROWS;
}

static tmpl_dict *data_table(tmpl_dict *chart, const char *title, const char *head0)
{
    tmpl_dict *t = tmpl_add_section(chart, "DATA");
    tmpl_set(t, "TITLE", title);
    tmpl_set(t, "HEAD0", head0);
    return t;
}

/* One cell; label is its column's head (the phone layout shows it). */
static void data_cell(tmpl_dict *row, const char *label, double v, int prec)
{
    char buf[FMT_BUF];
    tmpl_dict *c = tmpl_add_section(row, "DCELL");
    tmpl_set(c, "V", isnan(v) ? "\xe2\x80\x93" : fmt_fixed(buf, v, prec));
    tmpl_set(c, "L", label);
}

static void data_time(tmpl_dict *row, const analysis *a, int64_t t)
{
    char buf[64];
    timestamp_format_human(t, a->e.man.tz_offset_min, buf, sizeof buf);
    tmpl_set(row, "TH", buf);
}

/* The group's point at collection c, or NULL (series are in collection
 * order). */
static const group_point *point_at(const group_result *r, size_t c)
{
    size_t lo = 0, hi = r->nseries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->series[mid].c < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->nseries && r->series[lo].c == c ? &r->series[lo] : NULL;
}

/* The groups' column heads, in order; returns them for the cells' labels
 * (caller frees each and the array). */
static char **group_columns(const analysis *a, const size_t *order, tmpl_dict *t)
{
    char **heads = xcalloc(a->r.ngroups ? a->r.ngroups : 1, sizeof *heads);
    for (size_t k = 0; k < a->r.ngroups; k++) {
        heads[k] = report_label(&a->m.groups[order[k]], LABEL_SHORT);
        tmpl_set(tmpl_add_section(t, "HCOL"), "V", heads[k]);
    }
    return heads;
}

/* Each group's mean at a thinned set of the collections any group has a
 * point at: the numbers of the time-series chart. */
static void data_timeseries(const analysis *a, tmpl_dict *t)
{
    const experiment *e = &a->e;
    bool *has = xcalloc(e->ncoll ? e->ncoll : 1, sizeof *has);
    for (size_t g = 0; g < a->r.ngroups; g++)
        for (size_t i = 0; i < a->r.groups[g].nseries; i++)
            if (a->r.groups[g].series[i].c < e->ncoll)
                has[a->r.groups[g].series[i].c] = true;
    size_t *cs = xmalloc((e->ncoll ? e->ncoll : 1) * sizeof *cs), n = 0;
    for (size_t c = 0; c < e->ncoll; c++)
        if (has[c])
            cs[n++] = c;
    size_t *order = report_order(a);
    char **heads = group_columns(a, order, t);
    if (a->r.ngroups > DATA_TABLET_GROUPS)
        tmpl_show_section(t, "WIDE");
    size_t m = thin_rows(n);
    for (size_t k = 0; k < m; k++) {
        size_t c = cs[thin_index(k, m, n)];
        tmpl_dict *row = tmpl_add_section(t, "DROW");
        data_time(row, a, e->times[c]);
        for (size_t j = 0; j < a->r.ngroups; j++) {
            const group_point *p = point_at(&a->r.groups[order[j]], c);
            data_cell(row, heads[j], p ? p->mean : NAN, 2);
        }
    }
    tmpl_setf(t, "NOTE",
              "Mean RSS per relay in GiB, by group, at %zu of the %zu collections with "
              "samples (evenly spaced, first and last included). The full series are in "
              "the downloads.",
              m, n);
    for (size_t j = 0; j < a->r.ngroups; j++)
        free(heads[j]);
    free(heads);
    free(order);
    free(cs);
    free(has);
}

/* The final snapshot per group: the numbers behind the distribution. */
static void data_distribution(const analysis *a, tmpl_dict *t)
{
    static const char *const cols[] = {"Relays", "Mean GiB", "Median GiB"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        tmpl_set(tmpl_add_section(t, "HCOL"), "V", cols[i]);
    size_t *order = report_order(a);
    for (size_t k = 0; k < a->r.ngroups; k++) {
        const group_result *r = &a->r.groups[order[k]];
        if (!r->has_final)
            continue;
        tmpl_dict *row = tmpl_add_section(t, "DROW");
        char *lb = report_label(&a->m.groups[order[k]], LABEL_SHORT);
        tmpl_set(row, "TH", lb);
        free(lb);
        tmpl_dict *c = tmpl_add_section(row, "DCELL");
        tmpl_setf(c, "V", "%zu", r->final_n);
        tmpl_set(c, "L", cols[0]);
        data_cell(row, cols[1], r->final_mean, 2);
        data_cell(row, cols[2], r->final_median, 2);
    }
    free(order);
    tmpl_set(t, "NOTE", "RSS per relay at each group's final snapshot, in GiB.");
}

/* The server total at thinned times. */
static void data_total(const analysis *a, const report_ctx *ctx, tmpl_dict *t)
{
    tmpl_set(tmpl_add_section(t, "HCOL"), "V", "Total GiB");
    tmpl_set(tmpl_add_section(t, "HCOL"), "V", "Relays");
    size_t n = ctx->ntotals, m = thin_rows(n);
    for (size_t k = 0; k < m; k++) {
        const chart_total *p = &ctx->totals[thin_index(k, m, n)];
        tmpl_dict *row = tmpl_add_section(t, "DROW");
        data_time(row, a, p->t);
        data_cell(row, "Total GiB", p->gib, 2);
        data_cell(row, "Relays", p->count, 0);
    }
    tmpl_setf(t, "NOTE",
              "The server's total RSS in GiB and the relays counted, at %zu of %zu times "
              "(evenly spaced, first and last included).",
              m, n);
}

/* The table under chart c on the HTML page, so its numbers can be read
 * without a pointer. The trajectories have no table: one line per relay
 * is what the per-relay CSV downloads hold. */
static void fill_chart_data(const analysis *a, const report_ctx *ctx, const report_chart *c,
                            tmpl_dict *s)
{
    if (str_eq(c->name, chart_name(CHART_TIMESERIES)) && a->r.ngroups)
        data_timeseries(a, data_table(s, c->title, "Time"));
    else if (str_eq(c->name, chart_name(CHART_DISTRIBUTION)) && a->r.ngroups)
        data_distribution(a, data_table(s, c->title, "Group"));
    else if (str_eq(c->name, chart_name(CHART_TOTAL)) && ctx->ntotals)
        data_total(a, ctx, data_table(s, c->title, "Time"));
}

static void fill_charts(const analysis *a, const report_ctx *ctx, report_flavor f, tmpl_dict *d)
{
    size_t shown = 0;
    for (size_t i = 0; i < ctx->ncharts; i++) {
        const report_chart *c = &ctx->charts[i];
        if (!c->svg)
            continue;
        tmpl_dict *s = tmpl_add_section(d, "CHART");
        tmpl_set(s, "TITLE", c->title);
        tmpl_set(s, "NAME", c->name);
        /* The event badges are mentioned only where there are some. */
        if (a->e.nevents && str_eq(c->name, chart_name(CHART_TIMESERIES)))
            tmpl_setf(s, "CAPTION", "%s Numbered markers are the events listed under Events.",
                      c->caption);
        else
            tmpl_set(s, "CAPTION", c->caption);
        if (f == RF_HTML) {
            char *svg = inline_svg(c->svg, c->svg_len);
            tmpl_set(s, "SVG", svg);
            free(svg);
            if (c->svg_narrow) {
                svg = inline_svg(c->svg_narrow, c->svg_narrow_len);
                tmpl_set(tmpl_add_section(s, "NARROW"), "SVG", svg);
                free(svg);
            }
            fill_chart_data(a, ctx, c, s);
        }
        shown++;
    }
    if (!shown)
        tmpl_show_section(d, "NO_CHARTS");
}

static void fill_quality(const analysis *a, report_flavor fl, tmpl_dict *d)
{
    tmpl_dict *list = a->r.nfindings ? tmpl_add_section(d, "QUALITY_LIST") : NULL;
    for (size_t i = 0; i < a->r.nfindings; i++) {
        const finding *f = &a->r.findings[i];
        char *where = NULL;
        if (f->file && f->line > 0)
            where = xasprintf("%s:%ld", f->file, f->line);
        else if (f->file)
            where = xstrdup(f->file);
        tmpl_dict *q = tmpl_add_section(list, "QUALITY");
        tmpl_set(q, "CLASS", f->error ? "error" : "warning");
        if (fl == RF_MD) {
            char *t = xasprintf("%s%s%s%s", where ? where : "", where ? ": " : "",
                                f->error ? "error: " : "", f->message);
            tmpl_set(q, "TEXT", t);
            free(t);
        } else {
            char *t = xasprintf("%s%s", f->error ? "Error: " : "", f->message);
            tmpl_set(q, "TEXT", t);
            free(t);
            if (where)
                tmpl_set(tmpl_add_section(q, "WHERE"), "TEXT", where);
        }
        free(where);
    }
    if (a->r.nfindings == 0)
        tmpl_show_section(d, "QUALITY_OK");
}

static bool is_hex64(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 64;
}

static void fill_reference(const analysis *a, tmpl_dict *d)
{
    const manifest *man = &a->e.man;
    char buf[FMT_BUF], b2[FMT_BUF], b3[FMT_BUF];
    const char *dirname = report_title(a);
    if (a->e.dir) {
        const char *s = strrchr(a->e.dir, '/');
        dirname = s && s[1] ? s + 1 : a->e.dir;
    }
    if (!str_empty(man->id) && !str_eq(man->id, dirname))
        tmpl_setf(d, "EXPERIMENT", "%s (directory %s)", man->id, dirname);
    else
        tmpl_set(d, "EXPERIMENT", dirname);

    int tz = man->tz_offset_min;
    char t1[40], t2[40];
    timestamp_format_iso(a->r.first_t, tz, t1, sizeof t1);
    timestamp_format_iso(a->r.last_t, tz, t2, sizeof t2);
    tmpl_setf(d, "PERIOD_FULL", "%s to %s", t1, t2);

    size_t ncoll = 0;
    for (size_t c = 0; c < a->e.ncoll; c++)
        if (a->e.times[c] >= a->r.first_t && a->e.times[c] <= a->r.last_t)
            ncoll++;
    tmpl_setf(d, "RELAYS_LINE", "%s relay%s in %s (%s relay rows, %s aggregate rows); %zu "
              "collection%s in the period analysed",
              fmt_count(buf, a->e.nrelays), fmt_s(a->e.nrelays),
              a->e.memory_path ? a->e.memory_path : "memory.csv",
              fmt_count(b2, a->e.notes.relay_rows), fmt_count(b3, a->e.notes.aggregate_rows),
              ncoll, fmt_s(ncoll));
    if (a->e.nevents)
        tmpl_setf(d, "EVENTS_LINE", "%zu event%s in events.csv (the HTML page lists them)",
                  a->e.nevents, fmt_s(a->e.nevents));
    else
        tmpl_set(d, "EVENTS_LINE", "none");

    for (size_t i = 0; i < a->e.ninputs; i++) {
        const input_file *in = &a->e.inputs[i];
        tmpl_dict *r = tmpl_add_section(d, "INPUT");
        tmpl_set(r, "PATH", in->path);
        strbuf path;
        buf_init(&path);
        rf_html_path(&path, in->path);
        tmpl_set(r, "PATH_HTML", path.data ? path.data : "");
        buf_free(&path);
        /* A manifest or notes file has no rows to count. */
        tmpl_set(r, "ROWS", in->rows == 0 && !str_ends(in->path, ".csv") ? "\xe2\x80\x93"
                                                                       : fmt_count(buf, in->rows));
        tmpl_set(r, "BYTES", fmt_bytes(b2, in->bytes));
        tmpl_set(r, "SHA", is_hex64(in->sha256) ? in->sha256 : "(not hashed)");
    }
}

void report_fill(const analysis *a, const report_ctx *ctx, report_flavor f, tmpl_dict *dict)
{
    const manifest *man = &a->e.man;
    strbuf b;
    buf_init(&b);

    tmpl_set(dict, "TITLE", report_title(a));
    set_opt_section(dict, "PROBLEM", man->problem);
    set_opt_section(dict, "HYPOTHESIS", man->hypothesis);
    report_result_sentence(a, f, &b);
    tmpl_set(dict, "RESULT", b.data);
    buf_reset(&b);
    set_opt_section(dict, "RECOMMENDATION", man->recommendation);
    set_opt_section(dict, "DESCRIPTION", man->description);

    fill_setup(a, dict);
    fill_groups(a, dict);
    if (a->m.ngroups)
        tmpl_show_section(dict, "HAS_GROUPS");
    else
        tmpl_set(tmpl_add_section(dict, "NO_GROUPS"), "TEXT",
                 "The memory CSV has aggregate rows only (server totals, from the years before "
                 "relay rows were collected), so there are no relays to group: the chart of the "
                 "server total below is the report.");
    fill_final(a, dict);
    fill_ranks(a, dict);
    fill_days(a, dict);
    fill_charts(a, ctx, f, dict);

    char **bullets;
    size_t nb = report_analysis_bullets(a, f, &bullets);
    for (size_t i = 0; i < nb; i++)
        tmpl_set(tmpl_add_section(dict, "BULLET"), "TEXT", bullets[i]);
    report_strv_free(bullets, nb);

    fill_quality(a, f, dict);
    if (ctx->notes)
        for (size_t i = 0; i < ctx->notes->nsections; i++)
            tmpl_set(tmpl_add_section(dict, "NOTE"), "TEXT", ctx->notes->sections[i].markdown);
    fill_reference(a, dict);
    tmpl_set(dict, "COMMAND", ctx->command);
    report_generated(a, ctx, &b);
    tmpl_set(dict, "GENERATED", b.data);
    buf_free(&b);

}
