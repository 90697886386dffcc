//! [`IdentityVerifier`] over the real providers.
//!
//! * Google: the ID token verified by `openidconnect`: RS256 signature against Google's JWKS,
//!   `iss` exactly `https://accounts.google.com`, `aud` one of the configured client ids (any other
//!   audience in the token must be ours too), `exp` with 60 s of skew, `iat` not in the future.
//! * Apple: the authorization code exchanged at Apple's token endpoint by `openidconnect`'s
//!   OAuth 2.0 client (the `oauth2` crate) with a client secret JWT (ES256, the team's `.p8` key);
//!   the returned ID token verified like Google's against Apple's JWKS (the original trusted it
//!   unverified). Tokens are revoked through the same client ([`ProviderIdentity::revoke_apple_token`]).
//!   Apple's server-to-server notifications are JWTs but not ID tokens (no `sub`, no `exp`), so
//!   `jsonwebtoken` checks them (RS256, `iss`, `aud`, `iat`) against the same cached keys.
//! * Facebook: `debug_token` with the app token (the token must be valid and issued for our app)
//!   before `/me` is read.
//!
//! A nonce is checked when the app sends one with the code or the ID token (the token's `nonce`
//! claim must equal it, compared in constant time by openidconnect). The current iOS app sends
//! none (it posts only Apple's code or Google's ID token): then a token is accepted with or
//! without a nonce claim, as before.
//!
//! Keys are cached for the `max-age` the provider sends (1 minute to 1 day); a token signed with a
//! key the cache does not hold triggers one refresh, at most one a minute. Only RS256 is accepted
//! (`alg: none`, HS256 with the public key as secret and the rest are refused by the verifier).

mod apple;
mod facebook;
mod id_token;
mod jwks;
mod oauth;

use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::{AppleAccountEvent, ExternalIdentity, IdentityProvider};
use calndr_ports::{IdentityError, IdentityVerifier, UpstreamError};
use jsonwebtoken::EncodingKey;
use openidconnect::{ClientId, IssuerUrl, Nonce, RedirectUrl};
use url::Url;

use id_token::{parse_id_token, verify_id_token};
use jwks::Jwks;

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

// ---- configuration -----------------------------------------------------------------------------

/// Google Sign-In settings.
#[derive(Debug, Clone)]
pub struct GoogleConfig {
    /// Accepted `aud` values (the iOS client id, and any other of ours).
    pub client_ids: Vec<String>,
    pub jwks_url: Url,
}

impl GoogleConfig {
    pub const JWKS_URL: &'static str = "https://www.googleapis.com/oauth2/v3/certs";
    /// The `iss` of Google's ID tokens (its discovery document's `issuer`).
    pub const ISSUER: &'static str = "https://accounts.google.com";
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
    pub revoke_url: Url,
    pub jwks_url: Url,
}

