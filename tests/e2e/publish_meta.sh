#!/bin/sh
# publish_meta.sh - what a search engine or a link preview reads from the
# pages: the meta description and Open Graph tags of the experiment page
# (from the manifest's result, else its hypothesis), of the index and the
# comparison, the time-series PNG beside the page as og:image, and the
# site's 404.html.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS publish_meta: $1"; }
fail() { echo "FAIL publish_meta: $1: $2"; }
meta() { # file, attribute=value: the content of that meta tag
    grep -o "<meta $2 content=\"[^\"]*\">" "$1" | sed 's/.*content="//; s/">$//'
}

mkdir -p "$work/root"
x=$work/root/exp
"$MEMSIM" -o "$x" --relays 6 --days 2 --seed 3 --group A:flat --group B:leak >/dev/null ||
    { fail "memsim" "could not make the experiment"; exit 0; }
# A result with characters that must be escaped in an attribute; the
# hypothesis is what shows when there is none.
cp "$x/experiment.json" "$work/manifest.json"
want_h='Some allocators keep relay memory flat, others grow.'
grep -q "\"hypothesis\": \"$want_h\"" "$x/experiment.json" || fail "fixture" "memsim's hypothesis changed"
"$MEMREPORT" build -q "$x" 2>"$work/err" || { fail "build" "$(head -2 "$work/err")"; exit 0; }
p=$x/site/index.html
[ "$(meta "$p" 'name="description"')" = "$want_h" ] && pass "page: description is the hypothesis" ||
    fail "page: description is the hypothesis" "$(meta "$p" 'name="description"')"
sed -i 's|"hypothesis": |"result": "B grows \& A \\"stays\\" <flat>", "hypothesis": |' "$x/experiment.json"
"$MEMREPORT" build -q "$x" 2>"$work/err" || { fail "build with a result" "$(head -2 "$work/err")"; exit 0; }
want_r='B grows &amp; A &quot;stays&quot; &lt;flat&gt;'
[ "$(meta "$p" 'name="description"')" = "$want_r" ] && pass "page: description is the result, escaped" ||
    fail "page: description is the result, escaped" "$(meta "$p" 'name="description"')"
[ "$(meta "$p" 'property="og:description"')" = "$want_r" ] && pass "page: og:description" ||
    fail "page: og:description" "$(meta "$p" 'property="og:description"')"
title=$(grep -o '"name": "[^"]*"' "$x/experiment.json" | head -1 | sed 's/"name": "//; s/"$//')
[ -n "$title" ] && [ "$(meta "$p" 'property="og:title"')" = "$title" ] && pass "page: og:title is the experiment's name" ||
    fail "page: og:title" "$(meta "$p" 'property="og:title"'), want $title"
[ "$(meta "$p" 'property="og:type"')" = article ] && pass "page: og:type article" || fail "page: og:type" "$(meta "$p" 'property="og:type"')"
img=$(meta "$p" 'property="og:image"')
[ "$img" = charts/memory_timeseries.png ] && pass "page: og:image relative without a base URL" || fail "page: og:image" "$img"
cmp -s "$x/site/$img" "$x/charts/memory_timeseries.png" && pass "og:image is the time-series PNG, in the site" ||
    fail "og:image in the site" "missing or different"
[ "$(head -c 8 "$x/site/$img" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && pass "og:image is a PNG" ||
    fail "og:image is a PNG" "bad signature"
[ "$(grep -c '<meta name="description"' "$p")" -eq 1 ] && pass "page: one description" || fail "page: one description" "$(grep -c '<meta name="description"' "$p")"

# The site: every page has a description; the index counts the experiments.
s=$work/site
cp -r "$TOP/data/example" "$work/root/example"
rm -rf "$work/root/example/site" "$work/root/example/results.sqlite"
"$MEMREPORT" site -q --no-save "$work/root" -o "$s" 2>"$work/err" || { fail "site" "$(head -2 "$work/err")"; exit 0; }
d=$(meta "$s/index.html" 'name="description"')
echo "$d" | grep -q ': 2 experiments, ' && pass "index: description counts 2 experiments" || fail "index: description" "$d"
[ "$(meta "$s/index.html" 'property="og:title"')" = "Memory experiments" ] && pass "index: og:title" || fail "index: og:title" "$(meta "$s/index.html" 'property="og:title"')"
d=$(meta "$s/compare.html" 'name="description"')
echo "$d" | grep -q 'across 2 experiments' && pass "compare: description" || fail "compare: description" "$d"
[ "$(meta "$s/compare.html" 'property="og:title"')" = "Allocator comparison" ] && pass "compare: og:title" || fail "compare: og:title" "$(meta "$s/compare.html" 'property="og:title"')"
[ "$(meta "$s/2026-01-01-simulated/index.html" 'name="description"')" = "$want_r" ] && pass "site page: description is the result" ||
    fail "site page: description" "$(meta "$s/2026-01-01-simulated/index.html" 'name="description"')"
# site pages carry their own og:image: the time-series chart as a PNG,
# the same drawing build puts in charts/ (both from the same analysis).
for sp in "$s/2026-01-01-simulated" "$s/2026-10-27-allocator-comparison-example"; do
    n=${sp##*/}
    simg=$(meta "$sp/index.html" 'property="og:image"')
    [ "$simg" = charts/memory_timeseries.png ] && [ "$(head -c 8 "$sp/$simg" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
        pass "site page $n: og:image is a PNG beside it" || fail "site page $n: og:image" "'$simg'"
done
cmp -s "$s/2026-01-01-simulated/charts/memory_timeseries.png" "$x/charts/memory_timeseries.png" &&
    pass "site og:image: same bytes as build's chart" || fail "site og:image: same bytes as build's chart" "differ"
ex=$s/2026-10-27-allocator-comparison-example
want_ex=$(grep -o '"hypothesis": "[^"]*"' "$TOP/data/example/experiment.json" | sed 's/"hypothesis": "//; s/"$//')
[ -n "$want_ex" ] && [ "$(meta "$ex/index.html" 'name="description"')" = "$want_ex" ] && pass "example page: description is its hypothesis" ||
    fail "example page: description" "$(meta "$ex/index.html" 'name="description"'), want $want_ex"

# 404.html: strict CSP, leads back to the index, not to be indexed.
f=$s/404.html
[ -s "$f" ] && pass "404.html written" || { fail "404.html written" "missing"; exit 0; }
grep -q '<h1>Page not found</h1>' "$f" && pass "404: says so" || fail "404: says so" "no heading"
grep -q '<a href="index.html">' "$f" && grep -q '<a href="compare.html">' "$f" && pass "404: links to the index and the comparison" ||
    fail "404: links" "missing"
grep -q 'http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src &#39;self&#39;; style-src &#39;self&#39;;' "$f" && pass "404: strict CSP" ||
    fail "404: strict CSP" "$(grep -o 'Content-Security-Policy" content="[^"]*' "$f")"
grep -q '<meta name="robots" content="noindex">' "$f" && pass "404: noindex" || fail "404: noindex" "missing"
grep -q 'Built with memreport .* on 2026-01-01' "$f" && pass "404: the site's stamp" || fail "404: stamp" "$(grep -o '<footer.*' -A1 "$f" | tail -1)"
