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
        other => StoreError::Unexpected(Box::new(other)),
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
