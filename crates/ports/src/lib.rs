//! The traits Calndr's core needs from the outside world, and their errors.
//!
//! Each trait documents which error variants its methods may return. Adapters translate their
//! driver errors into these at the seam; nothing here knows a driver.

pub mod accounts;
pub mod cache;
pub mod circle;
pub mod custody;
pub mod enrollment;
pub mod error;
pub mod family;
pub mod identity;
pub mod jobs;
pub mod mail;
pub mod places;
pub mod providers;
pub mod push;
pub mod rate_limit;
pub mod records;
pub mod security;
pub mod sms;
pub mod storage;
pub mod templates;
pub mod upstream;
pub mod verification;
pub mod weather;

pub use accounts::AccountStore;
pub use cache::{Cache, CacheStats};
pub use circle::{BabysitterStore, ChildStore, EmergencyContactStore, MedicationStore, ThemeStore};
pub use custody::{
    CustodyPlan, CustodyRecord, CustodyStats, CustodyStore, NamedCustodyRecord, Timeline,
};
pub use enrollment::{EnrollmentStore, Redeemer};
pub use error::{BoxError, StoreError};
pub use family::FamilyStore;
pub use identity::{IdentityError, IdentityVerifier};
pub use jobs::{ClaimedJob, JobCounts, JobQueue, NewJob};
pub use mail::{Mailer, OutgoingEmail};
pub use places::{CalendarSource, ExternalError, NearbySearch, PlacesSearch, TextSearch};
pub use providers::{MedicalProviderStore, ProviderStore};
pub use push::{PushMessage, PushNotifier};
pub use rate_limit::{RateDecision, RateLimit, RateLimiter};
pub use records::{
    EventStore, GroupChatStore, JournalStore, NotificationEmailStore, ReminderStore,
};
pub use security::{IssuedToken, PasswordHasher, ResetClaims, TokenError, TokenService};
pub use sms::SmsSender;
pub use storage::{ObjectStorage, StoredObject};
pub use templates::{TemplatePlan, TemplateStore};
pub use upstream::UpstreamError;
pub use verification::{EmailVerificationStore, PinStore, RandomSource};
pub use weather::WeatherSource;

/// Liveness of a dependency for the readiness route.
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
pub trait PoolInfo: Send + Sync {
    fn pool_state(&self) -> PoolState;
}
