//! The `CustodyStore` contract.

use std::time::Duration;

use calndr_ports::{JobCounts, NewJob, Storage, StoreError};
use chrono::Utc;
use serde_json::json;

use super::{d, day, family};

/// Writes are units of work: the plan sees the window, a refusing plan writes nothing, upserts
/// keep one record (and its id) per date, and other families see nothing.
pub async fn custody_units_of_work(s: Storage) {
    let (jeff, f) = family(&s, "Jeff").await;
    let u = jeff.id;
    let (_, other) = family(&s, "Olga").await;
    let written = s
        .custody
        .write_days(
            f,
            u,
            d(1),
            d(31),
            &|tl| {
                assert!(tl.is_empty());
                Ok(vec![day(d(3), u), day(d(2), u)])
            },
            &[],
        )
        .await
        .expect("write");
    assert_eq!(
        written.iter().map(|r| r.day.date).collect::<Vec<_>>(),
        vec![d(2), d(3)]
    );
    let refused = s
        .custody
        .write_days(
            f,
            u,
            d(1),
            d(31),
            &|tl| {
                assert_eq!(tl.len(), 2);
                Err(StoreError::Conflict("date"))
            },
            &[],
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    let mut changed = day(d(2), u);
    changed.handoff_day = true;
    changed.handoff_location = Some("daycare".into());
    let again = s
        .custody
        .write_days(
            f,
            u,
            d(2),
            d(2),
            &|tl| {
                assert_eq!(tl.keys().copied().collect::<Vec<_>>(), vec![d(2)]);
                Ok(vec![changed.clone()])
            },
            &[],
        )
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

/// The month view's read: the same days as `days`, each with its custodian's current first
/// name (also a custodian outside the family), in date order; another family sees nothing.
pub async fn days_with_names(s: Storage) {
    let (jeff, f) = family(&s, "Jeff").await;
    let jeff = jeff.id;
    let (olga, other) = family(&s, "Olga").await;
    let olga = olga.id;
    s.custody
        .write_days(
            f,
            jeff,
            d(1),
            d(31),
            &|_| Ok(vec![day(d(5), olga), day(d(4), jeff), day(d(6), jeff)]),
            &[],
        )
        .await
        .expect("write");
    let named = s
        .custody
        .days_with_names(f, d(4), d(5))
        .await
        .expect("named");
    let plain = s.custody.days(f, d(4), d(5)).await.expect("days");
    assert_eq!(
        named.iter().map(|n| n.record.clone()).collect::<Vec<_>>(),
        plain
    );
    assert_eq!(
        named
            .iter()
            .map(|n| n.custodian_name.as_deref())
            .collect::<Vec<_>>(),
        vec![Some("Jeff"), Some("Olga")]
    );
    s.accounts
        .update_profile(
            jeff,
            &calndr_domain::ProfileChanges {
                first_name: Some(
                    calndr_domain::PersonName::parse("Geoff", "first_name").expect("name"),
                ),
                ..calndr_domain::ProfileChanges::default()
            },
            chrono::Utc::now(),
        )
        .await
        .expect("rename");
    let renamed = s
        .custody
        .days_with_names(f, d(1), d(31))
        .await
        .expect("named");
    assert_eq!(
        renamed
            .iter()
            .map(|n| (n.record.day.date, n.custodian_name.as_deref()))
            .collect::<Vec<_>>(),
        vec![
            (d(4), Some("Geoff")),
            (d(5), Some("Olga")),
            (d(6), Some("Geoff"))
        ]
    );
    assert!(s
        .custody
        .days_with_names(other, d(1), d(31))
        .await
        .expect("other")
        .is_empty());
}

const OUTBOX: &str = "contract-outbox";

fn push_job(n: i64) -> NewJob {
    NewJob {
        queue: OUTBOX,
        kind: "push",
        payload: json!({ "n": n }),
        run_at: Utc::now(),
        max_attempts: 5,
    }
}

/// The transactional outbox: the jobs handed to `write_days` are queued exactly when the days
/// are written. A refused unit of work (the plan refuses after the window was read, inside the
/// transaction) leaves neither days nor jobs; a committed one has exactly its jobs.
pub async fn custody_writes_queue_their_jobs(s: Storage) {
    let (jeff, f) = family(&s, "Jeff").await;
    let u = jeff.id;
    let refused = s
        .custody
        .write_days(
            f,
            u,
            d(1),
            d(31),
            &|_| Err(StoreError::Conflict("date")),
            &[push_job(1), push_job(2)],
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    assert_eq!(
        s.jobs.counts(OUTBOX).await.expect("counts"),
        JobCounts::default(),
        "a rolled-back write leaves no job"
    );
    assert!(s
        .custody
        .days(f, d(1), d(31))
        .await
        .expect("days")
        .is_empty());

    let written = s
        .custody
        .write_days(
            f,
            u,
            d(1),
            d(31),
            &|_| Ok(vec![day(d(9), u)]),
            &[push_job(3), push_job(4)],
        )
        .await
        .expect("write");
    assert_eq!(written.len(), 1);
    s.custody
        .write_days(f, u, d(9), d(9), &|_| Ok(vec![day(d(9), u)]), &[])
        .await
        .expect("write without jobs");
    assert_eq!(s.jobs.counts(OUTBOX).await.expect("counts").waiting, 2);
    let claimed = s
        .jobs
        .claim(OUTBOX, 10, Duration::from_secs(600))
        .await
        .expect("claim");
    assert_eq!(
        claimed
            .iter()
            .map(|j| (j.kind.as_str(), j.payload.clone()))
            .collect::<Vec<_>>(),
        vec![("push", json!({ "n": 3 })), ("push", json!({ "n": 4 }))],
        "a committed write has exactly its jobs"
    );
}
