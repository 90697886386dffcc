//! [`AccountStore`] over plain maps behind one mutex. Every method takes the lock once, checks
//! everything it needs, and only then writes, so a method writes all of its rows or none (the
//! same all-or-nothing a Postgres transaction gives).

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use calndr_domain::{
    DeviceToken, EmailAddress, EnrollmentCode, EnrollmentCodeRecord, FamilyId, GeoPoint,
    IdentityProvider, NewAccount, NewFamily, NewUser, NotificationPreferences, PasswordHash,
    PersonName, Preferences, ProfileChanges, ProviderSubject, ShortText, ThemeId, User, UserId,
    UserStatus,
};
use calndr_ports::{AccountStore, HealthCheck, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::lock;

mod enrollment;
mod family_impl;

/// A row of `families`.
#[derive(Debug, Clone)]
struct FamilyRow {
    #[expect(
        dead_code,
        reason = "kept like the families table; read by later features"
    )]
    name: ShortText,
    #[expect(
        dead_code,
        reason = "kept like the families table; read by later features"
    )]
    created_at: NaiveDateTime,
}

/// A row of `user_preferences`.
#[derive(Debug, Clone, Default)]
struct PreferencesRow {
    theme: Option<String>,
    selected_theme_id: Option<ThemeId>,
    notification_preferences: Option<NotificationPreferences>,
    updated_at: Option<NaiveDateTime>,
}

/// A row of `user_profiles`.
#[derive(Debug, Clone, Default)]
struct ProfileRow {
    bio: Option<String>,
    profile_photo_url: Option<String>,
    updated_at: Option<NaiveDateTime>,
}

/// Columns of `users` that the `User` entity does not carry.
#[derive(Debug, Clone, Default)]
struct UserExtras {
    apns_token: Option<String>,
    last_known_location: Option<String>,
    last_known_location_timestamp: Option<NaiveDateTime>,
}

#[derive(Debug, Default)]
struct State {
    users: HashMap<UserId, User>,
    /// Lower-cased e-mail -> users with that address in any case (several only in an adopted
    /// database; this store itself never lets a second case variant in).
    emails: HashMap<String, Vec<UserId>>,
    extras: HashMap<UserId, UserExtras>,
    families: HashMap<FamilyId, FamilyRow>,
    preferences: HashMap<UserId, PreferencesRow>,
    profiles: HashMap<UserId, ProfileRow>,
    /// Keyed by the upper-case code.
    codes: HashMap<String, EnrollmentCodeRecord>,
    /// (provider, subject) -> user.
    identities: HashMap<(IdentityProvider, String), UserId>,
    /// Enrollment invitations, onboarding children and verification codes.
    enrollment: enrollment::EnrollmentState,
}

fn email_key(email: &str) -> String {
    email.to_lowercase()
}

fn code_key(code: &EnrollmentCode) -> String {
    code.as_str().to_ascii_uppercase()
}

impl State {
    fn email_taken(&self, email: &EmailAddress) -> bool {
        self.emails
            .get(&email_key(email.as_str()))
            .is_some_and(|ids| !ids.is_empty())
    }

    fn user_mut(&mut self, id: UserId) -> Result<&mut User, StoreError> {
        self.users.get_mut(&id).ok_or(StoreError::NotFound)
    }

    /// Inserts a new `users` row with the column defaults of the original schema.
    /// The preferences and empty profile every new account starts with (the original's defaults).
    fn insert_defaults(&mut self, user: UserId, at: NaiveDateTime) {
        self.preferences.insert(
            user,
            PreferencesRow {
                theme: Some("default".to_owned()),
                selected_theme_id: None,
                notification_preferences: Some(NotificationPreferences::defaults()),
                updated_at: Some(at),
            },
        );
        self.profiles.insert(
            user,
            ProfileRow {
                updated_at: Some(at),
                ..ProfileRow::default()
            },
        );
    }

