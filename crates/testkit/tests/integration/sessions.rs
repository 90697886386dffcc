//! Taking access back (issue #14 item 5): a password change ends every other session, a reset
//! and `POST /auth/logout-all` end all of them, and a second instance of the service on the same
//! PostgreSQL and Redis sees it within a second. Tokens keep the original's format.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp, TestResponse};

use crate::support::{app, assert_error, ok};

const BACKENDS: [Backend; 2] = [Backend::Memory, Backend::PostgresRedis];

fn form_escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('+', "%2B")
        .replace('&', "%26")
        .replace('@', "%40")
}

/// A second sign-in of `who` (another phone): its token.
async fn sign_in(app: &TestApp, who: &Account, password: &str) -> String {
    let form = format!(
        "username={}&password={}",
        form_escape(&who.email),
        form_escape(password)
    );
    let res = app.post_raw_form("/api/v1/auth/token", None, &form).await;
    ok(&res)["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

async fn profile(app: &TestApp, token: &str) -> TestResponse {
    app.get("/api/v1/users/profile", Some(token)).await
}

async fn change_password(app: &TestApp, token: &str, current: &str, new: &str) -> TestResponse {
    app.put_json(
        "/api/v1/users/me/password",
        Some(token),
        &serde_json::json!({"current_password": current, "new_password": new}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_change_ends_every_other_session_and_keeps_the_one_it_was_made_from() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let alice = app.register("Alice").await;
        let stolen_phone = sign_in(&app, &alice, &alice.password).await;
        ok(&profile(&app, &stolen_phone).await);

        let new_password = "a-brand-new-passphrase";
        ok(&change_password(&app, &alice.token, &alice.password, new_password).await);
        ok(&profile(&app, &alice.token).await);
        assert_error(
            &profile(&app, &stolen_phone).await,
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
        );
        // The old password no longer signs in; the new one does, into a session that works.
        let old = app
            .post_raw_form(
                "/api/v1/auth/token",
                None,
                &format!(
                    "username={}&password={}",
                    form_escape(&alice.email),
                    form_escape(&alice.password)
                ),
            )
            .await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED, "{backend:?}");
        let fresh = sign_in(&app, &alice, new_password).await;
        ok(&profile(&app, &fresh).await);
        // The original's route (passwords in the query string) does the same.
        let other = sign_in(&app, &alice, new_password).await;
        ok(&app
            .post(
                &format!(
                    "/api/v1/auth/change-password?current_password={new_password}&new_password=yet-another-passphrase"
                ),
                Some(&fresh),
            )
            .await);
        ok(&profile(&app, &fresh).await);
        assert_eq!(profile(&app, &other).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            profile(&app, &alice.token).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_all_ends_every_session_including_its_own_and_a_new_sign_in_works() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let alice = app.register("Alice").await;
        let bob = app.register("Bob").await;
        let second = sign_in(&app, &alice, &alice.password).await;
        let res = app
            .post("/api/v1/auth/logout-all", Some(&alice.token))
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{backend:?}");
        assert!(res.body.is_empty());
        for token in [&alice.token, &second] {
            assert_error(
                &profile(&app, token).await,
                StatusCode::UNAUTHORIZED,
                "not_authenticated",
            );
        }
        let again = app
            .post("/api/v1/auth/logout-all", Some(&alice.token))
            .await;
        assert_error(&again, StatusCode::UNAUTHORIZED, "not_authenticated");
        ok(&profile(&app, &bob.token).await);
        let fresh = sign_in(&app, &alice, &alice.password).await;
        ok(&profile(&app, &fresh).await);
        assert_error(
            &app.post("/api/v1/auth/logout-all", None).await,
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
        );
    }
}

/// Polls `token` on `app` until it answers 401: how long that took.
async fn until_refused(app: &TestApp, token: &str, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if profile(app, token).await.status == StatusCode::UNAUTHORIZED {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Two instances of the service on one database and Redis, and Alice with two sessions (her
/// registration's token and a second sign-in), both in use on the second instance: their
/// principals are cached there.
async fn two_instances_with_two_sessions() -> (TestApp, TestApp, Account, String) {
    let one = app(Backend::PostgresRedis).await;
    let two = TestApp::builder(Backend::PostgresRedis)
        .fast_hashing()
        .same_database_as(&one)
        .build()
        .await;
    let alice = one.register("Alice").await;
    let phone = sign_in(&one, &alice, &alice.password).await;
    for _ in 0..3 {
        ok(&profile(&two, &alice.token).await);
        ok(&profile(&two, &phone).await);
    }
    (one, two, alice, phone)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_instance_refuses_an_ended_session_within_a_second() {
    let (one, two, alice, phone) = two_instances_with_two_sessions().await;

    // A password change on the first instance ends the other session on the second.
    let new_password = "changed-on-instance-one";
    ok(&change_password(&one, &alice.token, &alice.password, new_password).await);
    let changed = until_refused(&two, &phone, Duration::from_secs(5)).await;
    ok(&profile(&two, &alice.token).await);

    // Log out everywhere on the first instance: the kept session ends on the second too.
    ok(&profile(&two, &alice.token).await);
    let res = one
        .post("/api/v1/auth/logout-all", Some(&alice.token))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let logged_out = until_refused(&two, &alice.token, Duration::from_secs(5)).await;
    println!(
        "session end seen by the second instance: password change {:?}, logout-all {:?}",
        changed.map(|d| d.as_millis()),
        logged_out.map(|d| d.as_millis())
    );
    assert!(
        changed.is_some_and(|d| d <= Duration::from_secs(1)),
        "password change: {changed:?}"
    );
    assert!(
        logged_out.is_some_and(|d| d <= Duration::from_secs(1)),
        "logout-all: {logged_out:?}"
    );
    let fresh = sign_in(&two, &alice, new_password).await;
    ok(&profile(&one, &fresh).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_instance_refuses_a_deleted_users_tokens_within_a_second() {
    let (one, two, alice, phone) = two_instances_with_two_sessions().await;
    let res = one
        .send(
            actix_web::test::TestRequest::delete()
                .uri("/api/v1/users/me")
                .insert_header(("authorization", format!("Bearer {}", alice.token)))
                .set_json(serde_json::json!({"password": alice.password})),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let token = until_refused(&two, &alice.token, Duration::from_secs(5)).await;
    let other = until_refused(&two, &phone, Duration::from_secs(5)).await;
    println!(
        "deletion seen by the second instance: {:?} ms (the other session after another {:?} ms)",
        token.map(|d| d.as_millis()),
        other.map(|d| d.as_millis())
    );
    assert!(
        token.is_some_and(|d| d <= Duration::from_secs(1)),
        "deleting token: {token:?}"
    );
    assert!(
        other.is_some_and(|d| d <= Duration::from_secs(1)),
        "other session: {other:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_reset_ends_every_session() {
    let app = app(Backend::Postgres).await;
    let alice = app.register("Alice").await;
    let phone = sign_in(&app, &alice, &alice.password).await;
    let forgot = app
        .post(
            &format!(
                "/api/v1/auth/forgot-password?email={}",
                form_escape(&alice.email)
            ),
            None,
        )
        .await;
    ok(&forgot);
    let mail = app.mailer.sent().pop().expect("the reset mail");
    let reset_token = mail
        .text
        .lines()
        .map(str::trim)
        .find(|l| l.split('.').count() == 3 && l.starts_with("eyJ"))
        .expect("a reset token in the mail")
        .to_owned();
    ok(&app
        .post(
            &format!(
                "/api/v1/auth/reset-password?token={reset_token}&new_password=reset-passphrase-1"
            ),
            None,
        )
        .await);
    for token in [&alice.token, &phone] {
        assert_error(
            &profile(&app, token).await,
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
        );
    }
    let fresh = sign_in(&app, &alice, "reset-passphrase-1").await;
    ok(&profile(&app, &fresh).await);
}
