//! Incident signals through the console: reminders of overdue items and deadlines reach the
//! notifier once per threshold — across a restart, never while muted, without keeping the
//! console awake — and each sync that brings deliveries in an incident's scope leaves one
//! entry on its timeline.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use console_core::Console;
use console_core::audit::{AuditAction, AuditFilter};
use console_core::gate::Clock as _;
use console_core::incident::{EntryKind, IncidentKind, NewIncident, Phase, Roles, Scope, Severity};
use console_core::ipc::{IncidentTickRequest, LockState, SyncState};
use console_core::notify::{Notification, Opens, RecordingNotifier};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use uuid::Uuid;

use crate::api_support::{fast_settings, start};
use crate::gate_support::{Gated, PASSPHRASE};
use crate::incident_console::remote;

const TITLE: &str = "Payloads of Zyxwvut Corp sent to a stranger";

fn declared(kind: IncidentKind, template: &str, scope: Scope) -> NewIncident {
    NewIncident {
        title: TITLE.into(),
        kind,
        severity: Severity::Sev1,
        template_id: template.into(),
        roles: Roles::default(),
        scope,
        detected_at: None,
        impact_started_at: None,
    }
}

fn titles(shown: &[Notification]) -> Vec<String> {
    shown.iter().map(|n| n.title.clone()).collect()
}

/// Moves the clock on by `by` (the idle lock falls meanwhile) and unlocks again.
fn later(gated: &Gated, by: Duration) -> anyhow::Result<()> {
    gated.clock.advance(by);
    gated.console.lock()?;
    gated.unlock(PASSPHRASE, &gated.next_code())?;
    Ok(())
}

/// A fresh recorder on the console (after a restart, the console is a new value).
fn recorder(console: &Console) -> anyhow::Result<Arc<RecordingNotifier>> {
    let notifier = Arc::new(RecordingNotifier::new());
    console.set_notifier(notifier.clone())?;
    Ok(notifier)
}

#[tokio::test]
async fn a_reminder_is_shown_once_per_threshold_even_across_a_restart() -> anyhow::Result<()> {
    let mut gated = Gated::enrolled();
    remote(&gated).await?;
    let t0 = gated.clock.now();
    // Aware 49 hours ago: the Art. 33 deadline falls in 23 hours.
    let mut new = declared(
        IncidentKind::DataExposure,
        "data-exposure",
        Scope::default(),
    );
    new.detected_at = Some(t0 - Duration::hours(49));
    let incident = gated.console.incident_create(new)?.incident.id;
    let notifier = recorder(&gated.console)?;

    // Two items carry the deadline (notify; or notify in phases): one reminder each.
    let shown = gated.console.remind_incidents()?;
    assert_eq!(
        shown,
        notifier.shown(),
        "what is returned is what was shown"
    );
    assert_eq!(
        titles(&shown),
        [
            "SEV1 incident: GDPR Art. 33 notification to the supervisory authority — 23 h left",
            "SEV1 incident: GDPR Art. 33 notification to the supervisory authority — 23 h left",
        ]
    );
    for n in &shown {
        assert_eq!(
            n.opens,
            Opens::Incident {
                incident_id: incident
            }
        );
        assert!(
            !n.title.contains("Zyxwvut") && !n.body.contains("Zyxwvut"),
            "the title stays off the lock screen: {n:?}"
        );
        assert!(n.body.ends_with("— Production"), "{}", n.body);
    }
    assert!(
        gated.console.remind_incidents()?.is_empty(),
        "the same threshold is not shown twice"
    );

    // The first identification item was due an hour after the declaration.
    later(&gated, Duration::minutes(61))?;
    let shown = gated.console.remind_incidents()?;
    assert_eq!(titles(&shown), ["SEV1 incident: checklist item overdue"]);
    assert!(
        shown[0]
            .body
            .starts_with("“Inform the data protection officer (DPO)"),
        "{}",
        shown[0].body
    );
    assert!(
        shown[0].body.contains("was due 1 min ago (identification)"),
        "{}",
        shown[0].body
    );

    // A restart: the records remember what was shown.
    gated.restart();
    gated.unlock(PASSPHRASE, &gated.next_code())?;
    let notifier = recorder(&gated.console)?;
    assert!(
        gated.console.remind_incidents()?.is_empty(),
        "nothing is shown again after a restart"
    );
    assert!(notifier.shown().is_empty());

    // An hour and a half before the deadline: the last call for both items, and the items due
    // after 4 and 8 hours are overdue now.
    gated
        .clock
        .set(t0 + Duration::hours(23) - Duration::minutes(90));
    later(&gated, Duration::zero())?;
    let shown = gated.console.remind_incidents()?;
    let mut got = titles(&shown);
    got.sort();
    assert_eq!(
        got,
        [
            "SEV1 incident: GDPR Art. 33 notification to the supervisory authority — 1 h 29 min left",
            "SEV1 incident: GDPR Art. 33 notification to the supervisory authority — 1 h 29 min left",
            "SEV1 incident: checklist item overdue",
            "SEV1 incident: checklist item overdue",
        ]
    );

    // Muted, nothing is shown (nor remembered); unmuted, what is due now is shown.
    let settings = gated.console.set_incident_reminders_muted(true)?;
    assert!(settings.incident_reminders_muted && !settings.muted);
    later(&gated, Duration::hours(2))?;
    assert!(gated.console.remind_incidents()?.is_empty(), "muted");
    gated.console.set_incident_reminders_muted(false)?;
    let shown = gated.console.remind_incidents()?;
    assert_eq!(
        titles(&shown),
        [
            "SEV1 incident: GDPR Art. 33 notification to the supervisory authority — deadline passed",
            "SEV1 incident: GDPR Art. 33 notification to the supervisory authority — deadline passed",
        ]
    );
    assert!(
        shown[0].body.contains("passed 31 min ago"),
        "{}",
        shown[0].body
    );

    // Items done in time are quiet: a second incident, its timed items ticked.
    let mut new = declared(
        IncidentKind::DataExposure,
        "data-exposure",
        Scope::default(),
    );
    new.detected_at = Some(gated.clock.now());
    let second = gated.console.incident_create(new)?.incident.id;
    for (phase, position) in [
        (Phase::Identification, 0),
        (Phase::Identification, 1),
        (Phase::Identification, 2),
        (Phase::Identification, 4),
        (Phase::Containment, 3),
    ] {
        gated.console.incident_tick(IncidentTickRequest {
            incident_id: second,
            phase,
            position,
            note: None,
        })?;
    }
    later(&gated, Duration::hours(71))?;
    assert!(
        gated.console.remind_incidents()?.is_empty(),
        "done items never remind: {:#?}",
        notifier.shown()
    );
    Ok(())
}

