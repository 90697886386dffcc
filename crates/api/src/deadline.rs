//! Bounded time for every request, whatever PostgreSQL, Redis or the client do.
//!
//! - The whole request (body, handler, database) gets [`Deadlines::request`]; past it the
//!   request is dropped (its database work with it) and the answer is 503 `service_unavailable`.
//! - The body must arrive within [`Deadlines::body`] of the request's start; a client that sends
//!   less than its `Content-Length` gets 408 `request_timeout` and the connection is closed, so
//!   it is freed at once.
//! - Every 503 carries `Retry-After`.
//! - While the server drains ([`Drain`]), every answer closes its connection.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{HeaderValue, CONTENT_LENGTH, RETRY_AFTER, TRANSFER_ENCODING};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::Error;
use actix_web::HttpMessage as _;
use futures_util::Stream;
use std::future::Future as _;
use tokio::time::{sleep_until, Instant, Sleep};

use crate::error::{ApiError, ErrorCode, RETRY_AFTER_SECS};

/// The time limits of the HTTP layer (`CALNDR_REQUEST_TIMEOUT_MS`, `CALNDR_BODY_TIMEOUT_MS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub request: Duration,
    pub body: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            request: Duration::from_secs(10),
            body: Duration::from_secs(5),
        }
    }
}

/// Set when the server drains before stopping (SIGTERM): every answer then carries
/// `Connection: close`, so a client on a kept-alive connection gets its answer and reconnects
/// (to another task) instead of finding its connection reset.
#[derive(Debug, Clone, Default)]
pub struct Drain(Arc<AtomicBool>);

impl Drain {
    pub fn start(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The body stream, cut off with an error when it is not complete by `deadline`.
struct TimedBody {
    inner: Payload,
    timer: Pin<Box<Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl Stream for TimedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            self.timed_out.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "request body not received in time",
            )))));
        }
        Poll::Pending
    }
}

fn request_timeout() -> ApiError {
    ApiError::new(
        ErrorCode::RequestTimeout,
        "The request body did not arrive in time",
    )
}

fn deadline_exceeded() -> ApiError {
    ApiError {
        retry_after_secs: Some(RETRY_AFTER_SECS),
        ..ApiError::new(
            ErrorCode::ServiceUnavailable,
            "The service did not answer in time; retry later",
        )
    }
}

pub async fn deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limits = req.app_data::<Deadlines>().copied().unwrap_or_default();
    let drain = req.app_data::<Drain>().cloned().unwrap_or_default();
    let start = Instant::now();
    let timed_out = Arc::new(AtomicBool::new(false));
    // A request without a body (most GETs) has nothing to wait for: no body timer. (An HTTP/1.1
    // body has a length or is chunked; an HTTP/2 body without a length is still bounded by the
    // request deadline.)
    let headers = req.headers();
    let has_body = headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|len| len.as_bytes() != b"0");
    if has_body {
        let body = TimedBody {
            inner: req.take_payload(),
            timer: Box::pin(sleep_until(start + limits.body)),
            timed_out: timed_out.clone(),
        };
        req.set_payload(Payload::Stream {
            payload: Box::pin(body),
        });
    }
    let answered = tokio::time::timeout_at(start + limits.request, next.call(req)).await;
    let body_late = timed_out.load(Ordering::Acquire);
    let mut res = match answered {
        // No clone of the request may live across the handler (its extractors need it alone),
        // so the two answers made here travel as errors and actix renders them.
        _ if body_late => return Err(request_timeout().into()),
        Ok(res) => res?.map_into_boxed_body(),
        Err(_) => {
            tracing::warn!(
                limit_ms = limits.request.as_millis() as u64,
                "request deadline exceeded"
            );
            return Err(deadline_exceeded().into());
        }
    };
    if res.status() == StatusCode::SERVICE_UNAVAILABLE && !res.headers().contains_key(RETRY_AFTER) {
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    if drain.is_draining() {
        res.response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::test::{call_service, init_service, try_call_service, TestRequest};
    use actix_web::{web, App, HttpResponse};
    use futures_util::StreamExt as _;

    const LIMITS: Deadlines = Deadlines {
        request: Duration::from_millis(300),
        body: Duration::from_millis(150),
    };

    async fn slow() -> HttpResponse {
        tokio::time::sleep(Duration::from_secs(30)).await;
        HttpResponse::Ok().finish()
    }

    async fn echo(body: web::Bytes) -> HttpResponse {
        HttpResponse::Ok().body(body)
    }

    async fn unavailable() -> HttpResponse {
        HttpResponse::ServiceUnavailable().finish()
    }

    macro_rules! app {
        ($drain:expr) => {
            init_service(
                App::new()
                    .app_data(LIMITS)
                    .app_data($drain)
                    .route("/slow", web::get().to(slow))
                    .route("/echo", web::post().to(echo))
                    .route("/down", web::get().to(unavailable))
                    .wrap(from_fn(deadline)),
            )
            .await
        };
    }

    #[actix_web::test]
    async fn a_request_past_its_deadline_answers_503_with_retry_after_in_time() {
        let app = app!(Drain::default());
        let start = std::time::Instant::now();
        let answered = try_call_service(&app, TestRequest::get().uri("/slow").to_request()).await;
        let res = answered.err().map(|e| e.error_response()).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            res.headers().get(RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
    }

    #[actix_web::test]
    async fn a_body_that_never_completes_answers_408_and_closes_the_connection() {
        let app = app!(Drain::default());
        // One chunk, then nothing: a client that sent less than its Content-Length.
        let stalled = futures_util::stream::once(async {
            Ok::<_, PayloadError>(Bytes::from_static(b"{\"a\":"))
        })
        .chain(futures_util::stream::pending());
        let boxed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(stalled);
        let (req, _) = TestRequest::post()
            .uri("/echo")
            .insert_header(("content-length", "100"))
            .to_request()
            .replace_payload(Payload::Stream { payload: boxed });
        let start = std::time::Instant::now();
        let answered = try_call_service(&app, req).await;
        let res = answered.err().map(|e| e.error_response()).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            res.head().connection_type(),
            actix_web::http::ConnectionType::Close
        );
    }

    #[actix_web::test]
    async fn a_complete_body_is_read_and_every_503_carries_retry_after() {
        let app = app!(Drain::default());
        let req = TestRequest::post()
            .uri("/echo")
            .set_payload("hello")
            .to_request();
        let res = call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = call_service(&app, TestRequest::get().uri("/down").to_request()).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key(RETRY_AFTER));
    }

    #[actix_web::test]
    async fn while_draining_answers_close_their_connection() {
        let drain = Drain::default();
        let app = app!(drain.clone());
        let req = TestRequest::post()
            .uri("/echo")
            .set_payload("x")
            .to_request();
        let res = call_service(&app, req).await;
        assert_ne!(
            res.response().head().connection_type(),
            actix_web::http::ConnectionType::Close
        );
        drain.start();
        let req = TestRequest::post()
            .uri("/echo")
            .set_payload("x")
            .to_request();
        let res = call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.response().head().connection_type(),
            actix_web::http::ConnectionType::Close
        );
    }
}
