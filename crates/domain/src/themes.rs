//! Colour themes (`themes`): user-made palettes. A user sees the public themes and their own;
//! only the creator changes or deletes one. A user's choice is `user_preferences.selected_theme_id`.

use chrono::NaiveDateTime;

use crate::{ShortText, ThemeId, UserId, ValidationError};

/// Longest theme name.
pub const THEME_NAME_MAX: usize = 100;

/// A colour as the app sends it: `#RGB`, `#RRGGBB` or `#RRGGBBAA` (hex digits in either case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Color(String);

impl Color {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let hex = s.strip_prefix('#').unwrap_or("");
        if !matches!(hex.len(), 3 | 6 | 8) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ValidationError::new(
                field,
                "must be a colour #RRGGBB (or #RGB, #RRGGBBAA)",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// A stored value (seeded themes may hold other colour notations).
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The nine colours of a theme, in the order of [`Palette::FIELDS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    pub main_background: Color,
    pub secondary_background: Color,
    pub text: Color,
    pub header_text: Color,
    pub icon: Color,
    pub icon_active: Color,
    pub accent: Color,
    pub parent_one: Color,
    pub parent_two: Color,
}

impl Palette {
    /// The wire (and column) names of the colours.
    pub const FIELDS: [&'static str; 9] = [
        "mainBackgroundColor",
        "secondaryBackgroundColor",
        "textColor",
        "headerTextColor",
        "iconColor",
        "iconActiveColor",
        "accentColor",
        "parentOneColor",
        "parentTwoColor",
    ];

    /// Builds a palette from nine colours in [`Palette::FIELDS`] order.
    pub fn from_array(c: [Color; 9]) -> Self {
        let [main_background, secondary_background, text, header_text, icon, icon_active, accent, parent_one, parent_two] =
            c;
        Self {
            main_background,
            secondary_background,
            text,
            header_text,
            icon,
            icon_active,
            accent,
            parent_one,
            parent_two,
        }
    }

    /// The nine colours in [`Palette::FIELDS`] order.
    pub fn as_array(&self) -> [&Color; 9] {
        [
            &self.main_background,
            &self.secondary_background,
            &self.text,
            &self.header_text,
            &self.icon,
            &self.icon_active,
            &self.accent,
            &self.parent_one,
            &self.parent_two,
        ]
    }

    /// The palette with the given colours replaced (`None` keeps a colour).
    pub fn with(&self, changes: &[Option<Color>; 9]) -> Self {
        let current = self.as_array();
        let merged: [Color; 9] =
            std::array::from_fn(|i| changes[i].clone().unwrap_or_else(|| current[i].clone()));
        Self::from_array(merged)
    }
}

/// A theme as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub id: ThemeId,
    pub name: ShortText,
    pub palette: Palette,
    pub is_public: bool,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Theme {
    /// Public themes and the user's own are visible to the user.
    pub fn is_visible_to(&self, user: UserId) -> bool {
        self.is_public || self.created_by == Some(user)
    }

    /// Only the creator may change or delete a theme.
    pub fn is_editable_by(&self, user: UserId) -> bool {
        self.created_by == Some(user)
    }
}

/// A new theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeDraft {
    pub name: ShortText,
    pub palette: Palette,
    pub is_public: bool,
}

/// Changes to a theme; `None` keeps a value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThemeChanges {
    pub name: Option<ShortText>,
    /// In [`Palette::FIELDS`] order.
    pub colors: [Option<Color>; 9],
    pub is_public: Option<bool>,
}

impl ThemeChanges {
    /// The theme's name, palette and visibility after the changes.
    pub fn apply(&self, theme: &Theme) -> ThemeDraft {
        ThemeDraft {
            name: self.name.clone().unwrap_or_else(|| theme.name.clone()),
            palette: theme.palette.with(&self.colors),
            is_public: self.is_public.unwrap_or(theme.is_public),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Color {
        Color::parse(s, "textColor").unwrap()
    }

    #[test]
    fn colours_are_hex() {
        for ok in ["#FAF8FF", "#fff", "#11223344", " #abcdef "] {
            assert!(Color::parse(ok, "textColor").is_ok(), "{ok}");
        }
        for bad in ["FAF8FF", "#FAF8F", "#GGGGGG", "", "#", "red"] {
            assert!(Color::parse(bad, "textColor").is_err(), "{bad}");
        }
    }

    #[test]
    fn changes_keep_what_they_do_not_name() {
        let palette = Palette::from_array(std::array::from_fn(|_| c("#000000")));
        let theme = Theme {
            id: ThemeId::random(),
            name: ShortText::parse("Night", "name", 100).unwrap(),
            palette,
            is_public: false,
            created_by: Some(UserId::random()),
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
        };
        let mut changes = ThemeChanges::default();
        changes.colors[2] = Some(c("#FFFFFF"));
        let after = changes.apply(&theme);
        assert_eq!(after.name, theme.name);
        assert_eq!(after.palette.text, c("#FFFFFF"));
        assert_eq!(after.palette.main_background, c("#000000"));
        assert!(!after.is_public);
        assert!(theme.is_editable_by(theme.created_by.unwrap()));
        assert!(!theme.is_visible_to(UserId::random()));
    }
}
