//! [`CalendarSource`] over the web (spec 3.8): discovery of a school's or daycare's calendar page,
//! and reading its events from HTML or from an iCalendar feed (RFC 5545). Every fetch goes through
//! [`SafeFetcher`] (the URLs come from users).
//!
//! * HTML is parsed by `scraper` (html5ever, the browsers' parsing algorithm: entities, broken
//!   markup, `<script>`/`<style>` contents); discovery reads `<a>`, `<area>` and `<link>` by
//!   `href`, `rel`, `type` and text, resolving relative URLs against the page (or its `<base>`).
//! * iCalendar feeds are parsed by `icalendar` (line folding, escaped text, parameters) and
//!   recurrences expanded by `rrule` (BYDAY with ordinals, BYSETPOS, COUNT/UNTIL, EXDATE, RDATE,
//!   moved or cancelled instances by `RECURRENCE-ID`) in each event's `TZID` zone, resolved with
//!   `chrono-tz`. [`write_ics`] writes a feed with `icalendar`.
//!
//! The parsers are pure functions of the text (`parse_html`, `parse_ics`) so they can be tested on
//! their own; they never panic and their work is bounded, whatever the input (property tests and
//! a corpus of real-world shapes in `tests/`).

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use calndr_domain::{CalendarEvent, ProviderKind, WebUrl};
use calndr_ports::{CalendarSource, ExternalError};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use ego_tree::iter::Edge;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventLike, EventStatus};
use scraper::{ElementRef, Html, Node};
use url::Url;

use crate::guard::{FetchError, SafeFetcher};

/// Events of a recurring iCalendar event are listed from a year back to two years ahead, at most
/// this many per feed.
pub const MAX_EVENTS: usize = 2_000;
/// Recurrence steps (occurrences before, in and just after the window) one feed may cost, and
/// one of its events (a daily rule reaches the window from 50 years back).
const MAX_STEPS: usize = 200_000;
const MAX_STEPS_PER_EVENT: usize = 20_000;
const TITLE_MAX: usize = 100;

pub struct WebCalendars {
    fetcher: SafeFetcher,
}

impl WebCalendars {
    pub fn new(fetcher: SafeFetcher) -> Self {
        Self { fetcher }
    }
}

fn fetch_failure(e: FetchError) -> ExternalError {
    match e {
        FetchError::Timeout | FetchError::Network => {
            ExternalError::Unavailable(format!("the calendar site: {e}").into())
        }
        other => ExternalError::Rejected(format!("The calendar page could not be read: {other}")),
    }
}

// ---- HTML ----------------------------------------------------------------------------------

/// Elements whose start and end break a line of text.
const BLOCKS: [&str; 20] = [
    "br", "p", "li", "tr", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
    "section", "article", "table", "ul", "ol",
];
/// Elements whose contents are not text a reader sees.
const HIDDEN: [&str; 5] = ["script", "style", "noscript", "template", "head"];

/// The visible text under `root`, one line per block element, whitespace collapsed.
fn text_lines(root: ElementRef<'_>) -> Vec<String> {
    let mut text = String::new();
    let mut hidden = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => hidden += 1,
                Node::Element(e) if hidden == 0 => {
                    text.push(if BLOCKS.contains(&e.name()) {
                        '\n'
                    } else {
                        ' '
                    });
                }
                Node::Text(t) if hidden == 0 => text.push_str(t),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => {
                    hidden = hidden.saturating_sub(1);
                }
                Node::Element(e) if hidden == 0 => {
                    text.push(if BLOCKS.contains(&e.name()) {
                        '\n'
                    } else {
                        ' '
                    });
                }
                _ => {}
            },
        }
    }
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// A link of a page: where it points and what says it is a calendar.
struct Link<'a> {
    href: &'a str,
    /// The anchor's text and title, or a `<link>`'s `rel` and title.
    text: String,
    /// `type`, e.g. `text/calendar`.
    mime: Option<&'a str>,
    /// A `<link>` (in the head): it counts only when it announces a calendar feed.
    head: bool,
}

fn elements(doc: &Html) -> impl Iterator<Item = ElementRef<'_>> {
    doc.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
}

