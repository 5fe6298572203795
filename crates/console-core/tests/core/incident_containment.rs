//! Containment actions from an incident against the real sandbox: a subscription of the scope
//! disabled with a step-up code (its every other field kept, its unfinished deliveries
//! failed), re-enabled only in Recovery, refused outside the scope or with a wrong code (then
//! nothing is sent), and with the API gone a typed failure that the timeline does not show.
//! Each action is on the timeline and in the audit log, which holds ids only.

use console_core::audit::{AuditAction, AuditFilter, AuditOutcome, AuditRecord};
use console_core::gate::Clock as _;
use console_core::incident::{
    EntryKind, IncidentKind, IncidentStatus, NewIncident, Roles, Scope, Severity,
};
use console_core::ipc::{
    ContainmentAction, IncidentAdvanceRequest, IncidentContainmentView,
    SubscriptionContainmentRequest,
};
use console_core::{Console, ErrorCode};
use serde_json::Value;
use uuid::Uuid;

use crate::api_support::{client_with, fast_settings};
use crate::replay_console::{Setup, setup};

fn change(
    incident: Uuid,
    subscription: Uuid,
    enabled: bool,
    code: String,
) -> SubscriptionContainmentRequest {
    SubscriptionContainmentRequest {
        incident_id: incident,
        subscription_id: subscription,
        enabled,
        code,
    }
}

/// The subscription as the sandbox holds it.
async fn upstream(s: &Setup, app: Uuid, sub: Uuid) -> anyhow::Result<Value> {
    let client = client_with(&s.sandbox, fast_settings())?;
    Ok(client
        .get_json(
            &format!("subscriptions/{sub}"),
            &[("application_id", app.to_string())],
        )
        .await?)
}

