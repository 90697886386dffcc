//! The `TemplateStore` contract.

use calndr_domain::{PatternType, TemplateSpec, WeekPattern};
use calndr_ports::{Storage, StoreError};

use super::{d, day, family};

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

/// One active template per family; applying activates; a refusing plan changes nothing;
/// another family's template is absent.
pub async fn one_active_template(s: Storage) {
    let (jeff, f) = family(&s, "Jeff").await;
    let u = jeff.id;
    let (_, other) = family(&s, "Olga").await;
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
