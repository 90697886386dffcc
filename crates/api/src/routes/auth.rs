//! `/api/v1/auth/*` (spec 1.1).

use actix_web::{web, HttpRequest, HttpResponse};
use calndr_app::{Registration, SocialLogin};
use calndr_domain::{EmailAddress, Password, PersonName, PhoneNumber};

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::extract::{client_addr, CurrentUser};
use crate::login_form;
use crate::state::ApiState;

fn client(req: &HttpRequest, state: &ApiState) -> String {
    client_addr(req, state.settings.trust_forwarded_for)
}

fn optional_phone(raw: Option<&str>) -> ApiResult<Option<PhoneNumber>> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Ok(Some(PhoneNumber::parse(p, "phone_number")?)),
        None => Ok(None),
    }
}

pub(crate) fn registration(
    first_name: &str,
    last_name: &str,
    email: &str,
    password: &str,
    phone: Option<&str>,
) -> ApiResult<Registration> {
    Ok(Registration {
        first_name: PersonName::parse(first_name, "first_name")?,
        last_name: PersonName::parse(last_name, "last_name")?,
        email: EmailAddress::parse(email)?,
        password: Password::new_choice(password, "password")?,
        phone_number: optional_phone(phone)?,
    })
}

/// Sign in with e-mail and password.
///
/// OAuth2 password form. The app leaves `+` and `&` unencoded in the values; both that and a
/// standard form body are accepted.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong credentials or e-mail not verified", body = ErrorBody),
        (status = 422, description = "Missing field", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let form = login_form::parse(&body)?;
    let signed_in = state
        .accounts
        .login(&form.username, &form.passwords, &client(&req, &state))
        .await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        access_token: signed_in.token.token,
        token_type: "bearer",
        user: UserProfile::from(&signed_in.profile),
    }))
}

/// Create an account and its family.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 200, description = "Registered", body = UserRegistrationResponse),
        (status = 409, description = "E-mail already registered", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 429, description = "Too many registrations", body = ErrorBody),
    ))]
pub async fn register(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let reg = registration(
        &b.first_name,
        &b.last_name,
        &b.email,
        &b.password,
        b.phone_number.as_deref(),
    )?;
    let done = state.accounts.register(reg, &client(&req, &state)).await?;
    Ok(HttpResponse::Ok().json(UserRegistrationResponse::from(&done)))
}

/// Sign up into an existing family with an enrollment code.
///
/// The app calls this right after `/auth/register` with the same e-mail and password: an existing
/// account whose password matches joins the code's family.
#[utoipa::path(post, path = "/api/v1/auth/register-with-family", tag = "auth",
    request_body = RegisterWithFamilyRequest,
    responses(
        (status = 200, description = "Registered into the family", body = UserRegistrationResponse),
        (status = 400, description = "Invalid enrollment code or family mismatch", body = ErrorBody),
        (status = 409, description = "E-mail registered with another password", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn register_with_family(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<RegisterWithFamilyRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    if b.enrollment_code.trim().is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidEnrollmentCode,
            "Enrollment code is required",
        ));
    }
    // An existing account presents its current password, which may predate the length rule.
    let reg = match registration(
        &b.first_name,
        &b.last_name,
        &b.email,
        &b.password,
        b.phone_number.as_deref(),
    ) {
        Ok(r) => r,
        Err(e) if e.field.as_deref() == Some("password") && !b.password.is_empty() => {
            Registration {
                first_name: PersonName::parse(&b.first_name, "first_name")?,
                last_name: PersonName::parse(&b.last_name, "last_name")?,
                email: EmailAddress::parse(&b.email)?,
                password: Password::presented(&b.password, "password")?,
                phone_number: optional_phone(b.phone_number.as_deref())?,
            }
        }
        Err(e) => return Err(e),
    };
    let done = state
        .accounts
        .register_with_family(
            reg,
            &b.enrollment_code,
            b.family_id.as_deref(),
            &client(&req, &state),
        )
        .await?;
    Ok(HttpResponse::Ok().json(UserRegistrationResponse::from(&done)))
}

/// Check whether an enrollment code is usable (reveals nothing else).
#[utoipa::path(post, path = "/api/v1/auth/verify-enrollment-code", tag = "auth",
    params(CodeQuery),
    responses(
        (status = 200, description = "Valid", body = CodeCheckResponse),
        (status = 400, description = "Invalid code", body = ErrorBody),
        (status = 422, description = "Parameter `enrollment_code` missing", body = ErrorBody),
        (status = 429, description = "Too many checks", body = ErrorBody),
    ))]
