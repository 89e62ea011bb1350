/* test_css_scope.c - css_scope: a stylesheet rewritten for a pasted block
 * (selectors under .mrp, classes prefixed, unused rules dropped, themes,
 * width queries on the block, nothing that fetches). */
#include "css_scope.h"
#include "harness.h"
#include "strmap.h"

static const struct {
    const char *name;
    scope_theme theme;
    const char *css;
    const char *want;
} cases[] = {
    {"class and element", SCOPE_THEME_AUTO, "/* c */ .kpi p { margin : 0 ; }", ".mrp .mrp-kpi p{margin : 0 ;}\n"},
    {"root and body are the block", SCOPE_THEME_AUTO, ":root{--a:1}\nbody{color:red}\nhtml{x:y}",
     ".mrp{--a:1}\n.mrp{color:red}\n"},
    {"a list keeps only what is used", SCOPE_THEME_AUTO, ".kpi, .masthead nav, h2, aside { a: b }",
     ".mrp .mrp-kpi,.mrp h2{a: b}\n"},
    {"compound classes, pseudo-classes, attributes", SCOPE_THEME_AUTO,
     "tr.best th:first-child, a[href=\"#x.y\"]:hover::before { c: d }",
     ".mrp tr.mrp-best th:first-child,.mrp a[href=\"#x.y\"]:hover::before{c: d}\n"},
    {":is() and :not() contents are not filtered", SCOPE_THEME_AUTO,
     ":is(div, aside) > :not(.gone) { all: revert }",
     ".mrp :is(div, aside) > :not(.mrp-gone){all: revert}\n"},
    {"universal", SCOPE_THEME_AUTO, "* { box-sizing: border-box }", ".mrp *{box-sizing: border-box}\n"},
    {"dark block kept (auto)", SCOPE_THEME_AUTO,
     "@media (prefers-color-scheme: dark) { :root { --bg: #000 } }",
     "@media (prefers-color-scheme: dark){\n.mrp{--bg: #000}\n}\n"},
    {"dark block dropped (dark: the [data-theme] rules carry it)", SCOPE_THEME_DARK,
     ".kpi{a:1}@media (prefers-color-scheme: dark) { .kpi { a: 2 } }"
     "[data-theme=dark] .kpi{a:3}",
     ".mrp .mrp-kpi{a:1}\n.mrp[data-theme=dark] .mrp-kpi{a:3}\n"},
    {"dark block dropped (light)", SCOPE_THEME_LIGHT,
     ".kpi{a:1}@media (prefers-color-scheme: dark) { .kpi { a: 2 } }", ".mrp .mrp-kpi{a:1}\n"},
    {"light block dropped (dark)", SCOPE_THEME_DARK,
     "@media (prefers-color-scheme: light) { .kpi { a: 2 } }", ""},
    {"width query on the block", SCOPE_THEME_AUTO, "@media (max-width: 700px) { h2 { a: b } }",
     "@container mrp (max-width: 700px){\n.mrp h2{a: b}\n}\n"},
    {"a screen query inside a width query stays inside the block's", SCOPE_THEME_AUTO,
     "@media (max-width: 760px) { h2 { a: b } @media screen { .kpi th::before { c: d } } }",
     "@container mrp (max-width: 760px){\n.mrp h2{a: b}\n@media screen{\n.mrp .mrp-kpi th::before{c: d}\n}\n}\n"},
    {"a container query stays, inside a screen query", SCOPE_THEME_AUTO,
     ".kpi { container: c / inline-size } "
     "@media screen { @container c (max-width: 900px) { .kpi th { a: b } .gone { c: d } } }",
     ".mrp .mrp-kpi{container: c / inline-size}\n"
     "@media screen{\n@container c (max-width: 900px){\n.mrp .mrp-kpi th{a: b}\n}\n}\n"},
    {"print stays a media query", SCOPE_THEME_AUTO, "@media print { h2 { a: b } .gone { c: d } }",
     "@media print{\n.mrp h2{a: b}\n}\n"},
    {"an empty block is dropped", SCOPE_THEME_AUTO, "@media print { .gone { c: d } }", ""},
    {"nothing that fetches", SCOPE_THEME_AUTO,
     "@import url(x.css); @font-face { font-family: X; src: url(x.woff) } h2 { background: url(x.png) } "
     "@keyframes k { from { a: b } } h2 { e: f }",
     ".mrp h2{e: f}\n"},
    {"strings keep their spaces", SCOPE_THEME_AUTO, "h2::before { content: \"a  {b}  ;\" }",
     ".mrp h2::before{content: \"a  {b}  ;\"}\n"},
    {"the site's forced themes are the block's root's", SCOPE_THEME_AUTO,
     ":root:where(:not([data-theme=light])) { a: b } :root[data-theme=dark] { c: d } "
     ":where(:root:not([data-theme=light])) .kpi { e: f } [data-theme=dark] .kpi p { g: h } "
     "body.x h2, :root, :root[data-theme] { i: j }",
     ".mrp:where(:not([data-theme=light])){a: b}\n.mrp[data-theme=dark]{c: d}\n"
     ".mrp:where(:not([data-theme=light])) .mrp-kpi{e: f}\n.mrp[data-theme=dark] .mrp-kpi p{g: h}\n"
     ".mrp.mrp-x h2,.mrp,.mrp[data-theme]{i: j}\n"},
    {"ids prefixed", SCOPE_THEME_AUTO, "#title { a: b }", ".mrp #mrp-title{a: b}\n"},
};

