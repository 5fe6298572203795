//! Replay failures exactly once: planned, approved, paced, crash-safe and verified.
//!
//! Hook0's `POST /events/{id}/replay` re-sends an event to every subscription matching at
//! that moment and is not idempotent; the API cannot list attempts by status. So:
//! - [`plan()`] computes, from the cache, the exact set and who will receive it (healthy
//!   subscriptions that get a duplicate included) as a [`Manifest`] with a SHA-256;
//! - a step-up approval binds to that hash ([`Manifest::action_digest`]); [`create_job`]
//!   refuses a set that changed since;
//! - [`run_job`] sends each event once, through a [`Journal`] whose `sending` row is
//!   committed before the request, resolving anything uncertain against the API
//!   ([`resolve`]) before sending it again — after a 503, a timeout or a killed process;
//! - [`verify()`] watches the replayed events until they succeed or a deadline passes.
//!
//! The operator's audit records and notifications are the caller's (console/IPC) job: this
//! module returns what they need (manifest hash, job id, outcome).

mod config;
mod control;
mod error;
mod journal;
mod manifest;
mod plan;
mod progress;
pub mod resolve;
mod run;
mod start;
mod state;
mod verdicts;
mod verify;

pub use config::{MAX_IN_FLIGHT, MAX_RATE, RunConfig};
pub use control::JobControl;
pub use error::ReplayError;
pub use journal::{Entry, EntryCounts, Failure, JobRecord, JobState, JobSummary, Journal};
pub use manifest::{
    DeliveryRef, MANIFEST_VERSION, MAX_MANIFEST_EVENTS, Manifest, ManifestError, ManifestEvent,
    ManifestFile, ReplayApprovalParams, Selection, SetDiff,
};
pub use plan::{
    ExcludedEvent, Exclusion, PlanOptions, PlannedEvent, ReplayPlan, SubscriptionImpact, baselines,
    check_unchanged, plan,
};
pub use progress::{ProgressSink, ReplayProgress, RunOutcome};
pub use run::run_job;
pub use start::{Consent, changes_since_approval, create_job, ensure_unchanged};
pub use state::{EntryState, Transition};
pub use verify::{
    DeliveryVerdict, EventVerification, VerdictCounts, Verification, VerifyOptions, verify,
};
