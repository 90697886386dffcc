//! Daycares and schools of the family: the address book, their calendars (discover a calendar
//! page, parse it into the family's calendar, read the sync state) and place search.
//!
//! The outside world (place search, calendar pages) is reached through ports only; when no
//! adapter is configured the use cases answer `ProviderNotConfigured`, never a crash.

use std::sync::Arc;

use calndr_domain::places::order_places;
use calndr_domain::providers::dedup_calendar;
use calndr_domain::{
    CalendarEvent, CalendarSync, Place, PlaceCategory, PlaceQuery, Provider, ProviderFields,
    ProviderId, ProviderKind, SearchArea, WebUrl,
};
use calndr_ports::{
    CalendarSource, ExternalError, NearbySearch, PlacesSearch, ProviderStore, StoreError,
    TextSearch,
};
use chrono::Utc;
use tracing::info;

use crate::{AppError, Principal, Refusal};

#[derive(Clone)]
pub struct ProviderDeps {
    pub store: Arc<dyn ProviderStore>,
    pub places: Arc<dyn PlacesSearch>,
    pub calendars: Arc<dyn CalendarSource>,
}

#[derive(Clone)]
pub struct ProviderService {
    deps: ProviderDeps,
}

/// What `discover-calendar` found.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub provider: Provider,
    /// The website searched ("" when the provider has none).
    pub base_website: String,
    pub calendar_url: Option<WebUrl>,
}

/// What `parse-events` read and stored.
#[derive(Debug, Clone)]
pub struct ParsedCalendar {
    pub provider: Provider,
    pub calendar_url: WebUrl,
    pub events: Vec<CalendarEvent>,
    /// The sync row written (`None` when the page had no events: nothing was replaced).
    pub sync: Option<CalendarSync>,
}

fn noun(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Daycare => "Daycare provider",
        ProviderKind::School => "School provider",
    }
}

fn store_error(kind: ProviderKind) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::NotFound(noun(kind)),
        other => other.into(),
    }
}

/// An outside source's error for the caller: not configured → 503 `provider_not_configured`,
/// unreachable → 503, refused → 400 with the source's (safe) message.
pub(crate) fn external(what: &'static str) -> impl Fn(ExternalError) -> AppError {
    move |e| match e {
        ExternalError::NotConfigured => AppError::ProviderNotConfigured(what),
        ExternalError::Unavailable(src) => AppError::Unavailable(src),
        ExternalError::Rejected(detail) => Refusal::BySource(detail).into(),
    }
}

/// Runs a place search through the port: a text search around a postal code, a nearby search
/// around a point; results ordered (and distances set) by the domain rule.
pub(crate) async fn search_places(
    places: &dyn PlacesSearch,
    query: PlaceQuery,
) -> Result<Vec<Place>, AppError> {
    let found = match &query.area {
        SearchArea::Zipcode(zip) => {
            places
                .text_search(&TextSearch {
                    category: query.category,
                    text: query.text_query(zip),
                })
                .await
        }
        SearchArea::Around { center, radius_m } => {
            places
                .nearby_search(&NearbySearch {
                    category: query.category,
                    center: *center,
                    radius_m: *radius_m,
                    keyword: query.keyword.as_ref().map(|k| k.as_str().to_owned()),
                })
                .await
        }
    }
    .map_err(external("Place search"))?;
    Ok(order_places(&query.area, found))
}

impl ProviderService {
    pub fn new(deps: ProviderDeps) -> Self {
        Self { deps }
    }

    pub async fn list(
        &self,
        who: &Principal,
        kind: ProviderKind,
    ) -> Result<Vec<Provider>, AppError> {
        Ok(self.deps.store.providers(kind, who.family()?).await?)
    }

