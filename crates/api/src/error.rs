//! The error contract: every error body is `{"detail": "<human text>", "code": "<snake_case>"}`.
//! The table of codes below is the only place that maps errors to HTTP statuses.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use calndr_app::AppError;
use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// Seconds a client is told to wait before retrying a 503.
pub const RETRY_AFTER_SECS: u64 = 2;

/// Declares [`ErrorCode`] once: each variant with its wire string, its HTTP status and what it
/// means. `ALL`, `as_str`, `status` and `meaning` are generated, so a new code cannot be left out
/// of the list, the OpenAPI schema or the docs table.
macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:ident, $meaning:literal;)+) => {
        /// Every error code the API emits, with its status. Clients switch on `code`, never on
        /// `detail`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(#[doc = $meaning] $variant,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant,)+];

            /// The snake_case string clients see in `code`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            pub fn status(self) -> StatusCode {
                match self {
                    $(Self::$variant => StatusCode::$status,)+
                }
            }

            /// When the API answers this code (for the OpenAPI document and the docs).
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Self::$variant => $meaning,)+
                }
            }
        }
    };
}

error_codes! {
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY,
        "A value is missing, malformed or out of range; `field` names it";
    MalformedBody = "malformed_body", BAD_REQUEST,
        "The body, query string or path cannot be read at all";
    BadRequest = "bad_request", BAD_REQUEST,
        "A well-formed request the service refuses; `detail` says why";
    NoFamily = "no_family", BAD_REQUEST,
        "The caller belongs to no family, and the request is about one";
    InvalidResetToken = "invalid_reset_token", BAD_REQUEST,
        "The password-reset code is malformed, expired or already used";
    InvalidEnrollmentCode = "invalid_enrollment_code", BAD_REQUEST,
        "The enrollment code is unknown, expired, revoked or spent";
    InvalidVerificationCode = "invalid_verification_code", BAD_REQUEST,
        "The e-mail verification code is wrong, expired or used up";
    FamilyMismatch = "family_mismatch", BAD_REQUEST,
        "The family id sent does not match the enrollment code's family";
    NotAnImage = "not_an_image", BAD_REQUEST,
        "The upload is not a JPEG, PNG, GIF, WebP or HEIC image";
    IdempotencyKeyInvalid = "idempotency_key_invalid", BAD_REQUEST,
        "The `Idempotency-Key` header is not 1 to 255 visible ASCII characters";
    InvalidCredentials = "invalid_credentials", UNAUTHORIZED,
        "Unknown e-mail address or wrong password";
    EmailNotVerified = "email_not_verified", UNAUTHORIZED,
        "The account's e-mail address is not verified yet";
    NotAuthenticated = "not_authenticated", UNAUTHORIZED,
        "No bearer token, or one that no longer names an account";
    InvalidToken = "invalid_token", UNAUTHORIZED,
        "A token or identity credential is malformed, expired or not ours";
    WrongPassword = "wrong_password", FORBIDDEN,
        "The current password given for a change is wrong";
    ReauthenticationRequired = "reauthentication_required", FORBIDDEN,
        "Deleting an account without a password needs a sign-in from the last 10 minutes";
    Forbidden = "forbidden", FORBIDDEN,
        "The record is visible to the caller but not theirs to change";
    NotFound = "not_found", NOT_FOUND,
        "No such record (or it belongs to another family)";
    RouteNotFound = "route_not_found", NOT_FOUND,
        "No route has this path";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED,
        "The path exists but not with this method; `Allow` lists the methods";
    RequestTimeout = "request_timeout", REQUEST_TIMEOUT,
        "The request body did not arrive in time; the connection is closed";
    EmailTaken = "email_taken", CONFLICT,
        "An account already uses this e-mail address";
    Conflict = "conflict", CONFLICT,
        "The record already exists (a uniqueness rule of the service)";
    IdempotencyKeyInUse = "idempotency_key_in_use", CONFLICT,
        "A request with this `Idempotency-Key` is still running; retry shortly";
    IdempotencyKeyReused = "idempotency_key_reused", UNPROCESSABLE_ENTITY,
        "This `Idempotency-Key` was used for a different request (method, path or body)";
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE,
        "The body or upload is larger than the limit";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE,
        "The body's `Content-Type` is not the one the route reads";
    RateLimited = "rate_limited", TOO_MANY_REQUESTS,
        "Too many attempts; retry after `Retry-After` seconds";
    ProviderNotConfigured = "provider_not_configured", SERVICE_UNAVAILABLE,
        "The outside service this needs is not configured on this server";
    ServiceUnavailable = "service_unavailable", SERVICE_UNAVAILABLE,
        "The database, cache or another dependency is unreachable";
    UpstreamUnavailable = "upstream_unavailable", SERVICE_UNAVAILABLE,
        "An outside service did not answer in time";
    UpstreamBadResponse = "upstream_bad_response", BAD_GATEWAY,
        "An outside service answered something unusable";
    InternalError = "internal_error", INTERNAL_SERVER_ERROR,
        "A bug; the body is opaque and the cause is logged";
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        let table: String = Self::ALL
            .iter()
            .map(|c| {
                format!(
                    "\n- `{}` ({}): {}",
                    c.as_str(),
                    c.status().as_u16(),
                    c.meaning()
                )
            })
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Self::ALL.iter().map(|c| c.as_str())))
            .description(Some(format!(
                "Stable machine-readable code; switch on it, never on `detail`:{table}"
            )))
            .into()
    }
}

