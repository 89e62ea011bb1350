#!/bin/sh
# recover.sh - what a killed run leaves outside its own commit, and the
# locks its recovery honours (docs/architecture.md, "Recovery").
# A site saves an experiment's results.sqlite through a temporary beside
# it, .results.sqlite.save-XXXXXX, under a shared lock: killed at that
# rename (strace's fault injection), it leaves the temporary, which the
# next site removes (taking that experiment's lock exclusive, so no live
# run's temporary is taken), as does the next build of it; files named
# alike that are not that temporary stay. A build killed in its commit
# with -o SITE leaves a journal naming SITE: a later run finishes it only
# under SITE's lock, and while another run holds SITE it keeps the
# journal, says who holds it and exits 3, without waiting; once let go,
# the next run finishes it and SITE is the new build's. A site killed
# halfway through its renames leaves its journal in SITE: a build whose
# -o is SITE finishes it before it sweeps there (SITE is the whole new
# site under the build's pages). The sweep of a build's experiment X
# leaves X/www while another run holds it (flock(1) here), and sweeps it
# once let go. A build Y -o X/www killed halfway through its renames there
# leaves its journal in Y and a reference to it in X/www's folders: build
# X keeps what that journal names (saying which journal) while another
# run holds Y, and finishes the journal itself when Y is free; either way
# X/www ends as the whole new site of Y.
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
export SOURCE_DATE_EPOCH=1767225600

if ! why=$(strace_usable inject); then
    echo "SKIP recover: $why"
    exit 0
fi
if ! command -v flock >/dev/null 2>&1; then
    echo "SKIP recover: flock(1) is not installed"
    exit 0
fi
"$MEMSIM" -o "$tmp/src" --seed 4 --relays 4 --days 2 >/dev/null ||
    { fail recover "memsim failed"; exit 0; }

# The rename calls (rename by name, renameat where there is no rename).
calls='/^rename(at2?)?$'
# A rename of a site's saved archive, this version's name or an older one.
saved_re='rename(at2?)?\(.*/\.results\.sqlite\.(save-)?[A-Za-z0-9]{6}"'

