//! Evidence attached from the window's places (a filter, ticked deliveries, an event, a
//! failure group, a replay job, an audit record), snapshotted with counts and a SHA-256, and
//! still there, whole and verifiable, after the delivery cache is erased.

use console_core::ErrorCode;
use console_core::audit::AuditFilter;
use console_core::cache::{AttemptStatus, ChainOutcome};
use console_core::incident::evidence::sha256_hex;
use console_core::incident::{
    EntryKind, EvidenceKind, IncidentKind, NewIncident, Roles, Scope, Severity,
};
use console_core::ipc::{
    AttachEvidenceRequest, EvidenceRef, EvidenceSource, IncidentAdvanceRequest, IncidentView,
};
use console_core::query::{DeliveryFilter, DeliveryQuery, Sort};
use console_core::replay::{DeliveryRef, Selection};
use uuid::Uuid;

use crate::replay_console::{Setup, request, setup};

fn declare(s: &Setup) -> anyhow::Result<IncidentView> {
    Ok(s.console.incident_create(NewIncident {
        title: "Deliveries to the billing endpoint fail".into(),
        kind: IncidentKind::DeliveryOutage,
        severity: Severity::Sev2,
        template_id: "delivery-outage".into(),
        roles: Roles::default(),
        scope: Scope::default(),
        detected_at: None,
        impact_started_at: None,
    })?)
}

fn attach(
    s: &Setup,
    incident: Uuid,
    source: EvidenceSource,
) -> Result<console_core::incident::Evidence, console_core::ErrorDto> {
    s.console.incident_attach_evidence(AttachEvidenceRequest {
        incident_id: incident,
        source,
        label: None,
    })
}

