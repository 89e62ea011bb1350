#!/bin/sh
# site_browser.sh - renders a site's index and comparison pages in headless
# Chromium (tests/browser/check_site.sh): the bundled example and two
# simulated experiments that share allocators. BROWSER_SHOTS=DIR keeps
# screenshots. SKIPs without chromium.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
r=$work/root
mkdir -p "$r"
cp -r "$TOP/data/example" "$r/example"
"$MEMSIM" -o "$r/alpha" --relays 12 --days 5 --seed 11 --id alpha --name "Alpha <b>fleet</b>" \
    --group "A:leak:rate=0.3:alloc=glibc:version=2.41:name=glibc 2.41 (control)" \
    --group "B:flat:alloc=mimalloc:version=2.0.9" >/dev/null
"$MEMSIM" -o "$r/beta" --relays 10 --days 4 --seed 12 --id beta --name "Beta fleet" \
    --group "C:flat:alloc=jemalloc:version=5.3.0" --group "D:flat:level=2.5:alloc=glibc:version=2.36" >/dev/null
if ! "$MEMREPORT" site -q "$r" -o "$work/site" 2>"$work/err"; then
    echo "FAIL browser-site: site failed: $(head -3 "$work/err")"
    exit 0
fi
# The example runs glibc, jemalloc and mimalloc too: three shared allocators.
shots=""
[ -n "$BROWSER_SHOTS" ] && mkdir -p "$BROWSER_SHOTS" && shots=$BROWSER_SHOTS/site
CHECK_NAME=browser-site sh "$TOP/tests/browser/check_site.sh" "$work/site" 3 3 "$shots"
grep -q 'Alpha &lt;b&gt;fleet&lt;/b&gt;' "$work/site/index.html" && echo "PASS browser-site: title escaped" || echo "FAIL browser-site: title escaped: raw markup"
exit 0
