//! The incident report: one value built from the incident records, rendered as Markdown,
//! self-contained HTML or JSON.
//!
//! [`IncidentReport`] holds every section (summary, roles, phase timestamps, metrics,
//! checklist state per phase, the full timeline, evidence with hashes, communications sent,
//! lessons learned); the renderers only lay it out, so the three formats always say the same.
//! Invariants of the HTML form: no script, no remote resource of any kind, every string that
//! came from an operator or a template escaped (see `html.rs`).

mod html;
mod markdown;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::error::IncidentError;
use super::evidence::Evidence;
use super::metrics::IncidentMetrics;
use super::model::{IncidentKind, IncidentStatus, Milestones, Phase, Roles, Scope, Severity};
use super::store::{ChecklistItem, EntryKind, IncidentStore, TimelineEntry};

pub use html::to_html;
pub use markdown::to_markdown;

/// Version of the report's JSON layout, so a reader can tell what it holds.
pub const REPORT_FORMAT: &str = "hook0-console-incident-report/1";

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ReportFormat {
    /// Markdown, for a wiki or a ticket.
    Markdown,
    /// One HTML file with its style inline and nothing fetched from anywhere.
    Html,
    /// The report value itself.
    Json,
}

impl ReportFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Json => "json",
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentReport {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// When the report was built.
    pub generated_at: DateTime<Utc>,
    /// What, how bad, where it stands, what it concerns.
    pub summary: ReportSummary,
    /// Who did what.
    pub roles: Roles,
    /// The phase timestamps.
    pub milestones: Milestones,
    /// Response times.
    pub metrics: IncidentMetrics,
    /// The checklist, phase by phase.
    pub checklist: Vec<PhaseReport>,
    /// Every timeline entry, in the order things happened.
    pub timeline: Vec<TimelineEntry>,
    /// What was kept as evidence, with the SHA-256 of each snapshot (the snapshots
    /// themselves travel in the sealed bundle).
    pub evidence: Vec<Evidence>,
    /// The status updates logged as sent.
    pub communications: Vec<TimelineEntry>,
    /// What was learnt.
    pub lessons_learned: LessonsLearned,
}

/// The incident in a few fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// The incident.
    pub incident_id: Uuid,
    /// Its title.
    pub title: String,
    /// What went wrong.
    pub kind: IncidentKind,
    /// How bad.
    pub severity: Severity,
    /// Where it stands.
    pub status: IncidentStatus,
    /// What it concerns.
    pub scope: Scope,
    /// The template its checklist came from, and its version.
    pub template: String,
}

/// One phase's checklist as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseReport {
    /// The phase.
    pub phase: Phase,
    /// Its items: done by whom and when, notes, reasons for leaving them open.
    pub items: Vec<ChecklistItem>,
}

/// The Lessons Learned phase: its checklist, and what was noted and decided during it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LessonsLearned {
    /// When the phase was entered, if it was.
    pub entered_at: Option<DateTime<Utc>>,
    /// Its checklist items with their notes.
    pub items: Vec<ChecklistItem>,
    /// Notes and decisions written while in that phase.
    pub notes: Vec<TimelineEntry>,
}

impl IncidentReport {
    /// Builds the report of `incident` from its records at `now`.
    pub fn build(
        store: &IncidentStore,
        incident: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Self, IncidentError> {
        let i = store.get(incident)?;
        let evidence = store.evidence(incident)?;
        let items = store.checklist(incident)?;
        let timeline = store.timeline(incident)?;
        let checklist = Phase::ALL
            .into_iter()
            .map(|phase| PhaseReport {
                phase,
                items: items
                    .iter()
                    .filter(|it| it.phase == phase)
                    .cloned()
                    .collect(),
            })
            .collect();
        let communications = timeline
            .iter()
            .filter(|e| e.kind == EntryKind::Communication)
            .cloned()
            .collect();
        let lessons_learned = lessons(&i.status, i.phase_entered_at, &items, &timeline);
        Ok(Self {
            format: REPORT_FORMAT.to_owned(),
            generated_at: now,
            summary: ReportSummary {
                incident_id: i.id,
                title: i.title,
                kind: i.kind,
                severity: i.severity,
                status: i.status,
                scope: i.scope,
                template: format!("{} v{}", i.template_id, i.template_version),
            },
            roles: i.roles,
            metrics: IncidentMetrics::of(&i.milestones),
            milestones: i.milestones,
            checklist,
            timeline,
            evidence,
            communications,
            lessons_learned,
        })
    }

    /// The report in `format`.
    pub fn render(&self, format: ReportFormat) -> Result<String, IncidentError> {
        match format {
            ReportFormat::Markdown => Ok(to_markdown(self)),
            ReportFormat::Html => Ok(to_html(self)),
            ReportFormat::Json => serde_json::to_string_pretty(self)
                .map_err(|e| IncidentError::Corrupt(format!("the report cannot be encoded: {e}"))),
        }
    }
}

/// When Lessons Learned was entered: the phase change into it on the timeline, or (for an
/// incident in it now) the time its current phase was entered.
fn lessons(
    status: &IncidentStatus,
    phase_entered_at: DateTime<Utc>,
    items: &[ChecklistItem],
    timeline: &[TimelineEntry],
) -> LessonsLearned {
    let entered_at = timeline
        .iter()
        .find(|e| {
            e.kind == EntryKind::PhaseChanged
                && e.reference
                    .as_ref()
                    .and_then(|r| r.get("to"))
                    .and_then(|t| t.as_str())
                    == Some(Phase::LessonsLearned.as_str())
        })
        .map(|e| e.at)
        .or((*status == IncidentStatus::LessonsLearned).then_some(phase_entered_at));
    let closed_at = timeline
        .iter()
        .find(|e| {
            e.kind == EntryKind::PhaseChanged
                && e.reference
                    .as_ref()
                    .and_then(|r| r.get("to"))
                    .and_then(|t| t.as_str())
                    == Some(IncidentStatus::Closed.as_str())
        })
        .map(|e| e.at);
    let notes = match entered_at {
        Some(from) => timeline
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::Note | EntryKind::Decision))
            .filter(|e| e.at >= from && closed_at.is_none_or(|end| e.at <= end))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    LessonsLearned {
        entered_at,
        items: items
            .iter()
            .filter(|it| it.phase == Phase::LessonsLearned)
            .cloned()
            .collect(),
        notes,
    }
}

