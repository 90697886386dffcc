-- Reverts 2025-01-01-000100_rust_additions. Removes only what up.sql added; whatever up.sql found
-- already in place (and therefore did not mark with a 'calndr:000100' comment) is left alone.
-- Original data is kept: the only dropped data lives in columns/tables this migration created.
-- (Duplicate custody/reminder rows deleted by up.sql cannot be restored.)

-- 7. job queue
DROP TABLE IF EXISTS jobs;

-- 6. users verification timestamps
ALTER TABLE users
    DROP COLUMN IF EXISTS email_verified_at,
    DROP COLUMN IF EXISTS phone_verified_at;

-- 5. enrollment_codes: new columns; narrow code back only if up.sql widened it and every code
--    still fits (codes issued meanwhile may be longer: then the column stays wide).
ALTER TABLE enrollment_codes
    DROP COLUMN IF EXISTS expires_at,
    DROP COLUMN IF EXISTS revoked_at,
    DROP COLUMN IF EXISTS redeemed_count;

DO $$
DECLARE
    note    text;
    old_len integer;
    too_long boolean;
BEGIN
    SELECT col_description(to_regclass(format('%I.%I', current_schema(), 'enrollment_codes')),
                           a.attnum)
      INTO note
      FROM pg_attribute a
     WHERE a.attrelid = to_regclass(format('%I.%I', current_schema(), 'enrollment_codes'))
       AND a.attname = 'code' AND NOT a.attisdropped;
    IF note LIKE 'calndr:000100 widened from varchar(%)' THEN
        old_len := substring(note FROM 'varchar\((\d+)\)')::integer;
        SELECT EXISTS (SELECT 1 FROM enrollment_codes WHERE length(code) > old_len) INTO too_long;
        IF too_long THEN
            RAISE NOTICE 'calndr: enrollment_codes.code holds codes longer than %; kept VARCHAR(32)',
                old_len;
        ELSE
            EXECUTE format('ALTER TABLE enrollment_codes ALTER COLUMN code TYPE VARCHAR(%s)', old_len);
            COMMENT ON COLUMN enrollment_codes.code IS NULL;
        END IF;
    END IF;
END $$;

-- 4. (family_id, date) unique constraints, only where up.sql added them
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.conname, t.relname
          FROM pg_constraint c
          JOIN pg_class t ON t.oid = c.conrelid
         WHERE t.relnamespace = current_schema()::regnamespace
           AND t.relname IN ('custody', 'reminders')
           AND obj_description(c.oid, 'pg_constraint') = 'calndr:000100 added'
    LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.relname, r.conname);
    END LOOP;
END $$;

-- 3. index
DROP INDEX IF EXISTS idx_users_email_lower;

-- 1./2. defaults set by up.sql (and the sequence it may have created for user_preferences.id)
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT t.relname, a.attname, col_description(t.oid, a.attnum) AS note
          FROM pg_class t
          JOIN pg_attribute a ON a.attrelid = t.oid
         WHERE t.relnamespace = current_schema()::regnamespace
           AND t.relkind = 'r'
           AND a.attnum > 0 AND NOT a.attisdropped
           AND col_description(t.oid, a.attnum) IN ('calndr:000100 set default',
                                                    'calndr:000100 set default+sequence')
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I DROP DEFAULT', r.relname, r.attname);
        EXECUTE format('COMMENT ON COLUMN %I.%I IS NULL', r.relname, r.attname);
        IF r.note = 'calndr:000100 set default+sequence' THEN
            DROP SEQUENCE IF EXISTS user_preferences_id_calndr_seq;
        END IF;
    END LOOP;
END $$;
