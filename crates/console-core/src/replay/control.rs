//! Steering a running job: pause, resume, cancel — from the UI, a signal handler, anywhere.

use std::sync::Arc;

use tokio::sync::watch;

/// What the operator asked of a running job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    Run,
    Pause,
    Cancel,
}

/// Pause, resume or cancel a running job from anywhere (clone it freely).
#[derive(Debug, Clone)]
pub struct JobControl {
    pub(crate) tx: Arc<watch::Sender<Command>>,
}

impl Default for JobControl {
    fn default() -> Self {
        Self::new()
    }
}

impl JobControl {
    /// A control in the running position.
    pub fn new() -> Self {
        Self {
            tx: Arc::new(watch::Sender::new(Command::Run)),
        }
    }

    /// Stops starting new requests until [`JobControl::resume`]; requests in flight finish.
    pub fn pause(&self) {
        self.tx.send_if_modified(|c| {
            let changed = *c == Command::Run;
            if changed {
                *c = Command::Pause;
            }
            changed
        });
    }

    /// Lets a paused job go on.
    pub fn resume(&self) {
        self.tx.send_if_modified(|c| {
            let changed = *c == Command::Pause;
            if changed {
                *c = Command::Run;
            }
            changed
        });
    }

    /// Stops the job for good: nothing more is sent; requests in flight finish and are
    /// recorded.
    pub fn cancel(&self) {
        self.tx.send_replace(Command::Cancel);
    }

    pub(crate) fn current(&self) -> Command {
        *self.tx.borrow()
    }
}
