//! Use cases under the failures the memory adapters cannot produce: an outage in the middle of a
//! use case, a conflict on a later write, a provider that never answers, a mailer that fails.
//! The ports are `mockall` doubles (calndr-ports feature `mock`); a call a test sets no
//! expectation for panics, so each test also proves that nothing else was written or sent.
//! The happy paths and the stores' behaviour are covered by the memory and PostgreSQL contract
//! suites and the HTTP tests.
#![expect(
    clippy::unwrap_used,
    reason = "fixtures of valid values, outside the test functions"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_app::read_through::ReadThrough;
use calndr_app::{
    AccountDeps, AccountService, AppError, AuthService, CustodyDeps, CustodyService, JobWorker,
    MailOutbox, Principal, PushOutbox, RateGuard, RateLimits, Registration, RoundReport,
    VerificationDeps, VerificationService, WorkerSettings,
};
use calndr_domain::{
    CustodyInput, EmailAddress, FamilyId, FamilyMember, Password, PasswordHash, PersonName, User,
    UserId,
};
use calndr_memory::{MemoryCache, MemoryRateLimiter};
use calndr_ports::accounts::MockAccountStore;
use calndr_ports::cache::MockCache;
use calndr_ports::custody::MockCustodyStore;
use calndr_ports::email_verification::MockEmailVerificationStore;
use calndr_ports::enrollment::MockEnrollmentStore;
use calndr_ports::family::MockFamilyStore;
use calndr_ports::jobs::MockJobQueue;
use calndr_ports::mail::MockMailer;
use calndr_ports::pins::MockPinStore;
use calndr_ports::push::MockPushNotifier;
use calndr_ports::random::MockRandomSource;
use calndr_ports::security::{MockPasswordHasher, MockTokenService};
use calndr_ports::sms::MockSmsSender;
use calndr_ports::storage::MockObjectStorage;
use calndr_ports::templates::MockTemplateStore;
use calndr_ports::{ClaimedJob, Mailer, OutgoingEmail, StoreError};
use chrono::NaiveDate;
use mockall::predicate::eq;
use mockall::Sequence;
use serde_json::json;

fn outage() -> StoreError {
    StoreError::Unavailable("connection reset by peer".into())
}

fn user(id: UserId, family: FamilyId, first: &str, email: &str) -> User {
    User {
        id,
        family_id: Some(family),
        first_name: PersonName::from_stored(first.into()),
        last_name: PersonName::from_stored("Rivera".into()),
        email: EmailAddress::parse(email).unwrap(),
        password_hash: Some(PasswordHash::from_stored("$argon2id$stored".into())),
        phone_number: None,
        status: None,
        enrolled: Some(true),
        coparent_enrolled: Some(true),
        coparent_invited: None,
        subscription_type: None,
        subscription_status: None,
        profile_photo_url: None,
        last_signed_in: None,
        created_at: None,
        updated_at: None,
        sns_endpoint_arn: None,
        sessions: None,
    }
}

fn member(user: User, device: Option<&str>) -> FamilyMember {
    FamilyMember {
        user,
        last_known_location: None,
        last_known_location_at: None,
        device_token: device.map(str::to_owned),
    }
}

fn guard() -> RateGuard {
    RateGuard::new(
        Arc::new(MemoryRateLimiter::new(1000)),
        Arc::new(MemoryRateLimiter::new(1000)),
        RateLimits::unlimited(),
    )
}

// ---- custody ---------------------------------------------------------------------------------

struct Family {
    id: FamilyId,
    mum: UserId,
    dad: UserId,
}

impl Family {
    fn new() -> Self {
        Self {
            id: FamilyId::random(),
            mum: UserId::random(),
            dad: UserId::random(),
        }
    }

    /// A family store that answers the two parents, the other one with a registered device.
    fn store(&self) -> MockFamilyStore {
        let members = vec![
            member(user(self.mum, self.id, "Ana", "ana@example.com"), None),
            member(
                user(self.dad, self.id, "Ben", "ben@example.com"),
                Some("device-of-ben"),
            ),
        ];
        let mut family = MockFamilyStore::new();
        family
            .expect_members()
            .with(eq(self.id))
            .times(1)
            .returning(move |_| Ok(members.clone()));
        family
    }

