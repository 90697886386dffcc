//! The OpenAPI document, served at `/api/v1/openapi.json` and pinned by a snapshot test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{auth, health, media, users};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Calndr API",
        description = "Co-parenting family calendar backend. Every path also answers with a trailing \
                       slash. Errors are `{\"detail\": \"...\", \"code\": \"...\"}`; switch on `code`.",
    ),
    modifiers(&BearerAuth),
    paths(
        auth::login, auth::register, auth::register_with_family, auth::verify_enrollment_code,
        auth::refresh_token, auth::verify_token, auth::change_password, auth::forgot_password,
        auth::reset_password, auth::apple_callback, auth::google_ios_login, auth::facebook_login,
        users::create_user, users::get_profile, users::get_me, users::update_profile,
        users::change_password_json, users::change_password_form, users::device_token,
        users::update_endpoint, users::last_signin, users::preferences, users::enrollment_status,
        users::location, users::upload_profile_photo, users::upload_users_photo,
        health::liveness, health::readiness, health::api_readiness, health::api_health,
        health::api_health_db, health::api_health_detailed, health::db_info, health::cache_status,
        health::metrics,
        media::get_media,
    ),
    tags(
        (name = "auth", description = "Sign-in, sign-up and tokens"),
        (name = "users", description = "The signed-in user's account"),
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "media", description = "Uploaded objects"),
    )
)]
pub struct ApiDoc;
