//! Fuzz targets for the parsers that read what outside sites send: the iCalendar/RRULE reader
//! and the HTML discovery and event scraper. Proptest-driven, so they run on stable Rust: a short
//! bounded run in `make test` (proptest's default 256 cases, or `PROPTEST_CASES`), a long one in
//! `make fuzz`. Each target feeds arbitrary bytes and structured near-valid input and checks
//! what a user would notice: no panic, output bounded, dates inside the asked window, links
//! absolute http(s).
#![expect(clippy::expect_used, reason = "test setup")]

use calndr_domain::ProviderKind;
use calndr_outbound::calendars::{discover_in_html, parse_html, parse_ics, MAX_EVENTS};
use chrono::NaiveDate;
use proptest::prelude::*;
use url::Url;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// Cases from `PROPTEST_CASES` (proptest's default config reads it), 256 when unset.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A date-ish iCalendar value: valid, out of range, or garbage.
fn ics_date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1900i32..2300, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}")),
        (1900i32..2300, 0u32..14, 0u32..33, 0u32..25, 0u32..61)
            .prop_map(|(y, m, d, h, mi)| format!("{y:04}{m:02}{d:02}T{h:02}{mi:02}00Z")),
        "[0-9TZ]{0,18}",
    ]
}

/// An RRULE value built from real parts in any order, with hostile numbers.
fn rrule() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        prop::sample::select(vec![
            "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "BOGUS"
        ])
        .prop_map(|f| format!("FREQ={f}")),
        (0u32..100_000).prop_map(|n| format!("INTERVAL={n}")),
        (0u64..10_000_000).prop_map(|n| format!("COUNT={n}")),
        ics_date().prop_map(|u| format!("UNTIL={u}")),
        "(-?[0-9]{0,2}(MO|TU|WE|TH|FR|SA|SU),?){0,7}".prop_map(|b| format!("BYDAY={b}")),
        "(-?[0-9]{1,3},?){0,5}".prop_map(|b| format!("BYMONTHDAY={b}")),
        "(-?[0-9]{1,3},?){0,3}".prop_map(|b| format!("BYSETPOS={b}")),
        "(-?[0-9]{1,3},?){0,3}".prop_map(|b| format!("BYYEARDAY={b}")),
        "([0-9]{1,2},?){0,3}".prop_map(|b| format!("BYMONTH={b}")),
        "[A-Z]{1,8}=[A-Z0-9,]{0,8}",
    ];
    prop::collection::vec(part, 0..6).prop_map(|p| p.join(";"))
}

/// One content line of a VEVENT (or something that only looks like one).
fn event_line() -> impl Strategy<Value = String> {
    prop_oneof![
        ics_date().prop_map(|v| format!("DTSTART;VALUE=DATE:{v}")),
        ics_date().prop_map(|v| format!("DTSTART:{v}")),
        ics_date().prop_map(|v| format!("DTSTART;TZID=America/New_York:{v}")),
        ics_date().prop_map(|v| format!("DTSTART;TZID=Not/AZone:{v}")),
        ics_date().prop_map(|v| format!("DTEND;VALUE=DATE:{v}")),
        rrule().prop_map(|r| format!("RRULE:{r}")),
        prop::collection::vec(ics_date(), 0..4).prop_map(|v| format!("EXDATE:{}", v.join(","))),
        prop::collection::vec(ics_date(), 0..4).prop_map(|v| format!("RDATE:{}", v.join(","))),
        ics_date().prop_map(|v| format!("RECURRENCE-ID;VALUE=DATE:{v}")),
        "[a-z0-9]{0,4}".prop_map(|u| format!("UID:{u}")),
        ".{0,80}".prop_map(|s| format!("SUMMARY:{s}")),
        prop::sample::select(vec![
            "STATUS:CANCELLED",
            "STATUS:CONFIRMED",
            "BEGIN:VALARM",
            "END:VALARM",
            "END:VEVENT",
            "BEGIN:VEVENT"
        ])
        .prop_map(str::to_owned),
        // A folded continuation line.
        "[ \t].{0,40}",
        ".{0,60}",
    ]
}

