//! The standing Preparation checklist (SANS step 1): is this console ready for the next
//! incident? It belongs to no incident.
//!
//! Some items the console can tell by itself (a gate enrolled, profiles set up): the caller
//! passes those as facts, and a known fact wins over a tick — a ticked "2FA enrolled" does not
//! make an unenrolled gate ready. The others only the operator knows, so they are ticked; a
//! tick of something that drifts (a notification channel, templates) goes stale and must be
//! renewed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One readiness item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum PreparationItem {
    /// At least one Hook0 profile is configured and signs in.
    ProfilesConfigured,
    /// The two-factor gate is enrolled.
    TwoFactorEnrolled,
    /// The recovery codes are stored somewhere safe, away from this machine.
    RecoveryCodesStored,
    /// A notification channel reaches the on-call person (tested).
    NotificationChannelWorking,
    /// The incident templates were reviewed for this team.
    TemplatesReviewed,
}

impl PreparationItem {
    /// Every item, in the order shown.
    pub const ALL: [Self; 5] = [
        Self::ProfilesConfigured,
        Self::TwoFactorEnrolled,
        Self::RecoveryCodesStored,
        Self::NotificationChannelWorking,
        Self::TemplatesReviewed,
    ];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProfilesConfigured => "profiles_configured",
            Self::TwoFactorEnrolled => "two_factor_enrolled",
            Self::RecoveryCodesStored => "recovery_codes_stored",
            Self::NotificationChannelWorking => "notification_channel_working",
            Self::TemplatesReviewed => "templates_reviewed",
        }
    }

    /// The item with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == name)
    }

    /// What the operator reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::ProfilesConfigured => "Every Hook0 organization you answer for has a profile",
            Self::TwoFactorEnrolled => "Two-factor unlock is enrolled",
            Self::RecoveryCodesStored => "Recovery codes are stored away from this machine",
            Self::NotificationChannelWorking => "A test notification reached the on-call person",
            Self::TemplatesReviewed => "The incident templates were reviewed with the team",
        }
    }

    /// How long a tick stays valid: a notification path or a team's procedures drift.
    pub fn valid_for_days(self) -> Option<u32> {
        match self {
            Self::NotificationChannelWorking => Some(30),
            Self::TemplatesReviewed => Some(180),
            Self::ProfilesConfigured | Self::TwoFactorEnrolled | Self::RecoveryCodesStored => None,
        }
    }
}

/// What the caller knows for sure; `None` leaves the item to the operator's tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PreparationFacts {
    /// From the profile list.
    pub profiles_configured: Option<bool>,
    /// From the gate.
    pub two_factor_enrolled: Option<bool>,
    /// Rarely known; usually ticked.
    pub recovery_codes_stored: Option<bool>,
    /// From the last test notification, when one was sent.
    pub notification_channel_working: Option<bool>,
    /// Rarely known; usually ticked.
    pub templates_reviewed: Option<bool>,
}

impl PreparationFacts {
    /// The fact about `item`, if known.
    pub fn get(&self, item: PreparationItem) -> Option<bool> {
        match item {
            PreparationItem::ProfilesConfigured => self.profiles_configured,
            PreparationItem::TwoFactorEnrolled => self.two_factor_enrolled,
            PreparationItem::RecoveryCodesStored => self.recovery_codes_stored,
            PreparationItem::NotificationChannelWorking => self.notification_channel_working,
            PreparationItem::TemplatesReviewed => self.templates_reviewed,
        }
    }
}

/// An operator's tick of a readiness item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreparationTick {
    /// When.
    pub done_at: DateTime<Utc>,
    /// By whom.
    pub done_by: String,
    /// Where, how (e.g. "codes in the team safe, envelope 3").
    pub note: Option<String>,
}

/// Where a check's answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum CheckSource {
    /// A fact the console knows.
    Computed,
    /// The operator's tick.
    Ticked,
    /// Neither: it is open.
    Open,
}

