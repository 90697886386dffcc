//! [`IdentityVerifier`] over the real providers.
//!
//! * Google: the ID token's RS256 signature against Google's JWKS, `iss`, `aud` among the configured
//!   client ids, `exp`/`iat` with 60 s of skew.
//! * Apple: the authorization code exchanged at Apple's token endpoint with a client secret JWT
//!   (ES256, the team's `.p8` key); the returned ID token verified like Google's against Apple's JWKS
//!   (the original trusted it unverified).
//! * Facebook: `debug_token` with the app token (the token must be valid and issued for our app)
//!   before `/me` is read.
//!
//! Keys are cached for the `max-age` the provider sends (1 minute to 1 day); a token signed with an
//! unknown `kid` triggers one refresh, at most one a minute. Only RS256 is accepted (`alg: none`,
//! HS256 with the public key as secret and the rest are refused).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_domain::{
    AppleAccountEvent, EmailAddress, ExternalIdentity, IdentityProvider, ProviderSubject,
};
use calndr_ports::{IdentityError, IdentityVerifier, UpstreamError};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use url::Url;

const SKEW_SECS: u64 = 60;
const MIN_REFRESH: Duration = Duration::from_secs(60);

fn rejected(reason: impl Into<String>) -> IdentityError {
    IdentityError::Rejected(reason.into())
}

fn unavailable(
    service: &'static str,
    e: impl std::error::Error + Send + Sync + 'static,
) -> IdentityError {
    IdentityError::Upstream(UpstreamError::Unavailable {
        service,
        source: Box::new(e),
    })
}

fn bad(service: &'static str, reason: impl Into<String>) -> IdentityError {
    IdentityError::Upstream(UpstreamError::BadResponse {
        service,
        reason: reason.into(),
    })
}

#[derive(Debug)]
struct HttpStatus(u16);
impl std::fmt::Display for HttpStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.0)
    }
}
impl std::error::Error for HttpStatus {}

/// A provider's signing keys, fetched when needed.
struct Jwks {
    service: &'static str,
    url: Url,
    min_refresh: Duration,
    state: Mutex<JwksState>,
}

#[derive(Default)]
struct JwksState {
    keys: HashMap<String, DecodingKey>,
    fresh_until: Option<Instant>,
    fetched_at: Option<Instant>,
}

fn max_age(headers: &reqwest::header::HeaderMap) -> Duration {
    let secs = headers
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|d| d.trim().strip_prefix("max-age="))
                .find_map(|n| n.parse::<u64>().ok())
        })
        .unwrap_or(3600);
    Duration::from_secs(secs.clamp(60, 86_400))
}

impl Jwks {
    fn new(service: &'static str, url: Url) -> Self {
        Self {
            service,
            url,
            min_refresh: MIN_REFRESH,
            state: Mutex::new(JwksState::default()),
        }
    }

    async fn fetch(
        &self,
        client: &reqwest::Client,
        state: &mut JwksState,
    ) -> Result<(), IdentityError> {
        let now = Instant::now();
        state.fetched_at = Some(now);
        let response = crate::retry::send_idempotent(client.get(self.url.clone()))
            .await
            .map_err(|e| unavailable(self.service, e.without_url()))?;
        if !response.status().is_success() {
            return Err(unavailable(
                self.service,
                HttpStatus(response.status().as_u16()),
            ));
        }
        let ttl = max_age(response.headers());
        let set: JwkSet = response.json().await.map_err(|e| {
            bad(
                self.service,
                format!("unreadable key set: {}", e.without_url()),
            )
        })?;
        state.keys = set
            .keys
            .iter()
            .filter_map(|k| {
                let kid = k.common.key_id.clone()?;
                DecodingKey::from_jwk(k).ok().map(|key| (kid, key))
            })
            .collect();
        state.fresh_until = Some(now + ttl);
        Ok(())
    }

