//! `/api/v1/themes/*` (spec 1.18, 2.5, 3.7; contract 2.9 T1-T5).

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::children::delete;
use crate::support::{app, assert_error, assert_invalid, ok, sql};

const COLORS: [&str; 9] = [
    "mainBackgroundColor",
    "secondaryBackgroundColor",
    "textColor",
    "headerTextColor",
    "iconColor",
    "iconActiveColor",
    "accentColor",
    "parentOneColor",
    "parentTwoColor",
];

/// The whole theme as the app's T2 sends it (client id upper-case, `isPublic`).
fn app_theme(name: &str, public: bool) -> Value {
    let mut t = json!({"id": "E621E1F8-C36C-495A-93FC-0C247A3E6E5F", "name": name,
                       "isPublic": public, "created_by_user_id": null});
    for (i, k) in COLORS.iter().enumerate() {
        t[*k] = json!(format!("#{i}{i}{i}FFF"));
    }
    t
}

async fn create(app: &TestApp, token: &str, name: &str, public: bool) -> Value {
    ok(&app
        .post_json("/api/v1/themes", Some(token), &app_theme(name, public))
        .await)
}

async fn put_empty(app: &TestApp, path: &str, token: &str) -> TestResponse {
    app.send(
        TestRequest::put()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}"))),
    )
    .await
}

