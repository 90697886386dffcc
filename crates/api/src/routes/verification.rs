//! `/api/v1/email-verification/*` and `/api/v1/phone-verification/*` (spec 1.21, 1.27, 3.4,
//! 3.5; contract 2.2 V1-V5). No token needed (the app verifies before it has one).
//!
//! E-mail: `send-code` and `resend-code` answer the same 200 for every syntactically valid
//! address (unknown, pending or already verified: no account enumeration); `verify-code` answers
//! 400 `invalid_verification_code` for a wrong, dead or missing code and an unknown address
//! alike. A code dies after three wrong attempts (the count is persisted) or ten minutes.
//!
//! Phone: PINs live in Redis (shared by every instance) for ten minutes, three attempts, one
//! per minute per number; sends are capped per number, per client, per number per day and per
//! day overall. With a valid bearer token a verified number is recorded on the caller
//! (`phone_number`, `phone_verified_at`); anonymously nothing is recorded. Until an SMS provider
//! is configured (issue #5) `send-pin` answers 503 `provider_not_configured`. The original's
//! `cleanup-expired` is gone: PINs expire on their own (Redis TTL).

use actix_web::{web, HttpRequest, HttpResponse};
use calndr_app::PinSent;
use calndr_domain::verification::VERIFICATION_TTL;
use calndr_domain::{CodeCheck, EmailAddress, UsPhoneNumber, VerificationCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{client_addr, CurrentUser};
use crate::openapi_limits as lim;
use crate::state::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailRequest {
    #[schema(schema_with = lim::email)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyEmailRequest {
    #[schema(schema_with = lim::email)]
    pub email: String,
    /// Six digits.
    #[schema(schema_with = lim::verification_code)]
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationResponse {
    pub success: bool,
    pub message: &'static str,
    /// Seconds the code stays valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PhoneRequest {
    /// A US number: ten digits, or eleven starting with 1.
    #[schema(schema_with = lim::us_phone)]
    pub phone_number: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyPinRequest {
    #[schema(schema_with = lim::us_phone)]
    pub phone_number: String,
    /// Six digits.
    #[schema(schema_with = lim::verification_code)]
    pub pin: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PinResponse {
    pub success: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Seconds to wait before asking again (cooldown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

fn client(req: &HttpRequest, state: &ApiState) -> String {
    client_addr(req, state.settings.trust_forwarded_for)
}

fn email(raw: &str) -> ApiResult<EmailAddress> {
    Ok(EmailAddress::parse(raw).map_err(|e| e.for_field("email"))?)
}

async fn send_code(
    req: HttpRequest,
    state: web::Data<ApiState>,
    raw: &str,
) -> ApiResult<HttpResponse> {
    let email = email(raw)?;
    state
        .verification
        .send_email_code(&email, &client(&req, &state))
        .await?;
    Ok(HttpResponse::Ok().json(VerificationResponse {
        success: true,
        message: "If this address needs verification, a code is on its way",
        expires_in: Some(VERIFICATION_TTL.as_secs()),
        user_id: None,
    }))
}

/// Send a verification code to an address that still needs one. Same answer for every address.
#[utoipa::path(post, path = "/api/v1/email-verification/send-code", tag = "verification",
    request_body = EmailRequest,
    responses(
        (status = 200, description = "Accepted (sent when the address needs it)", body = VerificationResponse),
        (status = 422, description = "Not an e-mail address", body = ErrorBody),
        (status = 429, description = "Too many codes (or less than 60 s since the last)", body = ErrorBody),
    ))]
pub async fn email_send_code(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<EmailRequest>,
) -> ApiResult<HttpResponse> {
    send_code(req, state, &body.email).await
}

/// Send a new code (at most one a minute per address).
#[utoipa::path(post, path = "/api/v1/email-verification/resend-code", tag = "verification",
    request_body = EmailRequest,
    responses(
        (status = 200, description = "Accepted (sent when the address needs it)", body = VerificationResponse),
        (status = 422, description = "Not an e-mail address", body = ErrorBody),
        (status = 429, description = "Please wait before requesting another code", body = ErrorBody),
    ))]
pub async fn email_resend_code(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<EmailRequest>,
) -> ApiResult<HttpResponse> {
    send_code(req, state, &body.email).await
}

/// Check a code: verifies the address (`users.email_verified_at`, status `active`).
#[utoipa::path(post, path = "/api/v1/email-verification/verify-code", tag = "verification",
    request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "Verified", body = VerificationResponse),
        (status = 400, description = "Invalid or expired code (any reason)", body = ErrorBody),
        (status = 422, description = "Not an e-mail address or not six digits", body = ErrorBody),
        (status = 429, description = "Too many checks", body = ErrorBody),
    ))]
