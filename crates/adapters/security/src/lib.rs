//! Security adapters: password hashing and HS256 access tokens.
//!
//! * [`Hashing`] verifies the original's bcrypt hashes and writes new hashes in the configured
//!   scheme (argon2id by default; see `docs/passwords.md`). All hashing runs on the blocking pool
//!   behind a semaphore, never on an async worker, so a login storm queues instead of starving
//!   other requests.
//! * [`Tokens`] issues and verifies JWTs exactly as the original does (HS256, `sub`, string
//!   `family_id`, fractional `exp`/`iat`, `iss` "calndr-backend").

mod hashing;
mod random;
mod tokens;

pub use hashing::{HashScheme, Hashing};
pub use random::OsRandom;
pub use tokens::{Tokens, ACCESS_TOKEN_LIFETIME_DAYS};
