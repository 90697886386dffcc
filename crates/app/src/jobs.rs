//! Background delivery: requests hand pushes and e-mails to the durable job queue and answer at
//! once; a worker (`calndr worker`, or the one `calndr serve` runs in process) delivers them with
//! retries, so a slow or failing provider never holds a request and a failed send is not lost.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::{EmailAddress, ProviderRefreshToken, UserId};
use calndr_ports::{
    ClaimedJob, IdentityError, IdentityVerifier, JobQueue, Mailer, NewJob, ObjectStorage,
    OutgoingEmail, PushMessage, PushNotifier, StoreError,
};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tracing::{debug, info, warn};

/// The queue of deliveries to outside services.
pub const DELIVERY_QUEUE: &str = "deliveries";
const PUSH: &str = "push";
const EMAIL: &str = "email";
const DELETE_OBJECT: &str = "delete_object";
const REVOKE_APPLE: &str = "revoke_apple_token";
const MAX_ATTEMPTS: i32 = 6;

#[derive(Serialize, Deserialize)]
struct PushJob {
    recipient: uuid::Uuid,
    device_token: String,
    payload: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
struct EmailJob {
    to: String,
    subject: String,
    text: String,
    html: String,
}

/// The removal of a stored object (a deleted account's photo).
#[derive(Serialize, Deserialize)]
struct DeleteObjectJob {
    key: String,
}

/// The revocation of a deleted account's Apple refresh token.
#[derive(Serialize, Deserialize)]
struct RevokeAppleJob {
    refresh_token: String,
}

fn new_job(kind: &'static str, payload: serde_json::Value) -> NewJob {
    NewJob {
        queue: DELIVERY_QUEUE,
        kind,
        payload,
        run_at: Utc::now(),
        max_attempts: MAX_ATTEMPTS,
    }
}

fn encode<T: Serialize>(job: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(job).map_err(|e| StoreError::unexpected(format!("encoding a job: {e}")))
}

/// The delivery job of a push: what [`QueuedPush`] enqueues, and what a write that causes the
/// push hands its store to insert in the same transaction (see [`crate::outbox`]).
pub fn push_job(message: PushMessage) -> Result<NewJob, StoreError> {
    let job = PushJob {
        recipient: message.recipient.as_uuid(),
        device_token: message.device_token,
        payload: message.payload,
    };
    Ok(new_job(PUSH, encode(&job)?))
}

/// The delivery job of an e-mail (see [`push_job`]).
pub fn email_job(email: OutgoingEmail) -> Result<NewJob, StoreError> {
    let job = EmailJob {
        to: email.to.as_str().to_owned(),
        subject: email.subject,
        text: email.text,
        html: email.html,
    };
    Ok(new_job(EMAIL, encode(&job)?))
}

/// The job that removes the object under `key` from object storage, retried until it is gone.
pub fn delete_object_job(key: String) -> Result<NewJob, StoreError> {
    Ok(new_job(DELETE_OBJECT, encode(&DeleteObjectJob { key })?))
}

/// The job that revokes an Apple refresh token at Apple, retried while Apple is unreachable.
pub fn revoke_apple_job(token: &ProviderRefreshToken) -> Result<NewJob, StoreError> {
    let job = RevokeAppleJob {
        refresh_token: token.expose().to_owned(),
    };
    Ok(new_job(REVOKE_APPLE, encode(&job)?))
}

/// A [`PushNotifier`] that enqueues: the push is sent by the worker.
pub struct QueuedPush {
    queue: Arc<dyn JobQueue>,
}

impl QueuedPush {
    pub fn new(queue: Arc<dyn JobQueue>) -> Self {
        Self { queue }
    }
}

#[async_trait]
impl PushNotifier for QueuedPush {
    async fn send(&self, message: PushMessage) -> Result<(), StoreError> {
        self.queue.enqueue(push_job(message)?).await
    }
}

/// A [`Mailer`] that enqueues: the e-mail is sent by the worker.
pub struct QueuedMailer {
    queue: Arc<dyn JobQueue>,
}

impl QueuedMailer {
    pub fn new(queue: Arc<dyn JobQueue>) -> Self {
        Self { queue }
    }
}

#[async_trait]
impl Mailer for QueuedMailer {
    async fn send(&self, email: OutgoingEmail) -> Result<(), StoreError> {
        self.queue.enqueue(email_job(email)?).await
    }
}

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Jobs leased per round.
    pub batch: usize,
    /// How long a claimed job is held before another worker may take it over.
    pub lease: Duration,
    /// Sleep between rounds when the queue is empty.
    pub idle_poll: Duration,
    /// Delay before the first retry; doubles with each attempt, at most `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// The deadline of one delivery: a provider that has not answered by then is given up on
    /// for this round and the job is retried later. Shorter than `lease`, so a hanging provider
    /// never holds a job past its lease (another worker would send it a second time).
    pub send_timeout: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            batch: 32,
            lease: Duration::from_secs(120),
            idle_poll: Duration::from_secs(1),
            first_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
            send_timeout: Duration::from_secs(30),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
}

/// Claims deliveries and sends them through the real providers.
#[derive(Clone)]
pub struct JobWorker {
    queue: Arc<dyn JobQueue>,
    push: Arc<dyn PushNotifier>,
    mailer: Arc<dyn Mailer>,
    /// Where removed objects are deleted; a worker without it retries those jobs.
    storage: Option<Arc<dyn ObjectStorage>>,
    /// Where Apple tokens are revoked; a worker without it retries those jobs.
    identity: Option<Arc<dyn IdentityVerifier>>,
    settings: WorkerSettings,
}

