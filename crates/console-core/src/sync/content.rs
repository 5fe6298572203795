//! Stages 4–6: event payloads and responses, in the order an operator needs them.
//!
//! Each item costs one request, so these stages work through lists the cache gives (what is
//! referenced, not yet stored, and not known to be gone — see [`crate::cache::MissingList`]
//! for the order), a chunk at a time: memory stays bounded and a crash loses at most one
//! chunk. An item the API answers 404 for is recorded as gone in the same transaction as the
//! chunk's content, so no later sync asks for it again.

mod on_demand;

pub use on_demand::{ContentError, fetch_delivery_content};

use std::collections::HashSet;

use chrono::Utc;
use futures_util::{StreamExt, TryStreamExt, stream};
use uuid::Uuid;

use super::{ContentPolicy, Run, Stage, SyncError};
use crate::api::{ApiClient, ApiError};
use crate::cache::{Cache, CacheError, EventRef, IngestStats, MissingList, ResponseRef};
use crate::record::{EventRecord, ResponseRecord};

/// Items fetched per transaction.
const CHUNK: usize = 64;

pub(super) async fn sync_content(run: &mut Run<'_>) -> Result<(), SyncError> {
    if run.options.content == ContentPolicy::None {
        return Ok(());
    }
    let mut stage = Tally::start(
        run,
        Stage::FailingDeliveries,
        &[MissingList::FailingResponses, MissingList::FailingPayloads],
    )?;
    failing_deliveries(run, &mut stage).await?;
    payloads(run, &mut stage, MissingList::FailingPayloads).await?;

    let mut stage = Tally::start(
        run,
        Stage::EarlierFailures,
        &[MissingList::FailedResponses, MissingList::FailedPayloads],
    )?;
    responses(run, &mut stage).await?;
    payloads(run, &mut stage, MissingList::FailedPayloads).await?;

    if run.options.content == ContentPolicy::Everything {
        let mut stage = Tally::start(run, Stage::Payloads, &[MissingList::Payloads])?;
        payloads(run, &mut stage, MissingList::Payloads).await?;
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
                    Err(e) if is_gone(&e) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(fetched.into_iter().flatten().collect())
}

/// A Hook0 problem 404 on a content URL: the id was valid and is no longer there. A 404
/// without a problem body (an unknown route) is not that, and stays an error.
fn is_gone(error: &ApiError) -> bool {
    matches!(error, ApiError::Problem { status: 404, .. })
}

/// Progress of one content stage, counted in requests against the total counted at its
/// start.
struct Tally {
    done: u64,
    total: u64,
}

impl Tally {
    fn start(run: &mut Run<'_>, stage: Stage, lists: &[MissingList]) -> Result<Self, SyncError> {
        let mut total = 0;
        for list in lists {
            total += run.cache.count_missing(*list)?;
        }
        run.meter.enter(stage, None);
        run.emit(0, Some(total), None);
        Ok(Self { done: 0, total })
    }

    fn add(&mut self, run: &mut Run<'_>, requests: u64) {
        self.done += requests;
        // A list can only shrink while its stage runs, but never report more than all.
        self.total = self.total.max(self.done);
        run.emit(self.done, Some(self.total), None);
    }
}

/// Stage 1, first part: per failing delivery, the latest failed response and the payload.
async fn failing_deliveries(run: &mut Run<'_>, stage: &mut Tally) -> Result<(), SyncError> {
    let mut after = None;
    loop {
        run.cancel.check()?;
        let refs = run
            .cache
            .failing_deliveries_without_response(after, CHUNK)?;
        let Some(last) = refs.last() else {
            return Ok(());
        };
        after = Some(last.response.position);
        let mut events = HashSet::new();
        let mut wanted = Vec::with_capacity(refs.len() * 2);
        for r in refs {
            let application_id = r.response.application_id;
            if r.payload_missing && events.insert(r.event_id) {
                wanted.push(Wanted::Payload {
                    application_id,
                    event_id: r.event_id,
                });
            }
            wanted.push(Wanted::Response {
                application_id,
                response_id: r.response.response_id,
            });
        }
        let requests = fetch_and_store(run, wanted).await?;
        stage.add(run, requests);
    }
}

async fn responses(run: &mut Run<'_>, stage: &mut Tally) -> Result<(), SyncError> {
    let mut after = None;
    loop {
        run.cancel.check()?;
        let refs: Vec<ResponseRef> = run.cache.failed_attempts_without_response(after, CHUNK)?;
        let Some(last) = refs.last() else {
            return Ok(());
        };
        after = Some(last.position);
        let wanted = refs
            .into_iter()
            .map(|r| Wanted::Response {
                application_id: r.application_id,
                response_id: r.response_id,
            })
            .collect();
        let requests = fetch_and_store(run, wanted).await?;
        stage.add(run, requests);
    }
}

async fn payloads(
    run: &mut Run<'_>,
    stage: &mut Tally,
    list: MissingList,
) -> Result<(), SyncError> {
    let mut after = None;
    loop {
        run.cancel.check()?;
        let refs: Vec<EventRef> = match list {
            MissingList::FailingPayloads => {
                run.cache.failing_events_without_payload(after, CHUNK)?
            }
            MissingList::FailedPayloads => run.cache.failed_events_without_payload(after, CHUNK)?,
            _ => run.cache.events_without_payload(after, CHUNK)?,
        };
        let Some(last) = refs.last() else {
            return Ok(());
        };
        after = Some(last.row);
        let wanted = refs
            .into_iter()
            .map(|r| Wanted::Payload {
                application_id: r.application_id,
                event_id: r.event_id,
            })
            .collect();
        let requests = fetch_and_store(run, wanted).await?;
        stage.add(run, requests);
    }
}

/// Downloads one chunk and stores it in one transaction; returns the requests it cost.
async fn fetch_and_store(run: &mut Run<'_>, wanted: Vec<Wanted>) -> Result<u64, SyncError> {
    let requests = wanted.len() as u64;
    let got = fetch_wanted(run.client, wanted, run.options.concurrency).await?;
    let (stats, gone) = store(run.cache, got)?;
    run.absorb(stats);
    run.report.missing += gone;
    Ok(requests)
}

/// One piece of content to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Payload {
        application_id: Uuid,
        event_id: Uuid,
    },
    Response {
        application_id: Uuid,
        response_id: Uuid,
    },
}

