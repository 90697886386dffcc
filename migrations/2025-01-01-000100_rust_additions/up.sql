-- Additions the original backend lacks. Everything is idempotent and additive; it runs on a fresh
-- database (after 000000) and on one the original created. No schema names (per-test search_path).
--
-- Where an addition may or may not already exist on an adopted database (a default, a unique
-- constraint, the width of enrollment_codes.code), this migration marks what IT changed with a
-- comment starting 'calndr:000100', and down.sql reverts only what carries that mark. Nothing that
-- the original created is ever removed by down.sql.

-- ---------------------------------------------------------------------------------------------------
-- 1. Database-side defaults for UUID primary keys (the original generated uuid4 in Python).
--    user_preferences.id is UUID on a fresh database and SERIAL on an adopted one: UUID gets
--    gen_random_uuid(); an integer id without a default gets a sequence.
-- ---------------------------------------------------------------------------------------------------
DO $$
DECLARE
    t   text;
    col record;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'families', 'themes', 'children', 'user_profiles',
                             'user_preferences']
    LOOP
        SELECT c.data_type, c.column_default INTO col
          FROM information_schema.columns c
         WHERE c.table_schema = current_schema() AND c.table_name = t AND c.column_name = 'id';
        CONTINUE WHEN NOT FOUND OR col.column_default IS NOT NULL;

        IF col.data_type = 'uuid' THEN
            EXECUTE format('ALTER TABLE %I ALTER COLUMN id SET DEFAULT gen_random_uuid()', t);
            EXECUTE format('COMMENT ON COLUMN %I.id IS %L', t, 'calndr:000100 set default');
        ELSIF t = 'user_preferences' AND col.data_type IN ('integer', 'bigint') THEN
            -- an integer id that lost (or never had) its SERIAL default
            EXECUTE format('CREATE SEQUENCE IF NOT EXISTS user_preferences_id_calndr_seq AS %s '
                           'OWNED BY user_preferences.id', col.data_type);
            PERFORM setval('user_preferences_id_calndr_seq',
                           (SELECT COALESCE(max(id), 0) + 1 FROM user_preferences), false);
            ALTER TABLE user_preferences
                ALTER COLUMN id SET DEFAULT nextval('user_preferences_id_calndr_seq');
            COMMENT ON COLUMN user_preferences.id IS 'calndr:000100 set default+sequence';
        END IF;
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------------
-- 2. now() defaults for every created_at / updated_at (and babysitter_families.added_at, its
--    created_at) of the original tables that lacks one. Existing NULLs are deliberately NOT
--    backfilled: the history stays honest.
-- ---------------------------------------------------------------------------------------------------
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.table_name, c.column_name
          FROM information_schema.columns c
         WHERE c.table_schema = current_schema()
           AND c.column_default IS NULL
           AND c.column_name IN ('created_at', 'updated_at', 'added_at')
           AND c.data_type IN ('timestamp without time zone', 'timestamp with time zone')
           AND c.table_name IN ('users', 'families', 'user_profiles', 'user_preferences', 'themes',
                                'events', 'custody', 'notification_emails', 'babysitters',
                                'babysitter_families', 'emergency_contacts', 'group_chats',
                                'children', 'reminders', 'daycare_providers', 'school_providers',
                                'daycare_calendar_syncs', 'school_calendar_syncs', 'school_events',
                                'daycare_events', 'schedule_templates', 'journal_entries',
                                'medical_providers', 'medications', 'enrollment_codes',
                                'email_verifications')
         ORDER BY c.table_name, c.column_name
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT now()',
                       r.table_name, r.column_name);
        EXECUTE format('COMMENT ON COLUMN %I.%I IS %L',
                       r.table_name, r.column_name, 'calndr:000100 set default');
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------------
-- 3. Indexes. All spec-listed indexes are created by 000000 (IF NOT EXISTS, so adoption fills gaps).
--    Case-insensitive e-mail lookups: NOT unique, an adopted database may hold case variants.
-- ---------------------------------------------------------------------------------------------------
CREATE INDEX IF NOT EXISTS idx_users_email_lower ON users (lower(email));

