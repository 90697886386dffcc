//! Group chats: one stable identifier per (family, contact type, contact); the messages live on
//! the devices.

use std::sync::Arc;

use calndr_domain::{ContactType, GroupChat};
use calndr_ports::{GroupChatStore, StoreError};
use chrono::Utc;

use crate::{AppError, Principal};

#[derive(Clone)]
pub struct GroupChatService {
    store: Arc<dyn GroupChatStore>,
}

/// A fresh identifier: 16 lower-case hex characters, like the original's (which were the first 16
/// of an md5; these are random).
pub fn new_group_identifier() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_owned()
}

impl GroupChatService {
    pub fn new(store: Arc<dyn GroupChatStore>) -> Self {
        Self { store }
    }

    /// Returns the chat and whether it existed before. `NotFound("Contact")` when the contact is
    /// not the family's.
    pub async fn get_or_create(
        &self,
        who: &Principal,
        contact_type: ContactType,
        contact_id: i32,
    ) -> Result<(GroupChat, bool), AppError> {
        let family = who.family()?;
        if contact_id <= 0 {
            return Err(AppError::NotFound("Contact"));
        }
        self.store
            .group_chat(
                family,
                contact_type,
                contact_id,
                who.user_id,
                &new_group_identifier(),
                Utc::now(),
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound("Contact"),
                other => other.into(),
            })
    }
}
