-- Idempotency-Key of creating requests (issue #12): one row per (scope, key). `scope` is
-- 'user:<uuid>' or 'register:<sha-256 of the e-mail>'; `fingerprint` is the request's method, path
-- and body hash. A row without `status` is a claim still running (`claimed_at`); with it, the
-- first answer, answered again to the same request for 24 hours (`created_at`).
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope        TEXT        NOT NULL,
    key          TEXT        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint  TEXT        NOT NULL,
    claim_id     UUID        NOT NULL,
    status       SMALLINT    NULL,
    content_type TEXT        NULL,
    body         BYTEA       NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key),
    CHECK ((status IS NULL) = (body IS NULL))
);
CREATE INDEX IF NOT EXISTS idx_idempotency_keys_created_at ON idempotency_keys (created_at);
