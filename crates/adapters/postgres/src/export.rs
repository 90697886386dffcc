//! `ExportStore`: the export's pages, each one keyset query on the primary (an export must hold
//! what the user wrote just before asking for it). Rows are converted by the same functions as
//! the sections' own ports.

use async_trait::async_trait;
use calndr_domain::{
    Event, EventId, FamilyId, IdentityProvider, JournalEntry, JournalEntryId, Reminder, ReminderId,
    UserId,
};
use calndr_ports::{ExportStore, NamedCustodyRecord, StoreError};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::custody::{day_columns, named, DayRow};
use crate::error::from_diesel;
use crate::events::{family_events, EventRow, CUSTODY, CUSTODY_POSITION};
use crate::journal::{journal_entry, JournalRow, JournalWithAuthor};
use crate::reminders::ReminderRow;
use crate::schema::{custody, events, journal_entries, reminders, users};
use crate::PgStore;

fn limit(n: u32) -> i64 {
    i64::from(n)
}

#[async_trait]
impl ExportStore for PgStore {
    async fn identity_providers(&self, user: UserId) -> Result<Vec<IdentityProvider>, StoreError> {
        let mut conn = self.conn().await?;
        // Whether each link is set, never the subject itself.
        let row: Option<(bool, bool, bool)> = users::table
            .filter(users::id.eq(user.as_uuid()))
            .select((
                users::apple_user_id.is_not_null(),
                users::google_user_id.is_not_null(),
                users::facebook_user_id.is_not_null(),
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        let Some((apple, google, facebook)) = row else {
            return Ok(Vec::new());
        };
        Ok([
            (apple, IdentityProvider::Apple),
            (google, IdentityProvider::Google),
            (facebook, IdentityProvider::Facebook),
        ]
        .into_iter()
        .filter_map(|(linked, p)| linked.then_some(p))
        .collect())
    }

    async fn custody_page(
        &self,
        family: FamilyId,
        after: Option<NaiveDate>,
        n: u32,
    ) -> Result<Vec<NamedCustodyRecord>, StoreError> {
        let mut conn = self.conn().await?;
        let mut q = custody::table
            .left_join(users::table)
            .filter(custody::family_id.eq(family.as_uuid()))
            .into_boxed();
        if let Some(after) = after {
            q = q.filter(custody::date.gt(after));
        }
        let rows: Vec<(DayRow, Option<String>)> = q
            .order(custody::date.asc())
            .limit(limit(n))
            .select((day_columns!(), users::first_name.nullable()))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(named(rows))
    }

    async fn events_page(
        &self,
        family: FamilyId,
        after: Option<EventId>,
        n: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<EventRow> = family_events!(family)
            .filter(events::id.gt(after.map_or(0, |id| id.get())))
            .order(events::id.asc())
            .limit(limit(n))
            .select(EventRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Event::from).collect())
    }

    async fn reminders_page(
        &self,
        family: FamilyId,
        after: Option<ReminderId>,
        n: u32,
    ) -> Result<Vec<Reminder>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ReminderRow> = reminders::table
            .filter(reminders::family_id.eq(family.as_uuid()))
            .filter(reminders::id.gt(after.map_or(0, |id| id.get())))
            .order(reminders::id.asc())
            .limit(limit(n))
            .select(ReminderRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Reminder::from).collect())
    }

    async fn journal_page(
        &self,
        family: FamilyId,
        after: Option<JournalEntryId>,
        n: u32,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<JournalWithAuthor> = journal_entries::table
            .inner_join(users::table)
            .filter(journal_entries::family_id.eq(family.as_uuid()))
            .filter(journal_entries::id.gt(after.map_or(0, |id| id.get())))
            .order(journal_entries::id.asc())
            .limit(limit(n))
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
}
