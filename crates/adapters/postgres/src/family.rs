//! `FamilyStore` on `users` (a family's members), and the lock on a family's `families` row
//! that serialises its custody writes, template applications and enrollment codes.

use async_trait::async_trait;
use calndr_domain::{FamilyId, FamilyMember, NewUser, User};
use calndr_ports::{FamilyStore, StoreError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, TxError};
use crate::pool::Conn;
use crate::schema::{families, users};
use crate::users::{email_free, load_user, UserInsert, UserRow};
use crate::PgStore;

/// A user row with the columns a member carries beyond the `User` entity.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
struct MemberRow {
    #[diesel(embed)]
    user: UserRow,
    last_known_location: Option<String>,
    last_known_location_timestamp: Option<NaiveDateTime>,
    apns_token: Option<String>,
}

impl From<MemberRow> for FamilyMember {
    fn from(r: MemberRow) -> Self {
        Self {
            user: User::from(r.user),
            last_known_location: r.last_known_location,
            last_known_location_at: r.last_known_location_timestamp,
            device_token: r.apns_token,
        }
    }
}

/// Locks the family's row for the rest of the transaction; `NotFound` when it does not exist.
pub(crate) async fn lock_family(conn: &mut Conn, family: FamilyId) -> Result<(), TxError> {
    let found: Option<Uuid> = families::table
        .find(family.as_uuid())
        .select(families::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(TxError::Store(StoreError::NotFound)),
    }
}

#[async_trait]
impl FamilyStore for PgStore {
    async fn members(&self, family: FamilyId) -> Result<Vec<FamilyMember>, StoreError> {
        // The primary: a member who just joined must be accepted as a custodian at once.
        let mut conn = self.conn().await?;
        users::table
            .filter(users::family_id.eq(family.as_uuid()))
            .order((users::created_at.asc().nulls_last(), users::id.asc()))
            .select(MemberRow::as_select())
            .load(&mut conn)
            .await
            .map(|rows| rows.into_iter().map(FamilyMember::from).collect())
            .map_err(from_diesel)
    }

    async fn add_invited_member(
        &self,
        family: FamilyId,
        user: NewUser,
    ) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            if !email_free(conn, &user.email).await? {
                return Err(TxError::Store(StoreError::Conflict("email")));
            }
            // The legacy invite: no password, not enrolled, status `invited`.
            let mut row = UserInsert::new(&user, family);
            row.status = "invited";
            row.password_hash = None;
            (row.enrolled, row.coparent_enrolled) = (false, false);
            diesel::insert_into(users::table)
                .values(row)
                .execute(conn)
                .await?;
            Ok(load_user(conn, user.id).await?)
        })
        .await
        .map_err(TxError::into_store)
    }
}
