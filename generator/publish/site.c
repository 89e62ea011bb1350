/* site.c - memreport site: finds experiments under the roots, loads each
 * (from its archive when current), renders each experiment's page with the
 * report writer, then the index and the allocator comparison, and writes
 * the whole site at once. See site.h for the layout. */
#include "site.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
#include "chart_data.h"
#include "charts.h"
#include "status.h"
#include "compare.h"
#include "fmt.h"
#include "ingest.h"
#include "outset.h"
#include "page.h"
#include "report_common.h"
#include "report_html.h"
#include "timestamp.h"
#include "tmpl.h"
#include "util.h"
#include "versus.h"

#define SITE_INDEX_TEMPLATE "site-index.html"
#define SITE_COMPARE_TEMPLATE "site-compare.html"
#define SITE_MAX_DEPTH 12


/* ------------------------------------------------------------------ */
/* Finding experiments                                                  */

static bool same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A site memreport wrote: its experiments' data/results.sqlite copies
 * are downloads, not experiments. */
static bool is_site(const char *dir)
{
    char *idx = path_join(dir, "index.html"), *css = path_join(dir, "assets/style.css");
    struct stat sa, sb;
    bool site = stat(idx, &sa) == 0 && stat(css, &sb) == 0;
    free(idx);
    free(css);
    return site;
}

static void walk(const char *dir, const char *skip, int depth, char ***dirs, size_t *n,
                 size_t *cap)
{
    if (ingest_find_memory_csv(dir) || archive_only(dir)) {
        xgrow((void **)dirs, cap, *n + 1, sizeof **dirs);
        (*dirs)[(*n)++] = xstrdup(dir);
        return;
    }
    if (depth >= SITE_MAX_DEPTH || is_site(dir))
        return;
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    char **subs = NULL;
    size_t nsubs = 0, scap = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        char *p = path_join(dir, de->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && !same_dir(p, skip)) {
            xgrow((void **)&subs, &scap, nsubs + 1, sizeof *subs);
            subs[nsubs++] = p;
        } else {
            free(p);
        }
    }
    closedir(dp);
    if (nsubs)
        qsort(subs, nsubs, sizeof *subs, cmp_str);
    for (size_t i = 0; i < nsubs; i++) {
        walk(subs[i], skip, depth + 1, dirs, n, cap);
        free(subs[i]);
    }
    free(subs);
}

size_t site_find_experiments(const char *root, const char *skip, char ***dirs, size_t *n)
{
    size_t before = *n, cap = *n;
    walk(root, skip, 0, dirs, n, &cap);
    return *n - before;
}

/* ------------------------------------------------------------------ */
/* One experiment                                                       */

typedef struct {
    char *dir;
    char *shown;              /* dir as the public pages name it: from the
                                 root's last name down, no builder's path */
    char *slug;
    bool ok;
    bool from_archive;
    char *error;              /* first error, when !ok */
    analysis a;
} site_exp;

/* Directory-safe, unique among the slugs taken so far. */
static char *make_slug(const site_exp *e, const site_exp *all, size_t nall)
{
    strbuf b;
    buf_init(&b);
    report_slug(&b, e->a.e.man.id, e->dir);
    /* Names the site itself uses, and nothing at all, get a prefix. */
    if (!b.len || str_eq(b.data, "assets") || str_eq(b.data, "index") ||
        str_eq(b.data, "compare")) {
        char *t = xasprintf("exp-%s", b.len ? b.data : "x");
        buf_reset(&b);
        buf_puts(&b, t);
        free(t);
    }
    char *slug = buf_detach(&b);
    for (int k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i < nall; i++)
            if (&all[i] != e && all[i].slug && str_eq(all[i].slug, slug))
                taken = true;
        if (!taken)
            return slug;
        char *base2 = xstrndup(slug, strcspn(slug, "~"));
        free(slug);
        slug = xasprintf("%s~%d", base2, k);
        free(base2);
    }
}

/* root's last name joined with dir's path below root ("fleet/exp1"). */
static char *public_dir(const char *root, const char *dir)
{
    char *name = path_last_name(root);
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    const char *rel = !strncmp(dir, root, n) && dir[n] == '/' ? dir + n + 1 : "";
    char *out = !*rel ? xstrdup(name) : str_eq(name, ".") ? xstrdup(rel) : path_join(name, rel);
    free(name);
    return out;
}

/* msg with every occurrence of dir replaced by shown. Caller frees. */
static char *public_message(const char *msg, const char *dir, const char *shown)
{
    strbuf b;
    buf_init(&b);
    size_t n = strlen(dir);
    for (const char *p = msg; *p;) {
        if (n && !strncmp(p, dir, n)) {
            buf_puts(&b, shown);
            p += n;
        } else {
            buf_putc(&b, *p++);
        }
    }
    return buf_detach(&b);
}

