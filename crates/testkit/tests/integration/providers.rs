//! Daycare and school providers (spec 1.14, 1.15, 1.17, 3.8; contract 2.8 P1-P15): CRUD, search
//! and calendars through the ports, school events (the store contracts are in `contracts`).

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::events::delete;
use crate::support::{app, assert_error, assert_invalid, ok, sql};

// ----------------------------------------------------------------------------------------------
// HTTP
// ----------------------------------------------------------------------------------------------

const DAYCARE: &str = "/api/v1/daycare-providers";
const SCHOOL: &str = "/api/v1/school-providers";

fn is_iso_seconds_utc(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 20 && &s[10..11] == "T" && s.ends_with('Z'))
}

fn full_provider() -> Value {
    json!({
        "name": "The Learning Tree", "address": "1 Oak St, Wilmington, NC",
        "phone_number": "(910) 555-0100", "email": "office@learningtree.example.com",
        "hours": "7am-6pm", "notes": "Gate code at the office", "google_place_id": "ChIJ123",
        "rating": 4.5, "website": "learningtree.example.com"
    })
}

async fn create(app: &TestApp, base: &str, who: &Account, body: &Value) -> Value {
    ok(&app.post_json(base, Some(&who.token), body).await)
}

async fn fake_app() -> TestApp {
    TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .fake_places()
        .build()
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn daycare_and_school_crud_round_trip_in_the_apps_shape() {
    let app = app(Backend::Postgres).await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    for base in [DAYCARE, SCHOOL] {
        let p = create(&app, base, &jo, &full_provider()).await;
        let keys: Vec<&str> = p
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "address",
            "created_at",
            "created_by_user_id",
            "email",
            "google_place_id",
            "hours",
            "id",
            "name",
            "notes",
            "phone_number",
            "rating",
            "updated_at",
            "website",
        ];
        expected.sort_unstable();
        assert_eq!(keys, expected, "{base}: exact keys of the app's Provider");
        assert!(p["id"].is_i64());
        assert_eq!(p["rating"], 4.5);
        assert_eq!(p["website"], "https://learningtree.example.com");
        assert_eq!(p["created_by_user_id"], jo.user_id.as_str());
        assert!(is_iso_seconds_utc(&p["created_at"]), "{p}");
        assert!(is_iso_seconds_utc(&p["updated_at"]), "{p}");
        let id = p["id"].as_i64().expect("id");

        let list = ok(&app.get(base, t).await);
        assert_eq!(list, json!([p]));
        // Trailing-slash spelling answers directly.
        assert_eq!(ok(&app.get(&format!("{base}/"), t).await), list);

        // PUT replaces every field: what is left out becomes null.
        let put = ok(&app
            .put_json(
                &format!("{base}/{id}"),
                t,
                &json!({"name": "Oak House", "rating": 0}),
            )
            .await);
        assert_eq!(put["name"], "Oak House");
        assert_eq!(put["address"], Value::Null);
        assert_eq!(put["rating"], Value::Null, "a 0 rating reads as unknown");
        assert_eq!(put["created_at"], p["created_at"]);

        let del = ok(&delete(&app, &format!("{base}/{id}"), &jo.token).await);
        assert_eq!(del["status"], "success");
        assert!(del["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("deleted successfully")));
        assert_eq!(ok(&app.get(base, t).await), json!([]));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_input_is_validated_with_422_and_nothing_is_written() {
    let app = app(Backend::Postgres).await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let long = "x".repeat(256);
    let cases = [
        (json!({}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": long}), "name"),
        (json!({"name": "A", "rating": "five"}), "body"),
        (json!({"name": "A", "rating": 5.5}), "rating"),
        (json!({"name": "A", "rating": -1}), "rating"),
        (
            json!({"name": "A", "website": "javascript:alert(1)"}),
            "website",
        ),
        (
            json!({"name": "A", "website": "file:///etc/passwd"}),
            "website",
        ),
        (
            json!({"name": "A", "phone_number": "call me"}),
            "phone_number",
        ),
        (
            json!({"name": "A", "phone_number": "+1 (910) 555-0100 ext 12"}),
            "phone_number",
        ),
        (json!({"name": "A", "email": "not-an-email"}), "email"),
        (json!({"name": "A", "hours": "h".repeat(256)}), "hours"),
        (json!({"name": "A", "notes": "n".repeat(5001)}), "notes"),
        (json!({"name": "A\u{7}"}), "name"),
    ];
    for base in [DAYCARE, SCHOOL] {
        for (body, field) in &cases {
            assert_invalid(&app.post_json(base, t, body).await, field);
        }
        assert_eq!(
            ok(&app.get(base, t).await),
            json!([]),
            "{base}: nothing written"
        );
        let p = create(&app, base, &jo, &json!({"name": "Kept"})).await;
        let id = p["id"].as_i64().expect("id");
        for (body, field) in &cases {
            assert_invalid(&app.put_json(&format!("{base}/{id}"), t, body).await, field);
        }
        assert_eq!(ok(&app.get(base, t).await), json!([p]), "{base}: unchanged");
        assert_invalid(
            &app.put_json(&format!("{base}/abc"), t, &json!({"name": "x"}))
                .await,
            "provider_id",
        );
        assert_invalid(
            &app.get(&format!("{base}/0/discover-calendar"), t).await,
            "provider_id",
        );
        // Empty optional strings mean "no value" (the app may clear a field).
        let cleared = ok(&app
            .put_json(
                &format!("{base}/{id}"),
                t,
                &json!({"name": "Kept", "email": "", "website": " "}),
            )
            .await);
        assert_eq!(
            (cleared["email"].clone(), cleared["website"].clone()),
            (Value::Null, Value::Null)
        );
    }
    let res = app.get(DAYCARE, None).await;
    assert_error(&res, StatusCode::UNAUTHORIZED, "not_authenticated");
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_of_another_family_is_404_on_every_route_not_the_originals_500() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Ann").await;
    let b = app.register("Ben").await;
    let tb = Some(b.token.as_str());
    for base in [DAYCARE, SCHOOL] {
        let p = create(&app, base, &a, &full_provider()).await;
        let id = p["id"].as_i64().expect("id");
        let mut calls = vec![
            app.put_json(&format!("{base}/{id}"), tb, &json!({"name": "taken"}))
                .await,
            app.get(&format!("{base}/{id}/discover-calendar"), tb).await,
            app.post_json(
                &format!("{base}/{id}/parse-events"),
                tb,
                &json!({"calendar_url": "https://x.example.com/cal"}),
            )
            .await,
        ];
        if base == DAYCARE {
            calls.push(app.get(&format!("{base}/{id}/calendar-sync"), tb).await);
        }
        for res in &calls {
            let body = assert_error(res, StatusCode::NOT_FOUND, "not_found");
            assert!(body["detail"]
                .as_str()
                .is_some_and(|d| d.ends_with("provider not found")));
        }
        assert_eq!(
            ok(&app.get(base, Some(&a.token)).await),
            json!([p]),
            "unchanged"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn search_routes_are_reachable_not_shadowed_by_provider_id_routes_and_answer_503_when_unconfigured(
) {
    let app = app(Backend::Postgres).await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let body = json!({"location_type": "zipcode", "zipcode": "28401"});
    for path in [
        "/api/v1/daycare-providers/search",
        "/api/v1/daycare-providers/search/",
        "/api/v1/school-providers/search",
        "/api/v1/medical-providers/search",
        "/api/v1/medical-providers/search/",
    ] {
        let res = app.post_json(path, t, &body).await;
        assert_error(
            &res,
            StatusCode::SERVICE_UNAVAILABLE,
            "provider_not_configured",
        );
    }
    let p = create(&app, DAYCARE, &jo, &full_provider()).await;
    let id = p["id"].as_i64().expect("id");
    for base in [DAYCARE, SCHOOL] {
        let id = if base == DAYCARE {
            id
        } else {
            create(&app, SCHOOL, &jo, &full_provider()).await["id"]
                .as_i64()
                .expect("id")
        };
        let res = app.get(&format!("{base}/{id}/discover-calendar"), t).await;
        assert_error(
            &res,
            StatusCode::SERVICE_UNAVAILABLE,
            "provider_not_configured",
        );
        let res = app
            .post_json(
                &format!("{base}/{id}/parse-events"),
                t,
                &json!({"calendar_url": "https://learningtree.example.com/calendar"}),
            )
            .await;
        assert_error(
            &res,
            StatusCode::SERVICE_UNAVAILABLE,
            "provider_not_configured",
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn search_input_is_validated_before_the_place_search_is_called() {
    let app = fake_app().await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let cases = [
        (json!({}), "location_type"),
        (json!({"location_type": "city"}), "location_type"),
        (json!({"location_type": "zipcode"}), "zipcode"),
        (
            json!({"location_type": "zipcode", "zipcode": "<script>"}),
            "zipcode",
        ),
        (
            json!({"location_type": "current", "latitude": 34.2}),
            "latitude",
        ),
        (
            json!({"location_type": "current", "latitude": 91, "longitude": 0}),
            "latitude",
        ),
        (
            json!({"location_type": "current", "latitude": 0, "longitude": 181}),
            "longitude",
        ),
        (
            json!({"location_type": "current", "latitude": 0, "longitude": 0, "radius": 0}),
            "radius",
        ),
        (
            json!({"location_type": "current", "latitude": 0, "longitude": 0, "radius": 50001}),
            "radius",
        ),
        (
            json!({"location_type": "zipcode", "zipcode": "28401", "radius": "far"}),
            "body",
        ),
    ];
    for path in [
        "/api/v1/daycare-providers/search",
        "/api/v1/school-providers/search",
    ] {
        for (body, field) in &cases {
            assert_invalid(&app.post_json(path, t, body).await, field);
        }
    }
    assert!(
        app.places.queries().is_empty(),
        "no search reached the port"
    );
    let res = app
        .post_json(
            "/api/v1/daycare-providers/search",
            None,
            &json!({"location_type": "zipcode"}),
        )
        .await;
    assert_error(&res, StatusCode::UNAUTHORIZED, "not_authenticated");
}

#[tokio::test(flavor = "multi_thread")]
async fn daycare_search_returns_the_apps_place_shape_by_name_or_by_distance() {
    let app = fake_app().await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let by_zip = ok(&app
        .post_json(
            "/api/v1/daycare-providers/search",
            t,
            &json!({"location_type": "zipcode", "zipcode": "28401"}),
        )
        .await);
    let names: Vec<&str> = by_zip
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Apple Tree", "Zebra Kids"],
        "postal-code results by name"
    );
    let first = &by_zip[0];
    for key in [
        "place_id",
        "name",
        "address",
        "phone_number",
        "rating",
        "website",
        "hours",
        "distance",
    ] {
        assert!(first.get(key).is_some(), "key {key}: {first}");
    }
    assert!(first["address"].is_string());

    let near = ok(&app
        .post_json(
            "/api/v1/school-providers/search",
            t,
            &json!({"location_type": "current", "latitude": 34.2, "longitude": -77.9, "radius": 8000}),
        )
        .await);
    assert_eq!(near[0]["place_id"], "place-near", "nearest first");
    let (d0, d1) = (near[0]["distance"].as_f64(), near[1]["distance"].as_f64());
    assert!(
        matches!((d0, d1), (Some(a), Some(b)) if a < b && a > 50.0),
        "{near}"
    );
    assert_eq!(
        app.places.queries(),
        ["daycare centers near 28401", "nearby 34.2,-77.9 r=8000 "]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_calendar_follows_the_spec_per_kind() {
    let app = fake_app().await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let with_site = create(&app, DAYCARE, &jo, &full_provider()).await;
    let id = with_site["id"].as_i64().expect("id");
    let found = ok(&app
        .get(&format!("{DAYCARE}/{id}/discover-calendar"), t)
        .await);
    assert_eq!(
        found,
        json!({"provider_id": id, "provider_name": "The Learning Tree",
               "base_website": "https://learningtree.example.com",
               "discovered_calendar_url": "https://learningtree.example.com/calendar",
               "success": true})
    );
    let bare = create(&app, DAYCARE, &jo, &json!({"name": "No Site"})).await;
    let res = app
        .get(&format!("{DAYCARE}/{}/discover-calendar", bare["id"]), t)
        .await;
    let body = assert_error(&res, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(body["detail"], "Daycare provider has no website URL");
    let school = create(&app, SCHOOL, &jo, &json!({"name": "No Site"})).await;
    let none = ok(&app
        .get(&format!("{SCHOOL}/{}/discover-calendar", school["id"]), t)
        .await);
    assert_eq!(none["base_website"], "");
    assert_eq!(none["discovered_calendar_url"], Value::Null);
    assert_eq!(none["success"], false);
}

async fn followed_daycare_sync(app: &TestApp, who: &Account) -> Option<i32> {
    sql(app)
        .await
        .query_one(
            "SELECT daycare_sync_id FROM families WHERE id = $1::text::uuid",
            &[&who.family_id],
        )
        .await
        .expect("family")
        .get(0)
}

async fn count(app: &TestApp, query: &str, id: i64) -> i64 {
    let id = i32::try_from(id).expect("id");
    sql(app)
        .await
        .query_one(query, &[&id])
        .await
        .expect("count")
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn parse_events_replaces_events_upserts_the_sync_and_points_the_family_at_it() {
    let app = fake_app().await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let p = create(&app, DAYCARE, &jo, &full_provider()).await;
    let id = p["id"].as_i64().expect("id");
    let none = ok(&app.get(&format!("{DAYCARE}/{id}/calendar-sync"), t).await);
    assert_eq!(
        none,
        json!({"provider_id": id, "provider_name": "The Learning Tree", "calendar_url": null,
               "sync_enabled": false, "last_sync_at": null, "last_sync_success": null,
               "events_count": 0})
    );

    let url = "https://learningtree.example.com/calendar";
    let parse_path = format!("{DAYCARE}/{id}/parse-events");
    let parse_body = json!({"calendar_url": url});
    let first = ok(&app.post_json(&parse_path, t, &parse_body).await);
    assert_eq!(first["provider_id"], id);
    assert_eq!(first["calendar_url"], url);
    assert_eq!(first["events_count"], 3);
    assert_eq!(first["success"], true);
    assert_eq!(
        first["events"][0],
        json!({"date": "2025-12-22", "title": "Winter Break - Closed"}),
        "events in date order"
    );
    ok(&app.post_json(&parse_path, t, &parse_body).await);

    let events_q = "SELECT count(*) FROM daycare_events WHERE daycare_provider_id = $1";
    let syncs_q = "SELECT count(*) FROM daycare_calendar_syncs WHERE daycare_provider_id = $1";
    assert_eq!(count(&app, events_q, id).await, 3, "replaced, not appended");
    assert_eq!(
        count(&app, syncs_q, id).await,
        1,
        "one sync per (provider, url)"
    );
    let followed = followed_daycare_sync(&app, &jo).await;
    assert!(followed.is_some(), "families.daycare_sync_id is set");

    let sync = ok(&app.get(&format!("{DAYCARE}/{id}/calendar-sync"), t).await);
    assert_eq!(sync["calendar_url"], url);
    assert_eq!(sync["sync_enabled"], true);
    assert_eq!(sync["last_sync_success"], true);
    assert_eq!(sync["events_count"], 3);
    assert!(is_iso_seconds_utc(&sync["last_sync_at"]), "{sync}");

    // The family calendar shows them (the events month view reads the followed sync).
    let range = ok(&app
        .get(
            "/api/v1/events/?start_date=2025-12-01&end_date=2026-02-28",
            t,
        )
        .await);
    let daycare: Vec<&Value> = range
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| e["source_type"] == "daycare")
        .collect();
    assert_eq!(daycare.len(), 3, "{range}");
    assert_eq!(daycare[0]["event_type"], "closure");
    assert_eq!(daycare[0]["provider_id"], id);

    // An empty page replaces nothing; a refused page is a 400; a bad URL a 422.
    let empty = ok(&app
        .post_json(
            &format!("{DAYCARE}/{id}/parse-events"),
            t,
            &json!({"calendar_url": "https://learningtree.example.com/empty"}),
        )
        .await);
    assert_eq!(
        (empty["events_count"].clone(), empty["events"].clone()),
        (json!(0), json!([]))
    );
    assert_eq!(count(&app, events_q, id).await, 3);
    let refused = app
        .post_json(
            &format!("{DAYCARE}/{id}/parse-events"),
            t,
            &json!({"calendar_url": "https://refused.example.com"}),
        )
        .await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "bad_request");
    for body in [json!({}), json!({"calendar_url": ""})] {
        let res = app
            .post_json(&format!("{DAYCARE}/{id}/parse-events"), t, &body)
            .await;
        let b = assert_error(&res, StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(b["detail"], "calendar_url is required");
    }
    for bad in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://a b.com",
    ] {
        let res = app
            .post_json(
                &format!("{DAYCARE}/{id}/parse-events"),
                t,
                &json!({"calendar_url": bad}),
            )
            .await;
        assert_invalid(&res, "calendar_url");
    }
    assert_eq!(count(&app, events_q, id).await, 3, "nothing half-written");

    // Deleting the provider removes its syncs and events and unsets the family's calendar.
    ok(&delete(&app, &format!("{DAYCARE}/{id}"), &jo.token).await);
    assert_eq!(count(&app, events_q, id).await, 0);
    assert_eq!(count(&app, syncs_q, id).await, 0);
    let followed = followed_daycare_sync(&app, &jo).await;
    assert_eq!(followed, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn school_parse_events_answers_the_daycare_shape_the_app_decodes_and_feeds_school_events() {
    let app = fake_app().await;
    let jo = app.register("Jo").await;
    let other = app.register("Ola").await;
    let t = Some(jo.token.as_str());
    let p = create(&app, SCHOOL, &jo, &full_provider()).await;
    let id = p["id"].as_i64().expect("id");
    let res = ok(&app
        .post_json(
            &format!("{SCHOOL}/{id}/parse-events"),
            t,
            &json!({"calendar_url": "https://learningtree.example.com/calendar"}),
        )
        .await);
    for key in [
        "provider_id",
        "provider_name",
        "calendar_url",
        "events_count",
        "events",
        "success",
    ] {
        assert!(res.get(key).is_some(), "contract P15 needs {key}: {res}");
    }
    assert_eq!(res["message"], "Successfully parsed 3 events");

    let events = ok(&app.get("/api/v1/school-events", t).await);
    assert_eq!(
        events,
        json!([
            {"date": "2025-12-22", "title": "Winter Break - Closed"},
            {"date": "2026-01-19", "title": "MLK Day - Closed"},
            {"date": "2026-02-13", "title": "Early Dismissal"},
        ])
    );
    assert_eq!(
        ok(&app.get("/api/v1/school-events/", Some(&other.token)).await),
        json!([])
    );
    let anonymous = app.get("/api/v1/school-events", None).await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "not_authenticated");

    // The events view shows school closures only (spec 3.8 read side).
    let school = ok(&app
        .get(
            "/api/v1/events/school?start_date=2025-12-01&end_date=2026-02-28",
            t,
        )
        .await);
    let titles: Vec<&str> = school
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["content"].as_str())
        .collect();
    assert_eq!(titles.len(), 2, "{school}");
    assert!(
        titles[0].ends_with("Winter Break - Closed") && titles[1].ends_with("MLK Day - Closed")
    );
    // No calendar-sync route for schools (spec 1.15).
    let res = app.get(&format!("{SCHOOL}/{id}/calendar-sync"), t).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_store_serves_the_same_provider_routes() {
    let app = TestApp::builder(Backend::Memory)
        .fast_hashing()
        .fake_places()
        .build()
        .await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let p = create(&app, DAYCARE, &jo, &full_provider()).await;
    let id = p["id"].as_i64().expect("id");
    ok(&app
        .post_json(
            &format!("{DAYCARE}/{id}/parse-events"),
            t,
            &json!({"calendar_url": "https://learningtree.example.com/calendar"}),
        )
        .await);
    let sync = ok(&app.get(&format!("{DAYCARE}/{id}/calendar-sync"), t).await);
    assert_eq!(sync["events_count"], 3);
    assert!(is_iso_seconds_utc(&sync["last_sync_at"]));
    assert_eq!(ok(&app.get(DAYCARE, t).await), json!([p]));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_parses_of_one_school_leave_one_sync_and_one_set_of_events() {
    // Schools have no unique key on (provider, url) syncs: the provider row lock is what keeps
    // concurrent parses from creating two syncs or colliding on the events' unique key.
    let app = fake_app().await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let id = create(&app, SCHOOL, &jo, &full_provider()).await["id"]
        .as_i64()
        .expect("id");
    let path = format!("{SCHOOL}/{id}/parse-events");
    let body = json!({"calendar_url": "https://learningtree.example.com/calendar"});
    let (r1, r2, r3) = tokio::join!(
        app.post_json(&path, t, &body),
        app.post_json(&path, t, &body),
        app.post_json(&path, t, &body)
    );
    for r in [r1, r2, r3] {
        assert_eq!(ok(&r)["events_count"], 3);
    }
    let syncs_q = "SELECT count(*) FROM school_calendar_syncs WHERE school_provider_id = $1";
    let events_q = "SELECT count(*) FROM school_events WHERE school_provider_id = $1";
    assert_eq!(count(&app, syncs_q, id).await, 1);
    assert_eq!(count(&app, events_q, id).await, 3);
}
