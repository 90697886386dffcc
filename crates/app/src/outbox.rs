//! The transactional outbox: a push or an e-mail caused by a write is queued in the same
//! database transaction as the write, through the port method that writes (e.g.
//! `CustodyStore::write_days(.., jobs)`). A write that rolls back leaves no job; a committed
//! write always has its jobs, even when the process dies right after the commit.
//!
//! When the deliveries are not queued (no provider configured, or a test's recording fake
//! called directly), there is nothing to write with the data: the messages are sent directly
//! once the write has committed, as before.

use std::sync::Arc;

use calndr_ports::{Mailer, NewJob, OutgoingEmail, PushMessage, PushNotifier, StoreError};

use crate::jobs::{email_job, push_job};

/// A message that can become a delivery job.
pub trait Deliverable: Sized {
    fn into_job(self) -> Result<NewJob, StoreError>;
}

impl Deliverable for PushMessage {
    fn into_job(self) -> Result<NewJob, StoreError> {
        push_job(self)
    }
}

impl Deliverable for OutgoingEmail {
    fn into_job(self) -> Result<NewJob, StoreError> {
        email_job(self)
    }
}

/// Where one kind of delivery goes: into the job queue with the write (`queued`), or straight to
/// `sender` after the write.
pub struct Outbox<S: ?Sized> {
    sender: Arc<S>,
    queued: bool,
}

impl<S: ?Sized> Clone for Outbox<S> {
    fn clone(&self) -> Self {
        Self {
            sender: self.sender.clone(),
            queued: self.queued,
        }
    }
}

/// The pushes a write causes.
pub type PushOutbox = Outbox<dyn PushNotifier>;
/// The e-mails a write causes.
pub type MailOutbox = Outbox<dyn Mailer>;

/// What a write does with its messages: `jobs` go to the writing port method (inserted in the
/// write's transaction); `direct` are sent through [`Outbox::sender`] once the write committed.
/// One of the two is always empty.
#[derive(Debug)]
pub struct Handoff<M> {
    pub jobs: Vec<NewJob>,
    pub direct: Vec<M>,
}

impl<S: ?Sized> Outbox<S> {
    /// Deliveries written as jobs with the writes; the worker sends them through the provider.
    pub fn queued(provider: Arc<S>) -> Self {
        Self {
            sender: provider,
            queued: true,
        }
    }

    /// Deliveries sent by the use case through `sender` after the write.
    pub fn direct(sender: Arc<S>) -> Self {
        Self {
            sender,
            queued: false,
        }
    }

    pub fn is_queued(&self) -> bool {
        self.queued
    }

    /// The provider (queued) or the direct sender: use it for `configured()` and for the
    /// messages of [`Handoff::direct`].
    pub fn sender(&self) -> &S {
        &self.sender
    }

    /// Splits `messages` into the jobs to write with the write, or the messages to send after it.
    pub fn hand_off<M: Deliverable>(&self, messages: Vec<M>) -> Result<Handoff<M>, StoreError> {
        if self.queued {
            Ok(Handoff {
                jobs: messages
                    .into_iter()
                    .map(Deliverable::into_job)
                    .collect::<Result<_, _>>()?,
                direct: Vec::new(),
            })
        } else {
            Ok(Handoff {
                jobs: Vec::new(),
                direct: messages,
            })
        }
    }
}
