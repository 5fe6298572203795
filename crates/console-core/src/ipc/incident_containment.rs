//! What the incident page's "Containment actions" card exchanges with the console: the
//! subscriptions of the incident's scope with the action allowed on each now, and the request
//! to disable or enable one with a step-up code.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::incident::IncidentStatus;

/// What can be done to a subscription from an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ContainmentAction {
    /// Stop Hook0 delivering to it (Containment, Eradication, Recovery).
    Disable,
    /// Let Hook0 deliver to it again (Recovery only).
    Enable,
}

/// One subscription of the incident's scope, as the cache knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ContainmentSubscription {
    /// The subscription.
    pub subscription_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// The application's name, when synced.
    pub application_name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// HTTP method of its target.
    pub target_method: Option<String>,
    /// Where it delivers.
    pub target_url: Option<String>,
    /// Whether Hook0 delivers to it; `null` when the cache has not synced its details.
    pub is_enabled: Option<bool>,
    /// Deleted in Hook0.
    pub deleted: bool,
    /// What may be done to it now, if anything.
    pub action: Option<ContainmentAction>,
    /// Why nothing may be done to it now (absent when `action` is set).
    pub blocked_reason: Option<String>,
}

/// The containment card of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentContainmentView {
    /// The incident.
    pub incident_id: Uuid,
    /// Where it stands (decides what is allowed).
    pub status: IncidentStatus,
    /// The rule of the current phase, for the operator.
    pub rule: String,
    /// The scope's subscriptions the cache knows; scope ids it has never seen are in
    /// `unknown_subscription_ids`.
    pub subscriptions: Vec<ContainmentSubscription>,
    /// Subscriptions the scope names that the cache has never seen (sync first).
    pub unknown_subscription_ids: Vec<Uuid>,
}

/// Disabling or enabling one subscription from an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubscriptionContainmentRequest {
    /// The incident the action is taken for.
    pub incident_id: Uuid,
    /// The subscription.
    pub subscription_id: Uuid,
    /// The state wanted: `false` disables, `true` enables.
    pub enabled: bool,
    /// A fresh code from the authenticator (step-up).
    pub code: String,
}
