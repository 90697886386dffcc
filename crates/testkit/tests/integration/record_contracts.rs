//! The family-record store contracts (events, reminders, journal, alert e-mails, group chats),
//! against every adapter.

use std::sync::Arc;

use calndr_memory::{MemoryAccountStore, MemoryRecords};
use calndr_postgres::{PgConfig, PgStore};
use calndr_testkit::record_contracts::{self, RecordStores};
use calndr_testkit::TestDatabase;

fn memory() -> RecordStores {
    let accounts = Arc::new(MemoryAccountStore::new());
    let m = Arc::new(MemoryRecords::new(accounts.clone()));
    RecordStores {
        accounts,
        events: m.clone(),
        reminders: m.clone(),
        journal: m.clone(),
        emails: m.clone(),
        chats: m,
    }
}

async fn postgres() -> (RecordStores, TestDatabase) {
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
    let stores = RecordStores {
        accounts: pg.clone(),
        events: pg.clone(),
        reminders: pg.clone(),
        journal: pg.clone(),
        emails: pg.clone(),
        chats: pg,
    };
    (stores, db)
}

macro_rules! contract {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread")]
            async fn memory_adapter() {
                record_contracts::$name(memory()).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres_adapter() {
                let (stores, _db) = postgres().await;
                record_contracts::$name(stores).await;
            }
        }
    };
}

contract!(events_are_family_scoped);
contract!(reminders_one_per_day);
contract!(journal_is_author_only);
contract!(emails_and_chats_are_family_scoped);
