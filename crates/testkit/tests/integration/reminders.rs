//! `/api/v1/reminders/*` (spec 1.9, 3.6; contract 2.4 C13-C17). Only the list exists in v1; the
//! other routes are built from what the legacy app meant.

use actix_web::http::StatusCode;
use calndr_testkit::Backend;
use serde_json::{json, Value};

use crate::events::delete;
use crate::support::{app, assert_error, assert_invalid, ok};

fn is_py_timestamp(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() >= 19 && &s[4..5] == "-" && &s[10..11] == " " && &s[13..14] == ":")
}

#[tokio::test(flavor = "multi_thread")]
async fn reminders_crud_as_the_app_sends_it_including_the_routes_v1_lacks() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Rita").await;
    let t = Some(acc.token.as_str());

    // C14: POST /reminders with "HH:mm".
    let created = ok(&app
        .post_json(
            "/api/v1/reminders",
            t,
            &json!({"date": "2025-05-10", "text": "Pack lunch", "notification_enabled": true,
                    "notification_time": "07:45"}),
        )
        .await);
    let id = created["id"].as_i64().expect("integer id");
    assert_eq!(created["date"], "2025-05-10");
    assert_eq!(created["text"], "Pack lunch");
    assert_eq!(created["notification_enabled"], true);
    // The app parses the answer with "HH:mm:ss".
    assert_eq!(created["notification_time"], "07:45:00");
    assert!(is_py_timestamp(&created["created_at"]), "{created}");
    assert!(is_py_timestamp(&created["updated_at"]), "{created}");

    // One reminder per family and day: 409 (the legacy app answered 400).
    let dup = app
        .post_json(
            "/api/v1/reminders/",
            t,
            &json!({"date": "2025-05-10", "text": "Again", "notification_enabled": false}),
        )
        .await;
    assert_error(&dup, StatusCode::CONFLICT, "conflict");

    // C13: the list, with and without the trailing slash.
    let list = ok(&app
        .get(
            "/api/v1/reminders?start_date=2025-04-10&end_date=2025-07-10",
            t,
        )
        .await);
    assert_eq!(list, json!([created.clone()]));
    let list2 = ok(&app
        .get(
            "/api/v1/reminders/?start_date=2025-04-10&end_date=2025-07-10",
            t,
        )
        .await);
    assert_eq!(list2, list);

    // C17: by date.
    let day = ok(&app.get("/api/v1/reminders/2025-05-10", t).await);
    assert_eq!(day["id"], id);
    assert_eq!(day["has_reminder"], true);
    assert_eq!(day["text"], "Pack lunch");
    assert!(is_py_timestamp(&day["created_at"]));
    let empty = ok(&app.get("/api/v1/reminders/2025-05-11", t).await);
    assert_eq!(
        empty,
        json!({"id": null, "date": "2025-05-11", "text": "", "has_reminder": false})
    );

    // Another family sees nothing of it.
    let other = app.register("Otto").await;
    let o = Some(other.token.as_str());
    let theirs = ok(&app.get("/api/v1/reminders/2025-05-10", o).await);
    assert_eq!(theirs["has_reminder"], false);
    let their_list = ok(&app
        .get(
            "/api/v1/reminders?start_date=2025-04-10&end_date=2025-07-10",
            o,
        )
        .await);
    assert_eq!(their_list, json!([]));

    // C15: PUT; an omitted time clears it.
    let updated = ok(&app
        .put_json(
            &format!("/api/v1/reminders/{id}"),
            t,
            &json!({"text": "Pack lunch + snack", "notification_enabled": false}),
        )
        .await);
    assert_eq!(updated["text"], "Pack lunch + snack");
    assert_eq!(updated["notification_enabled"], false);
    assert_eq!(updated["notification_time"], Value::Null);
    assert_eq!(updated["date"], "2025-05-10");

    // C16: DELETE, then 404 for the missing id.
    let res = delete(&app, &format!("/api/v1/reminders/{id}"), &acc.token).await;
    assert_eq!(
        ok(&res),
        json!({"status": "success", "message": "Reminder deleted successfully"})
    );
    let again = delete(&app, &format!("/api/v1/reminders/{id}"), &acc.token).await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found");
    let put_missing = app
        .put_json(
            &format!("/api/v1/reminders/{id}"),
            t,
            &json!({"text": "x", "notification_enabled": false}),
        )
        .await;
    assert_error(&put_missing, StatusCode::NOT_FOUND, "not_found");
    // The day is free again.
    ok(&app
        .post_json(
            "/api/v1/reminders",
            t,
            &json!({"date": "2025-05-10", "text": "Fresh", "notification_enabled": false}),
        )
        .await);
}

#[tokio::test(flavor = "multi_thread")]
async fn reminder_bad_input_is_4xx_never_500() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Rita").await;
    let t = Some(acc.token.as_str());
    let post = |body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/reminders", t, &body).await }
    };
    assert_invalid(&post(json!({"date": "2025-05-10"})).await, "text");
    assert_invalid(&post(json!({"text": "x"})).await, "date");
    assert_invalid(
        &post(json!({"date": "2025-05-10", "text": "  "})).await,
        "text",
    );
    assert_invalid(
        &post(json!({"date": "2025-05-10", "text": "x".repeat(2001)})).await,
        "text",
    );
    assert_invalid(
        &post(json!({"date": "2025-02-30", "text": "x"})).await,
        "date",
    );
    for bad in ["7:45", "07:45pm", "24:00", "07-45"] {
        assert_invalid(
            &post(json!({"date": "2025-05-10", "text": "x", "notification_time": bad})).await,
            "notification_time",
        );
    }
    assert_invalid(
        &post(json!({"date": "2025-05-10", "text": "x", "notification_enabled": "yes"})).await,
        "body",
    );
    assert_invalid(&app.get("/api/v1/reminders/2025-13-01", t).await, "date");
    assert_invalid(
        &app.put_json("/api/v1/reminders/abc", t, &json!({"text": "x"}))
            .await,
        "reminder_id",
    );
    assert_invalid(
        &app.get(
            "/api/v1/reminders?start_date=2025-01-01&end_date=2027-01-01",
            t,
        )
        .await,
        "end_date",
    );
    assert_invalid(
        &app.get("/api/v1/reminders?start_date=2025-01-01", t).await,
        "end_date",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reminders_work_on_the_embedded_default() {
    let app = app(Backend::Memory).await;
    let acc = app.register("Rita").await;
    let t = Some(acc.token.as_str());
    let body = json!({"date": "2025-05-10", "text": "x", "notification_time": "18:00"});
    let created = ok(&app.post_json("/api/v1/reminders", t, &body).await);
    assert_eq!(created["notification_time"], "18:00:00");
    assert_eq!(created["notification_enabled"], false);
    let dup = app.post_json("/api/v1/reminders", t, &body).await;
    assert_error(&dup, StatusCode::CONFLICT, "conflict");
}
