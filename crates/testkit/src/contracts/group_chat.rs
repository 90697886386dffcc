//! The `GroupChatStore` contract.

use calndr_domain::{BabysitterDraft, ContactType, PersonName, PhoneNumber};
use calndr_ports::{Storage, StoreError};
use chrono::Utc;

use super::family;

fn sitter() -> BabysitterDraft {
    BabysitterDraft {
        first_name: PersonName::parse("Sam", "first_name").expect("name"),
        last_name: PersonName::parse("Sitter", "last_name").expect("name"),
        phone_number: PhoneNumber::parse("555-0100", "phone_number").expect("phone"),
        rate: None,
        notes: None,
    }
}

/// A chat exists only with a contact of the family; the first call creates it, later calls find
/// the same chat; another family's contact is `NotFound`, like an unknown one.
pub async fn one_chat_per_contact_of_the_family(stores: Storage) {
    let (ann, a) = family(&stores, "Ann").await;
    let (ben, b) = family(&stores, "Ben").await;
    let chats = &stores.group_chat;
    let unknown = chats
        .group_chat(
            a,
            ContactType::Babysitter,
            424_242,
            ann.id,
            "0123456789abcdef",
            Utc::now(),
        )
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");

    let sam = stores
        .babysitters
        .create_babysitter(a, ann.id, &sitter(), Utc::now())
        .await
        .expect("sitter");
    let (chat, existed) = chats
        .group_chat(
            a,
            ContactType::Babysitter,
            sam.id.get(),
            ann.id,
            "first-identifier",
            Utc::now(),
        )
        .await
        .expect("create");
    assert_eq!(
        (chat.group_identifier.as_str(), existed),
        ("first-identifier", false)
    );
    let (again, existed) = chats
        .group_chat(
            a,
            ContactType::Babysitter,
            sam.id.get(),
            ann.id,
            "second-identifier",
            Utc::now(),
        )
        .await
        .expect("find");
    assert_eq!(
        (again.group_identifier.as_str(), existed),
        ("first-identifier", true)
    );
    let foreign = chats
        .group_chat(
            b,
            ContactType::Babysitter,
            sam.id.get(),
            ben.id,
            "other-identifier",
            Utc::now(),
        )
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    // An unlinked sitter is no longer the family's contact.
    stores
        .babysitters
        .unlink_babysitter(a, sam.id)
        .await
        .expect("unlink");
    let gone = chats
        .group_chat(
            a,
            ContactType::Babysitter,
            sam.id.get(),
            ann.id,
            "third-identifier",
            Utc::now(),
        )
        .await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");
}