pub async fn email_verify_code(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<VerifyEmailRequest>,
) -> ApiResult<HttpResponse> {
    let email = email(&body.email)?;
    let code = VerificationCode::parse(&body.code, "code")?;
    let user = state
        .verification
        .verify_email_code(&email, &code, &client(&req, &state))
        .await?;
    Ok(HttpResponse::Ok().json(VerificationResponse {
        success: true,
        message: "Email verified successfully",
        expires_in: None,
        user_id: Some(user.to_string()),
    }))
}

/// Text a six-digit PIN to a US number.
#[utoipa::path(post, path = "/api/v1/phone-verification/send-pin", tag = "verification",
    request_body = PhoneRequest,
    responses(
        (status = 200, description = "Sent, or `success: false` with `retry_after` within the cooldown", body = PinResponse),
        (status = 422, description = "Not a US phone number", body = ErrorBody),
        (status = 429, description = "Too many PINs", body = ErrorBody),
        (status = 503, description = "No SMS provider configured", body = ErrorBody),
    ))]
pub async fn send_pin(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<PhoneRequest>,
) -> ApiResult<HttpResponse> {
    let phone = UsPhoneNumber::parse(&body.phone_number, "phone_number")?;
    let sent = state
        .verification
        .send_pin(&phone, &client(&req, &state))
        .await?;
    Ok(HttpResponse::Ok().json(match sent {
        PinSent::Sent { last4 } => PinResponse {
            success: true,
            message: format!("Verification code sent to ****{last4}"),
            expires_in: Some(VERIFICATION_TTL.as_secs()),
            retry_after: None,
        },
        PinSent::Cooldown { retry_after_secs } => PinResponse {
            success: false,
            message: format!(
                "Please wait {retry_after_secs} seconds before requesting another code"
            ),
            expires_in: None,
            retry_after: Some(retry_after_secs),
        },
    }))
}

/// Check a PIN (three attempts). Recorded on the caller when a valid token is sent.
#[utoipa::path(post, path = "/api/v1/phone-verification/verify-pin", tag = "verification",
    request_body = VerifyPinRequest,
    responses(
        (status = 200, description = "`success` says whether it matched", body = PinResponse),
        (status = 422, description = "Not a US phone number or not six digits", body = ErrorBody),
        (status = 429, description = "Too many checks", body = ErrorBody),
    ))]
pub async fn verify_pin(
    req: HttpRequest,
    user: Option<CurrentUser>,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<VerifyPinRequest>,
) -> ApiResult<HttpResponse> {
    let phone = UsPhoneNumber::parse(&body.phone_number, "phone_number")?;
    let pin = VerificationCode::parse(&body.pin, "pin")?;
    let outcome = state
        .verification
        .verify_pin(
            &phone,
            &pin,
            user.map(|u| u.0.user_id),
            &client(&req, &state),
        )
        .await?;
    let (success, message) = match outcome {
        CodeCheck::Verified => (true, "Phone number verified successfully!".to_owned()),
        CodeCheck::Wrong { remaining } => (
            false,
            format!("Invalid verification code. {remaining} attempts remaining."),
        ),
        CodeCheck::TooManyAttempts => (
            false,
            "Too many failed attempts. Please request a new code.".to_owned(),
        ),
        CodeCheck::NoCode => (
            false,
            "No valid verification code for this number. Please request a new code.".to_owned(),
        ),
    };
    Ok(HttpResponse::Ok().json(PinResponse {
        success,
        message,
        expires_in: None,
        retry_after: None,
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/email-verification")
            .route("/send-code", web::post().to(email_send_code))
            .route("/verify-code", web::post().to(email_verify_code))
            .route("/resend-code", web::post().to(email_resend_code)),
    )
    .service(
        web::scope("/api/v1/phone-verification")
            .route("/send-pin", web::post().to(send_pin))
            .route("/verify-pin", web::post().to(verify_pin)),
    );
}
