//! Storage of the colour themes and each user's selection.
//!
//! Scoped by the user (public themes and the user's own). Every method is one atomic unit of
//! work. Unless stated otherwise, methods return `Unavailable` when storage cannot be reached and
//! `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{Theme, ThemeDraft, ThemeId, UserId};
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Colour themes (`themes`) and each user's selected theme (`user_preferences`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ThemeStore: Send + Sync {
    /// Public themes and the user's own, by name then id.
    async fn visible_themes(&self, user: UserId) -> Result<Vec<Theme>, StoreError>;

    /// `NotFound` unless the theme exists and is public or the user's own.
    async fn visible_theme(&self, user: UserId, id: ThemeId) -> Result<Theme, StoreError>;

    /// Inserts a theme with a fresh id, created by `user`.
    async fn create_theme(
        &self,
        user: UserId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError>;

    /// Replaces name, colours and visibility of the user's own theme. `NotFound` when the theme
    /// is absent or not created by `user`.
    async fn update_own_theme(
        &self,
        user: UserId,
        id: ThemeId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError>;

    /// Deletes the user's own theme; users who had selected it go back to no selection, in the
    /// same unit of work. `NotFound` when absent or not created by `user`.
    async fn delete_own_theme(&self, user: UserId, id: ThemeId) -> Result<(), StoreError>;

    /// Sets the user's selected theme, creating the preferences row (with the defaults) when the
    /// user has none. `NotFound` when the theme is not visible to the user or the user does not
    /// exist.
    async fn select_theme(
        &self,
        user: UserId,
        id: ThemeId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
