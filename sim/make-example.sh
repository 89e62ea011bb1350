#!/bin/sh
# make-example.sh - regenerates the bundled example experiment from memsim.
# usage: sh sim/make-example.sh MEMSIM DIR      (make example)
#
# The output is deterministic: the same memsim gives the same bytes. DIR's
# notes.md is hand-written and kept; everything else memsim writes is
# replaced. The truth memsim used is printed on stdout (not stored in DIR,
# where memreport would see it as an input).
set -eu
memsim=${1:?usage: make-example.sh MEMSIM DIR}
dir=${2:?usage: make-example.sh MEMSIM DIR}

mkdir -p "$dir"
rm -f "$dir/memory.csv" "$dir/events.csv" "$dir/diagnostics.csv" "$dir/experiment.json"
rm -rf "$dir/groups"

"$memsim" -o "$dir" --seed 20261027 \
    --relays 100 --reserve 4 --overlap 2 \
    --start 2026-10-27T02:00:00 --timezone -08:00 \
    --days 21 --interval-hours 6 --manual 2 --skew 2 \
    --server relayhost \
    --id 2026-10-27-allocator-comparison-example \
    --name "Allocator comparison (example)" \
    --problem "Relays on glibc malloc keep growing for weeks; an earlier test saw mimalloc 3.0.1 leak." \
    --hypothesis "mimalloc 2.x and jemalloc hold relay memory flat; mimalloc 3.0.1 leaks unless restarted." \
    --description "A simulated fleet of 100 relays on one host, 96 in five allocator groups injected with LD_PRELOAD, collected every 6 hours plus manual runs." \
    --baseline A --budget 8 \
    --group "A:leak:rate=0.18:level=3.2:sd=0.05:name=glibc 2.41 (control):alloc=glibc:version=2.41:source=system default:color=#d55e00" \
    --group "B:flat:level=2.4:sd=0.04:name=jemalloc 5.3.0:alloc=jemalloc:version=5.3.0:source=Debian package:color=#e69f00:list=fp" \
    --group "C:flat:level=1.4:sd=0.03:name=mimalloc 2.0.9:alloc=mimalloc:version=2.0.9:source=custom build:color=#0072b2" \
    --group "D:restart:rate=0.8:every=4d:level=1.8:name=mimalloc 3.0.1:alloc=mimalloc:version=3.0.1:source=Debian package:color=#009e73" \
    --group "E:noisy:level=1.9:sd=0.25:gsd=0.3:start=2d:age=0:name=mimalloc 2.1.7:alloc=mimalloc:version=2.1.7:source=custom build:color=#cc79a7"
