#!/bin/sh
# archive_old.sh - an experiment kept as an archive of an older schema
# alone stays readable. The fixtures (tests/fixtures/archive: schemas 2 to
# 5, each written by the memreport that wrote that schema, from exp/) are
# each put in a directory of their own with no CSVs; build, summary,
# compare and check must give what this memreport gives from exp/'s CSVs
# (the independent path), and the group means the simulator's truth;
# the archive is left as it is. With the CSVs beside it an old archive is
# replaced by a current one; a damaged old archive and a newer schema are
# refused with a message naming the file, exit 1.
: "${MEMREPORT:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
fix=$TOP/tests/fixtures/archive
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS archive_old: $1"; }
fail() { echo "FAIL archive_old: $1: $2"; }
same() { # name, expected file, file to check
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(diff "$2" "$3" | head -4 | tr '\n' ' ')"; fi
}
# refused NAME DIR CMD PATTERN: CMD on DIR exits 1 with PATTERN on stderr.
refused() {
    "$MEMREPORT" $3 "$2" >"$work/out" 2>"$work/err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "$4" "$work/err" && pass "$1" || fail "$1" "exit $rc: $(head -2 "$work/err")"
}

# The independent path: this memreport on the CSVs the fixtures came from.
# Every experiment directory is called exp (the report names it).
mkdir "$work/csv"
cp -r "$fix/exp" "$work/csv/exp"
"$MEMREPORT" build -q "$work/csv/exp" 2>/dev/null || { fail "build from the CSVs" "exit $?"; exit 0; }
"$MEMREPORT" summary "$work/csv/exp" --format csv >"$work/csv.summary" 2>/dev/null
cp -r "$fix/exp" "$work/other"
"$MEMREPORT" compare "$work/csv/exp" "$work/other" --format csv >"$work/csv.compare" 2>/dev/null

# The figures checked against the simulator's truth: each group's final
# mean as the summary rounds it (4 decimals) and as the truth has it.
awk -F, 'NR > 1 { printf "%s %.4f\n", $1, $7 }' "$fix/truth.csv" >"$work/truth"
awk -F, 'NR > 1 { printf "%s %.4f\n", $1, $4 }' "$work/csv.summary" >"$work/csv.means"
same "the CSVs' final means are the simulator's" "$work/truth" "$work/csv.means"

