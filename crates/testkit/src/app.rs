//! `TestApp`: the production app factory and wiring, in process, with test-friendly overrides.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::test::{init_service, try_call_service, TestRequest};
use calndr_api::{build_app, ApiState};
use calndr_app::{JobWorker, RateLimits};
use calndr_domain::{EnrollmentCode, EnrollmentCodeRecord, FamilyId, UserId};
use calndr_files::LocalDirStorage;
use calndr_memory::{MemoryStore, RecordingMailer, RecordingPush, RecordingSms};
use calndr_server::config;
use calndr_server::wiring::{build_state, Overrides};
use serde_json::Value;

use crate::proxy::{host_port, through, Proxy};
use crate::TestDatabase;

/// Where a `TestApp` keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: in-memory store and in-process cache.
    Memory,
    /// A fresh PostgreSQL schema, no Redis.
    Postgres,
    /// A fresh PostgreSQL schema and the local Redis.
    PostgresRedis,
}

pub struct TestApp {
    pub state: ApiState,
    pub mailer: Arc<RecordingMailer>,
    pub upload_dir: std::path::PathBuf,
    pub db: Option<TestDatabase>,
    pub secret: String,
    /// The embedded store (`Backend::Memory` only): seed it, or read what the routes wrote.
    pub memory: Arc<MemoryStore>,
    /// Every push the app sent (no provider is called).
    pub push: Arc<RecordingPush>,
    /// The delivery worker (with `queued_deliveries`, pushes and e-mails wait for it).
    pub worker: JobWorker,
    /// The weekly digest (`calndr digest`).
    pub digest: calndr_app::DigestService,
    /// The canned place search of `Builder::fake_places` (records the queries it received).
    pub places: Arc<calndr_memory::FakePlaces>,
    /// Every SMS the app sent: `(E.164 number, text)`.
    pub sms: Arc<RecordingSms>,
    /// The proxy between the app and PostgreSQL (`Builder::proxied_database`).
    pub database_proxy: Option<Proxy>,
    /// The proxy between the app and Redis (`Builder::proxied_redis`).
    pub redis_proxy: Option<Proxy>,
}

