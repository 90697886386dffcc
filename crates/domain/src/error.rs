use thiserror::Error;

/// A value from outside did not pass its rules. `field` names the input field the way the client
/// spells it, so the HTTP layer can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    pub field: &'static str,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }

    /// The same problem reported under another field name (a value type is reused by several
    /// fields: `email`, `username`, ...).
    #[must_use]
    pub fn for_field(mut self, field: &'static str) -> Self {
        self.field = field;
        self
    }
}
