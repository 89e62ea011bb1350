#!/bin/sh
# check_site.sh - loads a site's index and comparison pages in headless
# Chromium and checks the rendered DOM: one row per experiment with its
# sparkline, the comparison tables, links that lead to files of the site,
# nothing from another origin, no Content-Security-Policy violation.
# usage: check_site.sh SITEDIR NEXPERIMENTS NALLOCATORS [SHOTS_PREFIX]
# Prints PASS/FAIL/SKIP lines; SKIPs when chromium is not installed.
site=$1
nexp=$2
nalloc=$3
shots=$4
name=${CHECK_NAME:-browser-site}

. "$(dirname "$0")/chromium.sh"
if [ -z "$chromium" ]; then
    echo "SKIP $name: chromium is not installed (make deps-test)"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abs=$(cd "$site" && pwd)
pass() { echo "PASS $name: $1"; }
fail() { echo "FAIL $name: $1: $2"; }

load() { # page, out prefix, extra args...
    p=$1
    o=$2
    shift 2
    chromium_run "$work" "file://$abs/$p" --enable-logging=stderr --v=0 "$@" >"$o.dom" 2>"$o.log"
}

common() { # page, prefix
    dom=$2.dom
    if grep -q '</html>' "$dom"; then pass "$1 rendered"; else fail "$1 rendered" "no DOM dumped"; return 1; fi
    if grep -Eoi '(src|href|xlink:href|action)="[^"]*"' "$dom" | grep -Eiv '="(#|[a-z0-9_./~-]+(#[a-z0-9_-]*)?")' >"$work/ext"; then
        fail "$1: no other origin" "$(head -1 "$work/ext")"
    else
        pass "$1: no other origin"
    fi
    if grep -q 'Content Security Policy' "$2.log"; then
        fail "$1: no CSP violation" "$(grep -m1 'Content Security Policy' "$2.log" | cut -c1-200)"
    else
        pass "$1: no CSP violation"
    fi
    if grep -Eqi 'net::ERR_|Failed to load resource' "$2.log"; then
        fail "$1: every resource loaded" "$(grep -Em1 'net::ERR_|Failed to load' "$2.log" | cut -c1-200)"
    else
        pass "$1: every resource loaded"
    fi
    # Every relative link names a file of the site.
    missing=""
    for h in $(grep -o 'href="[^"#]*[#"]' "$dom" | sed 's/href="//; s/[#"]$//' | grep . | sort -u); do
        [ -e "$abs/$h" ] || missing="$missing $h"
    done
    [ -z "$missing" ] && pass "$1: links lead to files" || fail "$1: links lead to files" "$missing"
}

load index.html "$work/index" --dump-dom
if common index.html "$work/index"; then
    d=$work/index.dom
    n=$(grep -c '<tr><th scope="row"><a href=' "$d")
    [ "$n" -eq "$nexp" ] && pass "index: experiment rows ($n)" || fail "index: experiment rows" "$n, want $nexp"
    n=$(grep -o '<svg class="spark"' "$d" | wc -l)
    [ "$n" -eq "$nexp" ] && pass "index: sparklines ($n)" || fail "index: sparklines" "$n, want $nexp"
    grep -q 'href="compare.html"' "$d" && pass "index: links the comparison" || fail "index: links the comparison" "missing"
    n=$(grep -o 'class="tag status-\(running\|concluded\)"' "$d" | wc -l)
    [ "$n" -eq "$nexp" ] && pass "index: a status per experiment" || fail "index: a status per experiment" "$n"
fi

load compare.html "$work/compare" --dump-dom
if common compare.html "$work/compare"; then
    d=$work/compare.dom
    n=$(grep -o '<table class="compare">' "$d" | wc -l)
    [ "$n" -eq "$nalloc" ] && pass "compare: one table per allocator ($n)" || fail "compare: one table per allocator" "$n, want $nalloc"
    grep -q 'Final mean (GiB)' "$d" && grep -q 'vs control' "$d" && pass "compare: columns" || fail "compare: columns" "missing"
    grep -q 'href="index.html"' "$d" && pass "compare: links the index" || fail "compare: links the index" "missing"
fi

if [ -n "$shots" ]; then
    load index.html "$work/s1" --screenshot="$shots-index.png" --window-size=1280,1200
    load compare.html "$work/s2" --force-dark-mode --screenshot="$shots-compare-dark.png" --window-size=1280,1600
    [ -s "$shots-index.png" ] && [ -s "$shots-compare-dark.png" ] && pass "screenshots" || fail "screenshots" "not written"
fi
exit 0
