//! Calndr's HTTP layer: routes, wire DTOs, the auth extractor, the error contract and OpenAPI.
//!
//! [`build_app`] is the one app factory: the server and the tests both use it.

pub mod deadline;
pub mod dto;
pub mod error;
pub mod extract;
pub mod fingerprint;
pub mod idempotency;
pub mod json_body;
pub mod login_form;
pub mod metrics;
pub mod no_route;
pub mod openapi;
pub mod openapi_cross;
pub mod openapi_limits;
pub mod openapi_patterns;
pub mod openapi_strict;
pub mod routes;
pub mod state;
pub mod telemetry;
pub mod whole_number;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpResponse};
use utoipa::OpenApi as _;
use utoipa_swagger_ui::SwaggerUi;

pub use deadline::{Deadlines, Drain};
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use metrics::Metrics;
pub use openapi::ApiDoc;
pub use state::{ApiSettings, ApiState, Readiness};

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 1024 * 1024;
/// Largest form body accepted (login, device token).
pub const FORM_LIMIT: usize = 64 * 1024;

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

async fn docs_index() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("location", "/api/v1/docs/index.html"))
        .finish()
}

/// Registers every route. Paths are written without a trailing slash; [`NormalizePath`] in
/// [`build_app`] trims one internally, so both spellings answer directly (never a redirect).
pub fn configure(cfg: &mut web::ServiceConfig) {
    use routes::{auth, export, health, media, users};
    cfg.route("/health", web::get().to(health::liveness))
        .route("/ready", web::get().to(health::readiness))
        .route("/metrics", web::get().to(health::metrics))
        .route("/db-info", web::get().to(health::db_info))
        .route("/cache-status", web::get().to(health::cache_status))
        .route("/media/{key:.+}", web::get().to(media::get_media))
        .route("/api/v1/openapi.json", web::get().to(openapi_json))
        .route("/api/v1/docs", web::get().to(docs_index))
        .service(
            web::scope("/api/v1/health")
                .route("/ready", web::get().to(health::api_readiness))
                .route("/health", web::get().to(health::api_health))
                .route("/health/db", web::get().to(health::api_health_db))
                .route(
                    "/health/detailed",
                    web::get().to(health::api_health_detailed),
                ),
        )
        .service(
            web::scope("/api/v1/auth")
                .route("/token", web::post().to(auth::login))
                .route(
                    "/register",
                    web::post()
                        .to(auth::register)
                        .wrap(from_fn(idempotency::idempotent_registration)),
                )
                .route(
                    "/register-with-family",
                    web::post()
                        .to(auth::register_with_family)
                        .wrap(from_fn(idempotency::idempotent_registration)),
                )
                .route(
                    "/verify-enrollment-code",
                    web::post().to(auth::verify_enrollment_code),
                )
                .route("/refresh-token", web::post().to(auth::refresh_token))
                .route("/verify-token", web::post().to(auth::verify_token))
                .route("/change-password", web::post().to(auth::change_password))
                .route("/logout-all", web::post().to(auth::logout_all))
                .route("/forgot-password", web::post().to(auth::forgot_password))
                .route("/reset-password", web::post().to(auth::reset_password))
                .route("/apple/callback", web::post().to(auth::apple_callback))
                .route(
                    "/apple/notifications",
                    web::post().to(auth::apple_notifications),
                )
                .route("/google/ios-login", web::post().to(auth::google_ios_login))
                .route("/facebook/login", web::post().to(auth::facebook_login)),
        )
        .service(
            web::scope("/api/v1/users")
                .route("", web::post().to(users::create_user))
                .route("/profile", web::get().to(users::get_profile))
                .route("/profile", web::put().to(users::update_profile))
                .route("/me", web::get().to(users::get_me))
                .route("/me", web::delete().to(users::delete_me))
                .route("/me/export", web::get().to(export::export_me))
                .route("/password", web::put().to(users::change_password_form))
                .route("/me/password", web::put().to(users::change_password_json))
                .route("/me/device-token", web::post().to(users::device_token))
                .route(
                    "/me/update-endpoint",
                    web::post().to(users::update_endpoint),
                )
                .route("/me/last-signin", web::post().to(users::last_signin))
                .route("/preferences", web::put().to(users::preferences))
                .route(
                    "/enrollment-status",
                    web::put().to(users::enrollment_status),
                )
                .route("/profile-photo", web::post().to(users::upload_users_photo)),
        )
        .service(
            web::scope("/api/v1/user")
                .route(
                    "/profile/photo",
                    web::post().to(users::upload_profile_photo),
                )
                .route("/location", web::post().to(users::location)),
        );
    cfg.configure(routes::records::configure);
    cfg.configure(routes::family::configure);
    cfg.configure(routes::custody::configure);
    cfg.configure(routes::schedule_templates::configure);
    cfg.configure(routes::weather::configure);
    cfg.configure(routes::providers::configure);
    cfg.configure(routes::medical::configure);
    cfg.configure(routes::circle::configure);
    cfg.configure(routes::enrollment::configure);
    cfg.configure(routes::verification::configure);
}

/// The application: state, extractor limits and error handlers, middleware, routes.
pub fn build_app(
    state: ApiState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (deadlines, drain) = (state.settings.deadlines, state.settings.drain.clone());
    App::new()
        .app_data(deadlines)
        .app_data(drain)
        .app_data(web::Data::new(state))
        .app_data(
            web::JsonConfig::default()
                .limit(JSON_LIMIT)
                .content_type_required(false)
                .error_handler(extract::json_error),
        )
        .app_data(
            web::FormConfig::default()
                .limit(FORM_LIMIT)
                .error_handler(extract::form_error),
        )
        .app_data(web::PayloadConfig::default().limit(FORM_LIMIT))
        .app_data(web::QueryConfig::default().error_handler(extract::query_error))
        .app_data(web::PathConfig::default().error_handler(extract::path_error))
        .configure(configure)
        .service(
            SwaggerUi::new("/api/v1/docs/{_:.*}").url("/api/v1/openapi-ui.json", ApiDoc::openapi()),
        )
        .default_service(web::to(no_route::no_route))
        .wrap(from_fn(no_route::wrong_method))
        .wrap(from_fn(deadline::deadline))
        .wrap(from_fn(telemetry::telemetry))
        .wrap(NormalizePath::new(TrailingSlash::Trim))
}
