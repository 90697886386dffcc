-- Original Calndr schema (spec section 2), written so that it also ADOPTS a database the original
-- Python backend already created.
--
-- Rules followed throughout:
--   * never a schema name: everything lands in current_schema() (tests use a per-test search_path);
--   * every statement is idempotent: CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS for every
--     column (an older original table gains what it lacks), CREATE INDEX IF NOT EXISTS, constraints
--     and foreign keys added from DO blocks only when pg_constraint/pg_index of *this* table lacks them;
--   * an adopted database keeps what it has: nothing is re-typed or renamed, and a constraint that
--     exists under another name (same columns) counts as present;
--   * diesel runs this file in one transaction: no CONCURRENTLY, no COMMIT.
--
-- Order: trigger functions, tables, missing columns, NOT NULL where safe, UNIQUE/CHECK, foreign keys
-- (this also breaks the families -> *_calendar_syncs -> *_providers -> families cycle), indexes,
-- triggers. Legacy objects of spec 2.23 (handoff_times, family_all_events, app_settings, ...) are not
-- created.

-- ---------------------------------------------------------------------------------------------------
-- 1. updated_at trigger functions (names as in the original scripts, so adoption replaces rather
--    than duplicates them)
-- ---------------------------------------------------------------------------------------------------

-- shared by daycare_providers and journal_entries (migrate_daycare_providers.py, migrate_journal.py)
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION update_school_providers_updated_at() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION update_daycare_calendar_syncs_updated_at() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION update_school_calendar_syncs_updated_at() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION update_email_verifications_updated_at() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- ---------------------------------------------------------------------------------------------------
-- 2. Tables (fresh database). Primary keys and CHECKs inline; UNIQUE constraints and foreign keys are
--    added in sections 5-6 so that fresh and adopted databases go through the same code path. The
--    two exceptions are custody / reminders (UNIQUE (family_id, date)): they are inline here, i.e.
--    only on a fresh database; on an adopted one 000100 adds them after removing duplicate rows.
-- ---------------------------------------------------------------------------------------------------

