//! The `Cache` contract (run on memory and Redis: not a storage port). Each story gets a fresh
//! adapter, so the hit/miss counters start at zero, and keys of its own, since Redis is shared.

use std::sync::Arc;
use std::time::Duration;

use calndr_ports::{Cache, StoreError};

/// Keys no other story, test run or process shares.
fn keys(story: &str) -> impl Fn(&str) -> String {
    let prefix = format!(
        "calndr-test:contract:{story}:{}:",
        uuid::Uuid::new_v4().simple()
    );
    move |name| format!("{prefix}{name}")
}

const MINUTE: Duration = Duration::from_secs(60);

/// Values are bytes, read back as written, replaced by a rewrite and gone once deleted; reads
/// are counted as hits and misses.
pub async fn values_round_trip_and_delete(cache: Arc<dyn Cache>) {
    let k = keys("round_trip");
    let (a, b) = (k("a"), k("b"));
    assert_eq!(cache.get(&a).await.expect("get"), None);
    cache.set(&a, b"\x00bytes\xff", MINUTE).await.expect("set");
    cache.set(&b, b"two", MINUTE).await.expect("set");
    assert_eq!(
        cache.get(&a).await.expect("get"),
        Some(b"\x00bytes\xff".to_vec())
    );
    cache.set(&a, b"again", MINUTE).await.expect("set");
    assert_eq!(cache.get(&a).await.expect("get"), Some(b"again".to_vec()));
    assert_eq!(
        cache
            .get_many(&[b.clone(), k("absent"), a.clone()])
            .await
            .expect("get_many"),
        vec![Some(b"two".to_vec()), None, Some(b"again".to_vec())],
        "in the order asked"
    );
    assert_eq!(cache.get_many(&[]).await.expect("get_many"), Vec::new());
    cache
        .delete(&[a.clone(), b.clone(), k("absent")])
        .await
        .expect("delete");
    cache.delete(&[]).await.expect("delete nothing");
    assert_eq!(cache.get(&a).await.expect("get"), None);
    assert_eq!(cache.get(&b).await.expect("get"), None);
    // Hits: a, a, b, a (get_many). Misses: a, absent (get_many), a, b.
    assert_eq!(cache.stats().snapshot(), (4, 4, 0));
}

