//! What the console remembers of replays between calls: recent plans (so that the window names
//! a plan by its hash and what runs is what was planned), the jobs it runs, and the settings.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tokio::sync::Notify;
use uuid::Uuid;

use crate::error::ErrorDto;
use crate::ipc::{ReplayPhase, ReplaySettingsView};
use crate::replay::{
    JobControl, Manifest, ReplayProgress, RunConfig, RunOutcome, Verification, VerifyOptions,
};

/// Plans kept at most: a few reviews side by side, not an unbounded history in memory.
const KEPT_PLANS: usize = 16;

/// How the console runs replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaySettings {
    /// Whether a one-event plan may start without a step-up code (the explorer's "replay
    /// this delivery"); bulk replays always need one.
    pub single_event_without_step_up: bool,
    /// Pace and care of a run started without its own settings.
    pub run: RunConfig,
    /// How long and how often a finished job is watched.
    pub verify: VerifyOptions,
}

impl Default for ReplaySettings {
    fn default() -> Self {
        Self::from(ReplaySettingsView::default())
    }
}

impl From<ReplaySettingsView> for ReplaySettings {
    fn from(view: ReplaySettingsView) -> Self {
        Self {
            single_event_without_step_up: view.single_event_without_step_up,
            run: view.run,
            verify: VerifyOptions {
                deadline: std::time::Duration::from_secs(
                    u64::from(view.verify_deadline_minutes) * 60,
                ),
                ..VerifyOptions::default()
            },
        }
    }
}

/// A plan the window may start.
#[derive(Debug, Clone)]
pub(super) struct KeptPlan {
    pub profile: Uuid,
    pub manifest: Manifest,
}

/// A job this console ran or runs.
#[derive(Debug)]
pub(super) struct JobRun {
    pub profile: Uuid,
    pub control: JobControl,
    /// Stops the run's task at once (the console is locking): nothing that holds the token
    /// or the cache key may outlive the lock.
    pub halt: Arc<Notify>,
    pub phase: ReplayPhase,
    pub progress: Option<ReplayProgress>,
    pub outcome: Option<RunOutcome>,
    pub verification: Option<Verification>,
    pub error: Option<ErrorDto>,
}

impl JobRun {
    pub fn new(profile: Uuid) -> Self {
        Self {
            profile,
            control: JobControl::new(),
            halt: Arc::new(Notify::new()),
            phase: ReplayPhase::Running,
            progress: None,
            outcome: None,
            verification: None,
            error: None,
        }
    }

    /// Whether a task of this console is working on the job.
    pub fn is_active(&self) -> bool {
        matches!(self.phase, ReplayPhase::Running | ReplayPhase::Verifying)
    }
}

/// Replay state of the console.
#[derive(Debug, Default)]
pub(in crate::console) struct Replays {
    plans: VecDeque<(String, KeptPlan)>,
    pub(super) jobs: HashMap<Uuid, JobRun>,
    /// Settings that replace the operator's for this session (tests shorten verification).
    pub(super) overridden: Option<ReplaySettings>,
}

impl Replays {
    pub(super) fn keep_plan(&mut self, sha256: String, plan: KeptPlan) {
        self.plans.retain(|(s, _)| *s != sha256);
        if self.plans.len() >= KEPT_PLANS {
            self.plans.pop_front();
        }
        self.plans.push_back((sha256, plan));
    }

    pub(super) fn plan(&self, sha256: &str) -> Option<&KeptPlan> {
        let wanted = sha256.trim().to_ascii_lowercase();
        self.plans
            .iter()
            .find(|(s, _)| *s == wanted)
            .map(|(_, p)| p)
    }

    /// Halts every active run (the console is locking).
    pub(in crate::console) fn halt_all(&mut self) {
        for run in self.jobs.values().filter(|r| r.is_active()) {
            // A stored permit: a task between two awaits still sees it.
            run.halt.notify_one();
        }
    }
}
