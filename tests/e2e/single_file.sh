#!/bin/sh
# single_file.sh - `build --single-file FILE`, the page for a blog post:
# written with the other outputs, self-contained (no script, no URL, no
# CSP, nothing to fetch), clash-proof (every class and id mrp-, every CSS
# selector under .mrp, the block between its begin/end comments; two
# reports in one page share no id), its
# figures the summary's, and a bad FILE refused with the outputs intact.
# The browser half (no request from an empty folder, pasted into host
# pages) is in browser_audit.sh.
# env: MEMREPORT, MEMSIM (absolute binary paths)
: "${MEMREPORT:?}"
MEMSIM=${MEMSIM:-$(dirname "$0")/../../build/memsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS single_file: $1"; }
fail() { echo "FAIL single_file: $1: $2"; }
exp=$work/exp
if ! "$MEMSIM" -o "$exp" --seed 9 --relays 24 --reserve 0 --days 4 --interval-hours 4 \
    --id post --name "Post test" \
    --group "A:leak:rate=0.4:alloc=glibc:version=2.41" --group "B:flat:level=1.2" \
    --group "C:noisy:level=2.5" >/dev/null 2>"$work/err"; then
    fail "memsim" "$(cat "$work/err")"
    exit 0
fi
mkdir "$work/blog"
post=$work/blog/post.html
if "$MEMREPORT" build -q "$exp" --single-file "$post" 2>"$work/err" && [ -s "$post" ]; then
    pass "build writes FILE"
else
    fail "build writes FILE" "$(head -c 300 "$work/err")"
    exit 0
fi
"$MEMREPORT" summary "$exp" --format csv >"$work/summary.csv"
[ -s "$exp/REPORT.md" ] && [ -s "$exp/site/index.html" ] && pass "the usual outputs too" ||
    fail "the usual outputs too" "REPORT.md or the site is missing"

# --- self-contained -------------------------------------------------------
if grep -qi '<script' "$post"; then fail "no script" "$(grep -oi '<script[^>]*' "$post" | head -1)"; else pass "no script"; fi
if grep -qi 'http' "$post"; then fail "no URL" "$(grep -oi '.\{30\}http.\{30\}' "$post" | head -1)"; else pass "no URL"; fi
if grep -qi 'Content-Security-Policy' "$post"; then fail "no CSP meta" "found one"; else pass "no CSP meta"; fi
bad=$(grep -oi ' \(src\|href\|xlink:href\|action\|srcset\|poster\)="[^"]*"' "$post" | grep -v '^ href="#mrp-' | head -3)
if [ -z "$bad" ] && ! grep -qi 'url(' "$post"; then pass "links only to #mrp- anchors, no url()"; else fail "links only to #mrp- anchors" "$bad"; fi
# Every in-page link has its target.
miss=""
for a in $(grep -o 'href="#[^"]*"' "$post" | sed 's/href="#//; s/"$//' | sort -u); do
    grep -q "id=\"$a\"" "$post" || miss="$miss $a"
done
[ -z "$miss" ] && pass "every #anchor has its target" || fail "every #anchor has its target" "$miss"

# --- the block ------------------------------------------------------------
nb=$(grep -c '^<!-- memreport:begin -->$' "$post")
ne=$(grep -c '^<!-- memreport:end -->$' "$post")
sed -n '/^<!-- memreport:begin -->$/,/^<!-- memreport:end -->$/p' "$post" >"$work/block"
if [ "$nb" = 1 ] && [ "$ne" = 1 ] && grep -q '^<article class="mrp"' "$work/block" &&
    grep -q '^<style>$' "$work/block" && [ "$(grep -c '<style>' "$post")" = 1 ] &&
    [ "$(grep -c '^<article' "$post")" = 1 ] && grep -q '^</article>$' "$work/block"; then
    pass "one block between begin/end lines, its root and <style> inside"
else
    fail "one block between begin/end lines" "begin $nb, end $ne"
fi
# Outside the block: the document's frame only (no text, no style).
outside=$(sed '/^<!-- memreport:begin -->$/,/^<!-- memreport:end -->$/d' "$post" |
    grep -v '^<!DOCTYPE html>$\|^</\?html\|^</\?head>$\|^</\?body>$\|^</\?main>$\|^<meta \|^<title>')
[ -z "$outside" ] && pass "nothing outside the block but the document frame" ||
    fail "nothing outside the block" "$(printf '%s' "$outside" | head -2)"

badc=$(grep -o ' class="[^"]*"' "$post" | sed 's/^ class="//; s/"$//' | tr ' ' '\n' |
    grep -v '^$' | grep -v '^mrp$' | grep -v '^mrp-' | sort -u | head -5)
badi=$(grep -o ' id="[^"]*"' "$post" | sed 's/^ id="//; s/"$//' | grep -v '^mrp-' | sort -u | head -5)
if [ -z "$badc$badi" ] && grep -q ' id="mrp-' "$post"; then
    pass "every class and id starts with mrp-"
else
    fail "every class and id starts with mrp-" "classes: $badc ids: $badi"
fi
missr=""
for r in $(grep -o ' aria-labelledby="[^"]*"' "$post" | sed 's/^ aria-labelledby="//; s/"$//' | tr ' ' '\n' | sort -u); do
    grep -q " id=\"$r\"" "$post" || missr="$missr $r"
done
[ -z "$missr" ] && pass "every aria-labelledby names an id of the page" || fail "aria-labelledby" "$missr"

# The stylesheet: every selector under .mrp, nothing global. Parenthesised
# parts (:is(...), media conditions) are left out before splitting at commas.
sed -n '/^<style>$/,/^<\/style>$/p' "$post" | sed '1d;$d' >"$work/css"
awk '
    { css = css $0 "\n" }
    END {
        gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", css)
        n = split(css, parts, "{")
        for (i = 1; i < n; i++) {
            pre = parts[i]; sub(/.*[};]/, "", pre); gsub(/\n/, " ", pre)
            sub(/^ +/, "", pre); sub(/ +$/, "", pre)
            if (pre ~ /^@/) {
                if (pre !~ /^@(media|container|supports) /) bad = bad " [" pre "]"
                continue
            }
            while (gsub(/\([^()]*\)/, "", pre)) {}
            m = split(pre, sels, ",")
            for (j = 1; j <= m; j++) {
                s = sels[j]; sub(/^ +/, "", s)
                if (s !~ /^\.mrp#mrp-post-report($|[ :.\[>+~])/) bad = bad " [" s "]"
                nsel++
            }
        }
        if (nsel < 50) bad = bad " only " nsel " selectors"
        if (bad == "") print "PASS single_file: every CSS selector under the root .mrp#mrp-post-report (" nsel ")"
        else print "FAIL single_file: every CSS selector under the root:" substr(bad, 1, 300)
    }' "$work/css"
if grep -qi ':root\|@font-face\|@import' "$work/css"; then fail "no :root, @font-face, @import" "found"; else pass "no :root, @font-face, @import"; fi
# Every class the block's HTML uses has a rule, but the hooks the site's
# page has too (a table's or a details' own class) and the charts' classes.
awk '/<svg class="mrp-mr-chart"/ { inside = 1 } !inside { print } /<\/svg>/ { inside = 0 }' "$work/block" |
    grep -v '^<\(table\|details\) ' | grep -o ' class="[^"]*"' | sed 's/^ class="//; s/"$//' |
    tr ' ' '\n' | grep '^mrp-' | sort -u >"$work/used"
norule=""
while read -r c; do
    grep -q "\.$c\([^a-zA-Z0-9_-]\|\$\)" "$work/css" || norule="$norule $c"
done <"$work/used"
if [ -z "$norule" ] && [ "$(wc -l <"$work/used")" -ge 20 ]; then
    pass "every class of the block's HTML has a rule ($(wc -l <"$work/used"))"
else
    fail "every class of the block's HTML has a rule" "no rule for:$norule"
fi
# Charts inline, the same drawings as the site's.
n=$(grep -c '<svg class="mrp-mr-chart"' "$post")
ns=$(grep -c '<svg xmlns="http://www.w3.org/2000/svg" class="mr-chart"' "$exp/site/index.html")
if [ "$n" -ge 3 ] && [ "$n" -lt "$ns" ] && grep -q 'id="mrp-post-memory_timeseries-title"' "$post" &&
    grep -q 'id="mrp-post-memory_total-narrow-title"' "$post" && ! grep -q 'memory_trajectories' "$post"; then
    pass "charts inline: time series, distribution, total, each wide and narrow ($n)"
else
    fail "charts inline" "$n charts (site page: $ns)"
fi
# The same drawing as the site's: the time series' text elements agree.
grep -o '<text [^>]*>[^<]*</text>' "$exp/site/index.html" | sed 's/ class="[^"]*"//' | sort >"$work/t1"
grep -o '<text [^>]*>[^<]*</text>' "$post" | sed 's/ class="[^"]*"//' | sort >"$work/t2"
if [ -s "$work/t2" ] && [ -z "$(comm -13 "$work/t1" "$work/t2" | head -1)" ]; then
    pass "chart texts are the site's"
else
    fail "chart texts are the site's" "$(comm -13 "$work/t1" "$work/t2" | head -2)"
fi

# --- the figures: the summary's, rounded as the page rounds ----------------
# Final metrics rows: id|mean|vs baseline.
awk '
    /<tr class="[^"]*" id="mrp-post-group-/ {
        l = $0
        id = l; sub(/.*<\/svg> /, "", id); sub(/<\/th>.*/, "", id)
        # Each cell by its label (data-label, the column header).
        mean = vs = ""
        while (match(l, /<td [^>]*data-label="[^"]*">[^<]*<\/td>/)) {
            c = substr(l, RSTART, RLENGTH); l = substr(l, RSTART + RLENGTH)
            lb = c; sub(/.*data-label="/, "", lb); sub(/".*/, "", lb)
            sub(/^<td[^>]*>/, "", c); sub(/<\/td>$/, "", c)
            if (lb == "Mean RSS (GiB)") mean = c
            else if (lb ~ /^vs baseline/) vs = c
        }
        print id "|" mean "|" vs
    }' "$post" >"$work/rows"
