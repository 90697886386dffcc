//! The `JournalStore` contract.

use calndr_domain::{JournalChanges, JournalQuery, NewJournalEntry};
use calndr_ports::{Storage, StoreError};
use chrono::Utc;

use super::{date, family, text};

/// Journal entries carry the author's name; only the author changes them.
pub async fn journal_is_author_only(stores: Storage) {
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
