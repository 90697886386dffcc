use async_trait::async_trait;
use calndr_domain::UserId;

use crate::StoreError;

/// A push notification for one device.
#[derive(Debug, Clone, PartialEq)]
pub struct PushMessage {
    pub recipient: UserId,
    /// The APNs device token the app registered.
    pub device_token: String,
    /// The whole APNs payload (`{"aps": {...}, ...}`).
    pub payload: serde_json::Value,
}

/// Sends push notifications (APNs in production).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PushNotifier: Send + Sync {
    /// False when no push provider is configured (every send would fail).
    fn configured(&self) -> bool {
        true
    }
    /// `Unavailable` when the provider is unreachable or not configured; nothing is sent.
    async fn send(&self, message: PushMessage) -> Result<(), StoreError>;
}
