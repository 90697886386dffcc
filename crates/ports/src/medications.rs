//! Storage of a family's medications.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{
    FamilyId, Medication, MedicationFields, MedicationId, MedicationPage, MedicationQuery,
};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::StoreError;

/// Medications of a family (`medications`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MedicationStore: Send + Sync {
    /// One page of the medications matching the query's filters, in its order (ties by id),
    /// with the number of matching medications.
    async fn medications(
        &self,
        family: FamilyId,
        query: MedicationQuery,
    ) -> Result<MedicationPage, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<Medication, StoreError>;

    async fn create_medication(
        &self,
        family: FamilyId,
        fields: &MedicationFields,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError>;

    /// Replaces every value, provided the medication is unchanged since the caller read it
    /// (`read` is the `updated_at` it saw): a partial update is merged and checked against what
    /// it read, so a concurrent write in between is `Conflict("medication")` (read again and
    /// retry), never silently lost. `NotFound` when absent or of another family.
    async fn replace_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
        fields: &MedicationFields,
        read: Option<NaiveDateTime>,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_medication(&self, family: FamilyId, id: MedicationId)
        -> Result<(), StoreError>;
}
