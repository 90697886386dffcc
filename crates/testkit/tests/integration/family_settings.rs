//! `GET/PUT /api/v1/family/settings` (issue #15 item 1): the family's IANA time zone, UTC until a
//! member sets one; each change is attributed to its author and seen by every member at once;
//! names outside the tz database are 422; other families and a parent who leaves keep their own.

use actix_web::http::StatusCode;
use calndr_testkit::Backend;
use serde_json::{json, Value};

use crate::family_leave::{coparents, leave};
use crate::support::{app, assert_error, assert_invalid, ok};

const PATH: &str = "/api/v1/family/settings";

#[tokio::test(flavor = "multi_thread")]
async fn a_time_zone_one_parent_sets_is_the_familys_and_names_its_author() {
    for backend in [Backend::Memory, Backend::Postgres] {
        let app = app(backend).await;
        let (alice, bob) = coparents(&app).await;
        let (a, b) = (Some(alice.token.as_str()), Some(bob.token.as_str()));

        let fresh = ok(&app.get(PATH, b).await);
        assert_eq!(
            fresh,
            json!({"timezone": "UTC", "updated_by": null, "updated_at": null}),
            "{backend:?}"
        );

        let set = ok(&app
            .put_json(PATH, a, &json!({"timezone": "America/New_York"}))
            .await);
        assert_eq!(set["timezone"], "America/New_York");
        assert_eq!(set["updated_by"], json!(alice.user_id));
        let stamp = set["updated_at"].as_str().expect("a time");
        assert!(
            chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
            "{stamp}"
        );
        assert_eq!(ok(&app.get(PATH, b).await), set, "Bob sees Alice's change");

        let changed = ok(&app
            .put_json(PATH, b, &json!({"timezone": "Europe/London"}))
            .await);
        assert_eq!(changed["updated_by"], json!(bob.user_id));
        assert_eq!(ok(&app.get(PATH, a).await)["timezone"], "Europe/London");

        // Another family is not touched, and has its own.
        let carol = app.register("Carol").await;
        let c = Some(carol.token.as_str());
        assert_eq!(ok(&app.get(PATH, c).await)["timezone"], "UTC");
        ok(&app
            .put_json(PATH, c, &json!({"timezone": "Asia/Tokyo"}))
            .await);
        assert_eq!(ok(&app.get(PATH, a).await), changed);

        // Alice leaves: her new family starts at UTC, the old one keeps its zone.
        assert_eq!(leave(&app, &alice).await.status, StatusCode::NO_CONTENT);
        assert_eq!(ok(&app.get(PATH, a).await)["timezone"], "UTC");
        assert_eq!(ok(&app.get(PATH, b).await), changed);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_outside_the_tz_database_is_422_and_changes_nothing() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Tz").await;
    let t = Some(acc.token.as_str());
    ok(&app
        .put_json(PATH, t, &json!({"timezone": "Europe/Paris"}))
        .await);
    let before = ok(&app.get(PATH, t).await);
    for bad in [
        json!({"timezone": "Mars/Olympus"}),
        json!({"timezone": "+02:00"}),
        json!({"timezone": "europe/paris"}),
        json!({"timezone": " Europe/Paris"}),
        json!({"timezone": ""}),
        json!({}),
    ] {
        let res = app.put_json(PATH, t, &bad).await;
        assert_invalid(&res, "timezone");
    }
    // Not a string at all: the body is of the wrong shape.
    let res = app.put_json(PATH, t, &json!({"timezone": 2})).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(ok(&app.get(PATH, t).await), before);
    for res in [
        app.get(PATH, None).await,
        app.put_json(PATH, None, &json!({"timezone": "UTC"})).await,
    ] {
        assert_error(&res, StatusCode::UNAUTHORIZED, "not_authenticated");
    }
}

/// The schema lists exactly the names the server accepts.
#[tokio::test(flavor = "multi_thread")]
async fn the_document_lists_every_accepted_time_zone() {
    let app = app(Backend::Memory).await;
    let doc: Value = ok(&app.get("/api/v1/openapi.json", None).await);
    let names = doc["components"]["schemas"]["FamilySettingsRequest"]["properties"]["timezone"]
        ["enum"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(names.len() > 400, "{}", names.len());
    assert!(names.contains(&json!("America/Chicago")));
    let acc = app.register("Doc").await;
    for name in names.iter().step_by(37) {
        let set = ok(&app
            .put_json(PATH, Some(&acc.token), &json!({"timezone": name}))
            .await);
        assert_eq!(&set["timezone"], name);
    }
}
