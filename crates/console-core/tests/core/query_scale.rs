//! A quick check at scale, not a benchmark (that is `cargo xtask bench`): generate about a
//! million attempts like PERF_NOTES' dataset, time the ingest path against a bare prepared
//! statement loop, then time the query families. Ignored by default; run it in release:
//!
//! `SCALE_ATTEMPTS=1000000 cargo test --release -p console-core --test core query_scale -- --ignored --nocapture`

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use console_core::cache::Cache;
use console_core::cache::{AttemptStatus, ChainOutcome};
use console_core::query::{
    DeliveryFilter, DeliveryQuery, Direction, SearchScope, Sort, SortKey, failure_groups,
};
use console_core::record::{EventRecord, Payload, ResponseBody, ResponseRecord};
use hook0_client::generated::RequestAttempt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::cache_support::*;

const APPS: usize = 3;
const SUBS_PER_APP: usize = 10;
const TYPES: [&str; 10] = [
    "billing.invoice.paid",
    "billing.invoice.failed",
    "billing.refund.issued",
    "user.account.created",
    "user.account.deleted",
    "user.session.opened",
    "order.cart.checked_out",
    "order.parcel.shipped",
    "order.parcel.delivered",
    "stock.item.depleted",
];
const DAYS: i64 = 30;

struct World {
    apps: Vec<Fixture>,
    start: DateTime<Utc>,
}

fn payload(rng: &mut StdRng, i: usize) -> String {
    let rare = if rng.random_ratio(1, 100) {
        "zanzibar"
    } else {
        "harbour"
    };
    let mut s = format!(
        r#"{{"order_id":"ord_{i}","customer":{{"id":"cus_{}","country":"FR","note":"{rare}"}},"items":["#,
        rng.random_range(0..50_000)
    );
    while s.len() < 560 {
        s.push_str(&format!(
            r#"{{"sku":"sku_{}","qty":{},"price_cents":{}}},"#,
            rng.random_range(0..5_000),
            rng.random_range(1..5),
            rng.random_range(100..100_000)
        ));
    }
    s.pop();
    s.push_str("]}");
    s
}

/// Attempts of one event: each of three subscriptions gets one delivery chain.
fn deliveries(
    rng: &mut StdRng,
    w: &World,
    i: usize,
    event: Uuid,
    at: DateTime<Utc>,
    out: &mut Vec<(usize, RequestAttempt)>,
) {
    let app = i % APPS;
    let ty = TYPES[i % TYPES.len()];
    for k in 0..3 {
        let sub = w.apps[app].subs[(i + k * 3) % SUBS_PER_APP];
        let roll = rng.random_range(0..100);
        let steps: Vec<St> = match roll {
            0..89 => vec![St::Ok(200)],
            89..94 => vec![St::Http(500), St::Ok(200)],
            94..97 => vec![St::Transport, St::Http(503), St::Http(503)],
            97..99 => vec![St::Http(404), St::Waiting],
            _ => vec![St::Http(502)],
        };
        for (retry, st) in steps.into_iter().enumerate() {
            let mut a = attempt(
                event,
                sub,
                at + Duration::seconds(40 * retry as i64),
                retry as i32,
                st,
            );
            a.event.event_type_name = ty.into();
            out.push((app, a));
        }
    }
}

fn p95(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (at(0.5), at(0.95))
}

