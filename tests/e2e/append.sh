#!/bin/sh
# append.sh - a rebuild after a collector appended rows reads only the
# appended bytes (the archive keeps the memory CSV's size, the hash of its
# last 64 KiB and the SHA-256 state) and gives what a build from scratch
# gives: the same REPORT.md, the same figures, the same archive hash of
# the grown file, the same archive row for row, also after several appends
# across restarts, late and stopping relays. A file changed where it used
# to end, or one whose last line was unfinished, is read whole again.
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
# summary -v says where its figures come from, and they are the full
# experiment's (the summary reads what the build would, writes nothing).
if (cd "$tmp/b" && "$mr" summary -v --format json exp >"$tmp/grown.json" 2>"$tmp/err") &&
    grep -q 'memory.csv grew: read only the appended bytes' "$tmp/err" && cmp -s "$tmp/full.json" "$tmp/grown.json"; then
    echo "PASS append: summary -v after the append reads only the appended bytes, and equals the full experiment's"
else
    echo "FAIL append: summary after the append: $(grep -v warning "$tmp/err" | head -n 2)"
fi
if (cd "$tmp/b" && "$mr" build -vv exp >/dev/null 2>"$tmp/err") &&
    grep -q 'memory.csv grew: read only the appended bytes' "$tmp/err"; then
    echo "PASS append: the rebuild reads only the appended bytes"
else
    echo "FAIL append: rebuild did not resume: $(grep -v warning "$tmp/err" | head -n 3)"
fi
# same_file NAME FROM_SCRATCH APPENDED: PASS when the two files are the same
# bytes, else FAIL with the first lines of their diff.
same_file() {
    if cmp -s "$2" "$3"; then
        echo "PASS append: $1"
    else
        echo "FAIL append: not so: $1"
        diff "$2" "$3" | head -n 6 | sed 's/^/    /'
    fi
}
same_file "REPORT.md equals a build from scratch" "$tmp/a/exp/REPORT.md" "$tmp/b/exp/REPORT.md"
(cd "$tmp/b" && "$mr" summary --format json exp >"$tmp/inc.json" 2>/dev/null)
same_file "summary figures equal a build from scratch" "$tmp/full.json" "$tmp/inc.json"
if command -v sqlite3 >/dev/null 2>&1; then
    if [ "$(stored_sha "$tmp/b/exp")" = "$(sha "$tmp/b/exp/memory.csv")" ]; then
        echo "PASS append: the archive's hash of the grown file is its SHA-256"
    else
        echo "FAIL append: archive hash $(stored_sha "$tmp/b/exp") is not the file's"
    fi
else
    echo "SKIP append archive hash: no sqlite3"
fi
if "$mr" build -vv --force "$tmp/b/exp" >/dev/null 2>"$tmp/err" &&
    grep -q 'inputs unchanged: read results.sqlite' "$tmp/err"; then
    echo "PASS append: a rebuild with nothing new reads the archive"
else
    echo "FAIL append: unchanged rebuild: $(grep -v warning "$tmp/err" | head -n 2)"
fi

# The whole archive, every table and every packed column, as the sqlite3
# shell prints it: an appended build must write what a build from
# scratch writes.
same_archive() { # name, archive from scratch, appended archive
    if ! command -v sqlite3 >/dev/null 2>&1; then
        echo "SKIP append $1: no sqlite3"
    elif [ "$(sqlite3 "$2" .dump | sha256sum)" = "$(sqlite3 "$3" .dump | sha256sum)" ]; then
        echo "PASS append: $1"
    else
        echo "FAIL append: $1"
        sqlite3 "$2" .dump >"$tmp/dump.a"
        sqlite3 "$3" .dump >"$tmp/dump.b"
        diff "$tmp/dump.a" "$tmp/dump.b" | cut -c1-150 | head -n 6 | sed 's/^/    /'
    fi
}
same_archive "the archive equals a build from scratch, row for row" \
    "$tmp/a/exp/results.sqlite" "$tmp/b/exp/results.sqlite"

