//! The `BabysitterStore` contract.

use calndr_domain::{BabysitterDraft, BabysitterId, PersonName, PhoneNumber, Rate, UserId};
use calndr_ports::Storage;
use chrono::Utc;

use super::{family, is_not_found};

fn name(s: &str) -> PersonName {
    PersonName::parse(s, "name").expect("name")
}

fn sitter(first: &str, rate: f64) -> BabysitterDraft {
    BabysitterDraft {
        first_name: name(first),
        last_name: name("Sitter"),
        phone_number: PhoneNumber::parse("555-0100", "phone_number").expect("phone"),
        rate: Rate::parse(rate).expect("rate"),
        notes: None,
    }
}

/// Babysitters: linked to the creating family; cents survive the round trip; only a linked
/// family edits or unlinks; an unknown author is `NotFound` and writes nothing.
pub async fn babysitters_are_linked_per_family(stores: Storage) {
    let (user, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.babysitters;
    let now = Utc::now();
    let zed = s
        .create_babysitter(a, user.id, &sitter("Zed", 12.34), now)
        .await
        .expect("create");
    assert_eq!(zed.rate.map(|r| r.cents()), Some(1234));
    assert_eq!(zed.created_by, user.id);
    assert!(zed.created_at.is_some());
    let amy = s
        .create_babysitter(a, user.id, &sitter("Amy", 0.0), now)
        .await
        .expect("create");
    assert_eq!(amy.rate, None);
    assert_eq!(
        s.babysitters(a).await.expect("list"),
        vec![amy.clone(), zed.clone()]
    );
    assert!(s.babysitters(b).await.expect("list").is_empty());
    assert!(is_not_found(
        s.update_babysitter(b, zed.id, &sitter("X", 1.0)).await
    ));
    assert!(is_not_found(s.unlink_babysitter(b, zed.id).await));
    let upd = s
        .update_babysitter(a, zed.id, &sitter("Zoe", 9999.99))
        .await
        .expect("update");
    assert_eq!(
        (upd.first_name.as_str(), upd.rate.map(|r| r.cents())),
        ("Zoe", Some(999_999))
    );
    assert_eq!(upd.created_at, zed.created_at);
    s.unlink_babysitter(a, zed.id).await.expect("unlink");
    assert!(is_not_found(s.unlink_babysitter(a, zed.id).await));
    assert!(is_not_found(
        s.update_babysitter(a, zed.id, &sitter("Z", 1.0)).await
    ));
    assert!(is_not_found(
        s.unlink_babysitter(a, BabysitterId::new(999_999)).await
    ));
    assert!(is_not_found(
        s.create_babysitter(a, UserId::random(), &sitter("Ghost", 1.0), now)
            .await
    ));
    assert_eq!(s.babysitters(a).await.expect("list"), vec![amy]);
}
