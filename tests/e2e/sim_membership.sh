#!/bin/sh
# sim_membership.sh - membership that changes, checked against memsim's
# known truth and against figures recomputed here with awk from the files
# memsim wrote:
# - relays that move from A to B at a restart (--move): the cross-check
#   names them, says when they moved and prints the manifest entries that
#   state it; with those entries, A and B are exactly the relays where they
#   were at the last collection;
# - relays that stop early (--stop-early) are named with their last sample,
#   and the final table says "n of m";
# - two relays sharing a nickname without fingerprints (--shared-nickname)
#   are counted as two (NAME and NAME#2) and reported.
# env: MEMREPORT, MEMSIM (absolute binary paths)
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
# row FILE ID -> "relays mean" (mean to 4 decimals, as summary prints it)
row() { awk -F, -v id="$2" 'NR > 1 && $1 == id { printf "%s %.4f\n", $3, $4 }' "$1"; }
names() { grep -v '^#' "$1" | sort; }

# Mean RSS (GiB, 4 decimals) at the last collection of the relays named in
# the file $2 (one per line), from memory.csv $1: "count mean".
final_of() {
    awk -F, 'FNR == 1 { f++ } f == 1 { want[$1] = 1; next }
        FNR > 1 && $3 == "relay" { last = $1; rss[$1, $5] = $6 }
        END { for (k in want) if ((last, k) in rss) { s += rss[last, k]; n++ }
              printf "%d %.4f\n", n, s / n / 1048576 }' "$2" "$1"
}

# --- Relays that move from A to B at a restart. --------------------------
exp="$tmp/move"
"$MEMSIM" -o "$exp" --seed 7 --relays 40 --days 8 --interval-hours 6 --manual 0 \
    --group A:flat:level=3:sd=0.02 --group B:flat:level=1:sd=0.02 --move 4 >"$tmp/truth.csv" 2>"$tmp/sim.err" ||
    { fail "memsim --move" "$(cat "$tmp/sim.err")"; exit 0; }
names "$exp/groups/group_A_flat.txt" >"$tmp/a"
names "$exp/groups/group_B_flat.txt" >"$tmp/b"
names "$exp/groups/group_B_flat_moved.txt" >"$tmp/bm"
comm -12 "$tmp/a" "$tmp/bm" >"$tmp/movers"
[ "$(wc -l <"$tmp/movers")" -eq 4 ] && pass "memsim: four movers listed for A and in B's moved file" ||
    fail "memsim: four movers listed for A and in B's moved file" "$(wc -l <"$tmp/movers")"
moved_at=$(awk -F, '$2 == "restart" && $4 == "A" { print $1 }' "$exp/events.csv")
human=$(echo "$moved_at" | sed 's/T/ /; s/:[0-9][0-9]$//')
"$MEMREPORT" summary "$exp" --format csv >"$tmp/s.csv" 2>"$tmp/s.err"
truth_a=$(awk -F, '$1 == "A" { printf "%s %.4f\n", $3, $7 }' "$tmp/truth.csv")
[ "$(row "$tmp/s.csv" A)" = "$truth_a" ] && pass "move: as listed, A is memsim's truth (movers counted)" ||
    fail "move: as listed, A is memsim's truth (movers counted)" "$(row "$tmp/s.csv" A) vs $truth_a"
list=$(tr '\n' ' ' <"$tmp/movers" | sed 's/ $//; s/ /, /g; s/\(.*\), /\1 and /')
want="$list are listed for A in groups/group_A_flat.txt (the list the figures use) and for B in groups/group_B_flat_moved.txt (not used); they probably moved from A to B at $human"
if grep -qF "$want" "$tmp/s.err"; then pass "move: the cross-check names the movers and the restart"
else fail "move: the cross-check names the movers and the restart" "want '$want' in: $(cat "$tmp/s.err")"; fi
first=$(head -n 1 "$tmp/movers")
if grep -qF "give groups.A.members in experiment.json as a list with {\"relay\": \"$first\", \"end\": \"$moved_at\"}" "$tmp/s.err" &&
    grep -qF "groups.B.members with {\"relay\": \"$first\", \"start\": \"$moved_at\"}" "$tmp/s.err"; then
    pass "move: the warning shows the manifest entries that state it"
