//! Tests of `config` (kept apart to keep config.rs short).

use super::*;
use std::collections::HashMap;

fn load_map(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    load(&move |k| map.get(k).cloned())
}

#[test]
fn local_defaults_run_embedded() {
    let c = load_map(&[]).unwrap();
    assert_eq!(c.environment, Environment::Local);
    assert_eq!(c.listen_addr.to_string(), "127.0.0.1:8080");
    assert!(c.database_url.is_none() && c.redis_url.is_none());
    assert!(c.jwt_secret_generated);
    assert_eq!(c.log_format, LogFormat::Compact);
}

#[test]
fn database_tls_is_verify_full_outside_local_and_chosen_by_calndr_database_tls() {
    use calndr_postgres::TlsMode;
    let local = load_map(&[]).unwrap();
    assert_eq!(local.database_tls.mode, TlsMode::Disable);
    let staging = load_map(&[("CALNDR_ENV", "staging")]).unwrap();
    assert_eq!(staging.database_tls.mode, TlsMode::VerifyFull);
    assert_eq!(
        staging.database_tls.ca_file,
        std::path::PathBuf::from(calndr_postgres::DEFAULT_CA_FILE)
    );
    let chosen = load_map(&[
        ("CALNDR_ENV", "staging"),
        ("CALNDR_DATABASE_TLS", "require"),
        ("CALNDR_DATABASE_CA_FILE", "/tmp/ca.pem"),
    ])
    .unwrap();
    assert_eq!(chosen.database_tls.mode, TlsMode::Require);
    assert_eq!(
        chosen.database_tls.ca_file,
        std::path::PathBuf::from("/tmp/ca.pem")
    );
    let bad = load_map(&[("CALNDR_DATABASE_TLS", "prefer")]).unwrap_err();
    assert_eq!(bad.variable, "CALNDR_DATABASE_TLS");
    let no_password =
        load_map(&[("CALNDR_DATABASE_SERVICE_URL", "postgres://calndr_app@db/x")]).unwrap_err();
    assert_eq!(no_password.variable, "CALNDR_DATABASE_SERVICE_URL");
}

#[test]
fn original_variable_names_are_fallbacks() {
    let c = load_map(&[
        ("DB_HOST", "db.internal"),
        ("DB_USER", "calndr"),
        ("DB_PASSWORD", "p@ss/word"),
        ("DB_NAME", "app"),
        ("REDIS_HOST", "cache.internal"),
        ("REDIS_PASSWORD", "tok"),
        ("SECRET_KEY", "original-secret-that-signed-every-token"),
    ])
    .unwrap();
    let db = c.database_url.unwrap();
    assert_eq!(
        db.expose_secret(),
        "postgres://calndr:p%40ss%2Fword@db.internal:5432/app"
    );
    assert_eq!(
        c.redis_url.unwrap().expose_secret(),
        "redis://:tok@cache.internal:6379/0"
    );
    assert_eq!(
        c.jwt_secret.expose_secret(),
        "original-secret-that-signed-every-token"
    );
    assert!(!Config::redacted_url(&db).contains("p%40ss"));
}

#[test]
fn production_refuses_unsafe_settings_and_names_the_variable() {
    let db = ("CALNDR_DATABASE_URL", "postgres://u:p@h/db");
    let prod = ("CALNDR_ENV", "production");
    assert_eq!(
        load_map(&[prod]).unwrap_err().variable,
        "CALNDR_DATABASE_URL"
    );
    assert_eq!(
        load_map(&[prod, db]).unwrap_err().variable,
        "CALNDR_JWT_SECRET"
    );
    let dev = ("SECRET_KEY", ORIGINAL_DEV_SECRET);
    assert_eq!(
        load_map(&[prod, db, dev]).unwrap_err().variable,
        "CALNDR_JWT_SECRET"
    );
    let short = load_map(&[prod, db, ("SECRET_KEY", "short")]).unwrap();
    assert_eq!(short.warnings.len(), 1);
    assert_eq!(short.log_format, LogFormat::Json);
    assert_eq!(
        load_map(&[("CALNDR_LISTEN_ADDR", "nope")])
            .unwrap_err()
            .variable,
        "CALNDR_LISTEN_ADDR"
    );
}

#[test]
fn debug_output_hides_secrets() {
    let c = load_map(&[
        ("CALNDR_DATABASE_URL", "postgres://u:topsecretpw@h/db"),
        ("CALNDR_JWT_SECRET", "jwt-secret-value-0123456789abcdef"),
    ])
    .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("topsecretpw") && !dbg.contains("jwt-secret-value"));
}
