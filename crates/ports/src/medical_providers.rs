//! Storage of a family's medical providers.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{FamilyId, MedicalChanges, MedicalProvider, MedicalProviderId, UserId};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Doctors, dentists and pharmacies (`medical_providers`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MedicalProviderStore: Send + Sync {
    /// The family's providers, by name.
    async fn medical_providers(&self, family: FamilyId)
        -> Result<Vec<MedicalProvider>, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
    ) -> Result<MedicalProvider, StoreError>;

    /// `changes.name` is set (the service checks it). `NotFound` when the creator does not exist.
    async fn create_medical_provider(
        &self,
        family: FamilyId,
        created_by: UserId,
        changes: &MedicalChanges,
        at: DateTime<Utc>,
    ) -> Result<MedicalProvider, StoreError>;

    /// Sets the fields that are `Some`. `NotFound` when absent or of another family.
    async fn update_medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
        changes: &MedicalChanges,
        at: DateTime<Utc>,
    ) -> Result<MedicalProvider, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
    ) -> Result<(), StoreError>;
}
