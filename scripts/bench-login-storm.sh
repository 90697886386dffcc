#!/usr/bin/env bash
# Login storm: /health latency while 50 connections log in at once.
#
# Starts a release build of calndr on 127.0.0.1 (embedded store, and PostgreSQL + Redis when
# reachable), registers one account, then runs two wrk processes on loopback at the same time:
# 50 connections POSTing /api/v1/auth/token, and 4 connections GETting /health with latency
# percentiles. Bounded: every wrk run is 10-15 s and goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-18080}
ADDR=127.0.0.1:$PORT
DURATION=${BENCH_SECONDS:-10}
command -v wrk >/dev/null || { echo "installing wrk"; (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null; }
cargo build --release -q -p calndr-server --bin calndr
BIN=target/release/calndr
WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

EMAIL="bench@example.com"
PASSWORD='bench+pass&word1'   # sent the way the app sends it: + and & unencoded

start_server() { # $1 = label, rest = env assignments
  local label=$1; shift
  env -u CALNDR_DATABASE_URL -u CALNDR_REDIS_URL "$@" CALNDR_LISTEN_ADDR=$ADDR CALNDR_RATE_LIMITS=false \
    CALNDR_LOG_FORMAT=json RUST_LOG=warn CALNDR_UPLOAD_DIR="$WORK/uploads" "$BIN" serve >"$WORK/$label.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://$ADDR/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server did not start"; cat "$WORK/$label.log"; exit 1
}

stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

# wrk prints latencies as 812.00us, 3.72ms or 1.20s: convert to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); printf "%.2f", v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); printf "%.2f", v} else if (v ~ /s$/) {sub(/s$/,"",v); printf "%.0f", v*1000} else print v}'; }
p99_of() { awk '/ 99%/ {print $2}' "$1" | to_ms; }
p50_of() { awk '/ 50%/ {print $2}' "$1" | to_ms; }
rps_of() { awk '/Requests\/sec/ {print $2}' "$1"; }

cat >"$WORK/login.lua" <<LUA
wrk.method = "POST"
wrk.body = "username=bench%40example.com&password=$PASSWORD"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

run_case() { # $1 label, $2 hash scheme, rest = env
  local label=$1 scheme=$2; shift 2
  start_server "$label" CALNDR_PASSWORD_HASH="$scheme" "$@"
  curl -fs -X POST "http://$ADDR/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"first_name\":\"Bench\",\"last_name\":\"User\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" >/dev/null \
    || true  # already registered in a reused database
  curl -fs -X POST "http://$ADDR/api/v1/auth/token" --data-binary "username=bench%40example.com&password=$PASSWORD" >/dev/null
  timeout 30 wrk -t1 -c4 -d"${DURATION}s" --latency "http://$ADDR/health" >"$WORK/$label-idle.txt"
  timeout 40 wrk -t1 -c50 -d"$((DURATION + 4))s" -s "$WORK/login.lua" "http://$ADDR/api/v1/auth/token" >"$WORK/$label-logins.txt" &
  local storm=$!
  sleep 2
  timeout 30 wrk -t1 -c4 -d"${DURATION}s" --latency "http://$ADDR/health" >"$WORK/$label-storm.txt"
  wait "$storm"
  stop_server
  printf '| %s | %s | %s ms / %s ms | %s ms / %s ms | %s |\n' "$label" "$scheme" \
    "$(p50_of "$WORK/$label-idle.txt")" "$(p99_of "$WORK/$label-idle.txt")" \
    "$(p50_of "$WORK/$label-storm.txt")" "$(p99_of "$WORK/$label-storm.txt")" \
    "$(rps_of "$WORK/$label-logins.txt")"
  # Logins queue for the hashing permit; wrk counts those waiting over its 2 s timeout.
  grep -hE "Non-2xx" "$WORK/$label-storm.txt" && echo "  ^ /health errors in $label" || true
}

echo "| store | new-hash scheme | /health p50 / p99 idle | /health p50 / p99 during 50 logins | logins/s |"
echo "|---|---|---|---|---|"
run_case embedded bcrypt
run_case embedded argon2id
# The trade-off of the default (cores - 1 hashing permits): both cores hashing.
run_case embedded-2-permits bcrypt CALNDR_HASH_CONCURRENCY=2
if scripts/ensure-services.sh >/dev/null 2>&1; then
  DB=calndr_bench
  psql postgres://postgres@127.0.0.1:5432/postgres -qtAc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  psql postgres://postgres@127.0.0.1:5432/postgres -qtAc "CREATE DATABASE $DB" >/dev/null
  run_case postgres+redis bcrypt CALNDR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB CALNDR_REDIS_URL=redis://127.0.0.1:6379
  psql postgres://postgres@127.0.0.1:5432/postgres -qtAc "DROP DATABASE IF EXISTS $DB" >/dev/null
fi
