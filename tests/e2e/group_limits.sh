#!/bin/sh
# group_limits.sh - a report compares at most 256 groups, and keeps at
# most 2^24 group-relay cells: a small file that names a group of its own
# for every relay (in the group column, relay_config.csv, group files or
# experiment.json) is one error, exit 1, in a moment and a few MB, where
# it took minutes and gigabytes; 256 groups are still read.
# env: MEMREPORT, TOP
set -u
mr=${MEMREPORT:?MEMREPORT not set}
# shellcheck source=tests/lib.sh
. "${TOP:?TOP not set}/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "PASS $1"; }
bad() { echo "FAIL $1"; }
# Under a sanitizer (its shadow memory is terabytes of address space) the
# runs go without the memory limit; the time limit stays.
limit=1048576
sanitizer_build "$mr" && limit=unlimited

# memory_csv DIR RELAYS GROUPS [group]: RELAYS relays at two collections,
# relay r in group G(r mod GROUPS), with a group column when asked.
memory_csv() {
    mkdir -p "$1"
    awk -v n="$2" -v g="$3" -v col="${4:-}" 'BEGIN {
        print "timestamp,type,nickname" (col ? ",group" : "") ",rss_kb"
        for (c = 0; c < 2; c++)
            for (r = 0; r < n; r++)
                printf "2026-01-01T0%d:00:00,relay,r%d%s,%d\n", c, r,
                    (col ? ",G" (r % g) : ""), 1000 + r + c
    }' >"$1/memory.csv"
}

# refused NAME DIR MESSAGE: exit 1, MESSAGE said once, one error, within
# 1 GB of address space and a minute.
refused() {
    name=$1 dir=$2 want=$3
    (ulimit -v "$limit" 2>/dev/null; timeout 60 "$mr" check "$dir") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 1 ]; then
        bad "$name: exit $rc, want 1: $(head -n 3 "$tmp/err")"
    elif [ "$(grep -cF -- "$want" "$tmp/err")" -ne 1 ]; then
        bad "$name: want '$want' once: $(head -n 3 "$tmp/err")"
    elif ! grep -q ', 1 error;' "$tmp/out"; then
        bad "$name: want one error: $(cat "$tmp/out")"
    else
        ok "$name: $want"
    fi
}

memory_csv "$tmp/column" 20000 20000 group
refused group_column "$tmp/column" \
    "memory.csv:258:32: group 'G256' would be group 257: a report compares at most 256"

memory_csv "$tmp/config" 20000 20000
awk -F, 'NR > 1 && NR <= 20001 { print $3 ",G" NR - 2 }
         NR == 1 { print "nickname,group" }' "$tmp/config/memory.csv" >"$tmp/config/relay_config.csv"
refused relay_config "$tmp/config" \
    "relay_config.csv: 20000 groups: a report compares at most 256"

memory_csv "$tmp/files" 300 300
mkdir "$tmp/files/groups"
i=0
while [ "$i" -lt 300 ]; do
    echo "r$i" >"$tmp/files/groups/group_G${i}_g.txt"
    i=$((i + 1))
done
refused group_files "$tmp/files" "groups: 300 groups: a report compares at most 256"

memory_csv "$tmp/manifest" 300 300
awk 'BEGIN {
    printf "{\n  \"groups\": {\n"
    for (g = 0; g < 300; g++)
        printf "    \"G%d\": {\"members\": [\"r%d\"]}%s\n", g, g, g < 299 ? "," : ""
    printf "  }\n}\n"
}' >"$tmp/manifest/experiment.json"
refused manifest "$tmp/manifest" "experiment.json:259: 300 groups: a report compares at most 256"

# 200 groups of 100,000 relays: 20 M cells, more than 2^24.
memory_csv "$tmp/cells" 100000 200 group
refused cells "$tmp/cells" "200 groups x 100000 relays: more than 16777216 group-relay cells \
(in the group column of the memory CSV)"

# init drafts no manifest that the build would refuse.
rm -f "$tmp/config/experiment.json"
if "$mr" init "$tmp/config" >/dev/null 2>"$tmp/err"; then
    bad "init with 20,000 groups: exit 0"
elif [ -e "$tmp/config/experiment.json" ]; then
    bad "init with 20,000 groups: wrote experiment.json"
elif grep -qF "relay_config.csv: 20000 groups: a report compares at most 256" "$tmp/err"; then
    ok "init with 20,000 groups: refused, no experiment.json"
else
    bad "init with 20,000 groups: $(head -n 3 "$tmp/err")"
fi

# 256 groups, the most there may be, are a report.
memory_csv "$tmp/most" 512 256 group
if "$mr" check "$tmp/most" >"$tmp/out" 2>"$tmp/err" && grep -q ', 0 errors;' "$tmp/out"; then
    ok "256 groups are read"
else
    bad "256 groups: $(cat "$tmp/out") $(head -n 3 "$tmp/err")"
fi
if "$mr" init "$tmp/most" 2>"$tmp/err" && [ "$(grep -c '"G[0-9]*": {' "$tmp/most/experiment.json")" -eq 256 ]; then
    ok "init with 256 groups: a manifest of 256"
else
    bad "init with 256 groups: $(head -n 3 "$tmp/err")"
fi
