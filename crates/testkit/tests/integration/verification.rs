//! `/api/v1/email-verification/*` and `/api/v1/phone-verification/*` (contract 2.2 V1-V5): the
//! original's holes closed (spec 8.2.3, 8.2.6, 8.1.6): persisted attempt counts, no account
//! enumeration, PINs shared through Redis and counted atomically, sends limited.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_app::RateLimits;
use calndr_ports::RateLimit;
use calndr_testkit::app::{random_loopback_peer, Account};
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::enrollment::limited;
use crate::support::{app, assert_error, assert_invalid, login, ok, sql, unique_email};

fn limit(max: u32) -> RateLimit {
    RateLimit {
        max,
        window: Duration::from_secs(60),
    }
}

/// The six-digit code in the last e-mail sent.
fn mailed_code(app: &TestApp) -> String {
    let mails = app.mailer.sent();
    let text = &mails.last().expect("a mail").text;
    text.split_whitespace()
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .expect("a code in the mail")
        .to_owned()
}

pub async fn pending(app: &TestApp) -> Account {
    let acc = app.register("Pen").await;
    sql(app)
        .await
        .execute(
            "UPDATE users SET status = 'pending' WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("pending");
    acc
}

async fn send_code(app: &TestApp, email: &str) -> TestResponse {
    app.send_from(
        TestRequest::post()
            .uri("/api/v1/email-verification/send-code")
            .set_json(json!({ "email": email })),
        &random_loopback_peer(),
    )
    .await
}

async fn verify_code(app: &TestApp, email: &str, code: &str) -> TestResponse {
    app.post_json(
        "/api/v1/email-verification/verify-code",
        None,
        &json!({ "email": email, "code": code }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn send_code_answers_the_same_for_unknown_pending_and_verified_addresses() {
    let app = app(Backend::Postgres).await;
    let acc = pending(&app).await;
    let sent = ok(&send_code(&app, &acc.email).await);
    assert_eq!(app.mailer.sent().len(), 1);
    assert_eq!(app.mailer.sent()[0].to.as_str(), acc.email);
    let unknown = ok(&send_code(&app, &unique_email("nobody")).await);
    assert_eq!(unknown, sent, "no account enumeration");
    assert_eq!(sent["success"], true);
    assert_eq!(sent["expires_in"], 600);
    assert_eq!(
        app.mailer.sent().len(),
        1,
        "nothing sent to an unknown address"
    );
    // Verified: same answer, no mail.
    ok(&verify_code(&app, &acc.email, &mailed_code(&app)).await);
    assert_eq!(ok(&send_code(&app, &acc.email).await), sent);
    assert_eq!(app.mailer.sent().len(), 1);
    assert_invalid(&send_code(&app, "not-an-address").await, "email");
    let missing = app
        .post_json("/api/v1/email-verification/send-code", None, &json!({}))
        .await;
    assert_invalid(&missing, "email");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_code_sets_email_verified_at_and_lets_a_pending_user_sign_in() {
    let app = app(Backend::Postgres).await;
    let acc = pending(&app).await;
    assert_error(
        &login(&app, &acc.email, &acc.password).await,
        StatusCode::UNAUTHORIZED,
        "email_not_verified",
    );
    ok(&send_code(&app, &acc.email).await);
    let code = mailed_code(&app);
    let body = ok(&verify_code(&app, &acc.email, &code).await);
    assert_eq!(
        body,
        json!({"success": true, "message": "Email verified successfully",
               "user_id": acc.user_id})
    );
    let row = sql(&app)
        .await
        .query_one(
            "SELECT status, email_verified_at IS NOT NULL FROM users WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("user");
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("active"));
    assert!(row.get::<_, bool>(1));
    ok(&login(&app, &acc.email, &acc.password).await);
    // A used code is dead.
    assert_error(
        &verify_code(&app, &acc.email, &code).await,
        StatusCode::BAD_REQUEST,
        "invalid_verification_code",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn three_wrong_codes_kill_the_code_and_the_count_is_persisted_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let acc = pending(&app).await;
    ok(&send_code(&app, &acc.email).await);
    let code = mailed_code(&app);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let first = verify_code(&app, &acc.email, wrong).await;
    let body = assert_error(&first, StatusCode::BAD_REQUEST, "invalid_verification_code");
    for _ in 0..2 {
        assert_error(
            &verify_code(&app, &acc.email, wrong).await,
            StatusCode::BAD_REQUEST,
            "invalid_verification_code",
        );
    }
    let attempts: Option<i32> = sql(&app)
        .await
        .query_one(
            "SELECT attempts FROM email_verifications WHERE user_id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("row")
        .get(0);
    assert_eq!(attempts, Some(3));
    // The right code no longer works.
    let dead = verify_code(&app, &acc.email, &code).await;
    assert_error(&dead, StatusCode::BAD_REQUEST, "invalid_verification_code");
    // An unknown address answers exactly like a wrong code.
    let unknown = verify_code(&app, &unique_email("nobody"), wrong).await;
    assert_eq!(unknown.json(), body);
    assert_invalid(&verify_code(&app, &acc.email, "12a456").await, "code");
    assert_invalid(&verify_code(&app, &acc.email, "1234567").await, "code");
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_within_the_cooldown_is_429_even_after_the_first_minute_of_the_original() {
    let app = limited(RateLimits {
        verification_cooldown: limit(1),
        ..RateLimits::unlimited()
    })
    .await;
    let acc = pending(&app).await;
    ok(&send_code(&app, &acc.email).await);
    let again = app
        .post_json(
            "/api/v1/email-verification/resend-code",
            None,
            &json!({ "email": acc.email }),
        )
        .await;
    assert_error(&again, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(app.mailer.sent().len(), 1);
    // Unknown addresses are limited the same way (no enumeration through the limiter).
    let nobody = unique_email("nobody");
    ok(&send_code(&app, &nobody).await);
    assert_error(
        &send_code(&app, &nobody).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}

// ---------------------------------------------------------------------------------------------
// Phone PINs
// ---------------------------------------------------------------------------------------------

/// A random US number, so PINs in the shared Redis belong to one test run.
fn phone() -> String {
    let n: u32 = rand::random::<u32>() % 10_000_000;
    format!("(555) {:03}-{:04}", n / 10_000, n % 10_000)
}

fn e164(p: &str) -> String {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    format!("+1{digits}")
}

async fn send_pin(app: &TestApp, number: &str) -> TestResponse {
    app.send_from(
        TestRequest::post()
            .uri("/api/v1/phone-verification/send-pin")
            .set_json(json!({ "phone_number": number })),
        &random_loopback_peer(),
    )
    .await
}

async fn verify_pin(app: &TestApp, token: Option<&str>, number: &str, pin: &str) -> Value {
    ok(&app
        .post_json(
            "/api/v1/phone-verification/verify-pin",
            token,
            &json!({ "phone_number": number, "pin": pin }),
        )
        .await)
}

fn texted_pin(app: &TestApp) -> String {
    let (_, text) = app.sms.sent().last().cloned().expect("an SMS");
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a PIN")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pin_verified_with_a_token_is_recorded_on_the_caller() {
    let app = app(Backend::PostgresRedis).await;
    let acc = app.register("Pho").await;
    let number = phone();
    let sent = ok(&send_pin(&app, &number).await);
    let last4 = &e164(&number)[8..];
    assert_eq!(
        sent,
        json!({"success": true, "message": format!("Verification code sent to ****{last4}"),
               "expires_in": 600})
    );
    assert_eq!(app.sms.sent()[0].0, e164(&number));
    let pin = texted_pin(&app);
    assert_eq!(
        verify_pin(&app, Some(&acc.token), &number, &pin).await,
        json!({"success": true, "message": "Phone number verified successfully!"})
    );
    let row = sql(&app)
        .await
        .query_one(
            "SELECT phone_number, phone_verified_at IS NOT NULL FROM users \
             WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("user");
    assert_eq!(row.get::<_, Option<String>>(0), Some(e164(&number)));
    assert!(row.get::<_, bool>(1));
    // Used up.
    assert_eq!(
        verify_pin(&app, Some(&acc.token), &number, &pin).await["success"],
        false
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_anonymous_verification_records_nothing() {
    let app = app(Backend::PostgresRedis).await;
    let acc = app.register("Ano").await;
    let number = phone();
    ok(&send_pin(&app, &number).await);
    let pin = texted_pin(&app);
    assert_eq!(verify_pin(&app, None, &number, &pin).await["success"], true);
    let verified: bool = sql(&app)
        .await
        .query_one(
            "SELECT phone_verified_at IS NOT NULL FROM users WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("user")
        .get(0);
    assert!(!verified);
}

#[tokio::test(flavor = "multi_thread")]
async fn three_wrong_pins_kill_the_pin() {
    let app = app(Backend::PostgresRedis).await;
    let number = phone();
    ok(&send_pin(&app, &number).await);
    let pin = texted_pin(&app);
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    let messages: Vec<Value> = vec![
        verify_pin(&app, None, &number, wrong).await["message"].clone(),
        verify_pin(&app, None, &number, wrong).await["message"].clone(),
        verify_pin(&app, None, &number, wrong).await["message"].clone(),
    ];
    assert_eq!(
        messages,
        vec![
            json!("Invalid verification code. 2 attempts remaining."),
            json!("Invalid verification code. 1 attempts remaining."),
            json!("Too many failed attempts. Please request a new code."),
        ]
    );
    assert_eq!(
        verify_pin(&app, None, &number, &pin).await["success"],
        false
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_guesses_are_counted_atomically_across_instances() {
    // Two app instances on one Redis: PINs are shared, attempts counted once each.
    let (one, two) = (
        app(Backend::PostgresRedis).await,
        app(Backend::PostgresRedis).await,
    );
    let number = phone();
    ok(&send_pin(&one, &number).await);
    let pin = texted_pin(&one);
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    let guesses = (0..10).map(|i| {
        let app = if i % 2 == 0 { &one } else { &two };
        let number = number.clone();
        async move { verify_pin(app, None, &number, wrong).await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    assert!(answers.iter().all(|a| a["success"] == false));
    let counted = answers
        .iter()
        .filter(|a| {
            a["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Invalid") || m.starts_with("Too many"))
        })
        .count();
    assert_eq!(
        counted, 3,
        "only three guesses were ever compared: {answers:?}"
    );
    assert_eq!(
        verify_pin(&two, None, &number, &pin).await["success"],
        false
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_pin_within_a_minute_answers_retry_after() {
    let app = limited(RateLimits {
        verification_cooldown: limit(1),
        ..RateLimits::unlimited()
    })
    .await;
    let number = phone();
    ok(&send_pin(&app, &number).await);
    let again = ok(&send_pin(&app, &number).await);
    assert_eq!(
        again,
        json!({"success": false,
               "message": "Please wait 60 seconds before requesting another code",
               "retry_after": 60})
    );
    assert_eq!(app.sms.sent().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn pin_sends_are_limited_per_client_per_number_and_per_day() {
    let app = limited(RateLimits {
        verification_sends_per_ip: limit(2),
        sms_per_number_per_day: limit(1),
        ..RateLimits::unlimited()
    })
    .await;
    let peer = random_loopback_peer();
    let from = |number: String| {
        let app = &app;
        let peer = peer.clone();
        async move {
            app.send_from(
                TestRequest::post()
                    .uri("/api/v1/phone-verification/send-pin")
                    .set_json(json!({ "phone_number": number })),
                &peer,
            )
            .await
        }
    };
    ok(&from(phone()).await);
    ok(&from(phone()).await);
    assert_error(
        &from(phone()).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    // Per number per day, from fresh addresses.
    let number = phone();
    ok(&send_pin(&app, &number).await);
    assert_error(
        &send_pin(&app, &number).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn send_pin_without_an_sms_provider_is_503_provider_not_configured() {
    let app = TestApp::builder(Backend::Memory)
        .fast_hashing()
        .without_sms()
        .build()
        .await;
    assert_error(
        &send_pin(&app, &phone()).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "provider_not_configured",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn phone_requests_are_validated() {
    let app = app(Backend::Memory).await;
    for bad in ["12345", "+44 20 7946 0958", "555-123-456a", ""] {
        assert_invalid(&send_pin(&app, bad).await, "phone_number");
    }
    let long = "5".repeat(40);
    assert_invalid(&send_pin(&app, &long).await, "phone_number");
    let bad_pin = app
        .post_json(
            "/api/v1/phone-verification/verify-pin",
            None,
            &json!({"phone_number": phone(), "pin": "12345"}),
        )
        .await;
    assert_invalid(&bad_pin, "pin");
    let missing = app
        .post_json(
            "/api/v1/phone-verification/verify-pin",
            None,
            &json!({"phone_number": phone()}),
        )
        .await;
    assert_invalid(&missing, "pin");
    assert!(app.sms.sent().is_empty());
    // The embedded PIN store follows the same rules.
    let number = phone();
    ok(&send_pin(&app, &number).await);
    let pin = texted_pin(&app);
    assert_eq!(verify_pin(&app, None, &number, &pin).await["success"], true);
}
