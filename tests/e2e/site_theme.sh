#!/bin/sh
# site_theme.sh - the operators' own look: a site-theme/ folder (or
# --site-theme DIR) whose header.html and footer.html appear on every page
# of build's lone site and of a site (index, compare, experiment pages,
# 404), whose style.css is linked after memreport's and copied byte for
# byte with the folder's other files into assets/theme/; the CSP stays the
# same; a fragment that needs a looser policy is refused with FILE:LINE.
: "${MEMREPORT:?}" "${MEMSIM:?}" "${TOP:?}"
export MEMREPORT_DATA_DIR="$TOP"
export SOURCE_DATE_EPOCH=1767225600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { echo "PASS site_theme: $1"; }
fail() { echo "FAIL site_theme: $1: $2"; }
csp() { grep -o 'http-equiv="Content-Security-Policy" content="[^"]*"' "$1"; }

mkdir -p "$work/root"
x=$work/root/exp
"$MEMSIM" -o "$x" --relays 6 --days 2 --seed 3 --group A:flat --group B:leak >/dev/null ||
    { fail "memsim" "could not make the experiment"; exit 0; }
# Without a theme first: the policy every page must keep.
"$MEMREPORT" build -q "$x" 2>"$work/err" || { fail "build" "$(head -2 "$work/err")"; exit 0; }
csp "$x/site/index.html" >"$work/csp-plain"
csp "$x/site/404.html" >"$work/csp404-plain"
grep -q 'theme' "$x/site/index.html" && fail "no theme: nothing linked" "a theme is named" ||
    pass "no theme: nothing linked"

