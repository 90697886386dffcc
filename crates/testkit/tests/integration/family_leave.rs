//! `POST /api/v1/family/leave` (issue #14 item 4): the caller gets a new empty family of their
//! own; the old family's members stop seeing them at once and its custodian list shows the
//! placeholder second parent again; codes the caller made stop working; the family's records stay.

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, assert_error, ok, seed_code};

async fn join(app: &TestApp, who: &Account, code: &str) -> Value {
    ok(&app
        .post_json(
            "/api/v1/auth/register-with-family",
            None,
            &json!({"first_name": "Bob", "last_name": "Tester", "email": who.email,
                    "password": who.password, "phone_number": null,
                    "enrollment_code": code, "family_id": null}),
        )
        .await)
}

/// Alice and Bob, co-parents of Alice's family (Bob joined with a code).
pub(crate) async fn coparents(app: &TestApp) -> (Account, Account) {
    let alice = app.register("Alice").await;
    let bob = app.register("Bob").await;
    let code = seed_code(app, &alice).await;
    join(app, &bob, &code).await;
    (alice, bob)
}

pub(crate) async fn leave(app: &TestApp, who: &Account) -> TestResponse {
    app.post("/api/v1/family/leave", Some(&who.token)).await
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn code_is_usable(app: &TestApp, code: &str) -> bool {
    app.post(
        &format!("/api/v1/auth/verify-enrollment-code?enrollment_code={code}"),
        None,
    )
    .await
    .status
        == StatusCode::OK
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parent_who_leaves_gets_a_family_of_their_own_and_the_other_stops_seeing_them() {
    for backend in [Backend::Memory, Backend::PostgresRedis] {
        let app = app(backend).await;
        let (alice, bob) = coparents(&app).await;
        let (a, b) = (Some(alice.token.as_str()), Some(bob.token.as_str()));
        // Bob's view before: he is in Alice's family (read once, so it is cached).
        let before = ok(&app.get("/api/v1/users/profile", b).await);
        assert_eq!(before["family_id"], alice.family_id.as_str(), "{backend:?}");
        // Bob makes a code of his own for the family (Alice's is spent).
        let bobs_code = ok(&app.post("/api/v1/enrollment/create-code", b).await)["enrollmentCode"]
            .as_str()
            .expect("code")
            .to_owned();
        assert!(code_is_usable(&app, &bobs_code).await, "{backend:?}");
        for (date, who) in [("2026-12-10", &alice.user_id), ("2026-12-11", &bob.user_id)] {
            ok(&app
                .post_json(
                    "/api/v1/custody/",
                    a,
                    &json!({"date": date, "custodian_id": who}),
                )
                .await);
        }
        let custody_before = ok(&app.get("/api/v1/custody/2026/12", a).await);
        let custodians = ok(&app.get("/api/v1/family/custodians", a).await);
        assert_eq!(
            ids(&custodians),
            [alice.user_id.clone(), bob.user_id.clone()]
        );

        assert_eq!(leave(&app, &bob).await.status, StatusCode::NO_CONTENT);

        // Alice: Bob is gone from the members and custodians at once; the placeholder is back.
        let members = ok(&app.get("/api/v1/family/members", a).await);
        assert_eq!(
            ids(&members),
            std::slice::from_ref(&alice.user_id),
            "{backend:?}"
        );
        let custodians = ok(&app.get("/api/v1/family/custodians", a).await);
        assert_eq!(
            ids(&custodians),
            [alice.user_id.clone(), "placeholder".to_owned()],
            "{backend:?}"
        );
        let emails = ok(&app.get("/api/v1/family/emails", a).await);
        assert!(!emails.to_string().contains(&bob.email), "{backend:?}");
        // The family's records stay with it (the days Bob had are still his, by name).
        assert_eq!(
            ok(&app.get("/api/v1/custody/2026/12", a).await),
            custody_before,
            "{backend:?}"
        );
        // Alice has no co-parent any more: the app offers the invitation again.
        let profile = ok(&app.get("/api/v1/users/profile", a).await);
        assert_eq!(profile["coparent_enrolled"], false, "{backend:?}");
        // The code Bob made for the old family no longer opens it.
        assert!(!code_is_usable(&app, &bobs_code).await, "{backend:?}");

        // Bob: his token still works and names a new, empty family of his own.
        let after = ok(&app.get("/api/v1/users/profile", b).await);
        let new_family = after["family_id"].as_str().expect("family").to_owned();
        assert_ne!(new_family, alice.family_id, "{backend:?}");
        assert_eq!(after["enrolled"], false, "{backend:?}");
        assert_eq!(after["coparent_enrolled"], false, "{backend:?}");
        let mine = ok(&app.get("/api/v1/family/members", b).await);
        assert_eq!(
            ids(&mine),
            std::slice::from_ref(&bob.user_id),
            "{backend:?}"
        );
        let custodians = ok(&app.get("/api/v1/family/custodians", b).await);
        assert_eq!(
            ids(&custodians),
            [bob.user_id.clone(), "placeholder".to_owned()]
        );
        let month = ok(&app.get("/api/v1/custody/2026/12", b).await);
        assert_eq!(month, json!([]), "{backend:?}");
        let events = ok(&app.get("/api/v1/events/2026/12", b).await);
        assert_eq!(events, json!([]), "{backend:?}");

        // Alice, alone now, has no one to leave; Bob neither, in his new family.
        for who in [&alice, &bob] {
            assert_error(&leave(&app, who).await, StatusCode::CONFLICT, "conflict");
        }
        // And they can come together again with a new code.
        let again = seed_code(&app, &alice).await;
        join(&app, &bob, &again).await;
        let members = ok(&app.get("/api/v1/family/members", a).await);
        assert_eq!(ids(&members).len(), 2, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_parents_leaving_at_once_never_leave_the_family_empty() {
    let app = app(Backend::Postgres).await;
    for _ in 0..5 {
        let (alice, bob) = coparents(&app).await;
        let (x, y) = tokio::join!(leave(&app, &alice), leave(&app, &bob));
        let mut statuses = [x.status.as_u16(), y.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [204, 409],
            "one leaves, the other is then alone: {:?} {:?}",
            x.body,
            y.body
        );
        let members: i64 = crate::support::sql(&app)
            .await
            .query_one(
                "SELECT count(*) FROM users WHERE family_id = $1::text::uuid",
                &[&alice.family_id],
            )
            .await
            .expect("count")
            .get(0);
        assert_eq!(members, 1);
    }
}
