#!/bin/sh
# build_record.sh - a build with nothing changed since the last one
# (EXPDIR/.memreport.build) reads no samples, renders nothing and writes
# nothing: every file keeps its bytes, inode and modification time, every
# directory its modification time, and it prints the same warnings as a
# normal rebuild. Whatever feeds the outputs changes, the build is a real
# one again and its outputs equal a build from scratch of a fresh copy:
# an option (--theme), a template or an asset (MEMREPORT_DATA_DIR),
# notes.md, a site-theme file, SOURCE_DATE_EPOCH, an output deleted or
# edited, a record truncated, garbage, of another version or naming a
# FIFO, --force over a hand-edited REPORT.md, rows appended to memory.csv.
# --publish-archive, -o and --single-file elsewhere, an archive-only
# experiment and --strict keep working.
# env: MEMREPORT, MEMSIM, TOP
mr=${MEMREPORT:?MEMREPORT not set}
MEMSIM=${MEMSIM:?MEMSIM not set}
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS build_record: $1"; }
fail() { echo "FAIL build_record: $1${2:+: $2}"; }
rec=.memreport.build

mkdir "$tmp/a" "$tmp/full"
# A restart group: its events give a warning every build prints.
"$MEMSIM" -o "$tmp/full/exp" --seed 7 --relays 12 --days 6 --group A:flat \
    --group B:restart:rate=0.4:every=36h >/dev/null || { fail "memsim"; exit 0; }
cp -R "$tmp/full/exp" "$tmp/a/exp"
(cd "$tmp/full" && "$mr" build -q exp) || fail "build of the full experiment"
# The experiment built from its first days, then the rest appended.
awk -F, 'NR == 1 || $1 < "2026-01-05"' "$tmp/full/exp/memory.csv" >"$tmp/a/exp/memory.csv"

# mrb ARGS...: memreport build -vv ARGS exp in $tmp/a, stderr in $tmp/err.
mrb() { (cd "$tmp/a" && "$mr" build -vv "$@" exp) >/dev/null 2>"$tmp/err"; }
cached() { grep -q 'up to date (nothing changed since the last build)' "$tmp/err"; }
# Every file and directory under the outputs: path, inode, mtime, bytes.
snap() {
    find "$@" -printf '%p %i %T@\n' | sort
    find "$@" -type f -exec sha256sum {} + | sort
}
outs="$tmp/a/exp $tmp/post.html $tmp/site2"
# fresh NAME ARGS...: the outputs of exp equal those of a build from scratch
# of a copy of its inputs with ARGS (the archive's bytes left out).
fresh() {
    name=$1
    shift
    rm -rf "$tmp/f" && mkdir "$tmp/f" && cp -R "$tmp/a/exp" "$tmp/f/exp" &&
        rm -rf "$tmp/f/exp/REPORT.md" "$tmp/f/exp/charts" "$tmp/f/exp/site" \
            "$tmp/f/exp/results.sqlite" "$tmp/f/exp/$rec"
    (cd "$tmp/f" && "$mr" build -q "$@" exp) || { fail "$name: the build from scratch"; return; }
    if d=$(diff -r -x results.sqlite -x "$rec" "$tmp/a/exp" "$tmp/f/exp" 2>&1); then
        pass "$name: outputs equal a build from scratch"
    else
        fail "$name: outputs differ from a build from scratch" "$(echo "$d" | head -n 3)"
    fi
}
# real NAME ARGS...: a build that must not use the record.
real() {
    name=$1
    shift
    if mrb "$@" && ! cached && grep -q 'a full build' "$tmp/err"; then
        pass "$name: a real build"
    else
        fail "$name: not a real build" "$(grep -v writing "$tmp/err" | head -n 3)"
    fi
}
# again NAME ARGS...: the same build once more uses the record.
again() {
    name=$1
    shift
    snap $outs >"$tmp/before" 2>/dev/null
    if mrb "$@" && cached && snap $outs 2>/dev/null | cmp -s - "$tmp/before"; then
        pass "$name: the next build writes nothing"
    else
        fail "$name: the next build is not up to date" "$(grep -v writing "$tmp/err" | head -n 2)"
    fi
}

