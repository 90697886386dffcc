//! [`PushNotifier`] over Apple Push Notification service (HTTP/2, token-based authentication).
//!
//! * The provider token (ES256 JWT: `iss` team id, `iat`, header `kid`) is made once and reused for
//!   50 minutes (Apple refuses tokens older than 60 minutes and throttles too frequent new ones); a
//!   403 `ExpiredProviderToken` makes a new one and retries once.
//! * `apns-topic` is the bundle id; `apns-push-type` is `background` (priority 5) for a silent
//!   `content-available` push, else `alert` (priority 10).
//! * 410 `Unregistered` and 400 `BadDeviceToken`: the device token is removed from the account, and
//!   the push counts as done (retrying cannot succeed). 429 and 5xx are `Unavailable` (the job
//!   worker retries); other 4xx are `Unexpected` with Apple's reason.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_domain::DeviceToken;
use calndr_ports::{AccountStore, PushMessage, PushNotifier, StoreError};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use url::Url;

const TOKEN_LIFETIME: Duration = Duration::from_secs(50 * 60);

#[derive(Clone)]
pub struct ApnsConfig {
    pub team_id: String,
    pub key_id: String,
    /// The `.p8` key (PKCS#8 PEM, P-256).
    pub private_key_pem: String,
    /// The app's bundle id (`club.calndr`).
    pub topic: String,
    /// `https://api.push.apple.com` or `https://api.sandbox.push.apple.com`.
    pub base_url: Url,
    pub timeout: Duration,
}

impl ApnsConfig {
    pub const PRODUCTION: &'static str = "https://api.push.apple.com";
    pub const SANDBOX: &'static str = "https://api.sandbox.push.apple.com";
}

pub struct Apns {
    client: reqwest::Client,
    config: ApnsConfig,
    key: EncodingKey,
    token: Mutex<Option<(String, Instant)>>,
    accounts: Arc<dyn AccountStore>,
}

#[derive(Serialize)]
struct ProviderClaims<'a> {
    iss: &'a str,
    iat: u64,
}

#[derive(Deserialize)]
struct Rejection {
    #[serde(default)]
    reason: String,
}

impl Apns {
    /// `accounts` is where an unregistered device token is removed. `prior_knowledge_h2` makes
    /// the client speak HTTP/2 without TLS (only for a local fake server in tests).
    pub fn new(
        config: ApnsConfig,
        accounts: Arc<dyn AccountStore>,
        prior_knowledge_h2: bool,
    ) -> Result<Self, String> {
        let key = EncodingKey::from_ec_pem(config.private_key_pem.as_bytes())
            .map_err(|_| "the APNs key is not a PKCS#8 P-256 PEM".to_owned())?;
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(600));
        builder = if prior_knowledge_h2 {
            builder.http2_prior_knowledge()
        } else {
            builder.https_only(true)
        };
        Ok(Self {
            client: builder.build().map_err(|e| e.to_string())?,
            config,
            key,
            token: Mutex::new(None),
            accounts,
        })
    }

    async fn provider_token(&self, renew: bool) -> Result<String, StoreError> {
        let mut cached = self.token.lock().await;
        if let Some((token, made)) = cached.as_ref() {
            if !renew && made.elapsed() < TOKEN_LIFETIME {
                return Ok(token.clone());
            }
        }
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.config.key_id.clone());
        let claims = ProviderClaims {
            iss: &self.config.team_id,
            iat: jsonwebtoken::get_current_timestamp(),
        };
        let token = jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|_| StoreError::unexpected("signing the APNs provider token failed"))?;
        *cached = Some((token.clone(), Instant::now()));
        Ok(token)
    }

    async fn post(
        &self,
        message: &PushMessage,
        renew: bool,
    ) -> Result<reqwest::Response, StoreError> {
        let silent = message.payload["aps"]["content-available"].is_number()
            && message.payload["aps"].get("alert").is_none();
        let (push_type, priority) = if silent {
            ("background", "5")
        } else {
            ("alert", "10")
        };
        let mut url = self.config.base_url.clone();
        url.set_path(&format!("/3/device/{}", message.device_token));
        self.client
            .post(url)
            .bearer_auth(self.provider_token(renew).await?)
            .header("apns-topic", &self.config.topic)
            .header("apns-push-type", push_type)
            .header("apns-priority", priority)
            .json(&message.payload)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e.without_url())))
    }
}

impl Apns {
    /// One POST: the status and Apple's `reason` (empty on success).
    async fn attempt(
        &self,
        message: &PushMessage,
        renew: bool,
    ) -> Result<(u16, String), StoreError> {
        let response = self.post(message, renew).await?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok((status, String::new()));
        }
        let reason = response
            .json::<Rejection>()
            .await
            .map(|r| r.reason)
            .unwrap_or_default();
        Ok((status, reason))
    }
}

#[async_trait]
impl PushNotifier for Apns {
    async fn send(&self, message: PushMessage) -> Result<(), StoreError> {
        if DeviceToken::parse(&message.device_token).is_err() {
            self.accounts
                .clear_device_token(message.recipient, &message.device_token)
                .await?;
            return Ok(());
        }
        let (mut status, mut reason) = self.attempt(&message, false).await?;
        if status == 403 && reason == "ExpiredProviderToken" {
            (status, reason) = self.attempt(&message, true).await?;
        }
        match status {
            200..=299 => Ok(()),
            410 => {
                self.accounts
                    .clear_device_token(message.recipient, &message.device_token)
                    .await?;
                tracing::info!(user.id = %message.recipient, "device unregistered at APNs; token removed");
                Ok(())
            }
            400 if reason == "BadDeviceToken" || reason == "DeviceTokenNotForTopic" => {
                self.accounts
                    .clear_device_token(message.recipient, &message.device_token)
                    .await?;
                tracing::info!(user.id = %message.recipient, reason = %reason, "device token refused by APNs; removed");
                Ok(())
            }
            429 | 500..=599 => Err(StoreError::Unavailable(
                format!("APNs HTTP {status} {reason}").into(),
            )),
            _ => Err(StoreError::unexpected(format!(
                "APNs HTTP {status} {reason}"
            ))),
        }
    }
}
