//! Status updates: the live numbers computed from a real cache of known content, scoped like
//! the incident; the drafts per audience; and through the console, "sent" as the only
//! communication on the timeline, exports audited, ids only in the audit log.

use chrono::Duration;
use console_core::audit::{AuditAction, AuditFilter};
use console_core::gate::Clock as _;
use console_core::incident::comms::{
    Audience, LiveNumbers, StatusDraft, delivery_numbers, linked_replay_jobs, replay_progress,
};
use console_core::incident::{
    EntryKind, Evidence, EvidenceKind, IncidentKind, IncidentStatus, NewIncident, Roles, Scope,
    Severity, TimelineEntry,
};
use console_core::{ErrorCode, ErrorDto};
use uuid::Uuid;

use crate::gate_support::{Gated, code_of};
use crate::incident_console::remote;
use crate::query_support::{event_time, history};

const TITLE: &str = "Zyxwvut Corp orders endpoint returns 503";

#[test]
fn live_numbers_count_failures_of_the_scope_since_the_impact() -> anyhow::Result<()> {
    let h = history()?;
    let conn = h.t.cache.conn();
    // Events 0..=15 are inside the window; scenarios (i % 5): 1 failed then delivered,
    // 2 gave up, 3 retrying. Failed events: 1, 2, 3, 6, 7, 8, 11, 12, 13.
    let since = event_time(15);
    let now = event_time(1) + Duration::minutes(45);

    let all = delivery_numbers(conn, &Scope::default(), since, now)?;
    assert_eq!(all.affected_events, 9);
    assert_eq!(all.affected_subscriptions, 3);
    assert_eq!(all.still_failing, 6, "2, 3, 7, 8, 12, 13 retry or gave up");
    let first = all.first_failure_at.expect("a first failure");
    assert!(
        first >= event_time(13) && first <= event_time(13) + Duration::minutes(5),
        "the oldest failure in the window is event 13's: {first}"
    );
    // The last hour holds event 1: a 500, then a 200.
    assert_eq!((all.ended_last_hour, all.failed_last_hour), (2, 1));
    assert_eq!(all.failure_rate_last_hour, Some(0.5));

    let one_sub = Scope {
        subscription_ids: vec![h.f.subs[0]],
        ..Scope::default()
    };
    let sub = delivery_numbers(conn, &one_sub, since, now)?;
    assert_eq!(
        sub.affected_events, 3,
        "events 3, 6, 12 go to subscription 0"
    );
    assert_eq!(sub.affected_subscriptions, 1);
    assert_eq!(sub.still_failing, 2);
    assert_eq!(
        sub.failure_rate_last_hour, None,
        "nothing of it ended in the hour"
    );

    let app = Scope {
        application_ids: vec![h.f.app],
        ..Scope::default()
    };
    assert_eq!(delivery_numbers(conn, &app, since, now)?, all);
    let org = Scope {
        organization_ids: vec![h.f.org],
        ..Scope::default()
    };
    assert_eq!(delivery_numbers(conn, &org, since, now)?, all);
    let elsewhere = Scope {
        subscription_ids: vec![Uuid::new_v4()],
        ..Scope::default()
    };
    let none = delivery_numbers(conn, &elsewhere, since, now)?;
    assert_eq!(
        (
            none.affected_events,
            none.still_failing,
            none.first_failure_at
        ),
        (0, 0, None)
    );

    // A later impact start leaves the older failures out.
    let later = delivery_numbers(conn, &Scope::default(), event_time(5), now)?;
    assert_eq!(later.affected_events, 3, "events 1, 2, 3");
    Ok(())
}

#[test]
fn replay_progress_comes_from_the_linked_jobs_entries() -> anyhow::Result<()> {
    let h = history()?;
    let conn = h.t.cache.conn();
    let job = Uuid::new_v4();
    conn.execute(
        "INSERT INTO replay_job (uuid, manifest_sha256, manifest, state, created_at, started_at,
             updated_at, config)
         VALUES (?1, 'x', '{}', 'running', 0, 0, 0, '{}')",
        [job.as_bytes().as_slice()],
    )?;
    let id = conn.last_insert_rowid();
    for (position, state) in ["sent", "sent", "failed", "planned", "unknown"]
        .iter()
        .enumerate()
    {
        conn.execute(
            "INSERT INTO replay_entry (job_id, position, event_uuid, application_uuid, state,
                 updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            rusqlite::params![
                id,
                position as i64,
                Uuid::new_v4().as_bytes().as_slice(),
                h.f.app.as_bytes().as_slice(),
                state
            ],
        )?;
    }
    let timeline: Vec<TimelineEntry> = [Some(job), Some(job), None]
        .into_iter()
        .enumerate()
        .map(|(i, job)| TimelineEntry {
            id: i as i64,
            incident_id: Uuid::nil(),
            at: event_time(0),
            recorded_at: event_time(0),
            backdated: false,
            kind: if job.is_some() {
                EntryKind::ReplayJob
            } else {
                EntryKind::Note
            },
            author: "ana".into(),
            text: "x".into(),
            reference: job.map(|j| serde_json::json!({ "job_id": j })),
        })
        .collect();
    let other = Uuid::new_v4();
    let evidence = [
        Evidence {
            id: 1,
            incident_id: Uuid::nil(),
            kind: EvidenceKind::ReplayJob,
            label: "the replay".into(),
            reference: serde_json::json!({ "job_id": job, "manifest_sha256": "x" }),
            sha256: "00".repeat(32),
            rows: 5,
            truncated: false,
            captured_at: event_time(0),
            added_by: "ana".into(),
        },
        Evidence {
            id: 2,
            incident_id: Uuid::nil(),
            kind: EvidenceKind::Event,
            label: "an event".into(),
            reference: serde_json::json!({ "job_id": other }),
            sha256: "00".repeat(32),
            rows: 1,
            truncated: false,
            captured_at: event_time(0),
            added_by: "ana".into(),
        },
    ];
    assert_eq!(
        linked_replay_jobs(&timeline, &[]),
        [job],
        "named twice, linked once"
    );
    assert_eq!(
        linked_replay_jobs(&[], &evidence),
        [job],
        "replay-job evidence links its job; other kinds do not"
    );
    let jobs = linked_replay_jobs(&timeline, &evidence);
    assert_eq!(jobs, [job], "the timeline and the evidence name it once");
    let missing = Uuid::new_v4();
    let progress = replay_progress(conn, &[job, missing])?;
    assert_eq!(
        progress.jobs, 1,
        "a job the cache does not hold is not counted"
    );
    assert_eq!(
        (
            progress.events,
            progress.sent,
            progress.failed,
            progress.pending
        ),
        (5, 2, 1, 2)
    );
    Ok(())
}

