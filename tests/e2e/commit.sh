#!/bin/sh
# commit.sh - the output set switches as one (docs/architecture.md, "The
# commit"): a SIGKILL at every rename of a build (strace's fault
# injection on renameat, the call the commit renames with) leaves, once
# the next run has recovered, every output of one generation and no
# temporaries; a rename that fails puts the previous
# set back; two builds at once leave one generation; a held lock is
# waited for and its holder named; leftovers of killed runs are swept.
# (Symlinked output folders: symlinks.sh.)
# Runs on the bundled example, on the real 5-way data when it is beside
# the repository, and (MEMREPORT_KILL_BIG=1) on a memsim experiment of
# 300 relays x 2,000 collections.
# env: MEMREPORT (binary), MEMSIM, TOP (repo root).
: "${MEMREPORT:?}" "${TOP:?}"
mr=$MEMREPORT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600

# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# Every build runs in $work/NAME/w, since REPORT.md names the directory
# it was built in. prepare NAME SRC: $work/NAME/snap-a is that directory
# with SRC's inputs less their last tenth and the outputs built from them
# with --publish-archive (generation A), snap-b the same with all of SRC's inputs and their
# outputs (generation B); A and B list the outputs of each.
prepare() {
    name=$1 src=$2
    base=$work/$name
    w=$base/w
    mkdir -p "$base"
    cp -R "$src" "$base/full"
    chmod -R u+w "$base/full"
    rm -rf "$base/full/REPORT.md" "$base/full/charts" "$base/full/site" "$base/full/results.sqlite"
    cp -R "$base/full" "$w"
    lines=$(wc -l <"$base/full/memory.csv")
    head -n $((lines * 9 / 10)) "$base/full/memory.csv" >"$w/memory.csv"
    # A publishes the archive and B does not, so the A -> B commit also
    # removes site/data/results.sqlite (a removal among the renames).
    "$mr" build -q --publish-archive "$w" 2>"$base/err" || { fail "$name: build A" "$(cat "$base/err")"; return 1; }
    outputs "$w" >"$base/A"
    cp -R "$w" "$base/snap-a"
    cp "$base/full/memory.csv" "$w/memory.csv"
    "$mr" build -q "$w" 2>"$base/err" || { fail "$name: build B" "$(cat "$base/err")"; return 1; }
    outputs "$w" >"$base/B"
    mv "$w" "$base/snap-b"
    if cmp -s "$base/A" "$base/B"; then
        fail "$name: generations differ" "A and B are the same bytes"
        return 1
    fi
    return 0
}

# start NAME SNAP: $work/NAME/w is a fresh copy of snap-SNAP, with all the
# inputs (so a build there makes generation B).
start() {
    rm -rf "$work/$1/w"
    cp -R "$work/$1/snap-$2" "$work/$1/w"
    cp "$work/$1/full/memory.csv" "$work/$1/w/memory.csv"
}

# The state a directory is in: A, B, or MIXED.
generation() {
    outputs "$1" >"$work/now"
    if cmp -s "$work/now" "$2/A"; then echo A
    elif cmp -s "$work/now" "$2/B"; then echo B
    else echo MIXED; fi
}

# kill_test NAME: SIGKILL at each rename of the A -> B build in turn.
kill_test() {
    name=$1
    base=$work/$name
    if ! why=$(strace_usable); then
        echo "SKIP $name: kill at every rename: $why"
        return
    fi
    start "$name" a
    strace -f -o "$base/trace" -e trace="$RENAME_CALLS" "$mr" build -q "$base/w" 2>/dev/null
    points=$(grep -cE "$RENAME_RE" "$base/trace")
    if [ "$points" -lt 5 ]; then
        fail "$name: rename points" "only $points renames traced"
        return
    fi
    bad=0 seen_a=0 seen_b=0 n=1
    while [ "$n" -le "$points" ]; do
        start "$name" a
        w=$base/w
        strace -f -o /dev/null -e trace="$RENAME_CALLS" -e inject="$RENAME_CALLS":signal=SIGKILL:when=$n \
            "$mr" build -q "$w" >/dev/null 2>&1
        rc=$?
        if [ "$rc" -eq 0 ]; then
            fail "$name: kill at rename $n" "the build was not killed"
            bad=1
        fi
        # The next run recovers under the lock before it reads anything;
        # with an input it refuses, that is all it changes.
        cp "$w/memory.csv" "$base/good.csv"
        echo 'not,a,row' >>"$w/memory.csv"
        "$mr" build -q "$w" >/dev/null 2>"$base/err"
        g=$(generation "$w" "$base")
        case $g in
        A) seen_a=$((seen_a + 1)) ;;
        B) seen_b=$((seen_b + 1)) ;;
        *)
            fail "$name: kill at rename $n" "outputs of both generations after recovery: $(head -n 2 "$base/err")"
            bad=1
            ;;
        esac
        # The next good build finishes the job and leaves nothing behind.
        cp "$base/good.csv" "$w/memory.csv"
        if ! "$mr" build -q "$w" 2>"$base/err"; then
            fail "$name: build after kill $n" "$(cat "$base/err")"
            bad=1
        elif [ "$(generation "$w" "$base")" != B ]; then
            fail "$name: build after kill $n" "not generation B"
            bad=1
        elif [ -n "$(leftovers "$w")" ]; then
            fail "$name: build after kill $n" "leftovers: $(leftovers "$w" | head -n 3)"
            bad=1
        fi
        n=$((n + 1))
    done
    if [ "$bad" -eq 0 ]; then
        pass "$name: SIGKILL at each of $points renames leaves one generation ($seen_a x previous, $seen_b x new), no temporaries"
    fi
}