real "first build"
again "first build"
# A normal rebuild from the archive (--force skips the record) prints the
# same messages as the one that used the record.
mrb
grep -v 'up to date\|inputs unchanged\|nothing to write' "$tmp/err" >"$tmp/err.cached"
mrb --force
grep -v 'writing\|wrote\|inputs unchanged\|a full build' "$tmp/err" >"$tmp/err.normal"
if grep -q 'warning: .*restart events' "$tmp/err.cached" && cmp -s "$tmp/err.cached" "$tmp/err.normal"; then
    pass "the record's build prints the warnings a normal rebuild prints"
else
    fail "warnings differ from a normal rebuild" "$(diff "$tmp/err.cached" "$tmp/err.normal" | head -n 3)"
fi
(cd "$tmp/a" && "$mr" build -q exp) 2>"$tmp/err"
[ -s "$tmp/err" ] && fail "-q: the record's build prints" "$(head -n 1 "$tmp/err")" ||
    pass "-q: the record's build prints nothing"
# The binary with the feature, shown: no journal, no temporary, not even
# the directories' times moved (a normal rebuild writes its journal).
snap "$tmp/a/exp" >"$tmp/before"
mrb --force
snap "$tmp/a/exp" | cmp -s - "$tmp/before" && fail "--force writes nothing (no journal?)" ||
    pass "--force is a real build (its journal moves EXPDIR's time)"
(cd "$tmp/a" && "$mr" build --force exp) >/dev/null 2>"$tmp/err"
grep -q '^memreport: wrote ' "$tmp/err" && pass "--force: a real build at the default verbosity" ||
    fail "--force: not a real build at the default verbosity" "$(tail -n 1 "$tmp/err")"
snap "$tmp/a/exp" >"$tmp/before"
(cd "$tmp/a" && "$mr" build -q --force exp) 2>/dev/null
snap "$tmp/a/exp" | cmp -s - "$tmp/before" && fail "--force -q writes nothing (no journal?)" ||
    pass "--force -q is a real build"
mrb
again "after --force"

# Rows appended: a real build that reads only them; the report is the
# full experiment's.
cat "$tmp/full/exp/memory.csv" >"$tmp/a/exp/memory.csv"
real "memory.csv appended"
grep -q 'memory.csv grew' "$tmp/err" && pass "memory.csv appended: only the new rows read" ||
    fail "memory.csv appended: not read as an append" "$(grep -v writing "$tmp/err" | head -n 2)"
d=$(diff -r -x results.sqlite -x "$rec" "$tmp/full/exp" "$tmp/a/exp") &&
    pass "memory.csv appended: outputs equal the full experiment's" ||
    fail "memory.csv appended: outputs differ from the full experiment's" "$(echo "$d" | head -n 3)"
again "memory.csv appended"
rm -rf "$tmp/orig" && cp -R "$tmp/a/exp" "$tmp/orig"
same_as_orig() {
    d=$(diff -r -x results.sqlite -x "$rec" "$tmp/orig" "$tmp/a/exp") && pass "$1: outputs as before" ||
        fail "$1: outputs differ from before" "$(echo "$d" | head -n 3)"
}

real "--theme dark" --theme dark
cmp -s "$tmp/orig/site/index.html" "$tmp/a/exp/site/index.html" && fail "--theme dark: same page"
fresh "--theme dark" --theme dark
again "--theme dark" --theme dark
real "--theme back to auto"
same_as_orig "--theme back to auto"

