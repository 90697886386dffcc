//! `AccountStore::leave_family` on PostgreSQL: one transaction that moves a member out of their
//! family into a new empty one, under a lock on the old family's row.

use calndr_domain::{FamilyId, NewFamily, UserId};
use calndr_ports::{FamilyDeparture, StoreError};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Text, Timestamp, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection as _, RunQueryDsl as _};
use uuid::Uuid;

use crate::error::TxError;
use crate::pool::Conn;

#[derive(QueryableByName)]
struct Leaver {
    #[diesel(sql_type = Text)]
    first_name: String,
}

#[derive(QueryableByName)]
struct Membership {
    #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
    family_id: Option<Uuid>,
}

/// Locks the user's family row, then the user's row, in that order (every write that takes a
/// member out of a family does, so two of them never deadlock, and the member count of the
/// family holds until the commit). `None` when the user does not exist or was deleted; else the
/// family the user is in (locked), if any.
pub(crate) async fn lock_membership(
    conn: &mut Conn,
    user: Uuid,
) -> Result<Option<Option<Uuid>>, TxError> {
    const ACTIVE: &str = "SELECT family_id FROM users \
         WHERE id = $1 AND status IS DISTINCT FROM 'deleted'";
    for _ in 0..3 {
        let seen: Vec<Membership> = diesel::sql_query(ACTIVE)
            .bind::<SqlUuid, _>(user)
            .load(conn)
            .await?;
        let Some(seen) = seen.into_iter().next() else {
            return Ok(None);
        };
        if let Some(family) = seen.family_id {
            diesel::sql_query("SELECT id FROM families WHERE id = $1 FOR UPDATE")
                .bind::<SqlUuid, _>(family)
                .execute(conn)
                .await?;
        }
        let locked: Vec<Membership> = diesel::sql_query(format!("{ACTIVE} FOR UPDATE"))
            .bind::<SqlUuid, _>(user)
            .load(conn)
            .await?;
        let Some(locked) = locked.into_iter().next() else {
            return Ok(None);
        };
        if locked.family_id == seen.family_id {
            return Ok(Some(locked.family_id));
        }
        // Moved between the two reads (a redemption): lock the family it is in now.
    }
    Err(TxError::Store(StoreError::Unavailable(
        "the member kept moving between families; try again".into(),
    )))
}

#[derive(QueryableByName)]
struct Member {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

pub(crate) async fn leave_family(
    conn: &mut Conn,
    id: UserId,
    family: NewFamily,
    at: DateTime<Utc>,
) -> Result<FamilyDeparture, StoreError> {
    let user = id.as_uuid();
    let naive = at.naive_utc();
    conn.transaction::<_, TxError, _>(async move |conn| {
        let Some(old) = lock_membership(conn, user).await? else {
            return Err(TxError::Store(StoreError::NotFound));
        };
        let Some(old) = old else {
            return Ok(FamilyDeparture::NoFamily);
        };
        let leaver: Vec<Leaver> = diesel::sql_query("SELECT first_name FROM users WHERE id = $1")
            .bind::<SqlUuid, _>(user)
            .load(conn)
            .await?;
        let Some(leaver) = leaver.into_iter().next() else {
            return Err(TxError::Store(StoreError::NotFound));
        };
        let others: Vec<Member> = diesel::sql_query(
            "SELECT id FROM users WHERE family_id = $1 AND id <> $2 \
             ORDER BY created_at NULLS LAST, id",
        )
        .bind::<SqlUuid, _>(old)
        .bind::<SqlUuid, _>(user)
        .load(conn)
        .await?;
        if others.is_empty() {
            return Ok(FamilyDeparture::OnlyMember);
        }
        diesel::sql_query(
            "INSERT INTO families (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)",
        )
        .bind::<SqlUuid, _>(family.id.as_uuid())
        .bind::<Text, _>(family.name.as_str())
        .bind::<Timestamp, _>(naive)
        .execute(conn)
        .await?;
        diesel::sql_query(
            "UPDATE enrollment_codes SET revoked_at = $3 \
             WHERE family_id = $1 AND created_by_user_id = $2 AND revoked_at IS NULL",
        )
        .bind::<SqlUuid, _>(old)
        .bind::<SqlUuid, _>(user)
        .bind::<Timestamptz, _>(at)
        .execute(conn)
        .await?;
        diesel::sql_query(
            "UPDATE users SET family_id = $2, enrolled = false, coparent_enrolled = false, \
             coparent_invited = false, updated_at = $3 WHERE id = $1",
        )
        .bind::<SqlUuid, _>(user)
        .bind::<SqlUuid, _>(family.id.as_uuid())
        .bind::<Timestamp, _>(naive)
        .execute(conn)
        .await?;
        if let [single] = others.as_slice() {
            diesel::sql_query(
                "UPDATE users SET coparent_enrolled = false, coparent_invited = false, \
                 updated_at = $2 WHERE id = $1",
            )
            .bind::<SqlUuid, _>(single.id)
            .bind::<Timestamp, _>(naive)
            .execute(conn)
            .await?;
        }
        // A family named after the leaver ("Alice's Family") is named after its first
        // remaining member instead.
        diesel::sql_query(
            "UPDATE families f SET name = u.first_name || '''s Family', updated_at = $3 \
             FROM (SELECT first_name FROM users WHERE family_id = $1 \
                   ORDER BY created_at NULLS LAST, id LIMIT 1) u \
             WHERE f.id = $1 AND f.name = $2 || '''s Family'",
        )
        .bind::<SqlUuid, _>(old)
        .bind::<Text, _>(&leaver.first_name)
        .bind::<Timestamp, _>(naive)
        .execute(conn)
        .await?;
        Ok(FamilyDeparture::Left {
            old_family: FamilyId::from_uuid(old),
        })
    })
    .await
    .map_err(TxError::into_store)
}
