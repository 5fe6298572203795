//! One incident as the window shows it, with due and overdue judged at one instant.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::incident::metrics::IncidentMetrics;
use crate::incident::{ChecklistItem, IncidentError, IncidentStore, Phase};
use crate::ipc::{ChecklistItemView, IncidentListItem, IncidentView, PhaseChecklist};

/// The incident `id` in full at `now` (the window's view; the command line prints the same).
pub fn incident_view(
    store: &IncidentStore,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<IncidentView, IncidentError> {
    let incident = store.get(id)?;
    let current = incident.status.phase();
    let mut phases: Vec<PhaseChecklist> = Phase::ALL
        .into_iter()
        .map(|phase| PhaseChecklist {
            phase,
            current: current == Some(phase),
            items: Vec::new(),
        })
        .collect();
    for item in store.checklist(id)? {
        // The store lists items phase by phase in order, so each bucket keeps that order.
        if let Some(bucket) = phases.iter_mut().find(|p| p.phase == item.phase) {
            bucket.items.push(judged(item, now));
        }
    }
    Ok(IncidentView {
        metrics: IncidentMetrics::of(&incident.milestones),
        timeline: store.timeline(id)?,
        evidence: store.evidence(id)?,
        incident,
        phases,
        now,
    })
}

/// The incident `id` as listed: counts of what is overdue and the next deadline, at `now`.
pub fn incident_list_item(
    store: &IncidentStore,
    incident: crate::incident::Incident,
    now: DateTime<Utc>,
) -> Result<IncidentListItem, IncidentError> {
    let items: Vec<ChecklistItemView> = store
        .checklist(incident.id)?
        .into_iter()
        .map(|item| judged(item, now))
        .collect();
    let count = |test: fn(&ChecklistItemView) -> bool| {
        u32::try_from(items.iter().filter(|i| test(i)).count()).unwrap_or(u32::MAX)
    };
    let next_deadline = items
        .iter()
        .filter(|i| i.item.done_at.is_none())
        .filter_map(|i| i.item.deadline.clone())
        .filter(|d| d.at >= now)
        .min_by_key(|d| d.at);
    Ok(IncidentListItem {
        overdue: count(|i| i.overdue),
        deadlines_passed: count(|i| i.deadline_passed),
        next_deadline,
        evidence: u32::try_from(store.evidence(incident.id)?.len()).unwrap_or(u32::MAX),
        incident,
    })
}

/// An open item is overdue once its due time has passed, and its deadline has passed once
/// the external deadline has; a done item is neither.
fn judged(item: ChecklistItem, now: DateTime<Utc>) -> ChecklistItemView {
    let open = item.done_at.is_none();
    ChecklistItemView {
        overdue: open && item.due_at.is_some_and(|due| due < now),
        deadline_passed: open && item.deadline.as_ref().is_some_and(|d| d.at < now),
        item,
    }
}
