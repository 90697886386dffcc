//! Embedded migrations, run through a blocking connection wrapper on the blocking pool.

use calndr_ports::StoreError;

use crate::tls::PgTls;
use diesel::pg::Pg;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations");

type Wrapper = AsyncConnectionWrapper<AsyncPgConnection>;

fn connect(url: &str) -> Result<Wrapper, StoreError> {
    use diesel::Connection as _;
    Wrapper::establish(url).map_err(|e| StoreError::Unavailable(Box::new(e)))
}

/// Applies every pending migration over the configured TLS (`calndr migrate` in AWS).
pub async fn run_migrations_tls(url: &str, tls: &PgTls) -> Result<Vec<String>, StoreError> {
    let Some(connector) = tls.connector()? else {
        return run_migrations(url).await;
    };
    let conn = crate::tls::establish(url.to_owned(), connector)
        .await
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
    blocking(move || {
        let mut conn = Wrapper::from(conn);
        let done = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| StoreError::unexpected(format!("migration failed: {e}")))?;
        Ok(done.iter().map(ToString::to_string).collect())
    })
    .await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::unexpected(format!("migration task failed: {e}")))?
}

/// Applies every pending migration; returns the versions applied now.
pub async fn run_migrations(url: &str) -> Result<Vec<String>, StoreError> {
    let url = url.to_owned();
    blocking(move || {
        let mut conn = connect(&url)?;
        let done = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| StoreError::unexpected(format!("migration failed: {e}")))?;
        Ok(done.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Reverts every applied migration (tests and `calndr migrate --revert-all` only).
pub async fn revert_all_migrations(url: &str) -> Result<Vec<String>, StoreError> {
    let url = url.to_owned();
    blocking(move || {
        let mut conn = connect(&url)?;
        let done = conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|e| StoreError::unexpected(format!("revert failed: {e}")))?;
        Ok(done.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Versions applied in the database, and the number of migrations embedded in this binary.
pub async fn applied_migrations(url: &str) -> Result<(Vec<String>, usize), StoreError> {
    let url = url.to_owned();
    blocking(move || {
        let mut conn = connect(&url)?;
        let applied = conn
            .applied_migrations()
            .map_err(|e| StoreError::unexpected(format!("reading migrations failed: {e}")))?;
        let embedded = MigrationSource::<Pg>::migrations(&MIGRATIONS)
            .map_err(|e| StoreError::unexpected(format!("embedded migrations: {e}")))?
            .len();
        Ok((applied.iter().map(ToString::to_string).collect(), embedded))
    })
    .await
}

use diesel::migration::MigrationSource;