awk -F'|' -v sum="$work/summary.csv" '
    BEGIN {
        while ((getline l < sum) > 0) {
            if (++k == 1) continue
            split(l, f, ",")
            mean[f[1]] = sprintf("%.2f", f[4]); ratio[f[1]] = f[5]; ids[++n] = f[1]
            if (min == "" || f[4] + 0 < min + 0) min = f[4]
        }
    }
    {
        g = $1; seen[g] = 1; rows++
        if ($2 != mean[g]) bad = bad " " g ":mean " $2 "!=" mean[g]
        r = ratio[g] + 0
        if (r == 1) want = "baseline"
        else if (r > 1) want = sprintf("%.2f× less", r)
        else want = sprintf("%.2f× more", 1 / r)
        if (index($3, want) != 1) bad = bad " " g ":ratio \"" $3 "\" not \"" want "\""
    }
    END {
        for (i = 1; i <= n; i++) if (!seen[ids[i]]) bad = bad " " ids[i] ":missing"
        if (n < 3) bad = bad " summary has " n " groups"
        if (bad == "") print "PASS single_file: final means and ratios are the summary'"'"'s (" rows " groups)"
        else print "FAIL single_file: final means and ratios are the summary'"'"'s:" bad
        printf "%.2f GiB\n", min > "/dev/stderr"
    }' "$work/rows" 2>"$work/min"
