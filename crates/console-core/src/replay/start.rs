//! Turning an approved manifest into a job: the approval must cover exactly this manifest,
//! and a fresh plan must still give the same set.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::config::RunConfig;
use super::error::ReplayError;
use super::journal::Journal;
use super::manifest::{Manifest, SetDiff};
use super::plan::{baselines, check_unchanged};
use crate::gate::{Approval, GuardedAction};

/// What allows a job to start.
#[derive(Debug, Clone, Copy)]
pub enum Consent<'a> {
    /// A step-up approval of [`GuardedAction::BulkReplay`] over
    /// [`Manifest::approval_params`], at most a minute old.
    Approved(&'a Approval),
    /// No approval, by the caller's policy: a one-event replay where the operator's settings
    /// waive step-up, or a profile without a gate (the built-in sandbox, a local server).
    Waived,
}

/// Records a job for `manifest` once `consent` covers it and the cache still plans the same
/// set.
///
/// A changed set is refused with [`ReplayError::SetChanged`], which carries the difference.
pub fn create_job(
    journal: &Journal,
    manifest: &Manifest,
    consent: Consent<'_>,
    config: &RunConfig,
    now: DateTime<Utc>,
) -> Result<Uuid, ReplayError> {
    manifest.validate()?;
    config.validate()?;
    if let Consent::Approved(approval) = consent {
        let digest = manifest.action_digest()?;
        if !approval.authorizes(GuardedAction::BulkReplay, &digest, now) {
            return Err(ReplayError::NotApproved);
        }
    }
    let (diff, bases) = journal.with_cache(|cache| {
        let diff = check_unchanged(cache.conn(), manifest, now)?;
        let bases = baselines(cache.conn(), manifest)?;
        Ok::<_, ReplayError>((diff, bases))
    })?;
    if !diff.is_empty() {
        return Err(ReplayError::set_changed(diff));
    }
    journal.create_job(manifest, &bases, config, now)
}

/// Refuses `manifest` with [`ReplayError::SetChanged`] (carrying the difference) when a fresh
/// plan no longer gives its set. Callers check this *before* asking for a step-up code, so a
/// stale plan does not spend one; [`create_job`] checks again.
pub fn ensure_unchanged(
    journal: &Journal,
    manifest: &Manifest,
    now: DateTime<Utc>,
) -> Result<(), ReplayError> {
    let diff = changes_since_approval(journal, manifest, now)?;
    if diff.is_empty() {
        Ok(())
    } else {
        Err(ReplayError::set_changed(diff))
    }
}

/// What a fresh plan changes in `manifest`'s set (empty when the approval still holds).
pub fn changes_since_approval(
    journal: &Journal,
    manifest: &Manifest,
    now: DateTime<Utc>,
) -> Result<SetDiff, ReplayError> {
    journal.with_cache(|cache| check_unchanged(cache.conn(), manifest, now))
}
