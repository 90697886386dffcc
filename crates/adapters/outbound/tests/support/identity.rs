//! Apple, Google and Facebook sign-in against local fakes of their endpoints.

use std::time::Duration;

use calndr_domain::IdentityProvider;
use calndr_outbound::{AppleConfig, AppleToken, FacebookConfig, GoogleConfig, ProviderIdentity};
use calndr_ports::{IdentityError, IdentityVerifier, UpstreamError};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY_A: &str = include_str!("../keys/rsa_a.pem");
const KEY_B: &str = include_str!("../keys/rsa_b.pem");
const N_A: &str = include_str!("../keys/rsa_a.n");
const N_B: &str = include_str!("../keys/rsa_b.n");
const APPLE_P8: &str = include_str!("../keys/apple_key.p8");
const APPLE_PUB: &str = include_str!("../keys/apple_key.pub.pem");
const TLS_CA: &str = include_str!("../keys/tls_ca.pem");
const TLS_CERT: &str = include_str!("../keys/tls_localhost.pem");
const TLS_KEY: &str = include_str!("../keys/tls_localhost.key");
const IOS_CLIENT: &str = "123-ios.apps.googleusercontent.com";

fn jwk(kid: &str, n: &str) -> Value {
    json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n.trim(), "e": "AQAB"})
}

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).expect("time")
}

fn sign(pem: &str, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).expect("key"),
    )
    .expect("sign")
}

fn google_claims() -> Value {
    json!({
        "iss": "https://accounts.google.com", "aud": IOS_CLIENT, "sub": "1098765",
        "email": "Jane@Example.com", "email_verified": true,
        "given_name": "Jane", "family_name": "Doe",
        "iat": now(), "exp": now() + 3600
    })
}

async fn jwks_server(keys: Value, max_age: u32) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "cache-control",
                    format!("public, max-age={max_age}").as_str(),
                )
                .set_body_json(json!({ "keys": keys })),
        )
        .mount(&server)
        .await;
    server
}

fn google(server: &MockServer) -> ProviderIdentity {
    ProviderIdentity::new(
        Some(GoogleConfig {
            client_ids: vec![IOS_CLIENT.to_owned()],
            jwks_url: format!("{}/certs", server.uri()).parse().expect("url"),
        }),
        None,
        None,
        Duration::from_secs(2),
    )
    .expect("verifier")
}

async fn jwks_hits(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/certs")
        .count()
}

fn rejected<T: std::fmt::Debug>(r: Result<T, IdentityError>) -> String {
    match r {
        Err(IdentityError::Rejected(why)) => why,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_genuine_google_token_is_accepted_and_the_keys_are_cached() {
    let server = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    let verifier = google(&server);
    let token = sign(KEY_A, "a", &google_claims());
    let id = verifier.google_id_token(&token, None).await.expect("valid");
    assert_eq!(id.provider, IdentityProvider::Google);
    assert_eq!(id.subject.as_str(), "1098765");
    assert_eq!(
        id.email.map(|e| e.as_str().to_owned()).as_deref(),
        Some("Jane@Example.com")
    );
    assert!(id.email_verified);
    assert_eq!(id.given_name.as_deref(), Some("Jane"));
    verifier.google_id_token(&token, None).await.expect("again");
    assert_eq!(jwks_hits(&server).await, 1, "max-age honoured");
}

#[tokio::test]
async fn google_tokens_with_a_wrong_issuer_audience_expiry_algorithm_or_signature_are_rejected() {
    let server = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    let verifier = google(&server);
    let with = |patch: Value| {
        let mut c = google_claims();
        for (k, v) in patch.as_object().expect("object") {
            c[k] = v.clone();
        }
        c
    };
    let cases = [
        (
            "wrong issuer",
            sign(KEY_A, "a", &with(json!({"iss": "https://evil.example"}))),
        ),
        (
            "wrong audience",
            sign(KEY_A, "a", &with(json!({"aud": "someone-else"}))),
        ),
        (
            "expired",
            sign(
                KEY_A,
                "a",
                &with(json!({"exp": now() - 600, "iat": now() - 4200})),
            ),
        ),
        ("forged signature", sign(KEY_B, "a", &google_claims())),
        ("unsigned", {
            use base64::Engine as _;
            let b64 =
                |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "kid": "a"})),
                b64(&google_claims())
            )
        }),
        ("HS256 with the public key as secret", {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some("a".into());
            jsonwebtoken::encode(
                &h,
                &google_claims(),
                &EncodingKey::from_secret(N_A.as_bytes()),
            )
            .expect("sign")
        }),
        ("garbage", "not-a-jwt".to_owned()),
        (
            "issued in the future",
            sign(KEY_A, "a", &with(json!({"iat": now() + 600}))),
        ),
        (
            "another audience of someone else's beside ours",
            sign(
                KEY_A,
                "a",
                &with(json!({"aud": [IOS_CLIENT, "someone-else"]})),
            ),
        ),
        (
            "Google's legacy scheme-less issuer (openidconnect needs the https issuer)",
            sign(KEY_A, "a", &with(json!({"iss": "accounts.google.com"}))),
        ),
    ];
    for (what, token) in cases {
        let why = rejected(verifier.google_id_token(&token, None).await);
        assert!(!why.is_empty(), "{what}");
    }
    // A token of an unknown key is not accepted either (one refresh found nothing new).
    rejected(
        verifier
            .google_id_token(&sign(KEY_B, "b", &google_claims()), None)
            .await,
    );
}

