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
//! No nonce is checked: the iOS app sends none (it posts only Apple's code or Google's ID token),
//! so a token without one is accepted as before.
//!
//! Keys are cached for the `max-age` the provider sends (1 minute to 1 day); a token signed with a
//! key the cache does not hold triggers one refresh, at most one a minute. Only RS256 is accepted
//! (`alg: none`, HS256 with the public key as secret and the rest are refused by the verifier).

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_domain::{
    AppleAccountEvent, EmailAddress, ExternalIdentity, IdentityProvider, ProviderSubject,
};
use calndr_ports::{IdentityError, IdentityVerifier, UpstreamError};
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use openidconnect::core::{
    CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreRevocableToken,
};
use openidconnect::{
    AccessToken, AsyncHttpClient, AuthType, AuthorizationCode, ClaimsVerificationError, ClientId,
    ClientSecret, ErrorResponse, HttpRequest, HttpResponse, IssuerUrl, JsonWebKey, Nonce,
    RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, SignatureVerificationError,
    TokenResponse, TokenUrl,
};
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

// ---- signing keys ----------------------------------------------------------------------------

/// A provider's signing keys, fetched when needed.
struct Jwks {
    service: &'static str,
    url: Url,
    min_refresh: Duration,
    state: Mutex<JwksState>,
}

#[derive(Default)]
struct JwksState {
    keys: Arc<CoreJsonWebKeySet>,
    fresh_until: Option<Instant>,
    fetched_at: Option<Instant>,
}

/// Why a token was refused, as far as the key cache cares.
enum Refusal {
    /// Signed with a key the cached set lacks: worth one refresh.
    UnknownKey,
    Invalid(String),
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
        // Keys of a kind openidconnect does not know are skipped, not fatal.
        let set: CoreJsonWebKeySet = response.json().await.map_err(|e| {
            bad(
                self.service,
                format!("unreadable key set: {}", e.without_url()),
            )
        })?;
        state.keys = Arc::new(set);
        state.fresh_until = Some(now + ttl);
        Ok(())
    }

    /// The cached keys, fetched again once stale.
    async fn current(
        &self,
        client: &reqwest::Client,
    ) -> Result<Arc<CoreJsonWebKeySet>, IdentityError> {
        let mut state = self.state.lock().await;
        if state.fresh_until.is_none_or(|t| Instant::now() >= t) {
            self.fetch(client, &mut state).await?;
        }
        Ok(state.keys.clone())
    }

    /// The keys after a token named one the cache lacks: fetched again unless that happened
    /// less than `min_refresh` ago (then the cached ones, perhaps fetched meanwhile).
    async fn refreshed(
        &self,
        client: &reqwest::Client,
    ) -> Result<Arc<CoreJsonWebKeySet>, IdentityError> {
        let mut state = self.state.lock().await;
        if state
            .fetched_at
            .is_none_or(|t| t.elapsed() >= self.min_refresh)
        {
            self.fetch(client, &mut state).await?;
        }
        Ok(state.keys.clone())
    }

    /// `check` against the cached keys, and once more against refreshed ones when the token's
    /// key is unknown (the provider rotated its keys).
    async fn verify<T>(
        &self,
        client: &reqwest::Client,
        check: impl Fn(&CoreJsonWebKeySet) -> Result<T, Refusal>,
    ) -> Result<T, IdentityError> {
        let outcome = match check(&*self.current(client).await?) {
            Err(Refusal::UnknownKey) => check(&*self.refreshed(client).await?),
            other => other,
        };
        outcome.map_err(|r| match r {
            Refusal::UnknownKey => rejected("token signed with an unknown key"),
            Refusal::Invalid(why) => rejected(why),
        })
    }
}

// ---- ID tokens ---------------------------------------------------------------------------------

