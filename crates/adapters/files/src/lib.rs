//! [`ObjectStorage`] on a local directory: user uploads kept on disk and served by the API under
//! `/media/{key}` (S3 comes later behind the same port).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use calndr_domain::objects::{is_valid_object_key, object_content_type, RESERVED_KEY_SUFFIX};
use calndr_ports::{ObjectStorage, StoreError, StoredObject};
use tokio::io::AsyncWriteExt;

/// The suffix of the sidecar file that keeps an object's content type (no valid key ends so).
const TYPE_SUFFIX: &str = RESERVED_KEY_SUFFIX;

/// Objects stored as files under `root`, each with a `<file>.type` sidecar holding its content
/// type. Writes are atomic (temp file in the same directory, then rename), so a reader sees the
/// old object or the new one, never half of one.
#[derive(Debug, Clone)]
pub struct LocalDirStorage {
    /// The directory objects live under (created on first write).
    pub root: PathBuf,
    /// The origin the API is reachable at, e.g. `https://api.example.com`; URLs are
    /// `{public_base_url}/media/{key}`.
    pub public_base_url: String,
}

impl LocalDirStorage {
    pub fn new(root: impl Into<PathBuf>, public_base_url: impl Into<String>) -> Self {
        Self {
            root: root.into(),
            public_base_url: public_base_url.into(),
        }
    }

    /// The URL an object is served at.
    pub fn url_for(&self, key: &str) -> String {
        format!("{}/media/{key}", self.public_base_url.trim_end_matches('/'))
    }

    fn path_for(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }
}

fn invalid_key(key: &str) -> StoreError {
    StoreError::unexpected(format!("invalid object key {key:?}"))
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unexpected(format!("{what} {}: {e}", path.display()).into())
}

/// A content type from the file name, for objects without a sidecar.
fn guess_content_type(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(TYPE_SUFFIX);
    PathBuf::from(s)
}

