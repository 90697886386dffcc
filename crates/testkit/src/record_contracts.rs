//! Behavioural contracts of the family-record stores (events, reminders, journal, alert e-mails,
//! group chats). Each function is one story; the integration tests run it against the memory and
//! the Postgres adapters. `accounts` creates the families and authors the records need.

use std::sync::Arc;

use calndr_domain::{
    BoundedText, ContactType, DateRange, EmailAddress, EventDraft, FamilyId, JournalChanges,
    JournalQuery, NewJournalEntry, NotificationEmailId, ReminderFields, User,
};
use calndr_ports::{
    AccountStore, EventStore, GroupChatStore, JournalStore, NotificationEmailStore, ReminderStore,
    StoreError,
};
use chrono::{NaiveDate, NaiveTime, Utc};

use crate::contracts::new_account;

/// Every store of the family records, from one adapter.
#[derive(Clone)]
pub struct RecordStores {
    pub accounts: Arc<dyn AccountStore>,
    pub events: Arc<dyn EventStore>,
    pub reminders: Arc<dyn ReminderStore>,
    pub journal: Arc<dyn JournalStore>,
    pub emails: Arc<dyn NotificationEmailStore>,
    pub chats: Arc<dyn GroupChatStore>,
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn text(s: &str) -> BoundedText {
    BoundedText::parse(s, "text", 1000, false).expect("text")
}

async fn family(stores: &RecordStores, name: &str) -> (User, FamilyId) {
    let email = format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple());
    let user = stores
        .accounts
        .create_account(new_account(name, &email))
        .await
        .expect("account");
    let fam = user.family_id.expect("family");
    (user, fam)
}

/// Events are scoped by family; updates return the row before and after; deletes return the row.
pub async fn events_are_family_scoped(stores: RecordStores) {
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

/// One reminder per family and day; other families cannot touch it.
pub async fn reminders_one_per_day(stores: RecordStores) {
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

/// Journal entries carry the author's name; only the author changes them.
pub async fn journal_is_author_only(stores: RecordStores) {
    let (author, a) = family(&stores, "Ann").await;
    let (stranger, b) = family(&stores, "Ben").await;
    let s = &stores.journal;
    let entry = NewJournalEntry {
        title: None,
        content: text("Park"),
        entry_date: date("2025-06-01"),
    };
    let e = s
        .create_journal_entry(a, author.id, &entry, Utc::now())
        .await
        .expect("create");
    assert_eq!(e.author_name.as_str(), "Ann Tester");
    let later = NewJournalEntry {
        entry_date: date("2025-06-02"),
        ..entry.clone()
    };
    let e2 = s
        .create_journal_entry(a, author.id, &later, Utc::now())
        .await
        .expect("create");
    let q = JournalQuery::new(None, None, Some(1)).expect("query");
    let listed = s.journal_entries(a, q).await.expect("list");
    assert_eq!(listed.iter().map(|x| x.id).collect::<Vec<_>>(), [e2.id]);
    assert!(matches!(
        s.journal_entry(b, e.id).await,
        Err(StoreError::NotFound)
    ));
    let change = JournalChanges {
        content: Some(text("Lake")),
        ..JournalChanges::default()
    };
    // Same family id but not the author, and another family: both NotFound.
    assert!(matches!(
        s.update_journal_entry(a, stranger.id, e.id, &change, Utc::now())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.delete_journal_entry(b, stranger.id, e.id).await,
        Err(StoreError::NotFound)
    ));
    let u = s
        .update_journal_entry(a, author.id, e.id, &change, Utc::now())
        .await
        .expect("update");
    assert_eq!(u.content.as_str(), "Lake");
    s.delete_journal_entry(a, author.id, e.id)
        .await
        .expect("delete");
    assert!(matches!(
        s.journal_entry(a, e.id).await,
        Err(StoreError::NotFound)
    ));
}

/// Alert e-mails and group chats are scoped by family; unknown contacts have no chat.
pub async fn emails_and_chats_are_family_scoped(stores: RecordStores) {
    let (user, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.emails;
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
    let chat = stores
        .chats
        .group_chat(
            a,
            ContactType::Babysitter,
            424_242,
            user.id,
            "0123456789abcdef",
            Utc::now(),
        )
        .await;
    assert!(matches!(chat, Err(StoreError::NotFound)), "{chat:?}");
}
