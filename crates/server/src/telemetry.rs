//! One tracing subscriber: JSON lines or compact text, `RUST_LOG` filter (default `info`).
//!
//! Whatever `RUST_LOG` says, only Calndr's own crates log below `info`: the libraries print
//! query parameters, headers and bodies at `debug` and `trace` (e-mail addresses, phone numbers,
//! codes, password hashes, tokens). The cap is an allowlist (a library added later is capped
//! without anyone remembering to list it) and a second filter after `RUST_LOG`'s, so no
//! directive of `RUST_LOG` (however specific) lifts it. What Calndr's crates log at any level is
//! checked by `crates/server/tests/process.rs` (a whole sign-up at `trace`, grepped).

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::EnvFilter;

use crate::LogFormat;

/// The target prefix of Calndr's own crates (`calndr_api`, `calndr_app`, the `calndr` binary).
const OURS: &str = "calndr";

/// The second filter: Calndr's crates at any level, every other target at `info` at most.
pub fn cap() -> Targets {
    Targets::new()
        .with_default(Level::INFO)
        .with_target(OURS, Level::TRACE)
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,actix_server=warn,actix_web=warn,tokio_postgres=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .finish()
            .with(cap())
            .try_init(),
        LogFormat::Compact => builder.compact().finish().with(cap()).try_init(),
    };
    // A second init (tests) is harmless.
    drop(result);
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    #[test]
    fn driver_debug_logs_are_capped_and_ours_are_not() {
        let cap = super::cap();
        assert!(!cap.would_enable("tokio_postgres::query", &Level::DEBUG));
        assert!(!cap.would_enable("diesel_async::pg", &Level::TRACE));
        assert!(!cap.would_enable("hyper_util::client", &Level::DEBUG));
        assert!(cap.would_enable("tokio_postgres", &Level::INFO));
        assert!(cap.would_enable("calndr_app::jobs", &Level::DEBUG));
        assert!(cap.would_enable("calndr", &Level::TRACE));
        assert!(
            !cap.would_enable("some_library_added_later::client", &Level::DEBUG),
            "a library nobody listed is capped too"
        );
    }
}
