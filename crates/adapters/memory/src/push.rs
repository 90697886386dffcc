//! [`PushNotifier`]s that do not talk to a provider.

use std::sync::Mutex;

use async_trait::async_trait;
use calndr_ports::{PushMessage, PushNotifier, StoreError};

use crate::lock;

/// Keeps every push instead of sending it (tests).
#[derive(Debug, Default)]
pub struct RecordingPush {
    sent: Mutex<Vec<PushMessage>>,
}

impl RecordingPush {
    pub fn new() -> Self {
        Self::default()
    }

    /// The pushes sent so far, oldest first.
    pub fn sent(&self) -> Vec<PushMessage> {
        lock(&self.sent).clone()
    }
}

#[async_trait]
impl PushNotifier for RecordingPush {
    async fn send(&self, message: PushMessage) -> Result<(), StoreError> {
        lock(&self.sent).push(message);
        Ok(())
    }
}

/// The notifier when no push provider is configured: not configured, every send `Unavailable`.
#[derive(Debug, Default, Clone, Copy)]
pub struct DisabledPush;

#[async_trait]
impl PushNotifier for DisabledPush {
    fn configured(&self) -> bool {
        false
    }

    async fn send(&self, _message: PushMessage) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "push delivery is not configured".into(),
        ))
    }
}
