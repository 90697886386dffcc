//! One tracing subscriber: JSON lines or compact text, `RUST_LOG` filter (default `info`).
//!
//! Whatever `RUST_LOG` says, the libraries below log at `info` at most: at `debug` and `trace`
//! they print query parameters, headers and bodies (e-mail addresses, phone numbers, codes,
//! password hashes, tokens). The cap is a second filter after `RUST_LOG`'s, so no directive of
//! `RUST_LOG` (however specific) lifts it.

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::EnvFilter;

use crate::LogFormat;

/// Crates (and their modules) capped at `info`.
pub const CAPPED_TARGETS: &[&str] = &[
    "tokio_postgres",
    "postgres_protocol",
    "diesel",
    "diesel_async",
    "diesel_migrations",
    "deadpool",
    "redis",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "tokio_rustls",
    "actix_http",
    "actix_web",
    "actix_server",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http",
    "aws_sigv4",
    "aws_config",
    "aws_sdk_sesv2",
    "aws_sdk_sns",
    "aws_sdk_s3",
    "lettre",
    "openidconnect",
    "oauth2",
    "jsonwebtoken",
    "mio",
    "want",
    "tower",
];

/// The second filter: every target at any level except the capped ones above `info`.
pub fn cap() -> Targets {
    CAPPED_TARGETS
        .iter()
        .fold(Targets::new().with_default(Level::TRACE), |t, target| {
            t.with_target(*target, Level::INFO)
        })
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
    }
}