    pub async fn create(
        &self,
        who: &Principal,
        kind: ProviderKind,
        fields: ProviderFields,
    ) -> Result<Provider, AppError> {
        let family = who.family()?;
        let p = self
            .deps
            .store
            .create_provider(kind, family, who.user_id, &fields, Utc::now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })?;
        info!(user.id = %who.user_id, provider.kind = kind.as_str(), provider.id = %p.id, "provider created");
        Ok(p)
    }

    pub async fn update(
        &self,
        who: &Principal,
        kind: ProviderKind,
        id: ProviderId,
        fields: ProviderFields,
    ) -> Result<Provider, AppError> {
        self.deps
            .store
            .update_provider(kind, who.family()?, id, &fields, Utc::now())
            .await
            .map_err(store_error(kind))
    }

    pub async fn delete(
        &self,
        who: &Principal,
        kind: ProviderKind,
        id: ProviderId,
    ) -> Result<(), AppError> {
        self.deps
            .store
            .delete_provider(kind, who.family()?, id)
            .await
            .map_err(store_error(kind))?;
        info!(user.id = %who.user_id, provider.kind = kind.as_str(), provider.id = %id, "provider deleted");
        Ok(())
    }

    pub async fn calendar_sync(
        &self,
        who: &Principal,
        kind: ProviderKind,
        id: ProviderId,
    ) -> Result<(Provider, Option<CalendarSync>), AppError> {
        self.deps
            .store
            .calendar_sync(kind, who.family()?, id)
            .await
            .map_err(store_error(kind))
    }

    /// Looks for the calendar page of the provider's website. A daycare without a website is a
    /// bad request (400); a school without one answers "nothing found" (as the original did).
    pub async fn discover_calendar(
        &self,
        who: &Principal,
        kind: ProviderKind,
        id: ProviderId,
    ) -> Result<Discovery, AppError> {
        let provider = self
            .deps
            .store
            .provider(kind, who.family()?, id)
            .await
            .map_err(store_error(kind))?;
        let Some(website) = provider.fields.website.clone() else {
            return match kind {
                ProviderKind::Daycare => Err(Refusal::NoDaycareWebsite.into()),
                ProviderKind::School => Ok(Discovery {
                    provider,
                    base_website: String::new(),
                    calendar_url: None,
                }),
            };
        };
        let calendar_url = self
            .deps
            .calendars
            .discover_calendar(kind, &website)
            .await
            .map_err(external("Calendar discovery"))?;
        Ok(Discovery {
            provider,
            base_website: website.as_str().to_owned(),
            calendar_url,
        })
    }

    /// Reads the calendar page and, when it lists events, makes them the provider's events and
    /// the family's calendar of that kind (one unit of work in the store). The family's event
    /// month cache holds family events only, so nothing cached goes stale here.
    pub async fn parse_events(
        &self,
        who: &Principal,
        kind: ProviderKind,
        id: ProviderId,
        calendar_url: WebUrl,
    ) -> Result<ParsedCalendar, AppError> {
        let family = who.family()?;
        let provider = self
            .deps
            .store
            .provider(kind, family, id)
            .await
            .map_err(store_error(kind))?;
        let events = self
            .deps
            .calendars
            .fetch_events(kind, &calendar_url)
            .await
            .map_err(external("Calendar fetching"))?;
        let events = dedup_calendar(events);
        if events.is_empty() {
            return Ok(ParsedCalendar {
                provider,
                calendar_url,
                events,
                sync: None,
            });
        }
        let (provider, sync) = self
            .deps
            .store
            .replace_calendar(kind, family, id, &calendar_url, &events, Utc::now())
            .await
            .map_err(store_error(kind))?;
        info!(user.id = %who.user_id, provider.kind = kind.as_str(), provider.id = %id,
              events = events.len(), "provider calendar replaced");
        Ok(ParsedCalendar {
            provider,
            calendar_url,
            events,
            sync: Some(sync),
        })
    }

    /// Daycares or schools around a postal code or a point.
    pub async fn search(
        &self,
        who: &Principal,
        kind: ProviderKind,
        area: SearchArea,
    ) -> Result<Vec<Place>, AppError> {
        who.family()?;
        let category = match kind {
            ProviderKind::Daycare => PlaceCategory::Daycare,
            ProviderKind::School => PlaceCategory::School,
        };
        search_places(
            self.deps.places.as_ref(),
            PlaceQuery {
                category,
                area,
                keyword: None,
            },
        )
        .await
    }

    /// The events of the school calendar the caller's family follows.
    pub async fn school_calendar(&self, who: &Principal) -> Result<Vec<CalendarEvent>, AppError> {
        Ok(self.deps.store.school_calendar(who.family()?).await?)
    }
}
