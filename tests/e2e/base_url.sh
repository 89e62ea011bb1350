#!/bin/sh
# base_url.sh - publishing conventions with --base-url: the URL checked
# (scheme, host, no spaces, quotes or control characters; a trailing
# slash added), a canonical link and og:url on every page, an absolute
# og:image, absolute links on 404.html, and the Atom feed.xml (checked by
# xmllint, its entries against the experiments: id = the page's canonical
# URL, updated = the last collection in UTC, summary = the page's
# description). Without --base-url none of these, and an old feed goes.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS base_url: $1"; }
fail() { echo "FAIL base_url: $1: $2"; }
meta() { grep -o "<meta $2 content=\"[^\"]*\">" "$1" | sed 's/.*content="//; s/">$//'; }
canon() { grep -o '<link rel="canonical" href="[^"]*">' "$1" | sed 's/.*href="//; s/">$//'; }

r=$work/root
mkdir -p "$r"
"$MEMSIM" -o "$r/one" --relays 6 --days 2 --seed 3 --id one --name "One & only" --group A:flat --group B:leak >/dev/null &&
"$MEMSIM" -o "$r/two" --relays 6 --days 3 --seed 4 --id two --name "Two" --group A:flat --group C:leak >/dev/null ||
    { fail "memsim" "could not make the experiments"; exit 0; }
# One experiment in another timezone: its feed date is still UTC.
sed -i 's/"timezone": "+00:00"/"timezone": "-08:00"/' "$r/two/experiment.json"
grep -q '"timezone": "-08:00"' "$r/two/experiment.json" || fail "fixture" "no timezone to change"

# The URL is checked before anything is read.
nbad=0
for bad in 'ftp://example.org/' 'example.org/site' 'https://' 'https:///path' 'https://exa mple.org/' \
    'https://example.org/a b' 'https://example.org/"x' "https://example.org/'x" 'https://example.org/?q=1' \
    'https://example.org/#top' "https://example.org/$(printf '\001')" 'https://example.org:http/'; do
    "$MEMREPORT" site -q --no-save "$r" -o "$work/s-bad" --base-url "$bad" 2>"$work/err"
    rc=$?
    if [ $rc -eq 2 ] && grep -q '^memreport: --base-url ' "$work/err" && [ ! -e "$work/s-bad" ]; then
        nbad=$((nbad + 1))
    else
        fail "refused: $bad" "exit $rc: $(head -1 "$work/err")"
    fi
done
[ "$nbad" -eq 12 ] && pass "12 malformed base URLs refused (exit 2, nothing written)" ||
    fail "malformed base URLs refused" "$nbad of 12"

base=https://relays.example.org/memory
s=$work/site
"$MEMREPORT" site -q --no-save "$r" -o "$s" --base-url "$base" 2>"$work/err" || { fail "site" "$(head -2 "$work/err")"; exit 0; }
[ "$(canon "$s/index.html")" = "$base/" ] && [ "$(meta "$s/index.html" 'property="og:url"')" = "$base/" ] &&
    pass "index: canonical and og:url, slash added" || fail "index: canonical" "$(canon "$s/index.html")"
[ "$(canon "$s/compare.html")" = "$base/compare.html" ] && pass "compare: canonical" || fail "compare: canonical" "$(canon "$s/compare.html")"
for e in one two; do
    p=$s/$e/index.html
    [ "$(canon "$p")" = "$base/$e/" ] && [ "$(meta "$p" 'property="og:url"')" = "$base/$e/" ] &&
        pass "$e: canonical and og:url" || fail "$e: canonical" "$(canon "$p")"
    img=$(meta "$p" 'property="og:image"')
    [ "$img" = "$base/$e/charts/memory_timeseries.png" ] && [ -s "$s/${img#"$base"/}" ] &&
        pass "$e: og:image absolute, the file is there" || fail "$e: og:image" "$img"
