//! The OpenAPI document: pinned by a snapshot, complete, and useful to a reader.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::Backend;

use crate::support::app;
use serde_json::Value;

/// Every route `calndr_api::configure` registers under `/api/v1`, written out by hand (method,
/// path as registered, without the trailing slash `NormalizePath` makes optional). The two routes
/// that serve the document itself (`/api/v1/openapi.json`, `/api/v1/docs`) are not API operations.
const API_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/health/ready"),
    ("get", "/api/v1/health/health"),
    ("get", "/api/v1/health/health/db"),
    ("get", "/api/v1/health/health/detailed"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/register-with-family"),
    ("post", "/api/v1/auth/verify-enrollment-code"),
    ("post", "/api/v1/auth/refresh-token"),
    ("post", "/api/v1/auth/verify-token"),
    ("post", "/api/v1/auth/change-password"),
    ("post", "/api/v1/auth/logout-all"),
    ("delete", "/api/v1/users/me"),
    ("get", "/api/v1/users/me/export"),
    ("post", "/api/v1/auth/forgot-password"),
    ("post", "/api/v1/auth/reset-password"),
    ("post", "/api/v1/auth/apple/callback"),
    ("post", "/api/v1/auth/apple/notifications"),
    ("post", "/api/v1/auth/google/ios-login"),
    ("post", "/api/v1/auth/facebook/login"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/profile"),
    ("put", "/api/v1/users/profile"),
    ("get", "/api/v1/users/me"),
    ("put", "/api/v1/users/password"),
    ("put", "/api/v1/users/me/password"),
    ("post", "/api/v1/users/me/device-token"),
    ("post", "/api/v1/users/me/update-endpoint"),
    ("post", "/api/v1/users/me/last-signin"),
    ("put", "/api/v1/users/preferences"),
    ("put", "/api/v1/users/enrollment-status"),
    ("post", "/api/v1/users/profile-photo"),
    ("post", "/api/v1/user/profile/photo"),
    ("post", "/api/v1/user/location"),
    // family, custody, custody-maintenance, schedule templates
    ("post", "/api/v1/family/invite"),
    ("post", "/api/v1/family/leave"),
    ("get", "/api/v1/family/settings"),
    ("get", "/api/v1/custody/who"),
    ("get", "/api/v1/custody/time-share"),
    ("put", "/api/v1/family/settings"),
    ("get", "/api/v1/family/custodians"),
    ("get", "/api/v1/family/emails"),
    ("get", "/api/v1/family/members"),
    ("post", "/api/v1/family/request-location/{target_user_id}"),
    ("post", "/api/v1/custody"),
    ("post", "/api/v1/custody/bulk"),
    ("get", "/api/v1/custody/performance/stats"),
    ("get", "/api/v1/custody/handoff-only/{year}/{month}"),
    ("put", "/api/v1/custody/date/{custody_date}"),
    ("put", "/api/v1/custody/{custody_id}"),
    ("get", "/api/v1/custody/{year}/{month}"),
    ("get", "/api/v1/custody-maintenance/integrity-check"),
    ("get", "/api/v1/custody-maintenance/mismatches"),
    ("post", "/api/v1/custody-maintenance/fix-mismatches"),
    ("get", "/api/v1/schedule-templates"),
    ("post", "/api/v1/schedule-templates"),
    ("post", "/api/v1/schedule-templates/apply"),
    ("get", "/api/v1/schedule-templates/{template_id}"),
    ("put", "/api/v1/schedule-templates/{template_id}"),
    ("delete", "/api/v1/schedule-templates/{template_id}"),
    ("get", "/api/v1/weather/{latitude}/{longitude}"),
    ("get", "/api/v1/weather/historic/{latitude}/{longitude}"),
    ("post", "/api/v1/enrollment/create-code"),
    ("post", "/api/v1/enrollment/validate-code"),
    ("post", "/api/v1/enrollment/invite"),
    ("post", "/api/v1/enrollment/send-code-email"),
    ("delete", "/api/v1/enrollment/code"),
    ("get", "/api/v1/enrollment-flow/status"),
    ("post", "/api/v1/enrollment-flow/coparent-info"),
    ("post", "/api/v1/enrollment-flow/children-info"),
    ("post", "/api/v1/enrollment-flow/custody-schedule"),
    ("post", "/api/v1/enrollment-flow/complete"),
    ("post", "/api/v1/email-verification/send-code"),
    ("post", "/api/v1/email-verification/verify-code"),
    ("post", "/api/v1/email-verification/resend-code"),
    ("post", "/api/v1/phone-verification/send-pin"),
    ("post", "/api/v1/phone-verification/verify-pin"),
    // events, reminders, journal, notification e-mails, group chat
    ("get", "/api/v1/events/{year}/{month}"),
    ("get", "/api/v1/events"),
    ("post", "/api/v1/events"),
    ("put", "/api/v1/events/{event_id}"),
    ("delete", "/api/v1/events/{event_id}"),
    ("get", "/api/v1/events/school/{year}/{month}"),
    ("get", "/api/v1/events/daycare/{year}/{month}"),
    ("get", "/api/v1/events/school"),
    ("get", "/api/v1/events/daycare"),
    ("get", "/api/v1/reminders"),
    ("post", "/api/v1/reminders"),
    // Registered as `/{date}` (GET) and `/{reminder_id}` (PUT, DELETE): one path item in the
    // document, since OpenAPI allows one template of a shape.
    ("get", "/api/v1/reminders/{date_or_id}"),
    ("put", "/api/v1/reminders/{date_or_id}"),
    ("delete", "/api/v1/reminders/{date_or_id}"),
    ("get", "/api/v1/journal"),
    ("post", "/api/v1/journal"),
    ("get", "/api/v1/journal/{entry_id}"),
    ("put", "/api/v1/journal/{entry_id}"),
    ("delete", "/api/v1/journal/{entry_id}"),
    ("get", "/api/v1/notifications/emails"),
    ("post", "/api/v1/notifications/emails"),
    ("put", "/api/v1/notifications/emails/{email_id}"),
    ("delete", "/api/v1/notifications/emails/{email_id}"),
    ("post", "/api/v1/group-chat"),
    // daycare, school and medical providers, school events
    ("get", "/api/v1/daycare-providers"),
    ("post", "/api/v1/daycare-providers"),
    ("post", "/api/v1/daycare-providers/search"),
    (
        "get",
        "/api/v1/daycare-providers/{provider_id}/discover-calendar",
    ),
    (
        "post",
        "/api/v1/daycare-providers/{provider_id}/parse-events",
    ),
    (
        "get",
        "/api/v1/daycare-providers/{provider_id}/calendar-sync",
    ),
    ("put", "/api/v1/daycare-providers/{provider_id}"),
    ("delete", "/api/v1/daycare-providers/{provider_id}"),
    ("get", "/api/v1/school-providers"),
    ("post", "/api/v1/school-providers"),
    ("post", "/api/v1/school-providers/search"),
    (
        "get",
        "/api/v1/school-providers/{provider_id}/discover-calendar",
    ),
    (
        "post",
        "/api/v1/school-providers/{provider_id}/parse-events",
    ),
    ("put", "/api/v1/school-providers/{provider_id}"),
    ("delete", "/api/v1/school-providers/{provider_id}"),
    ("get", "/api/v1/school-events"),
    ("get", "/api/v1/medical-providers"),
    ("post", "/api/v1/medical-providers"),
    ("post", "/api/v1/medical-providers/search"),
    ("get", "/api/v1/medical-providers/{provider_id}"),
    ("put", "/api/v1/medical-providers/{provider_id}"),
    ("delete", "/api/v1/medical-providers/{provider_id}"),
    // children, babysitters, emergency contacts, medications, themes
    ("get", "/api/v1/children"),
    ("post", "/api/v1/children"),
    ("put", "/api/v1/children/{child_id}"),
    ("delete", "/api/v1/children/{child_id}"),
    ("get", "/api/v1/babysitters"),
    ("post", "/api/v1/babysitters"),
    ("put", "/api/v1/babysitters/{babysitter_id}"),
    ("delete", "/api/v1/babysitters/{babysitter_id}"),
    ("get", "/api/v1/emergency-contacts"),
    ("post", "/api/v1/emergency-contacts"),
    ("put", "/api/v1/emergency-contacts/{contact_id}"),
    ("delete", "/api/v1/emergency-contacts/{contact_id}"),
    ("get", "/api/v1/medications"),
    ("post", "/api/v1/medications"),
    ("get", "/api/v1/medications/presets"),
    ("get", "/api/v1/medications/active"),
    ("get", "/api/v1/medications/reminders"),
    ("get", "/api/v1/medications/{medication_id}"),
    ("put", "/api/v1/medications/{medication_id}"),
    ("delete", "/api/v1/medications/{medication_id}"),
    ("get", "/api/v1/themes"),
    ("post", "/api/v1/themes"),
    ("put", "/api/v1/themes/set-preference/{theme_id}"),
    ("put", "/api/v1/themes/{theme_id}"),
    ("delete", "/api/v1/themes/{theme_id}"),
    // Root routes the document also describes.
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/metrics"),
    ("get", "/media/{key}"),
];

/// Documented root routes not in `API_ROUTES` on purpose: none may be missing from the list above
/// except these (diagnostics that predate the `/api/v1` prefix).
const OTHER_ROOT_ROUTES: [(&str, &str); 2] = [("get", "/db-info"), ("get", "/cache-status")];

/// The operations anyone may call; every other operation needs a bearer token.
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/metrics"),
    ("get", "/db-info"),
    ("get", "/cache-status"),
    ("get", "/media/{key}"),
    ("get", "/api/v1/health/ready"),
    ("get", "/api/v1/health/health"),
    ("get", "/api/v1/health/health/db"),
    ("get", "/api/v1/health/health/detailed"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/register-with-family"),
    ("post", "/api/v1/auth/verify-enrollment-code"),
    ("post", "/api/v1/auth/refresh-token"),
    ("post", "/api/v1/auth/verify-token"),
    ("post", "/api/v1/auth/forgot-password"),
    ("post", "/api/v1/auth/reset-password"),
    ("post", "/api/v1/auth/apple/callback"),
    ("post", "/api/v1/auth/apple/notifications"),
    ("post", "/api/v1/auth/google/ios-login"),
    ("post", "/api/v1/auth/facebook/login"),
    ("post", "/api/v1/users"),
    ("post", "/api/v1/email-verification/send-code"),
    ("post", "/api/v1/email-verification/verify-code"),
    ("post", "/api/v1/email-verification/resend-code"),
    ("post", "/api/v1/phone-verification/send-pin"),
    ("post", "/api/v1/phone-verification/verify-pin"),
];

async fn document() -> Value {
    let app = app(Backend::Memory).await;
    let res = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    res.json()
}

/// `(method, path)` of every documented operation, trailing slash trimmed.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let path = path.trim_end_matches('/').to_owned();
            item.as_object()
                .expect("path item")
                .keys()
                .filter(|m| ["get", "put", "post", "delete", "patch"].contains(&m.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_matches_its_snapshot() {
    let doc = document().await;
    // Dates of birth end today (UTC): their patterns change every day.
    insta::assert_json_snapshot!("openapi_document", doc, {
        ".info.version" => "[version]",
        ".components.schemas.ChildRequest.properties.dob.pattern" => "[up to tomorrow]",
        ".components.schemas.ChildInfo.properties.date_of_birth.pattern" => "[up to today]",
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let doc = document().await;
    let documented = operations(&doc);
    let registered: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .chain(OTHER_ROOT_ROUTES.iter())
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let stale: Vec<_> = PUBLIC
        .iter()
        .filter(|(m, p)| !registered.contains(&((*m).to_owned(), (*p).to_owned())))
        .collect();
    assert!(
        stale.is_empty(),
        "public routes that do not exist: {stale:?}"
    );
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    let unknown: Vec<_> = documented.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "documented but not in the route list: {unknown:?}"
    );

    // And the real router answers every documented operation (no 404 route_not_found, no 405).
    let app = app(Backend::Memory).await;
    for (method, path) in &documented {
        let uri = path.replace("{key}", "profile-photos/none.jpg");
        let req = match method.as_str() {
            "get" => TestRequest::get(),
            "put" => TestRequest::put(),
            "delete" => TestRequest::delete(),
            _ => TestRequest::post(),
        };
        let res = app.send(req.uri(&uri)).await;
        assert!(
            res.status != StatusCode::METHOD_NOT_ALLOWED && res.json()["code"] != "route_not_found",
            "{method} {uri}: {} {}",
            res.status,
            String::from_utf8_lossy(&res.body)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_has_a_summary_and_documents_its_errors() {
    let doc = document().await;
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let name = format!("{} {path}", method.to_uppercase());
            if op["summary"].as_str().is_none_or(|s| s.trim().is_empty()) {
                problems.push(format!("{name}: no summary"));
            }
            let tags = op["tags"].as_array().cloned().unwrap_or_default();
            if tags.is_empty() {
                problems.push(format!("{name}: no tag"));
            }
            if tags.iter().any(|t| t == "health") {
                continue;
            }
            let responses = op["responses"].as_object().expect("responses");
            let errors: Vec<_> = responses
                .iter()
                .filter(|(status, _)| status.starts_with('4') || status.starts_with('5'))
                .collect();
            if errors.is_empty() {
                problems.push(format!("{name}: no error response documented"));
            }
            for (status, response) in errors {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                if schema != "#/components/schemas/ErrorBody" {
                    problems.push(format!("{name}: {status} is not an ErrorBody"));
                }
            }
            let protected = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if protected && !responses.contains_key("401") {
                problems.push(format!("{name}: needs a token but documents no 401"));
            }
            if protected == PUBLIC.contains(&(method.as_str(), path.trim_end_matches('/'))) {
                problems.push(format!(
                    "{name}: security requirement is wrong ({protected})"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// A wrong method on every documented path, with and without a trailing slash, answers 405
/// `method_not_allowed` with `Allow` naming exactly the documented methods of that path.
#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_method_on_every_documented_path_answers_405_with_allow() {
    let doc = document().await;
    let app = app(Backend::Memory).await;
    let mut problems = Vec::new();
    for path in doc["paths"].as_object().expect("paths").keys() {
        let uri = path
            .trim_end_matches('/')
            .replace("{key}", "profile-photos/none.jpg")
            .replace("{year}", "2025")
            .replace("{month}", "7")
            .replace("{custody_date}", "2025-07-01")
            .replace("{date}", "2025-07-01")
            .replace("{latitude}", "40.7")
            .replace("{longitude}", "-74.0");
        // Any other id: a positive integer (it cannot match a literal segment such as `/date/`).
        let uri = sample_ids(&uri);
        let expected = allowed_by_document(&doc, &uri);
        let Some(wrong) = ["patch", "delete", "put", "post", "get"]
            .into_iter()
            .find(|m| !expected.contains(*m))
        else {
            continue;
        };
        for spelling in [uri.clone(), format!("{uri}/")] {
            let req = match wrong {
                "get" => TestRequest::get(),
                "put" => TestRequest::put(),
                "post" => TestRequest::post(),
                "delete" => TestRequest::delete(),
                _ => TestRequest::patch(),
            };
            let res = app.send(req.uri(&spelling)).await;
            let allow: BTreeSet<String> = res
                .header("allow")
                .unwrap_or_default()
                .split(',')
                .map(|m| m.trim().to_lowercase())
                .filter(|m| !m.is_empty())
                .collect();
            if res.status != StatusCode::METHOD_NOT_ALLOWED
                || res.json()["code"] != "method_not_allowed"
                || allow != expected
            {
                problems.push(format!(
                    "{} {spelling}: {} allow={allow:?} (document: {expected:?})",
                    wrong.to_uppercase(),
                    res.status
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Replaces each `{..._id}` segment with `7`, or a UUID for the UUID ids.
fn sample_ids(uri: &str) -> String {
    uri.split('/')
        .map(|seg| match seg {
            "{child_id}" | "{theme_id}" | "{target_user_id}" => {
                "0b0e6f3e-9a53-4c2e-8f51-0c6b2d7a1e11".to_owned()
            }
            s if s.starts_with('{') => "7".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Does a concrete `uri` match a documented path template?
fn template_matches(template: &str, uri: &str) -> bool {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let u: Vec<&str> = uri.split('/').collect();
    if template.contains("{key}") {
        return uri.starts_with("/media/");
    }
    t.len() == u.len()
        && t.iter()
            .zip(&u)
            .all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

/// The documented methods of the most specific documented paths `uri` matches (most literal
/// segments: `/custody/bulk` is not `/custody/{custody_id}`).
fn allowed_by_document(doc: &Value, uri: &str) -> BTreeSet<String> {
    let literals = |t: &str| {
        t.split('/')
            .filter(|s| !s.is_empty() && !s.starts_with('{'))
            .count()
    };
    let matching: Vec<(&String, &Value)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(t, _)| template_matches(t, uri))
        .collect();
    let best = matching
        .iter()
        .map(|(t, _)| literals(t))
        .max()
        .unwrap_or_default();
    matching
        .into_iter()
        .filter(|(t, _)| literals(t) == best)
        .flat_map(|(_, item)| item.as_object().expect("item").keys().cloned())
        .collect()
}

/// The limits the server enforces on path parameters are in the schema, and the statuses every
/// operation can answer because of what it reads are listed (issue #12, step 5).
#[tokio::test(flavor = "multi_thread")]
async fn the_document_lists_the_limits_and_statuses_the_server_enforces() {
    let doc = document().await;
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let name = format!("{} {path}", method.to_uppercase());
            let responses = op["responses"].as_object().expect("responses");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut need = vec!["503"];
            if params.iter().any(|p| p["in"] == "path") {
                need.push("422");
            }
            if !op["requestBody"].is_null() {
                need.extend(["400", "413", "415", "422"]);
            }
            if params.iter().any(|p| p["in"] == "query") {
                need.extend(["400", "422"]);
            }
            for status in need {
                if !responses.contains_key(status) {
                    problems.push(format!("{name}: no {status}"));
                }
            }
            for p in params.iter().filter(|p| p["in"] == "path") {
                let s = &p["schema"];
                let pname = p["name"].as_str().unwrap_or_default();
                let ok = match pname {
                    "year" => s["minimum"] == 1900 && s["maximum"] == 2200,
                    "month" => s["minimum"] == 1 && s["maximum"] == 12,
                    "date" | "custody_date" => s["format"] == "date",
                    "child_id" | "theme_id" | "target_user_id" => s["format"] == "uuid",
                    "latitude" => s["minimum"] == -90.0 && s["maximum"] == 90.0,
                    "longitude" => s["minimum"] == -180.0 && s["maximum"] == 180.0,
                    "key" => s["type"] == "string",
                    "date_or_id" if method == "get" => s["format"] == "date",
                    _ => s["type"] == "integer" && s["minimum"] == 1 && s["maximum"] == i32::MAX,
                };
                if !ok {
                    problems.push(format!("{name}: {{{pname}}} schema {s}"));
                }
            }
        }
    }
    // The named loose spots of the issue.
    let medical = &doc["components"]["schemas"]["MedicalProviderCreate"];
    if !medical.to_string().contains("\"required\":[\"name\"]") {
        problems.push(format!(
            "POST /medical-providers: name not required: {medical}"
        ));
    }
    let code = &doc["paths"]["/api/v1/enrollment/create-code"]["post"]["requestBody"];
    if code.to_string().contains("\"null\"") {
        problems.push(format!("create-code documents a null body: {code}"));
    }
    let token = &doc["components"]["schemas"]["TokenForm"]["required"];
    if *token != serde_json::json!(["username", "password"]) {
        problems.push(format!("TokenForm required: {token}"));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// A property of a component schema, looked up through `allOf` (cross-field rules).
fn property<'a>(doc: &'a Value, component: &str, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][component];
    let own = schema["allOf"].get(0).unwrap_or(schema);
    let own = if own["$ref"].is_string() {
        let target = own["$ref"].as_str().unwrap_or_default();
        &doc["components"]["schemas"][target.trim_start_matches("#/components/schemas/")]
    } else {
        own
    };
    &own["properties"][name]
}

/// The body and query limits of the document are the domain's (issue #12, item 5/6): lengths
/// and ranges come from the parsers' constants, so a change of a limit changes the document.
#[tokio::test(flavor = "multi_thread")]
async fn the_document_states_the_domains_body_and_query_limits() {
    use calndr_domain::circle::{CONTACT_PHONE_MAX, NOTES_MAX};
    use calndr_domain::records::{EVENT_CONTENT_MAX, JOURNAL_CONTENT_MAX, REMINDER_TEXT_MAX};
    use calndr_domain::{EmailAddress, JournalQuery, MedicationQuery, Password, PersonName};
    let doc = document().await;
    let mut problems = Vec::new();
    let text = |v: &Value| v.to_string();
    let checks: Vec<(&str, &str, &str, Value)> = vec![
        (
            "RegisterRequest",
            "password",
            "minLength",
            Password::MIN_NEW.into(),
        ),
        (
            "RegisterRequest",
            "password",
            "maxLength",
            Password::MAX.into(),
        ),
        (
            "JournalCreateRequest",
            "content",
            "maxLength",
            JOURNAL_CONTENT_MAX.into(),
        ),
        (
            "GroupChatRequest",
            "contact_type",
            "enum",
            serde_json::json!(["babysitter", "emergency"]),
        ),
    ];
    for (component, name, key, want) in checks {
        let got = &property(&doc, component, name)[key];
        if *got != want {
            problems.push(format!("{component}.{name}.{key}: {got} (domain: {want})"));
        }
    }
    // Trimmed texts carry their length in the pattern (`maxLength` would count the white space
    // around them): a first and a last character and at most max - 2 between.
    let pattern = |component: &str, name: &str| text(&property(&doc, component, name)["pattern"]);
    for (component, name, max) in [
        ("RegisterRequest", "first_name", PersonName::MAX),
        ("EventRequest", "content", EVENT_CONTENT_MAX),
        ("ReminderCreateRequest", "text", REMINDER_TEXT_MAX),
        ("BabysitterRequest", "notes", NOTES_MAX),
    ] {
        if !pattern(component, name).contains(&format!("{{0,{}}}", max - 2)) {
            problems.push(format!(
                "{component}.{name}: no length {max} in its pattern"
            ));
        }
    }
    // A phone: its shape and its length, both.
    let phone = text(&property(&doc, "BabysitterRequest", "phone_number")["allOf"]);
    if !phone.contains(&format!("{{0,{}}}", CONTACT_PHONE_MAX - 2)) {
        problems.push(format!("BabysitterRequest.phone_number: {phone}"));
    }
    let local = format!("{{1,{}}}@", EmailAddress::MAX_LOCAL_LEN);
    if !pattern("RegisterRequest", "email").contains(&local) {
        problems.push("RegisterRequest.email: no local-part length".to_owned());
    }
    // Names are trimmed: a non-blank pattern, not just `minLength: 1`.
    if !pattern("RegisterRequest", "first_name").starts_with("\"^[") {
        problems.push("RegisterRequest.first_name has no pattern".to_owned());
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // Page sizes and dates of the list queries.
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .cloned()
            .unwrap_or_default()
    };
    let journal = &param("/api/v1/journal/", "limit")["schema"];
    assert_eq!(journal["minimum"], 1, "{journal}");
    assert_eq!(journal["maximum"], JournalQuery::MAX_LIMIT, "{journal}");
    let page = &param("/api/v1/medications/", "page")["schema"];
    assert_eq!(page["maximum"], MedicationQuery::MAX_PAGE, "{page}");
    let limit = &param("/api/v1/medications/", "limit")["schema"];
    assert_eq!(limit["maximum"], MedicationQuery::MAX_LIMIT, "{limit}");
    let start = param("/api/v1/events/", "start_date");
    assert_eq!(start["required"], true, "{start}");
    assert!(start["schema"]["pattern"].is_string(), "{start}");
}
