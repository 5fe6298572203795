//! Incident templates: per phase, the checklist an incident of one kind starts with.
//!
//! Templates are written by people (the shipped ones in `templates/incidents/*.toml`, custom
//! ones by operators), so they are parsed strictly — an unknown field is a typo, not
//! something to ignore — and validated into a [`Template`] whose every item can be
//! instantiated. Errors name the field path and, where the parser knows it, the line.

mod parse;
mod shipped;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use parse::{ParseProblem, TemplateError, TemplateFormat};
pub use shipped::{is_shipped, shipped, shipped_template};

use super::model::{IncidentKind, Phase};

/// Most items in one phase of a template.
pub const MAX_ITEMS_PER_PHASE: usize = 40;
/// Longest item text, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// Longest template id (slug).
pub const MAX_ID_CHARS: usize = 64;
/// Longest template name.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest template description.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// Longest deadline label.
pub const MAX_LABEL_CHARS: usize = 120;
/// Latest an item may be due after its phase starts: 30 days.
pub const MAX_DUE_AFTER_MINUTES: u32 = 30 * 24 * 60;
/// Latest a deadline may fall after detection: one year.
pub const MAX_DEADLINE_HOURS: u32 = 366 * 24;
/// Largest template file accepted, before parsing.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;

/// A template: what an incident of a kind is worked through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// A slug, `[a-z0-9-]`, unique among shipped and custom templates.
    pub id: String,
    /// What the operator picks from.
    pub name: String,
    /// The kind of incident it is written for.
    pub kind: IncidentKind,
    /// Raised at each change; stored with each incident created from it.
    pub version: u32,
    /// When to use it.
    #[serde(default)]
    pub description: String,
    /// The checklist, per phase.
    #[serde(default)]
    pub phases: TemplatePhases,
}

/// The checklist of each phase; a phase may have none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct TemplatePhases {
    /// See [`Phase::Identification`].
    pub identification: Vec<ItemTemplate>,
    /// See [`Phase::Containment`].
    pub containment: Vec<ItemTemplate>,
    /// See [`Phase::Eradication`].
    pub eradication: Vec<ItemTemplate>,
    /// See [`Phase::Recovery`].
    pub recovery: Vec<ItemTemplate>,
    /// See [`Phase::LessonsLearned`].
    pub lessons_learned: Vec<ItemTemplate>,
}

impl TemplatePhases {
    /// The items of `phase`.
    pub fn items(&self, phase: Phase) -> &[ItemTemplate] {
        match phase {
            Phase::Identification => &self.identification,
            Phase::Containment => &self.containment,
            Phase::Eradication => &self.eradication,
            Phase::Recovery => &self.recovery,
            Phase::LessonsLearned => &self.lessons_learned,
        }
    }
}

/// One checklist item as written in a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ItemTemplate {
    /// What to do, as an instruction.
    pub text: String,
    /// Leaving the phase with this open needs a reason.
    #[serde(default)]
    pub required: bool,
    /// Due this many minutes after the phase is entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub due_after_minutes: Option<u32>,
    /// An external deadline counted from detection (e.g. a legal notification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub deadline: Option<Deadline>,
}

/// A deadline that runs from when the problem was detected, whatever the phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// What it is, e.g. "GDPR Art. 33 notification to the supervisory authority".
    pub label: String,
    /// Hours after detection (the controller "becoming aware").
    pub hours_after_detection: u32,
}

impl Template {
    /// Parses and validates a TOML template.
    pub fn from_toml(text: &str) -> Result<Self, TemplateError> {
        let t = parse::from_toml(text)?;
        t.validate()?;
        Ok(t)
    }

    /// Parses and validates a JSON template.
    pub fn from_json(text: &str) -> Result<Self, TemplateError> {
        let t = parse::from_json(text)?;
        t.validate()?;
        Ok(t)
    }

    /// The template as TOML (what [`from_toml`](Self::from_toml) reads back).
    pub fn to_toml(&self) -> Result<String, TemplateError> {
        toml::to_string_pretty(self).map_err(|e| TemplateError::Serialize(e.to_string()))
    }

    /// The template as pretty JSON (what [`from_json`](Self::from_json) reads back).
    pub fn to_json(&self) -> Result<String, TemplateError> {
        serde_json::to_string_pretty(self).map_err(|e| TemplateError::Serialize(e.to_string()))
    }

    /// Checks what the types cannot: slug, lengths, ranges, emptiness and duplicates.
    pub fn validate(&self) -> Result<(), TemplateError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= MAX_ID_CHARS
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !self.id.starts_with('-')
            && !self.id.ends_with('-');
        if !id_ok {
            return Err(TemplateError::BadId(self.id.clone()));
        }
        if self.version == 0 {
            return Err(TemplateError::VersionZero);
        }
        text_field("name", &self.name, MAX_NAME_CHARS, false)?;
        text_field(
            "description",
            &self.description,
            MAX_DESCRIPTION_CHARS,
            true,
        )?;
        let mut total = 0;
        for phase in Phase::ALL {
            let items = self.phases.items(phase);
            if items.len() > MAX_ITEMS_PER_PHASE {
                return Err(TemplateError::TooManyItems {
                    phase,
                    count: items.len(),
                    max: MAX_ITEMS_PER_PHASE,
                });
            }
            let mut seen = std::collections::HashSet::new();
            for (position, item) in items.iter().enumerate() {
                item.validate(phase, position)?;
                if !seen.insert(item.text.trim().to_lowercase()) {
                    return Err(TemplateError::DuplicateItem {
                        phase,
                        text: item.text.trim().to_owned(),
                    });
                }
            }
            total += items.len();
        }
        if total == 0 {
            return Err(TemplateError::NoItems);
        }
        Ok(())
    }
}

impl ItemTemplate {
    fn validate(&self, phase: Phase, position: usize) -> Result<(), TemplateError> {
        let at = |field: &str| format!("phases.{}[{position}].{field}", phase.as_str());
        if self.text.trim().is_empty() {
            return Err(TemplateError::EmptyText { phase, position });
        }
        text_field(&at("text"), &self.text, MAX_TEXT_CHARS, false)?;
        if let Some(m) = self.due_after_minutes
            && !(1..=MAX_DUE_AFTER_MINUTES).contains(&m)
        {
            return Err(TemplateError::OutOfRange {
                field: at("due_after_minutes"),
                detail: format!("{m} is not within 1–{MAX_DUE_AFTER_MINUTES} minutes"),
            });
        }
        if let Some(d) = &self.deadline {
            text_field(&at("deadline.label"), &d.label, MAX_LABEL_CHARS, false)?;
            if !(1..=MAX_DEADLINE_HOURS).contains(&d.hours_after_detection) {
                return Err(TemplateError::OutOfRange {
                    field: at("deadline.hours_after_detection"),
                    detail: format!(
                        "{} is not within 1–{MAX_DEADLINE_HOURS} hours",
                        d.hours_after_detection
                    ),
                });
            }
        }
        Ok(())
    }
}

fn text_field(
    field: &str,
    value: &str,
    max: usize,
    may_be_empty: bool,
) -> Result<(), TemplateError> {
    if !may_be_empty && value.trim().is_empty() {
        return Err(TemplateError::Empty(field.to_owned()));
    }
    if value.chars().count() > max {
        return Err(TemplateError::TooLong {
            field: field.to_owned(),
            max,
        });
    }
    Ok(())
}
