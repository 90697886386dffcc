//! APNs over HTTP/2 against a local fake that answers as Apple does.

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::{FamilyId, UserId};
use calndr_memory::MemoryStore;
use calndr_outbound::{Apns, ApnsConfig};
use calndr_ports::{FamilyStore, PushMessage, PushNotifier, StoreError};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const P8: &str = include_str!("../keys/apple_key.p8");
const PUB: &str = include_str!("../keys/apple_key.pub.pem");
const DEVICE: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

async fn parent_with_device() -> (Arc<MemoryStore>, UserId, FamilyId) {
    let store = Arc::new(MemoryStore::new());
    let (user, family) = store
        .add_parent_with_device("Deb", "deb@example.com", DEVICE)
        .await
        .expect("parent");
    (store, user, family)
}

async fn device_of(store: &MemoryStore, family: FamilyId) -> Option<String> {
    store.members(family).await.expect("members")[0]
        .device_token
        .clone()
}

fn apns(server: &MockServer, store: Arc<MemoryStore>) -> Apns {
    Apns::new(
        ApnsConfig {
            team_id: "TEAM123456".into(),
            key_id: "APNSKEY001".into(),
            private_key_pem: P8.into(),
            topic: "club.calndr".into(),
            base_url: server.uri().parse().expect("url"),
            timeout: Duration::from_secs(2),
        },
        store,
        true,
    )
    .expect("apns")
}

fn custody_push(user: UserId) -> PushMessage {
    PushMessage {
        recipient: user,
        device_token: DEVICE.into(),
        payload: json!({"aps": {"alert": {"title": "Custody Change", "body": "…"}, "sound": "default",
                        "badge": 1, "category": "CUSTODY_CHANGE"}, "type": "custody_change"}),
    }
}

fn bearer(r: &wiremock::Request) -> String {
    r.headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("bearer ")
                .or_else(|| v.strip_prefix("Bearer "))
        })
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_alert_is_posted_over_http2_with_topic_type_priority_and_a_reused_provider_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/3/device/{DEVICE}")))
        .and(header("apns-topic", "club.calndr"))
        .and(header("apns-push-type", "alert"))
        .and(header("apns-priority", "10"))
        .respond_with(ResponseTemplate::new(200).insert_header("apns-id", "abc"))
        .expect(2)
        .mount(&server)
        .await;
    let (store, user, _) = parent_with_device().await;
    let push = apns(&server, store);
    push.send(custody_push(user)).await.expect("sent");
    push.send(custody_push(user)).await.expect("sent again");

    let requests = server.received_requests().await.unwrap_or_default();
    // The client speaks HTTP/2 only (prior knowledge): these requests arrived over HTTP/2.
    let body: Value = serde_json::from_slice(&requests[0].body).expect("json");
    assert_eq!(body["aps"]["category"], "CUSTODY_CHANGE");
    let (first, second) = (bearer(&requests[0]), bearer(&requests[1]));
    assert_eq!(
        first, second,
        "the provider token is reused, not made per push"
    );
    let mut v = Validation::new(Algorithm::ES256);
    v.set_required_spec_claims(&["iss"]);
    v.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(
        &first,
        &DecodingKey::from_ec_pem(PUB.as_bytes()).expect("pub"),
        &v,
    )
    .expect("signed with the team's key");
    assert_eq!(claims.claims["iss"], "TEAM123456");
    assert_eq!(claims.header.kid.as_deref(), Some("APNSKEY001"));
}

#[tokio::test]
async fn a_silent_location_request_is_a_background_push() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("apns-push-type", "background"))
        .and(header("apns-priority", "5"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let (store, user, _) = parent_with_device().await;
    apns(&server, store)
        .send(PushMessage {
            recipient: user,
            device_token: DEVICE.into(),
            payload: json!({"aps": {"content-available": 1}, "type": "location_request"}),
        })
        .await
        .expect("sent");
}

#[tokio::test]
async fn an_unregistered_or_bad_device_token_is_removed_from_the_account() {
    for (status, reason) in [(410, "Unregistered"), (400, "BadDeviceToken")] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({"reason": reason})))
            .mount(&server)
            .await;
        let (store, user, family) = parent_with_device().await;
        assert_eq!(device_of(&store, family).await.as_deref(), Some(DEVICE));
        apns(&server, store.clone())
            .send(custody_push(user))
            .await
            .expect("done: retrying cannot help");
        assert_eq!(device_of(&store, family).await, None, "{reason}");
    }
}

#[tokio::test]
async fn an_expired_provider_token_is_renewed_and_the_push_retried_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"reason": "ExpiredProviderToken"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let (store, user, _) = parent_with_device().await;
    apns(&server, store)
        .send(custody_push(user))
        .await
        .expect("sent");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        2
    );
}

#[tokio::test]
async fn throttling_and_outages_are_unavailable_so_the_worker_retries() {
    for status in [429, 500, 503] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(json!({"reason": "TooManyRequests"})),
            )
            .mount(&server)
            .await;
        let (store, user, family) = parent_with_device().await;
        let err = apns(&server, store.clone())
            .send(custody_push(user))
            .await
            .expect_err("not sent");
        assert!(
            matches!(err, StoreError::Unavailable(_)),
            "{status}: {err:?}"
        );
        assert_eq!(
            device_of(&store, family).await.as_deref(),
            Some(DEVICE),
            "kept"
        );
    }
}
