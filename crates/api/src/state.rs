//! What the handlers share: the use-case services and the read-only settings of the HTTP layer.

use std::sync::Arc;

use calndr_app::AccountService;
use calndr_app::{CircleService, ExportService, ThemeService};
use calndr_app::{CustodyService, FamilyService};
use calndr_app::{EnrollmentService, VerificationService};
use calndr_app::{
    EventService, GroupChatService, JournalService, NotificationEmailService, ReminderService,
    SocialSignIn, WeatherService,
};
use calndr_app::{MedicalService, ProviderService};
use calndr_ports::HealthCheck;

use crate::metrics::Metrics;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Take the client address from the last `X-Forwarded-For` entry (behind the AWS ALB, which
    /// appends the real peer). Off when clients connect directly.
    pub trust_forwarded_for: bool,
    /// Shown by the health routes.
    pub version: &'static str,
    /// `postgres` or `memory`, shown by `/health`.
    pub store_kind: &'static str,
    /// Time limits of every request and of its body.
    pub deadlines: crate::deadline::Deadlines,
    /// Raised at SIGTERM: answers close their connections.
    pub drain: crate::deadline::Drain,
    /// Keys the `Idempotency-Key` fingerprints and sign-up scopes.
    pub fingerprint_key: crate::fingerprint::FingerprintKey,
}

/// The dependencies the readiness route checks. `None` means "not configured" (embedded default).
#[derive(Clone, Default)]
pub struct Readiness {
    pub database: Option<Arc<dyn HealthCheck>>,
    pub cache: Option<Arc<dyn HealthCheck>>,
}

/// Everything a handler may reach, held in `web::Data`.
#[derive(Clone)]
pub struct ApiState {
    pub accounts: AccountService,
    pub events: EventService,
    pub reminders: ReminderService,
    pub journal: JournalService,
    pub notification_emails: NotificationEmailService,
    pub group_chats: GroupChatService,
    pub family: FamilyService,
    pub custody: CustodyService,
    pub whereabouts: calndr_app::whereabouts::WhereaboutsService,
    pub weather: WeatherService,
    pub social: SocialSignIn,
    pub providers: ProviderService,
    pub medical: MedicalService,
    pub circle: CircleService,
    pub themes: ThemeService,
    pub export: ExportService,
    pub idempotency: calndr_app::IdempotencyService,
    pub enrollment: EnrollmentService,
    pub verification: VerificationService,
    pub readiness: Readiness,
    pub metrics: Arc<Metrics>,
    pub settings: ApiSettings,
}