    fn insert_user(
        &mut self,
        new: NewUser,
        family: FamilyId,
        enrolled: bool,
        coparent_enrolled: bool,
    ) -> Result<User, StoreError> {
        if self.users.contains_key(&new.id) {
            return Err(StoreError::Conflict("id"));
        }
        let created = new.created_at.naive_utc();
        let user = User {
            id: new.id,
            family_id: Some(family),
            first_name: new.first_name,
            last_name: new.last_name,
            email: new.email,
            password_hash: new.password_hash,
            phone_number: new.phone_number,
            status: Some(UserStatus::Active),
            enrolled: Some(enrolled),
            coparent_enrolled: Some(coparent_enrolled),
            coparent_invited: Some(false),
            subscription_type: Some("Free".to_owned()),
            subscription_status: Some("Active".to_owned()),
            profile_photo_url: None,
            last_signed_in: None,
            created_at: Some(created),
            updated_at: Some(created),
            sns_endpoint_arn: None,
        };
        self.emails
            .entry(email_key(user.email.as_str()))
            .or_default()
            .push(user.id);
        self.users.insert(user.id, user.clone());
        Ok(user)
    }

    /// `UPDATE users SET coparent_enrolled = true WHERE id = inviter`: an unknown inviter
    /// updates nothing, as the SQL would.
    fn mark_inviter(&mut self, inviter: Option<UserId>, at: NaiveDateTime) {
        if let Some(u) = inviter.and_then(|id| self.users.get_mut(&id)) {
            u.coparent_enrolled = Some(true);
            u.updated_at = Some(at);
        }
    }
}

/// Users, families, preferences, profile extras and enrollment codes in process memory.
impl State {
    /// A family and its first member, with the user's defaults (one lock held by the caller).
    fn create_account(&mut self, account: NewAccount) -> Result<User, StoreError> {
        let NewAccount { user, family } = account;
        if self.email_taken(&user.email) {
            return Err(StoreError::Conflict("email"));
        }
        if self.families.contains_key(&family.id) {
            return Err(StoreError::Conflict("family"));
        }
        if self.users.contains_key(&user.id) {
            return Err(StoreError::Conflict("id"));
        }
        let at = user.created_at.naive_utc();
        let (enrolled, coparent_enrolled) = (user.enrolled, user.coparent_enrolled);
        self.families.insert(
            family.id,
            FamilyRow {
                name: family.name,
                created_at: at,
            },
        );
        let created = self.insert_user(user, family.id, enrolled, coparent_enrolled)?;
        self.insert_defaults(created.id, at);
        Ok(created)
    }
}

#[derive(Debug, Default)]
pub struct MemoryAccountStore {
    state: Mutex<State>,
}

impl MemoryAccountStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A parent with a family of their own and a registered device token (fixtures of push tests).
    pub async fn add_parent_with_device(
        &self,
        first_name: &str,
        email: &str,
        device_token: &str,
    ) -> Result<(UserId, FamilyId), StoreError> {
        let bad = |e: calndr_domain::ValidationError| StoreError::unexpected(e.to_string());
        let first = PersonName::parse(first_name, "first_name").map_err(bad)?;
        let family = NewFamily::for_first_member(&first);
        let family_id = family.id;
        let now = Utc::now();
        let user = self
            .create_account(NewAccount {
                user: NewUser {
                    id: UserId::random(),
                    first_name: first,
                    last_name: PersonName::parse("Parent", "last_name").map_err(bad)?,
                    email: EmailAddress::parse(email).map_err(bad)?,
                    password_hash: None,
                    phone_number: None,
                    enrolled: true,
                    coparent_enrolled: true,
                    created_at: now,
                },
                family,
            })
            .await?;
        let token = DeviceToken::parse(device_token).map_err(bad)?;
        self.set_device_token(user.id, &token, now).await?;
        Ok((user.id, family_id))
    }

    /// Stores an enrollment code (upper-cased), replacing any record under the same code. For
    /// tests and seeding until the enrollment routes exist.
    pub fn insert_enrollment_code(&self, code: EnrollmentCode, record: EnrollmentCodeRecord) {
        lock(&self.state).codes.insert(code_key(&code), record);
    }

    /// The stored APNs device token of a user, if any (for tests).
    pub fn device_token(&self, id: UserId) -> Option<String> {
        lock(&self.state)
            .extras
            .get(&id)
            .and_then(|e| e.apns_token.clone())
    }

    /// Whether the user exists (the circle store checks authors like the database's FKs).
    pub fn has_user(&self, id: UserId) -> bool {
        lock(&self.state).users.contains_key(&id)
    }

    /// Sets the user's selected theme, creating default preferences when the user has none.
    /// `NotFound` when the user does not exist.
    pub fn set_selected_theme(
        &self,
        id: UserId,
        theme: ThemeId,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if !s.users.contains_key(&id) {
            return Err(StoreError::NotFound);
        }
        let p = s.preferences.entry(id).or_insert_with(|| PreferencesRow {
            theme: Some("default".to_owned()),
            notification_preferences: Some(NotificationPreferences::defaults()),
            ..PreferencesRow::default()
        });
        p.selected_theme_id = Some(theme);
        p.updated_at = Some(at);
        Ok(())
    }

    /// Clears the selection of a deleted theme for every user.
    pub fn clear_selected_theme(&self, theme: ThemeId) {
        for p in lock(&self.state).preferences.values_mut() {
            if p.selected_theme_id == Some(theme) {
                p.selected_theme_id = None;
            }
        }
    }

    /// The stored last known location (`"lat,lon"`) and its time, if any (for tests).
    pub fn location(&self, id: UserId) -> Option<(String, NaiveDateTime)> {
        let state = lock(&self.state);
        let e = state.extras.get(&id)?;
        Some((
            e.last_known_location.clone()?,
            e.last_known_location_timestamp?,
        ))
    }
}

