#!/bin/sh
# site.sh - memreport site and memreport compare end to end: a root with
# the bundled example, three simulated experiments (one in the users'
# older layout, one with a group column) and a broken one; the index lists
# each with the right figures, the broken one with its error, the
# comparison lines up shared allocators with the summary's numbers, the
# archives are saved and reused on the next run. The real data is added,
# read-only (--no-save), when it is present.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS site: $1"; }
fail() { echo "FAIL site: $1: $2"; }

r=$work/root
mkdir -p "$r/fleet" "$r/broken"
cp -r "$TOP/data/example" "$r/example"
"$MEMSIM" -o "$r/fleet/alpha" --relays 12 --days 5 --seed 11 --id alpha --name "Alpha fleet" --server a1 \
    --group "A:leak:rate=0.3:alloc=glibc:version=2.41:name=glibc 2.41 (control)" \
    --group "B:flat:alloc=mimalloc:version=2.0.9" >/dev/null
"$MEMSIM" -o "$r/fleet/beta" --relays 10 --days 4 --seed 12 --id beta --name "Beta fleet" --server b1 \
    --with-group-column --reserve 2 \
    --group "C:flat:alloc=mimalloc:version=3.0.1" --group "D:flat:level=2.5:alloc=glibc:version=2.36" >/dev/null
"$MEMSIM" -o "$r/fleet/gamma" --relays 8 --days 3 --seed 13 --id gamma --name "Gamma (older layout)" \
    --format-old --reserve 2 >/dev/null
# Still running: no end date, no experiment_end event.
sed -i 's/"end_date": "[^"]*"/"end_date": ""/' "$r/fleet/gamma/experiment.json"
sed -i '/,experiment_end,/d' "$r/fleet/gamma/events.csv"
printf 'timestamp,server,type,nickname\n2026-01-01T00:00:00,s,relay,x\n' >"$r/broken/memory.csv"

out=$r/site   # inside the root: must not be taken for an experiment
"$MEMREPORT" site --publish-archive "$r" -o "$out" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] && pass "exit 0 with a broken experiment" || fail "exit 0 with a broken experiment" "exit $rc: $(head -3 "$work/err")"
idx=$out/index.html
[ -s "$idx" ] || { fail "index written" "no index.html"; exit 0; }
n=$(grep -c '<tr><th scope="row"><a href=' "$idx")
[ "$n" -eq 4 ] && pass "index: one row per experiment ($n)" || fail "index: one row per experiment" "$n, want 4"
for t in "Alpha fleet" "Beta fleet" "Gamma (older layout)" "Allocator comparison (example)"; do
    grep -q "<a href=\"[^\"]*\">$t</a>" "$idx" && pass "index lists $t" || fail "index lists $t" "missing"
done
grep -A3 'id="failed"' "$idx" >/dev/null && grep -q "broken</code>: .*rss_kb" "$idx" &&
    pass "index: broken experiment listed with its error" || fail "index: broken experiment listed with its error" "missing"
grep 'left out of the site' "$work/err" | grep -q "root/site" && fail "site directory not searched" "$(grep 'root/site' "$work/err" | head -1)" || pass "site directory not searched"
row() { grep "<a href=\"[^\"]*\">$1</a>" "$idx"; }
row "Gamma (older layout)" | grep -q '>running<' && pass "status: empty end date is running" || fail "status: empty end date is running" "$(row Gamma | grep -o 'status-[a-z]*')"
row "Alpha fleet" | grep -q '>concluded<' && pass "status: data reaches the end date" || fail "status: data reaches the end date" "$(row Alpha | grep -o 'status-[a-z]*')"
row "Alpha fleet" | grep -q '<polyline' && pass "sparkline drawn" || fail "sparkline drawn" "no polyline"
# Best group and headline ratio of alpha, from summary --format csv.
"$MEMREPORT" summary "$r/fleet/alpha" --format csv >"$work/alpha.csv" 2>/dev/null
best=$(awk -F, 'NR > 1 { print $4, $1, $5 }' "$work/alpha.csv" | sort -n | head -1)
bid=$(echo "$best" | cut -d' ' -f2)
bratio=$(echo "$best" | cut -d' ' -f3)
want=$(printf '%.2f' "$bratio")
row "Alpha fleet" | grep -q "<td[^>]*>$bid (" && pass "index: best group ($bid)" || fail "index: best group" "want $bid"
row "Alpha fleet" | grep -q ">$want× less than A</span><br><span class=\"sub\">95% CI [0-9.]*–[0-9.]*</span>" && pass "index: headline ratio ($want, with its CI)" || fail "index: headline ratio" "want $want: $(row 'Alpha fleet' | grep -o 'num">[^<]*×[^<]*<')"
grep -q 'Best vs baseline<br><span class="sub">baseline ÷ best</span>' "$idx" && pass "index: header says the ratio convention" ||
    fail "index: header says the ratio convention" "missing"
