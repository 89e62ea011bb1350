#!/bin/sh
# archive.sh - results.sqlite end to end: what build writes (checked
# against the CSV and sha256sum), the queries of docs/archive.md, the
# incremental rebuild (same outputs from the archive as from the CSVs; a
# changed input is read again), and damaged, old, read-only and
# concurrently written archives.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "SKIP archive: the sqlite3 shell is not installed (make deps-test)"
    exit 0
fi
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
pass() { echo "PASS archive: $1"; }
fail() { echo "FAIL archive: $1: $2"; }
check() { # name, then a command; PASS when it succeeds
    n=$1
    shift
    if "$@" >/dev/null 2>&1; then pass "$n"; else fail "$n" "failed: $*"; fi
}
# The samples view decodes the packed columns through the extension
# (docs/archive.md); every query here loads it as a reader would.
ext="${BUILD:?}/memreport_samples"
schema=6
sq() { sqlite3 -batch -cmd ".load $ext" "$@"; }
q() { sq -noheader "$1" "$2" 2>&1; }

x=$work/exp
"$MEMSIM" -o "$x" --relays 9 --days 4 --seed 7 \
    --group A:flat:alloc=glibc:version=2.41 --group B:leak:alloc=mimalloc:version=3.0.1 \
    --reserve 2 >/dev/null || { fail "memsim" "could not make the experiment"; exit 0; }
export SOURCE_DATE_EPOCH=1767225600
if ! "$MEMREPORT" build -q "$x" 2>"$work/err"; then
    fail "build" "$(head -3 "$work/err")"
    exit 0
fi
db=$x/results.sqlite
[ -f "$db" ] && pass "written" || { fail "written" "no results.sqlite"; exit 0; }
[ "$(q "$db" 'PRAGMA user_version')" = $schema ] && pass "schema version" || fail "schema version" "$(q "$db" 'PRAGMA user_version')"
[ "$(q "$db" 'PRAGMA integrity_check')" = ok ] && pass "integrity" || fail "integrity" "not ok"
ls -a "$x" | grep -q '^\.results\.sqlite\.' && fail "no temporary left" "found one" || pass "no temporary left"
# By default the site carries the CSVs only: the archive stays beside the data.
[ ! -e "$x/site/data/results.sqlite" ] && pass "default site: no results.sqlite" ||
    fail "default site: no results.sqlite" "published without --publish-archive"
grep -q 'results\.sqlite' "$x/site/index.html" && fail "default page: no archive download" "the page names it" ||
    pass "default page: no archive download"
grep -q 'href="data/results.csv"' "$x/site/index.html" && pass "default page: CSV download" ||
    fail "default page: CSV download" "missing"
if ! "$MEMREPORT" build -q --publish-archive "$x" 2>"$work/err"; then
    fail "build --publish-archive" "$(head -3 "$work/err")"
    exit 0
fi
grep -q '<a href="data/results.sqlite"' "$x/site/index.html" && pass "--publish-archive: page links the archive" ||
    fail "--publish-archive: page links the archive" "no link"
grep -q 'memreport build . --publish-archive' "$x/site/index.html" && pass "--publish-archive: in the regenerate command" ||
    fail "--publish-archive: in the regenerate command" "$(grep -o 'memreport build[^<]*' "$x/site/index.html" | head -1)"
cmp -s "$db" "$x/site/data/results.sqlite" && pass "site copy is the archive" || fail "site copy is the archive" "differs"
# The site's copy is a second name for the same file (one file system here).
[ "$(stat -c %i "$db")" = "$(stat -c %i "$x/site/data/results.sqlite")" ] && pass "site copy is a hard link" ||
    fail "site copy is a hard link" "inodes $(stat -c %i "$db") and $(stat -c %i "$x/site/data/results.sqlite")"

