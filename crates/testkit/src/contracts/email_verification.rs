//! The `EmailVerificationStore` contract.

use calndr_domain::UserId;
use calndr_domain::{CodeCheck, UserStatus, VerificationCode};
use calndr_ports::{JobCounts, NewJob, Storage};
use chrono::Duration as Span;
use chrono::Utc;
use serde_json::json;

use super::account;

/// Three wrong codes kill the code, every attempt is kept; success marks the user verified.
pub async fn email_codes_count_every_attempt(s: Storage) {
    let now = Utc::now();
    let u = account(&s, "Eve").await;
    let right = VerificationCode::parse("123456", "code").expect("code");
    let wrong = VerificationCode::parse("654321", "code").expect("code");
    let exp = now + Span::minutes(10);
    s.email_verification
        .put_email_code(u.id, &u.email, &right, exp, now, &[])
        .await
        .expect("put");
    let mut outcomes = vec![];
    for _ in 0..3 {
        outcomes.push(
            s.email_verification
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
        s.email_verification
            .check_email_code(u.id, &right, now)
            .await
            .expect("check"),
        CodeCheck::NoCode
    );
    s.email_verification
        .put_email_code(u.id, &u.email, &right, exp, now, &[])
        .await
        .expect("put again");
    assert_eq!(
        s.email_verification
            .check_email_code(u.id, &right, now)
            .await
            .expect("check"),
        CodeCheck::Verified
    );
    assert!(s
        .email_verification
        .email_verified_at(u.id)
        .await
        .expect("read")
        .is_some());
    let user = s.accounts.user_by_id(u.id).await.expect("user").expect("u");
    assert_eq!(user.status, Some(UserStatus::Active));
    assert_eq!(
        s.email_verification
            .check_email_code(u.id, &right, now)
            .await
            .expect("check"),
        CodeCheck::NoCode,
        "a used code is dead"
    );
}

const OUTBOX: &str = "contract-outbox";

fn email_job(n: i64) -> NewJob {
    NewJob {
        queue: OUTBOX,
        kind: "email",
        payload: json!({ "n": n }),
        run_at: Utc::now(),
        max_attempts: 5,
    }
}

/// The transactional outbox: the verification e-mail handed to `put_email_code` is queued
/// exactly when the code is stored. A refused put (no such user) queues nothing.
pub async fn an_email_code_queues_its_email(s: Storage) {
    let now = Utc::now();
    let code = VerificationCode::parse("123456", "code").expect("code");
    let exp = now + Span::minutes(10);
    let u = account(&s, "Vera").await;
    let missing = s
        .email_verification
        .put_email_code(UserId::random(), &u.email, &code, exp, now, &[email_job(1)])
        .await;
    assert!(missing.is_err(), "an unknown user has no code");
    assert_eq!(
        s.jobs.counts(OUTBOX).await.expect("counts"),
        JobCounts::default(),
        "a refused put queues no e-mail"
    );
    s.email_verification
        .put_email_code(u.id, &u.email, &code, exp, now, &[email_job(2)])
        .await
        .expect("put");
    let claimed = s
        .jobs
        .claim(OUTBOX, 10, std::time::Duration::from_secs(600))
        .await
        .expect("claim");
    assert_eq!(
        claimed
            .iter()
            .map(|j| (j.kind.as_str(), j.payload.clone()))
            .collect::<Vec<_>>(),
        vec![("email", json!({ "n": 2 }))]
    );
}
