//! Steering jobs and reading them: pause, resume, cancel, the job list and one job's detail.
//! A job this console runs is steered through its [`crate::replay::JobControl`]; any other
//! (left by a crash, or run by the command line) through the journal, which a running process
//! reads before each request.

use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;

use super::record::Step;
use super::state::JobRun;
use crate::console::Console;
use crate::error::ErrorDto;
use crate::ipc::{JOB_DETAIL_ENTRIES, ReplayJobDetail};
use crate::replay::{EntryState, JobControl, JobState, JobSummary, ReplayError};

impl Console {
    /// Pauses a job: requests in flight finish, nothing new is sent.
    pub fn replay_pause(&self, job: Uuid) -> Result<ReplayJobDetail, ErrorDto> {
        self.steer(job, Step::Paused)
    }

    /// Cancels a job for good: entries still planned are never sent.
    pub fn replay_cancel(&self, job: Uuid) -> Result<ReplayJobDetail, ErrorDto> {
        self.steer(job, Step::Cancelled)
    }

    /// Resumes a paused job, or runs again a job whose run stopped (locked, crashed, killed):
    /// whatever may have been in flight is resolved against the API before anything is sent.
    pub fn replay_resume(self: &Arc<Self>, job: Uuid) -> Result<ReplayJobDetail, ErrorDto> {
        self.unlocked()?;
        let profile = self.profile_of_job(job)?;
        let active = self.active_control(job)?;
        let journal = self.journal_of(profile)?;
        let record = journal.job(job)?;
        refuse_if_over(job, record.state, "resuming it")?;
        let sha256 = record.manifest_sha256;
        // Each step is recorded before it acts: the run may end (and record its end) as soon
        // as it goes on.
        match active {
            Some(control) => {
                self.record_step(profile, Some(job), &sha256, Step::Resumed, None)?;
                control.resume();
            }
            None => {
                // Asked before anything is recorded: a profile without credentials answers.
                let client = self.client(profile)?;
                self.record_step(profile, Some(job), &sha256, Step::Resumed, None)?;
                self.launch(profile, job, sha256, journal, client)?;
            }
        }
        self.replay_job(job)
    }

    /// The active profile's jobs, as the journal lists them.
    pub fn replay_jobs(&self) -> Result<Vec<JobSummary>, ErrorDto> {
        let profile = self.active_profile_id()?;
        Ok(self.journal_of(profile)?.jobs()?)
    }

    /// One job: the journal's counts and state, and what this console saw of its run.
    pub fn replay_job(&self, job: Uuid) -> Result<ReplayJobDetail, ErrorDto> {
        self.unlocked()?;
        let profile = self.profile_of_job(job)?;
        let journal = self.journal_of(profile)?;
        let record = journal.job(job)?;
        let counts = journal.counts(job)?;
        let mut unsettled = journal.entries(
            job,
            &[EntryState::Failed, EntryState::Unknown, EntryState::Sending],
        )?;
        unsettled.truncate(JOB_DETAIL_ENTRIES);
        let replays = self.replays()?;
        let run = replays.jobs.get(&job);
        Ok(ReplayJobDetail {
            job: JobSummary {
                id: job,
                state: record.state,
                manifest_sha256: record.manifest_sha256,
                created_at: record.created_at,
                counts,
            },
            config: record.config,
            started_at: record.started_at,
            finished_at: record.finished_at,
            running_here: run.is_some_and(JobRun::is_active),
            phase: run.map(|r| r.phase),
            progress: run.and_then(|r| r.progress.clone()),
            outcome: run.and_then(|r| r.outcome.clone()),
            verification: match run.and_then(|r| r.verification.clone()) {
                Some(verification) => Some(verification),
                None => journal.verification(job)?.map(|(v, _)| v),
            },
            error: run.and_then(|r| r.error.clone()),
            unsettled,
        })
    }

    fn steer(&self, job: Uuid, step: Step) -> Result<ReplayJobDetail, ErrorDto> {
        self.unlocked()?;
        let profile = self.profile_of_job(job)?;
        let journal = self.journal_of(profile)?;
        let record = journal.job(job)?;
        let action = match step {
            Step::Paused => "pausing it",
            _ => "cancelling it",
        };
        refuse_if_over(job, record.state, action)?;
        // Recorded first: the run may end (and record its end) as soon as it is told.
        self.record_step(profile, Some(job), &record.manifest_sha256, step, None)?;
        match (self.active_control(job)?, step) {
            // The runner stores the state itself, in step with what it does.
            (Some(control), Step::Paused) => control.pause(),
            (Some(control), _) => control.cancel(),
            // No run here: the journal alone (a run in another process reads it before
            // each request).
            (None, Step::Paused) => journal.set_state(job, JobState::Paused, Utc::now())?,
            (None, _) => journal.set_state(job, JobState::Cancelled, Utc::now())?,
        }
        self.replay_job(job)
    }

    /// The profile whose journal holds `job`: the one that ran it here, else the active one.
    fn profile_of_job(&self, job: Uuid) -> Result<Uuid, ErrorDto> {
        match self.replays()?.jobs.get(&job) {
            Some(run) => Ok(run.profile),
            None => self.active_profile_id(),
        }
    }

    fn active_control(&self, job: Uuid) -> Result<Option<JobControl>, ErrorDto> {
        Ok(self
            .replays()?
            .jobs
            .get(&job)
            .filter(|r| r.is_active())
            .map(|r| r.control.clone()))
    }
}

fn refuse_if_over(job: Uuid, state: JobState, action: &'static str) -> Result<(), ErrorDto> {
    if state.is_over() {
        return Err(ReplayError::JobState {
            job,
            state: state.as_str(),
            action,
        }
        .into());
    }
    Ok(())
}
