//! `NotificationEmailStore` on `notification_emails`.

use async_trait::async_trait;
use calndr_domain::{EmailAddress, FamilyId, NotificationEmail, NotificationEmailId};
use calndr_ports::{NotificationEmailStore, StoreError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::{from_diesel, one_row};
use crate::schema::notification_emails;
use crate::PgStore;

fn notification_email((id, family, email): (i32, Uuid, String)) -> NotificationEmail {
    NotificationEmail {
        id: NotificationEmailId::new(id),
        family_id: FamilyId::from_uuid(family),
        email: EmailAddress::from_stored(email),
    }
}

#[async_trait]
impl NotificationEmailStore for PgStore {
    async fn families_with_notification_emails(&self) -> Result<Vec<FamilyId>, StoreError> {
        let mut conn = self.read_conn().await?;
        let ids: Vec<Uuid> = notification_emails::table
            .select(notification_emails::family_id)
            .distinct()
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(ids.into_iter().map(FamilyId::from_uuid).collect())
    }

    async fn notification_emails(
        &self,
        family: FamilyId,
    ) -> Result<Vec<NotificationEmail>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<(i32, Uuid, String)> = notification_emails::table
            .filter(notification_emails::family_id.eq(family.as_uuid()))
            .order(notification_emails::id.asc())
            .select((
                notification_emails::id,
                notification_emails::family_id,
                notification_emails::email,
            ))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(notification_email).collect())
    }

    async fn add_notification_email(
        &self,
        family: FamilyId,
        email: &EmailAddress,
        at: DateTime<Utc>,
    ) -> Result<NotificationEmail, StoreError> {
        let mut conn = self.conn().await?;
        let row: (i32, Uuid, String) = diesel::insert_into(notification_emails::table)
            .values((
                notification_emails::family_id.eq(family.as_uuid()),
                notification_emails::email.eq(email.as_str()),
                notification_emails::created_at.eq(at.naive_utc()),
            ))
            .returning((
                notification_emails::id,
                notification_emails::family_id,
                notification_emails::email,
            ))
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(notification_email(row))
    }

    async fn update_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
        email: &EmailAddress,
    ) -> Result<NotificationEmail, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(i32, Uuid, String)> = diesel::update(
            notification_emails::table
                .filter(notification_emails::id.eq(id.get()))
                .filter(notification_emails::family_id.eq(family.as_uuid())),
        )
        .set(notification_emails::email.eq(email.as_str()))
        .returning((
            notification_emails::id,
            notification_emails::family_id,
            notification_emails::email,
        ))
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(notification_email).ok_or(StoreError::NotFound)
    }

    async fn delete_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            notification_emails::table
                .filter(notification_emails::id.eq(id.get()))
                .filter(notification_emails::family_id.eq(family.as_uuid())),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        one_row(n)
    }
}
