use async_trait::async_trait;
use calndr_domain::{FamilyId, FamilyMember, NewUser, User};

use crate::StoreError;

/// A family's members. `Unavailable` when storage cannot be reached, `Unexpected` otherwise.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FamilyStore: Send + Sync {
    /// Every user of the family, ordered by `created_at` ascending with NULLs last, then by id
    /// (the custodian order: element 0 is parent1, element 1 parent2).
    async fn members(&self, family: FamilyId) -> Result<Vec<FamilyMember>, StoreError>;

    /// Inserts `user` into `family` with status `invited` and no password (the legacy invite).
    /// `Conflict("email")` when the e-mail is taken (case-insensitively); `NotFound` when the
    /// family does not exist.
    async fn add_invited_member(&self, family: FamilyId, user: NewUser)
        -> Result<User, StoreError>;
}