fn links(doc: &Html) -> Vec<Link<'_>> {
    elements(doc)
        .filter_map(|el| {
            let href = el.attr("href")?.trim();
            let title = el.attr("title").unwrap_or_default();
            let mime = el.attr("type");
            let (text, head) = match el.value().name() {
                "a" | "area" => (text_lines(el).join(" "), false),
                "link" => (el.attr("rel").unwrap_or_default().to_owned(), true),
                _ => return None,
            };
            Some(Link {
                href,
                text: format!("{text} {title}"),
                mime,
                head,
            })
        })
        .collect()
}

fn is_feed(href: &str, mime: Option<&str>) -> bool {
    let h = href.to_ascii_lowercase();
    mime.is_some_and(|m| m.to_ascii_lowercase().contains("text/calendar"))
        || h.ends_with(".ics")
        || h.starts_with("webcal:")
        || h.contains("ical")
}

/// How much a link looks like the calendar (spec 3.8 scores, iCalendar feeds first).
fn score(kind: ProviderKind, link: &Link<'_>) -> i32 {
    let feed = is_feed(link.href, link.mime);
    if link.head && !feed {
        // Stylesheets, icons, canonical URLs…
        return 0;
    }
    let t = format!(
        "{} {}",
        link.text.to_lowercase(),
        link.href.to_ascii_lowercase()
    );
    let mut s = if feed { 12 } else { 0 };
    for (word, points) in [
        ("calendar", 10),
        ("events", 8),
        ("schedule", 6),
        ("closure", 5),
        ("holiday", 4),
        ("closed", 2),
        ("break", 2),
        ("dates", 2),
    ] {
        if t.contains(word) {
            s += points;
        }
    }
    if kind == ProviderKind::School && t.contains("academic") {
        s += 9;
    }
    s
}

/// The best calendar link of a page, absolute (resolved against the page or its `<base href>`),
/// http(s) only; `webcal:` feeds are read over https.
pub fn discover_in_html(kind: ProviderKind, base: &Url, html: &str) -> Option<Url> {
    let doc = Html::parse_document(html);
    let base = elements(&doc)
        .find(|el| el.value().name() == "base")
        .and_then(|el| el.attr("href"))
        .and_then(|href| base.join(href.trim()).ok())
        .unwrap_or_else(|| base.clone());
    links(&doc)
        .into_iter()
        .filter_map(|link| {
            let href = link.href.replacen("webcal://", "https://", 1);
            let url = base.join(&href).ok()?;
            let ok = matches!(url.scheme(), "http" | "https");
            let s = score(kind, &link);
            (ok && s > 0).then_some((s, url))
        })
        .max_by_key(|(s, _)| *s)
        .map(|(_, url)| url)
}

// ---- dates in text -------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w) && (w.len() == 3 || w.len() == m.len() || w == "sept"))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The first date in `line` and the line without it: "January 15, 2024", "Jan 15, 2024",
/// "1/15/2024", "1-15-2024", "January 15" (then `year`).
fn find_date(line: &str, year: i32) -> Option<(NaiveDate, String)> {
    let words: Vec<&str> = line.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        let clean = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '-');
        // Numeric m/d/yyyy or m-d-yyyy.
        let parts: Vec<&str> = clean.split(['/', '-']).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            let (m, d, y) = (
                parts[0].parse().ok(),
                parts[1].parse().ok(),
                parts[2].parse::<i32>().ok(),
            );
            if let (Some(m), Some(d), Some(y)) = (m, d, y) {
                let y = if y < 100 { 2000 + y } else { y };
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                    let rest = [&words[..i], &words[i + 1..]].concat().join(" ");
                    return Some((date, rest));
                }
            }
        }
        // Month name, day, optional year.
        if let Some(m) = month_of(clean) {
            let day = words.get(i + 1).and_then(|d| {
                d.trim_end_matches([',', '.', ':'])
                    .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                    .parse::<u32>()
                    .ok()
            });
            let Some(day) = day else { continue };
            let explicit = words
                .get(i + 2)
                .and_then(|y| {
                    y.trim_matches(|c: char| !c.is_ascii_digit())
                        .parse::<i32>()
                        .ok()
                })
                .filter(|y| (1900..=2200).contains(y));
            let used = if explicit.is_some() { 3 } else { 2 };
            if let Some(date) = NaiveDate::from_ymd_opt(explicit.unwrap_or(year), m, day) {
                let end = (i + used).min(words.len());
                let rest = [&words[..i], &words[end..]].concat().join(" ");
                return Some((date, rest));
            }
        }
    }
    None
}

