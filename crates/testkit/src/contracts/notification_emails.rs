//! The `NotificationEmailStore` contract.

use calndr_domain::{EmailAddress, NotificationEmailId};
use calndr_ports::{Storage, StoreError};
use chrono::Utc;

use super::family;

/// Alert e-mails are scoped by family.
pub async fn notification_emails_are_family_scoped(stores: Storage) {
    let (_, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.notification_emails;
    let addr = EmailAddress::parse("alerts@example.com").expect("email");
    let e = s
        .add_notification_email(a, &addr, Utc::now())
        .await
        .expect("add");
    assert_eq!(
        s.notification_emails(a).await.expect("list"),
        vec![e.clone()]
    );
    assert!(s.notification_emails(b).await.expect("list").is_empty());
    assert!(matches!(
        s.update_notification_email(b, e.id, &addr).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.delete_notification_email(b, e.id).await,
        Err(StoreError::NotFound)
    ));
    s.delete_notification_email(a, e.id).await.expect("delete");
    assert!(matches!(
        s.delete_notification_email(a, NotificationEmailId::new(e.id.get()))
            .await,
        Err(StoreError::NotFound)
    ));
}
