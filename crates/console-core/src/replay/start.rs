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

/// Records a job for `manifest` once `approval` (a step-up of [`GuardedAction::BulkReplay`]
/// over [`Manifest::approval_params`]) covers it and the cache still plans the same set.
/// `approval` is `None` only where the operator's settings waive step-up (a single event).
///
/// A changed set is refused with [`ReplayError::SetChanged`]; [`changes_since_approval`]
/// gives the difference to show.
pub fn create_job(
    journal: &Journal,
    manifest: &Manifest,
    approval: Option<&Approval>,
    config: &RunConfig,
    now: DateTime<Utc>,
) -> Result<Uuid, ReplayError> {
    manifest.validate()?;
    config.validate()?;
    match approval {
        Some(approval) => {
            let digest = manifest.action_digest()?;
            if !approval.authorizes(GuardedAction::BulkReplay, &digest, now) {
                return Err(ReplayError::InvalidSelection(
                    "the approval does not cover this manifest (or has expired): approve it again"
                        .into(),
                ));
            }
        }
        None if manifest.events.len() > 1 => {
            return Err(ReplayError::InvalidSelection(
                "replaying more than one event needs a step-up approval".into(),
            ));
        }
        None => {}
    }
    let (diff, bases) = journal.with_cache(|cache| {
        let diff = check_unchanged(cache.conn(), manifest, now)?;
        let bases = baselines(cache.conn(), manifest)?;
        Ok::<_, ReplayError>((diff, bases))
    })?;
    if !diff.is_empty() {
        return Err(ReplayError::SetChanged {
            added: diff.added.len(),
            removed: diff.removed.len() + diff.changed.len(),
        });
    }
    journal.create_job(manifest, &bases, config, now)
}

/// What a fresh plan changes in `manifest`'s set (empty when the approval still holds).
pub fn changes_since_approval(
    journal: &Journal,
    manifest: &Manifest,
    now: DateTime<Utc>,
) -> Result<SetDiff, ReplayError> {
    journal.with_cache(|cache| check_unchanged(cache.conn(), manifest, now))
}
