#!/bin/sh
# archive_beside.sh - the files left beside an experiment kept as its
# results.sqlite alone. notes.md is read (the page renders it), so an edit,
# a removal or a new one is a new build, never "up to date", and the
# report's list of inputs gives the notes' hash as it is now. The other
# files a build from the CSVs would read are not: one that differs from
# the archive's record, or is new, is named in a warning (by build, again
# when it is up to date, and by summary and check), and the figures stay the
# archive's. Files removed (the usual way to keep an archive) say nothing;
# init there says that no manifest is needed.
: "${MEMREPORT:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS archive_beside: $1"; }
fail() { echo "FAIL archive_beside: $1: $2"; }
check() { # name, then a command that must succeed
    n=$1
    shift
    if "$@"; then pass "$n"; else fail "$n" "$(head -c 300 "$work/err" | tr '\n' ' ')"; fi
}
not() { ! "$@"; }
x=$work/exp
cp -r "$TOP/data/example" "$x"
rm -rf "$x/REPORT.md" "$x/charts" "$x/site" "$x/results.sqlite"
"$MEMREPORT" build -q "$x" 2>"$work/err" || { fail "build from the CSVs" "exit $?"; exit 0; }
"$MEMREPORT" summary "$x" --format csv >"$work/summary.csv" 2>/dev/null
rm "$x/memory.csv"
"$MEMREPORT" build "$x" 2>"$work/err"
check "build from the archive kept with its side files" [ $? -eq 0 ]
check "nothing beside it is said to be unread while all are as recorded" \
    not grep -q 'not read' "$work/err"
cp "$x/REPORT.md" "$work/REPORT.before"
up_to_date() { "$MEMREPORT" build "$x" 2>"$work/err" && grep -q "are up to date" "$work/err"; }
notes_row() { grep -F "| notes.md |" "$x/REPORT.md" | grep -o '[0-9a-f]\{64\}'; }

# notes.md: read, so keyed as it is now.
echo "Marker line written after the memory CSV was removed." >>"$x/notes.md"
check "an edited notes.md is a new build" not up_to_date
check "the edited notes are in REPORT.md" grep -q "Marker line written after" "$x/REPORT.md"
want=$(sha256sum "$x/notes.md" | cut -d' ' -f1)
check "REPORT.md lists notes.md with its hash now" [ "$(notes_row)" = "$want" ]
check "the next build is up to date" up_to_date
rm "$x/notes.md"
check "a removed notes.md is a new build" not up_to_date
check "the removed notes leave REPORT.md" not grep -q 'Marker line written after' "$x/REPORT.md"
check "REPORT.md no longer lists notes.md" [ -z "$(notes_row)" ]
cp "$TOP/data/example/notes.md" "$x/notes.md"
"$MEMREPORT" build -q "$x" 2>"$work/err"
check "notes.md put back is listed with its hash" \
    [ "$(notes_row)" = "$(sha256sum "$x/notes.md" | cut -d' ' -f1)" ]
check "and REPORT.md is as before the edits" cmp -s "$work/REPORT.before" "$x/REPORT.md"

# events.csv and the others: not read, said.
echo '2026-11-10T03:30:00,restart,"A restart added later",D' >>"$x/events.csv"
"$MEMREPORT" build "$x" 2>"$work/err"
check "an edited events.csv: exit 0" [ $? -eq 0 ]
check "an edited events.csv is named as not read" \
    grep -q "$x/events.csv: warning: not read: it differs from the file results.sqlite was made from" "$work/err"
check "REPORT.md keeps the archive's figures" cmp -s "$work/REPORT.before" "$x/REPORT.md"
"$MEMREPORT" build -v "$x" 2>"$work/err"
check "up to date, the next build says it again" \
    sh -c "grep -q 'are up to date' '$work/err' && grep -q 'events.csv: warning: not read' '$work/err'"
"$MEMREPORT" summary "$x" --format csv >"$work/summary.arch" 2>"$work/err"
check "summary says it too" grep -q "events.csv: warning: not read" "$work/err"
check "summary's figures are the archive's" cmp -s "$work/summary.csv" "$work/summary.arch"
"$MEMREPORT" check "$x" >"$work/out" 2>"$work/err"
check "check says it too, as a warning (exit 0)" \
    sh -c "[ $? -eq 0 ] && grep -q 'events.csv: warning: not read' '$work/err'"
printf 'relay,group\n' >"$x/relay_config.csv"
"$MEMREPORT" build "$x" 2>"$work/err"
check "a new relay_config.csv is named as not read" \
    grep -q "relay_config.csv: warning: not read: results.sqlite was made without it" "$work/err"
g=$(ls "$x"/groups/group_*.txt | head -n 1)
echo "# a comment added later" >>"$g"
"$MEMREPORT" build "$x" 2>"$work/err"
check "an edited group file is named as not read" \
    grep -q "$(basename "$g"): warning: not read" "$work/err"
check "every changed file is named, once each" [ "$(grep -c 'not read' "$work/err")" -eq 3 ]

# Back as recorded, then nothing beside it: no warning either way.
cp "$TOP/data/example/events.csv" "$x/events.csv"
cp "$TOP/data/example/groups/$(basename "$g")" "$g"
rm "$x/relay_config.csv"
"$MEMREPORT" build "$x" 2>"$work/err"
check "the files as recorded again: no warning" not grep -q 'not read' "$work/err"
find "$x" -mindepth 1 -maxdepth 1 ! -name results.sqlite -exec rm -rf {} +
"$MEMREPORT" build "$x" 2>"$work/err"
check "the archive alone: exit 0, no warning" sh -c "[ $? -eq 0 ] && ! grep -q 'not read' '$work/err'"
"$MEMREPORT" init "$x" 2>"$work/err"
check "init beside an archive kept alone says it needs no manifest (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q 'so every command works without experiment.json' '$work/err'"
check "and writes none" [ ! -e "$x/experiment.json" ]
exit 0
