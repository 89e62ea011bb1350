#!/bin/sh
# browser_audit.sh - axe-core and layout checks (tests/browser/audit.mjs)
# on a site's index, comparison and experiment pages, a 10-group
# experiment and the real 5-way experiment when its data is present, each
# at 1400, 1024, 820 and 390 px, light and dark, at 701 px, and printed
# from a dark preference; and the single page of `build --single-file`
# (tests/browser/single.mjs).
# BROWSER_SHOTS=DIR keeps screenshots and print PDFs. SKIPs without
# node, the npm test tooling (make deps-test) or chromium.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP browser-audit: node is not installed (make deps-test)"
    exit 0
fi
# Under a sanitizer (make SANITIZE=1 check, make clang-check) the pages are
# the plain build's bytes, and site.sh, single_file.sh and theme.sh build
# them there too; what Chromium makes of them is checked once, in the
# plain run, which keeps CI's three runs of the suite short.
if [ "${TEST_SANITIZED:-}" = 1 ]; then
    echo "SKIP browser-audit: checked in the plain run (make check), not under a sanitizer"
    exit 0
fi
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
audit() { # name, files...
    n=$1
    shift
    if [ -n "$BROWSER_SHOTS" ]; then
        node "$TOP/tests/browser/audit.mjs" --name "$n" --shots "$BROWSER_SHOTS" "$@"
    else
        node "$TOP/tests/browser/audit.mjs" --name "$n" "$@"
    fi
}

# A site over two simulated experiments that share allocators.
r=$work/root
mkdir -p "$r"
cp -r "$TOP/data/example" "$r/example"
"$MEMSIM" -o "$r/alpha" --relays 12 --days 5 --seed 11 --id alpha --name "Alpha fleet" \
    --group "A:leak:rate=0.3:alloc=glibc:version=2.41:name=glibc 2.41 (control)" \
    --group "B:flat:alloc=mimalloc:version=2.0.9" >/dev/null
"$MEMSIM" -o "$r/beta" --relays 10 --days 4 --seed 12 --id beta --name "Beta fleet with a much longer name than most" \
    --group "C:flat:alloc=jemalloc:version=5.3.0" --group "D:flat:level=2.5:alloc=glibc:version=2.36" \
    --group "E:noisy:alloc=mimalloc:version=3.1.5:name=mimalloc 3.1.5 built from source" >/dev/null
# The operators' theme (site-theme/ beside the experiments) on every page
# of the site: no CSP violation, and its stylesheet applies.
mkdir -p "$r/site-theme/img"
cat >"$r/site-theme/header.html" <<'HTML'
<nav class="op-nav" aria-label="Operators">
<a href="index.html"><img src="assets/theme/img/logo.svg" alt="" width="20" height="20"> Relay operators' notes</a>
<a href="compare.html">Comparison</a>
</nav>
HTML
cat >"$r/site-theme/footer.html" <<'HTML'
<aside class="op-foot" aria-label="About the operators"><p>Run by the relay operators. <a href="#main">Back to the top</a></p></aside>
HTML
printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><circle cx="10" cy="10" r="9" fill="#c0392b"/></svg>\n' >"$r/site-theme/img/logo.svg"
cat >"$r/site-theme/style.css" <<'CSS'
.op-nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: .5rem 1rem;
  background: #20232a url(img/logo.svg) no-repeat right 8px center / 16px; }
