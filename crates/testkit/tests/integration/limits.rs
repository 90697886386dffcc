//! Rate limits, counted in the shared Redis (so across instances) and answered with 429 and
//! `Retry-After`.
//!
//! Every test shares one Redis, and counters outlive a run within their window: each test sends
//! from its own random loopback address and uses fresh e-mail addresses.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_app::RateLimits;
use calndr_ports::rate_limit::RateLimit;
use calndr_testkit::app::{random_loopback_peer, Account};
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::json;

use crate::support::{assert_error, ok, unique_email};

fn limit(max: u32) -> RateLimit {
    RateLimit {
        max,
        window: Duration::from_secs(60),
    }
}

async fn limited_app(backend: Backend, limits: RateLimits) -> TestApp {
    TestApp::builder(backend)
        .fast_hashing()
        .with_rate_limits(limits)
        .build()
        .await
}

async fn login_from(app: &TestApp, peer: &str, email: &str, password: &str) -> TestResponse {
    let form = format!("username={}&password={password}", email.replace('@', "%40"));
    app.send_from(
        TestRequest::post()
            .uri("/api/v1/auth/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(form),
        peer,
    )
    .await
}

async fn register_from(app: &TestApp, peer: &str) -> TestResponse {
    app.send_from(
        TestRequest::post()
            .uri("/api/v1/auth/register")
            .set_json(json!({
                "first_name": "Rae", "last_name": "Limit", "email": unique_email("rl"),
                "password": "limited-pass-1", "phone_number": null
            })),
        peer,
    )
    .await
}

/// A 429 `rate_limited` whose `Retry-After` is a whole number of seconds within the window.
#[track_caller]
fn assert_limited(res: &TestResponse) {
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry = res
        .header("retry-after")
        .unwrap_or_else(|| panic!("no Retry-After on {:?}", res.headers));
    let secs: u64 = retry
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After {retry:?} is not whole seconds"));
    assert!((1..=60).contains(&secs), "Retry-After {secs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_login_after_the_limit_from_one_client_is_429_with_retry_after() {
    let app = limited_app(
        Backend::PostgresRedis,
        RateLimits {
            login_per_ip: limit(3),
            ..RateLimits::unlimited()
        },
    )
    .await;
    let acc = app.register("Lim").await;
    let client = random_loopback_peer();
    for _ in 0..3 {
        ok(&login_from(&app, &client, &acc.email, &acc.password).await);
    }
    assert_limited(&login_from(&app, &client, &acc.email, &acc.password).await);
    // Another client is not affected.
    ok(&login_from(&app, &random_loopback_peer(), &acc.email, &acc.password).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_logins_pause_that_account_while_another_account_still_signs_in() {
    let app = limited_app(
        Backend::PostgresRedis,
        RateLimits {
            login_failures_per_account: limit(3),
            ..RateLimits::unlimited()
        },
    )
    .await;
    let (victim, other) = (app.register("Vic").await, app.register("Oth").await);
    let client = random_loopback_peer();
    // Two failures, then a success: the count starts again.
    for _ in 0..2 {
        let res = login_from(&app, &client, &victim.email, "wrong-guess").await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    ok(&login_from(&app, &client, &victim.email, &victim.password).await);
    for _ in 0..3 {
        let res = login_from(&app, &client, &victim.email, "wrong-guess").await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // Paused: even the right password is refused, from any client.
    assert_limited(&login_from(&app, &client, &victim.email, &victim.password).await);
    assert_limited(
        &login_from(
            &app,
            &random_loopback_peer(),
            &victim.email,
            &victim.password,
        )
        .await,
    );
    // The pause is per account, whatever the case of the address.
    assert_limited(
        &login_from(
            &app,
            &client,
            &victim.email.to_uppercase(),
            &victim.password,
        )
        .await,
    );
    ok(&login_from(&app, &client, &other.email, &other.password).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn registrations_from_one_client_are_limited() {
    let app = limited_app(
        Backend::PostgresRedis,
        RateLimits {
            register_per_ip: limit(2),
            ..RateLimits::unlimited()
        },
    )
    .await;
    let client = random_loopback_peer();
    ok(&register_from(&app, &client).await);
    ok(&register_from(&app, &client).await);
    assert_limited(&register_from(&app, &client).await);
    ok(&register_from(&app, &random_loopback_peer()).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_the_same_redis_share_their_counts() {
    let limits = RateLimits {
        login_per_ip: limit(3),
        login_failures_per_account: limit(2),
        ..RateLimits::unlimited()
    };
    // Two instances of the service: separate databases, one Redis.
    let a = limited_app(Backend::PostgresRedis, limits).await;
    let b = limited_app(Backend::PostgresRedis, limits).await;
    let on_a: Account = a.register("Ann").await;

    // Per client: A, B, A are three logins from one address; the fourth, on B, is refused.
    let client = random_loopback_peer();
    ok(&login_from(&a, &client, &on_a.email, &on_a.password).await);
    let unknown_on_b = login_from(&b, &client, &on_a.email, &on_a.password).await;
    assert_error(
        &unknown_on_b,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    ok(&login_from(&a, &client, &on_a.email, &on_a.password).await);
    assert_limited(&login_from(&b, &client, &on_a.email, &on_a.password).await);
    assert_limited(&login_from(&a, &client, &on_a.email, &on_a.password).await);

    // Per account: failures on B pause the address on A as well.
    let email = on_a.email.clone();
    for _ in 0..2 {
        let res = login_from(&b, &random_loopback_peer(), &email, "wrong-guess").await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_limited(&login_from(&a, &random_loopback_peer(), &email, &on_a.password).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_mails_are_limited_per_address_and_per_client_without_revealing_the_account() {
    let app = limited_app(
        Backend::PostgresRedis,
        RateLimits {
            reset_mail: limit(2),
            ..RateLimits::unlimited()
        },
    )
    .await;
    let acc = app.register("Res").await;
    let forgot = |email: String, peer: String| {
        let app = &app;
        async move {
            app.send_from(
                TestRequest::post().uri(&format!(
                    "/api/v1/auth/forgot-password?email={}",
                    email.replace('@', "%40")
                )),
                &peer,
            )
            .await
        }
    };
    // Per address: three requests from three clients all look the same; two mails go out.
    let mut bodies = Vec::new();
    for _ in 0..3 {
        let res = forgot(acc.email.clone(), random_loopback_peer()).await;
        bodies.push(ok(&res));
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(app.mailer.sent().len(), 2);
    // Per client: the third request from one address is refused, whatever the e-mail.
    let client = random_loopback_peer();
    ok(&forgot(unique_email("a"), client.clone()).await);
    ok(&forgot(unique_email("b"), client.clone()).await);
    assert_limited(&forgot(unique_email("c"), client).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn password_changes_per_account_are_limited() {
    let app = limited_app(
        Backend::PostgresRedis,
        RateLimits {
            password_per_account: limit(2),
            ..RateLimits::unlimited()
        },
    )
    .await;
    let acc = app.register("Pwd").await;
    let change = |current: &str| {
        let body = json!({"current_password": current, "new_password": "brand-new-pass"});
        let (app, token) = (&app, acc.token.clone());
        async move {
            app.put_json("/api/v1/users/me/password", Some(&token), &body)
                .await
        }
    };
    for _ in 0..2 {
        assert_error(
            &change("guess-guess").await,
            StatusCode::FORBIDDEN,
            "wrong_password",
        );
    }
    assert_limited(&change(&acc.password).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_also_hold_on_the_embedded_default_without_redis() {
    let app = limited_app(
        Backend::Memory,
        RateLimits {
            login_per_ip: limit(2),
            ..RateLimits::unlimited()
        },
    )
    .await;
    let acc = app.register("Mem").await;
    let client = random_loopback_peer();
    ok(&login_from(&app, &client, &acc.email, &acc.password).await);
    ok(&login_from(&app, &client, &acc.email, &acc.password).await);
    assert_limited(&login_from(&app, &client, &acc.email, &acc.password).await);
}
