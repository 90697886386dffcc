//! Behavioural contracts of `EnrollmentStore`, `EmailVerificationStore` and `PinStore`: the
//! integration tests run each against the memory and the Postgres (or Redis) adapters, so the
//! embedded mode cannot drift from production.

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::enrollment::MAX_NEW_MEMBERS_PER_CODE;
use calndr_domain::{
    CodeCheck, CoparentDetails, EnrollmentCode, PersonName, User, UserStatus, VerificationCode,
};
use calndr_ports::{
    AccountStore, EmailVerificationStore, EnrollmentStore, PinStore, Redeemer, StoreError,
};
use chrono::{Duration as Span, Utc};

use crate::contracts::{new_account, new_user};

/// A store that implements every port of the enrollment feature (both adapters do).
pub trait EnrollmentStores: AccountStore + EnrollmentStore + EmailVerificationStore {}
impl<T: AccountStore + EnrollmentStore + EmailVerificationStore> EnrollmentStores for T {}

fn code(raw: &str) -> EnrollmentCode {
    EnrollmentCode::parse(raw, "code").expect("code")
}

async fn account(store: &dyn EnrollmentStores, first: &str) -> User {
    let email = format!("{}-{}@example.com", first, uuid::Uuid::new_v4().simple());
    store
        .create_account(new_account(first, &email))
        .await
        .expect("account")
}

fn family(u: &User) -> calndr_domain::FamilyId {
    u.family_id.expect("a family")
}

/// One usable code per family, reused with co-parent details applied; revocation stops it.
pub async fn one_code_per_family_and_revocation<S: EnrollmentStores + 'static>(store: Arc<S>) {
    let now = Utc::now();
    let week = now + Span::days(7);
    let a = account(store.as_ref(), "Ada").await;
    let details = CoparentDetails {
        first_name: Some(PersonName::parse("Bo", "n").expect("name")),
        ..CoparentDetails::default()
    };
    let first = store
        .create_or_reuse_code(family(&a), a.id, &code("AAAA22"), week, &details, now)
        .await
        .expect("create");
    assert_eq!(first.code.as_str(), "AAAA22");
    assert_eq!(first.family_id, family(&a));
    assert!(first.is_usable_at(now));
    // Postgres keeps microseconds.
    let stored = first.expires_at.expect("expiry");
    assert!(
        (stored - week).num_milliseconds().abs() < 1,
        "{stored} vs {week}"
    );
    let again = store
        .create_or_reuse_code(
            family(&a),
            a.id,
            &code("BBBB33"),
            week,
            &CoparentDetails::default(),
            now,
        )
        .await
        .expect("reuse");
    assert_eq!(again.code.as_str(), "AAAA22");
    assert_eq!(
        again.coparent.first_name.as_ref().map(PersonName::as_str),
        Some("Bo")
    );
    let creator = store.user_by_id(a.id).await.expect("user").expect("a");
    assert_eq!(creator.coparent_invited, Some(true));
    // Another family cannot take the same code.
    let other = account(store.as_ref(), "Oth").await;
    let taken = store
        .create_or_reuse_code(
            family(&other),
            other.id,
            &code("AAAA22"),
            week,
            &details,
            now,
        )
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict("code"))),
        "{taken:?}"
    );
    // Another family's code cannot be marked as invited by this family.
    let foreign = store
        .mark_invited(family(&other), &code("AAAA22"), &details, now)
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert_eq!(
        store.revoke_codes(family(&a), now).await.expect("revoke"),
        1
    );
    assert!(store
        .usable_code(&code("AAAA22"), now)
        .await
        .expect("lookup")
        .is_none());
    assert_eq!(
        store.revoke_codes(family(&a), now).await.expect("revoke"),
        0
    );
    let fresh = store
        .create_or_reuse_code(family(&a), a.id, &code("CCCC44"), week, &details, now)
        .await
        .expect("fresh");
    assert_eq!(fresh.code.as_str(), "CCCC44");
}

