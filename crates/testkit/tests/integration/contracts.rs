//! The AccountStore contract, against every adapter.

use std::sync::Arc;

use calndr_memory::MemoryAccountStore;
use calndr_ports::AccountStore;
use calndr_postgres::{PgConfig, PgStore};
use calndr_testkit::{contracts, TestDatabase};

fn memory() -> Arc<dyn AccountStore> {
    Arc::new(MemoryAccountStore::new())
}

async fn postgres() -> (Arc<dyn AccountStore>, TestDatabase) {
    let db = TestDatabase::new().await;
    let store = PgStore::connect(
        &db.url(),
        None,
        &PgConfig {
            pool_size: 2,
            ..PgConfig::default()
        },
    )
    .expect("pool");
    (Arc::new(store), db)
}

macro_rules! contract {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread")]
            async fn memory_adapter() {
                contracts::$name(memory()).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres_adapter() {
                let (store, _db) = postgres().await;
                contracts::$name(store).await;
            }
        }
    };
}

contract!(registration_and_email_uniqueness);
contract!(joining_a_family);
contract!(profile_updates);
