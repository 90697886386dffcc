//! The FamilyStore, CustodyStore and TemplateStore contracts, against every adapter.

use std::sync::Arc;

use calndr_memory::{MemoryAccountStore, MemoryCustodyStore};
use calndr_postgres::{PgConfig, PgStore};
use calndr_testkit::custody_contracts::{self, Stores};
use calndr_testkit::TestDatabase;

fn memory() -> Stores {
    let accounts = Arc::new(MemoryAccountStore::new());
    let custody = Arc::new(MemoryCustodyStore::new(accounts.clone()));
    Stores {
        accounts: accounts.clone(),
        family: accounts,
        custody: custody.clone(),
        templates: custody,
    }
}

async fn postgres() -> (Stores, TestDatabase) {
    let db = TestDatabase::new().await;
    let store = Arc::new(
        PgStore::connect(
            &db.url(),
            None,
            &PgConfig {
                pool_size: 2,
                ..PgConfig::default()
            },
        )
        .expect("pool"),
    );
    (
        Stores {
            accounts: store.clone(),
            family: store.clone(),
            custody: store.clone(),
            templates: store,
        },
        db,
    )
}

macro_rules! contract {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread")]
            async fn memory_adapter() {
                custody_contracts::$name(memory()).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres_adapter() {
                let (stores, _db) = postgres().await;
                custody_contracts::$name(stores).await;
            }
        }
    };
}

contract!(custody_units_of_work);
contract!(one_active_template);
contract!(family_members);
contract!(days_with_names);
