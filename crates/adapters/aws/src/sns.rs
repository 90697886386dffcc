//! [`SmsSender`] over Amazon SNS `Publish` to a phone number (transactional SMS, the sender id
//! optional). The number and the text are never logged.

use std::time::Duration;

use crate::{AwsTarget, Lazy};
use async_trait::async_trait;
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use calndr_domain::UsPhoneNumber;
use calndr_ports::{SmsSender, StoreError};

#[derive(Clone)]
pub struct SnsConfig {
    pub region: String,
    pub endpoint_url: Option<String>,
    pub static_credentials: Option<(String, String)>,
    pub timeout: Duration,
}

pub struct SnsSms {
    client: Lazy<Client>,
}

impl SnsSms {
    pub fn new(config: SnsConfig) -> Self {
        Self {
            client: Lazy::new(AwsTarget {
                region: config.region,
                endpoint_url: config.endpoint_url,
                static_credentials: config.static_credentials,
                timeout: config.timeout,
            }),
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
        let client = self.client.get(|shared, _| Client::new(shared)).await;
        let result = client
            .publish()
            .phone_number(to.as_str())
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", attribute("Transactional")?)
            .send()
            .await;
        result.map(|_| ()).map_err(|e| crate::sdk_failure("SNS", e))
    }
}