static void load_experiment(const site_options *o, site_exp *x)
{
    char *why = NULL;
    int rc = analysis_load(x->dir, &o->ao, &x->a, &x->from_archive, &why);
    if (rc != 0) {
        x->ok = false;
        for (size_t i = 0; i < x->a.diag.n && !x->error; i++)
            if (x->a.diag.items[i].severity == DIAG_ERROR)
                x->error = diag_format(&x->a.diag.items[i]);
        if (!x->error)
            x->error = xstrdup("the experiment could not be analysed");
        free(why);
        return;
    }
    x->ok = true;
    if (o->verbosity > 1)
        fprintf(stderr, "memreport: %s: %s%s\n", x->dir,
                x->from_archive ? "read from results.sqlite" : "read from the CSVs: ",
                x->from_archive ? "" : why ? why : "");
    free(why);
    if (!x->from_archive && o->save_archives && !dir_is_read_only(x->dir)) {
        /* The archive is what the next site run reads: save it beside the
         * data when the directory lets us (under the shared lock on it: a
         * temporary left by a kill is removed by a run holding it alone). */
        diag_list d;
        diag_init(&d);
        char *path = path_join(x->dir, ARCHIVE_FILE_NAME);
        if (archive_write(&x->a, &o->ao, path, &d) != 0 && o->verbosity > 0) {
            for (size_t i = 0; i < d.n; i++) {
                char *m = diag_format(&d.items[i]);
                fprintf(stderr, "memreport: warning: %s (the site is built all the same)\n", m);
                free(m);
            }
        }
        free(path);
        diag_free(&d);
    }
}

static void collect_first_error(const diag_list *d, char **out)
{
    for (size_t i = 0; i < d->n && !*out; i++)
        if (d->items[i].severity == DIAG_ERROR)
            *out = diag_format(&d->items[i]);
}

/* The experiment's page and its downloads, staged under out/slug/.
 * Returns 0, or -1 with x->error set (nothing of it staged then); -2
 * after a staging error in d, -3 after one of its folders was refused as
 * a symbolic link. */
static int stage_experiment(const site_options *o, site_exp *x, outset *os, diag_list *d)
{
    char *top = path_join(o->out, x->slug);
    int linked = outset_check_dir(top, false, d) != 0 || publish_check_dirs(top, false, d) != 0;
    free(top);
    if (linked)
        return -3;
    analysis *a = &x->a;
    diag_list ld;
    diag_init(&ld);
    page_set ps;
    site_look sl = {o->theme, o->base_url};
    page_look lk;
    char *self = xasprintf("%s/", x->slug);
    publish_look(&sl, "../", self, &lk);
    free(self);
    page_options po = {.command = o->command, .asset_prefix = "../assets/", .look = &lk,
                       .site_index = "../index.html", .site_compare = "../compare.html",
                       .publish_archive = o->publish_archive,
                       .og_image = a->m.ngroups ? PAGE_OG_IMAGE : NULL};
    int rc = -1;
    if (publish_render(a, &po, &ps, &ld) == 0) {
        char *archive_src = path_join(x->dir, ARCHIVE_FILE_NAME);
        bool current = x->from_archive || (o->save_archives && archive_matches_inputs(
                                                                   archive_src, a->e.inputs,
                                                                   a->e.ninputs, &o->ao, NULL));
        /* Everything rendered: stage it. The download: a current archive
         * is linked (or copied) as it is; otherwise it is written straight
         * into its staged temporary, never held in memory. */
        char *dir = path_join(o->out, x->slug);
        char *dst = path_join(dir, PAGE_ARCHIVE);
        int bad = (o->publish_archive &&
                   publish_stage_archive(os, a, &o->ao, archive_src, current, false, dst, 0, d)) ||
                  publish_stage_page(os, &ps, dir, 0, d);
        /* A site once built with --publish-archive loses that download now. */
        if (!bad && !o->publish_archive)
            outset_remove(os, dst);
        free(dst);
        free(dir);
        free(archive_src);
        rc = bad ? -2 : 0;
    }
    if (rc == -1) {
        collect_first_error(&ld, &x->error);
        if (!x->error)
            x->error = xstrdup("the page could not be rendered");
        x->ok = false;
    }
    diag_free(&ld);
    page_set_free(&ps);
    publish_look_free(&lk);
    return rc;
}

/* The packed samples are only needed for the page and its charts; the
 * index and the comparison read results. Freeing them keeps a site over
 * many large experiments within memory. */
static void drop_samples(analysis *a)
{
    experiment_free_samples(&a->e);
}

/* ------------------------------------------------------------------ */
/* Index                                                                */

