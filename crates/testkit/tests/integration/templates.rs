//! `/api/v1/schedule-templates/*` (spec 1.19, 3.2; contract 2.5 S1-S6) and the month view's
//! automatic fill from the active template.

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::custody::call;
use crate::family::family_of_two;
use crate::support::{app, assert_error, assert_invalid, ok, sql};

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The app's ISO 8601 date-time with fractional seconds and Z, at noon UTC of `d`.
fn app_datetime(d: NaiveDate) -> String {
    format!("{}T12:03:22.123Z", ymd(d))
}

async fn days_between(
    app: &TestApp,
    family: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, String)> {
    sql(app)
        .await
        .query(
            "SELECT date::text, custodian_id::text FROM custody \
             WHERE family_id = $1::text::uuid \
             AND date BETWEEN $2::text::date AND $3::text::date ORDER BY date",
            &[&family, &ymd(from), &ymd(to)],
        )
        .await
        .expect("days")
        .into_iter()
        .filter_map(|r| {
            let d: String = r.get(0);
            Some((NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?, r.get(1)))
        })
        .collect()
}

fn weekly_all(slot: &str) -> Value {
    json!({"sunday": slot, "monday": slot, "tuesday": slot, "wednesday": slot,
           "thursday": slot, "friday": slot, "saturday": slot})
}

