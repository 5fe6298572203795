//! Failure-spike notifications: finding subscriptions whose failures just jumped, deciding
//! which of them the operator has not heard about yet, and handing a short text to whatever
//! shows it (the OS in the app, a recorder in tests).
//!
//! The rule, with [`SpikeRule::default`]'s numbers (see [`spike`] for the reasoning):
//! - the **recent window** is the last 60 minutes; the **baseline** is the 24 hours before it,
//!   scaled to one window (failures per 60 minutes); a baseline the cache does not cover
//!   fully (a young cache or subscription) is scaled over what it covers, one window at least;
//! - a subscription **spikes** when, in the recent window, at least 5 attempts failed and
//!   either its failures reached 3 × max(baseline, 1), or its failure rate (failed ÷ ended
//!   attempts) rose by at least 30 points over the baseline's rate. A quiet subscription
//!   therefore needs 5 failures, a steady 20 % failure rate never spikes, and a target that
//!   goes down while traffic is low still does.
//!
//! Once notified, a subscription is not notified again while its spike continues: it is
//! remembered in the cache's `sync_state` (scope `notify`) and notified again only after a
//! check found it quiet at least one window after the notice, or 6 hours after it as a
//! reminder ([`announce`]).
//!
//! Incident reminders (overdue checklist items, approaching deadlines) go through the same
//! [`Notifier`]; what is due is decided in [`crate::incident::reminder`].
//!
//! Invariant: a [`Notification`] carries counts and names (subscription description or the
//! target's host and path, profile name, an incident's severity and checklist item) only —
//! never payloads, response bodies, headers, a target URL's query, an incident's title or
//! notes (notifications show on the lock screen).

pub mod announce;
mod reminder_text;
pub mod spike;
mod text;

use std::sync::Mutex;

use uuid::Uuid;

pub use announce::{NOTIFY_SCOPE, unannounced};
pub use spike::{Spike, SpikeRule, detect_spikes};

/// What the operator is told about one spike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// One line: what spiked.
    pub title: String,
    /// Counts and the profile's name.
    pub body: String,
    /// The profile whose cache showed the spike.
    pub profile_id: Uuid,
    /// Where a click on the notification leads.
    pub opens: Opens,
}

/// What a notification opens when clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opens {
    /// The deliveries of the spiking subscription.
    Deliveries {
        /// The subscription.
        subscription_id: Uuid,
    },
    /// A replay job's outcome.
    ReplayJob {
        /// The job.
        job_id: Uuid,
    },
    /// An incident (a reminder of its checklist).
    Incident {
        /// The incident.
        incident_id: Uuid,
    },
    /// Nothing in particular: the window comes forward (a test notification).
    Window,
}

/// Why a notification was not shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// Nothing can show notifications here (no notification service, none configured).
    #[error("notifications are not available: {0}")]
    Unavailable(String),
    /// The notification service did not answer in time.
    #[error("the notification service did not answer within {0} ms")]
    TimedOut(u64),
    /// The notification service refused or failed.
    #[error("the notification could not be shown: {0}")]
    Failed(String),
}

/// Shows notifications. Implementations must return promptly (a few seconds at most) and
/// never panic; the console shows the alert in the window when this fails.
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Shows one notification.
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// The console's notifier until the shell sets one: it always fails, so spikes show in the
/// window.
#[derive(Debug, Default)]
pub struct NoNotifier;

impl Notifier for NoNotifier {
    fn notify(&self, _: &Notification) -> Result<(), NotifyError> {
        Err(NotifyError::Unavailable("no notifier".into()))
    }
}

/// Keeps every notification it is given (tests); can be told to fail.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    state: Mutex<Recorded>,
}

#[derive(Debug, Default)]
struct Recorded {
    shown: Vec<Notification>,
    failing: Option<NotifyError>,
}

impl RecordingNotifier {
    /// A recorder that shows everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// A recorder whose every call fails with `error` (nothing is recorded).
    pub fn failing(error: NotifyError) -> Self {
        let recorder = Self::default();
        recorder.fail_with(Some(error));
        recorder
    }

    /// From now on, fails with `error` (or, with `None`, shows again).
    pub fn fail_with(&self, error: Option<NotifyError>) {
        if let Ok(mut state) = self.state.lock() {
            state.failing = error;
        }
    }

    /// What was shown so far, oldest first.
    pub fn shown(&self) -> Vec<Notification> {
        self.state
            .lock()
            .map(|s| s.shown.clone())
            .unwrap_or_default()
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| NotifyError::Failed("the recorder was poisoned".into()))?;
        if let Some(error) = &state.failing {
            return Err(error.clone());
        }
        state.shown.push(notification.clone());
        Ok(())
    }
}
