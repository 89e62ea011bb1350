#!/bin/sh
# archive_only.sh - an experiment kept as its results.sqlite alone (every
# CSV, group file and the manifest removed after a build) is still an
# experiment: summary, compare, site and build give the same figures as
# from the CSVs, --until recomputes from the archived samples, check
# checks the archive, and an archive with impossible counts or damaged
# pages is refused with a message (exit 1), never an abort.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS archive_only: $1"; }
fail() { echo "FAIL archive_only: $1: $2"; }
same() { # name, file from the CSVs, file from the archive
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(diff "$2" "$3" | head -4 | tr '\n' ' ')"; fi
}

x=$work/exp
o=$work/other
"$MEMSIM" -o "$x" --relays 12 --days 6 --seed 5 \
    --group A:flat:alloc=glibc:version=2.41 --group B:leak:alloc=mimalloc:version=3.0.1 \
    --group C:restart:rate=0.8:every=48h:alloc=jemalloc --reserve 1 >/dev/null &&
"$MEMSIM" -o "$o" --relays 8 --days 4 --seed 9 \
    --group A:flat:alloc=glibc:version=2.36 --group B:flat:level=0.9:alloc=jemalloc >/dev/null ||
    { fail "memsim" "could not make the experiments"; exit 0; }

# From the CSVs.
"$MEMREPORT" build -q "$x" 2>/dev/null || { fail "build from the CSVs" "exit $?"; exit 0; }
for f in csv json text; do
    "$MEMREPORT" summary "$x" --format $f >"$work/csv.summary.$f" 2>/dev/null
done
"$MEMREPORT" summary "$x" --format csv --until "$(awk -F, 'NR == 2 { print substr($1, 1, 10) }' "$x/memory.csv")" \
    >"$work/csv.until" 2>/dev/null
"$MEMREPORT" compare "$x" "$o" --format csv >"$work/csv.compare" 2>/dev/null
cp "$x/REPORT.md" "$work/csv.REPORT.md"
cp "$x/charts/memory_timeseries.png" "$work/csv.ts.png"
mkdir "$work/root1" && cp -r "$x" "$work/root1/exp"
"$MEMREPORT" site -q "$work/root1" -o "$work/site1" 2>/dev/null
until_day=$(awk -F, 'NR == 2 { print substr($1, 1, 10) }' "$x/memory.csv")

# Keep the archive (and the report it made), drop everything else.
find "$x" -mindepth 1 -maxdepth 1 ! -name results.sqlite ! -name REPORT.md ! -name charts -exec rm -rf {} +
arch_sum=$(sha256sum "$x/results.sqlite" | cut -d' ' -f1)
[ "$(ls "$x" | tr '\n' ' ')" = "REPORT.md charts results.sqlite " ] && pass "only the archive is left" ||
    fail "only the archive is left" "$(ls "$x" | tr '\n' ' ')"

for f in csv json text; do
    "$MEMREPORT" summary "$x" --format $f >"$work/arch.summary.$f" 2>"$work/err"
    rc=$?
    [ $rc -eq 0 ] || fail "summary --format $f from the archive" "exit $rc: $(head -2 "$work/err")"
    same "summary --format $f from the archive" "$work/csv.summary.$f" "$work/arch.summary.$f"
done
"$MEMREPORT" summary "$x" --format csv --until "$until_day" >"$work/arch.until" 2>/dev/null
same "summary --until recomputed from the archived samples" "$work/csv.until" "$work/arch.until"
cmp -s "$work/csv.until" "$work/csv.summary.csv" && fail "--until changes the figures" "same as without" ||
    pass "--until changes the figures"

"$MEMREPORT" compare "$x" "$o" --format csv >"$work/arch.compare" 2>/dev/null
same "compare from the archive" "$work/csv.compare" "$work/arch.compare"

"$MEMREPORT" check "$x" >"$work/check.out" 2>"$work/check.err"
rc=$?
version=$(sqlite3 "$x/results.sqlite" "PRAGMA user_version")
[ $rc -eq 0 ] && grep -q "archive only.*schema version $version, integrity ok, counts match the stored rows" "$work/check.out" &&
    pass "check says archive only and checks it" || fail "check says archive only and checks it" "exit $rc: $(cat "$work/check.out")"

"$MEMREPORT" build "$x" >/dev/null 2>"$work/build.err"
rc=$?
[ $rc -eq 0 ] && grep -q "regenerated from results.sqlite" "$work/build.err" &&
    pass "build regenerates from the archive and says so" || fail "build regenerates from the archive and says so" "exit $rc: $(head -3 "$work/build.err")"
same "REPORT.md from the archive" "$work/csv.REPORT.md" "$x/REPORT.md"
same "time-series chart from the archive" "$work/csv.ts.png" "$x/charts/memory_timeseries.png"
[ "$(sha256sum "$x/results.sqlite" | cut -d' ' -f1)" = "$arch_sum" ] && pass "build leaves the archive as it was" ||
    fail "build leaves the archive as it was" "results.sqlite changed"

mkdir "$work/root2" && cp -r "$x" "$work/root2/exp"
"$MEMREPORT" site -q "$work/root2" -o "$work/site2" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] && [ -f "$work/site2/index.html" ] || fail "site over an archived experiment" "exit $rc: $(head -2 "$work/err")"
row() { grep -o '<tr><th scope="row"><a href="[^"]*">.*</tr>' "$1" | sed 's/<td class="spark-cell[^>]*>.*//'; }
[ -n "$(row "$work/site2/index.html")" ] && pass "site lists the archived experiment" ||
    fail "site lists the archived experiment" "no row"
