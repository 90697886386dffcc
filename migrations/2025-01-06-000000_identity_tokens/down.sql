DROP TABLE IF EXISTS identity_tokens;