fn failed_at(sub: Uuid) -> DeliveryFilter {
    DeliveryFilter {
        statuses: Some(vec![AttemptStatus::Failed]),
        subscription_ids: Some(vec![sub]),
        ..DeliveryFilter::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_evidence_is_snapshotted_and_survives_an_erased_cache() -> anyhow::Result<()> {
    let s = setup().await?;
    let incident = declare(&s)?.incident.id;
    let sub = s.dead()[0];
    let filter = failed_at(sub);

    // A filter: its full counts, its rows as they were.
    let page = s.console.query_deliveries(DeliveryQuery {
        filter: filter.clone(),
        sort: Sort::default(),
        limit: Some(500),
        cursor: None,
    })?;
    anyhow::ensure!(page.rows.len() >= 2, "the dead subscription has failures");
    let mut matching = page.rows.len() as u64;
    let mut cursor = page.next_cursor.clone();
    while let Some(next) = cursor {
        let more = s.console.query_deliveries(DeliveryQuery {
            filter: filter.clone(),
            sort: Sort::default(),
            limit: Some(500),
            cursor: Some(next),
        })?;
        matching += more.rows.len() as u64;
        cursor = more.next_cursor;
    }
    let by_filter = attach(
        &s,
        incident,
        EvidenceSource::ExplorerFilter {
            filter: filter.clone(),
        },
    )?;
    assert_eq!(by_filter.kind, EvidenceKind::ExplorerFilter);
    assert_eq!(by_filter.rows, matching);
    assert_eq!(by_filter.truncated, matching > 1_000);
    assert_eq!(by_filter.sha256.len(), 64);
    assert!(by_filter.label.contains(&format!("{matching} attempts")));

    // Two ticked rows, one event, the failure group, an audit record.
    let picked = [page.rows[0].attempt_id, page.rows[1].attempt_id];
    let deliveries = attach(
        &s,
        incident,
        EvidenceSource::Deliveries {
            attempt_ids: picked.to_vec(),
        },
    )?;
    assert_eq!(deliveries.rows, 2);
    let event = attach(
        &s,
        incident,
        EvidenceSource::Event {
            event_id: page.rows[0].event_id,
        },
    )?;
    assert!(event.rows >= 1);
    let group = s
        .console
        .failure_groups(filter.clone())?
        .into_iter()
        .next()
        .expect("a failure group");
    let grouped = attach(
        &s,
        incident,
        EvidenceSource::FailureGroup {
            filter: filter.clone(),
            subscription_id: group.subscription_id,
            cause: group.cause.clone(),
        },
    )?;
    assert_eq!(grouped.rows, group.failures);
    let newest = s.console.audit_list(AuditFilter {
        limit: Some(1),
        ..AuditFilter::default()
    })?;
    let seq = newest.records[0].seq;
    let audited = attach(&s, incident, EvidenceSource::AuditRecord { seq })?;
    assert!(audited.label.starts_with(&format!("Audit record #{seq}")));

    // Each attachment is on the timeline with its hash, and in the view.
    let view = s.console.incident(incident)?;
    let attached: Vec<_> = view
        .timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Evidence)
        .collect();
    assert_eq!(attached.len(), 5);
    assert_eq!(
        attached[0]
            .reference
            .as_ref()
            .and_then(|r| r["sha256"].as_str()),
        Some(by_filter.sha256.as_str())
    );
    assert_eq!(view.evidence.len(), 5);

    // The cache is erased: the evidence still says what was seen, and still verifies.
    let profile = s
        .console
        .list_profiles()?
        .into_iter()
        .find(|p| p.name == "Staging")
        .expect("the synced profile")
        .id;
    let mut cache = s.console.open_cache(profile)?;
    let mut tx = cache.ingest()?;
    for (app, _) in s.sandbox.applications() {
        tx.erase_application(app)?;
    }
    tx.commit()?;
    drop(cache);
    let gone = s.console.query_deliveries(DeliveryQuery {
        filter: filter.clone(),
        sort: Sort::default(),
        limit: Some(10),
        cursor: None,
    })?;
    assert!(
        gone.rows.is_empty(),
        "the cache no longer holds them: {:?}",
        gone.rows.first()
    );
    let kept = s.console.incident_evidence(EvidenceRef {
        incident_id: incident,
        evidence_id: deliveries.id,
    })?;
    assert!(kept.intact);
    assert_eq!(kept.evidence.sha256, deliveries.sha256);
    assert_eq!(sha256_hex(kept.snapshot.as_bytes()), deliveries.sha256);
    for id in picked {
        assert!(
            kept.snapshot.contains(&id.to_string()),
            "{id} is in the snapshot"
        );
    }
    let snapshot: serde_json::Value = serde_json::from_str(&kept.snapshot)?;
    let rows = snapshot["deliveries"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(
        |r| r["attempt"]["subscription_id"] == serde_json::json!(sub)
            && r["attempt"]["outcome"] != serde_json::json!(ChainOutcome::Delivered)
            && r["chain"].as_array().is_some_and(|c| !c.is_empty())
    ));
    assert!(
        !kept.snapshot.contains("\"payload\""),
        "payloads stay in the cache; only their hashes are kept"
    );
    let listed = s.console.incident(incident)?.evidence;
    assert_eq!(listed, view.evidence, "the list is unchanged by the purge");

    // A selection the cache no longer holds is refused, by name.
    let stale = attach(
        &s,
        incident,
        EvidenceSource::Deliveries {
            attempt_ids: picked.to_vec(),
        },
    )
    .unwrap_err();
    assert_eq!(stale.code, ErrorCode::InvalidInput, "{stale:?}");
    assert!(
        stale
            .message
            .contains(&picked[0].to_string().min(picked[1].to_string()))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_evidence_refuses_bad_requests_and_closed_incidents() -> anyhow::Result<()> {
    let s = setup().await?;
    let incident = declare(&s)?.incident.id;

    let empty = attach(
        &s,
        incident,
        EvidenceSource::Deliveries {
            attempt_ids: vec![],
        },
    )
    .unwrap_err();
    assert_eq!(empty.code, ErrorCode::InvalidInput);
    let unknown_job = attach(
        &s,
        incident,
        EvidenceSource::ReplayJob {
            job_id: Uuid::new_v4(),
        },
    )
    .unwrap_err();
    assert_eq!(unknown_job.code, ErrorCode::NotFound, "{unknown_job:?}");
    let unknown_record =
        attach(&s, incident, EvidenceSource::AuditRecord { seq: 999_999 }).unwrap_err();
    assert_eq!(unknown_record.code, ErrorCode::NotFound);
    let unknown_incident = attach(
        &s,
        Uuid::new_v4(),
        EvidenceSource::ExplorerFilter {
            filter: DeliveryFilter::default(),
        },
    )
    .unwrap_err();
    assert_eq!(unknown_incident.code, ErrorCode::NotFound);

    // Closed: a record, nothing is added to it.
    for _ in 0..5 {
        s.console.incident_advance(IncidentAdvanceRequest {
            incident_id: incident,
            reason: Some("drill".into()),
        })?;
    }
    let closed = attach(
        &s,
        incident,
        EvidenceSource::ExplorerFilter {
            filter: DeliveryFilter::default(),
        },
    )
    .unwrap_err();
    assert_eq!(closed.code, ErrorCode::InvalidInput, "{closed:?}");
    assert!(s.console.incident(incident)?.evidence.is_empty());

    // Locked: refused before anything is read.
    s.console.lock()?;
    let locked = attach(
        &s,
        incident,
        EvidenceSource::ExplorerFilter {
            filter: DeliveryFilter::default(),
        },
    )
    .unwrap_err();
    assert_eq!(locked.code, ErrorCode::Locked);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_following_a_replay_job_gets_its_results_on_the_timeline() -> anyhow::Result<()> {
    let s = setup().await?;
    let incident = declare(&s)?.incident.id;
    let plan = s
        .console
        .replay_plan(request(Selection::Filter(Box::new(DeliveryFilter {
            outcomes: Some(vec![ChainOutcome::GaveUp]),
            ..DeliveryFilter::default()
        }))))?;
    let first = &plan.events[0];
    let one = s
        .console
        .replay_plan(request(Selection::Deliveries(vec![DeliveryRef {
            event_id: first.event_id,
            subscription_id: first.failed_subscriptions[0],
        }])))?;
    let job = s.console.replay_start(&one.manifest_sha256, None, None)?;
    // Attached while it runs: verification waits for the sandbox to deliver (`wait_done`).
    let evidence = attach(&s, incident, EvidenceSource::ReplayJob { job_id: job })?;
    assert_eq!(evidence.kind, EvidenceKind::ReplayJob);
    assert_eq!(evidence.rows, 1);
    assert_eq!(
        evidence.reference["manifest_sha256"].as_str(),
        Some(one.manifest_sha256.as_str())
    );
    s.wait_done(job).await?;

    let timeline = s.console.incident(incident)?.timeline;
    let verified = timeline
        .iter()
        .find(|e| e.kind == EntryKind::ReplayJob && e.text.contains("verified"))
        .expect("the verified outcome is on the timeline");
    assert_eq!(
        verified
            .reference
            .as_ref()
            .and_then(|r| r["job_id"].as_str()),
        Some(job.to_string().as_str())
    );

    // Attached after it was verified: what it did is on the timeline at once, once.
    let later = declare(&s)?.incident.id;
    attach(&s, later, EvidenceSource::ReplayJob { job_id: job })?;
    let results: Vec<String> = s
        .console
        .incident(later)?
        .timeline
        .into_iter()
        .filter(|e| e.kind == EntryKind::ReplayJob)
        .map(|e| e.text)
        .collect();
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(
        results[0].contains("ended") && results[1].contains("verified"),
        "{results:?}"
    );
    Ok(())
}
