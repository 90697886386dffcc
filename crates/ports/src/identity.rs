//! Verification of what the app got from Apple, Google or Facebook.

use async_trait::async_trait;
use calndr_domain::{AppleAccountEvent, ExternalIdentity};
use thiserror::Error;

use crate::UpstreamError;

#[derive(Debug, Error)]
pub enum IdentityError {
    /// The token or code is not acceptable (bad signature, wrong issuer or audience, expired…).
    /// The reason is for logs; clients get a plain 401.
    #[error("identity rejected: {0}")]
    Rejected(String),
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdentityVerifier: Send + Sync {
    /// Sign in with Apple: the app's authorization code, exchanged at Apple; the returned ID
    /// token verified against Apple's keys. With `nonce` (the app sent one) the token's `nonce`
    /// claim must equal it; without, the token's nonce is not checked (the iOS app sends none).
    async fn apple_code<'a>(
        &self,
        code: &str,
        nonce: Option<&'a str>,
    ) -> Result<ExternalIdentity, IdentityError>;

    /// Google Sign-In: the app's ID token, verified against Google's keys; `nonce` as for
    /// [`IdentityVerifier::apple_code`].
    async fn google_id_token<'a>(
        &self,
        token: &str,
        nonce: Option<&'a str>,
    ) -> Result<ExternalIdentity, IdentityError>;

    /// Apple's server-to-server notification (`{"payload": "<JWT>"}`), verified against Apple's
    /// keys for our client id.
    async fn apple_notification(&self, payload: &str) -> Result<AppleAccountEvent, IdentityError>;

    /// Facebook Login: a user access token, checked with `debug_token` for our app id.
    async fn facebook_token(&self, token: &str) -> Result<ExternalIdentity, IdentityError>;

    /// Revokes a refresh token Apple issued to us (at Apple's `/auth/revoke`, with our client
    /// secret), as Apple requires when an account is deleted. `Rejected` when Apple refuses it
    /// for good (or Apple is not configured); `Upstream` when worth retrying.
    async fn revoke_apple_refresh_token(&self, token: &str) -> Result<(), IdentityError>;
}
