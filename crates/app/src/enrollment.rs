//! Enrollment codes, invitations and the onboarding steps (spec 1.25, 1.26, 3.3).
//!
//! What the original got wrong and this fixes (spec 8.1.1, 8.1.5, 8.6):
//! * codes come from a CSPRNG, expire (`CALNDR_ENROLLMENT_CODE_TTL_DAYS`), can be revoked by the
//!   family, and are spent once a new member joined (see `calndr_domain::enrollment` for the
//!   arithmetic); checks are limited per client address and per account;
//! * an invitation can only be sent for the caller's own family's code, and invitations per
//!   family are limited (no spam relay from the product's domain);
//! * one code per family even under concurrent requests (the store locks the family row);
//! * names in the invitation e-mail are HTML-escaped.

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::enrollment::new_enrollment_code;
use calndr_domain::{
    CoparentDetails, EmailAddress, EnrollmentCode, EnrollmentInvitation, FamilyId, NewChild,
    NextStep, ProfileChanges, ShortText, User,
};
use calndr_ports::{AccountStore, EnrollmentStore, OutgoingEmail, RandomSource, StoreError};
use chrono::Utc;
use tracing::{info, warn};

use crate::limits::{hashed_key, ip_key};
use crate::{AppError, MailOutbox, Principal, RateGuard};

/// Candidate codes drawn before giving up (a collision among 10^9 codes is already rare).
const CODE_DRAWS: usize = 5;

#[derive(Clone)]
pub struct EnrollmentDeps {
    pub store: Arc<dyn EnrollmentStore>,
    pub accounts: Arc<dyn AccountStore>,
    /// The invitation e-mail, queued with the code's invitation mark.
    pub mailer: MailOutbox,
    pub random: Arc<dyn RandomSource>,
    pub guard: RateGuard,
    /// Lifetime of a new code.
    pub code_ttl: Duration,
}

#[derive(Clone)]
pub struct EnrollmentService {
    deps: EnrollmentDeps,
}

/// `/enrollment-flow/status`.
#[derive(Debug, Clone)]
pub struct OnboardingStatus {
    pub enrolled: bool,
    pub coparent_enrolled: bool,
    pub coparent_invited: Option<bool>,
    pub next_step: Option<NextStep>,
    pub family_id: Option<FamilyId>,
}

/// Where an invitation goes.
#[derive(Debug, Clone)]
pub struct InvitationRecipient {
    pub email: EmailAddress,
    pub name: ShortText,
}

/// Escapes the characters HTML gives meaning to.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn invalid_code(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::InvalidEnrollmentCode,
        other => other.into(),
    }
}

impl EnrollmentService {
    pub fn new(deps: EnrollmentDeps) -> Self {
        Self { deps }
    }

    async fn caller(&self, who: &Principal) -> Result<User, AppError> {
        self.deps
            .accounts
            .user_by_id(who.user_id)
            .await?
            .ok_or(AppError::NotAuthenticated)
    }

    /// `POST /enrollment/create-code`: the family's usable code, or a new one. Sets
    /// `coparent_invited` on the caller.
    pub async fn create_code(
        &self,
        who: &Principal,
        coparent: CoparentDetails,
    ) -> Result<EnrollmentInvitation, AppError> {
        let family = who.family()?;
        let now = Utc::now();
        let ttl = chrono::Duration::from_std(self.deps.code_ttl)
            .map_err(|e| AppError::Unexpected(Box::new(e)))?;
        for _ in 0..CODE_DRAWS {
            let candidate = new_enrollment_code(|bound| self.deps.random.uniform(bound));
            match self
                .deps
                .store
                .create_or_reuse_code(family, who.user_id, &candidate, now + ttl, &coparent, now)
                .await
            {
                Err(StoreError::Conflict("code")) => continue,
                Err(StoreError::NotFound) => return Err(AppError::NotAuthenticated),
                Err(e) => return Err(e.into()),
                Ok(code) => {
                    info!(family.id = %family, "enrollment code ready");
                    return Ok(code);
                }
            }
        }
        Err(AppError::Unexpected(
            "no free enrollment code after several draws".into(),
        ))
    }

