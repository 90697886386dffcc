//! A school's calendar read for real: discovery and parsing through `WebCalendars` and the SSRF
//! guard, against a local site (exempted by address, as only tests can), into the family calendar.

use std::sync::Arc;

use calndr_outbound::{FetchLimits, SafeFetcher, WebCalendars};
use calndr_testkit::{Backend, TestApp};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_error, ok};

async fn app_reading(site: &MockServer) -> TestApp {
    let fetcher = SafeFetcher::new(FetchLimits::default())
        .expect("client")
        .exempting(&[*site.address()]);
    TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .calendars(Arc::new(WebCalendars::new(fetcher)))
        .build()
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_schools_html_calendar_is_discovered_parsed_and_shown_as_closures() {
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            br#"<nav><a href="/about">About</a> <a href="/academic-calendar">Academic Calendar</a></nav>"#.to_vec(),
            "text/html",
        ))
        .mount(&site)
        .await;
    Mock::given(method("GET"))
        .and(path("/academic-calendar"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(
                br#"<table><tr><td>December 22, 2025</td><td>Winter Break - School Closed</td></tr>
                <tr><td>January 19, 2026</td><td>MLK Day Holiday</td></tr>
                <tr><td>February 6, 2026</td><td>Science Fair</td></tr></table>"#
                    .to_vec(),
                "text/html",
            ),
        )
        .mount(&site)
        .await;
    let app = app_reading(&site).await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let school = ok(&app
        .post_json(
            "/api/v1/school-providers",
            t,
            &json!({"name": "Forest Hills Elementary", "website": site.uri()}),
        )
        .await);
    let id = school["id"].as_i64().expect("id");
    let found = ok(&app
        .get(
            &format!("/api/v1/school-providers/{id}/discover-calendar"),
            t,
        )
        .await);
    assert_eq!(found["success"], true);
    let calendar = found["discovered_calendar_url"]
        .as_str()
        .expect("url")
        .to_owned();
    assert!(calendar.ends_with("/academic-calendar"), "{calendar}");

    let parsed = ok(&app
        .post_json(
            &format!("/api/v1/school-providers/{id}/parse-events"),
            t,
            &json!({"calendar_url": calendar}),
        )
        .await);
    assert_eq!(parsed["events_count"], 3);
    // School views show closures only.
    let closures = ok(&app
        .get(
            "/api/v1/events/school/?start_date=2025-12-01&end_date=2026-03-01",
            t,
        )
        .await);
    let titles: Vec<String> = closures
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["content"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(titles.len(), 2, "{closures}");
    assert!(
        titles.iter().any(|t| t.contains("Winter Break")),
        "{titles:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_calendar_url_pointing_inside_the_network_is_refused_with_a_4xx() {
    let site = MockServer::start().await;
    let app = app_reading(&site).await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let daycare = ok(&app
        .post_json(
            "/api/v1/daycare-providers",
            t,
            &json!({"name": "Tiny Tots"}),
        )
        .await);
    let id = daycare["id"].as_i64().expect("id");
    for url in [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://169.254.170.2/v2/credentials",
        "http://10.1.2.3/calendar",
    ] {
        let res = app
            .post_json(
                &format!("/api/v1/daycare-providers/{id}/parse-events"),
                t,
                &json!({"calendar_url": url}),
            )
            .await;
        assert_error(
            &res,
            actix_web::http::StatusCode::BAD_REQUEST,
            "bad_request",
        );
    }
}
