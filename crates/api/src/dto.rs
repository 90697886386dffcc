//! Wire shapes of the account routes, exactly as the iOS app sends and decodes them
//! (`spec/ios-client-contract.md` 2.1, 2.12).

use std::collections::BTreeMap;

use calndr_app::{Profile, Registered};
use calndr_domain::User;
use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::openapi_limits as lim;

/// Python `str(datetime)` form, as the original renders these timestamps:
/// `2025-07-28 11:53:03.123456`, or without the fraction when it is zero.
pub fn py_timestamp(t: NaiveDateTime) -> String {
    if t.nanosecond() / 1000 == 0 {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}

/// The profile every sign-in and profile route returns (contract 2.12).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserProfile {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: Option<String>,
    pub subscription_type: Option<String>,
    pub subscription_status: Option<String>,
    pub profile_photo_url: Option<String>,
    pub status: Option<String>,
    pub enrolled: bool,
    pub coparent_enrolled: bool,
    pub coparent_invited: bool,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub last_signed_in: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub created_at: Option<String>,
    pub family_id: Option<String>,
    pub selected_theme_id: Option<String>,
    pub theme: Option<String>,
}

impl From<&Profile> for UserProfile {
    fn from(p: &Profile) -> Self {
        let u = &p.user;
        Self {
            id: u.id.to_string(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            email: u.email.as_str().to_owned(),
            phone_number: u.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            subscription_type: Some(u.subscription_type.clone().unwrap_or_else(|| "Free".into())),
            subscription_status: Some(
                u.subscription_status
                    .clone()
                    .unwrap_or_else(|| "Active".into()),
            ),
            profile_photo_url: u.profile_photo_url.clone(),
            status: u.status.as_ref().map(|s| s.as_str().to_owned()),
            enrolled: u.enrolled.unwrap_or(false),
            coparent_enrolled: u.coparent_enrolled.unwrap_or(false),
            coparent_invited: u.coparent_invited.unwrap_or(false),
            last_signed_in: u.last_signed_in.map(py_timestamp),
            created_at: u.created_at.map(py_timestamp),
            family_id: u.family_id.map(|f| f.to_string()),
            selected_theme_id: p.preferences.selected_theme_id.map(|t| t.to_string()),
            theme: p.preferences.theme.clone(),
        }
    }
}

/// `POST /users/` answer (the original's UserResponse; no token).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: Option<String>,
    pub family_id: Option<String>,
    pub subscription_type: String,
    pub subscription_status: String,
    pub profile_photo_url: Option<String>,
    pub status: String,
    pub last_signed_in: Option<String>,
    pub created_at: Option<String>,
    pub selected_theme_id: Option<String>,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            email: u.email.as_str().to_owned(),
            phone_number: u.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            family_id: u.family_id.map(|f| f.to_string()),
            subscription_type: u.subscription_type.clone().unwrap_or_else(|| "Free".into()),
            subscription_status: u
                .subscription_status
                .clone()
                .unwrap_or_else(|| "Active".into()),
            profile_photo_url: u.profile_photo_url.clone(),
            status: u
                .status
                .as_ref()
                .map_or_else(|| "active".to_owned(), |s| s.as_str().to_owned()),
            last_signed_in: u.last_signed_in.map(py_timestamp),
            created_at: u.created_at.map(py_timestamp),
            selected_theme_id: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    pub user: UserProfile,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserRegistrationResponse {
    pub user_id: String,
    pub family_id: String,
    pub access_token: String,
    pub token_type: &'static str,
    pub message: &'static str,
    pub should_skip_onboarding: bool,
    pub requires_email_verification: bool,
}

impl From<&Registered> for UserRegistrationResponse {
    fn from(r: &Registered) -> Self {
        Self {
            user_id: r.user.id.to_string(),
            family_id: r.family_id.to_string(),
            access_token: r.token.token.clone(),
            token_type: "bearer",
            message: if r.joined_family {
                "User registered successfully and joined family"
            } else {
                "User registered successfully"
            },
            should_skip_onboarding: r.joined_family,
            requires_email_verification: false,
        }
    }
}

/// `POST /auth/register` and `POST /users/`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(schema_with = lim::person_name)]
    pub first_name: String,
    #[schema(schema_with = lim::person_name)]
    pub last_name: String,
    #[schema(schema_with = lim::email)]
    pub email: String,
    #[schema(schema_with = lim::new_password)]
    pub password: String,
    #[serde(default)]
    #[schema(schema_with = lim::phone_opt)]
    pub phone_number: Option<String>,
}

/// `POST /auth/register-with-family`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterWithFamilyRequest {
    #[schema(schema_with = lim::person_name)]
    pub first_name: String,
    #[schema(schema_with = lim::person_name)]
    pub last_name: String,
    #[schema(schema_with = lim::email)]
    pub email: String,
    /// A new account's password (8 or more characters), or an existing account's current one.
    #[schema(schema_with = lim::family_password)]
    pub password: String,
    #[serde(default)]
    #[schema(schema_with = lim::phone_opt)]
    pub phone_number: Option<String>,
    #[schema(schema_with = lim::enrollment_code)]
    pub enrollment_code: String,
    #[serde(default)]
    pub family_id: Option<String>,
}

/// `PUT /users/profile`. Fields left out (or null) are unchanged. `email` is accepted and
/// ignored: an address change needs verification, which this route does not do.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProfileUpdateRequest {
    #[serde(default)]
    #[schema(schema_with = lim::person_name_opt)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = lim::person_name_opt)]
    pub last_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = lim::phone_opt)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(schema_with = lim::bio)]
    pub bio: Option<String>,
    #[serde(default)]
    pub enrolled: Option<bool>,
}

