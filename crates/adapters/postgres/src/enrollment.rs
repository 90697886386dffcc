//! [`EnrollmentStore`] on `enrollment_codes`, `children` and `users`.
//!
//! Code creation locks the family's `families` row (one code per family under concurrency);
//! redemption locks the code's row (`SELECT ... FOR UPDATE`), so two parents redeeming at once
//! are serialised and the second sees the code spent.

use async_trait::async_trait;
use calndr_domain::enrollment::{code_is_usable, MAX_NEW_MEMBERS_PER_CODE};
use calndr_domain::{
    CoparentDetails, EmailAddress, EnrollmentCode, EnrollmentInvitation, FamilyId, NewChild,
    PersonName, PhoneNumber, User, UserId,
};
use calndr_ports::{EnrollmentStore, NewJob, Redeemer, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, one_row, TxError};
use crate::family::lock_family;
use crate::jobs::insert_jobs;
use crate::pool::Conn;
use crate::schema::{children, enrollment_codes, users};
use crate::users::{email_free, insert_user_extras, load_user, mark_inviter, UserInsert};
use crate::PgStore;

#[derive(Queryable, Selectable)]
#[diesel(table_name = enrollment_codes, check_for_backend(diesel::pg::Pg))]
struct CodeRow {
    id: i32,
    family_id: Uuid,
    code: String,
    created_by_user_id: Uuid,
    coparent_first_name: Option<String>,
    coparent_last_name: Option<String>,
    coparent_email: Option<String>,
    coparent_phone: Option<String>,
    invitation_sent: bool,
    invitation_sent_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    redeemed_count: i32,
}

impl From<CodeRow> for EnrollmentInvitation {
    fn from(r: CodeRow) -> Self {
        Self {
            code: EnrollmentCode::from_stored(r.code),
            family_id: FamilyId::from_uuid(r.family_id),
            created_by: UserId::from_uuid(r.created_by_user_id),
            coparent: CoparentDetails {
                first_name: r.coparent_first_name.map(PersonName::from_stored),
                last_name: r.coparent_last_name.map(PersonName::from_stored),
                email: r.coparent_email.map(EmailAddress::from_stored),
                phone: r.coparent_phone.map(PhoneNumber::from_stored),
            },
            invitation_sent: r.invitation_sent,
            invitation_sent_at: r.invitation_sent_at,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked: r.revoked_at.is_some(),
            redeemed_count: r.redeemed_count,
        }
    }
}

/// The co-parent columns to overwrite (a `None` leaves the column as it is).
#[derive(AsChangeset)]
#[diesel(table_name = enrollment_codes)]
struct CoparentChanges<'a> {
    coparent_first_name: Option<&'a str>,
    coparent_last_name: Option<&'a str>,
    coparent_email: Option<&'a str>,
    coparent_phone: Option<&'a str>,
}

impl<'a> CoparentChanges<'a> {
    fn of(c: &'a CoparentDetails) -> Self {
        Self {
            coparent_first_name: c.first_name.as_ref().map(PersonName::as_str),
            coparent_last_name: c.last_name.as_ref().map(PersonName::as_str),
            coparent_email: c.email.as_ref().map(EmailAddress::as_str),
            coparent_phone: c.phone.as_ref().map(PhoneNumber::as_str),
        }
    }
}

/// `code_is_usable` in SQL: not revoked, not expired, not spent.
macro_rules! usable {
    ($now:expr) => {
        enrollment_codes::revoked_at
            .is_null()
            .and(
                enrollment_codes::expires_at
                    .is_null()
                    .or(enrollment_codes::expires_at.gt($now)),
            )
            .and(enrollment_codes::redeemed_count.lt(MAX_NEW_MEMBERS_PER_CODE))
    };
}

async fn load_code(
    conn: &mut Conn,
    id: i32,
) -> Result<EnrollmentInvitation, diesel::result::Error> {
    enrollment_codes::table
        .find(id)
        .select(CodeRow::as_select())
        .first(conn)
        .await
        .map(Into::into)
}

