//! Taking access back: a user's sessions (the bearer tokens issued to them) end at a cut-off
//! instant. Tokens keep the original's format (HS256, `sub`/`exp`/`iat`), so a session is known
//! by the instant its token was issued: a token issued at or before the cut-off no longer
//! authenticates, except the one session a password change keeps (the caller's own).

use chrono::{DateTime, Duration, Utc};

use crate::AccessTokenClaims;

/// How long an access token lives (the original's 30 days).
pub const ACCESS_TOKEN_LIFETIME_DAYS: i64 = 30;

/// Every session of a user issued at or before `not_before` has ended, except the one issued at
/// `kept` (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCutoff {
    not_before: DateTime<Utc>,
    kept: Option<DateTime<Utc>>,
}

/// Instants are compared in whole microseconds: what PostgreSQL's `timestamptz` keeps and what a
/// token's fractional `iat` carries.
fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(us: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
}

/// The instant a token was issued: its `iat`, or for a token without one (none of ours, maybe
/// some of the original's) the earliest it can have been, its expiry less the lifetime.
pub fn issued_at(claims: &AccessTokenClaims) -> DateTime<Utc> {
    claims
        .issued_at
        .unwrap_or(claims.expires_at - Duration::days(ACCESS_TOKEN_LIFETIME_DAYS))
}

impl SessionCutoff {
    /// Ends every session issued up to `at` (log out everywhere, a reset, a deletion).
    pub fn all(at: DateTime<Utc>) -> Self {
        Self::at(at, None)
    }

    /// Ends every session issued up to `at` but the one issued at `kept` (a password change
    /// keeps the session it was made from).
    pub fn all_but(at: DateTime<Utc>, kept: DateTime<Utc>) -> Self {
        Self::at(at, Some(kept))
    }

    /// As stored: both instants in whole microseconds.
    pub fn at(not_before: DateTime<Utc>, kept: Option<DateTime<Utc>>) -> Self {
        let trunc = |t: DateTime<Utc>| from_micros(micros(t)).unwrap_or(t);
        Self {
            not_before: trunc(not_before),
            kept: kept.map(trunc),
        }
    }

    pub fn not_before(&self) -> DateTime<Utc> {
        self.not_before
    }

    pub fn kept(&self) -> Option<DateTime<Utc>> {
        self.kept
    }

    /// Whether a token issued at `issued` still authenticates.
    pub fn admits(&self, issued: DateTime<Utc>) -> bool {
        let issued = micros(issued);
        issued > micros(self.not_before) || self.kept.is_some_and(|k| micros(k) == issued)
    }

    /// The later of two cut-offs (a cut-off only ever moves forward); at one instant, the one
    /// that keeps nothing.
    pub fn later(self, other: Self) -> Self {
        match micros(self.not_before).cmp(&micros(other.not_before)) {
            std::cmp::Ordering::Greater => self,
            std::cmp::Ordering::Less => other,
            std::cmp::Ordering::Equal if self.kept.is_none() => self,
            std::cmp::Ordering::Equal => other,
        }
    }

    /// A compact form for caches: `not_before` and `kept` in microseconds, `|`-separated.
    pub fn encode(&self) -> String {
        match self.kept {
            Some(k) => format!("{}|{}", micros(self.not_before), micros(k)),
            None => format!("{}|", micros(self.not_before)),
        }
    }

    pub fn decode(raw: &str) -> Option<Self> {
        let (nb, kept) = raw.split_once('|')?;
        let not_before = from_micros(nb.parse().ok()?)?;
        let kept = match kept {
            "" => None,
            k => Some(from_micros(k.parse().ok()?)?),
        };
        Some(Self { not_before, kept })
    }
}

/// Whether a token with `claims` is admitted by `cutoff` (no cut-off: every unexpired token).
pub fn admits(cutoff: Option<&SessionCutoff>, claims: &AccessTokenClaims) -> bool {
    cutoff.is_none_or(|c| c.admits(issued_at(claims)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(us: i64) -> DateTime<Utc> {
        from_micros(us).expect("in range")
    }

    const NOW: i64 = 1_796_000_000_000_000;

    proptest! {
        #[test]
        fn a_cutoff_ends_exactly_the_sessions_issued_up_to_it(issued in -10_000_000i64..10_000_000) {
            let cut = SessionCutoff::all(t(NOW));
            prop_assert_eq!(cut.admits(t(NOW + issued)), issued > 0);
        }

        #[test]
        fn a_password_change_keeps_only_its_own_session(
            own in -10_000_000i64..0, other in -10_000_000i64..0,
        ) {
            let cut = SessionCutoff::all_but(t(NOW), t(NOW + own));
            prop_assert!(cut.admits(t(NOW + own)));
            prop_assert_eq!(cut.admits(t(NOW + other)), other == own);
            prop_assert!(cut.admits(t(NOW + 1)), "a session begun after the change is admitted");
        }

        #[test]
        fn the_cache_form_round_trips(nb in 0i64..4_000_000_000_000_000, kept in proptest::option::of(0i64..4_000_000_000_000_000)) {
            let cut = SessionCutoff::at(t(nb), kept.map(t));
            prop_assert_eq!(SessionCutoff::decode(&cut.encode()), Some(cut));
        }

        #[test]
        fn a_cutoff_only_moves_forward(a in 0i64..1_000, b in 0i64..1_000, keep_a: bool, keep_b: bool) {
            let ca = SessionCutoff::at(t(NOW + a), keep_a.then(|| t(NOW)));
            let cb = SessionCutoff::at(t(NOW + b), keep_b.then(|| t(NOW)));
            let later = ca.later(cb);
            prop_assert_eq!(later.not_before(), t(NOW + a.max(b)));
            prop_assert_eq!(later, cb.later(ca));
            // Whatever either ends, the later one ends too (at the same instant, keeping nothing wins).
            for probe in [NOW - 1, NOW, NOW + a.min(b), NOW + a.max(b)] {
                if !ca.admits(t(probe)) && !cb.admits(t(probe)) {
                    prop_assert!(!later.admits(t(probe)));
                }
            }
        }
    }

    #[test]
    fn a_token_without_iat_counts_as_issued_at_the_start_of_its_lifetime() {
        let exp = t(NOW);
        let claims = AccessTokenClaims {
            user_id: crate::UserId::random(),
            family_id: None,
            issued_at: None,
            expires_at: exp,
        };
        assert_eq!(issued_at(&claims), exp - Duration::days(30));
        let cut = SessionCutoff::all(exp - Duration::days(29));
        assert!(!admits(Some(&cut), &claims));
        assert!(admits(None, &claims));
        assert_eq!(SessionCutoff::decode("garbage"), None);
    }
}
