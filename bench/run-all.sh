#!/bin/sh
# run-all.sh - every benchmark, one after the other (never two heavy runs
# at once), on one simulated fleet made here and shared through BENCH_EXP.
# Prints Markdown tables; bench/RESULTS.md records a run.
#
# usage: sh bench/run-all.sh [OUT.md]     (after make; env: see bench/lib.sh)
# Takes about 6 minutes with BENCH_REPS=3 on 2 cores, ~3 GB of scratch
# disk (the fleet and one build's outputs) and ~4 GB of memory (pandas).
set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init

if [ $# -gt 0 ]; then
    exec >"$1"
fi

bench_header "run-all"
echo
echo "| what | median s | min s | MB/s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
BENCH_PREP="rm -rf '$work/fleet'" measure "memsim: write the fleet (1000 x 8760)" - \
    sh -c "\"\$1\" -o \"\$2\" $FLEET_ARGS >/dev/null" sh "$MEMSIM" "$work/fleet"
echo
BENCH_EXP=$work/fleet
export BENCH_EXP
sh "$BENCH_DIR/ingest.sh"
echo
sh "$BENCH_DIR/build.sh"
echo
sh "$BENCH_DIR/png_deflate.sh"
# The users' own chart scripts are not part of memreport: only when a
# checkout of them is named (bench/users_charts.sh).
if [ -n "${USERS_SCRIPTS:-}" ]; then
    echo
    sh "$BENCH_DIR/users_charts.sh"
fi
