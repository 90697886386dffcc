//! Behavioural contracts of the circle stores (children, babysitters, emergency contacts,
//! medications, themes). Each function is one story; the integration tests run it against the
//! memory and the Postgres adapters, so the two cannot drift.

use std::sync::Arc;

use calndr_domain::{
    BabysitterDraft, BabysitterId, BoundedText, ChildDraft, ChildId, Color, EmergencyContactDraft,
    FamilyId, MedicationFields, MedicationQuery, Palette, PersonName, PhoneNumber, Rate, ShortText,
    ThemeDraft, ThemeId, User, UserId,
};
use calndr_ports::{
    AccountStore, BabysitterStore, ChildStore, EmergencyContactStore, MedicationStore, StoreError,
    ThemeStore,
};
use chrono::{NaiveDate, Utc};

use crate::contracts::new_account;

/// Every circle store, from one adapter.
#[derive(Clone)]
pub struct CircleStores {
    pub accounts: Arc<dyn AccountStore>,
    pub children: Arc<dyn ChildStore>,
    pub babysitters: Arc<dyn BabysitterStore>,
    pub contacts: Arc<dyn EmergencyContactStore>,
    pub medications: Arc<dyn MedicationStore>,
    pub themes: Arc<dyn ThemeStore>,
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn name(s: &str) -> PersonName {
    PersonName::parse(s, "name").expect("name")
}

fn text(s: &str) -> BoundedText {
    BoundedText::parse(s, "text", 255, false).expect("text")
}

async fn family(stores: &CircleStores, first: &str) -> (User, FamilyId) {
    let email = format!("{first}-{}@example.com", uuid::Uuid::new_v4().simple());
    let user = stores
        .accounts
        .create_account(new_account(first, &email))
        .await
        .expect("account");
    let fam = user.family_id.expect("family");
    (user, fam)
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

/// Children: youngest first, scoped by family, replaced and deleted only in their family.
pub async fn children_are_family_scoped(stores: CircleStores) {
    let (_, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.children;
    let draft = |first: &str, dob: &str| ChildDraft {
        first_name: name(first),
        last_name: name("Lee"),
        dob: date(dob),
    };
    let older = s
        .create_child(a, &draft("Old", "2015-01-01"))
        .await
        .expect("create");
    let younger = s
        .create_child(a, &draft("Young", "2020-01-01"))
        .await
        .expect("create");
    assert_eq!(
        s.children(a).await.expect("list"),
        vec![younger.clone(), older.clone()]
    );
    assert!(s.children(b).await.expect("list").is_empty());
    assert!(is_not_found(
        s.update_child(b, older.id, &draft("X", "2015-01-01")).await
    ));
    assert!(is_not_found(s.delete_child(b, older.id).await));
    let upd = s
        .update_child(a, older.id, &draft("Older", "2014-12-31"))
        .await
        .expect("update");
    assert_eq!(
        (upd.first_name.as_str(), upd.dob),
        ("Older", date("2014-12-31"))
    );
    s.delete_child(a, older.id).await.expect("delete");
    assert!(is_not_found(s.delete_child(a, older.id).await));
    assert!(is_not_found(s.delete_child(a, ChildId::random()).await));
    assert_eq!(s.children(a).await.expect("list"), vec![younger]);
}

fn sitter(first: &str, rate: f64) -> BabysitterDraft {
    BabysitterDraft {
        first_name: name(first),
        last_name: name("Sitter"),
        phone_number: PhoneNumber::parse("555-0100", "phone_number").expect("phone"),
        rate: Rate::parse(rate).expect("rate"),
        notes: None,
    }
}

/// Babysitters: linked to the creating family; cents survive the round trip; only a linked
/// family edits or unlinks; an unknown author is `NotFound` and writes nothing.
pub async fn babysitters_are_linked_per_family(stores: CircleStores) {
    let (user, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.babysitters;
    let now = Utc::now();
    let zed = s
        .create_babysitter(a, user.id, &sitter("Zed", 12.34), now)
        .await
        .expect("create");
    assert_eq!(zed.rate.map(|r| r.cents()), Some(1234));
    assert_eq!(zed.created_by, user.id);
    assert!(zed.created_at.is_some());
    let amy = s
        .create_babysitter(a, user.id, &sitter("Amy", 0.0), now)
        .await
        .expect("create");
    assert_eq!(amy.rate, None);
    assert_eq!(
        s.babysitters(a).await.expect("list"),
        vec![amy.clone(), zed.clone()]
    );
    assert!(s.babysitters(b).await.expect("list").is_empty());
    assert!(is_not_found(
        s.update_babysitter(b, zed.id, &sitter("X", 1.0)).await
    ));
    assert!(is_not_found(s.unlink_babysitter(b, zed.id).await));
    let upd = s
        .update_babysitter(a, zed.id, &sitter("Zoe", 9999.99))
        .await
        .expect("update");
    assert_eq!(
        (upd.first_name.as_str(), upd.rate.map(|r| r.cents())),
        ("Zoe", Some(999_999))
    );
    assert_eq!(upd.created_at, zed.created_at);
    s.unlink_babysitter(a, zed.id).await.expect("unlink");
    assert!(is_not_found(s.unlink_babysitter(a, zed.id).await));
    assert!(is_not_found(
        s.update_babysitter(a, zed.id, &sitter("Z", 1.0)).await
    ));
    assert!(is_not_found(
        s.unlink_babysitter(a, BabysitterId::new(999_999)).await
    ));
    assert!(is_not_found(
        s.create_babysitter(a, UserId::random(), &sitter("Ghost", 1.0), now)
            .await
    ));
    assert_eq!(s.babysitters(a).await.expect("list"), vec![amy]);
}

/// Emergency contacts: scoped by family, ordered by name.
pub async fn emergency_contacts_are_family_scoped(stores: CircleStores) {
    let (user, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.contacts;
    let draft = |first: &str, rel: Option<&str>| EmergencyContactDraft {
        first_name: name(first),
        last_name: name("Contact"),
        phone_number: PhoneNumber::parse("555-0199", "phone_number").expect("phone"),
        relationship: rel.map(|r| ShortText::parse(r, "relationship", 100).expect("rel")),
        notes: Some(text("Has a key")),
    };
    let now = Utc::now();
    let gran = s
        .create_emergency_contact(a, user.id, &draft("Gran", Some("Grandmother")), now)
        .await
        .expect("create");
    let al = s
        .create_emergency_contact(a, user.id, &draft("Al", None), now)
        .await
        .expect("create");
    assert_eq!(
        s.emergency_contacts(a).await.expect("list"),
        vec![al.clone(), gran.clone()]
    );
    assert!(s.emergency_contacts(b).await.expect("list").is_empty());
    assert!(is_not_found(
        s.update_emergency_contact(b, gran.id, &draft("X", None))
            .await
    ));
    assert!(is_not_found(s.delete_emergency_contact(b, gran.id).await));
    let upd = s
        .update_emergency_contact(a, gran.id, &draft("Granny", None))
        .await
        .expect("update");
    assert_eq!(
        (upd.first_name.as_str(), upd.relationship),
        ("Granny", None)
    );
    s.delete_emergency_contact(a, gran.id)
        .await
        .expect("delete");
    assert!(is_not_found(s.delete_emergency_contact(a, gran.id).await));
    assert_eq!(s.emergency_contacts(a).await.expect("list"), vec![al]);
}

fn med(name: &str, start: Option<&str>, end: Option<&str>, active: bool) -> MedicationFields {
    MedicationFields {
        name: text(name),
        dosage: None,
        frequency: None,
        instructions: None,
        start_date: start.map(date),
        end_date: end.map(date),
        is_active: active,
        reminder_enabled: false,
        reminder_time: None,
        notes: None,
    }
}

/// Medications: filters, the current-on-a-day filter, order (missing dates last either way),
/// pages and totals, and family scoping of every by-id method.
pub async fn medications_page_filter_and_sort_alike(stores: CircleStores) {
    let (_, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.medications;
    let now = Utc::now();
    let mut ids = Vec::new();
    for f in [
        med("b", Some("2025-01-02"), None, true),
        med("a", Some("2025-01-03"), Some("2025-01-05"), false),
        med("c", None, None, true),
        med("d", Some("2025-01-01"), Some("2025-01-02"), true),
    ] {
        ids.push(s.create_medication(a, &f, now).await.expect("create").id);
    }
    let names = |p: &calndr_domain::MedicationPage| -> Vec<String> {
        p.medications
            .iter()
            .map(|m| m.fields.name.as_str().to_owned())
            .collect()
    };
    let q = |page, limit, sort: &str, order: &str| {
        MedicationQuery::new(Some(page), Some(limit), Some(sort), Some(order)).expect("query")
    };
    let all = s
        .medications(a, q(1, 10, "name", "asc"))
        .await
        .expect("list");
    assert_eq!(
        (names(&all), all.total),
        (vec!["a".into(), "b".into(), "c".into(), "d".into()], 4)
    );
    let by_start = s
        .medications(a, q(1, 10, "start_date", "desc"))
        .await
        .expect("list");
    assert_eq!(names(&by_start), ["a", "b", "d", "c"]);
    let by_start = s
        .medications(a, q(1, 10, "start_date", "asc"))
        .await
        .expect("list");
    assert_eq!(names(&by_start), ["d", "b", "a", "c"]);
    let second = s
        .medications(a, q(2, 3, "name", "desc"))
        .await
        .expect("list");
    assert_eq!((names(&second), second.total), (vec!["a".to_owned()], 4));
    let active = MedicationQuery {
        is_active: Some(true),
        ..q(1, 10, "name", "asc")
    };
    assert_eq!(
        names(&s.medications(a, active).await.expect("list")),
        ["b", "c", "d"]
    );
    let on_day = MedicationQuery {
        current_on: Some(date("2025-01-02")),
        ..q(1, 10, "name", "asc")
    };
    let current = s.medications(a, on_day).await.expect("list");
    assert_eq!(
        (names(&current), current.total),
        (vec!["b".into(), "c".into(), "d".into()], 3)
    );
    assert_eq!(
        s.medications(b, q(1, 10, "name", "asc"))
            .await
            .expect("list")
            .total,
        0
    );

    let id = ids[0];
    assert!(is_not_found(s.medication(b, id).await));
    let read = s.medication(a, id).await.expect("get").updated_at;
    assert!(is_not_found(
        s.replace_medication(b, id, &med("x", None, None, true), read, now)
            .await
    ));
    assert!(is_not_found(s.delete_medication(b, id).await));
    let mut changed = med("b2", Some("2025-01-02"), None, true);
    changed.reminder_enabled = true;
    changed.reminder_time = chrono::NaiveTime::from_hms_opt(8, 0, 0);
    let upd = s
        .replace_medication(a, id, &changed, read, now + chrono::Duration::seconds(1))
        .await
        .expect("replace");
    assert_eq!(upd.fields, changed);
    // A write based on what was read before that one is refused, not lost.
    assert!(matches!(
        s.replace_medication(a, id, &med("stale", None, None, true), read, now)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.medication(a, id).await.expect("get"), upd);
    s.delete_medication(a, id).await.expect("delete");
    assert!(is_not_found(s.medication(a, id).await));
}

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
pub async fn themes_visibility_ownership_and_selection(stores: CircleStores) {
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
