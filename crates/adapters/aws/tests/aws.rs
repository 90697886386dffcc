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

// ---- SNS SMS --------------------------------------------------------------------------------

use calndr_aws::{S3Config, S3Storage, SnsConfig, SnsSms};
use calndr_domain::UsPhoneNumber;
use calndr_ports::{ObjectStorage, SmsSender};

fn target(server: &MockServer) -> (Option<String>, Option<(String, String)>) {
    (
        Some(server.uri()),
        Some((
            "AKIDEXAMPLE".into(),
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        )),
    )
}

fn sms(server: &MockServer) -> SnsSms {
    let (endpoint_url, static_credentials) = target(server);
    SnsSms::new(SnsConfig {
        region: "us-east-1".into(),
        endpoint_url,
        static_credentials,
        timeout: Duration::from_secs(2),
    })
}

#[tokio::test]
async fn an_sms_is_published_to_the_number_as_transactional() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>"#.as_bytes().to_vec(),
            "text/xml",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let to = UsPhoneNumber::parse("(910) 555-0123", "phone_number").expect("number");
    sms(&server)
        .send(&to, "Your Calndr verification code is: 123456")
        .await
        .expect("sent");
    let requests = server.received_requests().await.unwrap_or_default();
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&requests[0].body)
            .into_owned()
            .collect();
    assert_eq!(form["Action"], "Publish");
    assert_eq!(form["PhoneNumber"], "+19105550123");
    assert_eq!(form["Message"], "Your Calndr verification code is: 123456");
    assert_eq!(
        form["MessageAttributes.entry.1.Name"],
        "AWS.SNS.SMS.SMSType"
    );
    assert_eq!(
        form["MessageAttributes.entry.1.Value.StringValue"],
        "Transactional"
    );
}

#[tokio::test]
async fn sns_throttling_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            r#"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>"#.as_bytes().to_vec(),
            "text/xml",
        ))
        .mount(&server)
        .await;
    let to = UsPhoneNumber::parse("9105550123", "phone_number").expect("number");
    let err = sms(&server).send(&to, "x").await.expect_err("throttled");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
}

// ---- S3 -------------------------------------------------------------------------------------

fn storage(server: &MockServer) -> S3Storage {
    let (endpoint_url, static_credentials) = target(server);
    S3Storage::new(S3Config {
        bucket: "calndr-assets".into(),
        prefix: "uploads/".into(),
        region: "us-east-1".into(),
        endpoint_url,
        static_credentials,
        public_base_url: "https://api.calndr.club".into(),
        timeout: Duration::from_secs(2),
    })
}

#[tokio::test]
async fn an_object_is_put_under_the_prefix_and_read_back() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/calndr-assets/uploads/profile-photos/u1/a.jpg"))
        .and(wiremock::matchers::header("content-type", "image/jpeg"))
        .respond_with(ResponseTemplate::new(200).insert_header("ETag", "\"e\""))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/calndr-assets/uploads/profile-photos/u1/a.jpg"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(b"\xff\xd8jpeg".to_vec(), "image/jpeg"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/calndr-assets/uploads/profile-photos/u1/missing.jpg"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            b"<Error><Code>NoSuchKey</Code><Message>x</Message></Error>".to_vec(),
            "application/xml",
        ))
        .mount(&server)
        .await;
    let s3 = storage(&server);
    let stored = s3
        .put(
            "profile-photos/u1/a.jpg",
            b"\xff\xd8jpeg".to_vec(),
            "image/jpeg",
        )
        .await
        .expect("put");
    assert_eq!(
        stored.url,
        "https://api.calndr.club/media/profile-photos/u1/a.jpg"
    );
    let (bytes, content_type) = s3
        .get("profile-photos/u1/a.jpg")
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        (bytes.as_slice(), content_type.as_str()),
        (&b"\xff\xd8jpeg"[..], "image/jpeg")
    );
    assert_eq!(
        s3.get("profile-photos/u1/missing.jpg").await.expect("get"),
        None
    );
    // A key that tries to leave the prefix is never sent.
    assert_eq!(s3.get("../secrets/key.pem").await.expect("get"), None);
    assert!(s3.put("a/../../b", vec![1], "image/png").await.is_err());
}

// ---- SNS mobile push ------------------------------------------------------------------------

