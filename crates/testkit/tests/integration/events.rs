//! `/api/v1/events/*` (spec 1.5; contract 2.4 C1-C4), including the month cache.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, assert_error, assert_invalid, ok, sql};

/// `DELETE path` with the account's token.
pub async fn delete(app: &TestApp, path: &str, token: &str) -> TestResponse {
    app.send(
        TestRequest::delete()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}"))),
    )
    .await
}

/// Creates an event the way the app does (C2) and returns its id.
pub async fn create_event(app: &TestApp, acc: &Account, date: &str, content: &str) -> i64 {
    let body = ok(&app
        .post_json(
            "/api/v1/events/",
            Some(&acc.token),
            &json!({"event_date": date, "content": content}),
        )
        .await);
    body["id"].as_i64().expect("integer id")
}

async fn month(app: &TestApp, acc: &Account, y: i32, m: u32) -> Vec<Value> {
    let body = ok(&app
        .get(&format!("/api/v1/events/{y}/{m}"), Some(&acc.token))
        .await);
    body.as_array().expect("a list").clone()
}

fn contents(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i["content"].as_str().unwrap_or("<none>"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn events_crud_as_the_app_sends_it_and_a_missing_id_is_404_not_a_silent_200() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Eve").await;

    // C2: POST /events/ with event_date and content.
    let created = ok(&app
        .post_json(
            "/api/v1/events/",
            Some(&acc.token),
            &json!({"event_date": "2025-07-04", "content": "Fireworks"}),
        )
        .await);
    let id = created["id"].as_i64().expect("id is an integer");
    assert_eq!(created["event_date"], "2025-07-04");
    assert_eq!(created["content"], "Fireworks");

    // C1: the range view (the app asks for the 42-day grid).
    let list = ok(&app
        .get(
            "/api/v1/events/?start_date=2025-06-29&end_date=2025-08-09",
            Some(&acc.token),
        )
        .await);
    assert_eq!(
        list,
        json!([{"id": id, "family_id": acc.family_id, "event_date": "2025-07-04",
                "content": "Fireworks", "source_type": "family", "event_type": "regular",
                "all_day": false}])
    );
    // Without the trailing slash too.
    let same = ok(&app
        .get(
            "/api/v1/events?start_date=2025-06-29&end_date=2025-08-09",
            Some(&acc.token),
        )
        .await);
    assert_eq!(same, list);

    // C3: PUT with the id in the body too (ignored), moving the event.
    let updated = ok(&app
        .put_json(
            &format!("/api/v1/events/{id}"),
            Some(&acc.token),
            &json!({"id": id, "event_date": "2025-08-01", "content": "Camp", "position": 1}),
        )
        .await);
    assert_eq!(updated["id"], id);
    assert_eq!(updated["event_date"], "2025-08-01");
    assert_eq!(updated["content"], "Camp");
    assert_eq!(updated["position"], 1);
    assert!(month(&app, &acc, 2025, 7).await.is_empty());
    assert_eq!(contents(&month(&app, &acc, 2025, 8).await), ["Camp"]);

    // C4: DELETE.
    let res = delete(&app, &format!("/api/v1/events/{id}/"), &acc.token).await;
    assert_eq!(
        ok(&res),
        json!({"status": "success", "message": "Event deleted successfully"})
    );
    assert!(month(&app, &acc, 2025, 8).await.is_empty());
    // Built from what the original meant: a second delete is 404, not a silent 200.
    let again = delete(&app, &format!("/api/v1/events/{id}"), &acc.token).await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found");
    let put_missing = app
        .put_json(
            &format!("/api/v1/events/{id}"),
            Some(&acc.token),
            &json!({"event_date": "2025-08-01", "content": "x"}),
        )
        .await;
    assert_error(&put_missing, StatusCode::NOT_FOUND, "not_found");

    // No token: 401.
    let anon = app.get("/api/v1/events/2025/7", None).await;
    assert_error(&anon, StatusCode::UNAUTHORIZED, "not_authenticated");
}

#[tokio::test(flavor = "multi_thread")]
async fn event_bad_input_is_4xx_never_500_and_content_over_255_is_422_not_500() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Eve").await;
    let t = Some(acc.token.as_str());
    let post = |body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/events/", t, &body).await }
    };

    assert_invalid(&post(json!({"event_date": "2025-07-04"})).await, "content");
    assert_invalid(&post(json!({"content": "x"})).await, "event_date");
    assert_invalid(
        &post(json!({"event_date": "2025-07-04", "content": "é".repeat(256)})).await,
        "content",
    );
    assert!(
        post(json!({"event_date": "2025-07-04", "content": "é".repeat(255)}))
            .await
            .status
            .is_success()
    );
    assert_invalid(
        &post(json!({"event_date": "2025-13-01", "content": "x"})).await,
        "event_date",
    );
    assert_invalid(
        &post(json!({"event_date": "04/07/2025", "content": "x"})).await,
        "event_date",
    );
    assert_invalid(
        &post(json!({"event_date": "2025-07-04", "content": 5})).await,
        "body",
    );
    assert_invalid(
        &post(json!({"event_date": "2025-07-04", "content": "x", "position": 9})).await,
        "position",
    );
    let custody = post(json!({"event_date": "2025-07-04", "content": "x", "position": 4})).await;
    let body = assert_error(&custody, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(
        body["detail"],
        "Custody events should use /api/custody endpoint"
    );

    let put = app
        .put_json(
            "/api/v1/events/abc",
            t,
            &json!({"event_date": "2025-07-04", "content": "x"}),
        )
        .await;
    assert_invalid(&put, "event_id");
    assert_invalid(
        &delete(&app, "/api/v1/events/-3", &acc.token).await,
        "event_id",
    );
    assert_invalid(
        &delete(&app, "/api/v1/events/99999999999", &acc.token).await,
        "event_id",
    );

    for (query, field) in [
        ("start_date=2025-01-01&end_date=2026-03-01", "end_date"),
        ("start_date=2025-02-01&end_date=2025-01-01", "end_date"),
        ("start_date=2025-02-30&end_date=2025-03-01", "start_date"),
        ("end_date=2025-03-01", "start_date"),
    ] {
        let res = app.get(&format!("/api/v1/events/?{query}"), t).await;
        assert_invalid(&res, field);
    }
    assert_invalid(&app.get("/api/v1/events/2025/13", t).await, "month");
    assert_invalid(&app.get("/api/v1/events/20x5/1", t).await, "year");
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_custody_rows_in_events_are_invisible_everywhere() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Eve").await;
    let db = sql(&app).await;
    let mut ids = Vec::new();
    for (kind, position) in [("custody", None), ("regular", Some(4))] {
        let row = db
            .query_one(
                "INSERT INTO events (family_id, date, content, position, event_type) \
                 VALUES ($1::text::uuid, '2025-07-10', 'legacy', $2, $3) RETURNING id",
                &[&acc.family_id, &position, &kind],
            )
            .await
            .expect("legacy row");
        ids.push(row.get::<_, i32>(0));
    }
    create_event(&app, &acc, "2025-07-10", "Real").await;
    assert_eq!(contents(&month(&app, &acc, 2025, 7).await), ["Real"]);
    let range = ok(&app
        .get(
            "/api/v1/events/?start_date=2025-07-01&end_date=2025-07-31",
            Some(&acc.token),
        )
        .await);
    assert_eq!(range.as_array().map(Vec::len), Some(1));
    for id in ids {
        let put = app
            .put_json(
                &format!("/api/v1/events/{id}"),
                Some(&acc.token),
                &json!({"event_date": "2025-07-11", "content": "hijack"}),
            )
            .await;
        assert_error(&put, StatusCode::NOT_FOUND, "not_found");
        let del = delete(&app, &format!("/api/v1/events/{id}"), &acc.token).await;
        assert_error(&del, StatusCode::NOT_FOUND, "not_found");
    }
    let left: i64 = db
        .query_one(
            "SELECT count(*) FROM events WHERE content = 'legacy' AND date = '2025-07-10'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(left, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn month_view_reads_through_redis_and_every_write_invalidates_the_months_it_touched() {
    let app = app(Backend::PostgresRedis).await;
    let acc = app.register("Eve").await;
    assert!(month(&app, &acc, 2025, 3).await.is_empty());

    // A row written behind the service's back is not seen: the month is served from the cache.
    sql(&app)
        .await
        .execute(
            "INSERT INTO events (family_id, date, content, event_type) \
             VALUES ($1::text::uuid, '2025-03-02', 'Sneaky', 'regular')",
            &[&acc.family_id],
        )
        .await
        .expect("insert");
    assert!(month(&app, &acc, 2025, 3).await.is_empty(), "cached");

    // Every write through the API deletes the months it touched before answering.
    let id = create_event(&app, &acc, "2025-03-05", "Dentist").await;
    assert_eq!(
        contents(&month(&app, &acc, 2025, 3).await),
        ["Sneaky", "Dentist"]
    );
    assert!(month(&app, &acc, 2025, 4).await.is_empty());
    ok(&app
        .put_json(
            &format!("/api/v1/events/{id}"),
            Some(&acc.token),
            &json!({"event_date": "2025-04-01", "content": "Dentist (moved)"}),
        )
        .await);
    assert_eq!(contents(&month(&app, &acc, 2025, 3).await), ["Sneaky"]);
    assert_eq!(
        contents(&month(&app, &acc, 2025, 4).await),
        ["Dentist (moved)"]
    );
    ok(&delete(&app, &format!("/api/v1/events/{id}"), &acc.token).await);
    assert!(month(&app, &acc, 2025, 4).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn range_view_mixes_in_school_closures_and_daycare_events_of_the_assigned_syncs() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Eve").await;
    let db = sql(&app).await;
    db.batch_execute(&format!(
        "WITH sp AS (INSERT INTO school_providers (family_id, name, created_by_user_id) \
                     VALUES ('{f}', 'Oak School', '{u}') RETURNING id), \
              ss AS (INSERT INTO school_calendar_syncs (school_provider_id, calendar_url, sync_enabled) \
                     SELECT id, 'https://school.example/cal', TRUE FROM sp RETURNING id, school_provider_id), \
              se AS (INSERT INTO school_events (school_provider_id, event_date, title, event_type, all_day) \
                     SELECT school_provider_id, d, t, k, TRUE FROM ss, \
                     (VALUES ('2025-07-03'::date, 'Closed', 'closure'), \
                             ('2025-07-04'::date, 'Concert', 'event')) v(d, t, k) RETURNING 1) \
         UPDATE families SET school_sync_id = (SELECT id FROM ss) WHERE id = '{f}'; \
         WITH dp AS (INSERT INTO daycare_providers (family_id, name, created_by_user_id) \
                     VALUES ('{f}', 'Little Steps', '{u}') RETURNING id), \
              ds AS (INSERT INTO daycare_calendar_syncs (daycare_provider_id, calendar_url, sync_enabled) \
                     SELECT id, 'https://daycare.example/cal', TRUE FROM dp RETURNING id, daycare_provider_id), \
              de AS (INSERT INTO daycare_events (daycare_provider_id, event_date, title, event_type, \
                                                 start_time, end_time, all_day) \
                     SELECT daycare_provider_id, '2025-07-05', 'Picnic', 'event', '10:00', '12:30', FALSE \
                     FROM ds RETURNING 1) \
         UPDATE families SET daycare_sync_id = (SELECT id FROM ds) WHERE id = '{f}';",
        f = acc.family_id,
        u = acc.user_id
    ))
    .await
    .expect("seed provider calendars");
    create_event(&app, &acc, "2025-07-04", "BBQ").await;

    let list = ok(&app
        .get(
            "/api/v1/events/?start_date=2025-07-01&end_date=2025-07-31",
            Some(&acc.token),
        )
        .await);
    let items = list.as_array().expect("list");
    let kinds: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["source_type"].as_str().unwrap_or(""),
                i["content"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("family", "BBQ"),
            ("school", "Closed"),
            ("daycare", "Picnic")
        ]
    );
    let picnic = &items[2];
    assert_eq!(picnic["provider_name"], "Little Steps");
    assert_eq!(picnic["start_time"], "10:00:00");
    assert_eq!(picnic["all_day"], false);
    assert_eq!(picnic["event_date"], "2025-07-05");
    assert!(picnic["provider_id"].is_i64());
    // The month view stays family events only.
    assert_eq!(contents(&month(&app, &acc, 2025, 7).await), ["BBQ"]);

    // The per-provider routes: "[<provider>] <title>" as the app filters school items (C5).
    let t = Some(acc.token.as_str());
    let school = ok(&app.get("/api/v1/events/school/2025/7", t).await);
    assert_eq!(
        contents(school.as_array().expect("list")),
        ["[Oak School] Closed"]
    );
    assert_eq!(school[0]["source_type"], "school");
    let school_range = ok(&app
        .get(
            "/api/v1/events/school/?start_date=2025-07-01&end_date=2025-07-31",
            t,
        )
        .await);
    assert_eq!(school_range, school);
    let daycare = ok(&app
        .get(
            "/api/v1/events/daycare?start_date=2025-07-01&end_date=2025-07-31",
            t,
        )
        .await);
    assert_eq!(
        contents(daycare.as_array().expect("list")),
        ["[Little Steps] Picnic"]
    );
    let daycare_month = ok(&app.get("/api/v1/events/daycare/2025/7", t).await);
    assert_eq!(daycare_month, daycare);
    assert_eq!(
        ok(&app.get("/api/v1/events/daycare/2025/8", t).await),
        json!([])
    );
    assert_invalid(&app.get("/api/v1/events/school/2025/0", t).await, "month");
}

#[tokio::test(flavor = "multi_thread")]
async fn events_work_on_the_embedded_default() {
    let app = app(Backend::Memory).await;
    let acc = app.register("Eve").await;
    let id = create_event(&app, &acc, "2025-02-28", "Ski").await;
    assert_eq!(contents(&month(&app, &acc, 2025, 2).await), ["Ski"]);
    ok(&app
        .put_json(
            &format!("/api/v1/events/{id}"),
            Some(&acc.token),
            &json!({"event_date": "2025-03-01", "content": "Ski trip"}),
        )
        .await);
    assert!(month(&app, &acc, 2025, 2).await.is_empty());
    assert_eq!(contents(&month(&app, &acc, 2025, 3).await), ["Ski trip"]);
    ok(&delete(&app, &format!("/api/v1/events/{id}"), &acc.token).await);
    assert!(month(&app, &acc, 2025, 3).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn events_read_and_write_from_postgres_when_redis_is_down() {
    let app = TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .env("CALNDR_REDIS_URL", "redis://127.0.0.1:1")
        .build()
        .await;
    let acc = app.register("Eve").await;
    assert!(month(&app, &acc, 2025, 9).await.is_empty());
    let id = create_event(&app, &acc, "2025-09-09", "Fair").await;
    assert_eq!(contents(&month(&app, &acc, 2025, 9).await), ["Fair"]);
    ok(&delete(&app, &format!("/api/v1/events/{id}"), &acc.token).await);
    assert!(month(&app, &acc, 2025, 9).await.is_empty());
}
