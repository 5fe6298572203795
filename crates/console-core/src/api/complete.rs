//! A walk over `GET request_attempts` that cannot skip rows, despite Hook0's cursor-tie bug.
//!
//! The bug: the list is sorted `created_at DESC, id ASC` but the next page is selected with
//! `(created_at, id) < cursor`, so when a page ends inside a run of equal `created_at` the
//! tied rows with a higher id are never returned. The skipped rows are invisible: nothing in
//! the following pages shows they existed. So this walk does not use the cursor at all.
//!
//! It pages with the inclusive `max_created_at` filter instead. Each request asks for the
//! newest rows at or before `upper`. Because a page is a prefix of the sorted list, every row
//! newer than the page's oldest instant `t` is in it; rows *at* `t` may continue past the page.
//! The next request therefore asks again from `upper = t`: it returns all rows at `t`
//! (those already delivered are dropped by id — only the ids at `upper` are remembered, so
//! memory stays flat) followed by older ones. Each step moves `upper` strictly back in time.
//!
//! One case remains: a page whose 50 rows all share one instant, i.e. an instant holding 50
//! rows or more (an event fanned out to ≥ 50 subscriptions). Hook0 can only ever return the
//! 50 lowest ids of such a set, cursor or not, so the instant is split: `min_created_at =
//! max_created_at = t` per subscription (those listed plus those seen), then, for a
//! subscription still holding ≥ 50 rows at `t`, per event type. A piece still full after
//! that is reported as [`ApiError::UnsplittableTie`] rather than silently truncated. The
//! `event_id` filter is applied on our side during a split (the sandbox, like older Hook0
//! versions, ignores `subscription_id` when `event_id` is given). Known limit: attempts of a
//! subscription that was *deleted* (not listed) and absent from the page seen at that
//! instant cannot be reached this way.
//!
//! Cost: one request per page, like the cursor walk; pages repeat the rows of the boundary
//! instant (usually a handful), which are dropped here. The walk relies on Hook0's fixed page
//! size of 50 ([`PAGE_SIZE`]): a page with fewer rows ends the window. Disjoint windows
//! (`min_created_at`/`max_created_at`) can be walked concurrently with clones of one client;
//! they share its pacing.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, DurationRound, Utc};
use hook0_client::generated::RequestAttempt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::attempts::{AttemptFilter, PAGE_SIZE};
use super::{ApiClient, ApiError};

/// Where a complete walk stands; store it with the rows of the page that produced it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkPosition {
    /// The newest `created_at` still to list (inclusive); `None` before the first page.
    pub upper: Option<DateTime<Utc>>,
    /// Ids of the rows at exactly `upper` that were already delivered.
    pub delivered_at_upper: Vec<Uuid>,
    /// Whether the walk reached the end of the filter's window.
    pub done: bool,
}

/// What one step of a complete walk delivers.
#[derive(Debug, Clone)]
pub struct WalkPage {
    /// New attempts, each delivered once over the whole walk; may be empty when a page held
    /// only rows already delivered.
    pub attempts: Vec<RequestAttempt>,
    /// The position after this page.
    pub position: WalkPosition,
}

/// A complete, resumable walk (see the module documentation).
#[derive(Debug)]
pub struct CompleteWalk {
    client: ApiClient,
    filter: AttemptFilter,
    position: WalkPosition,
    subscriptions: Option<Vec<Uuid>>,
    event_types: Option<Vec<String>>,
}

impl ApiClient {
    /// Every attempt matching `filter`, newest first, none skipped, none repeated.
    pub fn complete_request_attempts(&self, filter: AttemptFilter) -> CompleteWalk {
        self.complete_request_attempts_from(filter, WalkPosition::default())
    }

    /// Resumes a complete walk at a stored position.
    pub fn complete_request_attempts_from(
        &self,
        filter: AttemptFilter,
        position: WalkPosition,
    ) -> CompleteWalk {
        CompleteWalk {
            client: self.clone(),
            filter,
            position,
            subscriptions: None,
            event_types: None,
        }
    }
}

fn created(attempt: &RequestAttempt) -> DateTime<Utc> {
    attempt.created_at
}

/// The latest representable instant before `t` at Hook0's microsecond precision.
fn just_before(t: DateTime<Utc>) -> DateTime<Utc> {
    let micros = Duration::microseconds(1);
    match t.duration_trunc(micros) {
        Ok(truncated) if truncated < t => truncated,
        _ => t - micros,
    }
}

impl CompleteWalk {
    /// The position to store after the last page delivered.
    pub fn position(&self) -> &WalkPosition {
        &self.position
    }

    /// The same walk as a `Stream` of pages (an error item does not end it: the next poll
    /// retries that step, so stop on the first error unless retrying is intended).
    pub fn into_stream(
        self,
    ) -> impl futures_util::Stream<Item = Result<WalkPage, ApiError>> + Send {
        futures_util::stream::unfold(self, |mut walk| async move {
            let page = walk.next_page().await?;
            Some((page, walk))
        })
    }

    /// The next step; `None` once the window is exhausted. On an error the position is
    /// kept, so calling again retries the same step.
    pub async fn next_page(&mut self) -> Option<Result<WalkPage, ApiError>> {
        if self.position.done {
            return None;
        }
        Some(self.step().await)
    }

