//! Status updates: a draft per audience (customers or status page, the internal channel,
//! executives), generated from a shipped template filled with live numbers from the delivery
//! cache, edited by the operator, then copied, exported or logged as sent.
//!
//! Only an update logged as sent is a communication on the timeline (kind `Communication`,
//! the text as sent, and in the reference the audience and the numbers it quoted); drafts
//! are not kept. The numbers always carry the instant they were computed: an update quotes
//! the cache as of that instant, not the API.

mod numbers;
mod templates;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::evidence::{Evidence, EvidenceKind};
use super::model::{Incident, IncidentStatus};
use super::store::{EntryKind, TimelineEntry};

pub use numbers::{DeliveryNumbers, ReplayTally, delivery_numbers, replay_progress};
pub use templates::{PLACEHOLDERS, fill, template_of};

/// Who a status update is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Audience {
    /// Customers, or the public status page: plain words, no internal names.
    Customers,
    /// The team and on-call channel: every figure, roles, what is next.
    Internal,
    /// Management: impact, status, when it ends.
    Executives,
}

impl Audience {
    /// Every audience, in the order the window shows them.
    pub const ALL: [Self; 3] = [Self::Customers, Self::Internal, Self::Executives];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customers => "customers",
            Self::Internal => "internal",
            Self::Executives => "executives",
        }
    }
}

/// The numbers an update quotes, and when they were computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveNumbers {
    /// Counted from here: the impact start, or the detection when it is not known.
    pub since: DateTime<Utc>,
    /// What the delivery cache says.
    pub deliveries: DeliveryNumbers,
    /// The linked replay jobs.
    pub replay: ReplayTally,
    /// The incident's status when computed.
    pub status: IncidentStatus,
    /// When they were computed.
    pub computed_at: DateTime<Utc>,
}

/// A generated status update, ready to edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusDraft {
    /// Who it is for.
    pub audience: Audience,
    /// The filled template.
    pub text: String,
    /// The numbers it quotes.
    pub numbers: LiveNumbers,
    /// When it was generated (the numbers' instant).
    pub computed_at: DateTime<Utc>,
}

impl StatusDraft {
    /// The draft for `audience` about `incident` with `numbers`.
    pub fn generate(audience: Audience, incident: &Incident, numbers: LiveNumbers) -> Self {
        Self {
            audience,
            text: fill(template_of(audience), incident, &numbers),
            computed_at: numbers.computed_at,
            numbers,
        }
    }
}

/// Where the numbers count from: the impact start, else the detection, else the declaration.
pub fn impact_since(incident: &Incident) -> DateTime<Utc> {
    let m = &incident.milestones;
    m.impact_started_at
        .or(m.detected_at)
        .or(m.declared_at)
        .unwrap_or(incident.created_at)
}

/// The replay jobs linked to an incident: those named by its timeline entries of kind
/// `ReplayJob` (reference `{"job_id": …}`) and its evidence of kind replay job (the same
/// reference), each once.
pub fn linked_replay_jobs(timeline: &[TimelineEntry], evidence: &[Evidence]) -> Vec<Uuid> {
    let job_of = |reference: &serde_json::Value| -> Option<Uuid> {
        reference.get("job_id")?.as_str()?.parse().ok()
    };
    let mut jobs: Vec<Uuid> = timeline
        .iter()
        .filter(|e| e.kind == EntryKind::ReplayJob)
        .filter_map(|e| job_of(e.reference.as_ref()?))
        .chain(
            evidence
                .iter()
                .filter(|e| e.kind == EvidenceKind::ReplayJob)
                .filter_map(|e| job_of(&e.reference)),
        )
        .collect();
    jobs.sort();
    jobs.dedup();
    jobs
}

/// The communications logged as sent, in the order they were sent.
pub fn sent_updates(timeline: &[TimelineEntry]) -> Vec<TimelineEntry> {
    timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Communication)
        .cloned()
        .collect()
}
