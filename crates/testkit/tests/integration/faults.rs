//! Faults on loopback (issue #12): PostgreSQL stalled, PostgreSQL restarted and Redis stalled,
//! each between the app and the real server through a `calndr_testkit::proxy::Proxy`. Each test
//! counts what a user would notice (answers by status, hangs, writes acknowledged against writes
//! found) and prints the counts (`cargo test ... faults -- --nocapture`).
//!
//! SIGTERM under load needs the real binary: `crates/server/tests/process.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use calndr_testkit::app::Account;
use calndr_testkit::proxy::Mode;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::json;
use tokio::sync::Mutex;

use crate::support::{ok, sql};

/// The request deadline of these apps (production: 10 s), short so that the tests are.
const DEADLINE: Duration = Duration::from_secs(3);
/// What "answered within the deadline" allows on top of it (scheduling on a busy 2-core CI).
const SLACK: Duration = Duration::from_millis(1500);

async fn app_through_proxies(backend: Backend) -> TestApp {
    let builder = TestApp::builder(backend)
        .fast_hashing()
        .proxied_database()
        .env(
            "CALNDR_REQUEST_TIMEOUT_MS",
            &DEADLINE.as_millis().to_string(),
        );
    let builder = if backend == Backend::PostgresRedis {
        builder.proxied_redis()
    } else {
        builder
    };
    builder.build().await
}

/// What the answers to a batch of requests were.
#[derive(Debug, Default)]
struct Tally {
    by_status: BTreeMap<u16, usize>,
    /// Requests with no answer after the deadline and its slack.
    hangs: usize,
    /// 503 answers without `Retry-After`.
    without_retry_after: usize,
    /// Answers without the request id every answer carries (logged and counted as answered).
    without_request_id: usize,
    slowest: Duration,
}

impl Tally {
    fn record(&mut self, answer: Option<&TestResponse>, took: Duration) {
        self.slowest = self.slowest.max(took);
        match answer {
            None => self.hangs += 1,
            Some(res) => {
                *self.by_status.entry(res.status.as_u16()).or_default() += 1;
                if res.status == StatusCode::SERVICE_UNAVAILABLE
                    && res.header("retry-after").is_none()
                {
                    self.without_retry_after += 1;
                }
                if res.header("x-request-id").is_none() {
                    self.without_request_id += 1;
                }
            }
        }
    }

    fn total(&self) -> usize {
        self.hangs + self.by_status.values().sum::<usize>()
    }

