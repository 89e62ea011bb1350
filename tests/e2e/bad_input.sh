#!/bin/sh
# The bad-input corpus: `memreport check` on each case of tests/bad/ (and on
# a few cases made here: missing directory, over-long line, symlinks out of
# the directory, unreadable file) must exit 1 without crashing, print the
# expected message, name FILE:LINE, and count the error in its summary.
# Each tests/bad/CASE/ holds `expect` (a substring of stderr) and
# optionally `args` (extra options for check).
mr=${MEMREPORT:?MEMREPORT not set}
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# run_case NAME DIR EXPECT ARGS [lineless]
run_case() {
    name=$1 dir=$2 expect=$3 args=$4 lineless=$5
    # shellcheck disable=SC2086
    "$mr" check $args "$dir" >"$tmp/out" 2>"$tmp/err"
    rc=$?
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
    run_case "$name" "${d%/}" "$(head -n 1 "$d/expect")" "$args"
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

good "$tmp/unread"
chmod 000 "$tmp/unread/memory.csv"
if cat "$tmp/unread/memory.csv" >/dev/null 2>&1; then
    # Permissions do not stop root: a directory where a file should be
    # fails to read for every user.
    rm -f "$tmp/unread/memory.csv"
    mkdir "$tmp/unread/memory.csv"
    run_case unreadable_file "$tmp/unread" "memory.csv: read error: Is a directory" "" lineless
else
    run_case unreadable_file "$tmp/unread" "memory.csv: cannot open" "" lineless
fi
good "$tmp/unread2"
rm -f "$tmp/unread2/events.csv"
mkdir "$tmp/unread2/events.csv"
run_case unreadable_events "$tmp/unread2" "events.csv: read error: Is a directory" "" lineless
if [ "$(grep -c 'read error' "$tmp/err")" -eq 1 ]; then
    echo "PASS unreadable_events: said once"
else
    echo "FAIL unreadable_events: said once: $(cat "$tmp/err")"
fi