#[tokio::test]
async fn expiry_allows_a_minute_of_clock_skew_and_no_more() {
    let server = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    let verifier = google(&server);
    let expired_at = |ago: i64| {
        let mut c = google_claims();
        c["exp"] = json!(now() - ago);
        c["iat"] = json!(now() - ago - 3600);
        sign(KEY_A, "a", &c)
    };
    verifier
        .google_id_token(&expired_at(20), None)
        .await
        .expect("20 s past exp: within the skew");
    rejected(verifier.google_id_token(&expired_at(120), None).await);
}

#[tokio::test]
async fn a_nonce_is_checked_when_the_app_sends_one_and_only_then() {
    let server = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    let verifier = google(&server);
    let mut claims = google_claims();
    claims["nonce"] = json!("n-0S6_WzA2Mj");
    let with_nonce = sign(KEY_A, "a", &claims);
    let without_nonce = sign(KEY_A, "a", &google_claims());

    let id = verifier
        .google_id_token(&with_nonce, Some("n-0S6_WzA2Mj"))
        .await
        .expect("the nonce the app sent");
    assert_eq!(id.subject.as_str(), "1098765");
    let why = rejected(
        verifier
            .google_id_token(&with_nonce, Some("n-replayed"))
            .await,
    );
    assert!(why.contains("nonce"), "{why}");
    let why = rejected(
        verifier
            .google_id_token(&without_nonce, Some("n-0S6_WzA2Mj"))
            .await,
    );
    assert!(why.contains("nonce"), "{why}");
    // The current app sends none: a token is accepted with or without a nonce claim.
    verifier
        .google_id_token(&with_nonce, None)
        .await
        .expect("no nonce sent");
    verifier
        .google_id_token(&without_nonce, None)
        .await
        .expect("no nonce anywhere");
}

#[tokio::test]
async fn every_configured_client_id_is_an_accepted_audience() {
    let server = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    let verifier = ProviderIdentity::new(
        Some(GoogleConfig {
            client_ids: vec!["web.apps.googleusercontent.com".into(), IOS_CLIENT.into()],
            jwks_url: format!("{}/certs", server.uri()).parse().expect("url"),
        }),
        None,
        None,
        Duration::from_secs(2),
    )
    .expect("verifier");
    let id = verifier
        .google_id_token(&sign(KEY_A, "a", &google_claims()), None)
        .await
        .expect("the second client id");
    assert_eq!(id.subject.as_str(), "1098765");
    let mut both = google_claims();
    both["aud"] = json!(["web.apps.googleusercontent.com", IOS_CLIENT]);
    verifier
        .google_id_token(&sign(KEY_A, "a", &both), None)
        .await
        .expect("both audiences are ours");
}

#[tokio::test]
async fn an_unknown_kid_refreshes_the_keys_once_then_the_rotated_key_works() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [jwk("a", N_A)]})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"keys": [jwk("a", N_A), jwk("b", N_B)]})),
        )
        .mount(&server)
        .await;
    let verifier = google(&server).with_key_refresh_interval(Duration::from_millis(300));
    verifier
        .google_id_token(&sign(KEY_A, "a", &google_claims()), None)
        .await
        .expect("key a");
    // Google rotated: a token of key b arrives right away; a refresh is allowed only after the
    // interval, so it is refused now and accepted after the interval.
    let token_b = sign(KEY_B, "b", &google_claims());
    rejected(verifier.google_id_token(&token_b, None).await);
    assert_eq!(jwks_hits(&server).await, 1, "no refresh storm");
    tokio::time::sleep(Duration::from_millis(350)).await;
    verifier
        .google_id_token(&token_b, None)
        .await
        .expect("rotated key");
    assert_eq!(jwks_hits(&server).await, 2);
    // Unknown kids in a burst cost at most one more fetch.
    for _ in 0..5 {
        rejected(
            verifier
                .google_id_token(&sign(KEY_B, "zzz", &google_claims()), None)
                .await,
        );
    }
    assert!(jwks_hits(&server).await <= 3);
}

