//! Failure-spike notifications: after each successful background sync, the profile's cache is
//! checked for spikes ([`crate::notify`]), and each new one goes to the notifier — or, when
//! the notifier fails, to the window. Settings: mute the profile, or single subscriptions,
//! and (apart) the profile's incident reminders (see `incidents::signals`); kept in the
//! profile list (not secret); every change is recorded.

use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;

use super::Console;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::ErrorDto;
use crate::ipc::{NotificationSettings, SpikeAlert};
use crate::notify::{Notification, Notifier, SpikeRule, detect_spikes, unannounced};

impl Console {
    /// Tells the console what shows failure-spike notifications. Until then every spike
    /// shows in the window.
    pub fn set_notifier(&self, notifier: Arc<dyn Notifier>) -> Result<(), ErrorDto> {
        *self.notifier.lock().map_err(|_| super::poisoned())? = notifier;
        Ok(())
    }

    pub(super) fn notifier(&self) -> Arc<dyn Notifier> {
        match self.notifier.lock() {
            Ok(notifier) => Arc::clone(&notifier),
            Err(_) => Arc::new(crate::notify::NoNotifier),
        }
    }

    /// Checks a profile's cache for failure spikes after a sync and tells the operator about
    /// the new ones, unless muted: through the notifier, and to the window (a quieter trace
    /// when the OS showed it, the banner when it could not). Returns what was told. Blocking
    /// (SQLite, the notifier): background syncs call it off the async workers.
    pub fn after_sync(&self, profile: Uuid) -> Result<Vec<SpikeAlert>, ErrorDto> {
        let profile = self.profiles()?.get(profile)?;
        if profile.notifications_muted {
            return Ok(Vec::new());
        }
        let rule = SpikeRule::default();
        let now = Utc::now();
        let mut cache = self.open_cache(profile.id)?;
        let spikes = detect_spikes(cache.conn(), now, &rule)
            .map_err(|e| e.to_dto())?
            .into_iter()
            .filter(|s| !profile.muted_subscriptions.contains(&s.subscription_id))
            .collect();
        let fresh = unannounced(&mut cache, spikes, now, &rule).map_err(|e| e.to_dto())?;
        drop(cache);
        let notifier = self.notifier();
        let events = self.events();
        let mut told = Vec::with_capacity(fresh.len());
        for spike in &fresh {
            let notification = Notification::of_spike(profile.id, &profile.name, spike);
            let shown_by_os = match notifier.notify(&notification) {
                Ok(()) => true,
                Err(error) => {
                    tracing::warn!(
                        %error,
                        subscription = %spike.subscription_id,
                        failures = spike.failures,
                        "the failure spike shows in the window instead"
                    );
                    false
                }
            };
            let alert = SpikeAlert::of_spike(profile.id, spike, shown_by_os);
            events.spike(&alert);
            told.push(alert);
        }
        Ok(told)
    }

    /// The active profile's notification settings.
    pub fn notification_settings(&self) -> Result<NotificationSettings, ErrorDto> {
        let id = self.active_profile_id()?;
        let profile = self.profiles()?.get(id)?;
        let incident_reminders_muted = self.profiles()?.incident_reminders_muted(profile.id)?;
        Ok(NotificationSettings {
            profile_id: profile.id,
            muted: profile.notifications_muted,
            muted_subscriptions: profile.muted_subscriptions,
            incident_reminders_muted,
        })
    }

    /// Mutes or unmutes the active profile's incident reminders (overdue checklist items,
    /// approaching deadlines); failure spikes keep their own switch.
    pub fn set_incident_reminders_muted(
        &self,
        muted: bool,
    ) -> Result<NotificationSettings, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.profiles()?
            .set_incident_reminders_muted(profile, muted)?;
        self.record_setting(profile, format!("incident_reminders_muted={muted}"))?;
        self.notification_settings()
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