/// What the API answered for one [`Wanted`].
#[derive(Debug)]
enum Got {
    Payload(Uuid, EventRecord),
    Response(ResponseRecord),
    Gone(Wanted),
}

async fn fetch_wanted(
    client: &ApiClient,
    wanted: Vec<Wanted>,
    concurrency: usize,
) -> Result<Vec<Got>, ApiError> {
    stream::iter(wanted)
        .map(|w| async move {
            let got = match w {
                Wanted::Payload {
                    application_id,
                    event_id,
                } => client
                    .event(application_id, event_id)
                    .await
                    .map(|e| Got::Payload(application_id, e)),
                Wanted::Response {
                    application_id,
                    response_id,
                } => client
                    .response(application_id, response_id)
                    .await
                    .map(Got::Response),
            };
            match got {
                Err(e) if is_gone(&e) => Ok(Got::Gone(w)),
                other => other,
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await
}

/// Stores what was fetched and marks what is gone, in one transaction. Returns the ingest
/// statistics and how many items were gone.
fn store(cache: &mut Cache, got: Vec<Got>) -> Result<(IngestStats, u64), CacheError> {
    let now = Utc::now();
    let mut gone = 0;
    let mut ingest = cache.ingest()?;
    for item in got {
        match item {
            Got::Payload(application_id, event) => ingest.event(application_id, &event)?,
            Got::Response(response) => ingest.response(&response)?,
            Got::Gone(Wanted::Payload { event_id, .. }) => {
                gone += 1;
                ingest.payload_gone(event_id, now)?;
            }
            Got::Gone(Wanted::Response { response_id, .. }) => {
                gone += 1;
                ingest.response_gone(response_id, now)?;
            }
        }
    }
    Ok((ingest.commit()?, gone))
}
