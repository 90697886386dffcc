//! The `ThemeStore` contract.

use calndr_domain::{Color, Palette, ShortText, ThemeDraft, ThemeId, UserId};
use calndr_ports::Storage;
use chrono::Utc;

use super::{family, is_not_found};

fn palette(hex: &str) -> Palette {
    Palette::from_array(std::array::from_fn(|_| {
        Color::parse(hex, "c").expect("colour")
    }))
}

fn theme(name: &str, public: bool) -> ThemeDraft {
    ThemeDraft {
        name: ShortText::parse(name, "name", 100).expect("name"),
        palette: palette("#123456"),
        is_public: public,
    }
}

/// Themes: public plus own are visible; only the creator updates or deletes; selecting needs a
/// visible theme, works without a preferences row, and a deleted theme is unselected.
pub async fn themes_visibility_ownership_and_selection(stores: Storage) {
    let (ann, _) = family(&stores, "Ann").await;
    let (ben, _) = family(&stores, "Ben").await;
    let s = &stores.themes;
    let now = Utc::now();
    let public = s
        .create_theme(ann.id, &theme("Public", true), now)
        .await
        .expect("create");
    let private = s
        .create_theme(ann.id, &theme("Private", false), now)
        .await
        .expect("create");
    assert_eq!(public.created_by, Some(ann.id));
    assert_eq!(
        s.visible_themes(ann.id).await.expect("list"),
        vec![private.clone(), public.clone()]
    );
    assert_eq!(
        s.visible_themes(ben.id).await.expect("list"),
        vec![public.clone()]
    );
    assert!(is_not_found(s.visible_theme(ben.id, private.id).await));
    assert_eq!(
        s.visible_theme(ben.id, public.id).await.expect("get"),
        public
    );
    assert!(is_not_found(
        s.update_own_theme(ben.id, public.id, &theme("X", true), now)
            .await
    ));
    assert!(is_not_found(s.delete_own_theme(ben.id, public.id).await));
    let mut changed = theme("Renamed", true);
    changed.palette = palette("#FFFFFF");
    let upd = s
        .update_own_theme(ann.id, public.id, &changed, now)
        .await
        .expect("update");
    assert_eq!(
        (upd.name.as_str(), upd.palette.clone()),
        ("Renamed", palette("#FFFFFF"))
    );

    assert!(is_not_found(s.select_theme(ben.id, private.id, now).await));
    assert!(is_not_found(
        s.select_theme(ben.id, ThemeId::random(), now).await
    ));
    assert!(is_not_found(
        s.select_theme(UserId::random(), public.id, now).await
    ));
    s.select_theme(ben.id, public.id, now)
        .await
        .expect("select");
    let prefs = stores.accounts.preferences(ben.id).await.expect("prefs");
    assert_eq!(prefs.selected_theme_id, Some(public.id));
    assert_eq!(
        prefs.theme.as_deref(),
        Some("default"),
        "other preferences kept"
    );

    s.delete_own_theme(ann.id, public.id).await.expect("delete");
    assert!(is_not_found(s.delete_own_theme(ann.id, public.id).await));
    let prefs = stores.accounts.preferences(ben.id).await.expect("prefs");
    assert_eq!(prefs.selected_theme_id, None);
    assert!(is_not_found(
        s.create_theme(UserId::random(), &theme("Ghost", true), now)
            .await
    ));
}
