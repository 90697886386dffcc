//! Forgotten passwords: the reset e-mail and the reset itself (a no-op in the original, which never
//! produced a token or a mail; spec 1.1).

use actix_web::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use calndr_testkit::app::{Account, TEST_SECRET};
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, assert_error, assert_invalid, hs256_token, login, ok, unique_email};

const GENERIC: &str = "If your email is registered, you will receive a password reset link";

async fn forgot(app: &TestApp, email: &str) -> TestResponse {
    app.post(
        &format!(
            "/api/v1/auth/forgot-password?email={}",
            email.replace('+', "%2B").replace('@', "%40")
        ),
        None,
    )
    .await
}

async fn reset(app: &TestApp, token: &str, new_password: &str) -> TestResponse {
    app.post(
        &format!("/api/v1/auth/reset-password?token={token}&new_password={new_password}"),
        None,
    )
    .await
}

/// The reset token from the last mail: the line of the text part that is a JWT.
fn token_in_last_mail(app: &TestApp) -> String {
    let mail = app.mailer.sent().pop().expect("a mail was sent");
    mail.text
        .lines()
        .map(str::trim)
        .find(|l| l.split('.').count() == 3 && l.starts_with("eyJ"))
        .unwrap_or_else(|| panic!("no token in {:?}", mail.text))
        .to_owned()
}

async fn account_with_reset_mail(app: &TestApp) -> (Account, String) {
    let acc = app.register("Rhea").await;
    assert_eq!(ok(&forgot(app, &acc.email).await)["message"], GENERIC);
    let token = token_in_last_mail(app);
    (acc, token)
}

#[tokio::test(flavor = "multi_thread")]
async fn forgot_password_mails_a_reset_code_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Mona").await;
    let res = forgot(&app, &acc.email.to_uppercase()).await;
    assert_eq!(ok(&res), json!({"message": GENERIC}));
    let sent = app.mailer.sent();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert_eq!(mail.to.as_str(), acc.email, "to the stored address");
    assert_eq!(mail.subject, "Reset your Calndr password");
    let token = token_in_last_mail(&app);
    assert!(mail.html.contains(&token));
    assert!(!mail.text.contains(&acc.token), "not an access token");
}

#[tokio::test(flavor = "multi_thread")]
async fn forgot_password_for_an_unknown_address_answers_the_same_and_sends_nothing() {
    // Store-independent: the embedded default is enough.
    let app = app(Backend::Memory).await;
    let acc = app.register("Known").await;
    let known = forgot(&app, &acc.email).await;
    let unknown = forgot(&app, &unique_email("nobody")).await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    assert_eq!(
        app.mailer.sent().len(),
        1,
        "only the known address got a mail"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reset_code_sets_a_new_password_once() {
    let app = app(Backend::Postgres).await;
    let (acc, token) = account_with_reset_mail(&app).await;
    let res = reset(&app, &token, "fresh-password-1").await;
    assert_eq!(ok(&res), json!({"message": "Password reset successfully"}));
    ok(&login(&app, &acc.email, "fresh-password-1").await);
    assert_error(
        &login(&app, &acc.email, &acc.password).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    // Used once, the code is spent: 400 `invalid_reset_token` "Invalid or expired token".
    let again = reset(&app, &token, "another-password-2").await;
    let body = assert_error(&again, StatusCode::BAD_REQUEST, "invalid_reset_token");
    assert_eq!(body["detail"], "Invalid or expired token");
    ok(&login(&app, &acc.email, "fresh-password-1").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_code_is_void_once_the_password_changed_otherwise() {
    let app = app(Backend::Postgres).await;
    let (acc, token) = account_with_reset_mail(&app).await;
    ok(&app
        .put_json(
            "/api/v1/users/me/password",
            Some(&acc.token),
            &json!({"current_password": acc.password, "new_password": "changed-by-me-1"}),
        )
        .await);
    let res = reset(&app, &token, "attacker-choice-1").await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_reset_token");
    ok(&login(&app, &acc.email, "changed-by-me-1").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn access_tokens_expired_and_forged_codes_do_not_reset_a_password() {
    // Store-independent: the embedded default is enough.
    let app = app(Backend::Memory).await;
    let (acc, token) = account_with_reset_mail(&app).await;

    // The mailed code with only `exp` moved into the past, correctly signed.
    let payload = token.split('.').nth(1).expect("payload");
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json");
    let now = chrono::Utc::now().timestamp() as f64;
    claims["exp"] = json!(now - 1.0);
    let expired = hs256_token(TEST_SECRET, &claims.to_string());
    // The same claims, valid, but signed with another secret.
    claims["exp"] = json!(now + 600.0);
    let forged = hs256_token(
        "another-secret-0123456789abcdefghijklmnop",
        &claims.to_string(),
    );

    for (what, bad) in [
        ("access token", acc.token.clone()),
        ("expired", expired),
        ("forged", forged),
    ] {
        let res = reset(&app, &bad, "attacker-choice-1").await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{what}");
        assert_eq!(res.json()["code"], "invalid_reset_token", "{what}");
    }
    ok(&login(&app, &acc.email, &acc.password).await);
    // The genuine code is still good after those attempts.
    ok(&reset(&app, &token, "fresh-password-1").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_too_short_new_password_is_422_and_keeps_the_code_usable() {
    // Store-independent: the embedded default is enough.
    let app = app(Backend::Memory).await;
    let (acc, token) = account_with_reset_mail(&app).await;
    assert_invalid(&reset(&app, &token, "short").await, "new_password");
    ok(&login(&app, &acc.email, &acc.password).await);
    ok(&reset(&app, &token, "long-enough-1").await);
    ok(&login(&app, &acc.email, "long-enough-1").await);
}
