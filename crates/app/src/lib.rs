//! Calndr's use cases. Every use case takes the authenticated [`Principal`] explicitly and scopes
//! its reads and writes to the principal's family as stored (never as claimed by the token).

pub mod accounts;
pub mod auth;
pub mod error;
pub mod limits;
pub mod photos;

pub use accounts::{AccountDeps, AccountService, Profile, Registered, Registration, SignedIn};
pub use auth::{AuthService, Principal};
pub use error::AppError;
pub use limits::{RateGuard, RateLimits};
