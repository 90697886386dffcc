//! Every storage port's contract (`calndr_testkit::contracts::X`), each story on both storage
//! adapters: the memory store and Postgres (a fresh schema per test). The PIN store's contract
//! runs on memory and Redis.

use std::sync::Arc;
use std::time::Duration;

use calndr_memory::{MemoryPinStore, MemoryStore};
use calndr_ports::Storage;
use calndr_postgres::{PgConfig, PgStore};
use calndr_redis::{RedisConfig, RedisPinStore};
use calndr_testkit::{contracts, TestDatabase};

fn memory() -> Storage {
    Storage::of(Arc::new(MemoryStore::new()))
}

async fn postgres() -> (Storage, TestDatabase) {
    let db = TestDatabase::new().await;
    let cfg = PgConfig {
        // Enough for the stories that race (redemptions, job claims).
        pool_size: 6,
        ..PgConfig::default()
    };
    let pg = PgStore::connect(&db.url(), None, &cfg).expect("pool");
    (Storage::of(Arc::new(pg)), db)
}

/// `port: story, ...;` makes `port::story::{memory_adapter, postgres_adapter}`.
macro_rules! contracts {
    ($($port:ident: $($story:ident),+;)+) => {$(
        mod $port {$(
            mod $story {
                use super::super::*;

                #[tokio::test(flavor = "multi_thread")]
                async fn memory_adapter() {
                    contracts::$port::$story(memory()).await;
                }

                #[tokio::test(flavor = "multi_thread")]
                async fn postgres_adapter() {
                    let (storage, _db) = postgres().await;
                    contracts::$port::$story(storage).await;
                }
            }
        )+}
    )+};
}

contracts! {
    accounts: registration_and_email_uniqueness, joining_a_family, profile_updates;
    family: family_members;
    custody: custody_units_of_work, days_with_names, custody_writes_queue_their_jobs;
    templates: one_active_template;
    enrollment:
        one_code_per_family_and_revocation,
        redemption_admits_one_new_member,
        concurrent_redemptions_admit_one;
    email_verification: email_codes_count_every_attempt, an_email_code_queues_its_email;
    children: children_are_family_scoped;
    babysitters: babysitters_are_linked_per_family;
    emergency_contacts: emergency_contacts_are_family_scoped;
    medications: medications_page_filter_and_sort_alike;
    themes: themes_visibility_ownership_and_selection;
    events: events_are_family_scoped;
    reminders: reminders_one_per_day;
    journal: journal_is_author_only;
    notification_emails: notification_emails_are_family_scoped;
    group_chat: one_chat_per_contact_of_the_family;
    providers:
        providers_are_family_scoped_and_delete_cascades,
        school_calendar_follows_the_last_parse;
    medical_providers: medical_providers_update_partially;
    jobs:
        claim_lease_and_complete,
        an_expired_lease_is_claimed_again,
        failures_retry_later_then_die,
        concurrent_claims_are_disjoint;
    idempotency:
        claims_answers_and_scopes,
        stale_claims_and_expired_keys_are_free,
        concurrent_claims_win_once;
}

mod pins {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn memory_adapter() {
        contracts::pins::pins_count_attempts(Arc::new(MemoryPinStore::new())).await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn redis_adapter() {
        let timeout = Duration::from_millis(500);
        let pool = calndr_redis::connect(&RedisConfig {
            url: calndr_testkit::redis_url(),
            pool_size: 2,
            timeout,
        })
        .expect("redis pool");
        contracts::pins::pins_count_attempts(Arc::new(RedisPinStore::new(pool, timeout))).await;
    }
}
