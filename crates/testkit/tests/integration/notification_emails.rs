//! `/api/v1/notifications/emails*` (spec 1.8; contract 2.6 N1-N4).

use actix_web::http::StatusCode;
use calndr_testkit::Backend;
use serde_json::json;

use crate::events::delete;
use crate::support::{app, assert_error, assert_invalid, ok};

#[tokio::test(flavor = "multi_thread")]
async fn notification_emails_crud_and_a_missing_id_is_404_not_a_silent_200() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Nia").await;
    let t = Some(acc.token.as_str());
    assert_eq!(
        ok(&app.get("/api/v1/notifications/emails", t).await),
        json!([])
    );

    let a = ok(&app
        .post_json(
            "/api/v1/notifications/emails",
            t,
            &json!({"email": "alerts@example.com"}),
        )
        .await);
    let id = a["id"].as_i64().expect("integer id");
    assert_eq!(a, json!({"id": id, "email": "alerts@example.com"}));
    // Duplicates are allowed (as in the original).
    let b = ok(&app
        .post_json(
            "/api/v1/notifications/emails/",
            t,
            &json!({"email": "alerts@example.com"}),
        )
        .await);
    let list = ok(&app.get("/api/v1/notifications/emails/", t).await);
    assert_eq!(list, json!([a, b]));

    let put = app
        .put_json(
            &format!("/api/v1/notifications/emails/{id}"),
            t,
            &json!({"email": "other@example.com"}),
        )
        .await;
    assert_eq!(ok(&put), json!({"status": "success"}));
    let res = delete(
        &app,
        &format!("/api/v1/notifications/emails/{id}"),
        &acc.token,
    )
    .await;
    assert_eq!(ok(&res), json!({"status": "success"}));
    let list = ok(&app.get("/api/v1/notifications/emails", t).await);
    assert_eq!(list, json!([b]));

    // Built from what the original meant: missing ids are 404 (v1 always answered 200).
    let again = delete(
        &app,
        &format!("/api/v1/notifications/emails/{id}"),
        &acc.token,
    )
    .await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found");
    let put_missing = app
        .put_json(
            &format!("/api/v1/notifications/emails/{id}"),
            t,
            &json!({"email": "x@example.com"}),
        )
        .await;
    assert_error(&put_missing, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn notification_email_bad_input_is_422() {
    let app = app(Backend::Memory).await;
    let acc = app.register("Nia").await;
    let t = Some(acc.token.as_str());
    for bad in [
        json!({"email": "not-an-email"}),
        json!({"email": ""}),
        json!({}),
        json!({"email": format!("{}@example.com", "a".repeat(300))}),
    ] {
        let res = app.post_json("/api/v1/notifications/emails", t, &bad).await;
        assert_invalid(&res, "email");
    }
    let res = app
        .post_json("/api/v1/notifications/emails", t, &json!({"email": 7}))
        .await;
    assert_invalid(&res, "body");
    let res = app
        .put_json(
            "/api/v1/notifications/emails/x1",
            t,
            &json!({"email": "a@b.co"}),
        )
        .await;
    assert_invalid(&res, "email_id");
    // Works on the embedded default.
    let a = ok(&app
        .post_json(
            "/api/v1/notifications/emails",
            t,
            &json!({"email": "a@b.co"}),
        )
        .await);
    assert_eq!(a["email"], "a@b.co");
}