/// One readiness item and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreparationCheck {
    /// The item.
    pub item: PreparationItem,
    /// What the operator reads.
    pub label: String,
    /// Satisfied now.
    pub ok: bool,
    /// Where the answer comes from.
    pub source: CheckSource,
    /// The stored tick, if any (also when stale or overridden by a fact).
    pub tick: Option<PreparationTick>,
    /// The tick is older than the item allows.
    pub stale: bool,
}

/// The readiness of the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreparationStatus {
    /// Every item is satisfied.
    pub ready: bool,
    /// Every item, in order.
    pub checks: Vec<PreparationCheck>,
    /// The items not satisfied.
    pub missing: Vec<PreparationItem>,
}

/// Combines the facts and the ticks into the status at `now`.
pub fn evaluate(
    facts: &PreparationFacts,
    ticks: &[(PreparationItem, PreparationTick)],
    now: DateTime<Utc>,
) -> PreparationStatus {
    let checks: Vec<PreparationCheck> = PreparationItem::ALL
        .into_iter()
        .map(|item| {
            let tick = ticks
                .iter()
                .find(|(i, _)| *i == item)
                .map(|(_, t)| t.clone());
            let stale = match (&tick, item.valid_for_days()) {
                (Some(t), Some(days)) => now - t.done_at > Duration::days(i64::from(days)),
                _ => false,
            };
            let (ok, source) = match facts.get(item) {
                Some(fact) => (fact, CheckSource::Computed),
                None if tick.is_some() && !stale => (true, CheckSource::Ticked),
                None => (false, CheckSource::Open),
            };
            PreparationCheck {
                item,
                label: item.label().to_owned(),
                ok,
                source,
                tick,
                stale,
            }
        })
        .collect();
    let missing: Vec<PreparationItem> = checks.iter().filter(|c| !c.ok).map(|c| c.item).collect();
    PreparationStatus {
        ready: missing.is_empty(),
        checks,
        missing,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
    }

    fn tick(days_ago: i64) -> PreparationTick {
        PreparationTick {
            done_at: now() - Duration::days(days_ago),
            done_by: "ana".into(),
            note: None,
        }
    }

    #[test]
    fn nothing_known_nothing_ticked_is_not_ready() {
        let s = evaluate(&PreparationFacts::default(), &[], now());
        assert!(!s.ready);
        assert_eq!(s.missing, PreparationItem::ALL.to_vec());
        assert!(s.checks.iter().all(|c| c.source == CheckSource::Open));
    }

    #[test]
    fn facts_and_fresh_ticks_make_it_ready() {
        let facts = PreparationFacts {
            profiles_configured: Some(true),
            two_factor_enrolled: Some(true),
            ..PreparationFacts::default()
        };
        let ticks = [
            (PreparationItem::RecoveryCodesStored, tick(400)),
            (PreparationItem::NotificationChannelWorking, tick(30)),
            (PreparationItem::TemplatesReviewed, tick(10)),
        ];
        let s = evaluate(&facts, &ticks, now());
        assert!(s.ready, "{s:?}");
        assert_eq!(s.checks[0].source, CheckSource::Computed);
        assert_eq!(s.checks[2].source, CheckSource::Ticked);
    }

    #[test]
    fn a_false_fact_beats_a_tick_and_old_ticks_go_stale() {
        let facts = PreparationFacts {
            profiles_configured: Some(true),
            two_factor_enrolled: Some(false),
            ..PreparationFacts::default()
        };
        let ticks = [
            (PreparationItem::TwoFactorEnrolled, tick(1)),
            (PreparationItem::RecoveryCodesStored, tick(1)),
            (PreparationItem::NotificationChannelWorking, tick(31)),
            (PreparationItem::TemplatesReviewed, tick(181)),
        ];
        let s = evaluate(&facts, &ticks, now());
        assert!(!s.ready);
        assert_eq!(
            s.missing,
            [
                PreparationItem::TwoFactorEnrolled,
                PreparationItem::NotificationChannelWorking,
                PreparationItem::TemplatesReviewed
            ]
        );
        assert!(s.checks[3].stale && s.checks[4].stale);
        assert!(
            s.checks[1].tick.is_some(),
            "the overridden tick is still shown"
        );
    }
}
