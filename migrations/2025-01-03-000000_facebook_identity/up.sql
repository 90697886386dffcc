-- Facebook Login identifies users by (provider, subject) like Apple and Google already do.
ALTER TABLE users ADD COLUMN IF NOT EXISTS facebook_user_id VARCHAR NULL;
CREATE UNIQUE INDEX IF NOT EXISTS users_facebook_user_id_key ON users (facebook_user_id);
