//! The behavioural contract of every storage port: `contracts::X` holds the stories of the port
//! in `calndr_ports::X`, each a function over the [`Storage`] of one adapter. The integration
//! tests run every story against the memory adapter and against Postgres (a fresh schema), so the
//! embedded store cannot drift from production. The stories use the other ports of the same
//! adapter to set up what they need (a family, an author, a babysitter).
//!
//! The ports that are not storage have contracts here too, each story a function over one
//! adapter: `pins`, `cache` and `rate_limit` (memory and Redis), `object_storage` (local
//! directory and S3).

use calndr_domain::{
    BoundedText, CustodyDay, EmailAddress, FamilyId, NewAccount, NewFamily, NewUser, PasswordHash,
    PersonName, User, UserId,
};
use calndr_ports::{Storage, StoreError};
use chrono::{NaiveDate, Utc};

pub mod accounts;
pub mod babysitters;
pub mod cache;
pub mod children;
pub mod custody;
pub mod email_verification;
pub mod emergency_contacts;
pub mod enrollment;
pub mod events;
pub mod export;
pub mod family;
pub mod family_settings;
pub mod group_chat;
pub mod idempotency;
pub mod jobs;
pub mod journal;
pub mod medical_providers;
pub mod medications;
pub mod notification_emails;
pub mod object_storage;
pub mod pins;
pub mod providers;
pub mod rate_limit;
pub mod reminders;
pub mod templates;
pub mod themes;

pub fn new_account(first: &str, email: &str) -> NewAccount {
    let first_name = PersonName::parse(first, "first_name").expect("name");
    NewAccount {
        family: NewFamily::for_first_member(&first_name),
        user: new_user(first, email),
    }
}

pub fn new_user(first: &str, email: &str) -> NewUser {
    NewUser {
        id: UserId::random(),
        first_name: PersonName::parse(first, "first_name").expect("name"),
        last_name: PersonName::parse("Tester", "last_name").expect("name"),
        email: EmailAddress::parse(email).expect("email"),
        password_hash: Some(PasswordHash::from_stored("$2b$04$hash".into())),
        phone_number: None,
        enrolled: false,
        coparent_enrolled: false,
        created_at: Utc::now(),
    }
}

/// A new account (and its family) with a unique e-mail.
pub async fn account(s: &Storage, first: &str) -> User {
    let email = format!("{first}-{}@example.com", uuid::Uuid::new_v4().simple());
    s.accounts
        .create_account(new_account(first, &email))
        .await
        .expect("account")
}

/// A new account and its family.
pub async fn family(s: &Storage, first: &str) -> (User, FamilyId) {
    let user = account(s, first).await;
    let family = user.family_id.expect("family");
    (user, family)
}

/// A day of March 2025 (the custody and template stories' window).
fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, day).expect("date")
}

/// A custody day without a handoff.
fn day(date: NaiveDate, custodian: UserId) -> CustodyDay {
    CustodyDay {
        date,
        custodian,
        handoff_day: false,
        handoff_time: None,
        handoff_location: None,
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn text(s: &str) -> BoundedText {
    BoundedText::parse(s, "text", 1000, false).expect("text")
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}