    fn count(&self, status: u16) -> usize {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    fn server_errors_other_than_503(&self) -> usize {
        self.by_status
            .iter()
            .filter(|(s, _)| **s >= 500 && **s != 503)
            .map(|(_, n)| n)
            .sum()
    }
}

/// `req` with a limit: `None` when it has not answered within the deadline and its slack.
async fn timed<F: std::future::Future<Output = TestResponse>>(
    req: F,
) -> (Option<TestResponse>, Duration) {
    let start = Instant::now();
    let answer = tokio::time::timeout(DEADLINE + SLACK, req).await.ok();
    (answer, start.elapsed())
}

/// The requests of one app open that need the database when nothing is cached: a custody month
/// and an events month never read before, the family's reminders, and two writes.
async fn database_requests(
    app: &TestApp,
    who: &Account,
    round: u32,
) -> Vec<(Option<TestResponse>, Duration)> {
    let t = Some(who.token.as_str());
    let month = 1 + round % 12;
    let year = 2030 + round / 12;
    let reads = [
        format!("/api/v1/custody/{year}/{month}"),
        format!("/api/v1/events/{year}/{month}"),
        format!("/api/v1/reminders/?start_date={year}-{month:02}-01&end_date={year}-{month:02}-28"),
        "/api/v1/family/members".to_owned(),
    ];
    let mut all = Vec::new();
    let gets = futures_util::future::join_all(reads.iter().map(|path| timed(app.get(path, t))));
    let event =
        json!({"event_date": format!("{year}-{month:02}-03"), "content": format!("stall {round}")});
    let custody = json!({"date": format!("{year}-{month:02}-04"), "custodian_id": who.user_id});
    let (gets, posted, put) = tokio::join!(
        gets,
        timed(app.post_json("/api/v1/events/", t, &event)),
        timed(app.post_json("/api/v1/custody/", t, &custody)),
    );
    all.extend(gets);
    all.push(posted);
    all.push(put);
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_postgres_answers_every_request_503_with_retry_after_within_the_deadline() {
    let app = app_through_proxies(Backend::Postgres).await;
    let proxy = app.database_proxy.clone().expect("database proxy");
    let alice = app.register("Alice").await;
    ok(&app.get("/api/v1/users/profile", Some(&alice.token)).await);

    // PostgreSQL frozen: bytes stop, connections stay open (SIGSTOP on the server, a silent
    // network). Three waves of six requests, the last after the pool's own 5 s wait would end.
    proxy.set(Mode::Stall);
    let stalled_at = Instant::now();
    let mut stalled = Tally::default();
    for round in 0..3 {
        for (answer, took) in database_requests(&app, &alice, round).await {
            stalled.record(answer.as_ref(), took);
        }
    }
    let stall_lasted = stalled_at.elapsed();
    proxy.set(Mode::Forward);

    // Back: the same requests answer without an app restart.
    let resumed = Instant::now();
    let recovered = loop {
        let res = app.get("/api/v1/custody/2031/6", Some(&alice.token)).await;
        if res.status == StatusCode::OK {
            break resumed.elapsed();
        }
        assert!(
            resumed.elapsed() < Duration::from_secs(5),
            "not recovered 5 s after PostgreSQL came back: {} {}",
            res.status,
            String::from_utf8_lossy(&res.body)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut after = Tally::default();
    for (answer, took) in database_requests(&app, &alice, 20).await {
        after.record(answer.as_ref(), took);
    }
    println!(
        "PostgreSQL stalled {:.1} s: {} requests, {:?} by status, {} hangs, {} 503 without Retry-After, slowest {} ms; recovered in {} ms; after: {:?}",
        stall_lasted.as_secs_f64(),
        stalled.total(),
        stalled.by_status,
        stalled.hangs,
        stalled.without_retry_after,
        stalled.slowest.as_millis(),
        recovered.as_millis(),
        after.by_status
    );
    assert_eq!(stalled.total(), 18);
    assert_eq!(stalled.hangs, 0, "every request answers: {stalled:?}");
    assert_eq!(
        stalled.count(503),
        18,
        "each answer is 503 service_unavailable: {stalled:?}"
    );
    assert_eq!(stalled.without_retry_after, 0, "{stalled:?}");
    assert_eq!(stalled.without_request_id, 0, "{stalled:?}");
    assert!(stalled.slowest <= DEADLINE + SLACK, "{stalled:?}");
    assert!(
        after.by_status.keys().all(|s| *s < 300),
        "after recovery every request succeeds: {after:?}"
    );
}

/// Terminates every PostgreSQL backend the app is connected to (SQLSTATE 57P01, what a fast
/// shutdown sends each session), then refuses connections for `down` (the restart itself).
async fn restart_postgres(app: &TestApp, down: Duration) -> usize {
    let proxy = app.database_proxy.clone().expect("database proxy");
    let admin = sql(app).await;
    let ports: Vec<i32> = proxy.upstream_ports().into_iter().map(i32::from).collect();
    let terminated = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE client_port = ANY($1) AND pid <> pg_backend_pid()",
            &[&ports],
        )
        .await
        .expect("terminate the app's sessions")
        .len();
    tokio::time::sleep(Duration::from_millis(50)).await;
    proxy.set(Mode::Down);
    tokio::time::sleep(down).await;
    proxy.set(Mode::Forward);
    terminated
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_restart_answers_no_500_loses_no_acknowledged_write_and_recovers() {
    let app = Arc::new(app_through_proxies(Backend::Postgres).await);
    let alice = app.register("Alice").await;
    let writers = 6;
    let run_for = Duration::from_secs(7);
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let first_ok_after_restart = Arc::new(Mutex::new(None::<Instant>));
    let restored_at = Arc::new(Mutex::new(None::<Instant>));
    let start = Instant::now();
    // One task: the test service is not `Send`; the writers and the restart run concurrently on
    // it, each awaiting its own requests.
    let writer = |w: usize| {
        let (app, token) = (app.clone(), alice.token.clone());
        let (acknowledged, tally) = (acknowledged.clone(), tally.clone());
        let (first_ok, restored_at) = (first_ok_after_restart.clone(), restored_at.clone());
        async move {
            let mut n = 0u32;
            while start.elapsed() < run_for {
                n += 1;
                let content = format!("restart w{w} n{n}");
                let body = json!({"event_date": "2026-05-05", "content": content});
                let (answer, took) =
                    timed(app.post_json("/api/v1/events/", Some(&token), &body)).await;
                if let Some(res) = &answer {
                    if res.status.is_success() {
                        acknowledged.lock().await.push(content);
                        if restored_at.lock().await.is_some() {
                            first_ok.lock().await.get_or_insert(Instant::now());
                        }
                    }
                }
                tally.lock().await.record(answer.as_ref(), took);
            }
        }
    };
    let restart = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let terminated = restart_postgres(&app, Duration::from_millis(1500)).await;
        let restored = Instant::now();
        *restored_at.lock().await = Some(restored);
        (terminated, restored)
    };
    let ((terminated, restored), _) = tokio::join!(
        restart,
        futures_util::future::join_all((0..writers).map(writer))
    );
    let tally = tally.lock().await;
    let acknowledged = acknowledged.lock().await;
    let found: Vec<String> = sql(&app)
        .await
        .query(
            "SELECT content FROM events WHERE content LIKE 'restart w%'",
            &[],
        )
        .await
        .expect("count events")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let lost = acknowledged.iter().filter(|c| !found.contains(c)).count();
    let recovered_in = first_ok_after_restart
        .lock()
        .await
        .map(|t| t.saturating_duration_since(restored));
    println!(
        "PostgreSQL restarted ({terminated} sessions terminated, down 1.5 s) under {writers} writers for {} s: {} requests, {:?} by status, {} hangs, {} 503 without Retry-After; writes acknowledged {}, found {}, lost {lost}; first success {} ms after it came back",
        run_for.as_secs(),
        tally.total(),
        tally.by_status,
        tally.hangs,
        tally.without_retry_after,
        acknowledged.len(),
        found.len(),
        recovered_in.map_or(-1, |d| d.as_millis() as i64)
    );
    assert!(terminated > 0, "the app had sessions to lose");
    assert_eq!(tally.server_errors_other_than_503(), 0, "no 500: {tally:?}");
    assert_eq!(tally.hangs, 0, "{tally:?}");
    assert_eq!(tally.without_retry_after, 0, "{tally:?}");
    assert!(tally.count(503) > 0, "the restart was noticed: {tally:?}");
    assert_eq!(lost, 0, "every acknowledged write is stored");
    assert!(
        recovered_in.is_some_and(|d| d <= Duration::from_secs(5)),
        "writes succeed again within 5 s of the restart: {recovered_in:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_redis_leaves_every_read_answering_from_postgres_within_the_deadline() {
    let app = app_through_proxies(Backend::PostgresRedis).await;
    let proxy = app.redis_proxy.clone().expect("redis proxy");
    let alice = app.register("Alice").await;
    let t = Some(alice.token.as_str());
    ok(&app
        .post_json(
            "/api/v1/events/",
            t,
            &json!({"event_date": "2026-03-03", "content": "before the stall"}),
        )
        .await);
    let reads = [
        "/api/v1/users/profile",
        "/api/v1/custody/2026/3",
        "/api/v1/events/2026/3",
        "/api/v1/family/custodians",
        "/api/v1/reminders/?start_date=2026-03-01&end_date=2026-03-31",
    ];
    for path in reads {
        ok(&app.get(path, t).await);
    }

    proxy.set(Mode::Stall);
    let mut tally = Tally::default();
    let mut events_seen = 0;
    for _ in 0..4 {
        for path in reads {
            let (answer, took) = timed(app.get(path, t)).await;
            if path.starts_with("/api/v1/events/") {
                events_seen += answer
                    .as_ref()
                    .map(|r| r.json().as_array().map_or(0, Vec::len))
                    .unwrap_or(0);
            }
            tally.record(answer.as_ref(), took);
        }
    }
    proxy.set(Mode::Forward);
    println!(
        "Redis stalled: {} reads, {:?} by status, {} hangs, slowest {} ms",
        tally.total(),
        tally.by_status,
        tally.hangs,
        tally.slowest.as_millis()
    );
    assert_eq!(tally.hangs, 0, "{tally:?}");
    assert_eq!(
        tally.count(200),
        20,
        "every read answers from PostgreSQL: {tally:?}"
    );
    assert!(tally.slowest <= DEADLINE, "{tally:?}");
    assert_eq!(events_seen, 4, "the events month is read, not emptied");
}
