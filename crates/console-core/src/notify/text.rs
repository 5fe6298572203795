//! The words of a spike notification: counts and names only.

use uuid::Uuid;

use super::Notification;
use super::spike::Spike;
use crate::ipc::SpikeAlert;

impl Notification {
    /// The notification of a spike in the profile named `profile_name`.
    pub fn of_spike(profile_id: Uuid, profile_name: &str, spike: &Spike) -> Self {
        let usual = if spike.baseline_failures < 0.05 {
            "usually none".to_owned()
        } else {
            format!("usually {:.1}", spike.baseline_failures)
        };
        Self {
            title: format!("Failure spike: {}", spike.subscription),
            body: format!(
                "{} of {} attempts failed in the last {} min ({usual}) — {profile_name}",
                spike.failures, spike.attempts, spike.window_minutes
            ),
            profile_id,
            opens: super::Opens::Deliveries {
                subscription_id: spike.subscription_id,
            },
        }
    }
}

impl SpikeAlert {
    /// The window's form of a spike.
    pub fn of_spike(profile_id: Uuid, spike: &Spike, shown_by_os: bool) -> Self {
        Self {
            profile_id,
            subscription_id: spike.subscription_id,
            application_id: spike.application_id,
            first_failure_at: spike.first_failure_at,
            subscription: spike.subscription.clone(),
            failures: spike.failures,
            attempts: spike.attempts,
            window_minutes: spike.window_minutes,
            baseline_failures: spike.baseline_failures,
            shown_by_os,
        }
    }
}
