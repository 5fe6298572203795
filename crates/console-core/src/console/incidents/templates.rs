//! Templates: the shipped ones and those imported into the active profile's records.

use crate::error::ErrorDto;
use crate::incident::{IncidentError, Phase, Template, TemplateInfo};
use crate::ipc::{IncidentTemplateSummary, TemplateFormat, TemplateText};

use super::super::Console;

impl Console {
    /// Every template an incident can start from: shipped first, then imported ones by id.
    pub fn incident_templates(&self) -> Result<Vec<IncidentTemplateSummary>, ErrorDto> {
        let all = self.with_incidents(|store, _| store.templates())?;
        Ok(all.iter().map(template_summary).collect())
    }

    /// One template as text, to review or to edit into a custom one.
    pub fn incident_template_export(
        &self,
        template_id: &str,
        format: TemplateFormat,
    ) -> Result<TemplateText, ErrorDto> {
        let template = self.with_incidents(|store, _| store.template(template_id))?;
        let text = match format {
            TemplateFormat::Toml => template.to_toml(),
            TemplateFormat::Json => template.to_json(),
        }?;
        Ok(TemplateText {
            id: template.id,
            format,
            text,
        })
    }

    /// Imports a custom template from text. It is validated in full before anything is
    /// stored; the parser's message says what is wrong and where.
    pub fn incident_template_import(
        &self,
        text: &str,
        format: TemplateFormat,
    ) -> Result<IncidentTemplateSummary, ErrorDto> {
        self.unlocked()?;
        let template = match format {
            TemplateFormat::Toml => Template::from_toml(text),
            TemplateFormat::Json => Template::from_json(text),
        }?;
        let now = self.incident_now()?;
        let (profile, info) = self.with_incidents(|store, profile| {
            store.save_template(&template, now)?;
            let info = store
                .templates()?
                .into_iter()
                .find(|t| !t.shipped && t.template.id == template.id)
                .ok_or_else(|| IncidentError::UnknownTemplate(template.id.clone()))?;
            Ok((profile, info))
        })?;
        self.audit_incident(
            profile,
            format!("template:{}", template.id),
            "template_imported",
        )?;
        Ok(template_summary(&info))
    }

    /// Deletes an imported template (incidents made from it keep their checklist).
    pub fn incident_template_delete(&self, template_id: &str) -> Result<(), ErrorDto> {
        let profile = self.with_incidents(|store, profile| {
            store.delete_template(template_id)?;
            Ok(profile)
        })?;
        self.audit_incident(
            profile,
            format!("template:{template_id}"),
            "template_deleted",
        )
    }
}

/// A template as the lists show it (the window and the command line).
pub fn template_summary(info: &TemplateInfo) -> IncidentTemplateSummary {
    let t = &info.template;
    let items = Phase::ALL
        .iter()
        .map(|p| t.phases.items(*p).len())
        .sum::<usize>();
    IncidentTemplateSummary {
        id: t.id.clone(),
        name: t.name.clone(),
        kind: t.kind,
        version: t.version,
        description: t.description.clone(),
        shipped: info.shipped,
        saved_at: info.saved_at,
        items: u32::try_from(items).unwrap_or(u32::MAX),
    }
}
