//! Spike detection: per subscription, failed attempts of the recent window against the
//! subscription's own baseline.
//!
//! Why this rule ([`SpikeRule`]):
//! - **per subscription, against itself**: each target fails its own way; a target that always
//!   fails 20 % of the time is not news, the same 20 % on a target that never fails is;
//! - **a minimum count** (5): one or two failures of a quiet subscription are noise;
//! - **a multiple of the baseline** (3 ×, the baseline floored at 1 failure per window): the
//!   failures per hour tripled. The floor keeps a quiet subscription's first failures from
//!   spiking below the minimum count. Failures that grow with traffic at an unchanged rate do
//!   count: three times the failing deliveries is news even if traffic caused it;
//! - **or a jump of the failure rate** (+30 points, failed ÷ ended attempts): a target going
//!   down while traffic is low fails fewer deliveries than its busy baseline did, yet every
//!   one of them fails.
//!
//! Attempts count by `created_at` (their creation, like every time filter of the console);
//! only ended attempts (successful or failed) enter rates.
//!
//! Cost: the recent window is read from `attempt_time` (creation time first, subscription and
//! status inside the index: no attempt row is read). Only subscriptions with enough recent
//! failures get a baseline, read per HTTP class from `attempt_sub_class_time` (subscription,
//! class, creation time): the work is the recent window plus the candidates' last day, never
//! the whole cache. No index was added for it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::query::QueryError;

const FAILED: i64 = 4;
const SUCCESSFUL: i64 = 3;
const MICROS_PER_MINUTE: i64 = 60_000_000;

/// When a subscription's failures count as a spike. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeRule {
    /// Length of the recent window.
    pub window_minutes: u32,
    /// Length of the baseline before the window.
    pub baseline_hours: u32,
    /// Failures the window must hold at least.
    pub min_failures: u32,
    /// How many times the baseline (per window) the window's failures must reach…
    pub factor: f64,
    /// …with the baseline taken as at least this many failures per window.
    pub floor: f64,
    /// Or: how much the failure rate must rise over the baseline's (0.3 is 30 points).
    pub rate_jump: f64,
    /// A subscription already notified is notified again after this long even if its spike
    /// never ended (a reminder).
    pub remind_after_hours: u32,
}

impl Default for SpikeRule {
    fn default() -> Self {
        Self {
            window_minutes: 60,
            baseline_hours: 24,
            min_failures: 5,
            factor: 3.0,
            floor: 1.0,
            rate_jump: 0.3,
            remind_after_hours: 6,
        }
    }
}

impl SpikeRule {
    /// The recent window's length.
    pub fn window(&self) -> Duration {
        Duration::minutes(i64::from(self.window_minutes.max(1)))
    }

    /// Whether these counts are a spike.
    pub fn is_spike(&self, recent: Counts, baseline_failures: f64, baseline_rate: f64) -> bool {
        if recent.failed < u64::from(self.min_failures) {
            return false;
        }
        let more_failures = recent.failed as f64 >= self.factor * baseline_failures.max(self.floor);
        let worse_rate = recent.rate() - baseline_rate >= self.rate_jump;
        more_failures || worse_rate
    }
}

/// Failed and ended attempts of one subscription over some span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Failed attempts.
    pub failed: u64,
    /// Ended attempts (successful or failed).
    pub ended: u64,
}

impl Counts {
    /// failed ÷ ended (0 with nothing ended).
    pub fn rate(self) -> f64 {
        if self.ended == 0 {
            0.0
        } else {
            self.failed as f64 / self.ended as f64
        }
    }
}

/// One subscription whose failures spiked.
#[derive(Debug, Clone, PartialEq)]
pub struct Spike {
    /// The subscription.
    pub subscription_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// The first failed attempt of the recent window: the spike's first signal.
    pub first_failure_at: DateTime<Utc>,
    /// Its description, or its target's host and path (never the query: it may hold a
    /// credential), or its id when neither is cached.
    pub subscription: String,
    /// Failed attempts in the recent window.
    pub failures: u32,
    /// Ended attempts (successful or failed) in the recent window.
    pub attempts: u32,
    /// Length of the recent window.
    pub window_minutes: u32,
    /// Failures per window in the baseline before it.
    pub baseline_failures: f64,
}

