//! The standing preparation checklist and the response-time metrics of the active profile.
//!
//! The console asserts only what it knows: two-factor is enrolled (it is unlocked), and a
//! profile other than the sandbox holds credentials. Recovery codes kept away from this
//! machine and templates reviewed with the team are the operator's to tick; the console
//! can only prove them false (no codes left, no template at all), and then says so. The same
//! holds for the notification channel: a test notification the desktop refused proves it
//! broken; one it showed still needs the operator to say it reached them.

use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::ErrorDto;
use crate::incident::metrics::{MetricsSummary, summarize};
use crate::incident::{IncidentFilter, PreparationFacts};
use crate::ipc::{PreparationTickRequest, PreparationView, TestNotification};
use crate::notify::{Notification, Opens};
use crate::profile::ProfileKind;

use super::{super::Console, OPERATOR};

impl Console {
    /// The preparation checklist: computed facts, and the operator's ticks for the rest.
    pub fn incident_preparation(&self) -> Result<PreparationView, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let profiles_with_credentials = {
            let profiles = self.profiles()?;
            profiles
                .list()
                .iter()
                .filter(|p| p.kind != ProfileKind::Sandbox)
                .filter(|p| profiles.credentials_of(p.id).is_some())
                .count()
        };
        let recovery_codes_left = self.gate()?.security_settings()?.recovery_codes_left;
        let last_test = self
            .notification_test
            .lock()
            .map_err(|_| super::super::poisoned())?
            .clone();
        let (templates, status, facts) = self.with_incidents(|store, _| {
            let templates = store.templates()?.len();
            let facts = PreparationFacts {
                profiles_configured: Some(profiles_with_credentials > 0),
                two_factor_enrolled: Some(true),
                recovery_codes_stored: (recovery_codes_left == 0).then_some(false),
                notification_channel_working: last_test
                    .as_ref()
                    .filter(|t| !t.shown)
                    .map(|_| false),
                templates_reviewed: (templates == 0).then_some(false),
            };
            Ok((templates, store.preparation(&facts, now)?, facts))
        })?;
        Ok(PreparationView {
            status,
            facts,
            profiles_with_credentials: count(profiles_with_credentials),
            recovery_codes_left,
            templates: count(templates),
            last_test_notification: last_test,
        })
    }

    /// Sends a test notification through the desktop's notification service, for the
    /// Preparation item "notification channel working"; a refusal marks the item false.
    pub fn incident_test_notification(&self) -> Result<PreparationView, ErrorDto> {
        let profile = self.active_profile_id()?;
        let now = self.incident_now()?;
        let notification = Notification {
            title: "Hook0 Console: test notification".to_owned(),
            body: "Failure spikes and incident reminders will reach you like this.".to_owned(),
            profile_id: profile,
            opens: Opens::Window,
        };
        let shown = self.notifier().notify(&notification);
        let test = TestNotification {
            at: now,
            shown: shown.is_ok(),
            error: shown.err().map(|e| e.to_string()),
        };
        *self
            .notification_test
            .lock()
            .map_err(|_| super::super::poisoned())? = Some(test.clone());
        let outcome = if test.shown {
            AuditOutcome::Succeeded
        } else {
            AuditOutcome::Failed
        };
        self.audit(
            AuditEntry::operator(AuditAction::IncidentChanged, outcome).with_targets([
                profile.to_string(),
                "preparation".into(),
                "test_notification".into(),
            ]),
        )?;
        self.incident_preparation()
    }

    /// Ticks a preparation item (or removes its tick when `done` is false).
    pub fn incident_preparation_tick(
        &self,
        request: PreparationTickRequest,
    ) -> Result<PreparationView, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let profile = self.with_incidents(|store, profile| {
            if request.done {
                store.tick_preparation(request.item, OPERATOR, request.note.as_deref(), now)?;
            } else {
                store.untick_preparation(request.item)?;
            }
            Ok(profile)
        })?;
        let change = if request.done {
            "preparation_ticked"
        } else {
            "preparation_unticked"
        };
        self.audit_incident(
            profile,
            format!("preparation:{}", request.item.as_str()),
            change,
        )?;
        self.incident_preparation()
    }

    /// Mean response times over every incident of the active profile.
    pub fn incident_metrics(&self) -> Result<MetricsSummary, ErrorDto> {
        let incidents = self.with_incidents(|store, _| store.list(&IncidentFilter::default()))?;
        Ok(summarize(&incidents))
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
