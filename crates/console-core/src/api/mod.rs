//! Access to the Hook0 API v1.
//!
//! Models come from `hook0-client` (generated from Hook0's own OpenAPI snapshot); the transport
//! is ours because the console needs what the SDK's transport cannot express: response
//! headers (the `Link` cursor, `Retry-After`), size limits, and errors that tell a TLS failure
//! from a wrong token from a URL that is not Hook0 at all.

mod base_url;
mod client;
mod error;
mod probe;

pub use base_url::ApiBaseUrl;
pub use client::{ApiClient, ClientSettings};
pub use error::{ApiError, Problem};
pub use probe::{ApplicationSummary, ConnectionReport, OrganizationSummary, probe_connection};
