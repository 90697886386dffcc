//! Calndr adapters on AWS.
//!
//! * [`SesMailer`]: the [`calndr_ports::Mailer`] over SES v2 `SendEmail` (text and HTML parts).
//! * [`SnsSms`]: the [`calndr_ports::SmsSender`] over SNS `Publish` (transactional SMS).
//! * [`SnsPush`]: the [`calndr_ports::PushNotifier`] over SNS mobile push (the original's way).
//! * [`S3Storage`]: the [`calndr_ports::ObjectStorage`] over a private, encrypted S3 bucket.
//!
//! Credentials come from the default AWS chain (the ECS task role) unless static ones are given
//! (tests). Each client has an attempt timeout and at most two attempts.

mod s3;
mod ses;
mod sns;
mod sns_push;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_sesv2::config::{Credentials, Region};

pub use s3::{S3Config, S3Storage};
pub use ses::{SesConfig, SesMailer};
pub use sns::{SnsConfig, SnsSms};
pub use sns_push::{SnsPush, SnsPushConfig};

/// Where and how an AWS client talks.
#[derive(Clone)]
pub(crate) struct AwsTarget {
    pub region: String,
    pub endpoint_url: Option<String>,
    pub static_credentials: Option<(String, String)>,
    pub timeout: Duration,
}

pub(crate) async fn sdk_config(t: &AwsTarget) -> aws_config::SdkConfig {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(t.timeout)
        .operation_timeout(t.timeout * 3)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(t.region.clone()))
        .timeout_config(timeouts)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2));
    if let Some(url) = &t.endpoint_url {
        loader = loader.endpoint_url(url.clone());
    }
    if let Some((id, secret)) = &t.static_credentials {
        loader = loader.credentials_provider(Credentials::new(
            id.clone(),
            secret.clone(),
            None,
            None,
            "calndr-static",
        ));
    }
    loader.load().await
}

/// The port's error for a failed SDK call: `Unavailable` for throttling, 5xx and transport
/// failures (worth a retry), else `Unexpected`.
pub(crate) fn sdk_failure<E>(
    service: &str,
    e: aws_sdk_sesv2::error::SdkError<E, aws_sdk_sesv2::config::http::HttpResponse>,
) -> calndr_ports::StoreError
where
    E: aws_sdk_sesv2::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match e {
        aws_sdk_sesv2::error::SdkError::ServiceError(e) => service_failure(
            service,
            e.raw().status().as_u16(),
            e.err().code().unwrap_or("unknown"),
        ),
        other => calndr_ports::StoreError::Unavailable(Box::new(other)),
    }
}

/// A client made on first use (loading the default credential chain is async).
pub(crate) struct Lazy<C> {
    target: AwsTarget,
    client: tokio::sync::OnceCell<C>,
}

impl<C> Lazy<C> {
    pub(crate) fn new(target: AwsTarget) -> Self {
        Self {
            target,
            client: tokio::sync::OnceCell::new(),
        }
    }

    pub(crate) async fn get(
        &self,
        make: impl FnOnce(&aws_config::SdkConfig, &AwsTarget) -> C,
    ) -> &C {
        self.client
            .get_or_init(|| async { make(&sdk_config(&self.target).await, &self.target) })
            .await
    }
}

/// `Unavailable` for throttling, 5xx and transport failures (worth a retry), else `Unexpected`.
fn service_failure(service: &str, status: u16, code: &str) -> calndr_ports::StoreError {
    let retryable = status == 429
        || status >= 500
        || code.contains("Throttl")
        || code == "TooManyRequestsException";
    tracing::warn!(aws.service = service, aws.code = %code, http.status = status, "AWS refused a request");
    if retryable {
        calndr_ports::StoreError::Unavailable(format!("{service} {status} {code}").into())
    } else {
        calndr_ports::StoreError::unexpected(format!("{service} {status} {code}"))
    }
}
