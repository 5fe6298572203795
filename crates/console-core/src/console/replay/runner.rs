//! A job's background task: run it, then verify what it sent, then tell the operator.
//!
//! The task owns the job's journal (its own cache connection) and an API client; it holds
//! the job's [`JobControl`] through the console's state, so pause, resume and cancel reach it
//! from any command. Locking the console halts it at once: the job is stored `paused` and
//! whatever was in flight is resolved against the API when it is resumed (the runner's crash
//! rule), so nothing keyed or authenticated outlives the lock.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Notify;
use uuid::Uuid;

use super::super::Console;
use crate::api::ApiClient;
use crate::error::ErrorDto;
use crate::ipc::{ReplayPhase, ReplayUpdate};
use crate::replay::{
    JobControl, JobState, Journal, ProgressSink, ReplayProgress, RunOutcome, run_job, verify,
};

/// What a run task needs, gathered while the command still runs (so that a locked console or
/// a missing credential answers the command, not the background).
pub(super) struct RunTask {
    pub profile: Uuid,
    pub job: Uuid,
    pub manifest_sha256: String,
    pub journal: Journal,
    pub client: ApiClient,
    pub control: JobControl,
    pub halt: Arc<Notify>,
}

impl Console {
    /// Runs `task` to its end on the runtime.
    pub(super) fn spawn_run(self: &Arc<Self>, task: RunTask) {
        let console = Arc::clone(self);
        tokio::spawn(async move { console.drive(task).await });
    }

    async fn drive(self: Arc<Self>, task: RunTask) {
        let RunTask {
            profile,
            job,
            manifest_sha256,
            journal,
            client,
            control,
            halt,
        } = task;
        let console = Arc::clone(&self);
        let sink: ProgressSink = Arc::new(move |progress: &ReplayProgress| {
            console.on_progress(job, progress);
        });
        let result = tokio::select! {
            outcome = run_job(&journal, &client, job, &control, Some(sink)) => Some(outcome),
            () = halt.notified() => None,
        };
        let outcome: RunOutcome = match result {
            None => {
                // Locked: nothing may be recorded now; the journal says where it stopped.
                if let Err(error) = journal.set_state(job, JobState::Paused, Utc::now()) {
                    tracing::warn!(%error, "the halted replay job could not be marked paused");
                }
                self.set_phase(job, ReplayPhase::Stopped, None);
                return;
            }
            Some(Err(error)) => {
                let error = ErrorDto::from(error);
                self.record_failed(profile, job, &manifest_sha256, &error);
                self.set_phase(job, ReplayPhase::Stopped, Some(error));
                return;
            }
            Some(Ok(outcome)) => outcome,
        };
        self.with_run(job, |run| run.outcome = Some(outcome.clone()));
        self.record_ended(profile, &journal, &outcome, &manifest_sha256);
        self.replay_ended_on_incidents(profile, &outcome);
        if !outcome.state.is_over() {
            // Entries still unknown: resuming resolves them before anything else.
            self.set_phase(job, ReplayPhase::Stopped, None);
            return;
        }
        self.set_phase(job, ReplayPhase::Verifying, None);
        let options = self
            .replay_settings_now()
            .map(|s| s.verify)
            .unwrap_or_default();
        let verified = tokio::select! {
            v = verify(&journal, &client, job, options) => Some(v),
            () = halt.notified() => None,
        };
        match verified {
            Some(Ok(verification)) => {
                self.notify_replay(profile, &outcome, &verification);
                self.replay_verified_on_incidents(profile, &verification);
                // The attempts the replay created, in the cache too: the explorer shows them.
                if let Err(error) = self.start_sync_of(profile) {
                    tracing::debug!(%error, "no sync after the replay's verification");
                }
                self.with_run(job, |run| run.verification = Some(verification));
                self.set_phase(job, ReplayPhase::Done, None);
            }
            Some(Err(error)) => {
                let error = ErrorDto::from(error);
                tracing::warn!(%error, %job, "the replay could not be verified");
                self.set_phase(job, ReplayPhase::Done, Some(error));
            }
            // Locked while verifying: the run itself is over and recorded.
            None => self.set_phase(job, ReplayPhase::Done, None),
        }
    }

    fn on_progress(&self, job: Uuid, progress: &ReplayProgress) {
        self.with_run(job, |run| run.progress = Some(progress.clone()));
        self.tell_replay(job);
    }

    fn set_phase(&self, job: Uuid, phase: ReplayPhase, error: Option<ErrorDto>) {
        self.with_run(job, |run| {
            run.phase = phase;
            if error.is_some() {
                run.error = error;
            }
        });
        self.tell_replay(job);
    }

    fn with_run(&self, job: Uuid, change: impl FnOnce(&mut super::state::JobRun)) {
        if let Ok(mut replays) = self.replays()
            && let Some(run) = replays.jobs.get_mut(&job)
        {
            change(run);
        }
    }

    /// Pushes where `job` stands to the window.
    pub(super) fn tell_replay(&self, job: Uuid) {
        let update = match self.replays() {
            Ok(replays) => replays.jobs.get(&job).map(|run| ReplayUpdate {
                profile_id: run.profile,
                job_id: job,
                phase: run.phase,
                progress: run.progress.clone(),
                verification: run.verification.as_ref().map(|v| v.totals),
            }),
            Err(_) => None,
        };
        if let Some(update) = update {
            self.events().replay_progress(&update);
        }
    }
}
