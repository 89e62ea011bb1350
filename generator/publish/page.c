/* page.c - one experiment's output set (see page.h). */
#include "page.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
#include "chart_data.h"
#include "group_view.h"
#include "notes.h"
#include "report_common.h"
#include "report_html.h"
#include "report_md.h"
#include "report_single.h"
#include "status.h"
#include "summary.h"
#include "tmpl.h"

static const char *const theme_names[] = {"auto", "light", "dark"};

bool page_theme_parse(const char *s, page_theme *t)
{
    for (size_t i = 0; s && i < sizeof theme_names / sizeof theme_names[0]; i++)
        if (strcmp(s, theme_names[i]) == 0) {
            *t = (page_theme)i;
            return true;
        }
    return false;
}

const char *page_theme_name(page_theme t)
{
    return (size_t)t < sizeof theme_names / sizeof theme_names[0] ? theme_names[t] : "auto";
}

static int render_charts(const analysis *a, chart_data *cdp, bool png, bool og_png,
                         page_set *ps, report_ctx *ctx, diag_list *d)
{
    chart_spec *spec = &cdp->spec;
    /* Every rendering at once, one thread each; PNGs for a build only. */
    int rc = chart_render_all(spec, png ? ps->png : NULL, png ? ps->png_len : NULL, ps->svg,
                              ps->svg_len, ps->narrow, ps->narrow_len, d);
    /* A site's page still needs its Open Graph image as a bitmap. */
    if (!rc && !png && og_png &&
        chart_render(spec, CHART_TIMESERIES, &ps->png[CHART_TIMESERIES],
                     &ps->png_len[CHART_TIMESERIES], NULL, NULL, d) != 0)
        rc = -1;
    for (size_t k = 0; k < CHART_COUNT && !rc; k++)
        if (a->m.ngroups || k == CHART_TOTAL)
            /* Server totals only: the other charts have nothing to draw. */
            report_add_chart(ctx, (chart_kind)k, ps->svg[k], ps->svg_len[k], ps->narrow[k],
                             ps->narrow_len[k]);
    ctx->totals = spec->totals;
    ctx->ntotals = spec->ntotals;
    return rc;
}

static int render(const analysis *a, const page_options *po, page_set *ps, diag_list *d);

int publish_render(const analysis *a, const page_options *po, page_set *ps, diag_list *d)
{
    if (!po->show_groups)
        return render(a, po, ps, d);
    /* --groups: the one place the groups are chosen; every writer and the
     * charts see only the view. */
    memset(ps, 0, sizeof *ps);
    size_t *idx = xmalloc((po->nshow_groups ? po->nshow_groups : 1) * sizeof *idx);
    char *why = NULL;
    if (group_view_resolve(a, po->show_groups, po->nshow_groups, idx, &why) != 0) {
        diag_error(d, NULL, 0, "--groups: %s", why);
        free(why);
        free(idx);
        return -1;
    }
    analysis view;
    group_view_make(a, idx, po->nshow_groups, &view);
    free(idx);
    int rc = render(&view, po, ps, d);
    group_view_free(&view);
    return rc;
}

static int render(const analysis *a, const page_options *po, page_set *ps, diag_list *d)
{
    memset(ps, 0, sizeof *ps);
    buf_init(&ps->md);
    buf_init(&ps->html);
    buf_init(&ps->single);
    buf_init(&ps->results_csv);
    size_t ng = a->m.ngroups;
    ps->ngroups = ng;
    ps->series_href = xcalloc(ng + 1, sizeof *ps->series_href);
    ps->series_csv = xcalloc(ng + 1, sizeof *ps->series_csv);
    for (size_t g = 0; g < ng; g++) {
        ps->series_href[g] = report_series_href(a, g);
        buf_init(&ps->series_csv[g]);
    }

    notes nt;
    if (notes_from_text(a->e.notes_text, a->e.notes_len, &nt, d) != 0) {
        notes_free(&nt);
        return -1;
    }
    report_ctx ctx = {.command = po->command, .notes = &nt, .asset_prefix = po->asset_prefix,
                      .results_csv = PAGE_RESULTS_CSV,
                      .series_csv = (const char **)ps->series_href,
                      .archive = po->publish_archive ? PAGE_ARCHIVE : NULL,
                      .site_index = po->site_index, .site_compare = po->site_compare,
                      .og_image = po->og_image, .look = po->look,
                      .theme = po->theme == PAGE_THEME_AUTO ? NULL : page_theme_name(po->theme)};
    /* With an address, a link preview needs the image's absolute URL. */
    char *og_abs = po->og_image && po->look && po->look->canonical
                       ? xasprintf("%s%s", po->look->canonical, po->og_image)
                       : NULL;
    if (og_abs)
        ctx.og_image = og_abs;
    report_set_generated(&ctx, a);
    /* The chart data lives until the page is written: its tables read the
     * server totals the chart drew. */
    chart_data *cd = xmalloc(sizeof *cd);
    chart_data_fill(cd, a);
    cd->spec.dark = po->theme == PAGE_THEME_DARK;
    int rc = render_charts(a, cd, po->markdown, po->og_image != NULL, ps, &ctx, d);
    if (!rc && po->og_image)
        ps->og_image = po->og_image;
    if (!rc && po->markdown && report_md_render(a, &ctx, &ps->md, d) != 0)
        rc = -1;
    if (!rc && report_html_render(a, &ctx, &ps->html, d) != 0)
        rc = -1;
    scope_theme st = po->theme == PAGE_THEME_LIGHT  ? SCOPE_THEME_LIGHT
                     : po->theme == PAGE_THEME_DARK ? SCOPE_THEME_DARK
                                                    : SCOPE_THEME_AUTO;
    if (!rc && po->single && report_single_render(a, &ctx, st, &ps->single, d) != 0)
        rc = -1;
    chart_data_free(cd);
    free(cd);
    free(og_abs);
    notes_free(&nt);
    if (rc) {
        /* Past the notes nothing here depends on the data being right: a
         * chart or template failure is the program's (exit 3). */
        d->nio++;
        return -1;
    }
    summary_csv(a, &ps->results_csv);
    for (size_t g = 0; g < ng; g++)
        report_series_csv(a, g, &ps->series_csv[g]);
    return 0;
}

