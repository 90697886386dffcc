//! Family isolation: a record of another family is indistinguishable from a missing one.
//!
//! ONE table-driven test. Each row of [`rows`] is a route that takes a record id (in the path or
//! the body). For each row, family A creates a record; family B's member then calls the route
//! with A's id and must get 404 with exactly the body a missing id gets; A's record must be
//! unchanged afterwards (read back by A).
//!
//! Last, `GET /users/me/export` of each family: B's holds none of A's records, A's holds them.
//!
//! To cover a new route: add a `Fixture` variant (how family A creates the record and how A reads
//! it back) if none fits, and add a row. Keep rows grouped by feature.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::app::Account;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, ok};

/// How family A's record is made, and how A reads it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fixture {
    Event,
    Reminder,
    JournalEntry,
    NotificationEmail,
    /// A babysitter linked to family A, with its group chat created by A.
    Babysitter,
    /// A custody day of family A (2025-01-05).
    Custody,
    /// A weekly schedule template of family A (inactive, so B's calls cannot touch it).
    ScheduleTemplate,
    /// A daycare of family A (with a website).
    Daycare,
    /// A school of family A (with a website).
    School,
    /// A doctor of family A.
    MedicalProvider,
    /// A child of family A (UUID id).
    Child,
    /// A babysitter added by family A through the route (read back from A's list).
    Sitter,
    /// An emergency contact of family A.
    EmergencyContact,
    /// A medication of family A.
    Medication,
    /// A private theme of A's user (themes belong to users: B's user cannot see it).
    PrivateTheme,
}

/// One route taking an id. `{id}` in `path` and `body` is replaced by the record's id.
struct Row {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    fixture: Fixture,
}

/// A missing id of every kind: integer ids, or a UUID for the fixtures keyed by one.
fn missing_id(fixture: Fixture) -> &'static str {
    match fixture {
        Fixture::Child | Fixture::PrivateTheme => "00000000-0000-4000-8000-000000000000",
        _ => "999999",
    }
}

