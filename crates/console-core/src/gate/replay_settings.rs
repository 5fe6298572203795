//! How replays run, kept in the vault: the single-event waiver lowers a guard, so it lives
//! where a file edit cannot reach it, and switching it on takes a fresh code.

use super::GuardedAction;
use super::machine::Gate;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::ReplaySettingsView;

/// Longest verification watch the settings allow.
pub const MAX_VERIFY_MINUTES: u32 = 120;

impl Gate {
    /// The replay settings (the defaults until the operator changes them).
    pub fn replay_settings(&mut self) -> Result<ReplaySettingsView, ErrorDto> {
        Ok(self.unlocked()?.secrets.replay.clone().unwrap_or_default())
    }

    /// Changes the replay settings; switching the single-event waiver on needs `code`.
    pub fn set_replay_settings(
        &mut self,
        settings: ReplaySettingsView,
        code: Option<&str>,
    ) -> Result<ReplaySettingsView, ErrorDto> {
        settings.run.validate()?;
        if !(1..=MAX_VERIFY_MINUTES).contains(&settings.verify_deadline_minutes) {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                format!(
                    "the verification deadline must be 1 to {MAX_VERIFY_MINUTES} minutes, not {}",
                    settings.verify_deadline_minutes
                ),
            ));
        }
        let current = self.replay_settings()?;
        let waiving =
            settings.single_event_without_step_up && !current.single_event_without_step_up;
        let approval = if waiving {
            let code = code.unwrap_or_default();
            Some(self.step_up(GuardedAction::WaiveSingleReplayStepUp, &(), code)?)
        } else {
            None
        };
        self.unlocked()?.secrets.replay = Some(settings.clone());
        let run = &settings.run;
        let mut entry = AuditEntry::operator(AuditAction::SettingsChanged, AuditOutcome::Succeeded)
            .with_targets([
                format!(
                    "replay_single_event_without_step_up={}",
                    settings.single_event_without_step_up
                ),
                format!("replay_rate_per_second={}", run.rate_per_second),
                format!("replay_in_flight={}", run.in_flight),
                format!(
                    "replay_verify_deadline_minutes={}",
                    settings.verify_deadline_minutes
                ),
            ]);
        if let Some(approval) = approval {
            entry = entry.params(*approval.digest.as_bytes());
        }
        // Recording seals the vault, the new settings with it.
        self.record(entry)?;
        Ok(settings)
    }
}
