//! The `RateLimiter` contract (run on memory and Redis: not a storage port): fixed windows,
//! counted hits, checks that do not count, and reset.

use std::sync::Arc;
use std::time::Duration;

use calndr_ports::{RateDecision, RateLimit, RateLimiter};

fn key(story: &str) -> String {
    format!(
        "calndr-test:contract:{story}:{}",
        uuid::Uuid::new_v4().simple()
    )
}

fn retry_after(d: RateDecision) -> Duration {
    match d {
        RateDecision::Limited { retry_after } => retry_after,
        RateDecision::Allowed => panic!("expected Limited"),
    }
}

/// `max` hits pass, the next is refused with the time left in the window; `check` says the
/// same without counting; keys are independent; `clear` forgets a key.
pub async fn hits_are_counted_per_key_and_clear_resets(rl: Arc<dyn RateLimiter>) {
    let (k, other) = (key("count"), key("other"));
    let l = RateLimit {
        max: 3,
        window: Duration::from_secs(60),
    };
    assert_eq!(rl.check(&k, l).await.expect("check"), RateDecision::Allowed);
    for _ in 0..3 {
        assert_eq!(rl.check(&k, l).await.expect("check"), RateDecision::Allowed);
        assert_eq!(rl.hit(&k, l).await.expect("hit"), RateDecision::Allowed);
    }
    let checked = retry_after(rl.check(&k, l).await.expect("check"));
    assert!(
        checked <= l.window && checked > Duration::from_secs(58),
        "{checked:?}"
    );
    let d = retry_after(rl.hit(&k, l).await.expect("hit"));
    assert!(d <= l.window && d > Duration::from_secs(58), "{d:?}");
    assert_eq!(rl.hit(&other, l).await.expect("hit"), RateDecision::Allowed);

    rl.clear(&k).await.expect("clear");
    assert_eq!(rl.check(&k, l).await.expect("check"), RateDecision::Allowed);
    assert_eq!(rl.hit(&k, l).await.expect("hit"), RateDecision::Allowed);
    rl.clear(&k).await.expect("clear");
    rl.clear(&other).await.expect("clear");
    rl.clear(&key("never-hit"))
        .await
        .expect("clear an absent key");
}

/// The window starts at the first hit and later hits do not stretch it; when it ends the key
/// starts afresh.
pub async fn the_window_is_fixed_and_then_resets(rl: Arc<dyn RateLimiter>) {
    let k = key("window");
    let l = RateLimit {
        max: 1,
        window: Duration::from_millis(400),
    };
    assert_eq!(rl.hit(&k, l).await.expect("hit"), RateDecision::Allowed);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let d = retry_after(rl.hit(&k, l).await.expect("hit"));
    assert!(d <= Duration::from_millis(260), "not stretched: {d:?}");
    tokio::time::sleep(d + Duration::from_millis(100)).await;
    assert_eq!(rl.check(&k, l).await.expect("check"), RateDecision::Allowed);
    assert_eq!(rl.hit(&k, l).await.expect("hit"), RateDecision::Allowed);
    assert!(matches!(
        rl.hit(&k, l).await.expect("hit"),
        RateDecision::Limited { .. }
    ));
    rl.clear(&k).await.expect("clear");
}

/// Concurrent hits on one key are all counted: exactly `max` pass.
pub async fn concurrent_hits_admit_exactly_max(rl: Arc<dyn RateLimiter>) {
    let k = key("concurrent");
    let l = RateLimit {
        max: 10,
        window: Duration::from_secs(60),
    };
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let (rl, k) = (rl.clone(), k.clone());
            tokio::spawn(async move { rl.hit(&k, l).await.expect("hit") })
        })
        .collect();
    let mut allowed = 0;
    for t in tasks {
        if t.await.expect("task") == RateDecision::Allowed {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 10);
    rl.clear(&k).await.expect("clear");
}

/// A window longer than `calndr_ports::MAX_TTL` is cut to it and still limits. Before, the
/// memory limiter could not compute its end (every hit passed) and Redis refused the expiry.
pub async fn a_huge_window_still_limits_on_memory_and_redis(rl: Arc<dyn RateLimiter>) {
    let k = key("huge");
    let l = RateLimit {
        max: 1,
        window: Duration::MAX,
    };
    assert_eq!(rl.hit(&k, l).await.expect("hit"), RateDecision::Allowed);
    let d = retry_after(rl.hit(&k, l).await.expect("hit"));
    assert!(
        d <= calndr_ports::MAX_TTL && d > calndr_ports::MAX_TTL - Duration::from_secs(60),
        "{d:?}"
    );
    rl.clear(&k).await.expect("clear");
}
