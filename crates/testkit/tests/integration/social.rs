//! Sign in with Apple / Google / Facebook end to end, against local fakes of the providers
//! (contract 4.3/4.4; spec 4.3-4.5). The original trusted Apple's ID token unverified and linked
//! Google accounts by any e-mail: both are fixed here and named in the tests.

use actix_web::http::StatusCode;
use std::sync::Arc;

use calndr_ports::{IdentityError, IdentityVerifier};
use calndr_testkit::{Backend, TestApp};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_error, assert_invalid, ok, sql};

const KEY_A: &str = include_str!("../../../adapters/outbound/tests/keys/rsa_a.pem");
const KEY_B: &str = include_str!("../../../adapters/outbound/tests/keys/rsa_b.pem");
const N_A: &str = include_str!("../../../adapters/outbound/tests/keys/rsa_a.n");
const N_B: &str = include_str!("../../../adapters/outbound/tests/keys/rsa_b.n");
const APPLE_P8: &str = include_str!("../../../adapters/outbound/tests/keys/apple_key.p8");
const CLIENT: &str = "42-ios.apps.googleusercontent.com";

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).expect("time")
}

fn sign(pem: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("a".into());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).expect("key"),
    )
    .expect("sign")
}

fn google_token(sub: &str, email: &str, verified: bool) -> String {
    sign(
        KEY_A,
        &json!({
            "iss": "https://accounts.google.com", "aud": CLIENT, "sub": sub, "email": email,
            "email_verified": verified, "given_name": "Jane", "family_name": "Doe",
            "iat": now(), "exp": now() + 3600
        }),
    )
}

async fn provider_fakes() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [{
            "kty": "RSA", "kid": "a", "alg": "RS256", "use": "sig", "n": N_A.trim(), "e": "AQAB"
        }]})))
        .mount(&server)
        .await;
    server
}

async fn app_with_providers(fakes: &MockServer) -> TestApp {
    TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .env("CALNDR_GOOGLE_CLIENT_IDS", CLIENT)
        .env("CALNDR_GOOGLE_JWKS_URL", &format!("{}/certs", fakes.uri()))
        .env("CALNDR_APPLE_TEAM_ID", "TEAM123456")
        .env("CALNDR_APPLE_KEY_ID", "KEY7654321")
        .env("CALNDR_APPLE_PRIVATE_KEY", APPLE_P8)
        .env(
            "CALNDR_APPLE_TOKEN_URL",
            &format!("{}/auth/token", fakes.uri()),
        )
        .env("CALNDR_APPLE_JWKS_URL", &format!("{}/certs", fakes.uri()))
        .build()
        .await
}

async fn google(app: &TestApp, token: &str) -> calndr_testkit::app::TestResponse {
    app.post_raw_form(
        "/api/v1/auth/google/ios-login",
        None,
        &format!("id_token={token}"),
    )
    .await
}

