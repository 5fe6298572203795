//! The explorer's questions, answered from the active profile's cache.
//!
//! Each profile keeps one read connection, opened on first use beside the sync's writer (WAL:
//! readers never wait for it) and closed when the console locks, since it holds the cache key.
//! A profile that never synced gets an empty cache, so every question has an answer.

use std::collections::HashMap;
use std::sync::MutexGuard;

use uuid::Uuid;

use super::Console;
use crate::cache::{Cache, CacheReader};
use crate::error::{ErrorCode, ErrorDto};
use crate::query::{
    AtRiskDelivery, AtRiskQuery, Bucket, DeliveryDetail, DeliveryFilter, DeliveryPage,
    DeliveryQuery, FailureBucket, FailureGroup, FilterOptions, QueryError, SubscriptionHealth,
    delivery_detail, failure_groups, failures_over_time, filter_options, subscription_health,
};
use crate::sync::fetch_delivery_content;

/// Rows the IPC sends per page at most: enough for a screen and its scroll-ahead, small
/// enough that one message stays light.
pub const MAX_PAGE_ROWS: u32 = 500;
/// Failure groups per answer.
const GROUPS: u32 = 200;

pub(super) type Readers = HashMap<Uuid, CacheReader>;

impl Console {
    /// The profile the explorer shows.
    pub(super) fn active_profile_id(&self) -> Result<Uuid, ErrorDto> {
        self.unlocked()?;
        self.profiles()?
            .active()
            .map(|p| p.id)
            .ok_or_else(|| ErrorDto::new(ErrorCode::NotFound, "no profile is active"))
    }

    pub(super) fn with_reader<T>(
        &self,
        operation: impl FnOnce(&CacheReader) -> Result<T, QueryError>,
    ) -> Result<T, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.with_reader_of(profile, operation)
    }

    /// Runs `operation` on the read connection of a profile's cache (opened on first use).
    pub(super) fn with_reader_of<T>(
        &self,
        profile: Uuid,
        operation: impl FnOnce(&CacheReader) -> Result<T, QueryError>,
    ) -> Result<T, ErrorDto> {
        // Opened before the readers are locked: opening asks the gate, and a gate that has
        // just locked itself clears the readers.
        let fresh = if self.readers()?.contains_key(&profile) {
            None
        } else {
            let key = self.cache_key(profile)?;
            // Creates the file (and its schema) for a profile that never synced.
            drop(self.open_cache(profile)?);
            let path = self.cache_path(profile);
            Some(CacheReader::open(&path, &key).map_err(|e| e.to_dto())?)
        };
        let mut readers = self.readers()?;
        if let Some(reader) = fresh {
            readers.entry(profile).or_insert(reader);
        }
        let reader = readers
            .get(&profile)
            .ok_or_else(|| ErrorDto::new(ErrorCode::Internal, "the cache reader vanished"))?;
        operation(reader).map_err(|e| e.to_dto())
    }

    /// One page of deliveries (at most [`MAX_PAGE_ROWS`] rows).
    pub fn query_deliveries(&self, query: DeliveryQuery) -> Result<DeliveryPage, ErrorDto> {
        if query.limit.is_some_and(|l| l > MAX_PAGE_ROWS) {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                format!("at most {MAX_PAGE_ROWS} rows per page"),
            ));
        }
        self.with_reader(|r| query.run(r.conn()))
    }

    /// One delivery in full, from the cache.
    pub fn delivery_detail(&self, attempt_id: Uuid) -> Result<DeliveryDetail, ErrorDto> {
        self.with_reader(|r| delivery_detail(r.conn(), attempt_id))?
            .ok_or_else(|| {
                ErrorDto::new(
                    ErrorCode::NotFound,
                    format!("attempt {attempt_id} is not in the cache"),
                )
            })
    }

    /// Fetches what the cache lacks of one delivery (payload, response) from the API.
    pub async fn fetch_delivery_content(
        &self,
        attempt_id: Uuid,
    ) -> Result<DeliveryDetail, ErrorDto> {
        let profile = self.active_profile_id()?;
        let client = self.client(profile)?;
        let mut cache: Cache = self.open_cache(profile)?;
        let detail = fetch_delivery_content(&client, &mut cache, attempt_id).await?;
        drop(cache);
        self.emit_cache_changed(profile);
        Ok(detail)
    }

    /// Failures grouped by cause and subscription.
    pub fn failure_groups(&self, filter: DeliveryFilter) -> Result<Vec<FailureGroup>, ErrorDto> {
        self.with_reader(|r| failure_groups(r.conn(), filter, GROUPS))
    }

    /// Attempts per time bucket, by outcome.
    pub fn failures_over_time(
        &self,
        filter: DeliveryFilter,
        bucket: Bucket,
    ) -> Result<Vec<FailureBucket>, ErrorDto> {
        self.with_reader(|r| failures_over_time(r.conn(), filter, bucket))
    }

    /// Failed deliveries not replayed yet that approach the organization's retention.
    pub fn at_risk_deliveries(&self, query: AtRiskQuery) -> Result<Vec<AtRiskDelivery>, ErrorDto> {
        self.with_reader(|r| query.run(r.conn()))
    }

    /// Success rate and latency per subscription.
    pub fn subscription_health(
        &self,
        filter: DeliveryFilter,
    ) -> Result<Vec<SubscriptionHealth>, ErrorDto> {
        self.with_reader(|r| subscription_health(r.conn(), filter))
    }

    /// The filter bar's choices.
    pub fn filter_options(&self) -> Result<FilterOptions, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.with_reader(|r| filter_options(r.conn(), profile))
    }

    pub(super) fn readers(&self) -> Result<MutexGuard<'_, Readers>, ErrorDto> {
        self.readers.lock().map_err(|_| super::poisoned())
    }
}
