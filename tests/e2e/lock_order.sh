#!/bin/sh
# lock_order.sh - the locks on experiment and site directories: runs never
# wait for each other in a circle, and a site reads an experiment only
# when no build writes it.
# A build locks its experiment directory and then its -o site directory;
# two builds, each with the other's experiment as its -o, would each hold
# one and wait for the other forever. strace holds each run's second
# lock attempt for a second, so both hold their first lock when they try
# the second: the deadlock's window is hit every time. The same for a
# site whose -o is an experiment it reads and a build of another
# experiment into that directory. A build whose -o is its own experiment
# directory does not wait for itself, nor a site whose -o is an
# experiment it reads.
# A site waits for a build that holds an experiment's lock (flock(1)
# holds it here, as a build would, and renames the build's archive into
# place before letting go) and reads what that build finished; a site
# goes ahead while another reader holds the lock, and a build waits for
# that reader; a site that finds a killed build's journal finishes it
# first. Every wait is bounded (timeout, or a polling limit), so a bug
# fails rather than hangs; no check relies on a sleep alone.
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

# site X -o X: the experiment it reads is the site's directory too.
cp -R "$tmp/src" "$tmp/self"
if timeout 30 "$mr" site -q "$tmp/self" -o "$tmp/self" >/dev/null 2>"$tmp/err" &&
    [ -f "$tmp/self/index.html" ] && [ -f "$tmp/self/compare.html" ]; then
    echo "PASS lock_order: site X -o X locks X once and finishes"
else
    echo "FAIL lock_order: site X -o X: $(head -n 2 "$tmp/err")"
fi

# last_collection CSV: its last timestamp as the index shows it.
last_collection() {
    awk -F, 'NR > 1 { t = $1 } END { print substr(t, 1, 10) " " substr(t, 12, 5) }' "$1"
}
# The experiment before (A: the first 9/10 of the data, built) and a
# build's finished archive for all of it (B).
lines=$(wc -l <"$tmp/src/memory.csv")
cp -R "$tmp/src" "$tmp/b"
"$mr" build -q "$tmp/b" 2>"$tmp/err" || echo "FAIL lock_order: build B: $(head -n 2 "$tmp/err")"
mkdir "$tmp/r"
cp -R "$tmp/src" "$tmp/r/exp"
head -n $((lines * 9 / 10)) "$tmp/src/memory.csv" >"$tmp/r/exp/memory.csv"
"$mr" build -q "$tmp/r/exp" 2>"$tmp/err" || echo "FAIL lock_order: build A: $(head -n 2 "$tmp/err")"
last_a=$(last_collection "$tmp/r/exp/memory.csv") last_b=$(last_collection "$tmp/b/memory.csv")
[ "$last_a" != "$last_b" ] || echo "FAIL lock_order: generations: A and B end at the same collection"

if ! command -v flock >/dev/null 2>&1; then
    echo "SKIP lock_order site and held locks: flock(1) is not installed"
else
    # A build under way: the new data is in, its archive not yet (a site
    # reading now would find results.sqlite stale and read the CSVs).
    cp "$tmp/b/memory.csv" "$tmp/r/exp/memory.csv"
    hold "$tmp/build" -x "$tmp/r/exp" \
        "cp '$tmp/b/results.sqlite' '$tmp/r/exp/.results.sqlite.tmp-Hold01' &&
         mv '$tmp/r/exp/.results.sqlite.tmp-Hold01' '$tmp/r/exp/results.sqlite'"
    holder=$!
    if ! wait_for 20 test -e "$tmp/build.held"; then
        echo "FAIL lock_order: flock(1) did not take the experiment's lock"
    fi
    (timeout 60 "$mr" site -vv "$tmp/r" -o "$tmp/site1" >/dev/null 2>"$tmp/site1.err"
        echo $? >"$tmp/site1.rc") &
    site=$!
    waited=no early=no
    wait_for 30 grep -q "r/exp is being written by another memreport (pid [0-9]*); waiting" \
        "$tmp/site1.err" && waited=yes
    [ -e "$tmp/site1/index.html" ] || [ -e "$tmp/site1.rc" ] && early=yes
    : >"$tmp/build.go"
    wait "$holder"
    wait "$site"
    rc=$(cat "$tmp/site1.rc")
    if [ "$rc" = 0 ] && [ "$waited" = yes ] && [ "$early" = no ] &&
        grep -q "r/exp: read from results.sqlite" "$tmp/site1.err" &&
        grep -q "<span class=\"nowrap\">$last_b</span>" "$tmp/site1/index.html"; then
        echo "PASS lock_order: a site waits for the build that holds an experiment, then reads its finished archive"
    else
        echo "FAIL lock_order: site during a build: exit $rc, waited $waited, done before the build $early: $(grep -v 'is being written' "$tmp/site1.err" | head -n 3)"
    fi

    # Another reader holds the lock (as a site does): a site goes ahead,
    # a build waits for the reader.
    hold "$tmp/reader" -s "$tmp/r/exp"
    holder=$!
    wait_for 20 test -e "$tmp/reader.held" ||
        echo "FAIL lock_order: flock(1) did not take the shared lock"
    timeout 30 "$mr" site -q "$tmp/r" -o "$tmp/site2" >/dev/null 2>"$tmp/site2.err"
    rc=$?
    if [ "$rc" = 0 ] && ! grep -q waiting "$tmp/site2.err" && kill -0 "$holder" 2>/dev/null &&
        grep -q "<span class=\"nowrap\">$last_b</span>" "$tmp/site2/index.html"; then
        echo "PASS lock_order: a site reads an experiment another reader holds, without waiting"
    else
        echo "FAIL lock_order: two readers: exit $rc (124: it waited for the other): $(head -n 2 "$tmp/site2.err")"
    fi
    (timeout 60 "$mr" build -q "$tmp/r/exp" >/dev/null 2>"$tmp/build2.err"
        echo $? >"$tmp/build2.rc") &
    build=$!
    waited=no
    wait_for 30 grep -q "r/exp is being read by another memreport (pid [0-9]*); waiting" \
        "$tmp/build2.err" && waited=yes
    [ -e "$tmp/build2.rc" ] && waited="$waited, but finished under the reader"
    : >"$tmp/reader.go"
    wait "$holder"
    wait "$build"
    rc=$(cat "$tmp/build2.rc")
    if [ "$rc" = 0 ] && [ "$waited" = yes ]; then
        echo "PASS lock_order: a build waits for a reader of its experiment, its pid named"
    else
        echo "FAIL lock_order: build under a reader: exit $rc, waited $waited: $(head -n 2 "$tmp/build2.err")"
    fi
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

