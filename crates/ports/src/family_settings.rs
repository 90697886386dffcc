//! Storage of a family's settings (today its time zone), with who changed them last.
//!
//! Scoped by the family. Every method is one atomic unit of work. Methods return `Unavailable`
//! when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{FamilyId, FamilySettings, FamilyTimeZone, UserId};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// A family's settings (`family_settings`), deleted with the family.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FamilySettingsStore: Send + Sync {
    /// The family's settings; the defaults (UTC, never changed) while nobody has set any.
    async fn family_settings(&self, family: FamilyId) -> Result<FamilySettings, StoreError>;

    /// Sets the family's time zone, changed by `by` at `at`, and returns the settings as stored.
    /// `NotFound` when the family does not exist or `by` is not one of its members.
    async fn set_family_timezone(
        &self,
        family: FamilyId,
        timezone: FamilyTimeZone,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<FamilySettings, StoreError>;
}
