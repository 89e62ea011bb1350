#!/bin/sh
# build --theme light|dark|auto: a bad value is bad usage; light and auto
# draw the PNGs exactly as before (the committed example's bytes); dark
# changes the PNGs (and the site's copy of one) but not the SVGs, which the
# page themes with CSS; light and dark force the page's theme. The dark
# pixels are checked in test_theme.c, the pages in browser_audit.sh.
mr=${MEMREPORT:?MEMREPORT not set}
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS theme: $1"; }
fail() { echo "FAIL theme: $1: $2"; }
ex=$top/data/example

for bad in pink Dark "" "dark,light"; do
    "$mr" build --theme "$bad" "$ex" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -q "^memreport: --theme: \"$bad\" is not light, dark or auto" "$tmp/err"; then
        pass "--theme '$bad' is bad usage, named"
    else
        fail "--theme '$bad' is bad usage, named" "exit $rc: $(head -1 "$tmp/err")"
    fi
done
"$mr" build "$ex" --theme >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "memreport: --theme: needs a value" "$tmp/err" && pass "--theme needs a value" ||
    fail "--theme needs a value" "$(head -1 "$tmp/err")"
"$mr" build --help | grep -q -- "--theme THEME" && pass "--help lists --theme" || fail "--help lists --theme" "absent"
grep -q -- "--theme" "$top/README.md" && pass "README documents --theme" || fail "README documents --theme" "absent"

charts="memory_timeseries memory_distribution memory_trajectories memory_total"
for theme in light auto dark; do
    mkdir -p "$tmp/$theme/data"
    cp -r "$ex" "$tmp/$theme/data/example"
    rm -rf "$tmp/$theme/data/example/site" "$tmp/$theme/data/example/results.sqlite"
    if ! (cd "$tmp/$theme" && "$mr" build -q --theme $theme data/example); then
        fail "--theme $theme builds" "exit $?"
        continue
    fi
    d=$tmp/$theme/data/example
    for c in $charts; do
        if [ $theme = dark ]; then
            cmp -s "$ex/charts/$c.png" "$d/charts/$c.png" && fail "dark: $c.png is redrawn" "same bytes as light" ||
                pass "dark: $c.png is redrawn"
        else
            cmp -s "$ex/charts/$c.png" "$d/charts/$c.png" && pass "$theme: $c.png is the committed light one" ||
                fail "$theme: $c.png is the committed light one" "differs"
        fi
        cmp -s "$ex/charts/$c.svg" "$d/charts/$c.svg" && pass "$theme: $c.svg unchanged" ||
            fail "$theme: $c.svg unchanged" "differs"
    done
    cmp -s "$d/charts/memory_timeseries.png" "$d/site/charts/memory_timeseries.png" &&
        pass "$theme: the site's PNG is the same picture" || fail "$theme: the site's PNG is the same picture" "differs"
done
for theme in light dark; do
    grep -q "^<html lang=\"en\" data-theme=\"$theme\">" "$tmp/$theme/data/example/site/index.html" &&
        grep -q "<meta name=\"color-scheme\" content=\"$theme\">" "$tmp/$theme/data/example/site/index.html" &&
        pass "$theme: the page is forced to $theme (data-theme, color-scheme)" ||
        fail "$theme: the page is forced to $theme (data-theme, color-scheme)" "$(grep -m1 '<html' "$tmp/$theme/data/example/site/index.html")"
done
grep -q '^<html lang="en" data-theme="dark">' "$tmp/dark/data/example/site/404.html" &&
    pass "dark: the site's 404.html is dark too" || fail "dark: the site's 404.html is dark too" "$(grep -m1 '<html' "$tmp/dark/data/example/site/404.html")"
grep -q '^<html lang="en">' "$tmp/auto/data/example/site/404.html" &&
    grep -q '<meta name="color-scheme" content="light dark">' "$tmp/auto/data/example/site/404.html" &&
    pass "auto: 404.html follows the reader" || fail "auto: 404.html follows the reader" "$(grep -m1 '<html' "$tmp/auto/data/example/site/404.html")"
grep -q '^<html lang="en">' "$tmp/auto/data/example/site/index.html" &&
    grep -q '<meta name="color-scheme" content="light dark">' "$tmp/auto/data/example/site/index.html" &&
    pass "auto: the page follows the reader" || fail "auto: the page follows the reader" "$(grep -m1 '<html' "$tmp/auto/data/example/site/index.html")"
grep -q 'memreport build \. --theme dark' "$tmp/dark/data/example/REPORT.md" &&
    pass "dark: the regenerate command names --theme dark" || fail "dark: the regenerate command names --theme dark" "absent"
grep -q -- '--theme' "$tmp/auto/data/example/REPORT.md" && fail "auto: the command stays as before" "names --theme" ||
    pass "auto: the command stays as before"
