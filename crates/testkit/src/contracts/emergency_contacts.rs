//! The `EmergencyContactStore` contract.

use calndr_domain::{EmergencyContactDraft, PersonName, PhoneNumber, ShortText};
use calndr_ports::Storage;
use chrono::Utc;

use super::{family, is_not_found, text};

fn name(s: &str) -> PersonName {
    PersonName::parse(s, "name").expect("name")
}

/// Emergency contacts: scoped by family, ordered by name.
pub async fn emergency_contacts_are_family_scoped(stores: Storage) {
    let (user, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.emergency_contacts;
    let draft = |first: &str, rel: Option<&str>| EmergencyContactDraft {
        first_name: name(first),
        last_name: name("Contact"),
        phone_number: PhoneNumber::parse("555-0199", "phone_number").expect("phone"),
        relationship: rel.map(|r| ShortText::parse(r, "relationship", 100).expect("rel")),
        notes: Some(text("Has a key")),
    };
    let now = Utc::now();
    let gran = s
        .create_emergency_contact(a, user.id, &draft("Gran", Some("Grandmother")), now)
        .await
        .expect("create");
    let al = s
        .create_emergency_contact(a, user.id, &draft("Al", None), now)
        .await
        .expect("create");
    assert_eq!(
        s.emergency_contacts(a).await.expect("list"),
        vec![al.clone(), gran.clone()]
    );
    assert!(s.emergency_contacts(b).await.expect("list").is_empty());
    assert!(is_not_found(
        s.update_emergency_contact(b, gran.id, &draft("X", None))
            .await
    ));
    assert!(is_not_found(s.delete_emergency_contact(b, gran.id).await));
    let upd = s
        .update_emergency_contact(a, gran.id, &draft("Granny", None))
        .await
        .expect("update");
    assert_eq!(
        (upd.first_name.as_str(), upd.relationship),
        ("Granny", None)
    );
    s.delete_emergency_contact(a, gran.id)
        .await
        .expect("delete");
    assert!(is_not_found(s.delete_emergency_contact(a, gran.id).await));
    assert_eq!(s.emergency_contacts(a).await.expect("list"), vec![al]);
}
