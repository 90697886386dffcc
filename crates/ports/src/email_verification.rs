//! Storage of e-mail verification codes and the verified marks on the user.

use async_trait::async_trait;
use calndr_domain::{CodeCheck, EmailAddress, UsPhoneNumber, UserId, VerificationCode};
use chrono::{DateTime, Utc};

use crate::{NewJob, StoreError};

/// E-mail verification codes (`email_verifications`, one row per user) and the verified mark
/// on the user.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EmailVerificationStore: Send + Sync {
    /// When the user's e-mail was verified, if ever.
    async fn email_verified_at(&self, user: UserId) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Replaces the user's code (attempts reset) and queues `jobs` (the verification e-mail
    /// carrying the code) in the same transaction: both or neither. `NotFound` when the user
    /// does not exist (and nothing is queued).
    async fn put_email_code(
        &self,
        user: UserId,
        email: &EmailAddress,
        code: &VerificationCode,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<(), StoreError>;

    /// One attempt, in one transaction under a row lock (`check_code`): a wrong code's attempt is
    /// persisted; success marks the code used, sets `users.email_verified_at` and
    /// `users.status = 'active'`. `NoCode` when the user has no live code.
    async fn check_email_code(
        &self,
        user: UserId,
        given: &VerificationCode,
        now: DateTime<Utc>,
    ) -> Result<CodeCheck, StoreError>;

    /// Sets `users.phone_number` and `users.phone_verified_at`. `NotFound` when the user does
    /// not exist.
    async fn mark_phone_verified(
        &self,
        user: UserId,
        phone: &UsPhoneNumber,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
