//! [`Mailer`] over Amazon SES v2 (`SendEmail`, simple content with text and HTML parts).
//!
//! Credentials come from the default AWS chain (the ECS task role in production) unless static
//! ones are given (tests). Throttling, 5xx and network failures are `Unavailable` (the job worker
//! retries); a message SES rejects is `Unexpected`. Recipients and contents are never logged.

use std::time::Duration;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_sdk_sesv2::config::{Credentials, Region};
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_sdk_sesv2::Client;
use calndr_ports::{Mailer, OutgoingEmail, StoreError};
use tokio::sync::OnceCell;

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
                let timeouts = aws_config::timeout::TimeoutConfig::builder()
                    .operation_attempt_timeout(c.timeout)
                    .operation_timeout(c.timeout * 3)
                    .build();
                let mut loader = aws_config::defaults(BehaviorVersion::latest())
                    .region(Region::new(c.region.clone()))
                    .timeout_config(timeouts)
                    .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2));
                if let Some(url) = &c.endpoint_url {
                    loader = loader.endpoint_url(url.clone());
                }
                if let Some((id, secret)) = &c.static_credentials {
                    loader = loader.credentials_provider(Credentials::new(
                        id.clone(),
                        secret.clone(),
                        None,
                        None,
                        "calndr-static",
                    ));
                }
                Client::new(&loader.load().await)
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
            Err(SdkError::ServiceError(e)) => {
                let code = e.err().code().unwrap_or("unknown").to_owned();
                let status = e.raw().status().as_u16();
                let retryable = status == 429
                    || status >= 500
                    || code.contains("Throttl")
                    || code == "TooManyRequestsException";
                tracing::warn!(ses.code = %code, http.status = status, "SES refused a message");
                if retryable {
                    Err(StoreError::Unavailable(
                        format!("SES {status} {code}").into(),
                    ))
                } else {
                    Err(StoreError::unexpected(format!("SES {status} {code}")))
                }
            }
            Err(other) => Err(StoreError::Unavailable(Box::new(other))),
        }
    }
}
