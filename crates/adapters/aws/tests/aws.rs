//! SES v2 against a local fake speaking its REST-JSON protocol.
#![expect(clippy::expect_used, reason = "test setup")]

use std::time::Duration;

use calndr_aws::{SesConfig, SesMailer};
use calndr_domain::EmailAddress;
use calndr_ports::{Mailer, OutgoingEmail, StoreError};
use serde_json::{json, Value};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn mailer(server: &MockServer) -> SesMailer {
    SesMailer::new(SesConfig {
        region: "us-east-1".into(),
        from: "Calndr <no-reply@calndr.club>".into(),
        endpoint_url: Some(server.uri()),
        static_credentials: Some((
            "AKIDEXAMPLE".into(),
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        )),
        timeout: Duration::from_secs(2),
    })
}

fn invite() -> OutgoingEmail {
    OutgoingEmail {
        to: EmailAddress::parse("deb@example.com").expect("email"),
        subject: "You've been invited to join Calndr by Jeff".into(),
        text: "Your code is ABC234".into(),
        html: "<p>Your code is <b>ABC234</b></p>".into(),
    }
}

#[tokio::test]
async fn a_message_is_sent_signed_with_text_and_html_parts_from_the_configured_sender() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/email/outbound-emails"))
        .and(header_exists("authorization"))
        .and(header_exists("x-amz-date"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"MessageId": "m-1"})))
        .expect(1)
        .mount(&server)
        .await;
    mailer(&server).send(invite()).await.expect("sent");
    let requests = server.received_requests().await.unwrap_or_default();
    let auth = requests[0]
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/ses/aws4_request"), "{auth}");
    let body: Value = serde_json::from_slice(&requests[0].body).expect("json");
    assert_eq!(body["FromEmailAddress"], "Calndr <no-reply@calndr.club>");
    assert_eq!(
        body["Destination"]["ToAddresses"],
        json!(["deb@example.com"])
    );
    let simple = &body["Content"]["Simple"];
    assert_eq!(
        simple["Subject"]["Data"],
        "You've been invited to join Calndr by Jeff"
    );
    assert_eq!(simple["Body"]["Text"]["Data"], "Your code is ABC234");
    assert_eq!(
        simple["Body"]["Html"]["Data"],
        "<p>Your code is <b>ABC234</b></p>"
    );
}

#[tokio::test]
async fn throttling_is_unavailable_so_the_worker_retries_and_a_rejection_is_not() {
    let throttled = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-amzn-ErrorType", "TooManyRequestsException")
                .set_body_json(json!({"message": "Maximum sending rate exceeded."})),
        )
        .mount(&throttled)
        .await;
    let err = mailer(&throttled)
        .send(invite())
        .await
        .expect_err("throttled");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");

    let rejected = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-amzn-ErrorType", "MessageRejected")
                .set_body_json(json!({"message": "Email address is not verified."})),
        )
        .expect(1)
        .mount(&rejected)
        .await;
    let err = mailer(&rejected)
        .send(invite())
        .await
        .expect_err("rejected");
    assert!(matches!(err, StoreError::Unexpected(_)), "{err:?}");
}