    fn mum(&self) -> Principal {
        Principal {
            user_id: self.mum,
            family_id: Some(self.id),
        }
    }
}

/// A custody service whose pushes are queued with the write (as in production) and whose push
/// sender and cache fail the test if anything is sent or cached.
fn custody_service(family: MockFamilyStore, custody: MockCustodyStore) -> CustodyService {
    let mut push = MockPushNotifier::new();
    push.expect_configured().return_const(true);
    push.expect_send().times(0);
    CustodyService::new(CustodyDeps {
        custody: Arc::new(custody),
        templates: Arc::new(MockTemplateStore::new()),
        family: Arc::new(family),
        // No expectation: a generation bump (or any cache call) after a failed write panics.
        cache: Arc::new(MockCache::new()),
        push: PushOutbox::queued(Arc::new(push)),
    })
}

fn day(date: NaiveDate, custodian: UserId) -> CustodyInput {
    CustodyInput {
        date,
        custodian,
        handoff_day: None,
        handoff_time: None,
        handoff_location: None,
    }
}

#[tokio::test]
async fn custody_edit_during_a_storage_outage_answers_the_outage_and_pushes_nothing() {
    let family = Family::new();
    let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let mut custody = MockCustodyStore::new();
    let id = family.id;
    custody
        .expect_write_days()
        .withf(move |f, _, from, to, _, _| *f == id && *from < date && *to > date)
        .times(1)
        .returning(|_, _, _, _, _, _| Err(outage()));
    let service = custody_service(family.store(), custody);

    let answer = service.create(&family.mum(), day(date, family.dad)).await;

    // 503 for the caller; no custody-change push for the other parent, no cache bump.
    assert!(
        matches!(answer, Err(AppError::Unavailable(_))),
        "{answer:?}"
    );
}

#[tokio::test]
async fn custody_edit_that_loses_the_race_for_its_date_answers_409_and_pushes_nothing() {
    let family = Family::new();
    let date = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let mut custody = MockCustodyStore::new();
    // Another parent's create committed first: the unit of work refuses the date.
    custody
        .expect_write_days()
        .times(1)
        .returning(|_, _, _, _, _, _| Err(StoreError::Conflict("date")));
    let service = custody_service(family.store(), custody);

    let answer = service.create(&family.mum(), day(date, family.mum)).await;

    match answer {
        Err(AppError::Conflict(detail)) => {
            assert_eq!(detail, "A custody record already exists for this date")
        }
        other => panic!("expected 409, got {other:?}"),
    }
}

// ---- registration ------------------------------------------------------------------------------

/// An account service over `accounts` and `enrollment`; tokens are never issued, no mail is
/// sent, nothing is uploaded.
fn account_service(
    accounts: MockAccountStore,
    enrollment: MockEnrollmentStore,
    hasher: MockPasswordHasher,
    mailer: MockMailer,
    tokens: MockTokenService,
) -> AccountService {
    let accounts: Arc<MockAccountStore> = Arc::new(accounts);
    let tokens: Arc<MockTokenService> = Arc::new(tokens);
    // No expectations: forgetting a cached principal, or any other cache call, panics.
    let auth = AuthService::new(
        tokens.clone(),
        accounts.clone(),
        Arc::new(MockCache::new()),
        Arc::new(MockCache::new()),
    );
    AccountService::new(AccountDeps {
        accounts,
        enrollment: Arc::new(enrollment),
        hasher: Arc::new(hasher),
        tokens,
        storage: Arc::new(MockObjectStorage::new()),
        jobs: Arc::new(calndr_ports::jobs::MockJobQueue::new()),
        mailer: Arc::new(mailer),
        guard: guard(),
        auth,
        views: ReadThrough::new(Arc::new(MemoryCache::new(1 << 20))),
    })
}

fn registration(email: &str) -> Registration {
    Registration {
        first_name: PersonName::parse("Ana", "first_name").unwrap(),
        last_name: PersonName::parse("Rivera", "last_name").unwrap(),
        email: EmailAddress::parse(email).unwrap(),
        password: Password::new_choice("correct horse battery", "password").unwrap(),
        phone_number: None,
    }
}

fn hasher() -> MockPasswordHasher {
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::from_stored("$argon2id$new".into())));
    hasher
}

