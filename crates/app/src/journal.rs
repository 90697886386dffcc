//! The family journal: every member reads every entry; only the author edits or deletes (for
//! anyone else the entry is "not found", the same answer as for a missing id).

use std::sync::Arc;

use calndr_domain::{JournalChanges, JournalEntry, JournalEntryId, JournalQuery, NewJournalEntry};
use calndr_ports::{JournalStore, StoreError};
use chrono::Utc;

use crate::{AppError, Principal, Refusal};

#[derive(Clone)]
pub struct JournalService {
    store: Arc<dyn JournalStore>,
}

fn mapped(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("Journal entry"),
        other => other.into(),
    }
}

impl JournalService {
    pub fn new(store: Arc<dyn JournalStore>) -> Self {
        Self { store }
    }

    pub async fn list(
        &self,
        who: &Principal,
        query: JournalQuery,
    ) -> Result<Vec<JournalEntry>, AppError> {
        Ok(self.store.journal_entries(who.family()?, query).await?)
    }

    pub async fn get(&self, who: &Principal, id: JournalEntryId) -> Result<JournalEntry, AppError> {
        self.store
            .journal_entry(who.family()?, id)
            .await
            .map_err(mapped)
    }

    pub async fn create(
        &self,
        who: &Principal,
        entry: NewJournalEntry,
    ) -> Result<JournalEntry, AppError> {
        self.store
            .create_journal_entry(who.family()?, who.user_id, &entry, Utc::now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })
    }

    pub async fn update(
        &self,
        who: &Principal,
        id: JournalEntryId,
        changes: JournalChanges,
    ) -> Result<JournalEntry, AppError> {
        let family = who.family()?;
        if changes.is_empty() {
            return Err(Refusal::NothingToUpdate.into());
        }
        self.store
            .update_journal_entry(family, who.user_id, id, &changes, Utc::now())
            .await
            .map_err(mapped)
    }

    pub async fn delete(&self, who: &Principal, id: JournalEntryId) -> Result<(), AppError> {
        self.store
            .delete_journal_entry(who.family()?, who.user_id, id)
            .await
            .map_err(mapped)
    }
}
