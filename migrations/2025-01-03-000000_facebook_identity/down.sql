DROP INDEX IF EXISTS users_facebook_user_id_key;
ALTER TABLE users DROP COLUMN IF EXISTS facebook_user_id;
