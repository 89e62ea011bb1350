#!/bin/sh
# versus.sh - memreport against DuckDB (and pandas) on the simulated fleet,
# and the build's own paths against `check`, as paired alternating runs:
# each repetition runs both commands of a pair back to back (the order
# alternating), so load from elsewhere on the machine falls on both alike.
# Rows give medians of wall time and the largest peak RSS; the ratio is of
# the medians.
#   check      memreport check (ingest, membership, statistics)
#   duckdb     bench/duckdb_group_means.mjs: DuckDB's CSV reader, a join with
#              the group files, mean RSS per (collection, group), 2 threads
#   build      memreport build from the CSVs (outputs removed first)
#   unchanged  memreport build again, inputs unchanged (the build record:
#              nothing read but the inputs' hashes, nothing written)
#   forced     the same with --force: the record ignored, results.sqlite read
#              back and everything rendered again (what a new option costs)
#   append     memreport build after one collection (1,001 rows) was
#              appended to a memory.csv already built (the build before the
#              append is untimed)
# And two floors, what no build can go below as the program is designed:
#   floor      check and the SHA-256 of memory.csv (bench/ingest_probe.c,
#              the build's own hashing code) run at once on the two cores:
#              a build from the CSVs parses as check does and must hash
#              every byte besides, before it draws or writes anything
#   summary    memreport summary after the append: the same reading of the
#              archive and of the appended rows and the same statistics as
#              the append's rebuild, and nothing drawn or written
#   pandas     bench/pandas_group_means.py (when python3 has pandas)
# Then the real 5-way experiment: memreport build against
# bench/pandas_charts.py, paired.
#
# usage: sh bench/versus.sh   (after make; env: see bench/lib.sh; the
# DuckDB package is installed into bench/node_modules by duckdb-setup.sh)
set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init
if [ ! -d "$BENCH_DIR/node_modules/@duckdb/node-api" ]; then
    sh "$BENCH_DIR/duckdb-setup.sh" >&2 || die "cannot install DuckDB (bench/duckdb-setup.sh)"
fi
py=$(find_python "pandas, matplotlib") || py=
probe=$(build_probe)

exp=$work/fleet
make_fleet "$exp"
cat "$exp/memory.csv" >/dev/null
bench_header "versus: simulated fleet, memory.csv $(mb_of "$exp/memory.csv") MB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

i=0
while [ "$i" -lt "$REPS" ]; do
    if [ $((i % 2)) = 0 ]; then
        once check "$MEMREPORT" check "$exp"
        once duckdb node "$BENCH_DIR/duckdb_group_means.mjs" "$exp"
    else
        once duckdb node "$BENCH_DIR/duckdb_group_means.mjs" "$exp"
        once check "$MEMREPORT" check "$exp"
    fi
    i=$((i + 1))
done
table
row check "memreport check"
row duckdb "DuckDB group means"
ratio check duckdb "check / DuckDB"
echo
echo "DuckDB: $(cat "$work/duckdb.out")"
"$MEMREPORT" summary --format csv "$exp" >"$work/summary.csv" 2>/dev/null
echo "memreport final_mean_gib: $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "final_mean_gib") c = i; next }
    { printf "%s%s %.4f", (NR > 2 ? ", " : ""), $1, $c }' "$work/summary.csv")"
echo

# Build from the CSVs, then unchanged, each paired with check.
clean="rm -rf '$exp/results.sqlite' '$exp/REPORT.md' '$exp/charts' '$exp/site'"
: >"$work/t.check"
i=0
while [ "$i" -lt "$REPS" ]; do
    eval "$clean"
    once check "$MEMREPORT" check "$exp"
    once build "$MEMREPORT" build "$exp"
    once unchanged "$MEMREPORT" build -vv "$exp"
    grep -q "inputs unchanged" "$work/unchanged.err" || die "the unchanged rebuild did not find its inputs unchanged"
    once forced "$MEMREPORT" build --force "$exp"
    once floor sh -c '"$1" check "$2" >/dev/null 2>&1 & p=$!; "$3" sha "$2/memory.csv" >/dev/null &&
        wait "$p"' floor "$MEMREPORT" "$exp" "$probe"
    i=$((i + 1))
