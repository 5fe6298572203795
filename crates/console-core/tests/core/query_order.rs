//! The delivery list's index walks against a plain computation over the same rows: for every
//! sort, direction and filter shape (partitions merged, subscriptions and windows collected,
//! failing deliveries tested by set), paging through gives exactly the rows of a naive
//! `ORDER BY value, id`, each once, in order.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use console_core::cache::{AttemptStatus, ChainOutcome, ErrorKind};
use console_core::query::{DeliveryFilter, DeliveryQuery, Direction, Sort, SortKey};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::cache_support::*;

const APPS: usize = 3;
const SUBS_PER_APP: usize = 4;
const EVENTS: usize = 420;
const TYPES: [&str; 3] = ["order.created", "order.paid", "user.deleted"];

/// One attempt as stored, read back with a plain query.
#[derive(Debug, Clone)]
struct Stored {
    id: i64,
    uuid: Uuid,
    app: Uuid,
    sub: Uuid,
    event_type: String,
    created_at: i64,
    status: i64,
    outcome: i64,
    latest: bool,
    retry: i64,
    http: Option<i64>,
    kind: Option<String>,
    latency: Option<i64>,
}

struct World {
    t: TempCache,
    apps: Vec<Fixture>,
    start: DateTime<Utc>,
}

/// Three applications whose targets fail each their own way (so that status, class, latency
/// and retries are tied to the application and subscription, as in real histories), with
/// many equal sort values and equal creation times.
fn world() -> anyhow::Result<World> {
    let mut t = temp_cache()?;
    let mut rng = StdRng::seed_from_u64(11);
    let org = Uuid::new_v4();
    let apps: Vec<Fixture> = (0..APPS)
        .map(|_| Fixture {
            org,
            app: Uuid::new_v4(),
            subs: (0..SUBS_PER_APP).map(|_| Uuid::new_v4()).collect(),
        })
        .collect();
    for f in &apps {
        seed_metadata(&mut t.cache, f, 30)?;
    }
    let start = t0() - Duration::days(5);
    let mut tx = t.cache.ingest()?;
    for i in 0..EVENTS {
        let app = i % APPS;
        let event = Uuid::new_v4();
        // Whole seconds, two events per second: equal creation times happen.
        let at = start + secs((i / 2) as i64 * 900);
        let ty = TYPES[i % TYPES.len()];
        let mut page = Vec::new();
        for (k, &sub) in apps[app].subs.iter().enumerate() {
            // The last subscription of each application is small.
            if k == SUBS_PER_APP - 1 && i % 9 != 0 {
                continue;
            }
            let failure = match (app, k) {
                (0, _) => St::Http(if k % 2 == 0 { 503 } else { 404 }),
                (1, _) => St::Transport,
                _ => {
                    if k == 0 {
                        St::Cancelled
                    } else {
                        St::Http(500)
                    }
                }
            };
            let steps: Vec<St> = match rng.random_range(0..10) {
                0..5 => vec![St::Ok(200)],
                5 => vec![failure, St::Ok(204)],
                6 | 7 => vec![failure; rng.random_range(2..6)],
                8 => vec![failure, St::Waiting],
                _ => vec![St::Pending],
            };
            for (retry, st) in steps.into_iter().enumerate() {
                let mut a = attempt(event, sub, at + secs(30 * retry as i64), retry as i32, st);
                a.event.event_type_name = ty.into();
                if a.status.at.is_some() {
                    a.status.full_processing_ms =
                        Some(*[5, 40, 40, 900, 15_000].choose(&mut rng).unwrap_or(&5));
                }
                page.push(a);
            }
        }
        tx.attempts(apps[app].app, &page)?;
    }
    tx.commit()?;
    Ok(World { t, apps, start })
}

