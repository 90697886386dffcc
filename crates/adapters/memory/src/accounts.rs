//! [`AccountStore`] on the users, families, preferences, profiles, identities and enrollment
//! codes of the [`MemoryStore`].

use async_trait::async_trait;
use calndr_domain::{
    DeviceToken, EmailAddress, EnrollmentCode, EnrollmentCodeRecord, FamilyId, GeoPoint,
    IdentityProvider, NewAccount, NewFamily, NewUser, NotificationPreferences, PasswordHash,
    PersonName, Preferences, ProfileChanges, ProviderSubject, SessionCutoff, User, UserId,
};
use calndr_ports::{AccountStore, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::enrollment::code_key;
use crate::state::email_key;
use crate::MemoryStore;

#[cfg(test)]
mod tests;

impl MemoryStore {
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
        self.state().codes.insert(code_key(&code), record);
    }

    /// The stored APNs device token of a user, if any (for tests).
    pub fn device_token(&self, id: UserId) -> Option<String> {
        self.state()
            .extras
            .get(&id)
            .and_then(|e| e.apns_token.clone())
    }

    /// The stored last known location (`"lat,lon"`) and its time, if any (for tests).
    pub fn location(&self, id: UserId) -> Option<(String, NaiveDateTime)> {
        let state = self.state();
        let e = state.extras.get(&id)?;
        Some((
            e.last_known_location.clone()?,
            e.last_known_location_timestamp?,
        ))
    }
}

#[async_trait]
impl AccountStore for MemoryStore {
    async fn create_account(&self, account: NewAccount) -> Result<User, StoreError> {
        self.state().create_account(account)
    }

    async fn create_member(
        &self,
        user: NewUser,
        family: FamilyId,
        inviter: Option<UserId>,
    ) -> Result<User, StoreError> {
        let mut s = self.state();
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
        let mut s = self.state();
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
        Ok(self.state().users.get(&id).cloned())
    }

    async fn create_account_with_identity(
        &self,
        account: NewAccount,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<User, StoreError> {
        // One lock: a concurrent first sign-in of the same identity cannot create a second user.
        let key = (provider, subject.as_str().to_owned());
        let mut s = self.state();
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
        let s = self.state();
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
        Ok(self.state().identities.remove(&key).is_some())
    }

    async fn link_identity(
        &self,
        user: UserId,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
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
        let s = self.state();
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
        let mut s = self.state();
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
        sessions: Option<SessionCutoff>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let u = s.user_mut(id)?;
        u.password_hash = Some(hash.clone());
        u.updated_at = Some(at.naive_utc());
        if let Some(cutoff) = sessions {
            u.sessions = Some(cutoff);
        }
        Ok(())
    }

    async fn delete_account(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        jobs: &[calndr_ports::NewJob],
    ) -> Result<calndr_ports::DeletedAccount, StoreError> {
        let mut state = self.state();
        let deleted = crate::account_deletion::delete_account(&mut state, id, at)?;
        state.enqueue(jobs);
        Ok(deleted)
    }

    async fn leave_family(
        &self,
        id: UserId,
        family: calndr_domain::NewFamily,
        at: DateTime<Utc>,
    ) -> Result<calndr_ports::FamilyDeparture, StoreError> {
        crate::family_leave::leave_family(&mut self.state(), id, family, at)
    }

    async fn set_identity_token(
        &self,
        user: UserId,
        provider: IdentityProvider,
        token: &calndr_domain::ProviderRefreshToken,
        _at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if !s.users.contains_key(&user) {
            return Err(StoreError::NotFound);
        }
        s.identity_tokens.insert((user, provider), token.clone());
        Ok(())
    }

    async fn identity_token(
        &self,
        user: UserId,
        provider: IdentityProvider,
    ) -> Result<Option<calndr_domain::ProviderRefreshToken>, StoreError> {
        Ok(self.state().identity_tokens.get(&(user, provider)).cloned())
    }

    async fn end_sessions(&self, id: UserId, cutoff: SessionCutoff) -> Result<(), StoreError> {
        let mut s = self.state();
        s.user_mut(id)?.sessions = Some(cutoff);
        Ok(())
    }

    async fn record_sign_in(&self, id: UserId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut s = self.state();
        s.user_mut(id)?.last_signed_in = Some(at.naive_utc());
        Ok(())
    }

    async fn clear_device_token(&self, id: UserId, token: &str) -> Result<(), StoreError> {
        let mut s = self.state();
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
        let mut s = self.state();
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
        let mut s = self.state();
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
        let mut s = self.state();
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
        let s = self.state();
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

    async fn set_preferences<'a>(
        &self,
        id: UserId,
        theme: Option<&'a str>,
        notifications: Option<&'a NotificationPreferences>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
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
        Ok(self.state().codes.get(&code_key(code)).cloned())
    }
}
