//! OAuth 2.0 (the `oauth2` crate under `openidconnect`) over our own reqwest client.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU16, Ordering};

use calndr_ports::IdentityError;
use openidconnect::{AsyncHttpClient, ErrorResponse, HttpRequest, HttpResponse, RequestTokenError};

use super::{bad, rejected, unavailable};

/// Why the HTTP exchange under an OAuth 2.0 request failed: worth a later retry.
#[derive(Debug)]
pub(super) enum Transport {
    Network(reqwest::Error),
    Status(u16),
}
impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network(e) => write!(f, "{e}"),
            Self::Status(s) => write!(f, "HTTP {s}"),
        }
    }
}
impl std::error::Error for Transport {}

/// `oauth2`'s HTTP client: our reqwest client, each request sent once (Apple's codes are
/// single-use). A 5xx or 429 is a [`Transport`] failure; other answers go back to `oauth2`, their
/// status noted for [`oauth_failure`].
pub(super) struct OAuthHttp<'a> {
    client: &'a reqwest::Client,
    status: AtomicU16,
}

impl<'a> OAuthHttp<'a> {
    pub(super) fn new(client: &'a reqwest::Client) -> Self {
        Self {
            client,
            status: AtomicU16::new(0),
        }
    }

    pub(super) fn status(&self) -> u16 {
        self.status.load(Ordering::Relaxed)
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Transport> {
        let request =
            reqwest::Request::try_from(request).map_err(|e| Transport::Network(e.without_url()))?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|e| Transport::Network(e.without_url()))?;
        let code = response.status();
        self.status.store(code.as_u16(), Ordering::Relaxed);
        if code.is_server_error() || code.as_u16() == 429 {
            return Err(Transport::Status(code.as_u16()));
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| Transport::Network(e.without_url()))?;
        let mut answer = HttpResponse::new(body.to_vec());
        *answer.status_mut() = code;
        *answer.headers_mut() = headers;
        Ok(answer)
    }
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = Transport;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Transport>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// An OAuth 2.0 request's failure: unreachable, refused (a used, expired or forged code: 400
/// `invalid_grant`), or an answer that cannot be read.
pub(super) fn oauth_failure<TE: ErrorResponse + 'static>(
    e: RequestTokenError<Transport, TE>,
    status: u16,
) -> IdentityError {
    match e {
        RequestTokenError::Request(t) => unavailable("apple", t),
        RequestTokenError::ServerResponse(refusal) => {
            rejected(format!("Apple refused it (HTTP {status}): {refusal}"))
        }
        _ if status == 200 => bad("apple", "unreadable token answer"),
        _ => rejected(format!("Apple refused it (HTTP {status})")),
    }
}
