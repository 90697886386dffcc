//! Every port's contract (`calndr_testkit::contracts::X`). Each storage story runs on both
//! storage adapters: the memory store and Postgres (a fresh schema per test). The other ports'
//! stories run on their two adapters: PinStore, Cache and RateLimiter on memory and Redis,
//! ObjectStorage on the local directory and on S3 (against a stateful fake of its API).

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
    accounts: registration_and_email_uniqueness, joining_a_family, leaving_a_family, identity_tokens, profile_updates, session_cutoffs;
    family: family_members;
    family_settings: settings_default_then_attributed;
    custody: custody_units_of_work, days_with_names, custody_writes_queue_their_jobs;
    templates: one_active_template;
    enrollment:
        one_code_per_family_and_revocation,
        redemption_admits_one_new_member,
        concurrent_redemptions_admit_one,
        an_invitation_queues_its_email;
    email_verification: email_codes_count_every_attempt, an_email_code_queues_its_email;
    children: children_are_family_scoped;
    babysitters: babysitters_are_linked_per_family;
    emergency_contacts: emergency_contacts_are_family_scoped;
    medications: medications_page_filter_and_sort_alike;
    themes: themes_visibility_ownership_and_selection;
    events: events_are_family_scoped;
    export: pages_hold_the_family_once_in_order, identities_by_provider_only;
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

/// The adapters of the ports that are not storage: `adapters::<port>::<adapter>()` gives the
/// adapter under test and whatever must live as long as it (a temp dir, a fake server).
mod adapters {
    use std::any::Any;

    use super::*;

    type Guard = Box<dyn Any + Send>;

    fn redis_pool() -> calndr_redis::RedisPool {
        calndr_redis::connect(&RedisConfig {
            url: calndr_testkit::redis_url(),
            pool_size: 8,
            timeout: REDIS_TIMEOUT,
        })
        .expect("redis pool")
    }

    const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

    pub mod cache {
        use super::*;
        use calndr_ports::Cache;

        pub async fn memory_adapter() -> (Arc<dyn Cache>, Guard) {
            (
                Arc::new(calndr_memory::MemoryCache::default()),
                Box::new(()),
            )
        }

        pub async fn redis_adapter() -> (Arc<dyn Cache>, Guard) {
            let cache = calndr_redis::RedisCache::new(redis_pool(), REDIS_TIMEOUT);
            (Arc::new(cache), Box::new(()))
        }
    }

    pub mod rate_limit {
        use super::*;
        use calndr_ports::RateLimiter;

        pub async fn memory_adapter() -> (Arc<dyn RateLimiter>, Guard) {
            let rl = calndr_memory::MemoryRateLimiter::default();
            (Arc::new(rl), Box::new(()))
        }

        pub async fn redis_adapter() -> (Arc<dyn RateLimiter>, Guard) {
            let rl = calndr_redis::RedisRateLimiter::new(redis_pool(), REDIS_TIMEOUT);
            (Arc::new(rl), Box::new(()))
        }
    }

    pub mod object_storage {
        use super::*;
        use calndr_testkit::contracts::object_storage::Subject;

        const PUBLIC: &str = "https://api.example.test/";

        /// A fresh directory under the system temp dir, removed on drop.
        struct TempDir(std::path::PathBuf);

        impl Drop for TempDir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }

        pub async fn files_adapter() -> (Subject, Guard) {
            let dir = std::env::temp_dir().join(format!(
                "calndr-contract-objects-{}",
                uuid::Uuid::new_v4().simple()
            ));
            let store = calndr_files::LocalDirStorage::new(dir.join("media"), PUBLIC);
            let subject = Subject {
                store: Arc::new(store),
                public_base_url: PUBLIC.to_owned(),
            };
            (subject, Box::new(TempDir(dir)))
        }

        pub async fn s3_adapter() -> (Subject, Guard) {
            let fake = crate::s3_fake::start().await;
            let store = calndr_aws::S3Storage::new(calndr_aws::S3Config {
                bucket: "calndr-assets".into(),
                prefix: "uploads/".into(),
                region: "us-east-1".into(),
                endpoint_url: Some(fake.uri()),
                static_credentials: Some(("AKIDEXAMPLE".into(), "fake-secret".into())),
                public_base_url: PUBLIC.to_owned(),
                timeout: Duration::from_secs(5),
            });
            let subject = Subject {
                store: Arc::new(store),
                public_base_url: PUBLIC.to_owned(),
            };
            (subject, Box::new(fake))
        }
    }
}

/// `port (a, b): story, ...;` makes `port::story::{a, b}`, each running
/// `contracts::port::story` on `adapters::port::a()` (and `b()`).
macro_rules! port_contracts {
    ($($port:ident ($a:ident, $b:ident): $($story:ident),+;)+) => {$(
        mod $port {$(
            mod $story {
                use super::super::*;

                #[tokio::test(flavor = "multi_thread")]
                async fn $a() {
                    let (adapter, _guard) = adapters::$port::$a().await;
                    contracts::$port::$story(adapter).await;
                }

                #[tokio::test(flavor = "multi_thread")]
                async fn $b() {
                    let (adapter, _guard) = adapters::$port::$b().await;
                    contracts::$port::$story(adapter).await;
                }
            }
        )+}
    )+};
}

port_contracts! {
    cache (memory_adapter, redis_adapter):
        values_round_trip_and_delete,
        entries_expire_at_their_own_ttl,
        zero_ttl_keeps_nothing_and_a_huge_ttl_is_cut_on_redis_too,
        set_if_absent_stores_once,
        counters_start_count_and_refuse_other_values;
    rate_limit (memory_adapter, redis_adapter):
        hits_are_counted_per_key_and_clear_resets,
        the_window_is_fixed_and_then_resets,
        concurrent_hits_admit_exactly_max,
        a_huge_window_still_limits_on_memory_and_redis;
    object_storage (files_adapter, s3_adapter):
        objects_round_trip_and_missing_keys_read_as_none,
        an_overwrite_replaces_bytes_and_type,
        keys_outside_the_rule_are_refused_alike_on_s3_too,
        a_deleted_object_is_gone_and_a_second_delete_is_fine;
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