/// Subscriptions whose failures spiked in the window ending at `now`, most failures first.
pub fn detect_spikes(
    conn: &Connection,
    now: DateTime<Utc>,
    rule: &SpikeRule,
) -> Result<Vec<Spike>, QueryError> {
    let window_us = i64::from(rule.window_minutes.max(1)) * MICROS_PER_MINUTE;
    let end = now.timestamp_micros();
    let window_start = end - window_us;
    let baseline_start = window_start - i64::from(rule.baseline_hours) * 60 * MICROS_PER_MINUTE;

    let mut spikes = Vec::new();
    for (subscription, (recent, first_failed)) in recent_counts(conn, window_start, end)? {
        if recent.failed < u64::from(rule.min_failures) {
            continue;
        }
        let baseline = baseline_counts(conn, subscription, baseline_start, window_start)?;
        // Scaled over what the cache covers of the baseline, one window at least.
        let covered_from = baseline_start.max(covered_since(conn, subscription)?);
        let covered = (window_start - covered_from).max(window_us);
        let baseline_failures = baseline.failed as f64 * window_us as f64 / covered as f64;
        if rule.is_spike(recent, baseline_failures, baseline.rate()) {
            let (subscription_id, application_id, subscription) = describe(conn, subscription)?;
            spikes.push(Spike {
                subscription_id,
                application_id,
                first_failure_at: DateTime::from_timestamp_micros(first_failed)
                    .unwrap_or(now - rule.window()),
                subscription,
                failures: u32::try_from(recent.failed).unwrap_or(u32::MAX),
                attempts: u32::try_from(recent.ended).unwrap_or(u32::MAX),
                window_minutes: rule.window_minutes.max(1),
                baseline_failures,
            });
        }
    }
    spikes.sort_by_key(|s| std::cmp::Reverse(s.failures));
    Ok(spikes)
}

/// Failed and ended attempts per subscription (row id) created in `(from, to]`, with the
/// creation of the first failed one (`i64::MAX` when none failed).
fn recent_counts(
    conn: &Connection,
    from: i64,
    to: i64,
) -> Result<BTreeMap<i64, (Counts, i64)>, QueryError> {
    let mut stmt = conn.prepare_cached(
        "SELECT subscription_id, status, created_at FROM attempt INDEXED BY attempt_time
         WHERE created_at > ?1 AND created_at <= ?2",
    )?;
    let mut rows = stmt.query((from, to))?;
    let mut counts: BTreeMap<i64, (Counts, i64)> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let status: i64 = row.get(1)?;
        let (c, first) = counts
            .entry(row.get(0)?)
            .or_insert((Counts::default(), i64::MAX));
        c.failed += u64::from(status == FAILED);
        c.ended += u64::from(status == FAILED || status == SUCCESSFUL);
        if status == FAILED {
            *first = (*first).min(row.get(2)?);
        }
    }
    Ok(counts)
}

