/* page.h - one experiment's output set, assembled once for `build` and
 * `site`: notes -> charts -> page (HTML, and REPORT.md for build) -> CSVs
 * -> archive. publish_render makes every byte in memory; the stage calls
 * add them to an outset (outset.h), which writes them all or none. */
#ifndef MEMREPORT_PAGE_H
#define MEMREPORT_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "charts.h"
#include "diag.h"
#include "feed.h"
#include "outset.h"
#include "report_common.h"
#include "site_theme.h"
#include "util.h"

/* Where the page's downloads live, relative to the page. */
#define PAGE_RESULTS_CSV "data/results.csv"
#define PAGE_ARCHIVE "data/results.sqlite"
#define PAGE_OG_IMAGE "charts/memory_timeseries.png"
#define PAGE_404 "404.html"
#define PAGE_404_TEMPLATE "site-404.html"

/* Checks, before anything is read, the folders a page and its site are
 * written into below dir (assets/, assets/theme/, charts/, data/; dir
 * itself too with check_top, which a link is refused as with "pass -o"):
 * none may be a symbolic link (outset_check_dir). Returns 0, or -1 after
 * adding an error (exit 1, or 3 when d counts a system error). */
int publish_check_dirs(const char *dir, bool check_top, diag_list *d);

/* What every page of one site shares: the operators' theme and the
 * address the site is published at. */
typedef struct {
    const site_theme *theme;   /* NULL: none */
    const char *base_url;      /* absolute, ends in '/'; NULL: not given */
} site_look;

/* The page_look of one page. root: the way from the page to the site's
 * top folder ("", "../", or the base URL for a page served at any depth);
 * self: the page's own path from the top ("" for the front page, "slug/",
 * "compare.html"), or NULL for a page with no canonical address. Free
 * with publish_look_free. */
void publish_look(const site_look *sl, const char *root, const char *self, page_look *lk);
void publish_look_free(page_look *lk);

/* Stages the theme's files (every one but the fragments) as
 * site/assets/theme/..., and the removal of any file a previous theme
 * left there. Returns 0, or -1 after adding an error. */
int publish_stage_theme(outset *os, const site_look *sl, const char *site, int verbosity,
                        diag_list *d);

/* Stages site/feed.xml for the n experiments (feed.h) when sl has a base
 * URL; without one, the removal of a feed an earlier build left (a site
 * with no address has no feed). Returns 0, or -1 after adding an error. */
int publish_stage_feed(outset *os, const site_look *sl, const char *site,
                       const feed_entry *e, size_t n, int64_t clock, diag_list *d);

/* 404.html, what a static host serves for an unknown address. */
typedef struct {
    const char *home;          /* href of the front page */
    const char *home_label;    /* "the list of experiments" */
    const char *compare;       /* href of compare.html, or NULL */
    const char *assets;        /* the way to assets/ */
    const char *generated;     /* the site's stamp line */
    const page_look *look;
    const char *theme;         /* "light"/"dark" to force it, or NULL */
} not_found_page;

/* Appends 404.html to out (PAGE_404_TEMPLATE must be loaded: it is
 * templates/404.html.tpl). Returns 0, or -1 after adding an error. */
int publish_render_not_found(const not_found_page *nf, strbuf *out, diag_list *d);

/* The colours a build's output is drawn in: AUTO follows the reader's
 * preference on the pages and draws the PNG charts light, as before
 * --theme existed; LIGHT and DARK force that theme on the pages and the
 * PNGs (for a dark blog). */
typedef enum { PAGE_THEME_AUTO, PAGE_THEME_LIGHT, PAGE_THEME_DARK } page_theme;

/* "auto", "light" or "dark" into *t; false for anything else. */
bool page_theme_parse(const char *s, page_theme *t);
/* The name page_theme_parse reads. Static. */
const char *page_theme_name(page_theme t);

typedef struct {
    const char *command;       /* the command that regenerates the page */
    const char *asset_prefix;  /* path from the page to the site's assets/ */
    const char *site_index;    /* links back into a multi-experiment site, */
    const char *site_compare;  /* or NULL for a lone experiment's page */
    bool markdown;             /* also REPORT.md and the PNG charts (build) */
    bool publish_archive;      /* results.sqlite among the downloads */
    const char *og_image;      /* page-relative PNG for Open Graph, or NULL */
    page_theme theme;          /* --theme; the zero value is AUTO */
    /* --groups: the IDs of the groups the page, REPORT.md and the charts
     * show, in this order (group_view.h); NULL: every group. Each must be
     * one of the analysis's groups (group_view_resolve), once. */
    char *const *show_groups;
    size_t nshow_groups;
    bool single;               /* also the single page for a post (build --single-file) */
    const page_look *look;     /* theme and publishing links, or NULL */
} page_options;

typedef struct {
    unsigned char *png[CHART_COUNT]; /* with markdown only */
    size_t png_len[CHART_COUNT];
    char *svg[CHART_COUNT];
    size_t svg_len[CHART_COUNT];
    char *narrow[CHART_COUNT];       /* the page's phone rendering */
    size_t narrow_len[CHART_COUNT];
    strbuf md;                       /* REPORT.md, with markdown only */
    strbuf html;                     /* the experiment page */
    strbuf single;                   /* the single page, with po->single only */
    strbuf results_csv;
    size_t ngroups;
    char **series_href;              /* [ngroups] page-relative CSV paths */
    strbuf *series_csv;              /* [ngroups] */
    const char *og_image;            /* page-relative path of png[CHART_TIMESERIES], or NULL */
} page_set;

/* Renders every file of a's page into ps (always safe to free with
 * page_set_free), over po->show_groups when given. Returns 0, or -1 after
 * adding errors to d. */
int publish_render(const analysis *a, const page_options *po, page_set *ps, diag_list *d);

/* Stages the page under site_dir: results.csv, the series CSVs, the Open
 * Graph PNG (when po->og_image was set), then
 * index.html, last, after its downloads (stage the archive's download
 * with publish_stage_archive first). With
 * verbosity > 1 each file is named on stderr. Returns 0, or -1 after
 * adding an error. */
int publish_stage_page(outset *os, const page_set *ps, const char *site_dir, int verbosity,
                       diag_list *d);

/* Stages the removal of the series CSV of each group of whole (the
 * whole analysis, not a --groups view) that os does not write under
 * site_dir: a build that shows fewer groups than an earlier one takes the
 * others' downloads away. Only the names report_series_href gives those
 * files are touched, never another file in the site's data/. */
void publish_stage_stale_series(outset *os, const analysis *whole, const char *site_dir);

/* Stages the page's results.sqlite download at dst (NULL: no download,
 * only the fresh archive at src when write_src). When `current`, the
 * archive at src already describes a (it was read from there, or matches
 * the inputs) and is linked or copied as it is; otherwise, when
 * write_src, a fresh archive is staged at src and dst is a second name
 * for its bytes; otherwise it is written straight into dst's temporary.
 * Returns 0, or -1 after adding an error. */
int publish_stage_archive(outset *os, const analysis *a, const analysis_options *ao,
                          const char *src, bool current, bool write_src, const char *dst,
                          int verbosity, diag_list *d);

void page_set_free(page_set *ps);

#endif
