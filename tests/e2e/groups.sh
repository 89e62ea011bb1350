#!/bin/sh
# build --groups: a memsim experiment with four groups built whole and
# with --groups C,A. The subset's figures are the whole build's, B and D
# are on no table, legend or chart, C comes before A, each group keeps its
# colour, the archive is the same; a subset without the baseline names it
# as not shown; bad lists are bad usage and leave the outputs alone.
mr=${MEMREPORT:?MEMREPORT not set}
sim=${MEMSIM:?MEMSIM not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS groups: $1"; }
fail() { echo "FAIL groups: $1: $2"; }
export SOURCE_DATE_EPOCH=1767225600

"$sim" -o "$tmp/whole" --relays 16 --days 4 --seed 3 --id four --name "Four groups" \
    --group "A:leak:rate=0.3:alloc=glibc" --group "B:flat:alloc=mimalloc" \
    --group "C:flat:level=2.5:alloc=jemalloc" --group "D:noisy:alloc=tcmalloc" >/dev/null
cp -r "$tmp/whole" "$tmp/ca"
cp -r "$tmp/whole" "$tmp/cb"
"$mr" build -q "$tmp/whole" || fail "whole build" "exit $?"
if "$mr" build -q --groups C,A "$tmp/ca"; then pass "--groups C,A builds"; else fail "--groups C,A builds" "exit $?"; fi
w=$tmp/whole ca=$tmp/ca

# The final-metrics rows (bold marks the best shown group, so it is dropped).
row() { grep "^| \**$1\** | " "$2" | sed -n 2p | tr -d '*'; }
for g in C A; do
    [ -n "$(row $g "$w/REPORT.md")" ] && [ "$(row $g "$w/REPORT.md")" = "$(row $g "$ca/REPORT.md")" ] &&
        pass "REPORT.md: $g's figures are the whole build's" ||
        fail "REPORT.md: $g's figures are the whole build's" "$(row $g "$ca/REPORT.md")"
    a=$(grep "^$g," "$w/site/data/results.csv") b=$(grep "^$g," "$ca/site/data/results.csv")
    [ -n "$a" ] && [ "$a" = "$b" ] && pass "results.csv: $g's line is the whole build's" ||
        fail "results.csv: $g's line is the whole build's" "$b"
done
for f in REPORT.md site/index.html site/data/results.csv charts/memory_timeseries.svg \
    charts/memory_distribution.svg charts/memory_trajectories.svg; do
    n=$(grep -c 'Group [BD]\|^| \**[BD]\** |\|g-[BD]\b\|^[BD],' "$ca/$f")
    [ "$n" -eq 0 ] && pass "$f: nothing of B or D" || fail "$f: nothing of B or D" "$n lines"
    grep -q 'Group B' "$w/$f" && pass "$f: the whole build has B" || fail "$f: the whole build has B" "absent"
done
# The experiment page's "Data" tables under the charts hold C and A only.
for g in C A; do
    grep -q "g-$g" "$ca/charts/memory_timeseries.svg" && pass "timeseries: $g drawn" || fail "timeseries: $g drawn" "absent"
done
order=$(grep -o '^| [A-D] | Group [A-D]' "$ca/REPORT.md" | head -2 | cut -c3 | tr -d '\n')
[ "$order" = CA ] && pass "REPORT.md groups table in the order given (C, A)" || fail "groups table order" "$order"
legend=$(grep -o 'class="series g-[A-D]"' "$ca/charts/memory_timeseries.svg" | head -2 | cut -c17 | tr -d '\n')
[ "$legend" = CA ] && pass "timeseries legend in the order given" || fail "timeseries legend order" "$legend"
for g in C A; do
    a=$(grep -o "class=\"series g-$g\" style=\"[^\"]*\"" "$w/charts/memory_timeseries.svg" | head -1)
    b=$(grep -o "class=\"series g-$g\" style=\"[^\"]*\"" "$ca/charts/memory_timeseries.svg" | head -1)
    [ -n "$a" ] && [ "$a" = "$b" ] && pass "$g keeps its colour" || fail "$g keeps its colour" "$a / $b"
done
grep -q '2 of 4 groups shown' "$ca/site/index.html" && pass "page: says 2 of 4 groups are shown" ||
    fail "page: says 2 of 4 groups are shown" "absent"
grep -q "This report shows 2 of the experiment's 4 groups" "$ca/REPORT.md" &&
    pass "REPORT.md: says it shows 2 of 4 groups" || fail "REPORT.md: says it shows 2 of 4 groups" "absent"
grep -q 'memreport build \. --groups C,A' "$ca/REPORT.md" && pass "the regenerate command names --groups" ||
    fail "the regenerate command names --groups" "absent"
grep -q 'not shown' "$ca/REPORT.md" && fail "baseline A shown: no 'not shown'" "found" || pass "baseline A shown: no 'not shown'"
if cmp -s "$w/results.sqlite" "$ca/results.sqlite" &&
    [ "$(sqlite3 "$ca/results.sqlite" 'select count(*) from groups' 2>/dev/null)" = 4 ]; then
    pass "the archive keeps all 4 groups, the same bytes as the whole build's"
else
    fail "the archive keeps all 4 groups" "$(sqlite3 "$ca/results.sqlite" 'select count(*) from groups' 2>&1)"
fi

# Without the baseline (A): ratios still against A, which the page names as not shown.
if "$mr" build -q --groups C,B "$tmp/cb"; then
    b=$(row B "$tmp/cb/REPORT.md") a=$(row B "$w/REPORT.md")
    [ -n "$a" ] && [ "$a" = "$b" ] && pass "without the baseline: B's ratio is the whole build's" ||
        fail "without the baseline: B's ratio is the whole build's" "$b"
    grep -q '| vs baseline A (not shown) (95% CI) |' "$tmp/cb/REPORT.md" &&
        grep -q 'vs baseline A (not shown) (A ÷ group' "$tmp/cb/site/index.html" &&
        grep -q 'ratios are against the baseline A · Group A (leak), which is not shown' "$tmp/cb/REPORT.md" &&
        pass "without the baseline: it is named, not shown" || fail "without the baseline: it is named, not shown" "absent"
    grep -q '^| \**A\** | ' "$tmp/cb/REPORT.md" && fail "without the baseline: no row for A" "found" ||
        pass "without the baseline: no row for A"
else
    fail "--groups C,B builds" "exit $?"
fi

# Bad lists: usage errors, outputs untouched.
cp "$ca/REPORT.md" "$tmp/before.md"
bad() { # name, want-message, value
    "$mr" build -q --groups "$3" "$ca" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 2 ] && grep -qF "memreport: --groups: $2" "$tmp/err" && cmp -s "$tmp/before.md" "$ca/REPORT.md"; then
        pass "$1: bad usage, outputs kept"
    else
        fail "$1: bad usage, outputs kept" "exit $rc: $(head -1 "$tmp/err")"
    fi
}
bad "unknown ID" 'no group "Z" (groups: A, B, C, D)' C,Z
bad "ID given twice" 'group "C" is given twice' C,A,C
bad "empty list" 'no group given' ""
bad "empty ID" 'an empty group ID' C,,A
bad "trailing comma" 'an empty group ID' C,
bad "lower case is another ID" 'no group "c"' c
"$mr" build --help | grep -q -- '--groups IDS' && pass "--help lists --groups" || fail "--help lists --groups" "absent"
grep -q -- '--groups' "${TOP:-.}/README.md" && pass "README documents --groups" || fail "README documents --groups" "absent"
