//! Accounts: users, their family membership, profile extras and preferences.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{
    EmailAddress, FamilyId, PersonName, PhoneNumber, ShortText, ThemeId, UserId, ValidationError,
};

/// `users.status`. The original writes `active`, `invited` and `pending`; anything else an adopted
/// database holds is kept as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Invited,
    /// Signed up but has not verified the e-mail address: password login is refused.
    Pending,
    /// A deleted account's tombstone: no personal data, no sign-in, kept so the family's shared
    /// records keep their author ("Former member").
    Deleted,
    Other(String),
}

impl UserStatus {
    pub fn from_stored(raw: &str) -> Self {
        match raw {
            "active" => Self::Active,
            "invited" => Self::Invited,
            "pending" => Self::Pending,
            "deleted" => Self::Deleted,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "active",
            Self::Invited => "invited",
            Self::Pending => "pending",
            Self::Deleted => "deleted",
            Self::Other(s) => s,
        }
    }
}

/// A password hash in PHC (`$argon2id$...`) or modular-crypt bcrypt (`$2b$...`) form.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the original's bcrypt hashes (`$2a$`, `$2b$`, `$2y$`).
    pub fn is_legacy_bcrypt(&self) -> bool {
        ["$2a$", "$2b$", "$2y$"]
            .iter()
            .any(|p| self.0.starts_with(p))
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A row of `users`, as the core sees it.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub family_id: Option<FamilyId>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
    pub password_hash: Option<PasswordHash>,
    pub phone_number: Option<PhoneNumber>,
    pub status: Option<UserStatus>,
    pub enrolled: Option<bool>,
    pub coparent_enrolled: Option<bool>,
    pub coparent_invited: Option<bool>,
    pub subscription_type: Option<String>,
    pub subscription_status: Option<String>,
    pub profile_photo_url: Option<String>,
    pub last_signed_in: Option<NaiveDateTime>,
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
    pub sns_endpoint_arn: Option<String>,
    /// Where the user's sessions were last cut off (log out everywhere, a password change).
    pub sessions: Option<crate::SessionCutoff>,
}

impl User {
    /// Password login is refused for accounts waiting for e-mail verification.
    pub fn is_pending_verification(&self) -> bool {
        matches!(self.status, Some(UserStatus::Pending))
    }
}

/// A new family, created with its first member.
#[derive(Debug, Clone)]
pub struct NewFamily {
    pub id: FamilyId,
    pub name: ShortText,
}

impl NewFamily {
    /// The original names a new family `"<first name>'s Family"`.
    pub fn for_first_member(first_name: &PersonName) -> Self {
        let name = format!("{}'s Family", first_name.as_str());
        Self {
            id: FamilyId::random(),
            name: ShortText::from_stored(name),
        }
    }
}

/// A user about to be inserted.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
    pub password_hash: Option<PasswordHash>,
    pub phone_number: Option<PhoneNumber>,
    pub enrolled: bool,
    pub coparent_enrolled: bool,
    pub created_at: DateTime<Utc>,
}

/// Registration: a user together with the family they found.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub user: NewUser,
    pub family: NewFamily,
}

/// What `PUT /users/profile` may change. `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub phone_number: Option<PhoneNumber>,
    pub bio: Option<ShortText>,
    pub enrolled: Option<bool>,
}

impl ProfileChanges {
    pub fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.phone_number.is_none()
            && self.bio.is_none()
            && self.enrolled.is_none()
    }
}

/// Notification channels and whether each is on, e.g. `{"email": true, "push": true, "sms": false}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationPreferences(BTreeMap<String, bool>);

impl NotificationPreferences {
    pub const MAX_KEYS: usize = 16;
    /// Longest channel name.
    pub const MAX_KEY_LEN: usize = 32;

    pub fn parse(entries: BTreeMap<String, bool>) -> Result<Self, ValidationError> {
        let field = "notification_preferences";
        if entries.len() > Self::MAX_KEYS {
            return Err(ValidationError::new(field, "must have at most 16 channels"));
        }
        if entries.keys().any(|k| {
            k.is_empty()
                || k.len() > Self::MAX_KEY_LEN
                || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }) {
            return Err(ValidationError::new(
                field,
                "channel names must be 1..=32 letters, digits or underscores",
            ));
        }
        Ok(Self(entries))
    }

    /// The original's defaults for a new account.
    pub fn defaults() -> Self {
        Self(BTreeMap::from([
            ("email".to_owned(), true),
            ("push".to_owned(), true),
            ("sms".to_owned(), false),
        ]))
    }

    pub fn entries(&self) -> &BTreeMap<String, bool> {
        &self.0
    }
}

/// `user_preferences` plus the profile extras (`user_profiles.bio`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preferences {
    pub theme: Option<String>,
    pub selected_theme_id: Option<ThemeId>,
    pub notification_preferences: Option<NotificationPreferences>,
    pub bio: Option<String>,
}

/// The claims of a Calndr access token, as the core uses them.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessTokenClaims {
    pub user_id: UserId,
    /// The family at issue time. Informational: authorization always uses the family stored on
    /// the user, never this claim.
    pub family_id: Option<FamilyId>,
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_is_named_after_its_first_member() {
        let n = PersonName::parse("Jeff", "first_name").unwrap();
        assert_eq!(
            NewFamily::for_first_member(&n).name.as_str(),
            "Jeff's Family"
        );
    }

    #[test]
    fn bcrypt_hashes_are_recognised() {
        assert!(PasswordHash::from_stored("$2b$12$abc".into()).is_legacy_bcrypt());
        assert!(!PasswordHash::from_stored("$argon2id$v=19$...".into()).is_legacy_bcrypt());
    }

    #[test]
    fn notification_preferences_reject_odd_keys() {
        let ok = BTreeMap::from([("push".to_owned(), true)]);
        assert!(NotificationPreferences::parse(ok).is_ok());
        let bad = BTreeMap::from([("no spaces".to_owned(), true)]);
        assert!(NotificationPreferences::parse(bad).is_err());
    }
}

/// An enrollment code as stored: which family it opens, who made it, and whether it still works.
#[derive(Debug, Clone)]
pub struct EnrollmentCodeRecord {
    pub family_id: FamilyId,
    pub created_by: UserId,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

impl EnrollmentCodeRecord {
    /// A code opens its family unless revoked or past its expiry. Codes the original created
    /// carry no expiry.
    pub fn is_usable_at(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && self.expires_at.is_none_or(|e| now < e)
    }
}
