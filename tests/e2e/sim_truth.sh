#!/bin/sh
# sim_truth.sh - memreport's summary against the simulator's known truth.
#
# memsim writes an experiment whose levels, leak rates and restart schedule
# are known, and prints the exact final mean of each group. The script first
# checks that the written data agree with that truth and with the format
# contract (recomputed here with awk), then that `memreport summary --format
# csv` recovers: final means within 0.001 GiB, ratios, relay counts, steady
# growth within 10% (or 0.02 GiB/day) of the true leak rate, Flat/Growing
# trends, and, for the group restarted every 72 h, that the plain OLS slope of
# the saw-toothed mean misses the leak while the restart-aware steady growth
# finds it. Last, the group-column and older layouts give the same final
# means.
# env: MEMREPORT, MEMSIM (absolute binary paths)
MEMSIM=${MEMSIM:-$(dirname "$0")/../../build/memsim}
MEMREPORT=${MEMREPORT:-$(dirname "$0")/../../build/memreport}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
exp="$tmp/exp"

# 16 relays per group, 4 in reserve, two of F also listed in E's file.
if ! "$MEMSIM" -o "$exp" --seed 42 --relays 100 --reserve 4 --overlap 2 \
    --days 14 --interval-hours 3 --manual 2 --skew 2 --timezone -05:00 \
    --group A:flat:level=1.3:sd=0.02 \
    --group B:leak:rate=1.0:level=2 \
    --group C:leak:rate=0.3:level=1.5 \
    --group D:restart:rate=1.0:every=72h:level=2 \
    --group E:noisy:level=2.5:sd=0.4 \
    --group F:flat:level=2 \
    >"$tmp/truth.csv" 2>"$tmp/sim.err"; then
    echo "FAIL sim_truth_generate: memsim failed: $(cat "$tmp/sim.err")"
    exit 1
fi

# --- 1. The data memsim wrote agree with the truth it printed. -----------
# Final mean per group recomputed from memory.csv (rows of the last
# collection, which may spread over a few seconds) and the group files.
awk -F, '
    FNR == 1 { file++ }
    file == 1 { next }                                  # truth header skipped below
    file == 2 && FNR > 1 && $3 == "relay" { t[NR] = $1; nick[NR] = $5; rss[NR] = $6; last = $1 }
    file >= 3 && FNR > 1 && $0 !~ /^#/ { g = FILENAME; sub(/.*group_/, "", g); sub(/_.*/, "", g); mem[g, $0] = 1; groups[g] = 1 }
    END {
        # rows within 120 s of the last timestamp (same day and hour here)
        split(last, L, /[-T:]/)
        lsec = L[4] * 3600 + L[5] * 60 + L[6]
        for (i in t) {
            split(t[i], T, /[-T:]/)
            if (T[1] T[2] T[3] != L[1] L[2] L[3]) continue
            if (lsec - (T[4] * 3600 + T[5] * 60 + T[6]) > 120) continue
            for (g in groups) if ((g, nick[i]) in mem) { s[g] += rss[i]; n[g]++ }
        }
        for (g in groups) printf "%s %d %.6f\n", g, n[g], s[g] / n[g] / 1048576
    }' "$tmp/truth.csv" "$exp/memory.csv" "$exp"/groups/*.txt | sort >"$tmp/recomputed"
awk -F, 'NR > 1 { printf "%s %d %.6f\n", $1, $3, $7 }' "$tmp/truth.csv" | sort >"$tmp/printed"
if [ "$(wc -l <"$tmp/printed")" -eq 6 ] && cmp -s "$tmp/printed" "$tmp/recomputed"; then
    echo "PASS sim_truth_matches_data"
else
    echo "FAIL sim_truth_matches_data: printed $(tr '\n' ';' <"$tmp/printed") recomputed $(tr '\n' ';' <"$tmp/recomputed")"
fi

# Aggregate rows are the sums of their collection's relay rows; hwm_kb is
# the running maximum of RSS and drops only together with RSS (a restart);
# D's 16 relays restart 4 times in 14 days (72 h apart, the first at 73.5 h).
awk -F, '
    NR == 1 { next }
    $3 == "aggregate" { check(); split($0, A, ","); cnt = 0; tot = 0; mn = -1; mx = 0; naggr++; next }
    $3 == "relay" {
        cnt++; tot += $6; if (mn < 0 || $6 < mn) mn = $6; if ($6 > mx) mx = $6
        if ($8 < $6) bad = bad " hwm<rss@" NR
        k = $5
        if (k in ph) {
            if ($8 < ph[k]) { if ($6 < pr[k] * 0.9) drops++; else bad = bad " hwm-drop@" NR }
            else if ($8 != (ph[k] > $6 ? ph[k] : $6)) bad = bad " hwm-not-max@" NR
        }
        ph[k] = $8; pr[k] = $6
    }
    function check() { if (naggr && (A[10] != cnt || A[11] != tot || A[12] != int(tot / cnt) || A[13] != mn || A[14] != mx)) bad = bad " aggregate@" NR }
    END { check(); if (drops != 64) bad = bad " restarts=" drops + 0; print (bad == "" ? "ok" : bad) }
' "$exp/memory.csv" >"$tmp/format"
if [ "$(cat "$tmp/format")" = ok ]; then
    echo "PASS sim_format_contract"
else
    echo "FAIL sim_format_contract:$(cut -c1-300 "$tmp/format")"
fi

