//! Why a cache operation failed.
//!
//! Opening distinguishes what the operator must decide about (a wrong key or a damaged file,
//! a file from a newer console) from what is a bug or an environment problem; nothing here
//! ever leads to the file being recreated behind the operator's back.

use std::path::PathBuf;

use crate::error::{ErrorCode, ErrorDto};

/// A failure of the local cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The SQLite library linked in has no SQLCipher: the cache would not be encrypted.
    #[error("the SQLite library in this build has no encryption (SQLCipher); refusing to open")]
    EncryptionUnavailable,
    /// The key does not open the file, or the file is not a (whole) cache database.
    #[error("the cache at {path} cannot be opened with this key, or the file is damaged")]
    WrongKeyOrCorrupt {
        /// The database file.
        path: PathBuf,
    },
    /// The file was written by a newer console (its schema is ahead of this binary).
    #[error(
        "the cache at {path} was written by a newer Hook0 Console (schema {found}, this one \
         knows up to {known}); update the console or rebuild the cache"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Highest migration recorded in the file.
        found: i64,
        /// Highest migration this binary embeds.
        known: i64,
    },
    /// A value cannot be stored (out of range, malformed).
    #[error("invalid cache input: {0}")]
    InvalidInput(String),
    /// The file system refused (permissions, disk full, missing directory).
    #[error("cache file error at {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// SQLite reported an error.
    #[error("cache database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl CacheError {
    /// The IPC form of this error.
    pub fn to_dto(&self) -> ErrorDto {
        let code = match self {
            Self::InvalidInput(_) => ErrorCode::InvalidInput,
            Self::EncryptionUnavailable => ErrorCode::Internal,
            Self::WrongKeyOrCorrupt { .. }
            | Self::NewerSchema { .. }
            | Self::Io { .. }
            | Self::Sqlite(_) => ErrorCode::Storage,
        };
        ErrorDto::new(code, self.to_string())
    }
}
