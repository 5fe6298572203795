//! Declaring, reading and editing incidents.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::codec::{self, MAX_NAME_CHARS, MAX_SCOPE_IDS, MAX_TITLE_CHARS};
use super::timeline::{self, EntryKind};
use super::{IncidentStore, templates};
use crate::incident::error::IncidentError;
use crate::incident::model::{
    Incident, IncidentKind, IncidentStatus, Milestones, Phase, Roles, Scope, Severity,
};

/// What the operator gives to declare an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewIncident {
    /// A short line the team recognises.
    pub title: String,
    /// What went wrong.
    pub kind: IncidentKind,
    /// How bad it is.
    pub severity: Severity,
    /// The template (shipped or custom) whose checklist the incident starts with.
    pub template_id: String,
    /// Who does what, as far as known.
    #[serde(default)]
    pub roles: Roles,
    /// What it concerns, as far as known.
    #[serde(default)]
    pub scope: Scope,
    /// The first signal; the declaration time when absent.
    #[serde(default)]
    pub detected_at: Option<DateTime<Utc>>,
    /// When customers were first affected, if known.
    #[serde(default)]
    pub impact_started_at: Option<DateTime<Utc>>,
}

/// Changes to an open incident; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct IncidentPatch {
    /// A new title.
    pub title: Option<String>,
    /// A new severity.
    pub severity: Option<Severity>,
    /// The roles, replaced whole.
    pub roles: Option<Roles>,
    /// The scope, replaced whole.
    pub scope: Option<Scope>,
    /// When customers were first affected (often learnt during identification).
    pub impact_started_at: Option<DateTime<Utc>>,
}

/// Which incidents to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct IncidentFilter {
    /// Only these statuses; all when empty.
    pub statuses: Vec<IncidentStatus>,
}

const COLUMNS: &str = "id, title, kind, severity, status, commander, scribe, communications,
    scope, template_id, template_version, impact_started_at, detected_at, declared_at,
    contained_at, eradicated_at, recovered_at, closed_at, phase_entered_at, created_at,
    updated_at";

