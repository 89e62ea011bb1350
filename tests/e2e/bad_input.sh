#!/bin/sh
# The bad-input corpus: `memreport check` on each case of tests/bad/ (and on
# a few cases made here: missing directory, over-long line, symlinks out of
# the directory, unreadable file) must exit 1 without crashing, print the
# expected message, name FILE:LINE, and count the error in its summary.
# Each tests/bad/CASE/ holds `expect` (a substring of stderr) and
# optionally `args` (extra options for check) and `setup`, a shell script
# run inside a copy of the case to make what git cannot hold (a FIFO, a
# symlink to a device, a large file). An `expect` without FILE:LINE marks
# a message about a whole file. Every case must end within 20 s: a hang
# is a failure, not a stuck test run.
mr=${MEMREPORT:?MEMREPORT not set}
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
limit=""
command -v timeout >/dev/null 2>&1 && limit="timeout 20"
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"

# run_case NAME DIR EXPECT ARGS [lineless]
run_case() {
    name=$1 dir=$2 expect=$3 args=$4 lineless=$5
    # shellcheck disable=SC2086
    $limit "$mr" check $args "$dir" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 124 ] && [ -n "$limit" ]; then
        echo "FAIL $name: still running after 20 s"
        return
    fi
    if [ "$rc" -ne 1 ]; then
        echo "FAIL $name: exit status $rc, want 1"
        head -n 5 "$tmp/err" | sed 's/^/    /'
        return
    fi
    if ! grep -qF -- "$expect" "$tmp/err"; then
        echo "FAIL $name: stderr lacks '$expect'"
        head -n 5 "$tmp/err" | sed 's/^/    /'
        return
    fi
    if [ -z "$lineless" ] && ! grep -qE '^memreport: [^ ]+:[0-9]+(:[0-9]+)?: ' "$tmp/err"; then
        echo "FAIL $name: no FILE:LINE in the messages"
        return
    fi
    if ! grep -qE ', [1-9][0-9]* errors?;' "$tmp/out"; then
        echo "FAIL $name: summary does not count the error: $(cat "$tmp/out")"
        return
    fi
    echo "PASS $name"
}

good() {
    mkdir -p "$1/groups"
    printf 'timestamp,type,nickname,rss_kb\n2026-01-01T00:00:00,relay,alpha,100\n2026-01-01T00:00:00,relay,beta,200\n2026-01-02T00:00:00,relay,alpha,110\n2026-01-02T00:00:00,relay,beta,190\n' >"$1/memory.csv"
    printf 'alpha\n' >"$1/groups/group_A_one.txt"
    printf 'beta\n' >"$1/groups/group_B_two.txt"
}

# The control: the same small directory without a defect passes.
good "$tmp/good"
if "$mr" check "$tmp/good" >"$tmp/out" 2>"$tmp/err"; then
    echo "PASS control: clean directory exits 0"
else
    echo "FAIL control: clean directory: $(cat "$tmp/err")"
fi

# The real experiment, when present: clean, with the known counts.
real="$top/../shared/data/5way-allocator-comparison"
if [ -d "$real" ]; then
    if "$mr" check "$real" >"$tmp/out" 2>"$tmp/err" &&
        grep -q ', 0 errors; 5020 rows, 200 relays, 28 collections$' "$tmp/out"; then
        echo "PASS control: real experiment checks clean with 5020 rows, 200 relays, 28 collections"
    else
        echo "FAIL control: real experiment: $(cat "$tmp/out") $(head -n 3 "$tmp/err")"
    fi
else
    echo "SKIP control real experiment: $real is not here"
fi

