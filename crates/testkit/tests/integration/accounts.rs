//! The account routes, as the app calls them.

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn the_apps_sign_up_and_login_sequence_on_postgres_with_redis() {
    sign_up_and_login(Backend::PostgresRedis).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_apps_sign_up_and_login_sequence_on_the_embedded_default() {
    sign_up_and_login(Backend::Memory).await;
}

async fn sign_up_and_login(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = format!("jane+kids-{}@example.com", uuid::Uuid::new_v4().simple());
    let password = "pa+ss&word=1";
    // A2: register (phone_number null, as JSONSerialization sends it).
    let reg = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"first_name": "Jane", "last_name": "Doe", "email": email, "password": password, "phone_number": null}),
        )
        .await;
    assert_eq!(reg.status, StatusCode::OK);
    let reg = reg.json();
    assert_eq!(reg["message"], "User registered successfully");
    assert_eq!(reg["should_skip_onboarding"], false);
    let family = reg["family_id"].as_str().expect("family").to_owned();

    // A co-parent family with an enrollment code.
    let host = app.register("Host").await;
    let code = seed_code(&app, &host).await;

    // Contract 4.2 step 3: register-with-family with the same e-mail and password.
    let joined = app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": "Jane", "last_name": "Doe", "email": email, "password": password,
                    "phone_number": null, "enrollment_code": code, "family_id": host.family_id}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::OK, "{:?}", joined.json());
    let joined = joined.json();
    assert_eq!(joined["family_id"], host.family_id.as_str());
    assert_ne!(joined["family_id"], family.as_str());
    assert_eq!(joined["should_skip_onboarding"], true);

    // A1: the app's hand-built form: '+' and '&' left unencoded, '@' encoded.
    let form = format!("username={}&password={password}", email.replace('@', "%40"));
    let login = app.post_raw_form("/api/v1/auth/token", None, &form).await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.json());
    let login = login.json();
    assert_eq!(login["token_type"], "bearer");
    assert_eq!(login["user"]["email"], email.as_str());
    assert_eq!(login["user"]["family_id"], host.family_id.as_str());
    assert_eq!(login["user"]["enrolled"], true);
    let token = login["access_token"].as_str().expect("token").to_owned();

    // A8 / A9: profile GET and PUT (phone only, then the end-of-onboarding flag).
    let profile = app.get("/api/v1/users/profile", Some(&token)).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.json()["id"], joined["user_id"]);
    let put = app
        .put_json(
            "/api/v1/users/profile",
            Some(&token),
            &json!({"phone_number": "+1 (555) 010-2030"}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.json());
    assert_eq!(put.json()["phone_number"], "+1 (555) 010-2030");
    assert_eq!(put.json()["first_name"], "Jane");
    let done = app
        .put_json(
            "/api/v1/users/profile/",
            Some(&token),
            &json!({"enrolled": true}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);

    // A11: device token (form, unencoded hex).
    let hex = "a".repeat(64);
    let device = app
        .post_raw_form(
            "/api/v1/users/me/device-token",
            Some(&token),
            &format!("token={hex}"),
        )
        .await;
    assert_eq!(device.status, StatusCode::OK, "{:?}", device.json());
    assert_eq!(device.json()["status"], "success");
}

/// Enrollment codes are created by a later issue's routes; seed one through the adapter.
async fn seed_code(app: &TestApp, host: &calndr_testkit::app::Account) -> String {
    let code = format!("C{}", &uuid::Uuid::new_v4().simple().to_string()[..7]).to_uppercase();
    match &app.db {
        Some(db) => {
            db.client()
                .await
                .execute(
                    "INSERT INTO enrollment_codes (family_id, code, created_by_user_id) VALUES ($1::text::uuid, $2, $3::text::uuid)",
                    &[&host.family_id, &code, &host.user_id],
                )
                .await
                .expect("seed code");
        }
        None => app.seed_memory_code(&code, &host.family_id, &host.user_id),
    }
    code
}
