#!/bin/sh
# dir_swap.sh - an output folder (charts/, site/, site/data/, site/assets/)
# swapped for a symbolic link after the commit's last look at it and
# before its renames. The test hook MEMREPORT_PAUSE_COMMIT=MS holds the
# commit there, its journal written, while the folder is moved away and a
# link put in its place, to a copy of the folder as it is then (its
# temporaries and backups too). Nothing is written, linked, renamed or
# removed through the link (the copy stays byte for byte): every rename
# goes into the directory that was checked, wherever it now is, and the
# build exits 0 with the new files there; the next build refuses the link
# (exit 1). A build killed at that point, its folder then swapped for a
# link to one holding the temporaries it names, is not finished through
# the link: the next run refuses it (exit 1, the journal kept), and once
# the folder is back it completes the new set.
# env: MEMREPORT (binary), TOP (repo root).
: "${MEMREPORT:?}" "${TOP:?}"
mr=$MEMREPORT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600

# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# Generation A: the example less its last tenth of rows, built with
# --publish-archive; a build with every row and without it (generation B)
# then rewrites every folder and removes site/data/results.sqlite. Every
# build runs in $w, since REPORT.md names the directory it was built in.
w=$work/w
grown_example "$work"
"$mr" build -q --publish-archive "$w" 2>"$work/err" || { fail "build A" "$(cat "$work/err")"; exit 0; }
cp "$work/full/memory.csv" "$w/memory.csv"
mv "$w" "$work/snap-a"
start() { rm -rf "$w" && cp -R "$work/snap-a" "$w"; }
start
"$mr" build -q "$w" 2>"$work/err" || { fail "build B" "$(cat "$work/err")"; exit 0; }
mv "$w" "$work/ref-b"

# held_build: starts a build held before its renames ($held: its pid)
# and returns once its journal is in place; false when it never is.
held_build() {
    MEMREPORT_PAUSE_COMMIT=${1:-3000} "$mr" build -q "$w" >/dev/null 2>"$work/err" &
    held=$!
    n=0
    until [ -f "$w/.memreport.journal" ] || [ "$n" -ge 400 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    [ -f "$w/.memreport.journal" ]
}

# swap SUB: moves $w/SUB to SUB.real and puts a link to $other in its place.
swap() {
    mv "$w/$1" "$w/$1.real" && ln -s "$other" "$w/$1"
}

other=$work/other
for sub in charts site site/data site/assets; do
    start
    tree "$work/ref-b/$sub" >"$work/want"
    if ! held_build; then
        wait "$held"
        fail "$sub swapped before the renames" "the journal never appeared: $(cat "$work/err")"
        continue
    fi
    # The link leads to a copy of the folder as the held commit left it,
    # with its temporaries and backups: every name a rename, link or
    # unlink by path would use has a file there to take.
    rm -rf "$other" && cp -R "$w/$sub" "$other"
    tree "$other" >"$work/other.before"
    swap "$sub"
    wait "$held"
    rc=$?
    tree "$other" >"$work/other.after"
    tree "$w/$sub.real" >"$work/now"
    if [ "$rc" -ne 0 ]; then
        fail "$sub swapped before the renames" "exit $rc: $(cat "$work/err")"
    elif ! cmp -s "$work/other.before" "$work/other.after"; then
        fail "$sub swapped before the renames" "written through the link: $(diff "$work/other.before" "$work/other.after" | head -n 4)"
    elif ! cmp -s "$work/now" "$work/want" || ! cmp -s "$w/REPORT.md" "$work/ref-b/REPORT.md"; then
        fail "$sub swapped before the renames" "the new set is not in the moved folder: $(diff "$work/now" "$work/want" | head -n 4)"
    elif [ -n "$(leftovers "$w")" ] || [ ! -L "$w/$sub" ]; then
        fail "$sub swapped before the renames" "left: $(leftovers "$w" | head -n 3)"
    else
        "$mr" build -q "$w" 2>"$work/err"
        rc=$?
        tree "$other" >"$work/other.after"
        if [ "$rc" -eq 1 ] && grep -q "^memreport: $w/$sub: is a symbolic link (to $other)" "$work/err" &&
            cmp -s "$work/other.before" "$work/other.after"; then
            pass "$sub swapped for a link before the renames: nothing through the link, the new set in the moved folder; the next build refuses the link (exit 1)"
        else
            fail "$sub: the build after the swap" "exit $rc: $(cat "$work/err")"
        fi
    fi
done

# Killed while held, charts/ then swapped for a link to a folder holding
# every temporary the journal names there: the next run finishes nothing
# through it, and once the folder is back it completes the new set.
start
rm -rf "$other" && cp -R "$work/snap-a/charts" "$other"
if ! held_build 20000; then
    kill -9 "$held" 2>/dev/null
    wait "$held"
    fail "killed, then charts swapped" "the journal never appeared: $(cat "$work/err")"
    exit 0
fi
kill -9 "$held"
wait "$held" 2>/dev/null
swap charts
cut -f 1 "$w/.memreport.journal" | grep '/charts/\.' | while read -r t; do
    echo decoy >"$other/$(basename "$t")"
done
tree "$other" >"$work/other.before"
decoys=$(grep -c '\.tmp-' "$work/other.before")
"$mr" build -q "$w" 2>"$work/err"
rc=$?
tree "$other" >"$work/other.after"
if [ "$decoys" -eq 0 ] || [ "$rc" -ne 1 ] || [ ! -f "$w/.memreport.journal" ] ||
    ! grep -q "^memreport: $w/charts: is a symbolic link" "$work/err" ||
    ! cmp -s "$work/other.before" "$work/other.after"; then
    fail "killed, then charts swapped" "$decoys temporaries named, exit $rc, journal $([ -f "$w/.memreport.journal" ] && echo kept || echo gone): $(cat "$work/err"); $(diff "$work/other.before" "$work/other.after" | head -n 3)"
    exit 0
fi
rm "$w/charts" && mv "$w/charts.real" "$w/charts"
"$mr" build -q "$w" 2>"$work/err"
rc=$?
outputs "$w" >"$work/now"
outputs "$work/ref-b" >"$work/want"
tree "$other" >"$work/other.after"
if [ "$rc" -eq 0 ] && cmp -s "$work/now" "$work/want" && [ -z "$(leftovers "$w")" ] &&
    grep -q 'completed the outputs of an interrupted run' "$work/err" &&
    cmp -s "$work/other.before" "$work/other.after"; then
    pass "killed before the renames, charts then a link: refused (exit 1, journal kept, $decoys temporaries of its name in the target untouched); with the folder back, the new set whole"
else
    fail "killed, then charts swapped: the build once the folder is back" "exit $rc, $(cmp -s "$work/now" "$work/want" && echo B || echo "not B"): $(cat "$work/err")"
fi
