//! Why a sync stopped.

use crate::api::ApiError;
use crate::cache::CacheError;
use crate::error::{ErrorCode, ErrorDto};

/// A sync that did not finish. Whatever it committed before stopping stays in the cache and
/// the next run resumes from there.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The API failed in a way retries did not fix (or that must not be retried).
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The cache refused a write or a read.
    #[error("{0}")]
    Cache(#[from] CacheError),
    /// The operator (or the app closing) cancelled it.
    #[error("the sync was cancelled; it resumes where it stopped")]
    Cancelled,
    /// The task fetching pages ended before the walk did (it cannot fail silently: its
    /// errors travel with the pages, so this means it was torn down).
    #[error("fetching request attempts stopped before the end of the history; run the sync again")]
    FetchStopped,
    /// The stored sync state cannot be read (written by a newer console, or damaged).
    #[error("the stored sync position for {scope} cannot be used: {reason}")]
    BadState {
        /// Whose state.
        scope: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl From<SyncError> for ErrorDto {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Api(e) => e.into(),
            SyncError::Cache(e) => e.to_dto(),
            SyncError::Cancelled | SyncError::FetchStopped => {
                ErrorDto::new(ErrorCode::Internal, error.to_string())
            }
            SyncError::BadState { .. } => ErrorDto::new(ErrorCode::Storage, error.to_string()),
        }
    }
}