# A site whose -o is an experiment it reads (x), and a build of the other
# experiment (y) with that -o: crossed the same way.
cp -R "$tmp/src" "$tmp/sx"
cp -R "$tmp/src" "$tmp/sy"
timeout 60 strace -f -o /dev/null -e trace=flock -e inject=flock:delay_enter=1000000:when=2 \
    "$mr" site -q "$tmp/sx" "$tmp/sy" -o "$tmp/sx" >/dev/null 2>"$tmp/c.err" &
sitepid=$!
crossed "$tmp/sy" "$tmp/sx" d &
wait "$sitepid"
rc=$?
wait
rd=$(cat "$tmp/d.rc")
if [ "$rc" = 0 ] && [ "$rd" = 0 ] && grep -q "is being written by another memreport" "$tmp/c.err" "$tmp/d.err" &&
    [ -z "$(leftovers "$tmp/sx" "$tmp/sy")" ]; then
    echo "PASS lock_order: site -o X reading X and Y, and build Y -o X, both finish (one waited for the other)"
else
    echo "FAIL lock_order: crossed site and build exit $rc and $rd (124: deadlocked): $(cat "$tmp/c.err" "$tmp/d.err" | head -n 3)"
fi

# A build killed in its commit (at its second rename: the journal is
# written, nothing renamed) leaves a journal; the next site to read the
# experiment finishes it under an exclusive lock before reading.
if ! why=$(strace_usable inject); then
    echo "SKIP lock_order site after a killed build: $why"
    exit 0
fi
mkdir "$tmp/k"
cp -R "$tmp/src" "$tmp/k/exp"
head -n $((lines * 9 / 10)) "$tmp/src/memory.csv" >"$tmp/k/exp/memory.csv"
"$mr" build -q "$tmp/k/exp" 2>"$tmp/err" || echo "FAIL lock_order: build A: $(head -n 2 "$tmp/err")"
cp "$tmp/src/memory.csv" "$tmp/k/exp/memory.csv"
timeout 60 strace -f -o /dev/null -e trace="$RENAME_CALLS" -e inject="$RENAME_CALLS":signal=SIGKILL:when=2 \
    "$mr" build -q "$tmp/k/exp" >/dev/null 2>&1
if [ ! -e "$tmp/k/exp/.memreport.journal" ]; then
    echo "FAIL lock_order: site after a killed build: the killed build left no journal"
else
    timeout 60 "$mr" site -vv "$tmp/k" -o "$tmp/ksite" >/dev/null 2>"$tmp/k.err"
    rc=$?
    if [ "$rc" = 0 ] && grep -q "k/exp: completed the outputs of an interrupted run" "$tmp/k.err" &&
        [ -z "$(leftovers "$tmp/k/exp")" ] && grep -q "k/exp: read from results.sqlite" "$tmp/k.err" &&
        grep -q "<span class=\"nowrap\">$last_b</span>" "$tmp/ksite/index.html" &&
        timeout 60 "$mr" build -v "$tmp/k/exp" 2>&1 >/dev/null | grep -q "are up to date"; then
        echo "PASS lock_order: a site finishes a killed build's commit before it reads the experiment"
    else
        echo "FAIL lock_order: site after a killed build: exit $rc, left $(leftovers "$tmp/k/exp" | head -n 2): $(head -n 3 "$tmp/k.err")"
    fi
fi
