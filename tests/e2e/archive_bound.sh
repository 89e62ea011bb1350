#!/bin/sh
# archive_bound.sh - a hostile archive cannot make memreport claim memory
# its file does not hold. The sample matrices are relays x collections
# cells, 16 to 18 bytes each, and a relay or collection row costs a file a
# few bytes: an archive padded to 50,000 relays and thousands of
# collections, with a sample row for each but no samples (a few MB), asks
# for gigabytes. Kept alone, in schemas 6, 5 and 2, it is refused as a
# damaged archive (a message naming the file, exit 1), quickly and with a
# peak resident size far below that table; beside its CSVs it is said to
# be unusable and the CSVs are read instead, as for any damaged archive.
# The archive data/example's CSVs give is read as before.
: "${MEMREPORT:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS archive_bound: $1"; }
fail() { echo "FAIL archive_bound: $1: $2"; }
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP archive_bound: the sqlite3 shell is not installed"; exit 0; }
timer=/usr/bin/time
[ -x "$timer" ] || echo "SKIP archive_bound: no $timer, peak memory and time not measured"

# pad FILE NRELAYS NCOLL: relay and collection rows up to the counts, a
# sample row with NULL columns for every relay (and segment, from schema
# 6) without one, and an experiment row that claims a full table.
pad() {
    if [ "$(sqlite3 "$1" 'PRAGMA user_version')" -ge 6 ]; then
        rows="WITH RECURSIVE s(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM s WHERE j < ($3 + 1023) / 1024 - 1),
              k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < $2 - 1)
              INSERT OR IGNORE INTO sample_columns(relay_id, seg, nsamples) SELECT i, j, 0 FROM s, k;"
    else
        rows="WITH RECURSIVE k(i) AS (SELECT (SELECT max(relay_id) + 1 FROM sample_columns)
                                      UNION ALL SELECT i + 1 FROM k WHERE i < $2 - 1)
              INSERT INTO sample_columns(relay_id, nsamples) SELECT i, 0 FROM k;"
    fi
    sqlite3 "$1" "
        WITH RECURSIVE k(i) AS (SELECT (SELECT max(relay_id) + 1 FROM relays) UNION ALL SELECT i + 1 FROM k WHERE i < $2 - 1)
        INSERT INTO relays SELECT i, 'pad' || i, '', 1, 0 FROM k;
        WITH RECURSIVE k(i) AS (SELECT (SELECT max(c) + 1 FROM collections) UNION ALL SELECT i + 1 FROM k WHERE i < $3 - 1)
        INSERT INTO collections SELECT i, 1900000000 + i * 3600, 'pad' FROM k;
        $rows
        UPDATE experiment SET nrelays = $2, ncollections = $3, nsamples = $2 * $3;"
}

# run CMD DIR: memreport CMD DIR, its stderr in $work/err, its status in
# $rc and (with the timer) its peak resident kB in $peak and its seconds
# in $secs.
run() {
    if [ -x "$timer" ]; then
        "$timer" -f '%M %e' -o "$work/time" "$MEMREPORT" $1 "$2" >/dev/null 2>"$work/err"
        rc=$?
        peak=$(tail -1 "$work/time" | cut -d' ' -f1)
        secs=$(tail -1 "$work/time" | cut -d' ' -f2)
    else
        "$MEMREPORT" $1 "$2" >/dev/null 2>"$work/err"
        rc=$?
    fi
}

# cheap NAME: the last run peaked far below the table (200 MB) and ended
# within 10 s (it takes a fraction of one).
cheap() {
    [ -x "$timer" ] || return 0
    [ "$peak" -lt 200000 ] && pass "$1: peak memory ${peak} kB, under 200 MB" ||
        fail "$1: peak memory under 200 MB" "${peak} kB"
    awk -v s="$secs" 'BEGIN { exit !(s < 10) }' && pass "$1: refused in ${secs} s" ||
        fail "$1: refused quickly" "${secs} s"
}

# like_csv NAME: the last run, a build that read the CSVs, peaked no more
# than 200 MB above the build from the CSVs alone (a sanitizer's build
# takes more than 200 MB for that by itself, and keeps what it freed).
like_csv() {
    [ -x "$timer" ] || return 0
    [ "$peak" -lt $((ref_peak + 200000)) ] &&
        pass "$1: peak memory ${peak} kB, that of a build from the CSVs (${ref_peak} kB)" ||
        fail "$1: peak memory that of a build from the CSVs" "${peak} kB, that build ${ref_peak} kB"
}

# From the CSVs: the reference, the archive they give, and the peak
# memory of that build ($ref_peak kB).
mkdir "$work/csv"
cp -r "$TOP/data/example" "$work/csv/exp"
run "build -q" "$work/csv/exp"
[ $rc -eq 0 ] || { fail "build data/example" "exit $rc: $(head -2 "$work/err")"; exit 0; }
ref_peak=${peak:-0}
"$MEMREPORT" summary "$work/csv/exp" --format csv >"$work/csv.summary" 2>/dev/null

# That archive kept alone still reads: the summary the CSVs give.
mkdir -p "$work/alone/exp"
cp "$work/csv/exp/results.sqlite" "$work/alone/exp/"
"$MEMREPORT" summary "$work/alone/exp" --format csv >"$work/alone.summary" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] && cmp -s "$work/csv.summary" "$work/alone.summary" &&
    pass "data/example's archive alone reads, the summary the CSVs give" ||
    fail "data/example's archive alone reads, the summary the CSVs give" "exit $rc: $(head -2 "$work/err")"