    async fn step(&mut self) -> Result<WalkPage, ApiError> {
        let upper = match (self.position.upper, self.filter.max_created_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut query = self.filter.clone();
        query.max_created_at = upper;
        let rows = self
            .client
            .request_attempts_page(&query, None)
            .await?
            .attempts;
        let mut delivered: HashSet<Uuid> =
            self.position.delivered_at_upper.iter().copied().collect();
        let (Some(oldest), Some(newest)) = (
            rows.iter().map(created).min(),
            rows.iter().map(created).max(),
        ) else {
            return Ok(self.finish(upper, Vec::new()));
        };
        if rows.len() < PAGE_SIZE {
            let fresh = keep_new(rows, &mut delivered);
            return Ok(self.finish(upper, fresh));
        }
        if oldest < newest {
            let at_oldest: Vec<Uuid> = rows
                .iter()
                .filter(|a| created(a) == oldest)
                .map(|a| a.request_attempt_id)
                .collect();
            let fresh = keep_new(rows, &mut delivered);
            self.position = WalkPosition {
                upper: Some(oldest),
                delivered_at_upper: at_oldest,
                done: false,
            };
            return Ok(WalkPage {
                attempts: fresh,
                position: self.position.clone(),
            });
        }
        let all = self.instant(oldest, rows).await?;
        let fresh = keep_new(all, &mut delivered);
        self.position = WalkPosition {
            upper: Some(just_before(oldest)),
            delivered_at_upper: Vec::new(),
            done: false,
        };
        Ok(WalkPage {
            attempts: fresh,
            position: self.position.clone(),
        })
    }

    fn finish(&mut self, upper: Option<DateTime<Utc>>, attempts: Vec<RequestAttempt>) -> WalkPage {
        self.position = WalkPosition {
            upper,
            delivered_at_upper: Vec::new(),
            done: true,
        };
        WalkPage {
            attempts,
            position: self.position.clone(),
        }
    }

    /// Every row at instant `t` (at least 50 exist; `seen` is a full page of them).
    async fn instant(
        &mut self,
        t: DateTime<Utc>,
        seen: Vec<RequestAttempt>,
    ) -> Result<Vec<RequestAttempt>, ApiError> {
        let mut base = self.filter.clone();
        base.event_id = None;
        base.min_created_at = Some(t);
        base.max_created_at = Some(t);
        let subscriptions: Vec<Option<Uuid>> = match self.filter.subscription_id {
            Some(one) => vec![Some(one)],
            None => {
                let mut all: BTreeSet<Uuid> = self.subscriptions().await?.into_iter().collect();
                all.extend(seen.iter().map(|a| a.subscription.subscription_id));
                all.into_iter().map(Some).collect()
            }
        };
        let mut out = Vec::new();
        for subscription in subscriptions {
            let mut piece = base.clone();
            piece.subscription_id = subscription;
            let rows = self.fetch_piece(&piece, t).await?;
            if rows.len() < PAGE_SIZE {
                out.extend(rows);
                continue;
            }
            let mut types: BTreeSet<String> = if self.filter.event_type_names.is_empty() {
                self.event_types().await?.into_iter().collect()
            } else {
                self.filter.event_type_names.iter().cloned().collect()
            };
            types.extend(rows.iter().map(|a| a.event.event_type_name.clone()));
            for event_type in types {
                let mut narrow = piece.clone();
                narrow.event_type_names = vec![event_type.clone()];
                let rows = self.fetch_piece(&narrow, t).await?;
                if rows.len() >= PAGE_SIZE {
                    return Err(ApiError::UnsplittableTie {
                        created_at: t,
                        scope: format!(
                            "subscription {} and event type {event_type}",
                            subscription.map_or_else(|| "any".to_owned(), |s| s.to_string())
                        ),
                    });
                }
                out.extend(rows);
            }
        }
        let event = self.filter.event_id;
        out.retain(|a| event.is_none_or(|e| a.event_id == e));
        Ok(out)
    }

    /// One page of an instant split, keeping only rows that match what was asked (a server
    /// that ignores a filter then shows up as a full piece, never as a silent loss).
    async fn fetch_piece(
        &self,
        filter: &AttemptFilter,
        t: DateTime<Utc>,
    ) -> Result<Vec<RequestAttempt>, ApiError> {
        let rows = self
            .client
            .request_attempts_page(filter, None)
            .await?
            .attempts;
        if rows.len() >= PAGE_SIZE {
            return Ok(rows);
        }
        Ok(rows
            .into_iter()
            .filter(|a| created(a) == t)
            .filter(|a| {
                filter
                    .subscription_id
                    .is_none_or(|s| a.subscription.subscription_id == s)
            })
            .filter(|a| {
                filter.event_type_names.is_empty()
                    || filter.event_type_names.contains(&a.event.event_type_name)
            })
            .collect())
    }

    async fn subscriptions(&mut self) -> Result<Vec<Uuid>, ApiError> {
        if let Some(known) = &self.subscriptions {
            return Ok(known.clone());
        }
        let listed: Vec<Uuid> = self
            .client
            .subscriptions(self.filter.application_id)
            .await?
            .into_iter()
            .map(|s| s.subscription_id)
            .collect();
        self.subscriptions = Some(listed.clone());
        Ok(listed)
    }

    async fn event_types(&mut self) -> Result<Vec<String>, ApiError> {
        if let Some(known) = &self.event_types {
            return Ok(known.clone());
        }
        let listed: Vec<String> = self
            .client
            .event_types(self.filter.application_id)
            .await?
            .into_iter()
            .map(|t| t.event_type_name)
            .collect();
        self.event_types = Some(listed.clone());
        Ok(listed)
    }
}

/// Drops rows already delivered (by id), remembering the rest as delivered.
fn keep_new(rows: Vec<RequestAttempt>, delivered: &mut HashSet<Uuid>) -> Vec<RequestAttempt> {
    rows.into_iter()
        .filter(|a| delivered.insert(a.request_attempt_id))
        .collect()
}
