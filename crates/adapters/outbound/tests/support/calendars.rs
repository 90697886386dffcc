//! Calendar discovery and parsing (spec 3.8): the pure parsers on examples and arbitrary input
//! (property tests: they never panic and recurring events stay in the window), and the adapter
//! end to end against a local site through the SSRF guard.

use calndr_domain::{ProviderKind, WebUrl};
use calndr_outbound::calendars::{discover_in_html, parse_html, parse_ics, MAX_EVENTS};
use calndr_outbound::{FetchLimits, SafeFetcher, WebCalendars};
use calndr_ports::{CalendarSource, ExternalError};
use chrono::NaiveDate;
use proptest::prelude::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn titles(events: &[calndr_domain::CalendarEvent]) -> Vec<(NaiveDate, String)> {
    events
        .iter()
        .map(|e| (e.date, e.title.as_str().to_owned()))
        .collect()
}

#[test]
fn html_dates_in_every_format_of_the_spec_with_titles_cleaned() {
    let html = r#"<html><head><style>.x{color:red}</style><script>var d = "January 1, 2020 fake";</script></head>
      <body><ul>
        <li>January 15, 2025 - School Closed: MLK Day</li>
        <li>Feb 17, 2025: Presidents&#39; Day Holiday</li>
        <li><b>3/10/2025</b> Spring Break begins</li>
        <li>4-18-2025 &ndash; Good Friday (closed)</li>
        <li>May 26 Memorial Day</li>
        <li>June 2, 2025</li>
        <li>Monday, June 9, 2025 Monday</li>
      </ul></body></html>"#;
    let events = parse_html(ProviderKind::School, html, 2025);
    assert_eq!(
        titles(&events),
        vec![
            (d(2025, 1, 15), "School Closed: MLK Day".to_owned()),
            (d(2025, 2, 17), "Presidents' Day Holiday".to_owned()),
            (d(2025, 3, 10), "Spring Break begins".to_owned()),
            (d(2025, 4, 18), "Good Friday (closed)".to_owned()),
            (d(2025, 5, 26), "Memorial Day".to_owned()),
        ],
        "scripts are ignored; a date without a title, or with only a weekday, is no event"
    );
}

#[test]
fn ics_events_recurrences_and_exdates_within_the_window() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20251124\r\nSUMMARY:Thanksgiving Break\\, no school\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20250905T120000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=4\r\nEXDATE;VALUE=DATE:20250919\r\n\
SUMMARY:Early\r\n  dismissal\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20200101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:New Year\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nSUMMARY:No start date\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let events = parse_ics(ics, d(2025, 8, 1), d(2026, 7, 31));
    assert_eq!(
        titles(&events),
        vec![
            (d(2025, 9, 5), "Early dismissal".to_owned()),
            (d(2025, 9, 12), "Early dismissal".to_owned()),
            (d(2025, 9, 26), "Early dismissal".to_owned()),
            (d(2025, 11, 24), "Thanksgiving Break, no school".to_owned()),
            (d(2026, 1, 1), "New Year".to_owned()),
        ]
    );
}

