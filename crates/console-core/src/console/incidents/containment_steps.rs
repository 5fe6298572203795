//! The steps of a containment action, shared by the window ([`Console`](crate::Console)) and
//! the command line: the phase rules, the choice of the subscription within the scope, what
//! the step-up code approves, the read-then-`PUT` in Hook0, and the timeline entry.

use serde::Serialize;
use uuid::Uuid;

use crate::api::{ApiClient, Subscription};
use crate::error::{ErrorCode, ErrorDto};
use crate::gate::{ActionDigest, GuardedAction};
use crate::incident::{EntryKind, Incident, IncidentStatus, NewEntry};
use crate::ipc::{ContainmentAction, ContainmentSubscription, IncidentContainmentView};
use crate::query::ScopeSubscription;

/// Why a containment action was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainmentError {
    /// A closed incident is a record.
    #[error("incident {0} is closed and can no longer be changed")]
    Closed(Uuid),
    /// The incident's phase does not allow this action.
    #[error(
        "cannot {} a subscription while the incident is in {status}: {}",
        verb(*.action),
        containment_rule(*.status)
    )]
    PhaseForbids {
        /// What was asked.
        action: ContainmentAction,
        /// Where the incident stands.
        status: IncidentStatus,
    },
    /// The subscription is not in the incident's scope.
    #[error(
        "subscription {0} is not in the incident's scope: add it, or its application, to the \
         scope first"
    )]
    OutOfScope(Uuid),
    /// The scope names it, but the cache has never seen it: its application is unknown.
    #[error("subscription {0} is not in the cache yet: sync the profile first")]
    NotCached(Uuid),
    /// Hook0 deleted it.
    #[error("subscription {0} was deleted in Hook0: there is nothing to disable or enable")]
    Deleted(Uuid),
    /// Hook0 already holds the state asked for.
    #[error(
        "subscription {id} is already {} in Hook0",
        if *.enabled { "enabled" } else { "disabled" }
    )]
    AlreadyInState {
        /// The subscription.
        id: Uuid,
        /// Its state.
        enabled: bool,
    },
}

impl From<ContainmentError> for ErrorDto {
    fn from(error: ContainmentError) -> Self {
        let code = match error {
            ContainmentError::NotCached(_) => ErrorCode::NotFound,
            _ => ErrorCode::InvalidInput,
        };
        ErrorDto::new(code, error.to_string())
    }
}

fn verb(action: ContainmentAction) -> &'static str {
    match action {
        ContainmentAction::Disable => "disable",
        ContainmentAction::Enable => "re-enable",
    }
}

/// Whether an incident in `status` allows `action` (the rules are in `containment`).
pub fn containment_allowed(status: IncidentStatus, action: ContainmentAction) -> bool {
    use IncidentStatus as S;
    match action {
        ContainmentAction::Disable => {
            matches!(status, S::Containment | S::Eradication | S::Recovery)
        }
        ContainmentAction::Enable => status == S::Recovery,
    }
}

/// The rule of a phase, as the operator reads it.
pub fn containment_rule(status: IncidentStatus) -> &'static str {
    use IncidentStatus as S;
    match status {
        S::Identification => "move on to Containment to disable subscriptions",
        S::Containment | S::Eradication => {
            "subscriptions can be disabled now, and re-enabled in Recovery once the cause is \
             removed"
        }
        S::Recovery => "subscriptions can be re-enabled now, or disabled again if they misbehave",
        S::LessonsLearned | S::Closed => {
            "the response is over: subscriptions are no longer changed from here"
        }
    }
}

/// What a step-up code approves: exactly this subscription into exactly this state, for this
/// incident. Its digest is the approval's, recorded on the timeline and in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApprovedChange {
    /// The incident the action is taken for.
    pub incident_id: Uuid,
    /// The subscription.
    pub subscription_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// The state wanted.
    pub is_enabled: bool,
}

impl ApprovedChange {
    /// The guarded action this change is.
    pub fn action(&self) -> GuardedAction {
        if self.is_enabled {
            GuardedAction::EnableSubscription
        } else {
            GuardedAction::DisableSubscription
        }
    }
}

