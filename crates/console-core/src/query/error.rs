//! Why a query failed: the operator's input (a filter that cannot hold, a stale cursor) or the
//! database.

use crate::cache::CacheError;
use crate::error::{ErrorCode, ErrorDto};

/// A failed query.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// A filter value is out of range or contradictory; the message names the field.
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    /// The page cursor is malformed or belongs to another sort.
    #[error("the page cursor is not valid for this query; start again from the first page")]
    BadCursor,
    /// The cache could not answer.
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl From<rusqlite::Error> for QueryError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Cache(CacheError::Sqlite(e))
    }
}

impl QueryError {
    /// The IPC form of this error.
    pub fn to_dto(&self) -> ErrorDto {
        match self {
            Self::InvalidFilter(_) | Self::BadCursor => {
                ErrorDto::new(ErrorCode::InvalidInput, self.to_string())
            }
            Self::Cache(e) => e.to_dto(),
        }
    }
}
