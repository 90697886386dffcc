//! `/api/v1/medications/*` (spec 1.23, 2.20, 3.10; contract 2.11 M6-M10).

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::children::delete;
use crate::support::{app, assert_error, assert_invalid, ok};

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

async fn add(app: &TestApp, token: &str, body: Value) -> Value {
    ok(&app
        .post_json("/api/v1/medications/", Some(token), &body)
        .await)
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn medications_presets_active_and_reminders_are_reachable_not_shadowed_by_the_id_route() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Med").await;
    let t = Some(acc.token.as_str());

    // M10: the original answered 422 here (captured by /{medication_id}).
    let presets = ok(&app.get("/api/v1/medications/presets", t).await);
    let list = presets["presets"].as_array().expect("presets");
    let preset_names: Vec<&str> = list.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(
        preset_names,
        ["Tylenol", "Motrin", "Zyrtec", "Benadryl", "Amoxicillin"]
    );
    for p in list {
        assert!(p["common_dosages"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
        assert!(p["common_frequencies"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
        assert!(p["default_dosage"].is_string() && p["default_frequency"].is_string());
        assert!(p["aliases"].is_array());
    }
    assert_eq!(
        ok(&app.get("/api/v1/medications/presets/", t).await),
        presets
    );

    add(
        &app,
        &acc.token,
        json!({"name": "Now", "is_active": true, "reminder_enabled": true,
               "reminder_time": "08:30", "start_date": day(-1), "end_date": day(5)}),
    )
    .await;
    add(
        &app,
        &acc.token,
        json!({"name": "Ended", "is_active": true, "reminder_enabled": false,
               "start_date": day(-10), "end_date": day(-1)}),
    )
    .await;
    add(
        &app,
        &acc.token,
        json!({"name": "Paused", "is_active": false, "reminder_enabled": true,
               "reminder_time": "09:00"}),
    )
    .await;
    add(
        &app,
        &acc.token,
        json!({"name": "Later", "is_active": true, "reminder_enabled": false,
               "start_date": day(3)}),
    )
    .await;

    let active = ok(&app.get("/api/v1/medications/active", t).await);
    assert_eq!(names(&active["medications"]), ["Now"]);
    assert_eq!(
        (active["total"].as_u64(), active["page"].as_u64()),
        (Some(1), Some(1))
    );

    let reminders = ok(&app.get("/api/v1/medications/reminders", t).await);
    assert_eq!(reminders["total"], 1);
    let r = &reminders["reminders"][0];
    assert_eq!(
        (r["name"].as_str(), r["reminder_time"].as_str()),
        (Some("Now"), Some("08:30"))
    );
    assert_eq!(r["is_active"], true);
    let next = r["next_reminder"].as_str().expect("next reminder");
    assert!(next.ends_with("08:30:00"), "{next}");
    let mut keys: Vec<&String> = r.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "dosage",
            "frequency",
            "id",
            "is_active",
            "name",
            "next_reminder",
            "reminder_time"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn medications_crud_returns_the_envelope_and_keys_the_app_decodes() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Med").await;
    let t = Some(acc.token.as_str());

    // M7 as the app sends it (nil optionals omitted).
    let m = add(
        &app,
        &acc.token,
        json!({"name": "Amoxicillin", "dosage": "250mg", "frequency": "Twice daily",
               "start_date": "2025-03-01", "end_date": "2025-03-10", "is_active": true,
               "reminder_enabled": true, "reminder_time": "08:00"}),
    )
    .await;
    let mut keys: Vec<&String> = m.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "dosage",
            "end_date",
            "family_id",
            "frequency",
            "id",
            "instructions",
            "is_active",
            "name",
            "next_reminder",
            "notes",
            "reminder_enabled",
            "reminder_time",
            "start_date",
            "updated_at"
        ]
    );
    assert!(m["id"].is_i64());
    assert_eq!(m["family_id"], acc.family_id.as_str());
    assert_eq!(m["reminder_time"], "08:00", "the edit screen parses HH:mm");
    assert_eq!(
        m["next_reminder"],
        Value::Null,
        "the course ended in 2025-03"
    );
    for k in ["created_at", "updated_at"] {
        let s = m[k].as_str().expect("timestamp");
        assert!(
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").is_ok(),
            "{k}: {s}"
        );
    }

    // M6: the envelope without paging parameters.
    let list = ok(&app.get("/api/v1/medications/", t).await);
    assert_eq!(
        (
            list["total"].as_u64(),
            list["page"].as_u64(),
            list["limit"].as_u64(),
            list["total_pages"].as_u64()
        ),
        (Some(1), Some(1), Some(20), Some(1))
    );
    assert_eq!(list["medications"][0], m);

    // GET by id; M8: fields left out keep their values.
    let path = format!("/api/v1/medications/{}", m["id"]);
    assert_eq!(ok(&app.get(&path, t).await), m);
    let upd = ok(&app.put_json(&path, t, &json!({"dosage": "400mg"})).await);
    assert_eq!(upd["dosage"], "400mg");
    assert_eq!(
        (upd["name"].as_str(), upd["reminder_time"].as_str()),
        (Some("Amoxicillin"), Some("08:00"))
    );
    // A text sent blank is cleared (left out, it stays).
    let cleared = ok(&app.put_json(&path, t, &json!({"frequency": ""})).await);
    assert_eq!(
        (cleared["frequency"].clone(), cleared["dosage"].clone()),
        (Value::Null, json!("400mg"))
    );
    // Turning the reminder off clears its time.
    let off = ok(&app
        .put_json(&path, t, &json!({"reminder_enabled": false}))
        .await);
    assert_eq!(
        (
            off["reminder_enabled"].clone(),
            off["reminder_time"].clone()
        ),
        (json!(false), Value::Null)
    );

    // M9.
    let res = delete(&app, &path, &acc.token).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json(),
        json!({"success": true, "message": "Medication deleted successfully"})
    );
    assert_error(&app.get(&path, t).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &delete(&app, &path, &acc.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn medications_paging_filters_and_sorting_are_validated() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Pager").await;
    let t = Some(acc.token.as_str());
    for (name, start, active) in [
        ("B", "2025-01-02", true),
        ("A", "2025-01-03", false),
        ("C", "2025-01-01", true),
    ] {
        add(
            &app,
            &acc.token,
            json!({"name": name, "start_date": start, "is_active": active}),
        )
        .await;
    }
    let get = |q: &str| {
        let app = &app;
        let path = format!("/api/v1/medications?{q}");
        async move { app.get(&path, t).await }
    };
    let page = ok(&get("limit=2&page=2").await);
    assert_eq!(names(&page["medications"]), ["C"]);
    assert_eq!(
        (page["total"].as_u64(), page["total_pages"].as_u64()),
        (Some(3), Some(2))
    );
    let by_start = ok(&get("sort_by=start_date&sort_order=desc").await);
    assert_eq!(names(&by_start["medications"]), ["A", "B", "C"]);
    let inactive = ok(&get("is_active=false").await);
    assert_eq!(names(&inactive["medications"]), ["A"]);
    assert_eq!(ok(&get("page=9").await)["medications"], json!([]));

    for (q, field) in [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("page=0", "page"),
        ("sort_by=dosage", "sort_by"),
        ("sort_order=up", "sort_order"),
    ] {
        assert_invalid(&get(q).await, field);
        assert_invalid(
            &app.get(&format!("/api/v1/medications/active?{q}"), t).await,
            field,
        );
    }
    for q in ["limit=abc", "is_active=maybe", "page=-1"] {
        let res = get(q).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {:?}",
            res.json()
        );
    }
    assert_invalid(
        &app.get("/api/v1/medications/abc", t).await,
        "medication_id",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn medications_reminder_time_and_date_rules_are_422_and_write_nothing() {
    let app = app(Backend::Postgres).await;
    let acc = app.register("Rules").await;
    let t = Some(acc.token.as_str());
    let post = |body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/medications", t, &body).await }
    };
    for (body, field) in [
        (
            json!({"name": "X", "reminder_time": "08:00"}),
            "reminder_time",
        ),
        (
            json!({"name": "X", "reminder_enabled": false, "reminder_time": "08:00"}),
            "reminder_time",
        ),
        (
            json!({"name": "X", "reminder_enabled": true}),
            "reminder_time",
        ),
        (
            json!({"name": "X", "reminder_enabled": true, "reminder_time": "25:00"}),
            "reminder_time",
        ),
        (
            json!({"name": "X", "start_date": "2025-03-10", "end_date": "2025-03-01"}),
            "end_date",
        ),
        (
            json!({"name": "X", "start_date": "2025-02-30"}),
            "start_date",
        ),
        (json!({"name": " "}), "name"),
        (json!({"name": "n".repeat(256)}), "name"),
        (json!({"name": "X", "dosage": "d".repeat(101)}), "dosage"),
        (
            json!({"name": "X", "frequency": "f".repeat(101)}),
            "frequency",
        ),
        (json!({"dosage": "5mg"}), "name"),
    ] {
        assert_invalid(&post(body).await, field);
    }
    assert_invalid(
        &post(json!({"name": "X", "is_active": "yes"})).await,
        "body",
    );
    assert_eq!(ok(&app.get("/api/v1/medications", t).await)["total"], 0);

    let m = ok(&post(json!({"name": "Zyrtec", "start_date": "2025-03-01"})).await);
    let path = format!("/api/v1/medications/{}", m["id"]);
    // A time without reminder_enabled: true in the same request (the original's rule).
    assert_invalid(
        &app.put_json(&path, t, &json!({"reminder_time": "08:00"}))
            .await,
        "reminder_time",
    );
    // The merged medication must keep end >= start.
    assert_invalid(
        &app.put_json(&path, t, &json!({"end_date": "2025-02-01"}))
            .await,
        "end_date",
    );
    assert_invalid(
        &app.put_json(&path, t, &json!({"reminder_enabled": true}))
            .await,
        "reminder_time",
    );
    assert_eq!(ok(&app.get(&path, t).await), m, "nothing written");
    let on = ok(&app
        .put_json(
            &path,
            t,
            &json!({"reminder_enabled": true, "reminder_time": "07:15:00"}),
        )
        .await);
    assert_eq!(on["reminder_time"], "07:15");
}

#[tokio::test(flavor = "multi_thread")]
async fn medications_work_on_the_embedded_store_too() {
    let app = app(Backend::Memory).await;
    let acc = app.register("Mem").await;
    let t = Some(acc.token.as_str());
    let m = add(
        &app,
        &acc.token,
        json!({"name": "Motrin", "dosage": "100mg"}),
    )
    .await;
    let list = ok(&app.get("/api/v1/medications?limit=100", t).await);
    assert_eq!(list["medications"], json!([m]));
    assert_eq!(
        ok(&app.get("/api/v1/medications/active", t).await)["total"],
        1
    );
}
