//! The operator's replay settings (sealed in the vault by the gate) and the session override
//! tests use to shorten verification.

use super::state::ReplaySettings;
use crate::console::Console;
use crate::error::ErrorDto;
use crate::ipc::ReplaySettingsView;

impl Console {
    /// How replays run, as the operator set it.
    pub fn replay_settings(&self) -> Result<ReplaySettingsView, ErrorDto> {
        self.unlocked()?;
        self.gate()?.replay_settings()
    }

    /// Changes how replays run; switching on the single-event waiver takes a fresh `code`.
    /// New jobs use the settings; running jobs keep the pace they were approved with.
    pub fn set_replay_settings(
        &self,
        settings: ReplaySettingsView,
        code: Option<&str>,
    ) -> Result<ReplaySettingsView, ErrorDto> {
        self.unlocked()?;
        self.after_step_up(|gate| gate.set_replay_settings(settings, code))
    }

    /// Replaces the operator's replay settings for this session only (nothing is stored):
    /// tests shorten verification with it.
    pub fn override_replay_settings(&self, settings: ReplaySettings) -> Result<(), ErrorDto> {
        self.unlocked()?;
        self.replays()?.overridden = Some(settings);
        Ok(())
    }

    /// The settings in force: the session override, else the operator's.
    pub(super) fn replay_settings_now(&self) -> Result<ReplaySettings, ErrorDto> {
        if let Some(settings) = self.replays()?.overridden.clone() {
            return Ok(settings);
        }
        Ok(ReplaySettings::from(self.gate()?.replay_settings()?))
    }
}
