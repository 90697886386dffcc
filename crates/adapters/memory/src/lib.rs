//! In-memory implementations of Calndr's storage ports: the embedded default for local runs and
//! the fast backend for unit tests. Each follows the same contract as its production adapter
//! (Postgres, Redis, SES), so a test that passes here means the same thing there.

mod accounts;
mod cache;
mod circle;
mod custody;
mod jobs;
mod mail;
mod pins;
mod places;
mod providers;
mod push;
mod rate_limit;
mod records;
mod sms;

pub use accounts::MemoryAccountStore;
pub use cache::MemoryCache;
pub use circle::MemoryCircle;
pub use custody::MemoryCustodyStore;
pub use jobs::MemoryJobQueue;
pub use mail::{DisabledMailer, RecordingMailer};
pub use pins::MemoryPinStore;
pub use places::{FakeCalendars, FakePlaces, UnconfiguredCalendars, UnconfiguredPlaces};
pub use providers::MemoryProviders;
pub use push::{DisabledPush, RecordingPush};
pub use rate_limit::MemoryRateLimiter;
pub use records::MemoryRecords;
pub use sms::{DisabledSms, RecordingSms};

/// Locks a std mutex, recovering the data if a panicking thread poisoned it. Every critical
/// section in this crate is a handful of map operations that leave the data consistent.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
