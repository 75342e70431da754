#!/usr/bin/env bash
# Property-based API testing: schemathesis drives a real `tongban serve` (demo data) from
# its own OpenAPI document. Fails on any 5xx or any response the document does not allow.
# Usage: scripts/schemathesis.sh [path/to/tongban] [max examples per operation]
set -euo pipefail
bin="${1:-target/debug/tongban}"
examples="${2:-25}"
dir="$(mktemp -d)"
log="$dir/serve.log"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

"$bin" demo --seed-only --data-dir "$dir" >/dev/null
"$bin" serve --data-dir "$dir" --listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "serving on" "$log" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://[0-9.:]*' "$log" | head -1)"
echo "server at $base"

# An applicant's bearer token, so authenticated operations are exercised too.
jar="$dir/cookies"
csrf="$(curl -fsS -c "$jar" -H 'content-type: application/json' \
  -d '{"login":"applicant","password":"tongban-demo-2026"}' "$base/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')"
token="$(curl -fsS -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"schemathesis","days":1}' "$base/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

st run "$base/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "$examples" \
  --header "Authorization: Bearer $token" \
  --exclude-method DELETE \
  --seed 1 \
  --workers 1