-- ---------------------------------------------------------------------------------------------------
-- 4. One custody row and one reminder per (family_id, date). If neither the named constraint nor an
--    equivalent unique index exists, duplicates are removed (keeping the highest id, i.e. the
--    latest write) under a lock that blocks concurrent writers, then the constraint is added.
-- ---------------------------------------------------------------------------------------------------
DO $$
DECLARE
    r       record;
    tbl     regclass;
    removed bigint;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('custody',   'unique_family_date_custody'),
            ('reminders', 'unique_family_date_reminder')
        ) AS v(table_name, constraint_name)
    LOOP
        tbl := to_regclass(format('%I.%I', current_schema(), r.table_name));
        CONTINUE WHEN EXISTS (SELECT 1 FROM pg_constraint c
                              WHERE c.conrelid = tbl AND c.conname = r.constraint_name)
                   OR EXISTS (SELECT 1 FROM pg_index i
                              WHERE i.indrelid = tbl AND i.indisunique
                                AND i.indpred IS NULL AND i.indexprs IS NULL
                                AND i.indnatts = 2
                                AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text)
                                       FROM pg_attribute a
                                      WHERE a.attrelid = tbl AND a.attnum = ANY (i.indkey))
                                    = ARRAY['date', 'family_id']);

        EXECUTE format('LOCK TABLE %I IN SHARE ROW EXCLUSIVE MODE', r.table_name);
        EXECUTE format('DELETE FROM %1$I a USING %1$I b '
                       'WHERE a.family_id = b.family_id AND a.date = b.date AND a.id < b.id',
                       r.table_name);
        GET DIAGNOSTICS removed = ROW_COUNT;
        IF removed > 0 THEN
            RAISE WARNING 'calndr: deleted % duplicate % row(s) per (family_id, date), kept highest id',
                removed, r.table_name;
        END IF;
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (family_id, date)',
                       r.table_name, r.constraint_name);
        EXECUTE format('COMMENT ON CONSTRAINT %I ON %I IS %L',
                       r.constraint_name, r.table_name, 'calndr:000100 added');
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------------
-- 5. enrollment_codes: expiry, revocation, redemption count; longer codes (existing 6-character
--    codes stay valid). Widening VARCHAR needs no table rewrite.
-- ---------------------------------------------------------------------------------------------------
ALTER TABLE enrollment_codes
    ADD COLUMN IF NOT EXISTS expires_at     TIMESTAMPTZ NULL,
    ADD COLUMN IF NOT EXISTS revoked_at     TIMESTAMPTZ NULL,
    ADD COLUMN IF NOT EXISTS redeemed_count INTEGER NOT NULL DEFAULT 0;

DO $$
DECLARE
    old_len integer;
BEGIN
    SELECT c.character_maximum_length INTO old_len
      FROM information_schema.columns c
     WHERE c.table_schema = current_schema() AND c.table_name = 'enrollment_codes'
       AND c.column_name = 'code' AND c.data_type = 'character varying';
    IF old_len < 32 THEN  -- NULL (TEXT, unbounded VARCHAR) or already >= 32: leave it
        ALTER TABLE enrollment_codes ALTER COLUMN code TYPE VARCHAR(32);
        EXECUTE format('COMMENT ON COLUMN enrollment_codes.code IS %L',
                       format('calndr:000100 widened from varchar(%s)', old_len));
    END IF;
END $$;

-- ---------------------------------------------------------------------------------------------------
-- 6. users: verification timestamps
-- ---------------------------------------------------------------------------------------------------
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS email_verified_at TIMESTAMPTZ NULL,
    ADD COLUMN IF NOT EXISTS phone_verified_at TIMESTAMPTZ NULL;

-- ---------------------------------------------------------------------------------------------------
-- 7. Durable job queue for background work
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS jobs (
    id           BIGSERIAL PRIMARY KEY,
    queue        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    payload      JSONB NOT NULL DEFAULT '{}'::jsonb,
    dedupe_key   TEXT NULL,
    run_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    locked_at    TIMESTAMPTZ NULL,
    last_error   TEXT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_jobs_queue_run_at ON jobs (queue, run_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_jobs_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
