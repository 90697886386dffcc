//! The family's alert e-mail addresses.

use std::sync::Arc;

use calndr_domain::{EmailAddress, NotificationEmail, NotificationEmailId};
use calndr_ports::{NotificationEmailStore, StoreError};
use chrono::Utc;

use crate::{AppError, Principal};

#[derive(Clone)]
pub struct NotificationEmailService {
    store: Arc<dyn NotificationEmailStore>,
}

fn mapped(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("Notification email"),
        other => other.into(),
    }
}

impl NotificationEmailService {
    pub fn new(store: Arc<dyn NotificationEmailStore>) -> Self {
        Self { store }
    }

    pub async fn list(&self, who: &Principal) -> Result<Vec<NotificationEmail>, AppError> {
        Ok(self.store.notification_emails(who.family()?).await?)
    }

    pub async fn add(
        &self,
        who: &Principal,
        email: EmailAddress,
    ) -> Result<NotificationEmail, AppError> {
        Ok(self
            .store
            .add_notification_email(who.family()?, &email, Utc::now())
            .await?)
    }

    pub async fn update(
        &self,
        who: &Principal,
        id: NotificationEmailId,
        email: EmailAddress,
    ) -> Result<NotificationEmail, AppError> {
        self.store
            .update_notification_email(who.family()?, id, &email)
            .await
            .map_err(mapped)
    }

    pub async fn delete(&self, who: &Principal, id: NotificationEmailId) -> Result<(), AppError> {
        self.store
            .delete_notification_email(who.family()?, id)
            .await
            .map_err(mapped)
    }
}