async fn linked_google_id(app: &TestApp, user: &str) -> Option<String> {
    sql(app)
        .await
        .query_one(
            "SELECT google_user_id FROM users WHERE id = $1::text::uuid",
            &[&user],
        )
        .await
        .expect("user")
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_google_sign_in_creates_the_account_and_later_ones_find_it_by_subject() {
    let fakes = provider_fakes().await;
    let app = app_with_providers(&fakes).await;
    let first = ok(&google(&app, &google_token("g-1", "jane@example.org", true)).await);
    assert_eq!(first["token_type"], "bearer");
    assert_eq!(first["user"]["first_name"], "Jane");
    assert_eq!(first["user"]["last_name"], "Doe");
    let user_id = first["user"]["id"].as_str().expect("id").to_owned();
    // The token works like a password login's.
    let token = first["access_token"].as_str().expect("token");
    ok(&app.get("/api/v1/users/profile", Some(token)).await);
    // Same Google account, e-mail changed at Google: still the same user.
    let again = ok(&google(&app, &google_token("g-1", "jane.new@example.org", true)).await);
    assert_eq!(again["user"]["id"], user_id.as_str());
    assert_eq!(
        linked_google_id(&app, &user_id).await.as_deref(),
        Some("g-1")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn google_links_an_existing_account_only_by_a_verified_email_not_like_the_original() {
    let fakes = provider_fakes().await;
    let app = app_with_providers(&fakes).await;
    let jane = app.register("Jane").await;
    // Unverified address: no takeover of Jane's account, nothing linked.
    assert_error(
        &google(&app, &google_token("g-evil", &jane.email, false)).await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    assert_eq!(linked_google_id(&app, &jane.user_id).await, None);
    // Verified by Google: the same person; linked.
    let linked = ok(&google(&app, &google_token("g-jane", &jane.email, true)).await);
    assert_eq!(linked["user"]["id"], jane.user_id.as_str());
    assert_eq!(
        linked_google_id(&app, &jane.user_id).await.as_deref(),
        Some("g-jane")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_or_missing_google_tokens_are_refused() {
    let fakes = provider_fakes().await;
    let app = app_with_providers(&fakes).await;
    let forged = sign(
        KEY_B,
        &json!({"iss": "https://accounts.google.com", "aud": CLIENT, "sub": "g-2",
                "email": "x@example.org", "email_verified": true, "exp": now() + 60}),
    );
    assert_error(
        &google(&app, &forged).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert_invalid(
        &app.post_raw_form("/api/v1/auth/google/ios-login", None, "id_token=")
            .await,
        "id_token",
    );
    let users: i64 = sql(&app)
        .await
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(users, 0, "nothing was created");
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_misaddressed_unsigned_hs256_or_rotated_out_google_tokens_get_the_same_401() {
    // Google rotated: its keys are now "b" only.
    let fakes = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [{
            "kty": "RSA", "kid": "b", "alg": "RS256", "use": "sig", "n": N_B.trim(), "e": "AQAB"
        }]})))
        .mount(&fakes)
        .await;
    let app = app_with_providers(&fakes).await;
    let claims = |patch: Value| {
        let mut c = json!({
            "iss": "https://accounts.google.com", "aud": CLIENT, "sub": "g-9",
            "email": "nine@example.org", "email_verified": true, "iat": now(), "exp": now() + 600
        });
        for (k, v) in patch.as_object().expect("object") {
            c[k] = v.clone();
        }
        c
    };
    let signed = |kid: &str, pem: &str, claims: &Value| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_rsa_pem(pem.as_bytes()).expect("key"),
        )
        .expect("sign")
    };
    let b64 = |v: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let refused = [
        ("rotated-out key", signed("a", KEY_A, &claims(json!({})))),
        (
            "expired",
            signed(
                "b",
                KEY_B,
                &claims(json!({"exp": now() - 600, "iat": now() - 4200})),
            ),
        ),
        (
            "wrong audience",
            signed("b", KEY_B, &claims(json!({"aud": "someone-else"}))),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "kid": "b"})),
                b64(&claims(json!({})))
            ),
        ),
        ("HS256 keyed with the public key", {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some("b".into());
            jsonwebtoken::encode(
                &h,
                &claims(json!({})),
                &EncodingKey::from_secret(N_B.as_bytes()),
            )
            .expect("sign")
        }),
    ];
    let mut bodies = Vec::new();
    for (what, token) in refused {
        let res = google(&app, &token).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{what}");
        bodies.push(assert_error(
            &res,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ));
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one body for every refusal: {bodies:?}"
    );
    // The current key works.
    ok(&google(&app, &signed("b", KEY_B, &claims(json!({})))).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_google_token_for_another_nonce_than_the_one_sent_gets_the_same_401() {
    let fakes = provider_fakes().await;
    let app = app_with_providers(&fakes).await;
    let mut claims = json!({
        "iss": "https://accounts.google.com", "aud": CLIENT, "sub": "g-nonce",
        "email": "nonce@example.org", "email_verified": true, "iat": now(), "exp": now() + 600,
        "nonce": "n-4f1c2a"
    });
    let token = sign(KEY_A, &claims);
    let login = |body: String| {
        let app = &app;
        async move {
            app.post_raw_form("/api/v1/auth/google/ios-login", None, &body)
                .await
        }
    };
    let expired = {
        claims["exp"] = json!(now() - 600);
        claims["iat"] = json!(now() - 4200);
        sign(KEY_A, &claims)
    };
    let reference = assert_error(
        &google(&app, &expired).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );

    let replayed = login(format!("id_token={token}&nonce=n-other")).await;
    let body = assert_error(&replayed, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(body, reference, "the same body as any other refused token");
    assert_eq!(
        sql(&app)
            .await
            .query_one("SELECT count(*) FROM users", &[])
            .await
            .expect("count")
            .get::<_, i64>(0),
        0,
        "nothing was created"
    );
    // The nonce the app sent, and no nonce at all (the current app), both sign in.
    ok(&login(format!("id_token={token}&nonce=n-4f1c2a")).await);
    ok(&google(&app, &token).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn apple_sign_in_verifies_the_id_token_apple_returns_and_names_new_users() {
    let fakes = provider_fakes().await;
    let id_token = |aud: &str| {
        sign(
            KEY_A,
            &json!({"iss": "https://appleid.apple.com", "aud": aud, "sub": "001.apple.1",
                    "email": "abc@privaterelay.appleid.com", "email_verified": "true",
                    "iat": now(), "exp": now() + 600}),
        )
    };
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "x", "token_type": "Bearer", "id_token": id_token("club.calndr")})),
        )
        .up_to_n_times(1)
        .mount(&fakes)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "y", "token_type": "Bearer", "id_token": id_token("com.other.app")})),
        )
        .mount(&fakes)
        .await;
    let app = app_with_providers(&fakes).await;
    let body = ok(&app
        .post_raw_form("/api/v1/auth/apple/callback", None, "code=c0de.1")
        .await);
    // Apple shares no name with a code exchange: the app needs non-empty names anyway.
    assert_eq!(body["user"]["first_name"], "Calndr");
    assert_eq!(body["user"]["last_name"], "User");
    assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    // An ID token minted for another app is refused (the original never checked the signature).
    assert_error(
        &app.post_raw_form("/api/v1/auth/apple/callback", None, "code=c0de.2")
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
}

