//! The `calndr` binary's library half: configuration, telemetry and wiring. `wiring` is the only
//! place that knows every adapter; the tests build their app through it too.

pub mod config;
pub mod telemetry;
pub mod wiring;
pub mod worker;

pub use config::{Config, ConfigError, Environment, LogFormat};
pub use wiring::{build_state, Wired};
