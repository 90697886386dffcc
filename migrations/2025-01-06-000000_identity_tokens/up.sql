-- Sign in with Apple (issue #14 item 2): the refresh token Apple returned at the last code
-- exchange, kept only to revoke it when the account is deleted (Apple requires it). Erased with
-- the account; the row goes with a user row deleted outright.
CREATE TABLE IF NOT EXISTS identity_tokens (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider varchar(16) NOT NULL,
    refresh_token text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, provider)
);