async fn linked_apple_id(app: &TestApp, user: &str) -> Option<String> {
    sql(app)
        .await
        .query_one(
            "SELECT apple_user_id FROM users WHERE id = $1::text::uuid",
            &[&user],
        )
        .await
        .expect("user")
        .get(0)
}

fn apple_notice(pem: &str, kind: &str, sub: &str) -> String {
    let events = json!({"type": kind, "sub": sub, "event_time": now() * 1000}).to_string();
    sign(
        pem,
        &json!({"iss": "https://appleid.apple.com", "aud": "club.calndr", "iat": now(),
                "jti": "n-1", "events": events}),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn apples_consent_revoked_notification_unlinks_the_account_and_forgeries_are_refused() {
    let fakes = provider_fakes().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "z", "token_type": "Bearer", "id_token": sign(
            KEY_A,
            &json!({"iss": "https://appleid.apple.com", "aud": "club.calndr", "sub": "001.apple.9",
                    "email": "nine@privaterelay.appleid.com", "email_verified": "true",
                    "iat": now(), "exp": now() + 600}),
        )})))
        .mount(&fakes)
        .await;
    let app = app_with_providers(&fakes).await;
    let user = ok(&app
        .post_raw_form("/api/v1/auth/apple/callback", None, "code=c")
        .await)["user"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        linked_apple_id(&app, &user).await.as_deref(),
        Some("001.apple.9")
    );

    let forged = json!({"payload": apple_notice(KEY_B, "consent-revoked", "001.apple.9")});
    assert_error(
        &app.post_json("/api/v1/auth/apple/notifications", None, &forged)
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert!(
        linked_apple_id(&app, &user).await.is_some(),
        "a forged notice changes nothing"
    );

    let genuine = json!({"payload": apple_notice(KEY_A, "consent-revoked", "001.apple.9")});
    ok(&app
        .post_json("/api/v1/auth/apple/notifications", None, &genuine)
        .await);
    assert_eq!(linked_apple_id(&app, &user).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn facebook_login_checks_the_token_with_debug_token_then_signs_in_by_subject() {
    let graph = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v19.0/debug_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"app_id": "4242", "is_valid": true, "user_id": "fb-77"}}),
        ))
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path("/v19.0/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "fb-77", "first_name": "Pat", "last_name": "Lee", "email": "pat@example.org"}),
        ))
        .mount(&graph)
        .await;
    let app = TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .env("CALNDR_FACEBOOK_APP_ID", "4242")
        .env("CALNDR_FACEBOOK_APP_SECRET", "s3cret")
        .env(
            "CALNDR_FACEBOOK_GRAPH_URL",
            &format!("{}/v19.0", graph.uri()),
        )
        .build()
        .await;
    let first = ok(&app
        .post_raw_form("/api/v1/auth/facebook/login", None, "access_token=EAAtoken")
        .await);
    assert_eq!(first["user"]["first_name"], "Pat");
    let again = ok(&app
        .post_raw_form("/api/v1/auth/facebook/login", None, "access_token=EAAtoken")
        .await);
    assert_eq!(
        again["user"]["id"], first["user"]["id"],
        "found by (facebook, subject)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_an_apple_account_revokes_its_refresh_token_at_apple_through_the_queue() {
    let fakes = provider_fakes().await;
    let id_token = sign(
        KEY_A,
        &json!({"iss": "https://appleid.apple.com", "aud": "club.calndr", "sub": "001.apple.77",
                "email": "rev@privaterelay.appleid.com", "email_verified": "true",
                "iat": now(), "exp": now() + 600}),
    );
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "a-77", "token_type": "Bearer", "refresh_token": "r-apple-77",
            "id_token": id_token
        })))
        .mount(&fakes)
        .await;
    let app = app_with_providers(&fakes).await;
    let body = ok(&app
        .post_raw_form("/api/v1/auth/apple/callback", None, "code=c0de.77")
        .await);
    let token = body["access_token"].as_str().expect("token").to_owned();
    // An account without a password, just signed in: deletion needs no password.
    let res = app
        .send(
            actix_web::test::TestRequest::delete()
                .uri("/api/v1/users/me")
                .insert_header(("authorization", format!("Bearer {token}"))),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    // Queued with the deletion; the worker revokes it through the identity port. (Apple's
    // adapter speaks only https to `/auth/revoke`; its request form is tested against an https
    // fake in calndr-outbound. Here a recording identity port stands in at the worker.)
    let apple = Arc::new(RecordingRevocations::default());
    let worker = app
        .worker
        .clone()
        .with_identity(apple.clone() as Arc<dyn IdentityVerifier>);
    assert!(apple.revoked().is_empty(), "nothing before the worker runs");
    let report = worker.run_once().await.expect("worker");
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(apple.revoked(), ["r-apple-77"]);
    // Done: a second round has nothing left to send.
    assert_eq!(worker.run_once().await.expect("worker").delivered, 0);
    // The token is gone from the database with the account.
    let left: i64 = sql(&app)
        .await
        .query_one("SELECT count(*) FROM identity_tokens", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(left, 0);
}

/// An identity port that records the refresh tokens it is asked to revoke (and verifies nothing).
#[derive(Default)]
struct RecordingRevocations(std::sync::Mutex<Vec<String>>);

impl RecordingRevocations {
    fn revoked(&self) -> Vec<String> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl IdentityVerifier for RecordingRevocations {
    async fn apple_code<'a>(
        &self,
        _: &str,
        _: Option<&'a str>,
    ) -> Result<calndr_domain::ExternalIdentity, IdentityError> {
        Err(IdentityError::Rejected("not in this test".into()))
    }
    async fn google_id_token<'a>(
        &self,
        _: &str,
        _: Option<&'a str>,
    ) -> Result<calndr_domain::ExternalIdentity, IdentityError> {
        Err(IdentityError::Rejected("not in this test".into()))
    }
    async fn apple_notification(
        &self,
        _: &str,
    ) -> Result<calndr_domain::AppleAccountEvent, IdentityError> {
        Err(IdentityError::Rejected("not in this test".into()))
    }
    async fn facebook_token(
        &self,
        _: &str,
    ) -> Result<calndr_domain::ExternalIdentity, IdentityError> {
        Err(IdentityError::Rejected("not in this test".into()))
    }
    async fn revoke_apple_refresh_token(&self, token: &str) -> Result<(), IdentityError> {
        if let Ok(mut v) = self.0.lock() {
            v.push(token.to_owned());
        }
        Ok(())
    }
}
