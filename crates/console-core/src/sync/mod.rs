//! Fills a profile's cache from the Hook0 API: completely, incrementally, resumably.
//!
//! Order of work, chosen for Hook0's per-token budget (~10 requests/s): metadata, then every
//! request attempt of every application (one request per 50 attempts), then the attempts
//! that were unfinished last time, then payloads and responses of *failed* deliveries (one
//! request each — what an operator needs first), then, if asked, every other payload.
//!
//! Invariants:
//! - attempts are listed with [`crate::api::CompleteWalk`], which cannot skip rows tied on
//!   `created_at` (Hook0's cursor does); duplicates are absorbed by the cache's idempotent
//!   upsert;
//! - each transaction stores several pages *and* the walk position that follows them, so a
//!   process killed at any point resumes where the stored data ends and finishes with the
//!   same cache as an uninterrupted run;
//! - an incremental run walks from the newest attempt down to the watermark minus an overlap;
//! - memory is bounded by one batch of pages, whatever the history's size;
//! - no `await` happens while a write transaction is open.

mod content;
mod error;
mod metadata;
mod options;
mod progress;
mod retention;
mod state;
mod walk;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use content::{ContentError, fetch_delivery_content};
pub use error::SyncError;
pub use options::{ContentPolicy, SyncOptions};
pub use progress::{Progress, Stage};

use crate::api::ApiClient;
use crate::cache::Cache;
use progress::Meter;

/// Shared cancellation flag: set it and the sync stops at its next step.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the sync to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether `other` is this flag (or a clone of it).
    pub fn same_as(&self, other: &Cancel) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Whether a stop was asked.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), SyncError> {
        if self.is_cancelled() {
            Err(SyncError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// What a completed sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Applications synced.
    pub applications: u64,
    /// Attempts new to the cache.
    pub attempts_inserted: u64,
    /// Attempts whose state changed (e.g. pending → failed).
    pub attempts_updated: u64,
    /// Attempts listed again unchanged (overlap, boundary instants).
    pub attempts_unchanged: u64,
    /// Event payloads stored.
    pub payloads: u64,
    /// Responses stored.
    pub responses: u64,
    /// Payloads or responses the API no longer has (404), skipped.
    pub missing: u64,
    /// API requests sent.
    pub requests: u64,
}

/// Receives progress reports; called from the sync's task.
pub type ProgressSink<'a> = &'a mut (dyn FnMut(&Progress) + Send);

/// One run of the sync engine.
pub(crate) struct Run<'a> {
    client: &'a ApiClient,
    cache: &'a mut Cache,
    options: &'a SyncOptions,
    cancel: &'a Cancel,
    sink: ProgressSink<'a>,
    meter: Meter,
    report: SyncReport,
    requests_before: u64,
}

impl Run<'_> {
    fn requests(&self) -> u64 {
        self.client
            .stats()
            .sent
            .saturating_sub(self.requests_before)
    }

    fn emit(&mut self, done: u64, total: Option<u64>, fraction: Option<f64>) {
        let stored = self.report.attempts_inserted + self.report.attempts_updated;
        let progress = self
            .meter
            .report(done, total, fraction, stored, self.requests());
        (self.sink)(&progress);
    }

    fn absorb(&mut self, stats: crate::cache::IngestStats) {
        self.report.attempts_inserted += stats.attempts_inserted;
        self.report.attempts_updated += stats.attempts_updated;
        self.report.attempts_unchanged += stats.attempts_unchanged;
        self.report.payloads += stats.events;
        self.report.responses += stats.responses;
    }
}

/// Syncs everything the client's token can see into `cache`.
pub async fn sync(
    client: &ApiClient,
    cache: &mut Cache,
    options: &SyncOptions,
    cancel: &Cancel,
    sink: ProgressSink<'_>,
) -> Result<SyncReport, SyncError> {
    let mut run = Run {
        client,
        cache,
        options,
        cancel,
        sink,
        meter: Meter::new(),
        report: SyncReport::default(),
        requests_before: client.stats().sent,
    };
    let applications = metadata::sync_metadata(&mut run).await?;
    for application in &applications {
        cancel.check()?;
        walk::sync_attempts(&mut run, application).await?;
    }
    for application in &applications {
        cancel.check()?;
        walk::refresh_unfinished(&mut run, application).await?;
    }
    content::sync_content(&mut run).await?;
    retention::apply(&mut run)?;
    run.report.applications = applications.len() as u64;
    run.report.requests = run.requests();
    run.cache.analyze()?;
    run.meter.enter(Stage::Done, None);
    run.emit(1, Some(1), Some(1.0));
    Ok(run.report)
}