# The relay rows of the CSV and their rss_kb summed.
csv_rss=$(awk -F, '$3 == "relay" { n++; s += $7 } END { print n, s }' "$fix/exp/memory.csv")
have_sqlite=1
command -v sqlite3 >/dev/null 2>&1 || have_sqlite=0
for gz in "$fix"/results-v*.sqlite.gz; do
    v=$(basename "$gz" .sqlite.gz)
    v=${v#results-v}
    x=$work/v$v/exp
    mkdir -p "$x"
    gzip -dc "$gz" >"$x/results.sqlite"
    sum=$(cksum <"$x/results.sqlite")
    if [ $have_sqlite = 1 ]; then
        got=$(sqlite3 "$x/results.sqlite" 'PRAGMA user_version')
        [ "$got" = "$v" ] && pass "v$v: the fixture is schema $v" || fail "v$v: the fixture is schema $v" "$got"
        # The sqlite extension decodes its columns too (its own view).
        if [ -f "${BUILD:-}/memreport_samples.so" ]; then
            got=$(sqlite3 -cmd ".load $BUILD/memreport_samples" "$x/results.sqlite" \
                "SELECT count(*) || ' ' || sum(rss_kb) FROM samples" 2>&1)
            [ "$got" = "$csv_rss" ] && pass "v$v: the samples view gives the CSV's rows" ||
                fail "v$v: the samples view gives the CSV's rows" "$got, the CSV has $csv_rss"
        fi
    fi

    "$MEMREPORT" build -v "$x" >/dev/null 2>"$work/err"
    rc=$?
    [ $rc -eq 0 ] && grep -q "recomputed from its samples: archive schema version $v" "$work/err" &&
        pass "v$v: build regenerates the report and says the statistics were recomputed" ||
        fail "v$v: build regenerates the report and says the statistics were recomputed" \
            "exit $rc: $(head -3 "$work/err")"
    same "v$v: REPORT.md is the one the CSVs give" "$work/csv/exp/REPORT.md" "$x/REPORT.md"
    same "v$v: the time-series chart is the one the CSVs give" \
        "$work/csv/exp/charts/memory_timeseries.png" "$x/charts/memory_timeseries.png"
    "$MEMREPORT" summary "$x" --format csv >"$work/v$v.summary" 2>/dev/null
    same "v$v: summary --format csv is the one the CSVs give" "$work/csv.summary" "$work/v$v.summary"
    "$MEMREPORT" compare "$x" "$work/other" --format csv >"$work/v$v.compare" 2>/dev/null
    same "v$v: compare is the one the CSVs give" "$work/csv.compare" "$work/v$v.compare"
    "$MEMREPORT" check "$x" >"$work/out" 2>/dev/null
    rc=$?
    [ $rc -eq 0 ] && grep -q "schema version $v, integrity ok, counts match the stored rows" "$work/out" &&
        pass "v$v: check reads it whole" || fail "v$v: check reads it whole" "exit $rc: $(cat "$work/out")"
    [ "$(cksum <"$x/results.sqlite")" = "$sum" ] && pass "v$v: the archive is left as it was" ||
        fail "v$v: the archive is left as it was" "results.sqlite changed"

    # With its CSVs beside it, the old archive is replaced by a current one.
    mkdir "$work/withcsv$v"
    cp -r "$fix/exp" "$work/withcsv$v/exp"
    cp "$x/results.sqlite" "$work/withcsv$v/exp/results.sqlite"
    "$MEMREPORT" build -vv "$work/withcsv$v/exp" >/dev/null 2>"$work/err"
    rc=$?
    if [ $have_sqlite = 1 ]; then
        now=$(sqlite3 "$work/withcsv$v/exp/results.sqlite" 'PRAGMA user_version')
        cur=$(sqlite3 "$work/csv/exp/results.sqlite" 'PRAGMA user_version')
        [ $rc -eq 0 ] && [ "$now" = "$cur" ] && grep -q "archive schema version $v" "$work/err" &&
            pass "v$v: with the CSVs, replaced by schema $cur" ||
            fail "v$v: with the CSVs, replaced by schema $cur" "exit $rc, schema $now: $(head -3 "$work/err")"
    fi
    same "v$v: with the CSVs, REPORT.md is the CSVs'" "$work/csv/exp/REPORT.md" "$work/withcsv$v/exp/REPORT.md"
done

# Damaged old archives: a message naming the file, exit 1, never a crash.
[ $have_sqlite = 1 ] || { echo "SKIP archive_old: the sqlite3 shell is not installed"; exit 0; }
for v in 2 5; do
    b=$work/bad$v
    mkdir "$b"
    gzip -dc "$fix/results-v$v.sqlite.gz" >"$work/v$v.orig"
    cp "$work/v$v.orig" "$b/results.sqlite"
    sqlite3 "$b/results.sqlite" "UPDATE sample_columns SET hwm_kb = substr(hwm_kb, 1, length(hwm_kb) - 5) WHERE relay_id = 3"
    refused "v$v: a truncated column is refused" "$b" "build -q" \
        "^memreport: $b/results.sqlite: .*damaged archive: hwm_kb of relay 3"
    cp "$work/v$v.orig" "$b/results.sqlite"
    sqlite3 "$b/results.sqlite" "UPDATE sample_columns SET nsamples = nsamples + 1 WHERE relay_id = 4"
    refused "v$v: a wrong sample count is refused" "$b" "summary" \
        "^memreport: $b/results.sqlite: .*damaged archive: relay 4 has [0-9]* samples from collection 0, expected"
    cp "$work/v$v.orig" "$b/results.sqlite"
    sqlite3 "$b/results.sqlite" "UPDATE experiment SET ncollections = ncollections + 1"
    refused "v$v: a wrong collection count is refused" "$b" "check" \
        "^memreport: $b/results.sqlite: .*damaged archive: the experiment row says"
    cp "$work/v$v.orig" "$b/results.sqlite"
    sqlite3 "$b/results.sqlite" "INSERT INTO sample_columns(relay_id, nsamples) SELECT max(relay_id) + 1, 0 FROM sample_columns"
    refused "v$v: a row for a relay that does not exist is refused" "$b" "build -q" \
        "^memreport: $b/results.sqlite: .*damaged archive: sample relay [0-9]* out of range"
done
# A schema 5 file relabelled 2 holds Zstandard frames where zlib streams
# belong: refused, not misread.
cp "$work/v5.orig" "$work/bad5/results.sqlite"
sqlite3 "$work/bad5/results.sqlite" "PRAGMA user_version = 2"
refused "a column of another codec is refused" "$work/bad5" "summary" \
    "^memreport: $work/bad5/results.sqlite: .*damaged archive: rss_kb of relay 0"
# Schema 1 (one row per sample) and a schema newer than this program: a
# clear refusal with the version.
sqlite3 "$work/bad5/results.sqlite" "PRAGMA user_version = 1"
refused "schema 1 alone is refused with its version" "$work/bad5" "build -q" \
    "archive schema version 1, this memreport reads versions 2 to"
sqlite3 "$work/bad5/results.sqlite" "PRAGMA user_version = 99"
for cmd in build summary check; do
    refused "$cmd: a newer schema is refused with its version" "$work/bad5" "$cmd" \
        "archive schema version 99, newer than this memreport reads"
done
