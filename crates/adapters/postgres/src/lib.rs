//! Calndr's storage ports on PostgreSQL: diesel + diesel-async over a deadpool pool.
//!
//! The schema is the original backend's (see `migrations/`), so this adapter can run on a
//! database the original created. Every multi-row write runs in one transaction.

mod account_deletion;
mod accounts;
mod babysitters;
mod children;
mod custody;
mod email_verification;
mod emergency_contacts;
mod enrollment;
mod error;
mod events;
mod export;
mod family;
mod family_leave;
mod family_settings;
mod group_chat;
mod idempotency;
mod jobs;
mod journal;
mod medical_providers;
mod medications;
mod migrate;
mod notification_emails;
mod pool;
mod providers;
mod reminders;
pub mod schema;
mod seed;
mod service_role;
mod templates;
mod themes;
mod tls;
mod users;

pub use migrate::{applied_migrations, revert_all_migrations, run_migrations, run_migrations_tls};
pub use pool::{PgConfig, PgStore};
pub use seed::{seed, SEED_EMAIL_DOMAIN};
pub use service_role::ensure_service_role;
pub use tls::{PgTls, TlsMode, DEFAULT_CA_FILE};
