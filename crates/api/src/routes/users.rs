//! `/api/v1/users/*` and `/api/v1/user/*` (spec 1.2, 1.3; contract 2.1).

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use calndr_domain::{
    DeviceToken, GeoPoint, NotificationPreferences, PersonName, PhoneNumber, ProfileChanges,
    ShortText,
};
use futures_util::StreamExt as _;

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::extract::{client_addr, CurrentUser};
use crate::routes::auth::registration;
use crate::state::ApiState;

/// Create an account and its family (no token; the app uses `/auth/register`).
#[utoipa::path(post, path = "/api/v1/users/", tag = "users",
    request_body = RegisterRequest,
    responses(
        (status = 200, description = "Created", body = UserResponse),
        (status = 409, description = "E-mail already registered", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 429, description = "Too many registrations", body = ErrorBody),
    ))]
pub async fn create_user(
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
    let client = client_addr(&req, state.settings.trust_forwarded_for);
    let done = state.accounts.register(reg, &client).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(&done.user)))
}

/// The signed-in user's profile (the launch gate of the app).
#[utoipa::path(get, path = "/api/v1/users/profile", tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Profile", body = UserProfile),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn get_profile(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let profile = state.accounts.profile(&user.0).await?;
    Ok(HttpResponse::Ok().json(UserProfile::from(&profile)))
}

