//! [`SmsSender`]s that do not talk to a provider.

use std::sync::Mutex;

use async_trait::async_trait;
use calndr_domain::UsPhoneNumber;
use calndr_ports::{SmsSender, StoreError};

use crate::lock;

/// Keeps every text instead of sending it (tests): `(E.164 number, text)`.
#[derive(Debug, Default)]
pub struct RecordingSms {
    sent: Mutex<Vec<(String, String)>>,
}

impl RecordingSms {
    pub fn new() -> Self {
        Self::default()
    }

    /// The texts sent so far, oldest first.
    pub fn sent(&self) -> Vec<(String, String)> {
        lock(&self.sent).clone()
    }
}

#[async_trait]
impl SmsSender for RecordingSms {
    async fn send(&self, to: &UsPhoneNumber, text: &str) -> Result<(), StoreError> {
        lock(&self.sent).push((to.as_str().to_owned(), text.to_owned()));
        Ok(())
    }
}

/// The sender when no SMS provider is configured (until issue #5): every send `Unavailable`.
#[derive(Debug, Default, Clone, Copy)]
pub struct DisabledSms;

#[async_trait]
impl SmsSender for DisabledSms {
    fn configured(&self) -> bool {
        false
    }

    async fn send(&self, _to: &UsPhoneNumber, _text: &str) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "SMS delivery is not configured".into(),
        ))
    }
}
