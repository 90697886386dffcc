//! Calndr's use cases. Every use case takes the authenticated [`Principal`] explicitly and scopes
//! its reads and writes to the principal's family as stored (never as claimed by the token).

pub mod accounts;
pub mod auth;
pub mod cache_keys;
pub mod circle;
pub mod custody;
pub mod digest;
pub mod enrollment;
pub mod error;
pub mod events;
pub mod export;
pub mod family;
pub mod group_chat;
pub mod idempotency;
pub mod jobs;
pub mod journal;
pub mod limits;
pub mod medical;
pub mod notification_emails;
pub mod outbox;
pub mod photos;
pub mod providers;
pub mod read_through;
pub mod reminders;
pub mod social;
pub mod themes;
pub mod verification;
pub mod weather;
pub mod whereabouts;

pub use accounts::{AccountDeps, AccountService, Profile, Registered, Registration, SignedIn};
pub use auth::{AuthService, Principal, Session};
pub use circle::{CircleDeps, CircleService};
pub use custody::{CustodyDeps, CustodyService};
pub use digest::{DigestDeps, DigestReport, DigestService};
pub use enrollment::{EnrollmentDeps, EnrollmentService, InvitationRecipient, OnboardingStatus};
pub use error::{AppError, NotAnImage, Refusal};
pub use events::{CalendarItems, EventService};
pub use export::{
    Export, ExportChunk, ExportDeps, ExportHead, ExportPages, ExportRows, ExportService,
};
pub use family::{FamilyDeps, FamilyService};
pub use group_chat::GroupChatService;
pub use idempotency::{Begin, Claimed, IdempotencyService};
pub use jobs::{JobWorker, QueuedMailer, QueuedPush, RoundReport, WorkerSettings};
pub use journal::JournalService;
pub use limits::{RateGuard, RateLimits};
pub use medical::MedicalService;
pub use notification_emails::NotificationEmailService;
pub use outbox::{Handoff, MailOutbox, Outbox, PushOutbox};
pub use providers::{Discovery, ParsedCalendar, ProviderDeps, ProviderService};
pub use reminders::ReminderService;
pub use social::{SocialLogin, SocialSignIn};
pub use themes::ThemeService;
pub use verification::{PinSent, VerificationDeps, VerificationService};
pub use weather::{WeatherKind, WeatherService};
