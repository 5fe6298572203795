//! Evidence from anywhere in the window: the console snapshots what the operator points at
//! (from the cache, the replay journal, the audit log) and keeps it in the incident's file.
//!
//! Snapshots hold ids, statuses, counts and hashes of payloads and bodies, never the
//! payloads: reports travel further than the cache. Large selections keep their counts in
//! full and their first rows only ([`SAMPLE_ROWS`]), marked truncated.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{super::Console, OPERATOR};
use crate::audit::AuditFilter;
use crate::error::{ErrorCode, ErrorDto};
use crate::incident::evidence::sha256_hex;
use crate::incident::{Evidence, EvidenceKind, EvidenceSnapshot, NewEvidence};
use crate::ipc::{AttachEvidenceRequest, EvidenceRef, EvidenceSource, MAX_EVIDENCE_DELIVERIES};
use crate::query::{
    Content, DeliveryDetail, DeliveryFilter, DeliveryQuery, DeliveryRow, FailureCause, QueryError,
    Sort, count_matching, delivery_detail, failure_groups,
};

/// Rows a filter's snapshot keeps (its counts are always complete).
const SAMPLE_ROWS: usize = 1_000;
/// Deliveries up to which each keeps its whole attempt chain in the snapshot.
const CHAINS_UP_TO: usize = 50;
/// Failure groups searched for the one named.
const GROUPS: u32 = 200;