fn name(v: Option<&str>) -> Option<String> {
    v.map(|s| s.trim().chars().take(100).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// The identity in `token`, verified by openidconnect against `keys` for `issuer` and one of
/// `audiences`.
fn verify_id_token(
    keys: &CoreJsonWebKeySet,
    token: &CoreIdToken,
    issuer: &IssuerUrl,
    audiences: &[ClientId],
    provider: IdentityProvider,
) -> Result<ExternalIdentity, Refusal> {
    let skew = TimeDelta::seconds(i64::try_from(SKEW_SECS).unwrap_or(60));
    // The app sends no nonce, so none is expected.
    let no_nonce = |_: Option<&Nonce>| Ok::<(), String>(());
    let mut refusal = Refusal::Invalid("no client id is configured".into());
    // The verifier checks `aud` against one client id (cheaply, before the signature): try each.
    for client_id in audiences {
        let verifier =
            CoreIdTokenVerifier::new_public_client(client_id.clone(), issuer.clone(), keys.clone())
                .set_other_audience_verifier_fn(|aud| audiences.iter().any(|ours| **ours == **aud))
                .set_time_fn(move || Utc::now() - skew)
                .set_issue_time_verifier_fn(move |iat: DateTime<Utc>| {
                    if iat > Utc::now() + skew {
                        Err("issued in the future".to_owned())
                    } else {
                        Ok(())
                    }
                });
        let claims = match token.claims(&verifier, no_nonce) {
            Ok(claims) => claims,
            Err(ClaimsVerificationError::InvalidAudience(why)) => {
                refusal = Refusal::Invalid(format!("invalid token: {why}"));
                continue;
            }
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => return Err(Refusal::UnknownKey),
            Err(e) => return Err(Refusal::Invalid(format!("invalid token: {e}"))),
        };
        let subject = ProviderSubject::parse(claims.subject().as_str())
            .map_err(|_| Refusal::Invalid("invalid subject".into()))?;
        return Ok(ExternalIdentity {
            provider,
            subject,
            email: claims
                .email()
                .and_then(|e| EmailAddress::parse(e.as_str()).ok()),
            email_verified: claims.email_verified() == Some(true),
            given_name: name(
                claims
                    .given_name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str()),
            ),
            family_name: name(
                claims
                    .family_name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str()),
            ),
        });
    }
    Err(refusal)
}

fn parse_id_token(token: &str) -> Result<CoreIdToken, IdentityError> {
    // The parse error is not logged: it may quote the token's claims.
    CoreIdToken::from_str(token.trim()).map_err(|_| rejected("not a well-formed ID token"))
}

// ---- OAuth 2.0 over our client ------------------------------------------------------------------

/// Why the HTTP exchange under an OAuth 2.0 request failed: worth a later retry.
#[derive(Debug)]
enum Transport {
    Network(reqwest::Error),
    Status(u16),
}
impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network(e) => write!(f, "{e}"),
            Self::Status(s) => write!(f, "HTTP {s}"),
        }
    }
}
impl std::error::Error for Transport {}

/// `oauth2`'s HTTP client: our reqwest client, each request sent once (Apple's codes are
/// single-use). A 5xx or 429 is a [`Transport`] failure; other answers go back to `oauth2`, their
/// status noted for [`oauth_failure`].
struct OAuthHttp<'a> {
    client: &'a reqwest::Client,
    status: AtomicU16,
}

impl<'a> OAuthHttp<'a> {
    fn new(client: &'a reqwest::Client) -> Self {
        Self {
            client,
            status: AtomicU16::new(0),
        }
    }

    fn status(&self) -> u16 {
        self.status.load(Ordering::Relaxed)
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Transport> {
        let request =
            reqwest::Request::try_from(request).map_err(|e| Transport::Network(e.without_url()))?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|e| Transport::Network(e.without_url()))?;
        let code = response.status();
        self.status.store(code.as_u16(), Ordering::Relaxed);
        if code.is_server_error() || code.as_u16() == 429 {
            return Err(Transport::Status(code.as_u16()));
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| Transport::Network(e.without_url()))?;
        let mut answer = HttpResponse::new(body.to_vec());
        *answer.status_mut() = code;
        *answer.headers_mut() = headers;
        Ok(answer)
    }
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = Transport;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Transport>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// An OAuth 2.0 request's failure: unreachable, refused (a used, expired or forged code: 400
/// `invalid_grant`), or an answer that cannot be read.
fn oauth_failure<TE: ErrorResponse + 'static>(
    e: RequestTokenError<Transport, TE>,
    status: u16,
) -> IdentityError {
    match e {
        RequestTokenError::Request(t) => unavailable("apple", t),
        RequestTokenError::ServerResponse(refusal) => {
            rejected(format!("Apple refused it (HTTP {status}): {refusal}"))
        }
        _ if status == 200 => bad("apple", "unreadable token answer"),
        _ => rejected(format!("Apple refused it (HTTP {status})")),
    }
}

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

fn issuer(url: &str) -> Result<IssuerUrl, String> {
    IssuerUrl::new(url.to_owned()).map_err(|e| format!("issuer {url}: {e}"))
}

