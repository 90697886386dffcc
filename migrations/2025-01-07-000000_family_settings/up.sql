-- A family's settings (issue #15 item 1): its IANA time zone, in which handoff times are local
-- times, and who changed it last. No row means the defaults (UTC, never changed). Deleted with
-- the family; the author link is cleared if that user row is ever deleted outright.
CREATE TABLE IF NOT EXISTS family_settings (
    family_id uuid PRIMARY KEY REFERENCES families (id) ON DELETE CASCADE,
    timezone varchar(64) NOT NULL,
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL
);