t=$x/site-theme
mkdir -p "$t/img"
cat >"$t/header.html" <<'HTML'
<nav class="op-nav" aria-label="Operators">
<a href="index.html"><img src="assets/theme/img/logo.svg" alt="" width="20" height="20"> OPERATORS-HEADER</a>
<a href="https://example.org/blog/">Blog</a> <a href="#main">Report</a>
</nav>
HTML
cat >"$t/footer.html" <<'HTML'
<!-- the operators' footer -->
<aside class="op-foot" aria-label="About the operators"><p>OPERATORS-FOOTER</p></aside>
HTML
printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><circle cx="10" cy="10" r="9" fill="#c0392b"/></svg>\n' >"$t/img/logo.svg"
cat >"$t/style.css" <<'CSS'
.op-nav { background: #20232a url(img/logo.svg) no-repeat right 8px center / 16px; padding: .5rem 1rem; }
.op-nav a { color: #ffd866; }
.op-foot { border-top: 4px solid rgb(192, 57, 43); }
CSS
"$MEMREPORT" build -q "$x" 2>"$work/err" || { fail "build with site-theme/" "$(head -2 "$work/err")"; exit 0; }
for f in index.html 404.html; do
    p=$x/site/$f
    grep -q 'OPERATORS-HEADER' "$p" && grep -q 'OPERATORS-FOOTER' "$p" && pass "build $f: header and footer" ||
        fail "build $f: header and footer" "missing"
    # Ours first, then the theme's, so the theme can override.
    links=$(grep -o '<link rel="stylesheet" href="[^"]*">' "$p" | tr '\n' ' ')
    [ "$links" = '<link rel="stylesheet" href="assets/style.css"> <link rel="stylesheet" href="assets/theme/style.css"> ' ] &&
        pass "build $f: theme stylesheet linked after ours" || fail "build $f: stylesheets" "$links"
done
[ "$(csp "$x/site/index.html")" = "$(cat "$work/csp-plain")" ] && [ "$(csp "$x/site/404.html")" = "$(cat "$work/csp404-plain")" ] &&
    pass "build: CSP unchanged by the theme" || fail "build: CSP unchanged" "$(csp "$x/site/index.html")"
cmp -s "$t/style.css" "$x/site/assets/theme/style.css" && cmp -s "$t/img/logo.svg" "$x/site/assets/theme/img/logo.svg" &&
    pass "build: style.css and the image copied byte for byte" || fail "build: theme files copied" "$(ls -R "$x/site/assets")"
[ ! -e "$x/site/assets/theme/header.html" ] && pass "build: fragments are not copied as files" ||
    fail "build: fragments are not copied as files" "header.html in assets/theme"
body=$(sed -n '/<body>/,/<\/body>/p' "$x/site/index.html")
echo "$body" | head -3 | grep -q 'class="skip"' && echo "$body" | sed -n 2,3p | grep -q 'op-nav' &&
    pass "build: header right after the skip link" || fail "build: header position" "$(echo "$body" | head -3)"
[ "$(echo "$body" | tail -2 | head -1)" = '<aside class="op-foot" aria-label="About the operators"><p>OPERATORS-FOOTER</p></aside>' ] &&
    pass "build: footer last in the body" || fail "build: footer position" "$(echo "$body" | tail -2)"
grep -q 'memreport build \.' "$x/site/index.html" && ! grep -q 'site-theme' "$x/site/index.html" &&
    pass "build: no builder's path for the theme" || fail "build: builder's path" "$(grep -o 'memreport build[^<]*' "$x/site/index.html")"

# A site: the theme folder beside the experiments, on every page, its
# relative links adjusted to each page's depth.
mv "$t" "$work/root/site-theme"
cp -r "$TOP/data/example" "$work/root/example"
rm -rf "$work/root/example/site" "$work/root/example/results.sqlite" "$x/site"
s=$work/site
"$MEMREPORT" site -q --no-save "$work/root" -o "$s" 2>"$work/err" || { fail "site" "$(head -2 "$work/err")"; exit 0; }
n=0
for p in "$s/index.html" "$s/compare.html" "$s/404.html" "$s"/*/index.html; do
    n=$((n + 1))
    case $p in "$s"/*/index.html) up=../ ;; *) up= ;; esac
    name=${p#"$s"/}
    grep -q 'OPERATORS-HEADER' "$p" && grep -q 'OPERATORS-FOOTER' "$p" &&
        grep -q "<link rel=\"stylesheet\" href=\"${up}assets/theme/style.css\">" "$p" &&
        grep -q "<a href=\"${up}index.html\"><img src=\"${up}assets/theme/img/logo.svg\"" "$p" &&
        grep -q '<a href="https://example.org/blog/">Blog</a> <a href="#main">' "$p" &&
        pass "site $name: theme, links adjusted for its folder" || fail "site $name: theme" "$(grep -n 'op-nav' -A2 "$p" | head -3)"
done
[ $n -eq 5 ] && pass "site: 5 pages checked" || fail "site: 5 pages checked" "$n"
cmp -s "$work/root/site-theme/style.css" "$s/assets/theme/style.css" && pass "site: style.css copied byte for byte" ||
    fail "site: style.css copied" "differs"

# --site-theme DIR wins; an empty DIR is fine (nothing added); a missing
# one is an error, and so are two site-theme/ folders.
mkdir -p "$work/empty-theme"
"$MEMREPORT" site -q --no-save --site-theme "$work/empty-theme" "$work/root" -o "$s" 2>"$work/err" &&
    ! grep -q 'OPERATORS-HEADER\|assets/theme' "$s/index.html" "$s/compare.html" &&
    [ ! -e "$s/assets/theme/style.css" ] && [ ! -e "$s/assets/theme/img/logo.svg" ] &&
    pass "--site-theme empty DIR: no theme, old theme files removed" ||
    fail "--site-theme empty DIR" "$(head -2 "$work/err"; ls -R "$s/assets")"
cp "$s/index.html" "$work/index-before"
"$MEMREPORT" site -q --no-save --site-theme "$work/nothing" "$work/root" -o "$s" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "memreport: $work/nothing: cannot open the site theme" "$work/err" &&
    pass "--site-theme missing DIR: exit 1, says so" || fail "--site-theme missing DIR" "exit $rc: $(head -1 "$work/err")"
mkdir -p "$work/root2/site-theme"
"$MEMREPORT" site -q --no-save "$work/root" "$work/root2" -o "$s" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'two site themes; choose one with --site-theme' "$work/err" &&
    pass "two site-theme/ folders: exit 1" || fail "two site-theme/ folders" "exit $rc: $(head -1 "$work/err")"

# Refused: what the strict policy would block, with FILE:LINE; nothing
# of the site changes.
bad=$work/bad-theme
mkdir -p "$bad"
printf '<nav aria-label="x">\n<a href="index.html" onclick="go()">Home</a>\n<p style="color: red">x</p>\n<script>alert(1)</script>\n</nav>\n' >"$bad/header.html"
"$MEMREPORT" site -q --no-save --site-theme "$bad" "$work/root" -o "$s" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "^memreport: $bad/header.html:2: the event handler onclick= is not allowed" "$work/err" &&
    grep -q "^memreport: $bad/header.html:3: the style attribute is not allowed" "$work/err" &&
    grep -q "^memreport: $bad/header.html:4: <script> is not allowed in a theme fragment" "$work/err" &&
    [ "$(wc -l <"$work/err")" -eq 3 ] &&
    pass "refused fragment: exit 1, each problem with FILE:LINE" || fail "refused fragment" "exit $rc: $(cat "$work/err")"
cmp -s "$s/index.html" "$work/index-before" && pass "refused fragment: the site is unchanged" ||
    fail "refused fragment: the site is unchanged" "index.html changed"
printf '<a href=" javascript:alert(1)">x</a>\n' >"$bad/header.html"
"$MEMREPORT" build -q --site-theme "$bad" "$x" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "header.html:1: a javascript: URL in href= is not allowed" "$work/err" &&
    pass "build: javascript: URL refused" || fail "build: javascript: URL refused" "exit $rc: $(head -1 "$work/err")"
ln -s "$work/root/site-theme/style.css" "$bad/style.css" 2>/dev/null && rm "$bad/header.html" &&
    "$MEMREPORT" build -q --site-theme "$bad" "$x" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && grep -q "style.css: is a symbolic link" "$work/err" && pass "build: a symbolic link in the theme is refused" ||
    fail "build: symbolic link refused" "exit $rc: $(head -1 "$work/err")"
