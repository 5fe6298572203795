//! What the Replays page exchanges with the console: a dry run of a selection, starting the
//! approved plan as a job, steering jobs, and their outcome.
//!
//! A plan stays in the console, keyed by its manifest's SHA-256: the window names it by that
//! hash and never sends a manifest back, so what runs is exactly what the console planned.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::error::ErrorDto;
use crate::replay::{
    Entry, ExcludedEvent, JobSummary, PlanOptions, PlannedEvent, ReplayProgress, RunConfig,
    RunOutcome, Selection, SubscriptionImpact, VerdictCounts, Verification,
};

/// Planned events a plan view lists at most: enough to review, light enough for one message
/// (the count and the per-subscription impact always cover the whole set).
pub const PLAN_PREVIEW_EVENTS: usize = 500;
/// Unsettled entries (failed, unknown, sending) a job detail lists at most.
pub const JOB_DETAIL_ENTRIES: usize = 200;

/// A dry run to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReplayPlanRequest {
    /// The deliveries selected, or the explorer filter that selects them.
    pub selection: Selection,
    /// Choices beyond the selection.
    #[serde(default)]
    pub options: PlanOptions,
}

/// The dry run as the Replays page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReplayPlanView {
    /// The manifest's SHA-256: the plan's id, shown to the operator and approved.
    pub manifest_sha256: String,
    /// The step-up digest a code approves for this plan (hex).
    pub action_digest: String,
    /// When the plan was computed.
    pub created_at: DateTime<Utc>,
    /// Whether starting it needs a fresh code (every plan of more than one event).
    pub step_up_required: bool,
    /// Events the job would replay.
    pub event_count: u64,
    /// The first [`PLAN_PREVIEW_EVENTS`] of them, in sending order, with their receivers.
    pub events: Vec<PlannedEvent>,
    /// Per subscription touched: replays, failures, healthy duplicates, failures not reached.
    pub subscriptions: Vec<SubscriptionImpact>,
    /// Selected events left out (already delivered since, never failed, no receiver).
    pub excluded: Vec<ExcludedEvent>,
    /// Deliveries the selection matched.
    pub deliveries_selected: u64,
    /// Replays that go to subscriptions which had not failed: warn when above zero, since
    /// Hook0 replays to every matching subscription.
    pub healthy_duplicates: u64,
    /// When the cache the plan was computed from last finished a sync.
    pub cache_synced_at: Option<DateTime<Utc>>,
    /// Why the sync before planning failed: the plan then reflects the cache as of
    /// `cache_synced_at` (starting still checks the set against the cache of that moment).
    pub sync_error: Option<ErrorDto>,
}

/// A manifest written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ManifestExport {
    /// Where the file was written.
    pub path: String,
    /// The manifest's SHA-256 (also inside the file).
    pub manifest_sha256: String,
    /// Events it replays.
    #[ts(type = "number")]
    pub events: u64,
}

/// How this console runs replays, as the operator sets it (kept sealed in the vault, so that
/// the waiver below cannot be switched on by editing a file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ReplaySettingsView {
    /// Whether replaying one event (the explorer's "Replay this delivery") may start without
    /// a code; bulk replays always need one. Switching it on takes a code.
    pub single_event_without_step_up: bool,
    /// Pace and care of new jobs.
    pub run: RunConfig,
    /// How long a finished job is watched for new successful attempts (1–120 minutes).
    pub verify_deadline_minutes: u32,
}

/// Starting a planned replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReplayStartRequest {
    /// The plan ([`ReplayPlanView::manifest_sha256`]).
    pub manifest_sha256: String,
    /// A fresh authenticator code approving exactly this plan (not needed for one event).
    #[serde(default)]
    #[ts(optional)]
    pub code: Option<String>,
    /// Pace and care of the run; the defaults when absent.
    #[serde(default)]
    #[ts(optional)]
    pub config: Option<RunConfig>,
}

/// Where a job run by this console is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ReplayPhase {
    /// Sending (or paused while sending).
    Running,
    /// Sent; watching the replayed events until they succeed or the deadline passes.
    Verifying,
    /// Over: outcome and verification are final.
    Done,
    /// Stopped without ending (the console locked, or an error): resume it.
    Stopped,
}

/// The news of a job, pushed to the window as it runs (event `replay-progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReplayUpdate {
    /// The profile whose cache holds the job.
    pub profile_id: Uuid,
    /// The job.
    pub job_id: Uuid,
    /// Where it is.
    pub phase: ReplayPhase,
    /// The last progress report.
    pub progress: Option<ReplayProgress>,
    /// Once verified: recovered, still failing, unknown deliveries.
    pub verification: Option<VerdictCounts>,
}

/// One job in detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReplayJobDetail {
    /// State, manifest hash and counts, from the journal.
    pub job: JobSummary,
    /// Pace and care it runs with.
    pub config: RunConfig,
    /// When its latest run started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Whether this console runs it now (otherwise resuming starts a run).
    pub running_here: bool,
    /// This console's phase of it, when it ran here since the console started.
    pub phase: Option<ReplayPhase>,
    /// The last progress report of this console's run.
    pub progress: Option<ReplayProgress>,
    /// How the run ended.
    pub outcome: Option<RunOutcome>,
    /// The verification after the run.
    pub verification: Option<Verification>,
    /// Why the run stopped, when it failed.
    pub error: Option<ErrorDto>,
    /// Entries failed, unknown or in flight (the first [`JOB_DETAIL_ENTRIES`]).
    pub unsettled: Vec<Entry>,
}

impl Default for ReplaySettingsView {
    fn default() -> Self {
        Self {
            single_event_without_step_up: true,
            run: RunConfig::default(),
            verify_deadline_minutes: 10,
        }
    }
}
