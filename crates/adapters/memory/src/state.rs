//! [`MemoryStore`]: every storage port over one set of maps behind one mutex, the way `PgStore`
//! is every storage port over one database.
//!
//! Every method takes the lock once, checks everything it needs, and only then writes, so a
//! method writes all of its rows or none (the all-or-nothing of a Postgres transaction) and
//! writers are serialised (the row locks of the Postgres adapter). A port that needs another
//! port's rows (a journal entry's author, a group chat's contact, a theme selection in the
//! preferences) reads them from the same state under the same lock.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use async_trait::async_trait;
use calndr_domain::{
    Babysitter, BoundedText, CalendarEvent, CalendarSync, Child, ChildId, CoparentDetails,
    EmailAddress, EmergencyContact, EnrollmentCodeRecord, Event, FamilyId, IdentityProvider,
    JournalEntryId, MedicalProvider, Medication, NewAccount, NewUser, NotificationEmail,
    NotificationPreferences, Provider, ProviderKind, Reminder, ScheduleTemplate, ShortText,
    StoredResponse, TemplateId, Theme, ThemeId, User, UserId, UserStatus, VerificationCode,
};
use calndr_ports::{CustodyRecord, HealthCheck, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

/// Every storage port in process memory (the embedded mode and fast tests).
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The state, locked (recovering it if a panicking thread poisoned the lock: every critical
    /// section is a handful of map operations that leave the data consistent).
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        crate::lock(&self.state)
    }
}

#[async_trait]
impl HealthCheck for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A row of `families`.
#[derive(Debug, Clone)]
pub(crate) struct FamilyRow {
    pub(crate) name: ShortText,
    #[expect(
        dead_code,
        reason = "kept like the families table; read by later features"
    )]
    pub(crate) created_at: NaiveDateTime,
    /// `family_settings`: `None` until a parent changes one (and gone with the family).
    pub(crate) settings: Option<calndr_domain::FamilySettings>,
}

/// A row of `user_preferences`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PreferencesRow {
    pub(crate) theme: Option<String>,
    pub(crate) selected_theme_id: Option<ThemeId>,
    pub(crate) notification_preferences: Option<NotificationPreferences>,
    pub(crate) updated_at: Option<NaiveDateTime>,
}

impl PreferencesRow {
    /// The row every new account starts with (the original's defaults).
    pub(crate) fn defaults(at: Option<NaiveDateTime>) -> Self {
        Self {
            theme: Some("default".to_owned()),
            selected_theme_id: None,
            notification_preferences: Some(NotificationPreferences::defaults()),
            updated_at: at,
        }
    }
}

/// A row of `user_profiles`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProfileRow {
    pub(crate) bio: Option<String>,
    pub(crate) profile_photo_url: Option<String>,
    pub(crate) updated_at: Option<NaiveDateTime>,
}

/// Columns of `users` that the `User` entity does not carry.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserExtras {
    pub(crate) apns_token: Option<String>,
    pub(crate) last_known_location: Option<String>,
    pub(crate) last_known_location_timestamp: Option<NaiveDateTime>,
}

/// The tables, as maps. Integer ids come from one sequence per table, like `SERIAL` columns.
#[derive(Debug, Default)]
pub(crate) struct State {
    sequences: HashMap<&'static str, i64>,

    // accounts, family
    pub(crate) users: HashMap<UserId, User>,
    /// Lower-cased e-mail -> users with that address in any case (several only in an adopted
    /// database; this store itself never lets a second case variant in).
    pub(crate) emails: HashMap<String, Vec<UserId>>,
    pub(crate) extras: HashMap<UserId, UserExtras>,
    pub(crate) families: HashMap<FamilyId, FamilyRow>,
    pub(crate) preferences: HashMap<UserId, PreferencesRow>,
    pub(crate) profiles: HashMap<UserId, ProfileRow>,
    /// (provider, subject) -> user.
    pub(crate) identities: HashMap<(IdentityProvider, String), UserId>,
    /// `identity_tokens`: the providers' refresh tokens.
    pub(crate) identity_tokens:
        HashMap<(UserId, IdentityProvider), calndr_domain::ProviderRefreshToken>,

