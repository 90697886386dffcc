use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash as PhcHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::Argon2;
use async_trait::async_trait;
use calndr_domain::{Password, PasswordHash};
use calndr_ports::{PasswordHasher, StoreError};
use tokio::sync::Semaphore;

/// The scheme for new hashes. Existing hashes of either scheme always verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashScheme {
    /// argon2id, m=19 MiB, t=2, p=1 (OWASP's first recommendation).
    Argon2id,
    /// bcrypt cost 12, as the original. For a transition period in which a rollback to the
    /// original service must keep every password working.
    Bcrypt,
}

impl HashScheme {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "argon2id" | "argon2" => Some(Self::Argon2id),
            "bcrypt" => Some(Self::Bcrypt),
            _ => None,
        }
    }
}

const BCRYPT_COST: u32 = 12;

/// Password hashing off the async workers, at most `permits` at a time.
#[derive(Clone)]
pub struct Hashing {
    scheme: HashScheme,
    permits: Arc<Semaphore>,
    bcrypt_cost: u32,
    /// A hash of a random secret in the configured scheme, verified against for unknown accounts.
    dummy: Arc<str>,
}

fn unexpected(e: impl std::fmt::Display) -> StoreError {
    StoreError::unexpected(format!("password hashing: {e}"))
}

fn hash_blocking(
    scheme: HashScheme,
    bcrypt_cost: u32,
    password: &str,
) -> Result<String, StoreError> {
    match scheme {
        HashScheme::Argon2id => Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(unexpected),
        HashScheme::Bcrypt => bcrypt::hash(password, bcrypt_cost).map_err(unexpected),
    }
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    if hash.starts_with("$argon2") {
        match PhcHash::new(hash) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    } else if hash.starts_with("$2") {
        // `verify` truncates at 72 bytes like the original's passlib/bcrypt 4.0.
        bcrypt::verify(password, hash).unwrap_or(false)
    } else {
        false
    }
}

impl Hashing {
    /// `permits`: how many hashes may run at once (1 on a 2-core machine leaves a core for requests).
    pub fn new(scheme: HashScheme, permits: usize) -> Result<Self, StoreError> {
        Self::with_bcrypt_cost(scheme, permits, BCRYPT_COST)
    }

    /// As [`Hashing::new`] with another bcrypt cost (tests use the minimum, 4).
    pub fn with_bcrypt_cost(
        scheme: HashScheme,
        permits: usize,
        bcrypt_cost: u32,
    ) -> Result<Self, StoreError> {
        let secret = uuid::Uuid::new_v4().to_string();
        let dummy = hash_blocking(scheme, bcrypt_cost, &secret)?;
        Ok(Self {
            scheme,
            permits: Arc::new(Semaphore::new(permits.max(1))),
            bcrypt_cost,
            dummy: dummy.into(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| unexpected(format!("semaphore closed: {e}")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| unexpected(format!("hashing task failed: {e}")))
    }
}

#[async_trait]
impl PasswordHasher for Hashing {
    async fn hash(&self, password: Password) -> Result<PasswordHash, StoreError> {
        let (scheme, cost) = (self.scheme, self.bcrypt_cost);
        let hash = self
            .run(move || hash_blocking(scheme, cost, password.expose()))
            .await??;
        Ok(PasswordHash::from_stored(hash))
    }

    async fn verify(&self, password: Password, hash: PasswordHash) -> Result<bool, StoreError> {
        self.run(move || verify_blocking(password.expose(), hash.as_str()))
            .await
    }

    async fn verify_nothing(&self, password: Password) -> Result<(), StoreError> {
        let dummy = self.dummy.clone();
        self.run(move || verify_blocking(password.expose(), &dummy))
            .await
            .map(|_| ())
    }

    fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        match self.scheme {
            HashScheme::Argon2id => !hash.as_str().starts_with("$argon2id$"),
            HashScheme::Bcrypt => !hash.is_legacy_bcrypt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::presented(s, "password").unwrap()
    }

    #[tokio::test]
    async fn verifies_the_originals_bcrypt_hashes() {
        // passlib/bcrypt 4.0.1 output for "secret+&pass" at cost 4 ($2b$ prefix as the original).
        let legacy = bcrypt::hash("secret+&pass", 4).unwrap();
        assert!(legacy.starts_with("$2b$"));
        let h = Hashing::with_bcrypt_cost(HashScheme::Argon2id, 1, 4).unwrap();
        let stored = PasswordHash::from_stored(legacy);
        assert!(h.verify(pw("secret+&pass"), stored.clone()).await.unwrap());
        assert!(!h.verify(pw("secret pass"), stored.clone()).await.unwrap());
        assert!(h.needs_rehash(&stored));
        let y = PasswordHash::from_stored(stored.as_str().replacen("$2b$", "$2y$", 1));
        assert!(h.verify(pw("secret+&pass"), y).await.unwrap());
    }

    #[tokio::test]
    async fn new_hashes_use_the_configured_scheme() {
        let argon = Hashing::with_bcrypt_cost(HashScheme::Argon2id, 1, 4).unwrap();
        let a = argon.hash(pw("correct horse")).await.unwrap();
        assert!(a.as_str().starts_with("$argon2id$"));
        assert!(argon.verify(pw("correct horse"), a.clone()).await.unwrap());
        assert!(!argon.verify(pw("wrong horse"), a.clone()).await.unwrap());
        assert!(!argon.needs_rehash(&a));

        let bc = Hashing::with_bcrypt_cost(HashScheme::Bcrypt, 1, 4).unwrap();
        let b = bc.hash(pw("correct horse")).await.unwrap();
        assert!(b.is_legacy_bcrypt());
        assert!(bc.needs_rehash(&a));
        assert!(argon.verify(pw("correct horse"), b).await.unwrap());
    }

    #[tokio::test]
    async fn malformed_hashes_never_verify() {
        let h = Hashing::with_bcrypt_cost(HashScheme::Argon2id, 1, 4).unwrap();
        for bad in ["", "plain", "$2b$12$short", "$argon2id$garbage"] {
            let stored = PasswordHash::from_stored(bad.into());
            assert!(!h.verify(pw("x"), stored).await.unwrap(), "{bad}");
        }
        h.verify_nothing(pw("anything")).await.unwrap();
    }
}
