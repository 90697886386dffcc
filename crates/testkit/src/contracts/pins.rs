//! The `PinStore` contract (run on memory and Redis: short-lived state shared by every
//! instance, not a storage port).

use calndr_domain::{CodeCheck, VerificationCode};
use calndr_ports::PinStore;
use std::sync::Arc;
use std::time::Duration;

/// PINs: three attempts, deleted once verified or dead, replaced by a new PIN.
pub async fn pins_count_attempts(store: Arc<dyn PinStore>) {
    let subject = format!("calndr:pin:v1:test-{}", uuid::Uuid::new_v4().simple());
    let right = VerificationCode::parse("111222", "pin").expect("pin");
    let wrong = VerificationCode::parse("999888", "pin").expect("pin");
    let ttl = Duration::from_secs(60);
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
    store.put_pin(&subject, &right, ttl).await.expect("put");
    assert_eq!(
        store.check_pin(&subject, &wrong).await.expect("check"),
        CodeCheck::Wrong { remaining: 2 }
    );
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::Verified
    );
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
    store.put_pin(&subject, &right, ttl).await.expect("put");
    for _ in 0..2 {
        store.check_pin(&subject, &wrong).await.expect("check");
    }
    assert_eq!(
        store.check_pin(&subject, &wrong).await.expect("check"),
        CodeCheck::TooManyAttempts
    );
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
    // Expiry.
    store
        .put_pin(&subject, &right, Duration::from_millis(50))
        .await
        .expect("put");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
}
