//! Storage of a family's events, reminders, journal, alert e-mails and group chats.
//!
//! Every method is scoped by the family: a record of another family is `NotFound`, exactly like a
//! missing one. Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{
    ContactType, DateRange, EmailAddress, Event, EventDraft, EventId, FamilyId, GroupChat,
    JournalChanges, JournalEntry, JournalEntryId, JournalQuery, NewJournalEntry, NotificationEmail,
    NotificationEmailId, ProviderEvent, Reminder, ReminderFields, ReminderId, UserId,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::StoreError;

/// Family calendar events (`events`). Legacy custody rows (`event_type = 'custody'` or
/// `position = 4`) are invisible to every method: never listed, never updated or deleted.
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

/// Reminders (`reminders`), at most one per family and date.
#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// Ordered by date.
    async fn reminders_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Reminder>, StoreError>;

    /// `Ok(None)` when the family has none that day.
    async fn reminder_on(
        &self,
        family: FamilyId,
        date: NaiveDate,
    ) -> Result<Option<Reminder>, StoreError>;

    /// `Conflict("reminder")` when the family already has a reminder that day.
    async fn create_reminder(
        &self,
        family: FamilyId,
        date: NaiveDate,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn update_reminder(
        &self,
        family: FamilyId,
        id: ReminderId,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_reminder(&self, family: FamilyId, id: ReminderId) -> Result<(), StoreError>;
}

/// The family journal (`journal_entries`), with each entry's author name.
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

/// The family's alert e-mail addresses (`notification_emails`); duplicates allowed.
#[async_trait]
pub trait NotificationEmailStore: Send + Sync {
    /// Every family with at least one alert address (the weekly digest's recipients).
    async fn families_with_notification_emails(&self) -> Result<Vec<FamilyId>, StoreError>;

    /// Ordered by id.
    async fn notification_emails(
        &self,
        family: FamilyId,
    ) -> Result<Vec<NotificationEmail>, StoreError>;

    async fn add_notification_email(
        &self,
        family: FamilyId,
        email: &EmailAddress,
        at: DateTime<Utc>,
    ) -> Result<NotificationEmail, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn update_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
        email: &EmailAddress,
    ) -> Result<NotificationEmail, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
    ) -> Result<(), StoreError>;
}

/// Group chats between a family and one of its contacts (`group_chats`).
#[async_trait]
pub trait GroupChatStore: Send + Sync {
    /// Returns the family's chat with the contact, creating it with `new_identifier` when there is
    /// none (then `existed` is false). Atomic: concurrent calls for the same (family, type, contact)
    /// create exactly one chat. `NotFound` when the contact is not the family's (a babysitter not
    /// linked to the family, an emergency contact of another family, or no such contact).
    async fn group_chat(
        &self,
        family: FamilyId,
        contact_type: ContactType,
        contact_id: i32,
        created_by: UserId,
        new_identifier: &str,
        at: DateTime<Utc>,
    ) -> Result<(GroupChat, bool), StoreError>;
}
