#!/bin/sh
# png_deflate.sh - the charts' compressor (charts/png_deflate.c) against
# libdeflate's level 4, which compressed every PNG before it, on the same
# scanlines: the example's committed charts and, when the real 5-way
# experiment is there, the charts a build of a copy of it draws; and the
# PNGs in BENCH_CHARTS when it names a folder (a fleet's charts/, built
# before). Both run in one process, alternating, BENCH_REPS times each
# (bench/png_deflate_probe.c).
#
# usage: sh bench/png_deflate.sh   (after make; env: see bench/lib.sh; REAL_DATA,
#        the real experiment, defaults to ../shared/data/5way-allocator-comparison;
#        BENCH_CHARTS, a folder of PNGs)
set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init

# shellcheck disable=SC2046 # pkg-config output is a word list
cc -O2 -std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -I"$TOP/charts" \
    $(pkg-config --cflags libpng libdeflate) "$BENCH_DIR/png_deflate_probe.c" \
    "$TOP/charts/png_deflate.c" $(pkg-config --libs libpng libdeflate) \
    -o "$work/png_deflate_probe" || die "cannot build png_deflate_probe"

bench_header "PNG compression: png_deflate.c against libdeflate level 4"
echo
echo "data/example's charts:"
echo
"$work/png_deflate_probe" "$REPS" "$TOP"/data/example/charts/*.png || die "probe failed"
real=${REAL_DATA:-$TOP/../shared/data/5way-allocator-comparison}
if [ -f "$real/memory.csv" ]; then
    copy_inputs "$real" "$work/real"
    "$MEMREPORT" build -q "$work/real" || die "cannot build the real experiment"
    echo
    echo "the real 5-way experiment's charts:"
    echo
    "$work/png_deflate_probe" "$REPS" "$work/real/charts"/*.png || die "probe failed"
fi
if [ -n "${BENCH_CHARTS:-}" ]; then
    echo
    echo "the charts in $BENCH_CHARTS:"
    echo
    "$work/png_deflate_probe" "$REPS" "$BENCH_CHARTS"/*.png || die "probe failed"
fi
