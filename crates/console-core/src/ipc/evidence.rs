//! Attaching evidence to an incident from anywhere in the window: what the operator points
//! at, named the way the window names it. The console takes the snapshot itself, from the
//! cache, the replay journal or the audit log, so what is kept is what the console holds, not
//! what a page claims it showed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::query::{DeliveryFilter, FailureCause};

/// Most deliveries named one by one in one piece of evidence (the explorer's selection cap).
pub const MAX_EVIDENCE_DELIVERIES: usize = 5_000;

/// What a piece of evidence is taken from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceSource {
    /// Deliveries named by one of their attempts (the detail pane, ticked rows).
    Deliveries {
        /// The attempts, at most [`MAX_EVIDENCE_DELIVERIES`].
        attempt_ids: Vec<Uuid>,
    },
    /// One event and every delivery of it.
    Event {
        /// The event.
        event_id: Uuid,
    },
    /// Failures of one cause at one subscription, under the explorer's filter.
    FailureGroup {
        /// The filter the groups were computed under.
        filter: DeliveryFilter,
        /// The group's subscription.
        subscription_id: Uuid,
        /// The group's cause.
        cause: FailureCause,
    },
    /// An explorer filter and what it matches.
    ExplorerFilter {
        /// The filter.
        filter: DeliveryFilter,
    },
    /// A replay job.
    ReplayJob {
        /// The job.
        job_id: Uuid,
    },
    /// One record of the audit log.
    AuditRecord {
        /// Its sequence number.
        #[ts(type = "number")]
        seq: u64,
    },
}

/// Attaching evidence to an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AttachEvidenceRequest {
    /// The incident (open).
    pub incident_id: Uuid,
    /// What to snapshot.
    pub source: EvidenceSource,
    /// The operator's label; the console writes one from the source when absent.
    #[serde(default)]
    #[ts(optional)]
    pub label: Option<String>,
}

/// One piece of an incident's evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EvidenceRef {
    /// The incident.
    pub incident_id: Uuid,
    /// The evidence's id in it.
    #[ts(type = "number")]
    pub evidence_id: i64,
}