/* Concluded: an experiment_end event, or the manifest's end_date reached
 * by the data or passed by the site's clock. Otherwise running while the
 * last collection is recent against the clock (within two days, or three
 * of the experiment's usual collection intervals when they are longer),
 * else stopped reporting: a collector that died is not "running". */
typedef enum { STATUS_RUNNING, STATUS_STOPPED, STATUS_CONCLUDED } exp_status;

#define RECENT_MIN_SECONDS (2 * 86400)

static exp_status status_of(const analysis *a, int64_t clock)
{
    for (size_t i = 0; i < a->e.nevents; i++)
        if (str_ieq(a->e.events[i].type, "experiment_end"))
            return STATUS_CONCLUDED;
    int64_t last = a->r.last_t;
    const char *end = a->e.man.end_date;
    ts_value tv;
    if (!str_empty(end) && timestamp_parse(end, strlen(end), a->e.man.tz_offset_min, &tv) == TS_OK) {
        int tz = a->e.man.tz_offset_min;
        int64_t end_day = timestamp_local_day(tv.t, tz);
        if ((last != INT64_MIN && timestamp_local_day(last, tz) >= end_day) ||
            (clock != INT64_MIN && timestamp_local_day(clock, tz) > end_day))
            return STATUS_CONCLUDED;
    }
    if (last == INT64_MIN || clock == INT64_MIN)
        return STATUS_STOPPED;
    int64_t recent = 3 * analysis_typical_interval(&a->e);
    if (recent < RECENT_MIN_SECONDS)
        recent = RECENT_MIN_SECONDS;
    return clock - last <= recent ? STATUS_RUNNING : STATUS_STOPPED;
}

static const char *status_text(exp_status s)
{
    return s == STATUS_RUNNING ? "running" : s == STATUS_STOPPED ? "stopped reporting"
                                                                 : "concluded";
}

static const char *status_class(exp_status s)
{
    return s == STATUS_RUNNING ? "running" : s == STATUS_STOPPED ? "stopped" : "concluded";
}

/* "3 days before", "5 h before": how long before the clock t was. */
static void age_text(int64_t t, int64_t clock, char *buf, size_t n)
{
    int64_t d = clock - t;
    if (d < 0)
        snprintf(buf, n, "later than the site date");
    else if (d < 2 * 3600)
        snprintf(buf, n, "%lld min before", (long long)(d / 60));
    else if (d < 2 * 86400)
        snprintf(buf, n, "%lld h before", (long long)(d / 3600));
    else if (d < 14 * 86400)
        snprintf(buf, n, "%lld days before", (long long)(d / 86400));
    else
        snprintf(buf, n, "%lld weeks before", (long long)(d / (7 * 86400)));
}

/* The index's caveat on a headline ratio: a group of fewer than 3 relays
 * on either side, or no interval. Nothing when there is none. */
static void ratio_caveat(const analysis *a, size_t best, strbuf *b)
{
    const group_result *r = &a->r.groups[best], *base = &a->r.groups[a->r.baseline];
    const group *gb = &a->m.groups[best], *gbase = &a->m.groups[a->r.baseline];
    if (r->final_n < VERSUS_MIN_RELAYS)
        buf_printf(b, "rests on %zu relay%s in %s", r->final_n, r->final_n == 1 ? "" : "s",
                   gb->id);
    if (best != a->r.baseline && base->final_n < VERSUS_MIN_RELAYS)
        buf_printf(b, "%srests on %zu relay%s in %s", b->len ? "; " : "", base->final_n,
                   base->final_n == 1 ? "" : "s", gbase->id);
    if (best != a->r.baseline && (isnan(r->ratio_lo) || isnan(r->ratio_hi)))
        buf_printf(b, "%sno confidence interval", b->len ? "; " : "");
}

/* The index's sparkline (charts/sparkline.c) of the group means. */
static char *sparkline(const analysis *a, char **range)
{
    chart_data cd;
    chart_data_fill(&cd, a);
    char *svg = chart_sparkline(&cd.spec, range);
    chart_data_free(&cd);
    return svg;
}

static int cmp_exp_newest(const void *x, const void *y)
{
    const site_exp *a = *(site_exp *const *)x, *b = *(site_exp *const *)y;
    if (a->a.r.first_t != b->a.r.first_t)
        return a->a.r.first_t > b->a.r.first_t ? -1 : 1;
    return strcmp(a->dir, b->dir);
}

/* The site's clock: SOURCE_DATE_EPOCH, else the latest collection of any
 * experiment (so the same inputs give the same site). */
static int64_t site_clock(int64_t latest, bool *from_sde)
{
    int64_t sde;
    *from_sde = report_source_date_epoch(&sde);
    return *from_sde ? sde : latest;
}

