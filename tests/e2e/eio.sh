#!/bin/sh
# eio.sh - a disk that fails (EIO, through strace's fault injection) at
# one point of a build: writing the archive, a chart, the page, syncing
# REPORT.md, writing the commit's journal, a rename of the commit. Each
# time the build exits 3 with a message naming the file and "Input/output
# error"; REPORT.md, charts, site and results.sqlite of the previous build
# stay byte for byte; no temporary is left; the next build succeeds and
# makes what a build that never failed makes.
# env: MEMREPORT (binary), TOP (repo root).
: "${MEMREPORT:?}" "${TOP:?}"
mr=$MEMREPORT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600
# LeakSanitizer cannot run under ptrace; the plain runs check leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

if ! why=$(strace_usable inject); then
    echo "SKIP EIO injection: $why"
    exit 0
fi

# Generation A: the example less its last tenth of rows, built; B: what a
# build with every row makes from A's directory. Every build runs in $w,
# since REPORT.md names the directory it was built in.
w=$work/w
grown_example "$work"
"$mr" build -q "$w" 2>"$work/err" || { fail "build A" "$(cat "$work/err")"; exit 0; }
outputs "$w" >"$work/A"
cp "$work/full/memory.csv" "$w/memory.csv"
mv "$w" "$work/snap-a"
start() { rm -rf "$w" && cp -R "$work/snap-a" "$w"; }

# One traced build A -> B: the order of its writes, syncs and renames.
start
strace -f -qq -y -o "$work/trace" -e trace=write,pwrite64,fsync,"$RENAME_CALLS" "$mr" build -q "$w" 2>"$work/err" ||
    { fail "traced build B" "$(cat "$work/err")"; exit 0; }
outputs "$w" >"$work/B"
cmp -s "$work/A" "$work/B" && { fail "generations differ" "A and B are the same bytes"; exit 0; }

# point SYSCALL REGEX: "N" such that the N-th SYSCALL (an ERE of names:
# renameat2? is the commit's rename) of the thread that made the first
# call matching REGEX is that call (strace counts the invocations of each
# thread on its own), or nothing. A line is "PID  call(...)", the pid
# padded to five columns.
point() {
    awk -v sc="^($1)[(]" -v re="$2" '
        { tid = $1; rest = $0; sub(/^[0-9]+ +/, "", rest) }
        rest ~ sc { n[tid]++; if (rest ~ re) { print n[tid]; exit } }' "$work/trace"
}

# inject NAME SYSCALL REGEX MESSAGE: EIO at that call (SYSCALL as point
# takes it); MESSAGE (a grep regex after "memreport: $w/") must be printed.
inject() {
    name=$1 sc=$2 re=$3 msg=$4
    call=${sc%"2?"} # renameat2? is named renameat
    n=$(point "$sc" "$re")
    if [ -z "$n" ]; then
        fail "$name" "no $sc call matching $re in the traced build"
        return
    fi
    start
    calls="/^($sc)\$"
    strace -f -qq -o /dev/null -e trace="$calls" -e inject="$calls:error=EIO:when=$n" \
        "$mr" build -q "$w" 2>"$work/err"
    rc=$?
    outputs "$w" >"$work/now"
    left=$(leftovers "$w")
    said=$(head -n 1 "$work/err" | sed "s|$work/||")
    if [ "$rc" -ne 3 ] || ! grep -q "^memreport: $w/$msg" "$work/err" ||
        ! grep -q 'Input/output error' "$work/err" || ! cmp -s "$work/now" "$work/A" ||
        [ -n "$left" ]; then
        fail "$name (EIO at $call #$n)" "exit $rc, $(cmp -s "$work/now" "$work/A" && echo "outputs intact" || echo "outputs changed"), left: $left: $(cat "$work/err")"
        return
    fi
    "$mr" build -q "$w" 2>"$work/err"
    rc=$?
    outputs "$w" >"$work/now"
    if [ "$rc" -eq 0 ] && cmp -s "$work/now" "$work/B" && [ -z "$(leftovers "$w")" ]; then
        pass "$name (EIO at $call #$n): exit 3, '$said', previous outputs intact; the next build makes B, no temporaries"
    else
        fail "$name: the build after" "exit $rc, $(cmp -s "$work/now" "$work/B" || echo "not B"), left: $(leftovers "$w"): $(cat "$work/err")"
    fi
}

inject "archive write" pwrite64 '/\.results\.sqlite\.tmp-' 'results.sqlite: cannot write the archive (.*): disk I/O error (Input/output error)'
inject "chart write" write '/charts/\.memory_total\.png\.tmp-' 'charts/memory_total.png: cannot write: Input/output error'
inject "page write" write '/site/\.index\.html\.tmp-' 'site/index.html: cannot write: Input/output error'
inject "REPORT.md sync" fsync '/\.REPORT\.md\.tmp-' 'REPORT.md: cannot sync to disk: Input/output error'
inject "journal write" write '\.memreport\.journal\.tmp-' '.memreport.journal: cannot write the commit journal: Input/output error'
inject "commit rename" 'renameat2?' '/site>, "\.index\.html\.tmp-' 'site/index.html: cannot rename into place: Input/output error; the previous outputs were put back'