#[tokio::test(flavor = "multi_thread")]
async fn crud_with_the_apps_camel_case_alternating_body_and_one_active_template() {
    let app = app(Backend::Postgres).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    // S3 as the app sends it: unassigned weekdays omitted.
    let weekly = ok(&app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&jeff.token),
            &json!({"name": "Weekdays", "pattern_type": "weekly",
                    "weekly_pattern": {"monday": "parent1", "tuesday": "parent2"},
                    "is_active": true}),
        )
        .await);
    assert_eq!(weekly["is_active"], true);
    assert_eq!(weekly["weekly_pattern"]["monday"], "parent1");
    assert_eq!(weekly["weekly_pattern"]["sunday"], Value::Null);
    assert_eq!(weekly["family_id"], jeff.family_id.as_str());
    assert!(weekly["created_at"].is_string() && weekly["updated_at"].is_string());
    assert_eq!(weekly["alternating_weeks_pattern"], Value::Null);

    let alt = ok(&app
        .post_json(
            "/api/v1/schedule-templates",
            Some(&deb.token),
            &json!({"name": "Week on week off", "description": "A/B",
                    "pattern_type": "alternating_weeks",
                    "alternating_weeks_pattern": {
                        "weekAPattern": weekly_all("parent1"),
                        "weekBPattern": weekly_all("parent2"),
                        "startingWeek": "A", "referenceDate": "2025-03-04"},
                    "is_active": true}),
        )
        .await);
    // The response uses the keys the app decodes (camelCase inside the pattern).
    let p = &alt["alternating_weeks_pattern"];
    assert_eq!(p["startingWeek"], "A");
    assert_eq!(p["referenceDate"], "2025-03-04");
    assert_eq!(p["weekAPattern"]["friday"], "parent1");
    assert_eq!(p["weekBPattern"]["friday"], "parent2");

    // The original's snake_case keys are accepted too; "custom" is refused (the app cannot
    // decode a list holding it).
    let snake = app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&jeff.token),
            &json!({"name": "Snake", "pattern_type": "alternating_weeks", "is_active": false,
                    "alternating_weeks_pattern": {
                        "week_a_pattern": weekly_all("parent1"),
                        "week_b_pattern": weekly_all("parent2"),
                        "starting_week": "B", "reference_date": "2025-03-04"}}),
        )
        .await;
    assert_eq!(ok(&snake)["alternating_weeks_pattern"]["startingWeek"], "B");
    // A parent named by user id (any case) is stored as that custodian's slot.
    let by_id = ok(&app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&jeff.token),
            &json!({"name": "By id", "pattern_type": "weekly", "is_active": false,
                    "weekly_pattern": {"monday": deb.user_id.to_uppercase(), "friday": jeff.user_id}}),
        )
        .await);
    assert_eq!(by_id["weekly_pattern"]["monday"], "parent2");
    assert_eq!(by_id["weekly_pattern"]["friday"], "parent1");
    let by_id_id = by_id["id"].as_i64().unwrap_or_default();
    ok(&call(
        &app,
        &jeff.token,
        "DELETE",
        &format!("/api/v1/schedule-templates/{by_id_id}"),
        &Value::Null,
    )
    .await);
    let custom = app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&jeff.token),
            &json!({"name": "C", "pattern_type": "custom", "is_active": false}),
        )
        .await;
    assert_invalid(&custom, "pattern_type");

    // Newest first; exactly one active (the alternating one).
    let list = ok(&app
        .get("/api/v1/schedule-templates/", Some(&jeff.token))
        .await);
    let names: Vec<&str> = list
        .as_array()
        .map(|l| l.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["Snake", "Week on week off", "Weekdays"]);
    let active: Vec<&str> = list
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|t| t["is_active"] == true)
                .filter_map(|t| t["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(active, vec!["Week on week off"]);

    // PUT is a full replace; activating it deactivates the others.
    let id = weekly["id"].as_i64().unwrap_or_default();
    let updated = ok(&app
        .put_json(
            &format!("/api/v1/schedule-templates/{id}"),
            Some(&jeff.token),
            &json!({"name": "Renamed", "pattern_type": "weekly",
                    "weekly_pattern": weekly_all("parent2"), "is_active": true}),
        )
        .await);
    assert_eq!(updated["name"], "Renamed");
    let list = ok(&app
        .get("/api/v1/schedule-templates", Some(&jeff.token))
        .await);
    let actives = list
        .as_array()
        .map(|l| l.iter().filter(|t| t["is_active"] == true).count());
    assert_eq!(actives, Some(1));

    let del = ok(&call(
        &app,
        &jeff.token,
        "DELETE",
        &format!("/api/v1/schedule-templates/{id}"),
        &Value::Null,
    )
    .await);
    assert_eq!(
        del,
        json!({"status": "success", "message": "Schedule template deleted successfully"})
    );
    let gone = app
        .get(
            &format!("/api/v1/schedule-templates/{id}"),
            Some(&jeff.token),
        )
        .await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_writes_days_from_tomorrow_once_and_overwrites_only_when_asked() {
    let app = app(Backend::PostgresRedis).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let today = Utc::now().date_naive();
    let t = ok(&app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&jeff.token),
            &json!({"name": "All Jeff", "pattern_type": "weekly",
                    "weekly_pattern": weekly_all("parent1"), "is_active": false}),
        )
        .await);
    let id = t["id"].as_i64().unwrap_or_default();
    // A day the template would overwrite, and the month view cached before the apply.
    let target = today + Duration::days(3);
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&deb.token),
            &json!({"date": ymd(target), "custodian_id": deb.user_id}),
        )
        .await);
    let path = format!("/api/v1/custody/{}/{}", target.year(), target.month());
    ok(&app.get(&path, Some(&jeff.token)).await);
    // The day after the window is Deb's: it becomes a handoff once the window is Jeff's.
    let after = today + Duration::days(10);
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&deb.token),
            &json!({"date": ymd(after), "custodian_id": deb.user_id}),
        )
        .await);

    // The app's request: ISO 8601 date-times, the start in the past.
    let body = json!({"template_id": id,
                      "start_date": app_datetime(today - Duration::days(5)),
                      "end_date": app_datetime(today + Duration::days(9)),
                      "overwrite_existing": false});
    let res = ok(&app
        .post_json("/api/v1/schedule-templates/apply", Some(&jeff.token), &body)
        .await);
    assert_eq!(res["success"], true);
    assert_eq!(res["days_applied"], 8, "{res}");
    assert_eq!(res["conflicts_overwritten"], 0);
    assert_eq!(
        res["message"],
        "Applied schedule template 'All Jeff' to 8 days"
    );
    let written = days_between(
        &app,
        &jeff.family_id,
        today - Duration::days(10),
        today + Duration::days(20),
    )
    .await;
    assert_eq!(written.len(), 10);
    assert!(
        written.iter().all(|(d, _)| *d > today),
        "never today or the past"
    );
    assert!(written
        .iter()
        .any(|(d, c)| *d == target && *c == deb.user_id));
    let after_path = format!("/api/v1/custody/{}/{}", after.year(), after.month());
    let after_view = ok(&app.get(&after_path, Some(&deb.token)).await);
    let after_day = after_view
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|x| x["event_date"] == ymd(after).as_str())
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(after_day["handoff_day"], true, "{after_day}");
    // Applying activated it.
    let t = ok(&app
        .get(
            &format!("/api/v1/schedule-templates/{id}"),
            Some(&jeff.token),
        )
        .await);
    assert_eq!(t["is_active"], true);

    // Idempotent: applying again writes nothing.
    let again = ok(&app
        .post_json("/api/v1/schedule-templates/apply", Some(&jeff.token), &body)
        .await);
    assert_eq!(again["days_applied"], 0);

    // Overwrite replaces Deb's day; the cached month shows it at once.
    let mut over = body.clone();
    over["overwrite_existing"] = json!(true);
    let res = ok(&app
        .post_json("/api/v1/schedule-templates/apply", Some(&jeff.token), &over)
        .await);
    assert_eq!(
        (
            res["days_applied"].as_i64(),
            res["conflicts_overwritten"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let view = ok(&app.get(&path, Some(&deb.token)).await);
    let shown = view
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|x| x["event_date"] == ymd(target).as_str())
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(shown["content"], "Jeff");
}

#[tokio::test(flavor = "multi_thread")]
async fn alternating_weeks_are_generated_not_silently_ignored() {
    let app = app(Backend::Postgres).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let today = Utc::now().date_naive();
    let t = ok(&app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&jeff.token),
            &json!({"name": "A/B", "pattern_type": "alternating_weeks", "is_active": true,
                    "alternating_weeks_pattern": {
                        "weekAPattern": weekly_all("parent1"),
                        "weekBPattern": weekly_all("parent2"),
                        "startingWeek": "A", "referenceDate": ymd(today)}}),
        )
        .await);
    let start = today + Duration::days(1);
    let end = today + Duration::days(28);
    let res = ok(&app
        .post_json(
            "/api/v1/schedule-templates/apply",
            Some(&jeff.token),
            &json!({"template_id": t["id"], "start_date": app_datetime(start),
                    "end_date": app_datetime(end), "overwrite_existing": false}),
        )
        .await);
    assert_eq!(res["days_applied"], 28);
    let days = days_between(&app, &jeff.family_id, start, end).await;
    let week_of = |d: NaiveDate| {
        let sunday =
            |x: NaiveDate| x - Duration::days(i64::from(x.weekday().num_days_from_sunday()));
        (sunday(d) - sunday(today)).num_days() / 7
    };
    for (d, c) in &days {
        let expected = if week_of(*d) % 2 == 0 {
            &jeff.user_id
        } else {
            &deb.user_id
        };
        assert_eq!(c, expected, "{d}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_future_month_is_filled_once_from_the_active_template() {
    let app = app(Backend::PostgresRedis).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let future = Utc::now().date_naive() + Duration::days(100);
    let path = format!("/api/v1/custody/{}/{}", future.year(), future.month());
    // No template yet: empty, and the empty future month is not cached.
    assert_eq!(ok(&app.get(&path, Some(&jeff.token)).await), json!([]));
    ok(&app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&deb.token),
            &json!({"name": "Weekends with Deb", "pattern_type": "weekly", "is_active": true,
                    "weekly_pattern": {"monday": "parent1", "tuesday": "parent1",
                        "wednesday": "parent1", "thursday": "parent1", "friday": "parent1",
                        "saturday": "parent2", "sunday": "parent2"}}),
        )
        .await);
    let first = ok(&app.get(&path, Some(&jeff.token)).await);
    let days = first.as_array().cloned().unwrap_or_default();
    let len = future
        .with_day(1)
        .and_then(|f| (f + Duration::days(32)).with_day(1))
        .map(|n| (n - Duration::days(1)).day())
        .unwrap_or_default();
    assert_eq!(days.len(), len as usize);
    // A Saturday after a Friday is a handoff at the generator's default.
    let sat = days
        .iter()
        .find(|d| {
            d["event_date"]
                .as_str()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .is_some_and(|x| x.weekday() == chrono::Weekday::Sat && x.day() > 1)
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            &sat["content"],
            &sat["handoff_day"],
            &sat["handoff_time"],
            &sat["handoff_location"]
        ),
        (
            &json!("Deb"),
            &json!(true),
            &json!("12:00"),
            &json!("other")
        )
    );
    // Written once: the same ids on the next read (from the database, not the cache).
    let count_before: i64 = sql(&app)
        .await
        .query_one(
            "SELECT count(*) FROM custody WHERE family_id = $1::text::uuid",
            &[&jeff.family_id],
        )
        .await
        .expect("count")
        .get(0);
    let second = ok(&app.get(&path, Some(&deb.token)).await);
    assert_eq!(first, second);
    let count_after: i64 = sql(&app)
        .await
        .query_one(
            "SELECT count(*) FROM custody WHERE family_id = $1::text::uuid",
            &[&jeff.family_id],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(count_before, count_after);
    // A past month is never filled.
    let past = Utc::now().date_naive() - Duration::days(100);
    let old = ok(&app
        .get(
            &format!("/api/v1/custody/{}/{}", past.year(), past.month()),
            Some(&jeff.token),
        )
        .await);
    assert_eq!(old, json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_with_a_single_member_is_refused_without_writing() {
    let app = app(Backend::Memory).await;
    let solo = app.register("Solo").await;
    let t = ok(&app
        .post_json(
            "/api/v1/schedule-templates/",
            Some(&solo.token),
            &json!({"name": "W", "pattern_type": "weekly", "is_active": true,
                    "weekly_pattern": weekly_all("parent1")}),
        )
        .await);
    let res = app
        .post_json(
            "/api/v1/schedule-templates/apply",
            Some(&solo.token),
            &json!({"template_id": t["id"], "start_date": "", "end_date": ""}),
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "bad_request");
}
