# lib.sh - helpers sourced by the bench scripts (POSIX sh).
#
# Every script measures alternatives side by side in one run with
# /usr/bin/time (wall seconds, peak RSS), BENCH_REPS times each (default 3),
# and prints Markdown table rows: the median wall time, the fastest, the
# rate over the input when one is given, and the largest peak RSS seen.
#
# Environment:
#   BENCH_TMP    parent of the scratch directory (default $TMPDIR or /tmp);
#                the scratch directory is removed at exit
#   BENCH_KEEP=1 keep the scratch directory (its path is printed)
#   BENCH_REPS   repetitions of every measurement (default 3)
#   BENCH_EXP    an existing simulated fleet to use instead of running memsim
#                (bench/run-all.sh makes one and shares it); never written to
#   MEMREPORT, MEMSIM  binaries (default build/memreport, build/memsim)
#   PYTHON       a python3 that can import pandas (default: the first of
#                python3, /usr/bin/python3 that can)

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)
MEMREPORT=${MEMREPORT:-$TOP/build/memreport}
MEMSIM=${MEMSIM:-$TOP/build/memsim}
REPS=${BENCH_REPS:-3}
TIMECMD=/usr/bin/time

# The fleet of DESIGN.md section 12: 1,000 relays x 8,760 hourly
# collections (8.76 M relay rows), five groups of different shapes.
FLEET_ARGS="--relays 1000 --collections 8760 --interval-hours 1 --manual 0 \
--group A:flat --group B:leak:rate=0.3 --group C:noisy \
--group D:restart:rate=0.5:every=72h --group E:flat:level=2"

die() {
    echo "bench: $*" >&2
    exit 1
}

# Checks the tools, makes the scratch directory $work and arranges its
# removal.
bench_init() {
    [ -x "$TIMECMD" ] || die "$TIMECMD not found (Debian package 'time')"
    [ -x "$MEMREPORT" ] || die "$MEMREPORT not built: run make"
    [ -x "$MEMSIM" ] || die "$MEMSIM not built: run make"
    parent=${BENCH_TMP:-${TMPDIR:-/tmp}}
    mkdir -p "$parent" || die "cannot create $parent"
    work=$(mktemp -d "$parent/memreport-bench.XXXXXX") || die "mktemp failed"
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "# scratch directory kept: $work" >&2
    else
        trap 'rm -rf "$work"' EXIT
        trap 'exit 130' HUP INT PIPE TERM
    fi
}

# Prints a python3 that imports the given modules, or nothing.
find_python() {
    for p in ${PYTHON:-python3 /usr/bin/python3}; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c "import $1" >/dev/null 2>&1; then
            command -v "$p"
            return 0
        fi
    done
    return 1
}

# make_fleet DIR: writes the fleet into DIR with memsim, or, with
# BENCH_EXP, gives DIR that fleet's inputs (outputs of earlier builds
# there are left out, so every reader starts from the CSVs).
make_fleet() {
    if [ -n "${BENCH_EXP:-}" ]; then
        [ -f "$BENCH_EXP/memory.csv" ] || die "BENCH_EXP=$BENCH_EXP has no memory.csv"
        link_inputs "$BENCH_EXP" "$1"
    else
        echo "# making the fleet: memsim -o DIR $FLEET_ARGS" >&2
        # shellcheck disable=SC2086 # FLEET_ARGS is a word list
        "$MEMSIM" -o "$1" $FLEET_ARGS >/dev/null || die "memsim failed"
    fi
}

# link_inputs SRC DST: as copy_inputs, but regular files are hard links
# when SRC is on the same file system (memreport refuses symbolic links
# that lead out of the experiment directory). memreport writes only new
# files (staged, then renamed), so the inputs are never touched.
link_inputs() {
    mkdir -p "$2"
    for f in "$1"/* "$1"/.[!.]*; do
        [ -e "$f" ] || continue
        case ${f##*/} in
        REPORT.md | charts | site | results.sqlite) ;;
        *) if [ -f "$f" ]; then
               ln "$f" "$2/" 2>/dev/null || cp "$f" "$2/"
           else
               cp -R "$f" "$2/"
           fi ;;
        esac
    done
}

# copy_inputs SRC DST: as link_inputs, but a real copy (for small
# directories, and for read-only ones).
copy_inputs() {
    mkdir -p "$2"
    for f in "$1"/* "$1"/.[!.]*; do
        [ -e "$f" ] || continue
        case ${f##*/} in
        REPORT.md | charts | site | results.sqlite) ;;
        *) cp -R "$f" "$2/" ;;
        esac
    done
}