fn clean_title(raw: &str) -> String {
    let kept: String = raw
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{2013}' | '\u{2014}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .filter(|c| c.is_alphanumeric() || " -'&(),./:!?".contains(*c))
        .collect();
    let t = kept
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| c == '-' || c == ':' || c == ',' || c.is_whitespace())
        .to_owned();
    t.chars()
        .take(TITLE_MAX)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A school title must say something: not only weekday names, numbers, punctuation or a
/// navigation word, and at least one word of three letters.
fn school_title_ok(title: &str) -> bool {
    const WEEKDAYS: [&str; 14] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ];
    const NAV: [&str; 7] = ["home", "menu", "search", "login", "contact", "read", "more"];
    let lower = title.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let meaningful = words
        .iter()
        .filter(|w| !WEEKDAYS.contains(w) && !NAV.contains(w))
        .any(|w| w.chars().count() >= 3);
    meaningful
}

/// Events listed on an HTML page: one per line that holds a date and a title.
pub fn parse_html(kind: ProviderKind, html: &str, year: i32) -> Vec<CalendarEvent> {
    let lines = text_lines(Html::parse_document(html).root_element());
    let mut events = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.len() > 2_000 {
            continue;
        }
        let Some((date, rest)) = find_date(line, year) else {
            continue;
        };
        let mut title = clean_title(&rest);
        // A date alone on its line: the title is the next line (lists of <dt>date</dt><dd>..).
        if title.is_empty() {
            if let Some(next) = lines.get(i + 1).filter(|n| find_date(n, year).is_none()) {
                title = clean_title(next);
            }
        }
        let usable =
            !title.is_empty() && (kind == ProviderKind::Daycare || school_title_ok(&title));
        if usable {
            if let Ok(e) = CalendarEvent::new(date, &title) {
                events.push(e);
            }
        }
    }
    calndr_domain::providers::dedup_calendar(events)
}

// ---- iCalendar -----------------------------------------------------------------------------

/// The zone an event's times are read in: its `TZID` (chrono-tz), or, for all-day dates,
/// floating times and zones chrono-tz does not know (Outlook's Windows names such as
/// "Eastern Standard Time"), its own wall clock, kept as UTC so the days come out as written.
fn zone_of(tzid: &str) -> rrule::Tz {
    tzid.trim_matches('"')
        .trim_start_matches('/')
        .parse::<chrono_tz::Tz>()
        .map_or(rrule::Tz::UTC, rrule::Tz::from)
}

/// A wall-clock time in `zone`; one in a DST gap is read an hour later, as clocks show it.
fn local(zone: rrule::Tz, wall: &NaiveDateTime) -> Option<chrono::DateTime<rrule::Tz>> {
    zone.from_local_datetime(wall).earliest().or_else(|| {
        zone.from_local_datetime(&(*wall + Duration::hours(1)))
            .earliest()
    })
}

fn instant(value: &DatePerhapsTime) -> Option<chrono::DateTime<rrule::Tz>> {
    let utc = rrule::Tz::UTC;
    match value {
        DatePerhapsTime::Date(d) => Some(utc.from_utc_datetime(&d.and_time(NaiveTime::MIN))),
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(wall)) => {
            Some(utc.from_utc_datetime(wall))
        }
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(t)) => {
            Some(utc.from_utc_datetime(&t.naive_utc()))
        }
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            local(zone_of(tzid), date_time)
        }
    }
}

/// The values of a date-list property (`EXDATE`, `RDATE`: comma-separated, each with the
/// property's `TZID`/`VALUE`; a `PERIOD` counts by its start).
fn date_list(prop: &icalendar::Property) -> Vec<DatePerhapsTime> {
    prop.value()
        .split(',')
        .filter_map(|v| {
            let start = v.split('/').next().unwrap_or_default().trim();
            let mut single = icalendar::Property::new("DTSTART", start);
            for p in prop
                .params()
                .values()
                .filter(|p| p.key() != "VALUE" || p.value() == "DATE")
            {
                single.append_parameter(p.clone());
            }
            DatePerhapsTime::from_property(&single)
        })
        .collect()
}

fn list<'e>(event: &'e icalendar::Event, name: &str) -> impl Iterator<Item = DatePerhapsTime> + 'e {
    event
        .multi_properties()
        .get(name)
        .into_iter()
        .flatten()
        .chain(event.properties().get(name))
        .flat_map(date_list)
}

