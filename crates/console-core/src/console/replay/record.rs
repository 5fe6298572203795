//! The trail of a replay: audit records (ids and the manifest hash only) and the desktop
//! notification when a job ends (counts only).

use uuid::Uuid;

use super::super::Console;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::ErrorDto;
use crate::notify::{Notification, Opens};
use crate::replay::{EntryState, JobState, Journal, RunOutcome, Verification};

/// What happened to a job, as the audit record's last target.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step {
    /// A dry run kept for approval (computed, or imported from a file).
    Planned,
    Imported,
    Approved,
    Started,
    Paused,
    Resumed,
    Cancelled,
    Finished,
    /// The run ended after a cancel (the operator's cancel is its own record).
    EndedCancelled,
    Interrupted,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Imported => "imported",
            Self::Approved => "approved",
            Self::Started => "started",
            Self::Paused => "paused",
            Self::Resumed => "resumed",
            Self::Cancelled => "cancelled",
            Self::Finished => "finished",
            Self::EndedCancelled => "ended_cancelled",
            Self::Interrupted => "interrupted",
        }
    }
}

fn sha_target(sha256: &str) -> String {
    format!("manifest_sha256={sha256}")
}

impl Console {
    /// Records one step of a job (a bulk-replay record with the manifest hash).
    pub(super) fn record_step(
        &self,
        profile: Uuid,
        job: Option<Uuid>,
        sha256: &str,
        step: Step,
        digest: Option<[u8; 32]>,
    ) -> Result<(), ErrorDto> {
        let mut entry = AuditEntry::operator(AuditAction::BulkReplay, AuditOutcome::Succeeded)
            .target(profile.to_string());
        if let Some(job) = job {
            entry = entry.target(format!("job={job}"));
        }
        entry = entry.target(sha_target(sha256)).target(step.as_str());
        if let Some(digest) = digest {
            entry = entry.params(digest);
        }
        self.audit(entry)
    }

    pub(super) fn record_failed(&self, profile: Uuid, job: Uuid, sha256: &str, error: &ErrorDto) {
        let entry = AuditEntry::operator(AuditAction::BulkReplay, AuditOutcome::Failed)
            .with_targets([
                profile.to_string(),
                format!("job={job}"),
                sha_target(sha256),
                format!("error={:?}", error.code),
            ]);
        if let Err(error) = self.audit(entry) {
            tracing::warn!(%error, %job, "the replay's failure was not recorded");
        }
    }

    /// Records how a run ended and, once the job is over, each event it replayed (one
    /// `replay` record per event id: a job is over once, so each is recorded once).
    pub(super) fn record_ended(
        &self,
        profile: Uuid,
        journal: &Journal,
        outcome: &RunOutcome,
        sha256: &str,
    ) {
        let job = outcome.job_id;
        let step = match outcome.state {
            JobState::Finished => Step::Finished,
            JobState::Cancelled => Step::EndedCancelled,
            JobState::Running | JobState::Paused => Step::Interrupted,
        };
        let mut recorded = self.record_step(profile, Some(job), sha256, step, None);
        if outcome.state.is_over() {
            recorded = recorded.and_then(|()| {
                let sent = journal.entries(job, &[EntryState::Sent])?;
                sent.iter().try_for_each(|entry| {
                    self.audit(
                        AuditEntry::operator(AuditAction::Replay, AuditOutcome::Succeeded)
                            .with_targets([
                                profile.to_string(),
                                format!("job={job}"),
                                entry.event_id.to_string(),
                            ]),
                    )
                })
            });
        }
        if let Err(error) = recorded {
            tracing::warn!(%error, %job, "the replay's end was not fully recorded");
        }
    }

    /// Tells the operator a job ended and how much it repaired (counts and the profile's
    /// name only).
    pub(super) fn notify_replay(
        &self,
        profile: Uuid,
        outcome: &RunOutcome,
        verification: &Verification,
    ) {
        let name = self
            .profiles()
            .ok()
            .and_then(|p| p.get(profile).ok())
            .map(|p| p.name)
            .unwrap_or_default();
        let totals = verification.totals;
        let checked = totals.recovered + totals.still_failing + totals.unknown;
        let state = match outcome.state {
            JobState::Cancelled => "cancelled",
            _ => "finished",
        };
        let notification = Notification {
            title: format!("Replay {state}: {checked} deliveries checked"),
            body: format!(
                "{} recovered, {} still failing, {} unknown; {} sent, {} failed — {name}",
                totals.recovered,
                totals.still_failing,
                totals.unknown,
                outcome.counts.sent,
                outcome.counts.failed
            ),
            profile_id: profile,
            opens: Opens::ReplayJob {
                job_id: outcome.job_id,
            },
        };
        if let Err(error) = self.notifier().notify(&notification) {
            tracing::info!(%error, "the replay's end shows in the window only");
        }
    }
}
