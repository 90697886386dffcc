//! [`SmsSender`] over Amazon SNS `Publish` to a phone number (transactional SMS, the sender id
//! optional). The number and the text are never logged.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use calndr_domain::UsPhoneNumber;
use calndr_ports::{SmsSender, StoreError};
use tokio::sync::OnceCell;

use crate::AwsTarget;

#[derive(Clone)]
pub struct SnsConfig {
    pub region: String,
    pub endpoint_url: Option<String>,
    pub static_credentials: Option<(String, String)>,
    pub timeout: Duration,
}

pub struct SnsSms {
    target: AwsTarget,
    client: OnceCell<Client>,
}

impl SnsSms {
    pub fn new(config: SnsConfig) -> Self {
        Self {
            target: AwsTarget {
                region: config.region,
                endpoint_url: config.endpoint_url,
                static_credentials: config.static_credentials,
                timeout: config.timeout,
            },
            client: OnceCell::new(),
        }
    }
}

fn attribute(value: &str) -> Result<MessageAttributeValue, StoreError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| StoreError::unexpected(format!("building an SMS: {e}")))
}

#[async_trait]
impl SmsSender for SnsSms {
    async fn send(&self, to: &UsPhoneNumber, text: &str) -> Result<(), StoreError> {
        let client = self
            .client
            .get_or_init(|| async { Client::new(&crate::sdk_config(&self.target).await) })
            .await;
        let result = client
            .publish()
            .phone_number(to.as_str())
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", attribute("Transactional")?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) => Err(crate::service_failure(
                "SNS",
                e.raw().status().as_u16(),
                e.err().code().unwrap_or("unknown"),
            )),
            Err(other) => Err(StoreError::Unavailable(Box::new(other))),
        }
    }
}
