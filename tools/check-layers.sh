#!/bin/sh
# check-layers.sh [ROOT [BUILD]] - rejects an #include, or with BUILD a call,
# that points up the stage order.
#
# generator/ is one folder per stage; an include may name a header of its own
# folder or of a lower one:
#     base < model < ingest < analysis < archive | writers < publish < cli
# archive and writers never include each other. charts/ is a library of its
# own that rests on generator/base alone; writers, publish and cli may use it.
# Prints every offending include as FILE:LINE and exits 1 if there is one.
# With BUILD (a build directory holding lib/libSTAGE.a), it also rejects a
# stage library that uses a symbol defined by a stage it may not include: a
# static link in stage order catches such a call only when nothing else
# pulled the symbol in first.
root=${1:-.}
build=${2:-}
cd "$root" || exit 2

rank() {
    case $1 in
        base) echo 0 ;; charts) echo 1 ;; model) echo 2 ;; ingest) echo 3 ;;
        analysis) echo 4 ;; archive | writers) echo 5 ;; publish) echo 6 ;;
        cli) echo 7 ;; *) echo 99 ;;
    esac
}

# May a file in folder $1 include a header of folder $2?
allowed() {
    from=$1 to=$2
    [ "$from" = "$to" ] && return 0
    [ "$to" = base ] && return 0
    [ "$from" = charts ] && return 1
    if [ "$to" = charts ]; then
        case $from in writers | publish | cli) return 0 ;; *) return 1 ;; esac
    fi
    [ "$(rank "$to")" -lt "$(rank "$from")" ] || return 1
    case "$from/$to" in archive/writers | writers/archive) return 1 ;; esac
    return 0
}

# Where each project header lives: "name folder" lines.
index=$(mktemp)
trap 'rm -f "$index"' EXIT
for h in generator/*/*.h charts/*.h; do
    [ -f "$h" ] || continue
    d=$(dirname "$h")
    echo "$(basename "$h") $(basename "$d")"
done >"$index"

# A header name held by two folders would make an include ambiguous.
dups=$(cut -d' ' -f1 "$index" | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "layers: header names used in two folders: $dups"
    exit 1
fi

bad=0
stray=$(find generator -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' \))
if [ -n "$stray" ]; then
    echo "layers: sources outside a stage folder: $stray"
    bad=1
fi
for f in generator/*/*.c generator/*/*.h generator/*/*.cc charts/*.c charts/*.h; do
    [ -f "$f" ] || continue
    from=$(basename "$(dirname "$f")")
    if [ "$(rank "$from")" = 99 ]; then
        echo "layers: $f: folder '$from' is not a stage"
        bad=1
        continue
    fi
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
        sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' |
        while read -r line hdr; do
            to=$(awk -v h="$(basename "$hdr")" '$1 == h { print $2 }' "$index")
            if [ -z "$to" ]; then
                echo "$f:$line: includes \"$hdr\", which no stage folder holds"
                echo x
            elif ! allowed "$from" "$to"; then
                echo "$f:$line: $from includes \"$hdr\" from $to, which is not below it"
                echo x
            fi
        done
done >"$index.out"
if grep -qx x "$index.out"; then
    grep -vx x "$index.out"
    bad=1
fi
rm -f "$index.out"

if [ -n "$build" ]; then
    stages="base charts model ingest analysis archive writers publish"
    for s in $stages; do
        lib=$build/lib/lib$s.a
        if [ ! -f "$lib" ]; then
            echo "layers: $lib is missing (build first)"
            bad=1
            continue
        fi
        nm --defined-only "$lib" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[TDBR]$/ { print $3 }' |
            sort -u >"$index.def.$s"
        nm --undefined-only "$lib" 2>/dev/null | awk '$1 == "U" { print $2 }' |
            sort -u >"$index.und.$s"
    done
    for from in $stages; do
        [ -f "$index.und.$from" ] || continue
        for to in $stages; do
            [ -f "$index.def.$to" ] || continue
            allowed "$from" "$to" && continue
            for sym in $(comm -12 "$index.und.$from" "$index.def.$to"); do
                echo "layers: lib$from.a uses $sym from lib$to.a, which is not below it"
                bad=1
            done
        done
    done
    rm -f "$index".def.* "$index".und.*
fi
[ "$bad" -eq 0 ] && echo "layers: every include points down the stage order"
exit "$bad"