/// A phase's name as a heading.
pub(crate) fn phase_title(phase: Phase) -> &'static str {
    match phase {
        Phase::Identification => "Identification",
        Phase::Containment => "Containment",
        Phase::Eradication => "Eradication",
        Phase::Recovery => "Recovery",
        Phase::LessonsLearned => "Lessons learned",
    }
}

/// An instant as the report prints it (UTC, to the second).
pub(crate) fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

/// A duration in seconds as the report prints it (e.g. `2 h 05 min`).
pub(crate) fn duration(seconds: Option<i64>) -> String {
    let Some(s) = seconds else {
        return "—".to_owned();
    };
    let sign = if s < 0 { "-" } else { "" };
    let s = s.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{sign}{d} d {h} h {m:02} min")
    } else if h > 0 {
        format!("{sign}{h} h {m:02} min")
    } else if m > 0 {
        format!("{sign}{m} min {sec:02} s")
    } else {
        format!("{sign}{sec} s")
    }
}

/// The rows of the milestones table: label and instant.
pub(crate) fn milestone_rows(m: &Milestones) -> [(&'static str, Option<DateTime<Utc>>); 7] {
    [
        ("Impact started", m.impact_started_at),
        ("Detected", m.detected_at),
        ("Declared", m.declared_at),
        ("Contained", m.contained_at),
        ("Eradicated", m.eradicated_at),
        ("Recovered", m.recovered_at),
        ("Closed", m.closed_at),
    ]
}

/// The rows of the metrics table: label and seconds.
pub(crate) fn metric_rows(m: &IncidentMetrics) -> [(&'static str, Option<i64>); 5] {
    [
        ("Time to detect", m.time_to_detect_s),
        ("Time to acknowledge", m.time_to_acknowledge_s),
        ("Time to contain", m.time_to_contain_s),
        ("Time to recover", m.time_to_recover_s),
        ("Time to close", m.time_to_close_s),
    ]
}

/// What an item's state reads as: done by whom and when, skipped and why, or open.
pub(crate) fn item_state(item: &ChecklistItem) -> String {
    match (&item.done_at, &item.done_by, &item.skipped_reason) {
        (Some(at), by, _) => format!(
            "done by {} at {}",
            by.as_deref().unwrap_or("?"),
            when(Some(*at))
        ),
        (None, _, Some(reason)) => format!("left open: {reason}"),
        (None, _, None) => "open".to_owned(),
    }
}

/// A scope as one line of ids.
pub(crate) fn scope_line(scope: &Scope) -> String {
    let list = |ids: &[Uuid]| {
        if ids.is_empty() {
            "—".to_owned()
        } else {
            ids.iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    format!(
        "organizations {}; applications {}; subscriptions {}",
        list(&scope.organization_ids),
        list(&scope.application_ids),
        list(&scope.subscription_ids)
    )
}

/// The audience a logged status update was sent to, as its timeline entry recorded it.
pub(crate) fn audience(update: &TimelineEntry) -> &str {
    update
        .reference
        .as_ref()
        .and_then(|r| r.get("audience"))
        .and_then(|a| a.as_str())
        .unwrap_or("unknown audience")
}

/// The name of a timeline entry's kind as printed.
pub(crate) fn entry_kind(kind: EntryKind) -> &'static str {
    kind.as_str()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn durations_read_as_an_operator_says_them() {
        assert_eq!(duration(None), "—");
        assert_eq!(duration(Some(42)), "42 s");
        assert_eq!(duration(Some(125)), "2 min 05 s");
        assert_eq!(duration(Some(7_500)), "2 h 05 min");
        assert_eq!(duration(Some(90_000)), "1 d 1 h 00 min");
        assert_eq!(duration(Some(-60)), "-1 min 00 s");
    }
}
