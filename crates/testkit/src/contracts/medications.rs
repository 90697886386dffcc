//! The `MedicationStore` contract.

use calndr_domain::{MedicationFields, MedicationQuery};
use calndr_ports::{Storage, StoreError};
use chrono::Utc;

use super::{date, family, is_not_found, text};

fn med(name: &str, start: Option<&str>, end: Option<&str>, active: bool) -> MedicationFields {
    MedicationFields {
        name: text(name),
        dosage: None,
        frequency: None,
        instructions: None,
        start_date: start.map(date),
        end_date: end.map(date),
        is_active: active,
        reminder_enabled: false,
        reminder_time: None,
        notes: None,
    }
}

/// Medications: filters, the current-on-a-day filter, order (missing dates last either way),
/// pages and totals, and family scoping of every by-id method.
pub async fn medications_page_filter_and_sort_alike(stores: Storage) {
    let (_, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.medications;
    let now = Utc::now();
    let mut ids = Vec::new();
    for f in [
        med("b", Some("2025-01-02"), None, true),
        med("a", Some("2025-01-03"), Some("2025-01-05"), false),
        med("c", None, None, true),
        med("d", Some("2025-01-01"), Some("2025-01-02"), true),
    ] {
        ids.push(s.create_medication(a, &f, now).await.expect("create").id);
    }
    let names = |p: &calndr_domain::MedicationPage| -> Vec<String> {
        p.medications
            .iter()
            .map(|m| m.fields.name.as_str().to_owned())
            .collect()
    };
    let q = |page, limit, sort: &str, order: &str| {
        MedicationQuery::new(Some(page), Some(limit), Some(sort), Some(order)).expect("query")
    };
    let all = s
        .medications(a, q(1, 10, "name", "asc"))
        .await
        .expect("list");
    assert_eq!(
        (names(&all), all.total),
        (vec!["a".into(), "b".into(), "c".into(), "d".into()], 4)
    );
    let by_start = s
        .medications(a, q(1, 10, "start_date", "desc"))
        .await
        .expect("list");
    assert_eq!(names(&by_start), ["a", "b", "d", "c"]);
    let by_start = s
        .medications(a, q(1, 10, "start_date", "asc"))
        .await
        .expect("list");
    assert_eq!(names(&by_start), ["d", "b", "a", "c"]);
    let second = s
        .medications(a, q(2, 3, "name", "desc"))
        .await
        .expect("list");
    assert_eq!((names(&second), second.total), (vec!["a".to_owned()], 4));
    let active = MedicationQuery {
        is_active: Some(true),
        ..q(1, 10, "name", "asc")
    };
    assert_eq!(
        names(&s.medications(a, active).await.expect("list")),
        ["b", "c", "d"]
    );
    let on_day = MedicationQuery {
        current_on: Some(date("2025-01-02")),
        ..q(1, 10, "name", "asc")
    };
    let current = s.medications(a, on_day).await.expect("list");
    assert_eq!(
        (names(&current), current.total),
        (vec!["b".into(), "c".into(), "d".into()], 3)
    );
    assert_eq!(
        s.medications(b, q(1, 10, "name", "asc"))
            .await
            .expect("list")
            .total,
        0
    );

    let id = ids[0];
    assert!(is_not_found(s.medication(b, id).await));
    let read = s.medication(a, id).await.expect("get").updated_at;
    assert!(is_not_found(
        s.replace_medication(b, id, &med("x", None, None, true), read, now)
            .await
    ));
    assert!(is_not_found(s.delete_medication(b, id).await));
    let mut changed = med("b2", Some("2025-01-02"), None, true);
    changed.reminder_enabled = true;
    changed.reminder_time = chrono::NaiveTime::from_hms_opt(8, 0, 0);
    let upd = s
        .replace_medication(a, id, &changed, read, now + chrono::Duration::seconds(1))
        .await
        .expect("replace");
    assert_eq!(upd.fields, changed);
    // A write based on what was read before that one is refused, not lost.
    assert!(matches!(
        s.replace_medication(a, id, &med("stale", None, None, true), read, now)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.medication(a, id).await.expect("get"), upd);
    s.delete_medication(a, id).await.expect("delete");
    assert!(is_not_found(s.medication(a, id).await));
}
