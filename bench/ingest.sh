#!/bin/sh
# ingest.sh - ingest rate on the simulated fleet (1,000 relays x 8,760
# hourly collections, 8.76 M rows, ~1 GB of CSV), side by side with a
# plain byte scan of the same file, the libcsv reference parser, and the
# pandas script users run today. See bench/RESULTS.md for figures.
#
# usage: sh bench/ingest.sh        (after make; env: see bench/lib.sh)
#
# Rows, all on the same memory.csv, read from the page cache (one warm-up
# read first):
#   cat, wc -l                 bytes only, no parsing
#   probe scan                 fread + memchr per line (bench/ingest_probe.c)
#   probe sha (hw|soft), sha256sum  hashing alone (ingest hashes every byte)
#   probe libcsv               libcsv strict parse, no-op callbacks
#   probe csvr (fast|libcsv)   the project's reader: split records, SHA-256
#                              of every byte, nothing stored
#   probe ingest (fast|libcsv) ingest_experiment: every input, packed
#   memreport check            ingest + membership + statistics (fast path,
#                              then with MEMREPORT_FORCE_LIBCSV=1)
#   memreport summary --format csv  the same, plus the CSV of results
#   pandas group means         bench/pandas_group_means.py (when pandas is
#                              installed: Debian python3-pandas)
set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init

exp=$work/fleet
make_fleet "$exp"
csv=$exp/memory.csv
mb=$(mb_of "$csv")
rows=$(($(wc -l <"$csv") - 1))

probe=$(build_probe)

cat "$csv" >/dev/null # page cache warm-up

bench_header "ingest: $csv, $mb MB, $rows rows"
echo
table_head
# shellcheck disable=SC2016 # $1 is expanded by the inner shell
measure "cat memory.csv >/dev/null" "$mb" sh -c 'cat "$1" >/dev/null' sh "$csv"
measure "wc -l memory.csv" "$mb" wc -l "$csv"
measure "probe: fread + memchr scan" "$mb" "$probe" scan "$csv"
measure "probe: SHA-256 (CPU SHA instructions if any)" "$mb" "$probe" sha "$csv"
measure "probe: SHA-256, portable code" "$mb" "$probe" sha "$csv" soft
measure "sha256sum memory.csv (coreutils)" "$mb" sha256sum "$csv"
measure "probe: libcsv parse only (no-op callbacks)" "$mb" "$probe" libcsv "$csv"
measure "probe: csvr reader, fast path (split + SHA-256)" "$mb" "$probe" csvr "$csv"
measure "probe: csvr reader, libcsv forced" "$mb" "$probe" csvr "$csv" libcsv
measure "probe: ingest_experiment, fast path" "$mb" "$probe" ingest "$exp"
measure "probe: ingest_experiment, libcsv forced" "$mb" "$probe" ingest "$exp" libcsv
measure "memreport check (fast path)" "$mb" "$MEMREPORT" check "$exp"
fast_out=$(cat "$work/last.out")
measure "memreport check, MEMREPORT_FORCE_LIBCSV=1" "$mb" \
    env MEMREPORT_FORCE_LIBCSV=1 "$MEMREPORT" check "$exp"
slow_out=$(cat "$work/last.out")
measure "memreport summary --format csv" "$mb" "$MEMREPORT" summary --format csv "$exp"
cp "$work/last.out" "$work/summary.csv"
py=$(find_python pandas) || py=
if [ -n "$py" ]; then
    measure "pandas: group means per collection ($("$py" -c 'import pandas; print(pandas.__version__)'))" \
        "$mb" "$py" "$BENCH_DIR/pandas_group_means.py" "$exp" "$work/pandas_means.csv"
else
    echo "| pandas: group means per collection | skipped: no python3 with pandas | | | |"
fi

echo
echo "check, fast path:     $fast_out"
echo "check, libcsv forced: $slow_out"
[ "$fast_out" = "$slow_out" ] || echo "WARNING: the two paths disagree"
echo
echo "memreport summary --format csv:"
cat "$work/summary.csv"
if [ -n "$py" ]; then
    echo
    echo "pandas means at the last collection (GiB):"
    tail -n 5 "$work/pandas_means.csv"
fi
