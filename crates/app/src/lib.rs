//! Calndr's use cases. Every use case takes the authenticated [`Principal`] explicitly and scopes
//! its reads and writes to the principal's family as stored (never as claimed by the token).

pub mod accounts;
pub mod auth;
pub mod custody;
pub mod enrollment;
pub mod error;
pub mod events;
pub mod family;
pub mod group_chat;
pub mod journal;
pub mod limits;
pub mod notification_emails;
pub mod photos;
pub mod reminders;
pub mod verification;

pub use accounts::{AccountDeps, AccountService, Profile, Registered, Registration, SignedIn};
pub use auth::{AuthService, Principal};
pub use custody::{CustodyDeps, CustodyService};
pub use enrollment::{EnrollmentDeps, EnrollmentService, InvitationRecipient, OnboardingStatus};
pub use error::AppError;
pub use events::{CalendarItems, EventService};
pub use family::{FamilyDeps, FamilyService};
pub use group_chat::GroupChatService;
pub use journal::JournalService;
pub use limits::{RateGuard, RateLimits};
pub use notification_emails::NotificationEmailService;
pub use reminders::ReminderService;
pub use verification::{PinSent, VerificationDeps, VerificationService};