if grep -q "<p class=\"mrp-kpi-value\">$(cat "$work/min")</p>" "$post"; then
    pass "least-memory KPI is the summary's smallest final mean ($(cat "$work/min"))"
else
    fail "least-memory KPI" "no KPI value $(cat "$work/min")"
fi
if grep -q '<code>memreport build \. --single-file post\.html</code>' "$post" &&
    ! grep -q "$work" "$post"; then
    pass "how it was made, without the builder's paths"
else
    fail "how it was made" "$(grep -o '<code>memreport[^<]*' "$post")"
fi

# --- the same bytes again -------------------------------------------------
cp "$post" "$work/post.first"
"$MEMREPORT" build -q "$exp" --single-file "$post" 2>/dev/null
cmp -s "$post" "$work/post.first" && pass "same inputs, same bytes" || fail "same inputs, same bytes" "differs"

# --- --theme: light or dark for every reader, auto follows the reader -----
grep -q '<meta name="color-scheme" content="light dark">' "$post" &&
    [ "$(grep -c '@media (prefers-color-scheme: *dark)' "$post")" -ge 2 ] &&
    pass "default theme auto: the dark rules under prefers-color-scheme" ||
    fail "default theme auto" "no prefers-color-scheme block"
for t in light dark; do
    "$MEMREPORT" build -q "$exp" --theme "$t" --single-file "$work/blog/$t.html" 2>"$work/err"
    # Its colours: the site's forced-theme rules, keyed on the root's
    # data-theme (the browser check looks at the colours themselves).
    if ! grep -qi 'prefers-color-scheme' "$work/blog/$t.html" &&
        grep -q "<meta name=\"color-scheme\" content=\"$t\">" "$work/blog/$t.html" &&
        grep -q "^<article class=\"mrp\" data-theme=\"$t\"" "$work/blog/$t.html" &&
        grep -q "^\.mrp#mrp-post-report\[data-theme=$t\]{" "$work/blog/$t.html" &&
        grep -q -- "--theme $t --single-file $t.html</code>" "$work/blog/$t.html"; then
        pass "--theme $t: $t for every reader (data-theme on the block, no preference query)"
    else
        fail "--theme $t" "$(grep -o '^<article[^>]*>' "$work/blog/$t.html") $(head -c 200 "$work/err")"
    fi
