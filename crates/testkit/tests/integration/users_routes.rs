//! `/api/v1/users/*` and `/api/v1/user/*` on Postgres (spec 1.2, 1.3; contract A8-A15).

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{
    app, assert_error, assert_invalid, login, multipart, multipart_post, ok, sql, unique_email,
};

const JPEG: [u8; 16] = [
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
];
const BOUNDARY: &str = "Boundary-2F1C6A3E-8C1D-4E5B-9A7F-0123456789AB";

async fn profile(app: &TestApp, acc: &Account) -> Value {
    ok(&app.get("/api/v1/users/profile", Some(&acc.token)).await)
}

async fn put_form(app: &TestApp, path: &str, token: &str, body: &str) -> TestResponse {
    app.send(
        TestRequest::put()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body.to_owned()),
    )
    .await
}

async fn put_raw_json(app: &TestApp, path: &str, token: &str, body: &str) -> TestResponse {
    app.send(
        TestRequest::put()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("content-type", "application/json"))
            .set_payload(body.to_owned()),
    )
    .await
}

/// The photo as the app uploads it: one part `photo`, `profile.jpg`, `image/jpeg` (contract A14).
fn app_photo_upload(token: &str, field: &str, content_type: &str, bytes: &[u8]) -> TestRequest {
    let path = if field == "file" {
        "/api/v1/users/profile-photo"
    } else {
        "/api/v1/user/profile/photo"
    };
    multipart_post(
        path,
        Some(token),
        multipart(BOUNDARY, &[(field, "profile.jpg", content_type, bytes)]),
        BOUNDARY,
    )
}