    /// The key `kid`, refreshing the set when it is stale or (at most once a minute) when it does
    /// not know `kid`.
    async fn key(&self, client: &reqwest::Client, kid: &str) -> Result<DecodingKey, IdentityError> {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        let stale = state.fresh_until.is_none_or(|t| now >= t);
        let unknown = !state.keys.contains_key(kid);
        let may_refresh = state
            .fetched_at
            .is_none_or(|t| now.duration_since(t) >= self.min_refresh);
        if stale || (unknown && may_refresh) {
            self.fetch(client, &mut state).await?;
        }
        state
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| rejected("token signed with an unknown key"))
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    /// Google sends a boolean, Apple the string "true".
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
}

fn truthy(v: &Option<serde_json::Value>) -> bool {
    matches!(v, Some(serde_json::Value::Bool(true)))
        || matches!(v, Some(serde_json::Value::String(s)) if s == "true")
}

fn name(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().chars().take(100).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// The provider key that signed `token`: RS256 only (`alg: none`, HS256 and the rest refused),
/// found by its `kid`.
async fn signing_key(
    client: &reqwest::Client,
    jwks: &Jwks,
    token: &str,
) -> Result<DecodingKey, IdentityError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| rejected("not a JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(rejected(format!(
            "algorithm {:?} is not accepted",
            header.alg
        )));
    }
    let kid = header
        .kid
        .ok_or_else(|| rejected("token without a key id"))?;
    jwks.key(client, &kid).await
}

async fn verify_id_token(
    client: &reqwest::Client,
    jwks: &Jwks,
    token: &str,
    issuers: &[&str],
    audiences: &[String],
    provider: IdentityProvider,
) -> Result<ExternalIdentity, IdentityError> {
    let key = signing_key(client, jwks, token).await?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(issuers);
    validation.set_audience(audiences);
    validation.leeway = SKEW_SECS;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|e| rejected(format!("invalid token: {e}")))?;
    let c = data.claims;
    let subject = ProviderSubject::parse(&c.sub).map_err(|_| rejected("invalid subject"))?;
    Ok(ExternalIdentity {
        provider,
        subject,
        email: c.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()),
        email_verified: truthy(&c.email_verified),
        given_name: name(c.given_name),
        family_name: name(c.family_name),
    })
}

/// Google Sign-In settings.
#[derive(Debug, Clone)]
pub struct GoogleConfig {
    /// Accepted `aud` values (the iOS client id, and any other of ours).
    pub client_ids: Vec<String>,
    pub jwks_url: Url,
}

impl GoogleConfig {
    pub const JWKS_URL: &'static str = "https://www.googleapis.com/oauth2/v3/certs";
}

/// Sign in with Apple settings.
#[derive(Clone)]
pub struct AppleConfig {
    /// The app's bundle id (`club.calndr`): the client id of a native code exchange.
    pub client_id: String,
    pub team_id: String,
    pub key_id: String,
    /// The `.p8` key (PKCS#8 PEM, P-256).
    pub private_key_pem: String,
    pub redirect_uri: Option<String>,
    pub token_url: Url,
    pub jwks_url: Url,
}

impl AppleConfig {
    pub const TOKEN_URL: &'static str = "https://appleid.apple.com/auth/token";
    pub const JWKS_URL: &'static str = "https://appleid.apple.com/auth/keys";
    pub const ISSUER: &'static str = "https://appleid.apple.com";
}

/// Facebook Login settings.
#[derive(Clone)]
pub struct FacebookConfig {
    pub app_id: String,
    pub app_secret: String,
    /// e.g. `https://graph.facebook.com/v19.0`
    pub graph_url: Url,
}

/// The identity providers this server is configured for.
pub struct ProviderIdentity {
    client: reqwest::Client,
    google: Option<(GoogleConfig, Jwks)>,
    apple: Option<(AppleConfig, EncodingKey, Jwks)>,
    facebook: Option<FacebookConfig>,
}

#[derive(Serialize)]
struct AppleClientSecret<'a> {
    iss: &'a str,
    iat: u64,
    exp: u64,
    aud: &'a str,
    sub: &'a str,
}

#[derive(Deserialize)]
struct AppleNotice {
    events: serde_json::Value,
}