# names DIR: the names in DIR, hidden ones too, on one line.
names() {
    (cd "$1" && find . -maxdepth 1 ! -name . | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')
}

# ---- A site killed while it saves an experiment's archive. ------------

mkdir "$tmp/r"
cp -R "$tmp/src" "$tmp/r/exp"
strace -f -o "$tmp/trace" -e trace="$calls" "$mr" site -q "$tmp/r" -o "$tmp/s0" 2>"$tmp/err" ||
    fail "recover: traced site" "$(head -n 2 "$tmp/err")"
n=$(grep -E 'rename(at2?)?\(' "$tmp/trace" | grep -nE "$saved_re" | head -n 1 | cut -d: -f1)
if [ -z "$n" ]; then
    fail "recover: site killed while saving" "no rename of a saved archive traced"
    exit 0
fi
rm -rf "$tmp/r/exp" "$tmp/s0"
cp -R "$tmp/src" "$tmp/r/exp"
strace -f -o /dev/null -e trace="$calls" -e inject="$calls":signal=SIGKILL:when="$n" \
    "$mr" site -q "$tmp/r" -o "$tmp/s1" >/dev/null 2>&1
stray=$(cd "$tmp/r/exp" && find . -maxdepth 1 -name '.results.sqlite.?*' | tr '\n' ' ')
if [ -z "$stray" ] || [ -e "$tmp/r/exp/results.sqlite" ]; then
    fail "recover: site killed while saving" "no temporary left at rename $n: $(names "$tmp/r/exp")"
    exit 0
fi
# Someone's files named alike, and the name in a folder below.
mine='.results.sqlite.backup .results.sqlite.save-Ab12C .results.sqlite.save-Ab12Cd.orig results.sqlite.save-Ab12Cd'
for f in $mine; do echo mine >"$tmp/r/exp/$f"; done
mkdir "$tmp/r/exp/old" "$tmp/r/exp/.results.sqlite.save-Dir123"
echo mine >"$tmp/r/exp/old/.results.sqlite.save-Sub123"
ln -s memory.csv "$tmp/r/exp/.results.sqlite.save-Lnk123"
kept() { # DIR: every file above still there
    for f in $mine old/.results.sqlite.save-Sub123; do [ -f "$1/$f" ] || return 1; done
    [ -d "$1/.results.sqlite.save-Dir123" ] && [ -L "$1/.results.sqlite.save-Lnk123" ]
}
gone() { # DIR NAMES...: none of the names is in DIR
    d=$1
    shift
    for f in "$@"; do [ ! -e "$d/$f" ] || return 1; done
}
"$mr" site -q "$tmp/r" -o "$tmp/s1" 2>"$tmp/err"
rc=$?
# shellcheck disable=SC2086 # the names, one word each
if [ "$rc" = 0 ] && gone "$tmp/r/exp" $stray && kept "$tmp/r/exp" &&
    [ -f "$tmp/r/exp/results.sqlite" ] && [ -f "$tmp/s1/index.html" ]; then
    pass "recover: a site killed at its archive's rename ($n): the next site removes the temporary, keeps files named alike"
else
    fail "recover: next site after a kill" "exit $rc, left: $(names "$tmp/r/exp") $(head -n 2 "$tmp/err")"
fi

# The same leftover, made by hand: the next build of the experiment.
: >"$tmp/r/exp/.results.sqlite.save-Zz9Yy8"
"$mr" build -q "$tmp/r/exp" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && gone "$tmp/r/exp" .results.sqlite.save-Zz9Yy8 && kept "$tmp/r/exp"; then
    pass "recover: the next build removes a site's saved temporary, keeps files named alike"
else
    fail "recover: build after a kill" "exit $rc, left: $(names "$tmp/r/exp") $(head -n 2 "$tmp/err")"
fi

# One written by a live run (flock(1) holds the experiment shared, as a
# saving site does, then takes its temporary away as that site's rename
# would): a site waits for it, and removes nothing under it.
live=$tmp/r/exp/.results.sqlite.save-Live01
: >"$live"
hold "$tmp/saver" -s "$tmp/r/exp" "if [ -e '$live' ]; then echo kept >'$tmp/saver.saw'; fi; rm -f '$live'"
holder=$!
wait_for 20 test -e "$tmp/saver.held" || fail "recover: live saver" "flock(1) did not take the lock"
(timeout 60 "$mr" site -q "$tmp/r" -o "$tmp/s2" >/dev/null 2>"$tmp/s2.err"
    echo $? >"$tmp/s2.rc") &
site=$!
waited=no
wait_for 30 grep -q "r/exp is being read by another memreport (pid [0-9]*); waiting" "$tmp/s2.err" &&
    waited=yes
: >"$tmp/saver.go"
wait "$holder"
wait "$site"
rc=$(cat "$tmp/s2.rc")
if [ "$rc" = 0 ] && [ "$waited" = yes ] && [ "$(cat "$tmp/saver.saw" 2>/dev/null)" = kept ]; then
    pass "recover: a saved temporary of a live run is left to it (the site waited for its lock)"
else
    fail "recover: live saver" "exit $rc, waited $waited, the live temporary $(cat "$tmp/saver.saw" 2>/dev/null || echo removed): $(head -n 2 "$tmp/s2.err")"
fi

# ---- A build killed in its commit, its journal naming -o SITE. ---------

# A: the build of the first 9/10 of the data; B: of all of it. Both in
# the same directories, since pages name them.
mkdir "$tmp/j"
exp=$tmp/j/exp www=$tmp/j/www
cp -R "$tmp/src" "$exp"
lines=$(wc -l <"$tmp/src/memory.csv")
head -n $((lines * 9 / 10)) "$tmp/src/memory.csv" >"$exp/memory.csv"
"$mr" build -q "$exp" -o "$www" 2>"$tmp/err" || fail "recover: build A" "$(head -n 2 "$tmp/err")"
cp -R "$exp" "$tmp/j/exp-a"
cp -R "$www" "$tmp/j/www-a"
cp "$tmp/src/memory.csv" "$exp/memory.csv"
"$mr" build -q "$exp" -o "$www" 2>"$tmp/err" || fail "recover: build B" "$(head -n 2 "$tmp/err")"
tree "$www" >"$tmp/j/B"
rm -rf "$exp" "$www"
cp -R "$tmp/j/exp-a" "$exp"
cp -R "$tmp/j/www-a" "$www"
cp "$tmp/src/memory.csv" "$exp/memory.csv"
# Killed at its second rename: the journal is in place, nothing renamed.
strace -f -o /dev/null -e trace="$RENAME_CALLS" -e inject="$RENAME_CALLS":signal=SIGKILL:when=2 \
    "$mr" build -q "$exp" -o "$www" >/dev/null 2>&1
journal=$exp/.memreport.journal
www_real=$(cd "$www" && pwd -P)
if [ -f "$journal" ] && grep -qxF "$(printf 'lock\t%s' "$www_real")" "$journal"; then
    pass "recover: a build killed in its commit leaves a journal that names its -o directory"
else
    fail "recover: killed build" "no journal naming $www_real: $(head -n 3 "$journal" 2>/dev/null)"
fi
tree "$www" >"$tmp/j/killed"
tree "$exp" >"$tmp/j/killed-exp"

# Another run writes SITE (flock(1) holds it as a build does): the build
# of the experiment alone, and a site reading it, leave the journal.
hold "$tmp/other" -x "$www"
holder=$!
wait_for 20 test -e "$tmp/other.held" || fail "recover: held site" "flock(1) did not take the lock"
timeout 60 "$mr" build -q "$exp" 2>"$tmp/err"
rc=$?
if [ "$rc" = 3 ] && [ -f "$journal" ] && tree "$www" | cmp -s - "$tmp/j/killed" &&
    tree "$exp" | cmp -s - "$tmp/j/killed-exp" &&
    grep -q "j/www: is being written by another memreport (pid [0-9]*): the interrupted run that .*\.memreport\.journal records wrote here too, so nothing was finished; the journal is kept for a later run" "$tmp/err"; then
    pass "recover: a build whose journal names a directory another run holds exits 3, the journal and both directories as they were"
else
    fail "recover: build beside a held -o" "exit $rc (124: it waited): $(head -n 2 "$tmp/err")"
fi
timeout 60 "$mr" site -q "$exp" -o "$tmp/jsite" 2>"$tmp/err"
rc=$?
if [ "$rc" = 3 ] && [ -f "$journal" ] && tree "$www" | cmp -s - "$tmp/j/killed" &&
    grep -q "j/www: is being written by another memreport" "$tmp/err"; then
    pass "recover: so does a site reading the experiment"
else
    fail "recover: site beside a held -o" "exit $rc (124: it waited): $(head -n 2 "$tmp/err")"
fi
: >"$tmp/other.go"
wait "$holder"

# Let go: the next run finishes it, and SITE is build B's.
"$mr" build -q "$exp" -o "$www" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -e "$journal" ] &&
    grep -q "j/exp: completed the outputs of an interrupted run" "$tmp/err" &&
    tree "$www" | cmp -s - "$tmp/j/B" && [ -z "$(leftovers "$exp" "$www")" ]; then
    pass "recover: once let go, the next run finishes the journal and the -o directory is the new build's"
