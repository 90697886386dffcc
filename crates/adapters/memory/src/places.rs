//! Place search and calendar pages: the `Unconfigured` adapters wired by default (every call is
//! `NotConfigured`, answered 503 `provider_not_configured`), and canned fakes for tests.

use std::sync::Mutex;

use async_trait::async_trait;
use calndr_domain::{CalendarEvent, GeoPoint, Place, ProviderKind, WebUrl};
use calndr_ports::{CalendarSource, ExternalError, NearbySearch, PlacesSearch, TextSearch};
use chrono::NaiveDate;

use crate::lock;

/// No place search configured (no API key).
#[derive(Debug, Default, Clone, Copy)]
pub struct UnconfiguredPlaces;

#[async_trait]
impl PlacesSearch for UnconfiguredPlaces {
    async fn text_search(&self, _: &TextSearch) -> Result<Vec<Place>, ExternalError> {
        Err(ExternalError::NotConfigured)
    }
    async fn nearby_search(&self, _: &NearbySearch) -> Result<Vec<Place>, ExternalError> {
        Err(ExternalError::NotConfigured)
    }
}

/// No calendar fetcher configured.
#[derive(Debug, Default, Clone, Copy)]
pub struct UnconfiguredCalendars;

#[async_trait]
impl CalendarSource for UnconfiguredCalendars {
    async fn discover_calendar(
        &self,
        _: ProviderKind,
        _: &WebUrl,
    ) -> Result<Option<WebUrl>, ExternalError> {
        Err(ExternalError::NotConfigured)
    }
    async fn fetch_events(
        &self,
        _: ProviderKind,
        _: &WebUrl,
    ) -> Result<Vec<CalendarEvent>, ExternalError> {
        Err(ExternalError::NotConfigured)
    }
}

/// Canned places: two for a text search, two around the centre for a nearby search (the nearer
/// one second, so ordering is the caller's job). Records every query.
#[derive(Debug, Default)]
pub struct FakePlaces {
    queries: Mutex<Vec<String>>,
}

fn canned(id: &str, name: &str, location: Option<GeoPoint>) -> Place {
    Place {
        place_id: id.to_owned(),
        name: name.to_owned(),
        address: Some(format!("1 {name} Way, Wilmington, NC 28401")),
        phone_number: Some("(910) 555-0100".to_owned()),
        rating: Some(4.5),
        website: Some(format!("https://{id}.example.com")),
        hours: Some("Monday: 7:00 AM - 6:00 PM; Tuesday: 7:00 AM - 6:00 PM".to_owned()),
        location,
        distance_m: None,
    }
}

impl FakePlaces {
    pub fn new() -> Self {
        Self::default()
    }

    /// The queries received: the text of text searches, `nearby <lat>,<lon> r=<m> <keyword>`.
    pub fn queries(&self) -> Vec<String> {
        lock(&self.queries).clone()
    }
}

#[async_trait]
impl PlacesSearch for FakePlaces {
    async fn text_search(&self, query: &TextSearch) -> Result<Vec<Place>, ExternalError> {
        lock(&self.queries).push(query.text.clone());
        Ok(vec![
            canned("place-zebra", "Zebra Kids", None),
            canned("place-apple", "Apple Tree", None),
        ])
    }

    async fn nearby_search(&self, query: &NearbySearch) -> Result<Vec<Place>, ExternalError> {
        let c = query.center;
        lock(&self.queries).push(format!(
            "nearby {},{} r={} {}",
            c.latitude(),
            c.longitude(),
            query.radius_m,
            query.keyword.as_deref().unwrap_or("")
        ));
        let at = |dlat: f64| {
            GeoPoint::parse((c.latitude() + dlat).clamp(-90.0, 90.0), c.longitude()).ok()
        };
        Ok(vec![
            canned("place-far", "Far Away", at(0.02)),
            canned("place-near", "Right Here", at(0.001)),
        ])
    }
}

/// Canned calendar pages: discovery finds `<website>/calendar`; a page whose URL contains
/// `empty` lists nothing, one containing `refused` is rejected, any other lists three events
/// (two closures and an early dismissal, in 2025-12 to 2026-02).
#[derive(Debug, Default, Clone, Copy)]
pub struct FakeCalendars;

#[async_trait]
impl CalendarSource for FakeCalendars {
    async fn discover_calendar(
        &self,
        _: ProviderKind,
        website: &WebUrl,
    ) -> Result<Option<WebUrl>, ExternalError> {
        let url = format!("{}/calendar", website.as_str().trim_end_matches('/'));
        Ok(WebUrl::parse(&url, "calendar_url", 2_000).ok())
    }

    async fn fetch_events(
        &self,
        _: ProviderKind,
        calendar: &WebUrl,
    ) -> Result<Vec<CalendarEvent>, ExternalError> {
        if calendar.as_str().contains("refused") {
            return Err(ExternalError::Rejected(
                "The calendar page could not be read".into(),
            ));
        }
        if calendar.as_str().contains("empty") {
            return Ok(Vec::new());
        }
        let event = |y, m, d, title: &str| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|date| CalendarEvent::new(date, title).ok())
                .ok_or_else(|| ExternalError::Rejected("bad canned event".into()))
        };
        Ok(vec![
            event(2026, 1, 19, "MLK Day - Closed")?,
            event(2025, 12, 22, "Winter Break - Closed")?,
            event(2026, 2, 13, "Early Dismissal")?,
        ])
    }
}