/// The path of an absolute URL (`http://host/media/...` → `/media/...`).
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").expect("absolute URL").1;
    &after_scheme[after_scheme.find('/').expect("a path")..]
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn every_protected_route_is_401_without_a_valid_token() {
    // Store-independent: the token is refused before any handler runs.
    let app = app(Backend::Memory).await;
    let routes = [
        ("GET", "/api/v1/users/profile"),
        ("PUT", "/api/v1/users/profile"),
        ("GET", "/api/v1/users/me"),
        ("GET", "/api/v1/users/me/export"),
        ("PUT", "/api/v1/users/password"),
        ("PUT", "/api/v1/users/me/password"),
        ("POST", "/api/v1/users/me/device-token"),
        ("POST", "/api/v1/users/me/update-endpoint"),
        ("POST", "/api/v1/users/me/last-signin"),
        ("PUT", "/api/v1/users/preferences"),
        ("PUT", "/api/v1/users/enrollment-status"),
        ("POST", "/api/v1/users/profile-photo"),
        ("POST", "/api/v1/user/profile/photo"),
        ("POST", "/api/v1/user/location"),
        ("POST", "/api/v1/auth/change-password"),
        ("POST", "/api/v1/auth/logout-all"),
        ("POST", "/api/v1/family/leave"),
        ("GET", "/api/v1/family/settings"),
        ("GET", "/api/v1/custody/who"),
        ("GET", "/api/v1/custody/time-share"),
        ("PUT", "/api/v1/family/settings"),
    ];
    for (method, path) in routes {
        for auth in [None, Some("Bearer garbage")] {
            let req = match method {
                "GET" => TestRequest::get(),
                "PUT" => TestRequest::put(),
                _ => TestRequest::post(),
            }
            .uri(path)
            .set_json(json!({}));
            let req = match auth {
                Some(h) => req.insert_header(("authorization", h)),
                None => req,
            };
            let res = app.send(req).await;
            assert_eq!(
                (res.status, res.json()["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("not_authenticated")),
                "{method} {path} with {auth:?}"
            );
            assert_eq!(res.header("www-authenticate"), Some("Bearer"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GET / PUT /users/profile
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn profile_has_the_shape_the_app_decodes_with_the_users_own_id_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Snap").await;
    let res = app.get("/api/v1/users/profile", Some(&acc.token)).await;
    let body = ok(&res);
    // Contract pitfall 5: the profile id is users.id, not a preferences/profile row id.
    assert_eq!(body["id"], acc.user_id.as_str());
    assert_eq!(body["family_id"], acc.family_id.as_str());
    assert_eq!(body["email"], acc.email.as_str());
    insta::assert_json_snapshot!("profile_after_registration", body, {
        ".id" => "[user id]",
        ".family_id" => "[family id]",
        ".email" => "[email]",
        ".created_at" => "[timestamp]",
        ".last_signed_in" => "[timestamp]",
    });
    // Timestamps: Python `str(datetime)`, `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    for key in ["created_at", "last_signed_in"] {
        let stamp = body[key].as_str().expect("a timestamp");
        assert!(
            chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S%.f").is_ok(),
            "{key}: {stamp}"
        );
    }
    // The same document under /users/me and with a trailing slash.
    assert_eq!(
        ok(&app.get("/api/v1/users/me", Some(&acc.token)).await),
        body
    );
    assert_eq!(
        ok(&app.get("/api/v1/users/profile/", Some(&acc.token)).await),
        body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_put_changes_only_the_fields_sent_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Pat").await;
    let before = profile(&app, &acc).await;

    let res = app
        .put_json(
            "/api/v1/users/profile",
            Some(&acc.token),
            &json!({"phone_number": "+1 (555) 010-2030"}),
        )
        .await;
    let after_phone = ok(&res);
    assert_eq!(after_phone["phone_number"], "+1 (555) 010-2030");
    for key in [
        "first_name",
        "last_name",
        "email",
        "enrolled",
        "id",
        "family_id",
    ] {
        assert_eq!(after_phone[key], before[key], "{key}");
    }

    let res = app
        .put_json(
            "/api/v1/users/profile",
            Some(&acc.token),
            &json!({"first_name": "  Patricia ", "last_name": "Jones", "bio": "Two kids",
                    "email": "ignored@example.com"}),
        )
        .await;
    let renamed = ok(&res);
    assert_eq!(renamed["first_name"], "Patricia");
    assert_eq!(renamed["last_name"], "Jones");
    assert_eq!(renamed["phone_number"], "+1 (555) 010-2030");
    assert_eq!(
        renamed["email"],
        acc.email.as_str(),
        "email changes are ignored"
    );
    let bio: Option<String> = sql(&app)
        .await
        .query_one(
            "SELECT bio FROM user_profiles WHERE user_id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("profile row")
        .get(0);
    assert_eq!(bio.as_deref(), Some("Two kids"));

    // End of onboarding (contract 4.2 step 4).
    let done = app
        .put_json(
            "/api/v1/users/profile/",
            Some(&acc.token),
            &json!({"enrolled": true}),
        )
        .await;
    assert_eq!(ok(&done)["enrolled"], true);
    let empty = ok(&app
        .put_json("/api/v1/users/profile", Some(&acc.token), &json!({}))
        .await);
    assert_eq!(empty["first_name"], "Patricia");
    assert_eq!(empty["enrolled"], true);
    assert_eq!(profile(&app, &acc).await, empty);
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_put_rejects_invalid_fields_and_changes_nothing() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Ivy").await;
    let before = profile(&app, &acc).await;
    let put = |body: Value| {
        let token = acc.token.clone();
        let app = &app;
        async move {
            app.put_json("/api/v1/users/profile", Some(&token), &body)
                .await
        }
    };
    assert_invalid(
        &put(json!({"phone_number": "call me", "first_name": "New"})).await,
        "phone_number",
    );
    assert_invalid(&put(json!({"first_name": ""})).await, "first_name");
    assert_invalid(&put(json!({"last_name": "\u{7}bell"})).await, "last_name");
    assert_invalid(&put(json!({"bio": "x".repeat(1001)})).await, "bio");
    assert_invalid(&put(json!({"enrolled": "yes"})).await, "body");
    assert_error(
        &put_raw_json(
            &app,
            "/api/v1/users/profile",
            &acc.token,
            "{\"enrolled\": tru",
        )
        .await,
        StatusCode::BAD_REQUEST,
        "malformed_body",
    );
    assert_eq!(profile(&app, &acc).await, before);
}

// ---------------------------------------------------------------------------------------------
// Password changes
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn password_change_as_the_app_sends_it_answers_exactly_200_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Wes").await;
    let change = |current: &str, new: &str| {
        let body = json!({"current_password": current, "new_password": new});
        let token = acc.token.clone();
        let app = &app;
        async move {
            app.put_json("/api/v1/users/me/password", Some(&token), &body)
                .await
        }
    };
    let wrong = change("not-my-password", "brand-new-pass").await;
    assert_error(&wrong, StatusCode::FORBIDDEN, "wrong_password");
    assert_invalid(&change(&acc.password, "short").await, "new_password");
    let missing = app
        .put_json(
            "/api/v1/users/me/password",
            Some(&acc.token),
            &json!({"new_password": "brand-new-pass"}),
        )
        .await;
    assert_invalid(&missing, "current_password");
    ok(&login(&app, &acc.email, &acc.password).await);

    let done = change(&acc.password, "brand-new-pass").await;
    assert_eq!(done.status, StatusCode::OK, "exactly 200, not 204");
    assert_eq!(
        done.json(),
        json!({"status": "success", "message": "Password updated successfully"})
    );
    assert_error(
        &login(&app, &acc.email, &acc.password).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    ok(&login(&app, &acc.email, "brand-new-pass").await);
    // Existing tokens keep working (as the original).
    ok(&app.get("/api/v1/users/profile", Some(&acc.token)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn password_change_with_form_fields_behaves_the_same() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Fern").await;
    let current = acc.password.replace('+', "%2B").replace('&', "%26");
    let wrong = put_form(
        &app,
        "/api/v1/users/password",
        &acc.token,
        "current_password=nope-nope&new_password=brand-new-pass",
    )
    .await;
    assert_error(&wrong, StatusCode::FORBIDDEN, "wrong_password");
    let short = put_form(
        &app,
        "/api/v1/users/password",
        &acc.token,
        &format!("current_password={current}&new_password=short"),
    )
    .await;
    assert_invalid(&short, "new_password");
    let missing = put_form(
        &app,
        "/api/v1/users/password",
        &acc.token,
        "new_password=brand-new-pass",
    )
    .await;
    assert_invalid(&missing, "current_password");

    let done = put_form(
        &app,
        "/api/v1/users/password/",
        &acc.token,
        &format!("current_password={current}&new_password=brand+new%26pass"),
    )
    .await;
    assert_eq!(ok(&done)["status"], "success");
    assert_error(
        &login(&app, &acc.email, &acc.password).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    ok(&login(&app, &acc.email, "brand%20new&pass").await);
}

// ---------------------------------------------------------------------------------------------
// Push: device token, SNS endpoint
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn device_token_accepts_the_apps_hex_token_and_refuses_anything_else() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Dev").await;
    let hex = "ABCDEF0123456789".repeat(4);
    let res = app
        .post_raw_form(
            "/api/v1/users/me/device-token",
            Some(&acc.token),
            &format!("token={hex}"),
        )
        .await;
    assert_eq!(ok(&res), json!({"status": "success", "endpoint_arn": null}));
    let stored: Option<String> = sql(&app)
        .await
        .query_one(
            "SELECT apns_token FROM users WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("row")
        .get(0);
    assert_eq!(stored, Some(hex.to_lowercase()));

    for bad in ["token=not-hex-at-all", "token=abc123", "token="] {
        let res = app
            .post_raw_form("/api/v1/users/me/device-token", Some(&acc.token), bad)
            .await;
        assert_invalid(&res, "token");
    }
    let missing = app
        .post_raw_form("/api/v1/users/me/device-token", Some(&acc.token), "")
        .await;
    assert_invalid(&missing, "token");
}

/// The original called SNS `SetEndpointAttributes` on whatever ARN the client sent, so one user
/// could point another user's pushes at their own phone. Here the ARN is only read back: the
/// token becomes the caller's own device token and nobody else's row changes.
#[tokio::test(flavor = "multi_thread")]
async fn update_endpoint_repoints_the_callers_own_device_never_a_client_supplied_arn() {
    let app = app(Backend::Postgres).await;
    let (acc, other) = (app.register("Sna").await, app.register("Oth").await);
    let other_arn = "arn:aws:sns:us-east-1:1:endpoint/APNS/calndr/other";
    let db = sql(&app).await;
    db.execute(
        "UPDATE users SET sns_endpoint_arn = $2, apns_token = $3 WHERE id = $1::text::uuid",
        &[&other.user_id, &other_arn, &"cd".repeat(32)],
    )
    .await
    .expect("give the other user an endpoint");
    let res = app
        .post_json(
            "/api/v1/users/me/update-endpoint",
            Some(&acc.token),
            &json!({"endpoint_arn": other_arn, "token": "AB".repeat(32)}),
        )
        .await;
    assert_eq!(
        ok(&res),
        json!({"status": "success", "message": "Endpoint updated successfully", "endpoint_arn": null})
    );
    let device = |id: String| {
        let db = &db;
        async move {
            let row = db
                .query_one(
                    "SELECT apns_token, sns_endpoint_arn FROM users WHERE id = $1::text::uuid",
                    &[&id],
                )
                .await
                .expect("row");
            (
                row.get::<_, Option<String>>(0),
                row.get::<_, Option<String>>(1),
            )
        }
    };
    assert_eq!(
        device(acc.user_id.clone()).await,
        (Some("ab".repeat(32)), None)
    );
    assert_eq!(
        device(other.user_id.clone()).await,
        (Some("cd".repeat(32)), Some(other_arn.to_owned())),
        "another user's endpoint is untouched"
    );
    let bad = app
        .post_json(
            "/api/v1/users/me/update-endpoint",
            Some(&acc.token),
            &json!({"endpoint_arn": other_arn, "token": "not hex"}),
        )
        .await;
    assert_invalid(&bad, "token");
}

// ---------------------------------------------------------------------------------------------
// Last sign-in, preferences, enrollment status, location
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn last_signin_moves_last_signed_in_forward() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Lou").await;
    sql(&app)
        .await
        .execute(
            "UPDATE users SET last_signed_in = '2024-01-02 03:04:05' WHERE id = $1::text::uuid",
            &[&acc.user_id],
        )
        .await
        .expect("age the sign-in");
    assert_eq!(
        profile(&app, &acc).await["last_signed_in"],
        "2024-01-02 03:04:05"
    );
    // The app sends no body and no Content-Type.
    let res = app
        .post("/api/v1/users/me/last-signin", Some(&acc.token))
        .await;
    assert_eq!(
        ok(&res),
        json!({"message": "Last signin time updated successfully"})
    );
    let now = profile(&app, &acc).await;
    let parse = |key: &str| {
        let raw = now[key].as_str().expect("a timestamp");
        chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f").expect(raw)
    };
    // Back to now: not before the account was created.
    assert!(parse("last_signed_in") >= parse("created_at"), "{now}");
}

#[tokio::test(flavor = "multi_thread")]
async fn preferences_change_only_the_fields_sent_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Tia").await;
    let notifications = || async {
        let raw: Option<String> = sql(&app)
            .await
            .query_one(
                "SELECT notification_preferences::text FROM user_preferences \
                 WHERE user_id = $1::text::uuid",
                &[&acc.user_id],
            )
            .await
            .expect("preferences row")
            .get(0);
        raw.map(|r| serde_json::from_str::<Value>(&r).expect("json"))
    };
    let put = |body: Value| {
        let token = acc.token.clone();
        let app = &app;
        async move {
            app.put_json("/api/v1/users/preferences", Some(&token), &body)
                .await
        }
    };
    let saved = json!({"status": "success", "message": "Preferences updated successfully"});

    assert_eq!(ok(&put(json!({"theme": "Ocean"})).await), saved);
    assert_eq!(profile(&app, &acc).await["theme"], "Ocean");
    let prefs = json!({"email": false, "push": true, "sms": true});
    assert_eq!(
        ok(&put(json!({"notification_preferences": prefs})).await),
        saved
    );
    assert_eq!(
        profile(&app, &acc).await["theme"],
        "Ocean",
        "the original cleared the theme here"
    );
    assert_eq!(notifications().await, Some(prefs.clone()));
    ok(&put(json!({"theme": "Sunset", "selected_theme_id": null})).await);
    assert_eq!(profile(&app, &acc).await["theme"], "Sunset");
    assert_eq!(notifications().await, Some(prefs.clone()));

    assert_invalid(&put(json!({"theme": 5})).await, "body");
    assert_invalid(
        &put(json!({"notification_preferences": {"push": "yes"}})).await,
        "body",
    );
    assert_invalid(
        &put(json!({"notification_preferences": {"not a channel": true}})).await,
        "notification_preferences",
    );
    assert_invalid(&put(json!({"theme": ""})).await, "theme");
    assert_eq!(profile(&app, &acc).await["theme"], "Sunset");
    assert_eq!(notifications().await, Some(prefs));
}

#[tokio::test(flavor = "multi_thread")]
async fn enrollment_status_sets_the_enrolled_flag() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Eno").await;
    for enrolled in [true, false] {
        let res = app
            .put_json(
                "/api/v1/users/enrollment-status",
                Some(&acc.token),
                &json!({"enrolled": enrolled}),
            )
            .await;
        assert_eq!(
            ok(&res),
            json!({"status": "success", "message": "Enrollment status updated successfully"})
        );
        assert_eq!(profile(&app, &acc).await["enrolled"], enrolled);
    }
    let missing = app
        .put_json(
            "/api/v1/users/enrollment-status",
            Some(&acc.token),
            &json!({}),
        )
        .await;
    assert_invalid(&missing, "enrolled");
    let wrong_type = app
        .put_json(
            "/api/v1/users/enrollment-status",
            Some(&acc.token),
            &json!({"enrolled": 1}),
        )
        .await;
    assert_invalid(&wrong_type, "body");
}

#[tokio::test(flavor = "multi_thread")]
async fn location_is_stored_unlike_the_original_and_impossible_coordinates_are_refused() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Loc").await;
    let stored = || async {
        let row = sql(&app)
            .await
            .query_one(
                "SELECT last_known_location, last_known_location_timestamp IS NOT NULL \
                 FROM users WHERE id = $1::text::uuid",
                &[&acc.user_id],
            )
            .await
            .expect("row");
        (row.get::<_, Option<String>>(0), row.get::<_, bool>(1))
    };
    assert_eq!(stored().await, (None, false));
    let res = app
        .post_json(
            "/api/v1/user/location",
            Some(&acc.token),
            &json!({"latitude": 34.2257, "longitude": -77.9447}),
        )
        .await;
    assert_eq!(
        ok(&res),
        json!({"status": "success", "message": "Location updated successfully"})
    );
    assert_eq!(stored().await, (Some("34.2257,-77.9447".to_owned()), true));
    // Integers are valid doubles.
    ok(&app
        .post_json(
            "/api/v1/user/location/",
            Some(&acc.token),
            &json!({"latitude": -90, "longitude": 180}),
        )
        .await);
    assert_eq!(stored().await, (Some("-90,180".to_owned()), true));

    for (body, field) in [
        (json!({"latitude": 90.5, "longitude": 0.0}), "latitude"),
        (json!({"latitude": 0.0, "longitude": -180.01}), "longitude"),
        (json!({"longitude": 0.0}), "latitude"),
        (json!({"latitude": "north", "longitude": 0.0}), "body"),
    ] {
        let res = app
            .post_json("/api/v1/user/location", Some(&acc.token), &body)
            .await;
        assert_invalid(&res, field);
    }
    assert_eq!(stored().await, (Some("-90,180".to_owned()), true));
}

// ---------------------------------------------------------------------------------------------
// Profile photos
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn photo_upload_returns_the_profile_with_a_url_that_serves_the_same_bytes_unlike_the_original(
) {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Pho").await;
    let mut jpeg = JPEG.to_vec();
    jpeg.extend((0..4096u32).map(|i| (i % 251) as u8));
    let res = app
        .send(app_photo_upload(&acc.token, "photo", "image/jpeg", &jpeg))
        .await;
    let body = ok(&res);
    assert_eq!(body["id"], acc.user_id.as_str());
    assert_eq!(body["family_id"], acc.family_id.as_str());
    let url = body["profile_photo_url"].as_str().expect("photo url");
    assert!(url.starts_with("http://calndr.test/media/"), "{url}");
    assert!(url.ends_with(".jpg"), "{url}");
    assert_eq!(profile(&app, &acc).await["profile_photo_url"], url);

    let media = app.get(url_path(url), None).await;
    assert_eq!(media.status, StatusCode::OK);
    assert_eq!(media.header("content-type"), Some("image/jpeg"));
    assert_eq!(media.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(media.body, jpeg);
    // Media is served to anyone with the URL, but nothing else is.
    let missing = app.get("/media/profile-photos/nope.jpg", None).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
    let escape = app.get("/media/..%2F..%2Fetc%2Fpasswd", None).await;
    assert_eq!(escape.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn photo_upload_refuses_non_images_oversized_and_missing_parts() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Bad").await;
    let text = app
        .send(app_photo_upload(
            &acc.token,
            "photo",
            "image/jpeg",
            b"just some text, not a picture",
        ))
        .await;
    assert_error(&text, StatusCode::BAD_REQUEST, "not_an_image");
    let declared_text = app
        .send(app_photo_upload(&acc.token, "photo", "text/plain", &JPEG))
        .await;
    assert_error(&declared_text, StatusCode::BAD_REQUEST, "not_an_image");

    let mut big = JPEG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0xAB);
    let too_large = app
        .send(app_photo_upload(&acc.token, "photo", "image/jpeg", &big))
        .await;
    assert_error(
        &too_large,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );

    // No part named `photo`.
    let res = app
        .send(multipart_post(
            "/api/v1/user/profile/photo",
            Some(&acc.token),
            multipart(BOUNDARY, &[("avatar", "a.jpg", "image/jpeg", &JPEG)]),
            BOUNDARY,
        ))
        .await;
    assert_invalid(&res, "photo");
    let empty = app
        .send(multipart_post(
            "/api/v1/user/profile/photo",
            Some(&acc.token),
            multipart(BOUNDARY, &[]),
            BOUNDARY,
        ))
        .await;
    assert_invalid(&empty, "photo");
    let after = ok(&app.get("/api/v1/users/profile", Some(&acc.token)).await);
    assert_eq!(after["profile_photo_url"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn photo_upload_with_part_file_returns_its_url_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Fil").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let res = app
        .send(multipart_post(
            "/api/v1/users/profile-photo",
            Some(&acc.token),
            multipart(BOUNDARY, &[("file", "me.png", "image/png", &png)]),
            BOUNDARY,
        ))
        .await;
    let body = ok(&res);
    let url = body["url"].as_str().expect("url");
    assert!(
        url.starts_with("http://calndr.test/media/") && url.ends_with(".png"),
        "{url}"
    );
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    assert_eq!(profile(&app, &acc).await["profile_photo_url"], url);
    let media = app.get(url_path(url), None).await;
    assert_eq!(media.header("content-type"), Some("image/png"));
    assert_eq!(media.body, png);

    let wrong_part = app
        .send(multipart_post(
            "/api/v1/users/profile-photo",
            Some(&acc.token),
            multipart(BOUNDARY, &[("photo", "me.png", "image/png", &png)]),
            BOUNDARY,
        ))
        .await;
    assert_invalid(&wrong_part, "file");
}

// ---------------------------------------------------------------------------------------------
// POST /users/ (public account creation)
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn public_user_creation_returns_the_user_without_a_token_unlike_the_original() {
    let app = app(Backend::Postgres).await;
    let email = unique_email("pub");
    let res = app
        .post_json(
            "/api/v1/users/",
            None,
            &json!({"first_name": "Pia", "last_name": "Public", "email": email,
                    "password": "public-pass-1"}),
        )
        .await;
    let body = ok(&res);
    assert!(body.get("access_token").is_none(), "{body}");
    assert_eq!(body["email"], email.as_str());
    uuid::Uuid::parse_str(body["id"].as_str().expect("id")).expect("uuid id");
    uuid::Uuid::parse_str(body["family_id"].as_str().expect("family")).expect("uuid family");
    insta::assert_json_snapshot!("user_response", body, {
        ".id" => "[user id]",
        ".family_id" => "[family id]",
        ".email" => "[email]",
        ".created_at" => "[timestamp]",
        ".last_signed_in" => "[timestamp]",
    });
    // The account signs in.
    let logged_in = ok(&login(&app, &email, "public-pass-1").await);
    assert_eq!(logged_in["user"]["id"], body["id"]);

    let again = app
        .post_json(
            "/api/v1/users",
            None,
            &json!({"first_name": "Pia", "last_name": "Public", "email": email.to_uppercase(),
                    "password": "public-pass-1"}),
        )
        .await;
    assert_error(&again, StatusCode::CONFLICT, "email_taken");
    let invalid = app
        .post_json(
            "/api/v1/users/",
            None,
            &json!({"first_name": "Pia", "last_name": "Public", "email": unique_email("p"),
                    "password": "short"}),
        )
        .await;
    assert_invalid(&invalid, "password");
}
