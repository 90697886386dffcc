//! E-mail verification codes and SMS PINs (spec 1.21, 1.27, 3.4, 3.5).
//!
//! * Codes are six digits from a CSPRNG, live ten minutes and die after three wrong attempts;
//!   the attempt is persisted whatever the outcome (the original rolled it back, spec 8.2.3).
//! * Sending is limited per address or number (a 60-second cooldown and an hourly cap), per
//!   client address, and for SMS per number per day and for the whole service per day.
//! * No account enumeration: `send-code`/`resend-code` answer the same for an unknown address,
//!   an already verified one and a pending one, and `verify-code` answers the same 400 for an
//!   unknown address as for a wrong code. The app needs nothing more: it only shows the message.
//! * A verified PIN is recorded on the caller (`users.phone_number`, `phone_verified_at`) when the
//!   request carries a valid token; an anonymous verification proves possession to the caller
//!   only and is recorded nowhere (there is no account to bind it to safely).

use std::sync::Arc;

use calndr_domain::verification::{RESEND_COOLDOWN, VERIFICATION_TTL};
use calndr_domain::{CodeCheck, EmailAddress, UsPhoneNumber, UserId, VerificationCode};
use calndr_ports::{
    AccountStore, EmailVerificationStore, OutgoingEmail, PinStore, RandomSource, SmsSender,
};
use chrono::Utc;
use tracing::{info, warn};

use crate::limits::{hashed_key, ip_key};
use crate::outbox::MailOutbox;
use crate::{AppError, RateGuard};

#[derive(Clone)]
pub struct VerificationDeps {
    pub accounts: Arc<dyn AccountStore>,
    pub emails: Arc<dyn EmailVerificationStore>,
    pub pins: Arc<dyn PinStore>,
    pub sms: Arc<dyn SmsSender>,
    /// The verification e-mail, queued with the code it carries.
    pub mailer: MailOutbox,
    pub random: Arc<dyn RandomSource>,
    pub guard: RateGuard,
}

#[derive(Clone)]
pub struct VerificationService {
    deps: VerificationDeps,
}

/// What `send-pin` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinSent {
    /// Sent; the response shows only the last four digits.
    Sent { last4: String },
    /// A PIN went to this number less than a minute ago.
    Cooldown { retry_after_secs: u64 },
}

fn code_ttl() -> Result<chrono::Duration, AppError> {
    chrono::Duration::from_std(VERIFICATION_TTL).map_err(|e| AppError::Unexpected(Box::new(e)))
}

impl VerificationService {
    pub fn new(deps: VerificationDeps) -> Self {
        Self { deps }
    }

    fn code(&self) -> VerificationCode {
        VerificationCode::generate(|bound| self.deps.random.uniform(bound))
    }

    /// `send-code` / `resend-code`: a fresh code to an account that still needs one. Answers the
    /// same (Ok) whether or not the address has an account or is verified already.
    pub async fn send_email_code(
        &self,
        email: &EmailAddress,
        client: &str,
    ) -> Result<(), AppError> {
        let limits = self.deps.guard.limits;
        let guard = &self.deps.guard;
        guard
            .hit(
                &ip_key("verify-send", client),
                limits.verification_sends_per_ip,
            )
            .await?;
        guard
            .hit(
                &hashed_key("verify-cooldown", email.as_str()),
                limits.verification_cooldown,
            )
            .await?;
        guard
            .hit(
                &hashed_key("verify-send", email.as_str()),
                limits.verification_sends,
            )
            .await?;
        let Some(user) = self.deps.accounts.user_by_email(email).await? else {
            return Ok(());
        };
        if self.deps.emails.email_verified_at(user.id).await?.is_some() {
            return Ok(());
        }
        let code = self.code();
        let now = Utc::now();
        let mail = self
            .deps
            .mailer
            .hand_off(vec![verification_email(&user.email, &code)])?;
        self.deps
            .emails
            .put_email_code(
                user.id,
                &user.email,
                &code,
                now + code_ttl()?,
                now,
                &mail.jobs,
            )
            .await?;
        for email in mail.direct {
            if let Err(e) = self.deps.mailer.sender().send(email).await {
                warn!(user.id = %user.id, error = %e, "verification e-mail not sent");
            }
        }
        Ok(())
    }

