//! What the dry run answers: the manifest, each event's receivers, the impact on each
//! subscription, and what was left out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::replay::manifest::Manifest;

/// Choices of the operator beyond the selection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PlanOptions {
    /// Keep deliveries that have succeeded since they failed (excluded by default).
    pub include_recovered: bool,
}

/// One event of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlannedEvent {
    /// The event.
    pub event_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// Its event type, when known.
    pub event_type: Option<String>,
    /// Selected deliveries that failed (sorted).
    pub failed_subscriptions: Vec<Uuid>,
    /// Subscriptions that will receive the replay (sorted).
    pub targets: Vec<Uuid>,
    /// Subscriptions that will receive it if the event carries their labels (payload not
    /// cached, so its labels are unknown).
    pub possible_targets: Vec<Uuid>,
}

/// What the replay does to one subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubscriptionImpact {
    /// The subscription.
    pub subscription_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// Its description.
    pub description: Option<String>,
    /// Whether it is enabled (a disabled one receives nothing).
    pub is_enabled: bool,
    /// Replays it will receive.
    pub replays: u64,
    /// Replays it may receive (labels unknown).
    pub possible: u64,
    /// Planned events that failed on it.
    pub failed: u64,
    /// Replays of events it did not fail: duplicates for a healthy target.
    pub healthy_duplicates: u64,
    /// Planned events that failed on it but will not reach it (disabled, or no longer
    /// matching): replaying does not repair those.
    pub failed_not_reached: u64,
}

/// Why a selected event is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Exclusion {
    /// Every selected delivery of it has succeeded since (include them with
    /// [`PlanOptions::include_recovered`]).
    AlreadyDelivered,
    /// None of its selected deliveries failed (still pending, never failed).
    NotFailed,
    /// No enabled subscription matches it now: the replay would send nothing.
    NoMatchingSubscription,
}

/// A selected event left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExcludedEvent {
    /// The event.
    pub event_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// Why.
    pub reason: Exclusion,
}

/// The dry run's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReplayPlan {
    /// What will be sent, to approve.
    pub manifest: Manifest,
    /// The manifest's SHA-256.
    pub sha256: String,
    /// Each planned event with its receivers, in manifest order.
    pub events: Vec<PlannedEvent>,
    /// Per subscription touched (as target or as failed), by application then id.
    pub subscriptions: Vec<SubscriptionImpact>,
    /// Selected events left out.
    pub excluded: Vec<ExcludedEvent>,
    /// Deliveries (event, subscription) the selection matched.
    pub deliveries_selected: u64,
    /// Replays that go to subscriptions which had not failed: the warning to show.
    pub healthy_duplicates: u64,
}
