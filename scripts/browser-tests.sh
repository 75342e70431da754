#!/usr/bin/env bash
# Browser end-to-end tests: playwright-core drives Debian's Chromium (/usr/bin/chromium, no
# browser download) against a real `tongban serve` on fresh demo data. Screenshots of every
# main page, at desktop (1280×800) and phone (390×844) width, go to artifacts/screenshots/.
# Usage: scripts/browser-tests.sh [path/to/tongban]   (run `npm ci` in tests/browser first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$root/target/debug/tongban}")"
dir="$(mktemp -d)"
log="$dir/serve.log"
cleanup() {
  if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

[ -x /usr/bin/chromium ] || { echo "browser tests need /usr/bin/chromium (apt-get install chromium)" >&2; exit 1; }
[ -d "$root/tests/browser/node_modules/playwright-core" ] || (cd "$root/tests/browser" && npm ci --no-audit --no-fund)

"$bin" demo --seed-only --data-dir "$dir" >/dev/null
# Every browser comes from 127.0.0.1: the per-address rates (tested in crates/server/tests/limits.rs) are off.
"$bin" serve --no-rate-limits --data-dir "$dir" --listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "serving on" "$log" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://[0-9.:]*' "$log" | head -1)"
[ -n "$base" ] || { echo "the server did not start:" >&2; cat "$log" >&2; exit 1; }
echo "server at $base"

shots="$root/artifacts/screenshots"
rm -rf "$shots"
mkdir -p "$shots"
cd "$root/tests/browser"
status=0
TONGBAN_URL="$base" SCREENSHOT_DIR="$shots" node --test --test-concurrency=1 ./*.test.mjs || status=$?
echo "screenshots: $(find "$shots" -name '*.png' | wc -l) in $shots"
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -40 "$log" >&2
fi
exit "$status"