/// An entry lives for its own TTL; a rewrite gives it a fresh one.
pub async fn entries_expire_at_their_own_ttl(cache: Arc<dyn Cache>) {
    let k = keys("expiry");
    let (short, long) = (k("short"), k("long"));
    cache
        .set(&short, b"s", Duration::from_millis(150))
        .await
        .expect("set");
    cache.set(&long, b"l", MINUTE).await.expect("set");
    assert_eq!(cache.get(&short).await.expect("get"), Some(b"s".to_vec()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cache.get(&short).await.expect("get"), None, "expired");
    assert_eq!(cache.get(&long).await.expect("get"), Some(b"l".to_vec()));
    cache.set(&short, b"s2", MINUTE).await.expect("set");
    assert_eq!(cache.get(&short).await.expect("get"), Some(b"s2".to_vec()));
    cache.delete(&[short, long]).await.expect("delete");
}

/// A zero TTL keeps nothing (and so removes what was there) and a huge one is cut to a year.
/// Redis used to keep a zero-TTL value for 1 ms and to refuse `Duration::MAX` (`PX` past its
/// clock range); the adapter now deletes for zero and cuts at `calndr_ports::MAX_TTL`.
pub async fn zero_ttl_keeps_nothing_and_a_huge_ttl_is_cut_on_redis_too(cache: Arc<dyn Cache>) {
    let k = keys("ttl_edges");
    let (v, once, n, huge) = (k("v"), k("once"), k("n"), k("huge"));
    cache.set(&v, b"old", MINUTE).await.expect("set");
    cache
        .set(&v, b"new", Duration::ZERO)
        .await
        .expect("set zero");
    assert_eq!(cache.get(&v).await.expect("get"), None, "nothing kept");

    assert!(cache
        .set_if_absent(&once, b"x", Duration::ZERO)
        .await
        .expect("set_if_absent zero"));
    assert_eq!(cache.get(&once).await.expect("get"), None);
    cache.set(&once, b"held", MINUTE).await.expect("set");
    assert!(!cache
        .set_if_absent(&once, b"x", Duration::ZERO)
        .await
        .expect("set_if_absent zero"));
    assert_eq!(cache.get(&once).await.expect("get"), Some(b"held".to_vec()));

    assert_eq!(cache.incr(&n, 7, Duration::ZERO).await.expect("incr"), 8);
    assert_eq!(cache.get(&n).await.expect("get"), None, "counted, not kept");

    cache
        .set(&huge, b"h", Duration::MAX)
        .await
        .expect("a huge TTL is cut, not refused");
    assert_eq!(cache.get(&huge).await.expect("get"), Some(b"h".to_vec()));
    assert!(!cache
        .set_if_absent(&huge, b"x", Duration::MAX)
        .await
        .expect("set_if_absent huge"));
    assert_eq!(
        cache.incr(&n, 0, Duration::MAX).await.expect("incr huge"),
        1
    );
    assert_eq!(cache.get(&n).await.expect("get"), Some(b"1".to_vec()));
    cache.delete(&[once, n, huge]).await.expect("delete");
}

/// `set_if_absent` stores once while the first value lives, and again once it has expired.
pub async fn set_if_absent_stores_once(cache: Arc<dyn Cache>) {
    let k = keys("set_if_absent");
    let a = k("a");
    assert!(cache.set_if_absent(&a, b"first", MINUTE).await.expect("nx"));
    assert!(!cache
        .set_if_absent(&a, b"second", MINUTE)
        .await
        .expect("nx"));
    assert_eq!(cache.get(&a).await.expect("get"), Some(b"first".to_vec()));
    let gone = k("gone");
    cache
        .set(&gone, b"x", Duration::from_millis(100))
        .await
        .expect("set");
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(
        cache.set_if_absent(&gone, b"y", MINUTE).await.expect("nx"),
        "expired counts as absent"
    );
    assert_eq!(cache.get(&gone).await.expect("get"), Some(b"y".to_vec()));
    cache.delete(&[a, gone]).await.expect("delete");
}

/// Counters start at `start`, count one by one (concurrently too), read as decimal text,
/// expire, and refuse a key that holds something else without changing it.
pub async fn counters_start_count_and_refuse_other_values(cache: Arc<dyn Cache>) {
    let k = keys("counters");
    let (n, text, short) = (k("n"), k("text"), k("short"));
    assert_eq!(cache.incr(&n, 41, MINUTE).await.expect("incr"), 42);
    assert_eq!(cache.incr(&n, 41, MINUTE).await.expect("incr"), 43);
    assert_eq!(cache.get(&n).await.expect("get"), Some(b"43".to_vec()));

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (cache, n) = (cache.clone(), n.clone());
            tokio::spawn(async move { cache.incr(&n, 0, MINUTE).await.expect("incr") })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.expect("task"));
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (44..64).collect::<Vec<u64>>(),
        "every hit counted once"
    );

    cache.set(&text, b"first", MINUTE).await.expect("set");
    assert!(matches!(
        cache.incr(&text, 0, MINUTE).await,
        Err(StoreError::Unexpected(_))
    ));
    assert_eq!(
        cache.get(&text).await.expect("get"),
        Some(b"first".to_vec())
    );

    cache
        .incr(&short, 0, Duration::from_millis(100))
        .await
        .expect("incr");
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        cache.get(&short).await.expect("get"),
        None,
        "a counter expires"
    );
    assert_eq!(
        cache.incr(&short, 5, MINUTE).await.expect("incr"),
        6,
        "and starts again"
    );
    cache.delete(&[n, text, short]).await.expect("delete");
}
