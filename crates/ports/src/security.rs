use async_trait::async_trait;
use calndr_domain::{AccessTokenClaims, FamilyId, Password, PasswordHash, UserId};
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::StoreError;

/// Hashes and verifies passwords off the async workers, with bounded concurrency.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A new hash in the configured scheme.
    async fn hash(&self, password: Password) -> Result<PasswordHash, StoreError>;
    /// Whether `password` matches `hash` (the original's bcrypt hashes included). A malformed
    /// stored hash verifies as `false`.
    async fn verify(&self, password: Password, hash: PasswordHash) -> Result<bool, StoreError>;
    /// Spends the same work as a real verification, for unknown accounts (no timing oracle).
    async fn verify_nothing(&self, password: Password) -> Result<(), StoreError>;
    /// Whether `hash` is not in the configured scheme and should be replaced after a login.
    fn needs_rehash(&self, hash: &PasswordHash) -> bool;
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    #[error("token invalid")]
    Invalid,
    #[error("token could not be issued")]
    Issue,
}

/// A freshly signed access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// A decoded password-reset token: who it is for and which password it may replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetClaims {
    pub user_id: UserId,
    pub password_fingerprint: String,
}

/// Signs and verifies tokens (HS256 JWT, wire-compatible with the original).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait TokenService: Send + Sync {
    fn issue(&self, user: UserId, family: Option<FamilyId>) -> Result<IssuedToken, TokenError>;
    fn verify(&self, token: &str) -> Result<AccessTokenClaims, TokenError>;
    /// A one-hour password-reset token bound to the current password hash (None for accounts
    /// without a password), so it stops working once the password changes.
    #[expect(
        clippy::needless_lifetimes,
        reason = "mockall::automock cannot expand an elided lifetime in Option<&T>"
    )]
    fn issue_reset<'a>(
        &self,
        user: UserId,
        current: Option<&'a PasswordHash>,
    ) -> Result<String, TokenError>;
    fn verify_reset(&self, token: &str) -> Result<ResetClaims, TokenError>;
    /// The fingerprint `issue_reset` embeds for `current`.
    #[expect(
        clippy::needless_lifetimes,
        reason = "mockall::automock cannot expand an elided lifetime in Option<&T>"
    )]
    fn password_fingerprint<'a>(&self, current: Option<&'a PasswordHash>) -> String;
}
