//! A provider's signing keys (JWKS), cached for the `max-age` the provider sends; a token signed
//! with a key the cache lacks triggers one refresh, at most one per `min_refresh`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use calndr_ports::IdentityError;
use jsonwebtoken::DecodingKey;
use openidconnect::core::{CoreJsonWebKey, CoreJsonWebKeySet};
use tokio::sync::Mutex;
use url::Url;

use super::{bad, rejected, unavailable, HttpStatus, MIN_REFRESH};

/// A provider's signing keys, fetched when needed.
pub(super) struct Jwks {
    service: &'static str,
    url: Url,
    pub(super) min_refresh: Duration,
    state: Mutex<JwksState>,
}

#[derive(Default)]
struct JwksState {
    keys: Arc<CoreJsonWebKeySet>,
    fresh_until: Option<Instant>,
    fetched_at: Option<Instant>,
}

/// Why a token was refused, as far as the key cache cares.
pub(super) enum Refusal {
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
    pub(super) fn new(service: &'static str, url: Url) -> Self {
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
    pub(super) async fn verify<T>(
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

/// `jsonwebtoken`'s view of a key openidconnect read (both speak RFC 7517).
pub(super) fn decoding_key(key: &CoreJsonWebKey) -> Option<DecodingKey> {
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::to_value(key)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())?;
    DecodingKey::from_jwk(&jwk).ok()
}
