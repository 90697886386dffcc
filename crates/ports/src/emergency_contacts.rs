//! Storage of a family's emergency contacts.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{
    EmergencyContact, EmergencyContactDraft, EmergencyContactId, FamilyId, UserId,
};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Emergency contacts of a family (`emergency_contacts`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EmergencyContactStore: Send + Sync {
    /// By first then last name.
    async fn emergency_contacts(
        &self,
        family: FamilyId,
    ) -> Result<Vec<EmergencyContact>, StoreError>;

    async fn create_emergency_contact(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &EmergencyContactDraft,
        at: DateTime<Utc>,
    ) -> Result<EmergencyContact, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn update_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
        draft: &EmergencyContactDraft,
    ) -> Result<EmergencyContact, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
    ) -> Result<(), StoreError>;
}
