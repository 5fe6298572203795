//! Opening one delivery: its payload and response, fetched at once when not cached.
//!
//! Why: the sync fetches content of failures first and the rest only when asked, so an
//! operator may open a delivery whose payload or response the cache does not hold yet. One or
//! two requests then fill it, in one transaction; a 404 is recorded as gone exactly as in the
//! sync, so neither path asks for it again.

use uuid::Uuid;

use super::{Wanted, fetch_wanted, store};
use crate::api::{ApiClient, ApiError};
use crate::cache::{Cache, CacheError};
use crate::error::{ErrorCode, ErrorDto};
use crate::query::{ContentStatus, DeliveryDetail, QueryError, delivery_detail};

/// Requests in flight for one delivery: its payload and its response.
const CONCURRENCY: usize = 2;

/// Why a delivery's content could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// The attempt is not in the cache (the API cannot be asked without its application).
    #[error("attempt {0} is not in the cache; sync first")]
    NotCached(Uuid),
    /// The API failed in a way retries did not fix.
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The cache refused a write.
    #[error("{0}")]
    Cache(#[from] CacheError),
    /// The cache could not be read.
    #[error("{0}")]
    Query(#[from] QueryError),
}

impl From<ContentError> for ErrorDto {
    fn from(error: ContentError) -> Self {
        match error {
            ContentError::NotCached(_) => ErrorDto::new(ErrorCode::NotFound, error.to_string()),
            ContentError::Api(e) => e.into(),
            ContentError::Cache(e) => e.to_dto(),
            ContentError::Query(e) => e.to_dto(),
        }
    }
}

/// The detail of one cached attempt, after fetching its payload and response if they are
/// neither cached nor known to be gone upstream.
pub async fn fetch_delivery_content(
    client: &ApiClient,
    cache: &mut Cache,
    attempt_id: Uuid,
) -> Result<DeliveryDetail, ContentError> {
    let detail =
        delivery_detail(cache.conn(), attempt_id)?.ok_or(ContentError::NotCached(attempt_id))?;
    let application_id = detail.attempt.application_id;
    let mut wanted = Vec::new();
    if detail.payload_status == ContentStatus::NotCached {
        wanted.push(Wanted::Payload {
            application_id,
            event_id: detail.attempt.event_id,
        });
    }
    if let (ContentStatus::NotCached, Some(response_id)) =
        (detail.response_status, detail.attempt.response_id)
    {
        wanted.push(Wanted::Response {
            application_id,
            response_id,
        });
    }
    if wanted.is_empty() {
        return Ok(detail);
    }
    let got = fetch_wanted(client, wanted, CONCURRENCY).await?;
    store(cache, got)?;
    delivery_detail(cache.conn(), attempt_id)?.ok_or(ContentError::NotCached(attempt_id))
}
