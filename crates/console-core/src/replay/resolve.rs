//! Did a replay request reach Hook0? Asked of the API, never guessed.
//!
//! A replay creates a new first attempt (`retry_count` 0) for every matching subscription, at
//! Hook0's time. So an entry whose request may have left (`sending`, `unknown`) is resolved by
//! listing the event's attempts created since the request left — `GET request_attempts` with
//! `application_id`, `event_id` and `min_created_at` (inclusive), the filters the real server
//! honours — and looking for a first attempt that is not one of those known before the job.
//!
//! Clocks: `created_at` is Hook0's database clock, `sending_at` ours; the window starts
//! [`RunConfig::clock_skew_ms`] earlier to absorb the difference (the baseline keeps older
//! first attempts of the event from counting). Ordering: a request with no answer (timeout,
//! killed process) might still be in a queue somewhere; "absent" is concluded only once
//! [`RunConfig::settle_ms`] has passed since it left. Paging: Hook0's cursor can skip rows
//! tied on `created_at`, but never a whole tied group, and one attempt of the group is proof
//! enough.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hook0_client::generated::{RequestAttempt, RequestAttemptStatusType};
use uuid::Uuid;

use super::config::RunConfig;
use super::journal::Entry;
use crate::api::{ApiClient, ApiError, AttemptFilter};

/// Pages read at most for one event (50 attempts each): far more than one replay creates.
const MAX_PAGES: usize = 20;

/// What the API says about one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Attempts created by the replay exist: it was sent.
    Found,
    /// None exist and the request can no longer land: it was not sent.
    Absent,
    /// None exist yet, but the request could still land: ask again after this.
    NotYet(Duration),
}

/// Attempts of the entry's event created since `since` (inclusive), newest first.
pub async fn attempts_since(
    client: &ApiClient,
    application_id: Uuid,
    event_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<RequestAttempt>, ApiError> {
    let filter = AttemptFilter {
        application_id,
        event_id: Some(event_id),
        min_created_at: Some(since),
        ..AttemptFilter::default()
    };
    let mut pager = client.request_attempts(filter);
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        match pager.next_page().await {
            None => break,
            Some(page) => out.extend(page?.attempts),
        }
    }
    Ok(out)
}

/// The attempts among `attempts` that a replay created: first attempts of `event_id` not
/// known before the job.
pub fn replay_attempts<'a>(
    attempts: &'a [RequestAttempt],
    event_id: Uuid,
    baseline: &'a [Uuid],
) -> impl Iterator<Item = &'a RequestAttempt> + 'a {
    attempts.iter().filter(move |a| {
        a.event_id == event_id && a.retry_count == 0 && !baseline.contains(&a.request_attempt_id)
    })
}

/// Whether `a` succeeded.
pub(crate) fn succeeded(a: &RequestAttempt) -> bool {
    a.status.type_ == RequestAttemptStatusType::Successful
}

/// Resolves `entry`. `answered` says Hook0 answered the last request (a 503), so nothing of
/// it can land later and no settling wait is needed.
pub async fn resolve_entry(
    client: &ApiClient,
    entry: &Entry,
    config: &RunConfig,
    answered: bool,
    now: DateTime<Utc>,
) -> Result<Resolution, ApiError> {
    let left = entry.sending_at.unwrap_or(now);
    let skew = chrono::Duration::from_std(config.clock_skew()).unwrap_or_default();
    let attempts =
        attempts_since(client, entry.application_id, entry.event_id, left - skew).await?;
    if replay_attempts(&attempts, entry.event_id, &entry.baseline)
        .next()
        .is_some()
    {
        return Ok(Resolution::Found);
    }
    if answered {
        return Ok(Resolution::Absent);
    }
    let settle = chrono::Duration::from_std(config.settle()).unwrap_or_default();
    let landed_by = left + settle;
    if now >= landed_by {
        Ok(Resolution::Absent)
    } else {
        Ok(Resolution::NotYet(
            (landed_by - now).to_std().unwrap_or(Duration::ZERO),
        ))
    }
}
