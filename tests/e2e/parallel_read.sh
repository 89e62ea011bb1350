#!/bin/sh
# parallel_read.sh - the two-thread reader of the memory CSV changes no
# output. MEMREPORT_PARALLEL_MIN_BYTES=1 sends files of any size down that
# path (normally only big ones take it); `memreport check` and `summary
# --format json` must then print exactly what the sequential reader gives,
# with the same exit status, on every case of the bad-input corpus, the
# bundled example, a simulated experiment with restarts, manual relays and
# an overlap, the group-column layout, and the real data when present.
# env: MEMREPORT, MEMSIM, TOP
mr=${MEMREPORT:?MEMREPORT not set}
MEMSIM=${MEMSIM:-$(dirname "$0")/../../build/memsim}
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# same NAME DIR CMD...: the command's output and status, both ways.
same() {
    name=$1 dir=$2
    shift 2
    "$mr" "$@" "$dir" >"$tmp/seq.out" 2>"$tmp/seq.err"
    echo "exit $?" >>"$tmp/seq.out"
    MEMREPORT_PARALLEL_MIN_BYTES=1 "$mr" "$@" "$dir" >"$tmp/par.out" 2>"$tmp/par.err"
    echo "exit $?" >>"$tmp/par.out"
    if cmp -s "$tmp/seq.out" "$tmp/par.out" && cmp -s "$tmp/seq.err" "$tmp/par.err"; then
        echo "PASS parallel $name: $1 prints the same"
    else
        echo "FAIL parallel $name: $1 differs"
        diff "$tmp/seq.out" "$tmp/par.out" | head -n 4 | sed 's/^/    /'
        diff "$tmp/seq.err" "$tmp/par.err" | head -n 4 | sed 's/^/    /'
    fi
}

for d in "$top"/tests/bad/*/; do
    [ -f "$d/memory.csv" ] || continue
    same "bad/$(basename "$d")" "${d%/}" check
done
same example "$top/data/example" check
same example "$top/data/example" summary --format json

if "$MEMSIM" -o "$tmp/sim" --seed 7 --relays 60 --reserve 3 --overlap 2 --days 20 \
    --interval-hours 2 --manual 2 --skew 2 --group A:flat --group B:leak:rate=0.5 \
    --group C:restart:rate=0.4:every=48h >/dev/null 2>&1 &&
    "$MEMSIM" -o "$tmp/simcol" --seed 8 --relays 40 --days 10 --with-group-column \
        --group A:flat --group B:noisy >/dev/null 2>&1; then
    same simulated "$tmp/sim" check
    same simulated "$tmp/sim" summary --format json
    same "group column" "$tmp/simcol" summary --format json
    # A build: the two-thread reader hashes the file while the statistics
    # are computed; the report (which prints the hash) and the archive's
    # record of the file (hash, tail hash, the state an append resumes
    # from) must be the sequential reader's.
    # (The same directory name both ways: the report names it.)
    mkdir "$tmp/bseq" "$tmp/bpar" && cp -R "$tmp/sim" "$tmp/bseq/" && cp -R "$tmp/sim" "$tmp/bpar/"
    "$mr" build -q "$tmp/bseq/sim" >/dev/null 2>&1
    s1=$?
    MEMREPORT_PARALLEL_MIN_BYTES=1 "$mr" build -q "$tmp/bpar/sim" >/dev/null 2>&1
    s2=$?
    q="select path, bytes, rows, sha256, tail_sha256, hex(sha256_state) from input_files"
    sqlite3 "$tmp/bseq/sim/results.sqlite" "$q" >"$tmp/in.seq" 2>&1
    sqlite3 "$tmp/bpar/sim/results.sqlite" "$q" >"$tmp/in.par" 2>&1
    if [ "$s1$s2" = 00 ] && cmp -s "$tmp/bseq/sim/REPORT.md" "$tmp/bpar/sim/REPORT.md" &&
        cmp -s "$tmp/in.seq" "$tmp/in.par" &&
        grep -q "memory.csv|.*|[0-9a-f]\{64\}|[0-9a-f]\{64\}|[0-9A-F]\{80,\}" "$tmp/in.par"; then
        echo "PASS parallel build: same REPORT.md and recorded hashes"
    else
        echo "FAIL parallel build: exit $s1/$s2, REPORT.md or input_files differ"
        diff "$tmp/in.seq" "$tmp/in.par" | head -n 4 | sed 's/^/    /'
    fi
else
    echo "FAIL parallel: memsim failed"
fi

real="$top/../shared/data/5way-allocator-comparison"
if [ -d "$real" ]; then
    same real "$real" summary --format json
else
    echo "SKIP parallel real data: $real is not here"
fi
