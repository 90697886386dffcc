//! Storage of a family's calendar events.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{DateRange, Event, EventDraft, EventId, FamilyId, ProviderEvent};

use crate::StoreError;

/// Family calendar events (`events`). Legacy custody rows (`event_type = 'custody'` or
/// `position = 4`) are invisible to every method: never listed, never updated or deleted.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Events of the family in the range, ordered by date then id.
    async fn events_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Event>, StoreError>;

    /// School closures (through `families.school_sync_id`) and daycare events (through
    /// `families.daycare_sync_id`) of enabled syncs in the range, ordered by date and start time.
    /// Empty where the store keeps no provider calendars.
    async fn provider_events_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<ProviderEvent>, StoreError>;

    /// Inserts an event of type `regular`.
    async fn create_event(&self, family: FamilyId, draft: &EventDraft)
        -> Result<Event, StoreError>;

    /// Replaces date, content and position; returns the event before and after the change.
    /// `NotFound` when absent, of another family, or a custody row.
    async fn update_event(
        &self,
        family: FamilyId,
        id: EventId,
        draft: &EventDraft,
    ) -> Result<(Event, Event), StoreError>;

    /// Deletes and returns the deleted event. `NotFound` as for `update_event`.
    async fn delete_event(&self, family: FamilyId, id: EventId) -> Result<Event, StoreError>;
}