/// The subscription `subscription_id` of the incident's cached scope, if the incident's phase
/// allows setting it to `enabled` and Hook0 still has it.
pub fn containment_target(
    incident: &Incident,
    cached: Vec<ScopeSubscription>,
    subscription_id: Uuid,
    enabled: bool,
) -> Result<ScopeSubscription, ContainmentError> {
    let action = if enabled {
        ContainmentAction::Enable
    } else {
        ContainmentAction::Disable
    };
    if incident.status == IncidentStatus::Closed {
        return Err(ContainmentError::Closed(incident.id));
    }
    if !containment_allowed(incident.status, action) {
        return Err(ContainmentError::PhaseForbids {
            action,
            status: incident.status,
        });
    }
    match cached.into_iter().find(|s| s.id == subscription_id) {
        Some(target) if target.deleted => Err(ContainmentError::Deleted(subscription_id)),
        Some(target) => Ok(target),
        None if incident.scope.subscription_ids.contains(&subscription_id) => {
            Err(ContainmentError::NotCached(subscription_id))
        }
        None => Err(ContainmentError::OutOfScope(subscription_id)),
    }
}

/// Reads the subscription from Hook0 and `PUT`s it back whole with `is_enabled` set: the
/// subscription as Hook0 now holds it. Refused when Hook0 already holds that state.
pub async fn put_enabled(
    client: &ApiClient,
    target: &ScopeSubscription,
    enabled: bool,
) -> Result<Subscription, ErrorDto> {
    let current = client
        .subscription(target.application_id, target.id)
        .await?;
    if current.subscription.is_enabled == enabled {
        return Err(ContainmentError::AlreadyInState {
            id: target.id,
            enabled,
        }
        .into());
    }
    Ok(client.set_subscription_enabled(&current, enabled).await?)
}

/// The timeline entry of a change that went through: the target by method and URL, and a
/// reference with the ids, the new state and the approval's digest (none where no code was
/// needed, as for the simulated sandbox from the command line).
pub fn action_entry(
    updated: &Subscription,
    target: &ScopeSubscription,
    approval: Option<&ActionDigest>,
) -> NewEntry {
    let action = if updated.is_enabled {
        GuardedAction::EnableSubscription
    } else {
        GuardedAction::DisableSubscription
    };
    NewEntry {
        kind: EntryKind::Action,
        text: timeline_text(updated, target.application_name.as_deref()),
        at: None,
        reference: Some(serde_json::json!({
            "action": action.name(),
            "subscription_id": target.id,
            "application_id": target.application_id,
            "is_enabled": updated.is_enabled,
            "approval_digest": approval.map(ToString::to_string),
        })),
    }
}

/// What the timeline says was done: the target by method and URL, and its description.
fn timeline_text(subscription: &Subscription, application: Option<&str>) -> String {
    let target = format!("{} {}", subscription.target.method, subscription.target.url);
    let name = subscription
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map_or_else(String::new, |d| format!(" “{d}”"));
    let app = application.map_or_else(String::new, |a| format!(" of application “{a}”"));
    if subscription.is_enabled {
        format!(
            "Re-enabled subscription{name} ({target}){app} in Hook0: it receives deliveries \
             again; those failed while it was disabled stay failed."
        )
    } else {
        format!(
            "Disabled subscription{name} ({target}){app} in Hook0: it receives no deliveries, \
             and its unfinished deliveries were failed."
        )
    }
}

/// The containment card of `incident` from its cached scope.
pub fn containment_view(
    incident: &Incident,
    cached: Vec<ScopeSubscription>,
) -> IncidentContainmentView {
    let unknown_subscription_ids = incident
        .scope
        .subscription_ids
        .iter()
        .filter(|id| !cached.iter().any(|s| s.id == **id))
        .copied()
        .collect();
    IncidentContainmentView {
        incident_id: incident.id,
        status: incident.status,
        rule: containment_rule(incident.status).to_owned(),
        subscriptions: cached
            .into_iter()
            .map(|s| containment_row(incident.status, s))
            .collect(),
        unknown_subscription_ids,
    }
}

fn containment_row(status: IncidentStatus, s: ScopeSubscription) -> ContainmentSubscription {
    let wanted = match s.is_enabled {
        Some(true) => Some(ContainmentAction::Disable),
        Some(false) => Some(ContainmentAction::Enable),
        None => None,
    };
    let (action, blocked_reason) = match wanted {
        _ if s.deleted => (None, Some("deleted in Hook0".to_owned())),
        None => (
            None,
            Some("not synced yet: sync the profile first".to_owned()),
        ),
        Some(action) if containment_allowed(status, action) => (Some(action), None),
        Some(action) => (
            None,
            Some(ContainmentError::PhaseForbids { action, status }.to_string()),
        ),
    };
    ContainmentSubscription {
        subscription_id: s.id,
        application_id: s.application_id,
        application_name: s.application_name,
        description: s.description,
        target_method: s.target_method,
        target_url: s.target_url,
        is_enabled: s.is_enabled,
        deleted: s.deleted,
        action,
        blocked_reason,
    }
}
