//! Which spikes the operator has not heard about yet.
//!
//! A spike lasts longer than the syncs that see it (an automatic sync every few minutes), so
//! each notified subscription is remembered in the cache's `sync_state` under scope
//! [`NOTIFY_SCOPE`], keyed by subscription id, with the time of the notice. It lives in the
//! cache because it describes that cache's data: it survives restarts, and goes with the cache
//! when the cache is deleted or rebuilt.
//!
//! A remembered subscription is notified again only when
//! - a later check found it quiet, at least one window after the notice (the record is then
//!   forgotten; a spike hovering at the threshold does not notify at every crossing), or
//! - `remind_after_hours` passed since the notice while it kept spiking (a reminder).

use std::collections::HashMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::spike::{Spike, SpikeRule};
use crate::cache::{Cache, CacheError};

/// The `sync_state` scope of notified spikes.
pub const NOTIFY_SCOPE: &str = "notify";

/// The spikes to notify now, out of `spikes` (the current ones, muted ones already left out).
/// Records them as notified at `now` and forgets subscriptions found quiet, in one
/// transaction.
pub fn unannounced(
    cache: &mut Cache,
    spikes: Vec<Spike>,
    now: DateTime<Utc>,
    rule: &SpikeRule,
) -> Result<Vec<Spike>, CacheError> {
    let notified: HashMap<String, DateTime<Utc>> = cache
        .sync_states(NOTIFY_SCOPE)?
        .into_iter()
        .filter_map(|(key, value)| {
            let at = DateTime::parse_from_rfc3339(&value).ok()?.to_utc();
            Some((key, at))
        })
        .collect();
    let remind = Duration::hours(i64::from(rule.remind_after_hours));
    let mut tx = cache.ingest()?;
    for (key, at) in &notified {
        let still = spikes.iter().any(|s| s.subscription_id.to_string() == *key);
        if !still && now - *at >= rule.window() {
            tx.clear_sync_state(NOTIFY_SCOPE, key)?;
        }
    }
    let stamp = now.to_rfc3339_opts(SecondsFormat::Micros, true);
    let mut fresh = Vec::new();
    for spike in spikes {
        let key = spike.subscription_id.to_string();
        if notified.get(&key).is_some_and(|at| now - *at < remind) {
            continue;
        }
        tx.set_sync_state(NOTIFY_SCOPE, &key, &stamp)?;
        fresh.push(spike);
    }
    tx.commit()?;
    Ok(fresh)
}
