//! Sign in with Apple, Google and Facebook (spec 4.3-4.5, contract 4.3/4.4).
//!
//! The provider's token is verified through the [`IdentityVerifier`] port. The user is found by
//! (provider, subject); a first sign-in links to an existing account only when the provider vouches
//! for the e-mail (`email_verified`), never by an unverified e-mail (the original linked Google
//! accounts by any e-mail). Otherwise a new account and family are created, with non-empty names
//! (the app requires them), atomically with the identity link.

use std::sync::Arc;

use calndr_domain::{
    AppleAccountEvent, ExternalIdentity, IdentityProvider, NewAccount, NewFamily, NewUser,
    PersonName, User, UserId,
};
use calndr_ports::{AccountStore, IdentityError, IdentityVerifier, StoreError, TokenService};
use chrono::Utc;
use tracing::{info, warn};

use crate::accounts::{AccountService, SignedIn};
use crate::{AppError, Principal, Refusal};

/// Which provider the app used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocialLogin {
    /// An authorization code from Sign in with Apple.
    AppleCode,
    /// A Google ID token.
    GoogleIdToken,
    /// A Facebook user access token.
    FacebookToken,
}

#[derive(Clone)]
pub struct SocialSignIn {
    verifier: Arc<dyn IdentityVerifier>,
    store: Arc<dyn AccountStore>,
    tokens: Arc<dyn TokenService>,
    accounts: AccountService,
}

fn name_or(raw: Option<&str>, field: &'static str, fallback: &str) -> PersonName {
    raw.and_then(|n| PersonName::parse(n, field).ok())
        .or_else(|| PersonName::parse(fallback, field).ok())
        .unwrap_or_else(|| PersonName::from_stored(fallback.to_owned()))
}

impl SocialSignIn {
    pub fn new(
        verifier: Arc<dyn IdentityVerifier>,
        store: Arc<dyn AccountStore>,
        tokens: Arc<dyn TokenService>,
        accounts: AccountService,
    ) -> Self {
        Self {
            verifier,
            store,
            tokens,
            accounts,
        }
    }

    /// `nonce`: what the app put in its sign-in request, when it sent one (Apple and Google).
    pub async fn sign_in(
        &self,
        how: SocialLogin,
        credential: &str,
        nonce: Option<&str>,
    ) -> Result<SignedIn, AppError> {
        let verified = match how {
            SocialLogin::AppleCode => self.verifier.apple_code(credential, nonce).await,
            SocialLogin::GoogleIdToken => self.verifier.google_id_token(credential, nonce).await,
            SocialLogin::FacebookToken => self.verifier.facebook_token(credential).await,
        };
        let identity = verified.map_err(|e| match e {
            IdentityError::Rejected(why) => {
                info!(reason = %why, "provider sign-in rejected");
                AppError::InvalidToken
            }
            IdentityError::Upstream(u) => u.into(),
        })?;
        let user = self.user_for(&identity).await?;
        if let Some(refresh) = &identity.refresh_token {
            // Kept to revoke at deletion; a failure here costs that revocation, not the sign-in.
            if let Err(e) = self
                .store
                .set_identity_token(user.id, identity.provider, refresh, Utc::now())
                .await
            {
                warn!(user.id = %user.id, error = %e, "provider refresh token not kept");
            }
        }
        let principal = Principal {
            user_id: user.id,
            family_id: user.family_id,
        };
        let token = self.tokens.issue(user.id, user.family_id)?;
        let profile = self.accounts.profile(&principal).await?;
        let _ = self.store.record_sign_in(user.id, Utc::now()).await;
        info!(user.id = %user.id, provider = identity.provider.as_str(), "signed in with a provider");
        Ok(SignedIn { token, profile })
    }

    /// `POST /auth/apple/notifications`: Apple tells us a user revoked Sign in with Apple or
    /// deleted their Apple ID. Either way the Apple link is removed (the account and its family
    /// stay: the other parent's calendar must not vanish; the user signs in by password or links
    /// again). Returns whether a link was removed.
    pub async fn apple_notification(&self, payload: &str) -> Result<bool, AppError> {
        let event = self
            .verifier
            .apple_notification(payload)
            .await
            .map_err(|e| match e {
                IdentityError::Rejected(why) => {
                    info!(reason = %why, "Apple notification rejected");
                    AppError::InvalidToken
                }
                IdentityError::Upstream(u) => u.into(),
            })?;
        match event {
            AppleAccountEvent::ConsentRevoked(sub) | AppleAccountEvent::AccountDeleted(sub) => {
                let removed = self
                    .store
                    .unlink_identity(IdentityProvider::Apple, &sub)
                    .await?;
                info!(
                    removed,
                    "Apple identity unlinked after Apple's notification"
                );
                Ok(removed)
            }
            AppleAccountEvent::EmailForwardingChanged(_) => Ok(false),
        }
    }

    async fn user_for(&self, id: &ExternalIdentity) -> Result<User, AppError> {
        if let Some(user) = self
            .store
            .user_by_identity(id.provider, &id.subject)
            .await?
        {
            return Ok(user);
        }
        let Some(email) = &id.email else {
            return Err(Refusal::NoEmailFromProvider.into());
        };
        if let Some(existing) = self.store.user_by_email(email).await? {
            if !id.email_verified {
                // Someone else's account could be taken over with an unverified address.
                return Err(AppError::EmailTaken);
            }
            self.store
                .link_identity(existing.id, id.provider, &id.subject)
                .await?;
            info!(user.id = %existing.id, provider = id.provider.as_str(), "provider identity linked by verified e-mail");
            return Ok(existing);
        }
        let first_name = name_or(id.given_name.as_deref(), "first_name", "Calndr");
        let last_name = name_or(id.family_name.as_deref(), "last_name", "User");
        let family = NewFamily::for_first_member(&first_name);
        let user = NewUser {
            id: UserId::random(),
            first_name,
            last_name,
            email: email.clone(),
            password_hash: None,
            phone_number: None,
            enrolled: false,
            coparent_enrolled: false,
            created_at: Utc::now(),
        };
        match self
            .store
            .create_account_with_identity(NewAccount { user, family }, id.provider, &id.subject)
            .await
        {
            Ok(user) => Ok(user),
            // A concurrent first sign-in of the same identity won the race: use its account.
            Err(StoreError::Conflict("identity")) => self
                .store
                .user_by_identity(id.provider, &id.subject)
                .await?
                .ok_or(AppError::Conflict("identity already linked".into())),
            Err(e) => Err(e.into()),
        }
    }
}
