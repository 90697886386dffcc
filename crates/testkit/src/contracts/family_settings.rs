//! The `FamilySettingsStore` contract.

use calndr_domain::{FamilyId, FamilySettings, FamilyTimeZone, UserId};
use calndr_ports::{Storage, StoreError};
use chrono::{DateTime, Duration, Utc};

use super::{family, new_user};

fn tz(name: &str) -> FamilyTimeZone {
    FamilyTimeZone::parse(name).expect("a tz database name")
}

/// To the microsecond, as both stores keep an instant.
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).expect("in range")
}

/// UTC and never changed until a member sets a zone; each change names its author; only a
/// member of the family can change it; the settings go with the family.
pub async fn settings_default_then_attributed(s: Storage) {
    let (host, f) = family(&s, "Host").await;
    assert_eq!(
        s.family_settings.family_settings(f).await.expect("read"),
        FamilySettings::default()
    );
    let at = Utc::now();
    let set = s
        .family_settings
        .set_family_timezone(f, tz("America/Chicago"), host.id, at)
        .await
        .expect("set");
    let expected = FamilySettings {
        timezone: tz("America/Chicago"),
        updated_by: Some(host.id),
        updated_at: Some(micros(at)),
    };
    assert_eq!(set, expected);
    assert_eq!(
        s.family_settings.family_settings(f).await.expect("read"),
        expected
    );

    // The co-parent changes it: the change is theirs.
    let coparent = s
        .family
        .add_invited_member(
            f,
            new_user("Co", &format!("co-{}@example.com", UserId::random())),
        )
        .await
        .expect("second member");
    let later = at + Duration::seconds(5);
    let changed = s
        .family_settings
        .set_family_timezone(f, tz("Europe/Paris"), coparent.id, later)
        .await
        .expect("change");
    assert_eq!(changed.timezone, tz("Europe/Paris"));
    assert_eq!(changed.updated_by, Some(coparent.id));
    assert_eq!(changed.updated_at, Some(micros(later)));

    // Someone of another family, or a family that does not exist: nothing changes.
    let (stranger, other) = family(&s, "Stranger").await;
    let refused = s
        .family_settings
        .set_family_timezone(f, tz("Asia/Tokyo"), stranger.id, later)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let nowhere = s
        .family_settings
        .set_family_timezone(FamilyId::random(), tz("Asia/Tokyo"), host.id, later)
        .await;
    assert!(matches!(nowhere, Err(StoreError::NotFound)), "{nowhere:?}");
    assert_eq!(
        s.family_settings.family_settings(f).await.expect("read"),
        changed
    );
    assert_eq!(
        s.family_settings
            .family_settings(other)
            .await
            .expect("read"),
        FamilySettings::default(),
        "another family's settings are its own"
    );

    // The last member goes: the family and its settings with it.
    s.family_settings
        .set_family_timezone(other, tz("Asia/Tokyo"), stranger.id, later)
        .await
        .expect("set");
    s.accounts
        .delete_account(stranger.id, later, &[])
        .await
        .expect("delete the only member");
    assert_eq!(
        s.family_settings
            .family_settings(other)
            .await
            .expect("read"),
        FamilySettings::default()
    );
}