/* The site's stamp line for its latest collection. Caller frees. */
static char *generated_line(int64_t latest)
{
    int64_t sde;
    strbuf b;
    buf_init(&b);
    if (report_source_date_epoch(&sde) || latest != INT64_MIN) {
        bool from_sde = report_source_date_epoch(&sde);
        report_stamp(from_sde ? sde : latest, from_sde, &b);
    } else {
        buf_printf(&b, "Generated by memreport %s.", MEMREPORT_VERSION);
    }
    return buf_detach(&b);
}

static void set_generated(tmpl_dict *d, int64_t latest)
{
    char *line = generated_line(latest);
    tmpl_set(d, "GENERATED", line);
    free(line);
}

static int64_t latest_collection(const site_exp *xs, size_t n)
{
    int64_t latest = INT64_MIN;
    for (size_t i = 0; i < n; i++)
        if (xs[i].ok && xs[i].a.r.last_t != INT64_MIN && xs[i].a.r.last_t > latest)
            latest = xs[i].a.r.last_t;
    return latest;
}

static void fill_index(const site_options *o, site_exp *xs, size_t n, tmpl_dict *d)
{
    char *csp = report_html_csp(NULL, 0);
    tmpl_set(d, "CSP", csp);
    free(csp);
    tmpl_set(d, "VERSION", MEMREPORT_VERSION);
    tmpl_set(d, "TITLE", "Memory experiments");
    tmpl_set(d, "COMMAND", o->command);
    site_exp **ok = xcalloc(n + 1, sizeof *ok);
    size_t nok = 0, nfail = 0;
    int64_t latest = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        if (xs[i].ok) {
            ok[nok++] = &xs[i];
            if (xs[i].a.r.last_t != INT64_MIN && xs[i].a.r.last_t > latest)
                latest = xs[i].a.r.last_t;
        } else {
            nfail++;
        }
    }
    if (nok)
        qsort(ok, nok, sizeof *ok, cmp_exp_newest);
    bool from_sde;
    int64_t clock = site_clock(latest, &from_sde);
    char clock_date[40] = "";
    if (clock != INT64_MIN)
        timestamp_format_human(clock, 0, clock_date, sizeof clock_date);
    tmpl_setf(d, "CLOCK", "%s UTC (%s)", clock_date,
              from_sde ? "SOURCE_DATE_EPOCH" : "the latest collection of any experiment");
    tmpl_setf(d, "NEXP", "%zu", nok);
    tmpl_set(d, "NEXP_S", nok == 1 ? "" : "s");
    tmpl_show_section(d, nok ? "HAS_EXPERIMENTS" : "NO_EXPERIMENTS");
    for (size_t i = 0; i < nok; i++) {
        const analysis *a = &ok[i]->a;
        tmpl_dict *row = tmpl_add_section(d, "EXP");
        tmpl_setf(row, "HREF", "%s/index.html", ok[i]->slug);
        tmpl_set(row, "TITLE", report_title(a));
        tmpl_set(row, "SERVER", str_empty(a->e.man.server) ? "–" : a->e.man.server);
        char from[32], to[32];
        long days = report_period_parts(a, from, to);
        tmpl_set(row, "FROM", from);
        tmpl_set(row, "TO", to);
        tmpl_setf(row, "DAYS", "%ld day%s", days, days == 1 ? "" : "s");
        tmpl_setf(row, "NGROUPS", "%zu", a->m.ngroups);
        long best = report_best(a);
        if (best >= 0) {
            const group *g = &a->m.groups[best];
            char *label = report_label(g, LABEL_PAREN);
            tmpl_set(row, "BEST", label);
            free(label);
            const group_result *r = &a->r.groups[best];
            if ((size_t)best == a->r.baseline) {
                tmpl_set(row, "RATIO", "baseline");
            } else {
                /* The lowest mean, so baseline ÷ best is at least 1: "less". */
                char v[FMT_BUF], ci[FMT_BUF];
                tmpl_setf(row, "RATIO", "%s less than %s", fmt_ratio(v, r->ratio),
                          a->m.groups[a->r.baseline].id);
                fmt_range(ci, r->ratio_lo, r->ratio_hi, 2);
                if (!str_eq(ci, FMT_NONE)) {
                    tmpl_dict *c = tmpl_add_section(row, "RATIO_CI");
                    tmpl_set(c, "CI", ci);
                }
            }
            strbuf cav;
            buf_init(&cav);
            ratio_caveat(a, (size_t)best, &cav);
            if (cav.len) {
                tmpl_dict *c = tmpl_add_section(row, "CAVEAT");
                tmpl_set(c, "TEXT", cav.data);
            }
            buf_free(&cav);
        } else {
            tmpl_set(row, "BEST", "–");
            tmpl_set(row, "RATIO", "–");
        }
        exp_status st = status_of(a, clock);
        tmpl_set(row, "STATUS", status_text(st));
        tmpl_set(row, "STATUS_CLASS", status_class(st));
        if (a->r.last_t != INT64_MIN) {
            char when[40], ago[40];
            timestamp_format_human(a->r.last_t, a->e.man.tz_offset_min, when, sizeof when);
            age_text(a->r.last_t, clock, ago, sizeof ago);
            tmpl_set(row, "LAST", when);
            tmpl_set(row, "AGE", ago);
        } else {
            tmpl_set(row, "LAST", "–");
            tmpl_set(row, "AGE", "no collection");
        }
        char *range = NULL;
        char *sp = sparkline(a, &range);
        tmpl_set(row, "SPARK", sp);
        tmpl_set(row, "SPARK_RANGE", range ? range : "no samples");
        free(sp);
        free(range);
    }
    if (o->publish_archive)
        tmpl_show_section(d, "ARCHIVE");
    tmpl_set(d, "SHARE_TITLE", "Memory experiments");
    tmpl_setf(d, "SHARE_DESCRIPTION",
              "Memory of Tor relays under different allocators: %zu experiment%s, each with "
              "its groups' final memory, ratio to the baseline and growth.",
              nok, nok == 1 ? "" : "s");
    if (nfail) {
        tmpl_show_section(d, "HAS_FAILED");
        tmpl_setf(d, "NFAILED", "%zu", nfail);
        for (size_t i = 0; i < n; i++) {
            if (xs[i].ok)
                continue;
            tmpl_dict *f = tmpl_add_section(d, "FAILED");
            tmpl_set(f, "DIR", xs[i].shown);
            char *msg = public_message(xs[i].error ? xs[i].error : "", xs[i].dir, xs[i].shown);
            tmpl_set(f, "ERROR", msg);
            free(msg);
        }
    }
    set_generated(d, latest);
    free(ok);
}

