use async_trait::async_trait;
use calndr_domain::{
    CoparentDetails, EnrollmentCode, EnrollmentInvitation, FamilyId, NewChild, NewUser, User,
    UserId,
};
use chrono::{DateTime, Utc};

use crate::{NewJob, StoreError};

/// Who redeems an enrollment code.
#[derive(Debug, Clone)]
pub enum Redeemer {
    /// An existing account joins (a no-op move when already a member: not counted).
    Existing(UserId),
    /// A new account is created inside the family.
    New(NewUser),
}

/// Enrollment codes, redemption and the onboarding writes. Family-scoped: a code of another
/// family is `NotFound`, like a missing one. Every method is one atomic unit of work.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EnrollmentStore: Send + Sync {
    /// The family's usable code (see `code_is_usable`) with `coparent` applied over it, or, when
    /// it has none, `candidate` stored with `expires_at`. Also sets `coparent_invited` on
    /// `creator`. Concurrent calls for one family end with one code (the family row is locked).
    /// `Conflict("code")` when `candidate` is taken by another family (draw another).
    async fn create_or_reuse_code(
        &self,
        family: FamilyId,
        creator: UserId,
        candidate: &EnrollmentCode,
        expires_at: DateTime<Utc>,
        coparent: &CoparentDetails,
        now: DateTime<Utc>,
    ) -> Result<EnrollmentInvitation, StoreError>;

    /// A usable code. `Ok(None)` when unknown, revoked, expired or spent.
    async fn usable_code(
        &self,
        code: &EnrollmentCode,
        now: DateTime<Utc>,
    ) -> Result<Option<EnrollmentInvitation>, StoreError>;

    /// Records that an invitation for `code` of `family` went out (co-parent details applied
    /// when given). `NotFound` when the code is not a usable code of `family`.
    async fn mark_invited(
        &self,
        family: FamilyId,
        code: &EnrollmentCode,
        coparent: &CoparentDetails,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<(), StoreError>;

    /// Revokes every usable code of the family; returns how many. Revoked codes stop working at
    /// once.
    async fn revoke_codes(&self, family: FamilyId, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Redeems `code` in one transaction under a lock on the code's row: checks it is usable,
    /// moves or creates the member, sets `enrolled` and `coparent_enrolled` on them and
    /// `coparent_enrolled` on the code's creator, and counts a new member. `NotFound` when the
    /// code is not usable (or the user does not exist); `Conflict("email")` for a new account
    /// whose e-mail is taken.
    async fn redeem(
        &self,
        code: &EnrollmentCode,
        who: Redeemer,
        now: DateTime<Utc>,
    ) -> Result<(User, FamilyId), StoreError>;

    /// Children of the family; `Ok(0)` when the family row does not exist.
    async fn children_count(&self, family: FamilyId) -> Result<u64, StoreError>;

    /// Inserts the children in one transaction (all or none); returns how many.
    async fn add_children(
        &self,
        family: FamilyId,
        children: &[NewChild],
    ) -> Result<u64, StoreError>;

    /// Marks `user` enrolled; with `coparents_enrolled`, marks every other member of `family`
    /// `coparent_enrolled` too. One transaction. `NotFound` when the user does not exist.
    async fn finish_enrollment(
        &self,
        user: UserId,
        family: FamilyId,
        coparents_enrolled: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
