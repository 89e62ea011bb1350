#!/bin/sh
# browser.sh - renders built experiment pages in headless Chromium
# (tests/browser/check_page.sh): the injection fixture, and the real 5-way
# experiment when its data is present. BROWSER_SHOTS=DIR keeps light and
# dark screenshots of the real page. SKIPs without chromium.
: "${MEMREPORT:?}" "${TOP:?}"
. "$TOP/tests/browser/fixture.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make_fixture "$work/exp"
if ! SOURCE_DATE_EPOCH=1767225600 "$MEMREPORT" build -q "$work/exp" 2>"$work/err"; then
    echo "FAIL browser: fixture build failed: $(head -3 "$work/err")"
    exit 0
fi
CHECK_NAME=browser-fixture sh "$TOP/tests/browser/check_page.sh" "$work/exp/site/index.html" 2

src=""
for d in "$TOP/../shared/data/5way-allocator-comparison"; do
    [ -f "$d/memory.csv" ] && src=$d && break
done
if [ -z "$src" ]; then
    echo "SKIP browser-real: the 5-way experiment data is not available"
    exit 0
fi
cp -r "$src" "$work/real"
chmod -R u+w "$work/real"
if ! "$MEMREPORT" build -q "$work/real" -o "$work/real-site" 2>"$work/err"; then
    echo "FAIL browser-real: build failed: $(head -3 "$work/err")"
    exit 0
fi
shots=""
[ -n "$BROWSER_SHOTS" ] && mkdir -p "$BROWSER_SHOTS" && shots=$BROWSER_SHOTS/5way
CHECK_NAME=browser-real sh "$TOP/tests/browser/check_page.sh" "$work/real-site/index.html" 5 "$shots"
exit 0
