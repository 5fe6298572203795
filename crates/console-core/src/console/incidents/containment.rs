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

use uuid::Uuid;

use super::super::Console;
use super::OPERATOR;
use super::containment_steps::{
    ApprovedChange, action_entry, containment_target, containment_view, put_enabled,
};
use crate::api::Subscription;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::ErrorDto;
use crate::incident::Incident;
use crate::ipc::{IncidentContainmentView, SubscriptionContainmentRequest};
use crate::query::{ScopeSubscription, scope_subscriptions};

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
        Ok(containment_view(&incident, cached))
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
        let (profile, incident) =
            self.with_incidents(|store, profile| Ok((profile, store.get(incident_id)?)))?;
        let cached = self.scope_of(profile, &incident)?;
        let target = containment_target(&incident, cached, subscription_id, enabled)?;
        let change = ApprovedChange {
            incident_id,
            subscription_id,
            application_id: target.application_id,
            is_enabled: enabled,
        };
        let approval = self.step_up(change.action(), &change, &code)?;

        let client = self.client(profile)?;
        let outcome = put_enabled(&client, &target, enabled).await;
        let record = |outcome| {
            AuditEntry::operator(audit_action(enabled), outcome)
                .with_targets([
                    profile.to_string(),
                    incident_id.to_string(),
                    subscription_id.to_string(),
                    target.application_id.to_string(),
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
        let entry = action_entry(&updated, &target, Some(&approval.digest));
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

/// The audit action of setting a subscription to `enabled`.
pub fn audit_action(enabled: bool) -> AuditAction {
    if enabled {
        AuditAction::SubscriptionEnabled
    } else {
        AuditAction::SubscriptionDisabled
    }
}
