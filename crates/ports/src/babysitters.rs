//! Storage of the babysitters a family sees.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{Babysitter, BabysitterDraft, BabysitterId, FamilyId, UserId};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Babysitters (`babysitters`), shared between families through `babysitter_families`: a family
/// sees, edits and removes only the sitters linked to it.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait BabysitterStore: Send + Sync {
    /// The family's sitters by first then last name.
    async fn babysitters(&self, family: FamilyId) -> Result<Vec<Babysitter>, StoreError>;

    /// Inserts the sitter and links it to the family, together.
    async fn create_babysitter(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &BabysitterDraft,
        at: DateTime<Utc>,
    ) -> Result<Babysitter, StoreError>;

    /// Replaces the sitter's five values. `NotFound` unless the sitter is linked to the family.
    async fn update_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
        draft: &BabysitterDraft,
    ) -> Result<Babysitter, StoreError>;

    /// Removes the family's link only (other families keep the sitter). `NotFound` unless linked.
    async fn unlink_babysitter(&self, family: FamilyId, id: BabysitterId)
        -> Result<(), StoreError>;
}