# Last collection: alpha's last timestamp, and its age against SOURCE_DATE_EPOCH.
last=$(awk -F, 'NR > 1 { t = $1 } END { print substr(t, 1, 10) " " substr(t, 12, 5) }' "$r/fleet/alpha/memory.csv")
row "Alpha fleet" | grep -q "<span class=\"nowrap\">$last</span><br><span class=\"sub\">later than the site date</span>" &&
    pass "index: last collection ($last)" || fail "index: last collection" "want $last: $(row 'Alpha fleet' | grep -o 'nowrap">[^<]*</span><br><span class="sub">[^<]*')"
grep -q "how long before 2026-01-01 00:00 UTC (SOURCE_DATE_EPOCH)" "$idx" && pass "index: says which clock ages are against" ||
    fail "index: says which clock" "missing"

# Weeks later, gamma (no end date) has stopped reporting, alpha (its end
# date passed) has concluded; a best group of two relays gets a caveat.
mkdir -p "$work/later"
cp -r "$r/fleet/gamma" "$work/later/gamma"
cp -r "$r/fleet/alpha" "$work/later/alpha"
"$MEMSIM" -o "$work/later/tiny" --relays 5 --days 3 --seed 14 --id tiny --name "Tiny" \
    --group "A:flat:level=3:share=3" --group "B:flat:level=1:share=2" >/dev/null
SOURCE_DATE_EPOCH=1772323200 "$MEMREPORT" site -q "$work/later" -o "$work/later-site" 2>/dev/null
lidx=$work/later-site/index.html
lrow() { grep "<a href=\"[^\"]*\">$1</a>" "$lidx"; }
lrow "Gamma (older layout)" | grep -q 'status-stopped">stopped reporting<' && pass "status: no end date, no recent collection: stopped reporting" ||
    fail "status: stopped reporting" "$(lrow Gamma | grep -o 'status-[a-z]*">[^<]*')"
lrow "Gamma (older layout)" | grep -q '<span class="sub">8 weeks before</span>' && pass "index: age in weeks" ||
    fail "index: age in weeks" "$(lrow Gamma | grep -o 'sub">[^<]*before')"
lrow "Alpha fleet" | grep -q '>concluded<' && pass "status: end date passed: concluded" || fail "status: end date passed" "$(lrow Alpha | grep -o 'status-[a-z]*')"
lrow "Tiny" | grep -q 'caveat">⚠ rests on 2 relays in B<' && pass "index: caveat on a ratio that rests on 2 relays" ||
    fail "index: caveat on 2 relays" "$(lrow Tiny | grep -o 'num"><span[^⚠]*.\{0,40\}')"
row "Alpha fleet" | grep -q 'caveat' && fail "index: no caveat on 6-relay groups" "has one" || pass "index: no caveat on 6-relay groups"
# A day after gamma's last collection it is still running, 24 h before.
glast=$(awk -F, 'NR > 1 { t = $1 } END { print t }' "$r/fleet/gamma/memory_measurements.csv")
gclock=$(( $(date -u -d "$(echo "$glast" | tr T ' ')" +%s) + 86400 ))
mkdir -p "$work/soon" && cp -r "$r/fleet/gamma" "$work/soon/gamma"
SOURCE_DATE_EPOCH=$gclock "$MEMREPORT" site -q "$work/soon" -o "$work/soon-site" 2>/dev/null
grep '>Gamma (older layout)</a>' "$work/soon-site/index.html" | grep -q 'status-running">running<.*<span class="sub">24 h before</span>' &&
    pass "status: a collection a day before the clock: running" ||
    fail "status: running a day later" "$(grep -o 'status-[a-z]*">[^<]*\|sub">[^<]*before' "$work/soon-site/index.html" | tr '\n' ' ')"