else
    fail "recover: after the lock is let go" "exit $rc: $(head -n 2 "$tmp/err"); $(tree "$www" | diff - "$tmp/j/B" | head -n 4)"
fi

# ---- A killed site's journal, then a build whose -o is that site. ------

# The site's home is SITE; the build's is its experiment, SITE only one
# more directory it writes. The build finishes the site's journal before
# its own sweep, so the site's pending temporaries and backups are
# renamed or removed by that journal, not swept from under it: SITE ends
# as the whole new site with the build's pages over it.
mkdir "$tmp/k" "$tmp/k/r"
cp -R "$tmp/src" "$tmp/k/r/exp"
cp -R "$tmp/src" "$tmp/k/e"
head -n $((lines * 9 / 10)) "$tmp/src/memory.csv" >"$tmp/k/r/exp/memory.csv"
site=$tmp/k/s
"$mr" site -q --no-save "$tmp/k/r" -o "$site" 2>"$tmp/err" || fail "recover: site A" "$(head -n 2 "$tmp/err")"
cp -R "$site" "$tmp/k/s-a"
cp "$tmp/src/memory.csv" "$tmp/k/r/exp/memory.csv"
strace -f -o "$tmp/k/trace" -e trace="$RENAME_CALLS" \
    "$mr" site -q --no-save "$tmp/k/r" -o "$site" 2>"$tmp/err" || fail "recover: site B" "$(head -n 2 "$tmp/err")"