# Independent figures: relay rows and one relay's values from the CSV,
# the hash from sha256sum, the final means from summary --format csv.
rows=$(awk -F, 'NR > 1 && $3 == "relay"' "$x/memory.csv" | wc -l)
got=$(q "$db" 'SELECT count(*) FROM samples')
[ "$got" -eq "$rows" ] && pass "one sample per relay row ($rows)" || fail "one sample per relay row" "$got, want $rows"
# Every sample's values, decoded by the view, against the CSV's rows:
# samples_of EXPDIR NAME writes $work/csv-NAME and $work/db-NAME.
samples_of() {
    awk -F, 'NR > 1 && $3 == "relay" { printf "%s|%s|%s|%s|%s|%.2f\n", $1, $4, $6, $7, $8, $9 }' \
        "$1/memory.csv" | sort >"$work/csv-$2"
    q "$1/results.sqlite" "SELECT substr(k.time, 1, 19), r.fingerprint, s.rss_kb, s.vmsize_kb, s.hwm_kb,
                 printf('%.2f', s.frag_ratio)
             FROM samples s JOIN relays r USING (relay_id) JOIN collections k USING (c)" |
        sort >"$work/db-$2"
}
samples_of "$x" samples
[ -s "$work/csv-samples" ] && cmp -s "$work/csv-samples" "$work/db-samples" && pass "every sample as in the CSV" ||
    fail "every sample as in the CSV" "$(diff "$work/csv-samples" "$work/db-samples" | head -3)"
# Over more than one segment of packed samples (1,024 collections) too.
long="$work/long"
"$MEMSIM" -o "$long" --relays 3 --collections 1100 --manual 0 --interval-hours 1 --seed 2 \
    --group A:flat --group B:leak >/dev/null && "$MEMREPORT" build -q "$long" 2>/dev/null ||
    fail "long experiment built" "memsim or build failed"
samples_of "$long" long
segs=$(q "$long/results.sqlite" 'SELECT count(*) FROM sample_columns')
[ "$segs" = 6 ] && [ -s "$work/csv-long" ] && cmp -s "$work/csv-long" "$work/db-long" &&
    pass "every sample as in the CSV over two segments" ||
    fail "every sample as in the CSV over two segments" "$segs rows; $(diff "$work/csv-long" "$work/db-long" | head -3)"
got=$(sqlite3 -batch "$db" 'SELECT count(*) FROM samples' 2>&1)
echo "$got" | grep -q 'no such function: memreport_unpack' && pass "without the extension the view says so" ||
    fail "without the extension the view says so" "$got"
packed=$(q "$db" 'SELECT sum(length(rss_kb) + length(vmsize_kb) + length(hwm_kb) + length(frag_ratio)) FROM sample_columns')
[ "$packed" -lt $((rows * 16)) ] && pass "packed columns under 16 bytes a sample ($packed bytes, $rows samples)" ||
    fail "packed columns under 16 bytes a sample" "$packed bytes for $rows samples"
want=$(sha256sum "$x/memory.csv" | cut -d' ' -f1)
got=$(q "$db" "SELECT sha256 FROM input_files WHERE path='memory.csv'")
[ "$got" = "$want" ] && pass "memory.csv hash" || fail "memory.csv hash" "$got, want $want"
got=$(q "$db" "SELECT bytes FROM input_files WHERE path='memory.csv'")
[ "$got" -eq "$(wc -c <"$x/memory.csv")" ] && pass "memory.csv size" || fail "memory.csv size" "$got"
"$MEMREPORT" summary "$x" --format csv >"$work/sum.csv" 2>/dev/null
for g in A B; do
    want=$(awk -F, -v g=$g '$1 == g { print $4 }' "$work/sum.csv")
    got=$(q "$db" "SELECT printf('%.4f', final_mean_gib) FROM results WHERE group_id='$g'")
    [ -n "$want" ] && awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; exit !(d < 0.00051 && d > -0.00051) }' &&
        pass "final mean of $g" || fail "final mean of $g" "$got, summary says $want"
done
reserve=$(q "$db" 'SELECT count(*) FROM relays WHERE ungrouped = 1')
[ "$reserve" -eq 2 ] && pass "relays in reserve are ungrouped" || fail "relays in reserve are ungrouped" "$reserve"

# The three queries of docs/archive.md, as written there.
awk -v want="relay-history" '/^```sql/ { on = 1; buf = ""; next } /^```/ { if (on && hit) print buf; on = 0; hit = 0; next }
    on { if ($0 ~ "-- query: " want) hit = 1; buf = buf $0 "\n" }' "$TOP/docs/archive.md" >"$work/q1.sql"
awk -v want="group-means-per-day" '/^```sql/ { on = 1; buf = ""; next } /^```/ { if (on && hit) print buf; on = 0; hit = 0; next }
    on { if ($0 ~ "-- query: " want) hit = 1; buf = buf $0 "\n" }' "$TOP/docs/archive.md" >"$work/q2.sql"
