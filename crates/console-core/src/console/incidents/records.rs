//! Declaring incidents, working their checklist, moving them on, and their timeline.

use uuid::Uuid;

use super::view::{incident_list_item, incident_view};
use super::{super::Console, OPERATOR};
use crate::error::ErrorDto;
use crate::incident::{
    EntryKind, Incident, IncidentError, IncidentFilter, IncidentPatch, IncidentStatus, NewEntry,
    NewIncident, TimelineEntry,
};
use crate::ipc::{
    IncidentAdvanceRequest, IncidentListFilter, IncidentListItem, IncidentNoteKind,
    IncidentNoteRequest, IncidentTickRequest, IncidentView,
};

impl Console {
    /// Declares an incident on the active profile from a template.
    pub fn incident_create(&self, new: NewIncident) -> Result<IncidentView, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let (profile, view) = self.with_incidents(|store, profile| {
            let incident = store.create(&new, OPERATOR, now)?;
            Ok((profile, incident_view(store, incident.id, now)?))
        })?;
        self.audit_incident(profile, view.incident.id.to_string(), "created")?;
        Ok(view)
    }

    /// The active profile's incidents, most recently declared first.
    pub fn incidents(&self, filter: IncidentListFilter) -> Result<Vec<IncidentListItem>, ErrorDto> {
        let statuses = match filter {
            IncidentListFilter::Open => IncidentStatus::ALL
                .into_iter()
                .filter(|s| *s != IncidentStatus::Closed)
                .collect(),
            IncidentListFilter::Closed => vec![IncidentStatus::Closed],
            IncidentListFilter::All => Vec::new(),
        };
        let now = self.incident_now()?;
        self.with_incidents(|store, _| {
            store
                .list(&IncidentFilter { statuses })?
                .into_iter()
                .map(|incident| incident_list_item(store, incident, now))
                .collect()
        })
    }

    /// One incident in full: checklist by phase with due and overdue, timeline, metrics.
    pub fn incident(&self, incident_id: Uuid) -> Result<IncidentView, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        self.with_incidents(|store, _| incident_view(store, incident_id, now))
    }

    /// Changes the title, severity, roles or scope of an open incident.
    pub fn incident_update(
        &self,
        incident_id: Uuid,
        patch: IncidentPatch,
    ) -> Result<IncidentView, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let (profile, fields, view) = self.with_incidents(|store, profile| {
            let before = store.get(incident_id)?;
            let after = store.update(incident_id, &patch, OPERATOR, now)?;
            Ok((
                profile,
                changed_fields(&before, &after),
                incident_view(store, incident_id, now)?,
            ))
        })?;
        if !fields.is_empty() {
            self.audit_incident(
                profile,
                incident_id.to_string(),
                format!("updated:{fields}"),
            )?;
        }
        Ok(view)
    }

    /// Marks a checklist item done by the operator.
    pub fn incident_tick(&self, request: IncidentTickRequest) -> Result<IncidentView, ErrorDto> {
        self.mark(request, true)
    }

    /// Opens a done checklist item again.
    pub fn incident_untick(&self, request: IncidentTickRequest) -> Result<IncidentView, ErrorDto> {
        self.mark(request, false)
    }

    fn mark(&self, request: IncidentTickRequest, done: bool) -> Result<IncidentView, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let IncidentTickRequest {
            incident_id,
            phase,
            position,
            note,
        } = request;
        let (profile, view) = self.with_incidents(|store, profile| {
            if done {
                store.tick(incident_id, phase, position, OPERATOR, note.as_deref(), now)?;
            } else {
                store.untick(incident_id, phase, position, OPERATOR, note.as_deref(), now)?;
            }
            Ok((profile, incident_view(store, incident_id, now)?))
        })?;
        let change = if done { "item_done" } else { "item_reopened" };
        self.audit_incident(
            profile,
            incident_id.to_string(),
            format!("{change}:{}:{position}", phase.as_str()),
        )?;
        Ok(view)
    }

    /// Moves an incident on to its next phase. With required items of the phase open, a
    /// reason is needed, and the refusal lists those items.
    pub fn incident_advance(
        &self,
        request: IncidentAdvanceRequest,
    ) -> Result<IncidentView, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let IncidentAdvanceRequest {
            incident_id,
            reason,
        } = request;
        let (profile, to, view) = self.with_incidents(|store, profile| {
            let current = store.get(incident_id)?;
            let to = current
                .status
                .next()
                .ok_or(IncidentError::Closed(incident_id))?;
            store.advance(incident_id, to, reason.as_deref(), OPERATOR, now)?;
            Ok((profile, to, incident_view(store, incident_id, now)?))
        })?;
        self.audit_incident(
            profile,
            incident_id.to_string(),
            format!("advanced:{}", to.as_str()),
        )?;
        Ok(view)
    }

    /// Adds a note or decision to an open incident's timeline, back-dated when `at` is given.
    pub fn incident_note(&self, request: IncidentNoteRequest) -> Result<TimelineEntry, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let kind = match request.kind {
            IncidentNoteKind::Note => EntryKind::Note,
            IncidentNoteKind::Decision => EntryKind::Decision,
        };
        let entry = NewEntry {
            kind,
            text: request.text,
            at: request.at,
            reference: None,
        };
        let (profile, written) = self.with_incidents(|store, profile| {
            Ok((
                profile,
                store.add_entry(request.incident_id, &entry, OPERATOR, now)?,
            ))
        })?;
        let change = if written.backdated {
            format!("{}:backdated", kind.as_str())
        } else {
            kind.as_str().to_owned()
        };
        self.audit_incident(profile, request.incident_id.to_string(), change)?;
        Ok(written)
    }
}

/// The names of the fields an update changed, comma-separated (never their values).
fn changed_fields(before: &Incident, after: &Incident) -> String {
    let mut fields = Vec::new();
    if before.title != after.title {
        fields.push("title");
    }
    if before.severity != after.severity {
        fields.push("severity");
    }
    if before.roles != after.roles {
        fields.push("roles");
    }
    if before.scope != after.scope {
        fields.push("scope");
    }
    if before.milestones.impact_started_at != after.milestones.impact_started_at {
        fields.push("impact_started_at");
    }
    fields.join(",")
}