#[test]
fn discovery_prefers_a_feed_then_the_calendar_page() {
    let base: url::Url = "https://school.example/home/".parse().expect("url");
    let html = r#"<a href="/news">News</a> <a href='calendar.html'>Calendar</a>
                  <a href="webcal://school.example/feed.ics">Subscribe</a> <a href="mailto:x@y">Mail</a>"#;
    assert_eq!(
        discover_in_html(ProviderKind::School, &base, html).map(|u| u.to_string()),
        Some("https://school.example/feed.ics".to_owned())
    );
    let html = r#"<a href="/about">About</a><a href="academic-calendar">Academic Calendar</a>"#;
    assert_eq!(
        discover_in_html(ProviderKind::School, &base, html).map(|u| u.to_string()),
        Some("https://school.example/home/academic-calendar".to_owned())
    );
    assert_eq!(
        discover_in_html(ProviderKind::Daycare, &base, "<a href='/about'>About</a>"),
        None
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_html_parser_never_panics(input in ".{0,2000}") {
        let _ = parse_html(ProviderKind::School, &input, 2025);
        let _ = parse_html(ProviderKind::Daycare, &input, 2025);
    }

    #[test]
    fn the_ics_parser_never_panics(input in "(BEGIN:VEVENT|END:VEVENT|DTSTART:|RRULE:FREQ=|SUMMARY:|[0-9]{8}|;|\r\n| |.){0,300}") {
        let _ = parse_ics(&input, d(2020, 1, 1), d(2030, 1, 1));
    }

    #[test]
    fn recurring_events_stay_in_the_window_and_bounded(
        start in 0i64..3000, freq in prop::sample::select(vec!["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
        interval in 1u32..5, count in prop::option::of(1usize..400),
    ) {
        let first = d(2020, 1, 1) + chrono::Duration::days(start);
        let count = count.map(|c| format!(";COUNT={c}")).unwrap_or_default();
        let ics = format!(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:{}\nRRULE:FREQ={freq};INTERVAL={interval}{count}\nSUMMARY:Event\nEND:VEVENT\nEND:VCALENDAR\n",
            first.format("%Y%m%d")
        );
        let (from, to) = (d(2024, 1, 1), d(2025, 12, 31));
        let events = parse_ics(&ics, from, to);
        prop_assert!(events.len() <= MAX_EVENTS);
        prop_assert!(events.iter().all(|e| e.date >= from && e.date <= to && e.date >= first));
    }

    #[test]
    fn a_single_event_round_trips(day in 0i64..3650, title in "[A-Za-z][A-Za-z ]{2,40}[A-Za-z]") {
        let date = d(2020, 1, 1) + chrono::Duration::days(day);
        let ics = format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{}\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", date.format("%Y%m%d"));
        let events = parse_ics(&ics, d(2019, 1, 1), d(2031, 1, 1));
        let expected = title.split_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert_eq!(titles(&events), vec![(date, expected)]);
    }
}

#[tokio::test]
async fn the_adapter_discovers_and_reads_a_feed_through_the_guard() {
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(
                r#"<a href="/calendar">Calendar</a><a href="/events.ics">iCal</a>"#
                    .as_bytes()
                    .to_vec(),
                "text/html",
            ),
        )
        .mount(&site)
        .await;
    let today = chrono::Utc::now().date_naive();
    let ics = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{}\r\nSUMMARY:Closed for Teacher Workday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        (today + chrono::Duration::days(10)).format("%Y%m%d")
    );
    Mock::given(method("GET"))
        .and(path("/events.ics"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ics.into_bytes(), "text/calendar"))
        .mount(&site)
        .await;
    let fetcher = SafeFetcher::new(FetchLimits::default())
        .expect("client")
        .exempting(&[*site.address()]);
    let calendars = WebCalendars::new(fetcher);
    let website = WebUrl::parse(&site.uri(), "website", 500).expect("url");
    let found = calendars
        .discover_calendar(ProviderKind::School, &website)
        .await
        .expect("discover")
        .expect("a calendar");
    assert!(
        found.as_str().ends_with("/events.ics"),
        "{}",
        found.as_str()
    );
    let events = calendars
        .fetch_events(ProviderKind::School, &found)
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].title.as_str(), "Closed for Teacher Workday");
}

#[tokio::test]
async fn a_calendar_url_on_a_private_address_is_refused() {
    let calendars = WebCalendars::new(SafeFetcher::new(FetchLimits::default()).expect("client"));
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/cal.ics",
        "http://localhost:8080/",
    ] {
        let err = calendars
            .fetch_events(
                ProviderKind::Daycare,
                &WebUrl::parse(url, "calendar_url", 500).expect("url"),
            )
            .await
            .expect_err(url);
        assert!(matches!(err, ExternalError::Rejected(_)), "{url}: {err:?}");
    }
}