fn rows() -> Vec<Row> {
    use Fixture::*;
    let row = |method, path, body, fixture| Row {
        method,
        path,
        body,
        fixture,
    };
    vec![
        // events (spec 1.5)
        row(
            "PUT",
            "/api/v1/events/{id}",
            Some(r#"{"event_date":"2025-01-02","content":"taken"}"#),
            Event,
        ),
        row("DELETE", "/api/v1/events/{id}", None, Event),
        // reminders (spec 1.9)
        row(
            "PUT",
            "/api/v1/reminders/{id}",
            Some(r#"{"text":"taken","notification_enabled":true}"#),
            Reminder,
        ),
        row("DELETE", "/api/v1/reminders/{id}", None, Reminder),
        // journal (spec 1.20)
        row("GET", "/api/v1/journal/{id}", None, JournalEntry),
        row(
            "PUT",
            "/api/v1/journal/{id}",
            Some(r#"{"content":"taken"}"#),
            JournalEntry,
        ),
        row("DELETE", "/api/v1/journal/{id}", None, JournalEntry),
        // notification e-mails (spec 1.8)
        row(
            "PUT",
            "/api/v1/notifications/emails/{id}",
            Some(r#"{"email":"taken@example.com"}"#),
            NotificationEmail,
        ),
        row(
            "DELETE",
            "/api/v1/notifications/emails/{id}",
            None,
            NotificationEmail,
        ),
        // group chat (spec 1.12): the id is the contact in the body
        row(
            "POST",
            "/api/v1/group-chat",
            Some(r#"{"contact_type":"babysitter","contact_id":{id}}"#),
            Babysitter,
        ),
        // custody (spec 1.6): by id; the custodian is checked after the record is found
        row(
            "PUT",
            "/api/v1/custody/{id}",
            Some(r#"{"date":"2025-01-05","custodian_id":"00000000-0000-4000-8000-000000000001"}"#),
            Custody,
        ),
        // schedule templates (spec 1.19)
        row(
            "GET",
            "/api/v1/schedule-templates/{id}",
            None,
            ScheduleTemplate,
        ),
        row(
            "PUT",
            "/api/v1/schedule-templates/{id}",
            Some(
                r#"{"name":"taken","pattern_type":"weekly","weekly_pattern":{"monday":"parent2"},"is_active":true}"#,
            ),
            ScheduleTemplate,
        ),
        row(
            "DELETE",
            "/api/v1/schedule-templates/{id}",
            None,
            ScheduleTemplate,
        ),
        row(
            "POST",
            "/api/v1/schedule-templates/apply",
            Some(r#"{"template_id":{id},"start_date":"","end_date":"","overwrite_existing":true}"#),
            ScheduleTemplate,
        ),
        // daycare and school providers (spec 1.14, 1.15): 404, not the original's 500
        row(
            "PUT",
            "/api/v1/daycare-providers/{id}",
            Some(r#"{"name":"taken"}"#),
            Daycare,
        ),
        row("DELETE", "/api/v1/daycare-providers/{id}", None, Daycare),
        row(
            "GET",
            "/api/v1/daycare-providers/{id}/calendar-sync",
            None,
            Daycare,
        ),
        row(
            "GET",
            "/api/v1/daycare-providers/{id}/discover-calendar",
            None,
            Daycare,
        ),
        row(
            "POST",
            "/api/v1/daycare-providers/{id}/parse-events",
            Some(r#"{"calendar_url":"https://taken.example.com/cal"}"#),
            Daycare,
        ),
        row(
            "PUT",
            "/api/v1/school-providers/{id}",
            Some(r#"{"name":"taken"}"#),
            School,
        ),
        row("DELETE", "/api/v1/school-providers/{id}", None, School),
        row(
            "GET",
            "/api/v1/school-providers/{id}/discover-calendar",
            None,
            School,
        ),
        row(
            "POST",
            "/api/v1/school-providers/{id}/parse-events",
            Some(r#"{"calendar_url":"https://taken.example.com/cal"}"#),
            School,
        ),
        // medical providers (spec 1.22)
        row(
            "GET",
            "/api/v1/medical-providers/{id}",
            None,
            MedicalProvider,
        ),
        row(
            "PUT",
            "/api/v1/medical-providers/{id}",
            Some(r#"{"name":"taken"}"#),
            MedicalProvider,
        ),
        row(
            "DELETE",
            "/api/v1/medical-providers/{id}",
            None,
            MedicalProvider,
        ),
        // children (spec 1.13): the original answered 500 here
        row(
            "PUT",
            "/api/v1/children/{id}",
            Some(r#"{"first_name":"taken","last_name":"B","dob":"2020-01-01"}"#),
            Child,
        ),
        row("DELETE", "/api/v1/children/{id}", None, Child),
        // babysitters (spec 1.10): the original's DELETE answered 200
        row(
            "PUT",
            "/api/v1/babysitters/{id}",
            Some(r#"{"first_name":"taken","last_name":"B","phone_number":"555-0000"}"#),
            Sitter,
        ),
        row("DELETE", "/api/v1/babysitters/{id}", None, Sitter),
        // emergency contacts (spec 1.11)
        row(
            "PUT",
            "/api/v1/emergency-contacts/{id}",
            Some(r#"{"first_name":"taken","last_name":"B","phone_number":"555-0000"}"#),
            EmergencyContact,
        ),
        row(
            "DELETE",
            "/api/v1/emergency-contacts/{id}",
            None,
            EmergencyContact,
        ),
        // medications (spec 1.23)
        row("GET", "/api/v1/medications/{id}", None, Medication),
        row(
            "PUT",
            "/api/v1/medications/{id}",
            Some(r#"{"name":"taken"}"#),
            Medication,
        ),
        row("DELETE", "/api/v1/medications/{id}", None, Medication),
        // themes (spec 1.18): another user's private theme
        row(
            "PUT",
            "/api/v1/themes/{id}",
            Some(r#"{"name":"taken"}"#),
            PrivateTheme,
        ),
        row("DELETE", "/api/v1/themes/{id}", None, PrivateTheme),
        row(
            "PUT",
            "/api/v1/themes/set-preference/{id}",
            None,
            PrivateTheme,
        ),
    ]
}

/// Creates family A's record (the `n`th of the test: reminders need distinct days); returns its id.
async fn seed(app: &TestApp, a: &Account, fixture: Fixture, n: usize) -> String {
    let t = Some(a.token.as_str());
    let day = format!("2025-01-{:02}", n % 28 + 1);
    let body = match fixture {
        Fixture::Event => {
            app.post_json(
                "/api/v1/events/",
                t,
                &json!({"event_date": "2025-01-01", "content": "A's"}),
            )
            .await
        }
        Fixture::Reminder => {
            app.post_json(
                "/api/v1/reminders",
                t,
                &json!({"date": day, "text": "A's", "notification_time": "08:00"}),
            )
            .await
        }
        Fixture::JournalEntry => {
            app.post_json(
                "/api/v1/journal",
                t,
                &json!({"content": "A's", "entry_date": "2025-01-01"}),
            )
            .await
        }
        Fixture::NotificationEmail => {
            app.post_json(
                "/api/v1/notifications/emails",
                t,
                &json!({"email": "a@example.com"}),
            )
            .await
        }
        Fixture::Babysitter => {
            let id = crate::group_chat::seed_babysitter(app, a).await;
            ok(&app
                .post_json(
                    "/api/v1/group-chat",
                    t,
                    &json!({"contact_type": "babysitter", "contact_id": id}),
                )
                .await);
            return id.to_string();
        }
        Fixture::Custody => {
            app.post_json(
                "/api/v1/custody/",
                t,
                &json!({"date": "2025-01-05", "custodian_id": a.user_id}),
            )
            .await
        }
        Fixture::Child => {
            let res = app
                .post_json(
                    "/api/v1/children",
                    t,
                    &json!({"first_name": "A's", "last_name": "Kid", "dob": "2020-01-01"}),
                )
                .await;
            return ok(&res)["id"].as_str().unwrap_or_default().to_owned();
        }
        Fixture::Sitter => {
            app.post_json(
                "/api/v1/babysitters",
                t,
                &json!({"first_name": "A's", "last_name": "Sitter", "phone_number": "555-0100",
                        "rate": 12.5}),
            )
            .await
        }
        Fixture::EmergencyContact => {
            app.post_json(
                "/api/v1/emergency-contacts",
                t,
                &json!({"first_name": "A's", "last_name": "Contact", "phone_number": "555-0101"}),
            )
            .await
        }
        Fixture::Medication => {
            app.post_json(
                "/api/v1/medications",
                t,
                &json!({"name": "A's", "reminder_enabled": true, "reminder_time": "08:00"}),
            )
            .await
        }
        Fixture::PrivateTheme => {
            let mut theme = json!({"name": "A's", "isPublic": false});
            for k in [
                "mainBackgroundColor",
                "secondaryBackgroundColor",
                "textColor",
                "headerTextColor",
                "iconColor",
                "iconActiveColor",
                "accentColor",
                "parentOneColor",
                "parentTwoColor",
            ] {
                theme[k] = json!("#123456");
            }
            let res = app.post_json("/api/v1/themes", t, &theme).await;
            return ok(&res)["id"].as_str().unwrap_or_default().to_owned();
        }
        Fixture::ScheduleTemplate => {
            app.post_json(
                "/api/v1/schedule-templates/",
                t,
                &json!({"name": "A's", "pattern_type": "weekly",
                        "weekly_pattern": {"monday": "parent1"}, "is_active": false}),
            )
            .await
        }
        Fixture::Daycare | Fixture::School => {
            app.post_json(
                provider_base(fixture),
                t,
                &json!({"name": "A's", "website": "a.example.com"}),
            )
            .await
        }
        Fixture::MedicalProvider => {
            app.post_json(
                "/api/v1/medical-providers/",
                t,
                &json!({"name": "A's doctor", "phone": "910-555-0100"}),
            )
            .await
        }
    };
    ok(&body)["id"].to_string()
}

fn provider_base(fixture: Fixture) -> &'static str {
    if fixture == Fixture::Daycare {
        "/api/v1/daycare-providers"
    } else {
        "/api/v1/school-providers"
    }
}

/// Family A's view of the record (compared before and after B's call).
async fn read_back(app: &TestApp, a: &Account, fixture: Fixture, id: &str) -> Value {
    let t = Some(a.token.as_str());
    let res = match fixture {
        Fixture::Event => {
            app.get(
                "/api/v1/events/?start_date=2025-01-01&end_date=2025-01-31",
                t,
            )
            .await
        }
        Fixture::Reminder => {
            app.get(
                "/api/v1/reminders/?start_date=2025-01-01&end_date=2025-01-31",
                t,
            )
            .await
        }
        Fixture::JournalEntry => app.get(&format!("/api/v1/journal/{id}"), t).await,
        Fixture::NotificationEmail => app.get("/api/v1/notifications/emails", t).await,
        Fixture::Custody => app.get("/api/v1/custody/2025/1", t).await,
        Fixture::ScheduleTemplate => {
            app.get(&format!("/api/v1/schedule-templates/{id}"), t)
                .await
        }
        Fixture::Daycare | Fixture::School => app.get(provider_base(fixture), t).await,
        Fixture::MedicalProvider => app.get(&format!("/api/v1/medical-providers/{id}"), t).await,
        Fixture::Child => app.get("/api/v1/children", t).await,
        Fixture::Sitter => app.get("/api/v1/babysitters", t).await,
        Fixture::EmergencyContact => app.get("/api/v1/emergency-contacts", t).await,
        Fixture::Medication => app.get(&format!("/api/v1/medications/{id}"), t).await,
        Fixture::PrivateTheme => app.get("/api/v1/themes", t).await,
        Fixture::Babysitter => {
            let again = ok(&app
                .post_json(
                    "/api/v1/group-chat",
                    t,
                    &json!({"contact_type": "babysitter", "contact_id": id.parse::<i32>().unwrap_or(0)}),
                )
                .await);
            return json!({"group_identifier": again["group_identifier"], "exists": again["exists"]});
        }
    };
    ok(&res)
}

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<String>,
) -> TestResponse {
    let req = match method {
        "GET" => TestRequest::get(),
        "POST" => TestRequest::post(),
        "PUT" => TestRequest::put(),
        "DELETE" => TestRequest::delete(),
        other => panic!("unknown method {other}"),
    }
    .uri(path)
    .insert_header(("authorization", format!("Bearer {token}")));
    let req = match body {
        Some(b) => req
            .insert_header(("content-type", "application/json"))
            .set_payload(b),
        None => req,
    };
    app.send(req).await
}

#[tokio::test(flavor = "multi_thread")]
async fn another_familys_record_is_indistinguishable_from_a_missing_one_on_every_id_route() {
    let app = app(Backend::Postgres).await;
    let a = app.register("Alice").await;
    let b = app.register("Bob").await;
    assert_ne!(a.family_id, b.family_id);

    let mut ids = Vec::new();
    for (n, row) in rows().into_iter().enumerate() {
        let id = seed(&app, &a, row.fixture, n).await;
        let before = read_back(&app, &a, row.fixture, &id).await;
        let fill = |with: &str| {
            (
                row.path.replace("{id}", with),
                row.body.map(|b| b.replace("{id}", with)),
            )
        };

        let (path, body) = fill(missing_id(row.fixture));
        let missing = call(&app, &b.token, row.method, &path, body).await;
        let (path, body) = fill(&id);
        let foreign = call(&app, &b.token, row.method, &path, body).await;

        let what = format!("{} {}", row.method, row.path);
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{what}: missing id");
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{what}: foreign id");
        assert_eq!(missing.json()["code"], "not_found", "{what}");
        assert_eq!(
            foreign.body, missing.body,
            "{what}: same body as for a missing id"
        );
        assert_eq!(
            read_back(&app, &a, row.fixture, &id).await,
            before,
            "{what}: family A's record unchanged"
        );
        ids.push((row.fixture, id));
    }

    // GET /users/me/export: B's export holds nothing of A's (every fixture above is named
    // "A's ..."), A's holds every record A made that an export covers.
    let b_export = ok(&app.get("/api/v1/users/me/export", Some(&b.token)).await);
    let a_export = ok(&app.get("/api/v1/users/me/export", Some(&a.token)).await);
    assert!(
        !b_export.to_string().contains("A's"),
        "B's export shows A's data: {b_export}"
    );
    for (fixture, id) in ids {
        let section = export_section(fixture);
        let ids_in = |doc: &Value| -> Vec<String> {
            doc[section]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|r| {
                            r["id"]
                                .as_str()
                                .map_or_else(|| r["id"].to_string(), str::to_owned)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let id = id.trim_matches('"').to_owned();
        assert!(
            ids_in(&a_export).contains(&id),
            "{section}: A's export has {id}"
        );
        assert!(
            !ids_in(&b_export).contains(&id),
            "{section}: B's export lacks {id}"
        );
    }
}

/// The export section a fixture's record appears in.
fn export_section(fixture: Fixture) -> &'static str {
    match fixture {
        Fixture::Event => "events",
        Fixture::Reminder => "reminders",
        Fixture::JournalEntry => "journal",
        Fixture::Custody => "custody",
        Fixture::ScheduleTemplate => "schedule_templates",
        Fixture::MedicalProvider => "medical_providers",
        Fixture::Child => "children",
        Fixture::Sitter | Fixture::Babysitter => "babysitters",
        Fixture::EmergencyContact => "emergency_contacts",
        Fixture::Medication => "medications",
        Fixture::NotificationEmail => "notification_emails",
        Fixture::Daycare => "daycare_providers",
        Fixture::School => "school_providers",
        Fixture::PrivateTheme => "themes",
    }
}
