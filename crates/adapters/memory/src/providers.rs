//! [`ProviderStore`] on the daycares and schools of the [`MemoryStore`], with their calendar
//! syncs and events.

use async_trait::async_trait;
use calndr_domain::{
    CalendarEvent, CalendarSync, FamilyId, Provider, ProviderFields, ProviderId, ProviderKind,
    UserId, WebUrl,
};
use calndr_ports::{ProviderStore, StoreError};
use chrono::{DateTime, Utc};

use crate::state::State;
use crate::state::SyncRow;
use crate::MemoryStore;

/// The table (and id sequence) of a kind's providers.
fn table(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Daycare => "daycare_providers",
        ProviderKind::School => "school_providers",
    }
}

impl State {
    fn provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<&Provider, StoreError> {
        self.providers
            .get(&(kind.as_str(), id.get()))
            .filter(|p| p.family_id == family)
            .ok_or(StoreError::NotFound)
    }
}

#[async_trait]
impl ProviderStore for MemoryStore {
    async fn providers(
        &self,
        kind: ProviderKind,
        family: FamilyId,
    ) -> Result<Vec<Provider>, StoreError> {
        let s = self.state();
        Ok(s.providers
            .values()
            .rev()
            .filter(|p| p.kind == kind && p.family_id == family)
            .cloned()
            .collect())
    }

    async fn provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<Provider, StoreError> {
        self.state().provider(kind, family, id).cloned()
    }

    async fn create_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        created_by: UserId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError> {
        let mut s = self.state();
        s.has_user(created_by)?;
        let id = s.next_i32(table(kind))?;
        let p = Provider {
            kind,
            id: ProviderId::new(id),
            family_id: family,
            fields: fields.clone(),
            created_by,
            created_at: Some(at.naive_utc()),
            updated_at: Some(at.naive_utc()),
        };
        s.providers.insert((kind.as_str(), id), p.clone());
        Ok(p)
    }

    async fn update_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError> {
        let mut s = self.state();
        s.provider(kind, family, id)?;
        let p = s
            .providers
            .get_mut(&(kind.as_str(), id.get()))
            .ok_or(StoreError::NotFound)?;
        p.fields = fields.clone();
        p.updated_at = Some(at.naive_utc());
        Ok(p.clone())
    }

    async fn delete_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        s.provider(kind, family, id)?;
        s.providers.remove(&(kind.as_str(), id.get()));
        s.calendar_events.remove(&(kind.as_str(), id.get()));
        let gone: Vec<i32> = s
            .calendar_syncs
            .iter()
            .filter(|(_, r)| r.kind == kind && r.provider == id.get())
            .map(|(k, _)| *k)
            .collect();
        for sync in &gone {
            s.calendar_syncs.remove(sync);
        }
        s.followed_syncs.retain(|_, sync| !gone.contains(sync));
        Ok(())
    }

    async fn calendar_sync(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(Provider, Option<CalendarSync>), StoreError> {
        let s = self.state();
        let p = s.provider(kind, family, id)?.clone();
        let latest = s
            .calendar_syncs
            .values()
            .filter(|r| r.kind == kind && r.provider == id.get())
            .max_by_key(|r| (r.sync.last_sync_at, r.sync.id))
            .map(|r| r.sync.clone());
        Ok((p, latest))
    }

    async fn replace_calendar(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        url: &WebUrl,
        events: &[CalendarEvent],
        at: DateTime<Utc>,
    ) -> Result<(Provider, CalendarSync), StoreError> {
        let mut s = self.state();
        let p = s.provider(kind, family, id)?.clone();
        s.calendar_events
            .insert((kind.as_str(), id.get()), events.to_vec());
        let existing = s
            .calendar_syncs
            .iter()
            .find(|(_, r)| r.kind == kind && r.provider == id.get() && r.sync.calendar_url == *url)
            .map(|(k, _)| *k);
        let sync_id = match existing {
            Some(k) => k,
            None => s.next_i32("calendar_syncs")?,
        };
        let sync = CalendarSync {
            id: sync_id,
            calendar_url: url.clone(),
            sync_enabled: true,
            last_sync_at: Some(at),
            last_sync_success: Some(true),
            events_count: i32::try_from(events.len()).unwrap_or(i32::MAX),
        };
        s.calendar_syncs.insert(
            sync_id,
            SyncRow {
                kind,
                provider: id.get(),
                sync: sync.clone(),
            },
        );
        s.followed_syncs.insert((family, kind.as_str()), sync_id);
        Ok((p, sync))
    }

    async fn school_calendar(&self, family: FamilyId) -> Result<Vec<CalendarEvent>, StoreError> {
        let s = self.state();
        let kind = ProviderKind::School;
        let Some(row) = s
            .followed_syncs
            .get(&(family, kind.as_str()))
            .and_then(|sync| s.calendar_syncs.get(sync))
            .filter(|r| r.sync.sync_enabled)
        else {
            return Ok(Vec::new());
        };
        let mut out = s
            .calendar_events
            .get(&(kind.as_str(), row.provider))
            .cloned()
            .unwrap_or_default();
        out.sort_by(|a, b| (a.date, a.title.as_str()).cmp(&(b.date, b.title.as_str())));
        Ok(out)
    }
}
