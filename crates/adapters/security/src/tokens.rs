use std::collections::HashSet;

use base64::Engine as _;
use calndr_domain::{AccessTokenClaims, FamilyId, PasswordHash, UserId};
use calndr_ports::{IssuedToken, ResetClaims, TokenError, TokenService};
use chrono::{DateTime, Duration, TimeZone, Utc};
use hmac::{KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Access tokens live 30 days, as the original's (`ACCESS_TOKEN_EXPIRE_MINUTES` = 43200).
pub use calndr_domain::ACCESS_TOKEN_LIFETIME_DAYS;
const RESET_LIFETIME_MINUTES: i64 = 60;
const ISSUER: &str = "calndr-backend";
const RESET_PURPOSE: &str = "password_reset";

/// The original's claims, in its order. `exp`/`iat` are fractional seconds; the app decodes the
/// payload itself and needs a numeric `exp` and a string `family_id`.
#[derive(Serialize)]
struct OutClaims<'a> {
    sub: String,
    family_id: Option<String>,
    exp: f64,
    iat: f64,
    iss: &'a str,
}

#[derive(Deserialize)]
struct InClaims {
    sub: String,
    #[serde(default)]
    family_id: Option<String>,
    exp: f64,
    #[serde(default)]
    iat: Option<f64>,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    pwf: Option<String>,
}

#[derive(Serialize)]
struct ResetOut<'a> {
    sub: String,
    purpose: &'a str,
    pwf: String,
    exp: f64,
    iat: f64,
    iss: &'a str,
}

/// HS256 tokens signed with the service secret.
pub struct Tokens {
    secret: SecretString,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(<secret redacted>)")
    }
}

fn seconds(t: DateTime<Utc>) -> f64 {
    t.timestamp_micros() as f64 / 1_000_000.0
}

fn from_seconds(s: f64) -> Option<DateTime<Utc>> {
    if !s.is_finite() {
        return None;
    }
    let micros = (s * 1_000_000.0).round();
    if micros.abs() > 9.0e18 {
        return None;
    }
    Utc.timestamp_micros(micros as i64).single()
}

impl Tokens {
    pub fn new(secret: SecretString) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        // `exp` is checked here, by hand, because the original writes it as a float.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::new();
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            secret,
            validation,
        }
    }

    fn decode(&self, token: &str) -> Result<InClaims, TokenError> {
        let data = jsonwebtoken::decode::<InClaims>(token.trim(), &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        let exp = from_seconds(claims.exp).ok_or(TokenError::Invalid)?;
        if exp <= Utc::now() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    fn sign<T: Serialize>(&self, claims: &T) -> Result<String, TokenError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|_| TokenError::Issue)
    }
}

impl TokenService for Tokens {
    fn issue(&self, user: UserId, family: Option<FamilyId>) -> Result<IssuedToken, TokenError> {
        let now = Utc::now();
        let expires_at = now + Duration::days(ACCESS_TOKEN_LIFETIME_DAYS);
        let token = self.sign(&OutClaims {
            sub: user.to_string(),
            family_id: family.map(|f| f.to_string()),
            exp: seconds(expires_at),
            iat: seconds(now),
            iss: ISSUER,
        })?;
        Ok(IssuedToken { token, expires_at })
    }

    fn verify(&self, token: &str) -> Result<AccessTokenClaims, TokenError> {
        let claims = self.decode(token)?;
        if claims.purpose.is_some() {
            // A purpose-bound token (password reset) is never an access token.
            return Err(TokenError::Invalid);
        }
        let user_id = UserId::parse(&claims.sub, "sub").map_err(|_| TokenError::Invalid)?;
        let family_id = claims
            .family_id
            .as_deref()
            .and_then(|f| FamilyId::parse(f, "family_id").ok());
        Ok(AccessTokenClaims {
            user_id,
            family_id,
            issued_at: claims.iat.and_then(from_seconds),
            expires_at: from_seconds(claims.exp).ok_or(TokenError::Invalid)?,
        })
    }

    fn issue_reset(
        &self,
        user: UserId,
        current: Option<&PasswordHash>,
    ) -> Result<String, TokenError> {
        let now = Utc::now();
        self.sign(&ResetOut {
            sub: user.to_string(),
            purpose: RESET_PURPOSE,
            pwf: self.password_fingerprint(current),
            exp: seconds(now + Duration::minutes(RESET_LIFETIME_MINUTES)),
            iat: seconds(now),
            iss: ISSUER,
        })
    }

