//! `/api/v1/family/*`: the app's exact requests, keys and formats (contract 2.3 F1-F5).

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::support::{app, assert_error, ok, seed_code, unique_email};

/// Registers `first` and joins `second` to the same family through an enrollment code.
pub async fn family_of_two(app: &TestApp, first: &str, second: &str) -> (Account, Account) {
    let host = app.register(first).await;
    let code = seed_code(app, &host).await;
    let email = unique_email(&second.to_lowercase());
    let body = ok(&app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": second, "last_name": "Tester", "email": email,
                    "password": "guest-pass-1", "phone_number": null,
                    "enrollment_code": code, "family_id": host.family_id}),
        )
        .await);
    let guest = Account {
        token: body["access_token"].as_str().unwrap_or_default().to_owned(),
        user_id: body["user_id"].as_str().unwrap_or_default().to_owned(),
        family_id: body["family_id"].as_str().unwrap_or_default().to_owned(),
        email,
        password: "guest-pass-1".into(),
    };
    assert_eq!(guest.family_id, host.family_id);
    (host, guest)
}

fn is_iso_millis_z(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3fZ").is_ok() && s.len() == 24
}

#[tokio::test(flavor = "multi_thread")]
async fn custodians_members_and_emails_as_the_app_decodes_them() {
    let app = app(Backend::Postgres).await;
    let zed = app.register("Zed").await;

    // One member: the placeholder second custodian (F2).
    let one = ok(&app.get("/api/v1/family/custodians", Some(&zed.token)).await);
    assert_eq!(
        one,
        json!([{"id": zed.user_id, "first_name": "Zed"},
               {"id": "placeholder", "first_name": "Parent 2"}])
    );

    let code = seed_code(&app, &zed).await;
    let amy_email = unique_email("amy");
    let amy = ok(&app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": "Amy", "last_name": "Tester", "email": amy_email,
                    "password": "guest-pass-1", "phone_number": null,
                    "enrollment_code": code, "family_id": null}),
        )
        .await);
    let amy_id = amy["user_id"].as_str().unwrap_or_default().to_owned();
    let amy_token = amy["access_token"].as_str().unwrap_or_default().to_owned();

    // Two members, in creation order; both spellings of the path.
    let two = ok(&app
        .get("/api/v1/family/custodians/", Some(&amy_token))
        .await);
    assert_eq!(
        two,
        json!([{"id": zed.user_id, "first_name": "Zed"}, {"id": amy_id, "first_name": "Amy"}])
    );

    // E-mails ordered by first name (F3).
    let emails = ok(&app.get("/api/v1/family/emails", Some(&zed.token)).await);
    assert_eq!(
        emails,
        json!([{"id": amy_id, "first_name": "Amy", "email": amy_email},
               {"id": zed.user_id, "first_name": "Zed", "email": zed.email}])
    );

    // Members (F4): location timestamp is ISO 8601 with milliseconds and Z.
    ok(&app
        .post_json(
            "/api/v1/user/location",
            Some(&amy_token),
            &json!({"latitude": 34.29, "longitude": -77.97}),
        )
        .await);
    let members = ok(&app.get("/api/v1/family/members", Some(&zed.token)).await);
    let list = members.as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 2);
    let a = list
        .iter()
        .find(|m| m["id"] == amy_id.as_str())
        .cloned()
        .unwrap_or_default();
    for key in ["id", "first_name", "last_name", "email"] {
        assert!(a[key].is_string(), "{key} in {a}");
    }
    assert_eq!(a["status"], "active");
    assert!(a["last_known_location"]
        .as_str()
        .is_some_and(|l| l.contains(',')));
    assert!(is_iso_millis_z(&a["last_known_location_timestamp"]), "{a}");

    // Another family sees only itself.
    let other = app.register("Other").await;
    let theirs = ok(&app.get("/api/v1/family/members", Some(&other.token)).await);
    assert_eq!(theirs.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.get("/api/v1/family/members", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn location_requests_reach_only_members_of_the_callers_family() {
    let app = app(Backend::Postgres).await;
    let (host, guest) = family_of_two(&app, "Hank", "Gail").await;
    let token = "a".repeat(64);
    ok(&app
        .post_raw_form(
            "/api/v1/users/me/device-token",
            Some(&guest.token),
            &format!("token={token}"),
        )
        .await);

    // The app posts with no body and no Content-Type (F5).
    let sent = app
        .post(
            &format!(
                "/api/v1/family/request-location/{}",
                guest.user_id.to_uppercase()
            ),
            Some(&host.token),
        )
        .await;
    assert_eq!(
        ok(&sent),
        json!({"status": "success", "message": "Location request sent."})
    );
    let pushes = app.push.sent();
    assert_eq!(pushes.len(), 1);
    assert_eq!(pushes[0].device_token, token);
    assert_eq!(
        pushes[0].payload,
        json!({"aps": {"content-available": 1}, "type": "location_request", "requester_name": "Hank"})
    );

    // Another family's user (with a device) is indistinguishable from an unknown id.
    let stranger = app.register("Stranger").await;
    ok(&app
        .post_raw_form(
            "/api/v1/users/me/device-token",
            Some(&stranger.token),
            &format!("token={}", "b".repeat(64)),
        )
        .await);
    let foreign = app
        .post(
            &format!("/api/v1/family/request-location/{}", stranger.user_id),
            Some(&host.token),
        )
        .await;
    let missing = app
        .post(
            &format!("/api/v1/family/request-location/{}", uuid::Uuid::new_v4()),
            Some(&host.token),
        )
        .await;
    assert_error(&foreign, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(foreign.body, missing.body);
    assert_eq!(app.push.sent().len(), 1, "nothing sent to a stranger");
    let bad = app
        .post(
            "/api/v1/family/request-location/not-a-uuid",
            Some(&host.token),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn location_requests_answer_503_while_no_push_provider_is_configured() {
    let app = TestApp::builder(Backend::Memory)
        .fast_hashing()
        .without_push()
        .build()
        .await;
    let (host, guest) = family_of_two(&app, "Hank", "Gail").await;
    let res = app
        .post(
            &format!("/api/v1/family/request-location/{}", guest.user_id),
            Some(&host.token),
        )
        .await;
    assert_error(
        &res,
        StatusCode::SERVICE_UNAVAILABLE,
        "provider_not_configured",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_invite_creates_an_invited_member_without_a_password() {
    for backend in [Backend::Memory, Backend::Postgres] {
        let app = app(backend).await;
        let host = app.register("Host").await;
        let email = unique_email("invitee");
        let body = json!({"first_name": "Ivy", "last_name": "Invitee", "email": email});
        let res = ok(&app
            .post_json("/api/v1/family/invite", Some(&host.token), &body)
            .await);
        assert_eq!(res["status"], "invited");
        assert_eq!(res["family_id"], host.family_id.as_str());
        assert_eq!(res["email"], email.as_str());
        let custodians = ok(&app
            .get("/api/v1/family/custodians", Some(&host.token))
            .await);
        assert_eq!(custodians[1]["first_name"], "Ivy");
        let again = app
            .post_json("/api/v1/family/invite", Some(&host.token), &body)
            .await;
        assert_error(&again, StatusCode::CONFLICT, "email_taken");
        let taken = app
            .post_json(
                "/api/v1/family/invite",
                Some(&host.token),
                &json!({"first_name": "X", "last_name": "Y", "email": host.email.to_uppercase()}),
            )
            .await;
        assert_error(&taken, StatusCode::CONFLICT, "email_taken");
    }
}
