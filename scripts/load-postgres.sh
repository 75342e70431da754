#!/usr/bin/env bash
# A bounded `tongban bench load` against a PostgreSQL demo, the database meant for scale:
# fails on any 5xx, unexpected 4xx or lost write (bench load exits non-zero on them).
# Usage: scripts/load-postgres.sh [path/to/tongban] [clients] [seconds]
# PostgreSQL: $TONGBAN_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# a fresh database is created on it and dropped afterwards.
set -euo pipefail
bin="${1:-target/debug/tongban}"
clients="${2:-32}"
seconds="${3:-20}"
admin="${TONGBAN_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="tongban_load_$(date +%s)_$$"
url="${admin%/*}/$db"
log="$(mktemp)"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql "$admin" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT
psql "$admin" -v ON_ERROR_STOP=1 -qc "create database $db"
"$bin" demo --seed-only --database-url "$url" >/dev/null
# Every client comes from 127.0.0.1, so the public's per-address rates are off.
TONGBAN_LOG=warn "$bin" serve --no-rate-limits --database-url "$url" --listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "serving on" "$log" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://[0-9.:]*' "$log" | head -1)"
echo "server at $base on PostgreSQL ($db)"
"$bin" bench load --url "$base" --clients "$clients" --seconds "$seconds"