    // enrollment, email_verification
    /// Keyed by the upper-case code.
    pub(crate) codes: HashMap<String, EnrollmentCodeRecord>,
    pub(crate) code_extras: HashMap<String, CodeExtras>,
    pub(crate) email_codes: HashMap<UserId, EmailCode>,
    pub(crate) email_verified_at: HashMap<UserId, chrono::DateTime<chrono::Utc>>,
    pub(crate) phone_verified_at: HashMap<UserId, chrono::DateTime<chrono::Utc>>,

    // custody, templates
    /// family -> date -> record
    pub(crate) custody: HashMap<FamilyId, BTreeMap<NaiveDate, CustodyRecord>>,
    pub(crate) templates: BTreeMap<TemplateId, ScheduleTemplate>,

    // children, babysitters, emergency_contacts, medications, themes
    pub(crate) children: HashMap<ChildId, Child>,
    /// Sitters by id; a sitter's `created_at` etc. are global, the links are per family.
    pub(crate) babysitters: BTreeMap<i32, Babysitter>,
    pub(crate) babysitter_links: BTreeSet<(FamilyId, i32)>,
    pub(crate) emergency_contacts: BTreeMap<i32, EmergencyContact>,
    pub(crate) medications: BTreeMap<i32, Medication>,
    pub(crate) themes: HashMap<ThemeId, Theme>,

