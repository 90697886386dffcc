//! Outside sources of places and calendars: a place search (Google Places in production) and the
//! calendar pages of schools and daycares.
//!
//! The real adapters fetch URLs chosen by users, so they must refuse private and loopback
//! addresses, bound redirects, sizes and time (spec 8.3); the ports only carry typed values.

use async_trait::async_trait;
use calndr_domain::{CalendarEvent, GeoPoint, Place, PlaceCategory, ProviderKind, WebUrl};
use thiserror::Error;

use crate::BoxError;

/// What an outside source can report.
#[derive(Debug, Error)]
pub enum ExternalError {
    /// No provider is configured on this server (no API key, no fetcher): nothing was attempted.
    #[error("not configured")]
    NotConfigured,
    /// The source could not be reached or timed out; a retry may succeed.
    #[error("source unavailable")]
    Unavailable(#[source] BoxError),
    /// The source answered, but not with something usable (e.g. the page is not a calendar, the
    /// URL is refused). The text is safe to show to the user.
    #[error("{0}")]
    Rejected(String),
}

/// A text search ("daycare centers near 28401").
#[derive(Debug, Clone, PartialEq)]
pub struct TextSearch {
    pub category: PlaceCategory,
    pub text: String,
}

/// A search around a point.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbySearch {
    pub category: PlaceCategory,
    pub center: GeoPoint,
    pub radius_m: u32,
    /// Narrows the search ("pharmacy", a specialty).
    pub keyword: Option<String>,
}

/// Finds places. Results carry their location when known; ordering and distances are the
/// caller's.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PlacesSearch: Send + Sync {
    async fn text_search(&self, query: &TextSearch) -> Result<Vec<Place>, ExternalError>;
    async fn nearby_search(&self, query: &NearbySearch) -> Result<Vec<Place>, ExternalError>;
}

/// Reads the calendars of schools and daycares from their websites.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CalendarSource: Send + Sync {
    /// The calendar page of a provider's website, `None` when none is found.
    async fn discover_calendar(
        &self,
        kind: ProviderKind,
        website: &WebUrl,
    ) -> Result<Option<WebUrl>, ExternalError>;

    /// The events listed on a calendar page.
    async fn fetch_events(
        &self,
        kind: ProviderKind,
        calendar: &WebUrl,
    ) -> Result<Vec<CalendarEvent>, ExternalError>;
}
