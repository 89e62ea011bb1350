#!/bin/sh
# Every command takes the common options from one table (cli_parse):
# --until, --strict, -q/--quiet, -v/--verbose, -h/--help, with the same
# errors for an unknown option or a missing value.
mr=${MEMREPORT:?MEMREPORT not set}
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS options: $1"; }
fail() { echo "FAIL options: $1: $2"; }
ex=$top/data/example

# expect NAME STATUS CMD...: the exit status of CMD, stdout/stderr kept.
expect() {
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $got, want $want: $(head -3 "$tmp/err")"; fi
}

for cmd in build summary check site compare; do
    expect "$cmd --help exits 0" 0 "$mr" "$cmd" --help
    if grep -q "^usage: memreport $cmd" "$tmp/out"; then pass "$cmd --help prints its usage"; else fail "$cmd --help prints its usage" "$(head -1 "$tmp/out")"; fi
    expect "$cmd: an unknown option is bad usage" 2 "$mr" "$cmd" --no-such-option "$ex"
    if grep -q "memreport: --no-such-option: unknown option" "$tmp/err"; then pass "$cmd: the unknown option is named"; else fail "$cmd: the unknown option is named" "$(head -1 "$tmp/err")"; fi
    expect "$cmd: --until without a value is bad usage" 2 "$mr" "$cmd" "$ex" --until
    if grep -q "memreport: --until: needs a value" "$tmp/err"; then pass "$cmd: the missing value is named"; else fail "$cmd: the missing value is named" "$(head -1 "$tmp/err")"; fi
done

# check: --until and -q now work as they do elsewhere.
expect "check -q exits 0 on the example" 0 "$mr" check -q "$ex"
if grep -q "warning" "$tmp/err"; then fail "check -q prints no warnings" "$(head -1 "$tmp/err")"; else pass "check -q prints no warnings"; fi
expect "check prints the example's warnings without -q" 0 "$mr" check "$ex"
if grep -q "warning" "$tmp/err"; then pass "check without -q prints warnings"; else fail "check without -q prints warnings" "none"; fi
expect "check --until a date" 0 "$mr" check --until 2026-11-01 "$ex"
expect "check --until garbage is bad input" 1 "$mr" check --until yesterday "$ex"

# summary: -q quiets the warnings, the CSV is the same, --until still checked early.
"$mr" summary --format csv "$ex" >"$tmp/plain.csv" 2>/dev/null
expect "summary -q --format csv" 0 "$mr" summary -q --format csv "$ex"
if cmp -s "$tmp/out" "$tmp/plain.csv"; then pass "summary -q: same CSV"; else fail "summary -q: same CSV" "differs"; fi
if [ -s "$tmp/err" ]; then fail "summary -q: nothing on stderr" "$(head -1 "$tmp/err")"; else pass "summary -q: nothing on stderr"; fi
expect "summary -v accepted" 0 "$mr" summary -v "$ex"
expect "summary --until garbage is bad usage" 2 "$mr" summary --until yesterday "$ex"
