#!/bin/sh
# Runs every libFuzzer target of BUILD/fuzz/ for SECONDS each, one at a
# time (the machine is shared), on a corpus seeded from data/example and
# tests/bad. Any crash, leak, sanitizer report, timeout (-timeout) or
# memory blow-up (-rss_limit_mb) fails the run; the input that caused it
# is kept in BUILD/fuzz/findings/ and printed, to become a tests/bad case.
# Ends with one line per target: seconds, executions, corpus size.
# usage: tests/fuzz/run.sh BUILD SECONDS
build=${1:?usage: run.sh BUILD SECONDS}
secs=${2:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/fuzz
corpus=$out/corpus
findings=$out/findings
mkdir -p "$corpus" "$findings"
# Group files and scratch experiments are rewritten on every run: keep
# them in memory when /dev/shm is there.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    TMPDIR=/dev/shm
    export TMPDIR
fi

# seed TARGET FILE...: copies small files (or the first 200 lines of big
# ones) into the target's corpus.
seed() {
    t=$1
    shift
    mkdir -p "$corpus/$t"
    for f in "$@"; do
        [ -f "$f" ] || continue
        name=$(printf '%s' "$f" | sed "s|^$top/||; s|/|_|g")
        head -n 200 "$f" | head -c 65536 >"$corpus/$t/seed-$name"
    done
}
# seed_prefixed TARGET BYTE FILE...: the same, with one leading byte (the
# whole-experiment target reads it as which file the rest becomes).
seed_prefixed() {
    t=$1 byte=$2
    shift 2
    mkdir -p "$corpus/$t"
    for f in "$@"; do
        [ -f "$f" ] || continue
        name=$(printf '%s' "$f" | sed "s|^$top/||; s|/|_|g")
        { printf "$byte"; head -n 200 "$f" | head -c 65536; } >"$corpus/$t/seed-$byte-$name"
    done
}

ex=$top/data/example
seed fuzz_csv "$ex/memory.csv" "$ex/events.csv" "$ex/diagnostics.csv" "$top"/tests/bad/*/*.csv
seed fuzz_manifest "$ex/experiment.json" "$top"/tests/bad/*/experiment.json
seed fuzz_groups "$ex"/groups/*.txt "$top"/tests/bad/*/groups/*.txt
seed fuzz_notes "$ex/notes.md" "$top/README.md"
seed_prefixed fuzz_experiment '\000' "$ex/memory.csv" "$top"/tests/bad/*/memory.csv
seed_prefixed fuzz_experiment '\001' "$ex/events.csv" "$top"/tests/bad/*/events.csv
seed_prefixed fuzz_experiment '\002' "$ex/experiment.json" "$top"/tests/bad/*/experiment.json
mkdir -p "$corpus/fuzz_build_record"
printf 'archive 1 2 3 4 5 exp/results.sqlite\nlink exp/site/data/results.sqlite\nfile 6 %s exp/REPORT.md\nabsent exp/site/feed.xml\ndiag w 12 3 fexp/memory%%20csv m50%%25%%20of%%0Arows\ndiag e 0 0 - m\n' \
    5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 >"$corpus/fuzz_build_record/seed-0"
mkdir -p "$corpus/fuzz_timestamp"
i=0
for ts in 2026-10-27 2026-10-27T02:00:04 "2026-10-27 02:00" 2026-10-27T02:00:04.25Z \
    2026-10-27T02:00:04+05:30 2026-10-27T02:00-0800 2026-02-30 1970-01-01T00:00:00Z; do
    printf '%s' "$ts" >"$corpus/fuzz_timestamp/seed-$i"
    i=$((i + 1))
done

# fuzz_png_deflate: a short row of a chart's background and a line, and
# text-like bytes, behind the row length and repeat count bytes.
c=$corpus/fuzz_png_deflate
mkdir -p "$c"
printf '\000\020\017\000\372\372\372\372\372\372\060\061\062\372\372\372\372\372\372' >"$c/seed-0"
{ printf '\001\000\003'; head -c 2000 "$ex/memory.csv"; } >"$c/seed-1"

# fuzz_archive: the older-schema fixtures (behind a 0 byte: a whole file),
# vacuumed to 512-byte pages to fit -max_len, and their packed columns
# (zlib: schema 2, Zstandard: schema 5) behind the two bytes that give
# the target a column, its codec and its count. Without the sqlite3 shell
# it starts from nothing.
c=$corpus/fuzz_archive
mkdir -p "$c"
if command -v sqlite3 >/dev/null 2>&1; then
    for v in 2 3 4 5; do
        db=$out/seed-v$v.sqlite
        gzip -dc "$top/tests/fixtures/archive/results-v$v.sqlite.gz" >"$db" || continue
        cp "$db" "$out/seed-small.sqlite"
        sqlite3 "$out/seed-small.sqlite" "PRAGMA page_size = 512; VACUUM"
        { printf '\000'; cat "$out/seed-small.sqlite"; } >"$c/seed-v$v"
        n=$(sqlite3 "$db" "SELECT ncollections FROM experiment")
        codec=0
        [ "$v" -lt 4 ] && codec=2
        head=$(printf '\\%03o\\%03o' $(((n >> 8) << 2 | codec | 1)) $((n & 255)))
        for f in rss_kb frag_ratio csv_group; do
            sqlite3 "$db" "SELECT writefile('$out/seed.col', $f) FROM sample_columns WHERE relay_id = 1" >/dev/null
            { printf "$head"; cat "$out/seed.col"; } >"$c/seed-v$v-$f"
        done
        rm -f "$db" "$out/seed-small.sqlite" "$out/seed.col"
    done
fi

status=0
summary=""
for bin in "$out"/fuzz_*; do
    [ -x "$bin" ] || continue
    t=$(basename "$bin")
    mkdir -p "$corpus/$t"
    log=$out/$t.log
    echo "fuzz: $t for $secs s"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$findings/$t-" "$corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    units=$(ls "$corpus/$t" | wc -l)
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "fuzz: $t FAILED (exit $rc):"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10 | sed 's/^/    /'
        tail -n 30 "$log" | sed 's/^/    /'
        summary="$summary$t: FAILED after ${execs:-?} executions, see $log
"
    else
        summary="$summary$t: $secs s, ${execs:-?} executions, corpus $units inputs, no finding
"
    fi
done
printf '%s' "$summary"
exit $status
