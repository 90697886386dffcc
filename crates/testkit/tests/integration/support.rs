//! Small helpers shared by the route tests.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::Value;
use tokio_postgres::Client;

/// Asserts an error response: its status and its `code`; returns the body.
#[track_caller]
pub fn assert_error(res: &TestResponse, status: StatusCode, code: &str) -> Value {
    let body = res.json();
    assert_eq!(
        (res.status, body["code"].as_str()),
        (status, Some(code)),
        "body: {}",
        String::from_utf8_lossy(&res.body)
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "every error has a string detail: {body}"
    );
    body
}

/// Asserts a 422 `validation_failed` naming `field`.
#[track_caller]
pub fn assert_invalid(res: &TestResponse, field: &str) {
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(body["field"], field, "{body}");
}

/// Asserts a 200 and returns the JSON body.
#[track_caller]
pub fn ok(res: &TestResponse) -> Value {
    assert_eq!(
        res.status,
        StatusCode::OK,
        "body: {}",
        String::from_utf8_lossy(&res.body)
    );
    res.json()
}

/// A plain SQL client on the app's schema (Postgres backends only).
pub async fn sql(app: &TestApp) -> Client {
    app.db
        .as_ref()
        .expect("this test needs a Postgres backend")
        .client()
        .await
}

/// A unique e-mail address.
pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// Seeds an enrollment code for `host`'s family (Postgres row or embedded store).
pub async fn seed_code(app: &TestApp, host: &Account) -> String {
    let code = format!("C{}", &uuid::Uuid::new_v4().simple().to_string()[..7]).to_uppercase();
    match &app.db {
        Some(db) => {
            db.client()
                .await
                .execute(
                    "INSERT INTO enrollment_codes (family_id, code, created_by_user_id) \
                     VALUES ($1::text::uuid, $2, $3::text::uuid)",
                    &[&host.family_id, &code, &host.user_id],
                )
                .await
                .expect("seed code");
        }
        None => app.seed_memory_code(&code, &host.family_id, &host.user_id),
    }
    code
}

/// Inserts an account without a password (as Sign in with Apple / Google create them).
pub async fn insert_social_user(app: &TestApp, email: &str) -> String {
    let row = sql(app)
        .await
        .query_one(
            "INSERT INTO users (id, first_name, last_name, email, password_hash, apple_user_id) \
             VALUES (gen_random_uuid(), 'Sam', 'Social', $1, NULL, 'apple-sub-1') \
             RETURNING id::text",
            &[&email],
        )
        .await
        .expect("insert social user");
    row.get(0)
}

/// `POST /auth/token` with the app's hand-built form (`+`/`&` unencoded, `@` encoded).
pub async fn login(app: &TestApp, email: &str, password: &str) -> TestResponse {
    let form = format!(
        "username={}&password={}",
        email.replace('@', "%40"),
        password
    );
    app.post_raw_form("/api/v1/auth/token", None, &form).await
}

/// A compact JWT signed with HS256 and `secret`, over exactly `payload` (no re-serialisation),
/// the way python-jose signs the original's tokens.
pub fn hs256_token(secret: &str, payload: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(payload.as_bytes());
    let signing_input = format!("{header}.{body}");
    let sig = jsonwebtoken::crypto::sign(
        signing_input.as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        jsonwebtoken::Algorithm::HS256,
    )
    .expect("sign");
    format!("{signing_input}.{sig}")
}

/// A `multipart/form-data` body with one part per `(name, filename, content type, bytes)`.
pub fn multipart(boundary: &str, parts: &[(&str, &str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

/// A multipart POST as the app sends it (boundary is a UUID in the app).
pub fn multipart_post(
    path: &str,
    token: Option<&str>,
    body: Vec<u8>,
    boundary: &str,
) -> TestRequest {
    let req = TestRequest::post()
        .uri(path)
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body);
    match token {
        Some(t) => req.insert_header(("authorization", format!("Bearer {t}"))),
        None => req,
    }
}

/// A test app whose new password hashes are cheap (bcrypt cost 4; see `Builder::fast_hashing`).
pub async fn app(backend: Backend) -> TestApp {
    TestApp::builder(backend).fast_hashing().build().await
}
