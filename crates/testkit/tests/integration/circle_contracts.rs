//! The circle store contracts (children, babysitters, emergency contacts, medications, themes),
//! against every adapter.

use std::sync::Arc;

use calndr_memory::{MemoryAccountStore, MemoryCircle};
use calndr_postgres::{PgConfig, PgStore};
use calndr_testkit::circle_contracts::{self, CircleStores};
use calndr_testkit::TestDatabase;

fn memory() -> CircleStores {
    let accounts = Arc::new(MemoryAccountStore::new());
    let m = Arc::new(MemoryCircle::new(accounts.clone()));
    CircleStores {
        accounts,
        children: m.clone(),
        babysitters: m.clone(),
        contacts: m.clone(),
        medications: m.clone(),
        themes: m,
    }
}

async fn postgres() -> (CircleStores, TestDatabase) {
    let db = TestDatabase::new().await;
    let pg = Arc::new(
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
    let stores = CircleStores {
        accounts: pg.clone(),
        children: pg.clone(),
        babysitters: pg.clone(),
        contacts: pg.clone(),
        medications: pg.clone(),
        themes: pg,
    };
    (stores, db)
}

macro_rules! contract {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread")]
            async fn memory_adapter() {
                circle_contracts::$name(memory()).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres_adapter() {
                let (stores, _db) = postgres().await;
                circle_contracts::$name(stores).await;
            }
        }
    };
}

contract!(children_are_family_scoped);
contract!(babysitters_are_linked_per_family);
contract!(emergency_contacts_are_family_scoped);
contract!(medications_page_filter_and_sort_alike);
contract!(themes_visibility_ownership_and_selection);
