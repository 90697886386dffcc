use async_trait::async_trait;
use calndr_domain::UsPhoneNumber;

use crate::StoreError;

/// Sends text messages (AWS SNS in the original; the provider arrives with issue #5).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// False when no SMS provider is configured (every send would fail).
    fn configured(&self) -> bool {
        true
    }
    /// `Unavailable` when the provider is unreachable or not configured; nothing is sent.
    async fn send(&self, to: &UsPhoneNumber, text: &str) -> Result<(), StoreError>;
}
