//! `/api/v1/auth/*` on Postgres: every route's happy path and each kind of bad input.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::support::{
    app, assert_error, assert_invalid, insert_social_user, login, ok, seed_code, sql, unique_email,
};

fn registration(email: &str, password: &str) -> Value {
    json!({"first_name": "Jane", "last_name": "Doe", "email": email, "password": password,
           "phone_number": null})
}

async fn post_malformed_json(app: &TestApp, path: &str) -> calndr_testkit::TestResponse {
    app.send(
        TestRequest::post()
            .uri(path)
            .insert_header(("content-type", "application/json"))
            .set_payload(r#"{"first_name": "Jane", "email": "#),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// POST /auth/token
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn login_returns_a_bearer_token_and_the_profile_on_both_slash_spellings() {
    // The production hashing scheme (argon2id); the other tests use cheap bcrypt hashes.
    let app = TestApp::new(Backend::Postgres).await;
    let acc = app.register("Lena").await;
    for path in ["/api/v1/auth/token", "/api/v1/auth/token/"] {
        let form = format!(
            "username={}&password={}",
            acc.email.replace('@', "%40"),
            acc.password
        );
        let res = app.post_raw_form(path, None, &form).await;
        let body = ok(&res);
        assert_eq!(body["token_type"], "bearer");
        assert_eq!(body["user"]["id"], acc.user_id.as_str());
        assert_eq!(body["user"]["email"], acc.email.as_str());
        assert_eq!(body["user"]["family_id"], acc.family_id.as_str());
        assert_eq!(body["user"]["enrolled"], false);
        assert!(body["user"]["last_signed_in"].is_string());
        let token = body["access_token"].as_str().expect("token");
        let profile = app.get("/api/v1/users/profile", Some(token)).await;
        assert_eq!(ok(&profile)["id"], acc.user_id.as_str());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn login_accepts_a_standard_form_encoder_body() {
    let app = app(Backend::Postgres).await;
    let email = format!("std+kids-{}@example.com", uuid::Uuid::new_v4().simple());
    let password = "a+b&c d=e!";
    ok(&app
        .post_json(
            "/api/v1/auth/register",
            None,
            &registration(&email, password),
        )
        .await);
    // `+` encoded as %2B, `&` as %26, `=` as %3D, and a space as `+`.
    let form = format!(
        "grant_type=password&username={}&password=a%2Bb%26c+d%3De%21",
        email.replace('+', "%2B").replace('@', "%40")
    );
    let res = app.post_raw_form("/api/v1/auth/token", None, &form).await;
    assert_eq!(ok(&res)["user"]["email"], email.as_str());
    // Fields in another order, with the OAuth2 extras empty.
    let form = format!(
        "password=a%2Bb%26c+d%3De%21&username={}&scope=&client_id=",
        email.replace('+', "%2B").replace('@', "%40")
    );
    ok(&app.post_raw_form("/api/v1/auth/token", None, &form).await);
    // And the app's own encoding of the same credentials (`+`, `&`, `=`, `!` left as they are).
    let res = login(&app, &email, "a+b&c%20d=e!").await;
    ok(&res);
}

#[tokio::test(flavor = "multi_thread")]
async fn login_fails_alike_for_unknown_email_wrong_password_and_a_password_less_account() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Vera").await;
    let social = unique_email("social");
    insert_social_user(&app, &social).await;

    let unknown = login(&app, &unique_email("nobody"), "whatever-1").await;
    let wrong = login(&app, &acc.email, "not-the-password").await;
    let password_less = login(&app, &social, "anything-at-all").await;
    for res in [&unknown, &wrong, &password_less] {
        assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(wrong.body, password_less.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn login_of_an_unverified_account_says_so_only_with_the_right_password() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Penny").await;
    sql(&app)
        .await
        .execute(
            "UPDATE users SET status = 'pending' WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("mark pending");
    let right = login(&app, &acc.email, &acc.password).await;
    assert_error(&right, StatusCode::UNAUTHORIZED, "email_not_verified");
    let wrong = login(&app, &acc.email, "wrong-password").await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_rejects_missing_fields_other_grant_types_and_undecodable_bodies() {
    // Store-independent: the embedded default is enough.
    let app = app(Backend::Memory).await;
    let post = |body: &'static str| app.post_raw_form("/api/v1/auth/token", None, body);
    assert_invalid(&post("username=a%40example.com").await, "password");
    assert_invalid(&post("password=secret-1").await, "username");
    assert_invalid(&post("username=&password=secret-1").await, "username");
    assert_invalid(
        &post("username=a%40example.com&password=").await,
        "password",
    );
    assert_invalid(&post("").await, "username");
    assert_invalid(
        &post("grant_type=client_credentials&username=a%40example.com&password=secret-1").await,
        "grant_type",
    );
    let not_utf8 = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(&b"username=a\xff&password=b"[..]),
        )
        .await;
    assert_error(&not_utf8, StatusCode::BAD_REQUEST, "malformed_body");
}

// ---------------------------------------------------------------------------------------------
// POST /auth/register
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn register_creates_an_account_in_its_own_family_and_signs_it_in() {
    let app = app(Backend::Postgres).await;
    let email = unique_email("reg");
    let res = app
        .post_json(
            "/api/v1/auth/register/",
            None,
            &json!({"first_name": "Jane", "last_name": "Doe", "email": email,
                    "password": "long-enough-1", "phone_number": "+1 555 010 2030"}),
        )
        .await;
    let body = ok(&res);
    assert_eq!(body["message"], "User registered successfully");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["should_skip_onboarding"], false);
    assert_eq!(body["requires_email_verification"], false);
    let user_id = body["user_id"].as_str().expect("user_id");
    assert_eq!(user_id, user_id.to_lowercase());
    uuid::Uuid::parse_str(user_id).expect("user_id is a UUID");
    let family_id = body["family_id"].as_str().expect("family_id");
    let token = body["access_token"].as_str().expect("token");

    let profile = ok(&app.get("/api/v1/users/profile", Some(token)).await);
    assert_eq!(profile["id"], user_id);
    assert_eq!(profile["family_id"], family_id);
    assert_eq!(profile["phone_number"], "+1 555 010 2030");
    assert_eq!(profile["enrolled"], false);
    let family: String = sql(&app)
        .await
        .query_one(
            "SELECT name FROM families WHERE id = $1::text::uuid",
            &[&family_id],
        )
        .await
        .expect("family row")
        .get(0);
    assert_eq!(family, "Jane's Family");
    // The password works for a login right away.
    ok(&login(&app, &email, "long-enough-1").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn registering_an_email_twice_is_409_unlike_the_originals_400_even_in_another_case() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Dora").await;
    let same = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &registration(&acc.email, "another-pass-1"),
        )
        .await;
    assert_error(&same, StatusCode::CONFLICT, "email_taken");
    let shouting = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &registration(&acc.email.to_uppercase(), "another-pass-1"),
        )
        .await;
    assert_error(&shouting, StatusCode::CONFLICT, "email_taken");
    // The original account is untouched.
    ok(&login(&app, &acc.email, &acc.password).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn register_names_the_offending_field() {
    let app = app(Backend::Postgres).await;
    let valid = || {
        json!({"first_name": "Jane", "last_name": "Doe", "email": unique_email("f"),
               "password": "long-enough-1", "phone_number": null})
    };
    let with = |key: &str, value: Value| {
        let mut v = valid();
        v[key] = value;
        v
    };
    let without = |key: &str| {
        let mut v = valid();
        v.as_object_mut().expect("object").remove(key);
        v
    };
    let cases: Vec<(Value, &str)> = vec![
        (without("email"), "email"),
        (without("password"), "password"),
        (without("first_name"), "first_name"),
        (without("last_name"), "last_name"),
        (with("email", json!("not-an-email")), "email"),
        (with("email", json!("a b@example.com")), "email"),
        (with("password", json!("short")), "password"),
        (with("password", json!("        ")), "password"),
        (with("first_name", json!("  ")), "first_name"),
        (with("last_name", json!("x".repeat(101))), "last_name"),
        (with("phone_number", json!("call me maybe")), "phone_number"),
        // A wrong JSON type: serde_json does not say which field, so the error names the body.
        (with("first_name", json!(5)), "body"),
        (with("password", json!(null)), "body"),
    ];
    for (body, field) in cases {
        let res = app.post_json("/api/v1/auth/register", None, &body).await;
        assert_invalid(&res, field);
    }
    assert_error(
        &post_malformed_json(&app, "/api/v1/auth/register").await,
        StatusCode::BAD_REQUEST,
        "malformed_body",
    );
    let count: i64 = sql(&app)
        .await
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 0, "no rejected registration left a row");
}

// ---------------------------------------------------------------------------------------------
// POST /auth/register-with-family
// ---------------------------------------------------------------------------------------------

fn with_family(email: &str, password: &str, code: &str, family: Option<&str>) -> Value {
    json!({"first_name": "Gina", "last_name": "Guest", "email": email, "password": password,
           "phone_number": null, "enrollment_code": code, "family_id": family})
}

#[tokio::test(flavor = "multi_thread")]
async fn register_with_family_creates_an_enrolled_member_of_the_codes_family() {
    let app = app(Backend::Postgres).await;
    let host = app.register("Host").await;
    let code = seed_code(&app, &host).await;
    let email = unique_email("guest");
    let res = app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            // A lower-case code and no family_id are accepted.
            &with_family(&email, "guest-pass-1", &code.to_lowercase(), None),
        )
        .await;
    let body = ok(&res);
    assert_eq!(
        body["message"],
        "User registered successfully and joined family"
    );
    assert_eq!(body["should_skip_onboarding"], true);
    assert_eq!(body["family_id"], host.family_id.as_str());
    let token = body["access_token"].as_str().expect("token");
    let profile = ok(&app.get("/api/v1/users/profile", Some(token)).await);
    assert_eq!(profile["family_id"], host.family_id.as_str());
    assert_eq!(profile["enrolled"], true);
    assert_eq!(profile["coparent_enrolled"], true);
    // The host now has an enrolled co-parent.
    let host_profile = ok(&app.get("/api/v1/users/profile", Some(&host.token)).await);
    assert_eq!(host_profile["coparent_enrolled"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn register_with_family_refuses_unknown_or_malformed_codes_other_families_and_taken_emails() {
    let app = app(Backend::Postgres).await;
    let host = app.register("Host").await;
    let code = seed_code(&app, &host).await;
    let existing = app.register("Erin").await;
    let app = &app;
    let post = |body: Value| async move {
        app.post_json("/api/v1/auth/register-with-family", None, &body)
            .await
    };

    let unknown = post(with_family(
        &unique_email("g"),
        "guest-pass-1",
        "NOPE1234",
        None,
    ))
    .await;
    assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_enrollment_code");
    let empty = post(with_family(&unique_email("g"), "guest-pass-1", "", None)).await;
    assert_error(&empty, StatusCode::BAD_REQUEST, "invalid_enrollment_code");
    let malformed = post(with_family(
        &unique_email("g"),
        "guest-pass-1",
        "AB-12",
        None,
    ))
    .await;
    assert_error(
        &malformed,
        StatusCode::BAD_REQUEST,
        "invalid_enrollment_code",
    );
    let other_family = uuid::Uuid::new_v4().to_string();
    let mismatch = post(with_family(
        &unique_email("g"),
        "guest-pass-1",
        &code,
        Some(&other_family),
    ))
    .await;
    assert_error(&mismatch, StatusCode::BAD_REQUEST, "family_mismatch");
    // An existing account presenting another password cannot be pulled into the family.
    let taken = post(with_family(&existing.email, "not-erins-pass", &code, None)).await;
    assert_error(&taken, StatusCode::CONFLICT, "email_taken");
    let erin = ok(&app
        .get("/api/v1/users/profile", Some(&existing.token))
        .await);
    assert_eq!(erin["family_id"], existing.family_id.as_str());

    let mut missing_code = with_family(&unique_email("g"), "guest-pass-1", "", None);
    missing_code
        .as_object_mut()
        .expect("object")
        .remove("enrollment_code");
    assert_invalid(&post(missing_code).await, "enrollment_code");
    assert_invalid(
        &post(with_family("nope", "guest-pass-1", &code, None)).await,
        "email",
    );
    assert_invalid(
        &post(with_family(&unique_email("g"), "short", &code, None)).await,
        "password",
    );
    assert_error(
        &post_malformed_json(app, "/api/v1/auth/register-with-family").await,
        StatusCode::BAD_REQUEST,
        "malformed_body",
    );
    let members: i64 = sql(app)
        .await
        .query_one(
            "SELECT count(*) FROM users WHERE family_id = $1::text::uuid",
            &[&host.family_id],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(members, 1, "only the host is in the family");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_with_a_short_password_from_before_the_length_rule_still_joins_a_family() {
    use calndr_ports::PasswordHasher as _;
    let app = app(Backend::Postgres).await;
    let host = app.register("Host").await;
    let code = seed_code(&app, &host).await;
    let old = app.register("Olde").await;
    // The original had no length rule: store a hash of a 5-character password.
    let hasher =
        calndr_security::Hashing::with_bcrypt_cost(calndr_security::HashScheme::Bcrypt, 1, 4)
            .expect("hasher");
    let hash = hasher
        .hash(calndr_domain::Password::presented("abc12", "password").expect("password"))
        .await
        .expect("hash");
    sql(&app)
        .await
        .execute(
            "UPDATE users SET password_hash = $1 WHERE id = $2::text::uuid",
            &[&hash.as_str(), &old.user_id],
        )
        .await
        .expect("store legacy hash");
    let res = app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &with_family(&old.email, "abc12", &code, Some(&host.family_id)),
        )
        .await;
    let body = ok(&res);
    assert_eq!(body["user_id"], old.user_id.as_str());
    assert_eq!(body["family_id"], host.family_id.as_str());
}

// ---------------------------------------------------------------------------------------------
// POST /auth/verify-enrollment-code
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn verify_enrollment_code_says_valid_or_400() {
    let app = app(Backend::Postgres).await;
    let host = app.register("Host").await;
    let code = seed_code(&app, &host).await;
    let res = app
        .post(
            &format!("/api/v1/auth/verify-enrollment-code?enrollment_code={code}"),
            None,
        )
        .await;
    assert_eq!(
        ok(&res),
        json!({"valid": true, "message": "Valid enrollment code"})
    );
    for bad in ["ZZZZ9999", "AB-12", "%20"] {
        let res = app
            .post(
                &format!("/api/v1/auth/verify-enrollment-code?enrollment_code={bad}"),
                None,
            )
            .await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_enrollment_code");
    }
    let missing = app.post("/api/v1/auth/verify-enrollment-code", None).await;
    assert_invalid(&missing, "enrollment_code");
}

// ---------------------------------------------------------------------------------------------
// POST /auth/refresh-token, /auth/verify-token (more token variants in tokens.rs)
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn refresh_token_issues_a_working_token_for_a_valid_one() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Rita").await;
    let res = app
        .post(
            &format!("/api/v1/auth/refresh-token?current_token={}", acc.token),
            None,
        )
        .await;
    let body = ok(&res);
    assert_eq!(body["token_type"], "bearer");
    let fresh = body["access_token"].as_str().expect("token");
    ok(&app.get("/api/v1/users/profile", Some(fresh)).await);

    let bad = app
        .post("/api/v1/auth/refresh-token?current_token=garbage", None)
        .await;
    assert_error(&bad, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_invalid(
        &app.post("/api/v1/auth/refresh-token", None).await,
        "current_token",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_token_always_answers_200_with_a_verdict() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Vick").await;
    let res = app
        .post(
            &format!("/api/v1/auth/verify-token?token={}", acc.token),
            None,
        )
        .await;
    assert_eq!(
        ok(&res),
        json!({"valid": true, "user_id": acc.user_id, "family_id": acc.family_id,
               "message": "Valid token"})
    );
    let res = app
        .post("/api/v1/auth/verify-token?token=garbage", None)
        .await;
    assert_eq!(
        ok(&res),
        json!({"valid": false, "message": "Invalid token"})
    );
    assert_invalid(&app.post("/api/v1/auth/verify-token", None).await, "token");
}

// ---------------------------------------------------------------------------------------------
// POST /auth/change-password (passwords in the query string)
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn change_password_in_the_query_string_works_and_checks_the_current_one() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Quinn").await;
    let path = |current: &str, new: &str| {
        format!(
            "/api/v1/auth/change-password?current_password={}&new_password={}",
            current.replace('+', "%2B").replace('&', "%26"),
            new
        )
    };
    let unauthenticated = app.post(&path(&acc.password, "brand-new-pass"), None).await;
    assert_error(
        &unauthenticated,
        StatusCode::UNAUTHORIZED,
        "not_authenticated",
    );
    let wrong = app
        .post(&path("not-my-password", "brand-new-pass"), Some(&acc.token))
        .await;
    assert_error(&wrong, StatusCode::BAD_REQUEST, "bad_request");
    let short = app
        .post(&path(&acc.password, "short"), Some(&acc.token))
        .await;
    assert_invalid(&short, "new_password");
    let missing = app
        .post(
            "/api/v1/auth/change-password?current_password=x",
            Some(&acc.token),
        )
        .await;
    assert_invalid(&missing, "new_password");
    // None of the refusals changed anything.
    ok(&login(&app, &acc.email, &acc.password).await);

    let done = app
        .post(&path(&acc.password, "brand-new-pass"), Some(&acc.token))
        .await;
    assert_eq!(
        ok(&done),
        json!({"message": "Password updated successfully"})
    );
    assert_error(
        &login(&app, &acc.email, &acc.password).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    ok(&login(&app, &acc.email, "brand-new-pass").await);
}

// ---------------------------------------------------------------------------------------------
// POST /auth/forgot-password, /auth/reset-password (the whole flow is in password_reset.rs)
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn forgot_and_reset_password_validate_their_query() {
    // Store-independent: the embedded default is enough.
    let app = app(Backend::Memory).await;
    assert_invalid(
        &app.post("/api/v1/auth/forgot-password", None).await,
        "email",
    );
    // Not an address at all: the same generic answer, and nothing is sent.
    let res = app
        .post("/api/v1/auth/forgot-password?email=not-an-address", None)
        .await;
    assert_eq!(
        ok(&res)["message"],
        "If your email is registered, you will receive a password reset link"
    );
    assert!(app.mailer.sent().is_empty());

    assert_invalid(
        &app.post(
            "/api/v1/auth/reset-password?new_password=long-enough-1",
            None,
        )
        .await,
        "token",
    );
    assert_invalid(
        &app.post("/api/v1/auth/reset-password?token=abc", None)
            .await,
        "new_password",
    );
    let garbage = app
        .post(
            "/api/v1/auth/reset-password?token=garbage&new_password=long-enough-1",
            None,
        )
        .await;
    assert_error(&garbage, StatusCode::BAD_REQUEST, "invalid_reset_token");
}

// ---------------------------------------------------------------------------------------------
// Social sign-in: not configured on this server
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn social_sign_in_routes_answer_503_provider_not_configured() {
    // Store-independent: the embedded default is enough.
    let app = app(Backend::Memory).await;
    // The bodies the app sends (contract A4, A5); Facebook is not in the app.
    for (path, form) in [
        ("/api/v1/auth/apple/callback", "code=c0ffee.0.abcd"),
        ("/api/v1/auth/google/ios-login", "id_token=eyJhbGciOi.x.y"),
        ("/api/v1/auth/facebook/login", "access_token=EAAB"),
        ("/api/v1/auth/apple/callback/", "code=c0ffee.0.abcd"),
    ] {
        let res = app.post_raw_form(path, None, form).await;
        assert_error(
            &res,
            StatusCode::SERVICE_UNAVAILABLE,
            "provider_not_configured",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Trailing slashes
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn every_auth_route_answers_both_slash_spellings_directly() {
    // Store-independent: the embedded default is enough.
    let app = app(Backend::Memory).await;
    let acc = app.register("Sly").await;
    // Each route with a request that reaches its handler (the answer itself may be an error).
    let routes = [
        "token",
        "register",
        "register-with-family",
        "verify-enrollment-code?enrollment_code=ZZZZ9999",
        "refresh-token?current_token=x",
        "verify-token?token=x",
        "change-password?current_password=x&new_password=y",
        "forgot-password?email=x",
        "reset-password?token=x&new_password=long-enough-1",
        "apple/callback",
        "google/ios-login",
        "facebook/login",
    ];
    for route in routes {
        let (path, query) = route.split_once('?').unwrap_or((route, ""));
        let mut answers = Vec::new();
        for slash in ["", "/"] {
            let uri = format!("/api/v1/auth/{path}{slash}?{query}");
            let res = app
                .send(
                    TestRequest::post()
                        .uri(&uri)
                        .insert_header(("authorization", format!("Bearer {}", acc.token)))
                        .set_json(json!({})),
                )
                .await;
            assert!(
                !res.status.is_redirection() && res.json()["code"] != "route_not_found",
                "{uri}: {} {:?}",
                res.status,
                res.json()
            );
            answers.push((res.status, res.json()["code"].clone()));
        }
        assert_eq!(answers[0], answers[1], "{route}");
    }
}