grep -q '<th scope="col">vs baseline A (A ÷ group, 95% CI)</th>' "$out/alpha/index.html" &&
    pass "experiment page: header says the ratio convention" || fail "experiment page: header" "$(grep -o '<th scope="col">vs baseline[^<]*' "$out/alpha/index.html")"

# Each experiment page exists, with its data.
for h in $(grep -o '<tr><th scope="row"><a href="[^"]*"' "$idx" | sed 's/.*href="//; s/"$//'); do
    d=$out/$(dirname "$h")
    if [ -s "$out/$h" ] && [ -s "$d/data/results.csv" ] && [ -s "$d/data/results.sqlite" ]; then
        pass "page and data for $(dirname "$h")"
    else
        fail "page and data for $(dirname "$h")" "missing"
    fi
done
[ -s "$out/assets/style.css" ] && pass "stylesheet copied" || fail "stylesheet copied" "missing"

# An experiment page inside the site leads back to the index and to the
# comparison; the page `build` writes for the same experiment has no such
# links but the same chart captions.
href=$(grep -o '<a href="[^"]*">Alpha fleet</a>' "$idx" | sed 's/^<a href="//; s/".*//')
page=$out/$href
grep -q '<a href="../index.html">All experiments</a>' "$page" &&
    grep -q '<a href="../compare.html">Allocator comparison</a>' "$page" &&
    pass "experiment page links the index and the comparison" ||
    fail "experiment page links the index and the comparison" "no link in $href"
cp -r "$r/fleet/alpha" "$work/alpha-build"
"$MEMREPORT" build -q "$work/alpha-build" 2>"$work/berr"
bpage=$work/alpha-build/site/index.html
if [ -s "$bpage" ]; then
    grep -q 'All experiments' "$bpage" && fail "built page has no site links" "found" ||
        pass "built page has no site links"
    grep -o '<figcaption>.*</figcaption>' "$page" >"$work/cap-site"
    grep -o '<figcaption>.*</figcaption>' "$bpage" >"$work/cap-build"
    n=$(wc -l <"$work/cap-site")
    [ "$n" -eq 4 ] && cmp -s "$work/cap-site" "$work/cap-build" &&
        grep -q '<strong>Memory over time.</strong> Mean RSS per relay of each group at every collection' "$work/cap-site" &&
        pass "chart captions: site = build" ||
        fail "chart captions: site = build" "$n captions; $(diff "$work/cap-site" "$work/cap-build" | head -2)"
else
    fail "build of a site experiment" "$(head -2 "$work/berr")"
fi

# Comparison page: glibc and mimalloc are in several experiments.
cmp=$out/compare.html
for al in glibc mimalloc; do
    grep -q "<h2 id=\"h-alloc-[^\"]*\">$al</h2>" "$cmp" && pass "compare: $al section" || fail "compare: $al section" "missing"
done
grep -q '>simulated</h2>' "$cmp" && fail "compare: one-experiment allocator left out" "present" || pass "compare: one-experiment allocator left out"
mean=$(awk -F, '$1 == "B" { printf "%.2f", $4 }' "$work/alpha.csv")
grep -A40 '>mimalloc</h2>' "$cmp" | grep -q "<th scope=\"row\">2.0.9</th>.*Alpha fleet.*<td class=\"num\"[^>]*>$mean</td>" &&
    pass "compare: alpha B final mean ($mean)" || fail "compare: alpha B final mean" "want $mean"

# The ranking: every group against its own control. Alpha's B against its
# named control A, with the % from summary's final means.
grep -q 'id="h-ranking"' "$cmp" && pass "compare: ranking section" || fail "compare: ranking section" "missing"
n=$(grep -c '<tr class="ranked">' "$cmp")
[ "$n" -eq 7 ] && pass "compare: 7 groups ranked (11 groups, 4 controls)" || fail "compare: groups ranked" "$n"
[ "$(grep -c '<tr class="control">' "$cmp")" -eq 4 ] && pass "compare: one control row per experiment" ||
    fail "compare: one control row per experiment" "$(grep -c '<tr class="control">' "$cmp")"
