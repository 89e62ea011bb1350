/* report_html.h - the experiment's HTML page and its data downloads.
 *
 * templates/experiment.html.tpl, auto-escaped by ctemplate in HTML
 * context; only cmark's rendering of notes.md and the project's own chart
 * SVG pass unescaped. The page makes no request to any other origin: its
 * Content-Security-Policy allows only the site's own files, plus the
 * exact inline styles of the embedded charts by hash. */
#ifndef MEMREPORT_REPORT_HTML_H
#define MEMREPORT_REPORT_HTML_H

#include <stddef.h>

#include "analysis.h"
#include "diag.h"
#include "outset.h"
#include "report_common.h"
#include "tmpl.h"
#include "util.h"

#define REPORT_HTML_TEMPLATE "experiment.html"

/* Appends the page to out. Templates must be loaded. Returns 0, or -1
 * after adding an error to d. */
int report_html_render(const analysis *a, const report_ctx *ctx, strbuf *out, diag_list *d);

/* The values the experiment page and the single page (report_single.h)
 * add to report_fill's: version, the line under the title, the key
 * figures and the events. */
void report_html_fill_page(const analysis *a, tmpl_dict *dict);

/* What a search result, a shared link or a feed entry shows of the
 * experiment: the manifest's result, else its hypothesis, else a plain
 * sentence; one line, at most ~300 characters (cut at a space). Caller
 * frees. */
char *report_share_text(const analysis *a);

/* A page's forced theme ("light", "dark"; NULL follows the reader):
 * <html data-theme>, which the stylesheet honours, and the browser's own
 * colours (scroll bars, form controls) to match. Sets COLOR_SCHEME and
 * the THEME section. */
void report_html_fill_theme(tmpl_dict *d, const char *theme);

/* Sets what every page template shares for lk (may be NULL): THEME_CSS,
 * CANONICAL and FEED sections, THEME_HEADER and THEME_FOOTER values. */
void report_html_fill_look(tmpl_dict *d, const page_look *lk);

/* The Content-Security-Policy for a page embedding these SVGs. Caller
 * frees. */
char *report_html_csp(const report_chart *charts, size_t n);

/* Where the page links group g's series CSV, relative to the page:
 * "data/series_<file id>.csv", the same for a group in a --groups view as
 * in the whole report. Caller frees. */
char *report_series_href(const analysis *a, size_t g);

/* Stages the pages' shared files (style.css, favicon.svg, read from
 * report_data_dir()/assets/) as SITE/assets/. verbosity > 1 names each
 * file on stderr. Returns 0, or -1 after adding an error to d. */
int report_html_stage_assets(outset *os, const char *site, int verbosity, diag_list *d);

/* Per-group series as CSV (timestamp, n, mean, median, p10, p90, min,
 * max; GiB), one row per collection of the group's series. */
void report_series_csv(const analysis *a, size_t g, strbuf *out);

#endif
