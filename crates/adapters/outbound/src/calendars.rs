//! [`CalendarSource`] over the web (spec 3.8): discovery of a school's or daycare's calendar page,
//! and reading its events from HTML or from an iCalendar feed (RFC 5545). Every fetch goes through
//! [`SafeFetcher`] (the URLs come from users).
//!
//! The parsers are pure functions of the text (`parse_html`, `parse_ics`) so they can be tested on
//! their own; they never panic, whatever the input (property tests in `tests/`).

use async_trait::async_trait;
use calndr_domain::{CalendarEvent, ProviderKind, WebUrl};
use calndr_ports::{CalendarSource, ExternalError};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use url::Url;

use crate::guard::{FetchError, SafeFetcher};

/// Events of a recurring iCalendar event are listed from a year back to two years ahead, at most
/// this many per feed.
pub const MAX_EVENTS: usize = 2_000;
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

// ---- HTML helpers --------------------------------------------------------------------------

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&#160;", " ")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#039;", "'")
        .replace("&rsquo;", "'")
        .replace("&ndash;", "-")
        .replace("&mdash;", "-")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Removes `<tag ...>...</tag>` blocks (script, style) case-insensitively.
fn strip_blocks(html: &str, tag: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(start) = lower[at..].find(&open).map(|i| i + at) {
        out.push_str(&html[at..start]);
        match lower[start..].find(&close) {
            Some(end) => at = start + end + close.len(),
            None => return out,
        }
    }
    out.push_str(&html[at..]);
    out
}

/// The visible text, one line per block element.
fn text_lines(html: &str) -> Vec<String> {
    let html = strip_blocks(&strip_blocks(html, "script"), "style");
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                let block = matches!(
                    name.as_str(),
                    "br" | "p"
                        | "li"
                        | "tr"
                        | "div"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "td"
                        | "th"
                        | "dt"
                        | "dd"
                        | "section"
                        | "article"
                        | "table"
                        | "ul"
                );
                text.push(if block { '\n' } else { ' ' });
            }
            (true, _) => tag.push(c),
            (false, _) => text.push(c),
        }
    }
    decode_entities(&text)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// `(href, text)` of every anchor.
fn anchors(html: &str) -> Vec<(String, String)> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<a").map(|i| i + at) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let tag = &html[start..tag_end];
        let text_end = lower[tag_end..]
            .find("</a")
            .map_or(lower.len(), |i| i + tag_end);
        let text = text_lines(&html[tag_end + 1..text_end.max(tag_end + 1)]).join(" ");
        if let Some(href) = attr(tag, "href") {
            out.push((decode_entities(&href), text));
        }
        at = text_end.max(tag_end + 1);
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let i = lower.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[i..];
    let value = match rest.chars().next()? {
        q @ ('"' | '\'') => rest[1..].split(q).next()?,
        _ => rest.split([' ', '>']).next()?,
    };
    Some(value.trim().to_owned())
}