#[async_trait]
impl EnrollmentStore for PgStore {
    async fn create_or_reuse_code(
        &self,
        family: FamilyId,
        creator: UserId,
        candidate: &EnrollmentCode,
        expires_at: DateTime<Utc>,
        coparent: &CoparentDetails,
        now: DateTime<Utc>,
    ) -> Result<EnrollmentInvitation, StoreError> {
        let mut conn = self.conn().await?;
        let (candidate, coparent) = (candidate.clone(), coparent.clone());
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            let existing: Option<i32> = enrollment_codes::table
                .filter(enrollment_codes::family_id.eq(family.as_uuid()))
                .filter(usable!(now))
                .order(enrollment_codes::id.desc())
                .select(enrollment_codes::id)
                .first(conn)
                .await
                .optional()?;
            let id = match existing {
                Some(id) => {
                    if !coparent.is_empty() {
                        diesel::update(enrollment_codes::table.find(id))
                            .set(CoparentChanges::of(&coparent))
                            .execute(conn)
                            .await?;
                    }
                    id
                }
                None => {
                    let taken: i64 = enrollment_codes::table
                        .filter(enrollment_codes::code.eq(candidate.as_str()))
                        .count()
                        .get_result(conn)
                        .await?;
                    if taken > 0 {
                        return Err(TxError::Store(StoreError::Conflict("code")));
                    }
                    let c = CoparentChanges::of(&coparent);
                    diesel::insert_into(enrollment_codes::table)
                        .values((
                            enrollment_codes::family_id.eq(family.as_uuid()),
                            enrollment_codes::code.eq(candidate.as_str()),
                            enrollment_codes::created_by_user_id.eq(creator.as_uuid()),
                            enrollment_codes::coparent_first_name.eq(c.coparent_first_name),
                            enrollment_codes::coparent_last_name.eq(c.coparent_last_name),
                            enrollment_codes::coparent_email.eq(c.coparent_email),
                            enrollment_codes::coparent_phone.eq(c.coparent_phone),
                            enrollment_codes::invitation_sent.eq(false),
                            enrollment_codes::created_at.eq(now.naive_utc()),
                            enrollment_codes::expires_at.eq(Some(expires_at)),
                            enrollment_codes::redeemed_count.eq(0),
                        ))
                        .returning(enrollment_codes::id)
                        .get_result(conn)
                        .await?
                }
            };
            diesel::update(users::table.find(creator.as_uuid()))
                .set((
                    users::coparent_invited.eq(true),
                    users::updated_at.eq(now.naive_utc()),
                ))
                .execute(conn)
                .await?;
            Ok(load_code(conn, id).await?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn usable_code(
        &self,
        code: &EnrollmentCode,
        now: DateTime<Utc>,
    ) -> Result<Option<EnrollmentInvitation>, StoreError> {
        // The primary: a code created a moment ago must be found.
        let mut conn = self.conn().await?;
        let row: Option<CodeRow> = enrollment_codes::table
            .filter(enrollment_codes::code.eq(code.as_str()))
            .filter(usable!(now))
            .select(CodeRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(row.map(Into::into))
    }

    async fn mark_invited(
        &self,
        family: FamilyId,
        code: &EnrollmentCode,
        coparent: &CoparentDetails,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let n = diesel::update(
                enrollment_codes::table
                    .filter(enrollment_codes::family_id.eq(family.as_uuid()))
                    .filter(enrollment_codes::code.eq(code.as_str()))
                    .filter(usable!(now)),
            )
            .set((
                enrollment_codes::invitation_sent.eq(true),
                enrollment_codes::invitation_sent_at.eq(Some(now.naive_utc())),
                CoparentChanges::of(coparent),
            ))
            .execute(conn)
            .await?;
            one_row(n)?;
            insert_jobs(conn, jobs).await?;
            Ok(())
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn revoke_codes(&self, family: FamilyId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            enrollment_codes::table
                .filter(enrollment_codes::family_id.eq(family.as_uuid()))
                .filter(usable!(now)),
        )
        .set(enrollment_codes::revoked_at.eq(Some(now)))
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(n as u64)
    }

    async fn redeem(
        &self,
        code: &EnrollmentCode,
        who: Redeemer,
        now: DateTime<Utc>,
    ) -> Result<(User, FamilyId), StoreError> {
        let mut conn = self.conn().await?;
        let code = code.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let row: CodeRow = enrollment_codes::table
                .filter(enrollment_codes::code.eq(code.as_str()))
                .select(CodeRow::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?
                .ok_or(TxError::Store(StoreError::NotFound))?;
            let family = FamilyId::from_uuid(row.family_id);
            let at = now.naive_utc();
            let user_id = match &who {
                Redeemer::Existing(id) => *id,
                Redeemer::New(u) => u.id,
            };
            let already_member = match &who {
                Redeemer::Existing(id) => {
                    let current: Option<Uuid> = users::table
                        .find(id.as_uuid())
                        .select(users::family_id)
                        .first(conn)
                        .await
                        .optional()?
                        .ok_or(TxError::Store(StoreError::NotFound))?;
                    current == Some(row.family_id)
                }
                Redeemer::New(_) => false,
            };
            // Members re-redeeming their own family's code is a no-op and does not spend it.
            let counted = if already_member {
                0
            } else {
                row.redeemed_count
            };
            if !code_is_usable(row.revoked_at.is_some(), row.expires_at, counted, now) {
                return Err(TxError::Store(StoreError::NotFound));
            }
            match who {
                Redeemer::Existing(id) => {
                    let n = diesel::update(users::table.find(id.as_uuid()))
                        .set((
                            users::family_id.eq(row.family_id),
                            users::enrolled.eq(true),
                            users::coparent_enrolled.eq(true),
                            users::updated_at.eq(at),
                        ))
                        .execute(conn)
                        .await?;
                    one_row(n)?;
                }
                Redeemer::New(mut new) => {
                    if !email_free(conn, &new.email).await? {
                        return Err(TxError::Store(StoreError::Conflict("email")));
                    }
                    (new.enrolled, new.coparent_enrolled) = (true, true);
                    diesel::insert_into(users::table)
                        .values(UserInsert::new(&new, family))
                        .execute(conn)
                        .await?;
                    insert_user_extras(conn, new.id, new.created_at.naive_utc()).await?;
                }
            }
            let creator = UserId::from_uuid(row.created_by_user_id);
            mark_inviter(conn, Some(creator).filter(|c| *c != user_id), at).await?;
            if !already_member {
                diesel::update(enrollment_codes::table.find(row.id))
                    .set(enrollment_codes::redeemed_count.eq(enrollment_codes::redeemed_count + 1))
                    .execute(conn)
                    .await?;
            }
            Ok((load_user(conn, user_id).await?, family))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn children_count(&self, family: FamilyId) -> Result<u64, StoreError> {
        let mut conn = self.read_conn().await?;
        let n: i64 = children::table
            .filter(children::family_id.eq(family.as_uuid()))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(n.max(0) as u64)
    }

    async fn add_children(&self, family: FamilyId, new: &[NewChild]) -> Result<u64, StoreError> {
        let rows: Vec<_> = new
            .iter()
            .map(|c| {
                (
                    children::id.eq(Uuid::new_v4()),
                    children::family_id.eq(family.as_uuid()),
                    children::first_name.eq(c.first_name.as_str()),
                    children::last_name.eq(c.last_name.as_str()),
                    children::dob.eq(c.dob),
                )
            })
            .collect();
        let mut conn = self.conn().await?;
        // One statement: every child or none.
        let n = diesel::insert_into(children::table)
            .values(&rows)
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(n as u64)
    }

    async fn finish_enrollment(
        &self,
        user: UserId,
        family: FamilyId,
        coparents_enrolled: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let at = now.naive_utc();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let n = diesel::update(
                users::table
                    .find(user.as_uuid())
                    .filter(users::family_id.eq(family.as_uuid())),
            )
            .set((users::enrolled.eq(true), users::updated_at.eq(at)))
            .execute(conn)
            .await?;
            one_row(n)?;
            if coparents_enrolled {
                diesel::update(
                    users::table
                        .filter(users::family_id.eq(family.as_uuid()))
                        .filter(users::id.ne(user.as_uuid())),
                )
                .set((users::coparent_enrolled.eq(true), users::updated_at.eq(at)))
                .execute(conn)
                .await?;
            }
            Ok(())
        })
        .await
        .map_err(TxError::into_store)
    }
}