# Padded archives alone: data/example's (schema 6) and the fixtures of
# schemas 5 and 2 (one sample row per relay; zlib in 2). 50,000 relays x
# 2,400 collections is 2.2 GB of matrices (fewer collections where that
# is more than a quarter of the memory), which the sparse-table and
# memory limits let through: only the bound on what the file holds stops
# it.
ncoll=$(awk '/^MemTotal:/ { q = int($2 * 1024 / 4 / 18 / 50000); print (q < 2400 ? q : 2400) }' /proc/meminfo 2>/dev/null)
[ -n "$ncoll" ] || ncoll=2400
for v in 6 5 2; do
    d=$work/pad$v/exp
    mkdir -p "$d"
    if [ $v = 6 ]; then
        cp "$work/csv/exp/results.sqlite" "$d/results.sqlite"
    else
        gzip -dc "$TOP/tests/fixtures/archive/results-v$v.sqlite.gz" >"$d/results.sqlite"
    fi
    pad "$d/results.sqlite" 50000 $ncoll
    [ $v = 6 ] && cmd="build -q" || cmd=summary
    run "$cmd" "$d"
    [ $rc -eq 1 ] && grep -q "^memreport: $d/results.sqlite: damaged archive: rss_kb of relay 0" "$work/err" &&
        pass "schema $v, 50,000 x $ncoll without samples: $cmd refuses it, naming the file" ||
        fail "schema $v, 50,000 x $ncoll without samples: $cmd refuses it, naming the file" \
            "exit $rc: $(head -2 "$work/err")"
    cheap "schema $v, 50,000 x $ncoll without samples"
done
[ -f "$work/pad6/exp/REPORT.md" ] && fail "a refused build writes nothing" "REPORT.md" ||
    pass "a refused build writes nothing"
run check "$work/pad6/exp"
[ $rc -eq 1 ] && grep -q "^memreport: $work/pad6/exp/results.sqlite: damaged archive: rss_kb of relay 0" "$work/err" &&
    pass "check refuses it too" || fail "check refuses it too" "exit $rc: $(head -2 "$work/err")"
cheap "check"

# 50,000 x 50,000 (42 GiB): refused whatever the machine's memory.
d=$work/square/exp
mkdir -p "$d"
gzip -dc "$TOP/tests/fixtures/archive/results-v5.sqlite.gz" >"$d/results.sqlite"
pad "$d/results.sqlite" 50000 50000
run summary "$d"
[ $rc -eq 1 ] && grep -q "^memreport: $d/results.sqlite: damaged archive: " "$work/err" &&
    pass "50,000 x 50,000 without samples is refused, naming the file" ||
    fail "50,000 x 50,000 without samples is refused, naming the file" "exit $rc: $(head -2 "$work/err")"
cheap "50,000 x 50,000 without samples"

# Beside its CSVs (the inputs it lists unchanged, so it would be reused):
# said to be unusable, the CSVs read instead, and replaced by a sound one.
mkdir "$work/beside"
cp -r "$work/csv/exp" "$work/beside/exp"
d=$work/beside/exp
pad "$d/results.sqlite" 50000 $ncoll
run "build -q" "$d"
[ $rc -eq 0 ] &&
    grep -q "^memreport: $d/results.sqlite: warning: cannot be used (.*damaged archive: rss_kb of relay 0); the CSVs were read instead" "$work/err" &&
    pass "beside its CSVs: said to be unusable, the CSVs read instead" ||
    fail "beside its CSVs: said to be unusable, the CSVs read instead" "exit $rc: $(head -2 "$work/err")"
like_csv "beside its CSVs"
cmp -s "$work/csv/exp/REPORT.md" "$d/REPORT.md" && pass "beside its CSVs: REPORT.md is the CSVs'" ||
    fail "beside its CSVs: REPORT.md is the CSVs'" "$(diff "$work/csv/exp/REPORT.md" "$d/REPORT.md" | head -4 | tr '\n' ' ')"
got=$(sqlite3 "$d/results.sqlite" "SELECT nrelays || ' ' || ncollections FROM experiment")
want=$(sqlite3 "$work/csv/exp/results.sqlite" "SELECT nrelays || ' ' || ncollections FROM experiment")
[ "$got" = "$want" ] && pass "beside its CSVs: replaced by the archive the CSVs give" ||
    fail "beside its CSVs: replaced by the archive the CSVs give" "$got, want $want"

# The same archive once memory.csv grew: a rebuild would take the stored
# samples packed and read only the appended rows; it reads the whole file
# instead, and writes what a build from scratch of the grown CSVs writes.
more='2026-11-17T02:00:20,relayhost,relay,7164E319A972F1871874B414D9D66D14D7F95AE9,zedwenkajin,2307712,6507712,2384570,2.82,,,,,'
mkdir "$work/grown" "$work/fresh"
cp -r "$work/csv/exp" "$work/grown/exp"
d=$work/grown/exp
pad "$d/results.sqlite" 50000 $ncoll
echo "$more" >>"$d/memory.csv"
cp -r "$TOP/data/example" "$work/fresh/exp"
echo "$more" >>"$work/fresh/exp/memory.csv"
"$MEMREPORT" build -q "$work/fresh/exp" 2>/dev/null
run "build -q" "$d"
[ $rc -eq 0 ] && cmp -s "$work/fresh/exp/REPORT.md" "$d/REPORT.md" &&
    pass "after an append: the whole CSV read, REPORT.md a build from scratch's" ||
    fail "after an append: the whole CSV read, REPORT.md a build from scratch's" "exit $rc: $(head -2 "$work/err")"
grep -q 'results.sqlite: warning: cannot be used (damaged archive: .*); the CSVs were read instead' "$work/err" &&
    pass "after an append: said to be unusable, as without the append" ||
    fail "after an append: said to be unusable" "$(head -2 "$work/err")"
like_csv "after an append"