#[tokio::test]
async fn google_keys_unreachable_is_unavailable_not_a_rejection() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let r = google(&server)
        .google_id_token(&sign(KEY_A, "a", &google_claims()), None)
        .await;
    assert!(
        matches!(
            r,
            Err(IdentityError::Upstream(UpstreamError::Unavailable { .. }))
        ),
        "{r:?}"
    );
}

// ---- Apple ----------------------------------------------------------------------------------

/// An https front for `backend` (oauth2 revokes tokens over https only): TLS with the test CA's
/// certificate for 127.0.0.1, then the bytes as they are.
async fn tls_front(backend: &MockServer) -> String {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(TLS_CERT.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("cert");
    let key = PrivateKeyDer::from_pem_slice(TLS_KEY.as_bytes()).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let backend = *backend.address();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let (Ok(mut tls), Ok(mut plain)) = (
                    acceptor.accept(tcp).await,
                    tokio::net::TcpStream::connect(backend).await,
                ) else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    format!("https://127.0.0.1:{port}")
}

fn apple(server: &MockServer) -> ProviderIdentity {
    apple_at(server, &format!("{}/auth/revoke", server.uri()))
}

/// Apple whose revocation endpoint is `revoke_url` (an https front of `server`).
fn apple_at(server: &MockServer, revoke_url: &str) -> ProviderIdentity {
    ProviderIdentity::new(
        None,
        Some(AppleConfig {
            client_id: "club.calndr".into(),
            team_id: "TEAM123456".into(),
            key_id: "KEY7654321".into(),
            private_key_pem: APPLE_P8.into(),
            redirect_uri: None,
            token_url: format!("{}/auth/token", server.uri()).parse().expect("url"),
            revoke_url: revoke_url.parse().expect("url"),
            jwks_url: format!("{}/certs", server.uri()).parse().expect("url"),
        }),
        None,
        Duration::from_secs(2),
    )
    .expect("verifier")
    .trusting(TLS_CA.as_bytes())
    .expect("test CA")
}

fn apple_id_token(aud: &str) -> String {
    sign(
        KEY_A,
        "a",
        &json!({
            "iss": "https://appleid.apple.com", "aud": aud, "sub": "001234.abcdef.1234",
            "email": "x7y8@privaterelay.appleid.com", "email_verified": "true",
            "iat": now(), "exp": now() + 600
        }),
    )
}

#[tokio::test]
async fn an_apple_code_is_exchanged_with_an_es256_client_secret_and_its_id_token_verified() {
    let server = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "a1", "token_type": "Bearer", "expires_in": 3600,
            "refresh_token": "r1", "id_token": apple_id_token("club.calndr")
        })))
        .expect(1)
        .mount(&server)
        .await;
    let id = apple(&server)
        .apple_code("c0de", None)
        .await
        .expect("valid");
    assert_eq!(id.provider, IdentityProvider::Apple);
    assert_eq!(id.subject.as_str(), "001234.abcdef.1234");
    assert!(id.email_verified, "Apple's \"true\" string");

    let sent = server.received_requests().await.unwrap_or_default();
    let exchange = sent
        .iter()
        .find(|r| r.url.path() == "/auth/token")
        .expect("exchange");
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&exchange.body)
            .into_owned()
            .collect();
    assert_eq!(form["client_id"], "club.calndr");
    assert_eq!(form["code"], "c0de");
    assert_eq!(form["grant_type"], "authorization_code");
    let header = jsonwebtoken::decode_header(&form["client_secret"]).expect("jwt");
    assert_eq!(
        (header.alg, header.kid.as_deref()),
        (Algorithm::ES256, Some("KEY7654321"))
    );
    let mut v = Validation::new(Algorithm::ES256);
    v.set_audience(&["https://appleid.apple.com"]);
    v.set_issuer(&["TEAM123456"]);
    let secret = jsonwebtoken::decode::<Value>(
        &form["client_secret"],
        &DecodingKey::from_ec_pem(APPLE_PUB.as_bytes()).expect("pub"),
        &v,
    )
    .expect("signed with the team's key");
    assert_eq!(secret.claims["sub"], "club.calndr");
}

#[tokio::test]
async fn a_refused_code_or_an_id_token_for_another_app_is_rejected() {
    let server = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})))
        .mount(&server)
        .await;
    rejected(apple(&server).apple_code("used-code", None).await);

    let other = jwks_server(json!([jwk("a", N_A)]), 3600).await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "a1", "token_type": "Bearer", "id_token": apple_id_token("com.someone.else")
        })))
        .mount(&other)
        .await;
    rejected(apple(&other).apple_code("c0de", None).await);
}

