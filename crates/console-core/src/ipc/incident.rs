//! What the Incidents page exchanges with the console: templates, the incidents of the active
//! profile with their checklist and timeline, the standing preparation checklist, and the
//! response-time metrics.
//!
//! Incidents are named by id and checklist items by phase and position, as the store names
//! them; every view is computed at the console's `now`, which it sends along so the window
//! shows due and overdue as the console judged them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::incident::metrics::IncidentMetrics;
use crate::incident::report::ReportFormat;
use crate::incident::{
    ChecklistItem, Evidence, Incident, IncidentKind, ItemDeadline, Phase, PreparationFacts,
    PreparationItem, PreparationStatus, TimelineEntry,
};

/// A template as listed: enough to choose one, without its checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentTemplateSummary {
    /// Its id (what an incident is created from).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The kind of incident it is for.
    pub kind: IncidentKind,
    /// Its version (a custom one is replaced only by a higher one).
    pub version: u32,
    /// What it is for.
    pub description: String,
    /// Shipped with the console (read-only) rather than imported.
    pub shipped: bool,
    /// When a custom template was last imported.
    pub saved_at: Option<DateTime<Utc>>,
    /// Checklist items over all phases.
    pub items: u32,
}

/// The text formats a template is exchanged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum TemplateFormat {
    /// TOML, the format operators write by hand.
    Toml,
    /// JSON.
    Json,
}

/// A template as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TemplateText {
    /// The template's id.
    pub id: String,
    /// The format of `text`.
    pub format: TemplateFormat,
    /// The template.
    pub text: String,
}

/// Which incidents to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum IncidentListFilter {
    /// Not closed yet.
    #[default]
    Open,
    /// Closed.
    Closed,
    /// Every incident.
    All,
}

/// An incident as listed, with what needs the operator's attention judged at `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IncidentListItem {
    /// The incident.
    pub incident: Incident,
    /// Open checklist items past their due time.
    pub overdue: u32,
    /// Open checklist items whose external deadline has passed.
    pub deadlines_passed: u32,
    /// The nearest external deadline still ahead of an open item.
    pub next_deadline: Option<ItemDeadline>,
    /// Pieces of evidence attached.
    pub evidence: u32,
}

/// A checklist item with its timing judged at the view's `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChecklistItemView {
    /// The item as stored.
    pub item: ChecklistItem,
    /// Open and past its due time.
    pub overdue: bool,
    /// Open and past its external deadline (e.g. the GDPR 72 hours).
    pub deadline_passed: bool,
}

/// One phase's part of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhaseChecklist {
    /// The phase.
    pub phase: Phase,
    /// The incident is in this phase now.
    pub current: bool,
    /// Its items in order.
    pub items: Vec<ChecklistItemView>,
}

/// One incident in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IncidentView {
    /// The incident.
    pub incident: Incident,
    /// The checklist, phase by phase in order.
    pub phases: Vec<PhaseChecklist>,
    /// What happened, in the order it happened.
    pub timeline: Vec<TimelineEntry>,
    /// What was seen, in the order attached (snapshots fetched one by one).
    pub evidence: Vec<Evidence>,
    /// Its response times so far.
    pub metrics: IncidentMetrics,
    /// The instant due and overdue were judged at.
    pub now: DateTime<Utc>,
}

/// Ticking or unticking one checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentTickRequest {
    /// The incident.
    pub incident_id: Uuid,
    /// The item's phase.
    pub phase: Phase,
    /// The item's position in its phase.
    pub position: u32,
    /// What the operator notes with it.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

/// Moving an incident on to its next phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentAdvanceRequest {
    /// The incident.
    pub incident_id: Uuid,
    /// Why it moves on with required items open (refused without one when there are).
    #[serde(default)]
    #[ts(optional)]
    pub reason: Option<String>,
}

/// What an operator's timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum IncidentNoteKind {
    /// An observation.
    Note,
    /// A decision and why.
    Decision,
}

/// A note or decision for the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentNoteRequest {
    /// The incident.
    pub incident_id: Uuid,
    /// Note or decision.
    pub kind: IncidentNoteKind,
    /// What happened or was decided.
    pub text: String,
    /// When, if earlier than now (the entry is then marked back-dated).
    #[serde(default)]
    #[ts(optional)]
    pub at: Option<DateTime<Utc>>,
}

/// The standing preparation checklist with what the console knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreparationView {
    /// Each item's state: computed facts win over ticks.
    pub status: PreparationStatus,
    /// The facts the console computed (absent: left to the operator's tick).
    pub facts: PreparationFacts,
    /// Profiles other than the sandbox with credentials held.
    pub profiles_with_credentials: u32,
    /// Unused recovery codes left.
    pub recovery_codes_left: u32,
    /// Templates an incident can start from (shipped and imported).
    pub templates: u32,
    /// The last test notification of this session, if one was sent.
    pub last_test_notification: Option<TestNotification>,
}

/// A test notification sent from the Preparation checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TestNotification {
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// The desktop's notification service took it (whether a person saw it is the operator's
    /// to confirm with the tick).
    pub shown: bool,
    /// Why it was not shown.
    pub error: Option<String>,
}

/// Ticking (or unticking) a preparation item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreparationTickRequest {
    /// The item.
    pub item: PreparationItem,
    /// Ticked (true) or no longer holding (false).
    pub done: bool,
    /// Where, how (e.g. "codes in the team safe, envelope 3").
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

/// A report written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportExport {
    /// Where it was written (under the console's `exports/`).
    pub path: String,
    /// Its format.
    pub format: ReportFormat,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// A sealed bundle written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BundleExport {
    /// Where it was written (under the console's `exports/`).
    pub path: String,
    /// The manifest's own SHA-256 (quote it to whoever receives the bundle).
    pub manifest_sha256: String,
    /// Audit records sealed in it.
    #[ts(type = "number")]
    pub audit_records: u64,
    /// Evidence items sealed in it.
    #[ts(type = "number")]
    pub evidence_items: u64,
    /// Sequence number of the audit head at export.
    #[ts(type = "number | null")]
    pub audit_head_seq: Option<u64>,
}

/// A status-update draft written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftExport {
    /// Where it was written (under the console's `exports/`).
    pub path: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}
