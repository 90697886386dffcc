//! `/api/v1/babysitters/*` and `/api/v1/emergency-contacts/*` (spec 1.10, 1.11, 2.9, 2.10;
//! contract 2.7 K1-K8).

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::children::delete;
use crate::support::{app, assert_error, assert_invalid, ok, sql};

/// `YYYY-MM-DD HH:MM:SS[.ffffff]`: a real time, never the original's `"None"`.
fn is_timestamp(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() >= 19
            && chrono::NaiveDateTime::parse_from_str(&s[..19], "%Y-%m-%d %H:%M:%S").is_ok()
            && !s.starts_with("1970")
    })
}

fn sitter(first: &str, rate: Value) -> Value {
    json!({"first_name": first, "last_name": "Sitter", "phone_number": "+1 (555) 010-0100",
           "rate": rate, "notes": "Knows the bedtime routine"})
}

#[tokio::test(flavor = "multi_thread")]
async fn babysitters_crud_rate_zero_is_null_and_created_at_is_a_real_time() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Host").await;
    let t = Some(acc.token.as_str());

    let zoe = ok(&app
        .post_json("/api/v1/babysitters", t, &sitter("Zoe", json!(0)))
        .await);
    assert_eq!(zoe["rate"], Value::Null, "rate 0 reads as none: {zoe}");
    assert!(zoe["id"].is_i64());
    assert_eq!(zoe["created_by_user_id"], acc.user_id.as_str());
    assert!(is_timestamp(&zoe["created_at"]), "{zoe}");
    assert_eq!(zoe["phone_number"], "+1 (555) 010-0100");
    let amy = ok(&app
        .post_json("/api/v1/babysitters/", t, &sitter("Amy", json!(15.5)))
        .await);
    assert_eq!(amy["rate"], 15.5);
    let no_rate = json!({"first_name": "Max", "last_name": "Sitter", "phone_number": "5550100"});
    let max = ok(&app.post_json("/api/v1/babysitters", t, &no_rate).await);
    assert_eq!(
        (max["rate"].clone(), max["notes"].clone()),
        (Value::Null, Value::Null)
    );

    // K1: by first name.
    let list = ok(&app.get("/api/v1/babysitters", t).await);
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|b| b["first_name"].as_str())
        .collect();
    assert_eq!(names, ["Amy", "Max", "Zoe"]);

    // K3: full replace.
    let path = format!("/api/v1/babysitters/{}", amy["id"]);
    let upd = ok(&app.put_json(&path, t, &sitter("Amelia", json!(20))).await);
    assert_eq!(
        (upd["first_name"].as_str(), upd["rate"].as_f64()),
        (Some("Amelia"), Some(20.0))
    );
    assert_eq!(upd["created_at"], amy["created_at"]);

    // K4: exactly 200, then 404 (the original answered 200 forever).
    let res = delete(&app, &path, &acc.token).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json(),
        json!({"status": "success", "message": "Babysitter removed from family"})
    );
    assert_error(
        &delete(&app, &path, &acc.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        ok(&app.get("/api/v1/babysitters", t).await)
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn babysitter_shared_by_two_families_delete_removes_only_the_callers_link() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ann").await;
    let b = app.register("Bea").await;
    let c = app.register("Cal").await;
    let s = ok(&app
        .post_json(
            "/api/v1/babysitters",
            Some(&a.token),
            &sitter("Sam", json!(12)),
        )
        .await);
    let id = s["id"].as_i64().expect("id");
    // The original's data can link one sitter to several families.
    sql(&app)
        .await
        .execute(
            "INSERT INTO babysitter_families (babysitter_id, family_id, added_by_user_id) \
             VALUES ($1::int4, $2::text::uuid, $3::text::uuid)",
            &[&i32::try_from(id).expect("i32"), &b.family_id, &b.user_id],
        )
        .await
        .expect("link");
    for acc in [&a, &b] {
        let list = ok(&app.get("/api/v1/babysitters", Some(&acc.token)).await);
        assert_eq!(list[0]["id"], id, "each linked family sees the sitter");
    }
    let path = format!("/api/v1/babysitters/{id}");

    // A family the sitter is not linked to: 404 on every route, nothing changed.
    assert!(ok(&app.get("/api/v1/babysitters", Some(&c.token)).await)
        .as_array()
        .is_some_and(Vec::is_empty));
    assert_error(
        &app.put_json(&path, Some(&c.token), &sitter("Taken", json!(1)))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &delete(&app, &path, &c.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // B removes its link; A keeps the sitter, unchanged.
    assert_eq!(delete(&app, &path, &b.token).await.status, StatusCode::OK);
    assert!(ok(&app.get("/api/v1/babysitters", Some(&b.token)).await)
        .as_array()
        .is_some_and(Vec::is_empty));
    assert_error(
        &app.put_json(&path, Some(&b.token), &sitter("Taken", json!(1)))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let list = ok(&app.get("/api/v1/babysitters", Some(&a.token)).await);
    assert_eq!(list, json!([s]));
}

#[tokio::test(flavor = "multi_thread")]
async fn babysitter_and_contact_bad_input_is_422_naming_the_field_and_writes_nothing() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Val").await;
    let t = Some(acc.token.as_str());
    for (path, extra) in [
        ("/api/v1/babysitters", json!({})),
        (
            "/api/v1/emergency-contacts",
            json!({"relationship": "Aunt"}),
        ),
    ] {
        let with = |patch: Value| {
            let mut body = json!({"first_name": "A", "last_name": "B",
                                  "phone_number": "555-0100"});
            for (k, v) in extra.as_object().into_iter().flatten() {
                body[k] = v.clone();
            }
            for (k, v) in patch.as_object().into_iter().flatten() {
                if v.is_null() {
                    body.as_object_mut().map(|o| o.remove(k));
                } else {
                    body[k] = v.clone();
                }
            }
            body
        };
        let post = |body: Value| {
            let app = &app;
            async move { app.post_json(path, t, &body).await }
        };
        assert_invalid(
            &post(with(json!({"phone_number": null}))).await,
            "phone_number",
        );
        // phone_number is VARCHAR(20): a longer one is refused up front, not a 500.
        assert_invalid(
            &post(with(json!({"phone_number": "+1 555 010 0100 0000 00"}))).await,
            "phone_number",
        );
        assert_invalid(
            &post(with(json!({"phone_number": "call me"}))).await,
            "phone_number",
        );
        assert_invalid(
            &post(with(json!({"last_name": "x".repeat(101)}))).await,
            "last_name",
        );
        assert_invalid(
            &post(with(json!({"notes": "n".repeat(2001)}))).await,
            "notes",
        );
        assert_invalid(&post(with(json!({"first_name": ["A"]}))).await, "body");
        assert_invalid(
            &app.put_json(&format!("{path}/abc"), t, &with(json!({})))
                .await,
            if path.contains("babysitters") {
                "babysitter_id"
            } else {
                "contact_id"
            },
        );
        assert!(ok(&app.get(path, t).await)
            .as_array()
            .is_some_and(Vec::is_empty));
    }
    let sitter_with = |rate: Value| json!({"first_name": "A", "last_name": "B", "phone_number": "555-0100", "rate": rate});
    for bad in [json!(-1), json!(10_000), json!("ten")] {
        let res = app
            .post_json("/api/v1/babysitters", t, &sitter_with(bad))
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            res.json()
        );
    }
    assert_invalid(
        &app.post_json(
            "/api/v1/emergency-contacts",
            t,
            &json!({"first_name": "A", "last_name": "B", "phone_number": "555-0100",
                    "relationship": "r".repeat(101)}),
        )
        .await,
        "relationship",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn emergency_contacts_crud_and_another_familys_contact_is_404() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ann").await;
    let b = app.register("Bob").await;
    let t = Some(a.token.as_str());
    let body = json!({"first_name": "Gran", "last_name": "Smith", "phone_number": "555-0199",
                      "relationship": "Grandmother", "notes": "Has a key"});
    let c = ok(&app.post_json("/api/v1/emergency-contacts", t, &body).await);
    assert_eq!(c["relationship"], "Grandmother");
    assert_eq!(c["created_by_user_id"], a.user_id.as_str());
    assert!(is_timestamp(&c["created_at"]), "{c}");
    let mut keys: Vec<&String> = c.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "created_by_user_id",
            "first_name",
            "id",
            "last_name",
            "notes",
            "phone_number",
            "relationship"
        ]
    );
    let path = format!("/api/v1/emergency-contacts/{}", c["id"]);

    // Another family: 404 with the body of a missing id; the contact unchanged.
    let taken = json!({"first_name": "X", "last_name": "Y", "phone_number": "555-0000"});
    let foreign = app.put_json(&path, Some(&b.token), &taken).await;
    let missing = app
        .put_json("/api/v1/emergency-contacts/999999", Some(&b.token), &taken)
        .await;
    assert_error(&foreign, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(foreign.body, missing.body);
    assert_error(
        &delete(&app, &path, &b.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        ok(&app.get("/api/v1/emergency-contacts", t).await),
        json!([c])
    );

    // K7: replace (relationship left out → cleared, as a full replace).
    let upd = ok(&app.put_json(&path, t, &taken).await);
    assert_eq!(
        (upd["first_name"].as_str(), upd["relationship"].clone()),
        (Some("X"), Value::Null)
    );
    // K8: exactly 200.
    let res = delete(&app, &path, &a.token).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json(),
        json!({"status": "success", "message": "Emergency contact deleted"})
    );
    assert_error(
        &delete(&app, &path, &a.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn chat_with(app: &TestApp, token: &str, kind: &str, id: &Value) -> Value {
    ok(&app
        .post_json(
            "/api/v1/group-chat",
            Some(token),
            &json!({"contact_type": kind, "contact_id": id}),
        )
        .await)
}

#[tokio::test(flavor = "multi_thread")]
async fn group_chat_finds_contacts_added_through_the_routes_on_both_stores() {
    for backend in [Backend::Memory, Backend::Postgres] {
        let app = app(backend).await;
        let acc = app.register("Chat").await;
        let t = Some(acc.token.as_str());
        let s = ok(&app
            .post_json("/api/v1/babysitters", t, &sitter("Sue", json!(9)))
            .await);
        let c = ok(&app
            .post_json(
                "/api/v1/emergency-contacts",
                t,
                &json!({"first_name": "E", "last_name": "C", "phone_number": "555-0101"}),
            )
            .await);
        assert_eq!(
            chat_with(&app, &acc.token, "babysitter", &s["id"]).await["exists"],
            false
        );
        assert_eq!(
            chat_with(&app, &acc.token, "emergency", &c["id"]).await["exists"],
            false
        );
        // Once removed from the family, the sitter has no chat here any more.
        let path = format!("/api/v1/babysitters/{}", s["id"]);
        assert_eq!(delete(&app, &path, &acc.token).await.status, StatusCode::OK);
        let res = app
            .post_json(
                "/api/v1/group-chat",
                t,
                &json!({"contact_type": "babysitter", "contact_id": s["id"]}),
            )
            .await;
        assert_error(&res, StatusCode::NOT_FOUND, "not_found");
    }
}
