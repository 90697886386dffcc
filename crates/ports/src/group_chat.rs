//! Storage of a family's group chats with its contacts.
//!
//! Scoped by the family: a record of another family is `NotFound`, exactly like a missing one.
//! Every method is one atomic unit of work. Unless stated otherwise, methods return
//! `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{ContactType, FamilyId, GroupChat, UserId};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Group chats between a family and one of its contacts (`group_chats`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait GroupChatStore: Send + Sync {
    /// Returns the family's chat with the contact, creating it with `new_identifier` when there is
    /// none (then `existed` is false). Atomic: concurrent calls for the same (family, type, contact)
    /// create exactly one chat. `NotFound` when the contact is not the family's (a babysitter not
    /// linked to the family, an emergency contact of another family, or no such contact).
    async fn group_chat(
        &self,
        family: FamilyId,
        contact_type: ContactType,
        contact_id: i32,
        created_by: UserId,
        new_identifier: &str,
        at: DateTime<Utc>,
    ) -> Result<(GroupChat, bool), StoreError>;
}
