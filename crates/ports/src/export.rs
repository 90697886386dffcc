//! Reading everything a user's export holds (`GET /users/me/export`), page by page.
//!
//! Scoped by the family: every page holds the given family's rows only. Each page is read by
//! keyset (`after` the last row of the previous page, in the page's order), so a page costs one
//! indexed query however far into the section it is, and the caller never holds more than one
//! page. Pages are independent reads (no snapshot spans them): a row written while an export runs
//! may or may not appear in it. Unless stated otherwise, methods return `Unavailable` when
//! storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{
    Event, EventId, FamilyId, IdentityProvider, JournalEntry, JournalEntryId, Reminder, ReminderId,
    UserId,
};
use chrono::NaiveDate;

use crate::{NamedCustodyRecord, StoreError};

/// The sections of an export that grow with time, in pages of at most `limit` rows.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// The sign-in providers linked to the user (never their subjects or tokens), in the order
    /// apple, google, facebook. Empty for an unknown user.
    async fn identity_providers(&self, user: UserId) -> Result<Vec<IdentityProvider>, StoreError>;

    /// Custody days after `after` (all when `None`), by date, each with its custodian's first
    /// name.
    async fn custody_page(
        &self,
        family: FamilyId,
        after: Option<NaiveDate>,
        limit: u32,
    ) -> Result<Vec<NamedCustodyRecord>, StoreError>;

    /// Family events (never legacy custody rows) with an id above `after`, by id.
    async fn events_page(
        &self,
        family: FamilyId,
        after: Option<EventId>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;

    /// Reminders with an id above `after`, by id.
    async fn reminders_page(
        &self,
        family: FamilyId,
        after: Option<ReminderId>,
        limit: u32,
    ) -> Result<Vec<Reminder>, StoreError>;

    /// Journal entries (every author's) with an id above `after`, by id, with the author's name.
    async fn journal_page(
        &self,
        family: FamilyId,
        after: Option<JournalEntryId>,
        limit: u32,
    ) -> Result<Vec<JournalEntry>, StoreError>;
}
