//! Rows and writes of `users` shared by the account, family and enrollment stores: the user
//! row, the insert of a new user with its preferences and empty profile, the inviter's mark,
//! and the case-insensitive e-mail check.

use std::collections::BTreeMap;

use calndr_domain::{
    EmailAddress, FamilyId, NewUser, NotificationPreferences, PasswordHash, PersonName,
    PhoneNumber, SessionCutoff, User, UserId, UserStatus,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::pool::Conn;
use crate::schema::{user_preferences, user_profiles, users};

diesel::define_sql_function!(fn lower(x: Text) -> Text);

#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub(crate) struct UserRow {
    id: Uuid,
    family_id: Option<Uuid>,
    first_name: String,
    last_name: String,
    email: String,
    password_hash: Option<String>,
    phone_number: Option<String>,
    status: Option<String>,
    enrolled: Option<bool>,
    coparent_enrolled: Option<bool>,
    coparent_invited: Option<bool>,
    subscription_type: Option<String>,
    subscription_status: Option<String>,
    profile_photo_url: Option<String>,
    last_signed_in: Option<NaiveDateTime>,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
    sns_endpoint_arn: Option<String>,
    sessions_not_before: Option<chrono::DateTime<chrono::Utc>>,
    sessions_kept: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        Self {
            id: UserId::from_uuid(r.id),
            family_id: r.family_id.map(FamilyId::from_uuid),
            first_name: PersonName::from_stored(r.first_name),
            last_name: PersonName::from_stored(r.last_name),
            email: EmailAddress::from_stored(r.email),
            password_hash: r.password_hash.map(PasswordHash::from_stored),
            phone_number: r.phone_number.map(PhoneNumber::from_stored),
            status: r.status.as_deref().map(UserStatus::from_stored),
            enrolled: r.enrolled,
            coparent_enrolled: r.coparent_enrolled,
            coparent_invited: r.coparent_invited,
            subscription_type: r.subscription_type,
            subscription_status: r.subscription_status,
            profile_photo_url: r.profile_photo_url,
            last_signed_in: r.last_signed_in,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sns_endpoint_arn: r.sns_endpoint_arn,
            sessions: r
                .sessions_not_before
                .map(|at| SessionCutoff::at(at, r.sessions_kept)),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub(crate) struct UserInsert<'a> {
    pub(crate) id: Uuid,
    pub(crate) family_id: Uuid,
    pub(crate) first_name: &'a str,
    pub(crate) last_name: &'a str,
    pub(crate) email: &'a str,
    pub(crate) password_hash: Option<&'a str>,
    pub(crate) phone_number: Option<&'a str>,
    pub(crate) status: &'a str,
    pub(crate) enrolled: bool,
    pub(crate) coparent_enrolled: bool,
    pub(crate) coparent_invited: bool,
    pub(crate) subscription_type: &'a str,
    pub(crate) subscription_status: &'a str,
    pub(crate) last_signed_in: Option<NaiveDateTime>,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

impl<'a> UserInsert<'a> {
    pub(crate) fn new(u: &'a NewUser, family: FamilyId) -> Self {
        let at = u.created_at.naive_utc();
        Self {
            id: u.id.as_uuid(),
            family_id: family.as_uuid(),
            first_name: u.first_name.as_str(),
            last_name: u.last_name.as_str(),
            email: u.email.as_str(),
            password_hash: u.password_hash.as_ref().map(PasswordHash::as_str),
            phone_number: u.phone_number.as_ref().map(PhoneNumber::as_str),
            status: "active",
            enrolled: u.enrolled,
            coparent_enrolled: u.coparent_enrolled,
            coparent_invited: false,
            subscription_type: "Free",
            subscription_status: "Active",
            last_signed_in: None,
            created_at: at,
            updated_at: at,
        }
    }
}

pub(crate) fn prefs_json(p: &NotificationPreferences) -> serde_json::Value {
    serde_json::Value::Object(
        p.entries()
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::Bool(*v)))
            .collect(),
    )
}

/// Reads stored preferences leniently: a value that is not `{channel: bool}` is left out.
pub(crate) fn prefs_from_json(v: serde_json::Value) -> Option<NotificationPreferences> {
    let obj = v.as_object()?;
    let map: BTreeMap<String, bool> = obj
        .iter()
        .filter_map(|(k, v)| v.as_bool().map(|b| (k.clone(), b)))
        .collect();
    NotificationPreferences::parse(map).ok()
}

pub(crate) async fn load_user(conn: &mut Conn, id: UserId) -> Result<User, diesel::result::Error> {
    users::table
        .find(id.as_uuid())
        .select(UserRow::as_select())
        .first(conn)
        .await
        .map(User::from)
}

/// Inserts the new user's preferences and empty profile (the original's defaults).
pub(crate) async fn insert_user_extras(
    conn: &mut Conn,
    user: UserId,
    at: NaiveDateTime,
) -> Result<(), diesel::result::Error> {
    diesel::insert_into(user_preferences::table)
        .values((
            user_preferences::user_id.eq(user.as_uuid()),
            user_preferences::theme.eq("default"),
            user_preferences::notification_preferences
                .eq(prefs_json(&NotificationPreferences::defaults())),
            user_preferences::created_at.eq(at),
            user_preferences::updated_at.eq(at),
        ))
        .on_conflict(user_preferences::user_id)
        .do_nothing()
        .execute(conn)
        .await?;
    diesel::insert_into(user_profiles::table)
        .values((
            user_profiles::user_id.eq(user.as_uuid()),
            user_profiles::created_at.eq(at),
            user_profiles::updated_at.eq(at),
        ))
        .on_conflict(user_profiles::user_id)
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn mark_inviter(
    conn: &mut Conn,
    inviter: Option<UserId>,
    at: NaiveDateTime,
) -> Result<(), diesel::result::Error> {
    if let Some(inviter) = inviter {
        diesel::update(users::table.find(inviter.as_uuid()))
            .set((users::coparent_enrolled.eq(true), users::updated_at.eq(at)))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// An e-mail taken under another spelling is a conflict too (the unique index is case-sensitive).
pub(crate) async fn email_free(
    conn: &mut Conn,
    email: &EmailAddress,
) -> Result<bool, diesel::result::Error> {
    let taken: i64 = users::table
        .filter(lower(users::email).eq(lower(email.as_str())))
        .count()
        .get_result(conn)
        .await?;
    Ok(taken == 0)
}
