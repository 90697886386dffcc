//! The delivery queue: the worker's retries and dead letters, and pushes/e-mails handed off by
//! requests and delivered by the worker (the JobQueue contract is in `contracts`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use calndr_app::{JobWorker, QueuedPush, RoundReport, WorkerSettings};
use calndr_memory::{MemoryStore, RecordingMailer, RecordingPush};
use calndr_ports::{JobQueue, PushMessage, PushNotifier, StoreError};
use calndr_postgres::{PgConfig, PgStore};
use calndr_testkit::{Backend, TestApp, TestDatabase};
use serde_json::json;

use crate::family::family_of_two;
use crate::support::{ok, sql};

async fn postgres() -> (Arc<PgStore>, TestDatabase) {
    let db = TestDatabase::new().await;
    let pg = PgStore::connect(
        &db.url(),
        None,
        &PgConfig {
            pool_size: 6,
            ..PgConfig::default()
        },
    )
    .expect("pool");
    (Arc::new(pg), db)
}

/// A push provider that is down for its first `failures` calls.
struct FlakyPush {
    failures: usize,
    calls: AtomicUsize,
    delivered: RecordingPush,
}

#[async_trait]
impl PushNotifier for FlakyPush {
    async fn send(&self, message: PushMessage) -> Result<(), StoreError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            return Err(StoreError::Unavailable("apns: connection refused".into()));
        }
        self.delivered.send(message).await
    }
}

fn worker(
    queue: Arc<dyn JobQueue>,
    push: Arc<dyn PushNotifier>,
    settings: WorkerSettings,
) -> JobWorker {
    JobWorker::new(queue, push, Arc::new(RecordingMailer::new()), settings)
}

fn immediate_retries() -> WorkerSettings {
    WorkerSettings {
        first_backoff: std::time::Duration::ZERO,
        ..WorkerSettings::default()
    }
}