/* The ranking of every group against its own control (versus.h). */
static void fill_ranking(const analysis *const *as, site_exp *const *map, size_t n,
                         tmpl_dict *d)
{
    versus_table t;
    versus_build(as, n, &t);
    tmpl_show_section(d, t.nrows ? "HAS_RANK" : "NO_RANK");
    tmpl_setf(d, "NRANKED", "%zu", t.nranked);
    tmpl_set(d, "NRANKED_S", t.nranked == 1 ? "" : "s");
    char b1[FMT_BUF];
    strbuf cell;
    buf_init(&cell);
    for (size_t i = 0; i < t.nrows; i++) {
        const versus_row *r = &t.rows[i];
        const analysis *a = as[r->exp];
        const group *g = &a->m.groups[r->group];
        tmpl_dict *row = tmpl_add_section(d, "RANK");
        tmpl_set(row, "ROW_CLASS", r->is_control ? "control" : i < t.nranked ? "ranked" : "");
        if (i < t.nranked)
            tmpl_setf(row, "RANK", "%zu", i + 1);
        else
            tmpl_set(row, "RANK", "–");
        buf_reset(&cell);
        report_group_label(&cell, g);
        tmpl_set(row, "GROUP", cell.data);
        tmpl_set(row, "COLOR", report_group_color(g, r->group));
        tmpl_set(row, "EXPERIMENT", report_title(a));
        tmpl_setf(row, "HREF", "%s/index.html", map[r->exp]->slug);
        tmpl_set(row, "DIFFERS", r->is_control ? "(the control)" : r->differs ? r->differs : "");
        tmpl_setf(row, "RELAYS", "%zu", r->relays);
        tmpl_set(row, "MEAN", fmt_fixed(b1, r->final_mean, 2));
        if (r->is_control || r->control < 0)
            tmpl_set(row, "CONTROL", r->is_control ? versus_reason_text(r->reason) : FMT_NONE);
        else
            tmpl_setf(row, "CONTROL", "%s (%s GiB)", a->m.groups[r->control].id,
                      fmt_fixed(b1, r->control_mean, 2));
        buf_reset(&cell);
        compare_pct_cell(r, &cell);
        tmpl_set(row, "PCT", cell.data);
        buf_reset(&cell);
        compare_ratio_cell(r, &cell);
        tmpl_set(row, "RATIO", cell.data);
        buf_reset(&cell);
        compare_caveat_cell(r, &cell);
        tmpl_set(row, "NOTE", cell.data ? cell.data : "");
    }
    buf_free(&cell);
    versus_free(&t);
}

