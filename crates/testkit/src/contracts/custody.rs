//! The `CustodyStore` contract.

use calndr_ports::{Storage, StoreError};

use super::{d, day, family};

/// Writes are units of work: the plan sees the window, a refusing plan writes nothing, upserts
/// keep one record (and its id) per date, and other families see nothing.
pub async fn custody_units_of_work(s: Storage) {
    let (jeff, f) = family(&s, "Jeff").await;
    let u = jeff.id;
    let (_, other) = family(&s, "Olga").await;
    let written = s
        .custody
        .write_days(f, u, d(1), d(31), &|tl| {
            assert!(tl.is_empty());
            Ok(vec![day(d(3), u), day(d(2), u)])
        })
        .await
        .expect("write");
    assert_eq!(
        written.iter().map(|r| r.day.date).collect::<Vec<_>>(),
        vec![d(2), d(3)]
    );
    let refused = s
        .custody
        .write_days(f, u, d(1), d(31), &|tl| {
            assert_eq!(tl.len(), 2);
            Err(StoreError::Conflict("date"))
        })
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    let mut changed = day(d(2), u);
    changed.handoff_day = true;
    changed.handoff_location = Some("daycare".into());
    let again = s
        .custody
        .write_days(f, u, d(2), d(2), &|tl| {
            assert_eq!(tl.keys().copied().collect::<Vec<_>>(), vec![d(2)]);
            Ok(vec![changed.clone()])
        })
        .await
        .expect("upsert");
    assert_eq!(again[0].id, written[0].id, "same record, same id");
    let all = s.custody.days(f, d(1), d(31)).await.expect("days");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].day, changed);
    let latest = s.custody.latest_days(f, 1).await.expect("latest");
    assert_eq!(latest[0].day.date, d(3));
    assert!(s
        .custody
        .record(other, written[0].id)
        .await
        .expect("record")
        .is_none());
    assert!(s
        .custody
        .days(other, d(1), d(31))
        .await
        .expect("days")
        .is_empty());
    let stats = s.custody.stats(f).await.expect("stats");
    assert_eq!((stats.total, stats.handoffs), (2, 1));
    assert_eq!((stats.earliest, stats.latest), (Some(d(2)), Some(d(3))));
}
