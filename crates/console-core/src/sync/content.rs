//! Stages 4–6: event payloads and responses, failures first.
//!
//! Each item costs one request, so these stages work through lists the cache gives (what is
//! referenced but not yet stored), a chunk at a time: memory stays bounded and a crash loses
//! at most one chunk.

use futures_util::{StreamExt, TryStreamExt, stream};

use super::{ContentPolicy, Run, Stage, SyncError};
use crate::api::ApiError;
use crate::cache::{EventRef, ResponseRef};

/// Items fetched per transaction.
const CHUNK: usize = 64;

pub(super) async fn sync_content(run: &mut Run<'_>) -> Result<(), SyncError> {
    if run.options.content == ContentPolicy::None {
        return Ok(());
    }
    payloads(run, Stage::FailedPayloads).await?;
    responses(run).await?;
    if run.options.content == ContentPolicy::Everything {
        payloads(run, Stage::Payloads).await?;
    }
    Ok(())
}

/// Fetches every item with `concurrency` requests in flight. Items the API no longer has
/// (404: expired by Hook0's retention, or deleted) are left out; any other failure stops.
pub(super) async fn fetch_each<R, T, F, Fut>(
    items: Vec<R>,
    concurrency: usize,
    fetch: F,
) -> Result<Vec<T>, ApiError>
where
    F: Fn(R) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let fetched: Vec<Option<T>> = stream::iter(items)
        .map(|item| {
            let pending = fetch(item);
            async move {
                match pending.await {
                    Ok(value) => Ok(Some(value)),
                    Err(ApiError::Problem { status: 404, .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(fetched.into_iter().flatten().collect())
}

async fn payloads(run: &mut Run<'_>, stage: Stage) -> Result<(), SyncError> {
    run.meter.enter(stage, None);
    let mut after = None;
    let mut done = 0u64;
    loop {
        run.cancel.check()?;
        let refs: Vec<EventRef> = match stage {
            Stage::FailedPayloads => run.cache.failed_events_without_payload(after, CHUNK)?,
            _ => run.cache.events_without_payload(after, CHUNK)?,
        };
        let Some(last) = refs.last() else {
            return Ok(());
        };
        after = Some(last.row);
        let client = run.client;
        let count = refs.len() as u64;
        let fetched = fetch_each(refs, run.options.concurrency, |r| async move {
            let event = client.event(r.application_id, r.event_id).await?;
            Ok((r.application_id, event))
        })
        .await?;
        run.report.missing += count - fetched.len() as u64;
        let mut ingest = run.cache.ingest()?;
        for (application_id, event) in fetched {
            ingest.event(application_id, &event)?;
        }
        let stats = ingest.commit()?;
        run.absorb(stats);
        done += count;
        run.emit(done, None, None);
    }
}

async fn responses(run: &mut Run<'_>) -> Result<(), SyncError> {
    run.meter.enter(Stage::FailedResponses, None);
    let mut after = None;
    let mut done = 0u64;
    loop {
        run.cancel.check()?;
        let refs: Vec<ResponseRef> = run.cache.failed_attempts_without_response(after, CHUNK)?;
        let Some(last) = refs.last() else {
            return Ok(());
        };
        after = Some(last.row);
        let client = run.client;
        let count = refs.len() as u64;
        let fetched = fetch_each(refs, run.options.concurrency, |r| async move {
            client.response(r.application_id, r.response_id).await
        })
        .await?;
        run.report.missing += count - fetched.len() as u64;
        let mut ingest = run.cache.ingest()?;
        for response in fetched {
            ingest.response(&response)?;
        }
        let stats = ingest.commit()?;
        run.absorb(stats);
        done += count;
        run.emit(done, None, None);
    }
}
