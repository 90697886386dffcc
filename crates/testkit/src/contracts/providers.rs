//! The `ProviderStore` contract.

use calndr_domain::{
    CalendarEvent, ProviderFields, ProviderId, ProviderInput, ProviderKind, WebUrl,
};
use calndr_ports::Storage;
use chrono::{NaiveDate, Utc};

use super::{family, is_not_found};

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

fn url(s: &str) -> WebUrl {
    WebUrl::parse(s, "calendar_url", 2000).expect("url")
}

/// CRUD is scoped by family and by kind; a calendar replaces the provider's events, upserts one
/// sync per URL and follows it; deleting removes the provider, its syncs and events.
pub async fn providers_are_family_scoped_and_delete_cascades(stores: Storage) {
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
    assert!(is_not_found(s.provider(daycare, b, p.id).await));
    assert!(is_not_found(
        s.provider(ProviderKind::School, a, p.id).await
    ));
    assert!(is_not_found(
        s.update_provider(daycare, b, p.id, &other, Utc::now())
            .await
    ));
    assert!(is_not_found(s.delete_provider(daycare, b, p.id).await));
    assert!(is_not_found(s.calendar_sync(daycare, b, p.id).await));
    let cal = url("https://learningtree.example.com/calendar");
    let three = events(&[
        ("2025-12-22", "Winter Break - Closed"),
        ("2026-01-19", "MLK Day"),
        ("2026-02-13", "Early Dismissal"),
    ]);
    assert!(is_not_found(
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
    assert!(is_not_found(s.provider(daycare, a, p.id).await));
    assert!(is_not_found(s.calendar_sync(daycare, a, p.id).await));
    assert!(is_not_found(s.delete_provider(daycare, a, p.id).await));
    assert!(is_not_found(
        s.provider(daycare, a, ProviderId::new(999_999)).await
    ));
}

/// The school calendar a family follows is the last one parsed; replacing it drops the old
/// events; deleting its provider leaves the family following none.
pub async fn school_calendar_follows_the_last_parse(stores: Storage) {
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
