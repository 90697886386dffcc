//! `/api/v1/custody/*` and `/api/v1/custody-maintenance/*`: the app's exact requests
//! (contract 2.4 C7-C10), handoff rules (spec 3.1), atomicity, concurrency, cache freshness.

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::family::family_of_two;
use crate::support::{app, assert_error, assert_invalid, ok, sql};

fn day(date: &str, custodian: &str) -> Value {
    json!({"date": date, "custodian_id": custodian})
}

async fn month(app: &TestApp, who: &Account, y: i32, m: u32) -> Vec<Value> {
    ok(&app
        .get(&format!("/api/v1/custody/{y}/{m}"), Some(&who.token))
        .await)
    .as_array()
    .cloned()
    .unwrap_or_default()
}

async fn rows(app: &TestApp, family: &str) -> i64 {
    sql(app)
        .await
        .query_one(
            "SELECT count(*) FROM custody WHERE family_id = $1::text::uuid",
            &[&family],
        )
        .await
        .expect("count")
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn put_404_then_post_fallback_then_month_view_with_handoffs() {
    for backend in [Backend::Memory, Backend::Postgres] {
        app_flow(backend).await;
    }
}

async fn app_flow(backend: Backend) {
    let app = app(backend).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;

    // The app tries PUT first; a day without a record is 404, then it POSTs (C8, C9).
    let put = app
        .put_json(
            "/api/v1/custody/date/2025-03-07",
            Some(&jeff.token),
            &day("2025-03-07", &jeff.user_id),
        )
        .await;
    assert_error(&put, StatusCode::NOT_FOUND, "not_found");
    let created = ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&jeff.token),
            &day("2025-03-07", &jeff.user_id),
        )
        .await);
    assert_eq!(created["event_date"], "2025-03-07");
    assert_eq!(created["content"], "Jeff");
    assert_eq!(created["position"], 4);
    assert_eq!(created["custodian_id"], jeff.user_id.as_str());
    assert_eq!(created["handoff_day"], false);
    assert_eq!(created["handoff_time"], Value::Null);
    assert!(created["id"].is_i64());
    let again = app
        .post_json(
            "/api/v1/custody",
            Some(&deb.token),
            &day("2025-03-07", &deb.user_id),
        )
        .await;
    assert_error(&again, StatusCode::CONFLICT, "conflict");

    // Saturday to Deb: previous day differs, so a handoff at the weekend default.
    let sat = ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&deb.token),
            &day("2025-03-08", &deb.user_id),
        )
        .await);
    assert_eq!(
        (
            &sat["handoff_day"],
            &sat["handoff_time"],
            &sat["handoff_location"]
        ),
        (&json!(true), &json!("12:00"), &json!("deb's home"))
    );

    // Friday becomes Deb's: Saturday is no longer a handoff (the next day is recomputed).
    let fri = ok(&app
        .put_json(
            "/api/v1/custody/date/2025-03-07",
            Some(&jeff.token),
            &day("2025-03-07", &deb.user_id),
        )
        .await);
    assert_eq!(fri["content"], "Deb");
    let view = month(&app, &jeff, 2025, 3).await;
    assert_eq!(view.len(), 2);
    assert_eq!(view[0]["event_date"], "2025-03-07");
    assert_eq!(view[1]["handoff_day"], false);
    assert_eq!(view[1]["handoff_time"], Value::Null);

    // A handoff given by the app keeps its time and place ("HH:MM").
    let with_time = ok(&app
        .put_json(
            "/api/v1/custody/date/2025-03-08",
            Some(&jeff.token),
            &json!({"date": "2025-03-08", "custodian_id": jeff.user_id, "handoff_day": true,
                    "handoff_time": "09:30", "handoff_location": "school"}),
        )
        .await);
    assert_eq!(with_time["handoff_time"], "09:30");
    assert_eq!(with_time["handoff_location"], "school");
    let handoffs = ok(&app
        .get("/api/v1/custody/handoff-only/2025/3", Some(&deb.token))
        .await);
    assert_eq!(handoffs.as_array().map(Vec::len), Some(1));
    assert_eq!(handoffs[0]["content"], "Handoff to Jeff");

    // PUT by id (the original's unmounted route), scoped to the family.
    let id = view[0]["id"].as_i64().unwrap_or_default();
    let by_id = ok(&app
        .put_json(
            &format!("/api/v1/custody/{id}"),
            Some(&deb.token),
            &day("2025-03-07", &jeff.user_id),
        )
        .await);
    assert_eq!(
        (by_id["id"].as_i64(), &by_id["content"]),
        (Some(id), &json!("Jeff"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn custodian_must_be_a_family_member_placeholder_and_empty_included() {
    let app = app(Backend::Postgres).await;
    let (jeff, _deb) = family_of_two(&app, "Jeff", "Deb").await;
    let stranger = app.register("Stranger").await;
    for custodian in ["placeholder", "", stranger.user_id.as_str()] {
        let res = app
            .post_json(
                "/api/v1/custody/",
                Some(&jeff.token),
                &day("2025-04-01", custodian),
            )
            .await;
        assert_invalid(&res, "custodian_id");
        let bulk = app
            .post_json(
                "/api/v1/custody/bulk",
                Some(&jeff.token),
                &json!([day("2025-04-02", custodian)]),
            )
            .await;
        assert_invalid(&bulk, "custodian_id");
    }
    assert_eq!(rows(&app, &jeff.family_id).await, 0);
    let bad_month = app.get("/api/v1/custody/2025/13", Some(&jeff.token)).await;
    assert_error(
        &bad_month,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let bad_time = app
        .post_json(
            "/api/v1/custody/",
            Some(&jeff.token),
            &json!({"date": "2025-04-01", "custodian_id": jeff.user_id, "handoff_time": "5pm"}),
        )
        .await;
    assert_invalid(&bad_time, "handoff_time");
}

#[tokio::test(flavor = "multi_thread")]
async fn performance_stats_is_reachable_not_shadowed_by_year_month() {
    let app = app(Backend::Postgres).await;
    let (jeff, _) = family_of_two(&app, "Jeff", "Deb").await;
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&jeff.token),
            &day("2025-05-01", &jeff.user_id),
        )
        .await);
    let stats = ok(&app
        .get("/api/v1/custody/performance/stats/", Some(&jeff.token))
        .await);
    assert_eq!(stats["family_id"], jeff.family_id.as_str());
    assert_eq!(stats["database_stats"]["total_custody_records"], 1);
    assert_eq!(
        stats["database_stats"]["date_range"],
        json!({"earliest": "2025-05-01", "latest": "2025-05-01"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_writes_all_or_nothing_and_recomputes_handoffs_over_the_merged_timeline() {
    let app = app(Backend::Postgres).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let (j, d) = (jeff.user_id.as_str(), deb.user_id.as_str());
    // An existing day before the batch: the batch's first day is a handoff against it.
    ok(&app
        .post_json("/api/v1/custody/", Some(&jeff.token), &day("2025-06-01", j))
        .await);

    // One bad row (a duplicate date) and nothing is written.
    let bad = app
        .post_json(
            "/api/v1/custody/bulk",
            Some(&jeff.token),
            &json!([
                day("2025-06-02", d),
                day("2025-06-03", d),
                day("2025-06-03", j)
            ]),
        )
        .await;
    assert_invalid(&bad, "date");
    assert_eq!(rows(&app, &jeff.family_id).await, 1);

    // The onboarding request: {date, custodian_id, handoff_day: false}.
    let batch: Vec<Value> = [("2025-06-02", d), ("2025-06-03", d), ("2025-06-04", j)]
        .iter()
        .map(|(date, c)| json!({"date": date, "custodian_id": c, "handoff_day": false}))
        .collect();
    let res = ok(&app
        .post_json("/api/v1/custody/bulk", Some(&jeff.token), &json!(batch))
        .await);
    assert_eq!(
        res,
        json!({"status": "success", "records_created": 3,
               "message": "Successfully created 3 custody records"})
    );
    let view = month(&app, &deb, 2025, 6).await;
    let flags: Vec<(&str, bool)> = view
        .iter()
        .map(|v| {
            (
                v["event_date"].as_str().unwrap_or_default(),
                v["handoff_day"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        vec![
            ("2025-06-01", false),
            ("2025-06-02", true),
            ("2025-06-03", false),
            ("2025-06-04", true)
        ]
    );
    // Re-running the same batch (onboarding twice) leaves one row per date.
    ok(&app
        .post_json("/api/v1/custody/bulk", Some(&jeff.token), &json!(batch))
        .await);
    assert_eq!(rows(&app, &jeff.family_id).await, 4);
    let empty = ok(&app
        .post_json("/api/v1/custody/bulk", Some(&jeff.token), &json!([]))
        .await);
    assert_eq!(empty["records_created"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_parents_writing_the_same_day_at_once_leave_one_row_and_no_500() {
    let app = app(Backend::Postgres).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let date = "2025-07-10";
    // The app's write: PUT, and POST when the PUT is 404 — from both parents at once.
    let write = |who: &Account, custodian: String| {
        let app = &app;
        let token = who.token.clone();
        async move {
            let body = day(date, &custodian);
            let put = app
                .put_json(&format!("/api/v1/custody/date/{date}"), Some(&token), &body)
                .await;
            if put.status == StatusCode::NOT_FOUND {
                app.post_json("/api/v1/custody/", Some(&token), &body)
                    .await
                    .status
            } else {
                put.status
            }
        }
    };
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (who, c) = if i % 2 == 0 {
            (&jeff, jeff.user_id.clone())
        } else {
            (&deb, deb.user_id.clone())
        };
        tasks.push(write(who, c));
    }
    let statuses = futures_util::future::join_all(tasks).await;
    for s in &statuses {
        assert!(
            *s == StatusCode::OK || *s == StatusCode::CONFLICT,
            "statuses: {statuses:?}"
        );
    }
    assert!(statuses.contains(&StatusCode::OK));
    assert_eq!(rows(&app, &jeff.family_id).await, 1);
    assert_eq!(month(&app, &jeff, 2025, 7).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_after_each_kind_of_write_sees_it_through_the_redis_cache() {
    let app = app(Backend::PostgresRedis).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let (j, d) = (jeff.user_id.clone(), deb.user_id.clone());
    let content = |v: &[Value], date: &str| {
        v.iter()
            .find(|x| x["event_date"] == date)
            .map(|x| x["content"].clone())
    };
    assert!(month(&app, &jeff, 2025, 8).await.is_empty());

    // Single create.
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&jeff.token),
            &day("2025-08-01", &j),
        )
        .await);
    let v = month(&app, &deb, 2025, 8).await; // fills the cache
    assert_eq!(content(&v, "2025-08-01"), Some(json!("Jeff")));
    // The month is really served from the cache: a change behind the app's back is not seen.
    sql(&app)
        .await
        .execute(
            "UPDATE custody SET handoff_location = 'behind' WHERE family_id = $1::text::uuid",
            &[&jeff.family_id],
        )
        .await
        .expect("direct update");
    assert_eq!(
        month(&app, &deb, 2025, 8).await[0]["handoff_location"],
        Value::Null
    );

    // PUT by date.
    ok(&app
        .put_json(
            "/api/v1/custody/date/2025-08-01",
            Some(&deb.token),
            &day("2025-08-01", &d),
        )
        .await);
    assert_eq!(
        content(&month(&app, &jeff, 2025, 8).await, "2025-08-01"),
        Some(json!("Deb"))
    );

    // PUT by id.
    let id = month(&app, &jeff, 2025, 8).await[0]["id"]
        .as_i64()
        .unwrap_or_default();
    ok(&app
        .put_json(
            &format!("/api/v1/custody/{id}"),
            Some(&deb.token),
            &day("2025-08-01", &j),
        )
        .await);
    assert_eq!(
        content(&month(&app, &jeff, 2025, 8).await, "2025-08-01"),
        Some(json!("Jeff"))
    );

    // Bulk, across a month boundary: both months are fresh.
    assert!(month(&app, &jeff, 2025, 9).await.is_empty());
    ok(&app
        .post_json(
            "/api/v1/custody/bulk",
            Some(&jeff.token),
            &json!([day("2025-08-31", &d), day("2025-09-01", &d)]),
        )
        .await);
    assert_eq!(
        content(&month(&app, &jeff, 2025, 8).await, "2025-08-31"),
        Some(json!("Deb"))
    );
    assert_eq!(
        content(&month(&app, &jeff, 2025, 9).await, "2025-09-01"),
        Some(json!("Deb"))
    );

    // Maintenance fix: a row naming a stranger, cached, then fixed.
    let stranger = app.register("Stranger").await;
    sql(&app)
        .await
        .execute(
            "UPDATE custody SET custodian_id = $1::text::uuid \
             WHERE family_id = $2::text::uuid AND date = '2025-09-01'",
            &[&stranger.user_id, &jeff.family_id],
        )
        .await
        .expect("corrupt a row");
    // Cached before the corruption: still Deb until a write invalidates.
    assert_eq!(
        content(&month(&app, &jeff, 2025, 9).await, "2025-09-01"),
        Some(json!("Deb"))
    );
    let fixed = ok(&app
        .post(
            "/api/v1/custody-maintenance/fix-mismatches?dry_run=false",
            Some(&jeff.token),
        )
        .await);
    assert_eq!(fixed["fixes_applied"], 1);
    // Previous day (08-31) is Deb's, so Jeff is suggested.
    assert_eq!(
        content(&month(&app, &jeff, 2025, 9).await, "2025-09-01"),
        Some(json!("Jeff"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custodian_renaming_themself_shows_at_once_in_every_cached_month() {
    let app = app(Backend::PostgresRedis).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    for date in ["2025-01-15", "2025-06-01", "2026-02-03"] {
        ok(&app
            .post_json(
                "/api/v1/custody/",
                Some(&jeff.token),
                &day(date, &jeff.user_id),
            )
            .await);
    }
    // Both parents read (and so cache) the first and the last month.
    for who in [&jeff, &deb] {
        assert_eq!(month(&app, who, 2025, 1).await[0]["content"], "Jeff");
        assert_eq!(month(&app, who, 2026, 2).await[0]["content"], "Jeff");
    }
    ok(&app
        .put_json(
            "/api/v1/users/profile",
            Some(&jeff.token),
            &json!({"first_name": "Geoff"}),
        )
        .await);
    for (y, m) in [(2025, 1), (2025, 6), (2026, 2)] {
        assert_eq!(
            month(&app, &deb, y, m).await[0]["content"],
            "Geoff",
            "{y}-{m}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn maintenance_reports_and_fixes_mismatched_custodians_of_the_family_only() {
    let app = app(Backend::Postgres).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let stranger = app.register("Stranger").await;
    ok(&app
        .post_json(
            "/api/v1/custody/bulk",
            Some(&jeff.token),
            &json!([
                day("2025-10-01", &jeff.user_id),
                day("2025-10-02", &deb.user_id),
                day("2025-10-03", &deb.user_id)
            ]),
        )
        .await);
    sql(&app)
        .await
        .execute(
            "UPDATE custody SET custodian_id = $1::text::uuid \
             WHERE family_id = $2::text::uuid AND date = '2025-10-02'",
            &[&stranger.user_id, &jeff.family_id],
        )
        .await
        .expect("corrupt a row");

    let report = ok(&app
        .get(
            "/api/v1/custody-maintenance/integrity-check",
            Some(&jeff.token),
        )
        .await);
    assert_eq!(report["total_records"], 3);
    assert_eq!(report["mismatched_records"], 1);
    assert_eq!(report["mismatched_dates"], json!(["2025-10-02"]));
    assert_eq!(report["family_members"].as_array().map(Vec::len), Some(2));

    // The case that crashed the original (a mismatch with exactly two custodians).
    let list = ok(&app
        .get(
            "/api/v1/custody-maintenance/mismatches?limit=100",
            Some(&jeff.token),
        )
        .await);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["invalid_custodian_id"], stranger.user_id.as_str());
    assert_eq!(
        list[0]["invalid_custodian_name"],
        Value::Null,
        "no name oracle"
    );
    assert_eq!(list[0]["suggested_custodian_id"], deb.user_id.as_str());
    assert_eq!(list[0]["suggested_custodian_name"], "Deb");

    let preview = ok(&app
        .post(
            "/api/v1/custody-maintenance/fix-mismatches",
            Some(&jeff.token),
        )
        .await);
    assert_eq!(preview["total_fixes_needed"], 1);
    assert_eq!(
        preview["fixes_preview"][0],
        json!({"date": "2025-10-02", "old_custodian_id": stranger.user_id,
               "new_custodian_id": deb.user_id})
    );
    let fixed = ok(&app
        .post(
            "/api/v1/custody-maintenance/fix-mismatches?dry_run=false",
            Some(&jeff.token),
        )
        .await);
    assert_eq!(fixed["fixes_applied"], 1);
    let after = ok(&app
        .get(
            "/api/v1/custody-maintenance/integrity-check",
            Some(&jeff.token),
        )
        .await);
    assert_eq!(after["mismatched_records"], 0);
    // The stranger's family is untouched and sees nothing of this.
    let theirs = ok(&app
        .get(
            "/api/v1/custody-maintenance/integrity-check",
            Some(&stranger.token),
        )
        .await);
    assert_eq!(theirs["total_records"], 0);
}

/// Sends `method path` with `body` (JSON when not null) as `token`.
pub async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: &Value,
) -> calndr_testkit::TestResponse {
    use actix_web::test::TestRequest;
    let req = match method {
        "GET" => TestRequest::get(),
        "PUT" => TestRequest::put(),
        "DELETE" => TestRequest::delete(),
        _ => TestRequest::post(),
    }
    .uri(path)
    .insert_header(("authorization", format!("Bearer {token}")));
    let req = if body.is_null() {
        req
    } else {
        req.set_json(body)
    };
    app.send(req).await
}

#[tokio::test(flavor = "multi_thread")]
async fn another_familys_ids_answer_404_like_missing_ones_and_change_nothing() {
    let app = app(Backend::Postgres).await;
    let (jeff, _deb) = family_of_two(&app, "Jeff", "Deb").await;
    let (other, other2) = family_of_two(&app, "Olga", "Otto").await;
    let theirs = ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&other.token),
            &day("2025-11-05", &other.user_id),
        )
        .await);
    let their_id = theirs["id"].as_i64().unwrap_or_default();
    let template = ok(&app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&other.token),
            &json!({"name": "Theirs", "pattern_type": "weekly",
                    "weekly_pattern": {"monday": "parent1"}, "is_active": true}),
        )
        .await);
    let tid = template["id"].as_i64().unwrap_or_default();
    let body = day("2025-11-05", &jeff.user_id);
    let tbody = json!({"name": "Mine", "pattern_type": "weekly",
                       "weekly_pattern": {"monday": "parent1"}, "is_active": true});
    let apply = |id: i64| json!({"template_id": id, "start_date": "", "end_date": ""});
    let missing_user = uuid::Uuid::new_v4();
    // (method, path with another family's id, its body, the same with a missing id)
    let rows_: Vec<(&str, String, Value, String, Value)> = vec![
        (
            "PUT",
            format!("/api/v1/custody/{their_id}"),
            body.clone(),
            "/api/v1/custody/999999".into(),
            body.clone(),
        ),
        (
            "PUT",
            "/api/v1/custody/date/2025-11-05".into(),
            body.clone(),
            "/api/v1/custody/date/2025-11-06".into(),
            body.clone(),
        ),
        (
            "GET",
            format!("/api/v1/schedule-templates/{tid}"),
            Value::Null,
            "/api/v1/schedule-templates/999999".into(),
            Value::Null,
        ),
        (
            "PUT",
            format!("/api/v1/schedule-templates/{tid}"),
            tbody.clone(),
            "/api/v1/schedule-templates/999999".into(),
            tbody.clone(),
        ),
        (
            "DELETE",
            format!("/api/v1/schedule-templates/{tid}"),
            Value::Null,
            "/api/v1/schedule-templates/999999".into(),
            Value::Null,
        ),
        (
            "POST",
            "/api/v1/schedule-templates/apply".into(),
            apply(tid),
            "/api/v1/schedule-templates/apply".into(),
            apply(999_999),
        ),
        (
            "POST",
            format!("/api/v1/family/request-location/{}", other2.user_id),
            Value::Null,
            format!("/api/v1/family/request-location/{missing_user}"),
            Value::Null,
        ),
    ];
    for (method, foreign, fbody, missing, mbody) in rows_ {
        let a = call(&app, &jeff.token, method, &foreign, &fbody).await;
        let b = call(&app, &jeff.token, method, &missing, &mbody).await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(a.body, b.body, "{method} {foreign}");
    }
    // Nothing of theirs changed.
    let still = month(&app, &other, 2025, 11).await;
    assert_eq!(still.len(), 1);
    assert_eq!(still[0]["custodian_id"], other.user_id.as_str());
    let t = ok(&app
        .get(
            &format!("/api/v1/schedule-templates/{tid}"),
            Some(&other.token),
        )
        .await);
    assert_eq!(
        (t["name"].as_str(), t["is_active"].as_bool()),
        (Some("Theirs"), Some(true))
    );
    assert_eq!(rows(&app, &jeff.family_id).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cache_outage_is_a_miss_not_a_failure() {
    let app = TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .env("CALNDR_REDIS_URL", "redis://127.0.0.1:1")
        .build()
        .await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    assert!(month(&app, &jeff, 2025, 12).await.is_empty());
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&deb.token),
            &day("2025-12-24", &deb.user_id),
        )
        .await);
    let view = month(&app, &jeff, 2025, 12).await;
    assert_eq!(view.len(), 1);
    assert_eq!(view[0]["content"], "Deb");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custody_change_pushes_to_the_other_parents_device() {
    let app = app(Backend::Memory).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    for (who, token) in [(&jeff, "a"), (&deb, "b")] {
        ok(&app
            .post_raw_form(
                "/api/v1/users/me/device-token",
                Some(&who.token),
                &format!("token={}", token.repeat(64)),
            )
            .await);
    }
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&jeff.token),
            &day("2025-03-07", &deb.user_id),
        )
        .await);
    let sent = app.push.sent();
    assert_eq!(sent.len(), 1, "only the other parent");
    assert_eq!(sent[0].device_token, "b".repeat(64));
    let p = &sent[0].payload;
    assert_eq!(p["type"], "custody_change");
    assert_eq!(p["date"], "2025-03-07");
    assert_eq!(p["aps"]["category"], "CUSTODY_CHANGE");
    assert_eq!(p["aps"]["alert"]["subtitle"], "Deb now has custody");
    assert_eq!(
        p["aps"]["alert"]["body"],
        "Jeff changed the schedule for Friday, March 7. Tap to manage your schedule."
    );
    assert_eq!(p["deep_link"], "calndr://schedule");
}
