# chromium.sh - sourced by the browser checks: finds headless Chromium and
# runs it with the flags that keep it off the network.
# After sourcing: $chromium is empty when no browser is installed;
# chromium_run WORKDIR URL ARGS... loads URL with a fresh profile.
chromium=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then chromium=$c; break; fi
done

chromium_run() {
    cr_work=$1
    cr_url=$2
    shift 2
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$cr_work/profile.XXXXXX")" "$@" "$cr_url"
}
