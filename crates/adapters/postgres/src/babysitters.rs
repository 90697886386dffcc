//! `BabysitterStore` on `babysitters` and their family links (`babysitter_families`).
//! `babysitters.rate` is NUMERIC(6,2): read as `float8`, written through a cast (the domain keeps
//! it in cents, so no precision is lost either way).

use async_trait::async_trait;
use calndr_domain::{
    Babysitter, BabysitterDraft, BabysitterId, BoundedText, FamilyId, PersonName, PhoneNumber,
    Rate, UserId,
};
use calndr_ports::{BabysitterStore, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{exists, sql};
use diesel::prelude::*;
use diesel::sql_types::{Double, Nullable, Numeric};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::error::{delete_of_family, from_diesel, one_row, TxError};
use crate::pool::Conn;
use crate::schema::{babysitter_families, babysitters};
use crate::PgStore;

type SitterRow = (
    i32,
    String,
    String,
    String,
    Option<f64>,
    Option<String>,
    Uuid,
    Option<NaiveDateTime>,
);

fn babysitter(r: SitterRow) -> Babysitter {
    let (id, first, last, phone, rate, notes, created_by, created_at) = r;
    Babysitter {
        id: BabysitterId::new(id),
        first_name: PersonName::from_stored(first),
        last_name: PersonName::from_stored(last),
        phone_number: PhoneNumber::from_stored(phone),
        rate: Rate::from_stored(rate),
        notes: notes.map(BoundedText::from_stored),
        created_by: UserId::from_uuid(created_by),
        created_at,
    }
}

/// The family's sitters (through their links), by name; `only` narrows to one sitter.
async fn linked_sitters(
    conn: &mut Conn,
    family: FamilyId,
    only: Option<i32>,
) -> Result<Vec<Babysitter>, diesel::result::Error> {
    let mut q = babysitters::table
        .inner_join(babysitter_families::table)
        .filter(babysitter_families::family_id.eq(family.as_uuid()))
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(babysitters::id.eq(id));
    }
    let rows: Vec<SitterRow> = q
        .order((
            babysitters::first_name.asc(),
            babysitters::last_name.asc(),
            babysitters::id.asc(),
        ))
        .select((
            babysitters::id,
            babysitters::first_name,
            babysitters::last_name,
            babysitters::phone_number,
            sql::<Nullable<Double>>("babysitters.rate::float8"),
            babysitters::notes,
            babysitters::created_by_user_id,
            babysitters::created_at,
        ))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(babysitter).collect())
}

fn rate_cents(draft: &BabysitterDraft) -> Option<i32> {
    draft.rate.and_then(|r| i32::try_from(r.cents()).ok())
}

#[async_trait]
impl BabysitterStore for PgStore {
    async fn babysitters(&self, family: FamilyId) -> Result<Vec<Babysitter>, StoreError> {
        let mut conn = self.read_conn().await?;
        linked_sitters(&mut conn, family, None)
            .await
            .map_err(from_diesel)
    }

    async fn create_babysitter(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &BabysitterDraft,
        at: DateTime<Utc>,
    ) -> Result<Babysitter, StoreError> {
        let mut conn = self.conn().await?;
        let draft = draft.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let at = at.naive_utc();
            let id: i32 = diesel::insert_into(babysitters::table)
                .values((
                    babysitters::first_name.eq(draft.first_name.as_str()),
                    babysitters::last_name.eq(draft.last_name.as_str()),
                    babysitters::phone_number.eq(draft.phone_number.as_str()),
                    babysitters::rate.eq(sql::<Nullable<Numeric>>("(")
                        .bind::<Nullable<diesel::sql_types::Int4>, _>(rate_cents(&draft))
                        .sql("::numeric / 100)")),
                    babysitters::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
                    babysitters::created_by_user_id.eq(by.as_uuid()),
                    babysitters::created_at.eq(at),
                ))
                .returning(babysitters::id)
                .get_result(conn)
                .await?;
            diesel::insert_into(babysitter_families::table)
                .values((
                    babysitter_families::babysitter_id.eq(id),
                    babysitter_families::family_id.eq(family.as_uuid()),
                    babysitter_families::added_by_user_id.eq(by.as_uuid()),
                    babysitter_families::added_at.eq(at),
                ))
                .execute(conn)
                .await?;
            let mut rows = linked_sitters(conn, family, Some(id)).await?;
            rows.pop().ok_or(TxError::Store(StoreError::NotFound))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn update_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
        draft: &BabysitterDraft,
    ) -> Result<Babysitter, StoreError> {
        let mut conn = self.conn().await?;
        let draft = draft.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let linked = babysitter_families::table
                .filter(babysitter_families::babysitter_id.eq(id.get()))
                .filter(babysitter_families::family_id.eq(family.as_uuid()));
            let n = diesel::update(
                babysitters::table
                    .filter(babysitters::id.eq(id.get()))
                    .filter(exists(linked)),
            )
            .set((
                babysitters::first_name.eq(draft.first_name.as_str()),
                babysitters::last_name.eq(draft.last_name.as_str()),
                babysitters::phone_number.eq(draft.phone_number.as_str()),
                babysitters::rate.eq(sql::<Nullable<Numeric>>("(")
                    .bind::<Nullable<diesel::sql_types::Int4>, _>(rate_cents(&draft))
                    .sql("::numeric / 100)")),
                babysitters::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
            ))
            .execute(conn)
            .await?;
            one_row(n)?;
            let mut rows = linked_sitters(conn, family, Some(id.get())).await?;
            rows.pop().ok_or(TxError::Store(StoreError::NotFound))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn unlink_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
    ) -> Result<(), StoreError> {
        delete_of_family!(self, babysitter_families, babysitter_id = id.get(), family)
    }
}
