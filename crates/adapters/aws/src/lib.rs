//! Calndr adapters on AWS.
//!
//! * [`SesMailer`]: the [`calndr_ports::Mailer`] over SES v2 `SendEmail` (text and HTML parts).

mod ses;

pub use ses::{SesConfig, SesMailer};
