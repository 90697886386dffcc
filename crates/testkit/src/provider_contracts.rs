//! Behavioural contracts of the provider stores (daycares, schools with their calendars, medical
//! providers). Each function is one story; the integration tests run it against the memory and
//! the Postgres adapters.

use std::sync::Arc;

use calndr_domain::{
    CalendarEvent, FamilyId, MedicalChanges, MedicalInput, ProviderFields, ProviderId,
    ProviderInput, ProviderKind, User, WebUrl,
};
use calndr_ports::{AccountStore, MedicalProviderStore, ProviderStore, StoreError};
use chrono::{NaiveDate, Utc};

use crate::contracts::new_account;

/// The provider stores of one adapter, and the account store that makes families.
#[derive(Clone)]
pub struct ProviderStores {
    pub accounts: Arc<dyn AccountStore>,
    pub providers: Arc<dyn ProviderStore>,
    pub medical: Arc<dyn MedicalProviderStore>,
}

async fn family(stores: &ProviderStores, name: &str) -> (User, FamilyId) {
    let email = format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple());
    let user = stores
        .accounts
        .create_account(new_account(name, &email))
        .await
        .expect("account");
    let fam = user.family_id.expect("family");
    (user, fam)
}

fn fields(name: &str, rating: Option<f64>) -> ProviderFields {
    ProviderFields::parse(ProviderInput {
        name,
        website: Some("learningtree.example.com"),
        rating,
        phone_number: Some("(910) 555-0100"),
        ..ProviderInput::default()
    })
    .expect("fields")
}

fn events(list: &[(&str, &str)]) -> Vec<CalendarEvent> {
    list.iter()
        .map(|(d, t)| {
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
            CalendarEvent::new(date, t).expect("event")
        })
        .collect()
}

fn not_found<T>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

fn url(s: &str) -> WebUrl {
    WebUrl::parse(s, "calendar_url", 2000).expect("url")
}

/// CRUD is scoped by family and by kind; a calendar replaces the provider's events, upserts one
/// sync per URL and follows it; deleting removes the provider, its syncs and events.
pub async fn providers_are_family_scoped_and_delete_cascades(stores: ProviderStores) {
    let (ann, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.providers;
    let daycare = ProviderKind::Daycare;
    let p = s
        .create_provider(daycare, a, ann.id, &fields("Tree", Some(4.5)), Utc::now())
        .await
        .expect("create");
    assert_eq!(p.fields.rating.map(|r| r.get()), Some(4.5));
    assert_eq!(
        p.fields.website.as_ref().map(WebUrl::as_str),
        Some("https://learningtree.example.com")
    );
    assert!(p.created_at.is_some());
    assert_eq!(
        s.providers(daycare, a).await.expect("list"),
        vec![p.clone()]
    );
    assert!(s.providers(daycare, b).await.expect("list").is_empty());
    assert!(s
        .providers(ProviderKind::School, a)
        .await
        .expect("list")
        .is_empty());

    let other = fields("Taken", None);
    assert!(not_found(s.provider(daycare, b, p.id).await));
    assert!(not_found(s.provider(ProviderKind::School, a, p.id).await));
    assert!(not_found(
        s.update_provider(daycare, b, p.id, &other, Utc::now())
            .await
    ));
    assert!(not_found(s.delete_provider(daycare, b, p.id).await));
    assert!(not_found(s.calendar_sync(daycare, b, p.id).await));
    let cal = url("https://learningtree.example.com/calendar");
    let three = events(&[
        ("2025-12-22", "Winter Break - Closed"),
        ("2026-01-19", "MLK Day"),
        ("2026-02-13", "Early Dismissal"),
    ]);
    assert!(not_found(
        s.replace_calendar(daycare, b, p.id, &cal, &three, Utc::now())
            .await
    ));

    let (_, none) = s.calendar_sync(daycare, a, p.id).await.expect("sync");
    assert!(none.is_none());
    let (_, first) = s
        .replace_calendar(daycare, a, p.id, &cal, &three, Utc::now())
        .await
        .expect("replace");
    assert_eq!(
        (
            first.events_count,
            first.sync_enabled,
            first.last_sync_success
        ),
        (3, true, Some(true))
    );
    let (_, again) = s
        .replace_calendar(daycare, a, p.id, &cal, &three[..1], Utc::now())
        .await
        .expect("replace again");
    assert_eq!(again.id, first.id, "one sync per (provider, url)");
    assert_eq!(again.events_count, 1);
    let (_, latest) = s.calendar_sync(daycare, a, p.id).await.expect("sync");
    let latest = latest.expect("a sync");
    assert_eq!(latest.calendar_url, cal);
    assert!(latest.last_sync_at.is_some());
    // Another page, then the first again: the state shown is the last one synced.
    let events_page = url("https://learningtree.example.com/events");
    s.replace_calendar(daycare, a, p.id, &events_page, &three, Utc::now())
        .await
        .expect("other page");
    let (_, shown) = s.calendar_sync(daycare, a, p.id).await.expect("sync");
    assert_eq!(shown.expect("a sync").calendar_url, events_page);
    s.replace_calendar(daycare, a, p.id, &cal, &three[..2], Utc::now())
        .await
        .expect("first page again");
    let (_, shown) = s.calendar_sync(daycare, a, p.id).await.expect("sync");
    let shown = shown.expect("a sync");
    assert_eq!((shown.calendar_url, shown.events_count), (cal, 2));

    let updated = s
        .update_provider(daycare, a, p.id, &fields("Oak", None), Utc::now())
        .await
        .expect("update");
    assert_eq!(updated.fields.name.as_str(), "Oak");
    assert_eq!(updated.fields.rating, None);
    assert_eq!(updated.created_at, p.created_at);

    s.delete_provider(daycare, a, p.id).await.expect("delete");
    assert!(not_found(s.provider(daycare, a, p.id).await));
    assert!(not_found(s.calendar_sync(daycare, a, p.id).await));
    assert!(not_found(s.delete_provider(daycare, a, p.id).await));
    assert!(not_found(
        s.provider(daycare, a, ProviderId::new(999_999)).await
    ));
}

/// The school calendar a family follows is the last one parsed; replacing it drops the old
/// events; deleting its provider leaves the family following none.
pub async fn school_calendar_follows_the_last_parse(stores: ProviderStores) {
    let (ann, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.providers;
    let school = ProviderKind::School;
    assert!(s.school_calendar(a).await.expect("none").is_empty());
    let p = s
        .create_provider(
            school,
            a,
            ann.id,
            &fields("Elm Elementary", None),
            Utc::now(),
        )
        .await
        .expect("create");
    let cal = url("https://elm.example.com/calendar");
    s.replace_calendar(
        school,
        a,
        p.id,
        &cal,
        &events(&[("2026-01-19", "MLK Day"), ("2025-12-22", "Winter Break")]),
        Utc::now(),
    )
    .await
    .expect("replace");
    let got = s.school_calendar(a).await.expect("calendar");
    let titles: Vec<&str> = got.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Winter Break", "MLK Day"], "in date order");
    assert!(s.school_calendar(b).await.expect("other").is_empty());

    s.replace_calendar(
        school,
        a,
        p.id,
        &url("https://elm.example.com/events"),
        &events(&[("2026-03-02", "Spring Break")]),
        Utc::now(),
    )
    .await
    .expect("replace");
    let got = s.school_calendar(a).await.expect("calendar");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].title.as_str(), "Spring Break");

    s.delete_provider(school, a, p.id).await.expect("delete");
    assert!(s.school_calendar(a).await.expect("none").is_empty());
}

