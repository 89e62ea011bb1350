#!/bin/sh
# append_real.sh - the real 5-way experiment (../shared/data, skipped when
# absent) grown in two appends gives what one build of the whole gives:
# the same REPORT.md byte for byte, the same summary and every archive
# table row for row. Its data lies in every way a fleet's does (members
# that move between groups, historical member files, relays counted in two
# groups, relays that share a name or stop), so membership, restarts and
# the findings are carried across the appends here, not only the samples.
# env: MEMREPORT, BUILD (for the sqlite extension that decodes the samples
# view)
mr=${MEMREPORT:?MEMREPORT not set}
ext=${BUILD:?BUILD not set}/memreport_samples
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
real=$top/../shared/data/5way-allocator-comparison
if [ ! -f "$real/memory.csv" ]; then
    echo "SKIP append_real: $real not found"
    exit 0
fi
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP append_real: no sqlite3 shell"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS append_real: $1"; }
fail() { echo "FAIL append_real: $1${2:+: $2}"; }

# Both copies are called exp, built from their parent, so the reports name
# them alike.
for d in whole grown; do
    mkdir -p "$tmp/$d" && cp -R "$real" "$tmp/$d/exp" && chmod -R u+w "$tmp/$d/exp"
done
(cd "$tmp/whole" && "$mr" build -q exp 2>/dev/null) || { fail "build of the whole experiment"; exit 0; }

# Cut at 90% and 95% of the collections (every group's window is open by
# then), then append the rest in two steps.
n=$(awk -F, 'NR > 1 { print $1 }' "$real/memory.csv" | sort -u | wc -l)
at() { awk -F, 'NR > 1 { print $1 }' "$real/memory.csv" | sort -u | sed -n "$1p"; }
c1=$(at $((n * 9 / 10)))
c2=$(at $((n * 19 / 20)))
csv=$tmp/grown/exp/memory.csv
awk -F, -v c="$c1" 'NR == 1 || $1 < c' "$real/memory.csv" >"$csv"
(cd "$tmp/grown" && "$mr" build -q exp 2>/dev/null) || fail "build of the first $((n * 9 / 10)) collections"
for step in 1 2; do
    if [ "$step" = 1 ]; then
        awk -F, -v a="$c1" -v b="$c2" 'NR > 1 && $1 >= a && $1 < b' "$real/memory.csv" >>"$csv"
    else
        awk -F, -v b="$c2" 'NR > 1 && $1 >= b' "$real/memory.csv" >>"$csv"
    fi
    (cd "$tmp/grown" && "$mr" build -vv exp 2>"$tmp/err$step" >/dev/null) ||
        fail "rebuild after append $step" "$(grep -v warning "$tmp/err$step" | head -n 2)"
    grep -q 'read only the appended bytes' "$tmp/err$step" && pass "append $step: only the appended bytes read" ||
        fail "append $step: only the appended bytes read" "$(grep -v warning "$tmp/err$step" | head -n 2)"
done
cmp -s "$csv" "$real/memory.csv" || fail "the grown memory.csv is the real one"

cmp -s "$tmp/whole/exp/REPORT.md" "$tmp/grown/exp/REPORT.md" && pass "REPORT.md equals the whole build's" ||
    fail "REPORT.md equals the whole build's" "$(diff "$tmp/whole/exp/REPORT.md" "$tmp/grown/exp/REPORT.md" | head -n 4)"
bad=
for f in site/index.html charts/memory_timeseries.svg charts/memory_distribution.svg \
    charts/memory_trajectories.svg charts/memory_total.svg site/data/results.csv; do
    cmp -s "$tmp/whole/exp/$f" "$tmp/grown/exp/$f" || bad="$bad $f"
done
[ -z "$bad" ] && pass "the page, the SVG charts and results.csv equal the whole build's" ||
    fail "the page and charts equal the whole build's" "differ:$bad"
(cd "$tmp/whole" && "$mr" summary --format json exp) >"$tmp/whole.json" 2>/dev/null
(cd "$tmp/grown" && "$mr" summary --format json exp) >"$tmp/grown.json" 2>/dev/null
[ -s "$tmp/whole.json" ] && cmp -s "$tmp/whole.json" "$tmp/grown.json" && pass "summary equals the whole build's" ||
    fail "summary equals the whole build's" "$(diff "$tmp/whole.json" "$tmp/grown.json" | head -n 4)"
sq() { sqlite3 -batch -bail -cmd ".load $ext" "$@"; }
bad= ntab=0
for t in $(sq "$tmp/whole/exp/results.sqlite" "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name"); do
    ntab=$((ntab + 1))
    a=$(sq "$tmp/whole/exp/results.sqlite" "SELECT * FROM \"$t\"" 2>&1 | cksum)
    b=$(sq "$tmp/grown/exp/results.sqlite" "SELECT * FROM \"$t\"" 2>&1 | cksum)
    [ "$a" = "$b" ] || bad="$bad $t"
done
rows=$(sq "$tmp/grown/exp/results.sqlite" "SELECT count(*) FROM samples" 2>&1)
[ "$rows" -gt 4000 ] 2>/dev/null && pass "the samples view reads $rows samples" ||
    fail "the samples view reads the samples" "$rows"
[ -z "$bad" ] && [ "$ntab" -ge 20 ] && pass "every archive table and view ($ntab) equals the whole build's, row for row" ||
    fail "archive tables equal the whole build's" "differ:$bad ($ntab tables)"
