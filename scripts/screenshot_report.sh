#!/bin/sh
# Renders a report.html in headless Chromium (Debian package `chromium`) to a PNG, without network.
# usage: scripts/screenshot_report.sh REPORT.html OUT.png [WIDTH [HEIGHT]]   (default 1200 x 2400)
# e.g.   textaudit audit data.csv --out out && scripts/screenshot_report.sh out/report.html shot.png
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]]" >&2
  exit 2
fi
html=$(realpath "$1")
out=$(realpath -m "$2")
width=${3:-1200}
height=${4:-2400}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "$0: $chromium not found; install the Debian package chromium (or set CHROMIUM)" >&2
  exit 1
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --window-size="$width,$height" --screenshot="$out" "file://$html" \
  >"$profile/log" 2>&1 || { cat "$profile/log" >&2; exit 1; }
[ -s "$out" ] || { echo "$0: no screenshot written" >&2; exit 1; }
echo "$out"
