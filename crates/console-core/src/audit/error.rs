//! Why an audit operation failed.
//!
//! Integrity failures (the log does not continue from the head the vault keeps, a stored
//! row cannot be read back) become [`ErrorCode::Tampered`] at the IPC boundary; everything
//! the disk or SQLite refused becomes [`ErrorCode::Storage`]. A broken chain found by
//! [`verify`](super::AuditLog::verify) is not an error: it is the report's answer.

use std::path::PathBuf;

use crate::error::{ErrorCode, ErrorDto};

/// A failure of the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The file was written by a newer console (its format is ahead of this binary).
    #[error(
        "the audit log at {path} was written by a newer Hook0 Console (format {found}, this \
         one knows up to {known}); update the console"
    )]
    NewerFormat {
        /// The database file.
        path: PathBuf,
        /// Highest format version recorded in the file.
        found: i64,
        /// Highest format version this binary knows.
        known: i64,
    },
    /// The log's last record is not the head the caller keeps: records were removed, or
    /// written by someone else, since the caller last appended.
    #[error(
        "the audit log does not continue from the expected head (expected {}, found {})",
        seq_text(*expected),
        seq_text(*found)
    )]
    HeadMismatch {
        /// Sequence number of the head the caller holds (`None`: an empty log).
        expected: Option<u64>,
        /// Sequence number of the last stored record (`None`: the log is empty).
        found: Option<u64>,
    },
    /// A stored row cannot be read back (a value no console writes): the file was edited.
    #[error("audit record {seq} cannot be read: {detail}")]
    Corrupt {
        /// The row's sequence number (or pending row id).
        seq: i64,
        /// What is wrong with it.
        detail: String,
    },
    /// A value the caller gave cannot be recorded or used as a filter.
    #[error("invalid audit input: {0}")]
    InvalidInput(String),
    /// The operating system's random number generator failed.
    #[error("no randomness available for the audit key: {0}")]
    Randomness(String),
    /// Writing the export failed.
    #[error("the audit export could not be written: {0}")]
    Write(#[source] std::io::Error),
    /// SQLite reported an error.
    #[error("audit database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

fn seq_text(seq: Option<u64>) -> String {
    seq.map_or_else(|| "an empty log".to_owned(), |s| format!("record {s}"))
}

impl From<AuditError> for ErrorDto {
    fn from(e: AuditError) -> Self {
        let code = match &e {
            AuditError::HeadMismatch { .. } | AuditError::Corrupt { .. } => ErrorCode::Tampered,
            AuditError::InvalidInput(_) => ErrorCode::InvalidInput,
            AuditError::Randomness(_) => ErrorCode::Internal,
            AuditError::NewerFormat { .. } | AuditError::Write(_) | AuditError::Sqlite(_) => {
                ErrorCode::Storage
            }
        };
        ErrorDto::new(code, e.to_string())
    }
}