.op-nav a { color: #ffd866; }
.op-foot { border-top: 4px solid rgb(192, 57, 43); padding: .5rem 1rem; }
@media print { .op-nav { background: none; } .op-nav a { color: #000; } }
CSS
if ! "$MEMREPORT" site -q "$r" -o "$work/site" 2>"$work/err"; then
    echo "FAIL browser-audit: site failed: $(head -3 "$work/err")"
    exit 0
fi
AUDIT_ROOT=$work/site audit browser-audit-site --expect-style '.op-foot|border-top-color|rgb(192, 57, 43)' \
    --expect-style '.op-nav|display|flex' "$work/site/index.html" "$work/site/compare.html" "$work/site/404.html" \
    "$work/site/alpha/index.html" "$work/site/"2026-*/index.html

# Ten groups: every colour, shape and dash of the palette on one chart.
spec=""
for g in A B C D E F G H I J; do
    spec="$spec --group $g:flat:level=1.$(printf '%s' "$g" | od -An -tu1 | tr -d ' ')"
done
# shellcheck disable=SC2086
"$MEMSIM" -o "$work/ten" --relays 40 --days 6 --seed 5 --id ten --name "Ten groups" $spec >/dev/null
mkdir "$work/post"
# A second experiment's post, dark for every reader, to sit beside the first.
"$MEMREPORT" build -q "$r/alpha" --theme dark --single-file "$work/post/alpha-dark.html" 2>"$work/err" ||
    echo "FAIL browser-audit-single-dark: build failed: $(head -3 "$work/err")"
if "$MEMREPORT" build -q "$work/ten" --single-file "$work/post/ten.html" 2>"$work/err"; then
    audit browser-audit-ten "$work/ten/site/index.html"
    # The single page for a post: alone from an empty folder, then pasted
    # into a blog shell made by the check and, when present, into a copy
    # of the operators' own post shell; and beside the other experiment's
    # post in one page (no id twice, each block styled as alone).
    set -- "$work/post/ten.html"
    tpl=$TOP/../shared/data/blog-template.html
    if [ -f "$tpl" ]; then
        set -- --template "$tpl" "$@"
    else
        echo "SKIP browser-audit-single: no blog-template.html beside the project"
    fi
    if [ -f "$work/post/alpha-dark.html" ]; then set -- --with "$work/post/alpha-dark.html" "$@"; fi
    if [ -n "$BROWSER_SHOTS" ]; then set -- --shots "$BROWSER_SHOTS" "$@"; fi
    node "$TOP/tests/browser/single.mjs" --name browser-audit-single "$@"
    # Two views of one experiment in one post: the whole report beside a
    # --groups view of it, each with ids of its own and styled as alone.
    if "$MEMREPORT" build -q "$work/ten" --groups C,A --single-file "$work/post/ten-ca.html" 2>"$work/err"; then
        node "$TOP/tests/browser/single.mjs" --name browser-audit-single-views ${BROWSER_SHOTS:+--shots "$BROWSER_SHOTS"} --with "$work/post/ten-ca.html" "$work/post/ten.html"
    else
        echo "FAIL browser-audit-single-views: build failed: $(head -3 "$work/err")"
    fi
    # --theme dark: dark for every reader (a dark blog), still fetching nothing.
    if [ -f "$work/post/alpha-dark.html" ]; then
        node "$TOP/tests/browser/single.mjs" --name browser-audit-single-dark --alone "$work/post/alpha-dark.html"
    fi
else
    echo "FAIL browser-audit-ten: build failed: $(head -3 "$work/err")"
fi

# --theme dark and light: the example's page in that theme under either
# preference, still passing every check (print is white either way).
for theme in dark light; do
    if "$MEMREPORT" build -q --theme $theme "$r/example" -o "$work/example-$theme" 2>"$work/err"; then
        audit browser-audit-theme-$theme --theme $theme "$work/example-$theme/index.html"
    else
        echo "FAIL browser-audit-theme-$theme: build failed: $(head -3 "$work/err")"
    fi
done

src=$TOP/../shared/data/5way-allocator-comparison
if [ ! -f "$src/memory.csv" ]; then
    echo "SKIP browser-audit-real: the 5-way experiment data is not available"
    exit 0
fi
cp -r "$src" "$work/real"
chmod -R u+w "$work/real"
if "$MEMREPORT" build -q "$work/real" -o "$work/real-site" 2>"$work/err"; then
    audit browser-audit-real "$work/real-site/index.html"
else
    echo "FAIL browser-audit-real: build failed: $(head -3 "$work/err")"
fi
exit 0
