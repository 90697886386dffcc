//! SMTP against a small local server that speaks the protocol and records what it got.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use calndr_domain::EmailAddress;
use calndr_outbound::{SmtpConfig, SmtpMailer};
use calndr_ports::{Mailer, OutgoingEmail, StoreError};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts one session; answers `rcpt_reply` to RCPT TO; records the commands and the data.
async fn fake_smtp(rcpt_reply: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let log = Arc::new(Mutex::new(Vec::new()));
    let record = log.clone();
    tokio::spawn(async move {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let _ = write.write_all(b"220 fake ESMTP\r\n").await;
        let mut in_data = false;
        let mut data = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    record.lock().expect("log").push(format!("DATA {data}"));
                    let _ = write.write_all(b"250 queued\r\n").await;
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            record.lock().expect("log").push(line.clone());
            let reply: &[u8] = match line.split(' ').next().unwrap_or_default() {
                "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                "MAIL" => b"250 ok\r\n",
                "RCPT" => rcpt_reply.as_bytes(),
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => b"221 bye\r\n",
                _ => b"500 what\r\n",
            };
            let _ = write.write_all(reply).await;
        }
    });
    (addr, log)
}

fn mail() -> OutgoingEmail {
    OutgoingEmail {
        to: EmailAddress::parse("deb@example.com").expect("email"),
        subject: "Votre code\r\nBcc: evil@example.com — 123456".into(),
        text: "Your code is 123456\n.\nDot line".into(),
        html: "<p>Your code is <b>123456</b></p>".into(),
    }
}

fn mailer(server: String) -> SmtpMailer {
    SmtpMailer::new(SmtpConfig {
        server,
        from: "Calndr <no-reply@calndr.local>".into(),
        timeout: Duration::from_secs(2),
    })
}

#[tokio::test]
async fn a_message_goes_through_the_smtp_dialogue_with_both_parts_and_no_header_injection() {
    let (addr, log) = fake_smtp("250 ok\r\n").await;
    mailer(addr).send(mail()).await.expect("sent");
    let log = log.lock().expect("log").clone();
    assert_eq!(log[0], "EHLO calndr");
    assert_eq!(log[1], "MAIL FROM:<no-reply@calndr.local>");
    assert_eq!(log[2], "RCPT TO:<deb@example.com>");
    let data = log.iter().find(|l| l.starts_with("DATA ")).expect("data");
    assert!(
        data.contains("Content-Type: multipart/alternative"),
        "{data}"
    );
    assert!(
        data.contains("text/plain") && data.contains("text/html"),
        "{data}"
    );
    assert!(
        !data.lines().any(|l| l.starts_with("Bcc:")),
        "no injected header: {data}"
    );
    // The text in canonical form (RFC 2046: CRLF line breaks), the dot line intact.
    let b64 = base64::engine::general_purpose::STANDARD;
    assert!(
        data.contains(&b64.encode("Your code is 123456\r\n.\r\nDot line")),
        "{data}"
    );
    assert!(
        data.contains("Subject: Votre code") && !data.contains("Y29kZQ0K"),
        "the subject is one line: {data}"
    );
}

#[tokio::test]
async fn a_refused_recipient_is_permanent_and_a_busy_server_is_retryable() {
    let (addr, _) = fake_smtp("550 no such user\r\n").await;
    let err = mailer(addr).send(mail()).await.expect_err("refused");
    assert!(matches!(err, StoreError::Unexpected(_)), "{err:?}");
    let (addr, _) = fake_smtp("421 try later\r\n").await;
    let err = mailer(addr).send(mail()).await.expect_err("busy");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    let err = mailer("127.0.0.1:9".into())
        .send(mail())
        .await
        .expect_err("nobody");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
}
