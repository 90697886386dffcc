//! `AccountStore` on the `users`, `families`, `user_profiles`, `user_preferences` and
//! `enrollment_codes` tables.

use async_trait::async_trait;
use calndr_domain::{
    DeviceToken, EmailAddress, EnrollmentCode, EnrollmentCodeRecord, FamilyId, GeoPoint,
    IdentityProvider, NewAccount, NewUser, NotificationPreferences, PasswordHash, Preferences,
    ProfileChanges, ProviderSubject, SessionCutoff, ThemeId, User, UserId,
};
use calndr_ports::{AccountStore, StoreError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, one_row, TxError};
use crate::schema::{enrollment_codes, families, user_preferences, user_profiles, users};
use crate::users::{
    email_free, insert_user_extras, load_user, lower, mark_inviter, prefs_from_json, prefs_json,
    UserInsert, UserRow,
};
use crate::PgStore;

/// Sets the user's id at the provider (one column per provider). The number of rows changed.
async fn set_identity(
    conn: &mut AsyncPgConnection,
    user: UserId,
    provider: IdentityProvider,
    subject: &ProviderSubject,
) -> QueryResult<usize> {
    let target = users::table.find(user.as_uuid());
    let sub = Some(subject.as_str());
    match provider {
        IdentityProvider::Apple => {
            diesel::update(target)
                .set(users::apple_user_id.eq(sub))
                .execute(conn)
                .await
        }
        IdentityProvider::Google => {
            diesel::update(target)
                .set(users::google_user_id.eq(sub))
                .execute(conn)
                .await
        }
        IdentityProvider::Facebook => {
            diesel::update(target)
                .set(users::facebook_user_id.eq(sub))
                .execute(conn)
                .await
        }
    }
}

impl PgStore {
    /// A family and its first member (and the member's identity link), in one transaction.
    async fn insert_account(
        &self,
        account: NewAccount,
        identity: Option<(IdentityProvider, ProviderSubject)>,
    ) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let result = conn
            .transaction::<_, TxError, _>(async move |conn| {
                if !email_free(conn, &account.user.email).await? {
                    return Err(TxError::Store(StoreError::Conflict("email")));
                }
                let at = account.user.created_at.naive_utc();
                diesel::insert_into(families::table)
                    .values((
                        families::id.eq(account.family.id.as_uuid()),
                        families::name.eq(account.family.name.as_str()),
                        families::created_at.eq(at),
                        families::updated_at.eq(at),
                    ))
                    .execute(conn)
                    .await?;
                diesel::insert_into(users::table)
                    .values(UserInsert::new(&account.user, account.family.id))
                    .execute(conn)
                    .await?;
                insert_user_extras(conn, account.user.id, at).await?;
                if let Some((provider, subject)) = identity {
                    set_identity(conn, account.user.id, provider, &subject).await?;
                }
                Ok(load_user(conn, account.user.id).await?)
            })
            .await;
        result.map_err(TxError::into_store)
    }
}

#[async_trait]
impl AccountStore for PgStore {
    async fn create_account(&self, account: NewAccount) -> Result<User, StoreError> {
        self.insert_account(account, None).await
    }