#[derive(Deserialize)]
struct AppleEvents {
    #[serde(rename = "type")]
    kind: String,
    sub: String,
}

#[derive(Deserialize)]
struct AppleTokens {
    id_token: String,
}

#[derive(Deserialize)]
struct DebugToken {
    data: DebugData,
}

#[derive(Deserialize)]
struct DebugData {
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    is_valid: bool,
    #[serde(default)]
    user_id: Option<String>,
}

#[derive(Deserialize)]
struct FacebookMe {
    id: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
}

impl ProviderIdentity {
    /// `timeout` bounds each call to a provider.
    pub fn new(
        google: Option<GoogleConfig>,
        apple: Option<AppleConfig>,
        facebook: Option<FacebookConfig>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let apple = apple
            .map(|a| {
                let key = EncodingKey::from_ec_pem(a.private_key_pem.as_bytes())
                    .map_err(|_| "the Apple private key is not a PKCS#8 P-256 PEM".to_owned())?;
                let jwks = Jwks::new("apple", a.jwks_url.clone());
                Ok::<_, String>((a, key, jwks))
            })
            .transpose()?;
        Ok(Self {
            client,
            google: google.map(|g| {
                let jwks = Jwks::new("google", g.jwks_url.clone());
                (g, jwks)
            }),
            apple,
            facebook,
        })
    }

    /// How often an unknown `kid` may trigger a refresh of a key set (default: once a minute).
    pub fn with_key_refresh_interval(mut self, interval: Duration) -> Self {
        if let Some((_, jwks)) = &mut self.google {
            jwks.min_refresh = interval;
        }
        if let Some((_, _, jwks)) = &mut self.apple {
            jwks.min_refresh = interval;
        }
        self
    }

    fn apple_client_secret(a: &AppleConfig, key: &EncodingKey) -> Result<String, IdentityError> {
        let now = jsonwebtoken::get_current_timestamp();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(a.key_id.clone());
        let claims = AppleClientSecret {
            iss: &a.team_id,
            iat: now,
            exp: now + 300,
            aud: AppleConfig::ISSUER,
            sub: &a.client_id,
        };
        jsonwebtoken::encode(&header, &claims, key)
            .map_err(|_| rejected("could not sign the Apple client secret"))
    }
}

