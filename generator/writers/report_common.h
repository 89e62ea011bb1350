/* report_common.h - what REPORT.md and the HTML page share: the order
 * groups are listed in, the generated sentences, and the build facts a
 * report shows (regeneration command, generation date, chart files).
 *
 * Sentences are composed once and written in either flavour: Markdown
 * (data strings escaped with fmt_md_escape, emphasis as **...**) or HTML
 * (data strings escaped, emphasis as <strong>). Nothing here computes a
 * statistic; it words what stats computed. */
#ifndef MEMREPORT_REPORT_COMMON_H
#define MEMREPORT_REPORT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "charts.h"
#include "notes.h"
#include "util.h"

typedef enum { RF_MD, RF_HTML } report_flavor;

#define REPORT_MAX_CHARTS 8

/* One chart as the writers reference it. */
typedef struct {
    const char *name;      /* "memory_timeseries" */
    const char *title;     /* "Memory over time" */
    const char *caption;   /* generated sentence, plain text */
    const char *svg;       /* the project's SVG, NULL when not drawn */
    size_t svg_len;
    const char *svg_narrow; /* the same chart drawn for phones, or NULL */
    size_t svg_narrow_len;
} report_chart;

/* What a page of a site carries beyond memreport's own look: the
 * operators' theme (ingest/site_theme.h) and the publishing address
 * (--base-url). Every field may be NULL (none). */
typedef struct {
    const char *header;     /* theme fragment for the top of the body, its
                               links already adjusted for this page */
    const char *footer;     /* the same for the bottom */
    const char *theme_css;  /* href of the theme's style.css from this page */
    const char *canonical;  /* the page's absolute URL (canonical, og:url) */
    const char *feed;       /* absolute URL of the site's Atom feed */
} page_look;

/* Everything a writer needs besides the analysis. Strings are borrowed. */
typedef struct {
    const char *command;        /* exact command that regenerates the report */
    int64_t generated_t;        /* the report's date */
    bool generated_from_sde;    /* from SOURCE_DATE_EPOCH, else last collection */
    const notes *notes;         /* NULL: no notes */
    report_chart charts[REPORT_MAX_CHARTS];
    size_t ncharts;
    const char *asset_prefix;   /* HTML: path to assets/ ("assets/") */
    /* HTML downloads (site-relative paths); NULL entries are skipped. */
    const char *results_csv;
    const char **series_csv;    /* [ngroups] */
    const char *archive;        /* results.sqlite copy, or NULL */
    /* HTML inside a multi-experiment site: links back to the site's
     * index and comparison pages; NULL for a lone experiment's page. */
    const char *site_index;
    const char *site_compare;
    /* HTML: the page's Open Graph image (page-relative PNG, or absolute
     * with a base URL), or NULL. */
    const char *og_image;
    const page_look *look;      /* HTML: theme and publishing links, or NULL */
    /* HTML: "light" or "dark" to force that theme on the page (its
     * <html data-theme>, which the stylesheet honours), NULL to follow the
     * reader's preference. */
    const char *theme;
    /* The server-total chart's points (analysis's totals_series, as the
     * chart drew them), for the table under that chart; NULL: none. */
    const chart_total *totals;
    size_t ntotals;
} report_ctx;

/* The chart's heading in reports and pages ("Memory over time") and the
 * sentence printed under it (how to read it). Static; NULL for an unknown
 * kind. */
const char *report_chart_heading(chart_kind k);
const char *report_chart_caption(chart_kind k);
/* Appends chart k to ctx->charts with its name, heading and caption; svg
 * and narrow (the phone rendering, may be NULL) are borrowed. */
void report_add_chart(report_ctx *ctx, chart_kind k, const char *svg, size_t svg_len,
                      const char *narrow, size_t narrow_len);

/* SOURCE_DATE_EPOCH as a number of seconds; false when unset or not a
 * non-negative whole number. */
bool report_source_date_epoch(int64_t *t);
/* Sets ctx->generated_t and generated_from_sde: SOURCE_DATE_EPOCH when
 * set, else the analysis's last collection. */
void report_set_generated(report_ctx *ctx, const analysis *a);

/* Where templates/ and assets/ are read from: $MEMREPORT_DATA_DIR; else
 * PREFIX/share/memreport beside an installed PREFIX/bin/memreport (make
 * install); else the directory compiled in (MEMREPORT_DATA_DIR, the
 * source tree). */
const char *report_data_dir(void);
/* Loads the report templates (REPORT.md and the experiment page) once.
 * Returns 0, or -1 after adding an error naming the template file. */
int report_load_templates(diag_list *d);
/* Loads templates/FILE under report_data_dir() as template NAME. Returns
 * 0, or -1 after adding an error that names the file. */
int report_load_template(const char *name, const char *file, diag_list *d);

/* Appends text from the data, escaped for the flavour. */
void rf_text(report_flavor f, strbuf *b, const char *s);
/* Appends it emphasised. */
void rf_strong(report_flavor f, strbuf *b, const char *s);
/* Appends a file path escaped for HTML with a <wbr> after each '/', '_'
 * and '-', so a narrow column wraps it between its parts rather than
 * scrolling or breaking a word. */
void rf_html_path(strbuf *b, const char *path);
/* A group's label, the one place every writer (and the charts' spec)
 * takes it from. Plain text; escape for the flavour. */