pct=$(awk -F, '$1 == "A" { a = $4 } $1 == "B" { b = $4 } END { printf "%.1f", 100 * (1 - b / a) }' "$work/alpha.csv")
grep '<tr class="ranked">' "$cmp" | grep 'Alpha fleet' | grep -q "B · Group B (flat)</th>.*<td[^>]*>mimalloc 2.0.9</td>.*A ([0-9.]* GiB)</td><td class=\"num nowrap\"[^>]*>$pct% less (" &&
    pass "compare: alpha B is $pct% less than its control A" || fail "compare: alpha B vs control" "want $pct%: $(grep 'Alpha fleet' "$cmp" | grep ranked | head -1 | cut -c1-300)"

# The archives were saved; the next run reads them.
for e in example fleet/alpha fleet/beta fleet/gamma; do
    [ -s "$r/$e/results.sqlite" ] || fail "archive saved for $e" "missing"
done
"$MEMREPORT" site -v "$r" -o "$out" 2>"$work/err2"
n=$(grep -c 'read from results.sqlite' "$work/err2")
[ "$n" -eq 4 ] && pass "second run reuses 4 archives" || fail "second run reuses 4 archives" "$n: $(grep 'CSVs' "$work/err2" | head -2)"
cp "$idx" "$work/idx1"
"$MEMREPORT" site -v "$r" -o "$out" 2>/dev/null
cmp -s "$idx" "$work/idx1" && pass "same index from archives" || fail "same index from archives" "differs"
# Without --publish-archive the site carries the CSVs only.
plain=$work/plain-site
"$MEMREPORT" site -q "$r" -o "$plain" 2>/dev/null
ns=$(find "$plain" -name results.sqlite | wc -l)
nc=$(find "$plain" -path '*/data/results.csv' | wc -l)
[ "$ns" -eq 0 ] && [ "$nc" -ge 4 ] && pass "default site: CSVs, no results.sqlite" ||
    fail "default site: CSVs, no results.sqlite" "$ns archives, $nc results.csv"
grep -l 'results\.sqlite' "$plain"/*/index.html "$plain/index.html" >/dev/null 2>&1 &&
    fail "default site: no page names the archive" "$(grep -l 'results\.sqlite' "$plain"/*/index.html "$plain/index.html" | head -2)" ||
    pass "default site: no page names the archive"
# Rebuilt without --publish-archive, a site built with it loses the copies.
"$MEMREPORT" site -q --publish-archive "$r" -o "$plain" 2>/dev/null
n1=$(find "$plain" -name results.sqlite | wc -l)
"$MEMREPORT" site -q "$r" -o "$plain" 2>/dev/null
n2=$(find "$plain" -name results.sqlite | wc -l)
[ "$n1" -ge 4 ] && [ "$n2" -eq 0 ] && pass "rebuilt without --publish-archive: archives removed" ||
    fail "rebuilt without --publish-archive: archives removed" "$n1 then $n2"

# Nothing found at all: bad input, nothing written.
mkdir -p "$work/empty"
"$MEMREPORT" site "$work/empty" -o "$work/empty-site" 2>/dev/null
rc=$?
[ $rc -eq 1 ] && [ ! -e "$work/empty-site" ] && pass "no experiment: exit 1, nothing written" || fail "no experiment: exit 1, nothing written" "exit $rc"
"$MEMREPORT" site "$r" 2>/dev/null
[ $? -eq 2 ] && pass "usage: -o required" || fail "usage: -o required" "not exit 2"

# memreport compare: the same table on a terminal.
"$MEMREPORT" compare "$r/fleet/alpha" "$r/fleet/beta" --format csv >"$work/cmp.csv" 2>"$work/cerr"
head -1 "$work/cmp.csv" | grep -qx 'rank,experiment,experiment_id,group,name,allocator,version,differs_by,relays,final_mean_gib,control_group,control_chosen_as,control_relays,control_final_mean_gib,pct_less_than_control,pct_lo,pct_hi,ratio_control_over_group,ratio_lo,ratio_hi,caveat' &&
    pass "compare csv: header" || fail "compare csv: header" "$(head -1 "$work/cmp.csv")"
