//! The `ExportStore` contract: keyset pages that together hold every row of the family once, in
//! order, and nothing of another family; members by name; identities by provider.

use calndr_domain::{
    EventDraft, IdentityProvider, NewJournalEntry, ProviderSubject, ReminderFields,
};
use calndr_ports::Storage;
use chrono::{Duration, Utc};

use super::{d, date, day, family, text};

/// Walks every page of a section with pages of `n` rows; returns the pages' sizes and the rows.
macro_rules! walk {
    ($n:expr, |$after:ident| $page:expr, $key:expr) => {{
        let mut sizes = Vec::new();
        let mut rows = Vec::new();
        let mut $after = None;
        loop {
            let page = $page.await.expect("page");
            sizes.push(page.len());
            let full = page.len() == $n as usize;
            $after = page.last().map($key);
            rows.extend(page);
            if !full {
                break;
            }
        }
        (sizes, rows)
    }};
}

/// Custody, events, reminders and journal pages: complete, in order, no row twice, the family's
/// only; empty for a family without rows.
pub async fn pages_hold_the_family_once_in_order(stores: Storage) {
    let (ann, a) = family(&stores, "Ann").await;
    let (ben, b) = family(&stores, "Ben").await;
    // 7 custody days of A and 2 of B.
    stores
        .custody
        .write_days(
            a,
            ann.id,
            d(1),
            d(31),
            &|_| Ok((1..=7).map(|n| day(d(n), ann.id)).collect()),
            &[],
        )
        .await
        .expect("days");
    stores
        .custody
        .write_days(
            b,
            ben.id,
            d(1),
            d(31),
            &|_| Ok(vec![day(d(1), ben.id), day(d(9), ben.id)]),
            &[],
        )
        .await
        .expect("days");
    // Events, reminders and entries of both families, interleaved (ids mix).
    let mut a_events = Vec::new();
    for n in 0..5 {
        let draft = EventDraft::new(date("2025-03-02"), &format!("A{n}"), None).expect("draft");
        a_events.push(
            stores
                .events
                .create_event(a, &draft)
                .await
                .expect("event")
                .id,
        );
        let draft = EventDraft::new(date("2025-03-02"), "B", None).expect("draft");
        stores.events.create_event(b, &draft).await.expect("event");
    }
    let fields = ReminderFields {
        text: text("Lunch"),
        notification_enabled: false,
        notification_time: None,
    };
    for n in 1..=3 {
        stores
            .reminders
            .create_reminder(a, d(n), &fields, Utc::now())
            .await
            .expect("reminder");
        stores
            .reminders
            .create_reminder(b, d(n), &fields, Utc::now())
            .await
            .expect("reminder");
    }
    for n in 0..4 {
        let entry = NewJournalEntry {
            title: None,
            content: text(&format!("A{n}")),
            entry_date: date("2025-03-01") + Duration::days(n),
        };
        stores
            .journal
            .create_journal_entry(a, ann.id, &entry, Utc::now())
            .await
            .expect("entry");
    }

    let s = &stores.export;
    let (sizes, days) = walk!(3, |after| s.custody_page(a, after, 3), |r| r
        .record
        .day
        .date);
    assert_eq!(sizes, vec![3, 3, 1]);
    assert_eq!(
        days.iter().map(|r| r.record.day.date).collect::<Vec<_>>(),
        (1..=7).map(d).collect::<Vec<_>>()
    );
    assert!(days
        .iter()
        .all(|r| r.custodian_name.as_deref() == Some("Ann")));

    // A full last page is followed by one empty page.
    let (sizes, events) = walk!(5, |after| s.events_page(a, after, 5), |e| e.id);
    assert_eq!(sizes, vec![5, 0]);
    assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), a_events);
    assert!(events.iter().all(|e| e.family_id == a));

    let (sizes, reminders) = walk!(2, |after| s.reminders_page(a, after, 2), |r| r.id);
    assert_eq!(sizes, vec![2, 1]);
    assert!(reminders.windows(2).all(|w| w[0].id < w[1].id));
    assert!(reminders.iter().all(|r| r.family_id == a));

    let (_, entries) = walk!(3, |after| s.journal_page(a, after, 3), |e| e.id);
    assert_eq!(entries.len(), 4);
    assert!(entries.windows(2).all(|w| w[0].id < w[1].id));
    assert!(entries
        .iter()
        .all(|e| e.author_name.as_str() == "Ann Tester"));

    // B sees only its own; a family without rows gets empty pages.
    assert_eq!(s.custody_page(b, None, 100).await.expect("page").len(), 2);
    assert_eq!(s.events_page(b, None, 100).await.expect("page").len(), 5);
    assert!(s.journal_page(b, None, 100).await.expect("page").is_empty());
    let (_, empty) = family(&stores, "Cid").await;
    assert!(s
        .custody_page(empty, None, 100)
        .await
        .expect("page")
        .is_empty());
    assert!(s
        .events_page(empty, None, 100)
        .await
        .expect("page")
        .is_empty());
    assert!(s
        .reminders_page(empty, None, 100)
        .await
        .expect("page")
        .is_empty());
}

/// Identities by provider only (the members' names come from `FamilyStore::members`).
pub async fn identities_by_provider_only(stores: Storage) {
    let (ann, _) = family(&stores, "Ann").await;
    let (ben, _) = family(&stores, "Ben").await;
    assert!(stores
        .export
        .identity_providers(ann.id)
        .await
        .expect("identities")
        .is_empty());
    for p in [IdentityProvider::Google, IdentityProvider::Apple] {
        let subject =
            ProviderSubject::parse(&format!("sub-{}", uuid::Uuid::new_v4())).expect("sub");
        stores
            .accounts
            .link_identity(ann.id, p, &subject)
            .await
            .expect("link");
    }
    assert_eq!(
        stores
            .export
            .identity_providers(ann.id)
            .await
            .expect("identities"),
        vec![IdentityProvider::Apple, IdentityProvider::Google]
    );
    assert!(stores
        .export
        .identity_providers(ben.id)
        .await
        .expect("identities")
        .is_empty());
}
