//! The local, encrypted cache of a profile's complete delivery history.
//!
//! Why: Hook0's own dashboard shows one page of attempts; the console keeps every attempt,
//! event payload and failure response of every application a profile can see, and answers
//! questions about them offline (see [`crate::query`]). One file per profile, encrypted with
//! SQLCipher under a raw 256-bit key that the vault supplies.
//!
//! Invariants:
//! - the file is never plaintext: opening fails unless SQLCipher answers, and a file the key
//!   does not open is reported, never recreated ([`Cache::rebuild`] is the operator's choice);
//! - the schema comes from embedded timestamped migrations applied in one transaction; a file
//!   from a newer console is refused;
//! - every write goes through an [`Ingest`] transaction; derived rows (delivery chains, the
//!   failure rollup, FTS entries) change in the same transaction as the rows they derive from;
//! - the subscription secret is never stored.
//!
//! Inputs are hook0-client's generated models for metadata and attempts, and the validated
//! [`crate::record`] types for decoded content (the same values the API client returns), so
//! the cache does not depend on the `api` module.

mod chain;
mod content;
mod error;
mod gone;
mod ingest;
mod key;
mod memo;
mod metadata;
mod migrations;
mod missing;
mod needs;
mod open;
mod retention;
mod rollup;
mod types;
mod unfinished;

pub use error::CacheError;
pub use ingest::{Ingest, IngestStats};
pub use key::CacheKey;
pub use migrations::latest_version as latest_schema_version;
pub use missing::{EventRef, FailingDeliveryRef, ListPosition, MissingList, ResponseRef};
pub use needs::AttemptRef;
pub use open::{Cache, CacheReader};
pub use retention::{Erased, retention_cutoff};
pub use types::{AttemptStatus, ChainOutcome, ErrorKind};
pub(crate) use types::{DAY_MICROS, from_micros, micros};
