use async_trait::async_trait;
use calndr_domain::EmailAddress;

use crate::StoreError;

/// A message with a plain-text and an HTML part. Both are built by the core from escaped values.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Sends e-mail (SES in production).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// False for the stand-in used when no mail service is configured.
    fn configured(&self) -> bool {
        true
    }

    /// `Unavailable` when the provider is unreachable or not configured; the message is not sent.
    async fn send(&self, email: OutgoingEmail) -> Result<(), StoreError>;
}