-- 2.2 families. daycare_sync_id / school_sync_id get their foreign keys in section 6 (circular chain).
CREATE TABLE IF NOT EXISTS families (
    id              UUID PRIMARY KEY,          -- app-generated uuid4 in the original (default: 000100)
    name            VARCHAR NOT NULL,
    daycare_sync_id INTEGER NULL,
    school_sync_id  INTEGER NULL,
    -- NOT NULL per migrate_add_timestamps_to_families.sql (the model says nullable)
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2.1 users
CREATE TABLE IF NOT EXISTS users (
    id                            UUID PRIMARY KEY,   -- app-generated uuid4 (default: 000100)
    family_id                     UUID NULL,
    first_name                    VARCHAR NOT NULL,
    last_name                     VARCHAR NOT NULL,
    email                         VARCHAR NOT NULL,   -- UNIQUE, case-sensitive (section 5)
    password_hash                 VARCHAR NULL,       -- NULL for social sign-in users
    phone_number                  VARCHAR NULL,
    apple_user_id                 VARCHAR NULL,
    google_user_id                VARCHAR NULL,
    sns_endpoint_arn              VARCHAR NULL,
    last_known_location           VARCHAR NULL,
    last_known_location_timestamp TIMESTAMP NULL,
    subscription_type             VARCHAR NULL DEFAULT 'Free',
    subscription_status           VARCHAR NULL DEFAULT 'Active',
    profile_photo_url             TEXT NULL,          -- TEXT in the database (model: VARCHAR)
    status                        VARCHAR NULL DEFAULT 'active',
    enrolled                      BOOLEAN NULL DEFAULT false,
    coparent_enrolled             BOOLEAN NULL DEFAULT false,
    coparent_invited              BOOLEAN NULL DEFAULT false,
    last_signed_in                TIMESTAMP NULL DEFAULT now(),
    created_at                    TIMESTAMP NULL DEFAULT now(),
    updated_at                    TIMESTAMP NULL DEFAULT now(),
    apns_token                    VARCHAR(255) NULL   -- legacy, unused
);

-- 2.3 user_profiles
CREATE TABLE IF NOT EXISTS user_profiles (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           UUID NOT NULL,
    bio               TEXT NULL,
    profile_photo_url VARCHAR(255) NULL,
    created_at        TIMESTAMP NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at        TIMESTAMP NULL DEFAULT (now() AT TIME ZONE 'utc')
);

-- 2.5 themes (only ever created by metadata.create_all: no database defaults at all)
CREATE TABLE IF NOT EXISTS themes (
    id                         UUID PRIMARY KEY,  -- default: 000100
    name                       VARCHAR NOT NULL,
    "mainBackgroundColor"      VARCHAR NOT NULL,
    "secondaryBackgroundColor" VARCHAR NOT NULL,
    "textColor"                VARCHAR NOT NULL,
    "headerTextColor"          VARCHAR NOT NULL,
    "iconColor"                VARCHAR NOT NULL,
    "iconActiveColor"          VARCHAR NOT NULL,
    "accentColor"              VARCHAR NOT NULL,
    "parentOneColor"           VARCHAR NOT NULL,
    "parentTwoColor"           VARCHAR NOT NULL,
    is_public                  BOOLEAN NOT NULL,  -- "false" is a Python-side default only
    created_by_user_id         UUID NULL,
    created_at                 TIMESTAMP NOT NULL, -- app supplies UTC; default now(): 000100
    updated_at                 TIMESTAMP NOT NULL
);

-- 2.4 user_preferences. id: SERIAL in the creating migration, UUID in the model. A fresh database
-- gets UUID (what the model and our code expect); an adopted one keeps its SERIAL. Our code never
-- reads or writes this column (schema.rs omits it).
CREATE TABLE IF NOT EXISTS user_preferences (
    id                       UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                  UUID NOT NULL,
    selected_theme_id        UUID NULL,
    theme                    VARCHAR(255) NULL DEFAULT 'default',
    notification_preferences JSON NULL,
    created_at               TIMESTAMP NULL DEFAULT now(),
    updated_at               TIMESTAMP NULL DEFAULT now()
);

-- 2.6 events
CREATE TABLE IF NOT EXISTS events (
    id         SERIAL PRIMARY KEY,
    family_id  UUID NOT NULL,
    date       DATE NOT NULL,
    content    VARCHAR(255) NULL,
    position   INTEGER NULL,
    event_type VARCHAR(255) NOT NULL DEFAULT 'regular'
);

-- 2.7 custody
CREATE TABLE IF NOT EXISTS custody (
    id               SERIAL PRIMARY KEY,
    family_id        UUID NOT NULL,
    date             DATE NOT NULL,
    actor_id         UUID NOT NULL,
    custodian_id     UUID NOT NULL,
    handoff_day      BOOLEAN NULL DEFAULT false,
    handoff_time     TIME NULL,
    handoff_location VARCHAR(255) NULL,
    created_at       TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT unique_family_date_custody UNIQUE (family_id, date)  -- fresh DB only, see header
);

-- 2.8 notification_emails
CREATE TABLE IF NOT EXISTS notification_emails (
    id         SERIAL PRIMARY KEY,
    family_id  UUID NOT NULL,
    email      VARCHAR NOT NULL,
    created_at TIMESTAMP NULL DEFAULT now()
);

-- 2.9 babysitters / babysitter_families
CREATE TABLE IF NOT EXISTS babysitters (
    id                 SERIAL PRIMARY KEY,
    first_name         VARCHAR(100) NOT NULL,
    last_name          VARCHAR(100) NOT NULL,
    phone_number       VARCHAR(20) NOT NULL,
    rate               NUMERIC(6, 2) NULL,
    notes              TEXT NULL,
    created_by_user_id UUID NOT NULL,
    created_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS babysitter_families (
    id               SERIAL PRIMARY KEY,
    babysitter_id    INTEGER NOT NULL,
    family_id        UUID NOT NULL,
    added_by_user_id UUID NOT NULL,
    added_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2.10 emergency_contacts
CREATE TABLE IF NOT EXISTS emergency_contacts (
    id                 SERIAL PRIMARY KEY,
    family_id          UUID NOT NULL,
    first_name         VARCHAR(100) NOT NULL,
    last_name          VARCHAR(100) NOT NULL,
    phone_number       VARCHAR(20) NOT NULL,
    relationship       VARCHAR(100) NULL,
    notes              TEXT NULL,
    created_by_user_id UUID NOT NULL,
    created_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2.11 group_chats (CHECK added in section 5 so that adopted tables get it too)
CREATE TABLE IF NOT EXISTS group_chats (
    id                 SERIAL PRIMARY KEY,
    family_id          UUID NOT NULL,
    contact_type       VARCHAR(20) NOT NULL,
    contact_id         INTEGER NOT NULL,       -- no FK: points at babysitters or emergency_contacts
    group_identifier   VARCHAR(255) NULL,
    created_by_user_id UUID NOT NULL,
    created_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2.12 children (no timestamps)
CREATE TABLE IF NOT EXISTS children (
    id         UUID PRIMARY KEY,               -- app-generated uuid4 (default: 000100)
    family_id  UUID NOT NULL,
    first_name VARCHAR(100) NOT NULL,
    last_name  VARCHAR(100) NOT NULL,
    dob        DATE NOT NULL
);

-- 2.13 reminders. notification_enabled: DB nullable with DEFAULT false (the model says NOT NULL).
CREATE TABLE IF NOT EXISTS reminders (
    id                   SERIAL PRIMARY KEY,
    family_id            UUID NOT NULL,
    date                 DATE NOT NULL,
    text                 TEXT NOT NULL,
    notification_enabled BOOLEAN NULL DEFAULT false,
    notification_time    TIME NULL,
    created_at           TIMESTAMP NULL DEFAULT now(),
    updated_at           TIMESTAMP NULL DEFAULT now(),
    CONSTRAINT unique_family_date_reminder UNIQUE (family_id, date)  -- fresh DB only, see header
);

-- 2.14 daycare_providers / school_providers (identical shape)
CREATE TABLE IF NOT EXISTS daycare_providers (
    id                 SERIAL PRIMARY KEY,
    family_id          UUID NOT NULL,
    name               VARCHAR(255) NOT NULL,
    address            TEXT NULL,
    phone_number       VARCHAR(20) NULL,
    email              VARCHAR(255) NULL,
    hours              VARCHAR(255) NULL,
    notes              TEXT NULL,
    google_place_id    VARCHAR(255) NULL,
    rating             NUMERIC(3, 2) NULL,
    website            VARCHAR(500) NULL,
    created_by_user_id UUID NOT NULL,
    created_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS school_providers (
    id                 SERIAL PRIMARY KEY,
    family_id          UUID NOT NULL,
    name               VARCHAR(255) NOT NULL,
    address            TEXT NULL,
    phone_number       VARCHAR(20) NULL,
    email              VARCHAR(255) NULL,
    hours              VARCHAR(255) NULL,
    notes              TEXT NULL,
    google_place_id    VARCHAR(255) NULL,
    rating             NUMERIC(3, 2) NULL,
    website            VARCHAR(500) NULL,
    created_by_user_id UUID NOT NULL,
    created_at         TIMESTAMP NULL DEFAULT now(),
    updated_at         TIMESTAMP NULL DEFAULT now()
);

-- 2.15 daycare_calendar_syncs / school_calendar_syncs (TIMESTAMPTZ)
CREATE TABLE IF NOT EXISTS daycare_calendar_syncs (
    id                  SERIAL PRIMARY KEY,
    daycare_provider_id INTEGER NOT NULL,
    calendar_url        TEXT NOT NULL,
    last_sync_at        TIMESTAMPTZ NULL,
    last_sync_success   BOOLEAN NULL,
    last_sync_error     TEXT NULL,
    events_count        INTEGER NULL DEFAULT 0,
    sync_enabled        BOOLEAN NULL DEFAULT true,
    created_at          TIMESTAMPTZ NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          TIMESTAMPTZ NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS school_calendar_syncs (
    id                 SERIAL PRIMARY KEY,
    school_provider_id INTEGER NOT NULL,
    calendar_url       TEXT NOT NULL,
    last_sync_at       TIMESTAMPTZ NULL,
    last_sync_success  BOOLEAN NULL,
    last_sync_error    TEXT NULL,
    events_count       INTEGER NULL DEFAULT 0,
    sync_enabled       BOOLEAN NULL DEFAULT true,
    created_at         TIMESTAMPTZ NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NULL DEFAULT now()
);

-- 2.16 school_events / daycare_events (identical shape). all_day: DB nullable, DEFAULT false.
CREATE TABLE IF NOT EXISTS school_events (
    id                 SERIAL PRIMARY KEY,
    school_provider_id INTEGER NOT NULL,
    event_date         DATE NOT NULL,
    title              VARCHAR(255) NOT NULL,
    description        TEXT NULL,
    event_type         VARCHAR(50) NULL,
    start_time         TIME NULL,
    end_time           TIME NULL,
    all_day            BOOLEAN NULL DEFAULT false,
    created_at         TIMESTAMPTZ NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS daycare_events (
    id                  SERIAL PRIMARY KEY,
    daycare_provider_id INTEGER NOT NULL,
    event_date          DATE NOT NULL,
    title               VARCHAR(255) NOT NULL,
    description         TEXT NULL,
    event_type          VARCHAR(50) NULL,
    start_time          TIME NULL,
    end_time            TIME NULL,
    all_day             BOOLEAN NULL DEFAULT false,
    created_at          TIMESTAMPTZ NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NULL DEFAULT now()
);

-- 2.17 schedule_templates (JSONB per migrate_schedule_templates.py; the model says JSON)
CREATE TABLE IF NOT EXISTS schedule_templates (
    id                        SERIAL PRIMARY KEY,
    family_id                 UUID NOT NULL,
    name                      VARCHAR(255) NOT NULL,
    description               TEXT NULL,
    pattern_type              VARCHAR(50) NOT NULL,
    weekly_pattern            JSONB NULL,
    alternating_weeks_pattern JSONB NULL,
    is_active                 BOOLEAN NOT NULL DEFAULT true,
    created_by_user_id        UUID NOT NULL,
    created_at                TIMESTAMP NULL DEFAULT now(),
    updated_at                TIMESTAMP NULL DEFAULT now()
);

-- 2.18 journal_entries
CREATE TABLE IF NOT EXISTS journal_entries (
    id         SERIAL PRIMARY KEY,
    family_id  UUID NOT NULL,
    user_id    UUID NOT NULL,
    title      VARCHAR(255) NULL,
    content    TEXT NOT NULL,
    entry_date DATE NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2.19 medical_providers
CREATE TABLE IF NOT EXISTS medical_providers (
    id                 SERIAL PRIMARY KEY,
    family_id          UUID NOT NULL,
    name               VARCHAR(255) NOT NULL,
    specialty          VARCHAR(255) NULL,
    address            TEXT NULL,
    phone              VARCHAR(50) NULL,
    email              VARCHAR(255) NULL,
    website            VARCHAR(500) NULL,
    latitude           NUMERIC(10, 8) NULL,
    longitude          NUMERIC(11, 8) NULL,
    zip_code           VARCHAR(20) NULL,
    notes              TEXT NULL,
    google_place_id    VARCHAR(255) NULL,
    rating             NUMERIC(3, 2) NULL,
    created_by_user_id UUID NOT NULL,
    created_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2.20 medications
CREATE TABLE IF NOT EXISTS medications (
    id               SERIAL PRIMARY KEY,
    family_id        UUID NOT NULL,
    name             VARCHAR(255) NOT NULL,
    dosage           VARCHAR(100) NULL,
    frequency        VARCHAR(100) NULL,
    instructions     TEXT NULL,
    start_date       DATE NULL,
    end_date         DATE NULL,
    is_active        BOOLEAN NULL DEFAULT true,
    reminder_enabled BOOLEAN NULL DEFAULT false,
    reminder_time    TIME NULL,
    notes            TEXT NULL,
    created_at       TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at       TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2.21 enrollment_codes (live shape; 000100 widens code and adds expiry/revocation columns)
CREATE TABLE IF NOT EXISTS enrollment_codes (
    id                  SERIAL PRIMARY KEY,
    family_id           UUID NOT NULL,
    code                VARCHAR(6) NOT NULL,
    created_by_user_id  UUID NOT NULL,
    coparent_first_name VARCHAR(100) NULL,
    coparent_last_name  VARCHAR(100) NULL,
    coparent_email      VARCHAR(255) NULL,
    coparent_phone      VARCHAR(20) NULL,
    invitation_sent     BOOLEAN NOT NULL DEFAULT false,
    invitation_sent_at  TIMESTAMP NULL,
    created_at          TIMESTAMP NOT NULL DEFAULT now()
);

-- 2.22 email_verifications (raw SQL only in the original)
CREATE TABLE IF NOT EXISTS email_verifications (
    id          SERIAL PRIMARY KEY,
    user_id     UUID NULL,
    email       VARCHAR(255) NOT NULL,
    code        VARCHAR(6) NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    is_verified BOOLEAN NULL DEFAULT false,
    verified_at TIMESTAMPTZ NULL,
    attempts    INTEGER NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------------
-- 3. Columns an older original table may lack. No-ops on a fresh database and on a current one.
--    * Primary keys are not repeated: a table that exists always has its id.
--    * NOT NULL columns without a default are added as NULL-able (existing rows have no value);
--      section 4 tightens them when the data allows.
--    * NULL-able created_at/updated_at are added WITHOUT their default, so existing rows stay NULL
--      instead of being stamped with the migration time; 000100 then sets default now().
--    * NOT NULL columns with a default are added as the original scripts added them (existing rows
--      receive the default, e.g. families.created_at as in migrate_add_timestamps_to_families.sql).
-- ---------------------------------------------------------------------------------------------------

ALTER TABLE families
    ADD COLUMN IF NOT EXISTS name            VARCHAR,
    ADD COLUMN IF NOT EXISTS daycare_sync_id INTEGER,
    ADD COLUMN IF NOT EXISTS school_sync_id  INTEGER,
    ADD COLUMN IF NOT EXISTS created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP;

ALTER TABLE users
    ADD COLUMN IF NOT EXISTS family_id                     UUID,
    ADD COLUMN IF NOT EXISTS first_name                    VARCHAR,
    ADD COLUMN IF NOT EXISTS last_name                     VARCHAR,
    ADD COLUMN IF NOT EXISTS email                         VARCHAR,
    ADD COLUMN IF NOT EXISTS password_hash                 VARCHAR,
    ADD COLUMN IF NOT EXISTS phone_number                  VARCHAR,
    ADD COLUMN IF NOT EXISTS apple_user_id                 VARCHAR,
    ADD COLUMN IF NOT EXISTS google_user_id                VARCHAR,
    ADD COLUMN IF NOT EXISTS sns_endpoint_arn              VARCHAR,
    ADD COLUMN IF NOT EXISTS last_known_location           VARCHAR,
    ADD COLUMN IF NOT EXISTS last_known_location_timestamp TIMESTAMP,
    ADD COLUMN IF NOT EXISTS subscription_type             VARCHAR DEFAULT 'Free',
    ADD COLUMN IF NOT EXISTS subscription_status           VARCHAR DEFAULT 'Active',
    ADD COLUMN IF NOT EXISTS profile_photo_url             TEXT,
    ADD COLUMN IF NOT EXISTS status                        VARCHAR DEFAULT 'active',
    ADD COLUMN IF NOT EXISTS enrolled                      BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS coparent_enrolled             BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS coparent_invited              BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS last_signed_in                TIMESTAMP,
    ADD COLUMN IF NOT EXISTS created_at                    TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at                    TIMESTAMP,
    ADD COLUMN IF NOT EXISTS apns_token                    VARCHAR(255);

-- The live schema allows social sign-in users without a password (NOT NULL was dropped in the
-- original); an adopted database that still has the model's NOT NULL is relaxed. Idempotent.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

ALTER TABLE user_profiles
    ADD COLUMN IF NOT EXISTS user_id           UUID,
    ADD COLUMN IF NOT EXISTS bio               TEXT,
    ADD COLUMN IF NOT EXISTS profile_photo_url VARCHAR(255),
    ADD COLUMN IF NOT EXISTS created_at        TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at        TIMESTAMP;

ALTER TABLE themes
    ADD COLUMN IF NOT EXISTS name                       VARCHAR,
    ADD COLUMN IF NOT EXISTS "mainBackgroundColor"      VARCHAR,
    ADD COLUMN IF NOT EXISTS "secondaryBackgroundColor" VARCHAR,
    ADD COLUMN IF NOT EXISTS "textColor"                VARCHAR,
    ADD COLUMN IF NOT EXISTS "headerTextColor"          VARCHAR,
    ADD COLUMN IF NOT EXISTS "iconColor"                VARCHAR,
    ADD COLUMN IF NOT EXISTS "iconActiveColor"          VARCHAR,
    ADD COLUMN IF NOT EXISTS "accentColor"              VARCHAR,
    ADD COLUMN IF NOT EXISTS "parentOneColor"           VARCHAR,
    ADD COLUMN IF NOT EXISTS "parentTwoColor"           VARCHAR,
    ADD COLUMN IF NOT EXISTS is_public                  BOOLEAN,
    ADD COLUMN IF NOT EXISTS created_by_user_id         UUID,
    ADD COLUMN IF NOT EXISTS created_at                 TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at                 TIMESTAMP;

-- user_preferences.id is deliberately not touched (SERIAL or UUID, whichever the database has).
ALTER TABLE user_preferences
    ADD COLUMN IF NOT EXISTS user_id                  UUID,
    ADD COLUMN IF NOT EXISTS selected_theme_id        UUID,
    ADD COLUMN IF NOT EXISTS theme                    VARCHAR(255) DEFAULT 'default',
    ADD COLUMN IF NOT EXISTS notification_preferences JSON,
    ADD COLUMN IF NOT EXISTS created_at               TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at               TIMESTAMP;

ALTER TABLE events
    ADD COLUMN IF NOT EXISTS family_id  UUID,
    ADD COLUMN IF NOT EXISTS date       DATE,
    ADD COLUMN IF NOT EXISTS content    VARCHAR(255),
    ADD COLUMN IF NOT EXISTS position   INTEGER,
    ADD COLUMN IF NOT EXISTS event_type VARCHAR(255) NOT NULL DEFAULT 'regular';

ALTER TABLE custody
    ADD COLUMN IF NOT EXISTS family_id        UUID,
    ADD COLUMN IF NOT EXISTS date             DATE,
    ADD COLUMN IF NOT EXISTS actor_id         UUID,
    ADD COLUMN IF NOT EXISTS custodian_id     UUID,
    ADD COLUMN IF NOT EXISTS handoff_day      BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS handoff_time     TIME,
    ADD COLUMN IF NOT EXISTS handoff_location VARCHAR(255),
    ADD COLUMN IF NOT EXISTS created_at       TIMESTAMP;

ALTER TABLE notification_emails
    ADD COLUMN IF NOT EXISTS family_id  UUID,
    ADD COLUMN IF NOT EXISTS email      VARCHAR,
    ADD COLUMN IF NOT EXISTS created_at TIMESTAMP;

ALTER TABLE babysitters
    ADD COLUMN IF NOT EXISTS first_name         VARCHAR(100),
    ADD COLUMN IF NOT EXISTS last_name          VARCHAR(100),
    ADD COLUMN IF NOT EXISTS phone_number       VARCHAR(20),
    ADD COLUMN IF NOT EXISTS rate               NUMERIC(6, 2),
    ADD COLUMN IF NOT EXISTS notes              TEXT,
    ADD COLUMN IF NOT EXISTS created_by_user_id UUID,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMP;

ALTER TABLE babysitter_families
    ADD COLUMN IF NOT EXISTS babysitter_id    INTEGER,
    ADD COLUMN IF NOT EXISTS family_id        UUID,
    ADD COLUMN IF NOT EXISTS added_by_user_id UUID,
    ADD COLUMN IF NOT EXISTS added_at         TIMESTAMP;

ALTER TABLE emergency_contacts
    ADD COLUMN IF NOT EXISTS family_id          UUID,
    ADD COLUMN IF NOT EXISTS first_name         VARCHAR(100),
    ADD COLUMN IF NOT EXISTS last_name          VARCHAR(100),
    ADD COLUMN IF NOT EXISTS phone_number       VARCHAR(20),
    ADD COLUMN IF NOT EXISTS relationship       VARCHAR(100),
    ADD COLUMN IF NOT EXISTS notes              TEXT,
    ADD COLUMN IF NOT EXISTS created_by_user_id UUID,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMP;

ALTER TABLE group_chats
    ADD COLUMN IF NOT EXISTS family_id          UUID,
    ADD COLUMN IF NOT EXISTS contact_type       VARCHAR(20),
    ADD COLUMN IF NOT EXISTS contact_id         INTEGER,
    ADD COLUMN IF NOT EXISTS group_identifier   VARCHAR(255),
    ADD COLUMN IF NOT EXISTS created_by_user_id UUID,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMP;

ALTER TABLE children
    ADD COLUMN IF NOT EXISTS family_id  UUID,
    ADD COLUMN IF NOT EXISTS first_name VARCHAR(100),
    ADD COLUMN IF NOT EXISTS last_name  VARCHAR(100),
    ADD COLUMN IF NOT EXISTS dob        DATE;

ALTER TABLE reminders
    ADD COLUMN IF NOT EXISTS family_id            UUID,
    ADD COLUMN IF NOT EXISTS date                 DATE,
    ADD COLUMN IF NOT EXISTS text                 TEXT,
    ADD COLUMN IF NOT EXISTS notification_enabled BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS notification_time    TIME,
    ADD COLUMN IF NOT EXISTS created_at           TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at           TIMESTAMP;

ALTER TABLE daycare_providers
    ADD COLUMN IF NOT EXISTS family_id          UUID,
    ADD COLUMN IF NOT EXISTS name               VARCHAR(255),
    ADD COLUMN IF NOT EXISTS address            TEXT,
    ADD COLUMN IF NOT EXISTS phone_number       VARCHAR(20),
    ADD COLUMN IF NOT EXISTS email              VARCHAR(255),
    ADD COLUMN IF NOT EXISTS hours              VARCHAR(255),
    ADD COLUMN IF NOT EXISTS notes              TEXT,
    ADD COLUMN IF NOT EXISTS google_place_id    VARCHAR(255),
    ADD COLUMN IF NOT EXISTS rating             NUMERIC(3, 2),
    ADD COLUMN IF NOT EXISTS website            VARCHAR(500),
    ADD COLUMN IF NOT EXISTS created_by_user_id UUID,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at         TIMESTAMP;

ALTER TABLE school_providers
    ADD COLUMN IF NOT EXISTS family_id          UUID,
    ADD COLUMN IF NOT EXISTS name               VARCHAR(255),
    ADD COLUMN IF NOT EXISTS address            TEXT,
    ADD COLUMN IF NOT EXISTS phone_number       VARCHAR(20),
    ADD COLUMN IF NOT EXISTS email              VARCHAR(255),
    ADD COLUMN IF NOT EXISTS hours              VARCHAR(255),
    ADD COLUMN IF NOT EXISTS notes              TEXT,
    ADD COLUMN IF NOT EXISTS google_place_id    VARCHAR(255),
    ADD COLUMN IF NOT EXISTS rating             NUMERIC(3, 2),
    ADD COLUMN IF NOT EXISTS website            VARCHAR(500),
    ADD COLUMN IF NOT EXISTS created_by_user_id UUID,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at         TIMESTAMP;

ALTER TABLE daycare_calendar_syncs
    ADD COLUMN IF NOT EXISTS daycare_provider_id INTEGER,
    ADD COLUMN IF NOT EXISTS calendar_url        TEXT,
    ADD COLUMN IF NOT EXISTS last_sync_at        TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS last_sync_success   BOOLEAN,
    ADD COLUMN IF NOT EXISTS last_sync_error     TEXT,
    ADD COLUMN IF NOT EXISTS events_count        INTEGER DEFAULT 0,
    ADD COLUMN IF NOT EXISTS sync_enabled        BOOLEAN DEFAULT true,
    ADD COLUMN IF NOT EXISTS created_at          TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS updated_at          TIMESTAMPTZ;

ALTER TABLE school_calendar_syncs
    ADD COLUMN IF NOT EXISTS school_provider_id INTEGER,
    ADD COLUMN IF NOT EXISTS calendar_url       TEXT,
    ADD COLUMN IF NOT EXISTS last_sync_at       TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS last_sync_success  BOOLEAN,
    ADD COLUMN IF NOT EXISTS last_sync_error    TEXT,
    ADD COLUMN IF NOT EXISTS events_count       INTEGER DEFAULT 0,
    ADD COLUMN IF NOT EXISTS sync_enabled       BOOLEAN DEFAULT true,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS updated_at         TIMESTAMPTZ;

ALTER TABLE school_events
    ADD COLUMN IF NOT EXISTS school_provider_id INTEGER,
    ADD COLUMN IF NOT EXISTS event_date         DATE,
    ADD COLUMN IF NOT EXISTS title              VARCHAR(255),
    ADD COLUMN IF NOT EXISTS description        TEXT,
    ADD COLUMN IF NOT EXISTS event_type         VARCHAR(50),
    ADD COLUMN IF NOT EXISTS start_time         TIME,
    ADD COLUMN IF NOT EXISTS end_time           TIME,
    ADD COLUMN IF NOT EXISTS all_day            BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS updated_at         TIMESTAMPTZ;

ALTER TABLE daycare_events
    ADD COLUMN IF NOT EXISTS daycare_provider_id INTEGER,
    ADD COLUMN IF NOT EXISTS event_date          DATE,
    ADD COLUMN IF NOT EXISTS title               VARCHAR(255),
    ADD COLUMN IF NOT EXISTS description         TEXT,
    ADD COLUMN IF NOT EXISTS event_type          VARCHAR(50),
    ADD COLUMN IF NOT EXISTS start_time          TIME,
    ADD COLUMN IF NOT EXISTS end_time            TIME,
    ADD COLUMN IF NOT EXISTS all_day             BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS created_at          TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS updated_at          TIMESTAMPTZ;

ALTER TABLE schedule_templates
    ADD COLUMN IF NOT EXISTS family_id                 UUID,
    ADD COLUMN IF NOT EXISTS name                      VARCHAR(255),
    ADD COLUMN IF NOT EXISTS description               TEXT,
    ADD COLUMN IF NOT EXISTS pattern_type              VARCHAR(50),
    ADD COLUMN IF NOT EXISTS weekly_pattern            JSONB,
    ADD COLUMN IF NOT EXISTS alternating_weeks_pattern JSONB,
    ADD COLUMN IF NOT EXISTS is_active                 BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN IF NOT EXISTS created_by_user_id        UUID,
    ADD COLUMN IF NOT EXISTS created_at                TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at                TIMESTAMP;

ALTER TABLE journal_entries
    ADD COLUMN IF NOT EXISTS family_id  UUID,
    ADD COLUMN IF NOT EXISTS user_id    UUID,
    ADD COLUMN IF NOT EXISTS title      VARCHAR(255),
    ADD COLUMN IF NOT EXISTS content    TEXT,
    ADD COLUMN IF NOT EXISTS entry_date DATE,
    ADD COLUMN IF NOT EXISTS created_at TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at TIMESTAMP;

-- add_medical_tables.py created this table without google_place_id, rating and created_by_user_id.
ALTER TABLE medical_providers
    ADD COLUMN IF NOT EXISTS family_id          UUID,
    ADD COLUMN IF NOT EXISTS name               VARCHAR(255),
    ADD COLUMN IF NOT EXISTS specialty          VARCHAR(255),
    ADD COLUMN IF NOT EXISTS address            TEXT,
    ADD COLUMN IF NOT EXISTS phone              VARCHAR(50),
    ADD COLUMN IF NOT EXISTS email              VARCHAR(255),
    ADD COLUMN IF NOT EXISTS website            VARCHAR(500),
    ADD COLUMN IF NOT EXISTS latitude           NUMERIC(10, 8),
    ADD COLUMN IF NOT EXISTS longitude          NUMERIC(11, 8),
    ADD COLUMN IF NOT EXISTS zip_code           VARCHAR(20),
    ADD COLUMN IF NOT EXISTS notes              TEXT,
    ADD COLUMN IF NOT EXISTS google_place_id    VARCHAR(255),
    ADD COLUMN IF NOT EXISTS rating             NUMERIC(3, 2),
    ADD COLUMN IF NOT EXISTS created_by_user_id UUID,
    ADD COLUMN IF NOT EXISTS created_at         TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at         TIMESTAMP;

ALTER TABLE medications
    ADD COLUMN IF NOT EXISTS family_id        UUID,
    ADD COLUMN IF NOT EXISTS name             VARCHAR(255),
    ADD COLUMN IF NOT EXISTS dosage           VARCHAR(100),
    ADD COLUMN IF NOT EXISTS frequency        VARCHAR(100),
    ADD COLUMN IF NOT EXISTS instructions     TEXT,
    ADD COLUMN IF NOT EXISTS start_date       DATE,
    ADD COLUMN IF NOT EXISTS end_date         DATE,
    ADD COLUMN IF NOT EXISTS is_active        BOOLEAN DEFAULT true,
    ADD COLUMN IF NOT EXISTS reminder_enabled BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS reminder_time    TIME,
    ADD COLUMN IF NOT EXISTS notes            TEXT,
    ADD COLUMN IF NOT EXISTS created_at       TIMESTAMP,
    ADD COLUMN IF NOT EXISTS updated_at       TIMESTAMP;

ALTER TABLE enrollment_codes
    ADD COLUMN IF NOT EXISTS family_id           UUID,
    ADD COLUMN IF NOT EXISTS code                VARCHAR(6),
    ADD COLUMN IF NOT EXISTS created_by_user_id  UUID,
    ADD COLUMN IF NOT EXISTS coparent_first_name VARCHAR(100),
    ADD COLUMN IF NOT EXISTS coparent_last_name  VARCHAR(100),
    ADD COLUMN IF NOT EXISTS coparent_email      VARCHAR(255),
    ADD COLUMN IF NOT EXISTS coparent_phone      VARCHAR(20),
    ADD COLUMN IF NOT EXISTS invitation_sent     BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS invitation_sent_at  TIMESTAMP,
    ADD COLUMN IF NOT EXISTS created_at          TIMESTAMP NOT NULL DEFAULT now();

ALTER TABLE email_verifications
    ADD COLUMN IF NOT EXISTS user_id     UUID,
    ADD COLUMN IF NOT EXISTS email       VARCHAR(255),
    ADD COLUMN IF NOT EXISTS code        VARCHAR(6),
    ADD COLUMN IF NOT EXISTS expires_at  TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS is_verified BOOLEAN DEFAULT false,
    ADD COLUMN IF NOT EXISTS verified_at TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS attempts    INTEGER DEFAULT 0,
    ADD COLUMN IF NOT EXISTS created_at  TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS updated_at  TIMESTAMPTZ;

-- ---------------------------------------------------------------------------------------------------
-- 4. NOT NULL for the spec's NOT NULL columns that section 3 may have added as NULL-able. Applied
--    only when no row holds a NULL; otherwise left as is with a NOTICE (values are never invented).
--    No-op on a fresh database and on a complete original one.
-- ---------------------------------------------------------------------------------------------------
DO $$
DECLARE
    r        record;
    tbl      regclass;
    has_null boolean;
BEGIN
    FOR r IN
        SELECT v.table_name, unnest(v.cols) AS column_name
        FROM (VALUES
            ('families',               ARRAY['name']),
            ('users',                  ARRAY['first_name', 'last_name', 'email']),
            ('user_profiles',          ARRAY['user_id']),
            ('themes',                 ARRAY['name', 'mainBackgroundColor', 'secondaryBackgroundColor',
                                             'textColor', 'headerTextColor', 'iconColor',
                                             'iconActiveColor', 'accentColor', 'parentOneColor',
                                             'parentTwoColor', 'is_public', 'created_at', 'updated_at']),
            ('user_preferences',       ARRAY['user_id']),
            ('events',                 ARRAY['family_id', 'date']),
            ('custody',                ARRAY['family_id', 'date', 'actor_id', 'custodian_id']),
            ('notification_emails',    ARRAY['family_id', 'email']),
            ('babysitters',            ARRAY['first_name', 'last_name', 'phone_number',
                                             'created_by_user_id']),
            ('babysitter_families',    ARRAY['babysitter_id', 'family_id', 'added_by_user_id']),
            ('emergency_contacts',     ARRAY['family_id', 'first_name', 'last_name', 'phone_number',
                                             'created_by_user_id']),
            ('group_chats',            ARRAY['family_id', 'contact_type', 'contact_id',
                                             'created_by_user_id']),
            ('children',               ARRAY['family_id', 'first_name', 'last_name', 'dob']),
            ('reminders',              ARRAY['family_id', 'date', 'text']),
            ('daycare_providers',      ARRAY['family_id', 'name', 'created_by_user_id']),
            ('school_providers',       ARRAY['family_id', 'name', 'created_by_user_id']),
            ('daycare_calendar_syncs', ARRAY['daycare_provider_id', 'calendar_url']),
            ('school_calendar_syncs',  ARRAY['school_provider_id', 'calendar_url']),
            ('school_events',          ARRAY['school_provider_id', 'event_date', 'title']),
            ('daycare_events',         ARRAY['daycare_provider_id', 'event_date', 'title']),
            ('schedule_templates',     ARRAY['family_id', 'name', 'pattern_type',
                                             'created_by_user_id']),
            ('journal_entries',        ARRAY['family_id', 'user_id', 'content', 'entry_date']),
            ('medical_providers',      ARRAY['family_id', 'name', 'created_by_user_id']),
            ('medications',            ARRAY['family_id', 'name']),
            ('enrollment_codes',       ARRAY['family_id', 'code', 'created_by_user_id']),
            ('email_verifications',    ARRAY['email', 'code', 'expires_at'])
        ) AS v(table_name, cols)
    LOOP
        tbl := to_regclass(format('%I.%I', current_schema(), r.table_name));
        IF EXISTS (SELECT 1 FROM pg_attribute a
                   WHERE a.attrelid = tbl AND a.attname = r.column_name
                     AND NOT a.attisdropped AND NOT a.attnotnull) THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I IS NULL)',
                           r.table_name, r.column_name) INTO has_null;
            IF has_null THEN
                RAISE NOTICE 'calndr: %.% holds NULLs; left NULL-able', r.table_name, r.column_name;
            ELSE
                EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET NOT NULL',
                               r.table_name, r.column_name);
            END IF;
        END IF;
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------------
-- 5. UNIQUE and CHECK constraints. Names: the spec's where it gives one, otherwise PostgreSQL's
--    default for the original inline definition (<table>_<column>_key). A unique constraint or plain
--    unique index on the same columns under any name counts as present.
--    custody / reminders (family_id, date) are handled by 000100 on adopted databases (duplicates
--    must be removed first).
-- ---------------------------------------------------------------------------------------------------
DO $$
DECLARE
    r   record;
    tbl regclass;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('users',                  'users_email_key',          ARRAY['email']),
            ('users',                  'users_apple_user_id_key',  ARRAY['apple_user_id']),
            ('users',                  'users_google_user_id_key', ARRAY['google_user_id']),
            ('user_profiles',          'user_profiles_user_id_key', ARRAY['user_id']),
            ('user_preferences',       'user_preferences_user_id_key', ARRAY['user_id']),
            ('babysitter_families',    'unique_babysitter_family', ARRAY['babysitter_id', 'family_id']),
            ('group_chats',            'group_chats_group_identifier_key', ARRAY['group_identifier']),
            ('daycare_calendar_syncs', 'daycare_calendar_syncs_daycare_provider_id_calendar_url_key',
                                       ARRAY['daycare_provider_id', 'calendar_url']),
            ('school_events',          'unique_school_event',
                                       ARRAY['school_provider_id', 'event_date', 'title']),
            ('daycare_events',         'unique_daycare_event',
                                       ARRAY['daycare_provider_id', 'event_date', 'title']),
            ('enrollment_codes',       'enrollment_codes_code_key', ARRAY['code']),
            ('email_verifications',    'unique_user_verification', ARRAY['user_id'])
        ) AS v(table_name, constraint_name, cols)
    LOOP
        tbl := to_regclass(format('%I.%I', current_schema(), r.table_name));
        IF NOT EXISTS (SELECT 1 FROM pg_constraint c
                       WHERE c.conrelid = tbl AND c.conname = r.constraint_name)
           AND NOT EXISTS (
               SELECT 1 FROM pg_index i
               WHERE i.indrelid = tbl AND i.indisunique
                 AND i.indpred IS NULL AND i.indexprs IS NULL
                 AND i.indnatts = cardinality(r.cols)
                 AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text)
                        FROM pg_attribute a
                       WHERE a.attrelid = tbl AND a.attnum = ANY (i.indkey))
                     = (SELECT array_agg(x ORDER BY x) FROM unnest(r.cols) AS x))
        THEN
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (%s)',
                           r.table_name, r.constraint_name,
                           (SELECT string_agg(quote_ident(x), ', ' ORDER BY n)
                              FROM unnest(r.cols) WITH ORDINALITY AS u(x, n)));
        END IF;
    END LOOP;
END $$;

-- group_chats.contact_type CHECK (PostgreSQL's default name for the original inline CHECK). Any
-- existing CHECK mentioning contact_type counts as present.
DO $$
DECLARE
    tbl regclass := to_regclass(format('%I.%I', current_schema(), 'group_chats'));
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint c
                   WHERE c.conrelid = tbl AND c.contype = 'c'
                     AND (c.conname = 'group_chats_contact_type_check'
                          OR pg_get_constraintdef(c.oid) LIKE '%contact_type%')) THEN
        BEGIN
            ALTER TABLE group_chats ADD CONSTRAINT group_chats_contact_type_check
                CHECK (contact_type IN ('babysitter', 'emergency'));
        EXCEPTION WHEN check_violation THEN
            -- legacy rows violate it: enforce for new rows only
            ALTER TABLE group_chats ADD CONSTRAINT group_chats_contact_type_check
                CHECK (contact_type IN ('babysitter', 'emergency')) NOT VALID;
            RAISE WARNING 'calndr: group_chats has rows violating contact_type CHECK; added NOT VALID';
        END;
    END IF;
END $$;

-- ---------------------------------------------------------------------------------------------------
-- 6. Foreign keys, all referencing <table>(id). Added after every table exists, which also resolves
--    the circular chain families -> *_calendar_syncs -> *_providers -> families. Names: the spec's
--    where given (fk_user_preferences_theme), otherwise PostgreSQL's default for the original inline
--    REFERENCES (<table>_<column>_fkey). A foreign key on the same column to the same table under any
--    name counts as present (its ON DELETE is then left as the database has it). If legacy rows are
--    orphaned, the key is added NOT VALID (enforced for new rows) with a WARNING instead of failing.
-- ---------------------------------------------------------------------------------------------------
DO $$
DECLARE
    r   record;
    tbl regclass;
    ref regclass;
    con text;
    ddl text;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            -- table                  column                 references                on delete
            ('users',                  'family_id',           'families',               'NO ACTION'),
            ('families',               'daycare_sync_id',     'daycare_calendar_syncs', 'SET NULL'),
            ('families',               'school_sync_id',      'school_calendar_syncs',  'SET NULL'),
            ('user_profiles',          'user_id',             'users',                  'CASCADE'),
            ('user_preferences',       'user_id',             'users',                  'CASCADE'),
            ('user_preferences',       'selected_theme_id',   'themes',                 'NO ACTION'),
            ('themes',                 'created_by_user_id',  'users',                  'NO ACTION'),
            ('events',                 'family_id',           'families',               'NO ACTION'),
            ('custody',                'family_id',           'families',               'NO ACTION'),
            ('custody',                'actor_id',            'users',                  'NO ACTION'),
            ('custody',                'custodian_id',        'users',                  'NO ACTION'),
            ('notification_emails',    'family_id',           'families',               'NO ACTION'),
            ('babysitters',            'created_by_user_id',  'users',                  'NO ACTION'),
            ('babysitter_families',    'babysitter_id',       'babysitters',            'CASCADE'),
            ('babysitter_families',    'family_id',           'families',               'CASCADE'),
            ('babysitter_families',    'added_by_user_id',    'users',                  'NO ACTION'),
            ('emergency_contacts',     'family_id',           'families',               'CASCADE'),
            ('emergency_contacts',     'created_by_user_id',  'users',                  'NO ACTION'),
            ('group_chats',            'family_id',           'families',               'CASCADE'),
            ('group_chats',            'created_by_user_id',  'users',                  'NO ACTION'),
            ('children',               'family_id',           'families',               'CASCADE'),
            ('reminders',              'family_id',           'families',               'CASCADE'),
            ('daycare_providers',      'family_id',           'families',               'CASCADE'),
            ('daycare_providers',      'created_by_user_id',  'users',                  'NO ACTION'),
            ('school_providers',       'family_id',           'families',               'CASCADE'),
            ('school_providers',       'created_by_user_id',  'users',                  'NO ACTION'),
            ('daycare_calendar_syncs', 'daycare_provider_id', 'daycare_providers',      'CASCADE'),
            ('school_calendar_syncs',  'school_provider_id',  'school_providers',       'CASCADE'),
            ('school_events',          'school_provider_id',  'school_providers',       'CASCADE'),
            ('daycare_events',         'daycare_provider_id', 'daycare_providers',      'CASCADE'),
            ('schedule_templates',     'family_id',           'families',               'CASCADE'),
            ('schedule_templates',     'created_by_user_id',  'users',                  'NO ACTION'),
            ('journal_entries',        'family_id',           'families',               'CASCADE'),
            ('journal_entries',        'user_id',             'users',                  'CASCADE'),
            ('medical_providers',      'family_id',           'families',               'CASCADE'),
            ('medical_providers',      'created_by_user_id',  'users',                  'NO ACTION'),
            ('medications',            'family_id',           'families',               'CASCADE'),
            ('enrollment_codes',       'family_id',           'families',               'CASCADE'),
            ('enrollment_codes',       'created_by_user_id',  'users',                  'NO ACTION'),
            ('email_verifications',    'user_id',             'users',                  'CASCADE')
        ) AS v(table_name, column_name, ref_table, on_delete)
    LOOP
        tbl := to_regclass(format('%I.%I', current_schema(), r.table_name));
        ref := to_regclass(format('%I.%I', current_schema(), r.ref_table));
        con := CASE
            WHEN r.table_name = 'user_preferences' AND r.column_name = 'selected_theme_id'
                THEN 'fk_user_preferences_theme'
            ELSE format('%s_%s_fkey', r.table_name, r.column_name)
        END;
        IF NOT EXISTS (
            SELECT 1 FROM pg_constraint c
            WHERE c.conrelid = tbl AND c.contype = 'f'
              AND (c.conname = con
                   OR (c.confrelid = ref
                       AND c.conkey = ARRAY[(SELECT a.attnum FROM pg_attribute a
                                             WHERE a.attrelid = tbl
                                               AND a.attname = r.column_name)])))
        THEN
            ddl := format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES %I (id) '
                          'ON DELETE %s',
                          r.table_name, con, r.column_name, r.ref_table, r.on_delete);
            BEGIN
                EXECUTE ddl;
            EXCEPTION WHEN foreign_key_violation THEN
                EXECUTE ddl || ' NOT VALID';
                RAISE WARNING 'calndr: %.% has orphaned rows; foreign key % added NOT VALID',
                    r.table_name, r.column_name, con;
            END;
        END IF;
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------------
-- 7. Indexes (original names; definitions from migrate_optimize_indexes.py and the table scripts)
-- ---------------------------------------------------------------------------------------------------

-- users
CREATE INDEX IF NOT EXISTS idx_users_family_id           ON users (family_id);
CREATE INDEX IF NOT EXISTS idx_users_family_id_optimized ON users (family_id);
CREATE INDEX IF NOT EXISTS idx_users_email_lookup        ON users (email);
CREATE INDEX IF NOT EXISTS idx_users_status_family       ON users (family_id, status) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS idx_users_auth_covering       ON users (id, family_id, first_name, last_name, status);
CREATE INDEX IF NOT EXISTS idx_users_enrolled            ON users (enrolled);
CREATE INDEX IF NOT EXISTS idx_users_coparent_enrolled   ON users (coparent_enrolled);

-- families
CREATE INDEX IF NOT EXISTS idx_families_daycare_sync ON families (daycare_sync_id);
CREATE INDEX IF NOT EXISTS idx_families_school_sync  ON families (school_sync_id);

-- user_preferences
CREATE INDEX IF NOT EXISTS idx_user_preferences_user_id ON user_preferences (user_id);
CREATE INDEX IF NOT EXISTS idx_user_preferences_theme   ON user_preferences (user_id, selected_theme_id);

-- events
CREATE INDEX IF NOT EXISTS idx_events_family_date_range ON events (family_id, date);
CREATE INDEX IF NOT EXISTS idx_events_family_type_date  ON events (family_id, event_type, date);
CREATE INDEX IF NOT EXISTS idx_events_date_only         ON events (date) WHERE event_type != 'custody';
CREATE INDEX IF NOT EXISTS idx_events_calendar_covering ON events (family_id, date, content, event_type, position);

-- custody
CREATE INDEX IF NOT EXISTS idx_custody_family_date           ON custody (family_id, date);
CREATE INDEX IF NOT EXISTS idx_custody_family_date_optimized ON custody (family_id, date);
CREATE INDEX IF NOT EXISTS idx_custody_custodian_date        ON custody (custodian_id, date);
CREATE INDEX IF NOT EXISTS idx_custody_family_custodian      ON custody (family_id, custodian_id);
CREATE INDEX IF NOT EXISTS idx_custody_handoff_timeline      ON custody (family_id, date, handoff_day) WHERE handoff_day = true;
CREATE INDEX IF NOT EXISTS idx_custody_handoff_queries       ON custody (family_id, date, handoff_day);
CREATE INDEX IF NOT EXISTS idx_custody_timeline_covering     ON custody (family_id, date, custodian_id, handoff_day, handoff_time, handoff_location);

-- children
CREATE INDEX IF NOT EXISTS idx_children_family_dob ON children (family_id, dob DESC);

-- reminders
CREATE INDEX IF NOT EXISTS idx_reminders_family_id         ON reminders (family_id);
CREATE INDEX IF NOT EXISTS idx_reminders_date              ON reminders (date);
CREATE INDEX IF NOT EXISTS idx_reminders_family_date       ON reminders (family_id, date);
CREATE INDEX IF NOT EXISTS idx_reminders_family_date_range ON reminders (family_id, date);
CREATE INDEX IF NOT EXISTS idx_reminders_notification_time ON reminders (date, notification_time) WHERE notification_enabled = true;

-- daycare_providers / school_providers
CREATE INDEX IF NOT EXISTS idx_daycare_providers_family_id          ON daycare_providers (family_id);
CREATE INDEX IF NOT EXISTS idx_daycare_providers_created_by_user_id ON daycare_providers (created_by_user_id);
CREATE INDEX IF NOT EXISTS idx_daycare_providers_google_place_id    ON daycare_providers (google_place_id);
CREATE INDEX IF NOT EXISTS idx_daycare_providers_family             ON daycare_providers (family_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_school_providers_family_id           ON school_providers (family_id);
CREATE INDEX IF NOT EXISTS idx_school_providers_family              ON school_providers (family_id, created_at DESC);

-- daycare_calendar_syncs / school_calendar_syncs
CREATE INDEX IF NOT EXISTS idx_daycare_calendar_syncs_provider_id  ON daycare_calendar_syncs (daycare_provider_id);
CREATE INDEX IF NOT EXISTS idx_daycare_calendar_syncs_sync_enabled ON daycare_calendar_syncs (sync_enabled);
CREATE INDEX IF NOT EXISTS idx_daycare_calendar_syncs_last_sync    ON daycare_calendar_syncs (last_sync_at);
CREATE INDEX IF NOT EXISTS idx_daycare_syncs_enabled               ON daycare_calendar_syncs (sync_enabled, last_sync_at DESC) WHERE sync_enabled = true;
CREATE INDEX IF NOT EXISTS idx_school_calendar_syncs_provider_id   ON school_calendar_syncs (school_provider_id);
CREATE INDEX IF NOT EXISTS idx_school_syncs_enabled                ON school_calendar_syncs (sync_enabled, last_sync_at DESC) WHERE sync_enabled = true;

-- school_events / daycare_events
CREATE INDEX IF NOT EXISTS idx_school_events_provider_date  ON school_events (school_provider_id, event_date);
CREATE INDEX IF NOT EXISTS idx_school_events_date           ON school_events (event_date);
CREATE INDEX IF NOT EXISTS idx_school_events_date_range     ON school_events (event_date, school_provider_id);
CREATE INDEX IF NOT EXISTS idx_daycare_events_provider_date ON daycare_events (daycare_provider_id, event_date);
CREATE INDEX IF NOT EXISTS idx_daycare_events_date          ON daycare_events (event_date);
CREATE INDEX IF NOT EXISTS idx_daycare_events_date_range    ON daycare_events (event_date, daycare_provider_id);

-- schedule_templates
CREATE INDEX IF NOT EXISTS idx_schedule_templates_family_id    ON schedule_templates (family_id);
CREATE INDEX IF NOT EXISTS idx_schedule_templates_created_by   ON schedule_templates (created_by_user_id);
CREATE INDEX IF NOT EXISTS idx_schedule_templates_pattern_type ON schedule_templates (pattern_type);

-- journal_entries
CREATE INDEX IF NOT EXISTS idx_journal_entries_family_date ON journal_entries (family_id, entry_date DESC);
CREATE INDEX IF NOT EXISTS idx_journal_family_date_desc    ON journal_entries (family_id, entry_date DESC, created_at DESC);

-- medical_providers / medications (names from add_medical_tables.py)
CREATE INDEX IF NOT EXISTS idx_medical_providers_family_id   ON medical_providers (family_id);
CREATE INDEX IF NOT EXISTS idx_medical_providers_name        ON medical_providers (name);
CREATE INDEX IF NOT EXISTS idx_medical_providers_specialty   ON medical_providers (specialty);
CREATE INDEX IF NOT EXISTS idx_medical_providers_coordinates ON medical_providers (latitude, longitude);
CREATE INDEX IF NOT EXISTS idx_medications_family_id         ON medications (family_id);
CREATE INDEX IF NOT EXISTS idx_medications_name              ON medications (name);
CREATE INDEX IF NOT EXISTS idx_medications_active            ON medications (is_active);
CREATE INDEX IF NOT EXISTS idx_medications_reminder_enabled  ON medications (reminder_enabled);
CREATE INDEX IF NOT EXISTS idx_medications_dates             ON medications (start_date, end_date);

-- enrollment_codes
CREATE INDEX IF NOT EXISTS idx_enrollment_codes_family_id          ON enrollment_codes (family_id);
CREATE INDEX IF NOT EXISTS idx_enrollment_codes_code               ON enrollment_codes (code);
CREATE INDEX IF NOT EXISTS idx_enrollment_codes_created_by_user_id ON enrollment_codes (created_by_user_id);

-- email_verifications
CREATE INDEX IF NOT EXISTS idx_email_verifications_email       ON email_verifications (email);
CREATE INDEX IF NOT EXISTS idx_email_verifications_user_id     ON email_verifications (user_id);
CREATE INDEX IF NOT EXISTS idx_email_verifications_expires_at  ON email_verifications (expires_at);
CREATE INDEX IF NOT EXISTS idx_email_verifications_is_verified ON email_verifications (is_verified);

-- ---------------------------------------------------------------------------------------------------
-- 8. BEFORE UPDATE triggers (original trigger names)
-- ---------------------------------------------------------------------------------------------------
DROP TRIGGER IF EXISTS update_daycare_providers_updated_at ON daycare_providers;
CREATE TRIGGER update_daycare_providers_updated_at
    BEFORE UPDATE ON daycare_providers
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS trigger_update_school_providers_updated_at ON school_providers;
CREATE TRIGGER trigger_update_school_providers_updated_at
    BEFORE UPDATE ON school_providers
    FOR EACH ROW EXECUTE FUNCTION update_school_providers_updated_at();

DROP TRIGGER IF EXISTS update_daycare_calendar_syncs_updated_at ON daycare_calendar_syncs;
CREATE TRIGGER update_daycare_calendar_syncs_updated_at
    BEFORE UPDATE ON daycare_calendar_syncs
    FOR EACH ROW EXECUTE FUNCTION update_daycare_calendar_syncs_updated_at();

DROP TRIGGER IF EXISTS trigger_update_school_calendar_syncs_updated_at ON school_calendar_syncs;
CREATE TRIGGER trigger_update_school_calendar_syncs_updated_at
    BEFORE UPDATE ON school_calendar_syncs
    FOR EACH ROW EXECUTE FUNCTION update_school_calendar_syncs_updated_at();

DROP TRIGGER IF EXISTS update_journal_entries_updated_at ON journal_entries;
CREATE TRIGGER update_journal_entries_updated_at
    BEFORE UPDATE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_email_verifications_updated_at ON email_verifications;
CREATE TRIGGER update_email_verifications_updated_at
    BEFORE UPDATE ON email_verifications
    FOR EACH ROW EXECUTE FUNCTION update_email_verifications_updated_at();
