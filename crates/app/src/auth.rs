//! Authentication of bearer tokens into a [`Principal`].

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::sessions;
use calndr_domain::{
    AccessTokenClaims, FamilyId, SessionCutoff, UserId, ACCESS_TOKEN_LIFETIME_DAYS,
};
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
}

/// The session a request is made in: when its token was issued (a password change keeps this
/// one; deleting an account without a password needs a recent one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub issued_at: chrono::DateTime<chrono::Utc>,
}

/// A principal as cached: with the user's session cut-off, checked against each token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cached {
    principal: Principal,
    sessions: Option<SessionCutoff>,
}

impl Cached {
    fn encode(&self) -> String {
        let family = self
            .principal
            .family_id
            .map(|f| f.to_string())
            .unwrap_or_default();
        let sessions = self.sessions.map(|c| c.encode()).unwrap_or_default();
        format!("{}|{family}|{sessions}", self.principal.user_id)
    }

    fn decode(raw: &[u8]) -> Option<Self> {
        let s = std::str::from_utf8(raw).ok()?;
        let (user, rest) = s.split_once('|')?;
        let (family, sessions) = rest.split_once('|')?;
        Some(Self {
            principal: Principal {
                user_id: UserId::parse(user, "user").ok()?,
                family_id: match family {
                    "" => None,
                    f => Some(FamilyId::parse(f, "family").ok()?),
                },
            },
            sessions: match sessions {
                "" => None,
                c => Some(SessionCutoff::decode(c)?),
            },
        })
    }

    /// With the later of its own cut-off and `other`.
    fn with_cutoff(mut self, other: Option<SessionCutoff>) -> Self {
        self.sessions = match (self.sessions, other) {
            (Some(a), Some(b)) => Some(a.later(b)),
            (a, b) => a.or(b),
        };
        self
    }
}

/// Turns a bearer token into a principal: signature and expiry by the token service, the user's
/// current family and session cut-off from storage (through the caches; a cache failure is a
/// miss), and the token's issue instant against that cut-off.
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

/// How long this instance keeps a principal in process: the longest another instance's session
/// cut-off (log out everywhere, a password change, a deletion) takes to reach this one, which
/// then reads the shared cache (one round trip for the principal and the cut-off).
pub const LOCAL_PRINCIPAL_TTL: Duration = Duration::from_millis(500);

/// How long the shared cache keeps a cut-off: longer than any token it ends can live.
const SESSIONS_TTL: Duration =
    Duration::from_secs((ACCESS_TOKEN_LIFETIME_DAYS as u64 + 1) * 24 * 60 * 60);

pub use crate::cache_keys::principal as principal_key;
use crate::cache_keys::sessions as sessions_key;

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

    /// The verified claims of a bearer token (signature and expiry only).
    pub fn claims(&self, bearer: &str) -> Result<AccessTokenClaims, AppError> {
        self.tokens
            .verify(bearer)
            .map_err(|_| AppError::NotAuthenticated)
    }

    /// `NotAuthenticated` for a bad, expired, ended or orphaned token; `Unavailable` when storage
    /// is down.
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        Ok(self.authenticate_session(bearer).await?.0)
    }

    /// [`Self::authenticate`], with the session the token belongs to.
    pub async fn authenticate_session(
        &self,
        bearer: &str,
    ) -> Result<(Principal, Session), AppError> {
        let claims = self.claims(bearer)?;
        let cached = self.principal(claims.user_id).await?;
        if !sessions::admits(cached.sessions.as_ref(), &claims) {
            return Err(AppError::NotAuthenticated);
        }
        let session = Session {
            issued_at: sessions::issued_at(&claims),
        };
        Ok((cached.principal, session))
    }

    async fn principal(&self, user: UserId) -> Result<Cached, AppError> {
        let key = principal_key(user);
        if let Ok(Some(raw)) = self.local.get(&key).await {
            if let Some(c) = Cached::decode(&raw).filter(|c| c.principal.user_id == user) {
                return Ok(c);
            }
        }
        // One round trip to the shared cache: the principal and the latest cut-off.
        let shared = self
            .cache
            .get_many(&[key.clone(), sessions_key(user)])
            .await
            .unwrap_or_default();
        let cutoff = shared
            .get(1)
            .and_then(|raw| raw.as_deref())
            .and_then(|raw| std::str::from_utf8(raw).ok())
            .and_then(SessionCutoff::decode);
        let hit = shared
            .first()
            .and_then(|raw| raw.as_deref())
            .and_then(Cached::decode)
            .filter(|c| c.principal.user_id == user);
        if let Some(c) = hit {
            let c = c.with_cutoff(cutoff);
            let _ = self
                .local
                .set(&key, c.encode().as_bytes(), LOCAL_PRINCIPAL_TTL)
                .await;
            return Ok(c);
        }
        let stored = self
            .accounts
            .user_by_id(user)
            .await?
            .filter(|u| u.status != Some(calndr_domain::UserStatus::Deleted))
            .ok_or(AppError::NotAuthenticated)?;
        let c = Cached {
            principal: Principal {
                user_id: stored.id,
                family_id: stored.family_id,
            },
            sessions: stored.sessions,
        }
        .with_cutoff(cutoff);
        // Best effort: the adapter counts and logs cache failures.
        let encoded = c.encode();
        let _ = self
            .cache
            .set(&key, encoded.as_bytes(), PRINCIPAL_TTL)
            .await;
        let _ = self
            .local
            .set(&key, encoded.as_bytes(), LOCAL_PRINCIPAL_TTL)
            .await;
        Ok(c)
    }

    /// Drops the cached principal after a write that changes the user's family.
    pub async fn forget(&self, user: UserId) {
        let key = [principal_key(user)];
        let _ = self.cache.delete(&key).await;
        let _ = self.local.delete(&key).await;
    }

    /// After a cut-off is stored: every instance sees it within [`LOCAL_PRINCIPAL_TTL`] (this
    /// one at once).
    pub async fn sessions_ended(&self, user: UserId, cutoff: SessionCutoff) {
        if let Err(e) = self
            .cache
            .set(
                &sessions_key(user),
                cutoff.encode().as_bytes(),
                SESSIONS_TTL,
            )
            .await
        {
            tracing::warn!(user.id = %user, error = %e, "session cut-off not shared; other instances see it when their cached principal expires");
        }
        self.forget(user).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_round_trips_through_its_cache_form() {
        let at = chrono::Utc::now();
        for c in [
            Cached {
                principal: Principal {
                    user_id: UserId::random(),
                    family_id: Some(FamilyId::random()),
                },
                sessions: Some(SessionCutoff::all_but(at, at - chrono::Duration::hours(1))),
            },
            Cached {
                principal: Principal {
                    user_id: UserId::random(),
                    family_id: None,
                },
                sessions: None,
            },
        ] {
            assert_eq!(Cached::decode(c.encode().as_bytes()), Some(c));
        }
        assert_eq!(Cached::decode(b"garbage"), None);
    }
}
