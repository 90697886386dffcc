//! Storage of a family's children.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{Child, ChildDraft, ChildId, FamilyId};

use crate::StoreError;

/// Children of a family (`children`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ChildStore: Send + Sync {
    /// Newest date of birth first, then by id.
    async fn children(&self, family: FamilyId) -> Result<Vec<Child>, StoreError>;

    /// Inserts with a fresh id.
    async fn create_child(&self, family: FamilyId, draft: &ChildDraft)
        -> Result<Child, StoreError>;

    /// Replaces names and date of birth. `NotFound` when absent or of another family.
    async fn update_child(
        &self,
        family: FamilyId,
        id: ChildId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_child(&self, family: FamilyId, id: ChildId) -> Result<(), StoreError>;
}
