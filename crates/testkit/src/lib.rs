//! Test-only support for Calndr.
//!
//! * [`TestDatabase`]: a fresh PostgreSQL schema per test, cloned from a template schema that is
//!   migrated once per migration set (practice 8 of STYLE.md). Dropped when the value is dropped.
//! * [`TestApp`]: the real app factory (`calndr_api::build_app`) over the real wiring
//!   (`calndr_server::wiring`), on Postgres (+ Redis) or on the embedded in-memory store, with a
//!   recording mailer and a temporary upload directory.
//! * [`contracts`]: the behavioural suite of every storage port (one module per port), which
//!   every storage adapter must pass.
//!
//! PostgreSQL and Redis default to 127.0.0.1:5432 / 127.0.0.1:6379; override with
//! `CALNDR_TEST_DATABASE_URL` and `CALNDR_TEST_REDIS_URL`.

#![expect(
    clippy::expect_used,
    reason = "a test harness fails the test loudly when its setup fails"
)]

pub mod app;
pub mod contracts;
pub mod db;
pub mod proxy;

pub use app::{Backend, TestApp, TestResponse};
pub use db::TestDatabase;

/// The PostgreSQL server tests use (a maintenance URL; tests work in their own database).
pub fn database_server_url() -> String {
    std::env::var("CALNDR_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The Redis server tests use.
pub fn redis_url() -> String {
    std::env::var("CALNDR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}