impl AppleConfig {
    pub const TOKEN_URL: &'static str = "https://appleid.apple.com/auth/token";
    pub const REVOKE_URL: &'static str = "https://appleid.apple.com/auth/revoke";
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

/// A token Apple issued to us, to revoke ([`ProviderIdentity::revoke_apple_token`]).
#[derive(Debug, Clone, Copy)]
pub enum AppleToken<'a> {
    Access(&'a str),
    Refresh(&'a str),
}

struct Google {
    client_ids: Vec<ClientId>,
    issuer: IssuerUrl,
    jwks: Jwks,
}

struct Apple {
    config: AppleConfig,
    client_id: ClientId,
    issuer: IssuerUrl,
    redirect: Option<RedirectUrl>,
    signing_key: EncodingKey,
    jwks: Jwks,
}

/// The identity providers this server is configured for.
pub struct ProviderIdentity {
    client: reqwest::Client,
    timeout: Duration,
    google: Option<Google>,
    apple: Option<Apple>,
    facebook: Option<FacebookConfig>,
}

fn issuer(url: &str) -> Result<IssuerUrl, String> {
    IssuerUrl::new(url.to_owned()).map_err(|e| format!("issuer {url}: {e}"))
}

/// The client for every provider call: bounded by `timeout`, no redirects followed.
fn http_client(timeout: Duration, root_pem: Option<&[u8]>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(pem) = root_pem {
        let root = reqwest::Certificate::from_pem(pem).map_err(|e| e.to_string())?;
        builder = builder.add_root_certificate(root);
    }
    builder.build().map_err(|e| e.to_string())
}

impl ProviderIdentity {
    /// `timeout` bounds each call to a provider.
    pub fn new(
        google: Option<GoogleConfig>,
        apple: Option<AppleConfig>,
        facebook: Option<FacebookConfig>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let client = http_client(timeout, None)?;
        let apple = apple
            .map(|a| {
                let signing_key = EncodingKey::from_ec_pem(a.private_key_pem.as_bytes())
                    .map_err(|_| "the Apple private key is not a PKCS#8 P-256 PEM".to_owned())?;
                let redirect = a
                    .redirect_uri
                    .clone()
                    .map(RedirectUrl::new)
                    .transpose()
                    .map_err(|e| format!("the Apple redirect URI: {e}"))?;
                Ok::<_, String>(Apple {
                    client_id: ClientId::new(a.client_id.clone()),
                    issuer: issuer(AppleConfig::ISSUER)?,
                    redirect,
                    signing_key,
                    jwks: Jwks::new("apple", a.jwks_url.clone()),
                    config: a,
                })
            })
            .transpose()?;
        let google = google
            .map(|g| {
                Ok::<_, String>(Google {
                    client_ids: g.client_ids.into_iter().map(ClientId::new).collect(),
                    issuer: issuer(GoogleConfig::ISSUER)?,
                    jwks: Jwks::new("google", g.jwks_url),
                })
            })
            .transpose()?;
        Ok(Self {
            client,
            timeout,
            google,
            apple,
            facebook,
        })
    }

    /// Trusts one more root certificate (PEM) for the providers' TLS, e.g. a local fake's CA.
    pub fn trusting(mut self, root_pem: &[u8]) -> Result<Self, String> {
        self.client = http_client(self.timeout, Some(root_pem))?;
        Ok(self)
    }

    /// How often an unknown `kid` may trigger a refresh of a key set (default: once a minute).
    pub fn with_key_refresh_interval(mut self, interval: Duration) -> Self {
        if let Some(g) = &mut self.google {
            g.jwks.min_refresh = interval;
        }
        if let Some(a) = &mut self.apple {
            a.jwks.min_refresh = interval;
        }
        self
    }

    fn apple(&self) -> Result<&Apple, IdentityError> {
        self.apple
            .as_ref()
            .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                "Sign in with Apple",
            )))
    }
}

#[async_trait]
impl IdentityVerifier for ProviderIdentity {
    async fn apple_code<'a>(
        &self,
        code: &str,
        nonce: Option<&'a str>,
    ) -> Result<ExternalIdentity, IdentityError> {
        let nonce = nonce.map(|n| Nonce::new(n.to_owned()));
        self.verify_apple_code(code, nonce.as_ref()).await
    }

    async fn apple_notification(&self, payload: &str) -> Result<AppleAccountEvent, IdentityError> {
        self.verify_apple_notification(payload).await
    }

    async fn revoke_apple_refresh_token(&self, token: &str) -> Result<(), IdentityError> {
        self.revoke_apple_token(AppleToken::Refresh(token)).await
    }

    async fn google_id_token<'a>(
        &self,
        token: &str,
        nonce: Option<&'a str>,
    ) -> Result<ExternalIdentity, IdentityError> {
        let g =
            self.google
                .as_ref()
                .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                    "Google Sign-In",
                )))?;
        let token = parse_id_token(token)?;
        let nonce = nonce.map(|n| Nonce::new(n.to_owned()));
        g.jwks
            .verify(&self.client, |keys| {
                verify_id_token(
                    keys,
                    &token,
                    &g.issuer,
                    &g.client_ids,
                    nonce.as_ref(),
                    IdentityProvider::Google,
                )
            })
            .await
    }

    async fn facebook_token(&self, token: &str) -> Result<ExternalIdentity, IdentityError> {
        self.verify_facebook_token(token).await
    }
}