mod sns_push {
    use std::sync::Arc;
    use std::time::Duration;

    use calndr_aws::{SnsPush, SnsPushConfig};
    use calndr_domain::{FamilyId, UserId};
    use calndr_memory::MemoryStore;
    use calndr_ports::{FamilyStore, PushMessage, PushNotifier};
    use serde_json::{json, Value};
    use wiremock::matchers::{body_string_contains, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const ARN: &str = "arn:aws:sns:us-east-1:123456789012:app/APNS_SANDBOX/calndr";
    const ENDPOINT: &str = "arn:aws:sns:us-east-1:123456789012:endpoint/APNS_SANDBOX/calndr/e-1";
    const DEVICE: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    fn xml(body: String) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "text/xml")
    }

    async fn parent() -> (Arc<MemoryStore>, UserId, FamilyId) {
        let store = Arc::new(MemoryStore::new());
        let (user, family) = store
            .add_parent_with_device("Deb", "deb@example.com", DEVICE)
            .await
            .expect("parent");
        (store, user, family)
    }

    fn push(server: &MockServer, store: Arc<MemoryStore>) -> SnsPush {
        SnsPush::new(
            SnsPushConfig {
                platform_application_arn: ARN.into(),
                sandbox: true,
                region: "us-east-1".into(),
                endpoint_url: Some(server.uri()),
                static_credentials: Some(("AKIDEXAMPLE".into(), "secret".into())),
                timeout: Duration::from_secs(2),
            },
            store,
        )
    }

    fn message(user: UserId) -> PushMessage {
        PushMessage {
            recipient: user,
            device_token: DEVICE.into(),
            payload: json!({"aps": {"alert": {"title": "Custody Change"}}, "type": "custody_change"}),
        }
    }

    #[tokio::test]
    async fn the_token_becomes_an_endpoint_and_the_payload_is_published_under_apns_sandbox() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_string_contains("Action=CreatePlatformEndpoint"))
            .respond_with(xml(format!("<CreatePlatformEndpointResponse><CreatePlatformEndpointResult><EndpointArn>{ENDPOINT}</EndpointArn></CreatePlatformEndpointResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreatePlatformEndpointResponse>")))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(body_string_contains("Action=Publish"))
            .respond_with(xml("<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>".into()))
            .expect(1)
            .mount(&server)
            .await;
        let (store, user, _) = parent().await;
        push(&server, store)
            .send(message(user))
            .await
            .expect("sent");
        let requests = server.received_requests().await.unwrap_or_default();
        let publish: std::collections::HashMap<String, String> = requests
            .iter()
            .map(|r| {
                url::form_urlencoded::parse(&r.body)
                    .into_owned()
                    .collect::<std::collections::HashMap<String, String>>()
            })
            .find(|f| f.get("Action").map(String::as_str) == Some("Publish"))
            .expect("publish");
        assert_eq!(publish["TargetArn"], ENDPOINT);
        assert_eq!(publish["MessageStructure"], "json");
        let outer: Value = serde_json::from_str(&publish["Message"]).expect("json");
        let inner: Value =
            serde_json::from_str(outer["APNS_SANDBOX"].as_str().expect("string")).expect("json");
        assert_eq!(inner["type"], "custody_change");
    }

    #[tokio::test]
    async fn a_disabled_endpoint_forgets_the_device_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_string_contains("Action=CreatePlatformEndpoint"))
            .respond_with(xml(format!("<CreatePlatformEndpointResponse><CreatePlatformEndpointResult><EndpointArn>{ENDPOINT}</EndpointArn></CreatePlatformEndpointResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreatePlatformEndpointResponse>")))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(body_string_contains("Action=Publish"))
            .respond_with(ResponseTemplate::new(400).set_body_raw(
                b"<ErrorResponse><Error><Type>Sender</Type><Code>EndpointDisabled</Code><Message>Endpoint is disabled</Message></Error><RequestId>r</RequestId></ErrorResponse>".to_vec(),
                "text/xml",
            ))
            .mount(&server)
            .await;
        let (store, user, family) = parent().await;
        push(&server, store.clone())
            .send(message(user))
            .await
            .expect("done");
        assert_eq!(
            store.members(family).await.expect("members")[0].device_token,
            None
        );
    }
}