pub async fn verify_enrollment_code(
    req: HttpRequest,
    state: web::Data<ApiState>,
    q: web::Query<CodeQuery>,
) -> ApiResult<HttpResponse> {
    if state
        .accounts
        .check_enrollment_code(&q.enrollment_code, &client(&req, &state))
        .await?
    {
        Ok(HttpResponse::Ok().json(CodeCheckResponse {
            valid: true,
            message: "Valid enrollment code",
        }))
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidEnrollmentCode,
            "Invalid enrollment code",
        ))
    }
}

/// Exchange a valid token for a fresh 30-day token.
#[utoipa::path(post, path = "/api/v1/auth/refresh-token", tag = "auth",
    params(CurrentTokenQuery),
    responses(
        (status = 200, description = "New token", body = TokenResponse),
        (status = 401, description = "Invalid token", body = ErrorBody),
        (status = 422, description = "Parameter `current_token` missing", body = ErrorBody),
    ))]
pub async fn refresh_token(
    state: web::Data<ApiState>,
    q: web::Query<CurrentTokenQuery>,
) -> ApiResult<HttpResponse> {
    let token = state.accounts.refresh(&q.current_token).await?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token: token.token,
        token_type: "bearer",
    }))
}

/// Report whether a token is valid and whose it is: 200 with the verdict whenever a token is given.
#[utoipa::path(post, path = "/api/v1/auth/verify-token", tag = "auth",
    params(TokenQuery),
    responses(
        (status = 200, description = "Verdict", body = VerifyTokenResponse),
        (status = 422, description = "Parameter `token` missing", body = ErrorBody),
    ))]
pub async fn verify_token(
    state: web::Data<ApiState>,
    q: web::Query<TokenQuery>,
) -> ApiResult<HttpResponse> {
    let body = match state.accounts.inspect_token(&q.token).await? {
        Some(user) => VerifyTokenResponse {
            valid: true,
            user_id: Some(user.id.to_string()),
            family_id: user.family_id.map(|f| f.to_string()),
            message: "Valid token",
        },
        None => VerifyTokenResponse {
            valid: false,
            user_id: None,
            family_id: None,
            message: "Invalid token",
        },
    };
    Ok(HttpResponse::Ok().json(body))
}

/// End every session of the caller, this one included: every token issued to the user so far
/// answers 401 on every instance within a second. Sign in again to go on.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session ended"),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn logout_all(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    state.accounts.log_out_everywhere(&user.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change the password (passwords in the query string, as the original; prefer
/// `PUT /users/me/password`).
#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = "auth",
    params(PasswordChangeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = MessageResponse),
        (status = 400, description = "Incorrect current password", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "New password too short", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn change_password(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<ApiState>,
    q: web::Query<PasswordChangeQuery>,
) -> ApiResult<HttpResponse> {
    state
        .accounts
        .change_password(
            &user.0,
            user.1,
            &q.current_password,
            &q.new_password,
            &client(&req, &state),
        )
        .await
        .map_err(|e| match e {
            calndr_app::AppError::WrongCurrentPassword => {
                ApiError::new(ErrorCode::BadRequest, "Incorrect current password")
            }
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok().json(MessageResponse {
        message: "Password updated successfully",
    }))
}

/// Ask for a password-reset e-mail. Always the same answer, whether or not the address exists.
#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth",
    params(EmailQuery),
    responses(
        (status = 200, description = "Accepted", body = MessageResponse),
        (status = 422, description = "Parameter `email` missing", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody),
    ))]
pub async fn forgot_password(
    req: HttpRequest,
    state: web::Data<ApiState>,
    q: web::Query<EmailQuery>,
) -> ApiResult<HttpResponse> {
    state
        .accounts
        .forgot_password(&q.email, &client(&req, &state))
        .await?;
    Ok(HttpResponse::Ok().json(MessageResponse {
        message: "If your email is registered, you will receive a password reset link",
    }))
}

/// Set a new password with the token from the reset e-mail.
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth",
    params(ResetQuery),
    responses(
        (status = 200, description = "Reset", body = MessageResponse),
        (status = 400, description = "Invalid or expired token", body = ErrorBody),
        (status = 422, description = "New password too short", body = ErrorBody),
    ))]
pub async fn reset_password(
    state: web::Data<ApiState>,
    q: web::Query<ResetQuery>,
) -> ApiResult<HttpResponse> {
    state
        .accounts
        .reset_password(&q.token, &q.new_password)
        .await?;
    Ok(HttpResponse::Ok().json(MessageResponse {
        message: "Password reset successfully",
    }))
}

/// The credential the app posts as `field=<value>` (form-encoded, as the app sends it; a JSON object
/// with the same key is accepted too).
fn credential(body: &[u8], field: &'static str) -> Result<String, ApiError> {
    optional_field(body, field)?.ok_or_else(|| ApiError::validation(field, "field required"))
}