/// The days of events in `[from, to]`. Each occurrence costs a step of `budget`, also those
/// before the window.
struct Expansion<'a> {
    from: NaiveDate,
    to: NaiveDate,
    /// Where UTC times fall on a day: the feed's `X-WR-TIMEZONE` (Google's exports), else UTC.
    display: Option<chrono_tz::Tz>,
    budget: &'a mut usize,
}

impl Expansion<'_> {
    fn day(&self, start: &DatePerhapsTime, t: &chrono::DateTime<rrule::Tz>) -> NaiveDate {
        match (start, self.display) {
            (DatePerhapsTime::DateTime(CalendarDateTime::Utc(_)), Some(zone)) => {
                t.with_timezone(&zone).date_naive()
            }
            _ => t.date_naive(),
        }
    }

    /// The days of `event`, at most `room`, expanding its `RRULE` (if any) with `RDATE`s and
    /// without `EXDATE`s and the instances `moved` elsewhere.
    fn days(
        &mut self,
        event: &icalendar::Event,
        moved: &[DatePerhapsTime],
        room: usize,
    ) -> Vec<NaiveDate> {
        let Some(start) = event.get_start() else {
            return Vec::new();
        };
        let Some(first) = instant(&start) else {
            return Vec::new();
        };
        let mut excluded_days = HashSet::new();
        let mut excluded = Vec::new();
        for ex in list(event, "EXDATE").chain(moved.iter().cloned()) {
            match (&ex, instant(&ex)) {
                (DatePerhapsTime::Date(d), _) => {
                    excluded_days.insert(*d);
                }
                (_, Some(t)) => excluded.push(t),
                (_, None) => {}
            }
        }
        let rule = event
            .property_value("RRULE")
            .and_then(|r| r.parse::<rrule::RRule<rrule::Unvalidated>>().ok())
            .and_then(|r| r.build(first).ok());
        let mut set = rule.unwrap_or_else(|| rrule::RRuleSet::new(first).rdate(first));
        for extra in list(event, "RDATE").filter_map(|d| instant(&d)) {
            set = set.rdate(extra);
        }
        let set = set.set_exdates(excluded).limit();
        let mut out = Vec::new();
        for t in set.into_iter().take(MAX_STEPS_PER_EVENT) {
            if *self.budget == 0 || out.len() >= room {
                break;
            }
            *self.budget -= 1;
            let day = self.day(&start, &t);
            if day > self.to {
                break;
            }
            if day >= self.from && !excluded_days.contains(&day) {
                out.push(day);
            }
        }
        out
    }
}

fn cancelled(event: &icalendar::Event) -> bool {
    event.get_status() == Some(EventStatus::Cancelled)
}

/// The feed's calendar. When the parser refuses it whole (a download cut short, a stray line,
/// blanks after a line), its events one by one: each that parses on its own is kept.
fn read_feed(ics: &str) -> icalendar::Calendar {
    let ics = ics.trim_start_matches('\u{feff}');
    if let Ok(calendar) = ics.parse::<icalendar::Calendar>() {
        return calendar;
    }
    let mut salvaged = icalendar::Calendar::new();
    let mut event: Option<String> = None;
    for line in icalendar::parser::unfold(ics).lines().map(str::trim_end) {
        match event.as_mut() {
            None if line.eq_ignore_ascii_case("BEGIN:VEVENT") => {
                event = Some("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n".to_owned());
            }
            None => {
                if let Some(zone) = line.strip_prefix("X-WR-TIMEZONE:") {
                    salvaged.timezone(zone);
                }
            }
            Some(text) if line.eq_ignore_ascii_case("END:VEVENT") => {
                text.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
                if let Ok(one) = text.parse::<icalendar::Calendar>() {
                    for component in one.components {
                        salvaged.push(component);
                    }
                }
                event = None;
            }
            Some(text) => {
                text.push_str(line);
                text.push_str("\r\n");
            }
        }
    }
    salvaged
}

