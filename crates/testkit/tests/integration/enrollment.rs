//! `/api/v1/enrollment/*` and `/api/v1/enrollment-flow/*`: the app's exact requests and keys
//! (contract 2.2 V6-V9, 4.2) and the holes of the original (spec 8.1.1, 8.1.5, 8.6) closed.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_app::RateLimits;
use calndr_ports::RateLimit;
use calndr_testkit::app::{random_loopback_peer, Account};
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, assert_error, assert_invalid, ok, sql, unique_email};

const ALPHABET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

async fn create_code(app: &TestApp, who: &Account) -> String {
    let body = ok(&app
        .post("/api/v1/enrollment/create-code", Some(&who.token))
        .await);
    body["enrollmentCode"]
        .as_str()
        .expect("enrollmentCode")
        .to_owned()
}

async fn validate(app: &TestApp, who: &Account, code: &str) -> TestResponse {
    app.post_json(
        "/api/v1/enrollment/validate-code",
        Some(&who.token),
        &json!({ "code": code }),
    )
    .await
}

/// Contract 4.2 step 3: the app signs up again "with family" using the same e-mail and password.
async fn join(app: &TestApp, who: &Account, code: &str) -> TestResponse {
    app.post_json(
        "/api/v1/auth/register-with-family",
        None,
        &json!({"first_name": "Pat", "last_name": "Tester", "email": who.email,
                "password": who.password, "phone_number": null,
                "enrollment_code": code, "family_id": null}),
    )
    .await
}

/// A JSON POST with `who`'s token.
async fn post_as(app: &TestApp, who: &Account, path: &str, body: Value) -> TestResponse {
    app.post_json(path, Some(&who.token), &body).await
}

/// A test app with these rate limits (the others unlimited) on PostgreSQL and Redis.
pub async fn limited(limits: RateLimits) -> TestApp {
    TestApp::builder(Backend::PostgresRedis)
        .fast_hashing()
        .with_rate_limits(limits)
        .build()
        .await
}

/// `SELECT count(*) FROM <table>` in the app's schema.
async fn count(app: &TestApp, table: &str) -> i64 {
    sql(app)
        .await
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .expect("count")
        .get(0)
}

