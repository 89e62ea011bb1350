#!/bin/sh
# clock_back.sh - a collector whose clock went back a few seconds and wrote
# one collection's rows again (as when local time without a UTC offset is
# set back at the end of daylight saving time): the rows are both out of
# time order and a second row of each relay in one collection. Both
# findings start at the same line, and both are said on stderr and in the
# report's data-quality section, each once, the second naming a clock set
# back as a cause; the build exits 0.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP" SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS clock_back: $1"; }
fail() { echo "FAIL clock_back: $1: $2"; }
x=$work/exp
"$MEMSIM" -o "$x" --relays 6 --days 2 --interval-hours 1 --seed 4 --group A:flat \
    --group B:leak >/dev/null || { fail "memsim" "failed"; exit 0; }
# The relay rows of the first collection at or after the 10th whose
# seconds are 05 or more, written again 5 seconds earlier right after it.
awk -F, -v OFS=, '
    NR == 1 { print; next }
    $3 == "relay" && $1 != last { n++; last = $1 }
    $3 == "relay" && !pick && n >= 10 && substr($1, 18, 2) + 0 >= 5 { pick = $1 }
    pick && $1 != pick && !done { for (i = 1; i <= k; i++) print again[i]; done = 1 }
    { print }
    $1 == pick && $3 == "relay" {
        s = substr($1, 18, 2) - 5
        again[++k] = $0
        sub(/^[^,]*/, substr($1, 1, 17) sprintf("%02d", s), again[k])
    }' "$x/memory.csv" >"$work/m.csv" && mv "$work/m.csv" "$x/memory.csv"
first=$(awk -F, 'NR > 1 && $3 == "relay" { if (prev != "" && $1 < prev) { print NR; exit } prev = $1 }' \
    "$x/memory.csv")
[ -n "$first" ] || { fail "the rows written again" "none found in memory.csv"; exit 0; }

"$MEMREPORT" build "$x" 2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] && pass "build: exit 0" || fail "build" "exit $rc: $(head -c 300 "$work/err")"
dup="memory.csv:$first: warning: memory.csv has 6 duplicate rows (a relay's second row in one collection"
ooo="memory.csv:$first: warning: memory.csv has 1 row out of time order, the first at line $first (a clock set back does this"
[ "$(grep -c -F "$dup" "$work/err")" -eq 1 ] && pass "the duplicates are said once, at line $first" ||
    fail "the duplicates are said once" "$(grep duplicate "$work/err")"
[ "$(grep -c -F "$ooo" "$work/err")" -eq 1 ] && pass "the row out of order is said too, at the same line" ||
    fail "the row out of order is said too" "$(grep -i order "$work/err")"
q=$(sed -n '/^## Data Quality/,/^## /p' "$x/REPORT.md")
echo "$q" | grep -q "6 duplicate rows" && echo "$q" | grep -q "1 row out of time order" &&
    pass "the report's data-quality section has both" ||
    fail "the report's data-quality section has both" "$(echo "$q" | head -5 | tr '\n' ' ')"
exit 0
