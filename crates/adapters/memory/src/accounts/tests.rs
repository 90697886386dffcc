//! The account store's own stories (the contract suite covers the shared ones).

use std::collections::BTreeMap;

use calndr_domain::{NewFamily, PersonName, PhoneNumber, ShortText, UserStatus};
use calndr_ports::HealthCheck;
use chrono::TimeZone;

use super::*;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).single().unwrap()
}

fn new_user(email: &str) -> NewUser {
    NewUser {
        id: UserId::random(),
        first_name: PersonName::parse("Jane", "first_name").unwrap(),
        last_name: PersonName::parse("Doe", "last_name").unwrap(),
        email: EmailAddress::parse(email).unwrap(),
        password_hash: Some(PasswordHash::from_stored("$argon2id$x".into())),
        phone_number: None,
        enrolled: false,
        coparent_enrolled: false,
        created_at: t(0),
    }
}

fn account(email: &str) -> NewAccount {
    let user = new_user(email);
    NewAccount {
        family: NewFamily::for_first_member(&user.first_name),
        user,
    }
}

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

#[tokio::test]
async fn create_account_sets_original_defaults() {
    let store = MemoryStore::new();
    let acc = account("Jane@Example.com");
    let family = acc.family.id;
    let u = store.create_account(acc).await.unwrap();
    assert_eq!(u.family_id, Some(family));
    assert_eq!(u.status, Some(UserStatus::Active));
    assert_eq!(u.enrolled, Some(false));
    assert_eq!(u.coparent_enrolled, Some(false));
    assert_eq!(u.coparent_invited, Some(false));
    assert_eq!(u.subscription_type.as_deref(), Some("Free"));
    assert_eq!(u.subscription_status.as_deref(), Some("Active"));
    assert_eq!(u.created_at, Some(t(0).naive_utc()));
    assert_eq!(u.updated_at, Some(t(0).naive_utc()));
    assert_eq!(u.last_signed_in, None);
    let p = store.preferences(u.id).await.unwrap();
    assert_eq!(p.theme.as_deref(), Some("default"));
    assert_eq!(
        p.notification_preferences,
        Some(NotificationPreferences::defaults())
    );
    assert_eq!(p.bio, None);
    assert_eq!(p.selected_theme_id, None);
    assert!(store.ping().await.is_ok());
}