/// Events of an iCalendar feed whose days fall in `[from, to]`, recurring ones expanded in that
/// window, at most [`MAX_EVENTS`].
pub fn parse_ics(ics: &str, from: NaiveDate, to: NaiveDate) -> Vec<CalendarEvent> {
    let calendar = read_feed(ics);
    let display = calendar
        .get_timezone()
        .and_then(|z| z.trim().parse::<chrono_tz::Tz>().ok());
    let feed: Vec<&icalendar::Event> = calendar.iter().filter_map(|c| c.as_event()).collect();
    // Instances moved or cancelled by a `RECURRENCE-ID` override leave their series.
    let mut moved: HashMap<&str, Vec<DatePerhapsTime>> = HashMap::new();
    for e in &feed {
        if let (Some(uid), Some(id)) = (e.get_uid(), e.get_recurrence_id()) {
            moved.entry(uid).or_default().push(id);
        }
    }
    let mut budget = MAX_STEPS;
    let mut expansion = Expansion {
        from,
        to,
        display,
        budget: &mut budget,
    };
    let mut events = Vec::new();
    for e in feed {
        let title = clean_title(e.get_summary().unwrap_or_default());
        if title.is_empty() || cancelled(e) {
            continue;
        }
        let series_moves = match (e.get_recurrence_id(), e.get_uid()) {
            (None, Some(uid)) => moved.get(uid).map(Vec::as_slice).unwrap_or_default(),
            _ => &[],
        };
        let room = MAX_EVENTS.saturating_sub(events.len());
        for day in expansion.days(e, series_moves, room) {
            if let Ok(event) = CalendarEvent::new(day, &title) {
                events.push(event);
            }
        }
    }
    calndr_domain::providers::dedup_calendar(events)
}

/// An iCalendar feed (RFC 5545) of all-day `events`, named `name`, shown to subscribers in
/// `zone` (`X-WR-TIMEZONE`). Each event's `UID` is stable (its day and title), so a calendar
/// app that refreshes the feed updates events instead of duplicating them.
pub fn write_ics(name: &str, zone: chrono_tz::Tz, events: &[CalendarEvent]) -> String {
    let mut calendar = icalendar::Calendar::new();
    calendar.name(name).timezone(zone);
    for e in events {
        let slug: String = e
            .title
            .as_str()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        calendar.push(
            icalendar::Event::new()
                .uid(&format!("{}-{slug}@calndr", e.date.format("%Y%m%d")))
                .summary(e.title.as_str())
                .all_day(e.date)
                .done(),
        );
    }
    calendar.to_string()
}

fn looks_like_ics(content_type: Option<&str>, body: &str) -> bool {
    content_type.is_some_and(|c| c.to_ascii_lowercase().contains("text/calendar"))
        || body.trim_start().starts_with("BEGIN:VCALENDAR")
}

fn web_url(url: &Url) -> Result<WebUrl, ExternalError> {
    WebUrl::parse(url.as_str(), "calendar_url", 2048)
        .map_err(|_| ExternalError::Rejected("The calendar link is not a usable URL".into()))
}

#[async_trait]
impl CalendarSource for WebCalendars {
    async fn discover_calendar(
        &self,
        kind: ProviderKind,
        website: &WebUrl,
    ) -> Result<Option<WebUrl>, ExternalError> {
        let page = self
            .fetcher
            .get(website.as_str())
            .await
            .map_err(fetch_failure)?;
        // Scanning up to 2 MiB of HTML is CPU work: off the async workers.
        let found = tokio::task::spawn_blocking(move || {
            let body = String::from_utf8_lossy(&page.body);
            if looks_like_ics(page.content_type.as_deref(), &body) {
                Some(page.url.clone())
            } else {
                discover_in_html(kind, &page.url, &body)
            }
        })
        .await
        .map_err(|e| ExternalError::Unavailable(Box::new(e)))?;
        found.map(|u| web_url(&u)).transpose()
    }

    async fn fetch_events(
        &self,
        kind: ProviderKind,
        calendar: &WebUrl,
    ) -> Result<Vec<CalendarEvent>, ExternalError> {
        let page = self
            .fetcher
            .get(calendar.as_str())
            .await
            .map_err(fetch_failure)?;
        // Parsing up to 2 MiB is CPU work: off the async workers.
        let parsed = tokio::task::spawn_blocking(move || {
            let body = String::from_utf8_lossy(&page.body);
            let today = Utc::now().date_naive();
            if looks_like_ics(page.content_type.as_deref(), &body) {
                parse_ics(
                    &body,
                    today - Duration::days(365),
                    today + Duration::days(730),
                )
            } else {
                parse_html(kind, &body, today.year())
            }
        })
        .await;
        parsed.map_err(|e| ExternalError::Unavailable(Box::new(e)))
    }
}
