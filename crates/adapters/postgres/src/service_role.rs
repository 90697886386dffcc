//! The service's own PostgreSQL role: `calndr migrate`, connected as the schema owner, creates it
//! (or sets its password again) and grants it DML on every table and sequence of the schema, and
//! nothing else: it owns nothing, creates nothing, drops nothing.

use calndr_ports::StoreError;
use diesel_async::{AsyncPgConnection, RunQueryDsl as _};

use crate::tls::PgTls;

/// A role name PostgreSQL takes unquoted, and a password that needs no quoting (Terraform
/// generates letters and digits); anything else is refused rather than escaped.
fn checked(role: &str, password: &str) -> Result<(), StoreError> {
    let role_ok = role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !role_ok {
        return Err(StoreError::unexpected(
            "the service role must be a lower-case PostgreSQL identifier",
        ));
    }
    if password.len() < 20 || !password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(StoreError::unexpected(
            "the service role's password must be 20 or more letters and digits",
        ));
    }
    Ok(())
}

/// Creates or updates `role` with `password` and its grants; run after the migrations.
pub async fn ensure_service_role(
    owner_url: &str,
    tls: &PgTls,
    role: &str,
    password: &str,
) -> Result<(), StoreError> {
    checked(role, password)?;
    let unavailable = |e: diesel::ConnectionError| StoreError::Unavailable(Box::new(e));
    let mut conn: AsyncPgConnection = match tls.connector()? {
        Some(connector) => crate::tls::establish(owner_url.to_owned(), connector)
            .await
            .map_err(unavailable)?,
        None => {
            use diesel_async::AsyncConnection as _;
            AsyncPgConnection::establish(owner_url)
                .await
                .map_err(unavailable)?
        }
    };
    let statements = [
        format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') \
             THEN CREATE ROLE {role} LOGIN; END IF; END $$"
        ),
        format!("ALTER ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}'"),
        format!(
            "DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO {role}', current_database()); END $$"
        ),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("REVOKE CREATE ON SCHEMA public FROM {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    ];
    for sql in statements {
        diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .map_err(|e| StoreError::unexpected(format!("granting the service role: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::checked;

    #[test]
    fn only_plain_names_and_passwords_reach_the_sql() {
        let good = "Abcdefghij0123456789xyz";
        assert!(checked("calndr_app", good).is_ok());
        assert!(checked("Calndr", good).is_err());
        assert!(checked("app; DROP TABLE users", good).is_err());
        assert!(checked("calndr_app", "short1").is_err());
        assert!(checked("calndr_app", "aaaaaaaaaaaaaaaaaaaaaa'; --").is_err());
    }
}