/// The subscription's attempts as the sandbox lists them (the newest page), by status type.
async fn attempt_statuses(
    s: &Setup,
    app: Uuid,
    sub: Uuid,
) -> anyhow::Result<Vec<(String, String)>> {
    let client = client_with(&s.sandbox, fast_settings())?;
    let rows: Vec<Value> = client
        .get_json(
            "request_attempts",
            &[
                ("application_id", app.to_string()),
                ("subscription_id", sub.to_string()),
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r["request_attempt_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                r["status"]["type"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

fn unfinished(statuses: &[(String, String)]) -> Vec<String> {
    statuses
        .iter()
        .filter(|(_, t)| matches!(t.as_str(), "waiting" | "pending" | "in_progress"))
        .map(|(id, _)| id.clone())
        .collect()
}

fn without_updated_at(mut v: Value) -> Value {
    if let Some(map) = v.as_object_mut() {
        map.remove("updated_at");
        map.remove("is_enabled");
    }
    v
}

fn advance(console: &Console, incident: Uuid) -> anyhow::Result<IncidentStatus> {
    Ok(console
        .incident_advance(IncidentAdvanceRequest {
            incident_id: incident,
            reason: Some("moving on for the test".into()),
        })?
        .incident
        .status)
}

fn records(console: &Console, action: AuditAction) -> anyhow::Result<Vec<AuditRecord>> {
    Ok(console
        .audit_list(AuditFilter {
            actions: Some(vec![action]),
            limit: Some(500),
            ..AuditFilter::default()
        })?
        .records)
}

fn row(
    view: &IncidentContainmentView,
    sub: Uuid,
) -> anyhow::Result<&console_core::ipc::ContainmentSubscription> {
    view.subscriptions
        .iter()
        .find(|r| r.subscription_id == sub)
        .ok_or_else(|| anyhow::anyhow!("{sub} is listed"))
}

fn actions_on_timeline(console: &Console, incident: Uuid) -> anyhow::Result<Vec<Value>> {
    Ok(console
        .incident(incident)?
        .timeline
        .into_iter()
        .filter(|e| e.kind == EntryKind::Action)
        .filter_map(|e| e.reference)
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containment_disables_in_scope_and_re_enables_only_in_recovery() -> anyhow::Result<()> {
    let s = setup().await?;
    let (app, _) = s.sandbox.applications()[0].clone();
    let (other_app, _) = s.sandbox.applications()[1].clone();
    let sub = s.dead()[0];
    let outside = s.dead()[1];
    let console = &s.console;
    let view = console.incident_create(NewIncident {
        title: "Failing endpoint".into(),
        kind: IncidentKind::DeliveryOutage,
        severity: Severity::Sev2,
        template_id: "delivery-outage".into(),
        roles: Roles::default(),
        scope: Scope {
            subscription_ids: vec![sub],
            ..Scope::default()
        },
        detected_at: Some(s.gate.clock.now()),
        impact_started_at: None,
    })?;
    let id = view.incident.id;

    // Identification: listed, enabled, nothing allowed yet; asking is refused before a code.
    let card = console.incident_containment(id)?;
    assert_eq!(card.subscriptions.len(), 1, "the scope's one subscription");
    let listed = row(&card, sub)?;
    assert_eq!(listed.is_enabled, Some(true));
    assert_eq!(listed.action, None);
    assert!(listed.blocked_reason.is_some());
    let early = console
        .incident_set_subscription_enabled(change(id, sub, false, s.next_code()))
        .await;
    assert_eq!(
        early.map_err(|e| e.code).err(),
        Some(ErrorCode::InvalidInput)
    );

    assert_eq!(advance(console, id)?, IncidentStatus::Containment);
    let card = console.incident_containment(id)?;
    assert_eq!(row(&card, sub)?.action, Some(ContainmentAction::Disable));

    // Metadata and target headers that a body without them would erase.
    let mut body = upstream(&s, app, sub).await?;
    body["metadata"] = serde_json::json!({ "owner": "payments", "ticket": "OPS-7" });
    body["target"]["headers"] = serde_json::json!({ "x-team": "billing" });
    for read_only in [
        "subscription_id",
        "secret",
        "created_at",
        "updated_at",
        "label_key",
        "label_value",
        "dedicated_workers",
    ] {
        body.as_object_mut().map(|m| m.remove(read_only));
    }
    client_with(&s.sandbox, fast_settings())?
        .put(&format!("subscriptions/{sub}"), &body)
        .await?;
    let before = upstream(&s, app, sub).await?;
    assert_eq!(before["is_enabled"], true);
    assert_eq!(before["metadata"]["ticket"], "OPS-7");
    assert_eq!(before["target"]["headers"]["x-team"], "billing");
    let open_before = unfinished(&attempt_statuses(&s, app, sub).await?);
    assert!(
        !open_before.is_empty(),
        "the dead subscription has deliveries waiting for a retry"
    );

    // A wrong code: refused, nothing sent.
    let wrong = console
        .incident_set_subscription_enabled(change(id, sub, false, "000000".into()))
        .await;
    assert_eq!(wrong.map_err(|e| e.code).err(), Some(ErrorCode::WrongCode));
    assert_eq!(upstream(&s, app, sub).await?, before, "nothing was sent");

    // Outside the scope: refused.
    let foreign = console
        .incident_set_subscription_enabled(change(id, outside, false, s.next_code()))
        .await;
    assert_eq!(
        foreign.map_err(|e| e.code).err(),
        Some(ErrorCode::InvalidInput)
    );
    assert_eq!(upstream(&s, other_app, outside).await?["is_enabled"], true);

    // Disabled with a code: only is_enabled changed upstream, open deliveries failed.
    let card = console
        .incident_set_subscription_enabled(change(id, sub, false, s.next_code()))
        .await?;
    let after = upstream(&s, app, sub).await?;
    assert_eq!(after["is_enabled"], false);
    assert_eq!(
        without_updated_at(after.clone()),
        without_updated_at(before.clone()),
        "every other field is kept by the full-body PUT"
    );
    let statuses = attempt_statuses(&s, app, sub).await?;
    assert!(
        unfinished(&statuses).is_empty(),
        "no delivery left open: {statuses:?}"
    );
    for open in &open_before {
        assert!(
            statuses.iter().any(|(i, t)| i == open && t == "failed"),
            "{open} was failed by the disabling"
        );
    }
    // The cache (what the card and replay plans read) agrees; re-enabling is not offered yet.
    let disabled = row(&card, sub)?;
    assert_eq!(disabled.is_enabled, Some(false));
    assert_eq!(disabled.action, None, "re-enabling waits for Recovery");

    let entries = actions_on_timeline(console, id)?;
    assert_eq!(entries.len(), 1, "one action on the timeline: {entries:?}");
    assert_eq!(entries[0]["subscription_id"], sub.to_string());
    assert_eq!(entries[0]["application_id"], app.to_string());
    assert_eq!(entries[0]["is_enabled"], false);
    assert_eq!(
        entries[0]["approval_digest"].as_str().map(str::len),
        Some(64)
    );
    let text = console
        .incident(id)?
        .timeline
        .into_iter()
        .find(|e| e.kind == EntryKind::Action)
        .map(|e| e.text)
        .unwrap_or_default();
    let url = before["target"]["url"].as_str().unwrap_or("?").to_owned();
    assert!(text.contains(&url), "the timeline names the target: {text}");

    // Re-enabling in Containment is refused, and nothing is sent.
    let too_soon = console
        .incident_set_subscription_enabled(change(id, sub, true, s.next_code()))
        .await;
    assert_eq!(
        too_soon.map_err(|e| e.code).err(),
        Some(ErrorCode::InvalidInput)
    );
    assert_eq!(upstream(&s, app, sub).await?["is_enabled"], false);

    assert_eq!(advance(console, id)?, IncidentStatus::Eradication);
    assert_eq!(advance(console, id)?, IncidentStatus::Recovery);
    assert_eq!(
        row(&console.incident_containment(id)?, sub)?.action,
        Some(ContainmentAction::Enable)
    );
    let card = console
        .incident_set_subscription_enabled(change(id, sub, true, s.next_code()))
        .await?;
    assert_eq!(row(&card, sub)?.is_enabled, Some(true));
    let back = upstream(&s, app, sub).await?;
    assert_eq!(back["is_enabled"], true);
    assert_eq!(without_updated_at(back), without_updated_at(before.clone()));
    let entries = actions_on_timeline(console, id)?;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["is_enabled"], true);

    // Audited with ids and the approval digest; never the target URL.
    let disabled = records(console, AuditAction::SubscriptionDisabled)?;
    let enabled = records(console, AuditAction::SubscriptionEnabled)?;
    assert_eq!(disabled.len(), 1);
    assert_eq!(enabled.len(), 1);
    for record in disabled.iter().chain(&enabled) {
        assert_eq!(record.outcome, AuditOutcome::Succeeded);
        assert!(record.targets.contains(&sub.to_string()));
        assert!(record.targets.contains(&id.to_string()));
        assert!(record.params_hash.is_some(), "the approval digest");
    }
    assert_eq!(
        disabled[0].params_hash.as_deref(),
        entries[0]["approval_digest"].as_str()
    );
    let audit_bytes = std::fs::read(s.dir.path().join("audit.db"))?;
    assert!(
        !audit_bytes.windows(url.len()).any(|w| w == url.as_bytes()),
        "the audit log holds no target URL"
    );

    // The API gone: a typed failure, audited as failed, nothing on the timeline.
    let Setup {
        sandbox,
        console,
        gate,
        ..
    } = s;
    sandbox.shutdown().await;
    gate.clock.advance(chrono::Duration::seconds(30));
    let code = crate::gate_support::code_at(&gate.secret, gate.clock.now());
    let offline = console
        .incident_set_subscription_enabled(change(id, sub, false, code))
        .await;
    assert_eq!(
        offline.map_err(|e| e.code).err(),
        Some(ErrorCode::Unreachable)
    );
    assert_eq!(
        actions_on_timeline(&console, id)?.len(),
        2,
        "no entry for a failure"
    );
    let failed = records(&console, AuditAction::SubscriptionDisabled)?;
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().any(|r| r.outcome == AuditOutcome::Failed));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_in_scope_brings_its_subscriptions_and_closed_incidents_refuse()
-> anyhow::Result<()> {
    let s = setup().await?;
    let (app, _) = s.sandbox.applications()[0].clone();
    let subs = s.sandbox.control().subscriptions(app);
    let console = &s.console;
    let view = console.incident_create(NewIncident {
        title: "Whole application".into(),
        kind: IncidentKind::CompromisedEndpoint,
        severity: Severity::Sev1,
        template_id: "compromised-endpoint".into(),
        roles: Roles::default(),
        scope: Scope {
            application_ids: vec![app],
            subscription_ids: vec![Uuid::new_v4()],
            ..Scope::default()
        },
        detected_at: Some(s.gate.clock.now()),
        impact_started_at: None,
    })?;
    let id = view.incident.id;
    let card = console.incident_containment(id)?;
    assert_eq!(
        card.subscriptions.len(),
        subs.len(),
        "every subscription of the app"
    );
    assert!(card.subscriptions.iter().all(|r| r.application_id == app));
    assert_eq!(
        card.unknown_subscription_ids.len(),
        1,
        "the id never synced"
    );
    assert_eq!(advance(console, id)?, IncidentStatus::Containment);
    let never_synced = console
        .incident_set_subscription_enabled(change(
            id,
            card.unknown_subscription_ids[0],
            false,
            s.next_code(),
        ))
        .await;
    assert_eq!(
        never_synced.map_err(|e| e.code).err(),
        Some(ErrorCode::NotFound)
    );

    for _ in 0..4 {
        advance(console, id)?;
    }
    assert_eq!(
        console.incident(id)?.incident.status,
        IncidentStatus::Closed
    );
    let closed = console
        .incident_set_subscription_enabled(change(id, subs[0].id, false, s.next_code()))
        .await;
    assert_eq!(
        closed.map_err(|e| e.code).err(),
        Some(ErrorCode::InvalidInput)
    );
    assert!(
        console
            .incident_containment(id)?
            .subscriptions
            .iter()
            .all(|r| r.action.is_none()),
        "nothing is offered on a closed incident"
    );
    Ok(())
}
