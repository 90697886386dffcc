//! `/api/v1/themes/*` (spec 1.18, 2.5, 3.7; contract 2.9 T1-T5). Colour keys are camelCase as
//! the app decodes them; visibility is sent as `isPublic` (what the app reads) and `is_public`
//! (what the original sent). A user sees public themes and their own; only the creator changes or
//! deletes one (403); a theme the user cannot see is 404. Theme ids in paths may be upper-case
//! (Swift `UUID`). Selecting a theme works for a user without a preferences row.

use actix_web::{web, HttpResponse};
use calndr_domain::themes::THEME_NAME_MAX;
use calndr_domain::{Color, Palette, ShortText, Theme, ThemeChanges, ThemeDraft, ThemeId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::py_timestamp;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

/// The nine colours, each `#RRGGBB` (or `#RGB`, `#RRGGBBAA`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ThemeColors {
    #[serde(rename = "mainBackgroundColor")]
    #[schema(schema_with = lim::color)]
    pub main_background_color: String,
    #[serde(rename = "secondaryBackgroundColor")]
    #[schema(schema_with = lim::color)]
    pub secondary_background_color: String,
    #[serde(rename = "textColor")]
    #[schema(schema_with = lim::color)]
    pub text_color: String,
    #[serde(rename = "headerTextColor")]
    #[schema(schema_with = lim::color)]
    pub header_text_color: String,
    #[serde(rename = "iconColor")]
    #[schema(schema_with = lim::color)]
    pub icon_color: String,
    #[serde(rename = "iconActiveColor")]
    #[schema(schema_with = lim::color)]
    pub icon_active_color: String,
    #[serde(rename = "accentColor")]
    #[schema(schema_with = lim::color)]
    pub accent_color: String,
    #[serde(rename = "parentOneColor")]
    #[schema(schema_with = lim::color)]
    pub parent_one_color: String,
    #[serde(rename = "parentTwoColor")]
    #[schema(schema_with = lim::color)]
    pub parent_two_color: String,
}

impl ThemeColors {
    fn values(&self) -> [&String; 9] {
        [
            &self.main_background_color,
            &self.secondary_background_color,
            &self.text_color,
            &self.header_text_color,
            &self.icon_color,
            &self.icon_active_color,
            &self.accent_color,
            &self.parent_one_color,
            &self.parent_two_color,
        ]
    }

    fn parse(&self) -> ApiResult<Palette> {
        let values = self.values();
        let mut colors = Vec::with_capacity(9);
        for (raw, field) in values.into_iter().zip(Palette::FIELDS) {
            colors.push(Color::parse(raw, field)?);
        }
        let colors: [Color; 9] = colors
            .try_into()
            .map_err(|_| crate::ApiError::validation("body", "nine colours are required"))?;
        Ok(Palette::from_array(colors))
    }

    fn of(p: &Palette) -> Self {
        let [a, b, c, d, e, f, g, h, i] = p.as_array().map(|c| c.as_str().to_owned());
        Self {
            main_background_color: a,
            secondary_background_color: b,
            text_color: c,
            header_text_color: d,
            icon_color: e,
            icon_active_color: f,
            accent_color: g,
            parent_one_color: h,
            parent_two_color: i,
        }
    }
}

/// The colours a `PUT` may change; each left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ThemeColorChanges {
    #[serde(rename = "mainBackgroundColor")]
    #[schema(schema_with = lim::color_opt)]
    pub main_background_color: Option<String>,
    #[serde(rename = "secondaryBackgroundColor")]
    #[schema(schema_with = lim::color_opt)]
    pub secondary_background_color: Option<String>,
    #[serde(rename = "textColor")]
    #[schema(schema_with = lim::color_opt)]
    pub text_color: Option<String>,
    #[serde(rename = "headerTextColor")]
    #[schema(schema_with = lim::color_opt)]
    pub header_text_color: Option<String>,
    #[serde(rename = "iconColor")]
    #[schema(schema_with = lim::color_opt)]
    pub icon_color: Option<String>,
    #[serde(rename = "iconActiveColor")]
    #[schema(schema_with = lim::color_opt)]
    pub icon_active_color: Option<String>,
    #[serde(rename = "accentColor")]
    #[schema(schema_with = lim::color_opt)]
    pub accent_color: Option<String>,
    #[serde(rename = "parentOneColor")]
    #[schema(schema_with = lim::color_opt)]
    pub parent_one_color: Option<String>,
    #[serde(rename = "parentTwoColor")]
    #[schema(schema_with = lim::color_opt)]
    pub parent_two_color: Option<String>,
}

impl ThemeColorChanges {
    fn parse(&self) -> ApiResult<[Option<Color>; 9]> {
        let values = [
            &self.main_background_color,
            &self.secondary_background_color,
            &self.text_color,
            &self.header_text_color,
            &self.icon_color,
            &self.icon_active_color,
            &self.accent_color,
            &self.parent_one_color,
            &self.parent_two_color,
        ];
        let mut out: [Option<Color>; 9] = Default::default();
        for ((slot, raw), field) in out.iter_mut().zip(values).zip(Palette::FIELDS) {
            *slot = raw.as_deref().map(|c| Color::parse(c, field)).transpose()?;
        }
        Ok(out)
    }
}

