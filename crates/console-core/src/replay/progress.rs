//! What a run reports while it goes, and how it ended.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::journal::{EntryCounts, JobState};

/// Where a job stands, for the UI and the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReplayProgress {
    /// The job.
    pub job_id: Uuid,
    /// Its state.
    pub state: JobState,
    /// Entries per state.
    pub counts: EntryCounts,
    /// Entries in a final state.
    pub done: u64,
    /// Every entry.
    pub total: u64,
    /// Replays accepted per second in this run.
    pub rate_per_second: f64,
    /// Seconds left at that rate, when it is known.
    pub eta_seconds: Option<f64>,
    /// 429 answers met in this run.
    pub rate_limited: u64,
    /// While the whole job waits after a 429: how long still.
    pub paused_for_ms: Option<u64>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunOutcome {
    /// The job.
    pub job_id: Uuid,
    /// Its state at the end: `finished`, `cancelled`, or `running` when entries are still
    /// unknown (resume it later).
    pub state: JobState,
    /// Entries per state.
    pub counts: EntryCounts,
    /// 429 answers met.
    pub rate_limited: u64,
}

/// Receives progress; called from the runner's task.
pub type ProgressSink = Arc<dyn Fn(&ReplayProgress) + Send + Sync>;
