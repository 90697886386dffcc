-- Taking access back (issue #14): every token of the user issued at or before
-- sessions_not_before stops authenticating, except the one issued at sessions_kept (the session a
-- password change was made from). Tokens keep the original's format; NULL: no cut-off.
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS sessions_not_before timestamptz,
    ADD COLUMN IF NOT EXISTS sessions_kept timestamptz;
