//! Authentication of bearer tokens into a [`Principal`].

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::{FamilyId, UserId};
use calndr_ports::{AccountStore, Cache, TokenService};

use crate::AppError;

/// The authenticated caller: who they are and, as stored now, which family they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub family_id: Option<FamilyId>,
}

impl Principal {
    /// The caller's family, for family-scoped use cases.
    pub fn family(&self) -> Result<FamilyId, AppError> {
        self.family_id.ok_or(AppError::NoFamily)
    }

    fn encode(&self) -> String {
        match self.family_id {
            Some(f) => format!("{}|{}", self.user_id, f),
            None => format!("{}|", self.user_id),
        }
    }

    fn decode(raw: &[u8]) -> Option<Self> {
        let s = std::str::from_utf8(raw).ok()?;
        let (user, family) = s.split_once('|')?;
        Some(Self {
            user_id: UserId::parse(user, "user").ok()?,
            family_id: match family {
                "" => None,
                f => Some(FamilyId::parse(f, "family").ok()?),
            },
        })
    }
}

/// Turns a bearer token into a principal: signature and expiry by the token service, then the
/// user's current family from storage (through the cache; a cache failure is a miss).
#[derive(Clone)]
pub struct AuthService {
    tokens: Arc<dyn TokenService>,
    accounts: Arc<dyn AccountStore>,
    cache: Arc<dyn Cache>,
    /// An in-process first level, so the common request costs no round trip for its principal.
    local: Arc<dyn Cache>,
}

/// How long a principal may be served from the cache. Writes that change a user's family
/// invalidate it at once; the TTL only bounds staleness if that invalidation is lost in an outage.
pub const PRINCIPAL_TTL: Duration = Duration::from_secs(300);

/// How long this instance keeps a principal in process. Another instance's change of a user's
/// family reaches this one within this time (the shared cache is invalidated at once).
pub const LOCAL_PRINCIPAL_TTL: Duration = Duration::from_secs(15);

pub fn principal_key(user: UserId) -> String {
    format!("calndr:principal:v1:{user}")
}

impl AuthService {
    pub fn new(
        tokens: Arc<dyn TokenService>,
        accounts: Arc<dyn AccountStore>,
        cache: Arc<dyn Cache>,
        local: Arc<dyn Cache>,
    ) -> Self {
        Self {
            tokens,
            accounts,
            cache,
            local,
        }
    }

    /// `NotAuthenticated` for a bad, expired or orphaned token; `Unavailable` when storage is down.
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        let claims = self
            .tokens
            .verify(bearer)
            .map_err(|_| AppError::NotAuthenticated)?;
        let key = principal_key(claims.user_id);
        for (level, cache) in [(0, &self.local), (1, &self.cache)] {
            if let Ok(Some(raw)) = cache.get(&key).await {
                if let Some(p) = Principal::decode(&raw).filter(|p| p.user_id == claims.user_id) {
                    if level == 1 {
                        let _ = self.local.set(&key, &raw, LOCAL_PRINCIPAL_TTL).await;
                    }
                    return Ok(p);
                }
            }
        }
        let user = self
            .accounts
            .user_by_id(claims.user_id)
            .await?
            .ok_or(AppError::NotAuthenticated)?;
        let principal = Principal {
            user_id: user.id,
            family_id: user.family_id,
        };
        // Best effort: the adapter counts and logs cache failures.
        let encoded = principal.encode();
        let _ = self
            .cache
            .set(&key, encoded.as_bytes(), PRINCIPAL_TTL)
            .await;
        let _ = self
            .local
            .set(&key, encoded.as_bytes(), LOCAL_PRINCIPAL_TTL)
            .await;
        Ok(principal)
    }

    /// Drops the cached principal after a write that changes the user's family.
    pub async fn forget(&self, user: UserId) {
        let key = [principal_key(user)];
        let _ = self.cache.delete(&key).await;
        let _ = self.local.delete(&key).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_round_trips_through_its_cache_form() {
        let p = Principal {
            user_id: UserId::random(),
            family_id: Some(FamilyId::random()),
        };
        assert_eq!(Principal::decode(p.encode().as_bytes()), Some(p));
        let lone = Principal {
            user_id: UserId::random(),
            family_id: None,
        };
        assert_eq!(Principal::decode(lone.encode().as_bytes()), Some(lone));
        assert_eq!(Principal::decode(b"garbage"), None);
    }
}