awk -v want="growing-allocators" '/^```sql/ { on = 1; buf = ""; next } /^```/ { if (on && hit) print buf; on = 0; hit = 0; next }
    on { if ($0 ~ "-- query: " want) hit = 1; buf = buf $0 "\n" }' "$TOP/docs/archive.md" >"$work/q3.sql"
nick=$(awk -F, 'NR > 1 && $3 == "relay" { print $5; exit }' "$x/memory.csv")
sed "s/RELAY/$nick/g" "$work/q1.sql" >"$work/q1n.sql"
want=$(awk -F, -v n="$nick" 'NR > 1 && $3 == "relay" && $5 == n' "$x/memory.csv" | wc -l)
got=$(sq "$db" <"$work/q1n.sql" | wc -l)
[ "$want" -gt 0 ] && [ "$got" -eq "$want" ] && pass "doc query: relay history ($got rows)" || fail "doc query: relay history" "$got rows, want $want"
first=$(awk -F, -v n="$nick" 'NR > 1 && $3 == "relay" && $5 == n { printf "%.3f", $6 / 1048576; exit }' "$x/memory.csv")
got=$(sq "$db" <"$work/q1n.sql" | head -1 | cut -d'|' -f2)
[ "$got" = "$first" ] && pass "doc query: relay history values" || fail "doc query: relay history values" "$got, CSV says $first"
days=$(sq "$db" <"$work/q2.sql" | cut -d'|' -f1 | sort -u | wc -l)
[ "$days" -eq 4 ] && pass "doc query: group means per day ($days days)" || fail "doc query: group means per day" "$days days"
grow=$(sq "$db" <"$work/q3.sql")
echo "$grow" | grep -q '|B|mimalloc|3.0.1|' && ! echo "$grow" | grep -q '|A|' &&
    pass "doc query: growing allocators" || fail "doc query: growing allocators" "$grow"

# Incremental: the second build reads the archive and writes the same bytes.
mkdir -p "$work/first"
cp "$x/REPORT.md" "$x/site/index.html" "$x/charts/memory_timeseries.svg" "$work/first/"
"$MEMREPORT" build -v --force --publish-archive "$x" >/dev/null 2>"$work/log2"
grep -q 'read results.sqlite' "$work/log2" && pass "rebuild reads the archive" || fail "rebuild reads the archive" "$(grep -v writing "$work/log2" | head -2)"
same=1
for f in REPORT.md site/index.html charts/memory_timeseries.svg; do
    cmp -s "$x/$f" "$work/first/$(basename "$f")" || same=0
done
[ $same = 1 ] && pass "same outputs from the archive" || fail "same outputs from the archive" "differ"
ls -a "$x/site/data" | grep -q '^\.results\.sqlite\.' && fail "rebuild: no temporary left in the site" "$(ls -a "$x/site/data" | grep '^\.' | tr '\n' ' ')" ||
    pass "rebuild: no temporary left in the site"
cmp -s "$db" "$x/site/data/results.sqlite" && pass "rebuild: site copy is the archive" || fail "rebuild: site copy is the archive" "differs"

# Rebuilt without --publish-archive: the site's old download goes too, and
# a commit that fails at any rename (the removal's included) keeps it.
k=1 kept=1
while [ $k -le 60 ]; do
    MEMREPORT_FAIL_RENAME=$k "$MEMREPORT" build -q "$x" 2>/dev/null
    [ $? -eq 3 ] || break
    [ -e "$x/site/data/results.sqlite" ] && grep -q 'href="data/results.sqlite"' "$x/site/index.html" ||
        { kept=0; break; }
    k=$((k + 1))
done
[ $k -gt 2 ] && [ $kept = 1 ] &&
    pass "failed rebuild at each of $((k - 1)) renames keeps the old download" ||
    fail "failed rebuild at each of $((k - 1)) renames keeps the old download" "gone after failing rename $k"
"$MEMREPORT" build -q "$x" 2>"$work/err"
[ ! -e "$x/site/data/results.sqlite" ] && [ -f "$db" ] &&
    ! grep -q 'results\.sqlite' "$x/site/index.html" &&
    pass "rebuild without --publish-archive removes the site copy" ||
    fail "rebuild without --publish-archive removes the site copy" "$(ls "$x/site/data")"