/// One subscription's failed and ended attempts created in `(from, to]`, one index range per
/// HTTP class (found by skipping from class to class).
fn baseline_counts(
    conn: &Connection,
    subscription: i64,
    from: i64,
    to: i64,
) -> Result<Counts, QueryError> {
    const COUNT: &str = "SELECT count(*) FILTER (WHERE status = 4),
                                count(*) FILTER (WHERE status IN (3, 4))
                         FROM attempt INDEXED BY attempt_sub_class_time
                         WHERE subscription_id = ?1 AND http_status / 100 {class}
                           AND created_at > ?2 AND created_at <= ?3";
    let mut total = Counts::default();
    let mut add = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<(), QueryError> {
        let (failed, ended): (i64, i64) = conn
            .prepare_cached(sql)?
            .query_row(params, |r| Ok((r.get(0)?, r.get(1)?)))?;
        total.failed += u64::try_from(failed).unwrap_or(0);
        total.ended += u64::try_from(ended).unwrap_or(0);
        Ok(())
    };
    add(
        &COUNT.replace("{class}", "IS NULL"),
        &[&subscription, &from, &to],
    )?;
    let by_class = COUNT.replace("{class}", "= ?4");
    let mut next = conn.prepare_cached(
        "SELECT min(http_status / 100) FROM attempt INDEXED BY attempt_sub_class_time
         WHERE subscription_id = ?1 AND http_status / 100 > ?2",
    )?;
    let mut class = i64::MIN;
    while let Some(found) = next
        .query_row((subscription, class), |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten()
    {
        add(&by_class, &[&subscription, &from, &to, &found])?;
        class = found;
    }
    Ok(total)
}

/// Since when the cache can know a subscription's failures: its oldest cached attempt, or
/// its creation when later.
fn covered_since(conn: &Connection, subscription: i64) -> Result<i64, QueryError> {
    let oldest: Option<i64> = conn
        .prepare_cached("SELECT min(created_at) FROM attempt INDEXED BY attempt_time")?
        .query_row([], |r| r.get(0))?;
    let created: Option<i64> = conn
        .prepare_cached("SELECT created_at FROM subscription WHERE id = ?1")?
        .query_row([subscription], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(oldest.unwrap_or(i64::MIN).max(created.unwrap_or(i64::MIN)))
}

/// A subscription's id, its application's id and its label.
fn describe(conn: &Connection, subscription: i64) -> Result<(Uuid, Uuid, String), QueryError> {
    let (uuid, app, description, url): (Vec<u8>, Vec<u8>, Option<String>, Option<String>) = conn
        .prepare_cached(
            "SELECT s.uuid, a.uuid, s.description, s.target_url
             FROM subscription s JOIN application a ON a.id = s.application_id
             WHERE s.id = ?1",
        )?
        .query_row([subscription], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    let parse = |col: usize, bytes: &[u8]| {
        Uuid::from_slice(bytes).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Blob, Box::new(e))
        })
    };
    let id = parse(0, &uuid)?;
    Ok((id, parse(1, &app)?, label(description, url, id)))
}

/// A subscription's description, else its target's host and path, else its id.
pub(crate) fn label(description: Option<String>, url: Option<String>, id: Uuid) -> String {
    if let Some(d) = description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
    {
        return d;
    }
    url.as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| {
            u.host_str()
                .map(|host| format!("{host}{}", u.path().trim_end_matches('/')))
        })
        .unwrap_or_else(|| format!("subscription {id}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn counts(failed: u64, ended: u64) -> Counts {
        Counts { failed, ended }
    }

    #[test]
    fn notify_rule_needs_the_minimum_count() {
        let rule = SpikeRule::default();
        assert!(!rule.is_spike(counts(4, 4), 0.0, 0.0), "4 of 4 is below 5");
        assert!(
            rule.is_spike(counts(5, 50), 0.0, 0.0),
            "a quiet subscription's 5th"
        );
    }

    #[test]
    fn notify_rule_ignores_steady_rates_and_sees_jumps() {
        let rule = SpikeRule::default();
        assert!(!rule.is_spike(counts(20, 100), 18.0, 0.18), "steady 20 %");
        assert!(rule.is_spike(counts(60, 100), 18.0, 0.18), "tripled");
        assert!(
            rule.is_spike(counts(10, 10), 20.0, 0.1),
            "fewer failures than usual, but every attempt fails"
        );
    }

    #[test]
    fn notify_labels_never_show_a_url_query() {
        let id = Uuid::nil();
        assert_eq!(
            label(
                None,
                Some("https://u:p@hooks.example/in/?token=s3cret".into()),
                id
            ),
            "hooks.example/in"
        );
        assert_eq!(label(Some(" Billing ".into()), None, id), "Billing");
        assert_eq!(label(None, None, id), format!("subscription {id}"));
    }
}