#[async_trait]
impl IdentityVerifier for ProviderIdentity {
    async fn apple_code(&self, code: &str) -> Result<ExternalIdentity, IdentityError> {
        let (a, key, jwks) =
            self.apple
                .as_ref()
                .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                    "Sign in with Apple",
                )))?;
        let code = code.trim();
        if code.is_empty() || code.len() > 1024 {
            return Err(rejected("invalid authorization code"));
        }
        let secret = Self::apple_client_secret(a, key)?;
        let mut form = vec![
            ("client_id", a.client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("code", code),
            ("grant_type", "authorization_code"),
        ];
        if let Some(r) = &a.redirect_uri {
            form.push(("redirect_uri", r.as_str()));
        }
        let response = self
            .client
            .post(a.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| unavailable("apple", e.without_url()))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(unavailable("apple", HttpStatus(status.as_u16())));
        }
        if !status.is_success() {
            // 400 invalid_grant: a used, expired or forged code.
            return Err(rejected(format!("Apple refused the code (HTTP {status})")));
        }
        let tokens: AppleTokens = response.json().await.map_err(|e| {
            bad(
                "apple",
                format!("unreadable token answer: {}", e.without_url()),
            )
        })?;
        verify_id_token(
            &self.client,
            jwks,
            &tokens.id_token,
            &[AppleConfig::ISSUER],
            std::slice::from_ref(&a.client_id),
            IdentityProvider::Apple,
        )
        .await
    }

    async fn apple_notification(&self, payload: &str) -> Result<AppleAccountEvent, IdentityError> {
        let (a, _, jwks) =
            self.apple
                .as_ref()
                .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                    "Sign in with Apple",
                )))?;
        let key = signing_key(&self.client, jwks, payload.trim()).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[AppleConfig::ISSUER]);
        validation.set_audience(std::slice::from_ref(&a.client_id));
        validation.leeway = SKEW_SECS;
        validation.set_required_spec_claims(&["iss", "aud", "iat"]);
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<AppleNotice>(payload.trim(), &key, &validation)
            .map_err(|e| rejected(format!("invalid notification: {e}")))?;
        // `events` is a JSON object, sent as a string.
        let events: AppleEvents = match data.claims.events {
            serde_json::Value::String(s) => serde_json::from_str(&s),
            other => serde_json::from_value(other),
        }
        .map_err(|_| rejected("unreadable events"))?;
        let sub = ProviderSubject::parse(&events.sub).map_err(|_| rejected("invalid subject"))?;
        match events.kind.as_str() {
            "consent-revoked" => Ok(AppleAccountEvent::ConsentRevoked(sub)),
            "account-delete" => Ok(AppleAccountEvent::AccountDeleted(sub)),
            "email-disabled" | "email-enabled" => {
                Ok(AppleAccountEvent::EmailForwardingChanged(sub))
            }
            other => Err(rejected(format!("unknown event type {other}"))),
        }
    }

    async fn google_id_token(&self, token: &str) -> Result<ExternalIdentity, IdentityError> {
        let (g, jwks) =
            self.google
                .as_ref()
                .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                    "Google Sign-In",
                )))?;
        verify_id_token(
            &self.client,
            jwks,
            token.trim(),
            &["accounts.google.com", "https://accounts.google.com"],
            &g.client_ids,
            IdentityProvider::Google,
        )
        .await
    }

    async fn facebook_token(&self, token: &str) -> Result<ExternalIdentity, IdentityError> {
        let f =
            self.facebook
                .as_ref()
                .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                    "Facebook Login",
                )))?;
        let token = token.trim();
        if token.is_empty() || token.len() > 4096 {
            return Err(rejected("invalid access token"));
        }
        let endpoint = |path: &str| {
            let mut u = f.graph_url.clone();
            u.path_segments_mut()
                .map(|mut s| {
                    s.pop_if_empty().push(path);
                })
                .ok();
            u
        };
        let app_token = format!("{}|{}", f.app_id, f.app_secret);
        let request = self
            .client
            .get(endpoint("debug_token"))
            .query(&[("input_token", token), ("access_token", app_token.as_str())]);
        let response = crate::retry::send_idempotent(request)
            .await
            .map_err(|e| unavailable("facebook", e.without_url()))?;
        if response.status().is_server_error() {
            return Err(unavailable(
                "facebook",
                HttpStatus(response.status().as_u16()),
            ));
        }
        let debug: DebugToken = response.json().await.map_err(|e| {
            bad(
                "facebook",
                format!("unreadable debug_token: {}", e.without_url()),
            )
        })?;
        if !debug.data.is_valid || debug.data.app_id.as_deref() != Some(f.app_id.as_str()) {
            return Err(rejected("the token is not valid for this app"));
        }
        let request = self.client.get(endpoint("me")).query(&[
            ("fields", "id,first_name,last_name,email"),
            ("access_token", token),
        ]);
        let response = crate::retry::send_idempotent(request)
            .await
            .map_err(|e| unavailable("facebook", e.without_url()))?;
        if !response.status().is_success() {
            return Err(unavailable(
                "facebook",
                HttpStatus(response.status().as_u16()),
            ));
        }
        let me: FacebookMe = response
            .json()
            .await
            .map_err(|e| bad("facebook", format!("unreadable /me: {}", e.without_url())))?;
        if debug.data.user_id.as_deref() != Some(me.id.as_str()) {
            return Err(rejected("the token belongs to another user"));
        }
        Ok(ExternalIdentity {
            provider: IdentityProvider::Facebook,
            subject: ProviderSubject::parse(&me.id).map_err(|_| rejected("invalid user id"))?,
            email: me
                .email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok()),
            // Not linked by e-mail: Facebook's e-mail is not a proof of the address here.
            email_verified: false,
            given_name: name(me.first_name),
            family_name: name(me.last_name),
        })
    }
}
