//! Access tokens: the original's tokens keep working, bad ones are refused, and issued ones carry
//! what the app decodes itself (contract 1.3).

use actix_web::http::StatusCode;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use calndr_testkit::app::TEST_SECRET;
use calndr_testkit::Backend;
use serde_json::{json, Value};

use crate::support::{app, assert_error, hs256_token, login, ok, seed_code, sql, unique_email};

fn now_secs() -> f64 {
    chrono::Utc::now().timestamp_micros() as f64 / 1e6
}

/// The claims the original writes: float `exp`/`iat` with microseconds, in its key order.
fn original_payload(user: &str, family: &str, exp: f64) -> String {
    format!(
        r#"{{"sub": "{user}", "family_id": "{family}", "exp": {exp:.6}, "iat": {:.6}, "iss": "calndr-backend"}}"#,
        now_secs() - 3600.0
    )
}

/// What the app does with a token: split at `.`, pad segment 2 with `=`, decode it with
/// *standard* base64 (`Data(base64Encoded:)`), parse JSON.
fn decode_like_the_app(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("three segments");
    let padded = format!("{payload}{}", "=".repeat((4 - payload.len() % 4) % 4));
    let bytes = STANDARD
        .decode(padded)
        .unwrap_or_else(|e| panic!("the app could not decode {payload}: {e}"));
    serde_json::from_slice(&bytes).expect("payload is JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_the_original_issued_keeps_working() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Olga").await;
    let token = hs256_token(
        TEST_SECRET,
        &original_payload(
            &acc.user_id,
            &acc.family_id,
            now_secs() + 29.0 * 86_400.0 + 0.123_456,
        ),
    );
    let profile = ok(&app.get("/api/v1/users/profile", Some(&token)).await);
    assert_eq!(profile["id"], acc.user_id.as_str());
    assert_eq!(profile["family_id"], acc.family_id.as_str());

    let verdict = ok(&app
        .post(&format!("/api/v1/auth/verify-token?token={token}"), None)
        .await);
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["user_id"], acc.user_id.as_str());

    let refreshed = ok(&app
        .post(
            &format!("/api/v1/auth/refresh-token?current_token={token}"),
            None,
        )
        .await);
    let fresh = refreshed["access_token"].as_str().expect("token");
    ok(&app.get("/api/v1/users/profile", Some(fresh)).await);
    // An integer `exp` (what most JWT libraries write) is just as good.
    let integer_exp = hs256_token(
        TEST_SECRET,
        &format!(
            r#"{{"sub":"{}","family_id":"{}","exp":{}}}"#,
            acc.user_id,
            acc.family_id,
            now_secs() as i64 + 3600
        ),
    );
    ok(&app.get("/api/v1/users/profile", Some(&integer_exp)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_forged_unsigned_garbage_and_orphaned_tokens_are_refused() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Gwen").await;
    // A user whose row is gone (no request has used this token yet).
    let gone = app.register("Gone").await;
    sql(&app)
        .await
        .execute(
            "DELETE FROM users WHERE id = $1::text::uuid",
            &[&gone.user_id],
        )
        .await
        .expect("delete user");

    let (user, family) = (acc.user_id.as_str(), acc.family_id.as_str());
    let later = now_secs() + 3600.0;
    let none_alg = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(original_payload(user, family, later).as_bytes())
    );
    let mut tampered = acc.token.clone();
    tampered.push('x');
    let cases = [
        (
            "expired",
            hs256_token(
                TEST_SECRET,
                &original_payload(user, family, now_secs() - 5.0),
            ),
        ),
        (
            "another secret",
            hs256_token(
                "some-other-secret-0123456789abcdefghijkl",
                &original_payload(user, family, later),
            ),
        ),
        ("alg none", none_alg),
        ("garbage", "garbage".to_owned()),
        ("tampered signature", tampered),
        (
            "no exp",
            hs256_token(TEST_SECRET, &format!(r#"{{"sub":"{user}"}}"#)),
        ),
        (
            "sub not a user id",
            hs256_token(TEST_SECRET, &format!(r#"{{"sub":"admin","exp":{later}}}"#)),
        ),
        ("deleted user", gone.token.clone()),
    ];
    for (what, token) in &cases {
        let res = app.get("/api/v1/users/profile", Some(token)).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(res.json()["code"], "not_authenticated", "{what}");
        assert_eq!(res.header("www-authenticate"), Some("Bearer"), "{what}");

        let refresh = app
            .post(
                &format!("/api/v1/auth/refresh-token?current_token={token}"),
                None,
            )
            .await;
        assert_eq!(refresh.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(refresh.json()["code"], "invalid_token", "{what}");

        let verdict = app
            .post(&format!("/api/v1/auth/verify-token?token={token}"), None)
            .await;
        assert_eq!(
            ok(&verdict),
            json!({"valid": false, "message": "Invalid token"}),
            "{what}"
        );
    }
    // The header without a token, or with another scheme, is no better.
    for header in [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        acc.token.as_str(),
    ] {
        let res = app
            .send(
                actix_web::test::TestRequest::get()
                    .uri("/api/v1/users/profile")
                    .insert_header(("authorization", header)),
            )
            .await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "not_authenticated");
    }
    // The valid token of the same app still works.
    ok(&app.get("/api/v1/users/profile", Some(&acc.token)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn issued_tokens_decode_with_standard_base64_and_carry_a_numeric_exp_and_a_string_family() {
    let app = app(Backend::Postgres).await;
    let host = app.register("Hana").await;
    let code = seed_code(&app, &host).await;
    let email = unique_email("tok");
    let joined = ok(&app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": "Tom", "last_name": "T", "email": email,
                    "password": "joined-pass-1", "phone_number": null,
                    "enrollment_code": code, "family_id": host.family_id}),
        )
        .await);
    let logged_in = ok(&login(&app, &email, "joined-pass-1").await);
    let refreshed = ok(&app
        .post(
            &format!("/api/v1/auth/refresh-token?current_token={}", host.token),
            None,
        )
        .await);
    let tokens = [
        ("register", host.token.clone(), host.user_id.clone()),
        (
            "register-with-family",
            joined["access_token"].as_str().expect("t").to_owned(),
            joined["user_id"].as_str().expect("id").to_owned(),
        ),
        (
            "login",
            logged_in["access_token"].as_str().expect("t").to_owned(),
            joined["user_id"].as_str().expect("id").to_owned(),
        ),
        (
            "refresh",
            refreshed["access_token"].as_str().expect("t").to_owned(),
            host.user_id.clone(),
        ),
    ];
    for (origin, token, user) in tokens {
        let claims = decode_like_the_app(&token);
        assert_eq!(claims["sub"], user.as_str(), "{origin}");
        assert_eq!(claims["family_id"], host.family_id.as_str(), "{origin}");
        assert_eq!(claims["iss"], "calndr-backend", "{origin}");
        let exp = claims["exp"].as_f64().expect("numeric exp");
        let days = (exp - now_secs()) / 86_400.0;
        assert!(
            (29.99..=30.0).contains(&days),
            "{origin}: exp in {days} days"
        );
        assert!(claims["iat"].is_number(), "{origin}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_family_comes_from_the_database_not_from_the_tokens_claim() {
    let app = app(Backend::PostgresRedis).await;
    let acc = app.register("Fay").await;
    let other_family = uuid::Uuid::new_v4().to_string();
    let forged = hs256_token(
        TEST_SECRET,
        &original_payload(&acc.user_id, &other_family, now_secs() + 3600.0),
    );
    let profile = ok(&app.get("/api/v1/users/profile", Some(&forged)).await);
    assert_eq!(profile["family_id"], acc.family_id.as_str());
    let verdict = ok(&app
        .post(&format!("/api/v1/auth/verify-token?token={forged}"), None)
        .await);
    assert_eq!(verdict["family_id"], acc.family_id.as_str());
    // Refreshing the forged token yields a token for the stored family.
    let refreshed = ok(&app
        .post(
            &format!("/api/v1/auth/refresh-token?current_token={forged}"),
            None,
        )
        .await);
    let claims = decode_like_the_app(refreshed["access_token"].as_str().expect("t"));
    assert_eq!(claims["family_id"], acc.family_id.as_str());

    // After joining another family, the old token (its claim now stale) sees the new family,
    // although it was just used and its principal cached in Redis.
    let host = app.register("Host").await;
    let code = seed_code(&app, &host).await;
    ok(&app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": "Fay", "last_name": "Tester", "email": acc.email,
                    "password": acc.password, "phone_number": null,
                    "enrollment_code": code, "family_id": host.family_id}),
        )
        .await);
    let profile = ok(&app.get("/api/v1/users/profile", Some(&acc.token)).await);
    assert_eq!(profile["family_id"], host.family_id.as_str());
    let verdict = ok(&app
        .post(
            &format!("/api/v1/auth/verify-token?token={}", acc.token),
            None,
        )
        .await);
    assert_eq!(verdict["family_id"], host.family_id.as_str());
}