done

# --- --groups: the post shows the chosen groups only ---------------------
"$MEMREPORT" build -q "$exp" --groups C,A --single-file "$work/blog/ca.html" 2>"$work/err"
rows=$(grep -o '<tr class="[^"]*" id="mrp-post-c-a-group-[^"]*"' "$work/blog/ca.html" | sed 's/.*mrp-post-c-a-group-//; s/"//' | tr '\n' ' ')
meanA=$(awk -F, '$1 == "A" { printf "%.2f", $4 }' "$work/summary.csv")
if [ "$rows" = "A C " ] || [ "$rows" = "C A " ] &&
    grep -q "<td class=\"mrp-num\"[^>]*>$meanA</td>" "$work/blog/ca.html" &&
    ! grep -q 'id="mrp-post-c-a-group-B"' "$work/blog/ca.html" &&
    ! grep -q '<text[^>]*>B[ <]' "$work/blog/ca.html"; then
    pass "--groups C,A: the groups table and charts show C and A only"
else
    fail "--groups C,A" "rows: $rows $(head -c 200 "$work/err")"
fi

# --- two reports in one post: ids apart, every reference in its own block -
"$MEMSIM" -o "$work/other" --seed 3 --relays 12 --days 3 --id other-fleet --name "Other" \
    --group "A:flat" --group "B:leak:rate=0.2" >/dev/null
"$MEMREPORT" build -q "$work/other" --single-file "$work/blog/other.html" 2>"$work/err" ||
    fail "a second experiment's FILE" "$(head -c 200 "$work/err")"