fn message(n: u8) -> PushMessage {
    PushMessage {
        recipient: calndr_domain::UserId::from_uuid(uuid::Uuid::new_v4()),
        device_token: format!("{n:02x}").repeat(32),
        payload: json!({"aps": {"alert": {"title": format!("push {n}")}}}),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_outage_is_retried_until_delivered_and_nothing_is_lost() {
    let (pg, _db) = postgres().await;
    let provider = Arc::new(FlakyPush {
        failures: 2,
        calls: AtomicUsize::new(0),
        delivered: RecordingPush::new(),
    });
    let worker = worker(pg.clone(), provider.clone(), immediate_retries());
    // The request side only enqueues: it succeeds while the provider is down.
    QueuedPush::new(pg.clone())
        .send(message(1))
        .await
        .expect("enqueue");
    assert_eq!(provider.calls.load(Ordering::SeqCst), 0);

    let rounds = [
        worker.run_once().await.expect("round"),
        worker.run_once().await.expect("round"),
        worker.run_once().await.expect("round"),
    ];
    assert_eq!(
        rounds,
        [
            RoundReport {
                retried: 1,
                ..RoundReport::default()
            },
            RoundReport {
                retried: 1,
                ..RoundReport::default()
            },
            RoundReport {
                delivered: 1,
                ..RoundReport::default()
            },
        ]
    );
    let sent = provider.delivered.sent();
    assert_eq!(sent, vec![message_like(&sent, 1)]);
    assert_eq!(pg.counts("deliveries").await.expect("counts").waiting, 0);
}

fn message_like(sent: &[PushMessage], n: u8) -> PushMessage {
    PushMessage {
        recipient: sent[0].recipient,
        ..message(n)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_that_keeps_failing_ends_dead_with_its_error_and_is_not_retried_forever() {
    let queue = Arc::new(MemoryStore::new());
    let provider = Arc::new(FlakyPush {
        failures: usize::MAX,
        calls: AtomicUsize::new(0),
        delivered: RecordingPush::new(),
    });
    let worker = worker(queue.clone(), provider.clone(), immediate_retries());
    QueuedPush::new(queue.clone())
        .send(message(2))
        .await
        .expect("enqueue");
    let mut dead = 0;
    for _ in 0..10 {
        dead += worker.run_once().await.expect("round").dead;
    }
    assert_eq!(dead, 1);
    assert_eq!(
        provider.calls.load(Ordering::SeqCst),
        6,
        "six attempts, then it stops"
    );
    assert_eq!(queue.counts("deliveries").await.expect("counts").dead, 1);
    assert_eq!(
        queue.dead_errors(),
        vec!["storage unavailable: apns: connection refused".to_owned()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_job_kind_is_dead_at_once() {
    let queue = Arc::new(MemoryStore::new());
    queue
        .enqueue(calndr_ports::NewJob {
            queue: "deliveries",
            kind: "fax",
            payload: json!({}),
            run_at: chrono::Utc::now(),
            max_attempts: 6,
        })
        .await
        .expect("enqueue");
    let worker = worker(
        queue.clone(),
        Arc::new(RecordingPush::new()),
        immediate_retries(),
    );
    assert_eq!(worker.run_once().await.expect("round").dead, 1);
    assert_eq!(
        queue.dead_errors(),
        vec!["unknown job kind \"fax\"".to_owned()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custody_change_push_waits_in_the_queue_until_the_worker_delivers_it() {
    let app = TestApp::builder(Backend::Postgres)
        .queued_deliveries()
        .build()
        .await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    ok(&app
        .post_raw_form(
            "/api/v1/users/me/device-token",
            Some(&deb.token),
            &format!("token={}", "b".repeat(64)),
        )
        .await);
    ok(&app
        .post_json(
            "/api/v1/custody/",
            Some(&jeff.token),
            &json!({"date": "2025-03-07", "custodian_id": deb.user_id}),
        )
        .await);
    assert!(
        app.push.sent().is_empty(),
        "the request did not wait for the provider"
    );
    let queued: i64 = sql(&app)
        .await
        .query_one("SELECT count(*) FROM jobs WHERE kind = 'push'", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(queued, 1);

    let round = app.worker.run_once().await.expect("round");
    assert_eq!(round.delivered, 1);
    let sent = app.push.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].device_token, "b".repeat(64));
    assert_eq!(sent[0].payload["type"], "custody_change");
    let left: i64 = sql(&app)
        .await
        .query_one("SELECT count(*) FROM jobs", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(left, 0, "a delivered job leaves the queue");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_reset_email_is_queued_then_sent_by_the_worker() {
    let app = TestApp::builder(Backend::Postgres)
        .queued_deliveries()
        .build()
        .await;
    let (jeff, _) = family_of_two(&app, "Jeff", "Deb").await;
    let path = format!(
        "/api/v1/auth/forgot-password?email={}",
        jeff.email.replace('+', "%2B").replace('@', "%40")
    );
    ok(&app.post(&path, None).await);
    assert!(app.mailer.sent().is_empty());
    assert_eq!(app.worker.run_once().await.expect("round").delivered, 1);
    let sent = app.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.as_str(), jeff.email.to_lowercase());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_loop_delivers_then_stops_when_asked() {
    let queue = Arc::new(MemoryStore::new());
    let push = Arc::new(RecordingPush::new());
    let worker = worker(
        queue.clone(),
        push.clone(),
        WorkerSettings {
            idle_poll: std::time::Duration::from_millis(20),
            ..immediate_retries()
        },
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(calndr_server::worker::run(worker, async {
        let _ = stopped.await;
    }));
    QueuedPush::new(queue.clone())
        .send(message(3))
        .await
        .expect("enqueue");
    for _ in 0..100 {
        if !push.sent().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(push.sent().len(), 1, "delivered while running");
    stop.send(()).expect("stop");
    tokio::time::timeout(std::time::Duration::from_secs(5), running)
        .await
        .expect("the loop stops promptly")
        .expect("join");
}

/// The outbox at the HTTP level: a custody edit by one parent queues one push for the other
/// parent's device in the very transaction that wrote the day (same `xmin`), and an edit the
/// server refuses (409: the date exists) queues nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_custody_edit_queues_its_push_in_the_same_transaction_and_a_refused_edit_none() {
    let app = TestApp::builder(Backend::Postgres)
        .queued_deliveries()
        .build()
        .await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    ok(&app
        .post_raw_form(
            "/api/v1/users/me/device-token",
            Some(&deb.token),
            &format!("token={}", "d".repeat(64)),
        )
        .await);
    let edit = json!({"date": "2025-04-07", "custodian_id": deb.user_id});
    ok(&app
        .post_json("/api/v1/custody/", Some(&jeff.token), &edit)
        .await);
    let db = sql(&app).await;
    let jobs = db
        .query("SELECT kind, payload::text, xmin::text FROM jobs", &[])
        .await
        .expect("jobs");
    assert_eq!(jobs.len(), 1, "one push: Deb's only device");
    let (kind, payload, job_tx): (String, String, String) =
        (jobs[0].get(0), jobs[0].get(1), jobs[0].get(2));
    let payload: serde_json::Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(kind, "push");
    assert_eq!(payload["device_token"], "d".repeat(64));
    assert_eq!(payload["recipient"], deb.user_id);
    assert_eq!(payload["payload"]["type"], "custody_change");
    assert_eq!(payload["payload"]["date"], "2025-04-07");
    let day_tx: String = db
        .query_one(
            "SELECT xmin::text FROM custody WHERE date = '2025-04-07'",
            &[],
        )
        .await
        .expect("day")
        .get(0);
    assert_eq!(
        job_tx, day_tx,
        "the push was queued in the day's transaction"
    );

    let again = app
        .post_json("/api/v1/custody/", Some(&jeff.token), &edit)
        .await;
    assert_eq!(again.status, 409);
    let count: i64 = db
        .query_one("SELECT count(*) FROM jobs", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1, "a refused edit queues no push");
}

/// The other direction of the outbox: when its job cannot be stored (PostgreSQL refuses a NUL
/// character in `jsonb`), the custody days written before it in the transaction roll back too.
#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_cannot_be_stored_rolls_back_the_days_written_with_it() {
    let (pg, _db) = postgres().await;
    let storage = calndr_ports::Storage::of(pg.clone());
    let (jeff, family) = calndr_testkit::contracts::family(&storage, "Jeff").await;
    let date = chrono::NaiveDate::from_ymd_opt(2025, 5, 1).expect("date");
    let day = calndr_domain::CustodyDay {
        date,
        custodian: jeff.id,
        handoff_day: false,
        handoff_time: None,
        handoff_location: None,
    };
    let bad = calndr_ports::NewJob {
        queue: "deliveries",
        kind: "push",
        payload: json!({"device_token": "\u{0}"}),
        run_at: chrono::Utc::now(),
        max_attempts: 6,
    };
    let written = storage
        .custody
        .write_days(
            family,
            jeff.id,
            date,
            date,
            &|_| Ok(vec![day.clone()]),
            &[bad],
        )
        .await;
    assert!(written.is_err(), "the job insert fails");
    assert!(storage
        .custody
        .days(family, date, date)
        .await
        .expect("days")
        .is_empty());
    assert_eq!(pg.counts("deliveries").await.expect("counts").waiting, 0);
}