int main(void)
{
    strmap classes, tags;
    strmap_init(&classes);
    strmap_init(&tags);
    const char *html = "<div class=\"mrp-kpi  mrp-best\"><p><h2 class=\"x\">T</h2><table><tr><th>"
                       "<a href=\"#x\">x</a></th></tr></table><span class=\"mrp-masthead mrp-x\">";
    css_scope_collect(html, strlen(html), &classes, &tags);
    size_t v;
    OK(strmap_get(&classes, "mrp-kpi", 7, &v) && strmap_get(&classes, "mrp-best", 8, &v) &&
           strmap_get(&classes, "x", 1, &v) && !strmap_get(&classes, "", 0, &v),
       "collect: class tokens");
    OK(strmap_get(&tags, "h2", 2, &v) && strmap_get(&tags, "tr", 2, &v) &&
           !strmap_get(&tags, "nav", 3, &v) && !strmap_get(&tags, "aside", 5, &v),
       "collect: element names");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scope_opts o = {.root = "mrp", .theme = cases[i].theme, .classes = &classes, .tags = &tags};
        strbuf out;
        buf_init(&out);
        css_scope(cases[i].css, strlen(cases[i].css), &o, &out);
        STR_EQ(out.data ? out.data : "", cases[i].want, cases[i].name);
        buf_free(&out);
    }
    /* Without the sets every rule is kept. */
    scope_opts all = {.root = "mrp"};
    strbuf out;
    buf_init(&out);
    css_scope(".gone nav{a:b}", 14, &all, &out);
    STR_EQ(out.data, ".mrp .mrp-gone nav{a:b}\n", "no sets: everything kept");
    buf_free(&out);
    /* A block's own key and id prefix: its rules reach that block only,
     * ids take the experiment's prefix, classes the root's. */
    scope_opts keyed = {.root = "mrp", .ids = "mrp-fleet", .key = "mrp-fleet-report"};
    buf_init(&out);
    const char *css = ":root{--a:1}[data-theme=dark]{--a:2}.kpi #x,tr:target{b:c}";
    css_scope(css, strlen(css), &keyed, &out);
    STR_EQ(out.data,
           ".mrp#mrp-fleet-report{--a:1}\n.mrp#mrp-fleet-report[data-theme=dark]{--a:2}\n"
           ".mrp#mrp-fleet-report .mrp-kpi #mrp-fleet-x,.mrp#mrp-fleet-report tr:target{b:c}\n",
           "key: every selector on the block's own root, ids with their prefix");
    buf_free(&out);
    strmap_free(&classes);
    strmap_free(&tags);
    return harness_done();
}
