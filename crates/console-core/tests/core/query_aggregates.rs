//! Aggregates: failures by cause (rollup fast path and attempt scan agree with a plain count),
//! failures over time, subscription health, at-risk deliveries.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use console_core::cache::ChainOutcome;
use console_core::query::{
    AtRiskQuery, Bucket, DeliveryFilter, FailureCause, failure_groups, failures_over_time,
    subscription_health,
};
use uuid::Uuid;

use crate::cache_support::*;
use crate::query_support::*;

type Groups = BTreeMap<(String, Uuid), (u64, DateTime<Utc>, DateTime<Utc>)>;

fn cause_text(c: &FailureCause) -> String {
    match c {
        FailureCause::Http { status } => format!("http_{status}"),
        FailureCause::Error { error } => error.as_str().to_owned(),
    }
}

fn got(h: &History, filter: DeliveryFilter) -> anyhow::Result<Groups> {
    Ok(failure_groups(h.t.cache.conn(), filter, 1000)?
        .into_iter()
        .map(|g| {
            (
                (cause_text(&g.cause), g.subscription_id),
                (g.failures, g.first_seen, g.last_seen),
            )
        })
        .collect())
}

fn want(h: &History, keep: impl Fn(&Known) -> bool) -> Groups {
    let mut out = Groups::new();
    for k in h
        .known
        .iter()
        .filter(|k| k.attempt.failed_at.is_some() && keep(k))
    {
        let cause = match k.attempt.http_response_status {
            Some(s) => format!("http_{s}"),
            None => k.kind.unwrap_or("?").to_owned(),
        };
        let at = k.attempt.created_at;
        let e = out.entry((cause, h.f.subs[k.sub])).or_insert((0, at, at));
        e.0 += 1;
        e.1 = e.1.min(at);
        e.2 = e.2.max(at);
    }
    out
}

#[test]
fn failures_by_cause_match_a_plain_count_on_every_path() -> anyhow::Result<()> {
    let h = history()?;
    // Everything (rollup only).
    assert_eq!(got(&h, DeliveryFilter::default())?, want(&h, |_| true));
    // A window cutting days in the middle (rollup for whole days, attempts at both edges).
    let from = event_time(40) + Duration::minutes(37);
    let until = event_time(5) + Duration::minutes(11);
    let window = DeliveryFilter {
        created_from: Some(from),
        created_until: Some(until),
        ..Default::default()
    };
    let in_window = |k: &Known| k.attempt.created_at >= from && k.attempt.created_at < until;
    assert_eq!(got(&h, window.clone())?, want(&h, in_window));
    // A window inside one day.
    let narrow = DeliveryFilter {
        created_from: Some(event_time(3)),
        created_until: Some(event_time(2)),
        ..Default::default()
    };
    assert_eq!(
        got(&h, narrow)?,
        want(&h, |k| k.attempt.created_at >= event_time(3)
            && k.attempt.created_at < event_time(2))
    );
    // Scoped to a subscription through its URL.
    let scoped = DeliveryFilter {
        target_url: Some("hooks1".into()),
        ..window.clone()
    };
    assert_eq!(got(&h, scoped)?, want(&h, |k| in_window(k) && k.sub == 1));
    // Conditions the rollup cannot answer: counted from the attempts.
    let typed = DeliveryFilter {
        event_types: Some(vec!["billing.invoice.paid".into()]),
        ..window
    };
    assert_eq!(
        got(&h, typed)?,
        want(&h, |k| in_window(k)
            && k.event_type == "billing.invoice.paid")
    );
    // Most frequent first.
    let groups = failure_groups(h.t.cache.conn(), DeliveryFilter::default(), 2)?;
    assert_eq!(groups.len(), 2);
    assert!(groups[0].failures >= groups[1].failures);
    assert_eq!(
        groups[0]
            .target_url
            .as_deref()
            .map(|u| u.starts_with("https://hooks")),
        Some(true)
    );
    Ok(())
}

