#!/bin/sh
# build.sh - end-to-end tests of `memreport build` on a small fixture with
# injection attempts in every free-text field: escaping in HTML and
# Markdown, notes.md, byte-identical rebuilds, an injected write failure,
# the hand-edit guard on REPORT.md and a broken template.
# env: MEMREPORT (binary), TOP (repo root).
: "${MEMREPORT:?}" "${TOP:?}"
. "$TOP/tests/browser/fixture.sh"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { # name, then a command that must succeed
    n=$1
    shift
    if "$@" >/dev/null 2>&1; then pass "$n"; else fail "$n" "$*"; fi
}
# A "<tag" with no backslash before it is live HTML in Markdown.
md_live_tag() { grep -Eq "(^|[^\\\\])<$1" "$2"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exp=$work/exp
make_fixture "$exp"
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01 UTC

"$MEMREPORT" build -q "$exp" 2>"$work/err"
rc=$?
if [ "$rc" -eq 0 ]; then pass "build fixture"; else fail "build fixture" "exit $rc: $(cat "$work/err")"; exit 0; fi
html=$exp/site/index.html
md=$exp/REPORT.md
check "REPORT.md written" test -s "$md"
check "site index written" test -s "$html"
check "stylesheet copied" test -s "$exp/site/assets/style.css"
check "favicon copied" test -s "$exp/site/assets/favicon.svg"
for c in memory_timeseries memory_distribution memory_trajectories memory_total; do
    check "chart $c.png" test -s "$exp/charts/$c.png"
    check "chart $c.svg" test -s "$exp/charts/$c.svg"
    check "chart $c inline in page" grep -q "id=\"chart-$c\"" "$html"
done
check "results CSV download" grep -q '^group,name,relays,final_mean_gib' "$exp/site/data/results.csv"
check "series CSV download of A" grep -q '^timestamp,group,n,mean_gib' "$exp/site/data/series_A.csv"
# Independent: A grows 0.5 GiB/day from 1 GiB over 6 days, B stays at 1 GiB.
check "series A last mean 3.5" grep -q '^2026-01-06T02:00:00Z,A,3,3.500000,' "$exp/site/data/series_A.csv"
check "final metrics: B 1.00 GiB, 3.50x less" grep -Eq '^\| \*\*B\*\* \| .* \| 3 \| \*\*1\.00\*\* \| \*\*3\.50× less' "$md"
check "final metrics: A 3.50 GiB baseline" grep -Eq '^\| A \| .* \| 3 \| 3\.50 \| baseline \| \+0\.50 ' "$md"
check "marker line last" sh -c "tail -n 1 '$md' | grep -Eq '^<!-- memreport: sha256=[0-9a-f]{64} -->$'"
check "marker hash = sha256 of the text above" sh -c \
    "[ \"\$(head -n -1 '$md' | sha256sum | cut -c1-64)\" = \"\$(tail -n 1 '$md' | sed 's/.*sha256=//; s/ -->//')\" ]"
check "SOURCE_DATE_EPOCH is the date" grep -Eq 'Built with memreport [^ ]+ on 2026-01-01\.' "$md"
# Run from inside the experiment; no path of the building machine.
check "regenerate command" grep -qx "memreport build \." "$md"
check "no builder path in REPORT.md or the page" sh -c "! grep -q '$work' '$md' '$exp/site/index.html'"

# Escaping: nothing from the data is live HTML, in either output.
if grep -q '<script' "$html"; then fail "html: no <script" "found"; else pass "html: no <script"; fi
if grep -q '<img' "$html"; then fail "html: no <img" "found"; else pass "html: no <img"; fi
if grep -qi 'onerror=alert(1)>' "$html"; then fail "html: no live onerror" "found"; else pass "html: no live onerror"; fi
check "html: group name escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$html"
check "html: event description escaped" grep -q '<td[^>]*>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>' "$html"
check "html: notes text escaped" grep -q 'The notes say &quot;&gt;' "$html"
if grep -q 'evil-block' "$html"; then fail "html: raw HTML in notes dropped" "found"; else pass "html: raw HTML in notes dropped"; fi
check "html: notes table rendered" grep -q '<th>kept</th>' "$html"
check "html: CSP meta" grep -q "http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;" "$html"
if grep -Eqi '(src|href)="(https?:)?//' "$html"; then fail "html: no other origin" "$(grep -Eoi '(src|href)="(https?:)?//[^"]*' "$html" | head -1)"; else pass "html: no other origin"; fi
for t in script img div; do
    if md_live_tag "$t" "$md"; then fail "md: no live <$t" "$(grep -En "(^|[^\\\\])<$t" "$md" | head -1)"; else pass "md: no live <$t"; fi
done
check "md: group name shown escaped" grep -q '\\<script\\>alert(1)\\</script\\>' "$md"
check "md: pipe in text escaped" grep -q 'Names \\| pipes' "$md"
check "md: notes section verbatim" grep -q '^- \[ \] plain verbatim item$' "$md"

# Two runs with one SOURCE_DATE_EPOCH give identical bytes.
cp -r "$exp" "$work/snap1"
"$MEMREPORT" build -q "$exp" 2>"$work/err"
check "rebuild exit 0" test $? -eq 0
if diff -r "$work/snap1" "$exp" >"$work/diff"; then pass "rebuild byte-identical"; else fail "rebuild byte-identical" "$(head -3 "$work/diff")"; fi

# An injected failure midway changes nothing and leaves no temporaries.
SOURCE_DATE_EPOCH=1767312000 MEMREPORT_FAIL_AFTER=9 "$MEMREPORT" build -q "$exp" 2>"$work/err"
rc=$?
check "injected failure exits 3" test "$rc" -eq 3
check "injected failure is reported" grep -q 'cannot write' "$work/err"
if diff -r "$work/snap1" "$exp" >"$work/diff"; then pass "failure leaves outputs unchanged"; else fail "failure leaves outputs unchanged" "$(head -3 "$work/diff")"; fi
left=$(find "$exp" -name '.*.tmp-*' | wc -l)
check "failure leaves no temporaries" test "$left" -eq 0
# The same run without the failure does change REPORT.md (so the check above can fail).
SOURCE_DATE_EPOCH=1767312000 "$MEMREPORT" build -q "$exp" 2>"$work/err"
if cmp -s "$work/snap1/REPORT.md" "$md"; then fail "new date changes REPORT.md" "identical"; else pass "new date changes REPORT.md"; fi
unset SOURCE_DATE_EPOCH
"$MEMREPORT" build -q "$exp" 2>"$work/err"
check "without SOURCE_DATE_EPOCH: last collection's date" grep -q 'from data up to 2026-01-06\.' "$md"

# A hand-edited REPORT.md is refused without --force.
echo "my hand-written conclusion" >>"$md"
cp "$md" "$work/edited"
"$MEMREPORT" build -q "$exp" 2>"$work/err"
rc=$?
check "edited REPORT.md refused (exit 1)" test "$rc" -eq 1
check "refusal names notes.md and --force" grep -q "REPORT.md: edited since memreport wrote it; move your text into notes.md or pass --force" "$work/err"
check "edited REPORT.md kept" cmp -s "$work/edited" "$md"
"$MEMREPORT" build -q --force "$exp" 2>"$work/err"
check "--force rebuilds" test $? -eq 0
if grep -q 'my hand-written conclusion' "$md"; then fail "--force replaces edited text" "still there"; else pass "--force replaces edited text"; fi
sed -i '$d' "$md"   # marker removed
cp "$md" "$work/nomarker"
"$MEMREPORT" build -q "$exp" 2>"$work/err"
check "REPORT.md without marker refused" test $? -eq 1
check "REPORT.md without marker: said it is not memreport's, kept, notes.md or --force" grep -q \
    "REPORT.md: not written by memreport (it has no memreport marker), so it is kept; move its text into notes.md, whose sections are copied into the report, or pass --force to replace it" "$work/err"
if grep -q 'edited since' "$work/err"; then fail "REPORT.md without marker: not called edited" "$(cat "$work/err")"; else pass "REPORT.md without marker: not called edited"; fi
check "REPORT.md without marker kept" cmp -s "$work/nomarker" "$md"

# A broken template stops the build before anything is written.
"$MEMREPORT" build -q --force "$exp" 2>/dev/null
cp -r "$exp" "$work/snap2"
mkdir -p "$work/data/templates"
cp -r "$TOP/assets" "$work/data/"
cp "$TOP/templates/"*.tpl "$work/data/templates/"
printf '{{#BROKEN}} never closed\n' >"$work/data/templates/experiment.html.tpl"
MEMREPORT_DATA_DIR=$work/data "$MEMREPORT" build -q "$exp" 2>"$work/err"
rc=$?
check "broken template exits 3" test "$rc" -eq 3
check "broken template named" grep -q 'experiment.html.tpl: template does not compile' "$work/err"
if diff -r "$work/snap2" "$exp" >/dev/null; then pass "broken template writes nothing"; else fail "broken template writes nothing" "outputs changed"; fi

# A read-only experiment directory (a published data set) is never written,
# even by root, for whom permissions do not stop the writes.
cp -r "$exp" "$work/ro"
rm -rf "$work/ro/REPORT.md" "$work/ro/charts" "$work/ro/site" "$work/ro/results.sqlite"
chmod a-w "$work/ro"
"$MEMREPORT" build -q "$work/ro" -o "$work/ro-site" 2>"$work/err"
rc=$?
chmod u+w "$work/ro"
check "read-only directory exits 3" test "$rc" -eq 3
check "read-only directory named" grep -q 'ro: the experiment directory is read-only' "$work/err"
check "read-only directory left alone" test ! -e "$work/ro/REPORT.md" -a ! -e "$work/ro/charts"
check "read-only directory: no site either" test ! -e "$work/ro-site"

# Usage errors.
"$MEMREPORT" build 2>/dev/null
check "no directory is a usage error" test $? -eq 2
"$MEMREPORT" build --help | grep -q 'usage: memreport build EXPDIR'
check "build --help" test $? -eq 0
exit 0