#[async_trait]
impl HealthCheck for MemoryAccountStore {
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[async_trait]
impl AccountStore for MemoryAccountStore {
    async fn create_account(&self, account: NewAccount) -> Result<User, StoreError> {
        lock(&self.state).create_account(account)
    }

    async fn create_member(
        &self,
        user: NewUser,
        family: FamilyId,
        inviter: Option<UserId>,
    ) -> Result<User, StoreError> {
        let mut s = lock(&self.state);
        if !s.families.contains_key(&family) {
            return Err(StoreError::NotFound);
        }
        if s.email_taken(&user.email) {
            return Err(StoreError::Conflict("email"));
        }
        let at = user.created_at.naive_utc();
        let created = s.insert_user(user, family, true, true)?;
        s.insert_defaults(created.id, at);
        s.mark_inviter(inviter, at);
        Ok(created)
    }

    async fn join_family(
        &self,
        user: UserId,
        family: FamilyId,
        inviter: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let at = at.naive_utc();
        let mut s = lock(&self.state);
        if !s.families.contains_key(&family) {
            return Err(StoreError::NotFound);
        }
        let u = s.user_mut(user)?;
        u.family_id = Some(family);
        u.enrolled = Some(true);
        u.coparent_enrolled = Some(true);
        u.updated_at = Some(at);
        s.mark_inviter(inviter, at);
        s.users.get(&user).cloned().ok_or(StoreError::NotFound)
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.state).users.get(&id).cloned())
    }

    async fn create_account_with_identity(
        &self,
        account: NewAccount,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<User, StoreError> {
        // One lock: a concurrent first sign-in of the same identity cannot create a second user.
        let key = (provider, subject.as_str().to_owned());
        let mut s = lock(&self.state);
        if s.identities.contains_key(&key) {
            return Err(StoreError::Conflict("identity"));
        }
        let user = s.create_account(account)?;
        s.identities.insert(key, user.id);
        Ok(user)
    }

    async fn user_by_identity(
        &self,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<Option<User>, StoreError> {
        let s = lock(&self.state);
        Ok(s.identities
            .get(&(provider, subject.as_str().to_owned()))
            .and_then(|id| s.users.get(id))
            .cloned())
    }

    async fn unlink_identity(
        &self,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<bool, StoreError> {
        let key = (provider, subject.as_str().to_owned());
        Ok(lock(&self.state).identities.remove(&key).is_some())
    }

    async fn link_identity(
        &self,
        user: UserId,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if !s.users.contains_key(&user) {
            return Err(StoreError::NotFound);
        }
        let key = (provider, subject.as_str().to_owned());
        match s.identities.get(&key) {
            Some(holder) if *holder != user => return Err(StoreError::Conflict("identity")),
            _ => {}
        }
        // One identity per provider and user: a new link replaces the old one.
        s.identities
            .retain(|(p, _), u| !(*p == provider && *u == user));
        s.identities.insert(key, user);
        Ok(())
    }

    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<User>, StoreError> {
        let s = lock(&self.state);
        let Some(ids) = s.emails.get(&email_key(email.as_str())) else {
            return Ok(None);
        };
        let candidates = || ids.iter().filter_map(|id| s.users.get(id));
        let exact = candidates().find(|u| u.email.as_str() == email.as_str());
        Ok(exact.or_else(|| candidates().next()).cloned())
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let at = at.naive_utc();
        let mut s = lock(&self.state);
        let u = s.user_mut(id)?;
        if let Some(v) = &changes.first_name {
            u.first_name = v.clone();
        }
        if let Some(v) = &changes.last_name {
            u.last_name = v.clone();
        }
        if let Some(v) = &changes.phone_number {
            u.phone_number = Some(v.clone());
        }
        if let Some(v) = changes.enrolled {
            u.enrolled = Some(v);
        }
        u.updated_at = Some(at);
        let updated = u.clone();
        if let Some(bio) = &changes.bio {
            let p = s.profiles.entry(id).or_default();
            p.bio = Some(bio.as_str().to_owned());
            p.updated_at = Some(at);
        }
        Ok(updated)
    }

    async fn set_password_hash(
        &self,
        id: UserId,
        hash: &PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        let u = s.user_mut(id)?;
        u.password_hash = Some(hash.clone());
        u.updated_at = Some(at.naive_utc());
        Ok(())
    }

    async fn record_sign_in(&self, id: UserId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        s.user_mut(id)?.last_signed_in = Some(at.naive_utc());
        Ok(())
    }

    async fn clear_device_token(&self, id: UserId, token: &str) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if let Some(extras) = s.extras.get_mut(&id) {
            if extras.apns_token.as_deref() == Some(token) {
                extras.apns_token = None;
            }
        }
        Ok(())
    }

    async fn set_device_token(
        &self,
        id: UserId,
        token: &DeviceToken,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        s.user_mut(id)?.updated_at = Some(at.naive_utc());
        s.extras.entry(id).or_default().apns_token = Some(token.as_str().to_owned());
        Ok(())
    }

    async fn set_location(
        &self,
        id: UserId,
        point: GeoPoint,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        s.user_mut(id)?;
        let e = s.extras.entry(id).or_default();
        e.last_known_location = Some(point.to_stored());
        e.last_known_location_timestamp = Some(at.naive_utc());
        Ok(())
    }

    async fn set_profile_photo(
        &self,
        id: UserId,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let at = at.naive_utc();
        let mut s = lock(&self.state);
        let u = s.user_mut(id)?;
        u.profile_photo_url = Some(url.to_owned());
        u.updated_at = Some(at);
        let updated = u.clone();
        let p = s.profiles.entry(id).or_default();
        p.profile_photo_url = Some(url.to_owned());
        p.updated_at = Some(at);
        Ok(updated)
    }

    async fn preferences(&self, id: UserId) -> Result<Preferences, StoreError> {
        let s = lock(&self.state);
        let mut out = Preferences::default();
        if let Some(p) = s.preferences.get(&id) {
            out.theme = p.theme.clone();
            out.selected_theme_id = p.selected_theme_id;
            out.notification_preferences = p.notification_preferences.clone();
        }
        if let Some(p) = s.profiles.get(&id) {
            out.bio = p.bio.clone();
        }
        Ok(out)
    }

    async fn set_preferences(
        &self,
        id: UserId,
        theme: Option<&str>,
        notifications: Option<&NotificationPreferences>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if !s.users.contains_key(&id) {
            return Err(StoreError::NotFound);
        }
        let p = s.preferences.entry(id).or_default();
        if let Some(t) = theme {
            p.theme = Some(t.to_owned());
        }
        if let Some(n) = notifications {
            p.notification_preferences = Some(n.clone());
        }
        p.updated_at = Some(at.naive_utc());
        Ok(())
    }

    async fn enrollment_code(
        &self,
        code: &EnrollmentCode,
    ) -> Result<Option<EnrollmentCodeRecord>, StoreError> {
        Ok(lock(&self.state).codes.get(&code_key(code)).cloned())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use calndr_domain::{NewFamily, PersonName, PhoneNumber};
    use chrono::TimeZone;

    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).single().unwrap()
    }

    fn new_user(email: &str) -> NewUser {
        NewUser {
            id: UserId::random(),
            first_name: PersonName::parse("Jane", "first_name").unwrap(),
            last_name: PersonName::parse("Doe", "last_name").unwrap(),
            email: EmailAddress::parse(email).unwrap(),
            password_hash: Some(PasswordHash::from_stored("$argon2id$x".into())),
            phone_number: None,
            enrolled: false,
            coparent_enrolled: false,
            created_at: t(0),
        }
    }

    fn account(email: &str) -> NewAccount {
        let user = new_user(email);
        NewAccount {
            family: NewFamily::for_first_member(&user.first_name),
            user,
        }
    }

    fn email(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    #[tokio::test]
    async fn create_account_sets_original_defaults() {
        let store = MemoryAccountStore::new();
        let acc = account("Jane@Example.com");
        let family = acc.family.id;
        let u = store.create_account(acc).await.unwrap();
        assert_eq!(u.family_id, Some(family));
        assert_eq!(u.status, Some(UserStatus::Active));
        assert_eq!(u.enrolled, Some(false));
        assert_eq!(u.coparent_enrolled, Some(false));
        assert_eq!(u.coparent_invited, Some(false));
        assert_eq!(u.subscription_type.as_deref(), Some("Free"));
        assert_eq!(u.subscription_status.as_deref(), Some("Active"));
        assert_eq!(u.created_at, Some(t(0).naive_utc()));
        assert_eq!(u.updated_at, Some(t(0).naive_utc()));
        assert_eq!(u.last_signed_in, None);
        let p = store.preferences(u.id).await.unwrap();
        assert_eq!(p.theme.as_deref(), Some("default"));
        assert_eq!(
            p.notification_preferences,
            Some(NotificationPreferences::defaults())
        );
        assert_eq!(p.bio, None);
        assert_eq!(p.selected_theme_id, None);
        assert!(store.ping().await.is_ok());
    }

    #[tokio::test]
    async fn email_is_unique_case_insensitively() {
        let store = MemoryAccountStore::new();
        let first = store
            .create_account(account("jane@example.com"))
            .await
            .unwrap();
        let dup = store.create_account(account("JANE@Example.COM")).await;
        assert!(matches!(dup, Err(StoreError::Conflict("email"))));
        // The failed attempt wrote nothing: no orphan family to join.
        let member = store
            .create_member(new_user("Jane@example.com"), first.family_id.unwrap(), None)
            .await;
        assert!(matches!(member, Err(StoreError::Conflict("email"))));
        let found = store
            .user_by_email(&email("JANE@EXAMPLE.COM"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, first.id);
        assert_eq!(found.email.as_str(), "jane@example.com");
        assert!(store
            .user_by_email(&email("other@example.com"))
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn user_by_email_prefers_the_exact_spelling() {
        // Two case variants can only come from an adopted database; put them in directly.
        let store = MemoryAccountStore::new();
        let a = store
            .create_account(account("Jane@example.com"))
            .await
            .unwrap();
        let mut b = a.clone();
        b.id = UserId::random();
        b.email = EmailAddress::from_stored("jane@example.com".into());
        {
            let mut s = lock(&store.state);
            s.emails
                .entry(email_key(b.email.as_str()))
                .or_default()
                .push(b.id);
            s.users.insert(b.id, b.clone());
        }
        let exact_b = store
            .user_by_email(&email("jane@example.com"))
            .await
            .unwrap();
        assert_eq!(exact_b.unwrap().id, b.id);
        let exact_a = store
            .user_by_email(&email("Jane@example.com"))
            .await
            .unwrap();
        assert_eq!(exact_a.unwrap().id, a.id);
        let other = store
            .user_by_email(&email("JANE@example.com"))
            .await
            .unwrap();
        assert!(other.is_some());
    }

    #[tokio::test]
    async fn create_member_joins_and_marks_inviter() {
        let store = MemoryAccountStore::new();
        let inviter = store
            .create_account(account("a@example.com"))
            .await
            .unwrap();
        let family = inviter.family_id.unwrap();
        let m = store
            .create_member(new_user("b@example.com"), family, Some(inviter.id))
            .await
            .unwrap();
        assert_eq!(m.family_id, Some(family));
        assert_eq!(m.enrolled, Some(true));
        assert_eq!(m.coparent_enrolled, Some(true));
        assert_eq!(m.status, Some(UserStatus::Active));
        let inv = store.user_by_id(inviter.id).await.unwrap().unwrap();
        assert_eq!(inv.coparent_enrolled, Some(true));

        let unknown = store
            .create_member(new_user("c@example.com"), FamilyId::random(), None)
            .await;
        assert!(matches!(unknown, Err(StoreError::NotFound)));
        assert!(store
            .user_by_email(&email("c@example.com"))
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn join_family_moves_the_user() {
        let store = MemoryAccountStore::new();
        let a = store
            .create_account(account("a@example.com"))
            .await
            .unwrap();
        let b = store
            .create_account(account("b@example.com"))
            .await
            .unwrap();
        let family = a.family_id.unwrap();
        let joined = store
            .join_family(b.id, family, Some(a.id), t(60))
            .await
            .unwrap();
        assert_eq!(joined.family_id, Some(family));
        assert_eq!(joined.enrolled, Some(true));
        assert_eq!(joined.coparent_enrolled, Some(true));
        assert_eq!(joined.updated_at, Some(t(60).naive_utc()));
        let stored = store.user_by_id(b.id).await.unwrap().unwrap();
        assert_eq!(stored.family_id, Some(family));
        let inv = store.user_by_id(a.id).await.unwrap().unwrap();
        assert_eq!(inv.coparent_enrolled, Some(true));

        // Joining the family one is already in is a no-op move.
        let again = store.join_family(b.id, family, None, t(61)).await.unwrap();
        assert_eq!(again.family_id, Some(family));

        let no_user = store
            .join_family(UserId::random(), family, None, t(62))
            .await;
        assert!(matches!(no_user, Err(StoreError::NotFound)));
        let no_family = store
            .join_family(b.id, FamilyId::random(), None, t(62))
            .await;
        assert!(matches!(no_family, Err(StoreError::NotFound)));
        let unchanged = store.user_by_id(b.id).await.unwrap().unwrap();
        assert_eq!(unchanged.family_id, Some(family));
    }

    #[tokio::test]
    async fn update_profile_changes_only_given_fields() {
        let store = MemoryAccountStore::new();
        let u = store
            .create_account(account("a@example.com"))
            .await
            .unwrap();
        let changes = ProfileChanges {
            last_name: Some(PersonName::parse("Smith", "last_name").unwrap()),
            phone_number: Some(PhoneNumber::parse("+1 555 0100", "phone_number").unwrap()),
            bio: Some(ShortText::parse("Hi there", "bio", 500).unwrap()),
            ..ProfileChanges::default()
        };
        let updated = store.update_profile(u.id, &changes, t(5)).await.unwrap();
        assert_eq!(updated.first_name.as_str(), "Jane");
        assert_eq!(updated.last_name.as_str(), "Smith");
        assert_eq!(
            updated.phone_number.as_ref().map(PhoneNumber::as_str),
            Some("+1 555 0100")
        );
        assert_eq!(updated.enrolled, Some(false));
        assert_eq!(updated.updated_at, Some(t(5).naive_utc()));
        let p = store.preferences(u.id).await.unwrap();
        assert_eq!(p.bio.as_deref(), Some("Hi there"));
        assert_eq!(p.theme.as_deref(), Some("default"));

        let missing = store.update_profile(UserId::random(), &changes, t(6)).await;
        assert!(matches!(missing, Err(StoreError::NotFound)));
    }

    #[tokio::test]
    async fn preferences_default_and_upsert() {
        let store = MemoryAccountStore::new();
        let a = store
            .create_account(account("a@example.com"))
            .await
            .unwrap();
        let family = a.family_id.unwrap();
        // A member starts with the same default preferences as a founder.
        let m = store
            .create_member(new_user("m@example.com"), family, None)
            .await
            .unwrap();
        let initial = store.preferences(m.id).await.unwrap();
        assert_eq!(initial.theme.as_deref(), Some("default"));
        assert_eq!(
            initial.notification_preferences,
            Some(NotificationPreferences::defaults())
        );
        store
            .set_preferences(m.id, Some("dark"), None, t(1))
            .await
            .unwrap();
        let p = store.preferences(m.id).await.unwrap();
        assert_eq!(p.theme.as_deref(), Some("dark"));
        assert_eq!(
            p.notification_preferences,
            Some(NotificationPreferences::defaults())
        );

        let n =
            NotificationPreferences::parse(BTreeMap::from([("push".to_owned(), false)])).unwrap();
        store
            .set_preferences(a.id, None, Some(&n), t(2))
            .await
            .unwrap();
        let p = store.preferences(a.id).await.unwrap();
        assert_eq!(p.theme.as_deref(), Some("default"));
        assert_eq!(p.notification_preferences, Some(n));

        let missing = store
            .set_preferences(UserId::random(), Some("x"), None, t(3))
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound)));
        assert_eq!(
            store.preferences(UserId::random()).await.unwrap(),
            Preferences::default()
        );
    }

    #[tokio::test]
    async fn per_user_writes() {
        let store = MemoryAccountStore::new();
        let u = store
            .create_account(account("a@example.com"))
            .await
            .unwrap();
        let hash = PasswordHash::from_stored("$argon2id$new".into());
        store.set_password_hash(u.id, &hash, t(1)).await.unwrap();
        store.record_sign_in(u.id, t(2)).await.unwrap();
        let token = DeviceToken::parse(&"AB".repeat(32)).unwrap();
        store.set_device_token(u.id, &token, t(3)).await.unwrap();
        let point = GeoPoint::parse(34.5, -77.25).unwrap();
        store.set_location(u.id, point, t(4)).await.unwrap();
        let photo = store
            .set_profile_photo(u.id, "http://x/media/p.jpg", t(5))
            .await
            .unwrap();
        assert_eq!(
            photo.profile_photo_url.as_deref(),
            Some("http://x/media/p.jpg")
        );

        let got = store.user_by_id(u.id).await.unwrap().unwrap();
        assert_eq!(got.password_hash, Some(hash.clone()));
        assert_eq!(got.last_signed_in, Some(t(2).naive_utc()));
        assert_eq!(got.updated_at, Some(t(5).naive_utc()));
        assert_eq!(store.device_token(u.id), Some("ab".repeat(32)));
        assert_eq!(
            store.location(u.id),
            Some(("34.5,-77.25".to_owned(), t(4).naive_utc()))
        );

        let nobody = UserId::random();
        assert!(matches!(
            store.set_password_hash(nobody, &hash, t(1)).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.record_sign_in(nobody, t(1)).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.set_device_token(nobody, &token, t(1)).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.set_location(nobody, point, t(1)).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.set_profile_photo(nobody, "u", t(1)).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.user_by_id(nobody).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn enrollment_codes_are_upper_case() {
        let store = MemoryAccountStore::new();
        let record = EnrollmentCodeRecord {
            family_id: FamilyId::random(),
            created_by: UserId::random(),
            expires_at: None,
            revoked: false,
        };
        store.insert_enrollment_code(EnrollmentCode::from_stored("abcd12".into()), record.clone());
        let found = store
            .enrollment_code(&EnrollmentCode::parse("AbCd12", "code").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.family_id, record.family_id);
        let none = store
            .enrollment_code(&EnrollmentCode::parse("ZZZZ", "code").unwrap())
            .await
            .unwrap();
        assert!(none.is_none());
    }
}