    fn verify_reset(&self, token: &str) -> Result<ResetClaims, TokenError> {
        let claims = self.decode(token)?;
        if claims.purpose.as_deref() != Some(RESET_PURPOSE) {
            return Err(TokenError::Invalid);
        }
        Ok(ResetClaims {
            user_id: UserId::parse(&claims.sub, "sub").map_err(|_| TokenError::Invalid)?,
            password_fingerprint: claims.pwf.ok_or(TokenError::Invalid)?,
        })
    }

    fn password_fingerprint(&self, current: Option<&PasswordHash>) -> String {
        let Ok(mut mac) =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(self.secret.expose_secret().as_bytes())
        else {
            return String::new();
        };
        mac.update(b"calndr-password-reset\0");
        mac.update(current.map_or("", |h| h.as_str()).as_bytes());
        let digest = mac.finalize().into_bytes();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn tokens() -> Tokens {
        Tokens::new(SecretString::from(
            "test-secret-of-enough-length-0123456789",
        ))
    }

    /// Signs claims exactly the way the original's python-jose code does (HS256, float exp/iat).
    fn original_style(secret: &str, payload: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(payload.as_bytes());
        let signing_input = format!("{header}.{body}");
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    #[test]
    fn accepts_tokens_the_original_issued() {
        let user = UserId::random();
        let family = FamilyId::random();
        let exp = seconds(Utc::now() + Duration::days(29)) + 0.123456;
        let payload = format!(
            r#"{{"sub":"{user}","family_id":"{family}","exp":{exp},"iat":1753000000.654321,"iss":"calndr-backend"}}"#
        );
        let token = original_style("test-secret-of-enough-length-0123456789", &payload);
        let claims = tokens().verify(&token).unwrap();
        assert_eq!(claims.user_id, user);
        assert_eq!(claims.family_id, Some(family));
    }

    #[test]
    fn rejects_expired_forged_and_unsigned_tokens() {
        let user = UserId::random();
        let past = seconds(Utc::now() - Duration::seconds(5));
        let expired = original_style(
            "test-secret-of-enough-length-0123456789",
            &format!(r#"{{"sub":"{user}","exp":{past}}}"#),
        );
        assert_eq!(tokens().verify(&expired), Err(TokenError::Expired));
        let forged = original_style(
            "another-secret",
            &format!(r#"{{"sub":"{user}","exp":9e9}}"#),
        );
        assert_eq!(tokens().verify(&forged), Err(TokenError::Invalid));
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{user}","exp":9e9}}"#).as_bytes())
        );
        assert_eq!(tokens().verify(&none), Err(TokenError::Invalid));
        assert_eq!(tokens().verify("garbage"), Err(TokenError::Invalid));
    }

    #[test]
    fn issued_tokens_carry_what_the_app_decodes() {
        let (user, family) = (UserId::random(), FamilyId::random());
        let issued = tokens().issue(user, Some(family)).unwrap();
        let payload = issued.token.split('.').nth(1).unwrap();
        // The app pads and decodes the payload with *standard* base64.
        let padded = format!("{payload}{}", "=".repeat((4 - payload.len() % 4) % 4));
        let json: serde_json::Value =
            serde_json::from_slice(&STANDARD.decode(padded).unwrap()).unwrap();
        assert_eq!(json["sub"], user.to_string());
        assert_eq!(json["family_id"], family.to_string());
        assert_eq!(json["iss"], "calndr-backend");
        let exp = json["exp"].as_f64().unwrap();
        let days = (exp - seconds(Utc::now())) / 86_400.0;
        assert!((29.9..30.1).contains(&days), "{days}");
        assert_eq!(tokens().verify(&issued.token).unwrap().user_id, user);
    }

    #[test]
    fn reset_tokens_are_bound_to_the_password_and_are_not_access_tokens() {
        let t = tokens();
        let user = UserId::random();
        let old = PasswordHash::from_stored("$2b$12$old".into());
        let reset = t.issue_reset(user, Some(&old)).unwrap();
        assert_eq!(t.verify(&reset), Err(TokenError::Invalid));
        let claims = t.verify_reset(&reset).unwrap();
        assert_eq!(claims.user_id, user);
        assert_eq!(
            claims.password_fingerprint,
            t.password_fingerprint(Some(&old))
        );
        let new = PasswordHash::from_stored("$argon2id$new".into());
        assert_ne!(
            claims.password_fingerprint,
            t.password_fingerprint(Some(&new))
        );
        let access = t.issue(user, None).unwrap();
        assert_eq!(t.verify_reset(&access.token), Err(TokenError::Invalid));
    }
}
