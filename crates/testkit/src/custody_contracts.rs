//! Behavioural contracts every `CustodyStore` / `TemplateStore` / `FamilyStore` adapter must
//! honour; the integration tests run them against the memory and the Postgres adapters.

use std::sync::Arc;

use calndr_domain::{CustodyDay, FamilyId, PatternType, TemplateSpec, UserId, WeekPattern};
use calndr_ports::{AccountStore, CustodyStore, FamilyStore, StoreError, TemplateStore};
use chrono::NaiveDate;

use crate::contracts::{new_account, new_user};

/// The stores under test: one adapter implementing every port.
pub struct Stores {
    pub accounts: Arc<dyn AccountStore>,
    pub family: Arc<dyn FamilyStore>,
    pub custody: Arc<dyn CustodyStore>,
    pub templates: Arc<dyn TemplateStore>,
}

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, day).expect("date")
}

fn day(date: NaiveDate, custodian: UserId) -> CustodyDay {
    CustodyDay {
        date,
        custodian,
        handoff_day: false,
        handoff_time: None,
        handoff_location: None,
    }
}

fn spec(name: &str, active: bool) -> TemplateSpec {
    TemplateSpec {
        name: name.to_owned(),
        description: None,
        pattern_type: PatternType::Weekly,
        weekly: Some(
            WeekPattern::from_pairs([("monday", Some("parent1"))], "weekly_pattern")
                .expect("pattern"),
        ),
        alternating: None,
        is_active: active,
    }
}

async fn family(s: &Stores, name: &str) -> (FamilyId, UserId) {
    let user = s
        .accounts
        .create_account(new_account(
            name,
            &format!("{name}-{}@example.com", UserId::random()),
        ))
        .await
        .expect("account");
    (user.family_id.expect("family"), user.id)
}

/// Writes are units of work: the plan sees the window, a refusing plan writes nothing, upserts
/// keep one record (and its id) per date, and other families see nothing.
pub async fn custody_units_of_work(s: Stores) {
    let (f, u) = family(&s, "Jeff").await;
    let (other, _) = family(&s, "Olga").await;
    let written = s
        .custody
        .write_days(f, u, d(1), d(31), &|tl| {
            assert!(tl.is_empty());
            Ok(vec![day(d(3), u), day(d(2), u)])
        })
        .await
        .expect("write");
    assert_eq!(
        written.iter().map(|r| r.day.date).collect::<Vec<_>>(),
        vec![d(2), d(3)]
    );
    let refused = s
        .custody
        .write_days(f, u, d(1), d(31), &|tl| {
            assert_eq!(tl.len(), 2);
            Err(StoreError::Conflict("date"))
        })
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    let mut changed = day(d(2), u);
    changed.handoff_day = true;
    changed.handoff_location = Some("daycare".into());
    let again = s
        .custody
        .write_days(f, u, d(2), d(2), &|tl| {
            assert_eq!(tl.keys().copied().collect::<Vec<_>>(), vec![d(2)]);
            Ok(vec![changed.clone()])
        })
        .await
        .expect("upsert");
    assert_eq!(again[0].id, written[0].id, "same record, same id");
    let all = s.custody.days(f, d(1), d(31)).await.expect("days");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].day, changed);
    let latest = s.custody.latest_days(f, 1).await.expect("latest");
    assert_eq!(latest[0].day.date, d(3));
    assert!(s
        .custody
        .record(other, written[0].id)
        .await
        .expect("record")
        .is_none());
    assert!(s
        .custody
        .days(other, d(1), d(31))
        .await
        .expect("days")
        .is_empty());
    let stats = s.custody.stats(f).await.expect("stats");
    assert_eq!((stats.total, stats.handoffs), (2, 1));
    assert_eq!((stats.earliest, stats.latest), (Some(d(2)), Some(d(3))));
}

