//! Stages 4–6: event payloads and responses, failures first.
//!
//! Each item costs one request, so these stages work through lists the cache gives (what is
//! referenced but not yet stored), a chunk at a time: memory stays bounded and a crash loses
//! at most one chunk.

use futures_util::{StreamExt, TryStreamExt, stream};

use super::{ContentPolicy, Run, Stage, SyncError, convert};
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

fn is_gone(error: &ApiError) -> bool {
    matches!(error, ApiError::Problem { status: 404, .. })
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
        let fetched: Vec<_> = stream::iter(refs)
            .map(|r| async move {
                match client.event(r.application_id, r.event_id).await {
                    Ok(event) => Ok(Some((r.application_id, event))),
                    Err(e) if is_gone(&e) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .buffer_unordered(run.options.concurrency.max(1))
            .try_collect()
            .await?;
        let count = fetched.len() as u64;
        let mut ingest = run.cache.ingest()?;
        let mut stored = 0u64;
        for (application_id, event) in fetched.into_iter().flatten() {
            ingest.event(&convert::event(application_id, event))?;
            stored += 1;
        }
        let stats = ingest.commit()?;
        run.absorb(stats);
        run.report.missing += count - stored;
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
        let fetched: Vec<_> = stream::iter(refs)
            .map(|r| async move {
                match client.response(r.application_id, r.response_id).await {
                    Ok(response) => Ok(Some(response)),
                    Err(e) if is_gone(&e) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .buffer_unordered(run.options.concurrency.max(1))
            .try_collect()
            .await?;
        let count = fetched.len() as u64;
        let mut ingest = run.cache.ingest()?;
        let mut stored = 0u64;
        for response in fetched.into_iter().flatten() {
            ingest.response(&convert::response(response))?;
            stored += 1;
        }
        let stats = ingest.commit()?;
        run.absorb(stats);
        run.report.missing += count - stored;
        done += count;
        run.emit(done, None, None);
    }
}