/// The family a user belongs to now.
async fn family_of(app: &TestApp, user: &Account) -> String {
    sql(app)
        .await
        .query_one(
            "SELECT family_id::text FROM users WHERE id = $1::text::uuid",
            &[&user.user_id],
        )
        .await
        .expect("user")
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn create_code_answers_camel_case_keys_and_reuses_the_familys_code() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    // The app may send no body at all.
    let first = ok(&app
        .post("/api/v1/enrollment/create-code", Some(&a.token))
        .await);
    assert_eq!(first["success"], true);
    assert_eq!(first["message"], "Enrollment code created successfully");
    assert_eq!(first["familyId"], a.family_id.as_str());
    let code = first["enrollmentCode"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| ALPHABET.contains(c)), "{code}");
    // Later calls return the same code and fill in the co-parent details.
    let again = ok(&app
        .post_json(
            "/api/v1/enrollment/create-code",
            Some(&a.token),
            &json!({"coparent_first_name": "Bo", "coparent_email": "bo@example.com"}),
        )
        .await);
    assert_eq!(again["enrollmentCode"], code.as_str());
    let row = sql(&app)
        .await
        .query_one(
            "SELECT coparent_first_name, coparent_email, \
                    (expires_at - now()) BETWEEN interval '6 days 23 hours' AND interval '7 days', \
                    (SELECT coparent_invited FROM users WHERE id = created_by_user_id) \
             FROM enrollment_codes WHERE code = $1",
            &[&code],
        )
        .await
        .expect("row");
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("Bo"));
    assert_eq!(
        row.get::<_, Option<String>>(1).as_deref(),
        Some("bo@example.com")
    );
    assert!(row.get::<_, bool>(2), "expires in 7 days by default");
    assert_eq!(
        row.get::<_, Option<bool>>(3),
        Some(true),
        "coparent_invited"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_code_rejects_bad_coparent_fields_without_writing() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let post = |body: Value| post_as(&app, &a, "/api/v1/enrollment/create-code", body);
    assert_invalid(
        &post(json!({"coparent_email": "not-an-address"})).await,
        "coparent_email",
    );
    assert_invalid(
        &post(json!({"coparent_phone": "555 555 555 555 555 555"})).await,
        "coparent_phone",
    );
    assert_invalid(
        &post(json!({"coparent_first_name": "x".repeat(101)})).await,
        "coparent_first_name",
    );
    assert_invalid(&post(json!({"coparent_last_name": 42})).await, "body");
    let malformed = app
        .send(
            TestRequest::post()
                .uri("/api/v1/enrollment/create-code")
                .insert_header(("authorization", format!("Bearer {}", a.token)))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"coparent_first_name\": "),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let n = count(&app, "enrollment_codes").await;
    assert_eq!(n, 0, "nothing half-written");
    let anonymous = app.post("/api/v1/enrollment/create-code", None).await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "not_authenticated");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_create_code_leaves_one_code_per_family_not_the_originals_race() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let calls = (0..6).map(|_| app.post("/api/v1/enrollment/create-code", Some(&a.token)));
    let bodies: Vec<Value> = futures_util::future::join_all(calls)
        .await
        .iter()
        .map(ok)
        .collect();
    let first = &bodies[0]["enrollmentCode"];
    assert!(bodies.iter().all(|b| &b["enrollmentCode"] == first));
    let n = count(&app, "enrollment_codes").await;
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_code_reveals_only_validity() {
    let app = app(Backend::Postgres).await;
    let (a, b) = (app.register("Ada").await, app.register("Bob").await);
    let code = create_code(&app, &a).await;
    let valid = ok(&validate(&app, &b, &code.to_lowercase()).await);
    assert_eq!(
        valid,
        json!({"success": true, "message": "Valid enrollment code",
               "enrollmentCode": code, "familyId": a.family_id})
    );
    let invalid = json!({"success": false, "message": "Invalid enrollment code",
                         "enrollmentCode": null, "familyId": null});
    // Unknown, expired and revoked codes all look the same.
    assert_eq!(ok(&validate(&app, &b, "ZZZZZZ").await), invalid);
    let db = sql(&app).await;
    db.execute(
        "UPDATE enrollment_codes SET expires_at = now() - interval '1 second' WHERE code = $1",
        &[&code],
    )
    .await
    .expect("expire");
    assert_eq!(ok(&validate(&app, &b, &code).await), invalid);
    // Wrong shape: 422 like any bad input.
    assert_invalid(&validate(&app, &b, "ABC").await, "code");
    assert_invalid(&validate(&app, &b, "ABCDEFGH").await, "code");
    let missing = app
        .post_json(
            "/api/v1/enrollment/validate-code",
            Some(&b.token),
            &json!({}),
        )
        .await;
    assert_invalid(&missing, "code");
    let anonymous = app
        .post_json(
            "/api/v1/enrollment/validate-code",
            None,
            &json!({"code": code}),
        )
        .await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "not_authenticated");
}

fn limit(max: u32) -> RateLimit {
    RateLimit {
        max,
        window: Duration::from_secs(60),
    }
}