/// `jsonwebtoken`'s view of a key openidconnect read (both speak RFC 7517).
fn decoding_key(key: &CoreJsonWebKey) -> Option<DecodingKey> {
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::to_value(key)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())?;
    DecodingKey::from_jwk(&jwk).ok()
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

    /// Apple's OAuth 2.0 client: our client id with a fresh client secret (an ES256 JWT of the
    /// team's key, valid 5 minutes), both sent in the form body as Apple requires.
    fn apple_client(a: &Apple) -> Result<CoreClient, IdentityError> {
        let now = jsonwebtoken::get_current_timestamp();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(a.config.key_id.clone());
        let claims = AppleClientSecret {
            iss: &a.config.team_id,
            iat: now,
            exp: now + 300,
            aud: AppleConfig::ISSUER,
            sub: &a.config.client_id,
        };
        let secret = jsonwebtoken::encode(&header, &claims, &a.signing_key)
            .map_err(|_| rejected("could not sign the Apple client secret"))?;
        let client = CoreClient::new(
            a.client_id.clone(),
            a.issuer.clone(),
            CoreJsonWebKeySet::default(),
        )
        .set_client_secret(ClientSecret::new(secret))
        .set_auth_type(AuthType::RequestBody);
        Ok(match &a.redirect {
            Some(r) => client.set_redirect_uri(r.clone()),
            None => client,
        })
    }

    /// Revokes a token Apple issued to us (RFC 7009 at Apple's `/auth/revoke`, with the client
    /// secret and a `token_type_hint`), as Apple requires when an account is deleted.
    pub async fn revoke_apple_token(&self, token: AppleToken<'_>) -> Result<(), IdentityError> {
        let a = self.apple()?;
        let token = match token {
            AppleToken::Access(t) => CoreRevocableToken::from(AccessToken::new(t.to_owned())),
            AppleToken::Refresh(t) => CoreRevocableToken::from(RefreshToken::new(t.to_owned())),
        };
        let client = Self::apple_client(a)?
            .set_revocation_url(RevocationUrl::from_url(a.config.revoke_url.clone()));
        let http = OAuthHttp::new(&self.client);
        client
            .revoke_token(token)
            .map_err(|e| rejected(format!("revocation: {e}")))?
            .request_async(&http)
            .await
            .map_err(|e| oauth_failure(e, http.status()))
    }
}

#[async_trait]
impl IdentityVerifier for ProviderIdentity {
    async fn apple_code(&self, code: &str) -> Result<ExternalIdentity, IdentityError> {
        let a = self.apple()?;
        let code = code.trim();
        if code.is_empty() || code.len() > 1024 {
            return Err(rejected("invalid authorization code"));
        }
        let client =
            Self::apple_client(a)?.set_token_uri(TokenUrl::from_url(a.config.token_url.clone()));
        let http = OAuthHttp::new(&self.client);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&http)
            .await
            .map_err(|e| oauth_failure(e, http.status()))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| bad("apple", "the token answer has no id_token"))?;
        a.jwks
            .verify(&self.client, |keys| {
                verify_id_token(
                    keys,
                    id_token,
                    &a.issuer,
                    std::slice::from_ref(&a.client_id),
                    IdentityProvider::Apple,
                )
            })
            .await
    }

    async fn apple_notification(&self, payload: &str) -> Result<AppleAccountEvent, IdentityError> {
        let a = self.apple()?;
        let payload = payload.trim();
        let header = jsonwebtoken::decode_header(payload).map_err(|_| rejected("not a JWT"))?;
        if header.alg != Algorithm::RS256 {
            return Err(rejected(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| rejected("token without a key id"))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[AppleConfig::ISSUER]);
        validation.set_audience(std::slice::from_ref(&a.config.client_id));
        validation.leeway = SKEW_SECS;
        validation.set_required_spec_claims(&["iss", "aud", "iat"]);
        validation.validate_exp = false;
        let notice = a
            .jwks
            .verify(&self.client, |keys| {
                let key = keys
                    .keys()
                    .iter()
                    .find(|k| k.key_id().is_some_and(|id| id.as_str() == kid))
                    .and_then(decoding_key)
                    .ok_or(Refusal::UnknownKey)?;
                jsonwebtoken::decode::<AppleNotice>(payload, &key, &validation)
                    .map(|data| data.claims)
                    .map_err(|e| Refusal::Invalid(format!("invalid notification: {e}")))
            })
            .await?;
        // `events` is a JSON object, sent as a string.
        let events: AppleEvents = match notice.events {
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
        let g =
            self.google
                .as_ref()
                .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                    "Google Sign-In",
                )))?;
        let token = parse_id_token(token)?;
        g.jwks
            .verify(&self.client, |keys| {
                verify_id_token(
                    keys,
                    &token,
                    &g.issuer,
                    &g.client_ids,
                    IdentityProvider::Google,
                )
            })
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
            given_name: name(me.first_name.as_deref()),
            family_name: name(me.last_name.as_deref()),
        })
    }
}