enum Failure {
    /// Worth another attempt (the provider was unreachable or refused for now).
    Retry(String),
    /// Will never succeed (an unknown kind or an unreadable payload).
    Permanent(String),
}

impl JobWorker {
    pub fn new(
        queue: Arc<dyn JobQueue>,
        push: Arc<dyn PushNotifier>,
        mailer: Arc<dyn Mailer>,
        settings: WorkerSettings,
    ) -> Self {
        Self {
            queue,
            push,
            mailer,
            storage: None,
            identity: None,
            settings,
        }
    }

    /// The providers `revoke_apple_token` jobs revoke at.
    pub fn with_identity(mut self, identity: Arc<dyn IdentityVerifier>) -> Self {
        self.identity = Some(identity);
        self
    }

    /// The object storage `delete_object` jobs remove from.
    pub fn with_storage(mut self, storage: Arc<dyn ObjectStorage>) -> Self {
        self.storage = Some(storage);
        self
    }

    fn backoff(&self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.settings
            .first_backoff
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.settings.max_backoff)
    }

    /// [`Self::send`] within `send_timeout`.
    async fn deliver(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let limit = self.settings.send_timeout;
        tokio::time::timeout(limit, self.send(job))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::Retry(format!(
                    "no answer within {} s",
                    limit.as_secs_f32()
                )))
            })
    }

    async fn send(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let unreadable =
            |e: serde_json::Error| Failure::Permanent(format!("unreadable payload: {e}"));
        let failed = |e: StoreError| {
            let cause = std::error::Error::source(&e).map(ToString::to_string);
            Failure::Retry(match cause {
                Some(cause) => format!("{e}: {cause}"),
                None => e.to_string(),
            })
        };
        match job.kind.as_str() {
            PUSH => {
                let p: PushJob = serde_json::from_value(job.payload.clone()).map_err(unreadable)?;
                self.push
                    .send(PushMessage {
                        recipient: UserId::from_uuid(p.recipient),
                        device_token: p.device_token,
                        payload: p.payload,
                    })
                    .await
                    .map_err(failed)
            }
            EMAIL => {
                let m: EmailJob =
                    serde_json::from_value(job.payload.clone()).map_err(unreadable)?;
                let to = EmailAddress::parse(&m.to)
                    .map_err(|_| Failure::Permanent("invalid recipient address".into()))?;
                self.mailer
                    .send(OutgoingEmail {
                        to,
                        subject: m.subject,
                        text: m.text,
                        html: m.html,
                    })
                    .await
                    .map_err(failed)
            }
            DELETE_OBJECT => {
                let d: DeleteObjectJob =
                    serde_json::from_value(job.payload.clone()).map_err(unreadable)?;
                let storage = self
                    .storage
                    .as_ref()
                    .ok_or_else(|| Failure::Retry("this worker has no object storage".into()))?;
                storage.delete(&d.key).await.map_err(failed)
            }
            REVOKE_APPLE => {
                let r: RevokeAppleJob =
                    serde_json::from_value(job.payload.clone()).map_err(unreadable)?;
                let identity = self.identity.as_ref().ok_or_else(|| {
                    Failure::Retry("this worker has no identity providers".into())
                })?;
                identity
                    .revoke_apple_refresh_token(&r.refresh_token)
                    .await
                    .map_err(|e| match e {
                        // The reason is the provider's, never the token.
                        IdentityError::Rejected(why) => Failure::Permanent(why),
                        IdentityError::Upstream(u) => Failure::Retry(u.to_string()),
                    })
            }
            other => Err(Failure::Permanent(format!("unknown job kind {other:?}"))),
        }
    }

    /// Claims one batch and works it. `Err` only when the queue itself cannot be reached.
    pub async fn run_once(&self) -> Result<RoundReport, StoreError> {
        let jobs = self
            .queue
            .claim(DELIVERY_QUEUE, self.settings.batch, self.settings.lease)
            .await?;
        let mut report = RoundReport::default();
        for job in jobs {
            match self.deliver(&job).await {
                Ok(()) => {
                    self.queue.complete(job.id).await?;
                    report.delivered += 1;
                    debug!(job.id = job.id, job.kind = %job.kind, "job delivered");
                }
                Err(failure) => {
                    let (error, permanent) = match failure {
                        Failure::Retry(e) => (e, false),
                        Failure::Permanent(e) => (e, true),
                    };
                    let give_up = permanent || job.attempts >= job.max_attempts;
                    let delay = chrono::Duration::from_std(self.backoff(job.attempts))
                        .unwrap_or(chrono::Duration::MAX);
                    self.queue
                        .fail(job.id, &error, Utc::now() + delay, give_up)
                        .await?;
                    if give_up {
                        report.dead += 1;
                        warn!(job.id = job.id, job.kind = %job.kind, attempts = job.attempts, error = %error, "job failed for good");
                    } else {
                        report.retried += 1;
                        info!(job.id = job.id, job.kind = %job.kind, attempts = job.attempts, error = %error, "job failed; will retry");
                    }
                }
            }
        }
        Ok(report)
    }

    /// The pause before the next round after `report`: none while the queue is busy.
    pub fn pause_after(&self, round: &Result<RoundReport, StoreError>) -> Duration {
        match round {
            Ok(r) if r.delivered + r.retried + r.dead >= self.settings.batch => Duration::ZERO,
            Ok(_) => self.settings.idle_poll,
            Err(_) => self.settings.idle_poll.max(Duration::from_secs(5)),
        }
    }
}
