//! The error contract: every error body is `{"detail": "<human text>", "code": "<snake_case>"}`.
//! The table of codes below is the only place that maps errors to HTTP statuses.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use calndr_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// Every error code the API emits, with its status. Clients switch on `code`, never on `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ValidationFailed,
    MalformedBody,
    BadRequest,
    InvalidCredentials,
    EmailNotVerified,
    NotAuthenticated,
    InvalidToken,
    WrongPassword,
    Forbidden,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    EmailTaken,
    Conflict,
    InvalidEnrollmentCode,
    InvalidVerificationCode,
    FamilyMismatch,
    NotAnImage,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    ProviderNotConfigured,
    ServiceUnavailable,
    UpstreamUnavailable,
    UpstreamBadResponse,
    InternalError,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 26] = [
        Self::ValidationFailed,
        Self::MalformedBody,
        Self::BadRequest,
        Self::InvalidCredentials,
        Self::EmailNotVerified,
        Self::NotAuthenticated,
        Self::InvalidToken,
        Self::WrongPassword,
        Self::Forbidden,
        Self::NotFound,
        Self::RouteNotFound,
        Self::MethodNotAllowed,
        Self::EmailTaken,
        Self::Conflict,
        Self::InvalidEnrollmentCode,
        Self::InvalidVerificationCode,
        Self::FamilyMismatch,
        Self::NotAnImage,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::RateLimited,
        Self::ProviderNotConfigured,
        Self::ServiceUnavailable,
        Self::UpstreamUnavailable,
        Self::UpstreamBadResponse,
        Self::InternalError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValidationFailed => "validation_failed",
            Self::MalformedBody => "malformed_body",
            Self::BadRequest => "bad_request",
            Self::InvalidCredentials => "invalid_credentials",
            Self::EmailNotVerified => "email_not_verified",
            Self::NotAuthenticated => "not_authenticated",
            Self::InvalidToken => "invalid_token",
            Self::WrongPassword => "wrong_password",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::EmailTaken => "email_taken",
            Self::Conflict => "conflict",
            Self::InvalidEnrollmentCode => "invalid_enrollment_code",
            Self::InvalidVerificationCode => "invalid_verification_code",
            Self::FamilyMismatch => "family_mismatch",
            Self::NotAnImage => "not_an_image",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited => "rate_limited",
            Self::ProviderNotConfigured => "provider_not_configured",
            Self::ServiceUnavailable => "service_unavailable",
            Self::UpstreamUnavailable => "upstream_unavailable",
            Self::UpstreamBadResponse => "upstream_bad_response",
            Self::InternalError => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::MalformedBody
            | Self::BadRequest
            | Self::InvalidEnrollmentCode
            | Self::InvalidVerificationCode
            | Self::FamilyMismatch
            | Self::NotAnImage => StatusCode::BAD_REQUEST,
            Self::InvalidCredentials
            | Self::EmailNotVerified
            | Self::NotAuthenticated
            | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::WrongPassword | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::EmailTaken | Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::ProviderNotConfigured | Self::ServiceUnavailable | Self::UpstreamUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::UpstreamBadResponse => StatusCode::BAD_GATEWAY,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable message (English). Do not parse it.
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `email_taken`.
    pub code: &'static str,
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
        if let Some(secs) = self.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.json(ErrorBody {
            detail: self.detail.clone(),
            code: self.code.as_str(),
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
            AppError::WrongCurrentPassword => Self::new(C::WrongPassword, detail),
            AppError::EmailTaken => Self::new(C::EmailTaken, detail),
            AppError::InvalidEnrollmentCode => Self::new(C::InvalidEnrollmentCode, detail),
            AppError::InvalidVerificationCode => Self::new(C::InvalidVerificationCode, detail),
            AppError::FamilyMismatch => Self::new(C::FamilyMismatch, detail),
            AppError::NotFound(_) => Self::new(C::NotFound, detail),
            AppError::Forbidden(_) => Self::new(C::Forbidden, detail),
            AppError::Conflict(_) => Self::new(C::Conflict, detail),
            AppError::BadRequest { code, detail } => {
                let c = match code {
                    "not_an_image" => C::NotAnImage,
                    _ => C::BadRequest,
                };
                Self::new(c, detail)
            }
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
                Self::new(C::ServiceUnavailable, "Service temporarily unavailable")
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
            assert!(seen.insert(s), "duplicate {s}");
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{s}"
            );
        }
    }

    #[test]
    fn unexpected_errors_are_opaque() {
        let e: ApiError = AppError::Unexpected("db password is hunter2".into()).into();
        assert_eq!(e.code.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.detail.contains("hunter2"));
    }
}
