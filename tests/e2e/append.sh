#!/bin/sh
# append.sh - a rebuild after a collector appended rows reads only the
# appended bytes (the archive keeps the memory CSV's size, the hash of its
# last 64 KiB and the SHA-256 state) and gives what a build from scratch
# gives: the same REPORT.md, the same figures, the same archive hash of
# the grown file. A file changed where it used to end, or one whose last
# line was unfinished, is read whole again.
# env: MEMREPORT, MEMSIM
mr=${MEMREPORT:?MEMREPORT not set}
MEMSIM=${MEMSIM:?MEMSIM not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Both copies are called exp (in a/ and b/) and built from their parent,
# so the report names them alike.
mkdir "$tmp/a" "$tmp/b"
"$MEMSIM" -o "$tmp/a/exp" --seed 5 --relays 30 --days 10 --interval-hours 2 --skew 2 \
    --reserve 2 --group A:flat --group B:leak:rate=0.5 --group C:restart:rate=0.4:every=48h \
    >/dev/null || { echo "FAIL append: memsim failed"; exit 0; }

# inc: the same experiment, its memory CSV cut between two collections.
prefix() { awk -F, -v cut="$2" 'NR == 1 || $1 < cut' "$1"; }
rest() { awk -F, -v cut="$2" 'NR > 1 && $1 >= cut' "$1"; }
setup() {
    rm -rf "$tmp/b/exp" && mkdir "$tmp/b/exp" && cp -R "$tmp/a/exp/." "$tmp/b/exp/" &&
        rm -rf "$tmp/b/exp/site" "$tmp/b/exp/charts" "$tmp/b/exp/results.sqlite" "$tmp/b/exp/REPORT.md" &&
        prefix "$tmp/a/exp/memory.csv" "$1" >"$tmp/b/exp/memory.csv"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
stored_sha() {
    sqlite3 "$1/results.sqlite" "SELECT sha256 FROM input_files WHERE path = 'memory.csv'" 2>/dev/null
}

(cd "$tmp/a" && "$mr" summary --format json exp >"$tmp/full.json" 2>/dev/null &&
    "$mr" build exp >/dev/null 2>&1) || { echo "FAIL append: build of the full experiment"; exit 0; }

setup 2026-01-06
"$mr" build "$tmp/b/exp" >/dev/null 2>&1 || echo "FAIL append: first build"
rest "$tmp/a/exp/memory.csv" 2026-01-06 >>"$tmp/b/exp/memory.csv"
if (cd "$tmp/b" && "$mr" build -vv exp >/dev/null 2>"$tmp/err") &&
    grep -q 'memory.csv grew: read only the appended bytes' "$tmp/err"; then
    echo "PASS append: the rebuild reads only the appended bytes"
else
    echo "FAIL append: rebuild did not resume: $(grep -v warning "$tmp/err" | head -n 3)"
fi
if cmp -s "$tmp/b/exp/REPORT.md" "$tmp/a/exp/REPORT.md"; then
    echo "PASS append: REPORT.md equals a build from scratch"
else
    echo "FAIL append: REPORT.md differs from a build from scratch"
    diff "$tmp/a/exp/REPORT.md" "$tmp/b/exp/REPORT.md" | head -n 6 | sed 's/^/    /'
fi
(cd "$tmp/b" && "$mr" summary --format json exp >"$tmp/inc.json" 2>/dev/null)
if cmp -s "$tmp/inc.json" "$tmp/full.json"; then
    echo "PASS append: summary figures equal a build from scratch"
else
    echo "FAIL append: summary figures differ"
    diff "$tmp/full.json" "$tmp/inc.json" | head -n 6 | sed 's/^/    /'
fi
if command -v sqlite3 >/dev/null 2>&1; then
    if [ "$(stored_sha "$tmp/b/exp")" = "$(sha "$tmp/b/exp/memory.csv")" ]; then
        echo "PASS append: the archive's hash of the grown file is its SHA-256"
    else
        echo "FAIL append: archive hash $(stored_sha "$tmp/b/exp") is not the file's"
    fi
else
    echo "SKIP append archive hash: no sqlite3"
fi
if "$mr" build -vv "$tmp/b/exp" >/dev/null 2>"$tmp/err" &&
    grep -q 'inputs unchanged: read results.sqlite' "$tmp/err"; then
    echo "PASS append: a rebuild with nothing new reads the archive"
else
    echo "FAIL append: unchanged rebuild: $(grep -v warning "$tmp/err" | head -n 2)"
fi

# A byte changed just before the old end: read whole again.
setup 2026-01-06
"$mr" build "$tmp/b/exp" >/dev/null 2>&1
sed -i '$ s/,sim,/,sjm,/' "$tmp/b/exp/memory.csv"
rest "$tmp/a/exp/memory.csv" 2026-01-06 >>"$tmp/b/exp/memory.csv"
if "$mr" build -vv "$tmp/b/exp" >/dev/null 2>"$tmp/err" && ! grep -q 'appended bytes' "$tmp/err"; then
    echo "PASS append: a file changed where it ended is read whole"
else
    echo "FAIL append: changed file: $(grep -v warning "$tmp/err" | head -n 2)"
fi

# The first build saw an unfinished last line: read whole again.
setup 2026-01-06
printf '2026-01-05T23:59:00,sim,relay,ABCDEF' >>"$tmp/b/exp/memory.csv"
"$mr" build "$tmp/b/exp" >/dev/null 2>&1
printf '0123456789ABCDEF0123456789ABCDEF01,late,1000,,,,,,,,\n' >>"$tmp/b/exp/memory.csv"
rest "$tmp/a/exp/memory.csv" 2026-01-06 >>"$tmp/b/exp/memory.csv"
if "$mr" build -vv "$tmp/b/exp" >/dev/null 2>"$tmp/err" && ! grep -q 'appended bytes' "$tmp/err"; then
    echo "PASS append: an unfinished last line sends the rebuild to the whole file"
else
    echo "FAIL append: unfinished line: $(grep -v warning "$tmp/err" | head -n 2)"
fi
