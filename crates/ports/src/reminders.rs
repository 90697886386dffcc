//! Storage of a family's reminders.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{DateRange, FamilyId, Reminder, ReminderFields, ReminderId};
use chrono::{DateTime, NaiveDate, Utc};

use crate::StoreError;

/// Reminders (`reminders`), at most one per family and date.
#[cfg_attr(feature = "mock", mockall::automock)]
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