#[tokio::test]
async fn the_check_runs_quietly_and_not_while_locked() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let mut new = declared(
        IncidentKind::DataExposure,
        "data-exposure",
        Scope::default(),
    );
    new.detected_at = Some(gated.clock.now() - Duration::hours(60));
    gated.console.incident_create(new)?;
    let notifier = recorder(&gated.console)?;

    // The shell checks every minute: that is not the operator's activity.
    for _ in 0..16 {
        gated.clock.advance(Duration::minutes(1));
        gated.console.remind_incidents()?;
    }
    assert_eq!(
        gated.console.gate_status()?.lock,
        LockState::Locked,
        "the idle lock fell although reminders were checked every minute"
    );
    let before = notifier.shown().len();
    assert_eq!(before, 2, "the deadline reminders came before the lock");
    gated.clock.advance(Duration::hours(20));
    assert!(
        gated.console.remind_incidents()?.is_empty(),
        "locked: nothing"
    );
    assert_eq!(notifier.shown().len(), before);
    Ok(())
}

async fn sandbox() -> anyhow::Result<RunningSandbox> {
    start(SandboxOptions {
        scenario: ScenarioConfig {
            seed: 17,
            applications: 1,
            subscriptions: 3,
            events: 40,
            failure_rate: 0.2,
        },
        rate_limit: false,
        worker_paused: true,
        history_end: Some(Utc::now() - chrono::Duration::days(2)),
        ..SandboxOptions::default()
    })
    .await
}

