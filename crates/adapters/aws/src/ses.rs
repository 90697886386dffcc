//! [`Mailer`] over Amazon SES v2 (`SendEmail`, simple content with text and HTML parts).
//!
//! Credentials come from the default AWS chain (the ECS task role in production) unless static
//! ones are given (tests). Throttling, 5xx and network failures are `Unavailable` (the job worker
//! retries); a message SES rejects is `Unexpected`. Recipients and contents are never logged.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_sdk_sesv2::Client;
use calndr_ports::{Mailer, OutgoingEmail, StoreError};
use tokio::sync::OnceCell;

use crate::AwsTarget;

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
    config: SesConfig,
    client: OnceCell<Client>,
}

impl SesMailer {
    pub fn new(config: SesConfig) -> Self {
        Self {
            config,
            client: OnceCell::new(),
        }
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async {
                let c = &self.config;
                let shared = crate::sdk_config(&AwsTarget {
                    region: c.region.clone(),
                    endpoint_url: c.endpoint_url.clone(),
                    static_credentials: c.static_credentials.clone(),
                    timeout: c.timeout,
                })
                .await;
                Client::new(&shared)
            })
            .await
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
            .client()
            .await
            .send_email()
            .from_email_address(&self.config.from)
            .destination(
                Destination::builder()
                    .to_addresses(email.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) => Err(crate::service_failure(
                "SES",
                e.raw().status().as_u16(),
                e.err().code().unwrap_or("unknown"),
            )),
            Err(other) => Err(StoreError::Unavailable(Box::new(other))),
        }
    }
}
