//! `/api/v1/children/*` (spec 1.13, 2.12; contract 2.3 F6-F9).

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, assert_error, assert_invalid, ok};

pub async fn delete(app: &TestApp, path: &str, token: &str) -> TestResponse {
    app.send(
        TestRequest::delete()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}"))),
    )
    .await
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

#[tokio::test(flavor = "multi_thread")]
async fn children_crud_returns_the_keys_the_app_decodes_youngest_first() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Pat").await;
    let t = Some(acc.token.as_str());

    // F7 as the app sends it (trailing slash).
    let ava = ok(&app
        .post_json(
            "/api/v1/children/",
            t,
            &json!({"first_name": "Ava", "last_name": "Lee", "dob": "2019-04-02"}),
        )
        .await);
    assert_eq!(
        keys(&ava),
        ["dob", "family_id", "first_name", "id", "last_name"]
    );
    assert_eq!(ava["dob"], "2019-04-02");
    assert_eq!(ava["family_id"], acc.family_id.as_str());
    let id = ava["id"].as_str().expect("uuid string").to_owned();
    assert_eq!(id, id.to_lowercase());
    let ben = ok(&app
        .post_json(
            "/api/v1/children",
            t,
            &json!({"first_name": "Ben", "last_name": "Lee", "dob": "2021-08-15"}),
        )
        .await);

    // F6: newest date of birth first.
    let list = ok(&app.get("/api/v1/children/", t).await);
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["first_name"].as_str())
        .collect();
    assert_eq!(names, ["Ben", "Ava"]);

    // F8: full replace; an upper-case id is the same child.
    let upd = ok(&app
        .put_json(
            &format!("/api/v1/children/{}", id.to_uppercase()),
            t,
            &json!({"first_name": "Avery", "last_name": "Lee", "dob": "2019-04-03"}),
        )
        .await);
    assert_eq!(
        (upd["id"].as_str(), upd["first_name"].as_str()),
        (Some(id.as_str()), Some("Avery"))
    );
    assert_eq!(upd["dob"], "2019-04-03");

    // F9: exactly 200 with the original's body; then gone.
    let res = delete(&app, &format!("/api/v1/children/{id}"), &acc.token).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json(),
        json!({"status": "success", "message": "Child deleted successfully"})
    );
    let res = delete(&app, &format!("/api/v1/children/{id}"), &acc.token).await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found");
    let list = ok(&app.get("/api/v1/children", t).await);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], ben["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn children_update_of_another_familys_child_is_404_not_the_originals_500() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ann").await;
    let b = app.register("Bob").await;
    let child = ok(&app
        .post_json(
            "/api/v1/children",
            Some(&a.token),
            &json!({"first_name": "Kid", "last_name": "A", "dob": "2020-01-01"}),
        )
        .await);
    let path = format!("/api/v1/children/{}", child["id"].as_str().expect("id"));
    let body = json!({"first_name": "Taken", "last_name": "B", "dob": "2020-01-01"});

    let foreign = app.put_json(&path, Some(&b.token), &body).await;
    let missing = app
        .put_json(
            "/api/v1/children/00000000-0000-4000-8000-000000000000",
            Some(&b.token),
            &body,
        )
        .await;
    assert_error(&foreign, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(foreign.body, missing.body);
    assert_error(
        &delete(&app, &path, &b.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert!(ok(&app.get("/api/v1/children", Some(&b.token)).await)
        .as_array()
        .is_some_and(Vec::is_empty));
    let still = ok(&app.get("/api/v1/children", Some(&a.token)).await);
    assert_eq!(still[0]["first_name"], "Kid");
}

#[tokio::test(flavor = "multi_thread")]
async fn children_bad_input_is_4xx_and_writes_nothing() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Val").await;
    let t = Some(acc.token.as_str());
    let post = |body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/children", t, &body).await }
    };
    // The original answered 400 "Invalid date format" / 500; here each names its field.
    assert_invalid(
        &post(json!({"first_name": "A", "last_name": "B", "dob": "2020-13-01"})).await,
        "dob",
    );
    assert_invalid(
        &post(json!({"first_name": "A", "last_name": "B", "dob": "01/02/2020"})).await,
        "dob",
    );
    assert_invalid(
        &post(json!({"first_name": "A", "last_name": "B", "dob": "2999-01-01"})).await,
        "dob",
    );
    assert_invalid(
        &post(json!({"first_name": "A", "last_name": "B"})).await,
        "dob",
    );
    assert_invalid(
        &post(json!({"first_name": " ", "last_name": "B", "dob": "2020-01-01"})).await,
        "first_name",
    );
    let res =
        post(json!({"first_name": "x".repeat(101), "last_name": "B", "dob": "2020-01-01"})).await;
    assert_invalid(&res, "first_name");
    assert!(res.json()["detail"]
        .as_str()
        .is_some_and(|d| d.contains("at most 100")));
    assert_invalid(
        &post(json!({"first_name": 5, "last_name": "B", "dob": "2020-01-01"})).await,
        "body",
    );
    let res = app
        .put_json(
            "/api/v1/children/not-a-uuid",
            t,
            &json!({"first_name": "A", "last_name": "B", "dob": "2020-01-01"}),
        )
        .await;
    assert_invalid(&res, "child_id");
    assert!(ok(&app.get("/api/v1/children", t).await)
        .as_array()
        .is_some_and(Vec::is_empty));
    // Without a token: 401.
    assert_error(
        &app.get("/api/v1/children", None).await,
        StatusCode::UNAUTHORIZED,
        "not_authenticated",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn children_work_on_the_embedded_store_too() {
    let app = app(Backend::Memory).await;
    let acc = app.register("Mem").await;
    let t = Some(acc.token.as_str());
    let c = ok(&app
        .post_json(
            "/api/v1/children",
            t,
            &json!({"first_name": "M", "last_name": "E", "dob": "2018-02-28"}),
        )
        .await);
    assert_eq!(c["dob"], "2018-02-28");
    let list = ok(&app.get("/api/v1/children", t).await);
    assert_eq!(list, json!([c]));
}
