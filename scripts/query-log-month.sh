#!/usr/bin/env bash
# Query log of one cold custody month read: which statements one GET /custody/{y}/{m} sends to
# PostgreSQL when Redis holds nothing for the family (log_statement=all on a private database,
# read back from the server's log file; PG_LOG overrides where that is). Issue #10 evidence.
# `UPDATE jobs` lines are the in-process worker's poll, not the request.
set -euo pipefail
cd "$(dirname "$0")/.."
PG=postgres://postgres@127.0.0.1:5432; DB=calndr_qlog; W=/tmp/qlog; LOG=${PG_LOG:-$(ls /var/log/postgresql/postgresql-*-main.log | head -1)}
BIN=${BIN:-./target/debug/calndr}
[ -x "$BIN" ] || cargo build -q -p calndr-server --bin calndr
rm -rf $W; mkdir -p $W
psql $PG/postgres -qtAc "DROP DATABASE IF EXISTS $DB" 2>/dev/null; psql $PG/postgres -qtAc "CREATE DATABASE $DB"
export CALNDR_DATABASE_URL=$PG/$DB CALNDR_JWT_SECRET=bench-secret-0123456789abcdefghijklmnopqrstuv
RUST_LOG=warn "$BIN" seed --families 3 --year 2026 --tokens-out $W/tokens.txt
psql $PG/postgres -qtAc "ALTER DATABASE $DB SET log_statement='all'"
CALNDR_LISTEN_ADDR=127.0.0.1:18099 CALNDR_REDIS_URL=redis://127.0.0.1:6379 CALNDR_RATE_LIMITS=false RUST_LOG=warn CALNDR_UPLOAD_DIR=$W/up "$BIN" serve > $W/server.log 2>&1 &
PID=$!; trap 'kill $PID 2>/dev/null; wait 2>/dev/null; psql $PG/postgres -qtAc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:18099/health >/dev/null 2>&1 && break; sleep 0.2; done
T=$(head -1 $W/tokens.txt)
# warm the principal (token -> user/family) so the month read is what we look at
curl -s -o /dev/null -w "warm-up /users/me: %{http_code}\n" -H "Authorization: Bearer $T" http://127.0.0.1:18099/api/v1/users/me
sleep 0.5
s=$(wc -l < $LOG)
curl -s -o $W/m1.json -w "cold GET /custody/2026/3: %{http_code} %{size_download} bytes\n" -H "Authorization: Bearer $T" http://127.0.0.1:18099/api/v1/custody/2026/3
sleep 0.5; m=$(wc -l < $LOG)
curl -s -o $W/m2.json -w "warm GET /custody/2026/3: %{http_code} %{size_download} bytes\n" -H "Authorization: Bearer $T" http://127.0.0.1:18099/api/v1/custody/2026/3
sleep 0.5; e=$(wc -l < $LOG)
echo "== statements during the cold read:"; sed -n "$((s+1)),${m}p" $LOG | grep -E "statement:|execute" | sed -E 's/^[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] //' | cut -c1-600
echo "== statements during the warm read:"; sed -n "$((m+1)),${e}p" $LOG | grep -E "statement:|execute" | cut -c1-300 || true
cmp -s $W/m1.json $W/m2.json && echo "cold and warm bodies identical"
T2=$(sed -n 2p $W/tokens.txt)
s=$(wc -l < $LOG)
curl -s -o /dev/null -w "first request of a second family, GET /custody/2026/4: %{http_code}\n" -H "Authorization: Bearer $T2" http://127.0.0.1:18099/api/v1/custody/2026/4
sleep 0.5; m=$(wc -l < $LOG)
echo "== statements (principal not cached either):"; sed -n "$((s+1)),${m}p" $LOG | grep -E "statement:|execute" | grep -v "UPDATE jobs" | sed -E 's/^[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] //' | cut -c1-300