/// A field of a form or JSON body that may be absent (or empty: the same thing).
fn optional_field(body: &[u8], field: &'static str) -> Result<Option<String>, ApiError> {
    let value = if body.trim_ascii_start().starts_with(b"{") {
        serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
            .ok()
            .and_then(|m| m.get(field).and_then(|v| v.as_str()).map(str::to_owned))
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == field).map(|(_, v)| v))
    };
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() && v.len() <= calndr_domain::MAX_CREDENTIAL_BYTES => Ok(Some(v)),
        Some(v) if !v.is_empty() => Err(ApiError::validation(field, "is too long")),
        _ => Ok(None),
    }
}

async fn social(
    state: &ApiState,
    how: SocialLogin,
    body: &[u8],
    field: &'static str,
) -> ApiResult<HttpResponse> {
    let value = credential(body, field)?;
    // Facebook access tokens carry no nonce; Apple's and Google's ID tokens may.
    let nonce = match how {
        SocialLogin::FacebookToken => None,
        SocialLogin::AppleCode | SocialLogin::GoogleIdToken => optional_field(body, "nonce")?,
    };
    let signed_in = state.social.sign_in(how, &value, nonce.as_deref()).await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        access_token: signed_in.token.token,
        token_type: "bearer",
        user: UserProfile::from(&signed_in.profile),
    }))
}

/// Sign in with Apple: form `code` (the authorization code). The code is exchanged at Apple and the
/// returned ID token verified against Apple's keys; the user is found by Apple's `sub`, else linked
/// by a verified e-mail, else created with a new family.
#[utoipa::path(post, path = "/api/v1/auth/apple/callback", tag = "auth",
    request_body(content = AppleCallbackForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Apple refused the code, or its ID token is invalid or not for the nonce sent (`invalid_token`)", body = ErrorBody),
        (status = 409, description = "An account with this unverified e-mail exists", body = ErrorBody),
        (status = 422, description = "No code", body = ErrorBody),
        (status = 503, description = "Not configured, or Apple unreachable", body = ErrorBody),
    ))]
pub async fn apple_callback(
    state: web::Data<ApiState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    social(&state, SocialLogin::AppleCode, &body, "code").await
}

/// Apple's server-to-server notifications (JSON `{"payload": "<JWT signed by Apple>"}`): on
/// `consent-revoked` and `account-delete` the user's Apple link is removed.
#[utoipa::path(post, path = "/api/v1/auth/apple/notifications", tag = "auth",
    request_body(content = AppleNotification, content_type = "application/json"),
    responses(
        (status = 200, description = "Handled", body = MessageResponse),
        (status = 401, description = "Not signed by Apple for this app (`invalid_token`)", body = ErrorBody),
        (status = 422, description = "No payload", body = ErrorBody),
        (status = 503, description = "Sign in with Apple not configured, or Apple unreachable", body = ErrorBody),
    ))]
pub async fn apple_notifications(
    state: web::Data<ApiState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let payload = credential(&body, "payload")?;
    state.social.apple_notification(&payload).await?;
    Ok(HttpResponse::Ok().json(MessageResponse {
        message: "Notification processed",
    }))
}

/// Google Sign-In: form `id_token`, verified against Google's keys for our iOS client id. An
/// existing account is linked only when Google says the e-mail is verified.
#[utoipa::path(post, path = "/api/v1/auth/google/ios-login", tag = "auth",
    request_body(content = GoogleLoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Invalid ID token, or not for the nonce sent (`invalid_token`)", body = ErrorBody),
        (status = 409, description = "An account with this unverified e-mail exists", body = ErrorBody),
        (status = 422, description = "No id_token", body = ErrorBody),
        (status = 503, description = "Not configured, or Google unreachable", body = ErrorBody),
    ))]
pub async fn google_ios_login(
    state: web::Data<ApiState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    social(&state, SocialLogin::GoogleIdToken, &body, "id_token").await
}

/// Facebook Login: form `access_token` (a user access token), checked with `debug_token` for our
/// app id. Not used by the current app.
#[utoipa::path(post, path = "/api/v1/auth/facebook/login", tag = "auth",
    request_body(content = FacebookLoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Invalid token (`invalid_token`)", body = ErrorBody),
        (status = 422, description = "No access_token", body = ErrorBody),
        (status = 503, description = "Not configured, or Facebook unreachable", body = ErrorBody),
    ))]
pub async fn facebook_login(
    state: web::Data<ApiState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    social(&state, SocialLogin::FacebookToken, &body, "access_token").await
}