#[tokio::test]
async fn drafts_are_per_audience_and_only_sent_updates_reach_the_timeline() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let c = &gated.console;
    let detected = gated.clock.now() - Duration::minutes(40);
    let id = c
        .incident_create(NewIncident {
            title: TITLE.into(),
            kind: IncidentKind::DeliveryOutage,
            severity: Severity::Sev1,
            template_id: "delivery-outage".into(),
            roles: Roles {
                commander: Some("ana".into()),
                ..Roles::default()
            },
            scope: Scope::default(),
            detected_at: Some(detected),
            impact_started_at: None,
        })?
        .incident
        .id;

    let customers = c.incident_status_draft(id, Audience::Customers)?;
    assert_eq!(customers.audience, Audience::Customers);
    assert_eq!(customers.computed_at, gated.clock.now());
    assert_eq!(
        customers.numbers.since, detected,
        "no impact start: from detection"
    );
    assert_eq!(customers.numbers.status, IncidentStatus::Identification);
    assert!(
        customers.text.contains("investigating"),
        "{}",
        customers.text
    );
    assert!(
        !customers.text.contains("Zyxwvut"),
        "customers do not see the internal title"
    );
    let internal = c.incident_status_draft(id, Audience::Internal)?;
    assert!(internal.text.contains(TITLE) && internal.text.contains("SEV1"));
    assert!(internal.text.contains("Commander: ana"));
    let executives = c.incident_status_draft(id, Audience::Executives)?;
    assert!(executives.text.contains(TITLE));
    for draft in [&customers, &internal, &executives] {
        assert!(
            !draft.text.contains('{'),
            "every placeholder filled: {}",
            draft.text
        );
    }

    // Export: a file, an audit record, no timeline entry.
    let edited = format!("{}\nEdited by hand.", customers.text);
    let export = c.incident_export_draft(id, Audience::Customers, edited.clone())?;
    assert_eq!(std::fs::read_to_string(&export.path)?, edited);
    assert!(
        c.incident(id)?
            .timeline
            .iter()
            .all(|e| e.kind != EntryKind::Communication),
        "an export is not a communication"
    );
    assert_eq!(
        code_of(c.incident_export_draft(id, Audience::Customers, "  ".into())),
        ErrorCode::InvalidInput
    );

    // Sent: the final text, the audience and the numbers of the draft it came from.
    let sent = c.incident_log_communication(
        id,
        Audience::Customers,
        edited.clone(),
        Some(customers.numbers.clone()),
    )?;
    assert_eq!(sent.kind, EntryKind::Communication);
    assert_eq!(sent.text, edited);
    let reference = sent.reference.clone().expect("a reference");
    assert_eq!(reference["audience"], "customers");
    let quoted: LiveNumbers = serde_json::from_value(reference["numbers"].clone())?;
    assert_eq!(quoted, customers.numbers);
    let timeline = c.incident(id)?.timeline;
    let communications: Vec<_> = timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Communication)
        .collect();
    assert_eq!(communications.len(), 1);
    let report = c.incident_report(id)?;
    assert_eq!(report.communications.len(), 1, "the report lists it");

    // Audit: ids and kinds only.
    let records = c
        .audit_list(AuditFilter {
            actions: Some(vec![
                AuditAction::IncidentChanged,
                AuditAction::IncidentExported,
            ]),
            ..AuditFilter::default()
        })?
        .records;
    assert!(
        records
            .iter()
            .any(|r| r.targets.iter().any(|t| t == "communication:customers"))
    );
    assert!(
        records
            .iter()
            .any(|r| r.targets.iter().any(|t| t == "update:customers"))
    );
    for r in &records {
        for t in &r.targets {
            assert!(
                !t.contains("Zyxwvut") && !t.contains("Edited") && !t.contains("investigating"),
                "audit targets are ids only: {t}"
            );
        }
    }

    // Without the draft's numbers, the console computes them when it logs.
    gated.clock.advance(Duration::minutes(1));
    let plain = c.incident_log_communication(id, Audience::Internal, "short".into(), None)?;
    let numbers: LiveNumbers = serde_json::from_value(plain.reference.unwrap()["numbers"].clone())?;
    assert_eq!(numbers.computed_at, gated.clock.now());

    c.lock()?;
    let refused: Result<StatusDraft, ErrorDto> = c.incident_status_draft(id, Audience::Internal);
    assert_eq!(code_of(refused), ErrorCode::Locked);
    Ok(())
}
