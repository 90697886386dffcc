//! The `ReminderStore` contract.

use calndr_domain::ReminderFields;
use calndr_ports::{Storage, StoreError};
use chrono::{NaiveTime, Utc};

use super::{date, family, text};

/// One reminder per family and day; other families cannot touch it.
pub async fn reminders_one_per_day(stores: Storage) {
    let (_, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.reminders;
    let fields = ReminderFields {
        text: text("Pack lunch"),
        notification_enabled: true,
        notification_time: NaiveTime::from_hms_opt(7, 45, 0),
    };
    let day = date("2025-05-10");
    let r = s
        .create_reminder(a, day, &fields, Utc::now())
        .await
        .expect("create");
    assert!(matches!(
        s.create_reminder(a, day, &fields, Utc::now()).await,
        Err(StoreError::Conflict(_))
    ));
    // Another family may use the same day.
    s.create_reminder(b, day, &fields, Utc::now())
        .await
        .expect("other family");
    assert_eq!(
        s.reminder_on(a, day).await.expect("on").map(|x| x.id),
        Some(r.id)
    );
    assert!(matches!(
        s.update_reminder(b, r.id, &fields, Utc::now()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.delete_reminder(b, r.id).await,
        Err(StoreError::NotFound)
    ));
    let cleared = ReminderFields {
        notification_time: None,
        ..fields.clone()
    };
    let u = s
        .update_reminder(a, r.id, &cleared, Utc::now())
        .await
        .expect("update");
    assert_eq!(u.notification_time, None);
    s.delete_reminder(a, r.id).await.expect("delete");
    assert!(s.reminder_on(a, day).await.expect("on").is_none());
}
