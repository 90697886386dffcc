//! The `JobQueue` contract: leases, retries, dead jobs and concurrent claims.

use std::time::Duration;

use calndr_ports::{JobCounts, NewJob, Storage};
use chrono::Utc;
use serde_json::json;

const Q: &str = "contract";

fn job(n: i64, max_attempts: i32) -> NewJob {
    NewJob {
        queue: Q,
        kind: "push",
        payload: json!({ "n": n }),
        run_at: Utc::now(),
        max_attempts,
    }
}

const LONG: Duration = Duration::from_secs(600);

/// Claimed jobs come oldest first with their payload and attempt count; a leased job is not
/// claimed again; a completed job is gone.
pub async fn claim_lease_and_complete(s: Storage) {
    let queue = s.jobs;
    for n in 1..=3 {
        queue.enqueue(job(n, 5)).await.expect("enqueue");
    }
    let first = queue.claim(Q, 2, LONG).await.expect("claim");
    assert_eq!(
        first
            .iter()
            .map(|j| j.payload["n"].clone())
            .collect::<Vec<_>>(),
        vec![json!(1), json!(2)]
    );
    assert!(first.iter().all(|j| j.attempts == 1 && j.kind == "push"));
    let rest = queue.claim(Q, 10, LONG).await.expect("claim");
    assert_eq!(rest.len(), 1, "leased jobs are skipped");
    assert_eq!(rest[0].payload["n"], 3);
    assert!(queue.claim(Q, 10, LONG).await.expect("claim").is_empty());
    assert!(queue
        .claim("other", 10, LONG)
        .await
        .expect("claim")
        .is_empty());
    for j in first.iter().chain(&rest) {
        queue.complete(j.id).await.expect("complete");
    }
    assert_eq!(queue.counts(Q).await.expect("counts"), JobCounts::default());
}

/// A worker that died leaves its lease to expire: the job is claimed again, one attempt more.
pub async fn an_expired_lease_is_claimed_again(s: Storage) {
    let queue = s.jobs;
    queue.enqueue(job(1, 5)).await.expect("enqueue");
    let short = Duration::from_millis(200);
    let a = queue.claim(Q, 1, short).await.expect("claim");
    assert_eq!(a.len(), 1);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let b = queue.claim(Q, 1, short).await.expect("claim");
    assert_eq!(b.len(), 1, "the lease expired");
    assert_eq!((b[0].id, b[0].attempts), (a[0].id, 2));
}

/// A failed attempt waits for its retry time; a job out of attempts (or given up) is dead:
/// kept, counted, never claimed.
pub async fn failures_retry_later_then_die(s: Storage) {
    let queue = s.jobs;
    queue.enqueue(job(1, 2)).await.expect("enqueue");
    let a = queue.claim(Q, 1, LONG).await.expect("claim").remove(0);
    let later = Utc::now() + chrono::Duration::hours(1);
    queue
        .fail(a.id, "provider down", later, false)
        .await
        .expect("fail");
    assert!(
        queue.claim(Q, 1, LONG).await.expect("claim").is_empty(),
        "not before retry_at"
    );
    queue
        .fail(a.id, "provider down", Utc::now(), false)
        .await
        .expect("fail");
    let b = queue.claim(Q, 1, LONG).await.expect("claim").remove(0);
    assert_eq!(b.attempts, 2);
    queue
        .fail(b.id, "provider down", Utc::now(), false)
        .await
        .expect("fail");
    assert!(
        queue.claim(Q, 1, LONG).await.expect("claim").is_empty(),
        "out of attempts"
    );
    assert_eq!(
        queue.counts(Q).await.expect("counts"),
        JobCounts {
            waiting: 0,
            dead: 1
        }
    );

    queue.enqueue(job(2, 5)).await.expect("enqueue");
    let c = queue.claim(Q, 1, LONG).await.expect("claim").remove(0);
    queue
        .fail(c.id, "unreadable", Utc::now(), true)
        .await
        .expect("give up");
    assert!(queue.claim(Q, 1, LONG).await.expect("claim").is_empty());
    assert_eq!(queue.counts(Q).await.expect("counts").dead, 2);
}

/// Workers claiming at the same time never get the same job.
pub async fn concurrent_claims_are_disjoint(s: Storage) {
    let queue = s.jobs;
    for n in 0..40 {
        queue.enqueue(job(n, 5)).await.expect("enqueue");
    }
    let claims = (0..4).map(|_| {
        let q = queue.clone();
        tokio::spawn(async move { q.claim(Q, 15, LONG).await.expect("claim") })
    });
    let mut ids = Vec::new();
    for c in claims {
        ids.extend(c.await.expect("join").into_iter().map(|j| j.id));
    }
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "no job claimed twice");
    assert_eq!(total, 40);
}