impl ToSchema for ErrorCode {}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable message (English). Do not parse it.
    pub detail: String,
    pub code: ErrorCode,
    /// The offending input field, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    pub field: Option<String>,
    pub retry_after_secs: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn validation(field: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        let field = field.into();
        Self {
            code: ErrorCode::ValidationFailed,
            detail: format!("{field}: {reason}"),
            field: Some(field),
            retry_after_secs: None,
        }
    }

    pub fn not_authenticated() -> Self {
        Self::new(ErrorCode::NotAuthenticated, "Not authenticated")
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if self.code.status() == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if self.code == ErrorCode::RequestTimeout {
            // The rest of the body is not waited for: the connection is freed.
            res.force_close();
        }
        if let Some(secs) = self.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.json(ErrorBody {
            detail: self.detail.clone(),
            code: self.code,
            field: self.field.clone(),
        })
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use ErrorCode as C;
        let detail = e.to_string();
        match e {
            AppError::Validation(v) => Self::validation(v.field, v.reason),
            AppError::InvalidCredentials => Self::new(C::InvalidCredentials, detail),
            AppError::EmailNotVerified => Self::new(C::EmailNotVerified, detail),
            AppError::NotAuthenticated => Self::not_authenticated(),
            AppError::InvalidToken => Self::new(C::InvalidToken, detail),
            AppError::InvalidResetToken => Self::new(C::InvalidResetToken, detail),
            AppError::WrongCurrentPassword => Self::new(C::WrongPassword, detail),
            AppError::ReauthenticationRequired => Self::new(C::ReauthenticationRequired, detail),
            AppError::EmailTaken => Self::new(C::EmailTaken, detail),
            AppError::InvalidEnrollmentCode => Self::new(C::InvalidEnrollmentCode, detail),
            AppError::InvalidVerificationCode => Self::new(C::InvalidVerificationCode, detail),
            AppError::FamilyMismatch => Self::new(C::FamilyMismatch, detail),
            AppError::NoFamily => Self::new(C::NoFamily, detail),
            AppError::NotFound(_) => Self::new(C::NotFound, detail),
            AppError::Forbidden(_) => Self::new(C::Forbidden, detail),
            AppError::Conflict(_) => Self::new(C::Conflict, detail),
            AppError::Refused(_) => Self::new(C::BadRequest, detail),
            AppError::NotAnImage(_) => Self::new(C::NotAnImage, detail),
            AppError::PayloadTooLarge { detail } => Self::new(C::PayloadTooLarge, detail),
            AppError::RateLimited { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(C::RateLimited, detail)
            },
            AppError::ProviderNotConfigured(_) => Self::new(C::ProviderNotConfigured, detail),
            AppError::UpstreamUnavailable { service, source } => {
                tracing::warn!(upstream = service, error = %source, "outside service unavailable");
                Self::new(C::UpstreamUnavailable, detail)
            }
            AppError::UpstreamBadResponse { service, reason } => {
                tracing::warn!(upstream = service, reason = %reason, "outside service answered badly");
                Self::new(C::UpstreamBadResponse, detail)
            }
            AppError::Unavailable(source) => {
                tracing::warn!(error = %source, "dependency unavailable");
                Self {
                    retry_after_secs: Some(RETRY_AFTER_SECS),
                    ..Self::new(C::ServiceUnavailable, "Service temporarily unavailable")
                }
            }
            AppError::Unexpected(source) => {
                tracing::error!(error = %source, cause = ?source, "unexpected error");
                Self::new(C::InternalError, "Internal server error")
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<calndr_domain::ValidationError> for ApiError {
    fn from(v: calndr_domain::ValidationError) -> Self {
        Self::validation(v.field, v.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(!c.meaning().is_empty(), "{s} has no meaning");
            assert!(seen.insert(s), "duplicate {s}");
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{s}"
            );
        }
    }

    /// The table of codes as docs/api-notes.md shows it, generated from the enum.
    fn markdown_table() -> String {
        let mut table = String::from("| code | status | when |\n|---|---|---|\n");
        for c in ErrorCode::ALL {
            let status = c.status().as_u16();
            table.push_str(&format!(
                "| `{}` | {status} | {} |\n",
                c.as_str(),
                c.meaning()
            ));
        }
        table
    }

    #[test]
    fn the_docs_list_every_code_with_its_status() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api-notes.md");
        let docs = std::fs::read_to_string(path).unwrap_or_default();
        let table = markdown_table();
        assert!(
            docs.contains(&table),
            "docs/api-notes.md must contain the table of error codes, exactly:\n\n{table}"
        );
    }

    #[test]
    fn each_app_error_maps_to_its_code_and_keeps_its_detail() {
        use calndr_app::{NotAnImage, Refusal};
        let cases = [
            (
                AppError::NoFamily,
                ErrorCode::NoFamily,
                "User is not a member of a family",
            ),
            (
                AppError::InvalidResetToken,
                ErrorCode::InvalidResetToken,
                "Invalid or expired token",
            ),
            (
                Refusal::NothingToUpdate.into(),
                ErrorCode::BadRequest,
                "No data provided for update",
            ),
            (
                Refusal::BySource("Calendar page not found".into()).into(),
                ErrorCode::BadRequest,
                "Calendar page not found",
            ),
            (
                NotAnImage::UnknownKind.into(),
                ErrorCode::NotAnImage,
                "File must be an image (JPEG, PNG, GIF, WebP or HEIC)",
            ),
        ];
        for (app, code, detail) in cases {
            let e = ApiError::from(app);
            assert_eq!((e.code, e.detail.as_str()), (code, detail));
            assert_eq!(e.code.status(), StatusCode::BAD_REQUEST, "{detail}");
        }
    }

    #[test]
    fn the_body_carries_the_code_as_its_string() {
        let body = ErrorBody {
            detail: "x".into(),
            code: ErrorCode::NoFamily,
            field: None,
        };
        assert_eq!(
            serde_json::to_value(body).unwrap_or_default(),
            serde_json::json!({"detail": "x", "code": "no_family"})
        );
    }

    #[test]
    fn unexpected_errors_are_opaque() {
        let e: ApiError = AppError::Unexpected("db password is hunter2".into()).into();
        assert_eq!(e.code.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.detail.contains("hunter2"));
    }
}
