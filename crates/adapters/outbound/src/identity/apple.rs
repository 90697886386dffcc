//! Sign in with Apple: the code exchange, the ID token it returns, token revocation and the
//! server-to-server notifications.

use calndr_domain::{
    AppleAccountEvent, ExternalIdentity, IdentityProvider, ProviderRefreshToken, ProviderSubject,
};
use calndr_ports::IdentityError;
use jsonwebtoken::{Algorithm, Header, Validation};
use openidconnect::core::{CoreClient, CoreJsonWebKeySet, CoreRevocableToken};
use openidconnect::{
    AccessToken, AuthType, AuthorizationCode, ClientSecret, JsonWebKey, Nonce, OAuth2TokenResponse,
    RefreshToken, RevocationUrl, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::id_token::verify_id_token;
use super::jwks::{decoding_key, Refusal};
use super::oauth::{oauth_failure, OAuthHttp};
use super::{bad, rejected, Apple, AppleConfig, AppleToken, ProviderIdentity, SKEW_SECS};

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

impl ProviderIdentity {
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

    /// [`calndr_ports::IdentityVerifier::apple_code`].
    pub(super) async fn verify_apple_code(
        &self,
        code: &str,
        nonce: Option<&Nonce>,
    ) -> Result<ExternalIdentity, IdentityError> {
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
        let refresh_token = tokens
            .refresh_token()
            .and_then(|t| ProviderRefreshToken::new(t.secret()));
        let identity = a
            .jwks
            .verify(&self.client, |keys| {
                verify_id_token(
                    keys,
                    id_token,
                    &a.issuer,
                    std::slice::from_ref(&a.client_id),
                    nonce,
                    IdentityProvider::Apple,
                )
            })
            .await?;
        Ok(ExternalIdentity {
            refresh_token,
            ..identity
        })
    }

    /// [`calndr_ports::IdentityVerifier::apple_notification`].
    pub(super) async fn verify_apple_notification(
        &self,
        payload: &str,
    ) -> Result<AppleAccountEvent, IdentityError> {
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
}