# Builds bench/ingest_probe.c against the stage libraries in build/lib (as
# the tests link) into $work and prints its path.
build_probe() {
    pkgs="cairo fontconfig jansson sqlite3 libcmark-gfm libctemplate zlib libzstd libpng"
    incs="" libs=""
    for s in base model ingest analysis archive writers publish cli; do
        incs="$incs -I$TOP/generator/$s"
    done
    for s in publish writers archive charts analysis ingest model base; do
        libs="$libs $TOP/build/lib/lib$s.a"
    done
    # shellcheck disable=SC2046,SC2086 # pkg-config names and output are word lists
    cc -O2 -std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        $incs -I"$TOP/charts" $(pkg-config --cflags $pkgs) \
        "$BENCH_DIR/ingest_probe.c" $libs $(pkg-config --libs $pkgs) \
        -lcmark-gfm-extensions -lcsv -lstdc++ -lm -o "$work/ingest_probe" >&2 ||
        die "cannot build ingest_probe (run make first)"
    echo "$work/ingest_probe"
}

mb_of() {
    wc -c <"$1" | awk '{ printf "%.1f", $1 / 1e6 }'
}

table_head() {
    echo "| what | median s | min s | MB/s | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|"
}

# timed_run TIMES OUT CMD...: runs CMD once (stdin /dev/null, stdout to
# OUT.out, stderr to OUT.err) and appends "wall_seconds peak_rss_kb" to
# TIMES. The wall time is read from the clock in nanoseconds around the
# run (GNU time's %e has 10 ms steps, too coarse for a 0.08 s build); the
# peak RSS is GNU time's. On failure, prints what the command said and
# returns 1.
timed_run() {
    times=$1
    out=$2
    shift 2
    t0=$(date +%s%N)
    if ! "$TIMECMD" -f '%M' -o "$out.time" "$@" </dev/null >"$out.out" 2>"$out.err"; then
        cat "$out.time" "$out.err" >&2
        return 1
    fi
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" -v m="$(tail -n 1 "$out.time")" \
        'BEGIN { printf "%.3f %s\n", (b - a) / 1e9, m }' >>"$times"
}

# measure LABEL MB CMD...: runs CMD $REPS times (stdin /dev/null), stdout
# to $work/last.out and stderr to $work/last.err of the last run, and
# prints a table row. MB is the input size for the rate column ("-" for
# none). With BENCH_PREP set, that shell code runs before every repetition,
# untimed. A failing command stops the script.
measure() {
    label=$1
    mb=$2
    shift 2
    : >"$work/times"
    i=0
    while [ "$i" -lt "$REPS" ]; do
        [ -n "${BENCH_PREP:-}" ] && eval "$BENCH_PREP"
        timed_run "$work/times" "$work/last" "$@" || die "$label: command failed: $*"
        i=$((i + 1))
    done
    sort -n "$work/times" | awk -v label="$label" -v mb="$mb" '
        { t[NR] = $1; if ($2 > m) m = $2 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            rate = (mb == "-" || med == 0) ? "-" : sprintf("%.0f", mb / med)
            printf "| %s | %.3f | %.3f | %s | %.0f |\n", label, med, t[1], rate, m / 1024
        }'
}

bench_header() {
    echo "# $1"
    echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM," \
        "commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$TOP" diff --quiet HEAD 2>/dev/null || echo ' + local changes'), repetitions $REPS"
}

# Paired runs (versus.sh, users_charts.sh): each repetition runs both
# commands of a pair back to back, and a pair's ratio is of the medians.

# once NAME CMD...: one timed run, "wall rss_kb" appended to $work/t.NAME;
# stdout and stderr of the run kept as $work/NAME.out and .err.
once() {
    name=$1
    shift
    timed_run "$work/t.$name" "$work/$name" "$@" || die "$name failed: $*"
}

# row NAME LABEL: the table row of one command.
row() {
    sort -n "$work/t.$1" | awk -v label="$2" '
        { t[NR] = $1; if ($2 > m) m = $2 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "| %s | %.3f | %.3f | %.3f | %.0f |\n", label, med, t[1], t[NR], m / 1024
        }'
}

median() {
    sort -n "$work/t.$1" | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

ratio() {
    awk -v a="$(median "$1")" -v b="$(median "$2")" -v l="$3" \
        'BEGIN { printf "| %s | %.2fx | | | |\n", l, a / b }'
}

table() {
    echo "| what | median s | min s | max s | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|"
}
