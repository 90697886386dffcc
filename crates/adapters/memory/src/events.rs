//! [`EventStore`] on the events of the [`MemoryStore`]. Legacy custody rows are invisible to
//! every method; the store keeps no provider calendars for the month view.

use async_trait::async_trait;
use calndr_domain::{DateRange, Event, EventDraft, EventId, FamilyId, ProviderEvent};
use calndr_ports::{EventStore, StoreError};

use crate::MemoryStore;

const CUSTODY_POSITION: i32 = 4;

pub(crate) fn is_event_of(e: &Event, family: FamilyId) -> bool {
    e.family_id == family && e.event_type != "custody" && e.position != Some(CUSTODY_POSITION)
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn events_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Event>, StoreError> {
        let s = self.state();
        let mut out: Vec<Event> = s
            .events
            .values()
            .filter(|e| is_event_of(e, family) && range.contains(e.date))
            .cloned()
            .collect();
        out.sort_by_key(|e| (e.date, e.id));
        Ok(out)
    }

    async fn provider_events_in_range(
        &self,
        _family: FamilyId,
        _range: DateRange,
    ) -> Result<Vec<ProviderEvent>, StoreError> {
        Ok(Vec::new())
    }

    async fn create_event(
        &self,
        family: FamilyId,
        draft: &EventDraft,
    ) -> Result<Event, StoreError> {
        let mut s = self.state();
        let id = s.next_i32("events")?;
        let event = Event {
            id: EventId::new(id),
            family_id: family,
            date: draft.date,
            content: Some(draft.content.clone()),
            position: draft.position,
            event_type: "regular".into(),
        };
        s.events.insert(id, event.clone());
        Ok(event)
    }

    async fn update_event(
        &self,
        family: FamilyId,
        id: EventId,
        draft: &EventDraft,
    ) -> Result<(Event, Event), StoreError> {
        let mut s = self.state();
        let e = s
            .events
            .get_mut(&id.get())
            .filter(|e| is_event_of(e, family))
            .ok_or(StoreError::NotFound)?;
        let before = e.clone();
        e.date = draft.date;
        e.content = Some(draft.content.clone());
        e.position = draft.position;
        Ok((before, e.clone()))
    }

    async fn delete_event(&self, family: FamilyId, id: EventId) -> Result<Event, StoreError> {
        let mut s = self.state();
        if s.events
            .get(&id.get())
            .is_none_or(|e| !is_event_of(e, family))
        {
            return Err(StoreError::NotFound);
        }
        s.events.remove(&id.get()).ok_or(StoreError::NotFound)
    }
}