/// Writes `bytes` to `path` through a synced temp file in the same directory and a rename.
async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .ok_or_else(|| StoreError::unexpected("object path has no parent"))?;
    let name = path
        .file_name()
        .ok_or_else(|| StoreError::unexpected("object path has no file name"))?
        .to_string_lossy();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let result = async {
        let mut f = tokio::fs::File::create(&tmp)
            .await
            .map_err(|e| io_error("create", &tmp, e))?;
        f.write_all(bytes)
            .await
            .map_err(|e| io_error("write", &tmp, e))?;
        f.sync_all().await.map_err(|e| io_error("sync", &tmp, e))?;
        drop(f);
        tokio::fs::rename(&tmp, path)
            .await
            .map_err(|e| io_error("rename to", path, e))
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

#[async_trait]
impl ObjectStorage for LocalDirStorage {
    /// `Unexpected` for an invalid key or content type, or when the disk write fails.
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<StoredObject, StoreError> {
        if !is_valid_object_key(key) {
            return Err(invalid_key(key));
        }
        let content_type = object_content_type(content_type)
            .ok_or_else(|| StoreError::unexpected("invalid content type"))?;
        let path = self.path_for(key);
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| io_error("create directory", dir, e))?;
        }
        // Type first: once the object file appears, its type is already in place.
        write_atomically(&sidecar_path(&path), content_type.as_bytes()).await?;
        write_atomically(&path, &bytes).await?;
        Ok(StoredObject {
            key: key.to_owned(),
            url: self.url_for(key),
        })
    }

    /// `Ok(None)` when nothing is stored under `key`, including keys `put` would refuse (so a
    /// request path can be passed straight through without escaping `root`).
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if !is_valid_object_key(key) {
            return Ok(());
        }
        let path = self.path_for(key);
        // The object first: once it is gone, nothing serves it, whatever happens to its type.
        for p in [path.clone(), sidecar_path(&path)] {
            match tokio::fs::remove_file(&p).await {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("remove", &p, e)),
            }
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        if !is_valid_object_key(key) {
            return Ok(None);
        }
        let path = self.path_for(key);
        let bytes = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::IsADirectory) => {
                return Ok(None)
            }
            Err(e) => return Err(io_error("read", &path, e)),
        };
        let content_type = match tokio::fs::read_to_string(sidecar_path(&path)).await {
            Ok(t) if !t.trim().is_empty() => t.trim().to_owned(),
            Ok(_) => guess_content_type(key).to_owned(),
            Err(e) if e.kind() == ErrorKind::NotFound => guess_content_type(key).to_owned(),
            Err(e) => return Err(io_error("read", &sidecar_path(&path), e)),
        };
        Ok(Some((bytes, content_type)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use super::*;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(test: &str) -> Self {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let dir = std::env::temp_dir().join(format!(
                "calndr-files-{test}-{}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn put_then_get_round_trips() {
        let tmp = TempDir::new("round_trip");
        let store = LocalDirStorage::new(tmp.0.join("media"), "http://localhost:8000/");
        let obj = store
            .put("profile-photos/u1/a_b-c.jpg", vec![1, 2, 3], "image/jpeg")
            .await
            .unwrap();
        assert_eq!(obj.key, "profile-photos/u1/a_b-c.jpg");
        assert_eq!(
            obj.url,
            "http://localhost:8000/media/profile-photos/u1/a_b-c.jpg"
        );
        let (bytes, ct) = store
            .get("profile-photos/u1/a_b-c.jpg")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((bytes, ct.as_str()), (vec![1, 2, 3], "image/jpeg"));

        // Overwrite replaces bytes and type; no temp files are left behind.
        store
            .put("profile-photos/u1/a_b-c.jpg", b"png!".to_vec(), "image/png")
            .await
            .unwrap();
        let (bytes, ct) = store
            .get("profile-photos/u1/a_b-c.jpg")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((bytes, ct.as_str()), (b"png!".to_vec(), "image/png"));
        let mut names: Vec<_> = std::fs::read_dir(tmp.0.join("media/profile-photos/u1"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a_b-c.jpg", "a_b-c.jpg.type"]);
    }

    #[tokio::test]
    async fn missing_objects_and_guessed_types() {
        let tmp = TempDir::new("missing");
        let store = LocalDirStorage::new(&tmp.0, "https://api.example.com");
        assert!(store.get("nope.png").await.unwrap().is_none());
        store
            .put("dir/x.bin", vec![0], "application/x-thing")
            .await
            .unwrap();
        assert!(store.get("dir").await.unwrap().is_none());
        // A file put there by hand (no sidecar) gets a type from its extension.
        std::fs::write(tmp.0.join("hand.PNG"), b"img").unwrap();
        let (_, ct) = store.get("hand.PNG").await.unwrap().unwrap();
        assert_eq!(ct, "image/png");
        std::fs::write(tmp.0.join("blob"), b"?").unwrap();
        let (_, ct) = store.get("blob").await.unwrap().unwrap();
        assert_eq!(ct, "application/octet-stream");
    }

    #[tokio::test]
    async fn unsafe_keys_are_refused() {
        let tmp = TempDir::new("unsafe");
        let store = LocalDirStorage::new(tmp.0.join("root"), "http://x");
        std::fs::write(tmp.0.join("secret"), b"s").unwrap();
        for key in [
            "",
            "/etc/passwd",
            "../secret",
            "a/../../secret",
            "a..b",
            "sp ace.jpg",
            "back\\slash",
            "ümlaut.jpg",
            "a//b",
            "dir/",
            ".hidden",
            "a/.tmp",
            "x.jpg.type",
        ] {
            let put = store.put(key, vec![1], "image/jpeg").await;
            assert!(matches!(put, Err(StoreError::Unexpected(_))), "{key:?}");
            assert!(store.get(key).await.unwrap().is_none(), "{key:?}");
        }
        let bad_type = store.put("ok.jpg", vec![1], "image/jpeg\r\nX: y").await;
        assert!(matches!(bad_type, Err(StoreError::Unexpected(_))));
        assert!(!tmp.0.join("root").join("ok.jpg").exists());
    }
}