# The archive keeps the memory CSV's line count, so an append's line
# numbers continue from it without reading the old part: it is the file's
# count after a build by one thread, by two, and after an append; a stored
# count is what the append goes on from (one made 7 too high stays so), and
# one that cannot be right (more lines than bytes) is counted again.
stored_lines() {
    sqlite3 "$1/results.sqlite" "SELECT lines FROM input_files WHERE path = 'memory.csv'" 2>/dev/null
}
if command -v sqlite3 >/dev/null 2>&1; then
    lines=$(wc -l <"$tmp/b/exp/memory.csv")
    setup 2026-01-06
    MEMREPORT_PARALLEL_MIN_BYTES=1 "$mr" build "$tmp/b/exp" >/dev/null 2>&1
    two=$(stored_lines "$tmp/b/exp")
    part=$(wc -l <"$tmp/b/exp/memory.csv")
    rm -f "$tmp/b/exp/results.sqlite"
    "$mr" build "$tmp/b/exp" >/dev/null 2>&1
    one=$(stored_lines "$tmp/b/exp")
    [ "$one" = "$part" ] && [ "$two" = "$part" ] && [ "$(stored_lines "$tmp/a/exp")" = "$lines" ] &&
        echo "PASS append: the archive records the memory CSV's lines (one thread, two, appended)" ||
        echo "FAIL append: stored lines $one/$two for $part, $(stored_lines "$tmp/a/exp") for $lines"
    # The archive's samples are decoded only when the appended rows are
    # joined to them: a column that does not decode there (a flipped byte)
    # sends the rebuild to the whole file, which gives what a build from
    # scratch gives.
    cp "$tmp/b/exp/results.sqlite" "$tmp/kept.sqlite"
    sqlite3 "$tmp/b/exp/results.sqlite" \
        "UPDATE sample_columns SET hwm_kb = substr(hwm_kb, 1, length(hwm_kb) - 1) || X'00' WHERE relay_id = 3"
    rest "$tmp/a/exp/memory.csv" 2026-01-06 >>"$tmp/b/exp/memory.csv"
    (cd "$tmp/b" && "$mr" build -vv exp >/dev/null 2>"$tmp/err")
    if ! grep -q 'read only the appended bytes' "$tmp/err" && cmp -s "$tmp/a/exp/REPORT.md" "$tmp/b/exp/REPORT.md"; then
        echo "PASS append: a damaged packed column sends the append's rebuild to the whole file"
    else
        echo "FAIL append: damaged packed column: $(grep -v warning "$tmp/err" | head -n 2)"
    fi
    same_archive "a damaged packed column: the archive written again equals a build from scratch" \
        "$tmp/a/exp/results.sqlite" "$tmp/b/exp/results.sqlite"
    setup 2026-01-06
    cp "$tmp/kept.sqlite" "$tmp/b/exp/results.sqlite"
    for doctored in "$((part + 7)):$((lines + 7))" "999999999:$lines"; do
        cp "$tmp/b/exp/results.sqlite" "$tmp/kept.sqlite"
        sqlite3 "$tmp/b/exp/results.sqlite" \
            "UPDATE input_files SET lines = ${doctored%%:*} WHERE path = 'memory.csv'"
        rest "$tmp/a/exp/memory.csv" 2026-01-06 >>"$tmp/b/exp/memory.csv"
        "$mr" build -vv "$tmp/b/exp" >/dev/null 2>"$tmp/err"
        got=$(stored_lines "$tmp/b/exp")
        grep -q 'read only the appended bytes' "$tmp/err" && [ "$got" = "${doctored#*:}" ] &&
            echo "PASS append: a stored line count of ${doctored%%:*} gives $got after the append" ||
            echo "FAIL append: a stored line count of ${doctored%%:*} gives $got, want ${doctored#*:}"
        setup 2026-01-06
        cp "$tmp/kept.sqlite" "$tmp/b/exp/results.sqlite"
    done
else
    echo "SKIP append line count: no sqlite3"
fi

