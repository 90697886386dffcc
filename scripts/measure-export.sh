#!/usr/bin/env bash
# Peak memory of the server while it streams GET /api/v1/users/me/export (issue #14 item 3).
#
# For each case (years of custody, events): a fresh database, the release binary serving on
# PostgreSQL, one family of two parents seeded by SQL (custody for every day of the years, the
# events spread over them), then the export fetched with curl. Prints the body size, the time,
# and the server's peak RSS (VmHWM of /proc/<pid>/status) before and after the export. Cases:
# the issue's 10 years + 5,000 events, the same read by a slow client (curl --limit-rate), four
# exports at once, and a family 4x as large. Bounded: 127.0.0.1 only, a few seconds per case.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${MEASURE_PORT:-18091}
ADDR=127.0.0.1:$PORT
PG=${MEASURE_PG_SERVER:-postgres://postgres@127.0.0.1:5432}
DB=calndr_measure_export
SECRET=measure-secret-0123456789abcdefghijklmnopqrstu
BIN=${CARGO_TARGET_DIR:-target}/release/calndr

scripts/ensure-services.sh
cargo build --release -q -p calndr-server --bin calndr
WORK=$(mktemp -d)
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
}
cleanup() {
  stop_server
  psql "$PG/postgres" -qtAc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status"; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }

# case NAME YEARS EVENTS PARALLEL CURL_ARGS
run_case() {
  local name=$1 years=$2 events=$3 parallel=$4 curl_args=$5
  psql "$PG/postgres" -qtAc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  psql "$PG/postgres" -qtAc "CREATE DATABASE $DB" >/dev/null
  CALNDR_DATABASE_URL="$PG/$DB" CALNDR_JWT_SECRET=$SECRET CALNDR_LISTEN_ADDR=$ADDR \
    CALNDR_RATE_LIMITS=false CALNDR_WORKERS=2 RUST_LOG=warn CALNDR_UPLOAD_DIR="$WORK/uploads" \
    "$BIN" serve >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do curl -fs "http://$ADDR/health" >/dev/null 2>&1 && break; sleep 0.1; done
  local email="measure-$RANDOM-$RANDOM@example.com"
  local reg
  reg=$(curl -fs -H 'content-type: application/json' "http://$ADDR/api/v1/auth/register" \
    -d "{\"first_name\":\"Alice\",\"last_name\":\"Measure\",\"email\":\"$email\",\"password\":\"measure-pass-1\",\"phone_number\":null}")
  local token user family
  token=$(sed -E 's/.*"access_token":"([^"]+)".*/\1/' <<<"$reg")
  user=$(sed -E 's/.*"user_id":"([^"]+)".*/\1/' <<<"$reg")
  family=$(sed -E 's/.*"family_id":"([^"]+)".*/\1/' <<<"$reg")
  psql "$PG/$DB" -qtA -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO users (id, family_id, first_name, last_name, email, created_at)
  VALUES (gen_random_uuid(), '$family', 'Bob', 'Measure', 'bob-$email', now());
INSERT INTO custody (family_id, date, actor_id, custodian_id, handoff_day)
  SELECT '$family', d::date, '$user',
         CASE WHEN (d::date - DATE '2016-01-01') / 7 % 2 = 0 THEN '$user'::uuid
              ELSE (SELECT id FROM users WHERE first_name = 'Bob' AND family_id = '$family') END,
         EXTRACT(dow FROM d) = 1
  FROM generate_series(DATE '2016-01-01', DATE '2016-01-01' + ($years * 365 + $years / 4 - 1), INTERVAL '1 day') d;
INSERT INTO events (family_id, date, content, position, event_type)
  SELECT '$family', DATE '2016-01-01' + (n % ($years * 365)),
         'Event number ' || n || ' with a description of ordinary length', n % 4, 'regular'
  FROM generate_series(1, $events) n;
SQL
  local days
  days=$(psql "$PG/$DB" -qtAc "SELECT count(*) FROM custody")
  # Warm the process (pools, first request) so "before" is the steady state.
  curl -fs -H "Authorization: Bearer $token" "http://$ADDR/api/v1/users/profile" >/dev/null
  curl -fs -H "Authorization: Bearer $token" "http://$ADDR/api/v1/custody/2016/3" >/dev/null
  local before_hwm before_rss start end
  before_hwm=$(hwm); before_rss=$(rss)
  start=$(date +%s.%N)
  for i in $(seq 1 "$parallel"); do
    # shellcheck disable=SC2086
    curl -fsS $curl_args -H "Authorization: Bearer $token" -o "$WORK/export-$i.json" \
      "http://$ADDR/api/v1/users/me/export" &
  done
  wait $(jobs -p | grep -v "^$SERVER_PID\$") 2>/dev/null || true
  end=$(date +%s.%N)
  local after_hwm bytes
  after_hwm=$(hwm)
  bytes=$(stat -c %s "$WORK/export-1.json")
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('  complete:', len(d['custody']), 'custody days,', len(d['events']), 'events')" "$WORK/export-1.json"
  printf '%s: %s custody days, %s events, %s export(s) at once%s: %s bytes each in %.2f s; server RSS %s KiB before, peak %s KiB before, peak %s KiB after (+%s KiB)\n' \
    "$name" "$days" "$events" "$parallel" "${curl_args:+ ($curl_args)}" "$bytes" \
    "$(echo "$end - $start" | bc)" "$before_rss" "$before_hwm" "$after_hwm" "$((after_hwm - before_hwm))"
  stop_server
}

run_case "10 years" 10 5000 1 ""
run_case "10 years, slow client" 10 5000 1 "--limit-rate 400k"
run_case "10 years, 4 at once" 10 5000 4 ""
run_case "40 years" 40 20000 1 ""
