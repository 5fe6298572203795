//! A small, fully known delivery history for query tests: every attempt is also kept as a
//! plain record so expectations are computed, not hand-counted.

use chrono::{DateTime, Utc};
use console_core::cache::ChainOutcome;
use hook0_client::generated::RequestAttempt;
use uuid::Uuid;

use crate::cache_support::*;

pub struct Known {
    pub attempt: RequestAttempt,
    pub index: usize,
    pub sub: usize,
    pub event_type: &'static str,
    pub env: &'static str,
    pub outcome: ChainOutcome,
    pub latest: bool,
    /// Error kind as the cache should report it, for failed attempts.
    pub kind: Option<&'static str>,
}

pub struct History {
    pub t: TempCache,
    pub f: Fixture,
    pub known: Vec<Known>,
    pub events: Vec<Uuid>,
}

pub const EVENTS: usize = 60;

pub fn event_time(i: usize) -> DateTime<Utc> {
    t0() - chrono::Duration::hours(2 * i as i64)
}

/// 60 events over five days, one delivery each, five scenarios in turn:
/// delivered at once; delivered after a 500; gave up after two 503s; a transport error
/// (timeout for even events, whose response is cached) then waiting; pending.
pub fn history() -> anyhow::Result<History> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 7)?;
    let mut known = Vec::new();
    let mut events = Vec::new();
    let mut tx = t.cache.ingest()?;
    for i in 0..EVENTS {
        let event = Uuid::new_v4();
        events.push(event);
        let sub = i % 3;
        let event_type = if i % 2 == 0 {
            "billing.invoice.paid"
        } else {
            "user.account.created"
        };
        let env = if i % 4 == 0 { "prod" } else { "dev" };
        let at = event_time(i);
        let steps: Vec<(St, Option<&'static str>)> = match i % 5 {
            0 => vec![(St::Ok(200), None)],
            1 => vec![(St::Http(500), Some("http")), (St::Ok(200), None)],
            2 => vec![(St::Http(503), Some("http")), (St::Http(503), Some("http"))],
            3 => vec![
                (
                    St::Transport,
                    Some(if i % 2 == 0 { "timeout" } else { "transport" }),
                ),
                (St::Waiting, None),
            ],
            _ => vec![(St::Pending, None)],
        };
        let outcome = match i % 5 {
            0 | 1 => ChainOutcome::Delivered,
            2 => ChainOutcome::GaveUp,
            3 => ChainOutcome::Retrying,
            _ => ChainOutcome::Pending,
        };
        let n = steps.len();
        let mut page = Vec::new();
        for (retry, (st, kind)) in steps.into_iter().enumerate() {
            let mut a = attempt(
                event,
                f.subs[sub],
                at + secs(30 * retry as i64),
                retry as i32,
                st,
            );
            a.event.event_type_name = event_type.into();
            page.push(a.clone());
            known.push(Known {
                attempt: a,
                index: i,
                sub,
                event_type,
                env,
                outcome,
                latest: retry + 1 == n,
                kind,
            });
        }
        tx.attempts(f.app, &page)?;
        let mut record = event_record(
            event,
            &format!(
                r#"{{"order":"order_{i}","fruit":"{}"}}"#,
                if i % 10 == 0 { "banana" } else { "apple" }
            ),
            at,
        );
        record.event_type_name = event_type.into();
        record.labels = [("env".to_owned(), env.to_owned())].into();
        tx.event(f.app, &record)?;
        for a in &page {
            match (a.http_response_status, a.response_id) {
                (Some(500), Some(r)) => tx.response(&response_record(
                    r,
                    Some(500),
                    Some("E_HTTP"),
                    "internal kiwi error",
                ))?,
                (None, Some(r)) if a.failed_at.is_some() && i % 2 == 0 => {
                    tx.response(&response_record(r, None, Some("E_TIMEOUT"), "timed out"))?
                }
                _ => {}
            }
        }
    }
    tx.commit()?;
    Ok(History {
        t,
        f,
        known,
        events,
    })
}
