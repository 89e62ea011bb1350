#!/bin/sh
# make install into a temporary DESTDIR, then the installed memreport run
# from another directory: it finds its templates and assets in
# PREFIX/share/memreport beside PREFIX/bin (a marker added to the installed
# page template shows up in the page), MEMREPORT_DATA_DIR still overrides,
# and make uninstall removes what install put there.
mr=${MEMREPORT:?MEMREPORT not set}
top=${TOP:?TOP not set}
build=${BUILD:-$(dirname "$mr")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS install: $1"; }
fail() { echo "FAIL install: $1: $2"; }
check() {
    name=$1
    shift
    if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "$*"; fi
}

dest=$tmp/dest
# -o: the binary is up to date (this run's build, sanitized or not); install
# only copies it.
if make -s -C "$top" -o "$build/memreport" install BUILD="$build" PREFIX=/usr DESTDIR="$dest" \
    >"$tmp/make.out" 2>&1; then
    pass "make install PREFIX=/usr DESTDIR=..."
else
    fail "make install PREFIX=/usr DESTDIR=..." "$(cat "$tmp/make.out")"
    exit 0
fi
bin=$dest/usr/bin/memreport
share=$dest/usr/share/memreport
check "binary installed and executable" test -x "$bin"
for f in REPORT.md.tpl experiment.html.tpl single.html.tpl index.html.tpl compare.html.tpl 404.html.tpl; do
    check "template $f installed" cmp "$top/templates/$f" "$share/templates/$f"
done
check "stylesheet installed" cmp "$top/assets/style.css" "$share/assets/style.css"
check "single-page stylesheet installed" cmp "$top/assets/single.css" "$share/assets/single.css"

# A marker only the installed copy of the page template has.
printf '<!-- installed-templates-marker -->\n' >>"$share/templates/experiment.html.tpl"

# Run from a directory outside the source tree, on a copy of the example
# under the same relative name as the golden test's (the command is in the
# report).
mkdir -p "$tmp/elsewhere/data"
exp=$tmp/elsewhere/data/example
cp -r "$top/data/example" "$exp"
rm -rf "$exp/site" "$exp/results.sqlite" "$exp/REPORT.md" "$exp/charts"
if (cd "$tmp/elsewhere" && env -u MEMREPORT_DATA_DIR "$bin" build -q data/example) \
    >"$tmp/out" 2>&1; then
    pass "installed memreport builds from another directory"
else
    fail "installed memreport builds from another directory" "status $?: $(tail -5 "$tmp/out")"
fi
check "REPORT.md written" test -s "$exp/REPORT.md"
check "page made from the installed templates" \
    grep -q 'installed-templates-marker' "$exp/site/index.html"
check "site stylesheet copied from the installed assets" \
    cmp "$share/assets/style.css" "$exp/site/assets/style.css"
# The report is the same as the source tree's (the golden one).
check "REPORT.md matches the committed example" cmp "$top/data/example/REPORT.md" \
    "$exp/REPORT.md"

rm -rf "$exp/site"
if (cd "$tmp/elsewhere" && MEMREPORT_DATA_DIR="$top" "$bin" build -q --force data/example) \
    >"$tmp/out" 2>&1 && ! grep -q 'installed-templates-marker' "$exp/site/index.html"; then
    pass "MEMREPORT_DATA_DIR overrides the installed data directory"
else
    fail "MEMREPORT_DATA_DIR overrides the installed data directory" "$(tail -5 "$tmp/out")"
fi

make -s -C "$top" uninstall PREFIX=/usr DESTDIR="$dest" >/dev/null 2>&1
check "make uninstall removes the binary" test ! -e "$bin"
check "make uninstall removes the data directory" test ! -e "$share"