#[test]
fn failures_over_time_add_up_by_day_and_by_hour() -> anyhow::Result<()> {
    let h = history()?;
    let from = event_time(50) + Duration::minutes(5);
    let filter = DeliveryFilter {
        created_from: Some(from),
        ..Default::default()
    };
    let failed: Vec<&Known> = h
        .known
        .iter()
        .filter(|k| k.attempt.failed_at.is_some() && k.attempt.created_at >= from)
        .collect();
    let days = failures_over_time(h.t.cache.conn(), filter.clone(), Bucket::Day)?;
    let hours = failures_over_time(h.t.cache.conn(), filter, Bucket::Hour)?;
    let total =
        |b: &[console_core::query::FailureBucket]| b.iter().map(|b| b.failures).sum::<u64>();
    assert_eq!(total(&days), failed.len() as u64);
    assert_eq!(total(&hours), failed.len() as u64);
    let mut by_day: BTreeMap<DateTime<Utc>, u64> = BTreeMap::new();
    for k in &failed {
        let day = k
            .attempt
            .created_at
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        *by_day.entry(day).or_default() += 1;
    }
    let got: BTreeMap<DateTime<Utc>, u64> = days.iter().map(|b| (b.start, b.failures)).collect();
    assert_eq!(got, by_day);
    assert!(
        hours.windows(2).all(|w| w[0].start < w[1].start),
        "oldest first"
    );
    Ok(())
}

#[test]
fn subscription_health_counts_final_attempts_and_latency() -> anyhow::Result<()> {
    let h = history()?;
    let health = subscription_health(h.t.cache.conn(), DeliveryFilter::default())?;
    assert_eq!(health.len(), 3);
    for s in &health {
        let sub =
            h.f.subs
                .iter()
                .position(|u| *u == s.subscription_id)
                .unwrap();
        let finals: Vec<&Known> = h
            .known
            .iter()
            .filter(|k| k.sub == sub && k.attempt.status.at.is_some())
            .collect();
        let ok = finals
            .iter()
            .filter(|k| k.attempt.succeeded_at.is_some())
            .count() as u64;
        assert_eq!(s.attempts, finals.len() as u64);
        assert_eq!(s.successful, ok);
        assert_eq!(s.failed, finals.len() as u64 - ok);
        assert!((s.success_rate - ok as f64 / finals.len() as f64).abs() < 1e-9);
        let mut ms: Vec<i64> = finals
            .iter()
            .filter_map(|k| k.attempt.status.full_processing_ms)
            .collect();
        ms.sort_unstable();
        assert_eq!(s.p50_ms, Some(ms[ms.len().div_ceil(2) - 1]));
        assert_eq!(s.p99_ms, ms.last().copied());
    }
    assert!(
        health
            .windows(2)
            .all(|w| w[0].success_rate <= w[1].success_rate),
        "worst first"
    );
    Ok(())
}

#[test]
fn at_risk_lists_unreplayed_failures_nearing_retention() -> anyhow::Result<()> {
    let mut h = history()?;
    // Retention is 7 days; six days on, events younger than one day at t0 expire within a day.
    let query = AtRiskQuery {
        now: t0() + Duration::days(6),
        within_days: 1,
        application_ids: None,
        limit: None,
    };
    let risky = query.run(h.t.cache.conn())?;
    let indexes: Vec<usize> = risky
        .iter()
        .map(|d| h.events.iter().position(|e| *e == d.event_id).unwrap())
        .collect();
    let mut sorted = indexes.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![2, 3, 7, 8]);
    assert!(
        risky.windows(2).all(|w| w[0].expires_at <= w[1].expires_at),
        "soonest first"
    );
    let gave_up = risky.iter().find(|d| d.event_id == h.events[2]).unwrap();
    assert_eq!(gave_up.outcome, ChainOutcome::GaveUp);
    assert_eq!(gave_up.expires_at, event_time(2) + Duration::days(7));
    assert!(gave_up.first_failed_at.is_some());
    // Replaying event 2 (a new run) takes it off the list.
    let mut tx = h.t.cache.ingest()?;
    tx.attempts(
        h.f.app,
        &[attempt(
            h.events[2],
            h.f.subs[2],
            t0() + secs(99),
            0,
            St::Pending,
        )],
    )?;
    tx.commit()?;
    let risky = query.run(h.t.cache.conn())?;
    assert_eq!(risky.len(), 3);
    assert!(risky.iter().all(|d| d.event_id != h.events[2]));
    // Other applications: none.
    let other = AtRiskQuery {
        application_ids: Some(vec![Uuid::new_v4()]),
        ..query.clone()
    };
    assert!(other.run(h.t.cache.conn())?.is_empty());
    let mine = AtRiskQuery {
        application_ids: Some(vec![h.f.app]),
        ..query
    };
    assert_eq!(mine.run(h.t.cache.conn())?.len(), 3);
    Ok(())
}