    async fn create_account_with_identity(
        &self,
        account: NewAccount,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<User, StoreError> {
        self.insert_account(account, Some((provider, subject.clone())))
            .await
    }

    async fn create_member(
        &self,
        user: NewUser,
        family: FamilyId,
        inviter: Option<UserId>,
    ) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let exists: i64 = families::table
                .find(family.as_uuid())
                .count()
                .get_result(conn)
                .await?;
            if exists == 0 {
                return Err(TxError::Store(StoreError::NotFound));
            }
            if !email_free(conn, &user.email).await? {
                return Err(TxError::Store(StoreError::Conflict("email")));
            }
            let at = user.created_at.naive_utc();
            // Joining through a code enrolls the new member and marks the family as co-parented.
            let mut row = UserInsert::new(&user, family);
            (row.enrolled, row.coparent_enrolled) = (true, true);
            diesel::insert_into(users::table)
                .values(row)
                .execute(conn)
                .await?;
            insert_user_extras(conn, user.id, at).await?;
            mark_inviter(conn, inviter.filter(|i| *i != user.id), at).await?;
            Ok(load_user(conn, user.id).await?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn join_family(
        &self,
        user: UserId,
        family: FamilyId,
        inviter: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let at = at.naive_utc();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let exists: i64 = families::table
                .find(family.as_uuid())
                .count()
                .get_result(conn)
                .await?;
            if exists == 0 {
                return Err(TxError::Store(StoreError::NotFound));
            }
            let n = diesel::update(users::table.find(user.as_uuid()))
                .set((
                    users::family_id.eq(family.as_uuid()),
                    users::enrolled.eq(true),
                    users::coparent_enrolled.eq(true),
                    users::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            one_row(n).map_err(TxError::Store)?;
            mark_inviter(conn, inviter.filter(|i| *i != user), at).await?;
            Ok(load_user(conn, user).await?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.read_conn().await?;
        users::table
            .find(id.as_uuid())
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map(|r| r.map(User::from))
            .map_err(from_diesel)
    }

    async fn user_by_identity(
        &self,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        let sub = subject.as_str();
        let query = users::table.select(UserRow::as_select()).into_boxed();
        let query = match provider {
            IdentityProvider::Apple => query.filter(users::apple_user_id.eq(sub)),
            IdentityProvider::Google => query.filter(users::google_user_id.eq(sub)),
            IdentityProvider::Facebook => query.filter(users::facebook_user_id.eq(sub)),
        };
        query
            .first(&mut conn)
            .await
            .optional()
            .map(|r| r.map(User::from))
            .map_err(from_diesel)
    }

    async fn unlink_identity(
        &self,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let sub = subject.as_str();
        let none: Option<&str> = None;
        let n = match provider {
            IdentityProvider::Apple => {
                diesel::update(users::table.filter(users::apple_user_id.eq(sub)))
                    .set(users::apple_user_id.eq(none))
                    .execute(&mut conn)
                    .await
            }
            IdentityProvider::Google => {
                diesel::update(users::table.filter(users::google_user_id.eq(sub)))
                    .set(users::google_user_id.eq(none))
                    .execute(&mut conn)
                    .await
            }
            IdentityProvider::Facebook => {
                diesel::update(users::table.filter(users::facebook_user_id.eq(sub)))
                    .set(users::facebook_user_id.eq(none))
                    .execute(&mut conn)
                    .await
            }
        }
        .map_err(from_diesel)?;
        Ok(n > 0)
    }

    async fn link_identity(
        &self,
        user: UserId,
        provider: IdentityProvider,
        subject: &ProviderSubject,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let changed = set_identity(&mut conn, user, provider, subject)
            .await
            .map_err(from_diesel)?;
        one_row(changed)
    }

    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<User>, StoreError> {
        let mut conn = self.read_conn().await?;
        users::table
            .filter(lower(users::email).eq(lower(email.as_str())))
            .order_by((
                users::email.eq(email.as_str()).desc(),
                users::created_at.asc(),
            ))
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map(|r| r.map(User::from))
            .map_err(from_diesel)
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let at = at.naive_utc();
        let mut conn = self.conn().await?;
        let changes = changes.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let n = diesel::update(users::table.find(id.as_uuid()))
                .set((
                    changes
                        .first_name
                        .as_ref()
                        .map(|v| users::first_name.eq(v.as_str())),
                    changes
                        .last_name
                        .as_ref()
                        .map(|v| users::last_name.eq(v.as_str())),
                    changes
                        .phone_number
                        .as_ref()
                        .map(|v| users::phone_number.eq(v.as_str())),
                    changes.enrolled.map(|v| users::enrolled.eq(v)),
                    users::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            one_row(n).map_err(TxError::Store)?;
            if let Some(bio) = &changes.bio {
                diesel::insert_into(user_profiles::table)
                    .values((
                        user_profiles::user_id.eq(id.as_uuid()),
                        user_profiles::bio.eq(bio.as_str()),
                        user_profiles::created_at.eq(at),
                        user_profiles::updated_at.eq(at),
                    ))
                    .on_conflict(user_profiles::user_id)
                    .do_update()
                    .set((
                        user_profiles::bio.eq(bio.as_str()),
                        user_profiles::updated_at.eq(at),
                    ))
                    .execute(conn)
                    .await?;
            }
            Ok(load_user(conn, id).await?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn set_password_hash(
        &self,
        id: UserId,
        hash: &PasswordHash,
        at: DateTime<Utc>,
        sessions: Option<SessionCutoff>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let target = diesel::update(users::table.find(id.as_uuid()));
        let set = (
            users::password_hash.eq(hash.as_str()),
            users::updated_at.eq(at.naive_utc()),
        );
        // One statement: the new password and the end of the other sessions land together.
        let n = match sessions {
            Some(cutoff) => {
                target
                    .set((
                        set,
                        users::sessions_not_before.eq(cutoff.not_before()),
                        users::sessions_kept.eq(cutoff.kept()),
                    ))
                    .execute(&mut conn)
                    .await
            }
            None => target.set(set).execute(&mut conn).await,
        }
        .map_err(from_diesel)?;
        one_row(n)
    }

    async fn delete_account(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        jobs: &[calndr_ports::NewJob],
    ) -> Result<calndr_ports::DeletedAccount, StoreError> {
        let mut conn = self.conn().await?;
        crate::account_deletion::delete_account(&mut conn, id, at, jobs).await
    }

    async fn leave_family(
        &self,
        id: UserId,
        family: calndr_domain::NewFamily,
        at: DateTime<Utc>,
    ) -> Result<calndr_ports::FamilyDeparture, StoreError> {
        let mut conn = self.conn().await?;
        crate::family_leave::leave_family(&mut conn, id, family, at).await
    }

    async fn set_identity_token(
        &self,
        user: UserId,
        provider: IdentityProvider,
        token: &calndr_domain::ProviderRefreshToken,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "INSERT INTO identity_tokens (user_id, provider, refresh_token, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, provider) \
             DO UPDATE SET refresh_token = EXCLUDED.refresh_token, updated_at = EXCLUDED.updated_at",
        )
        .bind::<SqlUuid, _>(user.as_uuid())
        .bind::<Text, _>(provider.as_str())
        .bind::<Text, _>(token.expose())
        .bind::<Timestamptz, _>(at)
        .execute(&mut conn)
        .await
        .map(|_| ())
        .map_err(from_diesel)
    }

    async fn identity_token(
        &self,
        user: UserId,
        provider: IdentityProvider,
    ) -> Result<Option<calndr_domain::ProviderRefreshToken>, StoreError> {
        use diesel::sql_types::{Text, Uuid as SqlUuid};
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            refresh_token: String,
        }
        let mut conn = self.conn().await?;
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT refresh_token FROM identity_tokens WHERE user_id = $1 AND provider = $2",
        )
        .bind::<SqlUuid, _>(user.as_uuid())
        .bind::<Text, _>(provider.as_str())
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| calndr_domain::ProviderRefreshToken::new(&r.refresh_token)))
    }

    async fn end_sessions(&self, id: UserId, cutoff: SessionCutoff) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(users::table.find(id.as_uuid()))
            .set((
                users::sessions_not_before.eq(cutoff.not_before()),
                users::sessions_kept.eq(cutoff.kept()),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        one_row(n)
    }

    async fn record_sign_in(&self, id: UserId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(users::table.find(id.as_uuid()))
            .set(users::last_signed_in.eq(at.naive_utc()))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        one_row(n)
    }

    async fn clear_device_token(&self, id: UserId, token: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(
            users::table
                .find(id.as_uuid())
                .filter(users::apns_token.eq(token)),
        )
        .set(users::apns_token.eq(None::<String>))
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(())
    }

    async fn set_device_token(
        &self,
        id: UserId,
        token: &DeviceToken,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(users::table.find(id.as_uuid()))
            .set((
                users::apns_token.eq(token.as_str()),
                users::updated_at.eq(at.naive_utc()),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        one_row(n)
    }

    async fn set_location(
        &self,
        id: UserId,
        point: GeoPoint,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(users::table.find(id.as_uuid()))
            .set((
                users::last_known_location.eq(point.to_stored()),
                users::last_known_location_timestamp.eq(at.naive_utc()),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        one_row(n)
    }

    async fn set_profile_photo(
        &self,
        id: UserId,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let at = at.naive_utc();
        let url = url.to_owned();
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let n = diesel::update(users::table.find(id.as_uuid()))
                .set((users::profile_photo_url.eq(&url), users::updated_at.eq(at)))
                .execute(conn)
                .await?;
            one_row(n).map_err(TxError::Store)?;
            // user_profiles.profile_photo_url is VARCHAR(255): keep it only when it fits.
            let short = (url.len() <= 255).then_some(url.as_str());
            diesel::insert_into(user_profiles::table)
                .values((
                    user_profiles::user_id.eq(id.as_uuid()),
                    user_profiles::profile_photo_url.eq(short),
                    user_profiles::created_at.eq(at),
                    user_profiles::updated_at.eq(at),
                ))
                .on_conflict(user_profiles::user_id)
                .do_update()
                .set((
                    user_profiles::profile_photo_url.eq(short),
                    user_profiles::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            Ok(load_user(conn, id).await?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn preferences(&self, id: UserId) -> Result<Preferences, StoreError> {
        let mut conn = self.read_conn().await?;
        let prefs: Option<(Option<String>, Option<Uuid>, Option<serde_json::Value>)> =
            user_preferences::table
                .filter(user_preferences::user_id.eq(id.as_uuid()))
                .select((
                    user_preferences::theme,
                    user_preferences::selected_theme_id,
                    user_preferences::notification_preferences,
                ))
                .first(&mut conn)
                .await
                .optional()
                .map_err(from_diesel)?;
        let bio: Option<Option<String>> = user_profiles::table
            .filter(user_profiles::user_id.eq(id.as_uuid()))
            .select(user_profiles::bio)
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        let (theme, selected, notifications) = prefs.unwrap_or((None, None, None));
        Ok(Preferences {
            theme,
            selected_theme_id: selected.map(ThemeId::from_uuid),
            notification_preferences: notifications.and_then(prefs_from_json),
            bio: bio.flatten(),
        })
    }

    async fn set_preferences<'a>(
        &self,
        id: UserId,
        theme: Option<&'a str>,
        notifications: Option<&'a NotificationPreferences>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = at.naive_utc();
        let json = notifications.map(prefs_json);
        let mut conn = self.conn().await?;
        let exists: i64 = users::table
            .find(id.as_uuid())
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        one_row(usize::try_from(exists).unwrap_or(0))?;
        diesel::insert_into(user_preferences::table)
            .values((
                user_preferences::user_id.eq(id.as_uuid()),
                user_preferences::theme.eq(theme.unwrap_or("default")),
                user_preferences::notification_preferences.eq(json
                    .clone()
                    .unwrap_or_else(|| prefs_json(&NotificationPreferences::defaults()))),
                user_preferences::created_at.eq(at),
                user_preferences::updated_at.eq(at),
            ))
            .on_conflict(user_preferences::user_id)
            .do_update()
            .set((
                theme.map(|t| user_preferences::theme.eq(t)),
                json.map(|j| user_preferences::notification_preferences.eq(j)),
                user_preferences::updated_at.eq(at),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn enrollment_code(
        &self,
        code: &EnrollmentCode,
    ) -> Result<Option<EnrollmentCodeRecord>, StoreError> {
        let mut conn = self.read_conn().await?;
        let row: Option<(Uuid, Uuid, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> =
            enrollment_codes::table
                .filter(enrollment_codes::code.eq(code.as_str()))
                .select((
                    enrollment_codes::family_id,
                    enrollment_codes::created_by_user_id,
                    enrollment_codes::expires_at,
                    enrollment_codes::revoked_at,
                ))
                .first(&mut conn)
                .await
                .optional()
                .map_err(from_diesel)?;
        Ok(row.map(
            |(family, creator, expires_at, revoked_at)| EnrollmentCodeRecord {
                family_id: FamilyId::from_uuid(family),
                created_by: UserId::from_uuid(creator),
                expires_at,
                revoked: revoked_at.is_some(),
            },
        ))
    }
}