    // events, reminders, journal, notification_emails, group_chat
    pub(crate) events: BTreeMap<i32, Event>,
    pub(crate) reminders: BTreeMap<i32, Reminder>,
    pub(crate) journal: BTreeMap<i32, JournalRow>,
    pub(crate) notification_emails: BTreeMap<i32, NotificationEmail>,
    pub(crate) group_chats: BTreeMap<(FamilyId, &'static str, i32), ChatRow>,

    // providers, medical_providers
    pub(crate) providers: BTreeMap<(&'static str, i32), Provider>,
    pub(crate) calendar_syncs: BTreeMap<i32, SyncRow>,
    pub(crate) calendar_events: HashMap<(&'static str, i32), Vec<CalendarEvent>>,
    /// `families.daycare_sync_id` / `families.school_sync_id`.
    pub(crate) followed_syncs: HashMap<(FamilyId, &'static str), i32>,
    pub(crate) medical_providers: BTreeMap<i32, MedicalProvider>,

    // jobs
    pub(crate) jobs: Vec<JobRow>,

    // idempotency_keys: (scope, key) -> row
    pub(crate) idempotency_keys: KeyTable,
}

pub(crate) fn email_key(email: &str) -> String {
    email.to_lowercase()
}

impl State {
    /// The next value of `table`'s id sequence (1, 2, ...).
    pub(crate) fn next_id(&mut self, table: &'static str) -> i64 {
        let n = self.sequences.entry(table).or_default();
        *n += 1;
        *n
    }

    /// [`Self::next_id`] for the `INTEGER` id columns.
    pub(crate) fn next_i32(&mut self, table: &'static str) -> Result<i32, StoreError> {
        i32::try_from(self.next_id(table))
            .map_err(|_| StoreError::unexpected(format!("{table} id sequence exhausted")))
    }

    pub(crate) fn has_user(&self, id: UserId) -> Result<(), StoreError> {
        if self.users.contains_key(&id) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    pub(crate) fn has_family(&self, id: FamilyId) -> Result<(), StoreError> {
        if self.families.contains_key(&id) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    pub(crate) fn email_taken(&self, email: &EmailAddress) -> bool {
        self.emails
            .get(&email_key(email.as_str()))
            .is_some_and(|ids| !ids.is_empty())
    }

    pub(crate) fn user_mut(&mut self, id: UserId) -> Result<&mut User, StoreError> {
        self.users.get_mut(&id).ok_or(StoreError::NotFound)
    }

    /// The preferences and empty profile every new account starts with (the original's defaults).
    pub(crate) fn insert_defaults(&mut self, user: UserId, at: NaiveDateTime) {
        self.preferences
            .insert(user, PreferencesRow::defaults(Some(at)));
        self.profiles.insert(
            user,
            ProfileRow {
                updated_at: Some(at),
                ..ProfileRow::default()
            },
        );
    }

    /// Inserts a new `users` row with the column defaults of the original schema.
    pub(crate) fn insert_user(
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
            sessions: None,
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
    pub(crate) fn mark_inviter(&mut self, inviter: Option<UserId>, at: NaiveDateTime) {
        if let Some(u) = inviter.and_then(|id| self.users.get_mut(&id)) {
            u.coparent_enrolled = Some(true);
            u.updated_at = Some(at);
        }
    }

    /// A family and its first member, with the user's defaults.
    pub(crate) fn create_account(&mut self, account: NewAccount) -> Result<User, StoreError> {
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
                settings: None,
            },
        );
        let created = self.insert_user(user, family.id, enrolled, coparent_enrolled)?;
        self.insert_defaults(created.id, at);
        Ok(created)
    }
}

/// Sorts people by first name, last name, id (as the Postgres adapter orders them).
pub(crate) fn sort_by_name<T>(people: &mut [T], key: impl Fn(&T) -> (&str, &str, i32)) {
    people.sort_by(|a, b| key(a).cmp(&key(b)));
}

// The rows of the tables above whose type is not a domain value.

/// A row of `email_verifications`.
#[derive(Debug, Clone)]
pub(crate) struct EmailCode {
    pub(crate) code: VerificationCode,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) attempts: u32,
    pub(crate) verified: bool,
}

/// What `enrollment_codes` holds beyond [`EnrollmentCodeRecord`].
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeExtras {
    pub(crate) coparent: CoparentDetails,
    pub(crate) invitation_sent: bool,
    pub(crate) invitation_sent_at: Option<NaiveDateTime>,
    pub(crate) created_at: Option<NaiveDateTime>,
    pub(crate) redeemed_count: i32,
}

/// A row of `group_chats`.
#[derive(Debug, Clone)]
pub(crate) struct ChatRow {
    pub(crate) identifier: String,
    pub(crate) created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct KeyRow {
    pub(crate) fingerprint: String,
    pub(crate) claim_id: Uuid,
    pub(crate) response: Option<StoredResponse>,
    pub(crate) created_at: Instant,
    pub(crate) claimed_at: Instant,
}

pub(crate) type KeyTable = std::collections::HashMap<(String, String), KeyRow>;

#[derive(Debug, Clone)]
pub(crate) struct JobRow {
    pub(crate) id: i64,
    pub(crate) queue: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) payload: serde_json::Value,
    pub(crate) run_at: DateTime<Utc>,
    pub(crate) attempts: i32,
    pub(crate) max_attempts: i32,
    pub(crate) leased_until: Option<DateTime<Utc>>,
    pub(crate) last_error: Option<String>,
}

/// A row of `journal_entries`.
#[derive(Debug, Clone)]
pub(crate) struct JournalRow {
    pub(crate) id: JournalEntryId,
    pub(crate) family_id: FamilyId,
    pub(crate) user_id: UserId,
    pub(crate) title: Option<BoundedText>,
    pub(crate) content: BoundedText,
    pub(crate) entry_date: NaiveDate,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

/// A row of `daycare_calendar_syncs` / `school_calendar_syncs` (one id sequence for both here:
/// the syncs share one map).
#[derive(Debug)]
pub(crate) struct SyncRow {
    pub(crate) kind: ProviderKind,
    pub(crate) provider: i32,
    pub(crate) sync: CalendarSync,
}
