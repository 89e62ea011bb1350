#!/bin/sh
# compressed.sh - memory.csv.gz and memory.csv.zst are read as they are:
# the same summary as from the plain file, the report and the archive name
# the file as stored with the hash sha256sum gives, a rebuild reuses the
# archive, and a truncated or damaged file is an error that names it and
# leaves the previous outputs alone.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS compressed: $1"; }
fail() { echo "FAIL compressed: $1: $2"; }

x=$work/plain
"$MEMSIM" -o "$x" --relays 12 --days 5 --seed 11 \
    --group A:flat:alloc=glibc:version=2.41 --group B:leak:alloc=mimalloc:version=3.0.1 \
    --group C:noisy:alloc=jemalloc >/dev/null || { fail "memsim" "could not make the experiment"; exit 0; }
"$MEMREPORT" summary "$x" --format csv >"$work/plain.csv" 2>/dev/null ||
    { fail "plain summary" "exit $?"; exit 0; }

for kind in gz zst; do
    y=$work/$kind
    cp -r "$x" "$y"
    if [ $kind = gz ]; then gzip -9 "$y/memory.csv"; else zstd -q --rm "$y/memory.csv"; fi
    f=memory.csv.$kind
    [ -f "$y/$f" ] && [ ! -f "$y/memory.csv" ] || { fail "$kind: setup" "no $f"; continue; }
    "$MEMREPORT" summary "$y" --format csv >"$work/$kind.csv" 2>"$work/$kind.err"
    rc=$?
    [ $rc -eq 0 ] && cmp -s "$work/plain.csv" "$work/$kind.csv" &&
        pass "$kind: summary equals the plain file's" ||
        fail "$kind: summary equals the plain file's" "exit $rc, $(head -2 "$work/$kind.err")"
    if ! "$MEMREPORT" build -q "$y" 2>"$work/$kind.err"; then
        fail "$kind: build" "$(head -2 "$work/$kind.err")"
        continue
    fi
    sha=$(sha256sum "$y/$f" | cut -d' ' -f1)
    grep -q "^| $f | .*\`$sha\`" "$y/REPORT.md" && pass "$kind: REPORT.md names $f with its stored hash" ||
        fail "$kind: REPORT.md names $f with its stored hash" "$(grep -n "memory" "$y/REPORT.md" | tail -2)"
    if command -v sqlite3 >/dev/null 2>&1; then
        got=$(sqlite3 -batch -noheader "$y/results.sqlite" "SELECT sha256 || ' ' || bytes FROM input_files WHERE path='$f'")
        [ "$got" = "$sha $(wc -c <"$y/$f")" ] && pass "$kind: archive records the stored file" ||
            fail "$kind: archive records the stored file" "'$got'"
    fi
    "$MEMREPORT" build -v "$y" 2>"$work/$kind.v" >/dev/null
    grep -q "inputs unchanged" "$work/$kind.v" && pass "$kind: rebuild reuses the archive" ||
        fail "$kind: rebuild reuses the archive" "$(grep -v warning "$work/$kind.v" | head -2)"

    # Cut short: exit 1, the file named, REPORT.md as it was.
    cp "$y/REPORT.md" "$work/report.before"
    size=$(wc -c <"$y/$f")
    head -c $((size / 2)) "$y/$f" >"$work/half" && mv "$work/half" "$y/$f"
    "$MEMREPORT" build -q "$y" 2>"$work/$kind.err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "$f.*truncated" "$work/$kind.err" && pass "$kind: truncated file is refused" ||
        fail "$kind: truncated file is refused" "exit $rc: $(head -2 "$work/$kind.err")"
    cmp -s "$work/report.before" "$y/REPORT.md" && pass "$kind: outputs intact after the error" ||
        fail "$kind: outputs intact after the error" "REPORT.md changed"
done

# Garbage under a compressed name.
z=$work/bad
cp -r "$x" "$z"
mv "$z/memory.csv" "$z/memory.csv.gz"
"$MEMREPORT" summary "$z" >/dev/null 2>"$work/bad.err"
rc=$?
[ $rc -eq 1 ] && grep -q "memory.csv.gz.*gzip" "$work/bad.err" && pass "a .gz that is not gzip is refused" ||
    fail "a .gz that is not gzip is refused" "exit $rc: $(head -2 "$work/bad.err")"
