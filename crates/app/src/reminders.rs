//! Reminders: one per family and date.

use std::sync::Arc;

use calndr_domain::{DateRange, Reminder, ReminderFields, ReminderId};
use calndr_ports::{ReminderStore, StoreError};
use chrono::{NaiveDate, Utc};

use crate::{AppError, Principal};

#[derive(Clone)]
pub struct ReminderService {
    store: Arc<dyn ReminderStore>,
}

fn mapped(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("Reminder"),
        StoreError::Conflict(_) => {
            AppError::Conflict("A reminder already exists for this date".into())
        }
        other => other.into(),
    }
}

impl ReminderService {
    pub fn new(store: Arc<dyn ReminderStore>) -> Self {
        Self { store }
    }

    pub async fn list(&self, who: &Principal, range: DateRange) -> Result<Vec<Reminder>, AppError> {
        Ok(self.store.reminders_in_range(who.family()?, range).await?)
    }

    pub async fn on(&self, who: &Principal, date: NaiveDate) -> Result<Option<Reminder>, AppError> {
        Ok(self.store.reminder_on(who.family()?, date).await?)
    }

    /// `Conflict` when the family already has a reminder that day.
    pub async fn create(
        &self,
        who: &Principal,
        date: NaiveDate,
        fields: ReminderFields,
    ) -> Result<Reminder, AppError> {
        self.store
            .create_reminder(who.family()?, date, &fields, Utc::now())
            .await
            .map_err(mapped)
    }

    pub async fn update(
        &self,
        who: &Principal,
        id: ReminderId,
        fields: ReminderFields,
    ) -> Result<Reminder, AppError> {
        self.store
            .update_reminder(who.family()?, id, &fields, Utc::now())
            .await
            .map_err(mapped)
    }

    pub async fn delete(&self, who: &Principal, id: ReminderId) -> Result<(), AppError> {
        self.store
            .delete_reminder(who.family()?, id)
            .await
            .map_err(mapped)
    }
}
