#!/bin/sh
# compare_real.sh - `compare --format md` over the bundled example, a copy
# of the real 5-way experiment and a simulated experiment whose groups
# differ by config keys: every group is ranked against its own
# experiment's control, and the 5-way figures follow from EXPECTED.md's
# final means (B: 1.406 GiB against the glibc control E's 4.149 GiB is
# 66.1% less). Skips when the shared data folder is absent.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
data="$TOP/../shared/data/5way-allocator-comparison"
if [ ! -d "$data" ]; then
    echo "SKIP compare_real: $data is absent"
    exit 0
fi
export MEMREPORT_DATA_DIR="$TOP"
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
pass() { echo "PASS compare_real: $1"; }
fail() { echo "FAIL compare_real: $1: $2"; }

cp -r "$data" "$work/5way"
chmod -R u+w "$work/5way"
cp -r "$TOP/data/example" "$work/example"
rm -f "$work/example/results.sqlite"
"$MEMSIM" -o "$work/tunables" --relays 30 --days 7 --seed 21 --id tor-tunables --name "Tor tunables (simulated)" \
    --control A \
    --group "A:leak:rate=0.25:level=3:alloc=glibc:version=2.41:name=defaults:config.DirCache=1:config.MaxMemInQueues=default" \
    --group "B:flat:level=2:alloc=glibc:version=2.41:name=no DirCache:config.DirCache=0:config.MaxMemInQueues=default" \
    --group "C:flat:level=2.4:alloc=glibc:version=2.41:name=MaxMemInQueues 2 GB:config.DirCache=1:config.MaxMemInQueues=2 GB" \
    >/dev/null || { fail "memsim" "could not make the experiment"; exit 0; }

"$MEMREPORT" compare "$work/example" "$work/5way" "$work/tunables" --format md >"$work/cmp.md" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] && pass "compare --format md exits 0" || { fail "compare --format md" "exit $rc: $(grep -v warning "$work/err" | head -2)"; exit 0; }
rows=$(grep -c '^| [0-9–]' "$work/cmp.md")
[ "$rows" -eq 13 ] && pass "a row for each of the 13 groups" || fail "a row for each group" "$rows"
ranked=$(grep -c '^| [0-9]' "$work/cmp.md")
[ "$ranked" -eq 10 ] && pass "10 groups ranked, 3 controls" || fail "10 groups ranked" "$ranked"

# Each group against its own experiment's control.
bad=$(awk -F' [|] ' '/^[|] [0-9]/ {
        ex = $2; ctl = substr($7, 1, 1)
        if (ex ~ /5-Way/ && ctl != "E") print "5-way " $3 " vs " ctl
        if (ex ~ /example/ && ctl != "A") print "example " $3 " vs " ctl
        if (ex ~ /tunables/ && ctl != "A") print "tunables " $3 " vs " ctl }' "$work/cmp.md")
[ -z "$bad" ] && pass "every group against its own control" || fail "every group against its own control" "$bad"
grep -q '^| – | 5-Way Memory Allocator Comparison | E · glibc 2.41 (control) | (the control) | 20 | 4.15 |' "$work/cmp.md" &&
    pass "5-way control: E at 4.15 GiB" || fail "5-way control" "$(grep '(the control)' "$work/cmp.md" | head -3)"
grep -q '^| – | Tor tunables (simulated) | A · defaults | (the control) |.*| the manifest.s control |$' "$work/cmp.md" &&
    pass "tunables control: A, by the manifest" || fail "tunables control" "$(grep 'Tor tunables' "$work/cmp.md" | grep control)"

# 5-way figures from EXPECTED.md's final means.
for g in "B 1.406 mimalloc 2.0.9" "C 1.826 mimalloc 2.1.7" "D 2.743 jemalloc 5.3.0" "A 10.437 mimalloc 3.0.1"; do
    set -- $g
    want=$(awk -v m="$2" 'BEGIN { p = 100 * (1 - m / 4.149); if (p < 0) printf "%.1f%% more", -p; else printf "%.1f%% less", p }')
    line=$(grep "^| [0-9]* | 5-Way Memory Allocator Comparison | $1 " "$work/cmp.md")
    echo "$line" | grep -q "| $3 $4 | 20 | .* | E (4.15 GiB) | $want (" && pass "5-way $1: $want than E, differs by $3 $4" ||
        fail "5-way $1" "want $want: $line"
done
grep -q '| DirCache=0 |' "$work/cmp.md" && grep -q '| MaxMemInQueues=2 GB |' "$work/cmp.md" &&
    pass "tunables: the config key each group changes" || fail "tunables: config keys" "$(grep 'Tor tunables' "$work/cmp.md")"