/// Medical providers: created with every field, changed partially, scoped by family.
pub async fn medical_providers_update_partially(stores: ProviderStores) {
    let (ann, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.medical;
    let all = MedicalChanges::parse(MedicalInput {
        name: Some("Dr. Kim"),
        specialty: Some("Pediatrics"),
        phone: Some("910-555-0199"),
        website: Some("kidsdoc.example.com"),
        latitude: Some(34.2257),
        longitude: Some(-77.9447),
        zip_code: Some("28401"),
        rating: Some(4.8),
        ..MedicalInput::default()
    })
    .expect("changes");
    let m = s
        .create_medical_provider(a, ann.id, &all, Utc::now())
        .await
        .expect("create");
    assert_eq!(m.phone.as_ref().map(|p| p.as_str()), Some("(910) 555-0199"));
    assert_eq!(m.latitude, Some(34.2257));
    assert_eq!(m.longitude, Some(-77.9447));
    assert_eq!(m.rating.map(|r| r.get()), Some(4.8));
    assert_eq!(s.medical_providers(a).await.expect("list"), vec![m.clone()]);
    assert!(s.medical_providers(b).await.expect("list").is_empty());

    let notes = MedicalChanges::parse(MedicalInput {
        notes: Some("Bring the vaccination card"),
        ..MedicalInput::default()
    })
    .expect("changes");
    assert!(matches!(
        s.update_medical_provider(b, m.id, &notes, Utc::now()).await,
        Err(StoreError::NotFound)
    ));
    let changed = s
        .update_medical_provider(a, m.id, &notes, Utc::now())
        .await
        .expect("update");
    assert_eq!(
        changed.notes.as_ref().map(|n| n.as_str()),
        Some("Bring the vaccination card")
    );
    assert_eq!(changed.name, m.name, "fields not given stay");
    assert_eq!(changed.phone, m.phone);
    assert_eq!(changed.latitude, m.latitude);
    assert_eq!(s.medical_provider(a, m.id).await.expect("get"), changed);
    assert!(matches!(
        s.medical_provider(b, m.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.delete_medical_provider(b, m.id).await,
        Err(StoreError::NotFound)
    ));
    s.delete_medical_provider(a, m.id).await.expect("delete");
    assert!(matches!(
        s.medical_provider(a, m.id).await,
        Err(StoreError::NotFound)
    ));
}
