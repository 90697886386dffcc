//! [`PushNotifier`] over SNS mobile push, the way the original reached iPhones: the device token
//! becomes a platform endpoint of the APNs platform application (`CreatePlatformEndpoint` is
//! idempotent for a token), then `Publish` with the payload under `APNS` or `APNS_SANDBOX`.
//! A disabled endpoint (Apple said the device is gone) forgets the user's device token.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::Client;
use calndr_ports::{AccountStore, PushMessage, PushNotifier, StoreError};

use crate::{AwsTarget, Lazy};

#[derive(Clone)]
pub struct SnsPushConfig {
    pub platform_application_arn: String,
    /// `APNS_SANDBOX` (development builds of the app) instead of `APNS`.
    pub sandbox: bool,
    pub region: String,
    pub endpoint_url: Option<String>,
    pub static_credentials: Option<(String, String)>,
    pub timeout: Duration,
}

pub struct SnsPush {
    arn: String,
    sandbox: bool,
    client: Lazy<Client>,
    accounts: Arc<dyn AccountStore>,
}

impl SnsPush {
    pub fn new(config: SnsPushConfig, accounts: Arc<dyn AccountStore>) -> Self {
        Self {
            arn: config.platform_application_arn,
            sandbox: config.sandbox,
            client: Lazy::new(AwsTarget {
                region: config.region,
                endpoint_url: config.endpoint_url,
                static_credentials: config.static_credentials,
                timeout: config.timeout,
            }),
            accounts,
        }
    }
}

/// SNS says "Endpoint <arn> already exists with the same Token, but different attributes."
fn existing_endpoint(message: &str) -> Option<String> {
    message
        .split_whitespace()
        .find(|w| w.starts_with("arn:aws:sns:"))
        .map(str::to_owned)
}

#[async_trait]
impl PushNotifier for SnsPush {
    async fn send(&self, message: PushMessage) -> Result<(), StoreError> {
        let client = self.client.get(|shared, _| Client::new(shared)).await;
        let created = client
            .create_platform_endpoint()
            .platform_application_arn(&self.arn)
            .token(&message.device_token)
            .send()
            .await;
        let endpoint = match created {
            Ok(out) => out
                .endpoint_arn()
                .map(str::to_owned)
                .ok_or_else(|| StoreError::unexpected("SNS returned no endpoint"))?,
            Err(aws_sdk_sns::error::SdkError::ServiceError(e))
                if e.err().code() == Some("InvalidParameter") =>
            {
                existing_endpoint(e.err().message().unwrap_or_default())
                    .ok_or_else(|| StoreError::unexpected("SNS refused the device token"))?
            }
            Err(e) => return Err(crate::sdk_failure("SNS", e)),
        };
        let key = if self.sandbox { "APNS_SANDBOX" } else { "APNS" };
        let body = serde_json::json!({ key: message.payload.to_string() }).to_string();
        let published = client
            .publish()
            .target_arn(&endpoint)
            .message_structure("json")
            .message(body)
            .send()
            .await;
        match published {
            Ok(_) => Ok(()),
            Err(aws_sdk_sns::error::SdkError::ServiceError(e))
                if e.err().code() == Some("EndpointDisabled") =>
            {
                self.accounts
                    .clear_device_token(message.recipient, &message.device_token)
                    .await?;
                tracing::info!(user.id = %message.recipient, "SNS endpoint disabled; device token removed");
                Ok(())
            }
            Err(e) => Err(crate::sdk_failure("SNS", e)),
        }
    }
}
