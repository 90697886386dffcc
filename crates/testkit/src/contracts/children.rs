//! The `ChildStore` contract.

use calndr_domain::{ChildDraft, ChildId, PersonName};
use calndr_ports::Storage;

use super::{date, family, is_not_found};

fn name(s: &str) -> PersonName {
    PersonName::parse(s, "name").expect("name")
}

/// Children: youngest first, scoped by family, replaced and deleted only in their family.
pub async fn children_are_family_scoped(stores: Storage) {
    let (_, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.children;
    let draft = |first: &str, dob: &str| ChildDraft {
        first_name: name(first),
        last_name: name("Lee"),
        dob: date(dob),
    };
    let older = s
        .create_child(a, &draft("Old", "2015-01-01"))
        .await
        .expect("create");
    let younger = s
        .create_child(a, &draft("Young", "2020-01-01"))
        .await
        .expect("create");
    assert_eq!(
        s.children(a).await.expect("list"),
        vec![younger.clone(), older.clone()]
    );
    assert!(s.children(b).await.expect("list").is_empty());
    assert!(is_not_found(
        s.update_child(b, older.id, &draft("X", "2015-01-01")).await
    ));
    assert!(is_not_found(s.delete_child(b, older.id).await));
    let upd = s
        .update_child(a, older.id, &draft("Older", "2014-12-31"))
        .await
        .expect("update");
    assert_eq!(
        (upd.first_name.as_str(), upd.dob),
        ("Older", date("2014-12-31"))
    );
    s.delete_child(a, older.id).await.expect("delete");
    assert!(is_not_found(s.delete_child(a, older.id).await));
    assert!(is_not_found(s.delete_child(a, ChildId::random()).await));
    assert_eq!(s.children(a).await.expect("list"), vec![younger]);
}
