//! [`Mailer`] over plain SMTP with `lettre`, for local development against a mail catcher
//! (Mailpit, MailHog on port 1025). No TLS and no authentication: production mail goes through SES.
//!
//! The message is `multipart/alternative` with base64 text and HTML parts; `lettre` encodes the
//! headers (no header injection) and dot-stuffs the data. 4xx replies and network failures are
//! `Unavailable` (the job worker retries), 5xx replies `Unexpected`.

use std::time::Duration;

use async_trait::async_trait;
use calndr_ports::{Mailer, OutgoingEmail, StoreError};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `host:port`, e.g. `127.0.0.1:1025`.
    pub server: String,
    /// The envelope and `From:` address, e.g. `no-reply@calndr.local`.
    pub from: String,
    pub timeout: Duration,
}

pub struct SmtpMailer {
    config: SmtpConfig,
}

impl SmtpMailer {
    pub fn new(config: SmtpConfig) -> Self {
        Self { config }
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, StoreError> {
        let (host, port) = self
            .config
            .server
            .rsplit_once(':')
            .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
            .ok_or_else(|| StoreError::unexpected("the SMTP server is not host:port"))?;
        // Cleartext on purpose: a local mail catcher (see the module docs).
        Ok(
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.trim_matches(['[', ']']))
                .port(port)
                .hello_name(ClientId::Domain("calndr".to_owned()))
                .timeout(Some(self.config.timeout))
                .build(),
        )
    }

    fn message(&self, email: OutgoingEmail) -> Result<Message, StoreError> {
        let from: Mailbox = self
            .config
            .from
            .parse()
            .map_err(|_| StoreError::unexpected("the SMTP sender is not an e-mail address"))?;
        // The recipient is personal data: never in an error message.
        let to: Mailbox =
            email.to.as_str().parse().map_err(|_| {
                StoreError::unexpected("the recipient is not an address SMTP takes")
            })?;
        let part = |kind: ContentType, body: String| {
            SinglePart::builder()
                .header(kind)
                .header(ContentTransferEncoding::Base64)
                .body(body)
        };
        Message::builder()
            .from(from)
            .to(to)
            // One line: a line break in a subject is no header, but shows in mail clients.
            .subject(email.subject.replace(['\r', '\n'], ""))
            .message_id(Some(format!("<{}@calndr>", uuid::Uuid::new_v4().simple())))
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, email.text))
                    .singlepart(part(ContentType::TEXT_HTML, email.html)),
            )
            .map_err(|e| StoreError::unexpected(format!("the message: {e}")))
    }
}

fn smtp_failure(e: lettre::transport::smtp::Error) -> StoreError {
    // The server's text may quote the recipient: only its code is kept.
    let code = e
        .status()
        .map_or_else(|| "no reply".to_owned(), |c| c.to_string());
    if e.is_permanent() {
        StoreError::unexpected(format!("SMTP {code}"))
    } else {
        StoreError::Unavailable(format!("SMTP {code}").into())
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: OutgoingEmail) -> Result<(), StoreError> {
        let message = self.message(email)?;
        let transport = self.transport()?;
        tokio::time::timeout(self.config.timeout, transport.send(message))
            .await
            .map_err(|_| StoreError::Unavailable("SMTP timed out".into()))?
            .map(|_| ())
            .map_err(smtp_failure)
    }
}
