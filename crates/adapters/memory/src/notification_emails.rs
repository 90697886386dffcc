//! [`NotificationEmailStore`] on the alert addresses of the [`MemoryStore`].

use async_trait::async_trait;
use calndr_domain::{EmailAddress, FamilyId, NotificationEmail, NotificationEmailId};
use calndr_ports::{NotificationEmailStore, StoreError};
use chrono::{DateTime, Utc};

use crate::MemoryStore;

#[async_trait]
impl NotificationEmailStore for MemoryStore {
    async fn families_with_notification_emails(&self) -> Result<Vec<FamilyId>, StoreError> {
        let s = self.state();
        let mut ids: Vec<FamilyId> = s
            .notification_emails
            .values()
            .map(|e| e.family_id)
            .collect();
        ids.sort_by_key(|f| f.as_uuid());
        ids.dedup();
        Ok(ids)
    }

    async fn notification_emails(
        &self,
        family: FamilyId,
    ) -> Result<Vec<NotificationEmail>, StoreError> {
        let s = self.state();
        Ok(s.notification_emails
            .values()
            .filter(|e| e.family_id == family)
            .cloned()
            .collect())
    }

    async fn add_notification_email(
        &self,
        family: FamilyId,
        email: &EmailAddress,
        _at: DateTime<Utc>,
    ) -> Result<NotificationEmail, StoreError> {
        let mut s = self.state();
        let id = s.next_i32("notification_emails")?;
        let e = NotificationEmail {
            id: NotificationEmailId::new(id),
            family_id: family,
            email: email.clone(),
        };
        s.notification_emails.insert(id, e.clone());
        Ok(e)
    }

    async fn update_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
        email: &EmailAddress,
    ) -> Result<NotificationEmail, StoreError> {
        let mut s = self.state();
        let e = s
            .notification_emails
            .get_mut(&id.get())
            .filter(|e| e.family_id == family)
            .ok_or(StoreError::NotFound)?;
        e.email = email.clone();
        Ok(e.clone())
    }

    async fn delete_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.notification_emails
            .get(&id.get())
            .is_none_or(|e| e.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        s.notification_emails.remove(&id.get());
        Ok(())
    }
}