done
for p in "$s/index.html" "$s/compare.html" "$s/one/index.html"; do
    grep -q "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"[^\"]*\" href=\"$base/feed.xml\">" "$p" ||
        fail "feed linked from ${p#"$s"/}" "no alternate link"
done
pass "feed linked from index, compare and the pages"
nf=$s/404.html
grep -q "<link rel=\"stylesheet\" href=\"$base/assets/style.css\">" "$nf" && grep -q "<a href=\"$base/index.html\">" "$nf" &&
    grep -q "<a href=\"$base/compare.html\">" "$nf" && ! grep -q '<link rel="canonical"' "$nf" &&
    pass "404: absolute links, no canonical" || fail "404: absolute links" "$(grep -o '<link rel="stylesheet"[^>]*>' "$nf")"

f=$s/feed.xml
[ -s "$f" ] || { fail "feed.xml written" "missing"; exit 0; }
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$f" 2>"$work/xerr" && pass "feed.xml: well-formed (xmllint)" || fail "feed.xml: xmllint" "$(head -3 "$work/xerr")"
    [ "$(xmllint --xpath 'namespace-uri(/*)' "$f")" = http://www.w3.org/2005/Atom ] && pass "feed.xml: an Atom feed" ||
        fail "feed.xml: an Atom feed" "$(xmllint --xpath 'namespace-uri(/*)' "$f")"
else
    echo "SKIP base_url: xmllint is not installed (libxml2-utils, make deps-test)"
fi
# Entries against the experiments, read independently of memreport.
[ "$(grep -c '<entry>' "$f")" -eq 2 ] && pass "feed: one entry per experiment" || fail "feed: entries" "$(grep -c '<entry>' "$f")"
last_utc() { # the experiment's last timestamp in memory.csv, its tz applied, in UTC
    t=$(tail -n 1 "$1/memory.csv" | cut -d, -f1)
    tz=$(grep -o '"timezone": "[^"]*"' "$1/experiment.json" | sed 's/.*: "//; s/"$//')
    date -u -d "$t$tz" +%Y-%m-%dT%H:%M:%SZ
}
entry() { # id: that entry's block on one line
    awk -v id="<id>$1</id>" 'BEGIN { RS = "</entry>" } index($0, id) { gsub(/\n/, ""); print }' "$f"
}
newest=
for e in one two; do
    want_t=$(last_utc "$r/$e")
    blk=$(entry "$base/$e/")
    echo "$blk" | grep -q "<updated>$want_t</updated>" && pass "feed $e: updated = last collection in UTC ($want_t)" ||
        fail "feed $e: updated" "want $want_t in $blk"
    echo "$blk" | grep -q "<link rel=\"alternate\" type=\"text/html\" href=\"$base/$e/\"/>" &&
        pass "feed $e: links its page" || fail "feed $e: link" "$blk"
    d=$(meta "$s/$e/index.html" 'name="description"')
    [ -n "$d" ] && echo "$blk" | grep -qF "<summary>$d</summary>" && pass "feed $e: summary = the page's description" ||
        fail "feed $e: summary" "want $d in $blk"
    [ "$want_t" \> "$newest" ] && newest=$want_t
done
entry "$base/one/" | grep -q '<title>One &amp; only</title>' && pass "feed: titles escaped" || fail "feed: titles escaped" "$(entry "$base/one/")"
feed_updated=$(sed -n '/<entry>/q; s|^<updated>\(.*\)</updated>$|\1|p' "$f")
[ "$feed_updated" = "$newest" ] && pass "feed: updated = the latest entry" || fail "feed: updated" "$feed_updated, want $newest"
grep -q "<id>$base/</id>" "$f" && grep -q "<link rel=\"self\" type=\"application/atom+xml\" href=\"$base/feed.xml\"/>" "$f" &&
    pass "feed: id and self link" || fail "feed: id and self link" "$(head -8 "$f")"

# Without --base-url: nothing absolute, and the feed of the last run goes.
"$MEMREPORT" site -q --no-save "$r" -o "$s" 2>"$work/err" || fail "site without --base-url" "$(head -2 "$work/err")"
[ ! -e "$s/feed.xml" ] && ! grep -q 'rel="canonical"\|og:url\|application/atom+xml\|https://relays' "$s/index.html" "$s/one/index.html" "$s/404.html" &&
    [ "$(meta "$s/one/index.html" 'property="og:image"')" = charts/memory_timeseries.png ] &&
    pass "no --base-url: no canonical, no feed (old one removed), relative og:image" || fail "no --base-url" "$(ls "$s")"

# build's lone site: its own 404.html, and the same conventions.
x=$r/one
"$MEMREPORT" build -q "$x" --base-url "$base/one" 2>"$work/err" || { fail "build --base-url" "$(head -2 "$work/err")"; exit 0; }
[ "$(canon "$x/site/index.html")" = "$base/one/" ] && [ "$(meta "$x/site/index.html" 'property="og:image"')" = "$base/one/charts/memory_timeseries.png" ] &&
    pass "build: canonical and absolute og:image" || fail "build: canonical" "$(canon "$x/site/index.html")"
[ "$(grep -c '<entry>' "$x/site/feed.xml")" -eq 1 ] && grep -q "<id>$base/one/</id>" "$x/site/feed.xml" &&
    pass "build: feed.xml with its one experiment" || fail "build: feed.xml" "$(cat "$x/site/feed.xml" | head -3)"
grep -q 'memreport build \. --base-url https://relays.example.org/memory/one/' "$x/site/index.html" &&
    pass "build: --base-url in the regenerate command" || fail "build: regenerate command" "$(grep -o 'memreport build[^<]*' "$x/site/index.html")"
grep -q "<a href=\"$base/one/index.html\">the experiment&#39;s report</a>" "$x/site/404.html" &&
    grep -q "href=\"$base/one/assets/style.css\"" "$x/site/404.html" && pass "build: 404.html leads back to the report" ||
    fail "build: 404.html" "$(grep -o '<li><a[^<]*' "$x/site/404.html")"
"$MEMREPORT" build -q "$x" 2>"$work/err"
[ ! -e "$x/site/feed.xml" ] && grep -q '<a href="index.html">the experiment&#39;s report</a>' "$x/site/404.html" &&
    grep -q 'href="assets/style.css"' "$x/site/404.html" && grep -q '<meta name="robots" content="noindex">' "$x/site/404.html" &&
    pass "build without --base-url: relative 404.html, feed removed" || fail "build without --base-url" "$(ls "$x/site")"
"$MEMREPORT" build -q --theme dark "$x" 2>"$work/err"
grep -q '<html lang="en" data-theme="dark">' "$x/site/404.html" && grep -q '<meta name="color-scheme" content="dark">' "$x/site/404.html" &&
    pass "build --theme dark: 404.html in the page's theme" || fail "build --theme dark: 404.html" "$(head -8 "$x/site/404.html" | grep -i 'theme\|scheme')"
