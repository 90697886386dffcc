//! `GET /custody/who` and `GET /custody/time-share` (issue #15 item 4) on PostgreSQL: who has the
//! children at a local time of the family's zone (the previous parent until the handoff time),
//! agreeing with the month view; each parent's overnights, share and handoffs.

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::family_leave::coparents;
use crate::support::{app, assert_invalid, ok};

async fn day(app: &TestApp, token: &str, body: Value) {
    ok(&app.post_json("/api/v1/custody/", Some(token), &body).await);
}

async fn who(app: &TestApp, token: &str, at: &str) -> Value {
    ok(&app
        .get(&format!("/api/v1/custody/who?at={at}"), Some(token))
        .await)
}

#[tokio::test(flavor = "multi_thread")]
async fn who_has_them_follows_the_handoff_time_in_the_familys_zone() {
    let app = app(Backend::Postgres).await;
    let (alice, bob) = coparents(&app).await;
    let a = alice.token.as_str();
    ok(&app
        .put_json(
            "/api/v1/family/settings",
            Some(a),
            &json!({"timezone": "America/New_York"}),
        )
        .await);
    // Alice Thu 10th-Fri 11th, Bob from Sat 12th at 17:00 at school through Sun 13th, Alice
    // from Mon 14th (a weekday handoff: 17:00 at daycare by default).
    for (date, parent) in [("2026-12-10", &alice), ("2026-12-11", &alice)] {
        day(
            &app,
            a,
            json!({"date": date, "custodian_id": parent.user_id}),
        )
        .await;
    }
    day(
        &app,
        a,
        json!({"date": "2026-12-12", "custodian_id": bob.user_id,
               "handoff_time": "17:00", "handoff_location": "school"}),
    )
    .await;
    for (date, parent) in [("2026-12-13", &bob), ("2026-12-14", &alice)] {
        day(
            &app,
            a,
            json!({"date": date, "custodian_id": parent.user_id}),
        )
        .await;
    }

    let before = who(&app, a, "2026-12-12T16:59").await;
    assert_eq!(before["custodian_id"], json!(alice.user_id), "{before}");
    assert_eq!(before["first_name"], "Alice");
    assert_eq!(before["timezone"], "America/New_York");
    assert_eq!(before["at"], "2026-12-12T16:59:00-05:00");
    assert_eq!(before["since"], "2026-12-10T00:00:00-05:00");
    assert_eq!(before["until"], "2026-12-12T17:00:00-05:00");
    assert_eq!(
        before["next_handoff"],
        json!({"at": "2026-12-12T17:00:00-05:00", "location": "school",
               "to": bob.user_id, "to_first_name": "Bob"})
    );
    let after = who(&app, a, "2026-12-12T17:00").await;
    assert_eq!(after["custodian_id"], json!(bob.user_id));
    assert_eq!(after["since"], "2026-12-12T17:00:00-05:00");
    assert_eq!(after["until"], "2026-12-14T17:00:00-05:00");
    assert_eq!(after["next_handoff"]["location"], "daycare");
    let past_the_records = who(&app, a, "2026-12-14T18:00").await;
    assert_eq!(past_the_records["until"], "2026-12-15T00:00:00-05:00");
    assert_eq!(past_the_records["next_handoff"], Value::Null);
    let nobody = who(&app, a, "2026-12-20T12:00").await;
    assert_eq!(nobody["custodian_id"], Value::Null, "{nobody}");

    // At the end of each day of the month view, its custodian has them.
    let month = ok(&app.get("/api/v1/custody/2026/12", Some(a)).await);
    for d in month.as_array().expect("days") {
        let date = d["event_date"].as_str().expect("date");
        let late = who(&app, a, &format!("{date}T23:59")).await;
        assert_eq!(late["custodian_id"], d["custodian_id"], "{date}");
    }
    // Bob sees the same; another family sees nobody.
    assert_eq!(who(&app, &bob.token, "2026-12-12T16:59").await, before);
    let carol = app.register("Carol").await;
    assert_eq!(
        who(&app, &carol.token, "2026-12-12T16:59").await["custodian_id"],
        Value::Null
    );
    // Now, when `at` is left out; a bad instant is 422.
    ok(&app.get("/api/v1/custody/who", Some(a)).await);
    for bad in [
        "2026-12-12",
        "2026-13-01T10:00",
        "1899-12-31T10:00",
        "2026-12-12T7:00",
        "2026-12-12T10:00:60",
        "noon",
    ] {
        let res = app
            .get(&format!("/api/v1/custody/who?at={bad}"), Some(a))
            .await;
        assert_invalid(&res, "at");
    }

    // Time share of the 10th-14th: Alice 3 nights, Bob 2; a handoff to each.
    let share = ok(&app
        .get(
            "/api/v1/custody/time-share?start=2026-12-10&end=2026-12-16",
            Some(a),
        )
        .await);
    assert_eq!(share["days"], 7);
    assert_eq!(share["unrecorded_days"], 2);
    assert_eq!(
        share["parents"],
        json!([
            {"custodian_id": alice.user_id, "first_name": "Alice", "overnights": 3,
             "share_percent": 60.0, "handoffs": 1},
            {"custodian_id": bob.user_id, "first_name": "Bob", "overnights": 2,
             "share_percent": 40.0, "handoffs": 1},
        ])
    );
    for (query, field) in [
        ("start=2026-12-10&end=2026-12-09", "end"),
        ("start=2020-01-01&end=2026-01-02", "end"),
        ("start=2026-02-30&end=2026-03-01", "start"),
    ] {
        let res = app
            .get(&format!("/api/v1/custody/time-share?{query}"), Some(a))
            .await;
        assert_invalid(&res, field);
    }
    let unauthenticated = app.get("/api/v1/custody/who", None).await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
}
