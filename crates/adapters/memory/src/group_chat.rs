//! [`GroupChatStore`] on the group chats of the [`MemoryStore`]: the contact check, the read and
//! the insert under one lock (one chat per family, contact type and contact).

use async_trait::async_trait;
use calndr_domain::{ContactType, FamilyId, GroupChat, UserId};
use calndr_ports::{GroupChatStore, StoreError};
use chrono::{DateTime, Utc};

use crate::state::ChatRow;
use crate::state::State;
use crate::MemoryStore;

impl State {
    /// A babysitter linked to the family, or an emergency contact of the family.
    fn is_contact_of(&self, family: FamilyId, contact_type: ContactType, id: i32) -> bool {
        match contact_type {
            ContactType::Babysitter => self.babysitter_links.contains(&(family, id)),
            ContactType::Emergency => self
                .emergency_contacts
                .get(&id)
                .is_some_and(|c| c.family_id == family),
        }
    }
}

#[async_trait]
impl GroupChatStore for MemoryStore {
    async fn group_chat(
        &self,
        family: FamilyId,
        contact_type: ContactType,
        contact_id: i32,
        _created_by: UserId,
        new_identifier: &str,
        at: DateTime<Utc>,
    ) -> Result<(GroupChat, bool), StoreError> {
        let mut s = self.state();
        if !s.is_contact_of(family, contact_type, contact_id) {
            return Err(StoreError::NotFound);
        }
        let key = (family, contact_type.as_str(), contact_id);
        if let Some(c) = s.group_chats.get(&key) {
            return Ok((
                GroupChat {
                    group_identifier: c.identifier.clone(),
                    created_at: Some(c.created_at),
                },
                true,
            ));
        }
        let row = ChatRow {
            identifier: new_identifier.to_owned(),
            created_at: at.naive_utc(),
        };
        s.group_chats.insert(key, row.clone());
        Ok((
            GroupChat {
                group_identifier: row.identifier,
                created_at: Some(row.created_at),
            },
            false,
        ))
    }
}
