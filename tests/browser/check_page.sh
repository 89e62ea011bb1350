#!/bin/sh
# check_page.sh - loads an experiment page in headless Chromium and checks
# the rendered DOM: the tables, the inline SVG charts, no reference to any
# other origin, and no Content-Security-Policy violation in the console.
# usage: check_page.sh INDEX.HTML NGROUPS [SHOTS_PREFIX]
# With SHOTS_PREFIX, also writes SHOTS_PREFIX-light.png and -dark.png.
# Prints PASS/FAIL/SKIP lines; SKIPs when chromium is not installed.
page=$1
ngroups=$2
shots=$3
name=${CHECK_NAME:-browser}

. "$(dirname "$0")/chromium.sh"
if [ -z "$chromium" ]; then
    echo "SKIP $name: chromium is not installed (make deps-test)"
    exit 0
fi
if [ ! -s "$page" ]; then
    echo "FAIL $name: no page at $page"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abs=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")

run_chromium() { # extra args...
    chromium_run "$work" "file://$abs" "$@"
}

run_chromium --enable-logging=stderr --v=0 --dump-dom >"$work/dom" 2>"$work/log"
pass() { echo "PASS $name: $1"; }
fail() { echo "FAIL $name: $1: $2"; }
count() { grep -o "$1" "$work/dom" | wc -l; }

if grep -q '</html>' "$work/dom"; then pass "page rendered"; else fail "page rendered" "no DOM dumped"; exit 0; fi
grep -q '<h1>' "$work/dom" && pass "title heading" || fail "title heading" "no <h1>"

# Tables: setup, groups, final metrics, day table, inputs (+ events).
n=$(count '<table')
[ "$n" -ge 5 ] && pass "tables present ($n)" || fail "tables present" "$n tables"
# Final metrics: one body row per group.
rows=$(awk '/<table class="metrics">/ { on = 1 } on && /<tr class=/ { n++ } on && /<\/table>/ { on = 0 } END { print n + 0 }' "$work/dom")
[ "$rows" -eq "$ngroups" ] && pass "final metrics rows ($rows)" || fail "final metrics rows" "$rows, want $ngroups"
grep -q 'Mean RSS (GiB)' "$work/dom" && pass "final metrics header" || fail "final metrics header" "missing"
grep -q '<th scope="col" class="num">Day 1</th>' "$work/dom" && pass "day table" || fail "day table" "no Day 1 column"

# Charts: four inline SVGs with real text, each also drawn for phones.
n=$(count '<svg[^>]*class="mr-chart"')
[ "$n" -eq 8 ] && pass "inline SVG charts, wide and narrow ($n)" || fail "inline SVG charts" "$n, want 8"
n=$(count '<div class="chart-box chart-narrow">')
[ "$n" -eq 4 ] && pass "a narrow rendering per chart" || fail "a narrow rendering per chart" "$n, want 4"
n=$(count '<text')
[ "$n" -ge 20 ] && pass "chart text elements ($n)" || fail "chart text elements" "$n"
n=$(count '<figcaption>')
[ "$n" -eq 4 ] && pass "chart captions" || fail "chart captions" "$n, want 4"

# Nothing points at another origin; the stylesheet is the site's own.
if grep -Eoi '(src|href|xlink:href|action)="[^"]*"' "$work/dom" | grep -Eiv '="(#|[a-z0-9_./-]+")' >"$work/ext"; then
    fail "no other origin" "$(head -1 "$work/ext")"
else
    pass "no other origin"
fi
grep -Eqi 'url\((["'"'"']?)(https?:)?//' "$work/dom" && fail "no remote url()" "found" || pass "no remote url()"
grep -q 'href="assets/style.css"' "$work/dom" && pass "own stylesheet" || fail "own stylesheet" "missing"
if grep -q 'Content Security Policy' "$work/log"; then
    fail "no CSP violation" "$(grep -m1 'Content Security Policy' "$work/log" | cut -c1-200)"
else
    pass "no CSP violation"
fi
if grep -Eqi 'net::ERR_|Failed to load resource' "$work/log"; then
    fail "every resource loaded" "$(grep -Em1 'net::ERR_|Failed to load' "$work/log" | cut -c1-200)"
else
    pass "every resource loaded"
fi

if [ -n "$shots" ]; then
    run_chromium --screenshot="$shots-light.png" --window-size=1280,2400 >/dev/null 2>&1
    run_chromium --force-dark-mode --screenshot="$shots-dark.png" --window-size=1280,2400 >/dev/null 2>&1
    [ -s "$shots-light.png" ] && [ -s "$shots-dark.png" ] && pass "screenshots" || fail "screenshots" "not written"
fi
exit 0