/// One active template per family; applying activates; a refusing plan changes nothing;
/// another family's template is absent.
pub async fn one_active_template(s: Stores) {
    let (f, u) = family(&s, "Jeff").await;
    let (other, _) = family(&s, "Olga").await;
    let a = s
        .templates
        .create_template(f, u, &spec("A", true))
        .await
        .expect("a");
    let b = s
        .templates
        .create_template(f, u, &spec("B", true))
        .await
        .expect("b");
    let active = |list: Vec<calndr_domain::ScheduleTemplate>| {
        list.into_iter()
            .filter(|t| t.spec.is_active)
            .map(|t| t.spec.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        active(s.templates.templates(f).await.expect("list")),
        vec!["B"]
    );
    let refused = s
        .templates
        .apply_template(f, a.id, u, d(1), d(31), &|_, _| {
            Err(StoreError::Conflict("x"))
        })
        .await;
    assert!(refused.is_err());
    assert_eq!(
        active(s.templates.templates(f).await.expect("list")),
        vec!["B"]
    );
    let (t, written) = s
        .templates
        .apply_template(f, a.id, u, d(1), d(31), &|t, _| {
            assert!(t.spec.is_active);
            Ok(vec![day(d(10), u)])
        })
        .await
        .expect("apply");
    assert_eq!((t.id, written.len()), (a.id, 1));
    assert_eq!(
        active(s.templates.templates(f).await.expect("list")),
        vec!["A"]
    );
    assert_eq!(
        s.templates
            .active_template(f)
            .await
            .expect("active")
            .map(|t| t.id),
        Some(a.id)
    );
    assert!(s
        .templates
        .template(other, b.id)
        .await
        .expect("get")
        .is_none());
    assert!(matches!(
        s.templates
            .update_template(other, b.id, &spec("X", true))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.templates.delete_template(other, b.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        active(s.templates.templates(f).await.expect("list")),
        vec!["A"]
    );
}

/// Members in creation order; the legacy invite adds an invited member without a password and
/// refuses a taken e-mail.
pub async fn family_members(s: Stores) {
    let (f, host) = family(&s, "Host").await;
    let invited = s
        .family
        .add_invited_member(f, {
            let mut u = new_user("Ivy", &format!("ivy-{}@example.com", UserId::random()));
            u.password_hash = None;
            u
        })
        .await
        .expect("invite");
    assert_eq!(
        invited.status.as_ref().map(|st| st.as_str()),
        Some("invited")
    );
    assert!(invited.password_hash.is_none());
    let members = s.family.members(f).await.expect("members");
    assert_eq!(
        members.iter().map(|m| m.user.id).collect::<Vec<_>>(),
        vec![host, invited.id]
    );
    let dup = s
        .family
        .add_invited_member(f, new_user("Dup", &invited.email.as_str().to_uppercase()))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict("email"))), "{dup:?}");
}

/// The month view's read: the same days as `days`, each with its custodian's current first
/// name (also a custodian outside the family), in date order; another family sees nothing.
pub async fn days_with_names(s: Stores) {
    let (f, jeff) = family(&s, "Jeff").await;
    let (other, olga) = family(&s, "Olga").await;
    s.custody
        .write_days(f, jeff, d(1), d(31), &|_| {
            Ok(vec![day(d(5), olga), day(d(4), jeff), day(d(6), jeff)])
        })
        .await
        .expect("write");
    let named = s
        .custody
        .days_with_names(f, d(4), d(5))
        .await
        .expect("named");
    let plain = s.custody.days(f, d(4), d(5)).await.expect("days");
    assert_eq!(
        named.iter().map(|n| n.record.clone()).collect::<Vec<_>>(),
        plain
    );
    assert_eq!(
        named
            .iter()
            .map(|n| n.custodian_name.as_deref())
            .collect::<Vec<_>>(),
        vec![Some("Jeff"), Some("Olga")]
    );
    s.accounts
        .update_profile(
            jeff,
            &calndr_domain::ProfileChanges {
                first_name: Some(
                    calndr_domain::PersonName::parse("Geoff", "first_name").expect("name"),
                ),
                ..calndr_domain::ProfileChanges::default()
            },
            chrono::Utc::now(),
        )
        .await
        .expect("rename");
    let renamed = s
        .custody
        .days_with_names(f, d(1), d(31))
        .await
        .expect("named");
    assert_eq!(
        renamed
            .iter()
            .map(|n| (n.record.day.date, n.custodian_name.as_deref()))
            .collect::<Vec<_>>(),
        vec![
            (d(4), Some("Geoff")),
            (d(5), Some("Olga")),
            (d(6), Some("Geoff"))
        ]
    );
    assert!(s
        .custody
        .days_with_names(other, d(1), d(31))
        .await
        .expect("other")
        .is_empty());
}
