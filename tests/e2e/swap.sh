#!/bin/sh
# swap.sh - an input replaced by a FIFO after memreport looked at it and
# before it opened it: refused as not a regular file (exit 1, the file
# named), never waited on. strace holds the open of that file for two
# seconds (inject=openat:delay_enter) while the file is swapped, so the
# window that a plain check-then-open leaves is hit every time. Each case
# runs under timeout: an open that blocks on the FIFO fails the case.
# env: MEMREPORT, MEMSIM, TOP
set -u
mr=${MEMREPORT:?MEMREPORT not set}
MEMSIM=${MEMSIM:?MEMSIM not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lib.sh
. "${TOP:?TOP not set}/tests/lib.sh"
# LeakSanitizer cannot run under ptrace (it would exit 1 like a refusal).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if ! why=$(strace_usable); then
    echo "SKIP swap: $why"
    exit 0
fi
"$MEMSIM" -o "$tmp/src" --seed 2 --relays 4 --days 2 >/dev/null ||
    { echo "FAIL swap: memsim failed"; exit 0; }

# swap NAME FILE: runs `memreport check` and replaces FILE by a FIFO once
# the last look before its open is done.
swap() {
    name=$1 file=$2
    d=$tmp/$name
    rm -rf "$d" && cp -R "$tmp/src" "$d"
    p=$d/$file
    : >"$tmp/trace"
    timeout 30 strace -f -o "$tmp/trace" -P "$p" -e trace=newfstatat,openat \
        -e inject=openat:delay_enter=2000000 "$mr" check -q "$d" >/dev/null 2>"$tmp/err" &
    pid=$!
    # The look before the open: a stat of the file itself (flags 0, that
    # is following symlinks), answered "regular". What comes next is the
    # open, held for two seconds.
    n=0
    until grep -q "\"$p\", {st_mode=S_IFREG.*}, 0) = 0" "$tmp/trace" 2>/dev/null || [ "$n" -ge 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    mv "$p" "$p.away" && mkfifo "$p"
    wait "$pid"
    rc=$?
    if [ "$n" -ge 200 ]; then
        echo "FAIL swap $name: the stat before the open was not seen: $(head -n 3 "$tmp/trace")"
    elif [ "$rc" = 1 ] && grep -q "$file: not a regular file (a FIFO)" "$tmp/err" &&
        grep -q "openat(.*\"$p\".*DELAYED" "$tmp/trace"; then
        echo "PASS swap $name: $file replaced by a FIFO before its open: exit 1, named"
    else
        echo "FAIL swap $name: exit $rc (124: it waited on the FIFO): $(head -n 2 "$tmp/err")"
    fi
}

swap memory memory.csv
swap events events.csv
swap groupfile "$(cd "$tmp/src" && ls groups/* | head -n 1)"
