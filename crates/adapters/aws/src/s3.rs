//! [`ObjectStorage`] over a private S3 bucket, encrypted by the bucket's default (KMS in
//! `deploy/terraform/modules/storage`). Objects are not public:
//! their URL is the API's own `/media/{key}`, which reads them back through [`ObjectStorage::get`].

use std::time::Duration;

use crate::{AwsTarget, Lazy};
use async_trait::async_trait;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use calndr_domain::objects::{is_valid_object_key, object_content_type};
use calndr_ports::{ObjectStorage, StoreError, StoredObject};

#[derive(Clone)]
pub struct S3Config {
    pub bucket: String,
    /// Objects live under this prefix (e.g. `uploads/`).
    pub prefix: String,
    pub region: String,
    pub endpoint_url: Option<String>,
    pub static_credentials: Option<(String, String)>,
    /// The API's public origin: URLs are `{public_base_url}/media/{key}`.
    pub public_base_url: String,
    pub timeout: Duration,
}

pub struct S3Storage {
    config: S3Config,
    client: Lazy<Client>,
}

impl S3Storage {
    pub fn new(config: S3Config) -> Self {
        let client = Lazy::new(AwsTarget {
            region: config.region.clone(),
            endpoint_url: config.endpoint_url.clone(),
            static_credentials: config.static_credentials.clone(),
            timeout: config.timeout,
        });
        Self { config, client }
    }

    async fn client(&self) -> &Client {
        self.client
            .get(|shared, target| {
                // Path-style only against an explicit endpoint (a fake, MinIO); AWS uses
                // virtual-hosted buckets.
                let conf = aws_sdk_s3::config::Builder::from(shared)
                    .force_path_style(target.endpoint_url.is_some())
                    .build();
                Client::from_conf(conf)
            })
            .await
    }

    fn object_key(&self, key: &str) -> String {
        format!("{}{key}", self.config.prefix)
    }
}

/// Keys are ours (`profile-photos/<user>/<name>`); the shared rule keeps one from climbing out
/// of the prefix. A key the rule refuses is a bug in the core, as in the local-directory store.
fn safe(key: &str) -> Result<&str, StoreError> {
    if is_valid_object_key(key) {
        Ok(key)
    } else {
        Err(StoreError::unexpected(format!(
            "invalid object key {key:?}"
        )))
    }
}

#[async_trait]
impl ObjectStorage for S3Storage {
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<StoredObject, StoreError> {
        let key = safe(key)?;
        let content_type = object_content_type(content_type)
            .ok_or_else(|| StoreError::unexpected("invalid content type"))?;
        let result = self
            .client()
            .await
            .put_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await;
        result.map_err(|e| crate::sdk_failure("S3", e))?;
        Ok(StoredObject {
            key: key.to_owned(),
            url: format!(
                "{}/media/{key}",
                self.config.public_base_url.trim_end_matches('/')
            ),
        })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let Ok(key) = safe(key) else {
            return Ok(());
        };
        // S3 answers 204 whether or not the object existed.
        self.client()
            .await
            .delete_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .send()
            .await
            .map_err(|e| crate::sdk_failure("S3", e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        let Ok(key) = safe(key) else {
            return Ok(None);
        };
        let result = self
            .client()
            .await
            .get_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .send()
            .await;
        match result {
            Ok(object) => {
                let content_type = object
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = object
                    .body
                    .collect()
                    .await
                    .map_err(|e| StoreError::Unavailable(Box::new(e)))?
                    .into_bytes()
                    .to_vec();
                Ok(Some((bytes, content_type)))
            }
            Err(SdkError::ServiceError(e)) if e.raw().status().as_u16() == 404 => Ok(None),
            Err(other) => Err(crate::sdk_failure("S3", other)),
        }
    }
}
