//! [`Mailer`] over plain SMTP, for local development against a mail catcher (Mailpit, MailHog on
//! port 1025). No TLS and no authentication: production mail goes through SES.
//!
//! The message is `multipart/alternative` with base64 text and HTML parts; header values are
//! stripped of line breaks (no header injection). 4xx replies and network failures are
//! `Unavailable` (the job worker retries), 5xx replies `Unexpected`.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use calndr_ports::{Mailer, OutgoingEmail, StoreError};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

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
}

fn one_line(s: &str) -> String {
    s.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

fn encoded_word(s: &str) -> String {
    let s = one_line(s);
    if s.is_ascii() {
        s
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    }
}

fn base64_lines(s: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(s);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// The RFC 5322 message (dot-stuffing is applied when it is sent).
pub fn render_message(from: &str, email: &OutgoingEmail, id: &str, date: &str) -> String {
    let boundary = format!("calndr-{id}");
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@calndr>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n\
--{boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{text}\r\n\
--{boundary}\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{html}\r\n\
--{boundary}--\r\n",
        from = one_line(from),
        to = one_line(email.to.as_str()),
        subject = encoded_word(&email.subject),
        text = base64_lines(&email.text),
        html = base64_lines(&email.html),
    )
}

struct Session {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Unavailable(Box::new(e))
}

impl Session {
    /// Reads one (possibly multi-line) reply; fails unless its code is `expected`'s class.
    async fn expect(&mut self, expected: u16) -> Result<(), StoreError> {
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.map_err(io)? == 0 {
                return Err(StoreError::Unavailable(
                    "the SMTP server closed the connection".into(),
                ));
            }
            let code: u16 = line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
            if line.as_bytes().get(3) == Some(&b'-') {
                continue;
            }
            return match code {
                c if c / 100 == expected / 100 => Ok(()),
                c if c / 100 == 4 => Err(StoreError::Unavailable(format!("SMTP {c}").into())),
                c => Err(StoreError::unexpected(format!("SMTP {c}"))),
            };
        }
    }

    async fn command(&mut self, line: &str, expected: u16) -> Result<(), StoreError> {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .map_err(io)?;
        self.expect(expected).await
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: OutgoingEmail) -> Result<(), StoreError> {
        let run = async {
            let stream = TcpStream::connect(&self.config.server).await.map_err(io)?;
            let (read, writer) = stream.into_split();
            let mut s = Session {
                reader: BufReader::new(read),
                writer,
            };
            s.expect(220).await?;
            s.command("EHLO calndr", 250).await?;
            let from = one_line(&self.config.from);
            let address = from
                .rsplit_once('<')
                .map_or(from.as_str(), |(_, a)| a.trim_end_matches('>'));
            s.command(&format!("MAIL FROM:<{address}>"), 250).await?;
            s.command(&format!("RCPT TO:<{}>", one_line(email.to.as_str())), 250)
                .await?;
            s.command("DATA", 354).await?;
            let id = uuid::Uuid::new_v4().simple().to_string();
            let date = chrono::Utc::now().to_rfc2822();
            let body = render_message(&from, &email, &id, &date);
            // Dot-stuffing (RFC 5321 4.5.2).
            let stuffed = body.replace("\r\n.", "\r\n..");
            s.writer.write_all(stuffed.as_bytes()).await.map_err(io)?;
            s.command(".", 250).await?;
            let _ = s.command("QUIT", 221).await;
            Ok(())
        };
        tokio::time::timeout(self.config.timeout, run)
            .await
            .unwrap_or_else(|_| Err(StoreError::Unavailable("SMTP timed out".into())))
    }
}
