//! Typed failures of an API call.
//!
//! Hook0 reports problems as `application/problem+json`; the problem `id` (for example
//! `AuthInvalidBiscuit`, `RateLimited`) is kept as data so callers can match on it. Everything
//! else — transport failures, plain-text 400s, empty 404s, bodies that do not parse — gets a
//! variant of its own, because each calls for a different hint to the operator.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{ErrorCode, ErrorDto};

/// A Hook0 `application/problem+json` body. Fields are optional because a proxy or a newer
/// server may send less; the console must still say something useful.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Problem {
    /// Stable problem identifier, e.g. `AuthInvalidBiscuit`.
    #[serde(default)]
    pub id: String,
    /// HTTP status repeated in the body.
    #[serde(default)]
    pub status: u16,
    /// Short title.
    #[serde(default)]
    pub title: String,
    /// Longer explanation.
    #[serde(default)]
    pub detail: String,
}

impl Problem {
    fn summary(&self) -> String {
        match (self.title.is_empty(), self.detail.is_empty()) {
            (false, false) => format!("{} ({}): {}", self.title, self.id, self.detail),
            (false, true) => format!("{} ({})", self.title, self.id),
            _ => self.id.clone(),
        }
    }
}

/// Why an API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The configured base URL cannot be used.
    #[error("invalid API base URL: {0}")]
    InvalidBaseUrl(String),
    /// The token is not something an HTTP header can carry.
    #[error("the token contains characters that cannot be sent in an HTTP header")]
    InvalidToken,
    /// Name resolution or the TCP connection failed.
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// What was called.
        url: String,
        /// The transport's explanation.
        reason: String,
    },
    /// No answer in time.
    #[error("{url} did not answer within {seconds} s")]
    Timeout {
        /// What was called.
        url: String,
        /// The limit that ran out.
        seconds: u64,
    },
    /// The TLS handshake failed.
    #[error("TLS failed for {url}: {reason}")]
    Tls {
        /// What was called.
        url: String,
        /// The TLS library's explanation.
        reason: String,
    },
    /// HTTP 401: no credentials were accepted as present (or, on sign-in, wrong ones). The
    /// problem tells `AuthNoAuthorizationHeader` from `AuthFailedLogin` and the like.
    #[error("the API asked for a token (HTTP 401)")]
    Unauthorized(Option<Problem>),
    /// HTTP 403 with a Hook0 problem: invalid token, or no right on that resource.
    #[error("the API refused the token: {}", .0.summary())]
    Forbidden(Problem),
    /// A user session that can no longer be renewed: its refresh token expired, was used
    /// already or was revoked by a logout. Only signing in again helps.
    #[error("the user session has ended (signed out, or unused for too long): sign in again")]
    SessionExpired {
        /// What the API said, when it was asked (`AuthInvalidBiscuit`, `AuthFailedRefresh`).
        problem_id: Option<String>,
    },
    /// HTTP 429.
    #[error("rate limited by the API{}", retry_hint(*.retry_after))]
    RateLimited {
        /// From `Retry-After`, when sent (Hook0 truncates it to whole seconds, often 0).
        retry_after: Option<Duration>,
        /// `RateLimited`, or a quota id such as `TooManyEventsToday`.
        problem_id: String,
    },
    /// Any other Hook0 problem.
    #[error("HTTP {status}: {}", .problem.summary())]
    Problem {
        /// HTTP status.
        status: u16,
        /// The problem body.
        problem: Problem,
    },
    /// A non-success status without a problem body (plain-text 400, empty 404, HTML page…).
    #[error("HTTP {status} from {url}{}", excerpt_suffix(.excerpt))]
    Status {
        /// What was called.
        url: String,
        /// HTTP status.
        status: u16,
        /// The start of the body, for the operator.
        excerpt: String,
    },
    /// A success status whose body is not what Hook0 sends.
    #[error("unexpected answer from {url}: {reason}")]
    Decode {
        /// What was called.
        url: String,
        /// What did not fit.
        reason: String,
    },
    /// Something answered, but not as a Hook0 API v1 would.
    #[error("{url} does not look like a Hook0 API v1: {reason}")]
    NotHook0 {
        /// What was called.
        url: String,
        /// What gave it away.
        reason: String,
    },
    /// The body was larger than the console accepts.
    #[error("the answer from {url} exceeds {limit} bytes")]
    TooLarge {
        /// What was called.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// HTTP 502, 503 or 504: the API (or a proxy in front of it) is temporarily unavailable.
    #[error(
        "HTTP {status} from {url}: the API is temporarily unavailable{}",
        retry_hint(*.retry_after)
    )]
    Unavailable {
        /// What was called.
        url: String,
        /// HTTP status.
        status: u16,
        /// From `Retry-After` (Hook0 sends `5` with its 503 problem).
        retry_after: Option<Duration>,
        /// The problem id when the body was a Hook0 problem (`ServiceUnavailable`).
        problem_id: Option<String>,
    },
    /// At least 50 request attempts share one `created_at` even within the narrowest filter
    /// the API offers, so its paging cannot list them all (see `api::complete`).
    #[error(
        "at least 50 request attempts share created_at {created_at} within {scope}; \
         Hook0's paging cannot list them all"
    )]
    UnsplittableTie {
        /// The instant.
        created_at: chrono::DateTime<chrono::Utc>,
        /// The narrowest filter tried, for the operator.
        scope: String,
    },
    /// Anything else from the HTTP stack.
    #[error("HTTP client error for {url}: {reason}")]
    Transport {
        /// What was called.
        url: String,
        /// The HTTP stack's explanation.
        reason: String,
    },
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!("; retry after {} s", d.as_secs()))
}

fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(": {excerpt}")
    }
}

impl ApiError {
    /// The problem id Hook0 sent, when it sent one.
    pub fn problem_id(&self) -> Option<&str> {
        match self {
            Self::Forbidden(p) | Self::Problem { problem: p, .. } => Some(p.id.as_str()),
            Self::Unauthorized(p) => p.as_ref().map(|p| p.id.as_str()),
            Self::SessionExpired { problem_id } => problem_id.as_deref(),
            Self::RateLimited { problem_id, .. } => Some(problem_id.as_str()),
            Self::Unavailable { problem_id, .. } => problem_id.as_deref(),
            _ => None,
        }
    }

    /// The IPC code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidBaseUrl(_) | Self::InvalidToken => ErrorCode::InvalidInput,
            Self::Unreachable { .. } | Self::Timeout { .. } => ErrorCode::Unreachable,
            Self::Tls { .. } => ErrorCode::Tls,
            Self::NotHook0 { .. } => ErrorCode::NotHook0,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::SessionExpired { .. } => ErrorCode::SessionExpired,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Problem { status: 404, .. } => ErrorCode::NotFound,
            Self::Problem { .. }
            | Self::Status { .. }
            | Self::Decode { .. }
            | Self::TooLarge { .. }
            | Self::Unavailable { .. }
            | Self::UnsplittableTie { .. }
            | Self::Transport { .. } => ErrorCode::Upstream,
        }
    }
}

impl From<ApiError> for ErrorDto {
    fn from(error: ApiError) -> Self {
        ErrorDto::new(error.code(), error.to_string())
    }
}