async fn validate_from(app: &TestApp, who: &Account, peer: &str) -> TestResponse {
    app.send_from(
        TestRequest::post()
            .uri("/api/v1/enrollment/validate-code")
            .insert_header(("authorization", format!("Bearer {}", who.token)))
            .set_json(json!({"code": "ZZZZZZ"})),
        peer,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn code_guessing_is_limited_per_account_and_per_client_address_in_redis() {
    let app = limited(RateLimits {
        code_checks_per_ip: limit(4),
        code_checks_per_account: limit(3),
        ..RateLimits::unlimited()
    })
    .await;
    let (guesser, other) = (app.register("Gus").await, app.register("Oth").await);
    // Per account: a new address does not buy new guesses.
    for _ in 0..3 {
        ok(&validate_from(&app, &guesser, &random_loopback_peer()).await);
    }
    let limited = validate_from(&app, &guesser, &random_loopback_peer()).await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(limited.header("retry-after").is_some());
    // Per address: a new account does not either.
    let peer = random_loopback_peer();
    for _ in 0..3 {
        ok(&validate_from(&app, &other, &peer).await);
    }
    let third = app.register("Thi").await;
    ok(&validate_from(&app, &third, &peer).await);
    assert_error(
        &validate_from(&app, &third, &peer).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn codes_expire_after_the_configured_days() {
    let app = TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .env("CALNDR_ENROLLMENT_CODE_TTL_DAYS", "2")
        .build()
        .await;
    let a = app.register("Ada").await;
    let body = ok(&app
        .post("/api/v1/enrollment/create-code", Some(&a.token))
        .await);
    let expires = chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().expect("iso"))
        .expect("ISO 8601");
    let left = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(left > chrono::Duration::hours(47) && left <= chrono::Duration::hours(48));
    // Once expired, joining with it fails and create-code makes a fresh one.
    let code = body["enrollmentCode"].as_str().expect("code").to_owned();
    sql(&app)
        .await
        .execute(
            "UPDATE enrollment_codes SET expires_at = now() - interval '1 second'",
            &[],
        )
        .await
        .expect("expire");
    let b = app.register("Bob").await;
    assert_error(
        &join(&app, &b, &code).await,
        StatusCode::BAD_REQUEST,
        "invalid_enrollment_code",
    );
    assert_ne!(create_code(&app, &a).await, code);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_code_stops_working_at_once() {
    let app = app(Backend::Postgres).await;
    let (a, b) = (app.register("Ada").await, app.register("Bob").await);
    let code = create_code(&app, &a).await;
    let res = app
        .send(
            TestRequest::delete()
                .uri("/api/v1/enrollment/code")
                .insert_header(("authorization", format!("Bearer {}", a.token))),
        )
        .await;
    assert_eq!(
        ok(&res),
        json!({"success": true, "message": "Enrollment code revoked", "revoked": 1})
    );
    assert_eq!(ok(&validate(&app, &b, &code).await)["success"], false);
    assert_error(
        &join(&app, &b, &code).await,
        StatusCode::BAD_REQUEST,
        "invalid_enrollment_code",
    );
    assert_eq!(family_of(&app, &b).await, b.family_id, "nothing moved");
    // Nothing left to revoke: 404; a new code is a different one.
    let again = app
        .send(
            TestRequest::delete()
                .uri("/api/v1/enrollment/code/")
                .insert_header(("authorization", format!("Bearer {}", a.token))),
        )
        .await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found");
    assert_ne!(create_code(&app, &a).await, code);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_apps_sign_up_flow_joins_the_coparent_and_sets_the_flags() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let code = create_code(&app, &a).await;
    // The inviting parent's own "register-with-family" is a no-op that does not spend the code.
    let own = ok(&join(&app, &a, &code).await);
    assert_eq!(own["family_id"], a.family_id.as_str());
    let b = app.register("Bob").await;
    assert_eq!(ok(&validate(&app, &b, &code).await)["success"], true);
    let joined = ok(&join(&app, &b, &code).await);
    assert_eq!(joined["family_id"], a.family_id.as_str());
    assert_eq!(joined["user_id"], b.user_id.as_str());
    let rows = sql(&app)
        .await
        .query(
            "SELECT id::text, family_id::text, enrolled, coparent_enrolled FROM users \
             WHERE id IN ($1::text::uuid, $2::text::uuid) ORDER BY created_at",
            &[&a.user_id, &b.user_id],
        )
        .await
        .expect("users");
    let flags: Vec<(String, String, Option<bool>, Option<bool>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        flags[0].3,
        Some(true),
        "the inviter is marked coparent_enrolled"
    );
    assert_eq!(flags[1].1, a.family_id);
    assert_eq!((flags[1].2, flags[1].3), (Some(true), Some(true)));
    let spent: i32 = sql(&app)
        .await
        .query_one(
            "SELECT redeemed_count FROM enrollment_codes WHERE code = $1",
            &[&code],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(spent, 1);
    // Spent: a third person cannot use the code (the original's codes worked forever).
    let c = app.register("Cy").await;
    assert_eq!(ok(&validate(&app, &c, &code).await)["success"], false);
    assert_error(
        &join(&app, &c, &code).await,
        StatusCode::BAD_REQUEST,
        "invalid_enrollment_code",
    );
    let public_check = app
        .post(
            &format!("/api/v1/auth/verify-enrollment-code?enrollment_code={code}"),
            None,
        )
        .await;
    assert_error(
        &public_check,
        StatusCode::BAD_REQUEST,
        "invalid_enrollment_code",
    );
    // A brand-new account cannot either.
    let fresh = app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": "New", "last_name": "Comer", "email": unique_email("new"),
                    "password": "long-enough-1", "phone_number": null,
                    "enrollment_code": code, "family_id": null}),
        )
        .await;
    assert_error(&fresh, StatusCode::BAD_REQUEST, "invalid_enrollment_code");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_parents_redeeming_at_once_leave_a_consistent_family() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let code = create_code(&app, &a).await;
    let (b, c) = (app.register("Bob").await, app.register("Cy").await);
    let (rb, rc) = tokio::join!(join(&app, &b, &code), join(&app, &c, &code));
    let statuses = [rb.status, rc.status];
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "exactly one joins: {statuses:?}"
    );
    let loser = if rb.status == StatusCode::OK {
        (&rc, &c)
    } else {
        (&rb, &b)
    };
    assert_error(loser.0, StatusCode::BAD_REQUEST, "invalid_enrollment_code");
    let db = sql(&app).await;
    let members: i64 = db
        .query_one(
            "SELECT count(*) FROM users WHERE family_id = $1::text::uuid",
            &[&a.family_id],
        )
        .await
        .expect("members")
        .get(0);
    assert_eq!(members, 2);
    assert_eq!(
        family_of(&app, loser.1).await,
        loser.1.family_id,
        "the loser stays where they were"
    );
    let count: i32 = db
        .query_one(
            "SELECT redeemed_count FROM enrollment_codes WHERE code = $1",
            &[&code],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn invitations_go_out_only_for_the_callers_own_code() {
    let app = app(Backend::Postgres).await;
    let (a, mallory) = (app.register("Ada").await, app.register("Mal").await);
    let code = create_code(&app, &a).await;
    let other_family = app
        .post_json(
            "/api/v1/enrollment/send-code-email",
            Some(&mallory.token),
            &json!({"email": "victim@example.com", "name": "Victim", "code": code}),
        )
        .await;
    let body = assert_error(
        &other_family,
        StatusCode::BAD_REQUEST,
        "invalid_enrollment_code",
    );
    let unknown = app
        .post_json(
            "/api/v1/enrollment/send-code-email",
            Some(&mallory.token),
            &json!({"email": "victim@example.com", "name": "Victim", "code": "ZZZZZZ"}),
        )
        .await;
    assert_eq!(unknown.json(), body, "another family's code looks unknown");
    let invite = app
        .post_json(
            "/api/v1/enrollment/invite",
            Some(&mallory.token),
            &json!({"code": code, "coparent_first_name": "X", "coparent_last_name": "Y",
                    "coparent_email": "x@example.com"}),
        )
        .await;
    assert_error(&invite, StatusCode::BAD_REQUEST, "invalid_enrollment_code");
    assert!(
        app.mailer.sent().is_empty(),
        "no mail for another family's code"
    );
    let untouched = sql(&app)
        .await
        .query_one(
            "SELECT invitation_sent, coparent_first_name FROM enrollment_codes WHERE code = $1",
            &[&code],
        )
        .await
        .expect("row");
    assert!(!untouched.get::<_, bool>(0));
    assert_eq!(untouched.get::<_, Option<String>>(1), None);

    // The owner invites: mail to the co-parent with the code, names escaped in HTML.
    let sent = ok(&app
        .post_json(
            "/api/v1/enrollment/invite",
            Some(&a.token),
            &json!({"code": code, "coparent_first_name": "<b>Bo</b>",
                    "coparent_last_name": "Lee", "coparent_email": "bo@example.com",
                    "coparent_phone": "555-0100"}),
        )
        .await);
    assert_eq!(
        sent,
        json!({"success": true, "message": "Enrollment invitation sent successfully"})
    );
    let mails = app.mailer.sent();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to.as_str(), "bo@example.com");
    assert!(mails[0].text.contains(&code));
    assert!(mails[0].html.contains("&lt;b&gt;Bo&lt;/b&gt;"));
    assert!(!mails[0].html.contains("<b>Bo"));
    let row = sql(&app)
        .await
        .query_one(
            "SELECT invitation_sent, invitation_sent_at IS NOT NULL, coparent_last_name, \
                    coparent_phone FROM enrollment_codes WHERE code = $1",
            &[&code],
        )
        .await
        .expect("row");
    assert!(row.get::<_, bool>(0) && row.get::<_, bool>(1));
    assert_eq!(row.get::<_, Option<String>>(2).as_deref(), Some("Lee"));
    assert_eq!(row.get::<_, Option<String>>(3).as_deref(), Some("555-0100"));
    // send-code-email, the app's V9.
    ok(&app
        .post_json(
            "/api/v1/enrollment/send-code-email",
            Some(&a.token),
            &json!({"email": "bo@example.com", "name": "Bo", "code": code}),
        )
        .await);
    assert_eq!(app.mailer.sent().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn invitation_requests_are_validated() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let code = create_code(&app, &a).await;
    let invite = |body: Value| post_as(&app, &a, "/api/v1/enrollment/invite", body);
    assert_invalid(
        &invite(json!({"code": code, "coparent_last_name": "L", "coparent_email": "a@b.co"})).await,
        "coparent_first_name",
    );
    assert_invalid(
        &invite(
            json!({"code": code, "coparent_first_name": "F", "coparent_last_name": "L",
                       "coparent_email": "nope"}),
        )
        .await,
        "coparent_email",
    );
    assert_invalid(
        &invite(
            json!({"code": "AB", "coparent_first_name": "F", "coparent_last_name": "L",
                       "coparent_email": "a@b.co"}),
        )
        .await,
        "code",
    );
    let long_name = app
        .post_json(
            "/api/v1/enrollment/send-code-email",
            Some(&a.token),
            &json!({"email": "a@b.co", "name": "n".repeat(300), "code": code}),
        )
        .await;
    assert_invalid(&long_name, "name");
    assert!(app.mailer.sent().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn invitations_per_family_are_limited() {
    let app = limited(RateLimits {
        invites_per_family: limit(2),
        ..RateLimits::unlimited()
    })
    .await;
    let a = app.register("Ada").await;
    let code = create_code(&app, &a).await;
    let send = || async {
        app.post_json(
            "/api/v1/enrollment/send-code-email",
            Some(&a.token),
            &json!({"email": "bo@example.com", "name": "Bo", "code": code}),
        )
        .await
    };
    ok(&send().await);
    ok(&send().await);
    assert_error(&send().await, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(app.mailer.sent().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// /enrollment-flow
// ---------------------------------------------------------------------------------------------

async fn status(app: &TestApp, who: &Account) -> Value {
    ok(&app
        .get("/api/v1/enrollment-flow/status", Some(&who.token))
        .await)
}

#[tokio::test(flavor = "multi_thread")]
async fn children_info_writes_the_childrens_real_columns_where_the_original_always_failed() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    assert_eq!(
        status(&app, &a).await,
        json!({"enrolled": false, "coparent_enrolled": false, "coparent_invited": false,
               "next_step": "coparent_info", "family_id": a.family_id})
    );
    let res = ok(&app
        .post_json(
            "/api/v1/enrollment-flow/children-info",
            Some(&a.token),
            &json!([{"first_name": "Kim", "last_name": "Lee", "date_of_birth": "2019-04-02"},
                    {"first_name": "Max", "last_name": "Lee", "date_of_birth": "2021-12-31"}]),
        )
        .await);
    assert_eq!(
        res,
        json!({"success": true, "message": "Added 2 child(ren) successfully",
               "next_step": "custody_schedule"})
    );
    let rows = sql(&app)
        .await
        .query(
            "SELECT first_name, dob::text FROM children WHERE family_id = $1::text::uuid \
             ORDER BY dob",
            &[&a.family_id],
        )
        .await
        .expect("children");
    let got: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        got,
        vec![
            ("Kim".to_owned(), "2019-04-02".to_owned()),
            ("Max".to_owned(), "2021-12-31".to_owned())
        ]
    );
    assert_eq!(status(&app, &a).await["next_step"], "complete");
    // Completing: enrolled, no next step.
    let done = ok(&app
        .post("/api/v1/enrollment-flow/complete", Some(&a.token))
        .await);
    assert_eq!(done["message"], "Welcome to your family calendar!");
    let s = status(&app, &a).await;
    assert_eq!(
        (s["enrolled"].clone(), s["next_step"].clone()),
        (json!(true), Value::Null)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn children_info_with_one_bad_child_writes_none() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let post = |body: Value| post_as(&app, &a, "/api/v1/enrollment-flow/children-info", body);
    let good = json!({"first_name": "Kim", "last_name": "Lee", "date_of_birth": "2019-04-02"});
    for (bad, field) in [
        (
            json!({"first_name": "Max", "last_name": "Lee", "date_of_birth": "2021-02-30"}),
            "date_of_birth",
        ),
        (
            json!({"first_name": "Max", "last_name": "Lee", "date_of_birth": "2999-01-01"}),
            "date_of_birth",
        ),
        (
            json!({"first_name": "", "last_name": "Lee", "date_of_birth": "2021-01-01"}),
            "first_name",
        ),
        (
            json!({"first_name": "M".repeat(51), "last_name": "Lee", "date_of_birth": "2021-01-01"}),
            "first_name",
        ),
        (
            json!({"first_name": "Max", "date_of_birth": "2021-01-01"}),
            "last_name",
        ),
    ] {
        assert_invalid(&post(json!([good, bad])).await, field);
    }
    assert_invalid(&post(json!([])).await, "body");
    assert_invalid(&post(json!(vec![good.clone(); 21])).await, "body");
    assert_invalid(&post(json!({"first_name": "Kim"})).await, "body");
    let n = count(&app, "children").await;
    assert_eq!(n, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn custody_schedule_enrolls_the_joiner_and_marks_the_coparents() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let code = create_code(&app, &a).await;
    // A fresh account joins through the code (not yet enrolled via this route's flags).
    let b = app.register("Bob").await;
    sql(&app)
        .await
        .execute(
            "UPDATE users SET coparent_enrolled = false WHERE id = $1::text::uuid",
            &[&a.user_id],
        )
        .await
        .expect("reset");
    ok(&join(&app, &b, &code).await);
    sql(&app)
        .await
        .execute(
            "UPDATE users SET coparent_enrolled = false, enrolled = false",
            &[],
        )
        .await
        .expect("reset");
    let bad = app
        .post_json(
            "/api/v1/enrollment-flow/custody-schedule",
            Some(&b.token),
            &json!({"schedule_type": "week_on_week_off"}),
        )
        .await;
    assert_invalid(&bad, "schedule_details");
    let res = ok(&app
        .post_json(
            "/api/v1/enrollment-flow/custody-schedule",
            Some(&b.token),
            &json!({"schedule_type": "week_on_week_off", "schedule_details": {"start": "monday"}}),
        )
        .await);
    assert_eq!(res["next_step"], "complete");
    assert_eq!(res["message"], "Enrollment completed successfully!");
    assert_eq!(status(&app, &b).await["enrolled"], true);
    assert_eq!(status(&app, &a).await["coparent_enrolled"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn coparent_info_checks_the_name() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ada").await;
    let post = |name: Value| {
        post_as(
            &app,
            &a,
            "/api/v1/enrollment-flow/coparent-info",
            json!({ "coparent_first_name": name }),
        )
    };
    assert_eq!(
        ok(&post(json!("Bo")).await),
        json!({"success": true, "message": "Coparent information saved successfully",
               "next_step": "children_info"})
    );
    assert_invalid(&post(json!("")).await, "coparent_first_name");
    assert_invalid(&post(json!("x".repeat(51))).await, "coparent_first_name");
    assert_invalid(&post(json!(7)).await, "body");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_store_runs_the_same_enrollment_rules() {
    let app = app(Backend::Memory).await;
    let a = app.register("Ada").await;
    let code = create_code(&app, &a).await;
    assert_eq!(create_code(&app, &a).await, code);
    let (b, c) = (app.register("Bob").await, app.register("Cy").await);
    assert_eq!(
        ok(&validate(&app, &b, &code).await)["familyId"],
        a.family_id.as_str()
    );
    assert_eq!(
        ok(&join(&app, &b, &code).await)["family_id"],
        a.family_id.as_str()
    );
    assert_error(
        &join(&app, &c, &code).await,
        StatusCode::BAD_REQUEST,
        "invalid_enrollment_code",
    );
    ok(&app
        .post_json(
            "/api/v1/enrollment-flow/children-info",
            Some(&b.token),
            &json!([{"first_name": "Kim", "last_name": "Lee", "date_of_birth": "2019-04-02"}]),
        )
        .await);
    // One child in the family: the inviting parent's next step is "complete".
    assert_eq!(status(&app, &a).await["next_step"], "complete");
}
