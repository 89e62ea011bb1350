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
#
# The tables kept per group and relay (member marks, member windows, final
# snapshots, steady slopes) are likewise bounded: 20,000 relays that each
# hold a real relay's samples (2 MB) and 5,000 group rows, each with a
# member window (16 bytes a relay), would ask for 1.6 GB; 5,000 manifest
# groups, resolved again when the options differ, as much. Both are
# refused as damaged archives, before any such table is made, in a
# fraction of the memory; beside its CSVs, as any damaged archive. The
# archives of memsim fleets of 1,000 relays in 50 groups and of 20,000 in
# 60 still read.
: "${MEMREPORT:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
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

# Groups x relays. Needs memsim for the experiments.
[ -n "${MEMSIM:-}" ] && [ -x "$MEMSIM" ] || { echo "SKIP archive_bound: groups x relays: MEMSIM not set"; exit 0; }

# pad_relays FILE NRELAYS: relays up to NRELAYS, each given relay 0's
# sample rows, so the samples are whole and read back.
pad_relays() {
    sqlite3 "$1" "
        WITH RECURSIVE k(i) AS (SELECT (SELECT max(relay_id) + 1 FROM relays) UNION ALL SELECT i + 1 FROM k WHERE i < $2 - 1)
        INSERT INTO relays SELECT i, 'pad' || i, '', 1, 0 FROM k;
        INSERT INTO sample_columns SELECT r.relay_id, s.seg, s.nsamples, s.rss_kb, s.vmsize_kb, s.hwm_kb, s.frag_ratio, s.csv_group
            FROM relays r, sample_columns s WHERE s.relay_id = 0 AND r.nickname LIKE 'pad%';
        UPDATE experiment SET nrelays = $2, nsamples = (SELECT sum(nsamples) FROM sample_columns);"
}

# pad_groups FILE NGROUPS: group rows up to NGROUPS, copies of group 0
# with member and exclude lists and a member window each.
pad_groups() {
    sqlite3 "$1" "
        WITH RECURSIVE k(i) AS (SELECT (SELECT max(idx) + 1 FROM groups) UNION ALL SELECT i + 1 FROM k WHERE i < $2 - 1)
        INSERT INTO groups SELECT k.i, 'pad' || k.i, name, color, NULL, source, source_path, start_t, end_t,
            1, 1, csv_group, 0, allocator, version, 0 FROM k, groups WHERE idx = 0;
        INSERT INTO member_windows SELECT idx, 0, 0, NULL FROM groups WHERE id LIKE 'pad%';"
}

# pad_manifest FILE NGROUPS: manifest groups up to NGROUPS, copies of the
# first (its member file), which membership resolves again when the
# options differ from the archive's.
pad_manifest() {
    sqlite3 "$1" "
        WITH RECURSIVE k(i) AS (SELECT (SELECT max(idx) + 1 FROM manifest_groups) UNION ALL SELECT i + 1 FROM k WHERE i < $2 - 1)
        INSERT INTO manifest_groups SELECT k.i, 'pad' || k.i, name, color, description, added, config_json,
            allocator, version, source, has_members, members_file, start_t, end_t, line FROM k, manifest_groups WHERE idx = 0;"
}

# limited CMD DIR [ARGS]: run under an address-space limit far below what
# the padded archives ask for (where a sanitizer build allows), so a
# reader that tried to allocate the tables fails instead of taking 1.6 GB.
limited() {
    if sanitizer_build "$MEMREPORT"; then
        run "$@"
    else
        (ulimit -v 600000 && run "$@"; echo "$rc ${peak:-} ${secs:-}" >"$work/limited")
        read -r rc peak secs <"$work/limited"
    fi
}

# A fleet of 1,000 relays in 50 groups: its archive alone gives the
# summary its CSVs give, with the archive's options and with others (the
# statistics computed again over the archived samples).
gs=""
for i in $(seq 1 50); do gs="$gs --group G$i:flat"; done
mkdir -p "$work/fleet" "$work/small"
"$MEMSIM" -o "$work/fleet/exp" --relays 1000 --collections 4 --manual 0 $gs >/dev/null
"$MEMREPORT" build -q "$work/fleet/exp" 2>"$work/err" || { fail "build the fleet" "$(head -2 "$work/err")"; exit 0; }
mkdir -p "$work/fleet_alone/exp"
cp "$work/fleet/exp/results.sqlite" "$work/fleet_alone/exp/"
for opt in "" "--baseline G7"; do
    "$MEMREPORT" summary "$work/fleet/exp" --format csv $opt >"$work/fleet.summary" 2>/dev/null
    run "summary --format csv $opt" "$work/fleet_alone/exp"
    n=$(tail -n +2 "$work/fleet.summary" | wc -l)
    [ $rc -eq 0 ] && [ "$n" -eq 50 ] && "$MEMREPORT" summary "$work/fleet_alone/exp" --format csv $opt 2>/dev/null | cmp -s - "$work/fleet.summary" &&
        pass "1,000 relays x 50 groups, archive alone${opt:+, $opt}: the summary its CSVs give" ||
        fail "1,000 relays x 50 groups, archive alone${opt:+, $opt}: the summary its CSVs give" "exit $rc, $n groups: $(head -2 "$work/err")"
