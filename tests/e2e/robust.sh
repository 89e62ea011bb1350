#!/bin/sh
# robust.sh - failures that are not the data's: an archive whose counts
# cannot be right is read again from the CSVs with a warning, and running
# out of memory exits 3 with a message saying what was being done, no
# temporaries and the previous outputs intact, also inside cmark-gfm and
# jansson (MEMREPORT_FAIL_ALLOC).
# env: MEMREPORT (binary), MEMSIM, TOP (repo root).
: "${MEMREPORT:?}" "${TOP:?}"
mr=$MEMREPORT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600

# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# An archive whose stored counts are absurd (a damaged or edited file).
w=$work/exp
cp -R "$TOP/data/example" "$w"
rm -rf "$w/REPORT.md" "$w/charts" "$w/site" "$w/results.sqlite"
"$mr" build -q "$w" 2>"$work/err" || fail "damaged archive: first build" "$(cat "$work/err")"
outputs "$w" >"$work/clean"
if command -v sqlite3 >/dev/null 2>&1; then
    for set in "nrelays = 99999999" "ncollections = -5" "nrelays = 4000, ncollections = 4000000"; do
        sqlite3 "$w/results.sqlite" "UPDATE experiment SET $set"
        "$mr" build "$w" 2>"$work/err"
        rc=$?
        outputs "$w" >"$work/now"
        if [ "$rc" -eq 0 ] && grep -q 'results.sqlite: warning: cannot be used (.*damaged archive.*); the CSVs were read instead' "$work/err" &&
            cmp -s "$work/now" "$work/clean"; then
            pass "damaged archive ($set): read again from the CSVs with a warning, outputs as from a clean build"
        else
            fail "damaged archive ($set)" "exit $rc: $(cat "$work/err")"
        fi
    done
else
    echo "SKIP damaged archive: sqlite3 is not installed"
fi

# Out of memory. Address-space limits and sanitizers do not mix
# (sanitizer_build), so this runs on a plain build only.
if sanitizer_build "$mr"; then
    echo "SKIP out of memory: a sanitizer build cannot run under ulimit -v"
elif [ -z "${MEMSIM:-}" ]; then
    echo "SKIP out of memory: MEMSIM not set"
else
    big=$work/big
    "$MEMSIM" -o "$big" --relays 20000 --collections 10 >/dev/null
    "$mr" build -q "$big" 2>"$work/err" || fail "out of memory: first build" "$(cat "$work/err")"
    outputs "$big" >"$work/before"
    # A new input, so the CSVs are read again rather than the archive.
    printf '# Notes\n\nA new note.\n' >"$big/notes.md"
    (ulimit -v 120000 && "$mr" build -q "$big") 2>"$work/err"
    rc=$?
    outputs "$big" >"$work/after"
    if [ "$rc" -eq 3 ] && grep -qE '^memreport: out of memory \([0-9]+ more bytes\) while [a-z]' "$work/err" &&
        cmp -s "$work/before" "$work/after" && [ -z "$(leftovers "$big")" ]; then
        pass "out of memory: exit 3, '$(head -c 100 "$work/err")', previous outputs intact, no temporaries"
    else
        fail "out of memory" "exit $rc: $(head -c 300 "$work/err"); left: $(leftovers "$big" | head -n 3)"
    fi
fi

# Out of memory inside the libraries that take an allocator: cmark-gfm
# (notes.md; its own allocator aborts), jansson (experiment.json; it
# would report a JSON error) and libcsv (a quoted field of memory.csv; it
# would read as a malformed field). MEMREPORT_FAIL_ALLOC=LIB:N fails the N-th
# allocation LIB asks for, early and late; each build must exit 3 with
# the out-of-memory message (not abort), leave the previous outputs and
# no temporaries, and the next build must succeed.
w=$work/lib
cp -R "$TOP/data/example" "$w"
rm -rf "$w/REPORT.md" "$w/charts" "$w/site" "$w/results.sqlite"
# A quoted field on the last row: that line goes through libcsv.
sed -i '$ s/,relayhost,/,"relayhost",/' "$w/memory.csv"
"$mr" build -q "$w" 2>"$work/err" || fail "library allocators: first build" "$(cat "$work/err")"
outputs "$w" >"$work/before"
printf '\n## Later\n\n| a | b |\n|---|---|\n| 1 | 2 |\n' >>"$w/notes.md"
for hook in cmark-gfm:1 cmark-gfm:300 jansson:1 jansson:20 libcsv:1; do
    case $hook in
    cmark*) doing='rendering the report and charts' ;;
    jansson*) doing="reading $w/" ;;
    libcsv*)
        doing="reading $w/memory.csv"
        # The same rows in other bytes, so the CSV is read again.
        sed -i '$ s/,relay,/,"relay",/' "$w/memory.csv"
        ;;
    esac
    MEMREPORT_FAIL_ALLOC=$hook "$mr" build -q --force "$w" 2>"$work/err"
    rc=$?
    outputs "$w" >"$work/after"
    if [ "$rc" -eq 3 ] && grep -qE "^memreport: out of memory \([0-9]+ more bytes\) while $doing" "$work/err" &&
        cmp -s "$work/before" "$work/after" && [ -z "$(leftovers "$w")" ]; then
        pass "out of memory in ${hook%%:*} (allocation ${hook#*:}): exit 3, '$(head -n 1 "$work/err" | sed "s|$work/||")', previous outputs intact, no temporaries"
    else
        fail "out of memory in ${hook%%:*} (allocation ${hook#*:})" "exit $rc: $(head -c 300 "$work/err"); left: $(leftovers "$w" | head -n 3)"
    fi
done
"$mr" build -q "$w" 2>"$work/err" && grep -q 'Later' "$w/REPORT.md" && [ -z "$(leftovers "$w")" ] &&
    pass "library allocators: the next build succeeds" ||
    fail "library allocators: the next build" "$(cat "$work/err")"
