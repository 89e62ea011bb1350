#!/bin/sh
# compare_configs.sh - memreport compare ranks every group against its own
# experiment's control, across experiments: a simulated experiment whose
# groups differ by config keys (not the allocator) with a manifest
# control, and one whose groups differ by allocator (control: the glibc
# group). Figures are checked against memsim's truth (the exact final
# means it wrote), the ranking order, what each group differs by, the md
# table, the JSON, and the same output once the first experiment is kept
# as its archive alone.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS compare_configs: $1"; }
fail() { echo "FAIL compare_configs: $1: $2"; }

t=$work/tunables
a=$work/allocators
"$MEMSIM" -o "$t" --relays 18 --days 5 --seed 21 --id tunables --name "Tunables" --control A --truth "$work/t.truth" \
    --group "A:leak:rate=0.25:level=3:alloc=glibc:version=2.41:name=defaults:config.DirCache=1:config.MaxMemInQueues=default" \
    --group "B:flat:level=2:alloc=glibc:version=2.41:name=no DirCache:config.DirCache=0:config.MaxMemInQueues=default" \
    --group "C:flat:level=2.4:alloc=glibc:version=2.41:name=small queues:config.DirCache=1:config.MaxMemInQueues=2 GB" &&
"$MEMSIM" -o "$a" --relays 12 --days 4 --seed 22 --id allocators --name "Allocators" --truth "$work/a.truth" \
    --group "M:flat:level=1.2:alloc=mimalloc:version=2.0.9" --group "G:flat:level=3:alloc=glibc:version=2.36" ||
    { fail "memsim" "could not make the experiments"; exit 0; }

"$MEMREPORT" compare "$t" "$a" --format csv >"$work/cmp.csv" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] && pass "compare exits 0" || { fail "compare exits 0" "exit $rc: $(head -2 "$work/err")"; exit 0; }
n=$(awk 'END { print NR - 1 }' "$work/cmp.csv")
[ "$n" -eq 5 ] && pass "one row per group (5)" || fail "one row per group" "$n"

# field ID COLUMN: a column of group ID's row in experiment EXP.
field() { awk -F, -v e="$1" -v g="$2" -v c="$3" '$3 == e && $4 == g { print $c }' "$work/cmp.csv"; }
truth() { awk -F, -v g="$2" '$1 == g { print $7 }' "$1"; }
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

for g in B C; do
    want=$(awk -v g="$(truth "$work/t.truth" $g)" -v c="$(truth "$work/t.truth" A)" 'BEGIN { printf "%.2f", 100 * (1 - g / c) }')
    got=$(field tunables $g 15)
    near "$got" "$want" 0.02 && pass "tunables $g: % less than A is the truth's ($want)" ||
        fail "tunables $g: % less than A" "$got, truth $want"
    [ "$(field tunables $g 11)" = A ] && [ "$(field tunables $g 12)" = "the manifest's control" ] &&
        pass "tunables $g: against the manifest's control A" || fail "tunables $g: control" "$(field tunables $g 11)/$(field tunables $g 12)"
    lo=$(field tunables $g 16)
    hi=$(field tunables $g 17)
    awk -v l="$lo" -v v="$got" -v h="$hi" 'BEGIN { exit !(l != "" && h != "" && l <= v && v <= h) }' &&
        pass "tunables $g: a 95% interval around it" || fail "tunables $g: interval" "$lo..$hi around $got"
done
[ "$(field tunables B 8)" = "DirCache=0" ] && pass "B differs by DirCache=0" || fail "B differs by" "$(field tunables B 8)"
[ "$(field tunables C 8)" = "MaxMemInQueues=2 GB" ] && pass "C differs by MaxMemInQueues=2 GB" || fail "C differs by" "$(field tunables C 8)"
want=$(awk -v g="$(truth "$work/a.truth" M)" -v c="$(truth "$work/a.truth" G)" 'BEGIN { printf "%.2f", 100 * (1 - g / c) }')
got=$(field allocators M 15)
near "$got" "$want" 0.02 && [ "$(field allocators M 11)" = G ] && [ "$(field allocators M 8)" = "mimalloc 2.0.9" ] &&
    pass "allocators M: against its own glibc control G ($want%)" || fail "allocators M" "$got vs G, want $want; $(field allocators M 8)"
[ -z "$(field tunables A 1)" ] && [ -z "$(field allocators G 1)" ] && pass "controls are not ranked" ||
    fail "controls are not ranked" "$(field tunables A 1) $(field allocators G 1)"
# Ranks 1..3 in order of % less, across both experiments.
awk -F, 'NR > 1 && $1 != "" { if ($1 != ++k || (k > 1 && $15 > prev)) bad = 1; prev = $15 } END { exit bad || k != 3 }' "$work/cmp.csv" &&
    pass "ranked by % less across experiments" || fail "ranked by % less" "$(cut -d, -f1,3,4,15 "$work/cmp.csv" | tr '\n' ' ')"

"$MEMREPORT" compare "$t" "$a" --format md >"$work/cmp.md" 2>/dev/null
head -1 "$work/cmp.md" | grep -q '^| Rank | Experiment | Group | Differs from control by |' && pass "md: table header" ||
    fail "md: table header" "$(head -1 "$work/cmp.md")"
[ "$(grep -c '^| [0-9–]' "$work/cmp.md")" -eq 5 ] && pass "md: a row per group" || fail "md: a row per group" "$(grep -c '^| [0-9–]' "$work/cmp.md")"
grep -q '^| [0-9] | Tunables | B · no DirCache | DirCache=0 |' "$work/cmp.md" && pass "md: B's row" || fail "md: B's row" "$(grep 'DirCache' "$work/cmp.md" | head -1)"
grep -q "control mean ÷ group\|group mean ÷ control mean" "$work/cmp.md" && pass "md: says its convention" || fail "md: says its convention" "no legend"

"$MEMREPORT" compare "$t" "$a" --format json >"$work/cmp.json" 2>/dev/null
if command -v sqlite3 >/dev/null 2>&1; then
    v=$(sqlite3 :memory: "SELECT json_valid(readfile('$work/cmp.json')), json_array_length(readfile('$work/cmp.json'), '\$.ranking'), json_extract(readfile('$work/cmp.json'), '\$.ranking[0].rank')")
    [ "$v" = "1|5|1" ] && pass "json: valid, five ranked rows" || fail "json: valid, five ranked rows" "$v"
fi
"$MEMREPORT" compare "$t" "$a" >"$work/cmp.txt" 2>/dev/null
grep -q 'ranked by % less memory' "$work/cmp.txt" && grep -q '^glibc$' "$work/cmp.txt" &&
    pass "text: the ranking, then the shared allocators" || fail "text" "$(head -5 "$work/cmp.txt")"

"$MEMREPORT" compare "$t" "$a" --format xml >/dev/null 2>&1
[ $? -eq 2 ] && pass "unknown format: exit 2" || fail "unknown format: exit 2" "not 2"

# Kept as its archive alone, the experiment compares the same (its control included).
"$MEMREPORT" build -q "$t" 2>/dev/null
find "$t" -mindepth 1 -maxdepth 1 ! -name results.sqlite -exec rm -rf {} +
"$MEMREPORT" compare "$t" "$a" --format csv >"$work/cmp2.csv" 2>/dev/null
cmp -s "$work/cmp.csv" "$work/cmp2.csv" && pass "same ranking from the archive alone" ||
    fail "same ranking from the archive alone" "$(diff "$work/cmp.csv" "$work/cmp2.csv" | head -3 | tr '\n' ' ')"