for d in "$top"/tests/bad/*/; do
    name=$(basename "$d")
    [ -f "$d/expect" ] || continue
    args=""
    [ -f "$d/args" ] && args=$(cat "$d/args")
    expect=$(head -n 1 "$d/expect")
    lineless=x
    case $expect in *:[0-9]*:*) lineless="" ;; esac
    dir=${d%/}
    if [ -f "$d/setup" ]; then
        dir="$tmp/case-$name"
        cp -R "$d" "$dir" && rm -f "$dir/setup" "$dir/expect" "$dir/args"
        if ! (cd "$dir" && sh "$d/setup"); then
            echo "FAIL $name: its setup failed"
            continue
        fi
    fi
    run_case "$name" "$dir" "$expect" "$args" "$lineless"
done

run_case missing_dir "$tmp/not-there" "cannot open the experiment directory" "" lineless

mkdir -p "$tmp/nomem" && printf '{}\n' >"$tmp/nomem/experiment.json"
run_case no_memory_csv "$tmp/nomem" "no memory.csv" "" lineless

good "$tmp/long"
{
    printf 'timestamp,type,nickname,rss_kb\n2026-01-01T00:00:00,relay,alpha,100\n2026-01-01T00:00:00,relay,'
    head -c 1100000 /dev/zero | tr '\0' b
    printf ',200\n2026-01-02T00:00:00,relay,alpha,110\n'
} >"$tmp/long/memory.csv"
run_case long_line "$tmp/long" "memory.csv:3: line is longer than 1 MiB" ""

good "$tmp/link1"
mkdir -p "$tmp/outside" "$tmp/link1/lists"
printf 'alpha\n' >"$tmp/outside/a.txt"
ln -s "$tmp/outside/a.txt" "$tmp/link1/lists/a.txt"
printf '{"groups": {\n  "A": {"members": "lists/a.txt"},\n  "B": {"members": "groups/group_B_two.txt"}}}\n' \
    >"$tmp/link1/experiment.json"
run_case members_symlink_escape "$tmp/link1" "experiment.json:2: groups.A.members: lists/a.txt resolves to" ""

good "$tmp/link2"
ln -s "$tmp/outside/a.txt" "$tmp/link2/groups/group_C_evil.txt"
run_case groups_symlink_escape "$tmp/link2" "groups/group_C_evil.txt resolves to" "" lineless

# A file memreport may not read is the system's refusal, not bad data:
# exit 3 with the file named. Root reads anything, so as root the check
# runs as nobody (setpriv), and skips without it.
good "$tmp/unread"
chmod 000 "$tmp/unread/memory.csv"
as_user=""
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null 2>&1 && as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    chmod 755 "$tmp"
    chmod -R a+rX "$tmp/unread" && chmod 000 "$tmp/unread/memory.csv"
fi
if [ "$(id -u)" = 0 ] && [ -z "$as_user" ]; then
    echo "SKIP unreadable_file: root without setpriv reads every file"
else
    $as_user "$mr" check "$tmp/unread" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 3 ] && grep -q 'unread/memory.csv: cannot read: Permission denied' "$tmp/err"; then
        echo "PASS unreadable_file: exit 3, says Permission denied"
    else
        echo "FAIL unreadable_file: exit $rc: $(head -n 3 "$tmp/err")"
    fi
fi

# A directory where a file should be is bad input, said once.
good "$tmp/unread2"
rm -f "$tmp/unread2/events.csv"
mkdir "$tmp/unread2/events.csv"
run_case events_is_directory "$tmp/unread2" "events.csv: not a regular file (a directory)" "" lineless
if [ "$(grep -c 'events.csv' "$tmp/err")" -eq 1 ]; then
    echo "PASS events_is_directory: said once"
else
    echo "FAIL events_is_directory: said once: $(cat "$tmp/err")"
fi

# Each row a relay of its own at an hour of its own: 6,000 rows (0.3 MB)
# would make a table of 36 M cells (0.6 GiB). Refused before it is
# allocated, by one thread and by the two-thread reader alike, and under an
# address-space limit far below the table (where a sanitizer build allows).
good "$tmp/sparse"
awk 'BEGIN {
    print "timestamp,type,nickname,rss_kb"
    for (i = 0; i < 6000; i++)
        printf "2026-%02d-%02dT%02d:00:00,relay,r%d,100\n", 1 + int(i / 672), 1 + int(i % 672 / 24), i % 24, i
}' >"$tmp/sparse/memory.csv"
printf 'r1\n' >"$tmp/sparse/groups/group_A_one.txt"
printf 'r2\n' >"$tmp/sparse/groups/group_B_two.txt"
run_case sparse_table "$tmp/sparse" "6000 relays x 6000 collections make a table of 36000000 cells" "" lineless
MEMREPORT_PARALLEL_MIN_BYTES=1 run_case sparse_table_two_threads "$tmp/sparse" \
    "6000 relays x 6000 collections make a table of 36000000 cells" "" lineless
if sanitizer_build "$mr"; then
    echo "SKIP sparse_table_ulimit: a sanitizer build cannot run under ulimit -v"
else
    (ulimit -v 200000 && "$mr" check "$tmp/sparse") >/dev/null 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 1 ] && grep -q "fewer than one in 64" "$tmp/err"; then
        echo "PASS sparse_table_ulimit: refused with 200 MB of address space, not out of memory"
    else
        echo "FAIL sparse_table_ulimit: exit $rc: $(head -n 2 "$tmp/err")"
    fi
fi

# A compressed file under a plain name: said as such, not as a string of
# CSV errors (a memory CSV may be compressed when its name says so).
good "$tmp/gzplain"
gzip -c "$tmp/gzplain/memory.csv" >"$tmp/gzplain/m.gz" && mv "$tmp/gzplain/m.gz" "$tmp/gzplain/memory.csv"
run_case gzip_plain_name "$tmp/gzplain" "memory.csv:1: gzip-compressed data under a plain name" ""
if [ "$(grep -c 'memory.csv' "$tmp/err")" -eq 1 ]; then
    echo "PASS gzip_plain_name: said once"
else
    echo "FAIL gzip_plain_name: said once: $(cat "$tmp/err")"
fi
good "$tmp/zstplain"
printf '\050\265\057\375garbage' >"$tmp/zstplain/events.csv"
run_case zstd_events "$tmp/zstplain" "events.csv:1: zstd-compressed data under a plain name" ""
good "$tmp/gzname"
gzip "$tmp/gzname/memory.csv"
if "$mr" check "$tmp/gzname" >/dev/null 2>&1; then
    echo "PASS gzip_named_gz: memory.csv.gz is read"
else
    echo "FAIL gzip_named_gz: memory.csv.gz refused"
fi

# Any other binary file under an input's name: one error at line 1 that
# says what the file is (its leading signature), or where its first NUL
# byte is, and nothing more about that file.
# binary_case NAME FILE MESSAGE: `check` of $tmp/NAME, whose FILE was
# replaced, says FILE MESSAGE on one line and nothing else about FILE.
binary_case() {
    run_case "$1" "$tmp/$1" "$2$3" ""
    n=$(grep -c "$2" "$tmp/err")
    if [ "$n" -eq 1 ] && grep -qxF "memreport: $tmp/$1/$2$3" "$tmp/err"; then
        echo "PASS $1: said once"
    else
        echo "FAIL $1: said once: $n lines: $(cat "$tmp/err")"
    fi
}
good "$tmp/png_memory"
cp "$top/data/example/charts/memory_total.png" "$tmp/png_memory/memory.csv"
binary_case png_memory memory.csv ":1: this is a PNG image, not CSV text"
good "$tmp/sqlite_memory"
printf 'SQLite format 3\000\020\000\001\001\000@  \000\000\000\002' >"$tmp/sqlite_memory/memory.csv"
binary_case sqlite_memory memory.csv ":1: this is an SQLite database, not CSV text"
good "$tmp/zip_memory"
printf 'PK\003\004\024\000\006\000\010\000\000\000!\000[Content_Types].xml' \
    >"$tmp/zip_memory/memory.csv"
binary_case zip_memory memory.csv ":1: this is a ZIP archive, not CSV text \
(an .xlsx or .ods spreadsheet is one: export the sheet as CSV)"
good "$tmp/pdf_memory"
printf '%%PDF-1.7\n%%\342\343\317\323\n1 0 obj\n<< /Type /Catalog >>\nendobj\n' \
    >"$tmp/pdf_memory/memory.csv"
binary_case pdf_memory memory.csv ":1: this is a PDF document, not CSV text"
good "$tmp/xz_events"
printf '\3757zXZ\000\000\004\346\326\264F' >"$tmp/xz_events/events.csv"
binary_case xz_events events.csv ":1: this is xz-compressed data, not CSV text \
(only gzip and zstd are read, for a memory CSV named .gz or .zst)"
good "$tmp/gif_group"
printf 'GIF89a\001\000\001\000\200\000\000\377\377\377\000\000\000!\371\004' \
    >"$tmp/gif_group/groups/group_A_one.txt"
binary_case gif_group groups/group_A_one.txt ":1: this is a GIF image, not a text list of members"
good "$tmp/elf_manifest"
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000>\000' \
    >"$tmp/elf_manifest/experiment.json"
binary_case elf_manifest experiment.json ":1: this is an ELF executable or library, not JSON text"
good "$tmp/nul_notes"
printf '# Notes\nab\000\001\002\003 binary\n' >"$tmp/nul_notes/notes.md"
binary_case nul_notes notes.md ":2:3: NUL byte at offset 10: this is binary data, not Markdown text"

# The same inside a compressed memory CSV: its first bytes once
# decompressed are looked at as a plain file's are, and the message says
# what they came out of.
# compressed_case NAME KIND MESSAGE: $tmp/NAME's memory CSV replaced by
# KIND (gz or zst) of stdin.
compressed_case() {
    if [ "$2" = gz ]; then gzip -c; else zstd -q -c; fi | misnamed_case "$@"
}
# misnamed_case NAME EXT MESSAGE: $tmp/NAME's memory CSV replaced by stdin
# as it is, under the name memory.csv.EXT.
misnamed_case() {
    good "$tmp/$1"
    rm "$tmp/$1/memory.csv"
    cat >"$tmp/$1/memory.csv.$2"
    binary_case "$1" "memory.csv.$2" "$3"
}
png=$top/data/example/charts/memory_total.png
compressed_case png_gz gz ":1: this is a PNG image (inside gzip-compressed data), not CSV text" <"$png"
printf 'PK\003\004\024\000\006\000\010\000\000\000!\000[Content_Types].xml' |
    compressed_case xlsx_gz gz ":1: this is a ZIP archive (inside gzip-compressed data), not CSV \
text (an .xlsx or .ods spreadsheet is one: export the sheet as CSV)"
printf 'timestamp,type,nickname,rss_kb\n2026-01-01T00:00:00,relay,al\000pha,100\n' |
    compressed_case nul_gz gz ":2:29: NUL byte at offset 59 (inside gzip-compressed data): \
this is binary data, not CSV text"
gzip -c "$tmp/good/memory.csv" | compressed_case gz_gz gz ":1: this is gzip-compressed data \
(inside gzip-compressed data), not CSV text (compressed twice: decompress it once)"
if command -v zstd >/dev/null 2>&1; then
    compressed_case png_zst zst ":1: this is a PNG image (inside zstd-compressed data), not CSV text" <"$png"
    printf 'timestamp,type,nickname,rss_kb\n2026-01-01T00:00:00,relay,al\000pha,100\n' |
        compressed_case nul_zst zst ":2:29: NUL byte at offset 59 (inside zstd-compressed data): \
this is binary data, not CSV text"
else
    echo "SKIP png_zst, nul_zst: no zstd command"
fi

# A file named .gz or .zst that is not compressed that way is said as
# what it is, not as "corrupt gzip data".
misnamed_case png_named_gz gz ":1: this is a PNG image, not gzip-compressed data as its name \
says" <"$png"
good "$tmp/plain_src"
misnamed_case plain_named_gz gz ":1: this is plain text, not gzip-compressed data as its name \
says (rename it to memory.csv)" <"$tmp/plain_src/memory.csv"
gzip -c "$tmp/plain_src/memory.csv" | misnamed_case gz_named_zst zst ":1: this is \
gzip-compressed data, not zstd-compressed data as its name says (rename it to memory.csv.gz)"
printf 'PK\003\004\024\000\006\000' | misnamed_case zip_named_zst zst ":1: this is a ZIP \
archive, not zstd-compressed data as its name says (an .xlsx or .ods spreadsheet is one: \
export the sheet as CSV)"
# Bytes that are nothing known under a .gz name: the reader says where.
good "$tmp/noise_gz"
rm "$tmp/noise_gz/memory.csv"
printf '\037\213\010\000garbage after a gzip magic\377\377\377' >"$tmp/noise_gz/memory.csv.gz"
run_case noise_named_gz "$tmp/noise_gz" "memory.csv.gz: corrupt gzip data" "" lineless

# Text that merely begins like a signature is read: relays called GIF89a
# and BZh91AY (the first line of their member lists), a byte-order mark,
# a note that begins with %PDF, non-ASCII text.
good "$tmp/textlike"
{
    printf '\357\273\277timestamp,type,nickname,rss_kb\n'
    for day in 01 02; do
        printf '2026-01-%sT00:00:00,relay,GIF89a,100\n2026-01-%sT00:00:00,relay,BZh91AY,200\n' \
            "$day" "$day"
    done
} >"$tmp/textlike/memory.csv"
printf 'GIF89a\n' >"$tmp/textlike/groups/group_A_one.txt"
printf 'BZh91AY\n' >"$tmp/textlike/groups/group_B_two.txt"
printf '%%PDF is not how this note begins: Grüße, 記録\n' >"$tmp/textlike/notes.md"
if "$mr" check "$tmp/textlike" >"$tmp/out" 2>"$tmp/err" &&
    grep -q ', 0 errors; 4 rows' "$tmp/out"; then
    echo "PASS text_like_signature: read as text"
else
    echo "FAIL text_like_signature: $(cat "$tmp/out") $(cat "$tmp/err")"
fi

# A build refused for a binary input leaves the previous outputs as they were.
good "$tmp/keep"
if "$mr" build -q "$tmp/keep" >/dev/null 2>"$tmp/err"; then
    outputs "$tmp/keep" >"$tmp/before"
    cp "$top/data/example/charts/memory_total.png" "$tmp/keep/memory.csv"
    "$mr" build -q "$tmp/keep" >/dev/null 2>"$tmp/err"
    rc=$?
    outputs "$tmp/keep" >"$tmp/after"
    if [ "$rc" -eq 1 ] && grep -q 'memory.csv:1: this is a PNG image' "$tmp/err" &&
        cmp -s "$tmp/before" "$tmp/after"; then
        echo "PASS png_build_keeps_outputs: exit 1, previous outputs intact"
    else
        echo "FAIL png_build_keeps_outputs: exit $rc: $(cat "$tmp/err"); $(diff "$tmp/before" "$tmp/after")"
    fi
else
    echo "FAIL png_build_keeps_outputs: first build: $(cat "$tmp/err")"
fi
# ... and for a binary file inside a compressed memory CSV.
good "$tmp/keep_gz"
gzip "$tmp/keep_gz/memory.csv"
if "$mr" build -q "$tmp/keep_gz" >/dev/null 2>"$tmp/err"; then
    outputs "$tmp/keep_gz" >"$tmp/before"
    gzip -c "$top/data/example/charts/memory_total.png" >"$tmp/keep_gz/memory.csv.gz"
    "$mr" build -q "$tmp/keep_gz" >/dev/null 2>"$tmp/err"
    rc=$?
    outputs "$tmp/keep_gz" >"$tmp/after"
    if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -q 'memory.csv.gz:1: this is a PNG image (inside gzip-compressed data)' "$tmp/err" &&
        cmp -s "$tmp/before" "$tmp/after"; then
        echo "PASS png_gz_build_keeps_outputs: one error, exit 1, previous outputs intact"
    else
        echo "FAIL png_gz_build_keeps_outputs: exit $rc: $(cat "$tmp/err"); $(diff "$tmp/before" "$tmp/after")"
    fi
else
    echo "FAIL png_gz_build_keeps_outputs: first build: $(cat "$tmp/err")"
fi
