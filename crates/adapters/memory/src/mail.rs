//! [`Mailer`]s that do not talk to a provider.

use std::sync::Mutex;

use async_trait::async_trait;
use calndr_ports::{Mailer, OutgoingEmail, StoreError};

use crate::lock;

/// Keeps every message instead of sending it (local runs and tests).
#[derive(Debug, Default)]
pub struct RecordingMailer {
    sent: Mutex<Vec<OutgoingEmail>>,
}

impl RecordingMailer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The messages sent so far, oldest first.
    pub fn sent(&self) -> Vec<OutgoingEmail> {
        lock(&self.sent).clone()
    }
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, email: OutgoingEmail) -> Result<(), StoreError> {
        lock(&self.sent).push(email);
        Ok(())
    }
}

/// The mailer when no provider is configured: every send fails with `Unavailable`.
#[derive(Debug, Default, Clone, Copy)]
pub struct DisabledMailer;

#[async_trait]
impl Mailer for DisabledMailer {
    fn configured(&self) -> bool {
        false
    }

    async fn send(&self, _email: OutgoingEmail) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "e-mail delivery is not configured".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use calndr_domain::EmailAddress;

    use super::*;

    fn message(subject: &str) -> OutgoingEmail {
        OutgoingEmail {
            to: EmailAddress::parse("a@example.com").unwrap(),
            subject: subject.to_owned(),
            text: "text".to_owned(),
            html: "<p>html</p>".to_owned(),
        }
    }

    #[tokio::test]
    async fn recording_mailer_keeps_messages_in_order() {
        let m = RecordingMailer::new();
        m.send(message("one")).await.unwrap();
        m.send(message("two")).await.unwrap();
        let subjects: Vec<_> = m.sent().into_iter().map(|e| e.subject).collect();
        assert_eq!(subjects, ["one", "two"]);
    }

    #[tokio::test]
    async fn disabled_mailer_is_unavailable() {
        let err = DisabledMailer.send(message("x")).await.unwrap_err();
        let StoreError::Unavailable(cause) = err else {
            panic!("expected Unavailable, got {err:?}");
        };
        assert!(cause.to_string().contains("not configured"));
    }
}
