//! `ReminderStore`, `JournalStore`, `NotificationEmailStore` and `GroupChatStore` on their tables.

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, ContactType, DateRange, EmailAddress, FamilyId, GroupChat, JournalChanges,
    JournalEntry, JournalEntryId, JournalQuery, NewJournalEntry, NotificationEmail,
    NotificationEmailId, Reminder, ReminderFields, ReminderId, UserId,
};
use calndr_ports::{
    GroupChatStore, JournalStore, NotificationEmailStore, ReminderStore, StoreError,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, one_row, TxError};
use crate::schema::{
    babysitter_families, emergency_contacts, group_chats, journal_entries, notification_emails,
    reminders, users,
};
use crate::PgStore;

// ----------------------------------------------------------------------------------------------
// Reminders
// ----------------------------------------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = reminders, check_for_backend(diesel::pg::Pg))]
struct ReminderRow {
    id: i32,
    family_id: Uuid,
    date: NaiveDate,
    text: String,
    notification_enabled: Option<bool>,
    notification_time: Option<NaiveTime>,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
}

impl From<ReminderRow> for Reminder {
    fn from(r: ReminderRow) -> Self {
        Self {
            id: ReminderId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            date: r.date,
            text: BoundedText::from_stored(r.text),
            notification_enabled: r.notification_enabled.unwrap_or(false),
            notification_time: r.notification_time,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[async_trait]
impl ReminderStore for PgStore {
    async fn reminders_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Reminder>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ReminderRow> = reminders::table
            .filter(reminders::family_id.eq(family.as_uuid()))
            .filter(reminders::date.between(range.start(), range.end()))
            .order((reminders::date.asc(), reminders::id.asc()))
            .select(ReminderRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Reminder::from).collect())
    }

    async fn reminder_on(
        &self,
        family: FamilyId,
        date: NaiveDate,
    ) -> Result<Option<Reminder>, StoreError> {
        let mut conn = self.read_conn().await?;
        let row: Option<ReminderRow> = reminders::table
            .filter(reminders::family_id.eq(family.as_uuid()))
            .filter(reminders::date.eq(date))
            .order(reminders::id.desc())
            .select(ReminderRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(row.map(Reminder::from))
    }

    async fn create_reminder(
        &self,
        family: FamilyId,
        date: NaiveDate,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut conn = self.conn().await?;
        let at = at.naive_utc();
        let row: ReminderRow = diesel::insert_into(reminders::table)
            .values((
                reminders::family_id.eq(family.as_uuid()),
                reminders::date.eq(date),
                reminders::text.eq(fields.text.as_str()),
                reminders::notification_enabled.eq(fields.notification_enabled),
                reminders::notification_time.eq(fields.notification_time),
                reminders::created_at.eq(at),
                reminders::updated_at.eq(at),
            ))
            .returning(ReminderRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(|e| match from_diesel(e) {
                StoreError::Conflict(_) => StoreError::Conflict("reminder"),
                other => other,
            })?;
        Ok(row.into())
    }

    async fn update_reminder(
        &self,
        family: FamilyId,
        id: ReminderId,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ReminderRow> = diesel::update(
            reminders::table
                .filter(reminders::id.eq(id.get()))
                .filter(reminders::family_id.eq(family.as_uuid())),
        )
        .set((
            reminders::text.eq(fields.text.as_str()),
            reminders::notification_enabled.eq(fields.notification_enabled),
            reminders::notification_time.eq(fields.notification_time),
            reminders::updated_at.eq(at.naive_utc()),
        ))
        .returning(ReminderRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(Reminder::from).ok_or(StoreError::NotFound)
    }

    async fn delete_reminder(&self, family: FamilyId, id: ReminderId) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            reminders::table
                .filter(reminders::id.eq(id.get()))
                .filter(reminders::family_id.eq(family.as_uuid())),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        one_row(n)
    }
}

// ----------------------------------------------------------------------------------------------
// Journal
// ----------------------------------------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = journal_entries, check_for_backend(diesel::pg::Pg))]
struct JournalRow {
    id: i32,
    family_id: Uuid,
    user_id: Uuid,
    title: Option<String>,
    content: String,
    entry_date: NaiveDate,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
}

fn journal_entry(r: JournalRow, first: String, last: String) -> JournalEntry {
    JournalEntry {
        id: JournalEntryId::new(r.id),
        family_id: FamilyId::from_uuid(r.family_id),
        user_id: UserId::from_uuid(r.user_id),
        title: r.title.map(BoundedText::from_stored),
        content: BoundedText::from_stored(r.content),
        entry_date: r.entry_date,
        author_name: BoundedText::from_stored(format!("{first} {last}")),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

type JournalWithAuthor = (JournalRow, (String, String));

async fn load_entry(
    conn: &mut AsyncPgConnection,
    family: FamilyId,
    id: i32,
) -> Result<JournalEntry, diesel::result::Error> {
    let (row, (first, last)): JournalWithAuthor = journal_entries::table
        .inner_join(users::table)
        .filter(journal_entries::id.eq(id))
        .filter(journal_entries::family_id.eq(family.as_uuid()))
        .select((
            JournalRow::as_select(),
            (users::first_name, users::last_name),
        ))
        .first(conn)
        .await?;
    Ok(journal_entry(row, first, last))
}

#[async_trait]
impl JournalStore for PgStore {
    async fn journal_entries(
        &self,
        family: FamilyId,
        query: JournalQuery,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let mut conn = self.read_conn().await?;
        let mut q = journal_entries::table
            .inner_join(users::table)
            .filter(journal_entries::family_id.eq(family.as_uuid()))
            .into_boxed();
        if let Some(start) = query.start {
            q = q.filter(journal_entries::entry_date.ge(start));
        }
        if let Some(end) = query.end {
            q = q.filter(journal_entries::entry_date.le(end));
        }
        let rows: Vec<JournalWithAuthor> = q
            .order((
                journal_entries::entry_date.desc(),
                journal_entries::created_at.desc().nulls_last(),
                journal_entries::id.desc(),
            ))
            .limit(i64::from(query.limit))
            .select((
                JournalRow::as_select(),
                (users::first_name, users::last_name),
            ))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|(r, (f, l))| journal_entry(r, f, l))
            .collect())
    }

    async fn journal_entry(
        &self,
        family: FamilyId,
        id: JournalEntryId,
    ) -> Result<JournalEntry, StoreError> {
        let mut conn = self.read_conn().await?;
        load_entry(&mut conn, family, id.get())
            .await
            .map_err(from_diesel)
    }

    async fn create_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        entry: &NewJournalEntry,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let mut conn = self.conn().await?;
        let entry = entry.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let at = at.naive_utc();
            let id: i32 = diesel::insert_into(journal_entries::table)
                .values((
                    journal_entries::family_id.eq(family.as_uuid()),
                    journal_entries::user_id.eq(author.as_uuid()),
                    journal_entries::title.eq(entry.title.as_ref().map(BoundedText::as_str)),
                    journal_entries::content.eq(entry.content.as_str()),
                    journal_entries::entry_date.eq(entry.entry_date),
                    journal_entries::created_at.eq(at),
                    journal_entries::updated_at.eq(at),
                ))
                .returning(journal_entries::id)
                .get_result(conn)
                .await?;
            Ok(load_entry(conn, family, id).await?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn update_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
        changes: &JournalChanges,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let mut conn = self.conn().await?;
        let changes = changes.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let n = diesel::update(
                journal_entries::table
                    .filter(journal_entries::id.eq(id.get()))
                    .filter(journal_entries::family_id.eq(family.as_uuid()))
                    .filter(journal_entries::user_id.eq(author.as_uuid())),
            )
            .set((
                changes
                    .title
                    .as_ref()
                    .map(|t| journal_entries::title.eq(t.as_str())),
                changes
                    .content
                    .as_ref()
                    .map(|t| journal_entries::content.eq(t.as_str())),
                changes
                    .entry_date
                    .map(|d| journal_entries::entry_date.eq(d)),
                journal_entries::updated_at.eq(at.naive_utc()),
            ))
            .execute(conn)
            .await?;
            if n == 0 {
                return Err(TxError::Store(StoreError::NotFound));
            }
            Ok(load_entry(conn, family, id.get()).await?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn delete_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            journal_entries::table
                .filter(journal_entries::id.eq(id.get()))
                .filter(journal_entries::family_id.eq(family.as_uuid()))
                .filter(journal_entries::user_id.eq(author.as_uuid())),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        one_row(n)
    }
}

// ----------------------------------------------------------------------------------------------
// Notification e-mails
// ----------------------------------------------------------------------------------------------

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

// ----------------------------------------------------------------------------------------------
// Group chats
// ----------------------------------------------------------------------------------------------

#[async_trait]
impl GroupChatStore for PgStore {
    async fn group_chat(
        &self,
        family: FamilyId,
        contact_type: ContactType,
        contact_id: i32,
        created_by: UserId,
        new_identifier: &str,
        at: DateTime<Utc>,
    ) -> Result<(GroupChat, bool), StoreError> {
        let mut conn = self.conn().await?;
        let new_identifier = new_identifier.to_owned();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let contact_known: i64 = match contact_type {
                ContactType::Babysitter => {
                    babysitter_families::table
                        .filter(babysitter_families::babysitter_id.eq(contact_id))
                        .filter(babysitter_families::family_id.eq(family.as_uuid()))
                        .count()
                        .get_result(conn)
                        .await?
                }
                ContactType::Emergency => {
                    emergency_contacts::table
                        .filter(emergency_contacts::id.eq(contact_id))
                        .filter(emergency_contacts::family_id.eq(family.as_uuid()))
                        .count()
                        .get_result(conn)
                        .await?
                }
            };
            if contact_known == 0 {
                return Err(TxError::Store(StoreError::NotFound));
            }
            // Serialises concurrent first calls for the same chat (works whether or not the
            // unique index of migration 2025-01-02-000000 could be created on an adopted database).
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(hashtext($1 || '|' || $2 || '|' || $3::text))",
            )
            .bind::<SqlUuid, _>(family.as_uuid())
            .bind::<Text, _>(contact_type.as_str())
            .bind::<Int4, _>(contact_id)
            .execute(conn)
            .await?;
            let existing: Option<(Option<String>, Option<NaiveDateTime>)> = group_chats::table
                .filter(group_chats::family_id.eq(family.as_uuid()))
                .filter(group_chats::contact_type.eq(contact_type.as_str()))
                .filter(group_chats::contact_id.eq(contact_id))
                .order(group_chats::id.asc())
                .select((group_chats::group_identifier, group_chats::created_at))
                .first(conn)
                .await
                .optional()?;
            if let Some((identifier, created_at)) = existing {
                match identifier {
                    Some(group_identifier) => {
                        return Ok((
                            GroupChat {
                                group_identifier,
                                created_at,
                            },
                            true,
                        ))
                    }
                    None => {
                        // An adopted row without an identifier: give it one.
                        diesel::update(
                            group_chats::table
                                .filter(group_chats::family_id.eq(family.as_uuid()))
                                .filter(group_chats::contact_type.eq(contact_type.as_str()))
                                .filter(group_chats::contact_id.eq(contact_id))
                                .filter(group_chats::group_identifier.is_null()),
                        )
                        .set(group_chats::group_identifier.eq(&new_identifier))
                        .execute(conn)
                        .await?;
                        return Ok((
                            GroupChat {
                                group_identifier: new_identifier,
                                created_at,
                            },
                            true,
                        ));
                    }
                }
            }
            let at = at.naive_utc();
            diesel::insert_into(group_chats::table)
                .values((
                    group_chats::family_id.eq(family.as_uuid()),
                    group_chats::contact_type.eq(contact_type.as_str()),
                    group_chats::contact_id.eq(contact_id),
                    group_chats::group_identifier.eq(&new_identifier),
                    group_chats::created_by_user_id.eq(created_by.as_uuid()),
                    group_chats::created_at.eq(at),
                ))
                .execute(conn)
                .await?;
            Ok((
                GroupChat {
                    group_identifier: new_identifier,
                    created_at: Some(at),
                },
                false,
            ))
        })
        .await
        .map_err(TxError::into_store)
    }
}
