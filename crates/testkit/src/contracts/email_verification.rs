//! The `EmailVerificationStore` contract.

use calndr_domain::{CodeCheck, UserStatus, VerificationCode};
use calndr_ports::Storage;
use chrono::Duration as Span;
use chrono::Utc;

use super::account;

/// Three wrong codes kill the code, every attempt is kept; success marks the user verified.
pub async fn email_codes_count_every_attempt(s: Storage) {
    let now = Utc::now();
    let u = account(&s, "Eve").await;
    let right = VerificationCode::parse("123456", "code").expect("code");
    let wrong = VerificationCode::parse("654321", "code").expect("code");
    let exp = now + Span::minutes(10);
    s.email_verification
        .put_email_code(u.id, &u.email, &right, exp, now)
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
        .put_email_code(u.id, &u.email, &right, exp, now)
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
