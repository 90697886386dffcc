//! Storage of a family's alert e-mail addresses.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{EmailAddress, FamilyId, NotificationEmail, NotificationEmailId};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// The family's alert e-mail addresses (`notification_emails`); duplicates allowed.
#[cfg_attr(feature = "mock", mockall::automock)]
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