static int stage(outset *os, const char *dir, const char *rel, const strbuf *b, int verbosity,
                 diag_list *d)
{
    char *path = path_join(dir, rel);
    if (verbosity > 1)
        fprintf(stderr, "memreport: writing %s\n", path);
    int rc = outset_add(os, path, b->data, b->len, d) ? -1 : 0;
    free(path);
    return rc;
}

int publish_stage_page(outset *os, const page_set *ps, const char *site_dir, int verbosity,
                       diag_list *d)
{
    int bad = stage(os, site_dir, PAGE_RESULTS_CSV, &ps->results_csv, verbosity, d);
    for (size_t g = 0; g < ps->ngroups && !bad; g++)
        bad = stage(os, site_dir, ps->series_href[g], &ps->series_csv[g], verbosity, d);
    /* The Open Graph image: a link preview needs a bitmap beside the page. */
    if (!bad && ps->og_image && ps->png[CHART_TIMESERIES]) {
        strbuf png = {.data = (char *)ps->png[CHART_TIMESERIES],
                      .len = ps->png_len[CHART_TIMESERIES]};
        bad = stage(os, site_dir, ps->og_image, &png, verbosity, d);
    }
    if (!bad)
        bad = stage(os, site_dir, "index.html", &ps->html, verbosity, d);
    return bad;
}

void publish_stage_stale_series(outset *os, const analysis *whole, const char *site_dir)
{
    for (size_t g = 0; g < whole->m.ngroups; g++) {
        char *href = report_series_href(whole, g);
        char *path = path_join(site_dir, href);
        if (!outset_has(os, path))
            outset_remove(os, path);
        free(path);
        free(href);
    }
}

int publish_stage_archive(outset *os, const analysis *a, const analysis_options *ao,
                          const char *src, bool current, bool write_src, const char *dst,
                          int verbosity, diag_list *d)
{
    if (!dst && (current || !write_src))
        return 0; /* neither a download nor a fresh archive to keep */
    if (!current && !write_src) {
        /* Straight into the download's temporary, never held in memory. */
        const char *tmp = NULL;
        if (verbosity > 1)
            fprintf(stderr, "memreport: writing %s\n", dst);
        return outset_reserve(os, dst, &tmp, d) != 0 ||
                       archive_write_file(a, ao, tmp, dst, d) != 0
                   ? -1
                   : 0;
    }
    /* The download is linked only once the archive's temporary is
     * complete, and both are renamed by the same commit. */
    const char *arch = src;
    if (!current) {
        if (verbosity > 1)
            fprintf(stderr, "memreport: writing %s\n", src);
        if (archive_stage(os, a, ao, src, &arch, d) != 0)
            return -1;
    }
    if (!dst)
        return 0;
    if (verbosity > 1)
        fprintf(stderr, "memreport: writing %s\n", dst);
    return outset_add_link_or_copy(os, dst, arch, d) != 0 ? -1 : 0;
}

void publish_look(const site_look *sl, const char *root, const char *self, page_look *lk)
{
    memset(lk, 0, sizeof *lk);
    const site_theme *t = sl ? sl->theme : NULL;
    if (t && t->header)
        lk->header = site_theme_fragment(t->header, root);
    if (t && t->footer)
        lk->footer = site_theme_fragment(t->footer, root);
    if (t && t->has_css)
        lk->theme_css = xasprintf("%s" SITE_THEME_ASSETS SITE_THEME_CSS, root);
    if (sl && sl->base_url) {
        if (self)
            lk->canonical = xasprintf("%s%s", sl->base_url, self);
        lk->feed = xasprintf("%s" FEED_FILE, sl->base_url);
    }
}