static void fill_compare(const site_options *o, site_exp *xs, size_t n, tmpl_dict *d)
{
    (void)o;
    char *csp = report_html_csp(NULL, 0);
    tmpl_set(d, "CSP", csp);
    free(csp);
    tmpl_set(d, "VERSION", MEMREPORT_VERSION);
    tmpl_set(d, "TITLE", "Memory experiments");
    const analysis **as = xcalloc(n + 1, sizeof *as);
    site_exp **map = xcalloc(n + 1, sizeof *map);
    size_t nok = 0;
    int64_t latest = INT64_MIN;
    for (size_t i = 0; i < n; i++)
        if (xs[i].ok) {
            map[nok] = &xs[i];
            as[nok++] = &xs[i].a;
            if (xs[i].a.r.last_t != INT64_MIN && xs[i].a.r.last_t > latest)
                latest = xs[i].a.r.last_t;
        }
    fill_ranking(as, map, nok, d);
    comparison c;
    compare_build(as, nok, &c);
    tmpl_setf(d, "NALLOC", "%zu", c.nallocators);
    tmpl_set(d, "NALLOC_S", c.nallocators == 1 ? "" : "s");
    tmpl_setf(d, "NEXP", "%zu", nok);
    tmpl_set(d, "NEXP_S", nok == 1 ? "" : "s");
    tmpl_set(d, "SHARE_TITLE", "Allocator comparison");
    tmpl_setf(d, "SHARE_DESCRIPTION",
              "Tor relay memory by allocator across %zu experiment%s: a ranking of the groups "
              "and the allocators shared between experiments.",
              nok, nok == 1 ? "" : "s");
    if (!c.nrows)
        tmpl_show_section(d, "NO_ALLOC");
    char b1[FMT_BUF], b2[FMT_BUF];
    for (size_t i = 0; i < c.nrows;) {
        const char *al = c.rows[i].allocator;
        tmpl_dict *sec = tmpl_add_section(d, "ALLOC");
        tmpl_set(sec, "NAME", al);
        char *anchor = report_file_id(al, i);
        tmpl_set(sec, "ANCHOR", anchor);
        free(anchor);
        size_t nrows = 0;
        uint8_t *seen = xcalloc(nok + 1, 1);
        size_t nexps = 0;
        for (; i < c.nrows && str_eq(c.rows[i].allocator, al); i++, nrows++) {
            const compare_row *r = &c.rows[i];
            const analysis *a = as[r->exp];
            if (!seen[r->exp]) {
                seen[r->exp] = 1;
                nexps++;
            }
            const group *g = &a->m.groups[r->group];
            tmpl_dict *row = tmpl_add_section(sec, "ROW");
            tmpl_set(row, "VERSION", str_empty(r->version) ? "–" : r->version);
            tmpl_set(row, "EXPERIMENT", report_title(a));
            /* Straight to the group's row on its experiment's page. */
            char *gid = report_file_id(g->id, r->group);
            tmpl_setf(row, "HREF", "%s/index.html#group-%s", map[r->exp]->slug, gid);
            free(gid);
            tmpl_set(row, "COLOR", report_group_color(g, r->group));
            char *label = report_label(g, LABEL_DOT);
            tmpl_set(row, "GROUP", label);
            free(label);
            tmpl_setf(row, "RELAYS", "%zu", g->nmembers);
            tmpl_set(row, "MEAN", fmt_fixed(b1, r->final_mean, 2));
            tmpl_set(row, "GROWTH", fmt_signed(b2, r->steady, 2));
            strbuf vs;
            buf_init(&vs);
            compare_vs_cell(r, a, &vs);
            tmpl_set(row, "VS", vs.data);
            buf_free(&vs);
        }
        free(seen);
        tmpl_setf(sec, "NROWS", "%zu", nrows);
        tmpl_set(sec, "NROWS_S", nrows == 1 ? "" : "s");
        tmpl_setf(sec, "NEXPS", "%zu", nexps);
    }
    set_generated(d, latest);
    compare_free(&c);
    free(as);
    free(map);
}

static int load_site_templates(diag_list *d)
{
    if (report_load_templates(d) != 0 ||
        report_load_template(SITE_INDEX_TEMPLATE, "index.html.tpl", d) != 0 ||
        report_load_template(SITE_COMPARE_TEMPLATE, "compare.html.tpl", d) != 0 ||
        report_load_template(PAGE_404_TEMPLATE, "404.html.tpl", d) != 0)
        return -1;
    return 0;
}

/* 404.html: what a static host serves for an unknown address (GitHub
 * Pages, Netlify, or nginx's error_page), leading back to the index. It
 * is served at any depth, so its links are absolute with a base URL;
 * without one they are relative to the site's top folder, right for
 * missing pages there. */
