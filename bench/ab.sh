#!/bin/sh
# ab.sh - two memreport binaries (two commits' builds, say) on one
# experiment, alternating, BENCH_REPS builds from the CSVs each (outputs
# removed before every build, as a first build finds them): a table row
# each (lib.sh's row: median, fastest and slowest wall time, peak RSS) and
# the ratio of the medians.
#
# usage: sh bench/ab.sh MEMREPORT_A MEMREPORT_B EXPDIR   (env: see bench/lib.sh;
#        EXPDIR is copied, never written)
set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init
[ $# -eq 3 ] || die "usage: sh bench/ab.sh MEMREPORT_A MEMREPORT_B EXPDIR"
[ -x "$1" ] && [ -x "$2" ] || die "$1 and $2 must be programs"
copy_inputs "$3" "$work/exp"
i=0
while [ "$i" -lt "$REPS" ]; do
    for side in a b; do
        [ $((i % 2)) = 1 ] && side=$(echo "$side" | tr ab ba)
        bin=$1
        [ "$side" = b ] && bin=$2
        rm -rf "$work/exp/results.sqlite" "$work/exp/REPORT.md" "$work/exp/charts" \
            "$work/exp/site" "$work/exp/.memreport.build"
        timed_run "$work/t.$side" "$work/$side" "$bin" build -q "$work/exp" || die "$bin failed"
    done
    i=$((i + 1))
done
table
row a "A: $1"
row b "B: $2"
ratio a b "A / B"