done
table
row check "memreport check"
row build "memreport build (from the CSVs)"
row unchanged "memreport build again (inputs unchanged)"
row forced "memreport build --force again (archive read, all rendered)"
row floor "floor of a build: check and the SHA-256 of memory.csv at once"
ratio build check "build / check"
ratio unchanged check "unchanged rebuild / check"
ratio forced check "forced rebuild / check"
ratio floor check "floor / check"
echo
echo "results.sqlite: $(wc -c <"$exp/results.sqlite") bytes, memory.csv $(wc -c <"$exp/memory.csv") bytes"
echo

# Append: a copy whose last collection is cut off and appended again.
app=$work/append
mkdir -p "$app"
copy_inputs "$exp" "$app"
tail -n 1001 "$app/memory.csv" >"$work/lastcoll.csv"
full=$(wc -c <"$app/memory.csv")
cut=$((full - $(wc -c <"$work/lastcoll.csv")))
: >"$work/t.check"
i=0
while [ "$i" -lt "$REPS" ]; do
    rm -rf "$app/results.sqlite" "$app/REPORT.md" "$app/charts" "$app/site"
    truncate -s "$cut" "$app/memory.csv"
    "$MEMREPORT" build "$app" >/dev/null 2>&1 || die "build before the append failed"
    cat "$work/lastcoll.csv" >>"$app/memory.csv"
    once check "$MEMREPORT" check "$app"
    once summary "$MEMREPORT" summary -vv "$app"
    grep -q "read only the appended bytes" "$work/summary.err" ||
        die "the summary after the append read the whole file: $(grep -v warning "$work/summary.err" | head -n 2)"
    once append "$MEMREPORT" build -vv "$app"
    grep -q "read only the appended bytes" "$work/append.err" ||
        die "the rebuild after the append read the whole file: $(grep -v warning "$work/append.err" | head -n 2)"
    i=$((i + 1))
done
table
row check "memreport check"
row summary "memreport summary after appending one collection (statistics only)"
row append "memreport build after appending one collection"
ratio summary check "summary after the append / check"
ratio append check "append rebuild / check"
"$MEMREPORT" summary --format csv "$app" >"$work/summary-app.csv" 2>/dev/null
if cmp -s "$work/summary.csv" "$work/summary-app.csv"; then
    echo
    echo "The appended build's summary equals the full fleet's; its REPORT.md says:"
    echo
    grep -E '^\| Collections \||Period analysed' "$app/REPORT.md" | sed 's/^/    /'
else
    echo
    echo "WARNING: the appended build's summary differs from the full fleet's"
fi
echo

if [ -n "$py" ]; then
    table
    : >"$work/t.check"
    i=0
    while [ "$i" -lt "$REPS" ]; do
        once check "$MEMREPORT" check "$exp"
        once pandas "$py" "$BENCH_DIR/pandas_group_means.py" "$exp"
        i=$((i + 1))
    done
    row check "memreport check"
    row pandas "pandas group means"
    ratio check pandas "check / pandas"
else
    echo "(no python3 with pandas and matplotlib: the pandas rows are skipped)"
fi
echo

real=$TOP/../shared/data/5way-allocator-comparison
if [ -f "$real/memory.csv" ] && [ -n "$py" ]; then
    copy_inputs "$real" "$work/real"
    rm -f "$work/t.check"
    i=0
    while [ "$i" -lt "$REPS" ]; do
        rm -rf "$work/real/results.sqlite" "$work/real/REPORT.md" "$work/real/charts" "$work/real/site"
        once realbuild "$MEMREPORT" build "$work/real"
        once realpandas "$py" "$BENCH_DIR/pandas_charts.py" "$work/real" "$work/pycharts"
        i=$((i + 1))
    done
    bench_header "versus: the real 5-way experiment"
    echo
    table
    row realbuild "memreport build (from the CSVs)"
    row realpandas "pandas + matplotlib: bench/pandas_charts.py"
    ratio realpandas realbuild "pandas_charts.py / build"
fi
