//! `ThemeStore` on `themes` and the selection in `user_preferences`.

use async_trait::async_trait;
use calndr_domain::{
    Color, NotificationPreferences, Palette, ShortText, Theme, ThemeDraft, ThemeId, UserId,
};
use calndr_ports::{StoreError, ThemeStore};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, one_row, TxError};
use crate::pool::Conn;
use crate::schema::{themes, user_preferences};
use crate::users::prefs_json;
use crate::PgStore;

#[derive(Queryable, Selectable)]
#[diesel(table_name = themes, check_for_backend(Pg))]
struct ThemeRow {
    id: Uuid,
    name: String,
    main_background_color: String,
    secondary_background_color: String,
    text_color: String,
    header_text_color: String,
    icon_color: String,
    icon_active_color: String,
    accent_color: String,
    parent_one_color: String,
    parent_two_color: String,
    is_public: bool,
    created_by_user_id: Option<Uuid>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<ThemeRow> for Theme {
    fn from(r: ThemeRow) -> Self {
        Self {
            id: ThemeId::from_uuid(r.id),
            name: ShortText::from_stored(r.name),
            palette: Palette::from_array(
                [
                    r.main_background_color,
                    r.secondary_background_color,
                    r.text_color,
                    r.header_text_color,
                    r.icon_color,
                    r.icon_active_color,
                    r.accent_color,
                    r.parent_one_color,
                    r.parent_two_color,
                ]
                .map(Color::from_stored),
            ),
            is_public: r.is_public,
            created_by: r.created_by_user_id.map(UserId::from_uuid),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

type ThemeValues<'a> = (
    diesel::dsl::Eq<themes::name, &'a str>,
    (
        diesel::dsl::Eq<themes::main_background_color, &'a str>,
        diesel::dsl::Eq<themes::secondary_background_color, &'a str>,
        diesel::dsl::Eq<themes::text_color, &'a str>,
        diesel::dsl::Eq<themes::header_text_color, &'a str>,
        diesel::dsl::Eq<themes::icon_color, &'a str>,
        diesel::dsl::Eq<themes::icon_active_color, &'a str>,
        diesel::dsl::Eq<themes::accent_color, &'a str>,
        diesel::dsl::Eq<themes::parent_one_color, &'a str>,
        diesel::dsl::Eq<themes::parent_two_color, &'a str>,
    ),
    diesel::dsl::Eq<themes::is_public, bool>,
);

fn theme_values(d: &ThemeDraft) -> ThemeValues<'_> {
    let p = &d.palette;
    (
        themes::name.eq(d.name.as_str()),
        (
            themes::main_background_color.eq(p.main_background.as_str()),
            themes::secondary_background_color.eq(p.secondary_background.as_str()),
            themes::text_color.eq(p.text.as_str()),
            themes::header_text_color.eq(p.header_text.as_str()),
            themes::icon_color.eq(p.icon.as_str()),
            themes::icon_active_color.eq(p.icon_active.as_str()),
            themes::accent_color.eq(p.accent.as_str()),
            themes::parent_one_color.eq(p.parent_one.as_str()),
            themes::parent_two_color.eq(p.parent_two.as_str()),
        ),
        themes::is_public.eq(d.is_public),
    )
}

async fn visible_theme_row(
    conn: &mut Conn,
    user: UserId,
    id: ThemeId,
    lock: bool,
) -> Result<Option<ThemeRow>, diesel::result::Error> {
    let q = themes::table
        .filter(themes::id.eq(id.as_uuid()))
        .filter(
            themes::is_public
                .eq(true)
                .or(themes::created_by_user_id.eq(user.as_uuid())),
        )
        .select(ThemeRow::as_select());
    if lock {
        q.for_share().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

#[async_trait]
impl ThemeStore for PgStore {
    async fn visible_themes(&self, user: UserId) -> Result<Vec<Theme>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ThemeRow> = themes::table
            .filter(
                themes::is_public
                    .eq(true)
                    .or(themes::created_by_user_id.eq(user.as_uuid())),
            )
            .order((themes::name.asc(), themes::id.asc()))
            .select(ThemeRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Theme::from).collect())
    }

    async fn visible_theme(&self, user: UserId, id: ThemeId) -> Result<Theme, StoreError> {
        let mut conn = self.read_conn().await?;
        visible_theme_row(&mut conn, user, id, false)
            .await
            .map_err(from_diesel)?
            .map(Theme::from)
            .ok_or(StoreError::NotFound)
    }

    async fn create_theme(
        &self,
        user: UserId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        let mut conn = self.conn().await?;
        let at = at.naive_utc();
        let row: ThemeRow = diesel::insert_into(themes::table)
            .values((
                themes::id.eq(ThemeId::random().as_uuid()),
                theme_values(draft),
                themes::created_by_user_id.eq(user.as_uuid()),
                themes::created_at.eq(at),
                themes::updated_at.eq(at),
            ))
            .returning(ThemeRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_own_theme(
        &self,
        user: UserId,
        id: ThemeId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ThemeRow> = diesel::update(
            themes::table
                .filter(themes::id.eq(id.as_uuid()))
                .filter(themes::created_by_user_id.eq(user.as_uuid())),
        )
        .set((theme_values(draft), themes::updated_at.eq(at.naive_utc())))
        .returning(ThemeRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(Theme::from).ok_or(StoreError::NotFound)
    }

    async fn delete_own_theme(&self, user: UserId, id: ThemeId) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            // The selection's foreign key would refuse the delete: users go back to no theme.
            diesel::update(
                user_preferences::table
                    .filter(user_preferences::selected_theme_id.eq(id.as_uuid())),
            )
            .set(user_preferences::selected_theme_id.eq(None::<Uuid>))
            .execute(conn)
            .await?;
            let n = diesel::delete(
                themes::table
                    .filter(themes::id.eq(id.as_uuid()))
                    .filter(themes::created_by_user_id.eq(user.as_uuid())),
            )
            .execute(conn)
            .await?;
            Ok(one_row(n)?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn select_theme(
        &self,
        user: UserId,
        id: ThemeId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            // FOR SHARE: the theme cannot be deleted or made private before we commit.
            if visible_theme_row(conn, user, id, true).await?.is_none() {
                return Err(TxError::Store(StoreError::NotFound));
            }
            let at = at.naive_utc();
            // The original failed here for a user without a preferences row (it sent id NULL);
            // the column's own default fills the id.
            diesel::insert_into(user_preferences::table)
                .values((
                    user_preferences::user_id.eq(user.as_uuid()),
                    user_preferences::selected_theme_id.eq(id.as_uuid()),
                    user_preferences::theme.eq("default"),
                    user_preferences::notification_preferences
                        .eq(prefs_json(&NotificationPreferences::defaults())),
                    user_preferences::created_at.eq(at),
                    user_preferences::updated_at.eq(at),
                ))
                .on_conflict(user_preferences::user_id)
                .do_update()
                .set((
                    user_preferences::selected_theme_id.eq(id.as_uuid()),
                    user_preferences::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
        .map_err(TxError::into_store)
    }
}
