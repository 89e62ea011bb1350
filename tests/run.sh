#!/bin/sh
# Runs every unit test program and end-to-end script, counts PASS/FAIL lines
# and ends with "N passed, N failed". A program that crashes or exits
# non-zero without printing a FAIL line counts as one failure.
# usage: tests/run.sh BUILDDIR
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
abs=$(cd "$build" && pwd)
passed=0
failed=0
skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
    name=$1
    shift
    "$@" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    s=$(grep -c '^SKIP ' "$log")
    grep -E '^(FAIL|SKIP) ' "$log" | sed "s|^|$name: |"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$name: FAIL exited with status $rc"
        tail -n 20 "$log" | sed "s|^|    |"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    echo "$name: $p passed, $f failed"
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" env TOP="$top" "$t"
done
for t in "$top"/tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    run_one "$(basename "$t")" env MEMREPORT="$abs/memreport" MEMSIM="$abs/memsim" BUILD="$abs" TOP="$top" sh "$t"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
