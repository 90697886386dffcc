//! Safe retries of creating requests: the `Idempotency-Key` a client sends, whose answer it is
//! entitled to see again, and what a second request with the same key gets.
//!
//! A key is claimed by its first request (`InProgress`), then holds that request's answer
//! (`Complete`) for [`KEY_TTL`]. A claim whose request died (a crash, a lost connection to the
//! database before completion) is free again after [`IN_PROGRESS_TTL`].

use std::time::Duration;

use crate::{UserId, ValidationError};

/// How long a completed key answers with its first response.
pub const KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a claim without an answer keeps its key (the request is presumed dead after that).
pub const IN_PROGRESS_TTL: Duration = Duration::from_secs(60);
/// Longest key accepted.
pub const KEY_MAX_LEN: usize = 255;

/// The client's `Idempotency-Key`: 1 to 255 visible ASCII characters (`!` to `~`; no spaces or
/// control characters). Compared exactly (case-sensitive).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const FIELD: &'static str = "Idempotency-Key";

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.is_empty() || raw.len() > KEY_MAX_LEN {
            return Err(ValidationError::new(
                Self::FIELD,
                format!("must be 1 to {KEY_MAX_LEN} characters"),
            ));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValidationError::new(
                Self::FIELD,
                "must be visible ASCII characters only",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdempotencyKey({} chars)", self.0.len())
    }
}

/// Whose keys these are: one user's, or (registration, before any user exists) those sent with
/// one e-mail address. Two scopes never see each other's keys.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyScope(String);

impl IdempotencyScope {
    pub fn user(id: UserId) -> Self {
        Self(format!("user:{id}"))
    }

    /// `email_digest` is a hash of the normalised address (never the address itself).
    pub fn registration(email_digest: &str) -> Self {
        Self(format!("register:{email_digest}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IdempotencyScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.0.split(':').next().unwrap_or_default();
        write!(f, "IdempotencyScope({kind})")
    }
}

/// The first answer, kept to be answered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// A live (unexpired) key as stored: the fingerprint of the request that claimed it (method,
/// path and a hash of the body) and its answer once there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub fingerprint: String,
    pub response: Option<StoredResponse>,
}

/// What a request whose key is already held gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The same request, answered: the first answer again, nothing done.
    Replay(StoredResponse),
    /// The same request, still running: wait for it, or answer that the key is in use.
    InProgress,
    /// Another request under the same key: refused whatever its state.
    Reused,
}

impl IdempotencyRecord {
    pub fn verdict(&self, fingerprint: &str) -> Verdict {
        if self.fingerprint != fingerprint {
            return Verdict::Reused;
        }
        match &self.response {
            Some(r) => Verdict::Replay(r.clone()),
            None => Verdict::InProgress,
        }
    }
}

/// Whether an answer is kept for the key: every answer the same request would get again. Server
/// errors, rate limits, timeouts, authentication failures and conflicts are transient, so the key
/// is released and a retry runs the request again.
pub fn keeps_answer(status: u16) -> bool {
    (200..500).contains(&status) && !matches!(status, 401 | 408 | 409 | 429)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(fingerprint: &str, response: Option<StoredResponse>) -> IdempotencyRecord {
        IdempotencyRecord {
            fingerprint: fingerprint.into(),
            response,
        }
    }

    fn answer(status: u16, body: &[u8]) -> StoredResponse {
        StoredResponse {
            status,
            content_type: "application/json".into(),
            body: body.to_vec(),
        }
    }

    proptest! {
        #[test]
        fn visible_ascii_keys_of_1_to_255_chars_parse_and_keep_their_text(
            key in "[!-~]{1,255}"
        ) {
            let parsed = IdempotencyKey::parse(&key);
            prop_assert_eq!(parsed.map(|k| k.as_str().to_owned()), Ok(key));
        }

        #[test]
        fn keys_with_a_space_control_or_non_ascii_character_are_refused(
            head in "[!-~]{0,100}", bad in "[ \\x00-\\x1f\\x7f\u{80}-\u{10ffff}]", tail in "[!-~]{0,100}"
        ) {
            let key = format!("{head}{bad}{tail}");
            prop_assert!(IdempotencyKey::parse(&key).is_err());
        }

        #[test]
        fn keys_longer_than_255_are_refused(key in "[!-~]{256,400}") {
            prop_assert!(IdempotencyKey::parse(&key).is_err());
        }

        #[test]
        fn another_fingerprint_is_reused_whatever_the_state(
            a in "[a-f0-9]{8}", b in "[a-f0-9]{8}", done in any::<bool>(), status in 200u16..500
        ) {
            prop_assume!(a != b);
            let r = record(&a, done.then(|| answer(status, b"{}")));
            prop_assert_eq!(r.verdict(&b), Verdict::Reused);
        }

        #[test]
        fn the_same_fingerprint_replays_the_first_answer_exactly(
            fp in "[a-f0-9]{8}", status in 200u16..500, body in proptest::collection::vec(any::<u8>(), 0..64)
        ) {
            let first = answer(status, &body);
            let r = record(&fp, Some(first.clone()));
            prop_assert_eq!(r.verdict(&fp), Verdict::Replay(first));
            prop_assert_eq!(record(&fp, None).verdict(&fp), Verdict::InProgress);
        }

        #[test]
        fn only_answers_a_retry_would_repeat_are_kept(status in 100u16..600) {
            let kept = keeps_answer(status);
            let transient = status >= 500 || [401, 408, 409, 429].contains(&status);
            prop_assert_eq!(kept, (200..500).contains(&status) && !transient);
        }
    }

    #[test]
    fn the_empty_key_is_refused_and_debug_hides_the_key() {
        assert!(IdempotencyKey::parse("").is_err());
        let k = IdempotencyKey::parse("secret-ish-key").expect("key");
        assert!(!format!("{k:?}").contains("secret"));
        let s = IdempotencyScope::registration("abcdef");
        assert_eq!(format!("{s:?}"), "IdempotencyScope(register)");
    }
}
