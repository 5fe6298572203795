//! Containment actions from an incident: disabling a subscription of its scope in Hook0, and
//! enabling it again once the cause is gone.
//!
//! Which phase allows what:
//! - **disable** in Containment, Eradication and Recovery. Containment is where cutting an
//!   endpoint off belongs; Eradication may find a further endpoint to cut off while removing
//!   the cause; and Recovery restores service *under watch*, so an endpoint that misbehaves
//!   again once re-enabled must be cut off at once, without reopening the incident.
//!   Identification is too early (the operator moves on to Containment first, which is what
//!   the metrics' MTTC measures from); Lessons Learned and Closed are past the response.
//! - **enable** in Recovery only: before it the cause is not removed (SANS restores systems
//!   after eradication), after it the response is over.
//!
//! The scope decides which subscriptions: those the incident names, and every subscription of
//! the applications it names. A subscription must be in the cache (synced) for its application
//! to be known.
//!
//! Order of an action: the rules above → a step-up code bound to the incident, subscription,
//! application and target state → the subscription read from Hook0 → the `PUT` with its full
//! body, only `is_enabled` changed. Then, on success only, a timeline entry (kind `Action`)
//! naming the target, an audit record (ids and the approval digest), and the cached
//! subscription updated so the explorer and replay plans agree. A refused or failed `PUT` is
//! audited as failed and leaves the timeline alone.

use serde::Serialize;
use uuid::Uuid;

use super::super::Console;
use super::OPERATOR;
use crate::api::Subscription;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};
use crate::gate::GuardedAction;
use crate::incident::{EntryKind, Incident, IncidentError, IncidentStatus, NewEntry};
use crate::ipc::{
    ContainmentAction, ContainmentSubscription, IncidentContainmentView,
    SubscriptionContainmentRequest,
};
use crate::query::{ScopeSubscription, scope_subscriptions};

/// Why a containment action was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainmentError {
    /// The incident's phase does not allow this action.
    #[error("cannot {} a subscription while the incident is in {status}: {}", verb(*.action), rule(*.status))]
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
    #[error("subscription {id} is already {} in Hook0", if *.enabled { "enabled" } else { "disabled" })]
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

/// Whether an incident in `status` allows `action` (see the module's rules).
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
fn rule(status: IncidentStatus) -> &'static str {
    use IncidentStatus as S;
    match status {
        S::Identification => "move on to Containment to disable subscriptions",
        S::Containment | S::Eradication => {
            "subscriptions can be disabled now, and re-enabled in Recovery once the cause is removed"
        }
        S::Recovery => "subscriptions can be re-enabled now, or disabled again if they misbehave",
        S::LessonsLearned | S::Closed => {
            "the response is over: subscriptions are no longer changed from here"
        }
    }
}

/// What the step-up code approves: exactly this subscription into exactly this state, for
/// this incident.
#[derive(Debug, Serialize)]
struct ApprovedChange {
    incident_id: Uuid,
    subscription_id: Uuid,
    application_id: Uuid,
    is_enabled: bool,
}

impl Console {
    /// The subscriptions of an incident's scope with their state (from the cache) and the
    /// action allowed on each now.
    pub fn incident_containment(
        &self,
        incident_id: Uuid,
    ) -> Result<IncidentContainmentView, ErrorDto> {
        self.unlocked()?;
        let (profile, incident) =
            self.with_incidents(|store, profile| Ok((profile, store.get(incident_id)?)))?;
        let cached = self.scope_of(profile, &incident)?;
        let unknown_subscription_ids = incident
            .scope
            .subscription_ids
            .iter()
            .filter(|id| !cached.iter().any(|s| s.id == **id))
            .copied()
            .collect();
        let subscriptions = cached
            .into_iter()
            .map(|s| containment_row(incident.status, s))
            .collect();
        Ok(IncidentContainmentView {
            incident_id,
            status: incident.status,
            rule: rule(incident.status).to_owned(),
            subscriptions,
            unknown_subscription_ids,
        })
    }