pub const TEST_SECRET: &str = "calndr-test-secret-0123456789abcdefghijklmnop";

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The status, headers and whole body of an answer of the app.
    async fn read<B: actix_web::body::MessageBody>(
        res: impl Into<actix_web::HttpResponse<B>>,
    ) -> Self {
        let res: actix_web::HttpResponse<B> = res.into();
        let status = res.status();
        let headers = res.headers().clone();
        let body = actix_web::body::to_bytes(res.into_body())
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Builder {
    backend: Backend,
    limits: RateLimits,
    env: HashMap<String, String>,
    /// Wire the production `DisabledPush` instead of the recording fake.
    push_disabled: bool,
    queued_deliveries: bool,
    /// Use the configured mail service and object storage instead of the recording mailer and
    /// the temporary directory (tests of the real adapters against local fakes).
    real_mail_and_storage: bool,
    /// Canned place search and calendar pages instead of the unconfigured defaults.
    fake_places: bool,
    /// A calendar reader to use instead of the default (e.g. the real one, exempting a local site).
    calendars: Option<Arc<dyn calndr_ports::CalendarSource>>,
    /// Wire the production `DisabledSms` instead of the recording fake.
    sms_disabled: bool,
    proxied_database: bool,
    proxied_redis: bool,
    /// Another instance's database (`Builder::same_database_as`).
    shared_database: Option<String>,
}

impl Builder {
    /// Use the production rate limits instead of unlimited ones.
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// New hashes in bcrypt at cost 4 instead of argon2id (about 1 s each in a debug build), for
    /// tests whose subject is not the hashing scheme. Every stored hash still verifies.
    pub fn fast_hashing(self) -> Self {
        self.env("CALNDR_PASSWORD_HASH", "bcrypt")
    }

    /// No push provider, as in production today: pushes answer 503.
    pub fn without_push(mut self) -> Self {
        self.push_disabled = true;
        self
    }

    /// Pushes and e-mails go through the job queue, as with configured providers in production:
    /// nothing reaches the recording fakes until `worker.run_once()`.
    /// The mail service and object storage of the configuration (`CALNDR_MAIL`,
    /// `CALNDR_STORAGE`), not the recording mailer and the temporary directory.
    pub fn real_mail_and_storage(mut self) -> Self {
        self.real_mail_and_storage = true;
        self
    }

    pub fn queued_deliveries(mut self) -> Self {
        self.queued_deliveries = true;
        self
    }

    /// Canned place search and calendar pages (`calndr_memory::FakePlaces`, `FakeCalendars`)
    /// instead of the production default, where both answer 503 `provider_not_configured`.
    /// Reads provider calendars through `source` (for example the real `WebCalendars` with a fetcher
    /// that may reach a local fake site).
    pub fn calendars(mut self, source: Arc<dyn calndr_ports::CalendarSource>) -> Self {
        self.calendars = Some(source);
        self
    }

    pub fn fake_places(mut self) -> Self {
        self.fake_places = true;
        self
    }

    /// No SMS provider, as in production until issue #5: `send-pin` answers 503.
    pub fn without_sms(mut self) -> Self {
        self.sms_disabled = true;
        self
    }

    /// The app reaches PostgreSQL through a [`Proxy`] (`TestApp::database_proxy`) that a fault
    /// test can stall or take down.
    pub fn proxied_database(mut self) -> Self {
        self.proxied_database = true;
        self
    }

    /// The app reaches Redis through a [`Proxy`] (`TestApp::redis_proxy`).
    pub fn proxied_redis(mut self) -> Self {
        self.proxied_redis = true;
        self
    }

    /// A second instance of the service on `other`'s database (and, with Redis, the same
    /// Redis): what a second ECS task is. Its own in-process caches, its own pools.
    pub fn same_database_as(mut self, other: &TestApp) -> Self {
        self.shared_database = other.db.as_ref().map(TestDatabase::url);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.insert(key.to_owned(), value.to_owned());
        self
    }

    pub async fn build(self) -> TestApp {
        let db = match self.backend {
            Backend::Memory => None,
            _ if self.shared_database.is_some() => None,
            _ => Some(TestDatabase::new().await),
        };
        let mut env = self.env;
        env.insert("CALNDR_JWT_SECRET".into(), TEST_SECRET.into());
        // No test reaches the internet: weather is off unless a test points it at a fake.
        env.entry("CALNDR_WEATHER_ENABLED".into())
            .or_insert_with(|| "false".into());
        env.entry("CALNDR_CALENDARS_ENABLED".into())
            .or_insert_with(|| "false".into());
        env.insert("CALNDR_HASH_CONCURRENCY".into(), "2".into());
        let mut database_proxy = None;
        if let Some(db) = &db {
            let mut url = db.url();
            if self.proxied_database {
                let upstream = host_port(&url);
                let proxy = Proxy::start(&upstream).await;
                url = through(&url, &upstream, &proxy);
                database_proxy = Some(proxy);
            }
            env.insert("CALNDR_DATABASE_URL".into(), url);
            env.insert("CALNDR_DATABASE_POOL_SIZE".into(), "4".into());
        }
        if let Some(url) = &self.shared_database {
            env.insert("CALNDR_DATABASE_URL".into(), url.clone());
            env.insert("CALNDR_DATABASE_POOL_SIZE".into(), "4".into());
        }
        let mut redis_proxy = None;
        if self.backend == Backend::PostgresRedis {
            let mut url = crate::redis_url();
            if self.proxied_redis {
                let upstream = host_port(&url);
                let proxy = Proxy::start(&upstream).await;
                url = through(&url, &upstream, &proxy);
                redis_proxy = Some(proxy);
            }
            env.insert("CALNDR_REDIS_URL".into(), url);
            env.insert("CALNDR_REDIS_POOL_SIZE".into(), "4".into());
        }
        let config = config::load(&move |k| env.get(k).cloned()).expect("test configuration");
        let upload_dir =
            std::env::temp_dir().join(format!("calndr-uploads-{}", uuid::Uuid::new_v4().simple()));
        let mailer = Arc::new(RecordingMailer::new());
        let memory = Arc::new(MemoryStore::new());
        let push = Arc::new(RecordingPush::new());
        let sms = Arc::new(RecordingSms::new());
        let places = Arc::new(calndr_memory::FakePlaces::new());
        let wired = build_state(
            &config,
            Overrides {
                mailer: (!self.real_mail_and_storage)
                    .then(|| mailer.clone() as Arc<dyn calndr_ports::Mailer>),
                storage: (!self.real_mail_and_storage).then(|| {
                    Arc::new(LocalDirStorage::new(&upload_dir, "http://calndr.test"))
                        as Arc<dyn calndr_ports::ObjectStorage>
                }),
                rate_limits: Some(self.limits),
                bcrypt_cost: Some(4),
                memory: Some(memory.clone()),
                sms: (!self.sms_disabled).then(|| sms.clone() as Arc<dyn calndr_ports::SmsSender>),
                push: (!self.push_disabled)
                    .then(|| push.clone() as Arc<dyn calndr_ports::PushNotifier>),
                queue_deliveries: self.queued_deliveries,
                places: self
                    .fake_places
                    .then(|| places.clone() as Arc<dyn calndr_ports::PlacesSearch>),
                calendars: self.calendars.clone().or_else(|| {
                    self.fake_places.then(|| {
                        Arc::new(calndr_memory::FakeCalendars)
                            as Arc<dyn calndr_ports::CalendarSource>
                    })
                }),
            },
        )
        .expect("wire the test app");
        TestApp {
            state: wired.state,
            mailer,
            upload_dir,
            db,
            secret: TEST_SECRET.into(),
            memory,
            push,
            worker: wired.worker,
            digest: wired.digest,
            places,
            sms,
            database_proxy,
            redis_proxy,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.upload_dir);
    }
}

/// The result of a successful registration through the API.
#[derive(Debug, Clone)]
pub struct Account {
    pub token: String,
    pub user_id: String,
    pub family_id: String,
    pub email: String,
    pub password: String,
}

impl TestApp {
    pub fn builder(backend: Backend) -> Builder {
        Builder {
            backend,
            limits: RateLimits::unlimited(),
            env: HashMap::new(),
            push_disabled: false,
            queued_deliveries: false,
            real_mail_and_storage: false,
            fake_places: false,
            calendars: None,
            sms_disabled: false,
            proxied_database: false,
            proxied_redis: false,
            shared_database: None,
        }
    }

    pub async fn new(backend: Backend) -> Self {
        Self::builder(backend).build().await
    }

    /// Sends a request through the real app factory.
    pub async fn send(&self, req: TestRequest) -> TestResponse {
        self.send_from(req, "127.0.0.1:40000").await
    }

    /// Sends a request from the client address `peer` (`ip:port`). Rate limits key on the client
    /// address, and every test shares one Redis: limit tests use [`random_loopback_peer`].
    pub async fn send_from(&self, req: TestRequest, peer: &str) -> TestResponse {
        let app = init_service(build_app(self.state.clone())).await;
        let req = req
            .peer_addr(peer.parse().expect("peer address is ip:port"))
            .to_request();
        // Answers rendered from an error (the request deadline's 503, the body timer's 408)
        // are returned like any other answer, as actix sends them.
        let res = match try_call_service(&app, req).await {
            Ok(res) => res.map_into_boxed_body().into_parts().1,
            Err(e) => e.error_response(),
        };
        TestResponse::read(res).await
    }

    /// Sends `req` declaring a `content-length` of `declared` bytes of which only `first` ever
    /// arrives, as a client whose connection stalls mid-body. Answers rendered from an error (the
    /// HTTP layer's own time limits) are returned like any other answer.
    pub async fn send_stalled_body(
        &self,
        req: TestRequest,
        first: &'static [u8],
        declared: usize,
    ) -> TestResponse {
        use actix_web::dev::Payload;
        use actix_web::error::PayloadError;
        use futures_util::StreamExt as _;
        let app = init_service(build_app(self.state.clone())).await;
        let stalled = futures_util::stream::once(async move {
            Ok::<_, PayloadError>(actix_web::web::Bytes::from_static(first))
        })
        .chain(futures_util::stream::pending());
        let stalled: std::pin::Pin<
            Box<dyn futures_util::Stream<Item = Result<actix_web::web::Bytes, PayloadError>>>,
        > = Box::pin(stalled);
        let (req, _) = req
            .insert_header(("content-length", declared.to_string()))
            .peer_addr("127.0.0.1:40000".parse().expect("peer address is ip:port"))
            .to_request()
            .replace_payload(Payload::Stream { payload: stalled });
        let res = match try_call_service(&app, req).await {
            Ok(res) => res.map_into_boxed_body().into_parts().1,
            Err(e) => e.error_response(),
        };
        TestResponse::read(res).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(authed(TestRequest::get().uri(path), token)).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.send(authed(TestRequest::post().uri(path), token).set_json(body))
            .await
    }

    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.send(authed(TestRequest::put().uri(path), token).set_json(body))
            .await
    }

    /// A form body sent exactly as given (no re-encoding), like the app's hand-built forms.
    pub async fn post_raw_form(&self, path: &str, token: Option<&str>, body: &str) -> TestResponse {
        self.send(
            authed(TestRequest::post().uri(path), token)
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(body.to_owned()),
        )
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(authed(TestRequest::post().uri(path), token))
            .await
    }

    /// Seeds an enrollment code into the embedded store (the Postgres tests insert a row).
    pub fn seed_memory_code(&self, code: &str, family: &str, creator: &str) {
        self.memory.insert_enrollment_code(
            EnrollmentCode::parse(code, "code").expect("code"),
            EnrollmentCodeRecord {
                family_id: FamilyId::parse(family, "family").expect("family"),
                created_by: UserId::parse(creator, "user").expect("user"),
                expires_at: None,
                revoked: false,
            },
        );
    }

    /// Registers a fresh account through `POST /auth/register`.
    pub async fn register(&self, first_name: &str) -> Account {
        let email = format!(
            "{}-{}@example.com",
            first_name.to_lowercase(),
            uuid::Uuid::new_v4().simple()
        );
        let password = "s3cret+pass&word".to_owned();
        let res = self
            .post_json(
                "/api/v1/auth/register",
                None,
                &serde_json::json!({
                    "first_name": first_name, "last_name": "Tester", "email": email,
                    "password": password, "phone_number": null
                }),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::OK,
            "register: {}",
            String::from_utf8_lossy(&res.body)
        );
        let body = res.json();
        Account {
            token: body["access_token"].as_str().unwrap_or_default().to_owned(),
            user_id: body["user_id"].as_str().unwrap_or_default().to_owned(),
            family_id: body["family_id"].as_str().unwrap_or_default().to_owned(),
            email,
            password,
        }
    }
}

/// A random client address in 127.0.0.0/8 (never 127.0.0.1), so rate-limit counters in the shared
/// Redis belong to one test and one run.
pub fn random_loopback_peer() -> String {
    let [a, b, c]: [u8; 3] = rand::random();
    format!("127.{a}.{b}.{}:40000", c.max(2))
}

fn authed(req: TestRequest, token: Option<&str>) -> TestRequest {
    match token {
        Some(t) => req.insert_header(("authorization", format!("Bearer {t}"))),
        None => req,
    }
}