# Appends that cross a restart of a whole group, the start of a group
# whose relays appear late, relays that stop reporting, a migration
# between groups, relays in no group, and one relay that had no nickname
# until the rows appended named it (a group file lists it by that name, so
# it is a member from the start). Appended one step at a time (single
# collections among them), each rebuild reading only what is new and each
# equal to a build from scratch of the file so far.
rm -rf "$tmp/a/exp" "$tmp/b/exp"
"$MEMSIM" -o "$tmp/a/exp" --seed 11 --relays 24 --days 8 --interval-hours 3 --reserve 1 \
    --stop-early 2 --move 2 --group A:flat --group B:leak:rate=0.5:start=3d \
    --group C:restart:rate=0.4:every=48h >/dev/null || { echo "FAIL append: memsim failed"; exit 0; }
nick=$(awk -F, 'NR == 3 { print $5 }' "$tmp/a/exp/memory.csv")
awk -F, -v OFS=, -v n="$nick" '$5 == n && $1 < "2026-01-05" { $5 = "" } { print }' \
    "$tmp/a/exp/memory.csv" >"$tmp/m" && mv "$tmp/m" "$tmp/a/exp/memory.csv"
(cd "$tmp/a" && "$mr" build exp >/dev/null 2>&1) || echo "FAIL append: build of the second experiment"
cp "$tmp/a/exp/REPORT.md" "$tmp/full.md"
cp "$tmp/a/exp/results.sqlite" "$tmp/full.sqlite"
(cd "$tmp/a" && "$mr" summary --format json exp >"$tmp/full.json" 2>/dev/null)
first=2026-01-04T06
setup "$first"
"$mr" build "$tmp/b/exp" >/dev/null 2>&1 || echo "FAIL append: first build of the second experiment"
prev=$first
resumed=0 steps=0
# The first build starts after the late group's (day 3); then one
# collection (3 h later), then across the restart at 96 h + 90 min and the
# nickname (day 5), across the relays that stop (three quarters through),
# one more collection, and the rest.
for cut in 2026-01-04T09 2026-01-05T06 2026-01-07T03 2026-01-07T06 end; do
    if [ "$cut" = end ]; then
        awk -F, -v from="$prev" 'NR > 1 && $1 >= from' "$tmp/a/exp/memory.csv" >>"$tmp/b/exp/memory.csv"
    else
        awk -F, -v from="$prev" -v to="$cut" 'NR > 1 && $1 >= from && $1 < to' "$tmp/a/exp/memory.csv" \
            >>"$tmp/b/exp/memory.csv"
    fi
    steps=$((steps + 1))
    (cd "$tmp/b" && "$mr" build -vv exp >/dev/null 2>"$tmp/err") || echo "FAIL append: rebuild at $cut"
    grep -q 'memory.csv grew: read only the appended bytes' "$tmp/err" && resumed=$((resumed + 1))
    if [ "$cut" = 2026-01-05T06 ]; then
        # A build from scratch of the file so far, for comparison.
        rm -rf "$tmp/c" && mkdir -p "$tmp/c/exp" && cp -R "$tmp/b/exp/." "$tmp/c/exp/" &&
            rm -rf "$tmp/c/exp/results.sqlite" "$tmp/c/exp/REPORT.md" "$tmp/c/exp/site" "$tmp/c/exp/charts"
        (cd "$tmp/c" && "$mr" build exp >/dev/null 2>&1)
        same_file "midway (after a restart and the nickname), REPORT.md equals a build from scratch" \
            "$tmp/c/exp/REPORT.md" "$tmp/b/exp/REPORT.md"
        same_archive "midway, the archive equals a build from scratch" \
            "$tmp/c/exp/results.sqlite" "$tmp/b/exp/results.sqlite"
    fi
    prev=$cut
done
if [ "$resumed" = "$steps" ]; then
    echo "PASS append: each of $steps appends read only the appended bytes"
else
    echo "FAIL append: only $resumed of $steps appends read only the appended bytes"
fi
same_file "after $steps appends, REPORT.md equals a build from scratch" "$tmp/full.md" "$tmp/b/exp/REPORT.md"
(cd "$tmp/b" && "$mr" summary --format json exp >"$tmp/inc.json" 2>/dev/null)
same_file "after $steps appends, summary figures equal a build from scratch" "$tmp/full.json" "$tmp/inc.json"
same_archive "after $steps appends, the archive equals a build from scratch" \
    "$tmp/full.sqlite" "$tmp/b/exp/results.sqlite"
