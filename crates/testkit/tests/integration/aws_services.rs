//! E-mail (SES), SMS (SNS) and uploads (S3) end to end through the routes, against local fakes of
//! the AWS APIs. Credentials come from the environment, as from the task role in production.

use std::sync::Once;

use actix_web::http::StatusCode;
use calndr_testkit::app::random_loopback_peer;
use calndr_testkit::{Backend, TestApp};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{multipart, multipart_post, ok};

fn aws_credentials() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Only AWS SDK clients read these; no other test depends on them.
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        std::env::set_var(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        );
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

async fn app_on(aws: &MockServer) -> TestApp {
    aws_credentials();
    TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .real_mail_and_storage()
        .without_sms()
        .env("CALNDR_MAIL", "ses")
        .env("CALNDR_SES_ENDPOINT_URL", &aws.uri())
        .env("CALNDR_SMS", "sns")
        .env("CALNDR_SNS_ENDPOINT_URL", &aws.uri())
        .env("CALNDR_STORAGE", "s3")
        .env("CALNDR_S3_BUCKET", "calndr-assets")
        .env("CALNDR_S3_ENDPOINT_URL", &aws.uri())
        .build()
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_reset_mail_is_queued_and_the_worker_sends_it_through_ses() {
    let aws = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/email/outbound-emails"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"MessageId": "m"})))
        .expect(1)
        .mount(&aws)
        .await;
    let app = app_on(&aws).await;
    let jo = app.register("Jo").await;
    let path = format!(
        "/api/v1/auth/forgot-password?email={}",
        jo.email.replace('@', "%40")
    );
    ok(&app.post(&path, None).await);
    assert_eq!(app.worker.run_once().await.expect("round").delivered, 1);
    let sent = aws.received_requests().await.unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert_eq!(body["Destination"]["ToAddresses"], json!([jo.email]));
    assert!(body["Content"]["Simple"]["Body"]["Html"]["Data"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verification_pin_is_texted_through_sns() {
    let aws = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("Action=Publish"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            b"<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>".to_vec(),
            "text/xml",
        ))
        .expect(1)
        .mount(&aws)
        .await;
    let app = app_on(&aws).await;
    let res = app
        .send_from(
            actix_web::test::TestRequest::post()
                .uri("/api/v1/phone-verification/send-pin")
                .set_json(json!({"phone_number": "(910) 555-0142"})),
            &random_loopback_peer(),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    let sent = aws.received_requests().await.unwrap_or_default();
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&sent[0].body)
            .into_owned()
            .collect();
    assert_eq!(form["PhoneNumber"], "+19105550142");
    assert!(
        form["Message"].contains("verification code"),
        "{}",
        form["Message"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_photo_goes_to_the_private_bucket_and_is_served_back_through_media() {
    let aws = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path_regex(
            r"^/calndr-assets/uploads/profile-photos/.+\.jpg$",
        ))
        .respond_with(ResponseTemplate::new(200).insert_header("ETag", "\"e\""))
        .expect(1)
        .mount(&aws)
        .await;
    let jpeg: Vec<u8> = [
        0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1,
    ]
    .into_iter()
    .chain((0..512u32).map(|i| (i % 251) as u8))
    .collect();
    Mock::given(method("GET"))
        .and(path_regex(
            r"^/calndr-assets/uploads/profile-photos/.+\.jpg$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(jpeg.clone(), "image/jpeg"))
        .mount(&aws)
        .await;
    let app = app_on(&aws).await;
    let jo = app.register("Jo").await;
    const B: &str = "Boundary-aws-test";
    let res = app
        .send(multipart_post(
            "/api/v1/user/profile/photo",
            Some(&jo.token),
            multipart(B, &[("photo", "profile.jpg", "image/jpeg", &jpeg)]),
            B,
        ))
        .await;
    let url = ok(&res)["profile_photo_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let media_path = &url[url.find("/media/").expect("media path")..];
    let media = app.get(media_path, None).await;
    assert_eq!(media.status, StatusCode::OK);
    assert_eq!(media.body, jpeg);
}