blk() { sed -n '/^<!-- memreport:begin -->$/,/^<!-- memreport:end -->$/p' "$1"; }
{
    printf '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Two</title></head>\n'
    printf '<body><main><h1>Two reports</h1>\n'
    blk "$post"
    blk "$work/blog/other.html"
    printf '</main></body></html>\n'
} >"$work/blog/two.html"
ids() { grep -o ' id="[^"]*"' "$1" | sed 's/^ id="//; s/"$//'; }
dup=$(ids "$work/blog/two.html" | sort | uniq -d | head -3)
n=$(ids "$work/blog/two.html" | wc -l)
[ -z "$dup" ] && [ "$n" -ge 60 ] && pass "two reports in one page: no id twice ($n ids)" ||
    fail "two reports in one page: no id twice" "$n ids, twice: $dup"
# Each block's links, labels and for= point into that block itself.
for f in "$post" "$work/blog/other.html"; do
    blk "$f" >"$work/b1"
    ids "$work/b1" | sort -u >"$work/b1.ids"
    { grep -o 'href="#[^"]*"' "$work/b1" | sed 's/href="#//; s/"$//'
      grep -o ' \(aria-labelledby\|aria-describedby\|aria-controls\|for\)="[^"]*"' "$work/b1" |
          sed 's/^[^"]*"//; s/"$//' | tr ' ' '\n'; } | grep -v '^$' | sort -u >"$work/b1.refs"
    out=$(comm -23 "$work/b1.refs" "$work/b1.ids" | head -3)
    [ -z "$out" ] && [ "$(wc -l <"$work/b1.refs")" -ge 20 ] &&
        pass "$(basename "$f"): its $(wc -l <"$work/b1.refs") references name ids of its own block" ||
        fail "$(basename "$f"): references name ids of its own block" "$out"
done
# Two views of one experiment (--groups, --until) beside the whole report:
# each view's ids carry what it shows.
until=$(awk -F, 'NR == 2 { print substr($1, 1, 10) }' "$exp/memory.csv")
"$MEMREPORT" build -q "$exp" --until "$until" --single-file "$work/blog/until.html" 2>"$work/err" ||
    fail "an --until view's FILE" "$(head -c 200 "$work/err")"
{
    blk "$post"
    blk "$work/blog/ca.html"
    blk "$work/blog/until.html"
} >"$work/blog/views.html"
dup=$(ids "$work/blog/views.html" | sort | uniq -d | head -3)
n=$(ids "$work/blog/views.html" | wc -l)
ustamp=$(printf '%s' "$until" | tr -d -)
[ -z "$dup" ] && [ "$n" -ge 90 ] && grep -q ' id="mrp-post-c-a-results"' "$work/blog/views.html" &&
    grep -q " id=\"mrp-post-until-${ustamp}2359-results\"" "$work/blog/views.html" &&
    pass "three views of one experiment in one page: no id twice ($n ids)" ||
    fail "views of one experiment in one page: no id twice" "$n ids, twice: $dup"
