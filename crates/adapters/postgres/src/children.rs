//! `ChildStore` on `children`.

use async_trait::async_trait;
use calndr_domain::{Child, ChildDraft, ChildId, FamilyId, PersonName};
use calndr_ports::{ChildStore, StoreError};
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::{delete_of_family, from_diesel};
use crate::schema::children;
use crate::PgStore;

#[derive(Queryable, Selectable)]
#[diesel(table_name = children, check_for_backend(Pg))]
struct ChildRow {
    id: Uuid,
    family_id: Uuid,
    first_name: String,
    last_name: String,
    dob: NaiveDate,
}

impl From<ChildRow> for Child {
    fn from(r: ChildRow) -> Self {
        Self {
            id: ChildId::from_uuid(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            first_name: PersonName::from_stored(r.first_name),
            last_name: PersonName::from_stored(r.last_name),
            dob: r.dob,
        }
    }
}

#[async_trait]
impl ChildStore for PgStore {
    async fn children(&self, family: FamilyId) -> Result<Vec<Child>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ChildRow> = children::table
            .filter(children::family_id.eq(family.as_uuid()))
            .order((children::dob.desc(), children::id.asc()))
            .select(ChildRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Child::from).collect())
    }

    async fn create_child(
        &self,
        family: FamilyId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError> {
        let mut conn = self.conn().await?;
        let row: ChildRow = diesel::insert_into(children::table)
            .values((
                children::id.eq(ChildId::random().as_uuid()),
                children::family_id.eq(family.as_uuid()),
                children::first_name.eq(draft.first_name.as_str()),
                children::last_name.eq(draft.last_name.as_str()),
                children::dob.eq(draft.dob),
            ))
            .returning(ChildRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_child(
        &self,
        family: FamilyId,
        id: ChildId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ChildRow> = diesel::update(
            children::table
                .filter(children::id.eq(id.as_uuid()))
                .filter(children::family_id.eq(family.as_uuid())),
        )
        .set((
            children::first_name.eq(draft.first_name.as_str()),
            children::last_name.eq(draft.last_name.as_str()),
            children::dob.eq(draft.dob),
        ))
        .returning(ChildRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(Child::from).ok_or(StoreError::NotFound)
    }

    async fn delete_child(&self, family: FamilyId, id: ChildId) -> Result<(), StoreError> {
        delete_of_family!(self, children, id = id.as_uuid(), family)
    }
}
