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
#include "outset.h"
#include "util.h"

/* Where the page's downloads live, relative to the page. */
#define PAGE_RESULTS_CSV "data/results.csv"
#define PAGE_ARCHIVE "data/results.sqlite"
#define PAGE_OG_IMAGE "charts/memory_timeseries.png"

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
    bool single;               /* also the single page for a post (build --single-file) */
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
} page_set;

/* Renders every file of a's page into ps (always safe to free with
 * page_set_free). Returns 0, or -1 after adding errors to d. */
int publish_render(const analysis *a, const page_options *po, page_set *ps, diag_list *d);

/* Stages the page under site_dir: results.csv, the series CSVs, then
 * index.html, last, after its downloads (stage the archive's download
 * with publish_stage_archive first). With
 * verbosity > 1 each file is named on stderr. Returns 0, or -1 after
 * adding an error. */
int publish_stage_page(outset *os, const page_set *ps, const char *site_dir, int verbosity,
                       diag_list *d);

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