done

# 20,000 relays in 200 groups over 2 collections: 4 M cells, more than
# any archive may have freely and more than its bytes of samples, but
# fewer than 8 a byte (every relay's columns take at least 65 bytes).
mkdir -p "$work/fleet2/exp" "$work/fleet2_alone/exp"
awk 'BEGIN {
    print "timestamp,type,fingerprint,nickname,group,rss_kb,vmsize_kb,hwm_kb,frag_ratio"
    for (c = 0; c < 2; c++)
        for (r = 0; r < 20000; r++)
            printf "2026-01-01T0%d:00:00,relay,%040X,r%d,G%d,%d,%d,%d,1.5\n", c, r, r, r % 200,
                1000000 + 37 * r + c * 5000, 2000000 + r, 1000000 + 37 * r + c * 5000
}' >"$work/fleet2/exp/memory.csv"
"$MEMREPORT" build -q "$work/fleet2/exp" 2>"$work/err" || { fail "build the fleet of 20,000" "$(head -2 "$work/err")"; exit 0; }
cp "$work/fleet2/exp/results.sqlite" "$work/fleet2_alone/exp/"
"$MEMREPORT" summary "$work/fleet2/exp" --format csv >"$work/fleet2.summary" 2>/dev/null
"$MEMREPORT" summary "$work/fleet2_alone/exp" --format csv >"$work/fleet2_alone.summary" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] && cmp -s "$work/fleet2.summary" "$work/fleet2_alone.summary" &&
    pass "20,000 relays x 200 groups, archive alone: the summary its CSVs give" ||
    fail "20,000 relays x 200 groups, archive alone: the summary its CSVs give" "exit $rc: $(head -2 "$work/err")"

# A small experiment whose archive is padded: 20,000 relays with samples,
# then 5,000 groups or 5,000 manifest groups.
"$MEMSIM" -o "$work/small/exp" --relays 10 --collections 2 --manual 0 >/dev/null
"$MEMREPORT" build -q "$work/small/exp" 2>"$work/err" || { fail "build the small experiment" "$(head -2 "$work/err")"; exit 0; }
outputs() { (cd "$1" && find REPORT.md charts site -type f | sort | xargs cat | cksum); }
want="damaged archive: 5000 groups: a report compares at most 256 groups"
d=$work/groups/exp
mkdir -p "$d"
cp -r "$work/small/exp/REPORT.md" "$work/small/exp/charts" "$work/small/exp/site" "$work/small/exp/results.sqlite" "$d/"
pad_relays "$d/results.sqlite" 20000
pad_groups "$d/results.sqlite" 5000
before=$(outputs "$d")
for cmd in summary check "build -q"; do
    limited "$cmd" "$d"
    [ $rc -eq 1 ] && grep -q "^memreport: $d/results.sqlite: $want" "$work/err" &&
        pass "5,000 groups x 20,000 relays alone: $cmd refuses it, naming the file" ||
        fail "5,000 groups x 20,000 relays alone: $cmd refuses it, naming the file" "exit $rc: $(head -2 "$work/err")"
    cheap "5,000 groups x 20,000 relays, $cmd"
done
[ "$(outputs "$d")" = "$before" ] && pass "5,000 groups x 20,000 relays: the earlier outputs stay as they were" ||
    fail "5,000 groups x 20,000 relays: the earlier outputs stay as they were" "changed"

d=$work/manifest/exp
mkdir -p "$d"
cp "$work/small/exp/results.sqlite" "$d/"
pad_relays "$d/results.sqlite" 20000
pad_manifest "$d/results.sqlite" 5000
limited "summary --baseline B" "$d"
[ $rc -eq 1 ] && grep -q "^memreport: $d/results.sqlite: damaged archive: 5000 manifest groups: a report compares at most 256 groups" "$work/err" &&
    pass "5,000 manifest groups x 20,000 relays alone, other options: refused, naming the file" ||
    fail "5,000 manifest groups x 20,000 relays alone, other options: refused, naming the file" "exit $rc: $(head -2 "$work/err")"
cheap "5,000 manifest groups x 20,000 relays"

# Beside its CSVs: said to be unusable, the CSVs read instead.
mkdir "$work/gbeside"
cp -r "$work/small/exp" "$work/gbeside/exp"
d=$work/gbeside/exp
pad_relays "$d/results.sqlite" 20000
pad_groups "$d/results.sqlite" 5000
limited "build -q" "$d"
[ $rc -eq 0 ] && grep -q "^memreport: $d/results.sqlite: warning: cannot be used (.*$want.*); the CSVs were read instead" "$work/err" &&
    cmp -s "$work/small/exp/REPORT.md" "$d/REPORT.md" &&
    pass "5,000 groups x 20,000 relays beside its CSVs: said to be unusable, REPORT.md the CSVs'" ||
    fail "5,000 groups x 20,000 relays beside its CSVs: said to be unusable, REPORT.md the CSVs'" "exit $rc: $(head -2 "$work/err")"