async fn sync_to_end(console: &Arc<Console>) -> anyhow::Result<()> {
    console.start_sync()?;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(60);
    loop {
        let status = console.sync_status()?;
        if matches!(status.sync, SyncState::Idle) {
            anyhow::ensure!(status.last_error.is_none(), "the sync failed: {status:?}");
            return Ok(());
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the sync did not end");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

fn sync_entries(console: &Console, incident: Uuid) -> anyhow::Result<Vec<(String, i64, i64)>> {
    Ok(console
        .incident(incident)?
        .timeline
        .into_iter()
        .filter(|e| e.kind == EntryKind::Sync)
        .map(|e| {
            let r = e.reference.unwrap_or_default();
            (
                e.text,
                r["new_attempts"].as_i64().unwrap_or(-1),
                r["failed"].as_i64().unwrap_or(-1),
            )
        })
        .collect())
}

fn last_inserted(console: &Console) -> anyhow::Result<i64> {
    let records = console
        .audit_list(AuditFilter {
            actions: Some(vec![AuditAction::SyncFinished]),
            limit: Some(10),
            ..AuditFilter::default()
        })?
        .records;
    let newest = records.iter().max_by_key(|r| r.seq);
    let inserted = newest
        .into_iter()
        .flat_map(|r| &r.targets)
        .find_map(|t| t.strip_prefix("attempts_inserted="))
        .and_then(|n| n.parse().ok());
    inserted.ok_or_else(|| anyhow::anyhow!("no sync record: {records:#?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_puts_what_it_stored_in_scope_on_each_open_incident_once() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let (app, _) = sandbox.applications()[0].clone();
    let subs: Vec<Uuid> = sandbox
        .control()
        .subscriptions(app)
        .into_iter()
        .filter(|s| !s.event_types.is_empty())
        .map(|s| s.id)
        .collect();
    anyhow::ensure!(subs.len() >= 2, "two listening subscriptions");
    let dir = tempfile::tempdir()?;
    let (console, _gate) = crate::gate_support::enrolled_console(dir.path(), fast_settings())?;
    let console = Arc::new(console);
    crate::gate_support::sandbox_profile(&console, &sandbox).await?;
    let scoped = |scope: Scope| declared(IncidentKind::DeliveryOutage, "delivery-outage", scope);
    let whole_app = console
        .incident_create(scoped(Scope {
            application_ids: vec![app],
            ..Scope::default()
        }))?
        .incident
        .id;
    let first_sub = console
        .incident_create(scoped(Scope {
            application_ids: vec![app],
            subscription_ids: vec![subs[0]],
            ..Scope::default()
        }))?
        .incident
        .id;
    let second_sub = console
        .incident_create(scoped(Scope {
            subscription_ids: vec![subs[1]],
            ..Scope::default()
        }))?
        .incident
        .id;
    let unscoped = console
        .incident_create(scoped(Scope::default()))?
        .incident
        .id;

    // The first sync brings the whole history: the application's incident sees all of it.
    sync_to_end(&console).await?;
    let inserted = last_inserted(&console)?;
    let app_entries = sync_entries(&console, whole_app)?;
    assert_eq!(app_entries.len(), 1, "{app_entries:#?}");
    let (text, new, failed) = &app_entries[0];
    assert_eq!(
        *new, inserted,
        "one application: every new attempt is in scope"
    );
    assert!(*failed > 0 && failed < new, "{text}");
    assert_eq!(
        *text,
        format!("Sync finished: {new} new attempts, {failed} failed in scope")
    );
    let (_, first_new, _) = sync_entries(&console, first_sub)?[0].clone();
    let (_, second_new, _) = sync_entries(&console, second_sub)?[0].clone();
    assert!(
        first_new > 0 && second_new > 0 && first_new + second_new <= *new,
        "each subscription's incident counts its own attempts"
    );
    assert!(
        sync_entries(&console, unscoped)?.is_empty(),
        "no scope: no sync entries"
    );

    // A sync that stores nothing new writes nothing.
    sync_to_end(&console).await?;
    assert_eq!(sync_entries(&console, whole_app)?.len(), 1, "no flood");

    // Nine failures on the first subscription: its incidents hear of them, the other does not.
    sandbox.seed_failure_spike(subs[0], 9, StdDuration::from_secs(15 * 60))?;
    sync_to_end(&console).await?;
    let entries = sync_entries(&console, first_sub)?;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    assert_eq!(
        entries[1],
        (
            "Sync finished: 9 new attempts, 9 failed in scope".to_owned(),
            9,
            9
        )
    );
    assert_eq!(sync_entries(&console, whole_app)?.len(), 2);
    assert_eq!(sync_entries(&console, second_sub)?.len(), 1);

    // Audited by id only.
    let records = console
        .audit_list(AuditFilter {
            actions: Some(vec![AuditAction::IncidentChanged]),
            limit: Some(100),
            ..AuditFilter::default()
        })?
        .records;
    let recorded = records
        .iter()
        .filter(|r| r.targets.iter().any(|t| t == "sync_recorded"))
        .count();
    assert_eq!(
        recorded, 5,
        "3 entries after the first sync, 2 after the spike"
    );
    Ok(())
}