impl Console {
    /// Snapshots `request.source` and attaches it to the incident, with a timeline entry.
    pub fn incident_attach_evidence(
        &self,
        request: AttachEvidenceRequest,
    ) -> Result<Evidence, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let mut new = self.snapshot(&request.source, now)?;
        if let Some(label) = request.label.filter(|l| !l.trim().is_empty()) {
            new.label = label;
        }
        let (profile, evidence) = self.with_incidents(|store, profile| {
            Ok((
                profile,
                store.attach_evidence(request.incident_id, &new, OPERATOR, now)?,
            ))
        })?;
        self.audit_incident(
            profile,
            request.incident_id.to_string(),
            format!("evidence_attached:{}:{}", evidence.id, evidence.sha256),
        )?;
        if let EvidenceSource::ReplayJob { job_id } = request.source {
            self.replay_so_far_on_incident(request.incident_id, job_id);
        }
        Ok(evidence)
    }

    /// One piece of evidence with its snapshot, checked against its hash.
    pub fn incident_evidence(&self, evidence: EvidenceRef) -> Result<EvidenceSnapshot, ErrorDto> {
        self.unlocked()?;
        self.with_incidents(|store, _| {
            store.evidence_snapshot(evidence.incident_id, evidence.evidence_id)
        })
    }

    fn snapshot(
        &self,
        source: &EvidenceSource,
        now: DateTime<Utc>,
    ) -> Result<NewEvidence, ErrorDto> {
        match source {
            EvidenceSource::Deliveries { attempt_ids } => {
                self.deliveries_snapshot(attempt_ids, now)
            }
            EvidenceSource::Event { event_id } => self.event_snapshot(*event_id, now),
            EvidenceSource::FailureGroup {
                filter,
                subscription_id,
                cause,
            } => self.group_snapshot(filter, *subscription_id, cause, now),
            EvidenceSource::ExplorerFilter { filter } => self.filter_snapshot(filter, now),
            EvidenceSource::ReplayJob { job_id } => self.job_snapshot(*job_id, now),
            EvidenceSource::AuditRecord { seq } => self.audit_snapshot(*seq, now),
        }
    }

    fn deliveries_snapshot(
        &self,
        attempt_ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<NewEvidence, ErrorDto> {
        let ids: BTreeSet<Uuid> = attempt_ids.iter().copied().collect();
        if ids.is_empty() || ids.len() > MAX_EVIDENCE_DELIVERIES {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                format!("name 1 to {MAX_EVIDENCE_DELIVERIES} deliveries"),
            ));
        }
        let with_chains = ids.len() <= CHAINS_UP_TO;
        let details = self.with_reader(|r| {
            ids.iter()
                .map(|id| {
                    delivery_detail(r.conn(), *id)?.ok_or_else(|| {
                        QueryError::InvalidFilter(format!(
                            "attempt {id} is not in the cache (purged or never synced)"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        let failed = details
            .iter()
            .filter(|d| d.attempt.outcome != crate::cache::ChainOutcome::Delivered)
            .count();
        let label = match details.as_slice() {
            [one] => format!(
                "Delivery of {} to {} ({})",
                one.attempt.event_type,
                target_of(&one.attempt),
                outcome_name(&one.attempt)
            ),
            many => format!("{} deliveries ({failed} not delivered)", many.len()),
        };
        let rows: Vec<Value> = details
            .iter()
            .map(|d| delivery_value(d, with_chains))
            .collect();
        Ok(NewEvidence {
            kind: EvidenceKind::Deliveries,
            label,
            reference: json!({ "attempt_ids": ids }),
            rows: rows.len() as u64,
            snapshot: json!({ "deliveries": rows }),
            truncated: false,
            captured_at: now,
        })
    }

    fn event_snapshot(&self, event_id: Uuid, now: DateTime<Utc>) -> Result<NewEvidence, ErrorDto> {
        let filter = DeliveryFilter {
            event_id: Some(event_id),
            ..DeliveryFilter::default()
        };
        let (counts, rows, truncated) = self.filter_rows(&filter)?;
        let Some(first) = rows.first() else {
            return Err(ErrorDto::new(
                ErrorCode::NotFound,
                format!("event {event_id} has no delivery in the cache"),
            ));
        };
        let event_type = first.event_type.clone();
        let event = self
            .with_reader(|r| delivery_detail(r.conn(), first.attempt_id))?
            .and_then(|d| d.event)
            .map(|e| {
                json!({
                    "content_type": e.content_type,
                    "labels": e.labels,
                    "payload_sha256": e.payload.as_ref().map(content_hash),
                })
            });
        Ok(NewEvidence {
            kind: EvidenceKind::Event,
            label: format!(
                "Event {} ({event_type}): {} deliveries",
                short(event_id),
                counts.deliveries
            ),
            reference: json!({ "event_id": event_id }),
            rows: counts.attempts,
            snapshot: json!({
                "event_id": event_id,
                "event_type": event_type,
                "event": event,
                "counts": counts,
                "attempts": rows,
            }),
            truncated,
            captured_at: now,
        })
    }

    fn group_snapshot(
        &self,
        filter: &DeliveryFilter,
        subscription_id: Uuid,
        cause: &FailureCause,
        now: DateTime<Utc>,
    ) -> Result<NewEvidence, ErrorDto> {
        let groups = self.with_reader(|r| failure_groups(r.conn(), filter.clone(), GROUPS))?;
        let group = groups
            .into_iter()
            .find(|g| g.subscription_id == subscription_id && &g.cause == cause)
            .ok_or_else(|| {
                ErrorDto::new(
                    ErrorCode::NotFound,
                    "this failure group is not in the cache under this filter any more",
                )
            })?;
        let cause_text = match &group.cause {
            FailureCause::Http { status } => format!("HTTP {status}"),
            FailureCause::Error { error } => format!("{error:?}"),
        };
        Ok(NewEvidence {
            kind: EvidenceKind::FailureGroup,
            label: format!(
                "{} failures ({cause_text}) at {}, {} to {}",
                group.failures,
                group
                    .target_url
                    .clone()
                    .unwrap_or_else(|| group.subscription_id.to_string()),
                group.first_seen.format("%Y-%m-%d %H:%M"),
                group.last_seen.format("%Y-%m-%d %H:%M"),
            ),
            reference: json!({ "filter": filter, "subscription_id": subscription_id, "cause": cause }),
            rows: group.failures,
            snapshot: json!({ "filter": filter, "group": group }),
            truncated: false,
            captured_at: now,
        })
    }

    fn filter_snapshot(
        &self,
        filter: &DeliveryFilter,
        now: DateTime<Utc>,
    ) -> Result<NewEvidence, ErrorDto> {
        let (counts, rows, truncated) = self.filter_rows(filter)?;
        Ok(NewEvidence {
            kind: EvidenceKind::ExplorerFilter,
            label: format!(
                "Explorer filter: {} attempts, {} deliveries, {} events",
                counts.attempts, counts.deliveries, counts.events
            ),
            reference: json!({ "filter": filter }),
            rows: counts.attempts,
            snapshot: json!({ "filter": filter, "counts": counts, "attempts": rows }),
            truncated,
            captured_at: now,
        })
    }

    /// The filter's counts and its first [`SAMPLE_ROWS`] attempts, newest first.
    fn filter_rows(
        &self,
        filter: &DeliveryFilter,
    ) -> Result<(crate::query::FilterCounts, Vec<DeliveryRow>, bool), ErrorDto> {
        self.with_reader(|r| {
            // One read transaction: the counts and the rows agree while a sync commits.
            r.conn().execute_batch("BEGIN")?;
            let result = (|| {
                let counts = count_matching(r.conn(), filter.clone())?;
                let mut rows = Vec::new();
                let mut cursor = None;
                while rows.len() < SAMPLE_ROWS {
                    let page = DeliveryQuery {
                        filter: filter.clone(),
                        sort: Sort::default(),
                        limit: Some(500),
                        cursor,
                    }
                    .run(r.conn())?;
                    rows.extend(page.rows);
                    cursor = page.next_cursor;
                    if cursor.is_none() {
                        break;
                    }
                }
                rows.truncate(SAMPLE_ROWS);
                let truncated = (rows.len() as u64) < counts.attempts;
                Ok((counts, rows, truncated))
            })();
            r.conn().execute_batch("COMMIT")?;
            result
        })
    }

    fn job_snapshot(&self, job_id: Uuid, now: DateTime<Utc>) -> Result<NewEvidence, ErrorDto> {
        let detail = self.replay_job(job_id)?;
        let job = &detail.job;
        let verification = detail.verification.as_ref().map(|v| {
            json!({
                "totals": v.totals,
                "per_subscription": v.per_subscription,
                "events_verified": v.events.len(),
                "not_replayed": v.not_replayed,
            })
        });
        Ok(NewEvidence {
            kind: EvidenceKind::ReplayJob,
            label: format!(
                "Replay job {}: {:?}, {} events",
                short(job_id),
                job.state,
                job.counts.total()
            ),
            reference: json!({ "job_id": job_id, "manifest_sha256": job.manifest_sha256 }),
            rows: job.counts.total(),
            snapshot: json!({
                "job": job,
                "started_at": detail.started_at,
                "finished_at": detail.finished_at,
                "outcome": detail.outcome,
                "verification": verification,
                "unsettled": detail.unsettled,
            }),
            truncated: false,
            captured_at: now,
        })
    }

    fn audit_snapshot(&self, seq: u64, now: DateTime<Utc>) -> Result<NewEvidence, ErrorDto> {
        let page = self.audit_list(AuditFilter {
            before_seq: seq.checked_add(1),
            limit: Some(1),
            ..AuditFilter::default()
        })?;
        let record = page
            .records
            .into_iter()
            .find(|r| r.seq == seq)
            .ok_or_else(|| ErrorDto::new(ErrorCode::NotFound, format!("no audit record #{seq}")))?;
        Ok(NewEvidence {
            kind: EvidenceKind::AuditRecord,
            label: format!(
                "Audit record #{seq}: {} ({})",
                record.action.as_str(),
                record.outcome.as_str()
            ),
            reference: json!({ "seq": seq }),
            rows: 1,
            snapshot: json!({ "record": record }),
            truncated: false,
            captured_at: now,
        })
    }
}

/// One delivery as kept: its attempt row, optionally its chain, and hashes of the payload
/// and of the response body (the content itself stays in the cache).
fn delivery_value(d: &DeliveryDetail, with_chain: bool) -> Value {
    json!({
        "attempt": d.attempt,
        "chain": with_chain.then_some(&d.chain),
        "payload_sha256": d.event.as_ref().and_then(|e| e.payload.as_ref()).map(content_hash),
        "response": d.response.as_ref().map(|r| json!({
            "http_code": r.http_code,
            "elapsed_ms": r.elapsed_ms,
            "error_name": r.error_name,
            "body_sha256": r.body.as_ref().map(content_hash),
        })),
    })
}

fn content_hash(content: &Content) -> String {
    match content {
        Content::Text(text) => sha256_hex(text.as_bytes()),
        Content::Base64(b64) => {
            use base64::Engine as _;
            match base64::engine::general_purpose::STANDARD.decode(b64) {
                Ok(bytes) => sha256_hex(&bytes),
                Err(_) => sha256_hex(b64.as_bytes()),
            }
        }
    }
}

fn target_of(row: &DeliveryRow) -> String {
    row.target_url
        .clone()
        .unwrap_or_else(|| row.subscription_id.to_string())
}

fn outcome_name(row: &DeliveryRow) -> String {
    serde_json::to_value(row.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn short(id: Uuid) -> String {
    id.to_string().chars().take(8).collect()
}