typedef enum {
    LABEL_SENTENCE, /* "B · mimalloc 2.0.9", "E · glibc (control)", the ID
                       when the name is the ID: sentences and tables */
    LABEL_PAREN,    /* "B (mimalloc 2.0.9)", "E (glibc (control))": the
                       page's key figures */
    LABEL_SHORT,    /* "B mimalloc 2.0.9": charts, where space is short */
    LABEL_NAME,     /* the name alone, else the ID: next to an ID column */
    LABEL_DOT,      /* "B · mimalloc 2.0.9": the site's comparison rows */
} label_style;
/* Caller frees. */
char *report_label(const group *g, label_style style);
/* Appends the LABEL_SENTENCE label: "B · mimalloc 2.0.9", "E · glibc
 * (control)", or just the ID when the name is the ID. */
void report_group_label(strbuf *b, const group *g);
/* The same label, escaped for the flavour. */
void rf_group(report_flavor f, strbuf *b, const group *g);

/* True for a report over every relay (no group information: one group
 * `all`). */
bool report_monitoring(const analysis *a);

/* Group indices in report order: final mean ascending (best first), groups
 * with no final snapshot last. Caller frees. */
size_t *report_order(const analysis *a);
/* The group with the lowest final mean, or -1. */
long report_best(const analysis *a);
/* The group with the highest steady growth, or -1. */
long report_fastest(const analysis *a);

/* The executive summary's result line (manifest `result` when given,
 * else generated): best group, its ratio to the baseline with CI, and the
 * growth of the fastest-growing group. */
void report_result_sentence(const analysis *a, report_flavor f, strbuf *b);

/* Generated analysis bullets, each a complete sentence or two. Returns the
 * count; *out is a malloc'd array of malloc'd strings. */
size_t report_analysis_bullets(const analysis *a, report_flavor f, char ***out);
void report_strv_free(char **v, size_t n);

/* "ratio vs baseline" cell text: "7.42× less (6.91–8.01)", "baseline",
 * "2.00× more (1.80–2.22)". Plain text. */
void report_vs_baseline(const analysis *a, size_t g, strbuf *b);
/* Steady growth cell: "+1.02 (0.95–1.10)". Plain text. */
void report_growth(const group_result *r, strbuf *b);
/* "Flat", "Growing", ... with an arrow. Static. */
const char *report_trend(trend_class t);

/* Facts for the setup table from diagnostics rows inside the analysed
 * period (all rows when none is inside); distinct values in order, joined
 * with an arrow as the value changed. Caller frees; NULL if none. */
char *report_host_fact(const analysis *a, const char *field);
/* Host RAM from diagnostics ("768.5 GiB", or "768.5 GiB → 960.8 GiB"
 * when it changed), NULL if none. */
char *report_host_ram(const analysis *a);
/* "2025-12-31 to 2026-01-10 (11 days)". Caller frees. */
char *report_period(const analysis *a);
/* The same period in parts: first and last dates (YYYY-MM-DD, the
 * experiment's timezone) and the number of calendar days it spans. */
long report_period_parts(const analysis *a, char from[32], char to[32]);
/* Title: manifest name, else id, else directory name. Static storage of a. */
const char *report_title(const analysis *a);
/* Appends the experiment's slug, for directory names and ids: of its
 * manifest id, else of the last name of dir (fmt_slug: letters, digits, '-'
 * and '_', at most 80 bytes; may be empty). The one place the site's
 * folders and the single page's ids take it from. */
void report_slug(strbuf *b, const char *id, const char *dir);

/* report_stamp for ctx's date. */
void report_generated(const analysis *a, const report_ctx *ctx, strbuf *b);
/* The one "built" line every page and REPORT.md ends with: "Built with
 * memreport V on DATE." (SOURCE_DATE_EPOCH), else "... from data up to
 * DATE." (the last collection). Dates in UTC, so a site's pages agree. */
void report_stamp(int64_t t, bool from_sde, strbuf *b);

/* A group's window: "from 2025-12-31 22:00", "... to ...", or "whole
 * data". Caller frees. */
char *report_window(const analysis *a, const group *g);

/* First occurrence of needle (NUL-terminated) in hay[0..n), or NULL
 * (memmem is not in C11 or POSIX). */
const char *report_find(const char *hay, size_t n, const char *needle);

/* Group i's colour when it is a well-formed "#rrggbb", else the palette's
 * colour for i: safe to put in an SVG or style attribute unescaped. */
const char *report_group_color(const group *g, size_t i);
/* The same for a's group g, by its place among all the experiment's
 * groups (a --groups view keeps each group's colour). */
const char *report_color_of(const analysis *a, size_t g);

/* A --groups view (publish/group_view.h) shows some of the groups: how
 * many groups the experiment has (a->m.ngroups when every one is shown),
 * and whether the baseline is among those shown (it is then named, with
 * "not shown", but has no row). */
size_t report_groups_all(const analysis *a);
bool report_baseline_shown(const analysis *a);
/* "5 groups", or "2 of 5 groups shown" for a view. Caller frees. */
char *report_groups_count(const analysis *a);

/* Group ID made safe for a file name (letters, digits, - and _). */
char *report_file_id(const char *id, size_t index);

#endif
