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
