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
    /// A password-reset code that is malformed, forged, expired or spent. Not `InvalidToken`: the
    /// caller's session is fine, only the mailed code is not.
    #[error("Invalid or expired token")]
    InvalidResetToken,
    #[error("Invalid current password")]
    WrongCurrentPassword,
    /// Deleting an account without a password needs a session begun in the last few minutes.
    #[error(
        "Sign in again to confirm: deleting an account needs a sign-in from the last 10 minutes"
    )]
    ReauthenticationRequired,
    #[error("Email already registered")]
    EmailTaken,
    #[error("Invalid enrollment code")]
    InvalidEnrollmentCode,
    #[error("Invalid or expired verification code")]
    InvalidVerificationCode,
    #[error("Family ID does not match enrollment code")]
    FamilyMismatch,
    /// A family-scoped use case called by someone who belongs to no family.
    #[error("User is not a member of a family")]
    NoFamily,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record exists and is visible, but the caller may not change it: 403.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A uniqueness rule of the business (e.g. one reminder per family and date): 409.
    #[error("{0}")]
    Conflict(String),
    /// A well-formed request the business refuses, for the reason given: 400.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// An upload that is not an image of a kind we accept: 400.
    #[error(transparent)]
    NotAnImage(#[from] NotAnImage),
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

/// Why a well-formed request was refused. The text is the `detail` the client shows.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Refusal {
    #[error("No data provided for update")]
    NothingToUpdate,
    #[error("A schedule needs two family members")]
    ScheduleNeedsTwoMembers,
    #[error("The provider did not share an e-mail address; allow it and try again")]
    NoEmailFromProvider,
    #[error("Custody events should use /api/custody endpoint")]
    CustodyEventsHaveTheirOwnRoute,
    #[error("Daycare provider has no website URL")]
    NoDaycareWebsite,
    /// An outside source (place search, calendar page) refused the request; its text is safe to
    /// show.
    #[error("{0}")]
    BySource(String),
}

/// Why an upload is not accepted as an image.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum NotAnImage {
    /// The part's declared content type is not `image/*`.
    #[error("File must be an image")]
    NotDeclared,
    /// Declared as an image, but its bytes are none of the kinds we read.
    #[error("File must be an image (JPEG, PNG, GIF, WebP or HEIC)")]
    UnknownKind,
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
