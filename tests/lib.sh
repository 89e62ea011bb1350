# lib.sh - helpers the e2e scripts source (POSIX sh): their PASS/FAIL
# lines, the outputs of a build, a tree's hashes, the example cut for an
# append, what a killed or failed build may leave, waiting for a
# condition, a lock held by flock(1), whether strace can be used here, and
# whether the binary is a sanitizer's.

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# sanitizer_build BIN: true when BIN is built with a sanitizer, which an
# address-space limit (ulimit -v) does not mix with: ASan reserves
# terabytes, and clang's UBSan, linked in statically (ldd does not show
# it), needs memory of its own, so the limit lands in a library that does
# not check its mallocs (fontconfig). make SANITIZE=1 check says so in
# TEST_SANITIZED.
sanitizer_build() {
    [ "${TEST_SANITIZED:-0}" = 1 ] || ldd "$1" 2>/dev/null | grep -qE 'libasan|libubsan'
}

# The outputs of a build in experiment $1, one "sha256  path" line each,
# in a fixed order (links not followed).
outputs() {
    (cd "$1" && find REPORT.md results.sqlite charts site -type f 2>/dev/null | LC_ALL=C sort |
        xargs sha256sum)
}

# Every file under $1 (hidden ones too), one "sha256  path" line each.
tree() {
    (cd "$1" && find . -type f | LC_ALL=C sort | xargs -r sha256sum)
}

# grown_example WORK: $WORK/full is data/example without its outputs, and
# $WORK/w the same with its memory CSV's last tenth of lines cut off, ready
# for a first build whose successor then appends them back.
grown_example() {
    cp -R "$TOP/data/example" "$1/full"
    rm -rf "$1/full/REPORT.md" "$1/full/charts" "$1/full/site" "$1/full/results.sqlite"
    cp -R "$1/full" "$1/w"
    lines=$(wc -l <"$1/full/memory.csv")
    head -n $((lines * 9 / 10)) "$1/full/memory.csv" >"$1/w/memory.csv"
}

# Files of our temporary or backup naming, and the journal, under each of
# the directories given.
leftovers() {
    find "$@" \( -name '.*.tmp-??????*' -o -name '.*.old-??????*' -o -name '.memreport.journal*' \) -print
}

# The commit renames relative to a folder's descriptor: renameat, or
# renameat2 where the kernel has no renameat (arm64). As strace's -e takes
# the system call, and as a grep -E pattern for a line of its trace.
# shellcheck disable=SC2034 # used by the scripts that source this file
RENAME_CALLS='/^renameat2?$'
# shellcheck disable=SC2034
RENAME_RE='renameat2?\('

# strace_usable [inject]: true when strace is installed and may trace here
# (a container may forbid ptrace) and, with "inject", when its fault
# injection works too (the probe's one write must fail). Else prints why.
strace_usable() {
    if ! command -v strace >/dev/null 2>&1; then
        echo "strace is not installed"
        return 1
    fi
    if ! strace -f -o /dev/null -e trace=rename true 2>/dev/null; then
        echo "strace cannot trace here"
        return 1
    fi
    if [ "${1:-}" = inject ] && strace -o /dev/null -e trace=write -e inject=write:error=EIO:when=1 \
        sh -c 'echo probe' >/dev/null 2>&1; then
        echo "strace cannot inject faults here"
        return 1
    fi
    return 0
}

# wait_for SECONDS COMMAND...: true once COMMAND succeeds, polled every
# 0.1 s; false after SECONDS.
wait_for() {
    tries=$(($1 * 10))
    shift
    while ! "$@" 2>/dev/null; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1
    done
}

# hold FLAG MODE DIR [SCRIPT]: flock(1) takes DIR's lock (-x as a build
# takes it, -s as a site does) in the background; FLAG.held appears once
# it is held; once FLAG.go appears (or after 60 s) SCRIPT runs, still
# under the lock, and the lock is let go.
# shellcheck disable=SC2016 # the script is expanded by the inner shell
hold() {
    timeout 90 flock "$2" "$3" sh -c '
        : >"$1.held"
        n=0
        while [ ! -e "$1.go" ] && [ "$n" -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
        eval "$2"' sh "$1" "${4:-:}" &
}
