//! Progress as the operator sees it: which stage, how far, how fast, and how long is left.
//!
//! Hook0 gives no totals for request attempts, so the attempts stage measures progress in
//! *time covered*: how far the walk has gone from the newest attempt towards the oldest one
//! that can still exist (the organization's retention limit, or the watermark). Stages over a
//! known list (payloads, responses, refreshes) count items exactly: each content stage counts
//! its list when it starts (cheap: the lists are small partial indexes) and reports
//! `done`/`total` in requests, gone items (404) included, so the fraction and ETA are true.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The stages of a sync, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Stage {
    /// Organizations, applications, event types, subscriptions.
    Metadata,
    /// Every request attempt, newest first.
    Attempts,
    /// Attempts that were still pending or retrying last time.
    Unfinished,
    /// For each delivery still failing (retrying or gave up), newest first: its event
    /// payload and the response of its latest failed attempt — what explains the failure.
    FailingDeliveries,
    /// Responses of the earlier failed attempts, then payloads of events whose failed
    /// deliveries have since recovered.
    EarlierFailures,
    /// The remaining payloads (background).
    Payloads,
    /// Removing cached history older than the profile keeps.
    Retention,
    /// Finished.
    Done,
}

/// One progress report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Progress {
    /// Current stage.
    pub stage: Stage,
    /// Application being synced, when the stage works per application.
    pub application: Option<String>,
    /// Items done in this stage (pages, payloads, responses, attempts refreshed).
    pub done: u64,
    /// Items in this stage, when known.
    pub total: Option<u64>,
    /// Fraction of the stage done (0–1), when it can be told.
    pub fraction: Option<f64>,
    /// Attempts stored so far in the whole sync.
    pub attempts: u64,
    /// API requests sent so far.
    pub requests: u64,
    /// Items per second in this stage.
    pub rate_per_second: f64,
    /// Estimated seconds left in this stage.
    pub eta_seconds: Option<f64>,
    /// Milliseconds since the sync started.
    pub elapsed_ms: u64,
}

impl Stage {
    /// Whether a sync at this stage has stored every attempt and, for each delivery still
    /// failing, its event and latest response: what follows only fetches other contents and
    /// trims history.
    pub fn is_past_failures(self) -> bool {
        match self {
            Self::Metadata | Self::Attempts | Self::Unfinished | Self::FailingDeliveries => false,
            Self::EarlierFailures | Self::Payloads | Self::Retention | Self::Done => true,
        }
    }
}

/// Measures one stage and builds reports.
#[derive(Debug)]
pub(super) struct Meter {
    sync_started: Instant,
    stage_started: Instant,
    stage: Stage,
    application: Option<String>,
}

impl Meter {
    pub fn new() -> Self {
        let now = Instant::now();
        Self {
            sync_started: now,
            stage_started: now,
            stage: Stage::Metadata,
            application: None,
        }
    }

    pub fn enter(&mut self, stage: Stage, application: Option<String>) {
        self.stage = stage;
        self.application = application;
        self.stage_started = Instant::now();
    }

    pub fn report(
        &self,
        done: u64,
        total: Option<u64>,
        fraction: Option<f64>,
        attempts: u64,
        requests: u64,
    ) -> Progress {
        let stage_secs = self.stage_started.elapsed().as_secs_f64();
        let fraction = fraction
            .or_else(|| total.filter(|t| *t > 0).map(|t| done as f64 / t as f64))
            .map(|f| f.clamp(0.0, 1.0));
        let rate_per_second = if stage_secs > 0.0 {
            done as f64 / stage_secs
        } else {
            0.0
        };
        let eta_seconds = fraction
            .filter(|f| *f > 0.0 && stage_secs > 0.5)
            .map(|f| stage_secs * (1.0 - f) / f);
        Progress {
            stage: self.stage,
            application: self.application.clone(),
            done,
            total,
            fraction,
            attempts,
            requests,
            rate_per_second,
            eta_seconds,
            elapsed_ms: u64::try_from(self.sync_started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }
}
