#!/bin/sh
# archive_only_real.sh - the real 5-way experiment, copied into a temporary
# directory, built once and stripped to results.sqlite: summary --format
# csv still gives EXPECTED.md's first table, build writes a REPORT.md with
# it, site lists it and compare works against the bundled example. Then
# the same with memory.csv.gz in place of memory.csv, before and after
# stripping. Skips when the shared data folder is absent.
: "${MEMREPORT:?}" "${TOP:?}"
data="$TOP/../shared/data/5way-allocator-comparison"
if [ ! -d "$data" ]; then
    echo "SKIP archive_only_real: $data is absent"
    exit 0
fi
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
pass() { echo "PASS archive_only_real: $1"; }
fail() { echo "FAIL archive_only_real: $1: $2"; }

# EXPECTED.md's first table: group, relays, mean GiB, baseline A / group.
expected='A 20 10.437 1.00
B 20 1.406 7.42
C 20 1.826 5.72
D 20 2.743 3.80
E 20 4.149 2.52'

check_summary() { # name, summary CSV
    verdict=$(printf '%s\n' "$expected" | awk -F'[ ,]' -v f="$2" '
        BEGIN { while ((getline l < f) > 0) { split(l, c, ","); n[c[1]] = c[3]; m[c[1]] = c[4]; r[c[1]] = c[5] } }
        { g = $1; if (!(g in m)) { print "no row for " g; exit }
          dm = m[g] - $3; dr = r[g] - $4; if (dm < 0) dm = -dm; if (dr < 0) dr = -dr
          if (n[g] != $2 || dm > 0.001 || dr > 0.01) { print g ": " n[g] " relays, " m[g] " GiB, " r[g] "x"; exit } }
        END { }')
    [ -z "$verdict" ] && pass "$1" || fail "$1" "$verdict"
}

# check_report NAME FILE: the final-metrics rows carry the published figures
# (the best row is in bold).
check_report() {
    ok=1
    for want in "| B | mimalloc 2.0.9 | 20 | 1.41 | 7.42× less" "| C | mimalloc 2.1.7 | 20 | 1.83 | 5.72× less" \
        "| D | jemalloc 5.3.0 | 20 | 2.74 | 3.80× less" "| E | glibc 2.41 (control) | 20 | 4.15 | 2.52× less" \
        "| A | mimalloc 3.0.1 | 20 | 10.44 | baseline"; do
        sed 's/\*\*//g' "$2" | grep -qF "$want" || { fail "$1" "no row '$want'"; ok=0; }
    done
    [ $ok = 1 ] && pass "$1"
}

strip_to_archive() {
    find "$1" -mindepth 1 -maxdepth 1 ! -name results.sqlite -exec rm -rf {} +
}

for kind in csv gz; do
    x=$work/$kind/5way
    mkdir -p "$work/$kind"
    cp -r "$data" "$x"
    chmod -R u+w "$x"
    [ $kind = gz ] && gzip "$x/memory.csv"
    if ! "$MEMREPORT" build -q "$x" 2>"$work/err"; then
        fail "$kind: first build" "$(head -2 "$work/err")"
        continue
    fi
    if [ $kind = gz ]; then
        "$MEMREPORT" summary "$x" --format csv >"$work/sum" 2>/dev/null
        check_summary "gz: summary from memory.csv.gz is EXPECTED.md's table" "$work/sum"
        grep -q "^| memory.csv.gz | 5,020 |" "$x/REPORT.md" && pass "gz: REPORT.md names memory.csv.gz and its 5,020 rows" ||
            fail "gz: REPORT.md names memory.csv.gz and its 5,020 rows" "$(grep -n 'memory.csv' "$x/REPORT.md" | tail -1)"
    fi
    strip_to_archive "$x"
    [ "$(ls "$x")" = results.sqlite ] || { fail "$kind: strip" "$(ls "$x" | tr '\n' ' ')"; continue; }

    "$MEMREPORT" summary "$x" --format csv >"$work/sum" 2>"$work/err"
    rc=$?
    [ $rc -eq 0 ] || fail "$kind: summary from the archive alone" "exit $rc: $(head -2 "$work/err")"
    check_summary "$kind: summary from the archive alone is EXPECTED.md's table" "$work/sum"

    "$MEMREPORT" summary "$x" --format csv --until 2026-01-08 >"$work/sum8" 2>/dev/null
    awk -F, '$1 == "A" { a = $4 } $1 == "E" { e = $4; r = $5 }
        END { d1 = a - 8.618; d2 = e - 4.012; d3 = r - 2.15; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2; if (d3 < 0) d3 = -d3
              exit !(d1 <= 0.001 && d2 <= 0.001 && d3 <= 0.01) }' "$work/sum8" &&
        pass "$kind: --until 2026-01-08 from the archive is EXPECTED.md's second table" ||
        fail "$kind: --until 2026-01-08 from the archive" "$(grep -E '^(A|E),' "$work/sum8" | cut -d, -f1,4,5 | tr '\n' ' ')"

    "$MEMREPORT" build "$x" >/dev/null 2>"$work/err"
    rc=$?
    [ $rc -eq 0 ] && grep -q "regenerated from results.sqlite" "$work/err" && pass "$kind: build from the archive alone" ||
        fail "$kind: build from the archive alone" "exit $rc: $(grep -v warning "$work/err" | head -2)"
    check_report "$kind: REPORT.md from the archive has the published table" "$x/REPORT.md"

    "$MEMREPORT" check "$x" >"$work/out" 2>/dev/null
    grep -q "archive only.*integrity ok, counts match the stored rows.*5020 rows, 200 relays, 28 collections" "$work/out" &&
        pass "$kind: check checks the archive" || fail "$kind: check checks the archive" "$(cat "$work/out")"

    "$MEMREPORT" site -q "$work/$kind" -o "$work/$kind-site" 2>"$work/err"
    grep -q "5-Way Memory Allocator Comparison" "$work/$kind-site/index.html" 2>/dev/null &&
        pass "$kind: site lists it" || fail "$kind: site lists it" "$(head -2 "$work/err")"

    "$MEMREPORT" compare "$x" "$TOP/data/example" --format csv >"$work/cmp" 2>"$work/err"
    rc=$?
    [ $rc -eq 0 ] && grep -q '5-Way Memory Allocator Comparison' "$work/cmp" && grep -q 'Allocator comparison (example)' "$work/cmp" &&
        pass "$kind: compare with the example works" || fail "$kind: compare with the example works" "exit $rc: $(head -2 "$work/err")"
done
