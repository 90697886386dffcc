//! In-memory implementations of Calndr's ports: the embedded default for local runs and the fast
//! backend for unit tests. [`MemoryStore`] is every storage port over one shared state (as
//! `PgStore` is every storage port over one database), each in the file of its port's name; the
//! cache, rate limiter, PIN store and the recording/disabled outside services stand apart. Each
//! follows the same contract as its production adapter (Postgres, Redis, SES), so a test that
//! passes here means the same thing there.

mod account_deletion;
mod accounts;
mod babysitters;
mod cache;
mod children;
mod custody;
mod email_verification;
mod emergency_contacts;
mod enrollment;
mod events;
mod export;
mod family;
mod family_leave;
mod family_settings;
mod group_chat;
mod idempotency;
mod jobs;
mod journal;
mod mail;
mod medical_providers;
mod medications;
mod notification_emails;
mod pins;
mod places;
mod providers;
mod push;
mod rate_limit;
mod reminders;
mod sms;
mod state;
mod templates;
mod themes;

pub use cache::MemoryCache;
pub use mail::{DisabledMailer, RecordingMailer};
pub use pins::MemoryPinStore;
pub use places::{FakeCalendars, FakePlaces, UnconfiguredCalendars, UnconfiguredPlaces};
pub use push::{DisabledPush, RecordingPush};
pub use rate_limit::MemoryRateLimiter;
pub use sms::{DisabledSms, RecordingSms};
pub use state::MemoryStore;

/// Locks a std mutex, recovering the data if a panicking thread poisoned it. Every critical
/// section in this crate is a handful of map operations that leave the data consistent.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