static int stage_not_found(outset *os, const site_options *o, site_exp *xs, size_t n,
                           diag_list *d)
{
    site_look sl = {o->theme, o->base_url};
    const char *root = o->base_url ? o->base_url : "";
    page_look lk;
    publish_look(&sl, root, NULL, &lk);
    char *assets = xasprintf("%sassets/", root), *home = xasprintf("%sindex.html", root);
    char *cmp = xasprintf("%scompare.html", root);
    char *gen = generated_line(latest_collection(xs, n));
    not_found_page nf = {.home = home, .home_label = "the list of experiments",
                         .compare = cmp, .assets = assets, .generated = gen, .look = &lk};
    strbuf page;
    buf_init(&page);
    char *p = path_join(o->out, PAGE_404);
    int status = publish_render_not_found(&nf, &page, d) != 0 ||
                         outset_add(os, p, page.data, page.len, d) != 0
                     ? EXIT_IO
                     : EXIT_OK;
    free(p);
    buf_free(&page);
    free(gen);
    free(cmp);
    free(home);
    free(assets);
    publish_look_free(&lk);
    return status;
}

/* feed.xml with a base URL (one entry per experiment read), else the
 * removal of an earlier one. */
static int stage_feed(outset *os, const site_options *o, site_exp *xs, size_t n, diag_list *d)
{
    site_look sl = {o->theme, o->base_url};
    feed_entry *e = xcalloc(n + 1, sizeof *e);
    char **urls = xcalloc(n + 1, sizeof *urls);
    size_t k = 0;
    for (size_t i = 0; i < n && o->base_url; i++)
        if (xs[i].ok) {
            urls[k] = xasprintf("%s%s/", o->base_url, xs[i].slug);
            e[k] = (feed_entry){&xs[i].a, urls[k]};
            k++;
        }
    bool sde_set;
    int64_t clock = site_clock(latest_collection(xs, n), &sde_set);
    int rc = publish_stage_feed(os, &sl, o->out, e, k, clock == INT64_MIN ? 0 : clock, d);
    for (size_t i = 0; i < k; i++)
        free(urls[i]);
    free(urls);
    free(e);
    return rc != 0 ? EXIT_IO : EXIT_OK;
}

typedef void (*page_fill_fn)(const site_options *o, site_exp *xs, size_t n, tmpl_dict *d);

/* Fills a dictionary with fill, expands template tpl with it and stages
 * the result as out/name. Returns an exit status. */
static int stage_page(outset *os, const site_options *o, site_exp *xs, size_t n,
                      page_fill_fn fill, const char *tpl, const char *name, const char *what,
                      const char *self, diag_list *d)
{
    strbuf page;
    buf_init(&page);
    tmpl_dict *dict = tmpl_dict_new();
    fill(o, xs, n, dict);
    site_look sl = {o->theme, o->base_url};
    page_look lk;
    publish_look(&sl, "", self, &lk);
    report_html_fill_look(dict, &lk);
    publish_look_free(&lk);
    char *p = path_join(o->out, name);
    int status = EXIT_OK;
    if (tmpl_expand(tpl, dict, &page) != 0) {
        diag_error(d, p, 0, "%s template failed to expand", what);
        status = EXIT_IO;
    } else if (outset_add(os, p, page.data, page.len, d) != 0) {
        status = EXIT_IO;
    }
    free(p);
    tmpl_dict_free(dict);
    buf_free(&page);
    return status;
}

/* Locks the site's directory to write and every experiment to read
 * (docs/architecture.md, "The commit"): no build writes an experiment
 * while it is read, and other sites may read it at the same time. Then
 * what killed runs left is finished (a build's journal in an experiment
 * too) and the site swept; a site folder where that kept what another
 * run's unfinished journal needs is refused. An experiment that cannot be
 * opened to be locked is left out, with that error. Returns an exit
 * status. */
static int lock_site(const site_options *o, outset *os, site_exp *xs, size_t n, diag_list *d)
{
    outset_dir *dirs = xcalloc(n + 1, sizeof *dirs);
    dirs[0] = (outset_dir){o->out, OUTSET_WRITE, 0};
    for (size_t i = 0; i < n; i++)
        dirs[i + 1] = (outset_dir){xs[i].dir, OUTSET_READ, 0};
    int status = EXIT_OK;
    /* Its own folders as links: refused before the recovery renames into
     * them (each experiment's are checked when it is staged). */
    if (outset_lock_dirs(os, dirs, n + 1, d) != 0 || publish_check_dirs(o->out, false, d) != 0 ||
        outset_recover(os, d) != 0)
        status = d->nio ? EXIT_IO : EXIT_BAD_INPUT;
    /* Into a folder an interrupted run's journal still needs: refused
     * before the pages are made, as the commit would refuse them. */
    char *assets = path_join(o->out, "assets");
    const char *const writes[] = {o->out, assets};
    if (status == EXIT_OK && outset_check_held(os, writes, 2, d) != 0)
        status = EXIT_IO;
    free(assets);
    for (size_t i = 0; i < n; i++)
        if (dirs[i + 1].err)
            xs[i].error =
                xasprintf("%s: cannot open to lock: %s", xs[i].dir, strerror(dirs[i + 1].err));
    free(dirs);
    return status;
}