/// How much a link looks like the calendar (spec 3.8 scores, iCalendar feeds first).
fn score(kind: ProviderKind, href: &str, text: &str) -> i32 {
    let h = href.to_ascii_lowercase();
    let t = format!("{} {}", text.to_lowercase(), h);
    let mut s = 0;
    if h.ends_with(".ics") || h.starts_with("webcal:") || h.contains("ical") {
        s += 12;
    }
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

/// The best calendar link of a page, absolute, http(s) only.
pub fn discover_in_html(kind: ProviderKind, base: &Url, html: &str) -> Option<Url> {
    anchors(html)
        .into_iter()
        .filter_map(|(href, text)| {
            let href = href.replacen("webcal://", "https://", 1);
            let url = base.join(&href).ok()?;
            let ok = matches!(url.scheme(), "http" | "https");
            let s = score(kind, &href, &text);
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
    let lines = text_lines(html);
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

/// Content lines with folding undone (RFC 5545 3.1).
fn unfold(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in ics.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(cont), Some(last)) => last.push_str(cont),
            _ => lines.push(raw.to_owned()),
        }
    }
    lines
}

fn ics_date(value: &str) -> Option<NaiveDate> {
    let digits: String = value.chars().take(8).collect();
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(&digits, "%Y%m%d").ok()
}

fn unescape(text: &str) -> String {
    text.replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

#[derive(Default)]
struct Rule {
    freq: Option<String>,
    interval: i64,
    count: Option<usize>,
    until: Option<NaiveDate>,
    by_day: Vec<Weekday>,
}

fn parse_rule(value: &str) -> Rule {
    let mut r = Rule {
        interval: 1,
        ..Rule::default()
    };
    for part in value.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        match k.to_ascii_uppercase().as_str() {
            "FREQ" => r.freq = Some(v.to_ascii_uppercase()),
            "INTERVAL" => r.interval = v.parse::<i64>().unwrap_or(1).clamp(1, 1000),
            "COUNT" => r.count = v.parse().ok(),
            "UNTIL" => r.until = ics_date(v),
            "BYDAY" => {
                r.by_day = v
                    .split(',')
                    .filter_map(|d| {
                        let d = d.trim_start_matches(|c: char| {
                            c.is_ascii_digit() || c == '-' || c == '+'
                        });
                        match d.to_ascii_uppercase().as_str() {
                            "MO" => Some(Weekday::Mon),
                            "TU" => Some(Weekday::Tue),
                            "WE" => Some(Weekday::Wed),
                            "TH" => Some(Weekday::Thu),
                            "FR" => Some(Weekday::Fri),
                            "SA" => Some(Weekday::Sat),
                            "SU" => Some(Weekday::Sun),
                            _ => None,
                        }
                    })
                    .collect();
            }
            _ => {}
        }
    }
    r
}

fn add_months(d: NaiveDate, months: i64) -> Option<NaiveDate> {
    let total = i64::from(d.year()) * 12 + i64::from(d.month0()) + months;
    let y = i32::try_from(total.div_euclid(12)).ok()?;
    let m = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(y, m, d.day())
}

/// The days of a (possibly recurring) event within `[from, to]`, at most `limit`.
fn occurrences(
    start: NaiveDate,
    rule: Option<&Rule>,
    from: NaiveDate,
    to: NaiveDate,
    limit: usize,
) -> Vec<NaiveDate> {
    let Some(rule) = rule.filter(|r| r.freq.is_some()) else {
        return if (from..=to).contains(&start) {
            vec![start]
        } else {
            vec![]
        };
    };
    let last = rule.until.map_or(to, |u| u.min(to));
    let mut out = Vec::new();
    let mut produced = 0usize;
    let mut step = 0i64;
    // Bounded: at most ~3 years of days even for a daily rule.
    while step < 5_000 && out.len() < limit {
        let base = match rule.freq.as_deref() {
            Some("DAILY") => start.checked_add_signed(Duration::days(step * rule.interval)),
            Some("WEEKLY") => start.checked_add_signed(Duration::weeks(step * rule.interval)),
            Some("MONTHLY") => add_months(start, step * rule.interval),
            Some("YEARLY") => add_months(start, step * rule.interval * 12),
            _ => None,
        };
        step += 1;
        let Some(base) = base else { continue };
        if base > last {
            break;
        }
        let days: Vec<NaiveDate> = if rule.freq.as_deref() == Some("WEEKLY")
            && !rule.by_day.is_empty()
        {
            let monday = base - Duration::days(i64::from(base.weekday().num_days_from_monday()));
            let mut ds: Vec<NaiveDate> = rule
                .by_day
                .iter()
                .map(|w| monday + Duration::days(i64::from(w.num_days_from_monday())))
                .filter(|d| *d >= start)
                .collect();
            ds.sort();
            ds
        } else {
            vec![base]
        };
        for d in days {
            if d > last || rule.count.is_some_and(|c| produced >= c) {
                continue;
            }
            produced += 1;
            if d >= from && out.len() < limit {
                out.push(d);
            }
        }
        if rule.count.is_some_and(|c| produced >= c) {
            break;
        }
    }
    out
}

/// Events of an iCalendar feed whose days fall in `[from, to]`; recurring events are expanded in
/// that window (FREQ DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, weekly BYDAY;
/// EXDATE honoured), at most [`MAX_EVENTS`].
pub fn parse_ics(ics: &str, from: NaiveDate, to: NaiveDate) -> Vec<CalendarEvent> {
    let mut events = Vec::new();
    let mut in_event = false;
    let (mut start, mut summary, mut rule, mut exdates) = (None, String::new(), None, Vec::new());
    for line in unfold(ics) {
        let Some((name_params, value)) = line.split_once(':') else {
            continue;
        };
        let name = name_params
            .split(';')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" if value.eq_ignore_ascii_case("VEVENT") => {
                in_event = true;
                (start, summary, rule, exdates) = (None, String::new(), None, Vec::new());
            }
            "END" if value.eq_ignore_ascii_case("VEVENT") && in_event => {
                in_event = false;
                let title = clean_title(&unescape(&summary));
                if let (Some(s), false) = (start, title.is_empty()) {
                    let room = MAX_EVENTS.saturating_sub(events.len());
                    for day in occurrences(s, rule.as_ref(), from, to, room) {
                        if !exdates.contains(&day) {
                            if let Ok(e) = CalendarEvent::new(day, &title) {
                                events.push(e);
                            }
                        }
                    }
                }
            }
            "DTSTART" if in_event => start = ics_date(value),
            "SUMMARY" if in_event => summary = value.to_owned(),
            "RRULE" if in_event => rule = Some(parse_rule(value)),
            "EXDATE" if in_event => exdates.extend(value.split(',').filter_map(ics_date)),
            _ => {}
        }
    }
    calndr_domain::providers::dedup_calendar(events)
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