fn ids(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn themes_use_camel_case_colour_keys_and_send_is_public_the_way_the_app_reads_it() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Artist").await;
    let t = create(&app, &acc.token, "Sunset", true).await;
    for k in COLORS {
        assert!(
            t[k].as_str().is_some_and(|c| c.starts_with('#')),
            "{k}: {t}"
        );
    }
    // The original sent only `is_public`, which the app decodes as nil.
    assert_eq!(
        (t["isPublic"].clone(), t["is_public"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(t["name"], "Sunset");
    assert_eq!(t["created_by_user_id"], acc.user_id.as_str());
    let id = t["id"].as_str().expect("id");
    assert!(uuid::Uuid::parse_str(id).is_ok());
    assert_ne!(
        id.to_uppercase(),
        "E621E1F8-C36C-495A-93FC-0C247A3E6E5F",
        "server id wins"
    );
    // `yyyy-MM-dd HH:mm:ss` with optional fraction, space separator (contract 1.7).
    for k in ["created_at", "updated_at"] {
        let s = t[k].as_str().expect("timestamp");
        assert!(
            chrono::NaiveDateTime::parse_from_str(&s[..19], "%Y-%m-%d %H:%M:%S").is_ok(),
            "{k}: {s}"
        );
    }
    // The original's snake_case key is accepted too; isPublic defaults to false.
    let mut body = app_theme("Plain", false);
    body.as_object_mut().map(|o| o.remove("isPublic"));
    let plain = ok(&app
        .post_json("/api/v1/themes/", Some(&acc.token), &body)
        .await);
    assert_eq!(plain["isPublic"], false);
    body["is_public"] = json!(true);
    let snake = ok(&app
        .post_json("/api/v1/themes/", Some(&acc.token), &body)
        .await);
    assert_eq!(snake["isPublic"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn themes_list_public_and_own_only_the_creator_edits_or_deletes() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ann").await;
    let b = app.register("Bob").await;
    let public = create(&app, &a.token, "Public", true).await;
    let private = create(&app, &a.token, "Private", false).await;
    let mine = create(&app, &b.token, "Mine", false).await;
    let id = |t: &Value| t["id"].as_str().expect("id").to_owned();

    let mut want_a = vec![id(&public), id(&private)];
    want_a.sort();
    assert_eq!(
        ids(&ok(&app.get("/api/v1/themes/", Some(&a.token)).await)),
        want_a
    );
    let mut want_b = vec![id(&public), id(&mine)];
    want_b.sort();
    assert_eq!(
        ids(&ok(&app.get("/api/v1/themes", Some(&b.token)).await)),
        want_b
    );

    // Someone else's public theme: 403; their private theme: 404 (its existence stays hidden).
    let public_path = format!("/api/v1/themes/{}", id(&public));
    let private_path = format!("/api/v1/themes/{}", id(&private));
    let change = json!({"name": "Taken"});
    let res = app.put_json(&public_path, Some(&b.token), &change).await;
    assert_error(&res, StatusCode::FORBIDDEN, "forbidden");
    assert_error(
        &delete(&app, &public_path, &b.token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let foreign = app.put_json(&private_path, Some(&b.token), &change).await;
    let missing = app
        .put_json(
            "/api/v1/themes/00000000-0000-4000-8000-000000000000",
            Some(&b.token),
            &change,
        )
        .await;
    assert_error(&foreign, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(foreign.body, missing.body);

    // T3 by the creator, upper-case UUID in the path: only the given fields change.
    let upd = ok(&app
        .put_json(
            &format!("/api/v1/themes/{}", id(&public).to_uppercase()),
            Some(&a.token),
            &json!({"textColor": "#000000", "isPublic": false}),
        )
        .await);
    assert_eq!(upd["textColor"], "#000000");
    assert_eq!(upd["isPublic"], false);
    assert_eq!(upd["name"], "Public");
    assert_eq!(upd["accentColor"], public["accentColor"]);
    // Now private: B no longer sees it at all.
    assert_error(
        &app.put_json(&public_path, Some(&b.token), &change).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // T4: 204 with an empty body, then 404.
    let upper = format!("/api/v1/themes/{}", id(&public).to_uppercase());
    let res = delete(&app, &upper, &a.token).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(res.body.is_empty());
    assert_error(
        &delete(&app, &public_path, &a.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn set_preference_works_for_a_user_without_a_preferences_row() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ann").await;
    let b = app.register("Bob").await;
    let public = create(&app, &a.token, "Shared", true).await;
    let private = create(&app, &a.token, "Secret", false).await;
    let theme_id = public["id"].as_str().expect("id");
    // The original's insert branch failed (id NULL) for exactly this user.
    sql(&app)
        .await
        .execute(
            "DELETE FROM user_preferences WHERE user_id = $1::text::uuid",
            &[&b.user_id],
        )
        .await
        .expect("drop preferences");

    // T5 with the app's upper-case UUID and no body: 204.
    let res = put_empty(
        &app,
        &format!("/api/v1/themes/set-preference/{}", theme_id.to_uppercase()),
        &b.token,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.json());
    assert!(res.body.is_empty());
    let profile = ok(&app.get("/api/v1/users/profile", Some(&b.token)).await);
    assert_eq!(profile["selected_theme_id"], theme_id);

    // Another user's private theme, an unknown one: 404 (the app reverts to its default).
    for path in [
        format!(
            "/api/v1/themes/set-preference/{}",
            private["id"].as_str().expect("id")
        ),
        "/api/v1/themes/set-preference/00000000-0000-4000-8000-000000000000".to_owned(),
    ] {
        assert_error(
            &put_empty(&app, &path, &b.token).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    assert_invalid(
        &put_empty(&app, "/api/v1/themes/set-preference/not-a-uuid", &b.token).await,
        "theme_id",
    );
    let profile = ok(&app.get("/api/v1/users/profile", Some(&b.token)).await);
    assert_eq!(
        profile["selected_theme_id"], theme_id,
        "unchanged by the 404s"
    );

    // The creator deletes it: B's selection goes back to none instead of blocking the delete.
    let res = delete(&app, &format!("/api/v1/themes/{theme_id}"), &a.token).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let profile = ok(&app.get("/api/v1/users/profile", Some(&b.token)).await);
    assert_eq!(profile["selected_theme_id"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn themes_bad_colours_and_names_are_422_naming_the_field() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Val").await;
    let t = Some(acc.token.as_str());
    let mut bad = app_theme("Bad", false);
    bad["textColor"] = json!("red");
    assert_invalid(&app.post_json("/api/v1/themes", t, &bad).await, "textColor");
    let mut missing = app_theme("Bad", false);
    missing.as_object_mut().map(|o| o.remove("accentColor"));
    assert_invalid(
        &app.post_json("/api/v1/themes", t, &missing).await,
        "accentColor",
    );
    assert_invalid(
        &app.post_json("/api/v1/themes", t, &app_theme(&"n".repeat(101), false))
            .await,
        "name",
    );
    assert!(ok(&app.get("/api/v1/themes", t).await)
        .as_array()
        .is_some_and(Vec::is_empty));
    let theme = create(&app, &acc.token, "Good", false).await;
    let path = format!("/api/v1/themes/{}", theme["id"].as_str().expect("id"));
    assert_invalid(
        &app.put_json(&path, t, &json!({"parentOneColor": "#12"}))
            .await,
        "parentOneColor",
    );
    assert_eq!(ok(&app.get("/api/v1/themes", t).await), json!([theme]));
}

#[tokio::test(flavor = "multi_thread")]
async fn themes_and_selection_work_on_the_embedded_store_too() {
    let app = app(Backend::Memory).await;
    let a = app.register("Mem").await;
    let t = create(&app, &a.token, "Local", false).await;
    let id = t["id"].as_str().expect("id");
    let res = put_empty(
        &app,
        &format!("/api/v1/themes/set-preference/{id}"),
        &a.token,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let profile = ok(&app.get("/api/v1/users/profile", Some(&a.token)).await);
    assert_eq!(profile["selected_theme_id"], id);
    assert_eq!(
        delete(&app, &format!("/api/v1/themes/{id}"), &a.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let profile = ok(&app.get("/api/v1/users/profile", Some(&a.token)).await);
    assert_eq!(profile["selected_theme_id"], Value::Null);
}