# A copy of the templates and assets: the same bytes elsewhere, then edits.
mkdir "$tmp/data" && cp -R "$top/templates" "$top/assets" "$tmp/data/"
export MEMREPORT_DATA_DIR="$tmp/data"
real "MEMREPORT_DATA_DIR elsewhere"
same_as_orig "MEMREPORT_DATA_DIR elsewhere"
again "MEMREPORT_DATA_DIR elsewhere"
echo '<!-- an edited template -->' >>"$tmp/data/templates/experiment.html.tpl"
real "a template edited"
grep -q 'an edited template' "$tmp/a/exp/site/index.html" || fail "a template edited: not in the page"
fresh "a template edited"
echo '/* an edited asset */' >>"$tmp/data/assets/style.css"
real "an asset edited"
grep -q 'an edited asset' "$tmp/a/exp/site/assets/style.css" || fail "an asset edited: not in the site"
fresh "an asset edited"
again "an asset edited"
unset MEMREPORT_DATA_DIR
real "MEMREPORT_DATA_DIR unset"
same_as_orig "MEMREPORT_DATA_DIR unset"

printf '# Notes\n\nFirst words.\n' >"$tmp/a/exp/notes.md"
real "notes.md added"
again "notes.md added"
printf '# Notes\n\nOther words.\n' >"$tmp/a/exp/notes.md"
real "notes.md edited"
grep -q 'Other words' "$tmp/a/exp/REPORT.md" || fail "notes.md edited: not in REPORT.md"
fresh "notes.md edited"
rm "$tmp/a/exp/notes.md"

mkdir "$tmp/a/exp/site-theme"
echo '<p>The operators</p>' >"$tmp/a/exp/site-theme/header.html"
echo 'header { color: #123; }' >"$tmp/a/exp/site-theme/style.css"
real "a site theme added"
again "a site theme added"
echo 'header { color: #456; }' >"$tmp/a/exp/site-theme/style.css"
real "a site-theme file edited"
fresh "a site-theme file edited"
echo '<p>Other operators</p>' >"$tmp/a/exp/site-theme/header.html"
real "a site-theme fragment edited"
fresh "a site-theme fragment edited"
rm -r "$tmp/a/exp/site-theme"
real "the site theme removed"
rmdir "$tmp/a/exp/site/assets/theme" # its files are removed, the folder stays
same_as_orig "the site theme removed"

export SOURCE_DATE_EPOCH=1767312000
real "SOURCE_DATE_EPOCH set"
again "SOURCE_DATE_EPOCH set"
export SOURCE_DATE_EPOCH=1767398400
real "SOURCE_DATE_EPOCH changed"
fresh "SOURCE_DATE_EPOCH changed"
unset SOURCE_DATE_EPOCH
real "SOURCE_DATE_EPOCH unset"
same_as_orig "SOURCE_DATE_EPOCH unset"

rm "$tmp/a/exp/charts/memory_total.svg"
real "an output deleted"
same_as_orig "an output deleted"
echo '<!-- edited -->' >>"$tmp/a/exp/charts/memory_total.svg"
real "a chart edited"
same_as_orig "a chart edited"
echo 'p { }' >>"$tmp/a/exp/site/assets/style.css"
real "a site file edited"
same_as_orig "a site file edited"
chmod 600 "$tmp/a/exp/site/index.html"
real "an output's mode changed"
again "an output's mode changed"
ln "$tmp/a/exp/REPORT.md" "$tmp/report-link"
real "an output with a second link"
rm "$tmp/report-link"

echo 'my own text' >>"$tmp/a/exp/REPORT.md"
mrb
grep -q 'edited since memreport wrote it' "$tmp/err" && pass "a hand-edited REPORT.md is refused" ||
    fail "a hand-edited REPORT.md is not refused" "$(head -n 2 "$tmp/err")"
real "--force over a hand-edited REPORT.md" --force
same_as_orig "--force over a hand-edited REPORT.md"