impl IncidentStore {
    /// Declares an incident at `now` from `new`, with the template's checklist; the
    /// identification items' due times count from now, deadlines from detection.
    pub fn create(
        &mut self,
        new: &NewIncident,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Incident, IncidentError> {
        let author = codec::required_text("the author", author, MAX_NAME_CHARS)?;
        let title = codec::required_text("the title", &new.title, MAX_TITLE_CHARS)?;
        let roles = clean_roles(&new.roles)?;
        let scope = clean_scope(&new.scope)?;
        let detected_at = new.detected_at.unwrap_or(now);
        codec::not_future("the detection time", detected_at, now)?;
        if let Some(impact) = new.impact_started_at {
            check_impact(impact, detected_at)?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let template = templates::resolve(&tx, &new.template_id)?;
        let incident = Incident {
            id: Uuid::now_v7(),
            title,
            kind: new.kind,
            severity: new.severity,
            status: IncidentStatus::Identification,
            roles,
            scope,
            template_id: template.id.clone(),
            template_version: template.version,
            milestones: Milestones {
                impact_started_at: new.impact_started_at,
                detected_at: Some(detected_at),
                declared_at: Some(now),
                ..Milestones::default()
            },
            phase_entered_at: now,
            created_at: now,
            updated_at: now,
        };
        insert(&tx, &incident)?;
        for phase in Phase::ALL {
            for (position, item) in template.phases.items(phase).iter().enumerate() {
                let due_at = (phase == Phase::Identification)
                    .then_some(item.due_after_minutes)
                    .flatten()
                    .map(|m| now + Duration::minutes(i64::from(m)));
                let deadline = item.deadline.as_ref().map(|d| {
                    (
                        d.label.as_str(),
                        detected_at + Duration::hours(i64::from(d.hours_after_detection)),
                    )
                });
                tx.execute(
                    "INSERT INTO checklist_item (incident_id, phase, position, text, required,
                         due_after_minutes, due_at, deadline_label, deadline_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        incident.id.as_bytes(),
                        phase.as_str(),
                        i64::try_from(position).unwrap_or(i64::MAX),
                        item.text.trim(),
                        item.required,
                        item.due_after_minutes,
                        codec::opt_micros(due_at),
                        deadline.map(|d| d.0),
                        codec::opt_micros(deadline.map(|d| d.1)),
                    ],
                )?;
            }
        }
        timeline::append(
            &tx,
            &timeline::Append {
                incident: incident.id,
                at: now,
                recorded_at: now,
                backdated: false,
                kind: EntryKind::PhaseChanged,
                author: &author,
                text: &format!(
                    "Incident declared ({}, {}) from template {} v{}; identification begins",
                    incident.kind.as_str(),
                    incident.severity.as_str(),
                    template.id,
                    template.version
                ),
                reference: Some(serde_json::json!({
                    "to": IncidentStatus::Identification,
                    "template_id": template.id,
                    "template_version": template.version,
                })),
            },
        )?;
        tx.commit()?;
        Ok(incident)
    }

    /// The incident `id`.
    pub fn get(&self, id: Uuid) -> Result<Incident, IncidentError> {
        load(&self.conn, id)
    }

    /// The incidents matching `filter`, most recently declared first.
    pub fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, IncidentError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM incident ORDER BY declared_at DESC, id DESC"
        ))?;
        let all = stmt
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(all
            .into_iter()
            .filter(|i| filter.statuses.is_empty() || filter.statuses.contains(&i.status))
            .collect())
    }

    /// Applies `patch` to an open incident and records what changed on the timeline.
    pub fn update(
        &mut self,
        id: Uuid,
        patch: &IncidentPatch,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Incident, IncidentError> {
        let author = codec::required_text("the author", author, MAX_NAME_CHARS)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut incident = load_open(&tx, id)?;
        let mut changed = Vec::new();
        if let Some(title) = &patch.title {
            let title = codec::required_text("the title", title, MAX_TITLE_CHARS)?;
            if title != incident.title {
                incident.title = title;
                changed.push("title".to_owned());
            }
        }
        if let Some(severity) = patch.severity
            && severity != incident.severity
        {
            changed.push(format!(
                "severity {} → {}",
                incident.severity.as_str(),
                severity.as_str()
            ));
            incident.severity = severity;
        }
        if let Some(roles) = &patch.roles {
            let roles = clean_roles(roles)?;
            if roles != incident.roles {
                incident.roles = roles;
                changed.push("roles".to_owned());
            }
        }
        if let Some(scope) = &patch.scope {
            let scope = clean_scope(scope)?;
            if scope != incident.scope {
                incident.scope = scope;
                changed.push("scope".to_owned());
            }
        }
        if let Some(impact) = patch.impact_started_at {
            let detected = incident
                .milestones
                .detected_at
                .unwrap_or(incident.created_at);
            check_impact(impact, detected)?;
            if Some(impact) != incident.milestones.impact_started_at {
                incident.milestones.impact_started_at = Some(impact);
                changed.push("impact start".to_owned());
            }
        }
        if changed.is_empty() {
            return Ok(incident);
        }
        incident.updated_at = now.max(incident.updated_at);
        save(&tx, &incident)?;
        timeline::append(
            &tx,
            &timeline::Append {
                incident: id,
                at: now,
                recorded_at: now,
                backdated: false,
                kind: EntryKind::Action,
                author: &author,
                text: &format!("Changed {}", changed.join(", ")),
                reference: Some(serde_json::json!({ "changed": changed })),
            },
        )?;
        tx.commit()?;
        Ok(incident)
    }
}

fn check_impact(impact: DateTime<Utc>, detected: DateTime<Utc>) -> Result<(), IncidentError> {
    if impact > detected {
        return Err(IncidentError::InvalidInput(format!(
            "the impact start ({impact}) is after the detection ({detected})"
        )));
    }
    Ok(())
}

fn clean_roles(roles: &Roles) -> Result<Roles, IncidentError> {
    let name =
        |field: &str, v: &Option<String>| codec::optional_text(field, v.as_deref(), MAX_NAME_CHARS);
    Ok(Roles {
        commander: name("the commander", &roles.commander)?,
        scribe: name("the scribe", &roles.scribe)?,
        communications: name("the communications lead", &roles.communications)?,
    })
}

