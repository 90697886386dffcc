//! Facebook Login: `debug_token` with the app token, then `/me`.

use calndr_domain::{EmailAddress, ExternalIdentity, IdentityProvider, ProviderSubject};
use calndr_ports::{IdentityError, UpstreamError};
use serde::Deserialize;

use super::id_token::name;
use super::{bad, rejected, unavailable, HttpStatus, ProviderIdentity};

#[derive(Deserialize)]
struct DebugToken {
    data: DebugData,
}

#[derive(Deserialize)]
struct DebugData {
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    is_valid: bool,
    #[serde(default)]
    user_id: Option<String>,
}

#[derive(Deserialize)]
struct FacebookMe {
    id: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
}

impl ProviderIdentity {
    /// [`calndr_ports::IdentityVerifier::facebook_token`].
    pub(super) async fn verify_facebook_token(
        &self,
        token: &str,
    ) -> Result<ExternalIdentity, IdentityError> {
        let f =
            self.facebook
                .as_ref()
                .ok_or(IdentityError::Upstream(UpstreamError::NotConfigured(
                    "Facebook Login",
                )))?;
        let token = token.trim();
        if token.is_empty() || token.len() > 4096 {
            return Err(rejected("invalid access token"));
        }
        let endpoint = |path: &str| {
            let mut u = f.graph_url.clone();
            u.path_segments_mut()
                .map(|mut s| {
                    s.pop_if_empty().push(path);
                })
                .ok();
            u
        };
        let app_token = format!("{}|{}", f.app_id, f.app_secret);
        let request = self
            .client
            .get(endpoint("debug_token"))
            .query(&[("input_token", token), ("access_token", app_token.as_str())]);
        let response = crate::retry::send_idempotent(request)
            .await
            .map_err(|e| unavailable("facebook", e.without_url()))?;
        if response.status().is_server_error() {
            return Err(unavailable(
                "facebook",
                HttpStatus(response.status().as_u16()),
            ));
        }
        let debug: DebugToken = response.json().await.map_err(|e| {
            bad(
                "facebook",
                format!("unreadable debug_token: {}", e.without_url()),
            )
        })?;
        if !debug.data.is_valid || debug.data.app_id.as_deref() != Some(f.app_id.as_str()) {
            return Err(rejected("the token is not valid for this app"));
        }
        let request = self.client.get(endpoint("me")).query(&[
            ("fields", "id,first_name,last_name,email"),
            ("access_token", token),
        ]);
        let response = crate::retry::send_idempotent(request)
            .await
            .map_err(|e| unavailable("facebook", e.without_url()))?;
        if !response.status().is_success() {
            return Err(unavailable(
                "facebook",
                HttpStatus(response.status().as_u16()),
            ));
        }
        let me: FacebookMe = response
            .json()
            .await
            .map_err(|e| bad("facebook", format!("unreadable /me: {}", e.without_url())))?;
        if debug.data.user_id.as_deref() != Some(me.id.as_str()) {
            return Err(rejected("the token belongs to another user"));
        }
        Ok(ExternalIdentity {
            provider: IdentityProvider::Facebook,
            subject: ProviderSubject::parse(&me.id).map_err(|_| rejected("invalid user id"))?,
            email: me
                .email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok()),
            // Not linked by e-mail: Facebook's e-mail is not a proof of the address here.
            email_verified: false,
            given_name: name(me.first_name.as_deref()),
            family_name: name(me.last_name.as_deref()),
            refresh_token: None,
        })
    }
}
