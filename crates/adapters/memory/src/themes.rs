//! [`ThemeStore`] on the themes of the [`MemoryStore`]; selections live in the users'
//! preferences of the same state.

use async_trait::async_trait;
use calndr_domain::{Theme, ThemeDraft, ThemeId, UserId};
use calndr_ports::{StoreError, ThemeStore};
use chrono::{DateTime, Utc};

use crate::state::PreferencesRow;
use crate::MemoryStore;

#[async_trait]
impl ThemeStore for MemoryStore {
    async fn visible_themes(&self, user: UserId) -> Result<Vec<Theme>, StoreError> {
        let s = self.state();
        let mut out: Vec<Theme> = s
            .themes
            .values()
            .filter(|t| t.is_visible_to(user))
            .cloned()
            .collect();
        out.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn visible_theme(&self, user: UserId, id: ThemeId) -> Result<Theme, StoreError> {
        self.state()
            .themes
            .get(&id)
            .filter(|t| t.is_visible_to(user))
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn create_theme(
        &self,
        user: UserId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        let mut s = self.state();
        s.has_user(user)?;
        let at = at.naive_utc();
        let theme = Theme {
            id: ThemeId::random(),
            name: draft.name.clone(),
            palette: draft.palette.clone(),
            is_public: draft.is_public,
            created_by: Some(user),
            created_at: at,
            updated_at: at,
        };
        s.themes.insert(theme.id, theme.clone());
        Ok(theme)
    }

    async fn update_own_theme(
        &self,
        user: UserId,
        id: ThemeId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        let mut s = self.state();
        let t = s
            .themes
            .get_mut(&id)
            .filter(|t| t.is_editable_by(user))
            .ok_or(StoreError::NotFound)?;
        t.name = draft.name.clone();
        t.palette = draft.palette.clone();
        t.is_public = draft.is_public;
        t.updated_at = at.naive_utc();
        Ok(t.clone())
    }

    async fn delete_own_theme(&self, user: UserId, id: ThemeId) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.themes.get(&id).is_none_or(|t| !t.is_editable_by(user)) {
            return Err(StoreError::NotFound);
        }
        s.themes.remove(&id);
        // Users who had selected it go back to no selection.
        for p in s.preferences.values_mut() {
            if p.selected_theme_id == Some(id) {
                p.selected_theme_id = None;
            }
        }
        Ok(())
    }

    async fn select_theme(
        &self,
        user: UserId,
        id: ThemeId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.themes.get(&id).is_none_or(|t| !t.is_visible_to(user)) {
            return Err(StoreError::NotFound);
        }
        s.has_user(user)?;
        let p = s
            .preferences
            .entry(user)
            .or_insert_with(|| PreferencesRow::defaults(None));
        p.selected_theme_id = Some(id);
        p.updated_at = Some(at.naive_utc());
        Ok(())
    }
}
