#!/bin/sh
# symlinks.sh - output folders that are symbolic links (README, "Output
# folders and symbolic links"). Inside the experiment or the site
# (charts/, site/, site/data/, site/assets/, a site's experiment folder),
# a link is never written through: a link to a directory, a dangling one
# and a looping one each stop the build with exit 1 and a message naming
# the link, before anything is read; the earlier outputs stay as they
# were, the link's target stays empty and no temporaries are left. A
# directory named on the command line may be a link: `-o LINK` and an
# experiment directory reached through a link are followed, once, and a
# dangling or looping -o is exit 1.
# env: MEMREPORT (binary), TOP (repo root).
: "${MEMREPORT:?}" "${TOP:?}"
mr=$MEMREPORT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600

# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# One built experiment, copied for each case.
src=$work/src
cp -R "$TOP/data/example" "$src"
rm -rf "$src/REPORT.md" "$src/charts" "$src/site" "$src/results.sqlite"
"$mr" build -q --publish-archive "$src" 2>"$work/err" || { fail "first build" "$(cat "$work/err")"; exit 0; }
# A notes change, so a build that went ahead would rewrite REPORT.md and the page.
printf '\n## Later\n\nA line added after the first build.\n' >>"$src/notes.md"

# refused CASE SUB KIND WANT: EXPDIR/SUB replaced by a link of KIND
# (dir: to an empty directory elsewhere; dangling; loop); the build must
# exit 1 with a message that names the link and matches WANT.
refused() {
    case_name=$1 sub=$2 kind=$3 want=$4
    w=$work/$case_name/w
    mkdir -p "$work/$case_name"
    cp -R "$src" "$w"
    mkdir "$work/$case_name/elsewhere"
    rm -rf "${w:?}/$sub"
    case $kind in
    dir) ln -s "$work/$case_name/elsewhere" "$w/$sub" ;;
    dangling) ln -s "$work/$case_name/nothing-here" "$w/$sub" ;;
    loop) ln -s "$(basename "$sub").loop" "$w/$sub" && ln -s "$(basename "$sub")" "$w/$sub.loop" ;;
    esac
    outputs "$w" >"$work/$case_name/before"
    "$mr" build -q "$w" 2>"$work/$case_name/err"
    rc=$?
    outputs "$w" >"$work/$case_name/after"
    if [ "$rc" -eq 1 ] && grep -q "^memreport: $w/$sub: $want" "$work/$case_name/err" &&
        cmp -s "$work/$case_name/before" "$work/$case_name/after" &&
        [ -z "$(ls -A "$work/$case_name/elsewhere")" ] && [ -z "$(leftovers "$w")" ] &&
        [ -L "$w/$sub" ]; then
        pass "$sub a $kind link: exit 1, '$(cut -c 1-150 "$work/$case_name/err" | sed "s|$work/||g")', outputs intact"
    else
        fail "$sub a $kind link" "exit $rc: $(cat "$work/$case_name/err"); target: $(ls -A "$work/$case_name/elsewhere" | head -n 3); left: $(leftovers "$w" | head -n 3)"
    fi
}

for sub in charts site site/data site/assets; do
    tag=$(echo "$sub" | tr / _)
    if [ "$sub" = site ]; then
        refused "$tag-dir" "$sub" dir "is a symbolic link (to $work/$tag-dir/elsewhere);.* pass -o $work/$tag-dir/elsewhere"
    else
        refused "$tag-dir" "$sub" dir "is a symbolic link (to $work/$tag-dir/elsewhere);.* remove the link"
    fi
    refused "$tag-dangling" "$sub" dangling "is a dangling symbolic link (to $work/$tag-dangling/nothing-here, which does not exist)"
    refused "$tag-loop" "$sub" loop "is a symbolic link that loops"
done

# charts a plain file: also refused with exit 1, before anything is read.
w=$work/file/w
mkdir -p "$work/file" && cp -R "$src" "$w" && rm -rf "$w/charts" && echo x >"$w/charts"
"$mr" build -q "$w" 2>"$work/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "^memreport: $w/charts: is a regular file, not a directory" "$work/err" &&
    [ "$(cat "$w/charts")" = x ] && [ -z "$(leftovers "$w")" ] &&
    pass "charts a file: exit 1, named, left as it was" ||
    fail "charts a file" "exit $rc: $(cat "$work/err")"

