//! [`JournalStore`] on the journal of the [`MemoryStore`], each entry with its author's name read
//! from the users under the same lock.

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, FamilyId, JournalChanges, JournalEntry, JournalEntryId, JournalQuery,
    NewJournalEntry, UserId,
};
use calndr_ports::{JournalStore, StoreError};
use chrono::{DateTime, Utc};

use crate::state::JournalRow;
use crate::state::State;
use crate::MemoryStore;

impl State {
    /// The entry with its author's name (the join on `users`); `NotFound` when the author is gone.
    pub(crate) fn with_author(&self, r: &JournalRow) -> Result<JournalEntry, StoreError> {
        let author = self.users.get(&r.user_id).ok_or(StoreError::NotFound)?;
        Ok(JournalEntry {
            id: r.id,
            family_id: r.family_id,
            user_id: r.user_id,
            title: r.title.clone(),
            content: r.content.clone(),
            entry_date: r.entry_date,
            author_name: BoundedText::from_stored(format!(
                "{} {}",
                author.first_name.as_str(),
                author.last_name.as_str()
            )),
            created_at: Some(r.created_at),
            updated_at: Some(r.updated_at),
        })
    }
}

#[async_trait]
impl JournalStore for MemoryStore {
    async fn journal_entries(
        &self,
        family: FamilyId,
        query: JournalQuery,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let s = self.state();
        let mut rows: Vec<&JournalRow> = s
            .journal
            .values()
            .filter(|r| r.family_id == family)
            .filter(|r| query.start.is_none_or(|d| r.entry_date >= d))
            .filter(|r| query.end.is_none_or(|d| r.entry_date <= d))
            .collect();
        rows.sort_by(|a, b| {
            (b.entry_date, b.created_at, b.id).cmp(&(a.entry_date, a.created_at, a.id))
        });
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        rows.into_iter().map(|r| s.with_author(r)).collect()
    }

    async fn journal_entry(
        &self,
        family: FamilyId,
        id: JournalEntryId,
    ) -> Result<JournalEntry, StoreError> {
        let s = self.state();
        let row = s
            .journal
            .get(&id.get())
            .filter(|r| r.family_id == family)
            .ok_or(StoreError::NotFound)?;
        s.with_author(row)
    }

    async fn create_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        entry: &NewJournalEntry,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let mut s = self.state();
        s.has_user(author)?;
        let id = s.next_i32("journal_entries")?;
        let at = at.naive_utc();
        let row = JournalRow {
            id: JournalEntryId::new(id),
            family_id: family,
            user_id: author,
            title: entry.title.clone(),
            content: entry.content.clone(),
            entry_date: entry.entry_date,
            created_at: at,
            updated_at: at,
        };
        let created = s.with_author(&row)?;
        s.journal.insert(id, row);
        Ok(created)
    }

    async fn update_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
        changes: &JournalChanges,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let mut s = self.state();
        let r = s
            .journal
            .get_mut(&id.get())
            .filter(|r| r.family_id == family && r.user_id == author)
            .ok_or(StoreError::NotFound)?;
        if let Some(t) = &changes.title {
            r.title = Some(t.clone());
        }
        if let Some(c) = &changes.content {
            r.content = c.clone();
        }
        if let Some(d) = changes.entry_date {
            r.entry_date = d;
        }
        r.updated_at = at.naive_utc();
        let row = r.clone();
        s.with_author(&row)
    }

    async fn delete_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.journal
            .get(&id.get())
            .is_none_or(|r| r.family_id != family || r.user_id != author)
        {
            return Err(StoreError::NotFound);
        }
        s.journal.remove(&id.get());
        Ok(())
    }
}
