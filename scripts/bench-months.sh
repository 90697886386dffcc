#!/usr/bin/env bash
# Month views under load: GET /api/v1/custody/{y}/{m}, GET /api/v1/events/{y}/{m}, and who has the
# children (GET /api/v1/custody/who?at=, issue #15).
#
# Builds the release binary, seeds a fresh database (calndr seed: 500 families, a year of custody
# and events), starts calndr on 127.0.0.1 with PostgreSQL and Redis, then runs wrk from a second
# process at 16 and 64 connections. Each request picks one of the 500 families' tokens and a
# random month, so the numbers are for a realistic spread of keys, not one hot key.
# Bounded: every wrk run is BENCH_SECONDS (default 10) long and targets 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-18081}
ADDR=127.0.0.1:$PORT
DURATION=${BENCH_SECONDS:-10}
FAMILIES=${BENCH_FAMILIES:-500}
YEAR=${BENCH_YEAR:-$(date +%Y)}
PG=${BENCH_PG_SERVER:-postgres://postgres@127.0.0.1:5432}
DB=calndr_bench_months
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}
SECRET=bench-secret-0123456789abcdefghijklmnopqrstuv

command -v wrk >/dev/null || { echo "installing wrk"; (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null; }
scripts/ensure-services.sh
cargo build --release -q -p calndr-server --bin calndr
BIN=target/release/calndr
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  psql "$PG/postgres" -qtAc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$PG/postgres" -qtAc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql "$PG/postgres" -qtAc "CREATE DATABASE $DB" >/dev/null
export CALNDR_DATABASE_URL="$PG/$DB" CALNDR_JWT_SECRET=$SECRET
start=$(date +%s)
RUST_LOG=warn "$BIN" seed --families "$FAMILIES" --year "$YEAR" --tokens-out "$WORK/tokens.txt"
echo "seeded $FAMILIES families in $(( $(date +%s) - start )) s"

# Flush only this benchmark's keys is not possible by prefix without SCAN; the families are new,
# so their keys cannot exist yet.
CALNDR_LISTEN_ADDR=$ADDR CALNDR_REDIS_URL=$REDIS CALNDR_RATE_LIMITS=false CALNDR_LOG_FORMAT=json \
  RUST_LOG=warn CALNDR_UPLOAD_DIR="$WORK/uploads" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://$ADDR/health" >/dev/null 2>&1 && break; sleep 0.1; done

cat >"$WORK/months.lua" <<LUA
-- Every (family token, month) request is formatted once up front, so wrk spends its share of the
-- two cores sending requests rather than building them in Lua.
-- (In init: wrk adds the Host header to wrk.headers only after the script is loaded.)
local requests = {}
init = function(args)
  local kind = os.getenv("BENCH_KIND") or "custody"
  for line in io.lines("$WORK/tokens.txt") do
    for m = 1, 12 do
      local path = string.format("/api/v1/%s/%d/%d", kind, $YEAR, m)
      if kind == "who" then
        -- Who has the children at a local time: a day of each month, at 08:30 or 18:30.
        path = string.format("/api/v1/custody/who?at=%d-%02d-%02dT%02d:30", $YEAR, m, 1 + (m * 7) % 28, 8 + (m % 2) * 10)
      end
      requests[#requests + 1] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. line })
    end
  end
  math.randomseed(os.time())
end
request = function()
  return requests[math.random(#requests)]
end
LUA

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); printf "%.2f", v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); printf "%.2f", v} else if (v ~ /s$/) {sub(/s$/,"",v); printf "%.0f", v*1000} else print v}'; }

# Bytes per answer: proves every request got a whole month, not a short error body.
kb_per_answer() { awk '/requests in/ {n=$1; v=$5; u=v; gsub(/[0-9.]/,"",u); sub(/[A-Za-z]+$/,"",v);
  m = (u=="GB") ? 1048576 : (u=="MB") ? 1024 : (u=="KB") ? 1 : 1/1024; printf "%.1f", v*m/n}'; }

first=$(head -1 "$WORK/tokens.txt")
for kind in custody events; do
  sample=$(curl -fs -H "Authorization: Bearer $first" "http://$ADDR/api/v1/$kind/$YEAR/3")
  echo "sample: GET /api/v1/$kind/$YEAR/3 answers ${#sample} bytes, $(grep -o '"id"' <<<"$sample" | wc -l) records"
done
sample=$(curl -fs -H "Authorization: Bearer $first" "http://$ADDR/api/v1/custody/who?at=$YEAR-03-10T18:30")
echo "sample: GET /api/v1/custody/who?at=$YEAR-03-10T18:30 answers ${#sample} bytes, custodian $(grep -c '"custodian_id":"' <<<"$sample")"
echo
echo "| route | connections | req/s | p50 ms | p99 ms | KB/answer | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for kind in custody events who; do
  # Warm the cache across every family and month once, then measure.
  BENCH_KIND=$kind timeout 20 wrk -t1 -c16 -d3s -s "$WORK/months.lua" "http://$ADDR" >/dev/null
  for c in 16 64; do
    BENCH_KIND=$kind timeout 40 wrk -t1 -c$c -d"${DURATION}s" --latency -s "$WORK/months.lua" "http://$ADDR" >"$WORK/$kind-$c.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$kind-$c.txt")
    p50=$(awk '/ 50%/ {print $2}' "$WORK/$kind-$c.txt" | to_ms)
    p99=$(awk '/ 99%/ {print $2}' "$WORK/$kind-$c.txt" | to_ms)
    bad=$(awk '/Non-2xx/ {print $5}' "$WORK/$kind-$c.txt")
    kb=$(kb_per_answer <"$WORK/$kind-$c.txt")
    route="GET /$kind/{y}/{m}"; [ "$kind" = who ] && route="GET /custody/who?at="
    echo "| $route | $c | $rps | $p50 | $p99 | $kb | ${bad:-0} |"
  done
done
curl -s "http://$ADDR/metrics" | grep -E '^calndr_cache_operations' || true