# --- 2. memreport summary recovers the truth. ----------------------------
"$MEMREPORT" summary "$exp" --format csv >"$tmp/summary.csv" 2>"$tmp/summary.err"
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "FAIL sim_truth_summary: memreport summary exited $rc: $(head -c 300 "$tmp/summary.err")"
    exit 0
fi

header='group,name,relays,final_mean_gib,ratio,ratio_lo,ratio_hi,p_value,p_holm,slope_ols_gib_day,slope_theil_sen_gib_day,steady_growth_gib_day,steady_lo,steady_hi,r2,trend'
if [ "$(head -n 1 "$tmp/summary.csv")" = "$header" ]; then
    echo "PASS sim_summary_header"
else
    echo "FAIL sim_summary_header: $(head -n 1 "$tmp/summary.csv")"
fi

# Join truth and summary on the group ID. Names here have no commas, so a
# plain comma split is exact. Baseline is A (memsim's manifest default).
awk -F, '
    function abs(x) { return x < 0 ? -x : x }
    function tol(r) { return abs(r) * 0.10 > 0.02 ? abs(r) * 0.10 : 0.02 }
    FNR == 1 { file++; next }
    file == 1 { rel[$1] = $3; lev[$1] = $4; rate[$1] = $5; every[$1] = $6; fin[$1] = $7; ids[++n] = $1; next }
    file == 2 { seen[$1] = 1; srel[$1] = $3; sfin[$1] = $4; ratio[$1] = $5; ols[$1] = $10; steady[$1] = $12; trend[$1] = $16 }
    END {
        for (i = 1; i <= n; i++) {
            g = ids[i]
            if (!(g in seen)) { print "FAIL sim_summary_group_" g ": group missing from the summary"; continue }
            if (srel[g] == rel[g]) print "PASS sim_relays_" g
            else print "FAIL sim_relays_" g ": summary " srel[g] " relays, truth " rel[g]
            if (sfin[g] != "" && abs(sfin[g] - fin[g]) <= 0.001) print "PASS sim_final_mean_" g
            else print "FAIL sim_final_mean_" g ": summary " sfin[g] " GiB, truth " fin[g]
            want = fin["A"] / fin[g]
            if (ratio[g] != "" && abs(ratio[g] - want) <= 0.005 * want + 0.006) print "PASS sim_ratio_" g
            else print "FAIL sim_ratio_" g ": summary " ratio[g] ", truth " sprintf("%.4f", want)
            if (g == "E") continue                      # noisy, with two of F mixed in
            if (steady[g] != "" && abs(steady[g] - rate[g]) <= tol(rate[g]))
                print "PASS sim_steady_growth_" g
            else
                print "FAIL sim_steady_growth_" g ": summary " steady[g] " GiB/day, true leak " rate[g]
            expect = rate[g] > 0 ? "Growing" : "Flat"
            if (trend[g] == expect) print "PASS sim_trend_" g
            else print "FAIL sim_trend_" g ": summary says " trend[g] ", truth " expect
            if (every[g] > 0) {
                # the must-show: a saw-toothed mean hides the leak from OLS
                if (ols[g] != "" && abs(ols[g] - rate[g]) > tol(rate[g]))
                    print "PASS sim_restart_ols_misses_leak_" g
                else
                    print "FAIL sim_restart_ols_misses_leak_" g ": OLS slope " ols[g] " is within tolerance of " rate[g] ", the case shows nothing"
            } else if (rate[g] > 0) {
                if (ols[g] != "" && abs(ols[g] - rate[g]) <= tol(rate[g])) print "PASS sim_ols_slope_" g
                else print "FAIL sim_ols_slope_" g ": OLS slope " ols[g] ", true leak " rate[g]
            }
        }
    }' "$tmp/truth.csv" "$tmp/summary.csv"

# --- 3. The other layouts: a group column instead of group files, and the
# older memory_measurements.csv (no fingerprints, vmsize or hwm). Final means
# and relay counts must match the truth there too.
for layout in with-group-column format-old; do
    d="$tmp/$layout"
    if ! "$MEMSIM" -o "$d" --seed 5 --relays 31 --reserve 1 --days 4 --interval-hours 2 \
        --group A:flat:level=1.3 --group B:leak:rate=0.5 --group C:noisy:level=2.5 \
        "--$layout" >"$d.truth" 2>"$d.err"; then
        echo "FAIL sim_layout_$layout: memsim failed: $(cat "$d.err")"
        continue
    fi
    if ! "$MEMREPORT" summary "$d" --format csv >"$d.summary" 2>"$d.serr"; then
        echo "FAIL sim_layout_$layout: memreport summary failed: $(head -c 300 "$d.serr")"
        continue
    fi
    awk -F, -v name="sim_layout_$layout" '
        function abs(x) { return x < 0 ? -x : x }
        FNR == 1 { file++; next }
        file == 1 { rel[$1] = $3; fin[$1] = $7; ids[++n] = $1; next }
        file == 2 { srel[$1] = $3; sfin[$1] = $4 }
        END {
            bad = ""
            for (i = 1; i <= n; i++) {
                g = ids[i]
                if (srel[g] != rel[g] || sfin[g] == "" || abs(sfin[g] - fin[g]) > 0.001)
                    bad = bad " " g ": " srel[g] " relays " sfin[g] " GiB, truth " rel[g] " relays " fin[g] " GiB;"
            }
            if (n != 3) bad = bad " truth has " n " groups"
            print (bad == "" ? "PASS " name : "FAIL " name ":" bad)
        }' "$d.truth" "$d.summary"
done
