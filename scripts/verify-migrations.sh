#!/usr/bin/env bash
# Verifies the SQL migrations with psql on scratch databases it creates and drops itself.
# Each migration file is applied in one transaction (psql --single-transaction), as diesel does.
#
#   a) fresh database: up 000000, up 000100, down 000100, down 000000 (database left empty),
#      then both ups again
#   b) adoption: the original's schema + seed (crates/testkit/fixtures/original_schema.sql), then
#      both ups: seed intact, constraints present, user_preferences.id still integer, defaults set;
#      then down 000100 keeps the original intact, and up again
#   c) idempotence: both ups a second time on the fresh and on the adopted database change nothing
#   d) per-schema: migrations under search_path=t1 / adoption under t2 in one database; nothing in
#      public, t1 and t2 end up with the same constraints and indexes
#   e) an OLDER original: columns, a foreign key, a CHECK and unique_family_date_custody missing,
#      with duplicate custody rows: ups fill the gaps and keep the newest duplicate
#
# Usage: scripts/verify-migrations.sh   (PGHOST/PGPORT/PGUSER honoured; default 127.0.0.1/postgres)
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export PGOPTIONS="-c client_min_messages=warning"   # ADD COLUMN IF NOT EXISTS is chatty

UP0=migrations/2025-01-01-000000_original_schema/up.sql
DOWN0=migrations/2025-01-01-000000_original_schema/down.sql
UP1=migrations/2025-01-01-000100_rust_additions/up.sql
DOWN1=migrations/2025-01-01-000100_rust_additions/down.sql
FIXTURE=crates/testkit/fixtures/original_schema.sql

P="mig_verify_$$"
DB_FRESH="${P}_fresh" DB_ADOPT="${P}_adopt" DB_SCHEMA="${P}_schema" DB_OLD="${P}_old"
cleanup() { for db in "$DB_FRESH" "$DB_ADOPT" "$DB_SCHEMA" "$DB_OLD"; do dropdb --if-exists "$db"; done; }
trap cleanup EXIT

