//! `Idempotency-Key` on the creating POSTs (issue #12 step 4), on both stores: a retried request
//! answers the first answer and creates nothing; a different request under the key is refused;
//! concurrent retries create one record; without the header nothing changes.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_api::idempotency::{fingerprint, ROUTES};
use calndr_app::Begin;
use calndr_domain::{IdempotencyKey, IdempotencyScope, StoredResponse, UserId};
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, assert_error, ok};

const BACKENDS: [Backend; 2] = [Backend::Memory, Backend::Postgres];

fn child(first: &str) -> Value {
    json!({"first_name": first, "last_name": "Lee", "dob": "2019-04-02"})
}

pub async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> TestResponse {
    let mut req = TestRequest::post()
        .uri(path)
        .insert_header(("idempotency-key", key))
        .set_json(body);
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    app.send(req).await
}

async fn children(app: &TestApp, token: &str) -> Vec<String> {
    ok(&app.get("/api/v1/children", Some(token)).await)
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["first_name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_with_the_same_key_answers_the_first_answer_and_creates_nothing() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let acc = app.register("Pat").await;
        let t = Some(acc.token.as_str());
        let first = post_with_key(&app, "/api/v1/children", t, "tap-1", &child("Ava")).await;
        assert_eq!(first.status, StatusCode::OK, "{backend:?}");
        assert_eq!(first.header("idempotent-replayed"), None);
        // The app retries, with the trailing slash it usually sends.
        let again = post_with_key(&app, "/api/v1/children/", t, "tap-1", &child("Ava")).await;
        assert_eq!(again.status, first.status, "{backend:?}");
        assert_eq!(
            again.body, first.body,
            "{backend:?}: the same child, same id"
        );
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.header("content-type"), Some("application/json"));
        assert_eq!(children(&app, &acc.token).await, ["Ava"], "{backend:?}");

        // A refused request is kept too: its retry is refused alike and creates nothing.
        let bad = json!({"first_name": "", "last_name": "Lee", "dob": "2019-04-02"});
        let refused = post_with_key(&app, "/api/v1/children", t, "tap-2", &bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refused_again = post_with_key(&app, "/api/v1/children", t, "tap-2", &bad).await;
        assert_eq!(
            (refused_again.status, &refused_again.body),
            (refused.status, &refused.body)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_different_body_under_a_used_key_answers_422_and_creates_nothing() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let acc = app.register("Pat").await;
        let t = Some(acc.token.as_str());
        ok(&post_with_key(&app, "/api/v1/children", t, "k", &child("Ava")).await);
        let other = post_with_key(&app, "/api/v1/children", t, "k", &child("Ben")).await;
        assert_error(
            &other,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
        );
        // Another route under the same key is another request too.
        let reminder = json!({"date": "2025-05-10", "text": "Once", "notification_enabled": false});
        let elsewhere = post_with_key(&app, "/api/v1/reminders", t, "k", &reminder).await;
        assert_error(
            &elsewhere,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
        );
        assert_eq!(children(&app, &acc.token).await, ["Ava"], "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_requests_with_one_key_create_one_record() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let acc = app.register("Pat").await;
        let t = Some(acc.token.as_str());
        let ava = child("Ava");
        let sends = (0..6).map(|_| post_with_key(&app, "/api/v1/children", t, "burst", &ava));
        let answers = futures_util::future::join_all(sends).await;
        // Each answer is the one answer (those that waited got it replayed) or, had the first
        // run longer than the wait, 409 `idempotency_key_in_use`.
        let created: Vec<&TestResponse> = answers
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .collect();
        assert!(!created.is_empty(), "{backend:?}");
        assert!(
            created.iter().all(|r| r.body == created[0].body),
            "{backend:?}: one child id in every answer"
        );
        for r in answers.iter().filter(|r| r.status != StatusCode::OK) {
            assert_error(r, StatusCode::CONFLICT, "idempotency_key_in_use");
        }
        assert_eq!(children(&app, &acc.token).await, ["Ava"], "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_header_a_repeated_post_creates_two_records_as_before() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let acc = app.register("Pat").await;
        let t = Some(acc.token.as_str());
        let a = ok(&app.post_json("/api/v1/children", t, &child("Ava")).await);
        let b = ok(&app.post_json("/api/v1/children", t, &child("Ava")).await);
        assert_ne!(a["id"], b["id"]);
        assert_eq!(children(&app, &acc.token).await, ["Ava", "Ava"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_user_with_the_same_key_gets_their_own_record() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let pat = app.register("Pat").await;
        let sam = app.register("Sam").await;
        let a = ok(&post_with_key(
            &app,
            "/api/v1/children",
            Some(&pat.token),
            "same",
            &child("Ava"),
        )
        .await);
        let b = post_with_key(
            &app,
            "/api/v1/children",
            Some(&sam.token),
            "same",
            &child("Ava"),
        )
        .await;
        assert_eq!(b.header("idempotent-replayed"), None, "{backend:?}");
        let b = ok(&b);
        assert_ne!(a["id"], b["id"]);
        assert_eq!(b["family_id"], sam.family_id.as_str(), "never Pat's family");
        assert_eq!(children(&app, &sam.token).await, ["Ava"]);
        assert_eq!(children(&app, &pat.token).await, ["Ava"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_sign_up_answers_the_first_registration() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let email = format!("retry-{}@example.com", uuid::Uuid::new_v4().simple());
        let body = json!({"first_name": "Rae", "last_name": "Tester", "email": email,
                          "password": "s3cret+pass&word", "phone_number": null});
        let first = post_with_key(&app, "/api/v1/auth/register", None, "signup", &body).await;
        let first_body = ok(&first);
        let again = post_with_key(&app, "/api/v1/auth/register", None, "signup", &body).await;
        assert_eq!(
            again.status,
            StatusCode::OK,
            "{backend:?}: not 409 email_taken"
        );
        assert_eq!(again.json()["user_id"], first_body["user_id"]);
        // Without the key the retry is what it always was: the address is taken.
        let plain = app.post_json("/api/v1/auth/register", None, &body).await;
        assert_error(&plain, StatusCode::CONFLICT, "email_taken");
        // Another address under the same key is another scope: it registers.
        let other = json!({"first_name": "Kim", "last_name": "Tester",
                           "email": format!("other-{email}"), "password": "s3cret+pass&word"});
        let res = post_with_key(&app, "/api/v1/auth/register", None, "signup", &other).await;
        assert_ne!(ok(&res)["user_id"], first_body["user_id"]);
    }
}

/// Every idempotency row that mentions `needle`, as text: scope, key, fingerprint and body.
async fn stored_rows_mentioning(app: &TestApp, needle: &str) -> Vec<String> {
    let client = crate::support::sql(app).await;
    client
        .query(
            "SELECT scope || ' ' || key || ' ' || fingerprint || ' ' \
                    || coalesce(convert_from(body, 'UTF8'), '') \
             FROM idempotency_keys WHERE position($1 IN convert_from(body, 'UTF8')) > 0",
            &[&needle],
        )
        .await
        .expect("read the key store")
        .iter()
        .map(|row| row.get::<_, String>(0))
        .collect()
}

/// A keyed sign-up on PostgreSQL keeps no token in the key store, and its replay answers the
/// same user with a fresh token that signs in.
async fn keyed_sign_up_keeps_no_token(app: &TestApp, path: &str, body: &Value) {
    let first = post_with_key(app, path, None, "signup-secret", body).await;
    let first_body = ok(&first);
    let user_id = first_body["user_id"].as_str().expect("user_id").to_owned();
    let token = first_body["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(token.len() > 20, "{path}: a real token was issued");
    let rows = stored_rows_mentioning(app, &user_id).await;
    assert_eq!(rows.len(), 1, "{path}: the answer was kept: {rows:?}");
    let row = &rows[0];
    assert!(!row.contains(&token), "{path}: token stored");
    assert!(!row.contains("access_token"), "{path}: {row}");
    // A JWT's header and payload are base64 of `{"`, which begins `eyJ`.
    assert!(
        !row.contains("eyJ"),
        "{path}: JWT-looking text stored: {row}"
    );

    let again = post_with_key(app, path, None, "signup-secret", body).await;
    assert_eq!(again.status, StatusCode::OK, "{path}: {:?}", again.json());
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let again = again.json();
    assert_eq!(again["user_id"], user_id.as_str(), "{path}");
    assert_eq!(again["family_id"], first_body["family_id"], "{path}");
    assert_eq!(again["token_type"], "bearer");
    let fresh = again["access_token"].as_str().expect("fresh token");
    let me = app.get("/api/v1/users/me", Some(fresh)).await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "{path}: the replayed token signs in"
    );
    assert_eq!(
        me.json()["id"],
        user_id.as_str(),
        "{path}: as the same user"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keyed_sign_up_stores_no_token_and_its_replay_carries_a_fresh_one() {
    let app = app(Backend::Postgres).await;
    let email = crate::support::unique_email("secret");
    let body = json!({"first_name": "Rae", "last_name": "Tester", "email": email,
                      "password": "s3cret+pass&word", "phone_number": null});
    keyed_sign_up_keeps_no_token(&app, "/api/v1/auth/register", &body).await;

    let host = app.register("Host").await;
    let code = crate::support::seed_code(&app, &host).await;
    let joining = json!({"first_name": "Sam", "last_name": "Tester",
                         "email": crate::support::unique_email("joining"),
                         "password": "s3cret+pass&word", "phone_number": null,
                         "enrollment_code": code, "family_id": host.family_id});
    keyed_sign_up_keeps_no_token(&app, "/api/v1/auth/register-with-family", &joining).await;
}

/// Holds `key` for `user` as a request of `path` with `body` still running, the way a slow
/// first request would.
pub async fn hold_key(app: &TestApp, user: &str, key: &str, path: &str, body: &Value) -> Begin {
    let fp = fingerprint(
        &app.state.settings.fingerprint_key,
        "POST",
        path,
        "",
        &serde_json::to_vec(body).expect("json"),
    );
    let scope = IdempotencyScope::user(UserId::parse(user, "user").expect("user id"));
    app.state
        .idempotency
        .begin(scope, IdempotencyKey::parse(key).expect("key"), &fp)
        .await
        .expect("claim")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_while_the_first_request_runs_waits_then_answers_409_or_the_answer() {
    for backend in BACKENDS {
        let app = app(backend).await;
        let acc = app.register("Pat").await;
        let t = Some(acc.token.as_str());
        let Begin::Run(claimed) = hold_key(
            &app,
            &acc.user_id,
            "slow",
            "/api/v1/children",
            &child("Ava"),
        )
        .await
        else {
            panic!("the key was free");
        };
        let started = Instant::now();
        let busy = post_with_key(&app, "/api/v1/children", t, "slow", &child("Ava")).await;
        assert_error(&busy, StatusCode::CONFLICT, "idempotency_key_in_use");
        assert_eq!(busy.header("retry-after"), Some("1"));
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(1500) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
        assert!(
            children(&app, &acc.token).await.is_empty(),
            "nothing created"
        );
        // The first request answers: the retry now gets that answer.
        let answer = StoredResponse {
            status: 200,
            content_type: "application/json".into(),
            body: br#"{"first":"answer"}"#.to_vec(),
        };
        app.state.idempotency.finish(claimed, &answer).await;
        let res = post_with_key(&app, "/api/v1/children", t, "slow", &child("Ava")).await;
        assert_eq!(res.json(), json!({"first": "answer"}), "{backend:?}");
        assert!(children(&app, &acc.token).await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_frees_the_key_for_the_retry() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Pat").await;
    let t = Some(acc.token.as_str());
    let client = crate::support::sql(&app).await;
    client
        .execute("ALTER TABLE children RENAME TO children_gone", &[])
        .await
        .expect("break the table");
    let broken = post_with_key(&app, "/api/v1/children", t, "outage", &child("Ava")).await;
    assert_eq!(broken.status, StatusCode::INTERNAL_SERVER_ERROR);
    client
        .execute("ALTER TABLE children_gone RENAME TO children", &[])
        .await
        .expect("repair the table");
    let retry = post_with_key(&app, "/api/v1/children", t, "outage", &child("Ava")).await;
    assert_eq!(retry.status, StatusCode::OK, "the 500 was not kept");
    assert_eq!(retry.header("idempotent-replayed"), None);
    assert_eq!(children(&app, &acc.token).await, ["Ava"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_key_answers_400_on_every_creating_route_and_only_those_document_it() {
    let app = app(Backend::Memory).await;
    let acc = app.register("Pat").await;
    let too_long = "k".repeat(256);
    for path in ROUTES {
        for bad in [too_long.as_str(), "has space", ""] {
            let res = post_with_key(&app, path, Some(&acc.token), bad, &json!({})).await;
            assert_error(&res, StatusCode::BAD_REQUEST, "idempotency_key_invalid");
        }
    }
    // The document lists the header (one shared parameter) on exactly these POST operations,
    // with every answer a keyed request adds.
    let doc = ok(&app.get("/api/v1/openapi.json", None).await);
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let has_header = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["$ref"] == "#/components/parameters/IdempotencyKey")
            });
            if has_header {
                assert_eq!(method, "post", "{path}");
                for status in ["400", "409", "413", "422", "503"] {
                    assert!(
                        op["responses"].get(status).is_some(),
                        "{path} lacks {status}"
                    );
                }
                documented.push(path.trim_end_matches('/').to_owned());
            }
        }
    }
    let header = &doc["components"]["parameters"]["IdempotencyKey"];
    assert_eq!(header["name"], "Idempotency-Key");
    assert_eq!(header["in"], "header");
    assert_eq!(header["schema"]["maxLength"], 255);
    let mut expected: Vec<String> = ROUTES.iter().map(|p| (*p).to_owned()).collect();
    documented.sort();
    expected.sort();
    assert_eq!(documented, expected);
}
