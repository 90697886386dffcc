//! Storage of a family's journal.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{
    FamilyId, JournalChanges, JournalEntry, JournalEntryId, JournalQuery, NewJournalEntry, UserId,
};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// The family journal (`journal_entries`), with each entry's author name.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait JournalStore: Send + Sync {
    /// Ordered by `entry_date DESC, created_at DESC, id DESC`, at most `query.limit`.
    async fn journal_entries(
        &self,
        family: FamilyId,
        query: JournalQuery,
    ) -> Result<Vec<JournalEntry>, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn journal_entry(
        &self,
        family: FamilyId,
        id: JournalEntryId,
    ) -> Result<JournalEntry, StoreError>;

    /// `NotFound` when the author does not exist.
    async fn create_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        entry: &NewJournalEntry,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError>;

    /// Only the author's own entry in the family: anything else is `NotFound`.
    async fn update_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
        changes: &JournalChanges,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError>;

    /// Only the author's own entry in the family: anything else is `NotFound`.
    async fn delete_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
    ) -> Result<(), StoreError>;
}