"$mr" build -q "$tmp/k/e" -o "$site" 2>"$tmp/err" || fail "recover: build over site B" "$(head -n 2 "$tmp/err")"
tree "$site" >"$tmp/k/want"
# Killed halfway through its renames (the first is its journal's).
n=$(grep -cE "$RENAME_RE" "$tmp/k/trace")
n=$((n / 2 + 1))
rm -rf "$site" "$tmp/k/e"
cp -R "$tmp/k/s-a" "$site"
cp -R "$tmp/src" "$tmp/k/e"
strace -f -o /dev/null -e trace="$RENAME_CALLS" -e inject="$RENAME_CALLS":signal=SIGKILL:when="$n" \
    "$mr" site -q --no-save "$tmp/k/r" -o "$site" >/dev/null 2>&1
pending=$(find "$site" -name '.*.tmp-??????' | wc -l)
backups=$(find "$site" -name '.*.old-??????' | wc -l)
if [ -f "$site/.memreport.journal" ] && [ "$pending" -gt 0 ] && [ "$backups" -gt 0 ]; then
    pass "recover: a site killed at rename $n leaves its journal, $pending temporaries and $backups backups"
else
    fail "recover: killed site" "journal $(test -f "$site/.memreport.journal" && echo kept || echo missing), $pending temporaries, $backups backups"
fi
"$mr" build -q "$tmp/k/e" -o "$site" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -e "$site/.memreport.journal" ] &&
    grep -q "k/s: completed the outputs of an interrupted run" "$tmp/err" &&
    [ -z "$(leftovers "$site" "$tmp/k/e")" ] && tree "$site" | cmp -s - "$tmp/k/want"; then
    pass "recover: a build with -o SITE finishes the killed site's journal there first: the new site whole, nothing swept from it"
else
    fail "recover: build over a killed site" "exit $rc: $(head -n 2 "$tmp/err"); $(tree "$site" | diff - "$tmp/k/want" | head -n 4)"
fi

# ---- The sweep and another run's directory inside this one's. ----------

# build X sweeps leftovers below X, but not in X/www while another run
# holds X/www (build Y -o X/www staging there): its temporaries are live.
# Unheld, the same name is a killed run's and goes.
cp -R "$tmp/src" "$tmp/x"
mkdir "$tmp/x/www" "$tmp/x/www/data"
live=$tmp/x/www/.index.html.tmp-Ab12Cd deep=$tmp/x/www/data/.results.csv.tmp-Cd34Ef
: >"$live"
: >"$deep"
hold "$tmp/xw" -x "$tmp/x/www"
holder=$!
wait_for 20 test -e "$tmp/xw.held" || fail "recover: held X/www" "flock(1) did not take the lock"
timeout 60 "$mr" build -q "$tmp/x" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ -f "$live" ] && [ -f "$deep" ]; then
    pass "recover: the sweep of X leaves the temporaries in X/www while another run holds it"
else
    fail "recover: sweep beside a held X/www" "exit $rc, $(leftovers "$tmp/x/www" | wc -l) of 2 left: $(head -n 2 "$tmp/err")"
fi
: >"$tmp/xw.go"
wait "$holder"
"$mr" build -q "$tmp/x" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ -z "$(leftovers "$tmp/x")" ]; then
    pass "recover: ... and sweeps them once it is let go"
else
    fail "recover: sweep of X/www let go" "exit $rc, left: $(leftovers "$tmp/x"): $(head -n 2 "$tmp/err")"
fi