#[test]
#[ignore = "a million-row check; run in release with --ignored"]
fn query_scale() -> anyhow::Result<()> {
    let target: usize = std::env::var("SCALE_ATTEMPTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let events = target * 3 / 10;
    let mut t = temp_cache()?;
    let mut rng = StdRng::seed_from_u64(7);
    let w = World {
        apps: (0..APPS)
            .map(|_| {
                let mut f = fixture();
                f.subs = (0..SUBS_PER_APP).map(|_| Uuid::new_v4()).collect();
                f
            })
            .collect(),
        start: t0() - Duration::days(DAYS),
    };
    let org = w.apps[0].org;
    for f in &w.apps {
        let f = Fixture {
            org,
            app: f.app,
            subs: f.subs.clone(),
        };
        seed_metadata(&mut t.cache, &f, 30)?;
    }

    // Attempts, newest first, many pages per transaction (the sync's shape).
    let step = (DAYS * 86_400_000_000) / events as i64;
    let mut total = 0usize;
    let mut failed_responses = Vec::new();
    let began = Instant::now();
    let mut batch = Vec::new();
    let mut event_ids = Vec::with_capacity(events);
    for i in (0..events).rev() {
        let at = w.start + Duration::microseconds(step * i as i64);
        let event = v7(at);
        event_ids.push(event);
        deliveries(&mut rng, &w, i, event, at, &mut batch);
        if batch.len() >= 5_000 || i == 0 {
            let mut tx = t.cache.ingest()?;
            for app in 0..APPS {
                let page: Vec<RequestAttempt> = batch
                    .iter()
                    .filter(|(a, _)| *a == app)
                    .map(|(_, a)| a.clone())
                    .collect();
                tx.attempts(w.apps[app].app, &page)?;
            }
            tx.commit()?;
            total += batch.len();
            for (_, a) in batch.drain(..) {
                if a.failed_at.is_some()
                    && let Some(r) = a.response_id
                {
                    failed_responses.push((r, a.http_response_status));
                }
            }
        }
    }
    let ingest_s = began.elapsed().as_secs_f64();
    println!(
        "ingest: {total} attempts in {ingest_s:.1} s = {:.0} attempts/s",
        total as f64 / ingest_s
    );

    // Event payloads (with FTS) and failure responses.
    let began = Instant::now();
    let mut tx = t.cache.ingest()?;
    for (n, (i, event)) in (0..events).rev().zip(event_ids.iter()).enumerate() {
        let at = w.start + Duration::microseconds(step * i as i64);
        tx.event(
            w.apps[i % APPS].app,
            &EventRecord {
                event_id: *event,
                event_type_name: TYPES[i % TYPES.len()].into(),
                payload: Payload {
                    content_type: "application/json".into(),
                    bytes: payload(&mut rng, i).into_bytes(),
                },
                labels: [(
                    "env".to_owned(),
                    if i % 4 == 0 { "prod" } else { "dev" }.to_owned(),
                )]
                .into(),
                metadata: BTreeMap::new(),
                ip: String::new(),
                occurred_at: at,
                received_at: at,
            },
        )?;
        if n % 20_000 == 19_999 {
            tx.commit()?;
            tx = t.cache.ingest()?;
        }
    }
    tx.commit()?;
    let events_s = began.elapsed().as_secs_f64();
    println!(
        "events+fts: {events} in {events_s:.1} s = {:.0} events/s",
        events as f64 / events_s
    );
    let began = Instant::now();
    let mut tx = t.cache.ingest()?;
    for (r, status) in &failed_responses {
        let teapot = if rng.random_ratio(1, 100) {
            " teapot"
        } else {
            ""
        };
        tx.response(&ResponseRecord {
            response_id: *r,
            http_code: status.and_then(|s| u16::try_from(s).ok()),
            headers: None,
            body: Some(ResponseBody::Text(format!("upstream said no{teapot}"))),
            elapsed_time_ms: Some(80),
            error_name: Some(
                if status.is_some() {
                    "E_HTTP"
                } else {
                    "E_TIMEOUT"
                }
                .into(),
            ),
        })?;
    }
    tx.commit()?;
    println!(
        "responses: {} in {:.1} s",
        failed_responses.len(),
        began.elapsed().as_secs_f64()
    );
    let began = Instant::now();
    t.cache.analyze()?;
    t.cache.checkpoint()?;
    println!(
        "analyze+checkpoint: {:.1} s; file {:.0} MB",
        began.elapsed().as_secs_f64(),
        std::fs::metadata(&t.path)?.len() as f64 / 1e6
    );

    // Bare ceiling: the same attempt rows and indexes, one prepared INSERT per row, one transaction.
    {
        let dir = tempfile::tempdir()?;
        let bare = Cache::open(&dir.path().join("bare.db"), &random_key())?;
        let conn = bare.conn();
        conn.execute_batch("BEGIN")?;
        let began = Instant::now();
        let mut stmt = conn.prepare(
            "INSERT INTO attempt (id, uuid, application_id, event_id, subscription_id, event_type_id,
                 chain_id, created_at, picked_at, failed_at, succeeded_at, delay_until, status,
                 status_since, status_until, status_at, full_processing_ms, retry_count, http_status,
                 response_uuid, response_cached, error_kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, 0, NULL)",
        )?;
        for n in 0..total as i64 {
            let at = 1_700_000_000_000_000 + n * 2_000_000;
            let id = v7(t0() + Duration::microseconds(at - 1_700_000_000_000_000));
            let response = v7(t0() + Duration::microseconds(at - 1_699_999_999_000_000));
            stmt.execute(rusqlite::params![
                n + 1,
                &id.as_bytes()[..],
                n % 3,
                n / 3,
                n % 30,
                n % 10,
                n / 3,
                at,
                at,
                Option::<i64>::None,
                at,
                Option::<i64>::None,
                3,
                Option::<i64>::None,
                Option::<i64>::None,
                at,
                120,
                0,
                200,
                &response.as_bytes()[..]
            ])?;
        }
        drop(stmt);
        conn.execute_batch("COMMIT")?;
        let bare_s = began.elapsed().as_secs_f64();
        println!(
            "bare insert: {total} rows in {bare_s:.1} s = {:.0} rows/s; cache ingest / bare = {:.2}",
            total as f64 / bare_s,
            (total as f64 / ingest_s) / (total as f64 / bare_s)
        );
    }

    // Queries on a read-only connection beside the writer.
    let reader = t.cache.reader(&t.key)?;
    let conn = reader.conn();
    let day = |d: i64| w.start + Duration::days(d);
    let mut times = Vec::new();
    for q in 0..200 {
        let app = w.apps[q % APPS].app;
        let sub = w.apps[q % APPS].subs[q % SUBS_PER_APP];
        let d = rng.random_range(0..DAYS - 3);
        let (filter, sort) = match q % 8 {
            0 => (
                DeliveryFilter {
                    statuses: Some(vec![AttemptStatus::Failed]),
                    application_ids: Some(vec![app]),
                    created_from: Some(day(d)),
                    created_until: Some(day(d + 2)),
                    ..Default::default()
                },
                Sort::default(),
            ),
            1 => (
                DeliveryFilter {
                    subscription_ids: Some(vec![sub]),
                    http_class: Some(5),
                    ..Default::default()
                },
                Sort::default(),
            ),
            2 => (
                DeliveryFilter {
                    outcomes: Some(vec![ChainOutcome::GaveUp]),
                    application_ids: Some(vec![app]),
                    ..Default::default()
                },
                Sort::default(),
            ),
            3 => (
                DeliveryFilter {
                    event_types: Some(vec![TYPES[q % 10].into()]),
                    created_until: Some(day(d)),
                    ..Default::default()
                },
                Sort::default(),
            ),
            4 => (
                DeliveryFilter {
                    labels: Some(vec![console_core::query::LabelFilter {
                        key: "env".into(),
                        value: "prod".into(),
                    }]),
                    ..Default::default()
                },
                Sort {
                    key: SortKey::CreatedAt,
                    direction: Direction::Asc,
                },
            ),
            5 => (
                DeliveryFilter {
                    subscription_ids: Some(vec![sub]),
                    created_from: Some(day(d)),
                    created_until: Some(day(d + 1)),
                    ..Default::default()
                },
                Sort {
                    key: SortKey::Latency,
                    direction: Direction::Desc,
                },
            ),
            6 => (
                DeliveryFilter {
                    error_kinds: Some(vec![console_core::cache::ErrorKind::Timeout]),
                    min_retry_count: Some(0),
                    ..Default::default()
                },
                Sort::default(),
            ),
            _ => (
                DeliveryFilter {
                    statuses: Some(vec![AttemptStatus::Failed]),
                    http_status: Some(404),
                    application_ids: Some(vec![app]),
                    ..Default::default()
                },
                Sort::default(),
            ),
        };
        let began = Instant::now();
        let page = DeliveryQuery {
            filter: filter.clone(),
            sort,
            limit: Some(100),
            cursor: None,
        }
        .run(conn)?;
        if let Some(c) = page.next_cursor {
            DeliveryQuery {
                filter,
                sort,
                limit: Some(100),
                cursor: Some(c),
            }
            .run(conn)?;
        }
        times.push(began.elapsed().as_secs_f64() * 500.0);
        if q < 8 {
            println!("  query kind {q}: {:.1} ms", times[q]);
        }
    }
    let (p50, p95v) = p95(times);
    println!("query (filter+sort+page, per page): p50 {p50:.2} ms, p95 {p95v:.2} ms");

    let mut times = Vec::new();
    for q in 0..200 {
        let (word, scope) = if q % 2 == 0 {
            ("zanzibar", SearchScope::Payloads)
        } else {
            ("teapot", SearchScope::Responses)
        };
        let app = (q % 3 == 0).then(|| vec![w.apps[q % APPS].app]);
        let began = Instant::now();
        DeliveryQuery {
            filter: DeliveryFilter {
                search: Some(word.into()),
                search_in: Some(scope),
                application_ids: app,
                ..Default::default()
            },
            limit: Some(100),
            ..Default::default()
        }
        .run(conn)?;
        times.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95v) = p95(times);
    println!("fts: p50 {p50:.2} ms, p95 {p95v:.2} ms");

    let mut times = Vec::new();
    for q in 0..40 {
        let (word, scope) = if q % 2 == 0 {
            ("harbour", SearchScope::Payloads)
        } else {
            ("upstream", SearchScope::Responses)
        };
        let began = Instant::now();
        DeliveryQuery {
            filter: DeliveryFilter {
                search: Some(word.into()),
                search_in: Some(scope),
                ..Default::default()
            },
            limit: Some(100),
            ..Default::default()
        }
        .run(conn)?;
        times.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95v) = p95(times);
    println!("fts, common words: p50 {p50:.2} ms, p95 {p95v:.2} ms");

    let mut times = Vec::new();
    for q in 0..200 {
        let d = rng.random_range(0..DAYS - 7);
        let filter = DeliveryFilter {
            created_from: Some(day(d) + Duration::minutes(rng.random_range(0..1440))),
            created_until: Some(day(d + 7) + Duration::minutes(rng.random_range(0..1440))),
            application_ids: (q % 2 == 0).then(|| vec![w.apps[q % APPS].app]),
            ..Default::default()
        };
        let began = Instant::now();
        failure_groups(conn, filter, 50)?;
        times.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95v) = p95(times);
    println!("groups: p50 {p50:.2} ms, p95 {p95v:.2} ms");
    Ok(())
}
