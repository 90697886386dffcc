//! Accounts: registration, sign-in, tokens, passwords, profile and preferences.

use std::sync::Arc;

use calndr_domain::{
    DeviceToken, EmailAddress, EnrollmentCode, FamilyId, GeoPoint, NewAccount, NewFamily, NewUser,
    NotificationPreferences, Password, PersonName, PhoneNumber, Preferences, ProfileChanges,
    SessionCutoff, User, UserId,
};
use calndr_ports::{
    AccountStore, EnrollmentStore, IssuedToken, JobQueue, Mailer, ObjectStorage, OutgoingEmail,
    PasswordHasher, Redeemer, StoreError, TokenService,
};
use chrono::Utc;
use tracing::{info, warn};

mod deletion;
mod family_leave;

use crate::cache_keys::View;
use crate::limits::{hashed_key as email_key, ip_key};
use crate::photos::check_photo;
use crate::read_through::ReadThrough;
use crate::{AppError, AuthService, Principal, RateGuard, Session};

/// A user with their preferences: what the profile routes return.
#[derive(Debug, Clone)]
pub struct Profile {
    pub user: User,
    pub preferences: Preferences,
}

/// A successful sign-in: the token and the profile.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: IssuedToken,
    pub profile: Profile,
}

/// A successful registration.
#[derive(Debug, Clone)]
pub struct Registered {
    pub user: User,
    pub family_id: FamilyId,
    pub token: IssuedToken,
    /// True when the account joined an existing family (register-with-family).
    pub joined_family: bool,
}

/// Registration input, parsed at the edge.
#[derive(Debug, Clone)]
pub struct Registration {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
    pub password: Password,
    pub phone_number: Option<PhoneNumber>,
}

/// The ports the account use cases need.
#[derive(Clone)]
pub struct AccountDeps {
    pub accounts: Arc<dyn AccountStore>,
    /// Redeems enrollment codes (register-with-family) atomically.
    pub enrollment: Arc<dyn EnrollmentStore>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenService>,
    pub storage: Arc<dyn ObjectStorage>,
    /// Where the cleanup after a deleted account is queued when it is not part of a write.
    pub jobs: Arc<dyn JobQueue>,
    pub mailer: Arc<dyn Mailer>,
    pub guard: RateGuard,
    pub auth: AuthService,
    /// The cached views; a rename retires the family's custody months (they show custodians
    /// by first name).
    pub views: ReadThrough,
}

#[derive(Clone)]
pub struct AccountService {
    deps: AccountDeps,
}

impl AccountService {
    pub fn new(deps: AccountDeps) -> Self {
        Self { deps }
    }

    pub fn auth(&self) -> &AuthService {
        &self.deps.auth
    }

    async fn profile_of(&self, user: User) -> Result<Profile, AppError> {
        let preferences = self.deps.accounts.preferences(user.id).await?;
        Ok(Profile { user, preferences })
    }

    /// The signed-in user's own row. Gone (deleted since the principal was cached) means the
    /// caller is no longer authenticated.
    async fn user(&self, id: UserId) -> Result<User, AppError> {
        self.deps
            .accounts
            .user_by_id(id)
            .await?
            .ok_or(AppError::NotAuthenticated)
    }

    /// `POST /auth/token`. `passwords` holds the readings of an ambiguous form body to try in
    /// order (see the API's login form parser). Unknown account, wrong password and social-only
    /// account all answer the same `InvalidCredentials`, after comparable hashing work.
    pub async fn login(
        &self,
        username: &str,
        passwords: &[String],
        client: &str,
    ) -> Result<SignedIn, AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(&ip_key("login", client), limits.login_per_ip)
            .await?;
        let account_key = email_key("login-fail", username);
        self.deps
            .guard
            .check(&account_key, limits.login_failures_per_account)
            .await?;
        let readings: Vec<Password> = passwords
            .iter()
            .filter_map(|p| Password::presented(p, "password").ok())
            .collect();
        let Some(first) = readings.first().cloned() else {
            return Err(AppError::InvalidCredentials);
        };