void publish_look_free(page_look *lk)
{
    if (!lk)
        return;
    free((char *)lk->header);
    free((char *)lk->footer);
    free((char *)lk->theme_css);
    free((char *)lk->canonical);
    free((char *)lk->feed);
    memset(lk, 0, sizeof *lk);
}

static bool listed(const site_theme *t, const char *rel)
{
    for (size_t i = 0; t && i < t->nfiles; i++)
        if (str_eq(t->files[i], rel))
            return true;
    return false;
}

/* Stages the removal of every file under dir (rel below assets/theme/)
 * that the theme t does not hold. */
static void remove_stale(outset *os, const site_theme *t, const char *dir, const char *rel,
                         int depth)
{
    DIR *dp = depth < 6 ? opendir(dir) : NULL;
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        char *p = path_join(dir, de->d_name);
        char *r = *rel ? path_join(rel, de->d_name) : xstrdup(de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_stale(os, t, p, r, depth + 1);
        else if (!listed(t, r))
            outset_remove(os, p);
        free(p);
        free(r);
    }
    closedir(dp);
}

int publish_stage_theme(outset *os, const site_look *sl, const char *site, int verbosity,
                        diag_list *d)
{
    const site_theme *t = sl ? sl->theme : NULL;
    char *tdir = path_join(site, SITE_THEME_ASSETS);
    int bad = 0;
    for (size_t i = 0; t && i < t->nfiles && !bad; i++) {
        char *src = path_join(t->dir, t->files[i]);
        char *dst = path_join(tdir, t->files[i]);
        if (verbosity > 1)
            fprintf(stderr, "memreport: writing %s\n", dst);
        bad = outset_add_copy(os, dst, src, d) != 0;
        free(src);
        free(dst);
    }
    if (!bad)
        remove_stale(os, t, tdir, "", 0);
    free(tdir);
    return bad ? -1 : 0;
}

int publish_stage_feed(outset *os, const site_look *sl, const char *site,
                       const feed_entry *e, size_t n, int64_t clock, diag_list *d)
{
    char *path = path_join(site, FEED_FILE);
    int rc = 0;
    if (sl && sl->base_url) {
        strbuf b;
        buf_init(&b);
        feed_render(sl->base_url, e, n, clock, &b);
        rc = outset_add(os, path, b.data, b.len, d) != 0 ? -1 : 0;
        buf_free(&b);
    } else {
        outset_remove(os, path);
    }
    free(path);
    return rc;
}

int publish_render_not_found(const not_found_page *nf, strbuf *out, diag_list *d)
{
    tmpl_dict *dict = tmpl_dict_new();
    char *csp = report_html_csp(NULL, 0);
    tmpl_set(dict, "CSP", csp);
    free(csp);
    tmpl_set(dict, "VERSION", MEMREPORT_VERSION);
    tmpl_set(dict, "TITLE", "Memory experiments");
    tmpl_set(dict, "SHARE_DESCRIPTION",
             "This address is not a page of the memory experiments site.");
    tmpl_set(dict, "ASSETS", nf->assets);
    tmpl_set(dict, "HOME", nf->home);
    tmpl_set(dict, "HOME_LABEL", nf->home_label);
    if (nf->compare)
        tmpl_set(tmpl_add_section(dict, "COMPARE"), "HREF", nf->compare);
    tmpl_set(dict, "GENERATED", nf->generated);
    report_html_fill_look(dict, nf->look);
    report_html_fill_theme(dict, nf->theme);
    int rc = tmpl_expand(PAGE_404_TEMPLATE, dict, out);
    tmpl_dict_free(dict);
    if (rc != 0)
        diag_error(d, "templates/404.html.tpl", 0, "template failed to expand");
    return rc != 0 ? -1 : 0;
}

void page_set_free(page_set *ps)
{
    if (!ps)
        return;
    for (size_t k = 0; k < CHART_COUNT; k++) {
        free(ps->png[k]);
        free(ps->svg[k]);
        free(ps->narrow[k]);
    }
    buf_free(&ps->md);
    buf_free(&ps->html);
    buf_free(&ps->single);
    buf_free(&ps->results_csv);
    for (size_t g = 0; g < ps->ngroups; g++) {
        free(ps->series_href[g]);
        buf_free(&ps->series_csv[g]);
    }
    free(ps->series_href);
    free(ps->series_csv);
    memset(ps, 0, sizeof *ps);
}

int publish_check_dirs(const char *dir, bool check_top, diag_list *d)
{
    static const char *const sub[] = {"assets", "assets/theme", "charts", "data"};
    if (check_top && outset_check_dir(dir, true, d) != 0)
        return -1;
    for (size_t i = 0; i < ARRAY_LEN(sub); i++) {
        char *p = path_join(dir, sub[i]);
        int rc = outset_check_dir(p, false, d);
        free(p);
        if (rc != 0)
            return -1;
    }
    return 0;
}
