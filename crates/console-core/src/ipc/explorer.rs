//! What the deliveries explorer and the failures overview exchange with the console: the
//! active profile's cache, queried offline, and the state of its sync.
//!
//! Queries answer from the cache only, so they work with the network unplugged; the one call
//! that goes online on purpose is fetching a delivery's missing payload or response.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::error::ErrorDto;
use crate::sync::Progress;

/// Where the active profile's sync stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Not syncing.
    Idle,
    /// Syncing; the last progress report.
    Running {
        /// Stage, counts, rate and estimate.
        progress: Option<Progress>,
    },
}

/// The sync and connectivity state of the active profile, for the progress bar and the
/// offline banner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// The profile.
    pub profile_id: Uuid,
    /// Running or idle.
    pub sync: SyncState,
    /// RFC 3339 time the last sync of this profile completed.
    pub last_synced_at: Option<String>,
    /// Why the last sync stopped, when it did not complete.
    pub last_error: Option<ErrorDto>,
    /// The API could not be reached at the last attempt: the explorer shows the cache as of
    /// `last_synced_at`.
    pub offline: bool,
    /// Minutes between automatic syncs of this profile; absent: manual only.
    pub auto_sync_minutes: Option<u32>,
}

/// Sent with the `cache-changed` event whenever a sync commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CacheChanged {
    /// The profile whose cache changed.
    pub profile_id: Uuid,
}

/// A failure spike found after a sync: shown by the OS, or in the window when the OS could
/// not show it. Counts and names only — never payload data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SpikeAlert {
    /// The profile.
    pub profile_id: Uuid,
    /// The subscription whose failures spiked.
    pub subscription_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// The first failed attempt of the recent window (the spike's first signal).
    pub first_failure_at: DateTime<Utc>,
    /// Its description, or its target URL.
    pub subscription: String,
    /// Failed attempts in the recent window.
    pub failures: u32,
    /// Attempts in the recent window.
    pub attempts: u32,
    /// Length of the recent window, in minutes.
    pub window_minutes: u32,
    /// Failures per window in the baseline before it.
    pub baseline_failures: f64,
    /// Whether the OS showed it (otherwise the window shows a banner).
    pub shown_by_os: bool,
}

/// Notification settings of the active profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NotificationSettings {
    /// The profile.
    pub profile_id: Uuid,
    /// No failure-spike notifications for this profile at all.
    pub muted: bool,
    /// Subscriptions whose spikes are not notified.
    pub muted_subscriptions: Vec<Uuid>,
    /// No incident reminders (overdue checklist items, approaching deadlines) for this
    /// profile.
    pub incident_reminders_muted: bool,
}

/// Sent with `open-deliveries` when the operator clicks a failure-spike notification: the
/// window shows that subscription's failed deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenDeliveries {
    /// The profile the spike belongs to.
    pub profile_id: Uuid,
    /// The subscription whose deliveries to show.
    pub subscription_id: Uuid,
}

/// A click on a replay's notification: the window opens the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenReplayJob {
    /// The profile whose cache holds the job.
    pub profile_id: Uuid,
    /// The job.
    pub job_id: Uuid,
}

/// A click on an incident reminder: the window opens the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenIncident {
    /// The profile whose records hold the incident.
    pub profile_id: Uuid,
    /// The incident.
    pub incident_id: Uuid,
}
