//! Short-lived SMS PINs.

use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::{CodeCheck, VerificationCode};

use crate::StoreError;

/// Short-lived SMS PINs shared by every instance (Redis in production).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PinStore: Send + Sync {
    /// Stores a PIN for `subject` (replacing any, attempts reset) for `ttl`.
    async fn put_pin(
        &self,
        subject: &str,
        pin: &VerificationCode,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// One attempt, counted atomically (concurrent guesses each use one): `check_code`'s
    /// outcome. The PIN is deleted once verified or dead.
    async fn check_pin(
        &self,
        subject: &str,
        given: &VerificationCode,
    ) -> Result<CodeCheck, StoreError>;
}
