//! Who an outside identity provider (Apple, Google, Facebook) says the user is.

use crate::{EmailAddress, ValidationError};

/// Longest credential a provider hands the app (authorization code, ID or access token,
/// notification JWT), in bytes: what the sign-in routes read and the document states.
pub const MAX_CREDENTIAL_BYTES: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityProvider {
    Apple,
    Google,
    Facebook,
}

impl IdentityProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apple => "apple",
            Self::Google => "google",
            Self::Facebook => "facebook",
        }
    }
}

/// The provider's stable id of the user (`sub`). Users are found by (provider, subject), never by
/// e-mail alone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProviderSubject(String);

impl ProviderSubject {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() || s.len() > 255 || s.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "sub",
                "must be 1-255 printable characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ProviderSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderSubject(<redacted>)")
    }
}

/// A refresh token a provider issued to us (Apple's code exchange): a credential, kept only to
/// revoke it. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderRefreshToken(String);

impl ProviderRefreshToken {
    /// `None` for an empty or oversized token (nothing a provider would issue).
    pub fn new(token: &str) -> Option<Self> {
        let t = token.trim();
        (!t.is_empty() && t.len() <= 4096).then(|| Self(t.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ProviderRefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderRefreshToken(<redacted>)")
    }
}

/// A verified identity: the token was checked against the provider's keys (or API).
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalIdentity {
    pub provider: IdentityProvider,
    pub subject: ProviderSubject,
    pub email: Option<EmailAddress>,
    /// Only a provider-verified e-mail may link to an existing account.
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Apple's refresh token from the code exchange (revoked when the account is deleted).
    pub refresh_token: Option<ProviderRefreshToken>,
}

/// What Apple's server-to-server notification says happened to a user's Apple ID.
#[derive(Debug, Clone, PartialEq)]
pub enum AppleAccountEvent {
    /// The user stopped using Sign in with Apple for this app.
    ConsentRevoked(ProviderSubject),
    /// The user deleted their Apple ID.
    AccountDeleted(ProviderSubject),
    /// E-mail forwarding through the private relay was turned off or on: nothing to do here.
    EmailForwardingChanged(ProviderSubject),
}
