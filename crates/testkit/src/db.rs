//! Per-test PostgreSQL schemas cloned from a migrated template.
//!
//! Once per process: make sure the `calndr_test` database exists, sweep schemas left behind by
//! earlier runs, and (under an advisory lock, once per migration set) migrate a template schema
//! and capture its DDL with `pg_dump`. Per test: create a schema, replay the DDL into it in one
//! round trip, and hand out a URL whose `options` select that schema.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::OnceCell;
use tokio_postgres::{Client, NoTls};

const TEST_DB: &str = "calndr_test";

static TEMPLATE: OnceCell<Template> = OnceCell::const_new();

struct Template {
    /// Base URL of the test database (no options).
    db_url: String,
    /// The template's DDL with its schema name replaced by a placeholder.
    ddl: String,
}

const PLACEHOLDER: &str = "__calndr_schema__";

fn with_database(server_url: &str, db: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// A URL that selects `schema` through the connection's `search_path`.
pub fn with_search_path(db_url: &str, schema: &str) -> String {
    let sep = if db_url.contains('?') { '&' } else { '?' };
    format!("{db_url}{sep}options=-csearch_path%3D{schema}")
}

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!("cannot connect to PostgreSQL for tests ({e}); is it running? see README")
        });
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

fn migrations_fingerprint() -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");
    let mut entries: Vec<_> = walk(std::path::Path::new(root));
    entries.sort();
    for path in entries {
        path.hash(&mut h);
        std::fs::read(&path).unwrap_or_default().hash(&mut h);
    }
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn prepare() -> Template {
    let server = crate::database_server_url();
    let admin = connect(&server).await;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&TEST_DB])
        .await
        .expect("query pg_database");
    if exists.is_none() {
        // Another test process may win the race; that is fine.
        let _ = admin
            .batch_execute(&format!("CREATE DATABASE {TEST_DB}"))
            .await;
    }
    let db_url = with_database(&server, TEST_DB);
    let client = connect(&db_url).await;

    // Sweep per-test schemas older than an hour (left by killed runs).
    let cutoff = now_secs().saturating_sub(3600);
    let rows = client
        .query(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'",
            &[],
        )
        .await
        .expect("list schemas");
    for row in rows {
        let name: String = row.get(0);
        let stamp = name.split('_').nth(1).and_then(|s| s.parse::<u64>().ok());
        if stamp.is_some_and(|s| s < cutoff) {
            let _ = client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
                .await;
        }
    }

    let template = format!("tpl_{}", migrations_fingerprint());
    client
        .batch_execute("SELECT pg_advisory_lock(727274)")
        .await
        .expect("advisory lock");
    let ready = client
        .query_opt(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1 AND obj_description(oid, 'pg_namespace') = 'calndr template ready'",
            &[&template],
        )
        .await
        .expect("check template");
    if ready.is_none() {
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS \"{template}\" CASCADE; CREATE SCHEMA \"{template}\";"
            ))
            .await
            .expect("create template schema");
        calndr_postgres::run_migrations(&with_search_path(&db_url, &template))
            .await
            .expect("migrate template schema");
        client
            .batch_execute(&format!(
                "COMMENT ON SCHEMA \"{template}\" IS 'calndr template ready'"
            ))
            .await
            .expect("mark template");
    }
    let dump = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", "--schema"])
        .arg(&template)
        .arg(&db_url)
        .output();
    let _ = client
        .batch_execute("SELECT pg_advisory_unlock(727274)")
        .await;
    let dump = dump.expect("run pg_dump (postgresql-client is needed for tests)");
    assert!(
        dump.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let text = String::from_utf8(dump.stdout).expect("pg_dump output is UTF-8");
    let ddl: String = text
        .lines()
        .filter(|l| {
            !l.starts_with("CREATE SCHEMA ")
                && !l.starts_with("SET ")
                && !l.starts_with("SELECT pg_catalog.set_config")
                && !l.starts_with("--")
                && !l.starts_with("\\")
                && !l.starts_with("COMMENT ON SCHEMA ")
        })
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&format!("{template}."), &format!("{PLACEHOLDER}."));
    Template { db_url, ddl }
}

/// One test's private schema. Dropped (with everything in it) when the value is dropped.
pub struct TestDatabase {
    schema: String,
    db_url: String,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let tpl = TEMPLATE.get_or_init(prepare).await;
        let schema = format!("t_{}_{}", now_secs(), uuid::Uuid::new_v4().simple());
        let client = connect(&tpl.db_url).await;
        let ddl = tpl.ddl.replace(PLACEHOLDER, &format!("\"{schema}\""));
        client
            .batch_execute(&format!(
                "CREATE SCHEMA \"{schema}\"; SET search_path TO \"{schema}\";\n{ddl}"
            ))
            .await
            .unwrap_or_else(|e| panic!("clone template into {schema}: {e:?}"));
        Self {
            schema,
            db_url: tpl.db_url.clone(),
        }
    }

    /// An empty schema (no migrations), for adoption and migration tests.
    pub async fn empty() -> Self {
        let tpl = TEMPLATE.get_or_init(prepare).await;
        let schema = format!("t_{}_{}", now_secs(), uuid::Uuid::new_v4().simple());
        connect(&tpl.db_url)
            .await
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .await
            .expect("create empty schema");
        Self {
            schema,
            db_url: tpl.db_url.clone(),
        }
    }

    /// The URL the adapters use: it selects this schema.
    pub fn url(&self) -> String {
        with_search_path(&self.db_url, &self.schema)
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// A plain client on this schema, for assertions and fixtures.
    pub async fn client(&self) -> Client {
        connect(&self.url()).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = self.db_url.clone();
        let schema = self.schema.clone();
        // A separate thread with its own runtime: Drop may run inside a test's runtime.
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok((client, conn)) = tokio_postgres::connect(&url, NoTls).await {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                        .await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_the_database_and_schema() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_search_path("postgres://h/x", "s1"),
            "postgres://h/x?options=-csearch_path%3Ds1"
        );
    }
}