/// A code admits one new member; members re-redeeming it is a no-op; expired codes are dead.
pub async fn redemption_admits_one_new_member<S: EnrollmentStores + 'static>(store: Arc<S>) {
    let now = Utc::now();
    let a = account(store.as_ref(), "Ada").await;
    let c = code("DDDD55");
    store
        .create_or_reuse_code(
            family(&a),
            a.id,
            &c,
            now + Span::days(7),
            &CoparentDetails::default(),
            now,
        )
        .await
        .expect("create");
    let (own, _) = store
        .redeem(&c, Redeemer::Existing(a.id), now)
        .await
        .expect("own family: no-op");
    assert_eq!(own.family_id, a.family_id);
    let b = account(store.as_ref(), "Bob").await;
    let (joined, fam) = store
        .redeem(&c, Redeemer::Existing(b.id), now)
        .await
        .expect("join");
    assert_eq!((joined.family_id, fam), (a.family_id, family(&a)));
    assert_eq!(
        (joined.enrolled, joined.coparent_enrolled),
        (Some(true), Some(true))
    );
    let inviter = store.user_by_id(a.id).await.expect("user").expect("a");
    assert_eq!(inviter.coparent_enrolled, Some(true));
    const {
        assert!(
            MAX_NEW_MEMBERS_PER_CODE == 1,
            "this story assumes single-use codes"
        )
    };
    let c2 = account(store.as_ref(), "Cy").await;
    let spent = store.redeem(&c, Redeemer::Existing(c2.id), now).await;
    assert!(matches!(spent, Err(StoreError::NotFound)), "{spent:?}");
    let newcomer = new_user(
        "New",
        &format!("new-{}@example.com", uuid::Uuid::new_v4().simple()),
    );
    let spent_new = store.redeem(&c, Redeemer::New(newcomer), now).await;
    assert!(
        matches!(spent_new, Err(StoreError::NotFound)),
        "{spent_new:?}"
    );
    // A new account joins through a fresh code; an expired code admits nobody.
    let d = account(store.as_ref(), "Dee").await;
    let fresh = code("EEEE66");
    store
        .create_or_reuse_code(
            family(&d),
            d.id,
            &fresh,
            now + Span::days(7),
            &CoparentDetails::default(),
            now,
        )
        .await
        .expect("create");
    let later = now + Span::days(8);
    let expired = store.redeem(&fresh, Redeemer::Existing(c2.id), later).await;
    assert!(matches!(expired, Err(StoreError::NotFound)), "{expired:?}");
    let newcomer = new_user(
        "New",
        &format!("new-{}@example.com", uuid::Uuid::new_v4().simple()),
    );
    let (created, _) = store
        .redeem(&fresh, Redeemer::New(newcomer), now)
        .await
        .expect("new member");
    assert_eq!(created.family_id, d.family_id);
    assert_eq!(created.enrolled, Some(true));
}

/// Two people redeeming one code at once: exactly one joins.
pub async fn concurrent_redemptions_admit_one<S: EnrollmentStores + 'static>(store: Arc<S>) {
    let now = Utc::now();
    let a = account(store.as_ref(), "Ada").await;
    let c = code("FFFF77");
    store
        .create_or_reuse_code(
            family(&a),
            a.id,
            &c,
            now + Span::days(7),
            &CoparentDetails::default(),
            now,
        )
        .await
        .expect("create");
    let (b, d) = (
        account(store.as_ref(), "Bob").await,
        account(store.as_ref(), "Dee").await,
    );
    let (rb, rd) = tokio::join!(
        store.redeem(&c, Redeemer::Existing(b.id), now),
        store.redeem(&c, Redeemer::Existing(d.id), now)
    );
    assert_eq!(
        [rb.is_ok(), rd.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{rb:?} {rd:?}"
    );
}

/// Three wrong codes kill the code, every attempt is kept; success marks the user verified.
pub async fn email_codes_count_every_attempt<S: EnrollmentStores + 'static>(store: Arc<S>) {
    let now = Utc::now();
    let u = account(store.as_ref(), "Eve").await;
    let right = VerificationCode::parse("123456", "code").expect("code");
    let wrong = VerificationCode::parse("654321", "code").expect("code");
    let exp = now + Span::minutes(10);
    store
        .put_email_code(u.id, &u.email, &right, exp, now)
        .await
        .expect("put");
    let mut outcomes = vec![];
    for _ in 0..3 {
        outcomes.push(
            store
                .check_email_code(u.id, &wrong, now)
                .await
                .expect("check"),
        );
    }
    assert_eq!(
        outcomes,
        vec![
            CodeCheck::Wrong { remaining: 2 },
            CodeCheck::Wrong { remaining: 1 },
            CodeCheck::TooManyAttempts
        ]
    );
    assert_eq!(
        store
            .check_email_code(u.id, &right, now)
            .await
            .expect("check"),
        CodeCheck::NoCode
    );
    store
        .put_email_code(u.id, &u.email, &right, exp, now)
        .await
        .expect("put again");
    assert_eq!(
        store
            .check_email_code(u.id, &right, now)
            .await
            .expect("check"),
        CodeCheck::Verified
    );
    assert!(store.email_verified_at(u.id).await.expect("read").is_some());
    let user = store.user_by_id(u.id).await.expect("user").expect("u");
    assert_eq!(user.status, Some(UserStatus::Active));
    assert_eq!(
        store
            .check_email_code(u.id, &right, now)
            .await
            .expect("check"),
        CodeCheck::NoCode,
        "a used code is dead"
    );
}

/// PINs: three attempts, deleted once verified or dead, replaced by a new PIN.
pub async fn pins_count_attempts(store: Arc<dyn PinStore>) {
    let subject = format!("calndr:pin:v1:test-{}", uuid::Uuid::new_v4().simple());
    let right = VerificationCode::parse("111222", "pin").expect("pin");
    let wrong = VerificationCode::parse("999888", "pin").expect("pin");
    let ttl = Duration::from_secs(60);
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
    store.put_pin(&subject, &right, ttl).await.expect("put");
    assert_eq!(
        store.check_pin(&subject, &wrong).await.expect("check"),
        CodeCheck::Wrong { remaining: 2 }
    );
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::Verified
    );
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
    store.put_pin(&subject, &right, ttl).await.expect("put");
    for _ in 0..2 {
        store.check_pin(&subject, &wrong).await.expect("check");
    }
    assert_eq!(
        store.check_pin(&subject, &wrong).await.expect("check"),
        CodeCheck::TooManyAttempts
    );
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
    // Expiry.
    store
        .put_pin(&subject, &right, Duration::from_millis(50))
        .await
        .expect("put");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        store.check_pin(&subject, &right).await.expect("check"),
        CodeCheck::NoCode
    );
}
