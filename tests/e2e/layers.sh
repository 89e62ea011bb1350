#!/bin/sh
# The layer check (tools/check-layers.sh) on the real tree and on copies of
# it with one include pointing the wrong way: base including ingest, charts
# including analysis, archive and writers including each other, and a source
# left outside a stage folder.
top=${TOP:?TOP not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS layers: $1"; }
fail() { echo "FAIL layers: $1: $2"; }

out=$(sh "$top/tools/check-layers.sh" "$top" 2>&1)
[ $? -eq 0 ] && pass "the tree passes" || fail "the tree passes" "$out"

# Copies the tree, appends an include line to FILE and expects the check to
# fail naming FILE and the header.
expect_rejected() {
    what=$1 file=$2 hdr=$3
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t"
    cp -R "$top/generator" "$top/charts" "$tmp/t/"
    printf '#include "%s"\n' "$hdr" >>"$tmp/t/$file"
    out=$(sh "$top/tools/check-layers.sh" "$tmp/t" 2>&1)
    rc=$?
    if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q "^$file:[0-9]*: .*\"$hdr\""; then
        pass "$what is rejected"
    else
        fail "$what is rejected" "status $rc: $out"
    fi
}
expect_rejected "base including ingest" generator/base/util.c ingest.h
expect_rejected "model including analysis" generator/model/model.h stats.h
expect_rejected "charts including ingest" charts/scale.c ingest.h
expect_rejected "archive including writers" generator/archive/archive_write.c report_md.h
expect_rejected "writers including archive" generator/writers/summary.c archive.h
expect_rejected "ingest including cli" generator/ingest/ingest.c cli.h
expect_rejected "an unknown header" generator/analysis/stats.c nosuch.h

rm -rf "$tmp/t"
mkdir -p "$tmp/t"
cp -R "$top/generator" "$top/charts" "$tmp/t/"
echo 'int stray;' >"$tmp/t/generator/stray.c"
out=$(sh "$top/tools/check-layers.sh" "$tmp/t" 2>&1)
[ $? -eq 1 ] && printf '%s\n' "$out" | grep -q "outside a stage folder: generator/stray.c" &&
    pass "a source outside a stage folder is rejected" ||
    fail "a source outside a stage folder is rejected" "$out"
