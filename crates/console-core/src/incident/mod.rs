//! Incidents worked through the SANS steps (Kral, *Incident Handler's Handbook*):
//! identification, containment, eradication, recovery and lessons learned, with a standing
//! preparation checklist beside them.
//!
//! - [`model`] — what an incident is; [`phase`] — the only moves it can make;
//! - [`template`] — the per-phase checklists an incident starts from (four shipped, custom
//!   ones stored);
//! - [`IncidentStore`] — one encrypted file per profile, apart from the delivery cache (the
//!   cache can be rebuilt or deleted, incident records must survive that);
//! - [`metrics`] — time to detect, acknowledge, contain, recover and close.
//!
//! Invariants: a closed incident is never changed; every phase change, tick and note is a
//! timeline entry written in the same transaction as the change; milestones are stamped by
//! the phase machine only, so the metrics cannot be edited into shape.

mod error;
pub mod metrics;
pub mod model;
pub mod phase;
pub mod preparation;
mod store;
pub mod template;

pub use error::IncidentError;
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
