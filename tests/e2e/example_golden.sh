#!/bin/sh
# The committed report of the bundled example is what the code makes now:
# rebuild a copy of data/example under the same relative path and compare
# REPORT.md and every chart byte for byte. After a deliberate change to the
# report, regenerate with `make demo` and commit the result.
mr=${MEMREPORT:?MEMREPORT not set}
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/data"
cp -r "$top/data/example" "$tmp/data/example"
rm -rf "$tmp/data/example/site" "$tmp/data/example/results.sqlite"
if (cd "$tmp" && "$mr" build -q data/example); then
    echo "PASS golden: example builds"
else
    echo "FAIL golden: example builds"
    exit 1
fi
for f in REPORT.md charts/memory_timeseries.png charts/memory_timeseries.svg \
    charts/memory_distribution.png charts/memory_distribution.svg \
    charts/memory_trajectories.png charts/memory_trajectories.svg \
    charts/memory_total.png charts/memory_total.svg; do
    if cmp -s "$top/data/example/$f" "$tmp/data/example/$f"; then
        echo "PASS golden: $f matches the committed one"
    else
        echo "FAIL golden: $f differs from the committed one (run make demo and review the diff)"
        [ "$f" = REPORT.md ] && diff "$top/data/example/$f" "$tmp/data/example/$f" | head -20
    fi
done
