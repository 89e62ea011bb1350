#!/bin/sh
# valgrind.sh - every command under valgrind's memcheck, on the bundled
# example: build from the CSVs (with a single-file page), again unchanged,
# from the archive alone, summary, check, init, a site over two
# experiments and a comparison; a build after an append (on a simulated
# experiment, as append.sh), a few bad inputs, and the real 5-way build
# when its data is present. Any read of memory never written,
# any bad access or free, and any block definitely or indirectly lost
# fails (what the libraries keep reachable until exit does not: fontconfig
# and cairo keep caches on purpose). This is what ASan does not see:
# uninitialised values. SKIPs without valgrind and on a sanitizer's build.
# env: MEMREPORT, MEMSIM, TOP
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
mr=${MEMREPORT:?MEMREPORT not set}
: "${TOP:?TOP not set}" "${MEMSIM:?MEMSIM not set}"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "SKIP valgrind: valgrind is not installed"
    exit 0
fi
if sanitizer_build "$mr"; then
    echo "SKIP valgrind: a sanitizer's build (make check runs it on the plain one)"
    exit 0
fi
export MEMREPORT_DATA_DIR="$TOP" SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
VG_ERR=99

# vg NAME WANT_RC ARGS...: memreport ARGS under memcheck; PASS when it
# exits WANT_RC with nothing reported.
vg() {
    name=$1 want=$2
    shift 2
    valgrind -q --error-exitcode=$VG_ERR --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        --log-file="$work/vg.log" "$mr" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    if [ "$rc" = "$want" ] && [ ! -s "$work/vg.log" ]; then
        pass "valgrind: $name (exit $rc, nothing reported)"
    elif [ -s "$work/vg.log" ]; then
        fail "valgrind: $name" "exit $rc; $(grep -m 6 -E '^==[0-9]+== [^ ]' "$work/vg.log" | sed 's/^==[0-9]*== //' | tr '\n' ';')"
    else
        fail "valgrind: $name" "exit $rc, want $want: $(grep -v warning "$work/err" | head -n 2)"
    fi
}

ex=$work/full
cp -R "$TOP/data/example" "$ex"
rm -rf "$ex/REPORT.md" "$ex/charts" "$ex/site" "$ex/results.sqlite"
vg "build from the CSVs, with a single-file page" 0 build -q --single-file "$work/one.html" "$ex"
vg "build again, inputs unchanged" 0 build -q "$ex"
vg "build --force --theme dark" 0 build -q --force --theme dark "$ex"
vg "summary --format json" 0 summary --format json "$ex"
vg "check" 0 check "$ex"

# An append: a simulated experiment cut between two collections, built,
# then given the rest of its rows (as append.sh does).
"$MEMSIM" -o "$work/sim" --seed 5 --relays 30 --days 10 --interval-hours 2 --group A:flat \
    --group B:leak:rate=0.5 --group C:restart:rate=0.4:every=48h >/dev/null ||
    fail "valgrind: memsim" "failed"
mv "$work/sim/memory.csv" "$work/sim.csv"
awk -F, 'NR == 1 || $1 < "2026-01-06"' "$work/sim.csv" >"$work/sim/memory.csv"
vg "first build of the cut experiment" 0 build -q "$work/sim"
awk -F, 'NR > 1 && $1 >= "2026-01-06"' "$work/sim.csv" >>"$work/sim/memory.csv"
vg "build after an append" 0 build -vv "$work/sim"
grep -q 'read only the appended bytes' "$work/err" ||
    fail "valgrind: build after an append" "the appended bytes alone were not read: $(grep -v warning "$work/err" | head -n 1)"

cp -R "$ex" "$work/only"
rm "$work/only/memory.csv"
vg "build --force from the archive alone" 0 build -q --force "$work/only"
echo "A line added to the notes." >>"$work/only/notes.md"
echo '2026-11-10T03:30:00,restart,"A restart added later",D' >>"$work/only/events.csv"
printf 'relay,group\n' >"$work/only/relay_config.csv"
vg "build from the archive, files beside it edited and new" 0 build "$work/only"
grep -q 'relay_config.csv: warning: not read' "$work/err" ||
    fail "valgrind: build from the archive, files beside it edited and new" "no warning: $(head -c 200 "$work/err")"

mkdir "$work/sites"
cp -R "$ex" "$work/sites/a"
cp -R "$ex" "$work/sites/b"
vg "site over two experiments" 0 site -q -o "$work/www" "$work/sites/a" "$work/sites/b"
vg "compare" 0 compare "$work/sites/a" "$work/sites/b"

cp -R "$TOP/data/example" "$work/new"
rm -rf "$work/new/experiment.json" "$work/new/REPORT.md" "$work/new/charts"
vg "init" 0 init "$work/new"

for b in nul_byte malformed_quote manifest_too_deep wrong_column_count invalid_json \
    unknown_group negative_kb; do
    [ -d "$TOP/tests/bad/$b" ] || { fail "valgrind: bad input $b" "tests/bad/$b is missing"; continue; }
    rm -rf "$work/bad"
    cp -R "$TOP/tests/bad/$b" "$work/bad"
    vg "bad input $b" 1 build -q "$work/bad"
done

real="$TOP/../shared/data/5way-allocator-comparison"
if [ -f "$real/memory.csv" ]; then
    mkdir "$work/real"
    cp -R "$real" "$work/real/x"
    chmod -R u+w "$work/real/x"
    vg "the real 5-way build" 0 build -q "$work/real/x"
else
    echo "SKIP valgrind: the real 5-way data is not available"
fi