# -o LINK to a directory: followed once; the site is written into the
# target, the link stays a link, and a second build finds it up to date.
w=$work/o-dir/w
mkdir -p "$work/o-dir/www" && cp -R "$src" "$w"
ln -s "$work/o-dir/www" "$work/o-dir/site-link"
"$mr" build -q -o "$work/o-dir/site-link" "$w" 2>"$work/err"
rc=$?
"$mr" build -o "$work/o-dir/site-link" "$w" 2>"$work/err2"
rc2=$?
if [ "$rc" -eq 0 ] && [ -L "$work/o-dir/site-link" ] && [ -f "$work/o-dir/www/index.html" ] &&
    [ -f "$work/o-dir/www/data/results.csv" ] && grep -q 'A line added after the first build' "$work/o-dir/www/index.html" &&
    [ -z "$(leftovers "$work/o-dir")" ] && [ "$rc2" -eq 0 ] && grep -q 'up to date' "$work/err2"; then
    pass "-o a link to a directory: followed, the site written into its target, then up to date"
else
    fail "-o a link to a directory" "exit $rc/$rc2: $(cat "$work/err" "$work/err2"); left: $(leftovers "$work/o-dir" | head -n 3)"
fi

# -o a dangling or looping link: exit 1 naming it, nothing created.
for kind in dangling loop; do
    w=$work/o-$kind/w
    mkdir -p "$work/o-$kind" && cp -R "$src" "$w"
    if [ $kind = dangling ]; then
        ln -s "$work/o-$kind/not-made" "$work/o-$kind/site-link"
        want="is a dangling symbolic link (to $work/o-$kind/not-made, which does not exist)"
    else
        ln -s site-link2 "$work/o-$kind/site-link" && ln -s site-link "$work/o-$kind/site-link2"
        want="is a symbolic link that loops"
    fi
    before=$(outputs "$w")
    "$mr" build -q -o "$work/o-$kind/site-link" "$w" 2>"$work/err"
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "^memreport: $work/o-$kind/site-link: $want" "$work/err" &&
        [ ! -e "$work/o-$kind/not-made" ] && [ "$(outputs "$w")" = "$before" ] &&
        pass "-o a $kind link: exit 1, named, nothing written" ||
        fail "-o a $kind link" "exit $rc: $(cat "$work/err")"
done

# The experiment directory named through a link: built in its target.
w=$work/exp-link/w
mkdir -p "$work/exp-link" && cp -R "$src" "$w" && ln -s w "$work/exp-link/w-link"
(cd "$work/exp-link" && "$mr" build -q w-link) 2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] && [ -z "$(cat "$work/err")" ] && grep -q 'A line added after the first build' "$w/REPORT.md" &&
    [ -z "$(leftovers "$w")" ] &&
    pass "EXPDIR named through a link: built in its target, no warning" ||
    fail "EXPDIR named through a link" "exit $rc: $(cat "$work/err")"

# memreport site: -o LINK is followed; an experiment's folder in the
# site, or its data/, that is a link is refused with exit 1.
s=$work/site
mkdir -p "$s/www" && ln -s "$s/www" "$s/link"
cp -R "$src" "$s/exp"
"$mr" site -q -o "$s/link" "$s/exp" 2>"$work/err"
rc=$?
slug=$(find "$s/www" -mindepth 1 -maxdepth 1 -type d ! -name assets | head -n 1)
if [ "$rc" -eq 0 ] && [ -n "$slug" ] && [ -f "$slug/index.html" ] && [ -L "$s/link" ]; then
    pass "site -o a link to a directory: followed"
    for sub in "" /data; do
        mkdir -p "$s/elsewhere"
        mv "$slug$sub" "$s/moved"
        ln -s "$s/elsewhere" "$slug$sub"
        before=$(tree "$s/www")
        "$mr" site -q -o "$s/link" "$s/exp" 2>"$work/err"
        rc=$?
        [ "$rc" -eq 1 ] && grep -q "^memreport: $slug$sub: is a symbolic link (to $s/elsewhere)" "$work/err" &&
            [ -z "$(ls -A "$s/elsewhere")" ] && [ "$(tree "$s/www")" = "$before" ] &&
            [ -z "$(leftovers "$s/www")" ] &&
            pass "site: the experiment's folder${sub:+ $sub} a link: exit 1, named, nothing written" ||
            fail "site: the experiment's folder${sub:+ $sub} a link" "exit $rc: $(cat "$work/err")"
        rm "$slug$sub" && mv "$s/moved" "$slug$sub" && rmdir "$s/elsewhere"
    done
else
    fail "site -o a link to a directory" "exit $rc: $(cat "$work/err")"
fi