# fail_rename_test NAME: a rename that fails midway puts everything back.
fail_rename_test() {
    name=$1
    base=$work/$name
    start "$name" a
    w=$base/w
    MEMREPORT_FAIL_RENAME=5 "$mr" build -q "$w" 2>"$base/err"
    rc=$?
    if [ "$rc" -eq 3 ] && [ "$(generation "$w" "$base")" = A ] && [ -z "$(leftovers "$w")" ] &&
        grep -q 'cannot rename into place: .*the previous outputs were put back' "$base/err"; then
        pass "$name: a failing 5th rename exits 3 with the previous set whole"
    else
        fail "$name: failing rename" "exit $rc, $(generation "$w" "$base"), $(leftovers "$w" | head -n 2) $(cat "$base/err")"
    fi
    # A destination that is a directory stops the commit before any rename.
    rm -f "$w/site/index.html"
    mkdir "$w/site/index.html"
    "$mr" build -q "$w" 2>"$base/err"
    rc=$?
    rmdir "$w/site/index.html"
    cp "$base/snap-a/site/index.html" "$w/site/index.html"
    if [ "$rc" -eq 3 ] && [ "$(generation "$w" "$base")" = A ] &&
        grep -q 'site/index.html: is a directory' "$base/err"; then
        pass "$name: site/index.html a directory: exit 3, nothing changed"
    else
        fail "$name: index.html a directory" "exit $rc, $(generation "$w" "$base"): $(cat "$base/err")"
    fi
}

# concurrent_test NAME UNTIL: two builds of one directory at once, ten
# times: one of all inputs (generation B) and one --until UNTIL
# (generation C). Each pair must leave B or C whole.
concurrent_test() {
    name=$1 until=$2
    base=$work/$name
    start "$name" b
    "$mr" build -q --until "$until" "$base/w" 2>"$base/err" || { fail "$name: build C" "$(cat "$base/err")"; return; }
    outputs "$base/w" >"$base/C"
    mixed=0 waited=0 i=1
    while [ "$i" -le 10 ]; do
        start "$name" b
        w=$base/w
        "$mr" build -q --until "$until" "$w" 2>"$base/err1" &
        p1=$!
        "$mr" build -q "$w" 2>"$base/err2"
        rc2=$?
        wait "$p1"
        rc1=$?
        outputs "$w" >"$work/now"
        if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ] || [ -n "$(leftovers "$w")" ] ||
            { ! cmp -s "$work/now" "$base/B" && ! cmp -s "$work/now" "$base/C"; }; then
            mixed=$((mixed + 1))
        fi
        cat "$base/err1" "$base/err2" | grep -q 'waiting' && waited=$((waited + 1))
        i=$((i + 1))
    done
    if [ "$mixed" -eq 0 ]; then
        pass "$name: 10 pairs of concurrent builds each leave one whole generation ($waited waited for the lock)"
    else
        fail "$name: concurrent builds" "$mixed of 10 pairs left a mixed set or failed"
    fi
}

# lock_test NAME: a held lock is waited for, and its holder named.
lock_test() {
    name=$1
    base=$work/$name
    if ! command -v flock >/dev/null 2>&1; then
        echo "SKIP $name: held lock: flock(1) is not installed"
        return
    fi
    start "$name" b
    w=$base/w
    flock "$w" sleep 2 &
    holder=$!
    sleep 0.5
    start=$(date +%s)
    "$mr" build -q "$w" 2>"$base/err"
    rc=$?
    took=$(($(date +%s) - start))
    wait "$holder"
    if [ "$rc" -eq 0 ] && [ "$took" -ge 1 ] && grep -q "is being written by another memreport (pid [0-9]*); waiting" "$base/err"; then
        pass "$name: a held lock is waited for (${took} s), its holder named"
    else
        fail "$name: held lock" "exit $rc after $took s: $(cat "$base/err")"
    fi
    rm -rf "$w"
}