fn no_tokens() -> MockTokenService {
    let mut tokens = MockTokenService::new();
    tokens.expect_issue().times(0);
    tokens
}

#[tokio::test]
async fn registration_that_loses_the_race_for_its_email_answers_email_taken_and_issues_no_token() {
    let mut accounts = MockAccountStore::new();
    let mut order = Sequence::new();
    // The check finds no account; between it and the insert another registration took the
    // address, so the insert (the second store call) hits the unique index.
    accounts
        .expect_user_by_email()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(None));
    accounts
        .expect_create_account()
        .withf(|a| a.user.email.as_str() == "ana@example.com" && a.user.password_hash.is_some())
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Err(StoreError::Conflict("email")));
    let service = account_service(
        accounts,
        MockEnrollmentStore::new(),
        hasher(),
        MockMailer::new(),
        no_tokens(),
    );

    let answer = service
        .register(registration("ana@example.com"), "198.51.100.7")
        .await;

    assert!(matches!(answer, Err(AppError::EmailTaken)), "{answer:?}");
    assert_eq!(
        answer.err().map(|e| e.to_string()).as_deref(),
        Some("Email already registered")
    );
}

#[tokio::test]
async fn joining_a_family_when_the_redemption_conflicts_answers_email_taken_and_issues_no_token() {
    let family = FamilyId::random();
    let mut accounts = MockAccountStore::new();
    accounts
        .expect_enrollment_code()
        .times(1)
        .returning(move |_| {
            Ok(Some(calndr_domain::EnrollmentCodeRecord {
                family_id: family,
                created_by: UserId::random(),
                expires_at: None,
                revoked: false,
            }))
        });
    accounts
        .expect_user_by_email()
        .times(1)
        .returning(|_| Ok(None));
    let mut enrollment = MockEnrollmentStore::new();
    // The redemption (one transaction: the new user, the membership, the code's count) hits the
    // e-mail's unique index: a concurrent registration won.
    enrollment
        .expect_redeem()
        .times(1)
        .returning(|_, _, _| Err(StoreError::Conflict("email")));
    let service = account_service(
        accounts,
        enrollment,
        hasher(),
        MockMailer::new(),
        no_tokens(),
    );

    let answer = service
        .register_with_family(
            registration("ana@example.com"),
            "ABC123",
            Some(&family.to_string()),
            "198.51.100.7",
        )
        .await;

    assert!(matches!(answer, Err(AppError::EmailTaken)), "{answer:?}");
}

// ---- mail failures ---------------------------------------------------------------------------

fn failing_mailer(times: usize) -> MockMailer {
    let mut mailer = MockMailer::new();
    mailer
        .expect_send()
        .times(times)
        .returning(|_| Err(outage()));
    mailer
}

#[tokio::test]
async fn password_reset_request_answers_the_same_when_the_mailer_is_down_and_writes_nothing() {
    let family = FamilyId::random();
    let id = UserId::random();
    let mut accounts = MockAccountStore::new();
    accounts
        .expect_user_by_email()
        .times(1)
        .returning(move |_| Ok(Some(user(id, family, "Ana", "ana@example.com"))));
    let mut tokens = MockTokenService::new();
    tokens
        .expect_issue_reset()
        .withf(move |u, current| *u == id && current.is_some())
        .times(1)
        .returning(|_, _| Ok("reset-token".into()));
    // Only the lookup above: the password is not touched, no token is stored.
    let service = account_service(
        accounts,
        MockEnrollmentStore::new(),
        MockPasswordHasher::new(),
        failing_mailer(1),
        tokens,
    );

    let answer = service
        .forgot_password("ana@example.com", "198.51.100.7")
        .await;

    // The route answers its generic message either way: no account enumeration, no 5xx.
    assert!(answer.is_ok(), "{answer:?}");
}

fn verification_service(
    accounts: MockAccountStore,
    emails: MockEmailVerificationStore,
    mailer: MockMailer,
) -> VerificationService {
    let mut random = MockRandomSource::new();
    random.expect_uniform().returning(|bound| 7 % bound);
    VerificationService::new(VerificationDeps {
        accounts: Arc::new(accounts),
        emails: Arc::new(emails),
        pins: Arc::new(MockPinStore::new()),
        sms: Arc::new(MockSmsSender::new()),
        mailer: MailOutbox::direct(Arc::new(mailer)),
        random: Arc::new(random),
        guard: guard(),
    })
}

