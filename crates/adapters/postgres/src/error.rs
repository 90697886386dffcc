//! Driver errors translated into port errors, at the seam.

use calndr_ports::StoreError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;

pub(crate) fn from_diesel(e: DieselError) -> StoreError {
    match e {
        DieselError::NotFound => StoreError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            let what = match info.constraint_name() {
                Some(c) if c.contains("email") => "email",
                Some(c) if c.contains("code") => "code",
                Some(c) if c.ends_with("_user_id_key") => "identity",
                _ => "record",
            };
            StoreError::Conflict(what)
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            StoreError::NotFound
        }
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
            StoreError::Unavailable(Box::new(e))
        }
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
            StoreError::Unavailable(Box::new(e))
        }
        // No SQLSTATE: the socket closed or broke (class 08 as the driver sees it).
        DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => {
            StoreError::Unavailable(Box::new(e))
        }
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, ref info)
            if is_transient(info.message()) =>
        {
            StoreError::Unavailable(Box::new(e))
        }
        DieselError::BrokenTransactionManager => StoreError::Unavailable(Box::new(e)),
        DieselError::RollbackErrorOnCommit { commit_error, .. } => from_diesel(*commit_error),
        other => StoreError::Unexpected(Box::new(other)),
    }
}

/// Server errors that mean "try again later", not a bug. diesel keeps the message but not the
/// SQLSTATE of an error it has no kind for, so these are told by PostgreSQL's (English) texts:
/// 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 57P05 idle session,
/// 25P03 idle in transaction ("terminating connection ..."); 57014 statement timeout or cancel
/// and 55P03 lock timeout ("canceling statement due to ...", "could not obtain lock ..."); the
/// database starting up, shutting down or in recovery; 40P01 a deadlock PostgreSQL broke by
/// aborting this transaction (nothing of it was written).
pub(crate) fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 6] = [
        "deadlock detected",
        "terminating connection",
        "canceling statement due to",
        "could not obtain lock",
        "the database system is",
        "server closed the connection",
    ];
    TRANSIENT.iter().any(|t| message.starts_with(t))
}

#[cfg(test)]
mod tests {
    use super::is_transient;

    #[test]
    fn restarts_timeouts_and_lock_waits_are_transient_and_bugs_are_not() {
        for m in [
            "terminating connection due to administrator command",
            "terminating connection due to idle-in-transaction timeout",
            "canceling statement due to statement timeout",
            "canceling statement due to lock timeout",
            "could not obtain lock on row in relation \"events\"",
            "the database system is starting up",
            "the database system is shutting down",
            "deadlock detected",
        ] {
            assert!(is_transient(m), "{m}");
        }
        for m in [
            "syntax error at or near \"SELEC\"",
            "column \"x\" does not exist",
            "invalid input syntax for type uuid",
        ] {
            assert!(!is_transient(m), "{m}");
        }
    }
}

pub(crate) fn from_pool(e: PoolError) -> StoreError {
    // Timeouts, refused connections and a closed pool all mean "try again later".
    StoreError::Unavailable(Box::new(e))
}

/// A transaction's error: a driver error (rolls back) or a port error decided inside it.
#[derive(Debug)]
pub(crate) enum TxError {
    Diesel(diesel::result::Error),
    Store(StoreError),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Diesel(e)
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl TxError {
    pub(crate) fn into_store(self) -> StoreError {
        match self {
            Self::Diesel(e) => from_diesel(e),
            Self::Store(e) => e,
        }
    }
}

/// `NotFound` when a write scoped to a family touched no row (missing, or another family's).
pub(crate) fn one_row(n: usize) -> Result<(), StoreError> {
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Deletes the row of `family` whose `$id_col` is `$id` from `$table`: `NotFound` when no row
/// matched (missing, or another family's).
macro_rules! delete_of_family {
    ($store:expr, $table:ident, $id_col:ident = $id:expr, $family:expr) => {{
        let mut conn = $store.conn().await?;
        let n = diesel::delete(
            $table::table
                .filter($table::$id_col.eq($id))
                .filter($table::family_id.eq($family.as_uuid())),
        )
        .execute(&mut conn)
        .await
        .map_err($crate::error::from_diesel)?;
        $crate::error::one_row(n)
    }};
}
pub(crate) use delete_of_family;