grep -q "^$nick\$" "$tmp/a/exp/groups/"*.txt && pass_nick=1 || pass_nick=0
[ "$pass_nick" = 1 ] && echo "PASS append: the relay named late is listed by that name" ||
    echo "FAIL append: the relay named late ($nick) is in no group file"

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

# Longer than one segment of the archive's packed samples (1,024
# collections): an append rebuild updates a copy of the archive, keeping
# the segments the new rows do not reach, and still writes exactly the rows
# of a build from scratch — cut inside a segment, at its end, and across
# the boundary. (Keeping a segment the append reached, or packing it from
# the old samples only, would show here as a different archive.)
if command -v sqlite3 >/dev/null 2>&1; then
    rm -rf "$tmp/a/exp" "$tmp/b/exp"
    "$MEMSIM" -o "$tmp/a/exp" --seed 3 --relays 5 --collections 1100 --manual 0 --interval-hours 1 \
        --group A:flat --group B:restart:rate=0.4:every=300h >/dev/null ||
        { echo "FAIL append: memsim failed (long)"; exit 0; }
    (cd "$tmp/a" && "$mr" build exp >/dev/null 2>&1) || echo "FAIL append: build of the long experiment"
    # The hour of collection N (0-based): rows before it are collections 0..N-1.
    hour_of() { awk -F, 'NR > 1 { print substr($1, 1, 13) }' "$tmp/a/exp/memory.csv" | uniq | sed -n "$(($1 + 1))p"; }
    setup "$(hour_of 1000)"
    "$mr" build "$tmp/b/exp" >/dev/null 2>&1 || echo "FAIL append: first build of the long experiment"
    prev=$(hour_of 1000)
    for n in 1020 1024 1030 end; do
        if [ "$n" = end ]; then
            awk -F, -v from="$prev" 'NR > 1 && $1 >= from' "$tmp/a/exp/memory.csv" >>"$tmp/b/exp/memory.csv"
        else
            cut=$(hour_of "$n")
            awk -F, -v from="$prev" -v to="$cut" 'NR > 1 && $1 >= from && $1 < to' "$tmp/a/exp/memory.csv" \
                >>"$tmp/b/exp/memory.csv"
            prev=$cut
        fi
        (cd "$tmp/b" && "$mr" build -vv exp >/dev/null 2>"$tmp/err") || echo "FAIL append: long rebuild at $n"
        kept=$(sed -n 's/.*updated, the packed samples of the first \([0-9]*\) collections kept.*/\1/p' "$tmp/err")
        # Whole segments before the old end are kept: none while it is
        # inside the first, the first once it reached 1,024.
        want=0
        [ "$n" = 1030 ] || [ "$n" = end ] && want=1024
        rm -rf "$tmp/c" && mkdir -p "$tmp/c/exp" && cp -R "$tmp/b/exp/." "$tmp/c/exp/" &&
            rm -rf "$tmp/c/exp/results.sqlite" "$tmp/c/exp/REPORT.md" "$tmp/c/exp/site" "$tmp/c/exp/charts"
        (cd "$tmp/c" && "$mr" build exp >/dev/null 2>&1)
        if grep -q 'read only the appended bytes' "$tmp/err" && [ "${kept:-0}" = "$want" ]; then
            echo "PASS append: long experiment at $n: the archive was updated, ${kept:-0} collections' packed samples kept"
        else
            echo "FAIL append: long experiment at $n: kept '${kept:-0}', want $want: $(grep -v warning "$tmp/err" | head -n 2)"
        fi
        same_archive "long experiment at $n, the updated archive equals a build from scratch" \
            "$tmp/c/exp/results.sqlite" "$tmp/b/exp/results.sqlite"
        same_file "long experiment at $n, REPORT.md equals a build from scratch" \
            "$tmp/c/exp/REPORT.md" "$tmp/b/exp/REPORT.md"
    done
    # An archive with more than its schema (here a trigger, which would
    # run on the update) is not updated but written whole.
    setup "$(hour_of 1030)"
    "$mr" build "$tmp/b/exp" >/dev/null 2>&1
    sqlite3 "$tmp/b/exp/results.sqlite" \
        "CREATE TRIGGER extra AFTER INSERT ON findings BEGIN DELETE FROM relays; END"
    awk -F, -v from="$(hour_of 1030)" 'NR > 1 && $1 >= from' "$tmp/a/exp/memory.csv" >>"$tmp/b/exp/memory.csv"
    (cd "$tmp/b" && "$mr" build -vv exp >/dev/null 2>"$tmp/err")
    if grep -q 'read only the appended bytes' "$tmp/err" && ! grep -q 'updated, the packed' "$tmp/err"; then
        echo "PASS append: an archive with a trigger added is written whole, not updated"
    else
        echo "FAIL append: archive with a trigger: $(grep -v warning "$tmp/err" | head -n 2)"
    fi
    same_archive "long experiment, an archive with a trigger added: written as from scratch" \
        "$tmp/c/exp/results.sqlite" "$tmp/b/exp/results.sqlite"
    n=$(sqlite3 "$tmp/b/exp/results.sqlite" "SELECT count(*) FROM sample_columns WHERE seg = 1")
    [ "$n" = 5 ] && echo "PASS append: the long experiment's archive has a second segment per relay" ||
        echo "FAIL append: $n second segments, want 5"

    # A relay first seen in the appended rows, past the first segment: the
    # kept segment has no row for it, so the update must add that row (all
    # missing) or the next read would find the archive damaged. Its rows
    # before collection 1035 are taken out of the full file; the archive
    # is built up to 1030 and then the rest is appended.
    late=$(awk -F, '$3 == "relay" { print $5; exit }' "$tmp/a/exp/memory.csv")
    awk -F, -v n="$late" -v h="$(hour_of 1035)" 'NR == 1 || !($5 == n && $1 < h)' \
        "$tmp/a/exp/memory.csv" >"$tmp/late.csv" && mv "$tmp/late.csv" "$tmp/a/exp/memory.csv"
    setup "$(hour_of 1030)"
    "$mr" build "$tmp/b/exp" >/dev/null 2>&1
    before=$(sqlite3 "$tmp/b/exp/results.sqlite" "SELECT count(*) FROM relays")
    awk -F, -v from="$(hour_of 1030)" 'NR > 1 && $1 >= from' "$tmp/a/exp/memory.csv" >>"$tmp/b/exp/memory.csv"
    (cd "$tmp/b" && "$mr" build -vv exp >/dev/null 2>"$tmp/err")
    cp "$tmp/b/exp/results.sqlite" "$tmp/appended.sqlite"
    (cd "$tmp/b" && "$mr" build -vv --force exp >/dev/null 2>"$tmp/err2")
    rm -rf "$tmp/c" && mkdir -p "$tmp/c/exp" && cp -R "$tmp/b/exp/." "$tmp/c/exp/" &&
        rm -rf "$tmp/c/exp/results.sqlite" "$tmp/c/exp/REPORT.md" "$tmp/c/exp/site" "$tmp/c/exp/charts"
    (cd "$tmp/c" && "$mr" build exp >/dev/null 2>&1)
    after=$(sqlite3 "$tmp/b/exp/results.sqlite" "SELECT count(*) FROM relays")
    if [ "$before" = 4 ] && [ "$after" = 5 ] && grep -q 'updated, the packed samples of the first 1024' "$tmp/err" &&
        grep -q 'inputs unchanged: read results.sqlite' "$tmp/err2"; then
        echo "PASS append: a relay first seen after the first segment: the updated archive reads back"
    else
        echo "FAIL append: late relay: relays $before -> $after: $(grep -v warning "$tmp/err" "$tmp/err2" | head -n 3)"
    fi
    same_archive "a relay first seen after the first segment: the updated archive equals a build from scratch" \
        "$tmp/c/exp/results.sqlite" "$tmp/appended.sqlite"
    same_file "a relay first seen after the first segment: REPORT.md equals a build from scratch" \
        "$tmp/c/exp/REPORT.md" "$tmp/b/exp/REPORT.md"
else
    echo "SKIP append long experiment: no sqlite3"
fi
