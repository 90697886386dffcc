//! What a port to an outside service (weather, places, calendars…) can report.

use thiserror::Error;

use crate::BoxError;

#[derive(Debug, Error)]
pub enum UpstreamError {
    /// No adapter is configured for this service on this server.
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    /// The service could not be reached, timed out, or answered 5xx/429 (after the retries).
    #[error("{service} is unavailable")]
    Unavailable {
        service: &'static str,
        #[source]
        source: BoxError,
    },
    /// The service answered something unusable (a 4xx, malformed or oversized content).
    #[error("{service} answered an unusable response: {reason}")]
    BadResponse {
        service: &'static str,
        reason: String,
    },
}
