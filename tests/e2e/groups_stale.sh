#!/bin/sh
# build --groups after a build of every group: the series CSVs of the
# groups no longer shown leave SITE/data at the commit, the kept ones are
# those of a fresh --groups build, files of the reader's own in data/ stay
# (even one named like a series CSV of no group), and a build that fails
# at any point of its commit leaves the earlier downloads as they were.
mr=${MEMREPORT:?MEMREPORT not set}
sim=${MEMSIM:?MEMSIM not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS groups-stale: $1"; }
fail() { echo "FAIL groups-stale: $1: $2"; }
export SOURCE_DATE_EPOCH=1767225600

"$sim" -o "$tmp/x" --relays 12 --days 3 --seed 4 --id four --name "Four groups" \
    --group "A:leak:rate=0.3:alloc=glibc" --group "B:flat:alloc=mimalloc" \
    --group "C:flat:level=2.5:alloc=jemalloc" --group "D:noisy:alloc=tcmalloc" >/dev/null
cp -r "$tmp/x" "$tmp/fresh"
x=$tmp/x data=$tmp/x/site/data
"$mr" build -q "$x" || fail "whole build" "exit $?"
"$mr" build -q --groups C,A "$tmp/fresh" || fail "fresh --groups C,A build" "exit $?"
n=$(ls "$data" | grep -c '^series_[A-D]\.csv$')
[ "$n" = 4 ] && pass "the whole build writes 4 series CSVs" || fail "the whole build writes 4 series CSVs" "$n"
# The reader's own files beside the downloads.
echo "mine" >"$data/my-notes.csv"
echo "mine too" >"$data/series_Z.csv"
mkdir -p "$tmp/old"
cp "$data"/series_*.csv "$x/site/index.html" "$tmp/old/"

# A write that fails before the commit changes nothing.
MEMREPORT_FAIL_AFTER=3 "$mr" build -q --groups C,A "$x" 2>/dev/null
rc=$?
same=1
for f in "$tmp/old"/series_*.csv; do cmp -s "$f" "$data/$(basename "$f")" || same=0; done
[ $rc -ne 0 ] && [ $same = 1 ] && pass "a write failing before the commit keeps them" ||
    fail "a write failing before the commit keeps them" "exit $rc, same=$same"

# A commit that fails at any of its renames (the removals included) keeps
# every earlier download and the page that links them; the first k past
# the last rename is the build going through.
k=1 kept=1
while [ $k -le 80 ]; do
    MEMREPORT_FAIL_RENAME=$k "$mr" build -q --groups C,A "$x" 2>/dev/null
    rc=$?
    [ $rc -eq 3 ] || break
    for f in "$tmp/old"/*; do
        b=$(basename "$f")
        [ "$b" = index.html ] && got=$x/site/index.html || got=$data/$b
        cmp -s "$f" "$got" || { kept=0; echo "  after failing rename $k: $b differs or is gone"; }
    done
    [ $kept = 1 ] || break
    k=$((k + 1))
done
[ $k -gt 2 ] && [ $kept = 1 ] &&
    pass "a commit failing at each of its $((k - 1)) renames keeps the earlier downloads" ||
    fail "a commit failing at each of its $((k - 1)) renames keeps the earlier downloads" "rename $k"
[ $rc -eq 0 ] && pass "--groups C,A rebuilds" || fail "--groups C,A rebuilds" "exit $rc"
for g in B D; do
    [ ! -e "$data/series_$g.csv" ] && pass "series_$g.csv (not shown) is removed" ||
        fail "series_$g.csv (not shown) is removed" "still there"
done
for g in C A; do
    cmp -s "$data/series_$g.csv" "$tmp/fresh/site/data/series_$g.csv" &&
        pass "series_$g.csv is the fresh --groups build's, byte for byte" ||
        fail "series_$g.csv is the fresh --groups build's, byte for byte" "differs"
done
got=$(ls "$data" | tr '\n' ' ')
[ "$got" = "my-notes.csv results.csv series_A.csv series_C.csv series_Z.csv " ] &&
    pass "data/ holds the shown groups' downloads and the reader's files" ||
    fail "data/ holds the shown groups' downloads and the reader's files" "$got"
[ "$(cat "$data/my-notes.csv")" = mine ] && [ "$(cat "$data/series_Z.csv")" = "mine too" ] &&
    pass "the reader's files are untouched" || fail "the reader's files are untouched" "changed"
ls -A "$data" | grep -q '^\.' && fail "no backup or temporary left" "$(ls -A "$data" | tr '\n' ' ')" ||
    pass "no backup or temporary left"
# What the page links is what data/ holds.
links=$(grep -o 'href="data/series_[^"]*"' "$x/site/index.html" | sort | tr '\n' ' ')
[ "$links" = 'href="data/series_A.csv" href="data/series_C.csv" ' ] &&
    pass "the page links the two kept CSVs" || fail "the page links the two kept CSVs" "$links"

# Every group again: all four come back, as the first build wrote them.
"$mr" build -q "$x" || fail "whole rebuild" "exit $?"
same=1
for g in A B C D; do cmp -s "$tmp/old/series_$g.csv" "$data/series_$g.csv" || same=0; done
[ $same = 1 ] && pass "a whole rebuild writes all four again, as before" ||
    fail "a whole rebuild writes all four again, as before" "differ"

# -o SITE elsewhere: the removals follow the site.
"$mr" build -q "$x" -o "$tmp/site2" && "$mr" build -q --groups D "$x" -o "$tmp/site2" &&
    [ -f "$tmp/site2/data/series_D.csv" ] && [ ! -e "$tmp/site2/data/series_A.csv" ] &&
    [ -f "$data/series_A.csv" ] &&
    pass "-o SITE: the stale CSVs leave that site only" ||
    fail "-o SITE: the stale CSVs leave that site only" "$(ls "$tmp/site2/data" | tr '\n' ' ')"