    async fn limit_checks(&self, who: &Principal, client: &str) -> Result<(), AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(&ip_key("code", client), limits.code_checks_per_ip)
            .await?;
        self.deps
            .guard
            .hit(
                &hashed_key("code-user", &who.user_id.to_string()),
                limits.code_checks_per_account,
            )
            .await
    }

    /// `POST /enrollment/validate-code`: the code's family when the code is usable, `None`
    /// otherwise (unknown, expired, revoked and spent look the same).
    pub async fn validate_code(
        &self,
        who: &Principal,
        code: &EnrollmentCode,
        client: &str,
    ) -> Result<Option<FamilyId>, AppError> {
        self.limit_checks(who, client).await?;
        Ok(self
            .deps
            .store
            .usable_code(code, Utc::now())
            .await?
            .map(|c| c.family_id))
    }

    /// `POST /enrollment/invite` and `/enrollment/send-code-email`: e-mails the family's own
    /// code. A code of another family is refused exactly like an unknown one.
    pub async fn send_invitation(
        &self,
        who: &Principal,
        code: &EnrollmentCode,
        to: InvitationRecipient,
        coparent: CoparentDetails,
    ) -> Result<(), AppError> {
        let family = who.family()?;
        let now = Utc::now();
        let own = self
            .deps
            .store
            .usable_code(code, now)
            .await?
            .filter(|c| c.family_id == family)
            .ok_or(AppError::InvalidEnrollmentCode)?;
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(
                &hashed_key("invite", &family.to_string()),
                limits.invites_per_family,
            )
            .await?;
        let sender = self.caller(who).await?;
        let mail =
            self.deps
                .mailer
                .hand_off(vec![invitation_email(&sender, &to, own.code.as_str())])?;
        // Sent directly (no queue): the invitation goes out first, and a failed send answers
        // before the code is marked as invited, as before.
        for email in mail.direct {
            self.deps.mailer.sender().send(email).await.map_err(|e| {
                warn!(family.id = %family, error = %e, "enrollment invitation not sent");
                AppError::from(e)
            })?;
        }
        // Queued: the e-mail's job is written with the mark, in one transaction.
        self.deps
            .store
            .mark_invited(family, code, &coparent, now, &mail.jobs)
            .await
            .map_err(invalid_code)
    }

    /// `DELETE /enrollment/code`: revokes the family's usable codes. `NotFound` when none.
    pub async fn revoke(&self, who: &Principal) -> Result<u64, AppError> {
        let family = who.family()?;
        match self.deps.store.revoke_codes(family, Utc::now()).await? {
            0 => Err(AppError::NotFound("Active enrollment code")),
            n => {
                info!(family.id = %family, revoked = n, "enrollment codes revoked");
                Ok(n)
            }
        }
    }

    /// `GET /enrollment-flow/status`.
    pub async fn status(&self, who: &Principal) -> Result<OnboardingStatus, AppError> {
        let user = self.caller(who).await?;
        let children = match user.family_id {
            Some(f) => Some(self.deps.store.children_count(f).await?),
            None => None,
        };
        let enrolled = user.enrolled.unwrap_or(false);
        Ok(OnboardingStatus {
            enrolled,
            coparent_enrolled: user.coparent_enrolled.unwrap_or(false),
            coparent_invited: user.coparent_invited,
            next_step: calndr_domain::enrollment::next_step(enrolled, children),
            family_id: user.family_id,
        })
    }

    /// `POST /enrollment-flow/coparent-info`: stores nothing (as the original); needs a family.
    pub async fn coparent_info(&self, who: &Principal) -> Result<(), AppError> {
        who.family().map(|_| ())
    }

    /// `POST /enrollment-flow/children-info`: adds the children in one transaction.
    pub async fn children_info(
        &self,
        who: &Principal,
        children: &[NewChild],
    ) -> Result<u64, AppError> {
        let family = who.family()?;
        Ok(self.deps.store.add_children(family, children).await?)
    }

    /// `POST /enrollment-flow/custody-schedule`: the caller is enrolled; when they were not the
    /// inviting parent, the other members are marked `coparent_enrolled` (spec 1.26).
    pub async fn custody_schedule(&self, who: &Principal) -> Result<(), AppError> {
        let family = who.family()?;
        let user = self.caller(who).await?;
        let coparents = user.coparent_invited != Some(true);
        self.deps
            .store
            .finish_enrollment(who.user_id, family, coparents, Utc::now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })
    }

    /// `POST /enrollment-flow/complete`: the caller is enrolled.
    pub async fn complete(&self, who: &Principal) -> Result<(), AppError> {
        let changes = ProfileChanges {
            enrolled: Some(true),
            ..ProfileChanges::default()
        };
        self.deps
            .accounts
            .update_profile(who.user_id, &changes, Utc::now())
            .await
            .map(|_| ())
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })
    }
}

fn invitation_email(sender: &User, to: &InvitationRecipient, code: &str) -> OutgoingEmail {
    let from = format!(
        "{} {}",
        sender.first_name.as_str(),
        sender.last_name.as_str()
    );
    let name = to.name.as_str();
    let text = format!(
        "Hi {name},\n\n{from} invited you to share a family calendar on Calndr.\n\n\
         Install the Calndr app, sign up, choose \"Enter Enrollment Code\" and type:\n\n\
         {code}\n\nThe code works once and expires in a few days. If you did not expect this \
         invitation, ignore this message.\n"
    );
    let html = format!(
        "<p>Hi {name},</p><p>{from} invited you to share a family calendar on Calndr.</p>\
         <p>Install the Calndr app, sign up, choose &quot;Enter Enrollment Code&quot; and type:</p>\
         <p style=\"font-size:28px;font-weight:bold;letter-spacing:4px\">{code}</p>\
         <p>The code works once and expires in a few days. If you did not expect this \
         invitation, ignore this message.</p>",
        name = escape_html(name),
        from = escape_html(&from),
        code = escape_html(code),
    );
    OutgoingEmail {
        to: to.email.clone(),
        subject: format!("You've been invited to join Calndr by {from}"),
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