else
    fail "move: the warning shows the manifest entries that state it" "$(grep 'probably moved' "$tmp/s.err")"
fi
grep -q 'groups/group_B_flat_moved.txt:[0-9]*: warning: ' "$tmp/s.err" &&
    pass "move: FILE:LINE of the unused list" || fail "move: FILE:LINE of the unused list" "$(cat "$tmp/s.err")"

# The same entries written into the manifest: A without the movers at the
# end, B with them.
entry() { awk -v k="$1" -v t="$moved_at" 'FNR == NR { m[$1] = 1; next }
    { e = ($1 in m) ? "{\"relay\": \"" $1 "\", \"" k "\": \"" t "\"}" : "\"" $1 "\""; s = s (s == "" ? "" : ", ") e }
    END { print s }' "$tmp/movers" "$2"; }
la=$(entry end "$tmp/a")
lb=$(entry start "$tmp/bm")
sed -e "s|\"members\": \"groups/group_A_flat.txt\"|\"members\": [$la]|" \
    -e "s|\"members\": \"groups/group_B_flat.txt\"|\"members\": [$lb]|" "$exp/experiment.json" >"$tmp/m.json"
cp "$tmp/m.json" "$exp/experiment.json"
"$MEMREPORT" summary "$exp" --format csv >"$tmp/w.csv" 2>"$tmp/w.err"
comm -23 "$tmp/a" "$tmp/movers" >"$tmp/stayed"
want_a=$(final_of "$exp/memory.csv" "$tmp/stayed")
want_b=$(final_of "$exp/memory.csv" "$tmp/bm")
[ "$(row "$tmp/w.csv" A)" = "$want_a" ] && pass "move stated: A = the relays that stayed ($want_a)" ||
    fail "move stated: A = the relays that stayed" "$(row "$tmp/w.csv" A) vs $want_a"
[ "$(row "$tmp/w.csv" B)" = "$want_b" ] && pass "move stated: B = its own and the movers ($want_b)" ||
    fail "move stated: B = its own and the movers" "$(row "$tmp/w.csv" B) vs $want_b"
grep -q 'probably moved' "$tmp/w.err" && fail "move stated: no cross-check warning" "$(cat "$tmp/w.err")" ||
    pass "move stated: no cross-check warning"
grep -q 'in both A and B' "$tmp/w.err" && fail "move stated: no overlap" "$(cat "$tmp/w.err")" ||
    pass "move stated: no overlap"
"$MEMREPORT" build -q "$exp" 2>/dev/null
n_a=$(wc -l <"$tmp/a")
n_s=$(wc -l <"$tmp/stayed")
grep -q "^| A | Group A (flat) | $n_s of $n_a |" "$exp/REPORT.md" && pass "move stated: final table says $n_s of $n_a" ||
    fail "move stated: final table says $n_s of $n_a" "$(grep '^| A |' "$exp/REPORT.md")"

# --- Relays that stop early. ---------------------------------------------
exp="$tmp/stop"
"$MEMSIM" -o "$exp" --seed 9 --relays 24 --days 6 --interval-hours 6 --manual 0 \
    --group A:flat:level=2 --group B:flat:level=1 --stop-early 2 >"$tmp/truth2.csv" 2>/dev/null
"$MEMREPORT" summary "$exp" --format csv >"$tmp/st.csv" 2>"$tmp/st.err"
truth_a=$(awk -F, '$1 == "A" { printf "%s %.4f\n", $3, $7 }' "$tmp/truth2.csv")
[ "$(row "$tmp/st.csv" A)" = "$truth_a" ] && pass "stop: A's final is memsim's truth over the relays still reporting ($truth_a)" ||
    fail "stop: A's final is memsim's truth" "$(row "$tmp/st.csv" A) vs $truth_a"
# Which relays stopped, and when: from memory.csv itself.
awk -F, 'NR > 1 && $3 == "relay" { last[$5] = $1; end = $1 }
    END { for (k in last) if (last[k] != end) print k, last[k] }' "$exp/memory.csv" | sort >"$tmp/stopped"
[ "$(wc -l <"$tmp/stopped")" -eq 2 ] && pass "stop: two relays stop in the data" || fail "stop: two relays stop in the data" "$(cat "$tmp/stopped")"
n=$(names "$exp/groups/group_A_flat.txt" | wc -l)
ok=1
while read -r nick at; do
    h=$(echo "$at" | sed 's/T/ /; s/:[0-9][0-9]$//')
    grep -q "Group A: 2 of its $n members stopped reporting before its final snapshot (.*), which counts $((n - 2)): .*$nick (last sample $h)" "$tmp/st.err" || ok=0
done <"$tmp/stopped"
[ "$ok" -eq 1 ] && pass "stop: each named with its last sample" || fail "stop: each named with its last sample" "$(cat "$tmp/st.err")"
"$MEMREPORT" build -q "$exp" 2>/dev/null
grep -q "^| A | Group A (flat) | $((n - 2)) of $n |" "$exp/REPORT.md" && pass "stop: final table says $((n - 2)) of $n" ||
    fail "stop: final table says $((n - 2)) of $n" "$(grep '^| A |' "$exp/REPORT.md")"

# --- Monitoring without groups: a memsim experiment with its groups and
# manifest removed is a report over every relay (one group `all`).
exp="$tmp/mon"
"$MEMSIM" -o "$exp" --seed 11 --relays 30 --days 6 --interval-hours 6 --manual 0 \
    --group A:flat:level=2:share=5 --group B:leak:rate=2:level=1.5:share=1 >/dev/null 2>&1
leakers=$(names "$exp/groups/group_B_leak.txt" | tr '\n' ' ')
rm -rf "$exp/groups" "$exp/experiment.json"
"$MEMREPORT" summary "$exp" --format csv >"$tmp/mon.csv" 2>"$tmp/mon.err"
rc=$?
[ "$rc" -eq 0 ] && pass "no groups: summary exits 0" || fail "no groups: summary exits 0" "status $rc: $(cat "$tmp/mon.err")"
[ "$(wc -l <"$tmp/mon.csv")" -eq 2 ] && [ "$(awk -F, 'NR == 2 { print $1 "," $2 }' "$tmp/mon.csv")" = "all,all relays" ] &&
    pass "no groups: one row, all" || fail "no groups: one row, all" "$(cat "$tmp/mon.csv")"
awk -F, 'NR > 1 && $3 == "relay" { print $5 }' "$exp/memory.csv" | sort -u >"$tmp/every"
want=$(final_of "$exp/memory.csv" "$tmp/every")
[ "$(row "$tmp/mon.csv" all)" = "$want" ] && pass "no groups: every relay's final mean ($want)" ||
    fail "no groups: every relay's final mean" "$(row "$tmp/mon.csv" all) vs $want"
grep -q 'in no group' "$tmp/mon.err" && fail "no groups: nobody is 'in no group'" "$(cat "$tmp/mon.err")" ||
    pass "no groups: nobody is 'in no group'"
"$MEMREPORT" build -q "$exp" 2>"$tmp/monb.err"
rc=$?
[ "$rc" -eq 0 ] && pass "no groups: build exits 0" || fail "no groups: build exits 0" "status $rc: $(cat "$tmp/monb.err")"
# The relay table against the data: highest and lowest final RSS, and the
# five relays of the leaking group are the five fastest-growing.
last=$(awk -F, 'NR > 1 && $3 == "relay" { t = $1 } END { print t }' "$exp/memory.csv")
awk -F, -v t="$last" '$1 == t && $3 == "relay" { print $6, $5 }' "$exp/memory.csv" | sort -n >"$tmp/finals"
hi=$(tail -n 1 "$tmp/finals" | cut -d' ' -f2)
lo=$(head -n 1 "$tmp/finals" | cut -d' ' -f2)
grep -q "^| 1 | $hi | [0-9.]* | $lo | " "$exp/REPORT.md" && pass "no groups: relay table, highest and lowest final RSS ($hi, $lo)" ||
    fail "no groups: relay table, highest and lowest final RSS" "want $hi/$lo: $(grep '^| 1 |' "$exp/REPORT.md")"
fast=$(awk -F'|' '/^\| [1-5] \|/ { gsub(/ /, "", $7); print $7 }' "$exp/REPORT.md" | sort | tr '\n' ' ')
[ "$fast" = "$leakers" ] && pass "no groups: the five fastest-growing are the leaking relays" ||
    fail "no groups: the five fastest-growing are the leaking relays" "got '$fast', want '$leakers'"
grep -q 'No groups were given, so this is a report over every relay' "$exp/REPORT.md" &&
    pass "no groups: the summary says it is over every relay" || fail "no groups: the summary says it is over every relay" "missing"
cp "$exp/REPORT.md" "$tmp/mon.md"
"$MEMREPORT" build -v --force "$exp" 2>"$tmp/monb2.err"
grep -q 'inputs unchanged: read results.sqlite' "$tmp/monb2.err" && cmp -s "$tmp/mon.md" "$exp/REPORT.md" &&
    pass "no groups: rebuilt from the archive, same REPORT.md (relay table included)" ||
    fail "no groups: rebuilt from the archive, same REPORT.md" "$(head -2 "$tmp/monb2.err")"

# Aggregate rows alone: a report of the server total.
agg="$tmp/agg"
mkdir "$agg"
awk -F, 'NR == 1 || $3 == "aggregate"' "$exp/memory.csv" >"$agg/memory.csv"
"$MEMREPORT" build -q "$agg" 2>"$tmp/agg.err"
rc=$?
[ "$rc" -eq 0 ] && pass "aggregate rows only: build exits 0" || fail "aggregate rows only: build exits 0" "status $rc: $(cat "$tmp/agg.err")"
grep -q 'server totals only' "$agg/REPORT.md" && grep -q '(charts/memory_total.png)' "$agg/REPORT.md" &&
    ! grep -q 'memory_timeseries.png' "$agg/REPORT.md" && ! grep -q '^### Final Metrics' "$agg/REPORT.md" &&
    pass "aggregate rows only: the server total alone" || fail "aggregate rows only: the server total alone" "$(sed -n 1,30p "$agg/REPORT.md")"
"$MEMREPORT" summary "$agg" --format csv >"$tmp/agg.csv" 2>/dev/null
[ "$(wc -l <"$tmp/agg.csv")" -eq 1 ] && pass "aggregate rows only: summary csv has the header alone" ||
    fail "aggregate rows only: summary csv has the header alone" "$(cat "$tmp/agg.csv")"

# --- Two relays, one nickname, no fingerprints (an older collector).
exp="$tmp/shared"
"$MEMSIM" -o "$exp" --seed 5 --relays 24 --days 4 --interval-hours 6 --manual 0 \
    --group A:flat:level=2 --group B:flat:level=1 --shared-nickname 2 >"$tmp/truth3.csv" 2>/dev/null
"$MEMREPORT" summary "$exp" --format csv >"$tmp/sh.csv" 2>"$tmp/sh.err"
for id in A B; do
    t=$(awk -F, -v id=$id '$1 == id { printf "%s %.4f\n", $3, $7 }' "$tmp/truth3.csv")
    [ "$(row "$tmp/sh.csv" $id)" = "$t" ] && pass "shared nickname: $id is memsim's truth, both relays counted ($t)" ||
        fail "shared nickname: $id is memsim's truth" "$(row "$tmp/sh.csv" $id) vs $t"
done
last=$(awk -F, 'NR > 1 && $3 == "relay" { t = $1 } END { print t }' "$exp/memory.csv")
awk -F, -v t="$last" '$1 == t && $3 == "relay" { print $5 }' "$exp/memory.csv" | sort | uniq -d >"$tmp/twice"
[ "$(wc -l <"$tmp/twice")" -eq 2 ] && pass "shared nickname: two nicknames with two rows a collection" ||
    fail "shared nickname: two nicknames with two rows a collection" "$(cat "$tmp/twice")"
ok=1
while read -r nick; do
    grep -q "warning: Two relays report as $nick without fingerprints and with different values at one collection (lines [0-9]* and [0-9]*): they are counted as two relays, $nick (A) and $nick#2 (A)\." "$tmp/sh.err" || ok=0
done <"$tmp/twice"
[ "$ok" -eq 1 ] && pass "shared nickname: each warned with its lines, NAME#2 and the groups" ||
    fail "shared nickname: each warned with its lines, NAME#2 and the groups" "$(cat "$tmp/sh.err")"
grep -q 'duplicate row' "$tmp/sh.err" && fail "shared nickname: not called duplicates" "$(grep duplicate "$tmp/sh.err")" ||
    pass "shared nickname: not called duplicates"

# --- memreport init on a memsim directory without its manifest: groups
# from the files (names from the slugs, a second file for A listed as an
# alternative), the timezone from the offset events.csv writes, a start
# time from the event that names the later group; build works right after
# and the figures are memsim's truth.
exp="$tmp/init"
"$MEMSIM" -o "$exp" --seed 3 --relays 20 --days 4 --interval-hours 6 --manual 0 --timezone -05:00 \
    --group A:flat:level=2:name=glibc --group B:leak:rate=1:start=24h:name=mimalloc >"$tmp/truth4.csv" 2>/dev/null
rm "$exp/experiment.json"
cp "$exp/groups/group_A_glibc.txt" "$exp/groups/group_A_glibc_historical.txt"
"$MEMREPORT" init "$exp" 2>"$tmp/i.err"
rc=$?
[ "$rc" -eq 0 ] && pass "init: exits 0" || fail "init: exits 0" "status $rc: $(cat "$tmp/i.err")"
j="$exp/experiment.json"
grep -q '"timezone": "-05:00"' "$j" && pass "init: timezone -05:00 from events.csv" || fail "init: timezone" "$(cat "$j")"
bstart=$(awk -F, '$NF == "B" && $2 != "restart" { print $1; exit }' "$exp/events.csv")
grep -q "\"start\": \"$bstart\"" "$j" && pass "init: B starts at the first event that names it ($bstart)" || fail "init: B's start" "$(cat "$j")"
grep -q '"members": "groups/group_A_glibc.txt"' "$j" && grep -q '"groups/group_A_glibc_historical.txt"' "$j" &&
    grep -q 'group A has 2 member files' "$tmp/i.err" && pass "init: A's two files, one used and one an alternative" ||
    fail "init: A's two files" "$(cat "$j") $(cat "$tmp/i.err")"
"$MEMREPORT" summary "$exp" --format csv >"$tmp/i.csv" 2>/dev/null
rc=$?
ta=$(awk -F, '$1 == "A" { printf "%s %.4f\n", $3, $7 }' "$tmp/truth4.csv")
[ "$rc" -eq 0 ] && [ "$(row "$tmp/i.csv" A)" = "$ta" ] && [ "$(awk -F, '$1 == "A" { print $2 }' "$tmp/i.csv")" = glibc ] &&
    pass "init then summary: A is memsim's truth, named from its slug" || fail "init then summary" "$(cat "$tmp/i.csv")"
"$MEMREPORT" build -q "$exp" 2>/dev/null && pass "init then build: exits 0" || fail "init then build: exits 0" "status $?"
