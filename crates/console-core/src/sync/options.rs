//! How a sync spends the API's request budget.

use chrono::Duration;
use uuid::Uuid;

/// Which event payloads and responses to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentPolicy {
    /// Attempts only; payloads and responses are fetched on demand.
    None,
    /// Payloads and responses of failed deliveries (the default: what an operator needs).
    Failures,
    /// Failures first, then every other payload.
    Everything,
}

/// Knobs of one sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Most API pages stored per transaction, with the position that follows them. Per-page
    /// commits cost 6–10× (PERF_NOTES); a crash loses at most this many pages of work.
    pub pages_per_commit: usize,
    /// Longest a transaction stays open collecting pages: bounds the work a crash can lose
    /// when the API is slow (at Hook0's 10 requests/s, about this many seconds of pages).
    pub commit_interval: std::time::Duration,
    /// How far before the watermark an incremental walk starts again, so attempts written
    /// late (clock skew, slow transactions on Hook0's side) are not missed.
    pub overlap: Duration,
    /// What to download besides the attempts.
    pub content: ContentPolicy,
    /// Unfinished attempts refreshed one request each; above this many, the window holding
    /// them is walked again instead (cheaper in requests).
    pub max_individual_refresh: usize,
    /// Requests in flight when downloading payloads and responses.
    pub concurrency: usize,
    /// Only these applications (all visible ones when `None`).
    pub applications: Option<Vec<Uuid>>,
    /// The profile's cache retention: once the sync has finished, events older than this
    /// many days are purged (`None` keeps everything).
    pub retention_days: Option<u32>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            pages_per_commit: 250,
            commit_interval: std::time::Duration::from_secs(1),
            overlap: Duration::minutes(15),
            content: ContentPolicy::Failures,
            max_individual_refresh: 200,
            concurrency: 4,
            applications: None,
            retention_days: None,
        }
    }
}