FAILED=0
# apply DB FILE [SEARCH_PATH]
apply() {
    local opts="$PGOPTIONS"
    [ -n "${3:-}" ] && opts="$opts -c search_path=$3"
    PGOPTIONS="$opts" psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$1" -f "$2" >/dev/null
    echo "  ok   applied $(basename "$(dirname "$2")")/$(basename "$2")${3:+ (search_path=$3)}"
}
# q DB SQL  -> single value
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# check DESCRIPTION EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then echo "  ok   $1 = $3"; else echo "  FAIL $1: expected '$2', got '$3'"; FAILED=1; fi
}
ntables() { q "$1" "SELECT count(*) FROM pg_tables WHERE schemaname = '${2:-public}'"; }
# a fingerprint of constraints + indexes of a schema (names and definitions), read with that schema
# as search_path so that names print unqualified and schemas compare equal
fingerprint() {
    PGOPTIONS="$PGOPTIONS -c search_path=${2:-public}" q "$1" "SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
              SELECT c.conrelid::regclass::text || ':' || c.conname || ':' || pg_get_constraintdef(c.oid) AS x
                FROM pg_constraint c WHERE c.connamespace = '${2:-public}'::regnamespace
              UNION ALL
              SELECT tablename || ':' || indexname || ':' || regexp_replace(indexdef, ' ON [^ ]+ ', ' ON ')
                FROM pg_indexes WHERE schemaname = '${2:-public}') s"
}
col_default() { q "$1" "SELECT coalesce(column_default, '<none>') FROM information_schema.columns
                        WHERE table_schema = 'public' AND table_name = '$2' AND column_name = '$3'"; }
has_constraint() { q "$1" "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.$2'::regclass AND conname = '$3'"; }
seed_counts() {
    q "$1" "SELECT (SELECT count(*) FROM families) || '/' || (SELECT count(*) FROM users) || '/' ||
                   (SELECT count(*) FROM custody) || '/' || (SELECT count(*) FROM events) || '/' ||
                   (SELECT count(*) FROM children) || '/' || (SELECT count(*) FROM reminders) || '/' ||
                   (SELECT count(*) FROM enrollment_codes) || '/' || (SELECT count(*) FROM user_preferences) || '/' ||
                   (SELECT count(*) FROM themes)"
}
SEED="2/3/5/3/1/1/1/1/1"   # families/users/custody/events/children/reminders/codes/prefs/themes
ALICE_HASH='$2b$12$S52Ply3WzYZPE8skh7YMiOrelhTDsMT31oCaZLDCn65mYNJ.cri22'

echo "== a) fresh database: up, down, up"
createdb "$DB_FRESH"
apply "$DB_FRESH" "$UP0"
check "tables after 000000" 26 "$(ntables "$DB_FRESH")"
apply "$DB_FRESH" "$UP1"
check "tables after 000100" 27 "$(ntables "$DB_FRESH")"
FRESH_FP=$(fingerprint "$DB_FRESH")
check "user_preferences.id type (fresh)" uuid "$(q "$DB_FRESH" "SELECT data_type FROM information_schema.columns WHERE table_schema='public' AND table_name='user_preferences' AND column_name='id'")"
apply "$DB_FRESH" "$DOWN1"
check "tables after down 000100" 26 "$(ntables "$DB_FRESH")"
check "users.id default after down 000100" "<none>" "$(col_default "$DB_FRESH" users id)"
check "enrollment_codes.code length after down 000100" 6 "$(q "$DB_FRESH" "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema='public' AND table_name='enrollment_codes' AND column_name='code'")"
check "custody unique kept by down 000100 (belongs to 000000)" 1 "$(has_constraint "$DB_FRESH" custody unique_family_date_custody)"
apply "$DB_FRESH" "$DOWN0"
check "relations left in public" 0 "$(q "$DB_FRESH" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")"
check "functions left in public" 0 "$(q "$DB_FRESH" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace")"
apply "$DB_FRESH" "$UP0"
apply "$DB_FRESH" "$UP1"
check "tables after up again" 27 "$(ntables "$DB_FRESH")"
check "constraints+indexes identical to first up" "$FRESH_FP" "$(fingerprint "$DB_FRESH")"

