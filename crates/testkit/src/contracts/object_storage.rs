//! The `ObjectStorage` contract (run on the local directory and on S3 against a fake): what one
//! adapter stores and reads back, the other does alike, under the one key rule of
//! `calndr_domain::objects`.

use std::sync::Arc;

use calndr_ports::{ObjectStorage, StoreError};

/// One adapter under test and the public origin it was configured with.
pub struct Subject {
    pub store: Arc<dyn ObjectStorage>,
    pub public_base_url: String,
}

fn prefix() -> String {
    format!("profile-photos/{}", uuid::Uuid::new_v4().simple())
}

/// An object reads back with its bytes and content type; its URL is the API's `/media/{key}`;
/// a key never stored reads as `None`.
pub async fn objects_round_trip_and_missing_keys_read_as_none(subject: Subject) {
    let Subject {
        store,
        public_base_url,
    } = subject;
    let key = format!("{}/a_b-c.jpg", prefix());
    let bytes = vec![0xFF, 0xD8, 0x00, 0x7F, 0xFF];
    let stored = store
        .put(&key, bytes.clone(), "image/jpeg")
        .await
        .expect("put");
    assert_eq!(stored.key, key);
    assert_eq!(
        stored.url,
        format!("{}/media/{key}", public_base_url.trim_end_matches('/'))
    );
    assert_eq!(
        store.get(&key).await.expect("get"),
        Some((bytes, "image/jpeg".to_owned()))
    );
    assert_eq!(
        store
            .get(&format!("{}/never.png", prefix()))
            .await
            .expect("get"),
        None
    );
    let empty = format!("{}/empty.bin", prefix());
    store
        .put(&empty, Vec::new(), "application/octet-stream")
        .await
        .expect("put empty");
    assert_eq!(
        store.get(&empty).await.expect("get"),
        Some((Vec::new(), "application/octet-stream".to_owned()))
    );
}

/// A second put under one key replaces bytes and content type.
pub async fn an_overwrite_replaces_bytes_and_type(subject: Subject) {
    let store = subject.store;
    let key = format!("{}/photo.jpg", prefix());
    store
        .put(&key, b"jpeg".to_vec(), "image/jpeg")
        .await
        .expect("put");
    store
        .put(&key, b"png!".to_vec(), " image/png ")
        .await
        .expect("overwrite");
    assert_eq!(
        store.get(&key).await.expect("get"),
        Some((b"png!".to_vec(), "image/png".to_owned())),
        "the trimmed type of the second put"
    );
}

/// Keys outside the shared rule are refused by `put` as a bug (`Unexpected`) and read as
/// `None` (so a request path can be passed straight through); so are unsafe content types.
/// S3 used to answer `NotFound` for such a key and to accept `a/.hidden`, `a..b` and
/// `x.type`, which the local directory refuses.
pub async fn keys_outside_the_rule_are_refused_alike_on_s3_too(subject: Subject) {
    let store = subject.store;
    for key in [
        "",
        "/etc/passwd",
        "../secret",
        "a/../../secret",
        "a..b",
        "sp ace.jpg",
        "ümlaut.jpg",
        "a//b",
        "dir/",
        ".hidden",
        "a/.tmp",
        "x.jpg.type",
    ] {
        let put = store.put(key, vec![1], "image/jpeg").await;
        assert!(
            matches!(put, Err(StoreError::Unexpected(_))),
            "{key:?}: {put:?}"
        );
        assert_eq!(store.get(key).await.expect("get"), None, "{key:?}");
    }
    let key = format!("{}/ok.jpg", prefix());
    let bad_type = store.put(&key, vec![1], "image/jpeg\r\nX: y").await;
    assert!(
        matches!(bad_type, Err(StoreError::Unexpected(_))),
        "{bad_type:?}"
    );
    assert_eq!(store.get(&key).await.expect("get"), None, "nothing stored");
}

/// A deleted object no longer reads; deleting it again (a retried job), a key never stored and a
/// key outside the rule are not errors; other objects stay.
pub async fn a_deleted_object_is_gone_and_a_second_delete_is_fine(subject: Subject) {
    let store = subject.store;
    let dir = prefix();
    let (doomed, kept) = (format!("{dir}/old.jpg"), format!("{dir}/new.jpg"));
    for key in [&doomed, &kept] {
        store.put(key, vec![7, 7], "image/jpeg").await.expect("put");
    }
    store.delete(&doomed).await.expect("delete");
    assert_eq!(store.get(&doomed).await.expect("get"), None);
    assert!(store.get(&kept).await.expect("get").is_some(), "kept");
    store.delete(&doomed).await.expect("delete again");
    store
        .delete(&format!("{}/never.jpg", prefix()))
        .await
        .expect("delete missing");
    store.delete("../secret").await.expect("delete unsafe");
}