# sweep_test NAME: leftovers of killed runs go, other hidden files stay.
sweep_test() {
    name=$1
    base=$work/$name
    start "$name" b
    w=$base/w
    : >"$w/.REPORT.md.tmp-Ab12Cd"
    : >"$w/charts/.memory_total.png.tmp-zzZZ99"
    : >"$w/site/data/.results.sqlite.tmp-AAAAAA-journal"
    : >"$w/site/.index.html.old-q1w2e3"
    : >"$w/.my.tmp-notes"
    : >"$w/.keep.tmp-short"
    "$mr" build -q "$w" 2>"$base/err"
    rc=$?
    if [ "$rc" -eq 0 ] && [ -z "$(leftovers "$w")" ] && [ -f "$w/.my.tmp-notes" ] &&
        [ -f "$w/.keep.tmp-short" ]; then
        pass "$name: leftovers of killed runs removed, other hidden files kept"
    else
        fail "$name: sweep" "exit $rc; left: $(leftovers "$w" | tr '\n' ' ')"
    fi
    rm -rf "$w"
}

# A rebuild that makes the same bytes keeps those files as they are (same
# inode: not written, synced or renamed again) and replaces the rest.
keep_test() {
    k=$work/keep
    rm -rf "$k" && mkdir -p "$k" && cp -r "$TOP/data/example" "$k/w" &&
        rm -rf "$k/w/site" "$k/w/results.sqlite"
    (cd "$k" && "$mr" build -q w) || { fail "keep: first build" "failed"; return; }
    svg=$k/w/charts/memory_total.svg
    ino_svg=$(stat -c %i "$svg") ino_md=$(stat -c %i "$k/w/REPORT.md")
    before=$(outputs "$k/w")
    (cd "$k" && "$mr" build -q w) || { fail "keep: unchanged rebuild" "failed"; return; }
    [ "$(stat -c %i "$svg")" = "$ino_svg" ] && [ "$(stat -c %i "$k/w/REPORT.md")" = "$ino_md" ] &&
        [ "$(outputs "$k/w")" = "$before" ] && [ -z "$(leftovers "$k/w")" ] &&
        pass "keep: an unchanged rebuild leaves the same files in place" ||
        fail "keep: an unchanged rebuild leaves the same files in place" "inodes or bytes changed"
    printf '\n## Added\n\nA line the report copies.\n' >>"$k/w/notes.md"
    (cd "$k" && "$mr" build -q w) || { fail "keep: rebuild after notes" "failed"; return; }
    [ "$(stat -c %i "$k/w/REPORT.md")" != "$ino_md" ] && grep -q 'A line the report copies' "$k/w/REPORT.md" &&
        [ "$(stat -c %i "$svg")" = "$ino_svg" ] &&
        pass "keep: a changed output is replaced, the unchanged ones kept" ||
        fail "keep: a changed output is replaced, the unchanged ones kept" "REPORT.md not replaced or the chart rewritten"
    chmod 600 "$svg"
    (cd "$k" && "$mr" build -q w) && [ "$(stat -c %i "$svg")" != "$ino_svg" ] &&
        [ "$(stat -c %a "$svg")" != 600 ] &&
        pass "keep: same bytes with another mode are written afresh" ||
        fail "keep: same bytes with another mode are written afresh" "mode $(stat -c %a "$svg")"
}

if prepare example "$TOP/data/example"; then
    kill_test example
    fail_rename_test example
    concurrent_test example 2026-11-10
    lock_test example
    sweep_test example
    keep_test
fi
real=$TOP/../shared/data/5way-allocator-comparison
if sanitizer_build "$mr"; then
    # Sixty sanitized builds take minutes; the plain run covers the real
    # data, this one the example.
    echo "SKIP real: kill at every rename: run by the plain build, not under sanitizers"
elif [ -d "$real" ]; then
    if prepare real "$real"; then kill_test real; fi
else
    echo "SKIP real: kill at every rename: $real is not here"
fi
if [ "${MEMREPORT_KILL_BIG:-}" = 1 ] && [ -n "${MEMSIM:-}" ]; then
    "$MEMSIM" -o "$work/big-src" --relays 300 --collections 2000 >/dev/null &&
        prepare big "$work/big-src" && kill_test big
fi
