//! Migrations: apply, revert, re-apply; and adoption of a database the original created.

use calndr_domain::{EmailAddress, UserId};
use calndr_ports::AccountStore;
use calndr_postgres::{
    applied_migrations, revert_all_migrations, run_migrations, PgConfig, PgStore,
};
use calndr_testkit::TestDatabase;

async fn table_count(db: &TestDatabase) -> i64 {
    db.client()
        .await
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
            &[&db.schema()],
        )
        .await
        .expect("count")
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn migrations_apply_revert_and_apply_again() {
    let db = TestDatabase::empty().await;
    let applied = run_migrations(&db.url()).await.expect("apply");
    assert_eq!(applied.len(), 8);
    // 26 original tables + jobs + idempotency_keys + identity_tokens + family_settings +
    // diesel's bookkeeping.
    assert_eq!(table_count(&db).await, 31);
    let reverted = revert_all_migrations(&db.url()).await.expect("revert");
    assert_eq!(reverted.len(), 8);
    assert_eq!(
        table_count(&db).await,
        1,
        "only __diesel_schema_migrations remains"
    );
    run_migrations(&db.url()).await.expect("apply again");
    let (done, embedded) = applied_migrations(&db.url()).await.expect("list");
    assert_eq!(done.len(), embedded);
    assert!(run_migrations(&db.url()).await.expect("no-op").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn migrations_adopt_a_database_the_original_created() {
    let db = TestDatabase::empty().await;
    let fixture = include_str!("../../fixtures/original_schema.sql");
    db.client()
        .await
        .batch_execute(fixture)
        .await
        .expect("load the original's schema and seed");
    run_migrations(&db.url()).await.expect("adopt");

    // The seeded rows are intact and readable through our adapter.
    let store = PgStore::connect(&db.url(), None, &PgConfig::default()).expect("pool");
    let alice = store
        .user_by_email(&EmailAddress::parse("alice@example.com").expect("email"))
        .await
        .expect("lookup")
        .expect("alice is there");
    assert_eq!(alice.id.to_string(), "aaaaaaa1-aaaa-4aaa-8aaa-aaaaaaaaaaa1");
    assert_eq!(
        alice.family_id.map(|f| f.to_string()).as_deref(),
        Some("11111111-1111-4111-8111-111111111111")
    );
    assert!(alice
        .password_hash
        .as_ref()
        .is_some_and(|h| h.is_legacy_bcrypt()));
    let carol = store
        .user_by_id(UserId::parse("bbbbbbb1-bbbb-4bbb-8bbb-bbbbbbbbbbb1", "id").expect("id"))
        .await
        .expect("lookup")
        .expect("carol is there");
    assert!(carol.password_hash.is_none());
    let prefs = store.preferences(alice.id).await.expect("prefs");
    assert!(prefs.theme.is_some());

    let client = db.client().await;
    let custody: i64 = client
        .query_one("SELECT count(*) FROM custody", &[])
        .await
        .expect("q")
        .get(0);
    assert_eq!(custody, 5);
    // user_preferences.id stays the integer the original made; new rows still get an id.
    let id_type: String = client
        .query_one(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'user_preferences' AND column_name = 'id'",
            &[],
        )
        .await
        .expect("q")
        .get(0);
    assert_eq!(id_type, "integer");
    let account = calndr_testkit::contracts::new_account("Dana", "dana@example.com");
    let dana = store
        .create_account(account)
        .await
        .expect("new account on the adopted database");
    assert_eq!(
        store
            .preferences(dana.id)
            .await
            .expect("prefs")
            .theme
            .as_deref(),
        Some("default")
    );
    // Applying again changes nothing.
    assert!(run_migrations(&db.url()).await.expect("again").is_empty());
}
