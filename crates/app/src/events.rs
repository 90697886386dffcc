//! Family calendar events: month view (through the cache), range view, create, update, delete.

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::{
    DateRange, Event, EventDraft, EventId, FamilyId, ProviderEvent, ProviderKind, YearMonth,
};
use calndr_ports::{Cache, EventStore};
use tracing::warn;

use crate::{AppError, Principal, Refusal};

/// How long a month of events may be served from the cache. Every event write deletes the months
/// it touched, so the TTL only bounds staleness when an invalidation is lost in a cache outage.
pub const EVENTS_TTL: Duration = Duration::from_secs(900);

/// `calndr:events:v1:<family>:<YYYY>-<MM>`.
pub fn events_month_key(family: FamilyId, month: YearMonth) -> String {
    format!("calndr:events:v1:{family}:{month}")
}

/// While an event write of the family is in flight (and shortly after), month reads do not fill
/// the cache: a read that loaded the database before the write committed must not store its stale
/// list after the write's invalidation.
pub const WRITE_GUARD_TTL: Duration = Duration::from_secs(5);

/// `calndr:events:v1:<family>:writing`, present while a write of the family may be in flight.
pub fn events_write_guard_key(family: FamilyId) -> String {
    format!("calndr:events:v1:{family}:writing")
}

/// The family's own events and, for the range view, its school and daycare events.
#[derive(Debug, Clone, Default)]
pub struct CalendarItems {
    pub events: Vec<Event>,
    pub provider_events: Vec<ProviderEvent>,
}

#[derive(Clone)]
pub struct EventService {
    store: Arc<dyn EventStore>,
    cache: Arc<dyn Cache>,
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
        Self { store, cache }
    }

    /// `GET /events/{year}/{month}`: read through the cache (a cache failure is a miss).
    pub async fn month(&self, who: &Principal, month: YearMonth) -> Result<Vec<Event>, AppError> {
        let family = who.family()?;
        let key = events_month_key(family, month);
        if let Ok(Some(raw)) = self.cache.get(&key).await {
            if let Ok(events) = serde_json::from_slice::<Vec<Event>>(&raw) {
                return Ok(events);
            }
        }
        let events = self.store.events_in_range(family, month.range()).await?;
        // Checked after the database read: a write that started before it may not have been
        // visible to it; its own invalidation may already have run.
        let writing = !matches!(
            self.cache.get(&events_write_guard_key(family)).await,
            Ok(None)
        );
        if !writing {
            if let Ok(raw) = serde_json::to_vec(&events) {
                // Best effort: the adapter counts and logs cache failures.
                let _ = self.cache.set(&key, &raw, EVENTS_TTL).await;
            }
        }
        Ok(events)
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
        self.guard_writes(family).await;
        let event = self.store.create_event(family, &draft).await?;
        self.invalidate(family, &[event.date]).await;
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
        self.guard_writes(family).await;
        let (before, after) = self
            .store
            .update_event(family, id, &draft)
            .await
            .map_err(not_found)?;
        self.invalidate(family, &[before.date, after.date]).await;
        Ok(after)
    }

    pub async fn delete(&self, who: &Principal, id: EventId) -> Result<(), AppError> {
        let family = who.family()?;
        self.guard_writes(family).await;
        let gone = self
            .store
            .delete_event(family, id)
            .await
            .map_err(not_found)?;
        self.invalidate(family, &[gone.date]).await;
        Ok(())
    }

    /// Marks a write of the family as in flight (before it starts) so that concurrent month reads
    /// do not cache what they loaded.
    async fn guard_writes(&self, family: FamilyId) {
        if let Err(e) = self
            .cache
            .set(&events_write_guard_key(family), b"1", WRITE_GUARD_TTL)
            .await
        {
            warn!(error = %e, family.id = %family, "events write guard not set");
        }
    }

    /// Deletes the cached months containing `dates`, after the write committed.
    async fn invalidate(&self, family: FamilyId, dates: &[chrono::NaiveDate]) {
        let mut keys: Vec<String> = dates
            .iter()
            .map(|d| events_month_key(family, YearMonth::of(*d)))
            .collect();
        keys.dedup();
        if let Err(e) = self.cache.delete(&keys).await {
            warn!(error = %e, family.id = %family, "events cache invalidation failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calndr_memory::{MemoryCache, MemoryStore};
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[tokio::test]
    async fn writes_invalidate_every_month_they_touch_and_custody_is_refused() {
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
        assert!(svc.month(&who, jan).await.unwrap().is_empty());
        assert!(svc.month(&who, feb).await.unwrap().is_empty());
        assert!(cache
            .get(&events_month_key(family, jan))
            .await
            .unwrap()
            .is_some());

        let e = svc
            .create(&who, EventDraft::new(d("2025-01-31"), "a", None).unwrap())
            .await
            .unwrap();
        assert_eq!(svc.month(&who, jan).await.unwrap().len(), 1);
        svc.update(
            &who,
            e.id,
            EventDraft::new(d("2025-02-01"), "a", None).unwrap(),
        )
        .await
        .unwrap();
        assert!(svc.month(&who, jan).await.unwrap().is_empty());
        assert_eq!(svc.month(&who, feb).await.unwrap().len(), 1);
        svc.delete(&who, e.id).await.unwrap();
        assert!(svc.month(&who, feb).await.unwrap().is_empty());

        let custody = EventDraft::new(d("2025-02-01"), "x", Some(4)).unwrap();
        assert!(matches!(
            svc.create(&who, custody).await,
            Err(AppError::Refused(Refusal::CustodyEventsHaveTheirOwnRoute))
        ));
        // Right after a write the guard is up: a miss is served but not cached.
        cache
            .delete(&[events_month_key(family, jan)])
            .await
            .unwrap();
        assert!(svc.month(&who, jan).await.unwrap().is_empty());
        assert!(cache
            .get(&events_month_key(family, jan))
            .await
            .unwrap()
            .is_none());
        cache
            .delete(&[events_write_guard_key(family)])
            .await
            .unwrap();
        svc.month(&who, jan).await.unwrap();
        assert!(cache
            .get(&events_month_key(family, jan))
            .await
            .unwrap()
            .is_some());

        let lone = Principal {
            family_id: None,
            ..who
        };
        assert!(svc.month(&lone, jan).await.is_err());
    }
}
