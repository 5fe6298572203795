//! Custom templates, stored beside the shipped ones (which live in the binary).
//!
//! A saved template replaces an earlier one of the same id only with a higher version, so an
//! incident's `template_version` always names one content. Incidents copy their checklist at
//! creation, so replacing or deleting a template never changes an incident.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{IncidentStore, codec};
use crate::incident::error::IncidentError;
use crate::incident::template::{self, Template};

/// A template as listed for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TemplateInfo {
    /// The template.
    pub template: Template,
    /// Shipped with the console (read-only) rather than saved by an operator.
    pub shipped: bool,
    /// When a custom template was last saved.
    pub saved_at: Option<DateTime<Utc>>,
}

impl IncidentStore {
    /// Saves a custom template, replacing a stored one of the same id when its version is
    /// higher. Shipped ids are refused.
    pub fn save_template(
        &mut self,
        template: &Template,
        now: DateTime<Utc>,
    ) -> Result<(), IncidentError> {
        if template::is_shipped(&template.id) {
            return Err(IncidentError::ShippedTemplate(template.id.clone()));
        }
        template.validate()?;
        let body =
            serde_json::to_string(template).map_err(|e| IncidentError::Corrupt(e.to_string()))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored: Option<Template> = custom(&tx, &template.id)?.map(|(t, _)| t);
        if let Some(stored) = stored {
            if stored == *template {
                return Ok(());
            }
            if template.version <= stored.version {
                return Err(IncidentError::InvalidInput(format!(
                    "template {:?} is stored at version {}: raise the version to replace it",
                    template.id, stored.version
                )));
            }
        }
        tx.execute(
            "INSERT INTO incident_template (id, version, body, saved_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET version = ?2, body = ?3, saved_at = ?4",
            params![template.id, template.version, body, codec::micros(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a custom template. Shipped ones cannot be deleted.
    pub fn delete_template(&mut self, id: &str) -> Result<(), IncidentError> {
        if template::is_shipped(id) {
            return Err(IncidentError::ShippedTemplate(id.to_owned()));
        }
        let n = self
            .conn
            .execute("DELETE FROM incident_template WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(IncidentError::UnknownTemplate(id.to_owned()));
        }
        Ok(())
    }

    /// The template `id`, shipped or custom.
    pub fn template(&self, id: &str) -> Result<Template, IncidentError> {
        resolve(&self.conn, id)
    }

    /// Every template: the shipped ones first, then the custom ones by id.
    pub fn templates(&self) -> Result<Vec<TemplateInfo>, IncidentError> {
        let mut all: Vec<TemplateInfo> = template::shipped()?
            .into_iter()
            .map(|template| TemplateInfo {
                template,
                shipped: true,
                saved_at: None,
            })
            .collect();
        let rows: Vec<(String, String, DateTime<Utc>)> = self
            .conn
            .prepare("SELECT id, body, saved_at FROM incident_template ORDER BY id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, codec::instant(r, 2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, body, saved_at) in rows {
            all.push(TemplateInfo {
                template: parse_stored(&id, &body)?,
                shipped: false,
                saved_at: Some(saved_at),
            });
        }
        Ok(all)
    }
}

/// The template `id`: shipped ones win (custom ones cannot take their ids).
pub(super) fn resolve(conn: &Connection, id: &str) -> Result<Template, IncidentError> {
    if let Some(shipped) = template::shipped_template(id) {
        return Ok(shipped?);
    }
    custom(conn, id)?
        .map(|(t, _)| t)
        .ok_or_else(|| IncidentError::UnknownTemplate(id.to_owned()))
}

fn custom(conn: &Connection, id: &str) -> Result<Option<(Template, i64)>, IncidentError> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT body, saved_at FROM incident_template WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(body, saved)| Ok((parse_stored(id, &body)?, saved)))
        .transpose()
}

/// A stored body that no longer parses was not written by this console.
fn parse_stored(id: &str, body: &str) -> Result<Template, IncidentError> {
    Template::from_json(body)
        .map_err(|e| IncidentError::Corrupt(format!("stored template {id:?}: {e}")))
}
