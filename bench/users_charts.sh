#!/bin/sh
# users_charts.sh - the real 5-way build against the chart set its users
# run for a hand-written report today, paired: experiment_chart.py (kept
# beside the data, which it reads from its own folder), then
# tools/timeseries-charts.py and tools/allocator-comparison.py, one after
# another as the experiment's README gives them. They are the operators'
# own scripts, from their public repository, not part of memreport:
# USERS_SCRIPTS names a checkout of it (the folder that holds memory/),
# which is only read. They run on a scratch copy of the data. With a
# matplotlib older than 3.9, allocator-comparison.py's
# boxplot(tick_labels=...) is given that argument's older name, labels=,
# in the scratch copy; nothing else is changed. bench/pandas_charts.py
# (when python3 has pandas) runs in the same repetitions, as in versus.sh.
#
# usage: USERS_SCRIPTS=DIR sh bench/users_charts.sh   (after make; env: see
#        bench/lib.sh; REAL_DATA, the experiment, defaults to
#        ../shared/data/5way-allocator-comparison beside the checkout)
set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init
users=${USERS_SCRIPTS:?"USERS_SCRIPTS: the folder holding the users' memory/ scripts"}
real=${REAL_DATA:-$TOP/../shared/data/5way-allocator-comparison}
[ -f "$real/memory.csv" ] || die "no memory.csv in $real (set REAL_DATA)"
py=$(find_python "matplotlib") || die "no python3 with matplotlib"
pandas=$(find_python "pandas, matplotlib") || pandas=
src_exp=$users/memory/experiments/2026-01-08-5way-allocator-comparison
for f in "$users/memory/lib/chart_utils.py" "$users/memory/tools/timeseries-charts.py" \
    "$users/memory/tools/allocator-comparison.py" "$src_exp/experiment_chart.py"; do
    [ -f "$f" ] || die "$f: not found (USERS_SCRIPTS should hold memory/lib, memory/tools, memory/experiments)"
done

# Their layout: memory/{lib,tools,experiments/X}, the data in X.
u=$work/users/memory
x=$u/experiments/5way
mkdir -p "$u/lib" "$u/tools"
cp "$users/memory/lib/chart_utils.py" "$u/lib/"
cp "$users/memory/tools/timeseries-charts.py" "$users/memory/tools/allocator-comparison.py" "$u/tools/"
copy_inputs "$real" "$x"
cp "$src_exp/experiment_chart.py" "$x/"
mpl=$("$py" -c 'import matplotlib; print(matplotlib.__version__)')
if "$py" -c 'import sys, matplotlib; v = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]); sys.exit(v >= (3, 9))'; then
    sed -i 's/tick_labels=labels/labels=labels/' "$u/tools/allocator-comparison.py"
    renamed=" (boxplot's tick_labels= given as labels=)"
else
    renamed=
fi
export MPLBACKEND=Agg

# The three scripts in a row, as one timed run.
run_users() {
    once users sh -c 'cd "$1" && "$2" experiment_chart.py && "$2" ../../tools/timeseries-charts.py \
        --data memory.csv --output-dir charts/ --title go --prefix memory &&
        "$2" ../../tools/allocator-comparison.py --data memory.csv --groups-dir groups/ \
        --output-dir charts/' users "$x" "$py"
}

copy_inputs "$real" "$work/real"
load=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ "$i" -lt "$REPS" ]; do
    rm -rf "$work/real/results.sqlite" "$work/real/REPORT.md" "$work/real/charts" \
        "$work/real/site" "$work/real/.memreport.build" "$x/charts"
    if [ $((i % 2)) = 0 ]; then
        once realbuild "$MEMREPORT" build -q "$work/real"
        run_users
    else
        run_users
        once realbuild "$MEMREPORT" build -q "$work/real"
    fi
    [ -n "$pandas" ] && once realpandas "$pandas" "$BENCH_DIR/pandas_charts.py" "$work/real" "$work/pycharts"
    i=$((i + 1))
done

bench_header "users' chart set: the real 5-way experiment; matplotlib $mpl$renamed; load average $load at the start"
echo
table
row realbuild "memreport build (from the CSVs: REPORT.md, 4 charts in PNG and SVG, archive, site)"
row users "the users' three scripts, one after another"
ratio users realbuild "users' scripts / build"
if [ -n "$pandas" ]; then
    row realpandas "pandas + matplotlib: bench/pandas_charts.py"
    ratio realpandas realbuild "pandas_charts.py / build"
fi
echo
echo "PNGs the users' scripts wrote (bytes):"
for f in "$x"/charts/*.png; do
    [ -f "$f" ] && echo "    ${f##*/} $(wc -c <"$f")"
done
