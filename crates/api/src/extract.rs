//! Extractors: the authenticated caller, the client address, and the error handlers that turn
//! malformed input into the error contract.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use calndr_app::{Principal, Session};

use crate::error::{ApiError, ErrorCode};
use crate::state::ApiState;

/// The authenticated caller. A handler that takes it cannot be reached anonymously: a missing,
/// malformed, expired or orphaned token answers 401 `not_authenticated`.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser(pub Principal, pub Session);

pub(crate) fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<ApiState>>().cloned();
        Box::pin(async move {
            let token = token.ok_or_else(ApiError::not_authenticated)?;
            let state = state
                .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "Internal server error"))?;
            let (principal, session) = state.accounts.auth().authenticate_session(&token).await?;
            Ok(CurrentUser(principal, session))
        })
    }
}

/// The client's address for rate limits: the peer, or the last `X-Forwarded-For` entry when the
/// service runs behind a trusted load balancer.
pub fn client_addr(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
        if let Some(ip) = forwarded {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Pulls the field name out of a serde message such as "missing field `email`".
fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}

fn serde_problem(message: &str) -> ApiError {
    // serde_json appends " at line 1 column 12"; keep the message short and free of input data.
    let short = message.split(" at line ").next().unwrap_or(message);
    match field_of(short) {
        Some(field) if short.starts_with("missing field") => {
            ApiError::validation(field, "field required")
        }
        Some(field) if short.starts_with("unknown field") => {
            ApiError::validation(field, "unknown field")
        }
        _ => {
            // serde quotes the offending input ("invalid type: string \"...\""): describe the
            // problem and what was expected, never the value the client sent.
            let kind = if short.starts_with("invalid type") {
                "a value has the wrong type"
            } else if short.starts_with("invalid value") {
                "a value is not allowed"
            } else if short.starts_with("invalid length") {
                "a list or text has the wrong length"
            } else {
                "has the wrong shape or types"
            };
            let expected = short
                .rsplit_once(", expected ")
                .map(|(_, x)| format!(" (expected {x})"))
                .unwrap_or_default();
            let mut e = ApiError::validation("body", kind);
            e.detail = format!("body: {kind}{expected}");
            e
        }
    }
}

/// A JSON body that may be absent (the app sends some requests without one): empty means
/// `T::default()`; malformed JSON, or a struct sent as anything but an object, is the usual 422.
pub fn parse_json_bytes<T: serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    crate::json_body::from_slice(body).map_err(|e| serde_problem(&e.to_string()))
}

pub fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                "JSON body too large (at most 1 MiB)",
            )
        }
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Content-Type must be application/json",
        ),
        JsonPayloadError::Deserialize(de) if de.is_data() => serde_problem(&de.to_string()),
        JsonPayloadError::Deserialize(_) => {
            ApiError::new(ErrorCode::MalformedBody, "Malformed JSON body")
        }
        _ => ApiError::new(ErrorCode::MalformedBody, "Could not read the request body"),
    };
    e.into()
}

pub fn form_error(err: UrlencodedError, _: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        UrlencodedError::Overflow { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, "Form body too large")
        }
        UrlencodedError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Content-Type must be application/x-www-form-urlencoded",
        ),
        UrlencodedError::Parse(pe) => serde_problem(&pe.to_string()),
        _ => ApiError::new(ErrorCode::MalformedBody, "Malformed form body"),
    };
    e.into()
}

pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        QueryPayloadError::Deserialize(de) => serde_problem(&de.to_string()),
        _ => ApiError::new(ErrorCode::MalformedBody, "Malformed query string"),
    };
    e.into()
}

pub fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    let PathError::Deserialize(de) = &err else {
        return ApiError::new(ErrorCode::MalformedBody, "Malformed path").into();
    };
    let mut e = ApiError::validation("path", "has an invalid value");
    e.detail = format!(
        "path: {}",
        de.to_string().split(" at ").next().unwrap_or("invalid")
    );
    e.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_problems_never_echo_the_input() {
        let e = serde_problem(
            "invalid type: string \"jane@example.com\", expected a boolean at line 1 column 9",
        );
        assert!(!e.detail.contains("jane"), "{}", e.detail);
        assert_eq!(
            e.detail,
            "body: a value has the wrong type (expected a boolean)"
        );
    }

    #[test]
    fn serde_messages_name_the_field() {
        let e = serde_problem("missing field `email` at line 1 column 2");
        assert_eq!(e.field.as_deref(), Some("email"));
        assert_eq!(e.code, ErrorCode::ValidationFailed);
    }
}
