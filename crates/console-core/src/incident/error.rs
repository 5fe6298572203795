//! Why an incident operation failed, typed so the IPC and the command line can act on the kind.

use std::path::PathBuf;

use uuid::Uuid;

use super::model::{IncidentStatus, Phase};
use super::template::TemplateError;
use crate::error::{ErrorCode, ErrorDetail, ErrorDto};

/// A failed incident operation.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// A value the operator gave cannot be used (empty title, instant in the future…).
    #[error("invalid incident input: {0}")]
    InvalidInput(String),
    /// Moving on is only to the next phase.
    #[error("an incident in {from} cannot move to {to}{}", expected_text(*.expected))]
    WrongTransition {
        /// Where the incident stands.
        from: IncidentStatus,
        /// What was asked.
        to: IncidentStatus,
        /// The only status allowed next (none once closed).
        expected: Option<IncidentStatus>,
    },
    /// Leaving a phase whose required items are open needs a reason, stored on the timeline.
    #[error(
        "{} required item(s) of {phase} are still open ({}): give a reason to move on",
        open_items.len(),
        open_items.join("; ")
    )]
    ReasonRequired {
        /// The phase being left.
        phase: Phase,
        /// The text of each open required item.
        open_items: Vec<String>,
    },
    /// A closed incident is a record: nothing of it changes.
    #[error("incident {0} is closed and can no longer be changed")]
    Closed(Uuid),
    /// No incident with this id.
    #[error("no incident {0}")]
    UnknownIncident(Uuid),
    /// No checklist item at this place.
    #[error("incident {incident} has no checklist item {position} in {phase}")]
    UnknownItem {
        /// The incident.
        incident: Uuid,
        /// The phase.
        phase: Phase,
        /// The item's position in it.
        position: u32,
    },
    /// No evidence with this id in the incident.
    #[error("incident {incident} has no evidence {evidence}")]
    UnknownEvidence {
        /// The incident.
        incident: Uuid,
        /// The evidence id asked for.
        evidence: i64,
    },
    /// No template with this id.
    #[error("no incident template {0:?}")]
    UnknownTemplate(String),
    /// Shipped templates are part of the console: a custom one needs its own id.
    #[error("{0:?} is a template shipped with the console: it cannot be replaced or deleted")]
    ShippedTemplate(String),
    /// A template does not parse or does not hold together.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The SQLite library linked in has no SQLCipher: incident records would be plaintext.
    #[error("the SQLite library in this build has no encryption (SQLCipher); refusing to open")]
    EncryptionUnavailable,
    /// The key does not open the file, or it is not a (whole) incident database.
    #[error(
        "the incident records at {path} cannot be opened with this key, or the file is damaged"
    )]
    WrongKeyOrCorrupt {
        /// The database file.
        path: PathBuf,
    },
    /// The file was written by a newer console.
    #[error(
        "the incident records at {path} were written by a newer Hook0 Console (schema {found}, \
         this one knows up to {known}); update the console"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Highest migration recorded in the file.
        found: i64,
        /// Highest migration this binary embeds.
        known: i64,
    },
    /// The file holds something this binary did not write (hand-edited, damaged).
    #[error("the incident records are inconsistent: {0}")]
    Corrupt(String),
    /// SQLite reported an error.
    #[error("incident database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

fn expected_text(expected: Option<IncidentStatus>) -> String {
    match expected {
        Some(next) => format!(" (next is {next})"),
        None => " (it is closed)".to_owned(),
    }
}

impl IncidentError {
    /// The IPC code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput(_)
            | Self::WrongTransition { .. }
            | Self::ReasonRequired { .. }
            | Self::Closed(_)
            | Self::ShippedTemplate(_)
            | Self::Template(_) => ErrorCode::InvalidInput,
            Self::UnknownIncident(_)
            | Self::UnknownItem { .. }
            | Self::UnknownEvidence { .. }
            | Self::UnknownTemplate(_) => ErrorCode::NotFound,
            Self::EncryptionUnavailable => ErrorCode::Internal,
            Self::WrongKeyOrCorrupt { .. }
            | Self::NewerSchema { .. }
            | Self::Corrupt(_)
            | Self::Sqlite(_) => ErrorCode::Storage,
        }
    }
}

impl From<IncidentError> for ErrorDto {
    fn from(error: IncidentError) -> Self {
        let dto = ErrorDto::new(error.code(), error.to_string());
        match error {
            IncidentError::ReasonRequired { phase, open_items } => {
                dto.with_detail(ErrorDetail::RequiredItemsOpen { phase, open_items })
            }
            _ => dto,
        }
    }
}

impl From<TemplateError> for ErrorDto {
    fn from(error: TemplateError) -> Self {
        ErrorDto::new(ErrorCode::InvalidInput, error.to_string())
    }
}