echo "== b) adoption of the original's database"
createdb "$DB_ADOPT"
apply "$DB_ADOPT" "$FIXTURE"
ORIG_FP=$(fingerprint "$DB_ADOPT")
apply "$DB_ADOPT" "$UP0"
check "000000 changes no constraint/index of the original" "$ORIG_FP" "$(fingerprint "$DB_ADOPT")"
apply "$DB_ADOPT" "$UP1"
check "seed rows (families/users/custody/events/children/reminders/codes/prefs/themes)" "$SEED" "$(seed_counts "$DB_ADOPT")"
check "alice's bcrypt hash" "$ALICE_HASH" "$(q "$DB_ADOPT" "SELECT password_hash FROM users WHERE email = 'alice@example.com'")"
check "carol's NULL updated_at not backfilled" "t" "$(q "$DB_ADOPT" "SELECT updated_at IS NULL FROM users WHERE email = 'carol@example.com'")"
check "unique_family_date_custody" 1 "$(has_constraint "$DB_ADOPT" custody unique_family_date_custody)"
check "unique_family_date_reminder" 1 "$(has_constraint "$DB_ADOPT" reminders unique_family_date_reminder)"
check "user_preferences.id type" integer "$(q "$DB_ADOPT" "SELECT data_type FROM information_schema.columns WHERE table_schema='public' AND table_name='user_preferences' AND column_name='id'")"
check "user_preferences.id default (SERIAL kept)" "nextval('user_preferences_id_seq'::regclass)" "$(col_default "$DB_ADOPT" user_preferences id)"
check "users.id default" "gen_random_uuid()" "$(col_default "$DB_ADOPT" users id)"
check "families.id default" "gen_random_uuid()" "$(col_default "$DB_ADOPT" families id)"
check "children.id default" "gen_random_uuid()" "$(col_default "$DB_ADOPT" children id)"
check "themes.id default" "gen_random_uuid()" "$(col_default "$DB_ADOPT" themes id)"
check "themes.created_at default" "now()" "$(col_default "$DB_ADOPT" themes created_at)"
check "themes.updated_at default" "now()" "$(col_default "$DB_ADOPT" themes updated_at)"
check "created_at/updated_at columns without default" 0 "$(q "$DB_ADOPT" "SELECT count(*) FROM information_schema.columns WHERE table_schema='public' AND column_name IN ('created_at','updated_at') AND column_default IS NULL")"
check "enrollment_codes.code length" 32 "$(q "$DB_ADOPT" "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema='public' AND table_name='enrollment_codes' AND column_name='code'")"
check "enrollment code ABC234 redeemed_count" 0 "$(q "$DB_ADOPT" "SELECT redeemed_count FROM enrollment_codes WHERE code = 'ABC234'")"
check "insert user_preferences without id" 2 "$(q "$DB_ADOPT" "INSERT INTO user_preferences (user_id) VALUES ('aaaaaaa2-aaaa-4aaa-8aaa-aaaaaaaaaaa2') RETURNING id")"
q "$DB_ADOPT" "DELETE FROM user_preferences WHERE user_id = 'aaaaaaa2-aaaa-4aaa-8aaa-aaaaaaaaaaa2'" >/dev/null
ADOPT_FP=$(fingerprint "$DB_ADOPT")
apply "$DB_ADOPT" "$DOWN1"
check "down 000100: original constraints/indexes intact" "$ORIG_FP" "$(fingerprint "$DB_ADOPT")"
check "down 000100: seed rows intact" "$SEED" "$(seed_counts "$DB_ADOPT")"
check "down 000100: users.id default removed" "<none>" "$(col_default "$DB_ADOPT" users id)"
check "down 000100: user_preferences.id default kept" "nextval('user_preferences_id_seq'::regclass)" "$(col_default "$DB_ADOPT" user_preferences id)"
check "down 000100: jobs dropped" 26 "$(ntables "$DB_ADOPT")"
apply "$DB_ADOPT" "$UP1"
check "up 000100 again" "$ADOPT_FP" "$(fingerprint "$DB_ADOPT")"

echo "== c) idempotence: both ups a second time"
apply "$DB_FRESH" "$UP0"
apply "$DB_FRESH" "$UP1"
check "fresh: constraints+indexes unchanged" "$FRESH_FP" "$(fingerprint "$DB_FRESH")"
apply "$DB_ADOPT" "$UP0"
apply "$DB_ADOPT" "$UP1"
check "adopted: constraints+indexes unchanged" "$ADOPT_FP" "$(fingerprint "$DB_ADOPT")"
check "adopted: seed rows" "$SEED" "$(seed_counts "$DB_ADOPT")"
check "fresh vs adopted: constraints+indexes (names and definitions) equal" "$FRESH_FP" "$ADOPT_FP"

