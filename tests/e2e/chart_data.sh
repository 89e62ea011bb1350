#!/bin/sh
# chart_data.sh - the "data" tables under the experiment page's charts:
# collapsed by default, one each for the time series, the distribution and
# the server total, and their figures the summary's (final means, relay
# counts) rounded to the page's two decimals.
# env: MEMREPORT, MEMSIM (absolute binary paths)
: "${MEMREPORT:?}"
MEMSIM=${MEMSIM:-$(dirname "$0")/../../build/memsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exp=$work/exp
if ! "$MEMSIM" -o "$exp" --seed 7 --relays 30 --reserve 0 --days 5 --interval-hours 3 \
    --group A:flat:level=1.3 --group B:leak:rate=0.5 --group C:noisy:level=2.5 \
    >"$work/truth" 2>"$work/err"; then
    echo "FAIL chart_data: memsim failed: $(cat "$work/err")"
    exit 0
fi
if ! "$MEMREPORT" build -q "$exp" 2>"$work/err" ||
    ! "$MEMREPORT" summary "$exp" --format csv >"$work/summary.csv" 2>>"$work/err"; then
    echo "FAIL chart_data: memreport failed: $(head -c 300 "$work/err")"
    exit 0
fi
html=$exp/site/index.html

n=$(grep -c '<details class="chart-data">' "$html")
if [ "$n" -eq 3 ]; then echo "PASS chart_data_tables"; else echo "FAIL chart_data_tables: $n tables, want 3"; fi
if grep -q '<details class="chart-data" open' "$html"; then
    echo "FAIL chart_data_collapsed: a table is open"
else
    echo "PASS chart_data_collapsed"
fi

# One line per table row: "TABLE|LABEL|CELL|CELL...", TABLE being the
# chart's name (data-memory_distribution -> memory_distribution).
awk '
    /<caption id="data-/ { t = $0; sub(/.*id="data-/, "", t); sub(/".*/, "", t) }
    /<\/table>/ { t = "" }
    t != "" && /<tr><th scope="row"/ {
        line = $0
        lb = line; sub(/^<tr><th scope="row"[^>]*>/, "", lb); sub(/<\/th>.*/, "", lb)
        out = t "|" lb
        while (match(line, /<td class="num"[^>]*>[^<]*<\/td>/)) {
            c = substr(line, RSTART, RLENGTH); sub(/^<td[^>]*>/, "", c); sub(/<\/td>$/, "", c)
            out = out "|" c
            line = substr(line, RSTART + RLENGTH)
        }
        print out
    }' "$html" >"$work/rows"

# Distribution rows against the summary: relays and final mean per group;
# the time series' last row holds the same final means (every group's final
# snapshot is the last collection here).
awk -F'|' -v sum="$work/summary.csv" '
    BEGIN {
        while ((getline l < sum) > 0) {
            if (++k == 1) continue
            split(l, f, ",")
            rel[f[1]] = f[3]; fin[f[1]] = sprintf("%.2f", f[4]); ids[++n] = f[1]
        }
    }
    $1 == "memory_distribution" {
        split($2, w, " "); g = w[1]; seen[g] = 1
        if ($3 != rel[g]) bad = bad " " g ":relays " $3 "!=" rel[g]
        if ($4 != fin[g]) bad = bad " " g ":mean " $4 "!=" fin[g]
    }
    $1 == "memory_timeseries" { last = $0; ts++ }
    $1 == "memory_total" { tot++ }
    END {
        for (i = 1; i <= n; i++) if (!seen[ids[i]]) bad = bad " " ids[i] ":missing"
        if (n < 3) bad = bad " summary has " n " groups"
        if (bad == "") print "PASS chart_data_distribution_matches_summary"
        else print "FAIL chart_data_distribution_matches_summary:" bad
        # Columns are in the distribution order (by final mean): every
        # final mean of the summary appears in the last time-series row.
        m = split(last, c, "|"); miss = ""
        for (i = 1; i <= n; i++) {
            hit = 0
            for (j = 3; j <= m; j++) if (c[j] == fin[ids[i]]) hit = 1
            if (!hit) miss = miss " " ids[i]
        }
        if (ts >= 2 && ts <= 12 && miss == "") print "PASS chart_data_timeseries_last_row"
        else print "FAIL chart_data_timeseries_last_row: rows " ts ", missing" miss " in " last
        if (tot >= 2 && tot <= 12) print "PASS chart_data_total_rows"
        else print "FAIL chart_data_total_rows: " tot " rows"
    }' "$work/rows"

# A tablet's page fits the time series' data of 3 groups as a table; with
# 7 groups its box is marked cards-wide, to stack there as on a phone.
wide_of() { # html: the time series' data box's class
    grep -B1 '<table class="chart-table">' "$1" | grep -o 'class="table-wrap[^"]*"' | head -1
}
if [ "$(wide_of "$html")" = 'class="table-wrap cards"' ]; then
    echo "PASS chart_data_tablet_3_groups_a_table"
else
    echo "FAIL chart_data_tablet_3_groups_a_table: $(wide_of "$html")"
fi
set --
for g in A B C D E F G; do set -- "$@" --group "$g:flat"; done
if "$MEMSIM" -o "$work/seven" --seed 7 --relays 28 --days 2 "$@" >/dev/null 2>"$work/err" &&
    "$MEMREPORT" build -q "$work/seven" 2>"$work/err"; then
    if [ "$(wide_of "$work/seven/site/index.html")" = 'class="table-wrap cards cards-wide"' ]; then
        echo "PASS chart_data_tablet_7_groups_stacked"
    else
        echo "FAIL chart_data_tablet_7_groups_stacked: $(wide_of "$work/seven/site/index.html")"
    fi
else
    echo "FAIL chart_data_tablet_7_groups_stacked: $(head -c 300 "$work/err")"
fi
