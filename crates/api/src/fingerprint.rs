//! The keyed digests of `Idempotency-Key` requests (`crate::idempotency`): HMAC-SHA-256 under a
//! key derived from the server's token secret, so every instance computes the same digests and
//! nobody without the secret can test a stored one against guesses (a sign-up body holds a
//! password and an e-mail address).

use hmac::{KeyInit as _, Mac as _};
use sha2::Sha256;

/// The key of the fingerprints and registration scopes.
#[derive(Clone)]
pub struct FingerprintKey([u8; 32]);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes a key of any length.
    let mut m = match hmac::Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    for part in parts {
        m.update(part);
    }
    m.finalize().into_bytes().to_vec()
}

impl FingerprintKey {
    pub fn derive(server_secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        key.copy_from_slice(&mac(server_secret, &[b"calndr idempotency fingerprint v1"]));
        FingerprintKey(key)
    }

    /// The hex HMAC of `parts`, concatenated, under this key.
    pub fn digest(&self, parts: &[&[u8]]) -> String {
        hex(&mac(&self.0, parts))
    }
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

/// What makes two requests "the same": method, path (trailing slash trimmed), query string and
/// body, under the server's key.
pub fn fingerprint(
    key: &FingerprintKey,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> String {
    key.digest(&[
        method.as_bytes(),
        b"\n",
        path.as_bytes(),
        b"?",
        query.as_bytes(),
        b"\n",
        body,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let key = FingerprintKey::derive(b"server secret");
        assert!(!format!("{key:?}").contains(&hex(&key.0)));
    }
}
