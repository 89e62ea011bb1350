#!/bin/sh
# The users' own files as they write them: relay_config.csv with '#'
# comment lines, group names from groups/group_<ID>_<slug>.txt, every
# `config` key of the manifest in the groups table, the manifest's
# allocator and Tor version where diagnostics.csv says nothing, and Tor
# versions written with a trailing dot. Figures checked by hand.
# env: MEMREPORT (absolute path of the binary)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
row() { awk -F, -v id="$2" 'NR > 1 && $1 == id { print $2 "," $3 "," $4 }' "$1"; }

mem='timestamp,type,fingerprint,nickname,rss_kb
2026-01-01T00:00:00,relay,,alpha,1048576
2026-01-01T00:00:00,relay,,beta,3145728
2026-01-01T00:00:00,relay,,gamma,524288
2026-01-01T00:00:00,relay,,delta,524288
2026-01-02T00:00:00,relay,,alpha,2097152
2026-01-02T00:00:00,relay,,beta,3145728
2026-01-02T00:00:00,relay,,gamma,1048576
2026-01-02T00:00:00,relay,,delta,524288
'
x="$tmp/cfg"
mkdir "$x"
printf '%s' "$mem" >"$x/memory.csv"
cat >"$x/relay_config.csv" <<'CSV'
# relay_config.csv: written by the experiment template
# one relay a line; fingerprint may be empty
fingerprint,nickname,group
# A: the control
,alpha,A
,beta,A
# B: mimalloc
,gamma,B
,delta,B
CSV
cat >"$x/experiment.json" <<'JSON'
{"name": "Users' files", "tor_version": "0.4.8.x", "allocator": "mixed",
 "groups": {
   "A": {"name": "glibc", "config": {"allocator": "glibc", "dircache": 0, "maxmem": "8 GB",
                                     "MaxConsensusAgeForDiffs": "1 hour"}},
   "B": {"name": "mimalloc", "config": {"allocator": "mimalloc", "restart_interval": "24h"}}
 }}
JSON
printf 'date,time,hostname,tor_version,allocator\n2026-01-02,00:00:05,h1,0.4.8.21.,\n' >"$x/diagnostics.csv"
"$MEMREPORT" summary "$x" --format csv >"$tmp/s.csv" 2>"$tmp/s.err"
rc=$?
[ "$rc" -eq 0 ] && pass "relay_config.csv with comment lines reads" || fail "relay_config.csv with comment lines reads" "status $rc: $(cat "$tmp/s.err")"
# By hand: A = (2 + 3) / 2 = 2.5 GiB, B = (1 + 0.5) / 2 = 0.75 GiB.
[ "$(row "$tmp/s.csv" A)" = "glibc,2,2.5000" ] && [ "$(row "$tmp/s.csv" B)" = "mimalloc,2,0.7500" ] &&
    pass "groups from relay_config.csv: A 2.5, B 0.75 GiB" || fail "groups from relay_config.csv" "$(cat "$tmp/s.csv")"
"$MEMREPORT" build -q "$x" 2>"$tmp/b.err"
grep -qF '| Group | Name | Allocator | Dircache | Maxmem | MaxConsensusAgeForDiffs | Restart_interval | Relays |' "$x/REPORT.md" &&
    pass "groups table: a column for every config key" || fail "groups table: a column for every config key" "$(grep '^| Group | Name' "$x/REPORT.md")"
grep -qF '| A | glibc | glibc | 0 | 8 GB | 1 hour |  | 2 |' "$x/REPORT.md" && grep -qF '| B | mimalloc | mimalloc |  |  |  | 24h | 2 |' "$x/REPORT.md" &&
    pass "groups table: each group's values, blank where it gives none" || fail "groups table: each group's values" "$(grep '^| [AB] |' "$x/REPORT.md")"
grep -qF '| Tor version | 0.4.8.21 |' "$x/REPORT.md" && pass "Tor version from diagnostics, trailing dot trimmed" ||
    fail "Tor version from diagnostics, trailing dot trimmed" "$(grep 'Tor version' "$x/REPORT.md")"
grep -qF '| Allocator | mixed |' "$x/REPORT.md" && pass "allocator from the manifest where diagnostics say nothing" ||
    fail "allocator from the manifest where diagnostics say nothing" "$(grep -i allocator "$x/REPORT.md" | head -3)"
grep -q '<th scope="col">Maxmem</th>' "$x/site/index.html" && pass "the page's groups table too" ||
    fail "the page's groups table too" "no Maxmem column"
rm "$x/diagnostics.csv" "$x/results.sqlite"
"$MEMREPORT" build -q "$x" 2>/dev/null
grep -qF '| Tor version | 0.4.8.x |' "$x/REPORT.md" && pass "Tor version from the manifest without diagnostics" ||
    fail "Tor version from the manifest without diagnostics" "$(grep 'Tor version' "$x/REPORT.md")"

# Group names from the files' slugs when no manifest names them.
y="$tmp/slug"
mkdir -p "$y/groups"
printf '%s' "$mem" >"$y/memory.csv"
printf '# the control\nalpha\nbeta\n' >"$y/groups/group_A_glibc_control.txt"
printf 'gamma\ndelta\n' >"$y/groups/group_B_mimalloc209.txt"
"$MEMREPORT" summary "$y" --format csv >"$tmp/y.csv" 2>"$tmp/y.err"
[ "$(row "$tmp/y.csv" A)" = "glibc control,2,2.5000" ] && [ "$(row "$tmp/y.csv" B)" = "mimalloc209,2,0.7500" ] &&
    pass "group names from group_<ID>_<slug>.txt" || fail "group names from group_<ID>_<slug>.txt" "$(cat "$tmp/y.csv") $(cat "$tmp/y.err")"
printf '{"groups": {"A": {"name": "glibc 2.41"}, "B": {}}}\n' >"$y/experiment.json"
"$MEMREPORT" summary "$y" --format csv >"$tmp/y2.csv" 2>/dev/null
[ "$(row "$tmp/y2.csv" A)" = "glibc 2.41,2,2.5000" ] && [ "$(row "$tmp/y2.csv" B)" = "mimalloc209,2,0.7500" ] &&
    pass "the manifest's name wins; the slug where it gives none" || fail "the manifest's name wins" "$(cat "$tmp/y2.csv")"
