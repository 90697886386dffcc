//! [`Mailer`] over Amazon SES v2 (`SendEmail`, simple content with text and HTML parts).
//!
//! Credentials come from the default AWS chain (the ECS task role in production) unless static
//! ones are given (tests). Throttling, 5xx and network failures are `Unavailable` (the job worker
//! retries); a message SES rejects is `Unexpected`. Recipients and contents are never logged.

use std::time::Duration;

use crate::{AwsTarget, Lazy};
use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_sdk_sesv2::Client;
use calndr_ports::{Mailer, OutgoingEmail, StoreError};

#[derive(Clone)]
pub struct SesConfig {
    pub region: String,
    /// `Calndr <no-reply@calndr.club>`: must be a verified SES identity.
    pub from: String,
    /// Another endpoint (a local fake in tests; a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// Static credentials (access key id, secret); `None`: the default chain.
    pub static_credentials: Option<(String, String)>,
    pub timeout: Duration,
}

impl std::fmt::Debug for SesConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SesConfig")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

pub struct SesMailer {
    from: String,
    client: Lazy<Client>,
}

impl SesMailer {
    pub fn new(config: SesConfig) -> Self {
        Self {
            from: config.from,
            client: Lazy::new(AwsTarget {
                region: config.region,
                endpoint_url: config.endpoint_url,
                static_credentials: config.static_credentials,
                timeout: config.timeout,
            }),
        }
    }
}

fn content(data: String) -> Result<Content, StoreError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| StoreError::unexpected(format!("building an SES message: {e}")))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: OutgoingEmail) -> Result<(), StoreError> {
        let message = Message::builder()
            .subject(content(email.subject)?)
            .body(
                Body::builder()
                    .text(content(email.text)?)
                    .html(content(email.html)?)
                    .build(),
            )
            .build();
        let result = self
            .client
            .get(|shared, _| Client::new(shared))
            .await
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(email.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await;
        result.map(|_| ()).map_err(|e| crate::sdk_failure("SES", e))
    }
}
