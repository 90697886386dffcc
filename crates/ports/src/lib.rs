//! The traits Calndr's core needs from the outside world, and their errors.
//!
//! Each trait documents which error variants its methods may return. Adapters translate their
//! driver errors into these at the seam; nothing here knows a driver.
//!
//! With the `mock` feature every trait here also has a `mockall` double, `Mock<Trait>` in its
//! module (`#[cfg_attr(feature = "mock", mockall::automock)]`, placed before `#[async_trait]` so
//! the doubles answer values, not futures). The app's failure-mode tests use them. `automock`
//! cannot expand an elided lifetime inside a type argument, so the methods taking
//! `Option<&T>` or a plan (`&CustodyPlan<'p>`, `&TemplatePlan<'p>`) name their lifetimes.

pub mod accounts;
pub mod babysitters;
pub mod cache;
pub mod children;
pub mod custody;
pub mod email_verification;
pub mod emergency_contacts;
pub mod enrollment;
pub mod error;
pub mod events;
pub mod export;
pub mod family;
pub mod family_settings;
pub mod group_chat;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod journal;
pub mod mail;
pub mod medical_providers;
pub mod medications;
pub mod notification_emails;
pub mod pins;
pub mod places;
pub mod providers;
pub mod push;
pub mod random;
pub mod rate_limit;
pub mod reminders;
pub mod security;
pub mod sms;
pub mod storage;
pub mod stores;
pub mod templates;
pub mod themes;
pub mod upstream;
pub mod weather;

pub use accounts::{AccountStore, DeletedAccount, FamilyDeparture, FORMER_MEMBER};
pub use babysitters::BabysitterStore;
pub use cache::{Cache, CacheStats, MAX_TTL};
pub use children::ChildStore;
pub use custody::{
    CustodyPlan, CustodyRecord, CustodyStats, CustodyStore, NamedCustodyRecord, Timeline,
};
pub use email_verification::EmailVerificationStore;
pub use emergency_contacts::EmergencyContactStore;
pub use enrollment::{EnrollmentStore, Redeemer};
pub use error::{BoxError, StoreError};
pub use events::EventStore;
pub use export::ExportStore;
pub use family::FamilyStore;
pub use family_settings::FamilySettingsStore;
pub use group_chat::GroupChatStore;
pub use idempotency::{Claim, IdempotencyStore};
pub use identity::{IdentityError, IdentityVerifier};
pub use jobs::{ClaimedJob, JobCounts, JobQueue, NewJob};
pub use journal::JournalStore;
pub use mail::{Mailer, OutgoingEmail};
pub use medical_providers::MedicalProviderStore;
pub use medications::MedicationStore;
pub use notification_emails::NotificationEmailStore;
pub use pins::PinStore;
pub use places::{CalendarSource, ExternalError, NearbySearch, PlacesSearch, TextSearch};
pub use providers::ProviderStore;
pub use push::{PushMessage, PushNotifier};
pub use random::RandomSource;
pub use rate_limit::{RateDecision, RateLimit, RateLimiter};
pub use reminders::ReminderStore;
pub use security::{IssuedToken, PasswordHasher, ResetClaims, TokenError, TokenService};
pub use sms::SmsSender;
pub use storage::{ObjectStorage, StoredObject};
pub use stores::Storage;
pub use templates::{TemplatePlan, TemplateStore};
pub use themes::ThemeStore;
pub use upstream::UpstreamError;
pub use weather::WeatherSource;

/// Liveness of a dependency for the readiness route.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait HealthCheck: Send + Sync {
    /// A cheap round trip. `Err(StoreError::Unavailable)` when the dependency cannot be reached.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A point-in-time view of a connection pool, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolState {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
}

/// Something that owns a pool and can describe it.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait PoolInfo: Send + Sync {
    fn pool_state(&self) -> PoolState;
}
