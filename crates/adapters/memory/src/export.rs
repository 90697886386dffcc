//! [`ExportStore`] on the [`MemoryStore`]: each page is one look at the one state, in the same
//! orders and with the same keyset rules as the Postgres adapter.

use async_trait::async_trait;
use calndr_domain::{
    Event, EventId, FamilyId, IdentityProvider, JournalEntry, JournalEntryId, Reminder, ReminderId,
    UserId,
};
use calndr_ports::{ExportStore, NamedCustodyRecord, StoreError};
use chrono::NaiveDate;

use crate::events::is_event_of;
use crate::MemoryStore;

fn take(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[async_trait]
impl ExportStore for MemoryStore {
    async fn identity_providers(&self, user: UserId) -> Result<Vec<IdentityProvider>, StoreError> {
        let s = self.state();
        Ok([
            IdentityProvider::Apple,
            IdentityProvider::Google,
            IdentityProvider::Facebook,
        ]
        .into_iter()
        .filter(|p| {
            s.identities
                .iter()
                .any(|((provider, _), holder)| provider == p && *holder == user)
        })
        .collect())
    }

    async fn custody_page(
        &self,
        family: FamilyId,
        after: Option<NaiveDate>,
        n: u32,
    ) -> Result<Vec<NamedCustodyRecord>, StoreError> {
        let s = self.state();
        let Some(days) = s.custody.get(&family) else {
            return Ok(Vec::new());
        };
        let from = match after {
            Some(d) => std::ops::Bound::Excluded(d),
            None => std::ops::Bound::Unbounded,
        };
        Ok(days
            .range((from, std::ops::Bound::Unbounded))
            .take(take(n))
            .map(|(_, r)| NamedCustodyRecord {
                record: r.clone(),
                custodian_name: s
                    .users
                    .get(&r.day.custodian)
                    .map(|u| u.first_name.as_str().to_owned()),
            })
            .collect())
    }

    async fn events_page(
        &self,
        family: FamilyId,
        after: Option<EventId>,
        n: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let s = self.state();
        let from = after.map_or(0, |id| id.get().saturating_add(1));
        Ok(s.events
            .range(from..)
            .map(|(_, e)| e)
            .filter(|e| is_event_of(e, family))
            .take(take(n))
            .cloned()
            .collect())
    }

    async fn reminders_page(
        &self,
        family: FamilyId,
        after: Option<ReminderId>,
        n: u32,
    ) -> Result<Vec<Reminder>, StoreError> {
        let s = self.state();
        let from = after.map_or(0, |id| id.get().saturating_add(1));
        Ok(s.reminders
            .range(from..)
            .map(|(_, r)| r)
            .filter(|r| r.family_id == family)
            .take(take(n))
            .cloned()
            .collect())
    }

    async fn journal_page(
        &self,
        family: FamilyId,
        after: Option<JournalEntryId>,
        n: u32,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let s = self.state();
        let from = after.map_or(0, |id| id.get().saturating_add(1));
        // An entry whose author row is gone is left out, as the Postgres join leaves it out.
        Ok(s.journal
            .range(from..)
            .map(|(_, r)| r)
            .filter(|r| r.family_id == family)
            .filter_map(|r| s.with_author(r).ok())
            .take(take(n))
            .collect())
    }
}
