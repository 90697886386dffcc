//! One bounded retry for idempotent outside calls (GETs and searches): a connection failure, a
//! timeout, a 429 or a 5xx is tried once more after a short pause. Non-idempotent calls (Apple's
//! one-time code exchange, APNs sends) are not retried here; the job worker retries deliveries.

use std::time::Duration;

const PAUSE: Duration = Duration::from_millis(250);

fn worth_retrying(r: &Result<reqwest::Response, reqwest::Error>) -> bool {
    match r {
        Ok(response) => {
            let s = response.status();
            s.is_server_error() || s.as_u16() == 429
        }
        Err(e) => e.is_connect() || e.is_timeout(),
    }
}

/// Sends `request`, and once more if the first attempt failed in a way a retry may fix.
pub(crate) async fn send_idempotent(
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    let again = request.try_clone();
    let first = request.send().await;
    match again {
        Some(again) if worth_retrying(&first) => {
            tokio::time::sleep(PAUSE).await;
            again.send().await
        }
        _ => first,
    }
}
