//! Failure-spike notification settings of the active profile: mute the profile, or single
//! subscriptions. Kept in the profile list (not secret); every change is recorded.

use uuid::Uuid;

use super::Console;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::ErrorDto;
use crate::ipc::NotificationSettings;

impl Console {
    /// The active profile's notification settings.
    pub fn notification_settings(&self) -> Result<NotificationSettings, ErrorDto> {
        let id = self.active_profile_id()?;
        let profile = self.profiles()?.get(id)?;
        Ok(NotificationSettings {
            profile_id: profile.id,
            muted: profile.notifications_muted,
            muted_subscriptions: profile.muted_subscriptions,
        })
    }

    /// Mutes or unmutes the active profile's notifications.
    pub fn set_notifications_muted(&self, muted: bool) -> Result<NotificationSettings, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.profiles()?.set_notifications_muted(profile, muted)?;
        self.record_setting(profile, format!("notifications_muted={muted}"))?;
        self.notification_settings()
    }

    /// Mutes or unmutes one subscription's notifications in the active profile.
    pub fn set_subscription_muted(
        &self,
        subscription: Uuid,
        muted: bool,
    ) -> Result<NotificationSettings, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.profiles()?
            .set_subscription_muted(profile, subscription, muted)?;
        self.record_setting(
            profile,
            format!("subscription_muted={subscription}:{muted}"),
        )?;
        self.notification_settings()
    }

    fn record_setting(&self, profile: Uuid, change: String) -> Result<(), ErrorDto> {
        self.audit(
            AuditEntry::operator(AuditAction::SettingsChanged, AuditOutcome::Succeeded)
                .target(profile.to_string())
                .target(change),
        )
    }
}
