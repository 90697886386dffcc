use calndr_domain::ValidationError;
use calndr_ports::{BoxError, StoreError, TokenError, UpstreamError};
use thiserror::Error;

/// What a use case can report. The HTTP layer maps each variant to a status and a stable `code`.
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("Incorrect username or password")]
    InvalidCredentials,
    #[error("Please verify your email address before logging in")]
    EmailNotVerified,
    #[error("Not authenticated")]
    NotAuthenticated,
    #[error("Invalid token")]
    InvalidToken,
    #[error("Invalid current password")]
    WrongCurrentPassword,
    #[error("Email already registered")]
    EmailTaken,
    #[error("Invalid enrollment code")]
    InvalidEnrollmentCode,
    #[error("Invalid or expired verification code")]
    InvalidVerificationCode,
    #[error("Family ID does not match enrollment code")]
    FamilyMismatch,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record exists and is visible, but the caller may not change it: 403.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A uniqueness rule of the business (e.g. one reminder per family and date): 409.
    #[error("{0}")]
    Conflict(String),
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{detail}")]
    PayloadTooLarge { detail: String },
    #[error("Too many requests; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0} is not configured on this server")]
    ProviderNotConfigured(&'static str),
    /// An outside service (weather, places…) could not be reached in time: 503.
    #[error("The {service} service is temporarily unavailable")]
    UpstreamUnavailable {
        service: &'static str,
        #[source]
        source: BoxError,
    },
    /// An outside service answered something unusable: 502.
    #[error("The {service} service answered an unusable response")]
    UpstreamBadResponse {
        service: &'static str,
        reason: String,
    },
    #[error("A dependency is unavailable")]
    Unavailable(#[source] BoxError),
    #[error("Unexpected error")]
    Unexpected(#[source] BoxError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound("Record"),
            StoreError::Conflict("email") => Self::EmailTaken,
            StoreError::Conflict(what) => Self::Conflict(format!("{what} already exists")),
            StoreError::Unavailable(src) => Self::Unavailable(src),
            StoreError::Unexpected(src) => Self::Unexpected(src),
        }
    }
}

impl From<TokenError> for AppError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired | TokenError::Invalid => Self::InvalidToken,
            TokenError::Issue => Self::Unexpected(Box::new(e)),
        }
    }
}

impl From<UpstreamError> for AppError {
    fn from(e: UpstreamError) -> Self {
        match e {
            UpstreamError::NotConfigured(what) => Self::ProviderNotConfigured(what),
            UpstreamError::Unavailable { service, source } => {
                Self::UpstreamUnavailable { service, source }
            }
            UpstreamError::BadResponse { service, reason } => {
                Self::UpstreamBadResponse { service, reason }
            }
        }
    }
}