fn pending_account(id: UserId) -> MockAccountStore {
    let mut accounts = MockAccountStore::new();
    accounts
        .expect_user_by_email()
        .times(1)
        .returning(move |_| Ok(Some(user(id, FamilyId::random(), "Ana", "ana@example.com"))));
    accounts
}

#[tokio::test]
async fn verification_code_is_stored_before_the_mail_and_kept_when_the_mailer_fails() {
    let id = UserId::random();
    let mut order = Sequence::new();
    let mut emails = MockEmailVerificationStore::new();
    emails
        .expect_email_verified_at()
        .times(1)
        .returning(|_| Ok(None));
    emails
        .expect_put_email_code()
        .withf(move |u, e, _, expires, now, jobs| {
            // Direct delivery (no queue): the e-mail goes after the commit, not as a job.
            *u == id
                && e.as_str() == "ana@example.com"
                && *expires - *now == chrono::Duration::minutes(10)
                && jobs.is_empty()
        })
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _, _, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer
        .expect_send()
        .withf(|m: &OutgoingEmail| m.to.as_str() == "ana@example.com")
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Err(outage()));
    let service = verification_service(pending_account(id), emails, mailer);

    let answer = service
        .send_email_code(
            &EmailAddress::parse("ana@example.com").unwrap(),
            "198.51.100.7",
        )
        .await;

    // `send-code` answers as always; the stored code stays valid for a resend or a late mail.
    assert!(answer.is_ok(), "{answer:?}");
}

#[tokio::test]
async fn verification_code_that_cannot_be_stored_is_never_mailed() {
    let id = UserId::random();
    let mut emails = MockEmailVerificationStore::new();
    emails
        .expect_email_verified_at()
        .times(1)
        .returning(|_| Ok(None));
    emails
        .expect_put_email_code()
        .times(1)
        .returning(|_, _, _, _, _, _| Err(outage()));
    let service = verification_service(pending_account(id), emails, failing_mailer(0));

    let answer = service
        .send_email_code(
            &EmailAddress::parse("ana@example.com").unwrap(),
            "198.51.100.7",
        )
        .await;

    // A 503 the app retries, and no mail with a code that would never verify.
    assert!(
        matches!(answer, Err(AppError::Unavailable(_))),
        "{answer:?}"
    );
}

// ---- a provider that never answers -------------------------------------------------------------

/// A mail provider that accepts the connection and never answers.
struct HangingMailer;

#[async_trait]
impl Mailer for HangingMailer {
    async fn send(&self, _email: OutgoingEmail) -> Result<(), StoreError> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn delivery_to_a_provider_that_never_answers_is_retried_after_the_deadline() {
    let mut queue = MockJobQueue::new();
    queue.expect_claim().times(1).returning(|_, _, _| {
        Ok(vec![ClaimedJob {
            id: 7,
            kind: "email".into(),
            payload: json!({
                "to": "ana@example.com",
                "subject": "Reset your Calndr password",
                "text": "code",
                "html": "<p>code</p>",
            }),
            attempts: 1,
            max_attempts: 6,
        }])
    });
    queue.expect_complete().times(0);
    queue
        .expect_fail()
        .withf(|id, error, _, give_up| *id == 7 && error.contains("no answer within") && !give_up)
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let settings = WorkerSettings {
        send_timeout: Duration::from_millis(100),
        ..WorkerSettings::default()
    };
    assert!(WorkerSettings::default().send_timeout < WorkerSettings::default().lease);
    let mut push = MockPushNotifier::new();
    push.expect_send().times(0);
    let worker = JobWorker::new(
        Arc::new(queue),
        Arc::new(push),
        Arc::new(HangingMailer),
        settings,
    );

    let started = Instant::now();
    let round = tokio::time::timeout(Duration::from_secs(10), worker.run_once())
        .await
        .expect("the round ends at the delivery deadline");

    assert_eq!(
        round.unwrap(),
        RoundReport {
            delivered: 0,
            retried: 1,
            dead: 0
        }
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
