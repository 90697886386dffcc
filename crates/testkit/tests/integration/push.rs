//! Pushes end to end: a custody change is queued by the request and delivered by the worker to
//! APNs (a local HTTP/2 fake), and a device APNs calls unregistered loses its token.

use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::family::family_of_two;
use crate::support::{ok, sql};

const APNS_KEY: &str = include_str!("../../../adapters/outbound/tests/keys/apple_key.p8");
const DEVICE: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

async fn app_with_apns(apns: &MockServer) -> TestApp {
    TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .without_push()
        .env("CALNDR_APNS_TEAM_ID", "TEAM123456")
        .env("CALNDR_APNS_KEY_ID", "APNSKEY001")
        .env("CALNDR_APNS_PRIVATE_KEY", APNS_KEY)
        .env("CALNDR_APNS_URL", &apns.uri())
        .build()
        .await
}

async fn device_token(app: &TestApp, user: &str) -> Option<String> {
    sql(app)
        .await
        .query_one(
            "SELECT apns_token FROM users WHERE id = $1::text::uuid",
            &[&user],
        )
        .await
        .expect("user")
        .get(0)
}

/// Jeff and Deb; Deb's iPhone is registered for pushes.
async fn parents_with_an_iphone(app: &TestApp) -> (Account, Account) {
    let (jeff, deb) = family_of_two(app, "Jeff", "Deb").await;
    ok(&app
        .post_raw_form(
            "/api/v1/users/me/device-token",
            Some(&deb.token),
            &format!("token={DEVICE}"),
        )
        .await);
    (jeff, deb)
}

/// Jeff gives Deb the day: Deb's phone is to be told.
async fn change_custody(app: &TestApp, jeff: &Account, deb: &Account, date: &str) {
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&jeff.token),
            &json!({"date": date, "custodian_id": deb.user_id}),
        )
        .await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custody_change_reaches_the_other_parents_iphone_through_the_queue_and_apns() {
    let apns = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/3/device/{DEVICE}")))
        .and(header("apns-topic", "club.calndr"))
        .and(header("apns-push-type", "alert"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&apns)
        .await;
    let app = app_with_apns(&apns).await;
    let (jeff, deb) = parents_with_an_iphone(&app).await;
    change_custody(&app, &jeff, &deb, "2025-03-07").await;
    assert!(
        apns.received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "queued, not sent inline"
    );
    assert_eq!(app.worker.run_once().await.expect("round").delivered, 1);
    let sent = apns.received_requests().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert_eq!(body["aps"]["category"], "CUSTODY_CHANGE");
    assert_eq!(body["type"], "custody_change");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_apns_reports_unregistered_is_forgotten() {
    let apns = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(410).set_body_json(json!({"reason": "Unregistered"})))
        .mount(&apns)
        .await;
    let app = app_with_apns(&apns).await;
    let (jeff, deb) = parents_with_an_iphone(&app).await;
    assert_eq!(
        device_token(&app, &deb.user_id).await.as_deref(),
        Some(DEVICE)
    );
    change_custody(&app, &jeff, &deb, "2025-03-08").await;
    assert_eq!(app.worker.run_once().await.expect("round").delivered, 1);
    assert_eq!(device_token(&app, &deb.user_id).await, None);
}
