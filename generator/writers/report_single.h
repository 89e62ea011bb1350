/* report_single.h - the single page of `build --single-file FILE`: the
 * report as one self-contained block for a blog post.
 *
 * templates/single.html.tpl, filled like the experiment page (report_fill
 * and report_html_fill_page), is a minimal HTML document whose body holds
 * the block between <!-- memreport:begin --> and <!-- memreport:end -->.
 * The block is <article class="mrp">; every class in it, the charts'
 * included, gets the mrp- prefix, and every id, id reference and in-page
 * link "mrp-" and the experiment's slug, so two reports in one post keep
 * them apart. A <style> inside it carries the site's style.css and
 * assets/single.css scoped to it (css_scope.h), every selector keyed on
 * the root's id, so the host page's CSS and the block's cannot touch each
 * other, nor two blocks' rules the other block. It has no script, no CSP meta (the host page has its own policy),
 * and names no URL: opened from an empty folder it requests nothing. */
#ifndef MEMREPORT_REPORT_SINGLE_H
#define MEMREPORT_REPORT_SINGLE_H

#include "analysis.h"
#include "css_scope.h"
#include "diag.h"
#include "report_common.h"
#include "util.h"

#define REPORT_SINGLE_TEMPLATE "single.html"
/* The block root's class, and the prefix of every class and id in it. */
#define REPORT_SINGLE_ROOT "mrp"
/* The root's id in the template, before the ids' prefix. */
#define REPORT_SINGLE_ROOT_ID "report"

/* Appends the single page to out: the charts of ctx but the relay
 * trajectories (one line per relay says little in a post), in the given
 * theme (auto: the reader's preference). Templates must be loaded; the
 * stylesheets are read from report_data_dir()/assets. Returns 0, or -1
 * after adding an error to d. */
int report_single_render(const analysis *a, const report_ctx *ctx, scope_theme theme,
                         strbuf *out, diag_list *d);

#endif
