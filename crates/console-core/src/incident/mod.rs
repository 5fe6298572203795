//! Incidents worked through the SANS steps (Kral, *Incident Handler's Handbook*):
//! identification, containment, eradication, recovery and lessons learned, with a standing
//! preparation checklist beside them.
//!
//! - [`model`] — what an incident is; [`phase`] — the only moves it can make;
//! - [`template`] — the per-phase checklists an incident starts from (four shipped, custom
//!   ones stored);
//! - [`IncidentStore`] — one encrypted file per profile, apart from the delivery cache (the
//!   cache can be rebuilt or deleted, incident records must survive that);
//! - [`metrics`] — time to detect, acknowledge, contain, recover and close;
//! - [`reminder`] — which overdue items and approaching deadlines to remind of;
//! - [`report`] — the incident report (Markdown, self-contained HTML, JSON) and
//!   [`bundle`] — the sealed bundle of report, evidence and audit records, and its check.
//!
//! Invariants: a closed incident is never changed; every phase change, tick and note is a
//! timeline entry written in the same transaction as the change; milestones are stamped by
//! the phase machine only, so the metrics cannot be edited into shape.

pub mod bundle;
pub mod comms;
mod error;
pub mod evidence;
pub mod metrics;
pub mod model;
pub mod phase;
pub mod preparation;
pub mod reminder;
pub mod report;
mod store;
pub mod template;

pub use error::IncidentError;
pub use evidence::{Evidence, EvidenceKind, EvidenceSnapshot, NewEvidence};
pub use model::{
    Incident, IncidentKind, IncidentStatus, Milestones, Phase, Roles, Scope, Severity,
};
pub use phase::PhaseChange;
pub use preparation::{
    CheckSource, PreparationCheck, PreparationFacts, PreparationItem, PreparationStatus,
    PreparationTick,
};
pub use store::{
    ChecklistItem, EntryKind, IncidentFilter, IncidentPatch, IncidentStore, ItemDeadline, NewEntry,
    NewIncident, TemplateInfo, TimelineEntry, latest_schema_version,
};
pub use template::{Deadline, ItemTemplate, Template, TemplateError, TemplatePhases};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use ts_rs::{Config, TS};

    use super::metrics::{IncidentMetrics, MetricsSummary};
    use super::*;

    /// Rendered on their own too, so a type the IPC stops exporting is still proven.
    #[test]
    fn the_ui_types_render_as_typescript() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::new().with_out_dir(dir.path());
        Incident::export_all(&cfg).unwrap();
        NewIncident::export_all(&cfg).unwrap();
        IncidentPatch::export_all(&cfg).unwrap();
        IncidentFilter::export_all(&cfg).unwrap();
        ChecklistItem::export_all(&cfg).unwrap();
        TimelineEntry::export_all(&cfg).unwrap();
        NewEntry::export_all(&cfg).unwrap();
        PhaseChange::export_all(&cfg).unwrap();
        TemplateInfo::export_all(&cfg).unwrap();
        PreparationStatus::export_all(&cfg).unwrap();
        PreparationFacts::export_all(&cfg).unwrap();
        IncidentMetrics::export_all(&cfg).unwrap();
        MetricsSummary::export_all(&cfg).unwrap();
        Evidence::export_all(&cfg).unwrap();
        EvidenceSnapshot::export_all(&cfg).unwrap();
        let item = std::fs::read_to_string(dir.path().join("ItemTemplate.ts")).unwrap();
        assert!(item.contains("due_after_minutes?: number"), "{item}");
        let status = std::fs::read_to_string(dir.path().join("IncidentStatus.ts")).unwrap();
        assert!(status.contains("\"lessons_learned\""), "{status}");
    }
}