int site_build(const site_options *o, diag_list *d)
{
    if (load_site_templates(d) != 0)
        return EXIT_IO;
    char **dirs = NULL, **shown = NULL;
    size_t ndirs = 0, shown_cap = 0;
    for (size_t i = 0; i < o->nroots; i++) {
        struct stat sb;
        if (stat(o->roots[i], &sb) != 0) {
            diag_error(d, o->roots[i], 0, "cannot open: %s", strerror(errno));
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            diag_error(d, o->roots[i], 0, "not a directory");
            continue;
        }
        size_t before = ndirs;
        size_t found = site_find_experiments(o->roots[i], o->out, &dirs, &ndirs);
        for (size_t k = before; k < ndirs; k++)
            xgrow((void **)&shown, &shown_cap, k + 1, sizeof *shown),
                shown[k] = public_dir(o->roots[i], dirs[k]);
        if (!found && o->verbosity > 0)
            fprintf(stderr, "memreport: warning: no experiment directory under %s\n",
                    o->roots[i]);
    }
    if (!ndirs) {
        diag_error(d, NULL, 0, "no experiment directory (one holding memory.csv, "
                               "memory_measurements.csv or measurements.csv, plain or "
                               "compressed, or only its results.sqlite) was found");
        free(dirs);
        free(shown);
        return EXIT_BAD_INPUT;
    }

    site_exp *xs = xcalloc(ndirs, sizeof *xs);
    for (size_t i = 0; i < ndirs; i++)
        xs[i].dir = dirs[i], xs[i].shown = shown[i];
    outset *os = outset_new();
    int status = lock_site(o, os, xs, ndirs, d);
    size_t nok = 0;
    for (size_t i = 0; i < ndirs && status == EXIT_OK; i++) {
        site_exp *x = &xs[i];
        if (x->error)
            continue; /* not locked, so not read */
        if (o->verbosity > 1)
            fprintf(stderr, "memreport: reading %s\n", x->dir);
        load_experiment(o, x);
        bool loaded = x->ok;
        int rc = 0;
        if (loaded) {
            x->slug = make_slug(x, xs, ndirs);
            rc = stage_experiment(o, x, os, d);
        }
        /* Read and staged (its archive download, a link or a copy,
         * too): a build of it need not wait for the rest of the site. */
        outset_unlock_read(os, x->dir);
        if (rc == -2 || rc == -3) {
            status = rc == -3 && !d->nio ? EXIT_BAD_INPUT : EXIT_IO;
            break;
        }
        if (!loaded)
            continue;
        if (x->ok)
            nok++;
        drop_samples(&x->a);
    }
    for (size_t i = 0; i < ndirs; i++)
        if (!xs[i].ok && xs[i].error && o->verbosity > 0) /* none: never read */
            fprintf(stderr, "memreport: %s: left out of the site: %s\n", xs[i].dir,
                    xs[i].error);

    if (status == EXIT_OK)
        status = stage_page(os, o, xs, ndirs, fill_index, SITE_INDEX_TEMPLATE, "index.html",
                            "the index page", "", d);
    if (status == EXIT_OK)
        status = stage_page(os, o, xs, ndirs, fill_compare, SITE_COMPARE_TEMPLATE,
                            "compare.html", "the comparison page", "compare.html", d);
    if (status == EXIT_OK)
        status = stage_not_found(os, o, xs, ndirs, d);
    if (status == EXIT_OK)
        status = stage_feed(os, o, xs, ndirs, d);
    site_look sl = {o->theme, o->base_url};
    if (status == EXIT_OK && (report_html_stage_assets(os, o->out, o->verbosity, d) != 0 ||
                              publish_stage_theme(os, &sl, o->out, o->verbosity, d) != 0))
        status = EXIT_IO;
    if (status == EXIT_OK && outset_commit(os, d) != 0)
        status = EXIT_IO;
    if (status == EXIT_OK && o->verbosity > 0)
        fprintf(stderr, "memreport: wrote %s/index.html: %zu experiment%s, %zu left out\n",
                o->out, nok, nok == 1 ? "" : "s", ndirs - nok);
    outset_free(os);
    for (size_t i = 0; i < ndirs; i++) {
        free(xs[i].dir);
        free(xs[i].shown);
        free(xs[i].slug);
        free(xs[i].error);
        analysis_free(&xs[i].a);
    }
    free(xs);
    free(dirs);
    free(shown);
    return status;
}
