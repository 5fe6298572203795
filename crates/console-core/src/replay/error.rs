//! Why a replay operation failed, typed so callers (IPC, command line) can act on the kind.

use uuid::Uuid;

use super::manifest::{ManifestError, SetDiff};
use super::state::{EntryState, Transition};
use crate::api::ApiError;
use crate::cache::CacheError;
use crate::error::{ErrorCode, ErrorDetail, ErrorDto};
use crate::query::QueryError;

/// A failed replay operation.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The selection or options cannot be planned (bad filter, empty selection).
    #[error("invalid replay selection: {0}")]
    InvalidSelection(String),
    /// A run setting is out of the allowed range (e.g. more than 10 requests/s).
    #[error("invalid replay setting: {0}")]
    InvalidConfig(String),
    /// A manifest could not be read or does not hold together.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The approval does not cover this manifest, or has expired.
    #[error("the approval does not cover this replay (or has expired): approve it again")]
    NotApproved,
    /// The set the approval covered is no longer what a fresh plan gives.
    #[error(
        "the replay set changed since it was approved ({added} events added, {removed} removed): \
         review the new plan and approve it again"
    )]
    SetChanged {
        /// Events a fresh plan adds.
        added: usize,
        /// Events a fresh plan drops or changes.
        removed: usize,
        /// The difference itself, for the operator to review.
        diff: Box<SetDiff>,
    },
    /// The journal refused a state change that would break exactly-once delivery.
    #[error("illegal journal transition for event {event_id}: {from:?} on {transition:?}")]
    IllegalTransition {
        /// The event concerned.
        event_id: Uuid,
        /// Its state.
        from: EntryState,
        /// What was attempted.
        transition: Transition,
    },
    /// Another runner moved the entry first (two runs of one job): this one stops rather
    /// than risk a second send.
    #[error("entry {position} of replay job {job} was changed by another runner")]
    Contended {
        /// The job.
        job: Uuid,
        /// The entry's position.
        position: u32,
    },
    /// No job with this id in the journal.
    #[error("no replay job {0}")]
    UnknownJob(Uuid),
    /// The job cannot do that in its state (e.g. resuming a cancelled job).
    #[error("replay job {job} is {state}: {action} is not possible")]
    JobState {
        /// The job.
        job: Uuid,
        /// Its state.
        state: &'static str,
        /// What was asked.
        action: &'static str,
    },
    /// The journal holds something this binary did not write (hand-edited, damaged).
    #[error("the replay journal is inconsistent: {0}")]
    Corrupt(String),
    /// The Hook0 API failed in a way the runner does not absorb.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The local cache failed.
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl From<rusqlite::Error> for ReplayError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Cache(CacheError::Sqlite(e))
    }
}

impl From<QueryError> for ReplayError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Cache(c) => Self::Cache(c),
            other => Self::InvalidSelection(other.to_string()),
        }
    }
}

impl ReplayError {
    /// The refusal of an approved set that a fresh plan no longer gives.
    pub fn set_changed(diff: SetDiff) -> Self {
        Self::SetChanged {
            added: diff.added.len(),
            removed: diff.removed.len() + diff.changed.len(),
            diff: Box::new(diff),
        }
    }

    /// The IPC code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidSelection(_) | Self::InvalidConfig(_) | Self::Manifest(_) => {
                ErrorCode::InvalidInput
            }
            // The operator must approve again: the same answer as a missing approval.
            Self::SetChanged { .. } | Self::NotApproved => ErrorCode::StepUpRequired,
            Self::UnknownJob(_) => ErrorCode::NotFound,
            Self::JobState { .. } | Self::Contended { .. } => ErrorCode::InvalidInput,
            Self::IllegalTransition { .. } => ErrorCode::Internal,
            Self::Corrupt(_) => ErrorCode::Storage,
            Self::Api(e) => e.code(),
            Self::Cache(e) => e.to_dto().code,
        }
    }
}

impl From<ReplayError> for ErrorDto {
    fn from(error: ReplayError) -> Self {
        let dto = ErrorDto::new(error.code(), error.to_string());
        match error {
            // The window shows what changed before the operator plans and approves again.
            ReplayError::SetChanged { diff, .. } => {
                dto.with_detail(ErrorDetail::ReplaySetChanged { diff: *diff })
            }
            _ => dto,
        }
    }
}