# ... and a heading and section names of its own (else a screen reader
# hears two alike landmarks).
grep -q '<h2 id="mrp-post-c-a-title">Post test: groups C and A</h2>' "$work/blog/ca.html" &&
    grep -q "<h2 id=\"mrp-post-until-${ustamp}2359-title\">Post test: to $until 23:59</h2>" "$work/blog/until.html" &&
    grep -q '<nav aria-label="Report sections: Post test: groups C and A">' "$work/blog/ca.html" &&
    grep -q '<h2 id="mrp-post-title">Post test</h2>' "$post" &&
    pass "a view's heading and landmarks say what it shows" ||
    fail "a view's heading says what it shows" "$(grep -o '<h2 id="[^"]*title">[^<]*' "$work/blog/ca.html" "$work/blog/until.html")"
# A baseline chosen by --baseline (B, where the manifest names A) is part
# of the view too: ids and heading say it, also when the second build
# reads its results back from the archive.
base=$(awk -F, '$5 == "1.000" { print $1 }' "$work/summary.csv")
"$MEMREPORT" build -q "$exp" --baseline B --single-file "$work/blog/vs-b.html" 2>"$work/err" ||
    fail "a --baseline view's FILE" "$(head -c 200 "$work/err")"
{
    blk "$post"
    blk "$work/blog/vs-b.html"
} >"$work/blog/vs.html"
dup=$(ids "$work/blog/vs.html" | sort | uniq -d | head -3)
n=$(ids "$work/blog/vs.html" | wc -l)
[ "$base" = A ] && [ -z "$dup" ] && [ "$n" -ge 60 ] &&
    grep -q ' id="mrp-post-vs-b-results"' "$work/blog/vs-b.html" &&
    pass "two blocks differing only by --baseline: no id twice ($n ids)" ||
    fail "two blocks differing only by --baseline: no id twice" "baseline $base, $n ids, twice: $dup"
"$MEMREPORT" build -q "$exp" --baseline B --single-file "$work/blog/vs-b2.html" 2>"$work/err"
grep -q '<h2 id="mrp-post-vs-b-title">Post test: compared with B</h2>' "$work/blog/vs-b.html" &&
    grep -q '<nav aria-label="Report sections: Post test: compared with B">' "$work/blog/vs-b.html" &&
    grep -q '<h2 id="mrp-post-vs-b-title">Post test: compared with B</h2>' "$work/blog/vs-b2.html" &&
    pass "a --baseline view's heading says it, read back from the archive too" ||
    fail "a --baseline view's heading says it" "$(grep -o '<h2 id="[^"]*title">[^<]*' "$work/blog/vs-b.html" "$work/blog/vs-b2.html")"
"$MEMREPORT" build -q "$exp" --groups C,A --until "$until" --baseline B \
    --single-file "$work/blog/all3.html" 2>"$work/err"
grep -q "<h2 id=\"mrp-post-c-a-until-${ustamp}2359-vs-b-title\">Post test: groups C and A, to $until 23:59, compared with B</h2>" "$work/blog/all3.html" &&
    pass "--groups, --until and --baseline together in ids and heading" ||
    fail "--groups, --until and --baseline together" "$(grep -o '<h2 id="[^"]*title">[^<]*' "$work/blog/all3.html") $(head -c 200 "$work/err")"
# --baseline naming the manifest's group is no view: the block is the
# plain report's, but for the command it tells.
"$MEMREPORT" build -q "$exp" --baseline A --single-file "$work/blog/vs-a.html" 2>"$work/err"
blk "$post" | grep -v '<code>memreport build ' >"$work/plain.blk"
blk "$work/blog/vs-a.html" | grep -v '<code>memreport build ' >"$work/vs-a.blk"
if cmp -s "$work/plain.blk" "$work/vs-a.blk" && ! grep -q -- '-vs-' "$post" &&
    grep -q -- '--baseline A --single-file vs-a.html</code>' "$work/blog/vs-a.html"; then
    pass "--baseline of the manifest's group: the plain block (no -vs- id)"
else
    fail "--baseline of the manifest's group" "$(diff "$work/plain.blk" "$work/vs-a.blk" | head -c 300)"
fi
# Another manifest baseline (B), and none (the default: A, the highest
# final mean): naming that group again is no view, naming another is.
for case in "B|A|baseline manifest B" "A|B|no baseline in the manifest"; do
    same=${case%%|*}; rest=${case#*|}; other=${rest%%|*}; what=${rest#*|}
    rm -rf "$work/mb"
    cp -R "$exp" "$work/mb"
    if [ "$same" = B ]; then
        sed 's/^  "baseline": "A",$/  "baseline": "B",/' "$exp/experiment.json" >"$work/mb/experiment.json"
    else
        grep -v '^  "baseline": ' "$exp/experiment.json" >"$work/mb/experiment.json"
    fi
    lo=$(printf '%s' "$other" | tr A-Z a-z)
    "$MEMREPORT" build -q "$work/mb" --baseline "$same" --single-file "$work/blog/mb-s.html" 2>"$work/err"
    "$MEMREPORT" build -q "$work/mb" --baseline "$other" --single-file "$work/blog/mb-o.html" 2>>"$work/err"
    grep -q '<h2 id="mrp-post-title">Post test</h2>' "$work/blog/mb-s.html" &&
        ! grep -q -- '-vs-' "$work/blog/mb-s.html" &&
        grep -q "<h2 id=\"mrp-post-vs-$lo-title\">Post test: compared with $other</h2>" "$work/blog/mb-o.html" &&
        pass "$what: --baseline $same is the plain block, --baseline $other a view" ||
        fail "$what: --baseline $same plain, $other a view" "$(grep -o '<h2 id="[^"]*title">[^<]*' "$work/blog/mb-s.html" "$work/blog/mb-o.html") $(head -c 200 "$work/err")"
done
ids "$work/blog/other.html" | grep -qv '^mrp-other-fleet-' &&
    fail "ids carry the experiment's slug" "$(ids "$work/blog/other.html" | grep -v '^mrp-other-fleet-' | head -2)" ||
    pass "ids carry the experiment's slug (mrp-other-fleet-...)"
# The charts' own labels too.
grep -q '<svg class="mrp-mr-chart"[^>]* aria-labelledby="mrp-other-fleet-memory_timeseries-title' "$work/blog/other.html" &&
    pass "chart labels carry the slug" || fail "chart labels carry the slug" "$(grep -o '<svg class="mrp-mr-chart"[^>]*' "$work/blog/other.html" | head -1)"

# --- bad FILE: refused, exit 1, nothing changed --------------------------
# The name changes, so a build that went through would change every output.
sed 's/"Post test"/"Renamed"/' "$exp/experiment.json" >"$work/m" && cat "$work/m" >"$exp/experiment.json"
snap() { cat "$exp/REPORT.md" "$exp/site/index.html" "$post" | cksum; }
before=$(snap)
mkdir "$work/blog/dir.html"
for case in "missing directory|$work/nope/post.html|does not exist" \
    "a directory|$work/blog/dir.html|directory" \
    "not an .html name|$work/blog/post.txt|ending in .html" \
    "the site's own page|$exp/site/index.html|writes that file already" \
    "the site's own page, spelt otherwise|$exp/./site/../site/index.html|writes that file already"; do
    what=${case%%|*}; rest=${case#*|}; file=${rest%%|*}; msg=${rest#*|}
    "$MEMREPORT" build -q "$exp" --single-file "$file" >"$work/out" 2>&1
    rc=$?
    if [ "$rc" = 1 ] && grep -q "^memreport: .*$msg" "$work/out" && [ "$(snap)" = "$before" ] &&
        [ ! -e "$work/blog/post.txt" ] && [ ! -e "$work/nope" ]; then
        pass "bad FILE ($what): exit 1, said so, outputs intact"
    else
        fail "bad FILE ($what)" "status $rc: $(head -c 200 "$work/out")"
    fi
done
"$MEMREPORT" build -q "$exp" --single-file >"$work/out" 2>&1
[ $? = 2 ] && pass "--single-file without FILE: usage error" || fail "--single-file without FILE" "$(head -2 "$work/out")"
# And the good build after them does change the outputs.
"$MEMREPORT" build -q "$exp" --single-file "$post" 2>/dev/null
grep -q '<h2 id="mrp-post-title">Renamed</h2>' "$post" && [ "$(snap)" != "$before" ] &&
    pass "then a good build updates FILE" || fail "then a good build updates FILE" "unchanged"
"$MEMREPORT" build --help | grep -q -- '--single-file FILE' && "$MEMREPORT" build --help |
    grep -q 'memreport:begin' && pass "build --help explains --single-file" ||
    fail "build --help explains --single-file" "missing"
