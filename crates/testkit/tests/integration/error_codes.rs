//! The error contract end to end: every code of `ErrorCode::ALL` is answered by a real request,
//! and the codes that used to reach the client as `bad_request` (or as a 404) now name themselves.

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_api::ErrorCode;
use calndr_app::RateLimits;
use calndr_ports::rate_limit::RateLimit;
use calndr_testkit::app::random_loopback_peer;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::json;

use crate::idempotency::{hold_key, post_with_key};
use crate::support::{app, assert_error, login, multipart, multipart_post, sql, unique_email};
use crate::verification::pending;
use crate::weather::{app_with_weather, failing_meteo, forecast_url, place};

/// A user of the original database who belongs to no family (the column is nullable there).
async fn familyless_token(app: &TestApp) -> String {
    let acc = app.register("Lone").await;
    sql(app)
        .await
        .execute(
            "UPDATE users SET family_id = NULL WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("drop the family");
    acc.token
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_without_a_family_gets_no_family_not_bad_request() {
    let app = app(Backend::Postgres).await;
    let token = familyless_token(&app).await;
    let res = app.get("/api/v1/journal", Some(&token)).await;
    let body = assert_error(&res, StatusCode::BAD_REQUEST, "no_family");
    assert_eq!(body["detail"], "User is not a member of a family");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_password_reset_code_gets_invalid_reset_token_not_bad_request() {
    let app = app(Backend::Memory).await;
    let res = app
        .post(
            "/api/v1/auth/reset-password?token=not-a-code&new_password=long-enough-1",
            None,
        )
        .await;
    let body = assert_error(&res, StatusCode::BAD_REQUEST, "invalid_reset_token");
    assert_eq!(body["detail"], "Invalid or expired token");
    // Not a session problem: no challenge to sign in again.
    assert_eq!(res.header("www-authenticate"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_method_on_an_existing_path_is_405_with_allow_not_a_404() {
    let app = app(Backend::Memory).await;
    for path in ["/api/v1/users/profile", "/api/v1/users/profile/"] {
        let res = app.send(TestRequest::delete().uri(path)).await;
        let body = assert_error(&res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(
            body,
            json!({"detail": "Method Not Allowed", "code": "method_not_allowed"})
        );
        assert_eq!(res.header("allow"), Some("GET, PUT"), "{path}");
    }
    let res = app.post("/api/v1/journal/7/", None).await;
    assert_error(&res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, PUT, DELETE"));
    // An unknown path is still a 404, whatever the method.
    for req in [TestRequest::get(), TestRequest::delete()] {
        let res = app.send(req.uri("/api/v1/users/nothing-here")).await;
        assert_error(&res, StatusCode::NOT_FOUND, "route_not_found");
        assert_eq!(res.header("allow"), None);
    }
}

/// The codes the requests below were answered with, and which request answered each.
#[derive(Default)]
struct Seen(BTreeMap<ErrorCode, &'static str>);

impl Seen {
    /// Asserts `res` is `code` (status and body) and records it.
    #[track_caller]
    fn answered(&mut self, code: ErrorCode, by: &'static str, res: &TestResponse) {
        let body = res.json();
        assert_eq!(
            (res.status, body["code"].as_str()),
            (code.status(), Some(code.as_str())),
            "{by}: {}",
            String::from_utf8_lossy(&res.body)
        );
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{by}: every error has a detail: {body}"
        );
        self.0.insert(code, by);
    }
}

/// Apps that answer the codes a plain app cannot: an unreachable database, limits, a broken
/// weather service.
async fn special_apps(seen: &mut Seen) {
    let down = TestApp::builder(Backend::Memory)
        .env(
            "CALNDR_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        )
        .build()
        .await;
    seen.answered(
        ErrorCode::ServiceUnavailable,
        "database check with the database down",
        &down.get("/api/v1/health/health/db", None).await,
    );

    let slow_client = TestApp::builder(Backend::Memory)
        .env("CALNDR_BODY_TIMEOUT_MS", "300")
        .build()
        .await;
    let started = std::time::Instant::now();
    let stalled = slow_client
        .send_stalled_body(
            TestRequest::post()
                .uri("/api/v1/auth/register")
                .insert_header(("content-type", "application/json")),
            b"{\"first_name\":",
            200,
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a stalled body is answered at its deadline, not waited on: {:?}",
        started.elapsed()
    );
    seen.answered(
        ErrorCode::RequestTimeout,
        "a body shorter than its Content-Length",
        &stalled,
    );

    let limited = TestApp::builder(Backend::Memory)
        .fast_hashing()
        .with_rate_limits(RateLimits {
            login_per_ip: RateLimit {
                max: 1,
                window: Duration::from_secs(60),
            },
            ..RateLimits::unlimited()
        })
        .build()
        .await;
    let peer = random_loopback_peer();
    let attempt = || {
        TestRequest::post()
            .uri("/api/v1/auth/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("username=nobody%40example.com&password=x")
    };
    limited.send_from(attempt(), &peer).await;
    seen.answered(
        ErrorCode::RateLimited,
        "a second login from one address over a limit of one",
        &limited.send_from(attempt(), &peer).await,
    );

    let meteo = failing_meteo().await;
    let weather = app_with_weather(&meteo).await;
    let me = weather.register("Wendy").await;
    let t = Some(me.token.as_str());
    let here = place();
    let (lat, lon) = &here;
    seen.answered(
        ErrorCode::UpstreamUnavailable,
        "forecast while Open-Meteo fails",
        &weather.get(&forecast_url(&here), t).await,
    );
    seen.answered(
        ErrorCode::UpstreamBadResponse,
        "history while Open-Meteo answers HTML",
        &weather
            .get(&format!("/api/v1/weather/historic/{lat}/{lon}"), t)
            .await,
    );
}

/// Fails naming every code of `ErrorCode::ALL` that no request here is answered with: a code
/// the service never produces is removed from the enum, or given the request that produces it.
#[tokio::test(flavor = "multi_thread")]
async fn every_error_code_is_answered_by_some_request() {
    use ErrorCode as C;
    let mut seen = Seen::default();
    let app = app(Backend::Postgres).await;
    let acc = app.register("Cody").await;
    let t = Some(acc.token.as_str());
    let missing_entry = 987_654_321;

    seen.answered(
        C::ValidationFailed,
        "registration without fields",
        &app.post_json("/api/v1/auth/register", None, &json!({}))
            .await,
    );
    seen.answered(
        C::MalformedBody,
        "JSON that does not parse",
        &app.send(
            TestRequest::post()
                .uri("/api/v1/auth/register")
                .insert_header(("content-type", "application/json"))
                .set_payload("{"),
        )
        .await,
    );
    seen.answered(
        C::BadRequest,
        "a journal update without changes",
        &app.put_json(&format!("/api/v1/journal/{missing_entry}"), t, &json!({}))
            .await,
    );
    let lone = familyless_token(&app).await;
    seen.answered(
        C::NoFamily,
        "the journal of a user without a family",
        &app.get("/api/v1/journal", Some(&lone)).await,
    );
    seen.answered(
        C::InvalidResetToken,
        "a password reset with a made-up code",
        &app.post(
            "/api/v1/auth/reset-password?token=made-up&new_password=long-enough-1",
            None,
        )
        .await,
    );
    let guest = |code: &str, family: Option<String>| {
        json!({"first_name": "Gina", "last_name": "Guest", "email": unique_email("g"),
               "password": "guest-pass-1", "phone_number": null, "enrollment_code": code,
               "family_id": family})
    };
    seen.answered(
        C::InvalidEnrollmentCode,
        "joining with an unknown enrollment code",
        &app.post_json(
            "/api/v1/auth/register-with-family",
            None,
            &guest("ZZZZZZ", None),
        )
        .await,
    );
    let code = crate::support::seed_code(&app, &acc).await;
    seen.answered(
        C::FamilyMismatch,
        "joining with a code and another family's id",
        &app.post_json(
            "/api/v1/auth/register-with-family",
            None,
            &guest(&code, Some(uuid::Uuid::new_v4().to_string())),
        )
        .await,
    );
    seen.answered(
        C::InvalidVerificationCode,
        "an e-mail code for an address that was sent none",
        &app.post_json(
            "/api/v1/email-verification/verify-code",
            None,
            &json!({"email": unique_email("v"), "code": "123456"}),
        )
        .await,
    );
    let boundary = "calndr-boundary";
    let text = multipart(boundary, &[("photo", "p.jpg", "image/jpeg", b"plain text")]);
    seen.answered(
        C::NotAnImage,
        "a profile photo that is text",
        &app.send(multipart_post(
            "/api/v1/user/profile/photo",
            t,
            text,
            boundary,
        ))
        .await,
    );
    seen.answered(
        C::InvalidCredentials,
        "a login with a wrong password",
        &login(&app, &acc.email, "wrong-password-1").await,
    );
    let pending = pending(&app).await;
    seen.answered(
        C::EmailNotVerified,
        "the login of an unverified account",
        &login(&app, &pending.email, &pending.password).await,
    );
    seen.answered(
        C::NotAuthenticated,
        "the profile without a token",
        &app.get("/api/v1/users/profile", None).await,
    );
    seen.answered(
        C::InvalidToken,
        "refreshing a token that is not one",
        &app.post("/api/v1/auth/refresh-token?current_token=garbage", None)
            .await,
    );
    let (_, stale) = crate::account_deletion::passwordless_with_stale_token(&app).await;
    seen.answered(
        C::ReauthenticationRequired,
        "deleting an account without a password from a sign-in 20 minutes old",
        &crate::account_deletion::delete_without_password(&app, &stale).await,
    );
    seen.answered(
        C::WrongPassword,
        "a password change with a wrong current password",
        &app.put_json(
            "/api/v1/users/me/password",
            t,
            &json!({"current_password": "not-it-at-all", "new_password": "brand-new-pass-1"}),
        )
        .await,
    );
    let theme = app
        .post_json(
            "/api/v1/themes",
            t,
            &json!({"name": "Shared", "mainBackgroundColor": "#FFFFFF",
                    "secondaryBackgroundColor": "#EEEEEE", "textColor": "#000000",
                    "headerTextColor": "#111111", "iconColor": "#222222",
                    "iconActiveColor": "#333333", "accentColor": "#444444",
                    "parentOneColor": "#555555", "parentTwoColor": "#666666",
                    "isPublic": true}),
        )
        .await;
    let theme_id = theme.json()["id"].as_str().unwrap_or_default().to_owned();
    let other = app.register("Otto").await;
    seen.answered(
        C::Forbidden,
        "changing someone else's public theme",
        &app.put_json(
            &format!("/api/v1/themes/{theme_id}"),
            Some(&other.token),
            &json!({"name": "Mine now"}),
        )
        .await,
    );
    seen.answered(
        C::NotFound,
        "a journal entry that does not exist",
        &app.get(&format!("/api/v1/journal/{missing_entry}"), t)
            .await,
    );
    seen.answered(
        C::RouteNotFound,
        "a path no route has",
        &app.get("/api/v1/nowhere", None).await,
    );
    seen.answered(
        C::MethodNotAllowed,
        "DELETE on the profile",
        &app.send(TestRequest::delete().uri("/api/v1/users/profile"))
            .await,
    );
    seen.answered(
        C::EmailTaken,
        "registering an e-mail address twice",
        &app.post_json(
            "/api/v1/auth/register",
            None,
            &json!({"first_name": "Cody", "last_name": "Again", "email": acc.email,
                    "password": "another-pass-1", "phone_number": null}),
        )
        .await,
    );
    let reminder = json!({"date": "2025-05-10", "text": "Once", "notification_enabled": false});
    app.post_json("/api/v1/reminders", t, &reminder).await;
    seen.answered(
        C::Conflict,
        "a second reminder on one day",
        &app.post_json("/api/v1/reminders", t, &reminder).await,
    );
    let key = "error-codes";
    let child = json!({"first_name": "Ava", "last_name": "Lee", "dob": "2019-04-02"});
    seen.answered(
        C::IdempotencyKeyInvalid,
        "an Idempotency-Key with a space",
        &post_with_key(&app, "/api/v1/children", t, "a key", &child).await,
    );
    post_with_key(&app, "/api/v1/children", t, key, &child).await;
    seen.answered(
        C::IdempotencyKeyReused,
        "a used Idempotency-Key with another body",
        &post_with_key(&app, "/api/v1/children", t, key, &reminder).await,
    );
    let _running = hold_key(&app, &acc.user_id, "running", "/api/v1/children", &child).await;
    seen.answered(
        C::IdempotencyKeyInUse,
        "an Idempotency-Key whose first request still runs",
        &post_with_key(&app, "/api/v1/children", t, "running", &child).await,
    );
    let huge = json!({"first_name": "x".repeat(2 * 1024 * 1024)});
    seen.answered(
        C::PayloadTooLarge,
        "a JSON body over 1 MiB",
        &app.post_json("/api/v1/auth/register", None, &huge).await,
    );
    seen.answered(
        C::UnsupportedMediaType,
        "the form password change sent as JSON",
        &app.put_json(
            "/api/v1/users/password",
            t,
            &json!({"current_password": "a", "new_password": "b"}),
        )
        .await,
    );
    seen.answered(
        C::ProviderNotConfigured,
        "a daycare search without a place search configured",
        &app.post_json(
            "/api/v1/daycare-providers/search",
            t,
            &json!({"location_type": "zipcode", "zipcode": "28401"}),
        )
        .await,
    );
    // Last, as it breaks the schema: a table the service needs is gone (a deployment bug).
    sql(&app)
        .await
        .execute(
            "ALTER TABLE journal_entries RENAME TO journal_entries_gone",
            &[],
        )
        .await
        .expect("rename the table");
    let broken = app.get("/api/v1/journal", t).await;
    seen.answered(C::InternalError, "the journal without its table", &broken);
    assert_eq!(
        broken.json(),
        json!({"detail": "Internal server error", "code": "internal_error"}),
        "opaque"
    );

    special_apps(&mut seen).await;

    let never: Vec<&str> = ErrorCode::ALL
        .iter()
        .filter(|c| !seen.0.contains_key(c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        never.is_empty(),
        "error codes no request produces (remove them or add the request that answers them): \
         {never:?}"
    );
}
