//! Status updates from the window: a draft per audience with live numbers from the active
//! profile's delivery cache, its export to a file, and logging it as sent.
//!
//! Two databases meet here: the incident records (incident, timeline) and the delivery
//! cache (attempts, replay jobs); each is read through its own handle. Only "sent" writes a
//! timeline entry; an export is audited (ids only) and nothing else.

use std::io::Write as _;

use uuid::Uuid;

use super::super::Console;
use super::OPERATOR;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::ErrorDto;
use crate::incident::comms::{
    Audience, LiveNumbers, StatusDraft, delivery_numbers, impact_since, linked_replay_jobs,
    replay_progress,
};
use crate::incident::{EntryKind, NewEntry, TimelineEntry};
use crate::ipc::DraftExport;

impl Console {
    /// The draft status update for `audience`, filled with numbers computed now.
    pub fn incident_status_draft(
        &self,
        incident_id: Uuid,
        audience: Audience,
    ) -> Result<StatusDraft, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let (profile, incident, jobs) = self.with_incidents(|store, profile| {
            let jobs =
                linked_replay_jobs(&store.timeline(incident_id)?, &store.evidence(incident_id)?);
            Ok((profile, store.get(incident_id)?, jobs))
        })?;
        let since = impact_since(&incident);
        let (deliveries, replay) = self.with_reader_of(profile, |reader| {
            Ok((
                delivery_numbers(reader.conn(), &incident.scope, since, now)?,
                replay_progress(reader.conn(), &jobs)?,
            ))
        })?;
        let numbers = LiveNumbers {
            since,
            deliveries,
            replay,
            status: incident.status,
            computed_at: now,
        };
        Ok(StatusDraft::generate(audience, &incident, numbers))
    }

    /// Logs a status update as sent: a `Communication` timeline entry with the text as sent
    /// and, in its reference, the audience and the numbers it quoted (those of the draft it
    /// came from; computed now when none are given).
    pub fn incident_log_communication(
        &self,
        incident_id: Uuid,
        audience: Audience,
        text: String,
        numbers: Option<LiveNumbers>,
    ) -> Result<TimelineEntry, ErrorDto> {
        self.unlocked()?;
        let numbers = match numbers {
            Some(numbers) => numbers,
            None => self.incident_status_draft(incident_id, audience)?.numbers,
        };
        let now = self.incident_now()?;
        let entry = NewEntry {
            kind: EntryKind::Communication,
            text,
            at: None,
            reference: Some(serde_json::json!({
                "audience": audience,
                "numbers": numbers,
            })),
        };
        let (profile, written) = self.with_incidents(|store, profile| {
            Ok((
                profile,
                store.add_entry(incident_id, &entry, OPERATOR, now)?,
            ))
        })?;
        self.audit_incident(
            profile,
            incident_id.to_string(),
            format!("communication:{}", audience.as_str()),
        )?;
        Ok(written)
    }

    /// Writes a status update (as edited) to a text file under `exports/`. Not a
    /// communication: only "sent" is; the export is audited.
    pub fn incident_export_draft(
        &self,
        incident_id: Uuid,
        audience: Audience,
        text: String,
    ) -> Result<DraftExport, ErrorDto> {
        self.unlocked()?;
        if text.trim().is_empty() {
            return Err(ErrorDto::new(
                crate::error::ErrorCode::InvalidInput,
                "the status update is empty",
            ));
        }
        let now = self.incident_now()?;
        let profile = self.with_incidents(|store, profile| {
            store.get(incident_id)?;
            Ok(profile)
        })?;
        let dir = self.data_dir.join("exports");
        std::fs::create_dir_all(&dir).map_err(|e| ErrorDto::unwritable(&dir, &e))?;
        let path = dir.join(format!(
            "incident-{incident_id}-update-{}-{}.txt",
            audience.as_str(),
            now.format("%Y%m%dT%H%M%SZ")
        ));
        let mut file = std::fs::File::create(&path).map_err(|e| ErrorDto::unwritable(&path, &e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| ErrorDto::unwritable(&path, &e))?;
        self.audit(
            AuditEntry::operator(AuditAction::IncidentExported, AuditOutcome::Succeeded)
                .with_targets([
                    profile.to_string(),
                    incident_id.to_string(),
                    format!("update:{}", audience.as_str()),
                ]),
        )?;
        Ok(DraftExport {
            path: path.display().to_string(),
            bytes: text.len() as u64,
        })
    }
}