    /// Disables (or enables) a subscription of the incident's scope in Hook0, after a step-up
    /// code; recorded on the timeline and in the audit log. See the module for the rules.
    pub async fn incident_set_subscription_enabled(
        &self,
        request: SubscriptionContainmentRequest,
    ) -> Result<IncidentContainmentView, ErrorDto> {
        self.unlocked()?;
        let SubscriptionContainmentRequest {
            incident_id,
            subscription_id,
            enabled,
            code,
        } = request;
        let action = if enabled {
            ContainmentAction::Enable
        } else {
            ContainmentAction::Disable
        };
        let (profile, incident) =
            self.with_incidents(|store, profile| Ok((profile, store.get(incident_id)?)))?;
        if incident.status == IncidentStatus::Closed {
            return Err(IncidentError::Closed(incident_id).into());
        }
        if !containment_allowed(incident.status, action) {
            return Err(ContainmentError::PhaseForbids {
                action,
                status: incident.status,
            }
            .into());
        }
        let target = self
            .scope_of(profile, &incident)?
            .into_iter()
            .find(|s| s.id == subscription_id);
        let target = match target {
            Some(target) if target.deleted => {
                return Err(ContainmentError::Deleted(subscription_id).into());
            }
            Some(target) => target,
            None if incident.scope.subscription_ids.contains(&subscription_id) => {
                return Err(ContainmentError::NotCached(subscription_id).into());
            }
            None => return Err(ContainmentError::OutOfScope(subscription_id).into()),
        };
        let application_id = target.application_id;
        let guarded = if enabled {
            GuardedAction::EnableSubscription
        } else {
            GuardedAction::DisableSubscription
        };
        let change = ApprovedChange {
            incident_id,
            subscription_id,
            application_id,
            is_enabled: enabled,
        };
        let approval = self.step_up(guarded, &change, &code)?;

        let client = self.client(profile)?;
        let outcome = async {
            let current = client.subscription(application_id, subscription_id).await?;
            if current.subscription.is_enabled == enabled {
                return Err(ErrorDto::from(ContainmentError::AlreadyInState {
                    id: subscription_id,
                    enabled,
                }));
            }
            Ok(client.set_subscription_enabled(&current, enabled).await?)
        }
        .await;
        let audit_action = if enabled {
            AuditAction::SubscriptionEnabled
        } else {
            AuditAction::SubscriptionDisabled
        };
        let record = |outcome| {
            AuditEntry::operator(audit_action, outcome)
                .with_targets([
                    profile.to_string(),
                    incident_id.to_string(),
                    subscription_id.to_string(),
                    application_id.to_string(),
                ])
                .params(*approval.digest.as_bytes())
        };
        let updated = match outcome {
            Ok(updated) => updated,
            Err(error) => {
                self.audit(record(AuditOutcome::Failed))?;
                return Err(error);
            }
        };

        let now = self.incident_now()?;
        let entry = NewEntry {
            kind: EntryKind::Action,
            text: timeline_text(&updated, target.application_name.as_deref()),
            at: None,
            reference: Some(serde_json::json!({
                "action": guarded.name(),
                "subscription_id": subscription_id,
                "application_id": application_id,
                "is_enabled": updated.is_enabled,
                "approval_digest": approval.digest.to_string(),
            })),
        };
        let written = self
            .with_incidents(|store, _| store.add_entry(incident_id, &entry, OPERATOR, now))
            .map(|_| ());
        self.audit(record(AuditOutcome::Succeeded))?;
        // Hook0 holds the new state whatever the cache says; the next sync would repair a
        // cache that could not be written, so that failure is only logged.
        if let Err(error) = self.cache_subscription(profile, &updated) {
            tracing::warn!(code = ?error.code, "the cached subscription could not be updated");
        }
        written?;
        self.incident_containment(incident_id)
    }

    /// The cached subscriptions of an incident's scope.
    fn scope_of(
        &self,
        profile: Uuid,
        incident: &Incident,
    ) -> Result<Vec<ScopeSubscription>, ErrorDto> {
        let scope = &incident.scope;
        if scope.subscription_ids.is_empty() && scope.application_ids.is_empty() {
            return Ok(Vec::new());
        }
        self.with_reader_of(profile, |reader| {
            scope_subscriptions(
                reader.conn(),
                &scope.subscription_ids,
                &scope.application_ids,
            )
        })
    }

    /// Writes the subscription as Hook0 now holds it into the profile's cache, as a sync would.
    fn cache_subscription(
        &self,
        profile: Uuid,
        subscription: &Subscription,
    ) -> Result<(), ErrorDto> {
        let mut cache = self.open_cache(profile)?;
        let mut ingest = cache.ingest().map_err(|e| e.to_dto())?;
        ingest.subscription(subscription).map_err(|e| e.to_dto())?;
        ingest.commit().map_err(|e| e.to_dto())?;
        drop(cache);
        self.emit_cache_changed(profile);
        Ok(())
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
