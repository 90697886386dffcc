//! The rule for object-storage keys and content types, shared by every `ObjectStorage` adapter
//! (local directory and S3), so an object stored by one can always be stored by the other.

/// The longest key any adapter accepts.
pub const MAX_OBJECT_KEY_LEN: usize = 512;
/// The longest content type any adapter accepts.
pub const MAX_CONTENT_TYPE_LEN: usize = 255;
/// The local directory keeps an object's content type beside it as `<key>.type`; no key may
/// end so, in any adapter, or it could not move there.
pub const RESERVED_KEY_SUFFIX: &str = ".type";

/// Whether `key` is a safe relative path that every adapter can store: 1 to
/// [`MAX_OBJECT_KEY_LEN`] bytes of `[A-Za-z0-9._/-]`, `/`-separated segments that are neither
/// empty nor hidden (a leading `.`, which also rules out `.` and `..`), no `..` anywhere, and
/// not ending in [`RESERVED_KEY_SUFFIX`]. Such a key can never climb out of a directory or a
/// bucket prefix.
pub fn is_valid_object_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_OBJECT_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))
        && !key.contains("..")
        && !key.ends_with(RESERVED_KEY_SUFFIX)
        && key
            .split('/')
            .all(|segment| !segment.is_empty() && !segment.starts_with('.'))
}

/// The content type as stored (trimmed), or `None` when it is empty, longer than
/// [`MAX_CONTENT_TYPE_LEN`] or holds anything but printable ASCII (no header injection).
pub fn object_content_type(content_type: &str) -> Option<&str> {
    let t = content_type.trim();
    let ok = !t.is_empty()
        && t.len() <= MAX_CONTENT_TYPE_LEN
        && t.bytes().all(|b| (0x20..0x7f).contains(&b));
    ok.then_some(t)
}

/// Where a user's profile photos live: `profile-photos/<user id>/`.
pub fn photo_prefix(user: crate::UserId) -> String {
    format!("profile-photos/{user}/")
}

/// The key of one of `user`'s own profile photos, from the link the account holds
/// (`<origin>/media/<key>`, as every adapter makes it). `None` for anything else (a link an
/// adopted database holds to somewhere else, another user's prefix, a key outside the rule):
/// cleaning up after a user never touches an object that is not theirs.
pub fn own_photo_key(url: &str, user: crate::UserId) -> Option<String> {
    let (_, key) = url.split_once("/media/")?;
    let key = key.split(['?', '#']).next()?;
    (key.starts_with(&photo_prefix(user)) && is_valid_object_key(key)).then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_users_photo_link_gives_back_its_key_and_no_one_elses(
            origin in "https?://[a-z]{1,10}(\\.[a-z]{2,5})?(:[0-9]{2,5})?",
            name in "[a-z0-9_-]{1,40}\\.(jpg|png|heic)",
        ) {
            let (user, other) = (UserId::random(), UserId::random());
            let key = format!("{}{name}", photo_prefix(user));
            let url = format!("{origin}/media/{key}");
            prop_assert_eq!(own_photo_key(&url, user), Some(key.clone()));
            prop_assert_eq!(own_photo_key(&url, other), None);
            let climbing = format!("{origin}/media/{}../{name}", photo_prefix(user));
            prop_assert_eq!(own_photo_key(&climbing, user), None);
        }
    }

    #[test]
    fn foreign_links_give_no_key() {
        let user = UserId::random();
        for url in [
            "https://cdn.example.com/avatar.jpg".to_owned(),
            format!("https://x/{}a.jpg", photo_prefix(user)),
            format!("https://x/media/{}", photo_prefix(UserId::random())),
        ] {
            assert_eq!(own_photo_key(&url, user), None, "{url}");
        }
    }

    #[test]
    fn keys_the_core_makes_are_valid() {
        for key in [
            "a",
            "a.b",
            "profile-photos/123e4567-e89b-12d3-a456-426614174000/9f0c.jpeg",
            "A_Z/0-9/x.y.z",
        ] {
            assert!(is_valid_object_key(key), "{key:?}");
        }
    }

    #[test]
    fn unsafe_keys_are_refused() {
        for key in [
            "",
            "/etc/passwd",
            "../secret",
            "a/../../secret",
            "a/./b",
            "a..b",
            "sp ace.jpg",
            "back\\slash",
            "ümlaut.jpg",
            "a//b",
            "dir/",
            ".hidden",
            "a/.tmp",
            "x.jpg.type",
            "percent%2e%2e",
        ] {
            assert!(!is_valid_object_key(key), "{key:?}");
        }
        assert!(is_valid_object_key(&"k".repeat(MAX_OBJECT_KEY_LEN)));
        assert!(!is_valid_object_key(&"k".repeat(MAX_OBJECT_KEY_LEN + 1)));
    }

    #[test]
    fn content_types() {
        assert_eq!(object_content_type(" image/png "), Some("image/png"));
        assert_eq!(object_content_type("image/jpeg\r\nX: y"), None);
        assert_eq!(object_content_type("  "), None);
        assert_eq!(object_content_type(&"a".repeat(256)), None);
    }

    proptest! {
        /// A valid key never leaves its root: no absolute path, no parent or current segment.
        #[test]
        fn a_valid_key_stays_under_its_root(key in "[A-Za-z0-9._/-]{0,40}") {
            if is_valid_object_key(&key) {
                prop_assert!(!key.starts_with('/'));
                prop_assert!(key.split('/').all(|s| !s.is_empty() && s != "." && s != ".."));
                prop_assert!(!key.ends_with(RESERVED_KEY_SUFFIX));
            }
        }

        /// Joining valid segments with `/` gives a valid key.
        #[test]
        fn valid_segments_make_a_valid_key(
            segments in proptest::collection::vec("[A-Za-z0-9_-][A-Za-z0-9_-]{0,8}(\\.[a-z]{1,4})?", 1..5)
        ) {
            let key = segments.join("/");
            prop_assert!(is_valid_object_key(&key), "{}", key);
        }

        /// Any character outside the safe set makes a key invalid.
        #[test]
        fn one_unsafe_character_is_enough(
            prefix in "[a-z]{1,8}", bad in "[^A-Za-z0-9._/-]", suffix in "[a-z]{0,8}"
        ) {
            let key = format!("{prefix}{bad}{suffix}");
            prop_assert!(!is_valid_object_key(&key), "{}", key);
        }
    }
}