    /// `verify-code`: the verified user, or `InvalidVerificationCode` for an unknown address, no
    /// live code, a wrong code and a dead code alike.
    pub async fn verify_email_code(
        &self,
        email: &EmailAddress,
        given: &VerificationCode,
        client: &str,
    ) -> Result<UserId, AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(
                &ip_key("verify-check", client),
                limits.verification_checks_per_ip,
            )
            .await?;
        let Some(user) = self.deps.accounts.user_by_email(email).await? else {
            return Err(AppError::InvalidVerificationCode);
        };
        match self
            .deps
            .emails
            .check_email_code(user.id, given, Utc::now())
            .await?
        {
            CodeCheck::Verified => {
                info!(user.id = %user.id, "e-mail verified");
                Ok(user.id)
            }
            CodeCheck::Wrong { .. } | CodeCheck::NoCode | CodeCheck::TooManyAttempts => {
                Err(AppError::InvalidVerificationCode)
            }
        }
    }

    /// `send-pin`: a PIN by SMS. `ProviderNotConfigured` (503) until an SMS provider exists.
    pub async fn send_pin(&self, phone: &UsPhoneNumber, client: &str) -> Result<PinSent, AppError> {
        if !self.deps.sms.configured() {
            return Err(AppError::ProviderNotConfigured("SMS delivery"));
        }
        let limits = self.deps.guard.limits;
        let guard = &self.deps.guard;
        guard
            .hit(
                &ip_key("pin-send", client),
                limits.verification_sends_per_ip,
            )
            .await?;
        match guard
            .hit(
                &hashed_key("pin-cooldown", phone.as_str()),
                limits.verification_cooldown,
            )
            .await
        {
            Err(AppError::RateLimited { .. }) => {
                return Ok(PinSent::Cooldown {
                    retry_after_secs: RESEND_COOLDOWN.as_secs(),
                })
            }
            other => other?,
        }
        guard
            .hit(
                &hashed_key("pin-send", phone.as_str()),
                limits.verification_sends,
            )
            .await?;
        guard
            .hit(
                &hashed_key("pin-day", phone.as_str()),
                limits.sms_per_number_per_day,
            )
            .await?;
        guard.hit("calndr:rl:sms:day", limits.sms_per_day).await?;
        let pin = self.code();
        self.deps
            .pins
            .put_pin(&pin_subject(phone), &pin, VERIFICATION_TTL)
            .await?;
        let text = format!(
            "Your Calndr verification code is: {}. This code expires in 10 minutes.",
            pin.as_str()
        );
        self.deps.sms.send(phone, &text).await?;
        Ok(PinSent::Sent {
            last4: phone.last4().to_owned(),
        })
    }

    /// `verify-pin`: one attempt. A success is recorded on `caller` when there is one.
    pub async fn verify_pin(
        &self,
        phone: &UsPhoneNumber,
        given: &VerificationCode,
        caller: Option<UserId>,
        client: &str,
    ) -> Result<CodeCheck, AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(
                &ip_key("pin-check", client),
                limits.verification_checks_per_ip,
            )
            .await?;
        let outcome = self.deps.pins.check_pin(&pin_subject(phone), given).await?;
        if let (CodeCheck::Verified, Some(user)) = (outcome, caller) {
            self.deps
                .emails
                .mark_phone_verified(user, phone, Utc::now())
                .await?;
            info!(user.id = %user, "phone number verified");
        }
        Ok(outcome)
    }
}

/// The PIN store key of a number (hashed: no phone number in Redis key names).
fn pin_subject(phone: &UsPhoneNumber) -> String {
    hashed_key("pin", phone.as_str()).replacen("calndr:rl:", "calndr:pin:v1:", 1)
}

fn verification_email(to: &EmailAddress, code: &VerificationCode) -> OutgoingEmail {
    let code = code.as_str();
    OutgoingEmail {
        to: to.clone(),
        subject: "Verify your Calndr Club account".into(),
        text: format!(
            "Your Calndr verification code is:\n\n{code}\n\nThe code expires in 10 minutes. \
             If you did not sign up for Calndr, ignore this message.\n"
        ),
        html: format!(
            "<p>Your Calndr verification code is:</p>\
             <p style=\"font-size:28px;font-weight:bold;letter-spacing:4px\">{code}</p>\
             <p>The code expires in 10 minutes. If you did not sign up for Calndr, ignore this \
             message.</p>"
        ),
    }
}
