#!/bin/sh
# memreport summary on the real 5-way allocator experiment, checked against
# the independently computed figures of its EXPECTED.md (final means within
# 0.001 GiB, ratios within 0.01), and the command's exit codes.
# Skips when the shared data folder is absent.
# env: MEMREPORT (absolute path of the binary), TOP (repo root)
data="$TOP/../shared/data/5way-allocator-comparison"
if [ ! -d "$data" ]; then
    echo "SKIP real_data: $data is absent"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# check_csv NAME FILE "ID MEAN RATIO RELAYS" ...
check_csv() {
    name=$1
    file=$2
    shift 2
    for want in "$@"; do
        set -- $want
        got=$(awk -F, -v id="$1" 'NR > 1 && $1 == id { print $3, $4, $5 }' "$file")
        if [ -z "$got" ]; then
            fail "$name $1" "no row for group $1"
            continue
        fi
        verdict=$(echo "$got" | awk -v m="$2" -v r="$3" -v n="$4" '{
            dm = $2 - m; if (dm < 0) dm = -dm
            dr = $3 - r; if (dr < 0) dr = -dr
            if ($1 != n) print "relays " $1 " != " n
            else if (dm > 0.001) print "mean " $2 " != " m
            else if (dr > 0.01) print "ratio " $3 " != " r
            else print "ok" }')
        if [ "$verdict" = ok ]; then
            pass "$name $1"
        else
            fail "$name $1" "$verdict"
        fi
    done
}

header='group,name,relays,final_mean_gib,ratio,ratio_lo,ratio_hi,p_value,p_holm,slope_ols_gib_day,slope_theil_sen_gib_day,steady_growth_gib_day,steady_lo,steady_hi,r2,trend'

"$MEMREPORT" summary "$data" --format csv >"$tmp/end.csv" 2>"$tmp/end.err"
rc=$?
[ "$rc" -eq 0 ] && pass "summary csv exits 0" || fail "summary csv exits 0" "status $rc"
[ "$(head -n 1 "$tmp/end.csv")" = "$header" ] && pass "csv header" ||
    fail "csv header" "$(head -n 1 "$tmp/end.csv")"
[ "$(wc -l <"$tmp/end.csv")" -eq 6 ] && pass "csv: five groups" ||
    fail "csv: five groups" "$(wc -l <"$tmp/end.csv") lines"
check_csv "end of data" "$tmp/end.csv" "A 10.437 1.00 20" "B 1.406 7.42 20" \
    "C 1.826 5.72 20" "D 2.743 3.80 20" "E 4.149 2.52 20"

"$MEMREPORT" summary "$data" --format csv --until 2026-01-08 >"$tmp/d8.csv" 2>/dev/null
check_csv "until 2026-01-08" "$tmp/d8.csv" "A 8.618 1.00 20" "B 1.282 6.73 20" \
    "C 1.723 5.00 20" "D 2.644 3.26 20" "E 4.012 2.15 20"

if grep 'kendricklamar' "$tmp/end.err" | grep 'keithsweat' | grep 'kenmani' |
    grep -q 'in both D and E'; then
    pass "overlap named on stderr"
else
    fail "overlap named on stderr" "$(cat "$tmp/end.err")"
fi
grep -q 'in no group' "$tmp/end.err" && pass "ungrouped relays reported" ||
    fail "ungrouped relays reported" "no such warning"

# EXPECTED.md's overlap paragraph: E without the three shared relays.
cp -r "$data" "$tmp/noover"
chmod -R u+w "$tmp/noover"
sed 's|"members": "groups/group_E_glibc_historical.txt",|&\n          "exclude": ["kendricklamar", "keithsweat", "kenmani"],|' \
    "$data/experiment.json" >"$tmp/noover/experiment.json"
"$MEMREPORT" summary "$tmp/noover" --format csv >"$tmp/noover.csv" 2>"$tmp/noover.err"
check_csv "E without the overlap" "$tmp/noover.csv" "E 4.391 2.38 17" "D 2.743 3.80 20"
grep -q 'in both' "$tmp/noover.err" && fail "no overlap once excluded" "$(cat "$tmp/noover.err")" ||
    pass "no overlap once excluded"

"$MEMREPORT" summary "$data" --format csv >"$tmp/again.csv" 2>/dev/null
cmp -s "$tmp/end.csv" "$tmp/again.csv" && pass "csv reproducible (bootstrap seeded)" ||
    fail "csv reproducible (bootstrap seeded)" "two runs differ"

"$MEMREPORT" summary "$data" >"$tmp/text" 2>/dev/null
if grep -q '^A  *mimalloc 3.0.1  *20  *10.437' "$tmp/text" && grep -q 'Final snapshot: 2026-01-10 22:21' "$tmp/text"; then
    pass "text table"
else
    fail "text table" "$(head -n 8 "$tmp/text")"
fi

"$MEMREPORT" summary "$data" --format json >"$tmp/json" 2>/dev/null
if grep -q '"final_mean_gib": 10.43' "$tmp/json" && grep -q '"warnings"' "$tmp/json"; then
    pass "json output"
else
    fail "json output" "$(head -c 300 "$tmp/json")"
fi

"$MEMREPORT" summary "$data" --baseline Q >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'A, B, C, D, E' "$tmp/err"; then
    pass "unknown baseline: exit 1 naming the groups"
else
    fail "unknown baseline: exit 1 naming the groups" "status $rc: $(cat "$tmp/err")"
fi

"$MEMREPORT" summary "$data" --baseline B --format csv >"$tmp/b.csv" 2>/dev/null
got=$(awk -F, '$1 == "A" { print $5 }' "$tmp/b.csv")
[ "$got" = "0.135" ] && pass "--baseline B: A's ratio 1.406/10.437" ||
    fail "--baseline B: A's ratio 1.406/10.437" "got $got"

"$MEMREPORT" summary "$data" --strict >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep 'in both D and E' "$tmp/err" | grep -vq 'warning:' &&
    pass "--strict: overlap is an error" || fail "--strict: overlap is an error" "status $rc"

for args in "--format xml $data" "" "$data $data" "--until yesterday $data" "--bogus $data"; do
    "$MEMREPORT" summary $args >/dev/null 2>&1
    rc=$?
    [ "$rc" -eq 2 ] && pass "usage error: summary $args" ||
        fail "usage error: summary $args" "status $rc"
done
"$MEMREPORT" summary --help >"$tmp/help" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q -- '--until' "$tmp/help" && pass "summary --help" ||
    fail "summary --help" "status $rc"
"$MEMREPORT" summary "$tmp/nonexistent" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 1 ] || [ "$rc" -eq 3 ] && pass "missing directory fails" ||
    fail "missing directory fails" "status $rc"
