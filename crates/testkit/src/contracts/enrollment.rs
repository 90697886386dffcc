//! The `EnrollmentStore` contract.

use calndr_domain::enrollment::MAX_NEW_MEMBERS_PER_CODE;
use calndr_domain::{CoparentDetails, EnrollmentCode, FamilyId, PersonName, User};
use calndr_ports::{JobCounts, NewJob, Redeemer, Storage, StoreError};
use chrono::Duration as Span;
use chrono::Utc;

use super::{account, new_user};

fn code(raw: &str) -> EnrollmentCode {
    EnrollmentCode::parse(raw, "code").expect("code")
}

fn family_of(u: &User) -> FamilyId {
    u.family_id.expect("a family")
}

/// One usable code per family, reused with co-parent details applied; revocation stops it.
pub async fn one_code_per_family_and_revocation(s: Storage) {
    let now = Utc::now();
    let week = now + Span::days(7);
    let a = account(&s, "Ada").await;
    let details = CoparentDetails {
        first_name: Some(PersonName::parse("Bo", "n").expect("name")),
        ..CoparentDetails::default()
    };
    let first = s
        .enrollment
        .create_or_reuse_code(family_of(&a), a.id, &code("AAAA22"), week, &details, now)
        .await
        .expect("create");
    assert_eq!(first.code.as_str(), "AAAA22");
    assert_eq!(first.family_id, family_of(&a));
    assert!(first.is_usable_at(now));
    // Postgres keeps microseconds.
    let stored = first.expires_at.expect("expiry");
    assert!(
        (stored - week).num_milliseconds().abs() < 1,
        "{stored} vs {week}"
    );
    let again = s
        .enrollment
        .create_or_reuse_code(
            family_of(&a),
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
    let creator = s.accounts.user_by_id(a.id).await.expect("user").expect("a");
    assert_eq!(creator.coparent_invited, Some(true));
    // Another family cannot take the same code.
    let other = account(&s, "Oth").await;
    let taken = s
        .enrollment
        .create_or_reuse_code(
            family_of(&other),
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
    let foreign = s
        .enrollment
        .mark_invited(family_of(&other), &code("AAAA22"), &details, now, &[])
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert_eq!(
        s.enrollment
            .revoke_codes(family_of(&a), now)
            .await
            .expect("revoke"),
        1
    );
    assert!(s
        .enrollment
        .usable_code(&code("AAAA22"), now)
        .await
        .expect("lookup")
        .is_none());
    assert_eq!(
        s.enrollment
            .revoke_codes(family_of(&a), now)
            .await
            .expect("revoke"),
        0
    );
    let fresh = s
        .enrollment
        .create_or_reuse_code(family_of(&a), a.id, &code("CCCC44"), week, &details, now)
        .await
        .expect("fresh");
    assert_eq!(fresh.code.as_str(), "CCCC44");
}

/// A code admits one new member; members re-redeeming it is a no-op; expired codes are dead.
pub async fn redemption_admits_one_new_member(s: Storage) {
    let now = Utc::now();
    let a = account(&s, "Ada").await;
    let c = code("DDDD55");
    s.enrollment
        .create_or_reuse_code(
            family_of(&a),
            a.id,
            &c,
            now + Span::days(7),
            &CoparentDetails::default(),
            now,
        )
        .await
        .expect("create");
    let (own, _) = s
        .enrollment
        .redeem(&c, Redeemer::Existing(a.id), now)
        .await
        .expect("own family: no-op");
    assert_eq!(own.family_id, a.family_id);
    let b = account(&s, "Bob").await;
    let (joined, fam) = s
        .enrollment
        .redeem(&c, Redeemer::Existing(b.id), now)
        .await
        .expect("join");
    assert_eq!((joined.family_id, fam), (a.family_id, family_of(&a)));
    assert_eq!(
        (joined.enrolled, joined.coparent_enrolled),
        (Some(true), Some(true))
    );
    let inviter = s.accounts.user_by_id(a.id).await.expect("user").expect("a");
    assert_eq!(inviter.coparent_enrolled, Some(true));
    const {
        assert!(
            MAX_NEW_MEMBERS_PER_CODE == 1,
            "this story assumes single-use codes"
        )
    };
    let c2 = account(&s, "Cy").await;
    let spent = s
        .enrollment
        .redeem(&c, Redeemer::Existing(c2.id), now)
        .await;
    assert!(matches!(spent, Err(StoreError::NotFound)), "{spent:?}");
    let newcomer = new_user(
        "New",
        &format!("new-{}@example.com", uuid::Uuid::new_v4().simple()),
    );
    let spent_new = s.enrollment.redeem(&c, Redeemer::New(newcomer), now).await;
    assert!(
        matches!(spent_new, Err(StoreError::NotFound)),
        "{spent_new:?}"
    );
    // A new account joins through a fresh code; an expired code admits nobody.
    let d = account(&s, "Dee").await;
    let fresh = code("EEEE66");
    s.enrollment
        .create_or_reuse_code(
            family_of(&d),
            d.id,
            &fresh,
            now + Span::days(7),
            &CoparentDetails::default(),
            now,
        )
        .await
        .expect("create");
    let later = now + Span::days(8);
    let expired = s
        .enrollment
        .redeem(&fresh, Redeemer::Existing(c2.id), later)
        .await;
    assert!(matches!(expired, Err(StoreError::NotFound)), "{expired:?}");
    let newcomer = new_user(
        "New",
        &format!("new-{}@example.com", uuid::Uuid::new_v4().simple()),
    );
    let (created, _) = s
        .enrollment
        .redeem(&fresh, Redeemer::New(newcomer), now)
        .await
        .expect("new member");
    assert_eq!(created.family_id, d.family_id);
    assert_eq!(created.enrolled, Some(true));
}

/// Two people redeeming one code at once: exactly one joins.
pub async fn concurrent_redemptions_admit_one(s: Storage) {
    let now = Utc::now();
    let a = account(&s, "Ada").await;
    let c = code("FFFF77");
    s.enrollment
        .create_or_reuse_code(
            family_of(&a),
            a.id,
            &c,
            now + Span::days(7),
            &CoparentDetails::default(),
            now,
        )
        .await
        .expect("create");
    let (b, d) = (account(&s, "Bob").await, account(&s, "Dee").await);
    let (rb, rd) = tokio::join!(
        s.enrollment.redeem(&c, Redeemer::Existing(b.id), now),
        s.enrollment.redeem(&c, Redeemer::Existing(d.id), now)
    );
    assert_eq!(
        [rb.is_ok(), rd.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{rb:?} {rd:?}"
    );
}

const INVITATIONS: &str = "contract-invitations";

fn invitation_job() -> NewJob {
    NewJob {
        queue: INVITATIONS,
        kind: "email",
        payload: serde_json::json!({ "to": "bo@example.com" }),
        run_at: Utc::now(),
        max_attempts: 5,
    }
}

/// The transactional outbox: the invitation e-mail's job is queued exactly when the code is
/// marked as invited. A mark the store refuses (another family's code) queues nothing; a mark
/// that commits has its job.
pub async fn an_invitation_queues_its_email(s: Storage) {
    let now = Utc::now();
    let a = account(&s, "Ada").await;
    let other = account(&s, "Oto").await;
    let details = CoparentDetails::default();
    s.enrollment
        .create_or_reuse_code(
            family_of(&a),
            a.id,
            &code("CCCC44"),
            now + Span::days(7),
            &details,
            now,
        )
        .await
        .expect("create");
    let foreign = s
        .enrollment
        .mark_invited(
            family_of(&other),
            &code("CCCC44"),
            &details,
            now,
            &[invitation_job()],
        )
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert_eq!(
        s.jobs.counts(INVITATIONS).await.expect("counts"),
        JobCounts::default(),
        "a refused mark queues no e-mail"
    );
    s.enrollment
        .mark_invited(
            family_of(&a),
            &code("CCCC44"),
            &details,
            now,
            &[invitation_job()],
        )
        .await
        .expect("mark");
    assert_eq!(
        s.jobs.counts(INVITATIONS).await.expect("counts").waiting,
        1,
        "the invitation's e-mail is queued with the mark"
    );
    let invited = s
        .enrollment
        .usable_code(&code("CCCC44"), now)
        .await
        .expect("lookup")
        .expect("usable");
    assert!(invited.invitation_sent, "{invited:?}");
}
