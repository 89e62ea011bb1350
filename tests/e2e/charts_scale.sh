#!/bin/sh
# charts_scale.sh - the four charts of a simulated fleet render in under
# 2 s each and every SVG stays under 2 MB (traces thinned to the pixel
# grid). By default a 1,000-relay fleet with 720 hourly collections (a
# month) keeps `make check` quick; CHARTS_SCALE_FULL=1 runs the full year
# (1,000 relays x 8,760 hourly collections, 8.76 M rows, ~1 GB of CSV).
# Needs MEMSIM and BUILD (tests/run.sh sets them).
set -u
name=charts_scale
if [ ! -x "${MEMSIM:-}" ] || ! "$MEMSIM" --help >/dev/null 2>&1; then
    echo "SKIP $name: memsim not available"
    exit 0
fi
prog="$BUILD/tests/test_charts_scale"
if [ ! -x "$prog" ]; then
    echo "SKIP $name: $prog not built"
    exit 0
fi
colls=720
[ "${CHARTS_SCALE_FULL:-0}" = 1 ] && colls=8760
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! "$MEMSIM" -o "$dir/exp" --relays 1000 --collections "$colls" --interval-hours 1 --manual 0 \
    --group A:flat --group B:leak --group C:restart --group D:noisy --group E:leak:rate=0.2 \
    >/dev/null 2>"$dir/memsim.err"; then
    echo "FAIL $name: memsim failed: $(head -c 300 "$dir/memsim.err")"
    exit 1
fi
echo "# 1000 relays x $colls collections"
"$prog" "$dir/exp"
