#!/bin/sh
# Progress on stderr only when stderr is a terminal and the input is big
# (DESIGN 10): a 70 MB memory.csv read under script(1), which gives the
# command a terminal, shows a meter, erased at the end; the same read with
# stderr in a file, and a small file on a terminal, show none.
mr=${MEMREPORT:?MEMREPORT not set}
sim=${MEMSIM:?MEMSIM not set}
if ! command -v script >/dev/null 2>&1; then
    echo "SKIP progress: script(1) is not installed"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS progress: $1"; }
fail() { echo "FAIL progress: $1: $2"; }

"$sim" -o "$tmp/big" --relays 1000 --collections 620 --interval-hours 1 --manual 0 \
    --group A:flat --group B:leak >/dev/null
size=$(wc -c <"$tmp/big/memory.csv")
[ "$size" -gt 67108864 ] && pass "input is over 64 MiB ($size bytes)" || fail "input is over 64 MiB" "$size bytes"

script -q -e -c "\"$mr\" summary --format csv \"$tmp/big\" >/dev/null" "$tmp/tty.log" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 0 ] && pass "summary on a terminal exits 0" || fail "summary on a terminal exits 0" "status $rc"
grep -q 'reading .*memory.csv  *[0-9]*%' "$tmp/tty.log" && pass "meter shown on a terminal" ||
    fail "meter shown on a terminal" "$(tr '\r' '\n' <"$tmp/tty.log" | tail -n 3)"
esc=$(printf '\033')
grep -q "${esc}\[K" "$tmp/tty.log" && pass "meter erased when done" ||
    fail "meter erased when done" "no erase sequence"

"$mr" summary --format csv "$tmp/big" >/dev/null 2>"$tmp/err"
grep -q 'reading' "$tmp/err" && fail "no meter when stderr is a file" "$(head -c 200 "$tmp/err")" ||
    pass "no meter when stderr is a file"

script -q -e -c "\"$mr\" summary --format csv \"$TOP/data/example\" >/dev/null" "$tmp/small.log" >/dev/null 2>&1
grep -q 'reading' "$tmp/small.log" && fail "no meter for a small file" "$(tr '\r' '\n' <"$tmp/small.log" | tail -n 2)" ||
    pass "no meter for a small file"
exit 0