# ---- A killed build's site inside another experiment. -----------------
#
# build Y -o X/www killed halfway through its renames in X/www leaves its
# journal in Y, naming temporaries and backups in X/www, and a reference
# to that journal in each folder of X/www. build X does not walk to Y,
# yet must not sweep what the journal names: while another run holds Y
# it keeps them and says which journal holds them, and the next run of Y
# finishes that journal with nothing missing (X/www is the whole new
# site, byte for byte what a clean build of Y makes); with Y free, build X
# finishes the journal itself.
mkdir "$tmp/n"
ny=$tmp/n/y nx=$tmp/n/x nw=$tmp/n/x/www
cp -R "$tmp/src" "$ny"
cp -R "$tmp/src" "$nx"
"$mr" build -q "$nx" 2>"$tmp/err" || fail "recover: build X" "$(head -n 2 "$tmp/err")"
head -n $((lines * 9 / 10)) "$tmp/src/memory.csv" >"$ny/memory.csv"
"$mr" build -q "$ny" -o "$nw" 2>"$tmp/err" || fail "recover: build Y A" "$(head -n 2 "$tmp/err")"
cp -R "$ny" "$tmp/n/y-a"
cp -R "$nw" "$tmp/n/www-a"
tree "$nw" >"$tmp/n/A"
cp "$tmp/src/memory.csv" "$ny/memory.csv"
strace -f -y -o "$tmp/n/trace" -e trace="$RENAME_CALLS" \
    "$mr" build -q "$ny" -o "$nw" 2>"$tmp/err" || fail "recover: build Y B" "$(head -n 2 "$tmp/err")"
tree "$nw" >"$tmp/n/B"
# The rename in the middle of those into X/www (strace -y names each
# call's folder): some of the site renamed, some pending.
nw_real=$(cd "$nw" && pwd -P)
n=$(grep -E "$RENAME_RE" "$tmp/n/trace" | grep -nF "<$nw_real" | cut -d: -f1 |
    awk '{ v[NR] = $1 } END { if (NR > 2) print v[int(NR / 2) + 1] }')

# killed_y: Y and X/www back to build A, then build B killed at rename n.
killed_y() {
    rm -rf "$ny" "$nw"
    cp -R "$tmp/n/y-a" "$ny"
    cp -R "$tmp/n/www-a" "$nw"
    cp "$tmp/src/memory.csv" "$ny/memory.csv"
    if [ -n "$n" ]; then
        strace -f -o /dev/null -e trace="$RENAME_CALLS" -e inject="$RENAME_CALLS":signal=SIGKILL:when="$n" \
            "$mr" build -q "$ny" -o "$nw" >/dev/null 2>&1
    fi
    pending=$(leftovers "$nw" | LC_ALL=C sort)
    refs=$(find "$nw" -name '.memreport.journal-ref-??????' | wc -l)
    [ -n "$n" ] && [ -f "$ny/.memreport.journal" ] && [ "$refs" -gt 0 ] &&
        echo "$pending" | grep -qv journal-ref &&
        ! tree "$nw" | cmp -s - "$tmp/n/A" && ! tree "$nw" | cmp -s - "$tmp/n/B"
}
if killed_y; then
    pass "recover: build Y -o X/www killed at rename $n leaves its journal in Y, $refs references to it and $(echo "$pending" | wc -l) leftovers in X/www"
else
    fail "recover: killed build into X/www" "rename ${n:-?}, journal $(test -f "$ny/.memreport.journal" && echo kept || echo missing), leftovers: $pending"
fi
hold "$tmp/ny" -s "$ny"
holder=$!
wait_for 20 test -e "$tmp/ny.held" || fail "recover: held Y" "flock(1) did not take the lock"
timeout 60 "$mr" build -q "$nx" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ -f "$ny/.memreport.journal" ] &&
    [ "$(leftovers "$nw" | LC_ALL=C sort)" = "$pending" ] &&
    grep -q "n/x/www: kept [0-9]* temporaries and backups of the interrupted run that .*n/y/\.memreport\.journal records (the next run that locks .*n/y finishes it)" "$tmp/err"; then
    pass "recover: build X, Y held, keeps what the journal in Y still needs in X/www, and says which journal"
else
    fail "recover: build X beside a killed build's X/www" "exit $rc, journal $(test -f "$ny/.memreport.journal" && echo kept || echo gone), $(leftovers "$nw" | wc -l) of $(echo "$pending" | wc -l) leftovers left: $(head -n 2 "$tmp/err")"
