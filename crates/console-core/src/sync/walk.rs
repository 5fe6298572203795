//! Stages 2 and 3: every request attempt of an application, then the unfinished ones again.

use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::content::fetch_each;
use super::metadata::AppToSync;
use super::state::{self, Walk};
use super::{Run, Stage, SyncError};
use crate::api::{ApiError, AttemptFilter, CompleteWalk, WalkPage};
use hook0_client::generated::RequestAttempt;

/// Walks the attempts of one application from where the last run stopped (or from the
/// newest attempt down to the watermark minus the overlap — and never below what the
/// profile's cache retention keeps, so a first sync of a long history with a short retention
/// does not fetch years only to purge them).
pub(super) async fn sync_attempts(run: &mut Run<'_>, app: &AppToSync) -> Result<(), SyncError> {
    let (watermark, walk) = state::load(run.cache, app.id)?;
    let walk = walk.unwrap_or_else(|| {
        let incremental = watermark.map(|w| w - run.options.overlap);
        Walk::starting(match (incremental, retention_floor(run)) {
            (Some(from), Some(kept)) => Some(from.max(kept)),
            (from, kept) => from.or(kept),
        })
    });
    run.meter.enter(Stage::Attempts, Some(app.name.clone()));
    walk_window(run, app, walk, watermark).await
}

/// The oldest attempt time the profile's retention can still keep: attempts of an event come
/// after the event, so nothing older belongs to a kept event. A day of margin covers clocks
/// and the purge's whole-day cut.
fn retention_floor(run: &Run<'_>) -> Option<DateTime<Utc>> {
    let days = run.options.retention_days?;
    Some(crate::cache::retention_cutoff(Utc::now(), days) - chrono::Duration::days(1))
}

/// Pages fetched ahead of the page being stored: enough to keep the next batch's requests
/// in flight while a transaction commits, small enough to keep memory flat.
const PAGES_AHEAD: usize = 64;

/// Runs (or resumes) one walk to its end, committing every few pages with its position.
///
/// Fetching (HTTP and JSON parsing) runs in its own task, a bounded channel ahead of the
/// storing side, so on a multi-threaded runtime the network and the database work at the
/// same time. A batch is committed when it holds `pages_per_commit` pages or has been open
/// for `commit_interval`: against Hook0's 10 requests/s that is a commit every second or
/// so (a crash loses at most that), against a fast server it makes commits rare — each one
/// rewrites every index page its rows touched, and a chain's retries span days of history.
async fn walk_window(
    run: &mut Run<'_>,
    app: &AppToSync,
    mut walk: Walk,
    watermark: Option<DateTime<Utc>>,
) -> Result<(), SyncError> {
    let mut filter = AttemptFilter::application(app.id);
    filter.min_created_at = walk.min_created_at;
    let pages = run
        .client
        .complete_request_attempts_from(filter, walk.position.clone());
    let mut fetched = Prefetch::start(pages);
    let floor = walk.min_created_at.or(app.retention_floor);
    let mut pages_done = 0u64;
    loop {
        run.cancel.check()?;
        let mut batch: Vec<RequestAttempt> = Vec::new();
        let mut batch_pages = 0;
        let opened = Instant::now();
        while batch_pages < run.options.pages_per_commit.max(1) {
            let step = if batch_pages == 0 {
                fetched.next().await
            } else {
                // A slow page (an API backing off) must not hold pages already fetched
                // uncommitted: past the interval, what the batch holds is stored.
                let left = run.options.commit_interval.saturating_sub(opened.elapsed());
                match tokio::time::timeout(left, fetched.next()).await {
                    Ok(step) => step,
                    Err(_) => break,
                }
            };
            let Some(step) = step else {
                break;
            };
            let WalkPage { attempts, position } = step?;
            if let Some(newest) = attempts.iter().map(|a| a.created_at).max() {
                walk.newest_seen = Some(walk.newest_seen.map_or(newest, |n| n.max(newest)));
            }
            batch.extend(attempts);
            walk.position = position;
            batch_pages += 1;
            if walk.position.done {
                break;
            }
        }
        if batch_pages == 0 && !walk.position.done {
            return Err(SyncError::FetchStopped);
        }
        let mut ingest = run.cache.ingest()?;
        ingest.attempts(app.id, &batch)?;
        if walk.position.done {
            let next_watermark = match (walk.newest_seen, watermark) {
                (Some(seen), Some(old)) => Some(seen.max(old)),
                (seen, old) => seen.or(old),
            };
            state::finish_walk(&mut ingest, app.id, next_watermark)?;
        } else {
            state::save_walk(&mut ingest, app.id, &walk)?;
        }
        let stats = ingest.commit()?;
        run.absorb(stats);
        pages_done += batch_pages as u64;
        let fraction = covered(walk.newest_seen, walk.position.upper, floor);
        run.emit(pages_done, None, fraction);
        if walk.position.done {
            return Ok(());
        }
    }
}

/// A walk's pages, fetched by a task of their own; the task stops when this is dropped.
struct Prefetch {
    pages: mpsc::Receiver<Result<WalkPage, ApiError>>,
    task: AbortHandle,
}

impl Prefetch {
    fn start(mut walk: CompleteWalk) -> Self {
        let (sender, pages) = mpsc::channel(PAGES_AHEAD);
        let task = tokio::spawn(async move {
            while let Some(step) = walk.next_page().await {
                let failed = step.is_err();
                if sender.send(step).await.is_err() || failed {
                    break;
                }
            }
        });
        Self {
            pages,
            task: task.abort_handle(),
        }
    }

    async fn next(&mut self) -> Option<Result<WalkPage, ApiError>> {
        self.pages.recv().await
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How much of the window `[floor, newest]` the walk has covered, by time.
fn covered(
    newest: Option<DateTime<Utc>>,
    upper: Option<DateTime<Utc>>,
    floor: Option<DateTime<Utc>>,
) -> Option<f64> {
    let (newest, upper, floor) = (newest?, upper?, floor?);
    let span = (newest - floor).num_milliseconds();
    (span > 0).then(|| (newest - upper).num_milliseconds() as f64 / span as f64)
}

/// Brings attempts that were pending or retrying up to date: one request each when they are
/// few, or a fresh walk over the window that holds them when that costs fewer requests.
pub(super) async fn refresh_unfinished(
    run: &mut Run<'_>,
    app: &AppToSync,
) -> Result<(), SyncError> {
    let limit = run.options.max_individual_refresh;
    let unfinished = run
        .cache
        .attempts_not_final(Some(app.id), None, limit + 1)?;
    if unfinished.is_empty() {
        return Ok(());
    }
    run.meter.enter(Stage::Unfinished, Some(app.name.clone()));
    if unfinished.len() > limit {
        let oldest = run
            .cache
            .oldest_unfinished_attempt(app.id)?
            .or_else(|| unfinished.iter().map(|a| a.created_at).min());
        let (watermark, _) = state::load(run.cache, app.id)?;
        return walk_window(run, app, Walk::starting(oldest), watermark).await;
    }
    let total = unfinished.len() as u64;
    let client = run.client;
    let fresh = fetch_each(unfinished, run.options.concurrency, |attempt| async move {
        client.request_attempt(app.id, attempt.attempt_id).await
    })
    .await?;
    run.cancel.check()?;
    run.report.missing += total - fresh.len() as u64;
    let mut ingest = run.cache.ingest()?;
    ingest.attempts(app.id, &fresh)?;
    let stats = ingest.commit()?;
    run.absorb(stats);
    run.emit(total, Some(total), None);
    Ok(())
}
