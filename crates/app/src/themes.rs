//! Colour themes: a user sees the public themes and their own; only the creator changes or
//! deletes a theme (403 for a visible theme of someone else, 404 for one the user cannot see).

use std::sync::Arc;

use calndr_domain::{Theme, ThemeChanges, ThemeDraft, ThemeId};
use calndr_ports::{StoreError, ThemeStore};
use chrono::Utc;

use crate::{AppError, Principal};

#[derive(Clone)]
pub struct ThemeService {
    store: Arc<dyn ThemeStore>,
}

fn mapped(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("Theme"),
        other => other.into(),
    }
}

impl ThemeService {
    pub fn new(store: Arc<dyn ThemeStore>) -> Self {
        Self { store }
    }

    pub async fn list(&self, who: &Principal) -> Result<Vec<Theme>, AppError> {
        Ok(self.store.visible_themes(who.user_id).await?)
    }

    pub async fn create(&self, who: &Principal, draft: ThemeDraft) -> Result<Theme, AppError> {
        self.store
            .create_theme(who.user_id, &draft, Utc::now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })
    }

    /// The theme if the caller may change it: 404 when not visible, 403 when visible but made
    /// by someone else (or seeded without a creator).
    async fn own(
        &self,
        who: &Principal,
        id: ThemeId,
        forbidden: &'static str,
    ) -> Result<Theme, AppError> {
        let theme = self
            .store
            .visible_theme(who.user_id, id)
            .await
            .map_err(mapped)?;
        if !theme.is_editable_by(who.user_id) {
            return Err(AppError::Forbidden(forbidden));
        }
        Ok(theme)
    }

    pub async fn update(
        &self,
        who: &Principal,
        id: ThemeId,
        changes: ThemeChanges,
    ) -> Result<Theme, AppError> {
        let theme = self
            .own(who, id, "Not authorized to update this theme")
            .await?;
        let draft = changes.apply(&theme);
        self.store
            .update_own_theme(who.user_id, id, &draft, Utc::now())
            .await
            .map_err(mapped)
    }

    pub async fn delete(&self, who: &Principal, id: ThemeId) -> Result<(), AppError> {
        self.own(who, id, "Not authorized to delete this theme")
            .await?;
        self.store
            .delete_own_theme(who.user_id, id)
            .await
            .map_err(mapped)
    }

    /// Selects a public or own theme for the caller (creating their preferences if needed).
    pub async fn select(&self, who: &Principal, id: ThemeId) -> Result<(), AppError> {
        self.store
            .select_theme(who.user_id, id, Utc::now())
            .await
            .map_err(mapped)
    }
}