# The record itself: any doubt means a real build, which writes it anew.
r=$tmp/a/exp/$rec
truncate -s 200 "$r"
real "a truncated record"
again "a truncated record"
head -c 4000 /dev/urandom >"$r"
real "a record of garbage"
same_as_orig "a record of garbage"
# resum FILE: its last line a checksum of the others, as memreport writes it.
resum() {
    sed '$d' "$1" >"$1.body" && printf 'end %s\n' "$(sha256sum <"$1.body" | cut -d' ' -f1)" >>"$1.body" &&
        mv "$1.body" "$1"
}
mrb
sed -i '1s/record 1/record 2/' "$r" && resum "$r"
real "a record of another version"
mrb
sed -i "2s/^key .*/key $(printf '%064d' 0)/" "$r" && resum "$r"
real "a record of other inputs"
mrb
mkfifo "$tmp/fifo"
sed -i '$d' "$r"
printf 'file 0 %s %s\nfile 5 %s /dev/zero\nend x\n' "$(sha256sum </dev/null | cut -d' ' -f1)" \
    "$tmp/fifo" "$(head -c 5 /dev/zero | sha256sum | cut -d' ' -f1)" >>"$r"
resum "$r"
if timeout 60 sh -c "cd '$tmp/a' && '$mr' build -vv exp" >/dev/null 2>"$tmp/err" && ! cached; then
    pass "a record naming a FIFO: a real build, no hang"
else
    fail "a record naming a FIFO" "$(head -n 2 "$tmp/err")"
fi
same_as_orig "a record naming a FIFO"

# --publish-archive: the download is the archive's second name.
real "--publish-archive" --publish-archive
again "--publish-archive" --publish-archive
[ "$(stat -c %i "$tmp/a/exp/results.sqlite")" = "$(stat -c %i "$tmp/a/exp/site/data/results.sqlite")" ] ||
    fail "--publish-archive: the download is not the archive"
rm "$tmp/a/exp/site/data/results.sqlite"
real "--publish-archive, the download deleted" --publish-archive
[ -f "$tmp/a/exp/site/data/results.sqlite" ] || fail "--publish-archive: the download is not back"
real "--publish-archive off"
[ -e "$tmp/a/exp/site/data/results.sqlite" ] && fail "--publish-archive off: the download stays"
same_as_orig "--publish-archive off"

# -o elsewhere, --single-file outside the experiment.
set -- -o "$tmp/site2" --single-file "$tmp/post.html"
real "-o and --single-file elsewhere" "$@"
again "-o and --single-file elsewhere" "$@"
cp "$tmp/post.html" "$tmp/post.before"
echo '<!-- mine -->' >>"$tmp/post.html"
real "--single-file edited" "$@"
cmp -s "$tmp/post.html" "$tmp/post.before" && pass "--single-file edited: written again" ||
    fail "--single-file edited: not written again"
rm "$tmp/site2/index.html"
real "-o: the page deleted" "$@"
[ -f "$tmp/site2/index.html" ] || fail "-o: the page is not back"
set --

# A concluded experiment kept as its archive: no CSVs to hash.
mkdir "$tmp/c" && cp -R "$tmp/a/exp" "$tmp/c/exp" && rm "$tmp/c/exp"/*.csv
(cd "$tmp/c" && "$mr" build -vv exp) >/dev/null 2>"$tmp/err" && ! cached &&
    (cd "$tmp/c" && "$mr" build -vv exp) >/dev/null 2>"$tmp/err" && cached &&
    pass "archive only: the second build is up to date" ||
    fail "archive only" "$(grep -v writing "$tmp/err" | head -n 2)"
touch "$tmp/c/exp/results.sqlite"
(cd "$tmp/c" && "$mr" build -vv exp) >/dev/null 2>"$tmp/err" && ! cached &&
    pass "archive only: an archive touched is read again" ||
    fail "archive only: an archive touched" "$(grep -v writing "$tmp/err" | head -n 2)"

# --strict: warnings that fail it fail every time, record or not.
printf '2026-01-09T00:00:00,sim' >>"$tmp/a/exp/memory.csv"
mrb && mrb && cached || fail "a partial last line: the second build is not up to date"
ok=1
for k in 1 2; do
    mrb --strict
    rc=$?
    { [ "$rc" -eq 1 ] && ! cached; } || ok=0
done
[ "$ok" -eq 1 ] && pass "--strict fails each time after a build whose warnings it refuses" ||
    fail "--strict after a build with warnings" "$(head -n 2 "$tmp/err")"
