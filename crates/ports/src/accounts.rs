use async_trait::async_trait;
use calndr_domain::{
    DeviceToken, EmailAddress, EnrollmentCode, EnrollmentCodeRecord, FamilyId, GeoPoint,
    IdentityProvider, NewAccount, NewFamily, NewUser, NotificationPreferences, PasswordHash,
    Preferences, ProfileChanges, ProviderRefreshToken, ProviderSubject, SessionCutoff, User,
    UserId,
};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// What [`AccountStore::delete_account`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedAccount {
    /// The family the user belonged to.
    pub family_id: Option<FamilyId>,
    /// Whether that family had no other member and is gone with everything in it.
    pub family_deleted: bool,
    /// The profile photo link the account had (its object is the caller's to remove).
    pub photo_url: Option<String>,
}

/// What [`AccountStore::leave_family`] did.
#[derive(Debug, Clone)]
pub enum FamilyDeparture {
    /// The user is now the only member of the new family; `old_family` keeps its other members.
    Left { old_family: FamilyId },
    /// The user is the only member of their family: nothing changed.
    OnlyMember,
    /// The user belongs to no family: nothing changed.
    NoFamily,
}

/// The name a deleted member's records show.
pub const FORMER_MEMBER: &str = "Former member";

/// Users, their family membership, profile extras and preferences.
///
/// Every method is one atomic unit of work: a method that writes several rows writes all or none.
/// Unless stated otherwise, methods return `Unavailable` when storage cannot be reached and
/// `Unexpected` for anything else.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates the family, the user, the user's preferences (the original's defaults) and an empty
    /// profile row. `Conflict("email")` when the e-mail is taken (compared case-insensitively).
    async fn create_account(&self, account: NewAccount) -> Result<User, StoreError>;

    /// Creates a user inside an existing family (enrollment-code sign-up) with `enrolled` and
    /// `coparent_enrolled` set, with the same preferences and profile rows as `create_account`,
    /// and marks `inviter` (the code's creator) `coparent_enrolled`.
    /// `Conflict("email")` when taken; `NotFound` when the family does not exist.
    async fn create_member(
        &self,
        user: NewUser,
        family: FamilyId,
        inviter: Option<UserId>,
    ) -> Result<User, StoreError>;

    /// Moves an existing user into `family` (a no-op move when already there), sets `enrolled`
    /// and `coparent_enrolled`, and marks `inviter` `coparent_enrolled`. `NotFound` when the user
    /// or family does not exist.
    async fn join_family(
        &self,
        user: UserId,
        family: FamilyId,
        inviter: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError>;

    /// `Ok(None)` when absent.
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Case-insensitive match; when an adopted database holds several case variants, the exact
    /// spelling wins. `Ok(None)` when absent.
    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<User>, StoreError>;

    /// Like `create_account`, with the new user linked to the provider identity, atomically.
    /// `Conflict("identity")` when another user holds it.
    async fn create_account_with_identity(
        &self,
        account: NewAccount,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<User, StoreError>;

    /// The user linked to this provider identity (`apple_user_id`, `google_user_id`,
    /// `facebook_user_id`). `Ok(None)` when none is.
    async fn user_by_identity(
        &self,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<Option<User>, StoreError>;

    /// Removes the link of this provider identity, whoever holds it. `Ok(false)` when none did.
    async fn unlink_identity(
        &self,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<bool, StoreError>;

    /// Links the identity to the user. `Conflict("identity")` when another user holds it;
    /// `NotFound` when the user does not exist.
    async fn link_identity(
        &self,
        user: UserId,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<(), StoreError>;

    /// Applies the changes (users columns, and `user_profiles.bio` upserted) and returns the user.
    /// `NotFound` when the user does not exist.
    async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError>;

    /// `NotFound` when the user does not exist.
    async fn set_password_hash(
        &self,
        id: UserId,
        hash: &PasswordHash,
        at: DateTime<Utc>,
        sessions: Option<SessionCutoff>,
    ) -> Result<(), StoreError>;

    /// Deletes the account, in one transaction: the user's personal data (name, e-mail, phone,
    /// photo link, device token, location, preferences, profile, social identities, verification
    /// codes, the enrollment codes they made, their idempotency answers, their queued messages,
    /// the providers' refresh tokens)
    /// is erased and the row stays as a "Former member" tombstone without personal data, so the
    /// family's shared records (custody days, events, journal entries) keep their author. Every
    /// session ends at `at`. A family left without members is deleted with everything in it.
    /// `jobs` (the removal of the user's objects) are queued in the same transaction.
    /// `NotFound` when the user does not exist (or was deleted already).
    async fn delete_account(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        jobs: &[crate::NewJob],
    ) -> Result<DeletedAccount, StoreError>;

    /// Moves the user out of their family into `family` (inserted here, empty), in one
    /// transaction under a lock on the old family's row (two members leaving at once cannot
    /// both go): the user is no longer enrolled and has no co-parent; the enrollment codes they
    /// created in the old family are revoked at `at`; a remaining single member has no
    /// co-parent enrolled or invited any more; an old family named after the user is named
    /// after its first remaining member. The family's shared records stay with it.
    /// `NotFound` when the user does not exist (or was deleted).
    async fn leave_family(
        &self,
        id: UserId,
        family: NewFamily,
        at: DateTime<Utc>,
    ) -> Result<FamilyDeparture, StoreError>;

    /// Keeps the provider's refresh token of the user (replacing an earlier one), to revoke it
    /// when the account is deleted. `NotFound` when the user does not exist.
    async fn set_identity_token(
        &self,
        user: UserId,
        provider: IdentityProvider,
        token: &ProviderRefreshToken,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The refresh token kept for the user at the provider. `Ok(None)` when none is.
    async fn identity_token(
        &self,
        user: UserId,
        provider: IdentityProvider,
    ) -> Result<Option<ProviderRefreshToken>, StoreError>;

    /// Cuts the user's sessions off at `cutoff` (it replaces an earlier one). `NotFound` when the
    /// user does not exist.
    async fn end_sessions(&self, id: UserId, cutoff: SessionCutoff) -> Result<(), StoreError>;

    /// Sets `last_signed_in`. `NotFound` when the user does not exist.
    async fn record_sign_in(&self, id: UserId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Stores the APNs device token for push. `NotFound` when the user does not exist.
    /// Forgets the user's device token when it is still `token` (the push service said the
    /// device is gone; a newer registration is kept). Absent users are not an error.
    async fn clear_device_token(&self, id: UserId, token: &str) -> Result<(), StoreError>;

    async fn set_device_token(
        &self,
        id: UserId,
        token: &DeviceToken,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores the last known location and its time. `NotFound` when the user does not exist.
    async fn set_location(
        &self,
        id: UserId,
        point: GeoPoint,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Sets the photo URL on the user and the profile row together; returns the user.
    async fn set_profile_photo(
        &self,
        id: UserId,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError>;

    /// Preferences and profile extras; defaults when no rows exist.
    async fn preferences(&self, id: UserId) -> Result<Preferences, StoreError>;

    /// Upserts the preferences row. `None` leaves a value as it is.
    async fn set_preferences<'a>(
        &self,
        id: UserId,
        theme: Option<&'a str>,
        notifications: Option<&'a NotificationPreferences>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Looks a code up (codes are stored upper-case). `Ok(None)` when unknown.
    async fn enrollment_code(
        &self,
        code: &EnrollmentCode,
    ) -> Result<Option<EnrollmentCodeRecord>, StoreError>;
}
