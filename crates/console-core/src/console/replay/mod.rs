//! Replays from the window: plan from the active profile's cache, start an approved plan as a
//! background job, steer it, read its outcome. The command line drives the same core
//! ([`crate::replay`]) in its own process; the rules — approval bound to the manifest's
//! digest, refusal of a set that changed, one runner per job — are the core's.
//!
//! Every method refuses while locked; locking halts running jobs (see `runner`).

mod jobs;
mod plans;
mod record;
mod runner;
mod settings;
mod state;

pub use state::ReplaySettings;
pub(super) use state::Replays;

use std::sync::{Arc, MutexGuard};

use chrono::Utc;
use uuid::Uuid;

use self::record::Step;
use self::runner::RunTask;
use self::state::{JobRun, KeptPlan};
use super::Console;
use crate::error::{ErrorCode, ErrorDto};
use crate::gate::{Approval, GuardedAction};
use crate::ipc::ReplayStartRequest;
use crate::replay::{Consent, Journal, ReplayError, RunConfig, create_job, ensure_unchanged};

/// A start checked up to its approval.
struct Prepared {
    kept: KeptPlan,
    client: crate::api::ApiClient,
    journal: Journal,
}

impl Console {
    /// Starts a kept plan with the code the window sent (a step-up bound to the manifest's
    /// digest; none needed for one event when the settings waive it). A set that changed is
    /// refused before the code is checked, so a stale plan does not spend it.
    pub fn replay_start_with_code(
        self: &Arc<Self>,
        request: ReplayStartRequest,
    ) -> Result<Uuid, ErrorDto> {
        let prepared = self.prepare_start(&request.manifest_sha256)?;
        let approval = match request.code.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => {
                let params = prepared
                    .kept
                    .manifest
                    .approval_params()
                    .map_err(ReplayError::from)?;
                Some(self.step_up(GuardedAction::BulkReplay, &params, code)?)
            }
            _ => None,
        };
        self.start_prepared(prepared, approval, request.config)
    }

    /// Starts a kept plan as a background job, once `approval` covers its manifest (or it
    /// is a single event and the settings waive step-up) and the cache still plans the same
    /// set. A changed set is refused with the difference
    /// ([`crate::ErrorDetail::ReplaySetChanged`]).
    pub fn replay_start(
        self: &Arc<Self>,
        manifest_sha256: &str,
        approval: Option<Approval>,
        config: Option<RunConfig>,
    ) -> Result<Uuid, ErrorDto> {
        let prepared = self.prepare_start(manifest_sha256)?;
        self.start_prepared(prepared, approval, config)
    }

    /// What a start checks before any approval: the plan is held, the profile can reach its
    /// API, and the cache still plans the same set.
    fn prepare_start(&self, manifest_sha256: &str) -> Result<Prepared, ErrorDto> {
        self.unlocked()?;
        let kept = self.kept_plan(manifest_sha256)?;
        let client = self.client(kept.profile)?;
        let journal = self.journal_of(kept.profile)?;
        ensure_unchanged(&journal, &kept.manifest, Utc::now())?;
        Ok(Prepared {
            kept,
            client,
            journal,
        })
    }

    fn start_prepared(
        self: &Arc<Self>,
        prepared: Prepared,
        approval: Option<Approval>,
        config: Option<RunConfig>,
    ) -> Result<Uuid, ErrorDto> {
        let Prepared {
            kept: KeptPlan { profile, manifest },
            client,
            journal,
        } = prepared;
        let sha256 = manifest.sha256().map_err(ReplayError::from)?;
        let settings = self.replay_settings_now()?;
        let waived = approval.is_none()
            && manifest.events.len() == 1
            && settings.single_event_without_step_up;
        if approval.is_none() && !waived {
            return Err(ErrorDto::new(
                ErrorCode::StepUpRequired,
                format!(
                    "replaying {} events needs a fresh code from your authenticator",
                    manifest.events.len()
                ),
            ));
        }
        let consent = match &approval {
            Some(approval) => Consent::Approved(approval),
            None => Consent::Waived,
        };
        let config = config.unwrap_or(settings.run);
        // The gate's clock granted the approval; its age is judged on the same clock.
        let now = self.gate()?.now();
        // Checks the approval, and the set once more.
        let job = create_job(&journal, &manifest, consent, &config, now)?;
        if let Some(approval) = &approval {
            let digest = *approval.digest.as_bytes();
            self.record_step(profile, Some(job), &sha256, Step::Approved, Some(digest))?;
        }
        self.record_step(profile, Some(job), &sha256, Step::Started, None)?;
        self.launch(profile, job, sha256, journal, client)?;
        Ok(job)
    }

    fn launch(
        self: &Arc<Self>,
        profile: Uuid,
        job: Uuid,
        manifest_sha256: String,
        journal: Journal,
        client: crate::api::ApiClient,
    ) -> Result<(), ErrorDto> {
        let run = JobRun::new(profile);
        let task = RunTask {
            profile,
            job,
            manifest_sha256,
            journal,
            client,
            control: run.control.clone(),
            halt: Arc::clone(&run.halt),
        };
        {
            let mut replays = self.replays()?;
            if replays.jobs.get(&job).is_some_and(JobRun::is_active) {
                return Err(ErrorDto::new(
                    ErrorCode::InvalidInput,
                    format!("replay job {job} is already running"),
                ));
            }
            replays.jobs.insert(job, run);
        }
        self.spawn_run(task);
        self.tell_replay(job);
        Ok(())
    }

    fn kept_plan(&self, manifest_sha256: &str) -> Result<KeptPlan, ErrorDto> {
        self.replays()?
            .plan(manifest_sha256)
            .cloned()
            .ok_or_else(|| {
                ErrorDto::new(
                    ErrorCode::NotFound,
                    "this plan is no longer held: compute the dry run again",
                )
            })
    }

    /// A journal on its own writing connection to the profile's cache.
    fn journal_of(&self, profile: Uuid) -> Result<Journal, ErrorDto> {
        Ok(Journal::new(self.open_cache(profile)?)?)
    }

    pub(super) fn replays(&self) -> Result<MutexGuard<'_, Replays>, ErrorDto> {
        self.replays.lock().map_err(|_| super::poisoned())
    }
}