fi
# Another experiment built into X/www meanwhile would have its site
# renamed over by Y's replay later: refused, nothing written there.
cp -R "$tmp/src" "$tmp/n/z"
tree "$nw" >"$tmp/n/before-z"
# refused_before_work RC ERR: a run into X/www exited 3 before it staged
# anything (-vv lists every file as it is staged), X/www as it was, and
# said which journal holds it.
refused_before_work() {
    [ "$1" = 3 ] && tree "$nw" | cmp -s - "$tmp/n/before-z" &&
        [ "$(leftovers "$nw" | LC_ALL=C sort)" = "$pending" ] &&
        ! grep -q '^memreport: writing ' "$2" &&
        grep -q "n/x/www[a-z/]*: holds files that the interrupted run recorded in .*n/y/\.memreport\.journal still needs, and another memreport holds .*n/y, so that journal could not be finished; nothing was written" "$2"
}
timeout 60 "$mr" build -vv "$tmp/n/z" -o "$nw" 2>"$tmp/err"
rc=$?
if refused_before_work "$rc" "$tmp/err"; then
    pass "recover: build Z -o X/www, Y held: refused (exit 3) before anything is rendered, X/www as it was, the journal's files kept"
else
    fail "recover: build Z into X/www while Y's journal is pending" "exit $rc: $(head -n 2 "$tmp/err"); $(tree "$nw" | diff - "$tmp/n/before-z" | head -n 4)"
fi
# So is a site made there.
timeout 60 "$mr" site -vv -o "$nw" "$tmp/src" 2>"$tmp/err"
rc=$?
if refused_before_work "$rc" "$tmp/err"; then
    pass "recover: site -o X/www, Y held: refused (exit 3) before any page is made, X/www as it was"
else
    fail "recover: site into X/www while Y's journal is pending" "exit $rc: $(head -n 2 "$tmp/err")"
fi
: >"$tmp/ny.go"
wait "$holder"
# y_finished: the last run said it finished Y's journal, which is gone
# with every leftover, and X/www is the whole new site (a clean build's).
y_finished() {
    [ ! -e "$ny/.memreport.journal" ] && [ -z "$(leftovers "$ny" "$nw")" ] &&
        grep -q "n/y: completed the outputs of an interrupted run" "$tmp/err" &&
        tree "$nw" | cmp -s - "$tmp/n/B"
}
# A build of Y that fails on its input finishes the journal first: what
# X/www then holds is that recovery's alone.
cp "$ny/memory.csv" "$tmp/n/memory.csv"
echo garbage >"$ny/memory.csv"
"$mr" build -q "$ny" -o "$nw" 2>"$tmp/err"
rc=$?
if [ "$rc" = 1 ] && y_finished; then
    pass "recover: the next run of Y finishes its journal: X/www the whole new site, nothing missing"
else
    fail "recover: recovery of Y after build X" "exit $rc: $(head -n 2 "$tmp/err"); $(tree "$nw" | diff - "$tmp/n/B" | head -n 6)"
fi
cp "$tmp/n/memory.csv" "$ny/memory.csv"
"$mr" build -q "$ny" -o "$nw" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -e "$ny/.memreport.journal" ] && [ -z "$(leftovers "$ny" "$nw")" ] &&
    { tree "$nw" | cmp -s - "$tmp/n/B" || tree "$nw" | cmp -s - "$tmp/n/A"; }; then
    pass "recover: the next build of Y leaves X/www one whole site (a clean build's, byte for byte)"
else
    fail "recover: build Y after build X" "exit $rc: $(head -n 2 "$tmp/err"); $(tree "$nw" | diff - "$tmp/n/B" | head -n 6)"
fi

# Killed again, Y free: build X finishes Y's journal (its locks taken
# without waiting), so X/www is the new site at once.
killed_y || fail "recover: killed again into X/www" "rename ${n:-?}, leftovers: $pending"
"$mr" build -q "$nx" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && y_finished; then
    pass "recover: build X, Y free, finishes the journal in Y that names X/www: the whole new site there"
else
    fail "recover: build X finishing Y's journal" "exit $rc, journal $(test -f "$ny/.memreport.journal" && echo kept || echo gone): $(head -n 2 "$tmp/err"); $(tree "$nw" | diff - "$tmp/n/B" | head -n 6)"
fi
"$mr" build -q "$ny" -o "$nw" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ -z "$(leftovers "$ny" "$nw")" ] && tree "$nw" | cmp -s - "$tmp/n/B"; then
    pass "recover: ... and the next build of Y leaves it so"
else
    fail "recover: build Y after build X finished its journal" "exit $rc: $(head -n 2 "$tmp/err")"
fi
