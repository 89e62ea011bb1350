#!/bin/sh
# lock_order.sh - the output locks never wait for each other in a circle.
# A build locks its experiment directory and then its -o site directory;
# two builds, each with the other's experiment as its -o, would each hold
# one and wait for the other forever. strace holds each build's second
# lock attempt for a second, so both hold their first lock when they try
# the second: the deadlock's window is hit every time. And a build whose
# -o is its own experiment directory does not wait for itself.
# env: MEMREPORT, MEMSIM, TOP
set -u
mr=${MEMREPORT:?MEMREPORT not set}
MEMSIM=${MEMSIM:?MEMSIM not set}
# shellcheck source=tests/lib.sh
. "${TOP:?TOP not set}/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# LeakSanitizer cannot run under ptrace (it exits 1); the plain runs check leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

"$MEMSIM" -o "$tmp/src" --seed 4 --relays 4 --days 2 >/dev/null ||
    { echo "FAIL lock_order: memsim failed"; exit 0; }

cp -R "$tmp/src" "$tmp/same"
if timeout 30 "$mr" build -q "$tmp/same" -o "$tmp/same/" >/dev/null 2>"$tmp/err" &&
    [ -f "$tmp/same/REPORT.md" ] && [ -f "$tmp/same/index.html" ]; then
    echo "PASS lock_order: build X -o X locks X once and finishes"
else
    echo "FAIL lock_order: build X -o X: $(head -n 2 "$tmp/err")"
fi

if ! why=$(strace_usable); then
    echo "SKIP lock_order crossed: $why"
    exit 0
fi
cp -R "$tmp/src" "$tmp/x"
cp -R "$tmp/src" "$tmp/y"
crossed() { # EXPDIR SITE NAME
    timeout 60 strace -f -o /dev/null -e trace=flock -e inject=flock:delay_enter=1000000:when=2 \
        "$mr" build "$1" -o "$2" >/dev/null 2>"$tmp/$3.err"
    echo $? >"$tmp/$3.rc"
}
crossed "$tmp/x" "$tmp/y" a &
crossed "$tmp/y" "$tmp/x" b &
wait
ra=$(cat "$tmp/a.rc") rb=$(cat "$tmp/b.rc")
if [ "$ra" = 0 ] && [ "$rb" = 0 ] && grep -q "is being written by another memreport" "$tmp/a.err" "$tmp/b.err" &&
    "$mr" build -vv "$tmp/x" -o "$tmp/y" 2>&1 >/dev/null | grep -q "are up to date"; then
    echo "PASS lock_order: two builds with crossed -o both finish (one waited for the other)"
else
    echo "FAIL lock_order: crossed builds exit $ra and $rb (124: deadlocked): $(cat "$tmp/a.err" "$tmp/b.err" | head -n 3)"
fi