/// A theme as the app decodes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeResponse {
    /// UUID.
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub colors: ThemeColors,
    /// What the app reads.
    #[serde(rename = "isPublic")]
    pub is_public_camel: bool,
    /// The original's key, kept for other clients.
    pub is_public: bool,
    pub created_by_user_id: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub created_at: String,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub updated_at: String,
}

impl From<&Theme> for ThemeResponse {
    fn from(t: &Theme) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name.as_str().to_owned(),
            colors: ThemeColors::of(&t.palette),
            is_public_camel: t.is_public,
            is_public: t.is_public,
            created_by_user_id: t.created_by.map(|u| u.to_string()),
            created_at: py_timestamp(t.created_at),
            updated_at: py_timestamp(t.updated_at),
        }
    }
}

/// `POST` body: the app sends its whole theme; `id`, `created_by_user_id` and the times it
/// sends are ignored (the server assigns them).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ThemeCreateRequest {
    /// 1-100 characters.
    #[schema(schema_with = lim::theme_name)]
    pub name: String,
    #[serde(flatten)]
    pub colors: ThemeColors,
    /// Also accepted as `is_public`. Default false.
    #[serde(rename = "isPublic", alias = "is_public")]
    pub is_public: Option<bool>,
}

/// `PUT` body: fields left out keep their values.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ThemeUpdateRequest {
    #[schema(schema_with = lim::theme_name_opt)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub colors: ThemeColorChanges,
    /// Also accepted as `is_public`.
    #[serde(rename = "isPublic", alias = "is_public")]
    pub is_public: Option<bool>,
}

fn theme_name(raw: &str) -> ApiResult<ShortText> {
    Ok(ShortText::parse(raw, "name", THEME_NAME_MAX)?)
}

fn theme_id(raw: &str) -> ApiResult<ThemeId> {
    Ok(ThemeId::parse(raw, "theme_id")?)
}

/// Public themes and the caller's own.
#[utoipa::path(get, path = "/api/v1/themes/", tag = "themes",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Themes", body = [ThemeResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn list(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let themes = state.themes.list(&user.0).await?;
    let out: Vec<ThemeResponse> = themes.iter().map(ThemeResponse::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Create a theme owned by the caller.
#[utoipa::path(post, path = "/api/v1/themes/", tag = "themes",
    security(("bearer" = [])),
    request_body = ThemeCreateRequest,
    responses(
        (status = 200, description = "Created", body = ThemeResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid name or colour", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<ThemeCreateRequest>,
) -> ApiResult<HttpResponse> {
    let draft = ThemeDraft {
        name: theme_name(&body.name)?,
        palette: body.colors.parse()?,
        is_public: body.is_public.unwrap_or(false),
    };
    let t = state.themes.create(&user.0, draft).await?;
    Ok(HttpResponse::Ok().json(ThemeResponse::from(&t)))
}

/// Change one's own theme.
#[utoipa::path(put, path = "/api/v1/themes/{theme_id}", tag = "themes",
    security(("bearer" = [])),
    params(("theme_id" = String, Path, description = "UUID, any case")),
    request_body = ThemeUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = ThemeResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not the theme's creator", body = ErrorBody),
        (status = 404, description = "No such theme visible to the caller", body = ErrorBody),
        (status = 422, description = "Invalid id, name or colour", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<ThemeUpdateRequest>,
) -> ApiResult<HttpResponse> {
    let id = theme_id(&path)?;
    let changes = ThemeChanges {
        name: body.name.as_deref().map(theme_name).transpose()?,
        colors: body.colors.parse()?,
        is_public: body.is_public,
    };
    let t = state.themes.update(&user.0, id, changes).await?;
    Ok(HttpResponse::Ok().json(ThemeResponse::from(&t)))
}

/// Delete one's own theme (users who selected it go back to the default). 204.
#[utoipa::path(delete, path = "/api/v1/themes/{theme_id}", tag = "themes",
    security(("bearer" = [])),
    params(("theme_id" = String, Path, description = "UUID, any case")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not the theme's creator", body = ErrorBody),
        (status = 404, description = "No such theme visible to the caller", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.themes.delete(&user.0, theme_id(&path)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Select a public or own theme for the caller. 204; 404 makes the app fall back to its default.
#[utoipa::path(put, path = "/api/v1/themes/set-preference/{theme_id}", tag = "themes",
    security(("bearer" = [])),
    params(("theme_id" = String, Path, description = "UUID, any case")),
    responses(
        (status = 204, description = "Selected"),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such theme visible to the caller", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn set_preference(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.themes.select(&user.0, theme_id(&path)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