#[tokio::test]
async fn email_is_unique_case_insensitively() {
    let store = MemoryStore::new();
    let first = store
        .create_account(account("jane@example.com"))
        .await
        .unwrap();
    let dup = store.create_account(account("JANE@Example.COM")).await;
    assert!(matches!(dup, Err(StoreError::Conflict("email"))));
    // The failed attempt wrote nothing: no orphan family to join.
    let member = store
        .create_member(new_user("Jane@example.com"), first.family_id.unwrap(), None)
        .await;
    assert!(matches!(member, Err(StoreError::Conflict("email"))));
    let found = store
        .user_by_email(&email("JANE@EXAMPLE.COM"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, first.id);
    assert_eq!(found.email.as_str(), "jane@example.com");
    assert!(store
        .user_by_email(&email("other@example.com"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn user_by_email_prefers_the_exact_spelling() {
    // Two case variants can only come from an adopted database; put them in directly.
    let store = MemoryStore::new();
    let a = store
        .create_account(account("Jane@example.com"))
        .await
        .unwrap();
    let mut b = a.clone();
    b.id = UserId::random();
    b.email = EmailAddress::from_stored("jane@example.com".into());
    {
        let mut s = store.state();
        s.emails
            .entry(email_key(b.email.as_str()))
            .or_default()
            .push(b.id);
        s.users.insert(b.id, b.clone());
    }
    let exact_b = store
        .user_by_email(&email("jane@example.com"))
        .await
        .unwrap();
    assert_eq!(exact_b.unwrap().id, b.id);
    let exact_a = store
        .user_by_email(&email("Jane@example.com"))
        .await
        .unwrap();
    assert_eq!(exact_a.unwrap().id, a.id);
    let other = store
        .user_by_email(&email("JANE@example.com"))
        .await
        .unwrap();
    assert!(other.is_some());
}

#[tokio::test]
async fn create_member_joins_and_marks_inviter() {
    let store = MemoryStore::new();
    let inviter = store
        .create_account(account("a@example.com"))
        .await
        .unwrap();
    let family = inviter.family_id.unwrap();
    let m = store
        .create_member(new_user("b@example.com"), family, Some(inviter.id))
        .await
        .unwrap();
    assert_eq!(m.family_id, Some(family));
    assert_eq!(m.enrolled, Some(true));
    assert_eq!(m.coparent_enrolled, Some(true));
    assert_eq!(m.status, Some(UserStatus::Active));
    let inv = store.user_by_id(inviter.id).await.unwrap().unwrap();
    assert_eq!(inv.coparent_enrolled, Some(true));

    let unknown = store
        .create_member(new_user("c@example.com"), FamilyId::random(), None)
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)));
    assert!(store
        .user_by_email(&email("c@example.com"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn join_family_moves_the_user() {
    let store = MemoryStore::new();
    let a = store
        .create_account(account("a@example.com"))
        .await
        .unwrap();
    let b = store
        .create_account(account("b@example.com"))
        .await
        .unwrap();
    let family = a.family_id.unwrap();
    let joined = store
        .join_family(b.id, family, Some(a.id), t(60))
        .await
        .unwrap();
    assert_eq!(joined.family_id, Some(family));
    assert_eq!(joined.enrolled, Some(true));
    assert_eq!(joined.coparent_enrolled, Some(true));
    assert_eq!(joined.updated_at, Some(t(60).naive_utc()));
    let stored = store.user_by_id(b.id).await.unwrap().unwrap();
    assert_eq!(stored.family_id, Some(family));
    let inv = store.user_by_id(a.id).await.unwrap().unwrap();
    assert_eq!(inv.coparent_enrolled, Some(true));

    // Joining the family one is already in is a no-op move.
    let again = store.join_family(b.id, family, None, t(61)).await.unwrap();
    assert_eq!(again.family_id, Some(family));

    let no_user = store
        .join_family(UserId::random(), family, None, t(62))
        .await;
    assert!(matches!(no_user, Err(StoreError::NotFound)));
    let no_family = store
        .join_family(b.id, FamilyId::random(), None, t(62))
        .await;
    assert!(matches!(no_family, Err(StoreError::NotFound)));
    let unchanged = store.user_by_id(b.id).await.unwrap().unwrap();
    assert_eq!(unchanged.family_id, Some(family));
}

#[tokio::test]
async fn update_profile_changes_only_given_fields() {
    let store = MemoryStore::new();
    let u = store
        .create_account(account("a@example.com"))
        .await
        .unwrap();
    let changes = ProfileChanges {
        last_name: Some(PersonName::parse("Smith", "last_name").unwrap()),
        phone_number: Some(PhoneNumber::parse("+1 555 0100", "phone_number").unwrap()),
        bio: Some(ShortText::parse("Hi there", "bio", 500).unwrap()),
        ..ProfileChanges::default()
    };
    let updated = store.update_profile(u.id, &changes, t(5)).await.unwrap();
    assert_eq!(updated.first_name.as_str(), "Jane");
    assert_eq!(updated.last_name.as_str(), "Smith");
    assert_eq!(
        updated.phone_number.as_ref().map(PhoneNumber::as_str),
        Some("+1 555 0100")
    );
    assert_eq!(updated.enrolled, Some(false));
    assert_eq!(updated.updated_at, Some(t(5).naive_utc()));
    let p = store.preferences(u.id).await.unwrap();
    assert_eq!(p.bio.as_deref(), Some("Hi there"));
    assert_eq!(p.theme.as_deref(), Some("default"));

    let missing = store.update_profile(UserId::random(), &changes, t(6)).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn preferences_default_and_upsert() {
    let store = MemoryStore::new();
    let a = store
        .create_account(account("a@example.com"))
        .await
        .unwrap();
    let family = a.family_id.unwrap();
    // A member starts with the same default preferences as a founder.
    let m = store
        .create_member(new_user("m@example.com"), family, None)
        .await
        .unwrap();
    let initial = store.preferences(m.id).await.unwrap();
    assert_eq!(initial.theme.as_deref(), Some("default"));
    assert_eq!(
        initial.notification_preferences,
        Some(NotificationPreferences::defaults())
    );
    store
        .set_preferences(m.id, Some("dark"), None, t(1))
        .await
        .unwrap();
    let p = store.preferences(m.id).await.unwrap();
    assert_eq!(p.theme.as_deref(), Some("dark"));
    assert_eq!(
        p.notification_preferences,
        Some(NotificationPreferences::defaults())
    );

    let n = NotificationPreferences::parse(BTreeMap::from([("push".to_owned(), false)])).unwrap();
    store
        .set_preferences(a.id, None, Some(&n), t(2))
        .await
        .unwrap();
    let p = store.preferences(a.id).await.unwrap();
    assert_eq!(p.theme.as_deref(), Some("default"));
    assert_eq!(p.notification_preferences, Some(n));

    let missing = store
        .set_preferences(UserId::random(), Some("x"), None, t(3))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    assert_eq!(
        store.preferences(UserId::random()).await.unwrap(),
        Preferences::default()
    );
}

#[tokio::test]
async fn per_user_writes() {
    let store = MemoryStore::new();
    let u = store
        .create_account(account("a@example.com"))
        .await
        .unwrap();
    let hash = PasswordHash::from_stored("$argon2id$new".into());
    store
        .set_password_hash(u.id, &hash, t(1), None)
        .await
        .unwrap();
    store.record_sign_in(u.id, t(2)).await.unwrap();
    let token = DeviceToken::parse(&"AB".repeat(32)).unwrap();
    store.set_device_token(u.id, &token, t(3)).await.unwrap();
    let point = GeoPoint::parse(34.5, -77.25).unwrap();
    store.set_location(u.id, point, t(4)).await.unwrap();
    let photo = store
        .set_profile_photo(u.id, "http://x/media/p.jpg", t(5))
        .await
        .unwrap();
    assert_eq!(
        photo.profile_photo_url.as_deref(),
        Some("http://x/media/p.jpg")
    );

    let got = store.user_by_id(u.id).await.unwrap().unwrap();
    assert_eq!(got.password_hash, Some(hash.clone()));
    assert_eq!(got.last_signed_in, Some(t(2).naive_utc()));
    assert_eq!(got.updated_at, Some(t(5).naive_utc()));
    assert_eq!(store.device_token(u.id), Some("ab".repeat(32)));
    assert_eq!(
        store.location(u.id),
        Some(("34.5,-77.25".to_owned(), t(4).naive_utc()))
    );

    let nobody = UserId::random();
    assert!(matches!(
        store.set_password_hash(nobody, &hash, t(1), None).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.record_sign_in(nobody, t(1)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_device_token(nobody, &token, t(1)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_location(nobody, point, t(1)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_profile_photo(nobody, "u", t(1)).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.user_by_id(nobody).await.unwrap().is_none());
}

#[tokio::test]
async fn enrollment_codes_are_upper_case() {
    let store = MemoryStore::new();
    let record = EnrollmentCodeRecord {
        family_id: FamilyId::random(),
        created_by: UserId::random(),
        expires_at: None,
        revoked: false,
    };
    store.insert_enrollment_code(EnrollmentCode::from_stored("abcd12".into()), record.clone());
    let found = store
        .enrollment_code(&EnrollmentCode::parse("AbCd12", "code").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.family_id, record.family_id);
    let none = store
        .enrollment_code(&EnrollmentCode::parse("ZZZZ", "code").unwrap())
        .await
        .unwrap();
    assert!(none.is_none());
}
