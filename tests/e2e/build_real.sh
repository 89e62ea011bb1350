#!/bin/sh
# build_real.sh - `memreport build` on the real 5-way allocator experiment
# (a copy: the shared directory is read-only). The final metrics in
# REPORT.md must match EXPECTED.md, which was computed independently, at
# the end of the data and with --until 2026-01-08. Skips without the data.
: "${MEMREPORT:?}" "${TOP:?}"
src=""
for d in "$TOP/../shared/data/5way-allocator-comparison"; do
    [ -f "$d/memory.csv" ] && src=$d && break
done
if [ -z "$src" ]; then
    echo "SKIP build_real: the 5-way experiment data is not available"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/exp"
chmod -R u+w "$work/exp"

# Rows of an EXPECTED.md table after a heading: "ID mean ratio".
expected() {
    awk -v head="$1" '
        index($0, head) == 1 { on = 1; next }
        on && /^## / { on = 0 }
        on && /^\| [A-Z] \|/ {
            n = split($0, f, "|")
            for (i = 1; i <= n; i++) gsub(/^ +| +$/, "", f[i])
            if (n >= 7) print f[2], f[5], f[6]; else print f[2], f[3], f[4]
        }' "$src/EXPECTED.md"
}

run_case() { # label, heading in EXPECTED.md, extra build args...
    label=$1
    head=$2
    shift 2
    if ! "$MEMREPORT" build -q "$@" "$work/exp" -o "$work/site" 2>"$work/err"; then
        echo "FAIL build_real $label: build failed: $(head -3 "$work/err")"
        return
    fi
    sed 's/\*\*//g' "$work/exp/REPORT.md" >"$work/plain.md"
    expected "$head" >"$work/want"
    [ -s "$work/want" ] || { echo "FAIL build_real $label: no rows read from EXPECTED.md"; return; }
    while read -r id mean ratio; do
        m=$(printf '%.2f' "$mean")
        if [ "$ratio" = "1.00" ]; then
            pat="^\\| $id \\| [^|]* \\| [0-9]+ \\| $m \\| baseline \\|"
        else
            pat="^\\| $id \\| [^|]* \\| [0-9]+ \\| $m \\| $ratio× less "
        fi
        if grep -Eq "$pat" "$work/plain.md"; then
            echo "PASS build_real $label: group $id $m GiB, ratio $ratio"
        else
            echo "FAIL build_real $label: group $id: want mean $m ratio $ratio, got: $(grep -E "^\\| $id \\|" "$work/plain.md" | head -1)"
        fi
    done <"$work/want"
}

run_case "end of data" "## At the end of the data"
run_case "until 2026-01-08" "## As of 2026-01-08" --until 2026-01-08
if grep -q "kendricklamar" "$work/exp/REPORT.md"; then
    echo "PASS build_real: the D/E overlap is reported"
else
    echo "FAIL build_real: the D/E overlap is not reported"
fi
exit 0
