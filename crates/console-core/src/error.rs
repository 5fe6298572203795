//! The one error shape that crosses into the web view.
//!
//! Each module keeps its own `thiserror` type with the detail it needs; at the IPC boundary
//! they all become an [`ErrorDto`] whose `code` comes from the closed [`ErrorCode`] enum, so
//! the UI branches on a code and never on message text. A variant earns its place only when
//! the UI acts differently on it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What kind of failure the UI is looking at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The operator's input cannot be used as it is (shown beside the form).
    InvalidInput,
    /// The profile, organization or item named does not exist.
    NotFound,
    /// Nothing answered at the API address: DNS, refused connection, timeout.
    Unreachable,
    /// The TLS handshake failed: untrusted, expired or mismatched certificate.
    Tls,
    /// The API wants a token and none was sent (HTTP 401).
    Unauthorized,
    /// The API refused the token: invalid, expired, revoked or out of scope (HTTP 403).
    Forbidden,
    /// A profile's user session has ended (signed out elsewhere, or unused longer than its
    /// refresh token lives): the operator must sign in again with email and password.
    SessionExpired,
    /// Something answered, but it is not a Hook0 API v1 at that address.
    NotHook0,
    /// The API asked us to slow down (HTTP 429).
    RateLimited,
    /// The API failed or answered something the console could not use.
    Upstream,
    /// Local storage (configuration, cache) could not be read or written.
    Storage,
    /// The console is locked: unlock with passphrase and code first.
    Locked,
    /// No gate is enrolled yet: the first-run enrollment comes first.
    NotEnrolled,
    /// The passphrase does not open the vault.
    WrongPassphrase,
    /// The one-time code (TOTP or recovery) is not valid now.
    WrongCode,
    /// The code was valid but has already been used: wait for the next one.
    CodeReused,
    /// Too many failed attempts: unlocking is refused until the time in the message
    /// (the gate status carries the exact instant).
    Throttled,
    /// The action is guarded: it needs a fresh code bound to exactly this action.
    StepUpRequired,
    /// A protected file (vault, audit log) fails its integrity check: it was edited,
    /// truncated or damaged. Never silently repaired.
    Tampered,
    /// The OS keyring could not be used; the passphrase still works.
    KeyringUnavailable,
    /// A bug: an invariant did not hold. The message says which.
    Internal,
}

/// An error as the web view receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ErrorDto {
    /// Stable, machine-readable kind of failure.
    pub code: ErrorCode,
    /// One or two sentences for the operator: what failed and what to try.
    pub message: String,
    /// What the UI needs beyond the code to show the failure, for the few that carry data
    /// (absent for every other error, so existing handlers see the same shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<ErrorDetail>,
}

/// Data some errors carry for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(rename_all = "snake_case", tag = "kind")]
pub enum ErrorDetail {
    /// A replay's set changed since it was planned (code `step_up_required`): the operator
    /// reviews this difference, plans again and approves the new plan.
    ReplaySetChanged {
        /// The difference from the approved plan to a fresh one.
        diff: crate::replay::SetDiff,
    },
    /// An incident cannot leave its phase with these required items open (code
    /// `invalid_input`) unless a reason is given.
    RequiredItemsOpen {
        /// The phase being left.
        phase: crate::incident::Phase,
        /// The open required items, by their text.
        open_items: Vec<String>,
    },
}

impl ErrorDto {
    /// Builds an error from a code and a human message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// A file the console writes (an export) could not be written.
    pub fn unwritable(path: &std::path::Path, error: &std::io::Error) -> Self {
        Self::new(
            ErrorCode::Storage,
            format!("cannot write {}: {error}", path.display()),
        )
    }

    /// The same error carrying `detail`.
    #[must_use]
    pub fn with_detail(mut self, detail: ErrorDetail) -> Self {
        self.detail = Some(detail);
        self
    }
}
