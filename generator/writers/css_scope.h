/* css_scope.h - a stylesheet rewritten for a block of HTML that is pasted
 * into someone else's page (build --single-file).
 *
 * The block's root element carries the class ROOT (say "mrp"); inside it
 * every class is "ROOT-..." and every id "IDS-..." (IDS is ROOT, or ROOT
 * and a slug of the experiment, so two blocks in one page keep their ids
 * apart). css_scope rewrites a stylesheet written
 * for a page of its own (the site's style.css) so that it styles the block
 * alone and nothing of the host page:
 *   - every selector is put under ".ROOT " (".ROOT#KEY " with a key), its
 *     classes get the "ROOT-" prefix and its ids the "IDS-" prefix; `:root` and `body` mean the block's root, `html` is
 *     dropped;
 *   - rules for classes or elements the block does not use are dropped,
 *     so the block carries only what it needs;
 *   - @media (prefers-color-scheme: ...) blocks follow the theme: kept as
 *     they are (auto), or dropped when the theme is forced, which the
 *     stylesheet's [data-theme] rules on the root then carry (applied
 *     always, a preference's rules would restyle another block of the
 *     same post);
 *   - @media width queries become @container ROOT queries: inside a post
 *     the block's own width matters, not the window's; the stylesheet's
 *     own @container queries (on boxes inside the block) stay as they are;
 *   - anything that could fetch or reach outside the block is dropped:
 *     @import, @font-face and every other at-rule but @media/@supports/@container,
 *     and any rule with url(...).
 * The input is trusted (the project's own files): the parser is small and
 * never fails, it only drops what it does not understand. */
#ifndef MEMREPORT_CSS_SCOPE_H
#define MEMREPORT_CSS_SCOPE_H

#include <stddef.h>

#include "strmap.h"
#include "util.h"

typedef enum { SCOPE_THEME_AUTO, SCOPE_THEME_LIGHT, SCOPE_THEME_DARK } scope_theme;

typedef struct {
    const char *root;      /* the root's class; also the class prefix and container name */
    const char *ids;       /* the prefix of ids ("ROOT-slug"); NULL: root */
    /* The root's own id, or NULL: every selector then starts ".ROOT#KEY",
     * so the rules of one block style that block alone when a post holds
     * two (of two experiments, or two themes). */
    const char *key;
    scope_theme theme;
    const strmap *classes; /* classes the block uses (prefixed); NULL keeps every rule */
    const strmap *tags;    /* element names the block uses; NULL keeps every rule */
} scope_opts;

/* Appends css[0..len) rewritten for the block to out. */
void css_scope(const char *css, size_t len, const scope_opts *o, strbuf *out);

/* Adds the tokens of every class="..." attribute of html to classes and
 * every element name (lower case) to tags, for scope_opts. */
void css_scope_collect(const char *html, size_t len, strmap *classes, strmap *tags);

#endif
