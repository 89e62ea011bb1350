#!/bin/sh
# build.sh - whole `memreport build` time and peak memory, first from the
# CSVs and then again with the inputs unchanged (read from results.sqlite),
# side by side with a pandas + matplotlib script drawing the charts users'
# reports embed today (bench/pandas_charts.py), on:
#   - the simulated fleet (1,000 relays x 8,760 hourly collections),
#     plus per-chart render times from build/tests/test_charts_scale and
#     the file sizes of everything written;
#   - data/example (the bundled simulated experiment);
#   - the real 5-way experiment in $TOP/../shared/data (read-only; copied),
#     when it exists.
#
# usage: sh bench/build.sh        (after make; env: see bench/lib.sh)
set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init

py=$(find_python "pandas, matplotlib") || py=

# build_rows DIR MB: the rows of one data set's table.
build_rows() {
    d=$1
    BENCH_PREP="rm -rf '$d/results.sqlite' '$d/REPORT.md' '$d/charts' '$d/site'" \
        measure "memreport build (from the CSVs)" "$2" "$MEMREPORT" build -v "$d"
    grep -q "inputs unchanged" "$work/last.err" && echo "| (that build read the archive: NOT from the CSVs) | | | | |"
    measure "memreport build again (inputs unchanged: results.sqlite)" "$2" \
        "$MEMREPORT" build -v "$d"
    grep -q "inputs unchanged" "$work/last.err" || echo "| (that build did NOT read the archive) | | | | |"
    if [ -n "$py" ]; then
        measure "pandas + matplotlib: 3 charts, every sample" "$2" \
            "$py" "$BENCH_DIR/pandas_charts.py" "$d" "$work/pycharts"
    else
        echo "| pandas + matplotlib | skipped: no python3 with pandas and matplotlib | | | |"
    fi
}

# sizes DIR: what one build wrote, in bytes.
sizes() {
    echo
    echo "| file | bytes |"
    echo "|---|---:|"
    for f in "$1"/charts/* "$1/REPORT.md" "$1/results.sqlite" "$1/site/index.html"; do
        [ -f "$f" ] && echo "| ${f#"$1"/} | $(wc -c <"$f") |"
    done
    echo "| site/ (all files) | $(du -sb "$1/site" | cut -f1) |"
    if [ -n "$py" ]; then
        for f in "$work"/pycharts/*.png; do
            [ -f "$f" ] && echo "| pandas_charts.py: ${f##*/} | $(wc -c <"$f") |"
        done
    fi
}

# --- the fleet ---
exp=$work/fleet
make_fleet "$exp"
mb=$(mb_of "$exp/memory.csv")
cat "$exp/memory.csv" >/dev/null # page cache warm-up
bench_header "build: simulated fleet, 1,000 relays x 8,760 collections, memory.csv $mb MB"
echo
table_head
build_rows "$exp" "$mb"
csvonly=$work/fleet_csv
link_inputs "$exp" "$csvonly"
measure "memreport summary --format csv (from the CSVs)" "$mb" \
    "$MEMREPORT" summary --format csv "$csvonly"
measure "memreport summary --format csv (results.sqlite current)" "$mb" \
    "$MEMREPORT" summary --format csv "$exp"
sizes "$exp"

# Where the build's time and memory go: each step in its own process
# (bench/ingest_probe.c). Wall time and peak RSS are the whole process's
# (the archive step runs an untimed analysis first); the step's own time
# is the in-process clock of the last repetition.
probe=$(build_probe)
echo
echo "Steps of the build, each in its own process:"
echo
echo "| step | process wall s (median) | step alone s | peak RSS MB | output MB |"
echo "|---|---:|---:|---:|---:|"
step() {
    label=$1
    shift
    row=$(measure "$label" - "$@")
    inproc=$(sed -n 's/.*seconds=\([0-9.]*\) mb=\([0-9.]*\).*/\1 \2/p' "$work/last.out")
    echo "$row" | awk -v ip="$inproc" -F' *[|] *' '{ split(ip, v, " ");
        printf "| %s | %s | %.2f | %s | %.0f |\n", $2, $3, v[1], $6, v[2] }'
}
step "analysis_run (ingest, membership, statistics)" "$probe" analysis "$exp"
step "archive_serialize (results.sqlite in memory)" "$probe" archive "$exp"
step "archive_read (a rebuild's input)" "$probe" load "$exp"

echo
scale=$TOP/build/tests/test_charts_scale
if [ -x "$scale" ]; then
    echo "Per-chart render times (PNG + SVG, in process) from $scale:"
    echo
    "$scale" "$exp" >"$work/scale.out" 2>&1
    grep '^# analysis' "$work/scale.out"
    echo
    echo "| chart | seconds | PNG bytes | SVG bytes |"
    echo "|---|---:|---:|---:|"
    sed -n 's/^# \([a-z_]*\): \([0-9.]*\) s, PNG \([0-9]*\) bytes, SVG \([0-9]*\) bytes$/| \1 | \2 | \3 | \4 |/p' \
        "$work/scale.out"
    grep '^FAIL' "$work/scale.out"
else
    echo "(no $scale: run make tests)"
fi
rm -rf "$exp" "$csvonly" "$work/pycharts"

# --- small data sets ---
small() {
    name=$1
    src=$2
    d=$work/$name
    copy_inputs "$src" "$d"
    mb=$(mb_of "$d/memory.csv")
    echo
    bench_header "build: $name ($src), memory.csv $mb MB, $(($(wc -l <"$d/memory.csv") - 1)) rows"
    echo
    table_head
    build_rows "$d" -
    sizes "$d"
    rm -rf "$d" "$work/pycharts"
}

small example "$TOP/data/example"
real=$TOP/../shared/data/5way-allocator-comparison
if [ -f "$real/memory.csv" ]; then
    small 5way-allocator-comparison "$(cd "$real" && pwd)"
else
    echo
    echo "(no $real: the real-data rows are skipped)"
fi