n=$(awk 'END { print NR - 1 }' "$work/cmp.csv")
[ "$n" -eq 4 ] && pass "compare csv: four groups" || fail "compare csv: four groups" "$n"
"$MEMREPORT" summary "$r/fleet/beta" --format csv >"$work/beta.csv" 2>/dev/null
# Beta has no group named control and one glibc group (D): ratio = D / C.
want=$(awk -F, '$1 == "D" { d = $4 } $1 == "C" { c = $4 } END { printf "%.3f", d / c }' "$work/beta.csv")
got=$(awk -F, '$3 == "beta" && $4 == "C" { print $18 "|" $11 }' "$work/cmp.csv")
awk -v g="${got%|*}" -v w="$want" 'BEGIN { d = g - w; exit !(d < 0.0015 && d > -0.0015) }' && [ "${got#*|}" = D ] &&
    pass "compare csv: ratio to control ($want)" || fail "compare csv: ratio to control" "$got, want $want|D"
want=$(awk -F, '$1 == "A" { printf "%.4f", $4 }' "$work/alpha.csv")
got=$(awk -F, '$3 == "alpha" && $4 == "A" { print $10 }' "$work/cmp.csv")
[ "$got" = "$want" ] && pass "compare csv: final mean" || fail "compare csv: final mean" "$got, want $want"
"$MEMREPORT" compare "$r/fleet/alpha" "$r/fleet/beta" --format json >"$work/cmp.json" 2>/dev/null
if command -v sqlite3 >/dev/null 2>&1; then
    v=$(sqlite3 :memory: "SELECT json_valid(readfile('$work/cmp.json')), json_array_length(readfile('$work/cmp.json'), '\$.allocators')")
    [ "$v" = "1|2" ] && pass "compare json: valid, two allocators" || fail "compare json: valid, two allocators" "$v"
fi
"$MEMREPORT" compare "$r/fleet/alpha" "$r/fleet/beta" >"$work/cmp.txt" 2>/dev/null
grep -q '^mimalloc$' "$work/cmp.txt" && grep -q 'control' "$work/cmp.txt" && pass "compare text" || fail "compare text" "$(head -3 "$work/cmp.txt")"
"$MEMREPORT" compare "$r/fleet/alpha" --format csv >/dev/null 2>&1
[ $? -eq 2 ] && pass "compare: needs two directories" || fail "compare: needs two directories" "not exit 2"
"$MEMREPORT" compare "$r/fleet/alpha" "$r/broken" >/dev/null 2>"$work/cerr2"
[ $? -eq 1 ] && grep -q 'rss_kb' "$work/cerr2" && pass "compare: broken input, exit 1 with the error" || fail "compare: broken input" "$(head -2 "$work/cerr2")"

# A read-only experiment directory gets no archive saved into it.
mkdir -p "$work/roroot"
cp -r "$r/fleet/alpha" "$work/roroot/alpha"
rm -f "$work/roroot/alpha/results.sqlite"
chmod a-w "$work/roroot/alpha"
"$MEMREPORT" site "$work/roroot" -o "$work/ro-site" 2>"$work/roerr"
rc=$?
chmod u+w "$work/roroot/alpha"
[ $rc -eq 0 ] && [ -s "$work/ro-site/index.html" ] && pass "read-only experiment: site built" ||
    fail "read-only experiment: site built" "exit $rc: $(head -2 "$work/roerr")"
[ ! -e "$work/roroot/alpha/results.sqlite" ] && pass "read-only experiment: no archive saved into it" ||
    fail "read-only experiment: no archive saved into it" "results.sqlite appeared"

# The real experiment, read-only, when present.
src=""
for d in "$TOP/../shared/data"; do
    [ -f "$d/5way-allocator-comparison/memory.csv" ] && src=$d && break
done
if [ -z "$src" ]; then
    echo "SKIP site-real: the shared data is not available"
    exit 0
fi
"$MEMREPORT" site --no-save "$src" "$r/fleet" -o "$work/real-site" 2>"$work/rerr"
rc=$?
[ $rc -eq 0 ] && grep -q '>5-Way Memory Allocator Comparison</a>' "$work/real-site/index.html" &&
    pass "real: listed" || fail "real: listed" "exit $rc: $(head -2 "$work/rerr")"
[ ! -e "$src/5way-allocator-comparison/results.sqlite" ] && pass "real: nothing written into the data" || fail "real: nothing written into the data" "results.sqlite appeared"
grep -A60 '>mimalloc</h2>' "$work/real-site/compare.html" | grep -q '5-Way Memory Allocator Comparison.*10.44' &&
    pass "real: mimalloc 3.0.1 at 10.44 GiB in the comparison" || fail "real: mimalloc 3.0.1 in the comparison" "missing"
exit 0
