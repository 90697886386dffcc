use async_trait::async_trait;

use crate::StoreError;

/// Where a stored object can be fetched by the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    pub url: String,
}

/// Object storage for user uploads (a local directory now, S3 later).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ObjectStorage: Send + Sync {
    /// Stores `bytes` under `key` (a relative path of safe characters chosen by the core).
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<StoredObject, StoreError>;
    /// The bytes and content type under `key`; `Ok(None)` when absent. Adapters whose objects are
    /// served elsewhere (S3) may always answer `Ok(None)`.
    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StoreError>;
    /// Removes the object under `key`; an absent object (or a key the rule refuses, which no
    /// object can have) is not an error, so a retried delete succeeds.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}
