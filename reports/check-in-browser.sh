#!/usr/bin/env bash
# Checks in a real browser that an Allure report renders: serves the multi-file report on
# 127.0.0.1 (it fetches its data files, which browsers may refuse on file://), screenshots the
# overview with headless Chromium and checks the rendered page has the overview's widgets and
# categories.
#
#   reports/check-in-browser.sh [REPORT_DIR] [OUT_PNG]
#
# Defaults: reports/out/html and reports/out/overview.png. Installs Debian's chromium when it is
# missing (needs root). Exit status 0 only when the screenshot exists and the overview rendered.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
report_dir=${1:-$repo/reports/out/html}
out_png=${2:-$repo/reports/out/overview.png}
render_ms=15000          # virtual time for the page's scripts and data fetches
min_png_bytes=10000      # a blank 1600x1400 page compresses to a few KB

die() { echo "check-in-browser: $*" >&2; exit 1; }

[[ $# -le 2 ]] || die "usage: $0 [REPORT_DIR] [OUT_PNG]"
[[ -f $report_dir/index.html ]] \
    || die "no report at $report_dir/index.html (generate one first: bin/msrconf run writes reports/out/html)"
[[ -f $report_dir/widgets/summary.json ]] \
    || die "$report_dir is not a multi-file Allure report (the single-file report needs no server; open it directly)"
command -v python3 >/dev/null || die "python3 is needed to serve the report"

if ! command -v chromium >/dev/null; then
    [[ $(id -u) -eq 0 ]] || die "chromium is missing; as root run: apt-get update && apt-get install -y chromium"
    echo "check-in-browser: installing chromium" >&2
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# port 0: the server picks a free port and prints it, so no other process can take it in between
python3 -u -m http.server --bind 127.0.0.1 --directory "$report_dir" 0 >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^Serving HTTP on .* port \([0-9][0-9]*\).*/\1/p' "$work/server.log")
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || die "the HTTP server did not start: $(cat "$work/server.log")"
    sleep 0.1
done
[[ -n $port ]] || die "the HTTP server did not report its port: $(cat "$work/server.log")"
url="http://127.0.0.1:$port/"

# Root on this machine needs --no-sandbox; the network is closed, so nothing may phone home.
chromium_run() {
    local profile
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --window-size=1600,1400 --hide-scrollbars \
        --virtual-time-budget="$render_ms" "$@" 2>>"$work/chromium.log"
}

mkdir -p "$(dirname "$out_png")"
rm -f "$out_png"
chromium_run --screenshot="$out_png" "$url" >/dev/null \
    || die "chromium failed to take the screenshot; its log: $(tail -20 "$work/chromium.log")"
[[ -f $out_png ]] || die "chromium wrote no screenshot to $out_png; its log: $(tail -20 "$work/chromium.log")"
png_bytes=$(stat -c %s "$out_png")
(( png_bytes > min_png_bytes )) \
    || die "$out_png is only $png_bytes bytes: the page is probably blank (look at it)"

chromium_run --dump-dom "$url" >"$work/dom.html" \
    || die "chromium failed to dump the page; its log: $(tail -20 "$work/chromium.log")"
# Only the rendered overview has widget islands; the side menu also says "Categories", so look
# for the categories widget itself and for every category name the report's data lists.
grep -q 'class="widgets-grid"' "$work/dom.html" \
    || die "the page at $url did not render Allure's overview (no widgets grid; see $out_png)"
grep -q 'class="widget island" data-id="categories"' "$work/dom.html" \
    || die "the overview at $url has no Categories widget (see $out_png)"
python3 - "$report_dir/widgets/categories.json" "$work/dom.html" <<'EOF' \
    || die "the Categories widget does not show the report's categories (see $out_png)"
import html, json, sys
items = json.load(open(sys.argv[1], encoding="utf-8")).get("items", [])
dom = open(sys.argv[2], encoding="utf-8").read()
missing = [i["name"] for i in items if html.escape(i["name"], quote=False) not in dom]
for name in missing:
    print("check-in-browser: category not rendered:", name, file=sys.stderr)
sys.exit(1 if missing else 0)
EOF

echo "check-in-browser: the overview rendered with its Categories widget; screenshot: $out_png ($png_bytes bytes)"
