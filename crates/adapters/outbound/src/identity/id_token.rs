//! OpenID Connect ID tokens (Google's, and the one Apple's token endpoint returns), verified by
//! `openidconnect`.

use std::str::FromStr;

use calndr_domain::{EmailAddress, ExternalIdentity, IdentityProvider, ProviderSubject};
use calndr_ports::IdentityError;
use chrono::{DateTime, TimeDelta, Utc};
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
use openidconnect::{
    ClaimsVerificationError, ClientId, IssuerUrl, Nonce, SignatureVerificationError,
};

use super::jwks::Refusal;
use super::{rejected, SKEW_SECS};

pub(super) fn name(v: Option<&str>) -> Option<String> {
    v.map(|s| s.trim().chars().take(100).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// The identity in `token`, verified by openidconnect against `keys` for `issuer` and one of
/// `audiences`; with `nonce`, the token's `nonce` claim must equal it (a token without one is
/// refused), without, the claim is not checked.
pub(super) fn verify_id_token(
    keys: &CoreJsonWebKeySet,
    token: &CoreIdToken,
    issuer: &IssuerUrl,
    audiences: &[ClientId],
    nonce: Option<&Nonce>,
    provider: IdentityProvider,
) -> Result<ExternalIdentity, Refusal> {
    let skew = TimeDelta::seconds(i64::try_from(SKEW_SECS).unwrap_or(60));
    // The current iOS app sends no nonce: then none is expected.
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
        let checked = match nonce {
            Some(expected) => token.claims(&verifier, expected),
            None => token.claims(&verifier, no_nonce),
        };
        let claims = match checked {
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
            refresh_token: None,
        });
    }
    Err(refusal)
}

pub(super) fn parse_id_token(token: &str) -> Result<CoreIdToken, IdentityError> {
    // The parse error is not logged: it may quote the token's claims.
    CoreIdToken::from_str(token.trim()).map_err(|_| rejected("not a well-formed ID token"))
}