#[tokio::test]
async fn an_apple_token_is_revoked_with_the_client_secret_and_a_type_hint() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let front = tls_front(&server).await;
    let apple = apple_at(&server, &format!("{front}/auth/revoke"));
    apple
        .revoke_apple_token(AppleToken::Refresh("r1"))
        .await
        .expect("revoked");
    apple
        .revoke_apple_token(AppleToken::Access("a1"))
        .await
        .expect("revoked");
    let sent = server.received_requests().await.unwrap_or_default();
    let forms: Vec<std::collections::HashMap<String, String>> = sent
        .iter()
        .map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect())
        .collect();
    assert_eq!(
        (
            forms[0]["token"].as_str(),
            forms[0]["token_type_hint"].as_str()
        ),
        ("r1", "refresh_token")
    );
    assert_eq!(
        (
            forms[1]["token"].as_str(),
            forms[1]["token_type_hint"].as_str()
        ),
        ("a1", "access_token")
    );
    assert_eq!(forms[0]["client_id"], "club.calndr");
    let header = jsonwebtoken::decode_header(&forms[0]["client_secret"]).expect("jwt");
    assert_eq!(header.alg, Algorithm::ES256);
}

#[tokio::test]
async fn a_refused_revocation_is_rejected_and_apple_down_is_unavailable() {
    let refused = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/revoke"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_client"})))
        .mount(&refused)
        .await;
    let front = tls_front(&refused).await;
    rejected(
        apple_at(&refused, &format!("{front}/auth/revoke"))
            .revoke_apple_token(AppleToken::Refresh("r1"))
            .await,
    );
    let down = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&down)
        .await;
    let front = tls_front(&down).await;
    let r = apple_at(&down, &format!("{front}/auth/revoke"))
        .revoke_apple_token(AppleToken::Refresh("r1"))
        .await;
    assert!(
        matches!(
            r,
            Err(IdentityError::Upstream(UpstreamError::Unavailable { .. }))
        ),
        "{r:?}"
    );
    let exchange = apple(&down).apple_code("c0de", None).await;
    assert!(
        matches!(
            exchange,
            Err(IdentityError::Upstream(UpstreamError::Unavailable { .. }))
        ),
        "{exchange:?}"
    );
    assert_eq!(
        down.received_requests().await.map_or(0, |r| r.len()),
        2,
        "neither a revocation nor a one-time code exchange is retried"
    );
}

// ---- Facebook -------------------------------------------------------------------------------

fn facebook(server: &MockServer) -> ProviderIdentity {
    ProviderIdentity::new(
        None,
        None,
        Some(FacebookConfig {
            app_id: "4242".into(),
            app_secret: "s3cret".into(),
            graph_url: format!("{}/v19.0", server.uri()).parse().expect("url"),
        }),
        Duration::from_secs(2),
    )
    .expect("verifier")
}

async fn graph(app_id: &str, me_id: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v19.0/debug_token"))
        .and(query_param("input_token", "EAAtoken"))
        .and(query_param("access_token", "4242|s3cret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "app_id": app_id, "is_valid": true, "user_id": "777"
        }})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v19.0/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": me_id, "first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"
        })))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_facebook_token_is_checked_with_debug_token_before_me_is_read() {
    let ok = graph("4242", "777").await;
    let id = facebook(&ok)
        .facebook_token("EAAtoken")
        .await
        .expect("valid");
    assert_eq!(
        (id.provider, id.subject.as_str()),
        (IdentityProvider::Facebook, "777")
    );
    assert!(!id.email_verified, "never linked by e-mail");

    let other_app = graph("9999", "777").await;
    rejected(facebook(&other_app).facebook_token("EAAtoken").await);
    let paths: Vec<String> = other_app
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        vec!["/v19.0/debug_token"],
        "/me is never read for another app's token"
    );

    let other_user = graph("4242", "888").await;
    rejected(facebook(&other_user).facebook_token("EAAtoken").await);
}

#[tokio::test]
async fn an_unconfigured_provider_says_so() {
    let server = MockServer::start().await;
    let google_only = google(&server);
    assert!(matches!(
        google_only.apple_code("x", None).await,
        Err(IdentityError::Upstream(UpstreamError::NotConfigured(_)))
    ));
    assert!(matches!(
        google_only.facebook_token("x").await,
        Err(IdentityError::Upstream(UpstreamError::NotConfigured(_)))
    ));
}
