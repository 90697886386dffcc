//! One log line per request (request id, method, route pattern, status, latency; message
//! "request", which the log pipeline's request-log filter keys on), the metrics, the request id
//! header, and the no-store cache headers on `/api/` responses. Health and readiness probes (the
//! ALB's and Route 53's, every few seconds) are logged at debug only, unless they fail.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, CACHE_CONTROL, EXPIRES, PRAGMA};
use actix_web::middleware::Next;
use actix_web::{web, Error};
use tracing::Instrument;

use crate::state::ApiState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Route patterns of the liveness and readiness probes.
const PROBES: [&str; 4] = [
    "/health",
    "/ready",
    "/api/v1/health/health",
    "/api/v1/health/ready",
];

/// A probe that answered below 500: not worth a log line at info.
fn is_quiet_probe(route: &str, status: u16) -> bool {
    status < 500 && PROBES.contains(&route)
}

/// Accepts a caller's request id only when it is short and plain, so it is safe to log.
fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| v.to_owned())
}

pub async fn telemetry(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = Instant::now();
    let request_id = incoming_request_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let is_api = req.path().starts_with("/api/");
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<ApiState>>().cloned();
    let span = tracing::info_span!("request", request.id = %request_id);

    let mut res = match next.call(req).instrument(span.clone()).await {
        Ok(res) => res,
        Err(e) => {
            // An answer made as an error before routing ended (the request deadline's 503, the
            // body timer's 408): logged, counted and labelled like any other, then handed on
            // for actix to send.
            let mut answer = e.error_response();
            let status = answer.status().as_u16();
            record(&span, state.as_ref(), &method, "<unrouted>", status, start);
            label(answer.headers_mut(), &request_id, is_api);
            return Err(InternalError::from_response(e, answer).into());
        }
    };
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let status = res.status().as_u16();
    record(&span, state.as_ref(), &method, &route, status, start);
    label(res.headers_mut(), &request_id, is_api);
    Ok(res)
}

/// The request's log line and metrics.
fn record(
    span: &tracing::Span,
    state: Option<&web::Data<ApiState>>,
    method: &str,
    route: &str,
    status: u16,
    start: Instant,
) {
    let elapsed = start.elapsed();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(http.method = %method, http.route = %route, http.status = status, latency_ms, "request failed");
        } else if is_quiet_probe(route, status) {
            tracing::debug!(http.method = %method, http.route = %route, http.status = status, latency_ms, "probe");
        } else {
            tracing::info!(http.method = %method, http.route = %route, http.status = status, latency_ms, "request");
        }
    });
    if let Some(state) = state {
        state.metrics.observe(route, method, status, elapsed);
    }
}

/// The request id, and on `/api/` the no-store headers.
fn label(headers: &mut HeaderMap, request_id: &str, is_api: bool) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID, v);
    }
    if is_api {
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache, no-store, must-revalidate"),
        );
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
        headers.insert(EXPIRES, HeaderValue::from_static("0"));
    }
}

#[cfg(test)]
mod tests {
    use super::is_quiet_probe;

    #[test]
    fn probes_are_quiet_unless_they_fail_and_other_routes_are_not() {
        assert!(is_quiet_probe("/ready", 200));
        assert!(is_quiet_probe("/health", 200));
        assert!(is_quiet_probe("/api/v1/health/ready", 200));
        assert!(
            !is_quiet_probe("/ready", 503),
            "a failing readiness probe is logged"
        );
        assert!(!is_quiet_probe("/api/v1/auth/token", 200));
        assert!(!is_quiet_probe("/metrics", 200));
    }
}
