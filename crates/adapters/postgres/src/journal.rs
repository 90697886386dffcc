//! `JournalStore` on `journal_entries`, with each entry's author name from `users`.

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, FamilyId, JournalChanges, JournalEntry, JournalEntryId, JournalQuery,
    NewJournalEntry, UserId,
};
use calndr_ports::{JournalStore, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, one_row, TxError};
use crate::schema::{journal_entries, users};
use crate::PgStore;

#[derive(Queryable, Selectable)]
#[diesel(table_name = journal_entries, check_for_backend(diesel::pg::Pg))]
pub(crate) struct JournalRow {
    id: i32,
    family_id: Uuid,
    user_id: Uuid,
    title: Option<String>,
    content: String,
    entry_date: NaiveDate,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
}

pub(crate) fn journal_entry(r: JournalRow, first: String, last: String) -> JournalEntry {
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

pub(crate) type JournalWithAuthor = (JournalRow, (String, String));

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
