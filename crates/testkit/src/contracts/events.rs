//! The `EventStore` contract.

use calndr_domain::{DateRange, EventDraft};
use calndr_ports::{Storage, StoreError};

use super::{date, family};

/// Events are scoped by family; updates return the row before and after; deletes return the row.
pub async fn events_are_family_scoped(stores: Storage) {
    let (_, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.events;
    let draft = EventDraft::new(date("2025-03-31"), "Dentist", None).expect("draft");
    let e = s.create_event(a, &draft).await.expect("create");
    assert_eq!(e.event_type, "regular");
    let march = DateRange::parse("2025-03-01", "2025-03-31").expect("range");
    assert_eq!(
        s.events_in_range(a, march).await.expect("list"),
        vec![e.clone()]
    );
    assert!(s.events_in_range(b, march).await.expect("list").is_empty());

    let moved = EventDraft::new(date("2025-04-01"), "Dentist", Some(1)).expect("draft");
    assert!(matches!(
        s.update_event(b, e.id, &moved).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.delete_event(b, e.id).await,
        Err(StoreError::NotFound)
    ));
    let (before, after) = s.update_event(a, e.id, &moved).await.expect("update");
    assert_eq!(before.date, date("2025-03-31"));
    assert_eq!((after.date, after.position), (date("2025-04-01"), Some(1)));
    let gone = s.delete_event(a, e.id).await.expect("delete");
    assert_eq!(gone.date, date("2025-04-01"));
    assert!(matches!(
        s.delete_event(a, e.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(s
        .provider_events_in_range(a, march)
        .await
        .expect("providers")
        .is_empty());
}
