//! [`ReminderStore`] on the reminders of the [`MemoryStore`] (at most one per family and day).

use async_trait::async_trait;
use calndr_domain::{DateRange, FamilyId, Reminder, ReminderFields, ReminderId};
use calndr_ports::{ReminderStore, StoreError};
use chrono::{DateTime, NaiveDate, Utc};

use crate::MemoryStore;

#[async_trait]
impl ReminderStore for MemoryStore {
    async fn reminders_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Reminder>, StoreError> {
        let s = self.state();
        let mut out: Vec<Reminder> = s
            .reminders
            .values()
            .filter(|r| r.family_id == family && range.contains(r.date))
            .cloned()
            .collect();
        out.sort_by_key(|r| (r.date, r.id));
        Ok(out)
    }

    async fn reminder_on(
        &self,
        family: FamilyId,
        date: NaiveDate,
    ) -> Result<Option<Reminder>, StoreError> {
        let s = self.state();
        Ok(s.reminders
            .values()
            .find(|r| r.family_id == family && r.date == date)
            .cloned())
    }

    async fn create_reminder(
        &self,
        family: FamilyId,
        date: NaiveDate,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut s = self.state();
        if s.reminders
            .values()
            .any(|r| r.family_id == family && r.date == date)
        {
            return Err(StoreError::Conflict("reminder"));
        }
        let id = s.next_i32("reminders")?;
        let at = at.naive_utc();
        let r = Reminder {
            id: ReminderId::new(id),
            family_id: family,
            date,
            text: fields.text.clone(),
            notification_enabled: fields.notification_enabled,
            notification_time: fields.notification_time,
            created_at: Some(at),
            updated_at: Some(at),
        };
        s.reminders.insert(id, r.clone());
        Ok(r)
    }

    async fn update_reminder(
        &self,
        family: FamilyId,
        id: ReminderId,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut s = self.state();
        let r = s
            .reminders
            .get_mut(&id.get())
            .filter(|r| r.family_id == family)
            .ok_or(StoreError::NotFound)?;
        r.text = fields.text.clone();
        r.notification_enabled = fields.notification_enabled;
        r.notification_time = fields.notification_time;
        r.updated_at = Some(at.naive_utc());
        Ok(r.clone())
    }

    async fn delete_reminder(&self, family: FamilyId, id: ReminderId) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.reminders
            .get(&id.get())
            .is_none_or(|r| r.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        s.reminders.remove(&id.get());
        Ok(())
    }
}
