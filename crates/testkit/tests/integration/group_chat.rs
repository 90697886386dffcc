//! `POST /api/v1/group-chat` (spec 1.12; contract 2.7 K9).

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp};
use serde_json::json;

use crate::support::{app, assert_error, assert_invalid, ok, sql};

/// A babysitter linked to the account's family (their routes come later: rows by SQL).
pub async fn seed_babysitter(app: &TestApp, acc: &Account) -> i32 {
    sql(app)
        .await
        .query_one(
            "WITH b AS (INSERT INTO babysitters (first_name, last_name, phone_number, created_by_user_id) \
                        VALUES ('Sam', 'Sitter', '555-0100', $2::text::uuid) RETURNING id) \
             INSERT INTO babysitter_families (babysitter_id, family_id, added_by_user_id) \
             SELECT id, $1::text::uuid, $2::text::uuid FROM b RETURNING babysitter_id",
            &[&acc.family_id, &acc.user_id],
        )
        .await
        .expect("seed babysitter")
        .get(0)
}

/// An emergency contact of the account's family.
pub async fn seed_emergency_contact(app: &TestApp, acc: &Account) -> i32 {
    sql(app)
        .await
        .query_one(
            "INSERT INTO emergency_contacts (family_id, first_name, last_name, phone_number, \
                                             created_by_user_id) \
             VALUES ($1::text::uuid, 'Em', 'Ergency', '555-0199', $2::text::uuid) RETURNING id",
            &[&acc.family_id, &acc.user_id],
        )
        .await
        .expect("seed emergency contact")
        .get(0)
}

fn is_identifier(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 16
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn group_chat_is_created_once_per_contact_of_the_family_and_a_foreign_contact_is_404() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Gus").await;
    let sitter = seed_babysitter(&app, &acc).await;
    let contact = seed_emergency_contact(&app, &acc).await;
    let t = Some(acc.token.as_str());

    // K9 as the app sends it (no group_identifier).
    let first = ok(&app
        .post_json(
            "/api/v1/group-chat",
            t,
            &json!({"contact_type": "babysitter", "contact_id": sitter}),
        )
        .await);
    assert_eq!(first["exists"], false);
    assert!(is_identifier(&first["group_identifier"]), "{first}");
    assert!(first["created_at"].is_string());
    let again = ok(&app
        .post_json(
            "/api/v1/group-chat/",
            t,
            &json!({"contact_type": "babysitter", "contact_id": sitter,
                    "group_identifier": "ignored"}),
        )
        .await);
    assert_eq!(again["exists"], true);
    assert_eq!(again["group_identifier"], first["group_identifier"]);

    let em = ok(&app
        .post_json(
            "/api/v1/group-chat",
            t,
            &json!({"contact_type": "emergency", "contact_id": contact}),
        )
        .await);
    assert_eq!(em["exists"], false);
    assert_ne!(em["group_identifier"], first["group_identifier"]);

    // Not the family's contact (a type mismatch included): 404.
    for body in [
        json!({"contact_type": "emergency", "contact_id": sitter + 1000}),
        json!({"contact_type": "babysitter", "contact_id": 999_999}),
    ] {
        let res = app.post_json("/api/v1/group-chat", t, &body).await;
        assert_error(&res, StatusCode::NOT_FOUND, "not_found");
    }
    assert_invalid(
        &app.post_json(
            "/api/v1/group-chat",
            t,
            &json!({"contact_type": "friend", "contact_id": sitter}),
        )
        .await,
        "contact_type",
    );
    assert_invalid(
        &app.post_json(
            "/api/v1/group-chat",
            t,
            &json!({"contact_type": "babysitter", "contact_id": "seven"}),
        )
        .await,
        "body",
    );
    assert_invalid(
        &app.post_json(
            "/api/v1/group-chat",
            t,
            &json!({"contact_type": "babysitter"}),
        )
        .await,
        "contact_id",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_first_calls_create_exactly_one_group_chat() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Gus").await;
    let sitter = seed_babysitter(&app, &acc).await;
    let body = json!({"contact_type": "babysitter", "contact_id": sitter});
    let calls = (0..8).map(|_| app.post_json("/api/v1/group-chat", Some(&acc.token), &body));
    let results = futures_util::future::join_all(calls).await;
    let ids: std::collections::HashSet<String> = results
        .iter()
        .map(|r| ok(r)["group_identifier"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let created = results
        .iter()
        .filter(|r| r.json()["exists"] == false)
        .count();
    assert_eq!(created, 1);
    let rows: i64 = sql(&app)
        .await
        .query_one(
            "SELECT count(*) FROM group_chats WHERE family_id = $1::text::uuid",
            &[&acc.family_id],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, 1);
}