fn stored(w: &World) -> anyhow::Result<Vec<Stored>> {
    let conn = w.t.cache.conn();
    let mut stmt = conn.prepare(
        "SELECT a.id, a.uuid, ap.uuid, s.uuid, et.name, a.created_at, a.status, c.outcome,
                c.last_attempt_id = a.id, a.retry_count, a.http_status, a.error_kind,
                a.full_processing_ms
         FROM attempt a JOIN chain c ON c.id = a.chain_id
         JOIN application ap ON ap.id = a.application_id
         JOIN subscription s ON s.id = a.subscription_id
         JOIN event_type et ON et.id = a.event_type_id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Stored {
                id: r.get(0)?,
                uuid: Uuid::from_slice(&r.get::<_, Vec<u8>>(1)?).unwrap(),
                app: Uuid::from_slice(&r.get::<_, Vec<u8>>(2)?).unwrap(),
                sub: Uuid::from_slice(&r.get::<_, Vec<u8>>(3)?).unwrap(),
                event_type: r.get(4)?,
                created_at: r.get(5)?,
                status: r.get(6)?,
                outcome: r.get(7)?,
                latest: r.get(8)?,
                retry: r.get(9)?,
                http: r.get(10)?,
                kind: r.get(11)?,
                latency: r.get(12)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Whether `v` is in `list`, an absent list taking everything.
fn one_of<T: PartialEq>(list: Option<Vec<T>>, v: &T) -> bool {
    list.is_none_or(|l| l.contains(v))
}

/// The filter's meaning, written out plainly.
fn keeps(f: &DeliveryFilter, s: &Stored) -> bool {
    let codes =
        |l: &Option<Vec<AttemptStatus>>| l.as_ref().map(|l| l.iter().map(|x| x.code()).collect());
    let outcomes = f
        .outcomes
        .as_ref()
        .map(|l| l.iter().map(|x| x.code()).collect());
    let kinds = f
        .error_kinds
        .as_ref()
        .map(|l| l.iter().map(|k| Some(k.as_str().to_owned())).collect());
    let micros = |t: &DateTime<Utc>| t.timestamp_micros();
    one_of(codes(&f.statuses), &s.status)
        && one_of(outcomes, &s.outcome)
        && one_of(f.application_ids.clone(), &s.app)
        && one_of(f.subscription_ids.clone(), &s.sub)
        && one_of(f.event_types.clone(), &s.event_type)
        && one_of(kinds, &s.kind)
        && f.http_status.is_none_or(|h| s.http == Some(i64::from(h)))
        && f.http_class
            .is_none_or(|c| s.http.is_some_and(|h| h / 100 == i64::from(c)))
        && f.created_from.is_none_or(|t| s.created_at >= micros(&t))
        && f.created_until.is_none_or(|t| s.created_at < micros(&t))
        && f.min_retry_count.is_none_or(|m| s.retry >= i64::from(m))
        && f.max_retry_count.is_none_or(|m| s.retry <= i64::from(m))
        && (f.latest_only != Some(true) || s.latest)
}

fn value(key: SortKey, s: &Stored) -> i64 {
    match key {
        SortKey::CreatedAt => s.created_at,
        SortKey::Latency => s.latency.unwrap_or(-1),
        SortKey::RetryCount => s.retry,
        SortKey::HttpStatus => s.http.unwrap_or(0),
    }
}

fn naive(all: &[Stored], f: &DeliveryFilter, sort: Sort) -> Vec<Uuid> {
    let mut kept: Vec<&Stored> = all.iter().filter(|s| keeps(f, s)).collect();
    kept.sort_by_key(|s| (value(sort.key, s), s.id));
    if sort.direction == Direction::Desc {
        kept.reverse();
    }
    kept.into_iter().map(|s| s.uuid).collect()
}

fn walked(w: &World, f: &DeliveryFilter, sort: Sort, limit: u32) -> anyhow::Result<Vec<Uuid>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = DeliveryQuery {
            filter: f.clone(),
            sort,
            limit: Some(limit),
            cursor,
        }
        .run(w.t.cache.conn())?;
        assert!(page.rows.len() <= limit as usize);
        out.extend(page.rows.iter().map(|r| r.attempt_id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

fn shapes(w: &World) -> Vec<(&'static str, DeliveryFilter)> {
    let app = |i: usize| Some(vec![w.apps[i].app]);
    let sub = |a: usize, k: usize| Some(vec![w.apps[a].subs[k]]);
    let at = |hours: i64| Some(w.start + Duration::hours(hours));
    let d = DeliveryFilter::default;
    vec![
        ("everything", d()),
        (
            "failed",
            DeliveryFilter {
                statuses: Some(vec![AttemptStatus::Failed]),
                ..d()
            },
        ),
        (
            "successful or waiting",
            DeliveryFilter {
                statuses: Some(vec![AttemptStatus::Successful, AttemptStatus::Waiting]),
                ..d()
            },
        ),
        (
            "gave up",
            DeliveryFilter {
                outcomes: Some(vec![ChainOutcome::GaveUp]),
                ..d()
            },
        ),
        (
            "retrying or gave up, one application",
            DeliveryFilter {
                outcomes: Some(vec![ChainOutcome::Retrying, ChainOutcome::GaveUp]),
                application_ids: app(1),
                ..d()
            },
        ),
        (
            "delivered",
            DeliveryFilter {
                outcomes: Some(vec![ChainOutcome::Delivered]),
                ..d()
            },
        ),
        (
            "5xx",
            DeliveryFilter {
                http_class: Some(5),
                ..d()
            },
        ),
        (
            "4xx of an application that has none",
            DeliveryFilter {
                http_class: Some(4),
                application_ids: app(1),
                ..d()
            },
        ),
        (
            "exactly 503",
            DeliveryFilter {
                http_status: Some(503),
                ..d()
            },
        ),
        (
            "one application",
            DeliveryFilter {
                application_ids: app(2),
                ..d()
            },
        ),
        (
            "failed in one application",
            DeliveryFilter {
                statuses: Some(vec![AttemptStatus::Failed]),
                application_ids: app(0),
                ..d()
            },
        ),
        (
            "a large subscription",
            DeliveryFilter {
                subscription_ids: sub(0, 0),
                ..d()
            },
        ),
        (
            "a small subscription",
            DeliveryFilter {
                subscription_ids: sub(1, 3),
                ..d()
            },
        ),
        (
            "a subscription in a window",
            DeliveryFilter {
                subscription_ids: sub(2, 1),
                created_from: at(10),
                created_until: at(40),
                ..d()
            },
        ),
        (
            "subscriptions of two applications, one chosen",
            DeliveryFilter {
                subscription_ids: Some(vec![w.apps[0].subs[1], w.apps[2].subs[2]]),
                application_ids: app(2),
                ..d()
            },
        ),
        (
            "a short window",
            DeliveryFilter {
                created_from: at(20),
                created_until: at(23),
                ..d()
            },
        ),
        (
            "a long window",
            DeliveryFilter {
                created_from: at(5),
                created_until: at(60),
                ..d()
            },
        ),
        (
            "retried twice or more",
            DeliveryFilter {
                min_retry_count: Some(2),
                ..d()
            },
        ),
        (
            "first attempts",
            DeliveryFilter {
                max_retry_count: Some(0),
                ..d()
            },
        ),
        (
            "retries 1 to 3",
            DeliveryFilter {
                min_retry_count: Some(1),
                max_retry_count: Some(3),
                ..d()
            },
        ),
        (
            "latest only",
            DeliveryFilter {
                latest_only: Some(true),
                ..d()
            },
        ),
        (
            "timeouts",
            DeliveryFilter {
                error_kinds: Some(vec![ErrorKind::Timeout]),
                ..d()
            },
        ),
        (
            "an event type in an application",
            DeliveryFilter {
                event_types: Some(vec!["order.paid".into()]),
                application_ids: app(0),
                ..d()
            },
        ),
        (
            "gave up, retried, in a window",
            DeliveryFilter {
                outcomes: Some(vec![ChainOutcome::GaveUp]),
                min_retry_count: Some(1),
                created_from: at(0),
                created_until: at(70),
                ..d()
            },
        ),
        (
            "successful 2xx of an application, latest only",
            DeliveryFilter {
                http_class: Some(2),
                application_ids: app(2),
                latest_only: Some(true),
                ..d()
            },
        ),
    ]
}

#[test]
fn every_sort_and_filter_pages_through_exactly_the_naive_order() -> anyhow::Result<()> {
    let w = world()?;
    let all = stored(&w)?;
    assert!(all.len() > 1_000, "enough rows for walks and collections");
    for (name, filter) in shapes(&w) {
        for key in [
            SortKey::CreatedAt,
            SortKey::Latency,
            SortKey::RetryCount,
            SortKey::HttpStatus,
        ] {
            for direction in [Direction::Desc, Direction::Asc] {
                let sort = Sort { key, direction };
                let want = naive(&all, &filter, sort);
                let got = walked(&w, &filter, sort, 37)?;
                let unique: HashSet<&Uuid> = got.iter().collect();
                assert_eq!(unique.len(), got.len(), "{name} {sort:?}: a row twice");
                assert_eq!(got.len(), want.len(), "{name} {sort:?}: row count");
                assert_eq!(got, want, "{name} {sort:?}: order");
            }
        }
    }
    Ok(())
}

#[test]
fn one_big_page_equals_the_small_pages() -> anyhow::Result<()> {
    let w = world()?;
    let all = stored(&w)?;
    for (name, filter) in shapes(&w).into_iter().step_by(3) {
        for key in [SortKey::Latency, SortKey::RetryCount] {
            let sort = Sort {
                key,
                direction: Direction::Desc,
            };
            let page = DeliveryQuery {
                filter: filter.clone(),
                sort,
                limit: Some(1_000),
                cursor: None,
            }
            .run(w.t.cache.conn())?;
            let got: Vec<Uuid> = page.rows.iter().map(|r| r.attempt_id).collect();
            let want = naive(&all, &filter, sort);
            assert_eq!(got, want[..want.len().min(1_000)], "{name} {sort:?}");
        }
    }
    Ok(())
}

#[test]
fn pages_by_latency_and_retries_stay_stable_while_the_sync_adds() -> anyhow::Result<()> {
    let mut w = world()?;
    for key in [SortKey::Latency, SortKey::RetryCount] {
        let sort = Sort {
            key,
            direction: Direction::Desc,
        };
        let filter = DeliveryFilter::default();
        let before = walked(&w, &filter, sort, 1_000)?;
        let first = DeliveryQuery {
            filter: filter.clone(),
            sort,
            limit: Some(25),
            cursor: None,
        }
        .run(w.t.cache.conn())?;
        // New attempts land on both sides of the cursor, in several partitions.
        let mut tx = w.t.cache.ingest()?;
        for (k, st) in [St::Http(503), St::Ok(200), St::Transport]
            .into_iter()
            .enumerate()
        {
            let mut a = attempt(
                Uuid::new_v4(),
                w.apps[k].subs[0],
                t0() + secs(k as i64),
                [0, 3, 9][k],
                st,
            );
            a.status.full_processing_ms = Some([1, 40, 20_000][k]);
            tx.attempts(w.apps[k].app, &[a])?;
        }
        tx.commit()?;
        let mut rest = Vec::new();
        let mut cursor = first.next_cursor.clone();
        while let Some(c) = cursor {
            let page = DeliveryQuery {
                filter: filter.clone(),
                sort,
                limit: Some(25),
                cursor: Some(c),
            }
            .run(w.t.cache.conn())?;
            rest.extend(page.rows.iter().map(|r| r.attempt_id));
            cursor = page.next_cursor;
        }
        let mut seen: Vec<Uuid> = first.rows.iter().map(|r| r.attempt_id).collect();
        seen.extend(rest);
        let old: Vec<Uuid> = seen
            .iter()
            .copied()
            .filter(|u| before.contains(u))
            .collect();
        assert_eq!(old, before, "{sort:?}: every earlier row once, in order");
    }
    Ok(())
}
