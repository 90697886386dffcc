//! Family calendar events: month view (through the cache), range view, create, update, delete.

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::{
    DateRange, Event, EventDraft, EventId, ProviderEvent, ProviderKind, YearMonth,
};
use calndr_ports::{Cache, EventStore};

use crate::cache_keys::{events_month, View};
use crate::read_through::{Codec, Loaded, ReadThrough};
use crate::{AppError, Principal, Refusal};

/// How long a month of events may be served from the cache. Every event write retires the
/// family's months at once, so the TTL only bounds staleness when that is lost in an outage.
pub const EVENTS_TTL: Duration = Duration::from_secs(900);

const EVENTS: Codec<Vec<Event>> = Codec {
    encode: |events| serde_json::to_vec(events).ok(),
    decode: |raw| serde_json::from_slice(&raw).ok(),
};

/// The family's own events and, for the range view, its school and daycare events.
#[derive(Debug, Clone, Default)]
pub struct CalendarItems {
    pub events: Vec<Event>,
    pub provider_events: Vec<ProviderEvent>,
}

#[derive(Clone)]
pub struct EventService {
    store: Arc<dyn EventStore>,
    views: ReadThrough,
}

fn custody_refused() -> AppError {
    Refusal::CustodyEventsHaveTheirOwnRoute.into()
}

fn not_found(e: calndr_ports::StoreError) -> AppError {
    match e {
        calndr_ports::StoreError::NotFound => AppError::NotFound("Event"),
        other => other.into(),
    }
}

impl EventService {
    pub fn new(store: Arc<dyn EventStore>, cache: Arc<dyn Cache>) -> Self {
        Self {
            store,
            views: ReadThrough::new(cache),
        }
    }

    /// `GET /events/{year}/{month}`: read through the cache (a cache failure is a miss).
    pub async fn month(&self, who: &Principal, month: YearMonth) -> Result<Vec<Event>, AppError> {
        let family = who.family()?;
        let load = async {
            Ok(Loaded::Store(
                self.store.events_in_range(family, month.range()).await?,
            ))
        };
        self.views
            .read(&events_month(family, month), EVENTS_TTL, &EVENTS, load)
            .await
    }

    /// `GET /events/?start_date&end_date`: family events plus school closures and daycare events.
    pub async fn range(
        &self,
        who: &Principal,
        range: DateRange,
    ) -> Result<CalendarItems, AppError> {
        let family = who.family()?;
        let events = self.store.events_in_range(family, range).await?;
        let provider_events = self.store.provider_events_in_range(family, range).await?;
        Ok(CalendarItems {
            events,
            provider_events,
        })
    }

    /// `GET /events/school/...` and `/events/daycare/...`: one provider kind only.
    pub async fn provider_events(
        &self,
        who: &Principal,
        kind: ProviderKind,
        range: DateRange,
    ) -> Result<Vec<ProviderEvent>, AppError> {
        let family = who.family()?;
        let mut all = self.store.provider_events_in_range(family, range).await?;
        all.retain(|e| e.kind == kind);
        Ok(all)
    }

    pub async fn create(&self, who: &Principal, draft: EventDraft) -> Result<Event, AppError> {
        let family = who.family()?;
        if draft.is_custody() {
            return Err(custody_refused());
        }
        let event = self.store.create_event(family, &draft).await?;
        self.views.bump(family, View::Events).await;
        Ok(event)
    }

    pub async fn update(
        &self,
        who: &Principal,
        id: EventId,
        draft: EventDraft,
    ) -> Result<Event, AppError> {
        let family = who.family()?;
        if draft.is_custody() {
            return Err(custody_refused());
        }
        let (_, after) = self
            .store
            .update_event(family, id, &draft)
            .await
            .map_err(not_found)?;
        self.views.bump(family, View::Events).await;
        Ok(after)
    }

    pub async fn delete(&self, who: &Principal, id: EventId) -> Result<(), AppError> {
        let family = who.family()?;
        self.store
            .delete_event(family, id)
            .await
            .map_err(not_found)?;
        self.views.bump(family, View::Events).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calndr_domain::FamilyId;
    use calndr_memory::{MemoryCache, MemoryStore};
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[tokio::test]
    async fn months_are_cached_every_write_retires_them_and_custody_is_refused() {
        let store = Arc::new(MemoryStore::new());
        let cache = Arc::new(MemoryCache::default());
        let svc = EventService::new(store.clone(), cache.clone());
        let family = FamilyId::random();
        let who = Principal {
            user_id: calndr_domain::UserId::random(),
            family_id: Some(family),
        };
        let jan = YearMonth::new(2025, 1).unwrap();
        let feb = YearMonth::new(2025, 2).unwrap();
        // The first read starts the family's generation, the second caches.
        for _ in 0..2 {
            assert!(svc.month(&who, jan).await.unwrap().is_empty());
        }
        assert!(cache
            .get(&events_month(family, jan).value)
            .await
            .unwrap()
            .is_some());
        // Written behind the service's back: the cached month is served.
        store
            .create_event(
                family,
                &EventDraft::new(d("2025-01-02"), "hidden", None).unwrap(),
            )
            .await
            .unwrap();
        assert!(svc.month(&who, jan).await.unwrap().is_empty(), "cached");

        let e = svc
            .create(&who, EventDraft::new(d("2025-01-31"), "a", None).unwrap())
            .await
            .unwrap();
        assert_eq!(svc.month(&who, jan).await.unwrap().len(), 2);
        assert!(svc.month(&who, feb).await.unwrap().is_empty());
        svc.update(
            &who,
            e.id,
            EventDraft::new(d("2025-02-01"), "a", None).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(svc.month(&who, jan).await.unwrap().len(), 1);
        assert_eq!(svc.month(&who, feb).await.unwrap().len(), 1);
        svc.delete(&who, e.id).await.unwrap();
        assert!(svc.month(&who, feb).await.unwrap().is_empty());

        let custody = EventDraft::new(d("2025-02-01"), "x", Some(4)).unwrap();
        assert!(matches!(
            svc.create(&who, custody).await,
            Err(AppError::Refused(Refusal::CustodyEventsHaveTheirOwnRoute))
        ));
        let lone = Principal {
            family_id: None,
            ..who
        };
        assert!(svc.month(&lone, jan).await.is_err());
    }
}
