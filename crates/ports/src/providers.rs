//! Storage of a family's daycares and schools, with their calendar syncs and events.
//!
//! Every method is scoped by the family: another family's provider is `NotFound`, exactly like a
//! missing one. Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{
    CalendarEvent, CalendarSync, FamilyId, Provider, ProviderFields, ProviderId, ProviderKind,
    UserId, WebUrl,
};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Daycares (`daycare_providers`) and schools (`school_providers`), chosen by `kind`, with their
/// calendar syncs (`*_calendar_syncs`) and events (`*_events`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ProviderStore: Send + Sync {
    /// The family's providers of that kind, newest first.
    async fn providers(
        &self,
        kind: ProviderKind,
        family: FamilyId,
    ) -> Result<Vec<Provider>, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<Provider, StoreError>;

    /// `NotFound` when the creator does not exist.
    async fn create_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        created_by: UserId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError>;

    /// Replaces every field. `NotFound` when absent or of another family.
    async fn update_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError>;

    /// Deletes the provider with its syncs and events; a family pointing at one of its syncs
    /// (`families.*_sync_id`) points at none afterwards. `NotFound` when absent or of another
    /// family.
    async fn delete_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(), StoreError>;

    /// The provider and its most recently synced sync (then the newest), if any. `NotFound` as
    /// for `provider`.
    async fn calendar_sync(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(Provider, Option<CalendarSync>), StoreError>;

    /// One unit of work: replaces every event of the provider with `events` (each all-day, its
    /// type from its title), upserts the sync of (provider, `url`) as successful now with the
    /// events' count and enabled, and points the family's sync of that kind at it. Returns the
    /// provider and the sync. `NotFound` as for `provider`.
    async fn replace_calendar(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        url: &WebUrl,
        events: &[CalendarEvent],
        at: DateTime<Utc>,
    ) -> Result<(Provider, CalendarSync), StoreError>;

    /// The events of the school calendar the family follows (`families.school_sync_id`, when
    /// enabled), in date order. Empty when it follows none.
    async fn school_calendar(&self, family: FamilyId) -> Result<Vec<CalendarEvent>, StoreError>;
}