row "$work/site1/index.html" >"$work/row1"
row "$work/site2/index.html" >"$work/row2"
same "its index row is the same as from the CSVs" "$work/row1" "$work/row2"
[ -f "$work/site2/compare.html" ] && pass "site writes compare.html" || fail "site writes compare.html" "missing"

# Impossible counts: refused with a message, never an allocation.
cp -r "$x" "$work/bad"
sqlite3 "$work/bad/results.sqlite" "UPDATE experiment SET nrelays = 16000000, ncollections = 60000000" 2>/dev/null ||
    { echo "SKIP archive_only: the sqlite3 shell is not installed"; exit 0; }
"$MEMREPORT" summary "$work/bad" >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "results.sqlite: damaged archive: the experiment row says 16000000 relays" "$work/err" &&
    pass "impossible counts are refused" || fail "impossible counts are refused" "exit $rc: $(head -2 "$work/err")"
"$MEMREPORT" check "$work/bad" >"$work/check.out" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "not readable" "$work/check.out" && pass "check refuses impossible counts" ||
    fail "check refuses impossible counts" "exit $rc: $(cat "$work/check.out")"
# Counts the tables agree with, and a claim of a full table, but the
# sample rows of the few relays the file really holds: 6,000 x 6,000
# (36 M cells, 0.6 GiB) is not allocated for them. Under an address-space
# limit far below that table (where a sanitizer build allows) the refusal
# is still a damaged archive, not out of memory.
cp "$x/results.sqlite" "$work/bad/results.sqlite"
sqlite3 "$work/bad/results.sqlite" "
    WITH RECURSIVE k(i) AS (SELECT (SELECT max(relay_id) + 1 FROM relays) UNION ALL SELECT i + 1 FROM k WHERE i < 5999)
    INSERT INTO relays SELECT i, 'pad' || i, '', 1, 0 FROM k;
    WITH RECURSIVE k(i) AS (SELECT (SELECT max(c) + 1 FROM collections) UNION ALL SELECT i + 1 FROM k WHERE i < 5999)
    INSERT INTO collections SELECT i, 1900000000 + i * 3600, 'pad' FROM k;
    UPDATE experiment SET nrelays = 6000, ncollections = 6000, nsamples = 36000000;"
if sanitizer_build "$MEMREPORT"; then
    "$MEMREPORT" summary "$work/bad" >/dev/null 2>"$work/err"
else
    (ulimit -v 200000 && "$MEMREPORT" summary "$work/bad") >/dev/null 2>"$work/err"
fi
rc=$?
[ $rc -eq 1 ] && grep -q "results.sqlite: damaged archive: [0-9]* sample rows for 6000 relays" "$work/err" &&
    pass "a full table claimed for a few relays' rows is refused before it is allocated" ||
    fail "a full table claimed for a few relays' rows is refused before it is allocated" "exit $rc: $(head -2 "$work/err")"
cp "$x/results.sqlite" "$work/bad/results.sqlite"
sqlite3 "$work/bad/results.sqlite" "DELETE FROM sample_columns WHERE relay_id = 2"
"$MEMREPORT" build -q "$work/bad" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "damaged archive: no sample segment 0 for relay 2" "$work/err" &&
    pass "missing sample rows are refused" || fail "missing sample rows are refused" "exit $rc: $(head -2 "$work/err")"
cp "$x/results.sqlite" "$work/bad/results.sqlite"
last=$(sqlite3 "$work/bad/results.sqlite" "SELECT max(relay_id) FROM sample_columns")
sqlite3 "$work/bad/results.sqlite" "UPDATE sample_columns SET seg = 7 WHERE relay_id = $last"
"$MEMREPORT" build -q "$work/bad" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "damaged archive: sample segment 7 of relay $last out of range" "$work/err" &&
    pass "a sample segment beyond the collections is refused" ||
    fail "a sample segment beyond the collections is refused" "exit $rc: $(head -2 "$work/err")"

# Damaged pages: sqlite's integrity check says so.
cp "$x/results.sqlite" "$work/bad/results.sqlite"
size=$(wc -c <"$work/bad/results.sqlite")
# The header of a page in the middle: damage there is seen whatever the
# page holds (garbage in a page's free space would not be).
psize=$(sqlite3 "$work/bad/results.sqlite" "PRAGMA page_size")
printf '\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377' |
    dd of="$work/bad/results.sqlite" bs=1 seek=$((size / psize / 2 * psize)) conv=notrunc 2>/dev/null
"$MEMREPORT" check "$work/bad" >"$work/check.out" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && pass "check refuses a damaged archive" || fail "check refuses a damaged archive" "exit $rc: $(cat "$work/check.out")"

# A schema newer than this program, with its CSVs gone: every command
# says which version it is, exit 1, no crash. (Older schemas are read:
# tests/e2e/archive_old.sh.) A current file labelled with an older schema
# is not misread as one: its Zstandard columns are not that schema's.
cp "$x/results.sqlite" "$work/bad/results.sqlite"
sqlite3 "$work/bad/results.sqlite" "PRAGMA user_version = $((version + 1))"
for cmd in build summary check; do
    "$MEMREPORT" $cmd "$work/bad" >"$work/out" 2>"$work/err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "archive schema version $((version + 1)), newer than this memreport reads (version $version)" "$work/err" &&
        pass "$cmd: a newer archive alone is refused with its version" ||
        fail "$cmd: a newer archive alone is refused with its version" "exit $rc: $(head -2 "$work/err")"
done
sqlite3 "$work/bad/results.sqlite" "PRAGMA user_version = 3"
"$MEMREPORT" summary "$work/bad" >"$work/out" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "results.sqlite: damaged archive: rss_kb of relay 0" "$work/err" &&
    pass "a current archive labelled schema 3 is refused, not misread" ||
    fail "a current archive labelled schema 3 is refused, not misread" "exit $rc: $(head -2 "$work/err")"
