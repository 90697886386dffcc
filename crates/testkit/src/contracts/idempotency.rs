//! The `IdempotencyStore` contract: one claim per key, answers kept per scope, stale claims and
//! expired keys free again, concurrent claims of one key won once.

use std::time::Duration;

use calndr_domain::{IdempotencyKey, IdempotencyRecord, IdempotencyScope, StoredResponse, UserId};
use calndr_ports::{Claim, Storage, StoreError};
use uuid::Uuid;

const LIVE: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn key(raw: &str) -> IdempotencyKey {
    IdempotencyKey::parse(raw).expect("key")
}

fn answer(body: &str) -> StoredResponse {
    StoredResponse {
        status: 200,
        content_type: "application/json".into(),
        body: body.as_bytes().to_vec(),
    }
}

/// The first claim wins; its answer is what the key then holds, in its scope only; a claim whose
/// answer was a failure is released and the key can be claimed again.
pub async fn claims_answers_and_scopes(s: Storage) {
    let store = s.idempotency;
    let alice = IdempotencyScope::user(UserId::random());
    let bob = IdempotencyScope::user(UserId::random());
    let k = key("retry-1");
    let first = Uuid::new_v4();
    assert_eq!(
        store
            .claim(&alice, &k, "fp-a", first, LIVE, DAY)
            .await
            .expect("claim"),
        Claim::Claimed
    );
    assert_eq!(
        store
            .claim(&alice, &k, "fp-a", Uuid::new_v4(), LIVE, DAY)
            .await
            .expect("claim"),
        Claim::Held(IdempotencyRecord {
            fingerprint: "fp-a".into(),
            response: None
        }),
        "a running claim holds the key"
    );
    // Another user's identical key is another key.
    assert_eq!(
        store
            .claim(&bob, &k, "fp-a", Uuid::new_v4(), LIVE, DAY)
            .await
            .expect("claim"),
        Claim::Claimed
    );
    // Only the holder completes.
    assert!(matches!(
        store
            .complete(&alice, &k, Uuid::new_v4(), &answer("{}"))
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .complete(&alice, &k, first, &answer(r#"{"id":1}"#))
        .await
        .expect("complete");
    assert_eq!(
        store
            .claim(&alice, &k, "fp-b", Uuid::new_v4(), LIVE, DAY)
            .await
            .expect("claim"),
        Claim::Held(IdempotencyRecord {
            fingerprint: "fp-a".into(),
            response: Some(answer(r#"{"id":1}"#)),
        })
    );
    // A completed key cannot be released; a running one can.
    store.release(&alice, &k, first).await.expect("release");
    assert!(matches!(
        store
            .claim(&alice, &k, "fp-a", Uuid::new_v4(), LIVE, DAY)
            .await,
        Ok(Claim::Held(IdempotencyRecord {
            response: Some(_),
            ..
        }))
    ));
    let k2 = key("retry-2");
    let c = Uuid::new_v4();
    assert_eq!(
        store
            .claim(&alice, &k2, "fp", c, LIVE, DAY)
            .await
            .expect("claim"),
        Claim::Claimed
    );
    store.release(&alice, &k2, c).await.expect("release");
    assert_eq!(
        store
            .claim(&alice, &k2, "fp", Uuid::new_v4(), LIVE, DAY)
            .await
            .expect("claim"),
        Claim::Claimed,
        "a released key is free"
    );
}

/// A claim that never answered is free after the in-progress lifetime (a crashed request does
/// not hold its key forever), and the stale claim can no longer complete; an answered key is
/// free after the key lifetime, and the maintenance delete removes it.
pub async fn stale_claims_and_expired_keys_are_free(s: Storage) {
    let store = s.idempotency;
    let scope = IdempotencyScope::user(UserId::random());
    let k = key("crashed");
    let dead = Uuid::new_v4();
    let short = Duration::from_millis(300);
    assert_eq!(
        store
            .claim(&scope, &k, "fp", dead, short, DAY)
            .await
            .expect("claim"),
        Claim::Claimed
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    let next = Uuid::new_v4();
    assert_eq!(
        store
            .claim(&scope, &k, "fp", next, short, DAY)
            .await
            .expect("claim"),
        Claim::Claimed,
        "the stale claim is taken over"
    );
    assert!(matches!(
        store.complete(&scope, &k, dead, &answer("{}")).await,
        Err(StoreError::NotFound)
    ));
    store
        .complete(&scope, &k, next, &answer("{}"))
        .await
        .expect("complete");

    let ttl = Duration::from_millis(300);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        store
            .claim(&scope, &k, "other", Uuid::new_v4(), LIVE, ttl)
            .await
            .expect("claim"),
        Claim::Claimed,
        "an expired answer is ignored"
    );
    let old = key("old");
    let c = Uuid::new_v4();
    store
        .claim(&scope, &old, "fp", c, LIVE, DAY)
        .await
        .expect("claim");
    store
        .complete(&scope, &old, c, &answer("{}"))
        .await
        .expect("complete");
    assert_eq!(store.delete_expired(DAY, 100).await.expect("sweep"), 0);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(store.delete_expired(ttl, 100).await.expect("sweep"), 2);
    assert_eq!(
        store
            .claim(&scope, &old, "new", Uuid::new_v4(), LIVE, DAY)
            .await
            .expect("claim"),
        Claim::Claimed
    );
}

/// Eight concurrent claims of one key: exactly one holds it.
pub async fn concurrent_claims_win_once(s: Storage) {
    let scope = IdempotencyScope::user(UserId::random());
    let k = key("tap-tap-tap");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = s.idempotency.clone();
            let (scope, k) = (scope.clone(), k.clone());
            tokio::spawn(async move {
                store
                    .claim(&scope, &k, "fp", Uuid::new_v4(), LIVE, DAY)
                    .await
                    .expect("claim")
            })
        })
        .collect();
    let mut claimed = 0;
    for t in tasks {
        if t.await.expect("task") == Claim::Claimed {
            claimed += 1;
        }
    }
    assert_eq!(claimed, 1);
}