ls -a "$x/site/data" | grep -q '^\.[^.]' && fail "removal: no backup left" "$(ls -a "$x/site/data" | tr '\n' ' ')" ||
    pass "removal: no backup left"

# One input changed: it is read again and the archive follows it.
echo "2026-01-02T12:00:00,restart,manual restart of one relay," >>"$x/events.csv"
"$MEMREPORT" build -v "$x" >/dev/null 2>"$work/log3"
grep -q 'events.csv changed' "$work/log3" && pass "changed input noticed" || fail "changed input noticed" "$(grep -v writing "$work/log3" | head -2)"
want=$(sha256sum "$x/events.csv" | cut -d' ' -f1)
[ "$(q "$db" "SELECT sha256 FROM input_files WHERE path='events.csv'")" = "$want" ] && pass "archive follows the change" || fail "archive follows the change" "old hash"
n=$(q "$db" "SELECT count(*) FROM events WHERE description='manual restart of one relay'")
[ "$n" -eq 1 ] && pass "new event archived" || fail "new event archived" "$n"
cp "$x/groups/$(ls "$x/groups" | head -1)" "$x/groups/group_Z_new.txt"
"$MEMREPORT" build -v "$x" >/dev/null 2>"$work/log4"
grep -q 'group_Z_new.txt is new' "$work/log4" && pass "new group file noticed" || fail "new group file noticed" "$(grep -v writing "$work/log4" | head -2)"
rm -f "$x/groups/group_Z_new.txt"
"$MEMREPORT" build -q "$x" 2>/dev/null
"$MEMREPORT" build -v --until 2026-01-03 "$x" >/dev/null 2>"$work/log5"
grep -q 'until differs' "$work/log5" && pass "--until is part of the key" || fail "--until is part of the key" "$(grep -v writing "$work/log5" | head -2)"
"$MEMREPORT" build -q "$x" 2>/dev/null

# An older schema is rebuilt, never read as if current.
rm -f "$db"
sqlite3 "$db" "CREATE TABLE experiment(name TEXT); INSERT INTO experiment VALUES('old'); PRAGMA user_version=0;"
"$MEMREPORT" build -v "$x" >/dev/null 2>"$work/log6"
grep -q 'schema version 0' "$work/log6" && pass "old schema: says why" || fail "old schema: says why" "$(grep -v writing "$work/log6" | head -2)"
[ "$(q "$db" 'PRAGMA user_version')" = $schema ] && [ "$(q "$db" 'SELECT count(*) FROM results')" = 2 ] &&
    pass "old schema: rebuilt" || fail "old schema: rebuilt" "$(q "$db" 'PRAGMA user_version')"

# The previous schema (one row per sample, user_version 1) is read again
# from the CSVs and replaced.
rm -f "$db"
sqlite3 "$db" "CREATE TABLE samples(relay_id INTEGER, c INTEGER, rss_kb INTEGER, PRIMARY KEY(relay_id, c));
               INSERT INTO samples VALUES(0, 0, 1); PRAGMA user_version=1;"
"$MEMREPORT" build -v "$x" >/dev/null 2>"$work/log6b"
grep -q 'schema version 1' "$work/log6b" && [ "$(q "$db" 'PRAGMA user_version')" = $schema ] &&
    [ "$(q "$db" 'SELECT count(*) FROM samples')" -eq "$rows" ] && pass "schema 1: rebuilt from the CSVs" ||
    fail "schema 1: rebuilt from the CSVs" "$(grep -v writing "$work/log6b" | head -2)"

# Corrupt and truncated archives are replaced whole.
printf 'not a database at all, just text\n' >"$db"
"$MEMREPORT" build -v "$x" >/dev/null 2>"$work/log7"
rc=$?
grep -Eq 'not a readable archive|not a database' "$work/log7" && pass "corrupt: clear message" || fail "corrupt: clear message" "$(grep -v writing "$work/log7" | head -2)"
[ $rc -eq 0 ] && [ "$(q "$db" 'PRAGMA integrity_check')" = ok ] && pass "corrupt: replaced" || fail "corrupt: replaced" "rc $rc"
size=$(wc -c <"$db")
head -c $((size / 2)) "$db" >"$work/half" && cat "$work/half" >"$db"
"$MEMREPORT" build -v "$x" >/dev/null 2>"$work/log8"
rc=$?
grep -q 'read results.sqlite' "$work/log8" && fail "truncated: not reused" "read it" || pass "truncated: not reused"
[ $rc -eq 0 ] && [ "$(q "$db" 'PRAGMA integrity_check')" = ok ] && [ "$(q "$db" 'SELECT count(*) FROM samples')" -eq "$rows" ] &&
    pass "truncated: replaced" || fail "truncated: replaced" "rc $rc"

