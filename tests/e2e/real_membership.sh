#!/bin/sh
# Membership on the real 5-way experiment, on a copy in a temporary
# directory (the shared data is never written): the members' own windows
# that EXPECTED.md's last section describes (six relays of E moved to B at
# the 2026-01-05 10:58 restart, three shared with D) give E = 11 relays,
# 6.063 GiB, ratio 1.72; without them the cross-check of every group file
# names the six and says when they probably moved.
# Skips when the shared data folder is absent.
# env: MEMREPORT (absolute path of the binary), TOP (repo root)
data="$TOP/../shared/data/5way-allocator-comparison"
if [ ! -d "$data" ]; then
    echo "SKIP real_membership: $data is absent"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# row FILE ID -> "relays mean ratio"
row() { awk -F, -v id="$2" 'NR > 1 && $1 == id { printf "%s %.3f %.2f\n", $3, $4, $5 }' "$1"; }

copy() {
    cp -r "$data" "$1"
    chmod -R u+w "$1"
}

# --- The members' windows: E's list with the six ending at 10:58 and the
# three shared with D left out.
copy "$tmp/win"
six=" marleymarl method methodman mustardonthebeat nastyyyy noid "
list=$(awk -v six="$six" '
    /^[ \t]*(#|$)/ { next }
    { n = $1; e = index(six, " " n " ") ? "{\"relay\": \"" n "\", \"end\": \"2026-01-05T10:58:00\"}" : "\"" n "\""
      s = s (s == "" ? "" : ", ") e }
    END { print s }' "$data/groups/group_E_glibc_historical.txt")
sed "s|\"members\": \"groups/group_E_glibc_historical.txt\"|\"members\": [$list], \"exclude\": [\"keithsweat\", \"kendricklamar\", \"kenmani\"]|" \
    "$data/experiment.json" >"$tmp/win/experiment.json"
if grep -q '"relay": "noid", "end"' "$tmp/win/experiment.json"; then
    pass "windows manifest written"
else
    fail "windows manifest written" "sed did not apply"
fi
"$MEMREPORT" summary "$tmp/win" --format csv >"$tmp/win.csv" 2>"$tmp/win.err"
rc=$?
[ "$rc" -eq 0 ] && pass "windows: summary exits 0" || fail "windows: summary exits 0" "status $rc: $(cat "$tmp/win.err")"
got=$(row "$tmp/win.csv" E)
[ "$got" = "11 6.063 1.72" ] && pass "windows: E = 11 relays, 6.063 GiB, 1.72 (EXPECTED.md)" ||
    fail "windows: E = 11 relays, 6.063 GiB, 1.72 (EXPECTED.md)" "got $got"
got=$(row "$tmp/win.csv" A)
[ "$got" = "20 10.437 1.00" ] && pass "windows: A unchanged" || fail "windows: A unchanged" "got $got"
if grep -q 'marleymarl' "$tmp/win.err"; then
    fail "windows: the stated move is not warned about" "$(grep marleymarl "$tmp/win.err")"
else
    pass "windows: the stated move is not warned about"
fi
# The report: E's final row says 11 of its 17 members.
SOURCE_DATE_EPOCH=1768089600 "$MEMREPORT" build -q "$tmp/win" 2>"$tmp/build.err"
rc=$?
[ "$rc" -eq 0 ] && pass "windows: build exits 0" || fail "windows: build exits 0" "status $rc: $(cat "$tmp/build.err")"
if grep -E '^\| E \| glibc 2.41 \(control\) \| 11 of 17 \| 6.06 \|' "$tmp/win/REPORT.md" >/dev/null; then
    pass "windows: final table says 11 of 17"
else
    fail "windows: final table says 11 of 17" "$(grep '^| E ' "$tmp/win/REPORT.md")"
fi
# A rebuild from the archive keeps the windows (same report bytes).
cp "$tmp/win/REPORT.md" "$tmp/win.md"
SOURCE_DATE_EPOCH=1768089600 "$MEMREPORT" build -v --force "$tmp/win" 2>"$tmp/build2.err"
if grep -q 'inputs unchanged: read results.sqlite' "$tmp/build2.err" && cmp -s "$tmp/win.md" "$tmp/win/REPORT.md"; then
    pass "windows: the archive keeps them (rebuild from results.sqlite, same REPORT.md)"
else
    fail "windows: the archive keeps them (rebuild from results.sqlite, same REPORT.md)" "$(head -3 "$tmp/build2.err")"
fi

# --- As the manifest is written: EXPECTED.md's first table, and the
# cross-check of every group file names the six and the restart.
copy "$tmp/as"
"$MEMREPORT" summary "$tmp/as" --format csv >"$tmp/as.csv" 2>"$tmp/as.err"
got=$(row "$tmp/as.csv" E)
[ "$got" = "20 4.149 2.52" ] && pass "as written: E = 20 relays, 4.149 GiB, 2.52 (EXPECTED.md's first table)" ||
    fail "as written: E = 20 relays, 4.149 GiB, 2.52" "got $got"
want='marleymarl, method, methodman, mustardonthebeat, nastyyyy and noid are listed for E in groups/group_E_glibc_historical.txt (the list the figures use) and for B in groups/group_B_mimalloc209.txt (not used); they probably moved from E to B at 2026-01-05 10:58 (a restart event after a migration event; RSS and hwm_kb fell), but the figures count them in E throughout.'
grep -qF "$want" "$tmp/as.err" && pass "as written: the cross-check names the six, the files and the restart" ||
    fail "as written: the cross-check names the six, the files and the restart" "$(grep -i listed "$tmp/as.err")"
grep -q 'group_B_mimalloc209.txt:[0-9]*: warning: marleymarl' "$tmp/as.err" &&
    pass "as written: at the line of the unused list" || fail "as written: at the line of the unused list" "no FILE:LINE"
grep -qF 'give groups.E.members in experiment.json as a list with {"relay": "marleymarl", "end": "2026-01-05T10:58:00"}' "$tmp/as.err" &&
    grep -qF 'groups.B.members with {"relay": "marleymarl", "start": "2026-01-05T10:58:00"}, {"relay": "method", "start": "2026-01-05T10:58:00"}' "$tmp/as.err" &&
    pass "as written: the manifest entries that would state it" ||
    fail "as written: the manifest entries that would state it" "$(grep marleymarl "$tmp/as.err")"
grep -qF 'keithsweat, kendricklamar and kenmani are listed for D in groups/group_D_jemalloc.txt and for E in groups/group_E_glibc_historical.txt; the figures use every one of these lists, so they count in each group wherever the windows overlap.' "$tmp/as.err" &&
    pass "as written: the D/E relays listed twice, both lists in use" ||
    fail "as written: the D/E relays listed twice, both lists in use" "$(grep keithsweat "$tmp/as.err")"
SOURCE_DATE_EPOCH=1768089600 "$MEMREPORT" build -q "$tmp/as" 2>/dev/null
grep -q '^- groups/group_B_mimalloc209.txt:[0-9]*: marleymarl, method, methodman, mustardonthebeat, nastyyyy and noid are listed for E' "$tmp/as/REPORT.md" &&
    pass "as written: REPORT.md's data quality says it too" ||
    fail "as written: REPORT.md's data quality says it too" "$(grep -c marleymarl "$tmp/as/REPORT.md")"

# --- Routine monitoring: the 5-way memory.csv alone in a directory is a
# report over every relay; its 80 aggregate rows alone, the server total.
mkdir "$tmp/mon"
cp "$data/memory.csv" "$tmp/mon/"
"$MEMREPORT" summary "$tmp/mon" --format csv >"$tmp/mon.csv" 2>"$tmp/mon.err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/mon.csv")" -eq 2 ] && [ "$(row "$tmp/mon.csv" all)" = "200 2.983 1.00" ] &&
    pass "memory.csv alone: one row all, 200 relays, 2.983 GiB" ||
    fail "memory.csv alone: one row all, 200 relays, 2.983 GiB" "status $rc: $(cat "$tmp/mon.csv")"
"$MEMREPORT" build -q "$tmp/mon" 2>"$tmp/monb.err"
rc=$?
[ "$rc" -eq 0 ] && pass "memory.csv alone: build exits 0" || fail "memory.csv alone: build exits 0" "status $rc: $(cat "$tmp/monb.err")"
grep -q '^| 1 | biggeazy | 10.73 | meddicineman | 1.16 | ' "$tmp/mon/REPORT.md" &&
    pass "memory.csv alone: highest and lowest final RSS (biggeazy 10.73, meddicineman 1.16)" ||
    fail "memory.csv alone: highest and lowest final RSS" "$(grep '^| 1 |' "$tmp/mon/REPORT.md")"
mkdir "$tmp/agg"
awk -F, 'NR == 1 || $3 == "aggregate"' "$data/memory.csv" >"$tmp/agg/memory.csv"
[ "$(wc -l <"$tmp/agg/memory.csv")" -eq 81 ] && pass "the 80 aggregate rows" || fail "the 80 aggregate rows" "$(wc -l <"$tmp/agg/memory.csv")"
"$MEMREPORT" build -q "$tmp/agg" 2>"$tmp/agg.err"
rc=$?
[ "$rc" -eq 0 ] && grep -q '(charts/memory_total.png)' "$tmp/agg/REPORT.md" &&
    grep -q '^| Period | 2025-11-02 to 2026-01-10 (70 days) |' "$tmp/agg/REPORT.md" &&
    pass "aggregate rows alone: a server-total report over 2025-11-02 to 2026-01-10" ||
    fail "aggregate rows alone: a server-total report" "status $rc: $(cat "$tmp/agg.err")"
grep -q '<title>2025-11-02 14:00: 59.15 GiB over 32 relays (aggregate row)</title>' "$tmp/mon/charts/memory_total.svg" &&
    pass "aggregate rows before the first relay row are on the total chart" ||
    fail "aggregate rows before the first relay row are on the total chart" "no 2025-11-02 point"

# --- memreport init on a copy without experiment.json, then build.
copy "$tmp/init"
rm "$tmp/init/experiment.json"
"$MEMREPORT" init "$tmp/init" 2>"$tmp/init.err"
rc=$?
[ "$rc" -eq 0 ] && [ -f "$tmp/init/experiment.json" ] && pass "init: exits 0 and writes experiment.json" ||
    fail "init: exits 0 and writes experiment.json" "status $rc: $(cat "$tmp/init.err")"
grep -q '"timezone": "-08:00"' "$tmp/init/experiment.json" && pass "init: timezone from the events' offsets" ||
    fail "init: timezone from the events' offsets" "$(grep timezone "$tmp/init/experiment.json")"
grep -qF 'group B has 2 member files: using groups/group_B_mimalloc209.txt; groups/group_B_mimalloc209_historical.txt listed under "alternatives"' "$tmp/init.err" &&
    grep -q '"alternatives"' "$tmp/init/experiment.json" && pass "init: several files for a group: one used, the others listed, said on stderr" ||
    fail "init: several files for a group" "$(cat "$tmp/init.err")"
"$MEMREPORT" build -q "$tmp/init" 2>"$tmp/initb.err"
rc=$?
[ "$rc" -eq 0 ] && pass "init then build: exits 0" || fail "init then build: exits 0" "status $rc: $(cat "$tmp/initb.err")"
cp "$tmp/init/experiment.json" "$tmp/init.json"
"$MEMREPORT" init "$tmp/init" 2>"$tmp/init2.err"
rc=$?
[ "$rc" -eq 1 ] && cmp -s "$tmp/init.json" "$tmp/init/experiment.json" && grep -q 'already exists; init never overwrites it' "$tmp/init2.err" &&
    pass "init: never overwrites experiment.json (exit 1, file untouched)" ||
    fail "init: never overwrites experiment.json" "status $rc: $(cat "$tmp/init2.err")"