/// Delete my account. The password confirms it (an account without one: a sign-in from the last
/// 10 minutes). Every session ends at once on every instance; the e-mail address can register
/// again; the user's personal data is erased; the family's custody days, events and journal
/// entries stay for the other members, attributed to "Former member"; a family without members
/// left is deleted with everything in it.
#[utoipa::path(delete, path = "/api/v1/users/me", tag = "users",
    security(("bearer" = [])),
    request_body(content = DeleteAccountRequest, description = "Absent or `{}` for an account without a password"),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not authenticated (or deleted already)", body = ErrorBody),
        (status = 403, description = "Wrong password (`wrong_password`), or no recent sign-in for an account without one (`reauthentication_required`)", body = ErrorBody),
        (status = 422, description = "No password given for a password account", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn delete_me(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body: DeleteAccountRequest = crate::extract::parse_json_bytes(&body)?;
    state
        .accounts
        .delete_account(&user.0, user.1, body.password.as_deref())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user's profile (the same document as `GET /users/profile`).
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Profile", body = UserProfile),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn get_me(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    get_profile(user, state).await
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// Update names, phone, bio or the `enrolled` flag; fields left out stay as they are.
#[utoipa::path(put, path = "/api/v1/users/profile", tag = "users",
    security(("bearer" = [])),
    request_body = ProfileUpdateRequest,
    responses(
        (status = 200, description = "Updated profile", body = UserProfile),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update_profile(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<ProfileUpdateRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let changes = ProfileChanges {
        first_name: b
            .first_name
            .as_deref()
            .map(|n| PersonName::parse(n, "first_name"))
            .transpose()?,
        last_name: b
            .last_name
            .as_deref()
            .map(|n| PersonName::parse(n, "last_name"))
            .transpose()?,
        phone_number: non_empty(b.phone_number.as_deref())
            .map(|p| PhoneNumber::parse(p, "phone_number"))
            .transpose()?,
        bio: non_empty(b.bio.as_deref())
            .map(|t| ShortText::parse(t, "bio", calndr_domain::values::BIO_MAX))
            .transpose()?,
        enrolled: b.enrolled,
    };
    let profile = state.accounts.update_profile(&user.0, changes).await?;
    Ok(HttpResponse::Ok().json(UserProfile::from(&profile)))
}

async fn change_password(
    req: &HttpRequest,
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: PasswordChangeRequest,
) -> ApiResult<HttpResponse> {
    let client = client_addr(req, state.settings.trust_forwarded_for);
    state
        .accounts
        .change_password(
            &user.0,
            user.1,
            &body.current_password,
            &body.new_password,
            &client,
        )
        .await?;
    Ok(HttpResponse::Ok().json(StatusMessageResponse {
        status: "success",
        message: "Password updated successfully",
    }))
}

/// Change the password (JSON, as the app sends it). Exactly 200 on success; 403 when the current
/// password is wrong.
#[utoipa::path(put, path = "/api/v1/users/me/password", tag = "users",
    security(("bearer" = [])),
    request_body = PasswordChangeRequest,
    responses(
        (status = 200, description = "Changed", body = StatusMessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Invalid current password", body = ErrorBody),
        (status = 422, description = "New password too short", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn change_password_json(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<PasswordChangeRequest>,
) -> ApiResult<HttpResponse> {
    change_password(&req, user, state, body.into_inner()).await
}

/// Change the password (form fields, as the original's route).
#[utoipa::path(put, path = "/api/v1/users/password", tag = "users",
    security(("bearer" = [])),
    request_body(content = PasswordChangeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Changed", body = StatusMessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Invalid current password", body = ErrorBody),
        (status = 422, description = "New password too short", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn change_password_form(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: web::Form<PasswordChangeRequest>,
) -> ApiResult<HttpResponse> {
    change_password(&req, user, state, body.into_inner()).await
}

/// Register the device's APNs token for push.
#[utoipa::path(post, path = "/api/v1/users/me/device-token", tag = "users",
    security(("bearer" = [])),
    request_body(content = DeviceTokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Registered", body = DeviceTokenResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Not a device token", body = ErrorBody),
    ))]
pub async fn device_token(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: web::Form<DeviceTokenForm>,
) -> ApiResult<HttpResponse> {
    let token = DeviceToken::parse(&body.token)?;
    let endpoint_arn = state.accounts.register_device(&user.0, &token).await?;
    Ok(HttpResponse::Ok().json(DeviceTokenResponse {
        status: "success",
        endpoint_arn,
    }))
}

/// Re-point the caller's push at a new device token (the app's answer to "device already
/// registered"). The original rewrote whatever endpoint ARN the client sent, another user's too;
/// here the ARN is only read back: the token becomes the caller's own device token, and pushes
/// reach it through the caller's own endpoint.
#[utoipa::path(post, path = "/api/v1/users/me/update-endpoint", tag = "users",
    security(("bearer" = [])),
    request_body = UpdateEndpointRequest,
    responses(
        (status = 200, description = "The caller's device token replaced", body = UpdateEndpointResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Not a device token", body = ErrorBody),
    ))]
pub async fn update_endpoint(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<UpdateEndpointRequest>,
) -> ApiResult<HttpResponse> {
    let token = DeviceToken::parse(&body.token)?;
    let endpoint_arn = state.accounts.register_device(&user.0, &token).await?;
    Ok(HttpResponse::Ok().json(UpdateEndpointResponse {
        status: "success",
        message: "Endpoint updated successfully",
        endpoint_arn,
    }))
}

/// Record that the app became active.
#[utoipa::path(post, path = "/api/v1/users/me/last-signin", tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Recorded", body = MessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn last_signin(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    state.accounts.record_sign_in(&user.0).await?;
    Ok(HttpResponse::Ok().json(MessageResponse {
        message: "Last signin time updated successfully",
    }))
}

/// Update the theme name and notification preferences; fields left out stay as they are.
#[utoipa::path(put, path = "/api/v1/users/preferences", tag = "users",
    security(("bearer" = [])),
    request_body = PreferencesRequest,
    responses(
        (status = 200, description = "Saved", body = StatusMessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn preferences(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<PreferencesRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let notifications = b
        .notification_preferences
        .map(NotificationPreferences::parse)
        .transpose()?;
    state
        .accounts
        .set_preferences(&user.0, b.theme.as_deref(), notifications.as_ref())
        .await?;
    Ok(HttpResponse::Ok().json(StatusMessageResponse {
        status: "success",
        message: "Preferences updated successfully",
    }))
}

/// Set the `enrolled` flag (end of onboarding).
#[utoipa::path(put, path = "/api/v1/users/enrollment-status", tag = "users",
    security(("bearer" = [])),
    request_body = EnrollmentStatusRequest,
    responses(
        (status = 200, description = "Saved", body = StatusMessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn enrollment_status(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<EnrollmentStatusRequest>,
) -> ApiResult<HttpResponse> {
    state.accounts.set_enrolled(&user.0, body.enrolled).await?;
    Ok(HttpResponse::Ok().json(StatusMessageResponse {
        status: "success",
        message: "Enrollment status updated successfully",
    }))
}

/// Record the device location (sent by the app after a location-request push).
#[utoipa::path(post, path = "/api/v1/user/location", tag = "users",
    security(("bearer" = [])),
    request_body = LocationRequest,
    responses(
        (status = 200, description = "Saved", body = StatusMessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Coordinates out of range", body = ErrorBody),
    ))]
pub async fn location(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<LocationRequest>,
) -> ApiResult<HttpResponse> {
    let point = GeoPoint::parse(body.latitude, body.longitude)?;
    state.accounts.set_location(&user.0, point).await?;
    Ok(HttpResponse::Ok().json(StatusMessageResponse {
        status: "success",
        message: "Location updated successfully",
    }))
}

/// Reads the multipart part named `field` (at most 10 MiB): its declared type and bytes.
async fn read_part(mut payload: Multipart, field: &str) -> ApiResult<(Option<String>, Vec<u8>)> {
    const LIMIT: usize = calndr_app::photos::MAX_PHOTO_BYTES;
    while let Some(part) = payload.next().await {
        let mut part =
            part.map_err(|_| ApiError::new(ErrorCode::MalformedBody, "Malformed multipart body"))?;
        let name = part
            .content_disposition()
            .and_then(|cd| cd.get_name())
            .unwrap_or("");
        if name != field {
            // Drain parts we do not use, within the same size limit.
            let mut skipped = 0usize;
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(|_| {
                    ApiError::new(ErrorCode::MalformedBody, "Malformed multipart body")
                })?;
                skipped += chunk.len();
                if skipped > LIMIT {
                    return Err(ApiError::new(
                        ErrorCode::PayloadTooLarge,
                        "Upload too large (at most 10 MiB)",
                    ));
                }
            }
            continue;
        }
        let declared = part.content_type().map(|m| m.essence_str().to_owned());
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk
                .map_err(|_| ApiError::new(ErrorCode::MalformedBody, "Malformed multipart body"))?;
            if bytes.len() + chunk.len() > LIMIT {
                return Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    "Image too large (at most 10 MiB)",
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok((declared, bytes));
    }
    Err(ApiError::validation(field.to_owned(), "field required"))
}

/// Upload a profile photo (multipart part `photo`, as the app sends it); returns the profile.
#[utoipa::path(post, path = "/api/v1/user/profile/photo", tag = "users",
    security(("bearer" = [])),
    request_body(content = PhotoUpload, content_type = "multipart/form-data", description = "One part named `photo` (JPEG, PNG, GIF, WebP or HEIC, at most 10 MiB)"),
    responses(
        (status = 200, description = "Stored; the profile with the new photo URL", body = UserProfile),
        (status = 400, description = "Not an image", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 413, description = "Image too large", body = ErrorBody),
        (status = 422, description = "Part `photo` missing", body = ErrorBody),
    ))]
pub async fn upload_profile_photo(
    user: CurrentUser,
    state: web::Data<ApiState>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let (declared, bytes) = read_part(payload, "photo").await?;
    let profile = state
        .accounts
        .upload_photo(&user.0, declared.as_deref(), bytes)
        .await?;
    Ok(HttpResponse::Ok().json(UserProfile::from(&profile)))
}

/// Upload a profile photo (multipart part `file`); returns its URL.
#[utoipa::path(post, path = "/api/v1/users/profile-photo", tag = "users",
    security(("bearer" = [])),
    request_body(content = FileUpload, content_type = "multipart/form-data", description = "One part named `file` (JPEG, PNG, GIF, WebP or HEIC, at most 10 MiB)"),
    responses(
        (status = 200, description = "Stored", body = PhotoUrlResponse),
        (status = 400, description = "Not an image", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 413, description = "Image too large", body = ErrorBody),
        (status = 422, description = "Part `file` missing", body = ErrorBody),
    ))]
pub async fn upload_users_photo(
    user: CurrentUser,
    state: web::Data<ApiState>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let (declared, bytes) = read_part(payload, "file").await?;
    let profile = state
        .accounts
        .upload_photo(&user.0, declared.as_deref(), bytes)
        .await?;
    Ok(HttpResponse::Ok().json(PhotoUrlResponse {
        url: profile.user.profile_photo_url.unwrap_or_default(),
    }))
}