fn clean_scope(scope: &Scope) -> Result<Scope, IncidentError> {
    let ids = |field: &str, ids: &[Uuid]| {
        if ids.len() > MAX_SCOPE_IDS {
            return Err(IncidentError::InvalidInput(format!(
                "the scope lists {} {field}; at most {MAX_SCOPE_IDS}",
                ids.len()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        Ok(ids.iter().copied().filter(|id| seen.insert(*id)).collect())
    };
    Ok(Scope {
        organization_ids: ids("organizations", &scope.organization_ids)?,
        application_ids: ids("applications", &scope.application_ids)?,
        subscription_ids: ids("subscriptions", &scope.subscription_ids)?,
    })
}

pub(super) fn load(conn: &Connection, id: Uuid) -> Result<Incident, IncidentError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM incident WHERE id = ?1"),
        [id.as_bytes()],
        from_row,
    )
    .optional()?
    .ok_or(IncidentError::UnknownIncident(id))
}

/// The incident, refused when closed (the record is read-only then).
pub(super) fn load_open(tx: &Transaction<'_>, id: Uuid) -> Result<Incident, IncidentError> {
    let incident = load(tx, id)?;
    if incident.status == IncidentStatus::Closed {
        return Err(IncidentError::Closed(id));
    }
    Ok(incident)
}

fn insert(tx: &Transaction<'_>, i: &Incident) -> Result<(), IncidentError> {
    tx.execute(
        &format!(
            "INSERT INTO incident ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                 ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
        ),
        params![
            i.id.as_bytes(),
            i.title,
            i.kind.as_str(),
            i.severity.as_str(),
            i.status.as_str(),
            i.roles.commander,
            i.roles.scribe,
            i.roles.communications,
            scope_json(&i.scope)?,
            i.template_id,
            i.template_version,
            codec::opt_micros(i.milestones.impact_started_at),
            codec::micros(i.milestones.detected_at.unwrap_or(i.created_at)),
            codec::micros(i.milestones.declared_at.unwrap_or(i.created_at)),
            codec::opt_micros(i.milestones.contained_at),
            codec::opt_micros(i.milestones.eradicated_at),
            codec::opt_micros(i.milestones.recovered_at),
            codec::opt_micros(i.milestones.closed_at),
            codec::micros(i.phase_entered_at),
            codec::micros(i.created_at),
            codec::micros(i.updated_at),
        ],
    )?;
    Ok(())
}

/// Writes every changeable column of `i` (id, template and creation never change).
pub(super) fn save(tx: &Transaction<'_>, i: &Incident) -> Result<(), IncidentError> {
    tx.execute(
        "UPDATE incident SET title = ?2, severity = ?3, status = ?4, commander = ?5,
             scribe = ?6, communications = ?7, scope = ?8, impact_started_at = ?9,
             contained_at = ?10, eradicated_at = ?11, recovered_at = ?12, closed_at = ?13,
             phase_entered_at = ?14, updated_at = ?15
         WHERE id = ?1",
        params![
            i.id.as_bytes(),
            i.title,
            i.severity.as_str(),
            i.status.as_str(),
            i.roles.commander,
            i.roles.scribe,
            i.roles.communications,
            scope_json(&i.scope)?,
            codec::opt_micros(i.milestones.impact_started_at),
            codec::opt_micros(i.milestones.contained_at),
            codec::opt_micros(i.milestones.eradicated_at),
            codec::opt_micros(i.milestones.recovered_at),
            codec::opt_micros(i.milestones.closed_at),
            codec::micros(i.phase_entered_at),
            codec::micros(i.updated_at),
        ],
    )?;
    Ok(())
}

fn scope_json(scope: &Scope) -> Result<String, IncidentError> {
    serde_json::to_string(scope).map_err(|e| IncidentError::Corrupt(e.to_string()))
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Incident> {
    Ok(Incident {
        id: codec::uuid(r, 0)?,
        title: r.get(1)?,
        kind: codec::named(r, 2, IncidentKind::parse)?,
        severity: codec::named(r, 3, Severity::parse)?,
        status: codec::named(r, 4, IncidentStatus::parse)?,
        roles: Roles {
            commander: r.get(5)?,
            scribe: r.get(6)?,
            communications: r.get(7)?,
        },
        scope: codec::json(r, 8)?,
        template_id: r.get(9)?,
        template_version: codec::u32_col(r, 10)?,
        milestones: Milestones {
            impact_started_at: codec::opt_instant(r, 11)?,
            detected_at: Some(codec::instant(r, 12)?),
            declared_at: Some(codec::instant(r, 13)?),
            contained_at: codec::opt_instant(r, 14)?,
            eradicated_at: codec::opt_instant(r, 15)?,
            recovered_at: codec::opt_instant(r, 16)?,
            closed_at: codec::opt_instant(r, 17)?,
        },
        phase_entered_at: codec::instant(r, 18)?,
        created_at: codec::instant(r, 19)?,
        updated_at: codec::instant(r, 20)?,
    })
}
