//! Event payloads and response bodies as validated records: what the API client returns and
//! what the cache stores, one type per concept.
//!
//! Hook0 encodes content in ways that need interpreting (payloads always base64, response
//! bodies text or base64 with nothing saying which). That interpretation happens once, when a
//! generated model is validated into a record here; the `api` module hands records out and the
//! `cache` ingests them as they are, so neither depends on the other and no translation layer
//! sits between them. Bad input becomes a [`RecordError`], never a panic.

mod event;
mod response;

pub use event::{EventRecord, Payload};
pub use response::{ResponseBody, ResponseRecord};

/// Why a model from the API could not be validated into a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The event payload is not base64.
    #[error("the event payload is not base64: {0}")]
    NotBase64(String),
    /// Labels or metadata are not a JSON object.
    #[error("`{field}` should be an object, found {found}")]
    NotAnObject {
        /// `labels` or `metadata`.
        field: &'static str,
        /// The JSON that came instead.
        found: String,
    },
    /// `http_code` outside what an HTTP status can be.
    #[error("http_code {0} is not an HTTP status")]
    NotAnHttpStatus(i32),
}
