//! Error responses, shaped exactly like Hook0's.
//!
//! Hook0 problems are `application/problem+json` with `type`, `status`, `title`, `detail`, `id`
//! and `validation`; their wording comes from the real server's own catalogue (`GET /errors`,
//! embedded from the captured sample), so every id the sandbox emits reads as on the real
//! server. Extraction failures are not problems: bad query strings are 400 `text/plain`, bad
//! path segments 404 `text/plain`, as actix-web answers them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The real server's `GET /api/v1/errors` answer.
pub const CATALOGUE_JSON: &str = include_str!("../../reference/samples/errors_list.json");

#[derive(Debug, Clone, Deserialize)]
pub struct ProblemDefinition {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub title: String,
    pub detail: String,
    pub status: u16,
}

static CATALOGUE: LazyLock<HashMap<String, ProblemDefinition>> = LazyLock::new(|| {
    serde_json::from_str::<Vec<ProblemDefinition>>(CATALOGUE_JSON)
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect()
});

/// Checks the embedded catalogue once at start-up.
pub fn check_catalogue() -> Result<usize, serde_json::Error> {
    serde_json::from_str::<Vec<ProblemDefinition>>(CATALOGUE_JSON).map(|v| v.len())
}

#[derive(Debug, Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    status: u16,
    title: &'a str,
    detail: &'a str,
    id: &'a str,
    validation: Option<&'a serde_json::Value>,
}

/// An HTTP error answer of the sandbox.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// A Hook0 problem by id, optionally with a specific detail and validation object.
    Problem {
        id: &'static str,
        detail: Option<String>,
        validation: Option<serde_json::Value>,
        retry_after: Option<u64>,
    },
    /// actix-web's plain-text extraction errors.
    Text { status: StatusCode, message: String },
}

impl ApiError {
    pub fn problem(id: &'static str) -> Self {
        Self::Problem {
            id,
            detail: None,
            validation: None,
            retry_after: None,
        }
    }

    pub fn with_detail(id: &'static str, detail: impl Into<String>) -> Self {
        Self::Problem {
            id,
            detail: Some(detail.into()),
            validation: None,
            retry_after: None,
        }
    }

    pub fn forbidden() -> Self {
        Self::problem("Forbidden")
    }

    pub fn not_found() -> Self {
        Self::problem("NotFound")
    }

    /// 400 `JsonPayload` for a body that serde could not read.
    pub fn json_payload(error: &serde_json::Error) -> Self {
        Self::with_detail(
            "JsonPayload",
            format!("JSON deserialization error: {error}"),
        )
    }

    /// 400 text/plain, as actix-web's query extractor answers.
    pub fn query(message: impl std::fmt::Display) -> Self {
        Self::Text {
            status: StatusCode::BAD_REQUEST,
            message: format!("Query deserialize error: {message}"),
        }
    }

    /// 404 text/plain, as actix-web's path extractor answers.
    pub fn path(message: impl Into<String>) -> Self {
        Self::Text {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// 429 `RateLimited` with the wait in whole seconds, truncated.
    pub fn rate_limited(wait_secs: u64) -> Self {
        Self::Problem {
            id: "RateLimited",
            detail: None,
            validation: None,
            retry_after: Some(wait_secs),
        }
    }

    /// 503 `ServiceUnavailable` with `Retry-After: 5`.
    pub fn unavailable() -> Self {
        Self::Problem {
            id: "ServiceUnavailable",
            detail: None,
            validation: None,
            retry_after: Some(5),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Text { status, message } => (status, message).into_response(),
            ApiError::Problem {
                id,
                detail,
                validation,
                retry_after,
            } => {
                let fallback = ProblemDefinition {
                    kind: format!(
                        "https://documentation.hook0.com/reference/error-codes#{}",
                        id.to_lowercase()
                    ),
                    id: id.to_owned(),
                    title: "Something wrong happened".to_owned(),
                    detail: "Hook0 server had issue handling your request.".to_owned(),
                    status: 500,
                };
                let definition = CATALOGUE.get(id).unwrap_or(&fallback);
                let body = ProblemBody {
                    kind: &definition.kind,
                    status: definition.status,
                    title: &definition.title,
                    detail: detail.as_deref().unwrap_or(&definition.detail),
                    id,
                    validation: validation.as_ref(),
                };
                let bytes = serde_json::to_vec(&body).unwrap_or_default();
                let status = StatusCode::from_u16(definition.status)
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut response = (status, bytes).into_response();
                let headers = response.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                );
                if let Some(wait) = retry_after {
                    let value = HeaderValue::from(wait);
                    if id == "RateLimited" {
                        headers.insert("x-ratelimit-after", value.clone());
                    }
                    headers.insert(header::RETRY_AFTER, value);
                }
                response
            }
        }
    }
}