/// Account deletion (`DELETE /users/me`): the password confirms it; an account without one sends
/// no body (or `{}`) from a sign-in of the last 10 minutes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    #[schema(min_length = 1, max_length = 1024)]
    pub password: Option<String>,
}

/// Password change, as JSON (`PUT /users/me/password`, the app) or form (`PUT /users/password`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    #[schema(schema_with = lim::presented_password)]
    pub current_password: String,
    #[schema(schema_with = lim::new_password)]
    pub new_password: String,
}

#[derive(Debug, Deserialize)]
pub struct PasswordChangeQuery {
    pub current_password: String,
    pub new_password: String,
}
crate::query_params!(PasswordChangeQuery {
    current_password: required presented_password "",
    new_password: required new_password "",
});

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceTokenForm {
    /// APNs device token, hexadecimal.
    #[schema(schema_with = lim::device_token)]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceTokenResponse {
    pub status: &'static str,
    /// The SNS platform endpoint, when push through SNS is set up for this account.
    pub endpoint_arn: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateEndpointRequest {
    /// The endpoint the app was told about; only read back, never written to.
    pub endpoint_arn: String,
    /// APNs device token, hexadecimal.
    #[schema(schema_with = lim::device_token)]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateEndpointResponse {
    pub status: &'static str,
    pub message: &'static str,
    /// The caller's own SNS endpoint, when one is registered (never the ARN sent).
    pub endpoint_arn: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PreferencesRequest {
    #[serde(default)]
    pub selected_theme_id: Option<String>,
    #[serde(default)]
    #[schema(schema_with = lim::preference_theme)]
    pub theme: Option<String>,
    #[serde(default)]
    #[schema(schema_with = lim::notification_preferences)]
    pub notification_preferences: Option<BTreeMap<String, bool>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrollmentStatusRequest {
    pub enrolled: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LocationRequest {
    #[schema(schema_with = lim::latitude)]
    pub latitude: f64,
    #[schema(schema_with = lim::longitude)]
    pub longitude: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    pub message: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusMessageResponse {
    pub status: &'static str,
    pub message: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoUrlResponse {
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyTokenResponse {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_id: Option<String>,
    pub message: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeCheckResponse {
    pub valid: bool,
    pub message: &'static str,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TokenQuery {
    pub token: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CurrentTokenQuery {
    pub current_token: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EmailQuery {
    pub email: String,
}

#[derive(Debug, Deserialize)]
pub struct ResetQuery {
    pub token: String,
    pub new_password: String,
}
crate::query_params!(ResetQuery {
    token: required unparsed "The code from the reset e-mail.",
    new_password: required new_password "",
});

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    pub enrollment_code: String,
}
crate::query_params!(CodeQuery {
    enrollment_code: required enrollment_code "",
});

/// The OAuth2 password form, documented for OpenAPI (the handler parses the raw body itself).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenForm {
    #[schema(schema_with = lim::username)]
    pub username: String,
    #[schema(schema_with = lim::login_password)]
    pub password: String,
    #[serde(default)]
    #[schema(schema_with = lim::grant_type)]
    pub grant_type: Option<String>,
}

/// `POST /user/profile/photo`, as documented: one part named `photo`.
#[derive(Debug, ToSchema)]
pub struct PhotoUpload {
    /// JPEG, PNG, GIF, WebP or HEIC, at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    pub photo: Vec<u8>,
}

/// `POST /users/profile-photo`, as documented: one part named `file`.
#[derive(Debug, ToSchema)]
pub struct FileUpload {
    /// JPEG, PNG, GIF, WebP or HEIC, at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// `POST /auth/apple/callback`, as documented (the handler reads the raw form, or a JSON object
/// with the same keys).
#[derive(Debug, ToSchema)]
pub struct AppleCallbackForm {
    /// The authorization code.
    #[schema(schema_with = lim::credential)]
    pub code: String,
    /// The nonce of the app's request.
    #[schema(schema_with = lim::credential)]
    pub nonce: Option<String>,
}

/// `POST /auth/google/ios-login`, as documented.
#[derive(Debug, ToSchema)]
pub struct GoogleLoginForm {
    /// A Google ID token.
    #[schema(schema_with = lim::credential)]
    pub id_token: String,
    /// The nonce of the app's request.
    #[schema(schema_with = lim::credential)]
    pub nonce: Option<String>,
}

/// `POST /auth/facebook/login`, as documented.
#[derive(Debug, ToSchema)]
pub struct FacebookLoginForm {
    /// A Facebook user access token.
    #[schema(schema_with = lim::credential)]
    pub access_token: String,
}

/// `POST /auth/apple/notifications`, as documented.
#[derive(Debug, ToSchema)]
pub struct AppleNotification {
    /// A JWT signed by Apple.
    #[schema(schema_with = lim::credential)]
    pub payload: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn timestamps_render_like_python_str() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 28).unwrap();
        let whole = d.and_hms_opt(11, 53, 3).unwrap();
        assert_eq!(py_timestamp(whole), "2025-07-28 11:53:03");
        let frac = d.and_hms_micro_opt(11, 53, 3, 123_456).unwrap();
        assert_eq!(py_timestamp(frac), "2025-07-28 11:53:03.123456");
    }
}
