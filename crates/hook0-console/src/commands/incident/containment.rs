//! `incident containment`, `incident disable-subscription`, `incident enable-subscription`:
//! the window's containment actions from the command line, with the same rules and records —
//! the phase allows the action, the subscription is in the incident's scope (as the profile's
//! cache knows it), a saved profile needs a fresh code (`--approve-code`), Hook0 gets the
//! subscription's full body back with only `is_enabled` changed, and what went through is on
//! the timeline and in the audit log (ids and the approval digest), the cache updated.

use chrono::Utc;
use console_core::api::ClientSettings;
use console_core::audit::AuditOutcome;
use console_core::console::{
    ApprovedChange, action_entry, containment_audit_action, containment_target, containment_view,
    put_enabled,
};
use console_core::incident::Incident;
use console_core::ipc::IncidentContainmentView;
use console_core::query::{ScopeSubscription, scope_subscriptions};
use uuid::Uuid;

use super::{OPERATOR, Records};
use crate::output;

#[derive(Debug, clap::Args)]
pub struct ViewArgs {
    /// The incident id.
    id: Uuid,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The incident id.
    id: Uuid,
    /// The subscription, in the incident's scope.
    subscription: Uuid,
    /// A fresh authenticator code approving exactly this change (saved profiles: the next
    /// code after the one given to --totp, which unlocked the vault).
    #[arg(long)]
    approve_code: Option<String>,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

/// Prints the scope's subscriptions with the action allowed on each now.
pub fn view(records: &mut Records, args: ViewArgs) -> anyhow::Result<()> {
    let incident = records.store.get(args.id)?;
    let cached = scope_of(records, &incident)?;
    print(&containment_view(&incident, cached), args.json)
}

/// Disables (`enabled` false) or enables a subscription of the incident's scope in Hook0.
pub async fn set(records: &mut Records, args: SetArgs, enabled: bool) -> anyhow::Result<()> {
    let incident = records.store.get(args.id)?;
    let cached = scope_of(records, &incident)?;
    let target = containment_target(&incident, cached, args.subscription, enabled)?;
    let change = ApprovedChange {
        incident_id: incident.id,
        subscription_id: target.id,
        application_id: target.application_id,
        is_enabled: enabled,
    };
    let approval =
        records
            .target
            .approve(change.action(), &change, args.approve_code.as_deref())?;
    let digest = approval.as_ref().map(|a| &a.digest);
    let ids = [
        incident.id.to_string(),
        target.id.to_string(),
        target.application_id.to_string(),
    ];
    let params = digest.map(|d| *d.as_bytes());

    // Kept alive until the change is made: for the sandbox profile, the server itself.
    let (client, _sandbox) = records.target.client(ClientSettings::default()).await?;
    let updated = match put_enabled(&client, &target, enabled).await {
        Ok(updated) => updated,
        Err(error) => {
            records.target.audit(
                containment_audit_action(enabled),
                AuditOutcome::Failed,
                &ids,
                params,
            )?;
            return Err(error.into());
        }
    };
    let entry = action_entry(&updated, &target, digest);
    records
        .store
        .add_entry(incident.id, &entry, OPERATOR, Utc::now())?;
    records.target.audit(
        containment_audit_action(enabled),
        AuditOutcome::Succeeded,
        &ids,
        params,
    )?;
    let mut cache = records.target.open_cache()?;
    let mut ingest = cache.ingest()?;
    ingest.subscription(&updated)?;
    ingest.commit()?;
    drop(cache);

    let incident = records.store.get(args.id)?;
    let cached = scope_of(records, &incident)?;
    print(&containment_view(&incident, cached), args.json)
}

fn scope_of(records: &Records, incident: &Incident) -> anyhow::Result<Vec<ScopeSubscription>> {
    let scope = &incident.scope;
    if scope.subscription_ids.is_empty() && scope.application_ids.is_empty() {
        return Ok(Vec::new());
    }
    let cache = records.target.open_cache()?;
    Ok(scope_subscriptions(
        cache.conn(),
        &scope.subscription_ids,
        &scope.application_ids,
    )?)
}

fn print(view: &IncidentContainmentView, json: bool) -> anyhow::Result<()> {
    if output::wants_json(json) {
        return output::json_line(view);
    }
    println!("{} — {}", view.status.as_str(), view.rule);
    for row in &view.subscriptions {
        let state = match (row.deleted, row.is_enabled) {
            (true, _) => "deleted",
            (false, Some(true)) => "enabled",
            (false, Some(false)) => "disabled",
            (false, None) => "unknown",
        };
        let allowed = match row.action {
            Some(action) => format!("{action:?}").to_lowercase(),
            None => format!("— {}", row.blocked_reason.clone().unwrap_or_default()),
        };
        println!(
            "{}  {:<8}  {} {}  {}",
            row.subscription_id,
            state,
            row.target_method.as_deref().unwrap_or("?"),
            output::cell(row.target_url.as_deref().unwrap_or("?"), 48),
            allowed
        );
    }
    for id in &view.unknown_subscription_ids {
        println!("{id}  not in the cache yet: sync the profile first");
    }
    Ok(())
}