fn near_ics() -> impl Strategy<Value = String> {
    let event = prop::collection::vec(event_line(), 0..12)
        .prop_map(|lines| format!("BEGIN:VEVENT\r\n{}\r\nEND:VEVENT\r\n", lines.join("\r\n")));
    (
        prop::option::of(prop::sample::select(vec![
            "America/Chicago",
            "Europe/Paris",
            "Nowhere/Else",
            "",
        ])),
        prop::collection::vec(event, 0..8),
        any::<bool>(),
    )
        .prop_map(|(zone, events, close)| {
            let zone = zone
                .map(|z| format!("X-WR-TIMEZONE:{z}\r\n"))
                .unwrap_or_default();
            let end = if close { "END:VCALENDAR\r\n" } else { "" };
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{zone}{}{end}",
                events.concat()
            )
        })
}

fn assert_ics_bounded(ics: &str, from: NaiveDate, to: NaiveDate) -> Result<(), TestCaseError> {
    let events = parse_ics(ics, from, to);
    prop_assert!(events.len() <= MAX_EVENTS, "{} events", events.len());
    for e in &events {
        prop_assert!(
            e.date >= from && e.date <= to,
            "{} outside {from}..{to}",
            e.date
        );
        prop_assert!(!e.title.as_str().trim().is_empty());
    }
    Ok(())
}

/// A near-HTML page: tags a school site uses, links of every scheme, date-like text.
fn near_html() -> impl Strategy<Value = String> {
    let href = prop_oneof![
        "https?://[a-z]{1,8}\\.(org|edu)/[a-z/]{0,12}(\\.ics)?",
        "webcal://[a-z]{1,8}\\.org/[a-z]{0,8}\\.ics",
        "(javascript|mailto|data|ftp|file):[a-z/]{0,12}",
        "/?[a-z/]{0,16}(calendar|events|\\.ics)?",
        ".{0,30}",
    ];
    let text = prop_oneof![
        (1u32..13, 1u32..32, 1990i32..2100)
            .prop_map(|(m, d, y)| format!("{m}/{d}/{y} Winter Break")),
        prop::sample::select(vec![
            "Jan 2, 2026",
            "Dec 22",
            "2025-13-45",
            "Feb 30, 2025",
            "Monday"
        ])
        .prop_map(str::to_owned),
        "[A-Za-z &;#0-9]{0,40}",
    ];
    let node = prop_oneof![
        (href.clone(), text.clone()).prop_map(|(h, t)| format!("<a href=\"{h}\">{t} calendar</a>")),
        href.prop_map(|h| format!("<base href=\"{h}\">")),
        text.clone()
            .prop_map(|t| format!("<tr><td>{t}<td>{t}</tr>")),
        text.clone()
            .prop_map(|t| format!("<dt>{t}</dt><dd>{t}</dd>")),
        text.prop_map(|t| format!("<li>{t}</li>")),
        prop::sample::select(vec![
            "<table>",
            "</table>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "<br>",
            "<p",
            "&",
            "<"
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(node, 0..40).prop_map(|n| n.concat())
}

fn assert_html_bounded(html: &str) -> Result<(), TestCaseError> {
    let base = Url::parse("https://school.example.org/about/").expect("base");
    for kind in [ProviderKind::School, ProviderKind::Daycare] {
        let events = parse_html(kind, html, 2025);
        prop_assert!(events.len() <= MAX_EVENTS, "{} events", events.len());
        prop_assert!(events.iter().all(|e| !e.title.as_str().trim().is_empty()));
        if let Some(url) = discover_in_html(kind, &base, html) {
            prop_assert!(matches!(url.scheme(), "http" | "https"), "{url}");
            prop_assert!(url.host_str().is_some(), "{url}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_ics_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        assert_ics_bounded(&String::from_utf8_lossy(&bytes), d(2020, 1, 1), d(2030, 12, 31))?;
    }

    #[test]
    fn fuzz_ics_near_valid_feeds(ics in near_ics(), start in 0i64..20_000, len in 0i64..800) {
        let from = d(1990, 1, 1) + chrono::Duration::days(start);
        assert_ics_bounded(&ics, from, from + chrono::Duration::days(len))?;
    }

    #[test]
    fn fuzz_html_arbitrary_text(html in ".{0,4000}") {
        assert_html_bounded(&html)?;
    }

    #[test]
    fn fuzz_html_near_valid_pages(html in near_html()) {
        assert_html_bounded(&html)?;
    }
}
