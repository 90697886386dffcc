//! `/api/v1/journal/*` (spec 1.20, 3.7; contract 2.10 J1-J5). Everyone in the family reads;
//! only the author edits or deletes: anyone else gets 404, like a missing id.

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::events::delete;
use crate::support::{app, assert_error, assert_invalid, ok, seed_code, unique_email};

/// A second member of `host`'s family, joined with an enrollment code.
pub async fn coparent_of(app: &TestApp, host: &Account) -> Account {
    let code = seed_code(app, host).await;
    let email = unique_email("coparent");
    let body = ok(&app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": "Cole", "last_name": "Parent", "email": email,
                    "password": "coparent-pass-1", "phone_number": null,
                    "enrollment_code": code, "family_id": null}),
        )
        .await);
    assert_eq!(body["family_id"], host.family_id.as_str());
    Account {
        token: body["access_token"].as_str().unwrap_or_default().to_owned(),
        user_id: body["user_id"].as_str().unwrap_or_default().to_owned(),
        family_id: host.family_id.clone(),
        email,
        password: "coparent-pass-1".into(),
    }
}

fn is_iso_seconds_utc(v: &Value) -> bool {
    // 2025-12-04T18:09:25Z
    v.as_str()
        .is_some_and(|s| s.len() == 20 && &s[10..11] == "T" && s.ends_with('Z') && !s.contains('.'))
}

#[tokio::test(flavor = "multi_thread")]
async fn journal_crud_is_family_wide_to_read_and_author_only_to_change() {
    let app = app(Backend::Postgres).await;
    let host = app.register("Jo").await;
    let other = coparent_of(&app, &host).await;
    let t = Some(host.token.as_str());

    let first = ok(&app
        .post_json(
            "/api/v1/journal",
            t,
            &json!({"title": "Day one", "content": "We went to the park.\nNice.",
                    "entry_date": "2025-06-01"}),
        )
        .await);
    let id = first["id"].as_i64().expect("integer id");
    assert_eq!(first["family_id"], host.family_id.as_str());
    assert_eq!(first["user_id"], host.user_id.as_str());
    assert_eq!(first["title"], "Day one");
    assert_eq!(first["entry_date"], "2025-06-01");
    assert_eq!(first["author_name"], "Jo Tester");
    assert!(is_iso_seconds_utc(&first["created_at"]), "{first}");
    assert!(is_iso_seconds_utc(&first["updated_at"]), "{first}");

    // The co-parent's entry without a title (nil omitted by the app).
    let second = ok(&app
        .post_json(
            "/api/v1/journal/",
            Some(&other.token),
            &json!({"content": "Pickup went fine", "entry_date": "2025-06-02"}),
        )
        .await);
    assert_eq!(second["title"], Value::Null);
    assert_eq!(second["author_name"], "Cole Parent");

    // J1: newest entry_date first, for every member; limit bounds the list.
    for token in [&host.token, &other.token] {
        let list = ok(&app.get("/api/v1/journal?limit=50", Some(token)).await);
        let ids: Vec<i64> = list
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|e| e["id"].as_i64())
            .collect();
        assert_eq!(ids, [second["id"].as_i64().unwrap_or(0), id]);
    }
    let one = ok(&app.get("/api/v1/journal?limit=1", t).await);
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    let filtered = ok(&app
        .get(
            "/api/v1/journal/?start_date=2025-06-01&end_date=2025-06-01",
            t,
        )
        .await);
    assert_eq!(filtered, json!([first.clone()]));

    // J5: any member reads one entry.
    let read = ok(&app
        .get(&format!("/api/v1/journal/{id}"), Some(&other.token))
        .await);
    assert_eq!(read, first);

    // Not the author: 404, the entry unchanged.
    let put = app
        .put_json(
            &format!("/api/v1/journal/{id}"),
            Some(&other.token),
            &json!({"content": "rewritten"}),
        )
        .await;
    let not_author = assert_error(&put, StatusCode::NOT_FOUND, "not_found");
    let del = delete(&app, &format!("/api/v1/journal/{id}"), &other.token).await;
    assert_error(&del, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        ok(&app.get(&format!("/api/v1/journal/{id}"), t).await),
        first
    );
    let missing = app
        .put_json("/api/v1/journal/999999", t, &json!({"content": "x"}))
        .await;
    assert_eq!(missing.json(), not_author, "same body as for a missing id");

    // J3: the author edits; omitted fields stay.
    let edited = ok(&app
        .put_json(
            &format!("/api/v1/journal/{id}"),
            t,
            &json!({"content": "We went to the lake."}),
        )
        .await);
    assert_eq!(edited["content"], "We went to the lake.");
    assert_eq!(edited["title"], "Day one");
    assert_eq!(edited["entry_date"], "2025-06-01");
    let empty = app
        .put_json(&format!("/api/v1/journal/{id}"), t, &json!({}))
        .await;
    let body = assert_error(&empty, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(body["detail"], "No data provided for update");

    // J4.
    let res = delete(&app, &format!("/api/v1/journal/{id}"), &host.token).await;
    assert_eq!(
        ok(&res),
        json!({"message": "Journal entry deleted successfully"})
    );
    let gone = app.get(&format!("/api/v1/journal/{id}"), t).await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn journal_bad_input_is_4xx_and_limit_is_bounded() {
    let app = app(Backend::Memory).await;
    let acc = app.register("Jo").await;
    let t = Some(acc.token.as_str());
    for (q, field) in [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("start_date=2025-13-01", "start_date"),
        ("start_date=2025-02-01&end_date=2025-01-01", "end_date"),
    ] {
        assert_invalid(&app.get(&format!("/api/v1/journal?{q}"), t).await, field);
    }
    assert_invalid(&app.get("/api/v1/journal?limit=lots", t).await, "body");
    ok(&app.get("/api/v1/journal?limit=200", t).await);
    let post = |body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/journal", t, &body).await }
    };
    assert_invalid(&post(json!({"entry_date": "2025-06-01"})).await, "content");
    assert_invalid(&post(json!({"content": "x"})).await, "entry_date");
    assert_invalid(
        &post(json!({"content": "x", "entry_date": "2025-06-01", "title": "t".repeat(256)})).await,
        "title",
    );
    assert_invalid(
        &post(json!({"content": "x".repeat(20_001), "entry_date": "2025-06-01"})).await,
        "content",
    );
    assert_invalid(&app.get("/api/v1/journal/abc", t).await, "entry_id");
    // The embedded default works end to end.
    let e = ok(&post(json!({"content": "x", "entry_date": "2025-06-01"})).await);
    assert_eq!(e["author_name"], "Jo Tester");
}