        let user = match EmailAddress::parse(username) {
            Ok(email) => self.deps.accounts.user_by_email(&email).await?,
            Err(_) => None,
        };
        let mut matched = None;
        match user.as_ref().and_then(|u| u.password_hash.clone()) {
            Some(hash) => {
                for reading in &readings {
                    if self
                        .deps
                        .hasher
                        .verify(reading.clone(), hash.clone())
                        .await?
                    {
                        matched = Some(reading.clone());
                        break;
                    }
                }
            }
            None => self.deps.hasher.verify_nothing(first).await?,
        }
        let (user, password) = match (user, matched) {
            (Some(user), Some(password)) => (user, password),
            _ => {
                self.deps
                    .guard
                    .record(&account_key, limits.login_failures_per_account)
                    .await;
                return Err(AppError::InvalidCredentials);
            }
        };
        if user.is_pending_verification() {
            return Err(AppError::EmailNotVerified);
        }
        self.deps.guard.clear(&account_key).await;
        self.upgrade_hash(&user, password).await;
        let now = Utc::now();
        self.deps.accounts.record_sign_in(user.id, now).await?;
        let token = self.deps.tokens.issue(user.id, user.family_id)?;
        let mut user = user;
        user.last_signed_in = Some(now.naive_utc());
        let profile = self.profile_of(user).await?;
        info!(user.id = %profile.user.id, "user signed in");
        Ok(SignedIn { token, profile })
    }

    /// Re-hashes a legacy (or weaker) hash in the configured scheme after a successful login.
    async fn upgrade_hash(&self, user: &User, password: Password) {
        let Some(hash) = &user.password_hash else {
            return;
        };
        if !self.deps.hasher.needs_rehash(hash) {
            return;
        }
        match self.deps.hasher.hash(password).await {
            Ok(new_hash) => {
                if let Err(e) = self
                    .deps
                    .accounts
                    .set_password_hash(user.id, &new_hash, Utc::now(), None)
                    .await
                {
                    warn!(user.id = %user.id, error = %e, "password re-hash not saved");
                }
            }
            Err(e) => warn!(user.id = %user.id, error = %e, "password re-hash failed"),
        }
    }

    fn new_user(
        &self,
        reg: &Registration,
        hash: calndr_domain::PasswordHash,
        enrolled: bool,
    ) -> NewUser {
        NewUser {
            id: UserId::random(),
            first_name: reg.first_name.clone(),
            last_name: reg.last_name.clone(),
            email: reg.email.clone(),
            password_hash: Some(hash),
            phone_number: reg.phone_number.clone(),
            enrolled,
            coparent_enrolled: enrolled,
            created_at: Utc::now(),
        }
    }

    /// `POST /auth/register` and `POST /users/`: a new account with its own family.
    pub async fn register(&self, reg: Registration, client: &str) -> Result<Registered, AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(&ip_key("register", client), limits.register_per_ip)
            .await?;
        self.deps
            .guard
            .hit(
                &email_key("register", reg.email.as_str()),
                limits.register_per_ip,
            )
            .await?;
        if self
            .deps
            .accounts
            .user_by_email(&reg.email)
            .await?
            .is_some()
        {
            return Err(AppError::EmailTaken);
        }
        let hash = self.deps.hasher.hash(reg.password.clone()).await?;
        let family = NewFamily::for_first_member(&reg.first_name);
        let family_id = family.id;
        let user = self
            .deps
            .accounts
            .create_account(NewAccount {
                user: self.new_user(&reg, hash, false),
                family,
            })
            .await?;
        let token = self.deps.tokens.issue(user.id, Some(family_id))?;
        info!(user.id = %user.id, family.id = %family_id, "account registered");
        Ok(Registered {
            user,
            family_id,
            token,
            joined_family: false,
        })
    }

    /// `POST /auth/register-with-family`. The app calls it right after `/auth/register` with the
    /// same e-mail and password (contract 4.2), so an existing account whose password matches
    /// joins the code's family instead of failing; a wrong password answers `EmailTaken`.
    pub async fn register_with_family(
        &self,
        reg: Registration,
        code: &str,
        family_id: Option<&str>,
        client: &str,
    ) -> Result<Registered, AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(&ip_key("register", client), limits.register_per_ip)
            .await?;
        self.deps
            .guard
            .hit(&ip_key("code", client), limits.code_checks_per_ip)
            .await?;
        // A code that cannot exist is refused like an unknown one (as verify-enrollment-code does).
        let code = EnrollmentCode::parse(code, "enrollment_code")
            .map_err(|_| AppError::InvalidEnrollmentCode)?;
        let record = self
            .deps
            .accounts
            .enrollment_code(&code)
            .await?
            .filter(|r| r.is_usable_at(Utc::now()))
            .ok_or(AppError::InvalidEnrollmentCode)?;
        if let Some(claimed) = family_id.filter(|f| !f.trim().is_empty()) {
            let claimed = FamilyId::parse(claimed, "family_id")?;
            if claimed != record.family_id {
                return Err(AppError::FamilyMismatch);
            }
        }
        // The lookup above answers a family mismatch; the redemption re-checks the code under a
        // lock on its row (expiry, revocation, spent) and joins in the same transaction.
        let redeemer = match self.deps.accounts.user_by_email(&reg.email).await? {
            Some(existing) => {
                self.deps
                    .guard
                    .hit(
                        &email_key("code-user", &existing.id.to_string()),
                        limits.code_checks_per_account,
                    )
                    .await?;
                let matches = match existing.password_hash.clone() {
                    Some(hash) => self.deps.hasher.verify(reg.password.clone(), hash).await?,
                    None => false,
                };
                if !matches {
                    return Err(AppError::EmailTaken);
                }
                Redeemer::Existing(existing.id)
            }
            None => {
                // The API lets a short password through for an existing account (it may predate
                // the length rule); a new account must meet it.
                Password::new_choice(reg.password.expose(), "password")?;
                let hash = self.deps.hasher.hash(reg.password.clone()).await?;
                Redeemer::New(self.new_user(&reg, hash, true))
            }
        };
        let (user, _) = self
            .deps
            .enrollment
            .redeem(&code, redeemer, Utc::now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::InvalidEnrollmentCode,
                other => other.into(),
            })?;
        self.deps.auth.forget(user.id).await;
        let token = self.deps.tokens.issue(user.id, Some(record.family_id))?;
        info!(user.id = %user.id, family.id = %record.family_id, "account joined a family");
        Ok(Registered {
            user,
            family_id: record.family_id,
            token,
            joined_family: true,
        })
    }

    /// `POST /auth/verify-enrollment-code`: whether a code is usable. Reveals nothing else.
    pub async fn check_enrollment_code(&self, code: &str, client: &str) -> Result<bool, AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(&ip_key("code", client), limits.code_checks_per_ip)
            .await?;
        let Ok(code) = EnrollmentCode::parse(code, "enrollment_code") else {
            return Ok(false);
        };
        // Spent codes (a new member joined with it) are invalid too.
        Ok(self
            .deps
            .enrollment
            .usable_code(&code, Utc::now())
            .await?
            .is_some())
    }

    /// `POST /auth/refresh-token`: a fresh token for a valid one whose user still exists.
    pub async fn refresh(&self, token: &str) -> Result<IssuedToken, AppError> {
        let claims = self.deps.tokens.verify(token)?;
        self.reissue(claims.user_id).await
    }

    /// A fresh token for an account that exists now, for a replayed sign-up: the replay carries
    /// the first request's body, password included, so it proves what that request did; the
    /// first token is never kept. `InvalidToken` when the account is gone.
    pub async fn reissue(&self, user_id: UserId) -> Result<IssuedToken, AppError> {
        let user = self
            .deps
            .accounts
            .user_by_id(user_id)
            .await?
            .ok_or(AppError::InvalidToken)?;
        Ok(self.deps.tokens.issue(user.id, user.family_id)?)
    }

    /// `POST /auth/verify-token`: `Ok(Some(user))` when valid, `Ok(None)` when not.
    pub async fn inspect_token(&self, token: &str) -> Result<Option<User>, AppError> {
        let Ok(claims) = self.deps.tokens.verify(token) else {
            return Ok(None);
        };
        Ok(self.deps.accounts.user_by_id(claims.user_id).await?)
    }

    /// Password change for the signed-in user. `WrongCurrentPassword` when the current password
    /// does not match (or the account has none).
    /// Ends every session of the caller (`POST /auth/logout-all`), the one it is made from too.
    pub async fn log_out_everywhere(&self, who: &Principal) -> Result<(), AppError> {
        let cutoff = SessionCutoff::all(Utc::now());
        self.deps.accounts.end_sessions(who.user_id, cutoff).await?;
        self.deps.auth.sessions_ended(who.user_id, cutoff).await;
        info!(user.id = %who.user_id, "every session ended");
        Ok(())
    }

    /// Counts one password attempt against `user` (change, reset, deletion): 429 past the limit.
    async fn limit_password_attempts(&self, user: UserId) -> Result<(), AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(
                &format!("calndr:rl:password:{user}"),
                limits.password_per_account,
            )
            .await
    }

    /// `WrongCurrentPassword` unless `presented` is `user`'s password (an account without one
    /// has no right password).
    async fn confirm_password(&self, user: &User, presented: Password) -> Result<(), AppError> {
        let ok = match user.password_hash.clone() {
            Some(hash) => self.deps.hasher.verify(presented, hash).await?,
            None => false,
        };
        if ok {
            Ok(())
        } else {
            Err(AppError::WrongCurrentPassword)
        }
    }

    pub async fn change_password(
        &self,
        who: &Principal,
        session: Session,
        current: &str,
        new: &str,
        client: &str,
    ) -> Result<(), AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(&ip_key("password", client), limits.login_per_ip)
            .await?;
        self.limit_password_attempts(who.user_id).await?;
        let current = Password::presented(current, "current_password")?;
        let new = Password::new_choice(new, "new_password")?;
        let user = self.user(who.user_id).await?;
        self.confirm_password(&user, current).await?;
        let hash = self.deps.hasher.hash(new).await?;
        // Every other session ends with the old password (a stolen phone stays signed out); the
        // one the change is made from stays.
        let at = Utc::now();
        let cutoff = SessionCutoff::all_but(at, session.issued_at);
        self.deps
            .accounts
            .set_password_hash(user.id, &hash, at, Some(cutoff))
            .await?;
        self.deps.auth.sessions_ended(user.id, cutoff).await;
        info!(user.id = %user.id, "password changed");
        Ok(())
    }

    /// `POST /auth/forgot-password`: mails a one-hour reset token when the account exists.
    /// The caller always answers the same generic message.
    pub async fn forgot_password(&self, email: &str, client: &str) -> Result<(), AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(&ip_key("reset", client), limits.reset_mail)
            .await?;
        let Ok(email) = EmailAddress::parse(email) else {
            return Ok(());
        };
        // Per-address limit: silently drop extra mails rather than reveal the account exists.
        if self
            .deps
            .guard
            .hit(&email_key("reset", email.as_str()), limits.reset_mail)
            .await
            .is_err()
        {
            return Ok(());
        }
        let Some(user) = self.deps.accounts.user_by_email(&email).await? else {
            return Ok(());
        };
        let token = self
            .deps
            .tokens
            .issue_reset(user.id, user.password_hash.as_ref())?;
        let text = format!(
            "Someone asked to reset the password of your Calndr account.\n\n\
             Your reset code (valid for one hour):\n\n{token}\n\n\
             If this was not you, ignore this message: your password stays as it is.\n"
        );
        let html = format!(
            "<p>Someone asked to reset the password of your Calndr account.</p>\
             <p>Your reset code (valid for one hour):</p><pre>{token}</pre>\
             <p>If this was not you, ignore this message: your password stays as it is.</p>"
        );
        let mail = OutgoingEmail {
            to: user.email.clone(),
            subject: "Reset your Calndr password".into(),
            text,
            html,
        };
        if let Err(e) = self.deps.mailer.send(mail).await {
            warn!(user.id = %user.id, error = %e, "password reset e-mail not sent");
        }
        Ok(())
    }

    /// `POST /auth/reset-password`: sets a new password with a reset token. The token stops
    /// working once the password has changed.
    pub async fn reset_password(&self, token: &str, new: &str) -> Result<(), AppError> {
        let invalid = || AppError::InvalidResetToken;
        let claims = self
            .deps
            .tokens
            .verify_reset(token)
            .map_err(|_| invalid())?;
        let new = Password::new_choice(new, "new_password")?;
        self.limit_password_attempts(claims.user_id).await?;
        let user = self
            .deps
            .accounts
            .user_by_id(claims.user_id)
            .await?
            .ok_or(AppError::NotFound("User"))?;
        let current = self
            .deps
            .tokens
            .password_fingerprint(user.password_hash.as_ref());
        if current != claims.password_fingerprint {
            return Err(invalid());
        }
        let hash = self.deps.hasher.hash(new).await?;
        // A reset is what someone does who lost a phone or a password: every session ends.
        let at = Utc::now();
        let cutoff = SessionCutoff::all(at);
        self.deps
            .accounts
            .set_password_hash(user.id, &hash, at, Some(cutoff))
            .await?;
        self.deps.auth.sessions_ended(user.id, cutoff).await;
        info!(user.id = %user.id, "password reset");
        Ok(())
    }

    pub async fn profile(&self, who: &Principal) -> Result<Profile, AppError> {
        let user = self.user(who.user_id).await?;
        self.profile_of(user).await
    }

    pub async fn update_profile(
        &self,
        who: &Principal,
        changes: ProfileChanges,
    ) -> Result<Profile, AppError> {
        let user = if changes.is_empty() {
            self.user(who.user_id).await?
        } else {
            self.deps
                .accounts
                .update_profile(who.user_id, &changes, Utc::now())
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => AppError::NotFound("User"),
                    other => other.into(),
                })?
        };
        if let (Some(_), Some(family)) = (&changes.first_name, user.family_id) {
            self.deps.views.bump(family, View::Custody).await;
        }
        self.profile_of(user).await
    }

    pub async fn set_enrolled(&self, who: &Principal, enrolled: bool) -> Result<(), AppError> {
        let changes = ProfileChanges {
            enrolled: Some(enrolled),
            ..ProfileChanges::default()
        };
        self.deps
            .accounts
            .update_profile(who.user_id, &changes, Utc::now())
            .await?;
        Ok(())
    }

    pub async fn record_sign_in(&self, who: &Principal) -> Result<(), AppError> {
        Ok(self
            .deps
            .accounts
            .record_sign_in(who.user_id, Utc::now())
            .await?)
    }

    /// Stores the device token; returns the push endpoint already registered, if any.
    pub async fn register_device(
        &self,
        who: &Principal,
        token: &DeviceToken,
    ) -> Result<Option<String>, AppError> {
        self.deps
            .accounts
            .set_device_token(who.user_id, token, Utc::now())
            .await?;
        Ok(self.user(who.user_id).await?.sns_endpoint_arn)
    }

    pub async fn set_location(&self, who: &Principal, point: GeoPoint) -> Result<(), AppError> {
        Ok(self
            .deps
            .accounts
            .set_location(who.user_id, point, Utc::now())
            .await?)
    }

    /// Upserts the preferences; a field left out keeps its value (the original cleared it).
    pub async fn set_preferences(
        &self,
        who: &Principal,
        theme: Option<&str>,
        notifications: Option<&NotificationPreferences>,
    ) -> Result<(), AppError> {
        if let Some(t) = theme {
            calndr_domain::ShortText::parse(
                t,
                "theme",
                calndr_domain::values::PREFERENCE_TEXT_MAX,
            )?;
        }
        Ok(self
            .deps
            .accounts
            .set_preferences(who.user_id, theme, notifications, Utc::now())
            .await?)
    }

    /// Stores a profile photo and points the user at it. Returns the updated profile.
    pub async fn upload_photo(
        &self,
        who: &Principal,
        declared_type: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<Profile, AppError> {
        let kind = check_photo(declared_type, &bytes)?;
        let key = format!(
            "{}{}.{}",
            calndr_domain::objects::photo_prefix(who.user_id),
            uuid::Uuid::new_v4(),
            kind.extension()
        );
        let stored = self
            .deps
            .storage
            .put(&key, bytes, kind.content_type())
            .await?;
        let user = self
            .deps
            .accounts
            .set_profile_photo(who.user_id, &stored.url, Utc::now())
            .await?;
        info!(user.id = %user.id, "profile photo stored");
        self.profile_of(user).await
    }

    /// A stored object (photo) for the local-directory storage route.
    pub async fn media(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, AppError> {
        Ok(self.deps.storage.get(key).await?)
    }
}