# Read-only: left alone, clear message, nothing else written either.
"$MEMREPORT" build -q "$x" 2>/dev/null
echo "2026-01-03T12:00:00,config_change,another change," >>"$x/events.csv"
chmod 0444 "$db"
cp "$db" "$work/ro-before"
cp "$x/REPORT.md" "$work/report-before"
"$MEMREPORT" build "$x" >/dev/null 2>"$work/log9"
rc=$?
[ $rc -eq 3 ] && pass "read-only: exit 3" || fail "read-only: exit 3" "exit $rc"
grep -q 'read-only' "$work/log9" && pass "read-only: clear message" || fail "read-only: clear message" "$(head -2 "$work/log9")"
cmp -s "$db" "$work/ro-before" && cmp -s "$x/REPORT.md" "$work/report-before" && pass "read-only: nothing replaced" || fail "read-only: nothing replaced" "changed"
chmod 0644 "$db"
# (.memreport.build, the last good build's record, is no temporary.)
ls -a "$x" | grep -Ev '^(\.\.?|\.memreport\.build)$' | grep -q '^\.' && fail "read-only: no temporaries" "$(ls -a "$x" | grep '^\.' | tr '\n' ' ')" || pass "read-only: no temporaries"

# Two builds of the same directory at once: a valid archive after.
"$MEMREPORT" build -q "$x" >/dev/null 2>"$work/c1" &
p1=$!
"$MEMREPORT" build -q "$x" >/dev/null 2>"$work/c2" &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && pass "concurrent: both builds succeed" || fail "concurrent: both builds succeed" "$r1 $r2: $(cat "$work/c1" "$work/c2" | head -2)"
[ "$(q "$db" 'PRAGMA integrity_check')" = ok ] && [ "$(q "$db" 'SELECT count(*) FROM samples')" -eq "$rows" ] &&
    pass "concurrent: valid archive" || fail "concurrent: valid archive" "$(q "$db" 'PRAGMA integrity_check')"
"$MEMREPORT" build -v --force "$x" >/dev/null 2>"$work/c3"
grep -q 'read results.sqlite' "$work/c3" && pass "concurrent: archive current" || fail "concurrent: archive current" "$(grep -v writing "$work/c3" | head -1)"

# The users' older layout: memory_measurements.csv with a group column,
# no fingerprints, no vmsize or hwm, relays in reserve with an empty group.
o=$work/old
"$MEMSIM" -o "$o" --relays 8 --days 3 --seed 3 --format-old --reserve 2 >/dev/null
if "$MEMREPORT" build -q "$o" 2>"$work/olderr"; then
    odb=$o/results.sqlite
    [ "$(q "$odb" "SELECT count(*) FROM relays WHERE fingerprint <> ''")" = 0 ] && pass "old layout: no fingerprints" || fail "old layout: no fingerprints" "some"
    [ "$(q "$odb" 'SELECT count(*) FROM samples WHERE hwm_kb IS NOT NULL OR vmsize_kb IS NOT NULL')" = 0 ] &&
        pass "old layout: empty vmsize and hwm are NULL" || fail "old layout: empty vmsize and hwm are NULL" "some values"
    [ "$(q "$odb" "SELECT memory_path FROM experiment")" = memory_measurements.csv ] && pass "old layout: file name" || fail "old layout: file name" "$(q "$odb" 'SELECT memory_path FROM experiment')"
    [ "$(q "$odb" 'SELECT count(*) FROM relays WHERE ungrouped = 1')" = 2 ] && pass "old layout: reserve relays" || fail "old layout: reserve relays" "$(q "$odb" 'SELECT count(*) FROM relays WHERE ungrouped = 1')"
    [ "$(q "$odb" "SELECT count(*) FROM groups WHERE source='group_column'")" -ge 1 ] && pass "old layout: groups from the column" || fail "old layout: groups from the column" "none"
else
    fail "old layout: build" "$(head -2 "$work/olderr")"
fi
exit 0
