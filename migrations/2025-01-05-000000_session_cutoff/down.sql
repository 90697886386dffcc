ALTER TABLE users DROP COLUMN IF EXISTS sessions_kept, DROP COLUMN IF EXISTS sessions_not_before;