echo "== d) per-schema search_path"
createdb "$DB_SCHEMA"
q "$DB_SCHEMA" "CREATE SCHEMA t1; CREATE SCHEMA t2" >/dev/null
apply "$DB_SCHEMA" "$UP0" t1
apply "$DB_SCHEMA" "$UP1" t1
check "tables in t1" 27 "$(ntables "$DB_SCHEMA" t1)"
check "relations in public" 0 "$(q "$DB_SCHEMA" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")"
check "functions in public" 0 "$(q "$DB_SCHEMA" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace")"
check "t1 constraints+indexes equal to fresh database" "$FRESH_FP" "$(fingerprint "$DB_SCHEMA" t1)"
apply "$DB_SCHEMA" "$FIXTURE" t2
apply "$DB_SCHEMA" "$UP0" t2
apply "$DB_SCHEMA" "$UP1" t2
check "tables in t2 (adopted)" 27 "$(ntables "$DB_SCHEMA" t2)"
check "t2 constraints+indexes equal to adopted database" "$ADOPT_FP" "$(fingerprint "$DB_SCHEMA" t2)"
apply "$DB_SCHEMA" "$UP0" t1
apply "$DB_SCHEMA" "$UP1" t1
check "t1 unchanged by re-run" "$FRESH_FP" "$(fingerprint "$DB_SCHEMA" t1)"
apply "$DB_SCHEMA" "$DOWN1" t1
apply "$DB_SCHEMA" "$DOWN0" t1
check "t1 empty after downs" 0 "$(q "$DB_SCHEMA" "SELECT count(*) FROM pg_class WHERE relnamespace = 't1'::regnamespace")"
check "t2 untouched by t1's downs" "$ADOPT_FP" "$(fingerprint "$DB_SCHEMA" t2)"
check "public still empty" 0 "$(q "$DB_SCHEMA" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")"

echo "== e) adoption of an older original (missing columns/constraints, duplicate custody rows)"
createdb "$DB_OLD"
apply "$DB_OLD" "$FIXTURE"
q "$DB_OLD" "
  ALTER TABLE custody DROP CONSTRAINT unique_family_date_custody;
  INSERT INTO custody (family_id, date, actor_id, custodian_id)
       VALUES ('11111111-1111-4111-8111-111111111111', '2025-01-07',
               'aaaaaaa2-aaaa-4aaa-8aaa-aaaaaaaaaaa2', 'aaaaaaa1-aaaa-4aaa-8aaa-aaaaaaaaaaa1');
  ALTER TABLE medical_providers DROP COLUMN google_place_id, DROP COLUMN rating, DROP COLUMN created_by_user_id;
  ALTER TABLE users DROP COLUMN apns_token;
  ALTER TABLE events DROP CONSTRAINT events_family_id_fkey;
  ALTER TABLE group_chats DROP CONSTRAINT group_chats_contact_type_check;
  DROP INDEX idx_custody_timeline_covering;" >/dev/null
apply "$DB_OLD" "$UP0"
apply "$DB_OLD" "$UP1"
check "custody rows after de-duplication" 5 "$(q "$DB_OLD" "SELECT count(*) FROM custody")"
check "kept the newest duplicate (id 6, custodian alice)" "6|aaaaaaa1-aaaa-4aaa-8aaa-aaaaaaaaaaa1" "$(q "$DB_OLD" "SELECT id || '|' || custodian_id FROM custody WHERE date = '2025-01-07'")"
check "unique_family_date_custody added" 1 "$(has_constraint "$DB_OLD" custody unique_family_date_custody)"
check "medical_providers.created_by_user_id back, NOT NULL (empty table)" "NO" "$(q "$DB_OLD" "SELECT is_nullable FROM information_schema.columns WHERE table_schema='public' AND table_name='medical_providers' AND column_name='created_by_user_id'")"
check "constraints+indexes equal to adopted database" "$ADOPT_FP" "$(fingerprint "$DB_OLD")"
apply "$DB_OLD" "$DOWN1"
check "down 000100 drops only the custody constraint it added" "0/1" "$(has_constraint "$DB_OLD" custody unique_family_date_custody)/$(has_constraint "$DB_OLD" reminders unique_family_date_reminder)"
apply "$DB_OLD" "$UP1"
check "up 000100 again" "$ADOPT_FP" "$(fingerprint "$DB_OLD")"

echo
if [ "$FAILED" -ne 0 ]; then echo "verify-migrations: FAILED"; exit 1; fi
echo "verify-migrations: all checks passed"
