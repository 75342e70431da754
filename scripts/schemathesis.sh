#!/usr/bin/env bash
# Property-based API testing: schemathesis drives a real `tongban serve` (demo data) from
# its own OpenAPI document, in every phase (examples, coverage, fuzzing, stateful), with
# the bearer token of an applicant, a window clerk and an administrator in turn, on SQLite
# and on PostgreSQL. Fails on any 5xx or any response the document does not allow.
# Usage: scripts/schemathesis.sh [path/to/tongban] [max examples per operation] [backends]
#   backends: "sqlite postgres" (default) or either alone.
# PostgreSQL: $TONGBAN_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# a fresh database is created on it and dropped afterwards.
set -euo pipefail
bin="${1:-target/debug/tongban}"
examples="${2:-25}"
backends="${3:-sqlite postgres}"
admin_url="${TONGBAN_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
dir="$(mktemp -d)"
db=""
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$db" ] && psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

# A bearer token (read and write) of demo account $1.
token_of() {
  local jar="$dir/cookies.$1" csrf
  csrf="$(curl -fsS -c "$jar" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"tongban-demo-2026\"}" "$base/api/v1/session" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')"
  curl -fsS -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"schemathesis","days":1,"scopes":["read","write"]}' "$base/api/v1/tokens" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

for backend in $backends; do
  case "$backend" in
    sqlite) target=(--data-dir "$dir/sqlite") ;;
    postgres)
      db="tongban_st_$(date +%s)_$$"
      psql "$admin_url" -v ON_ERROR_STOP=1 -qc "create database $db"
      target=(--database-url "${admin_url%/*}/$db")
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  "$bin" demo --seed-only "${target[@]}" >/dev/null
  # Every request comes from 127.0.0.1: the public's per-address rates would answer 429s
  # the fuzzer cannot tell from failures.
  "$bin" serve --no-rate-limits "${target[@]}" --listen 127.0.0.1:0 >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do grep -q "serving on" "$dir/serve.log" 2>/dev/null && break; sleep 0.1; done
  base="$(grep -o 'http://[0-9.:]*' "$dir/serve.log" | head -1)"
  echo "server at $base on $backend"
  for who in applicant fgw.clerk admin; do
    echo "== schemathesis on $backend as $who"
    st run "$base/api/v1/openapi.json" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
      --max-examples "$examples" \
      --header "Authorization: Bearer $(token_of "$who")" \
      --exclude-method DELETE \
      --seed 1 \
      --workers 1
  done
  kill "$pid" && wait "$pid" 2>/dev/null || true
  pid=""
done
