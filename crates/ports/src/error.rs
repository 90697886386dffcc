use thiserror::Error;

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a storage port can report. Adapters map driver errors onto these variants.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The addressed record does not exist (or belongs to another family: the same thing to a caller).
    #[error("record not found")]
    NotFound,
    /// A uniqueness rule was violated; the payload names what collided (e.g. `"email"`).
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// The backing service is unreachable or timed out; a retry may succeed.
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug or corrupted data.
    #[error("unexpected storage error")]
    Unexpected(#[source] BoxError),
}

impl StoreError {
    pub fn unexpected(msg: impl Into<String>) -> Self {
        Self::Unexpected(msg.into().into())
    }
}
