//! Ingest: idempotent upserts, delivery chains, the failure rollup, what the sync still needs.

use console_core::cache::{Cache, ChainOutcome, IngestStats};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::cache_support::*;

/// (outcome, attempts, runs, first_failed_at) of a chain.
type ChainRow = (ChainOutcome, i64, i64, Option<i64>);

/// The chain of (event, subscription).
fn chain(cache: &Cache, event: Uuid, sub: Uuid) -> anyhow::Result<Option<ChainRow>> {
    Ok(cache
        .conn()
        .query_row(
            "SELECT c.outcome, c.attempts, c.runs, c.first_failed_at FROM chain c
             JOIN event e ON e.id = c.event_id JOIN subscription s ON s.id = c.subscription_id
             WHERE e.uuid = ?1 AND s.uuid = ?2",
            (&event.as_bytes()[..], &sub.as_bytes()[..]),
            |r| {
                Ok((
                    ChainOutcome::from_code(r.get(0)?).unwrap(),
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                ))
            },
        )
        .optional()?)
}

/// Every rollup row as (cause, failures).
fn rollup(cache: &Cache) -> anyhow::Result<Vec<(String, i64)>> {
    let mut stmt = cache
        .conn()
        .prepare("SELECT cause, sum(failures) FROM failure_rollup GROUP BY cause ORDER BY cause")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A dump of every derived table, to compare before and after.
fn snapshot(cache: &Cache) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for table in [
        "attempt",
        "chain",
        "failure_rollup",
        "event",
        "subscription",
    ] {
        let mut stmt = cache
            .conn()
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3"))?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect();
            out.push(format!("{table}: {}", cells.join(",")));
        }
    }
    Ok(out)
}

#[test]
fn the_same_attempts_twice_change_nothing() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let page: Vec<_> = (0..50)
        .map(|i| {
            let st = match i % 4 {
                0 => St::Http(500),
                1 => St::Ok(200),
                2 => St::Transport,
                _ => St::Waiting,
            };
            attempt(Uuid::new_v4(), f.subs[i % 3], t0() + secs(i as i64), 0, st)
        })
        .collect();
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, &page)?;
    let stats = tx.commit()?;
    assert_eq!(stats.attempts_inserted, 50);
    let before = snapshot(&t.cache)?;
    // Again in a new transaction, and twice within one (the cursor repeats rows).
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, &page)?;
    tx.attempts(f.app, &page[10..20])?;
    let stats = tx.commit()?;
    assert_eq!(
        stats,
        IngestStats {
            attempts_unchanged: 60,
            ..IngestStats::default()
        }
    );
    assert_eq!(snapshot(&t.cache)?, before, "nothing changed");
    Ok(())
}

#[test]
fn chains_derive_delivered_retrying_gave_up_and_pending() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let (delivered, retrying, gave_up, pending) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let s = f.subs[0];
    // Newest first, as the API lists them.
    let page = vec![
        attempt(delivered, s, t0() + secs(20), 2, St::Ok(200)),
        attempt(retrying, s, t0() + secs(13), 1, St::Waiting),
        attempt(gave_up, s, t0() + secs(12), 1, St::Http(503)),
        attempt(delivered, s, t0() + secs(10), 1, St::Transport),
        attempt(pending, s, t0() + secs(3), 0, St::Pending),
        attempt(retrying, s, t0() + secs(2), 0, St::Http(500)),
        attempt(gave_up, s, t0() + secs(1), 0, St::Cancelled),
        attempt(delivered, s, t0(), 0, St::Http(502)),
    ];
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, &page)?;
    tx.commit()?;
    let first_fail = |secs_after: i64| Some((t0() + secs(secs_after + 1)).timestamp_micros());
    assert_eq!(
        chain(&t.cache, delivered, s)?,
        Some((ChainOutcome::Delivered, 3, 1, first_fail(0)))
    );
    assert_eq!(
        chain(&t.cache, retrying, s)?,
        Some((ChainOutcome::Retrying, 2, 1, first_fail(2)))
    );
    assert_eq!(
        chain(&t.cache, gave_up, s)?,
        Some((ChainOutcome::GaveUp, 2, 1, first_fail(1)))
    );
    assert_eq!(
        chain(&t.cache, pending, s)?,
        Some((ChainOutcome::Pending, 1, 1, None))
    );
    assert_eq!(
        rollup(&t.cache)?,
        vec![
            ("http_500".into(), 1),
            ("http_502".into(), 1),
            ("http_503".into(), 1),
            ("no_response".into(), 1),
            ("transport".into(), 1),
        ]
    );
    Ok(())
}

#[test]
fn a_later_version_of_an_attempt_updates_it_its_chain_and_the_rollup() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let (event, s, id) = (Uuid::new_v4(), f.subs[1], Uuid::new_v4());
    let mut tx = t.cache.ingest()?;
    tx.attempts(
        f.app,
        &[attempt_with_id(id, event, s, t0(), 0, St::Pending)],
    )?;
    tx.commit()?;
    assert_eq!(
        chain(&t.cache, event, s)?.map(|c| c.0),
        Some(ChainOutcome::Pending)
    );
    assert_eq!(t.cache.attempts_not_final(None, None, 10)?.len(), 1);

    let mut tx = t.cache.ingest()?;
    tx.attempts(
        f.app,
        &[attempt_with_id(id, event, s, t0(), 0, St::Http(429))],
    )?;
    let stats = tx.commit()?;
    assert_eq!(stats.attempts_updated, 1);
    assert_eq!(
        chain(&t.cache, event, s)?.map(|c| (c.0, c.1)),
        Some((ChainOutcome::GaveUp, 1))
    );
    assert_eq!(rollup(&t.cache)?, vec![("http_429".into(), 1)]);
    assert!(t.cache.attempts_not_final(None, None, 10)?.is_empty());

    // Its retry arrives: the chain is retrying again, the failure stays counted.
    let retry = attempt(event, s, t0() + secs(5), 1, St::Waiting);
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, std::slice::from_ref(&retry))?;
    tx.commit()?;
    assert_eq!(
        chain(&t.cache, event, s)?.map(|c| (c.0, c.1)),
        Some((ChainOutcome::Retrying, 2))
    );
    let mut done = attempt_with_id(
        retry.request_attempt_id,
        event,
        s,
        t0() + secs(5),
        1,
        St::Ok(200),
    );
    done.response_id = Some(Uuid::new_v4());
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, &[done])?;
    tx.commit()?;
    assert_eq!(
        chain(&t.cache, event, s)?.map(|c| (c.0, c.1)),
        Some((ChainOutcome::Delivered, 2))
    );
    assert_eq!(rollup(&t.cache)?, vec![("http_429".into(), 1)]);
    Ok(())
}

#[test]
fn a_cached_response_refines_a_transport_error_and_moves_it_in_the_rollup() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let a = attempt(Uuid::new_v4(), f.subs[2], t0(), 0, St::Transport);
    let b = attempt(Uuid::new_v4(), f.subs[2], t0() + secs(60), 0, St::Transport);
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, &[a.clone(), b.clone()])?;
    tx.commit()?;
    assert_eq!(rollup(&t.cache)?, vec![("transport".into(), 2)]);
    let missing = t.cache.failed_attempts_without_response(None, 10)?;
    assert_eq!(missing.len(), 2);
    assert!(!t.cache.has_response(a.response_id.unwrap())?);

    let mut tx = t.cache.ingest()?;
    tx.response(&response_record(
        a.response_id.unwrap(),
        None,
        Some("E_TIMEOUT"),
        "error sending request",
    ))?;
    tx.commit()?;
    assert!(t.cache.has_response(a.response_id.unwrap())?);
    assert_eq!(
        rollup(&t.cache)?,
        vec![("timeout".into(), 1), ("transport".into(), 1)]
    );
    let (first, last): (i64, i64) = t.cache.conn().query_row(
        "SELECT first_seen, last_seen FROM failure_rollup WHERE cause = 'transport'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let b_at = b.created_at.timestamp_micros();
    assert_eq!(
        (first, last),
        (b_at, b_at),
        "bounds recomputed after the move"
    );
    let missing = t.cache.failed_attempts_without_response(None, 10)?;
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].attempt_id, b.request_attempt_id);
    Ok(())
}

#[test]
fn the_sync_learns_what_is_missing() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let (ok_event, failed_event) = (Uuid::new_v4(), Uuid::new_v4());
    let mut tx = t.cache.ingest()?;
    tx.attempts(
        f.app,
        &[
            attempt(ok_event, f.subs[0], t0(), 0, St::Ok(200)),
            attempt(failed_event, f.subs[0], t0(), 0, St::Http(500)),
            attempt(failed_event, f.subs[1], t0(), 0, St::Ok(204)),
        ],
    )?;
    tx.commit()?;
    let failed = t.cache.failed_events_without_payload(None, 10)?;
    assert_eq!(
        failed.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        vec![failed_event]
    );
    assert_eq!(failed[0].application_id, f.app);
    assert_eq!(t.cache.events_without_payload(None, 10)?.len(), 2);
    assert!(!t.cache.has_event_payload(failed_event)?);
    // Paging by position.
    let first = t.cache.events_without_payload(None, 1)?;
    let rest = t.cache.events_without_payload(Some(first[0].row), 10)?;
    assert_eq!(rest.len(), 1);
    assert_ne!(rest[0].event_id, first[0].event_id);

    let mut tx = t.cache.ingest()?;
    tx.event(f.app, &event_record(failed_event, r#"{"a":1}"#, t0()))?;
    tx.commit()?;
    assert!(t.cache.has_event_payload(failed_event)?);
    assert!(t.cache.failed_events_without_payload(None, 10)?.is_empty());
    assert_eq!(t.cache.events_without_payload(None, 10)?.len(), 1);
    Ok(())
}

#[test]
fn sync_state_commits_or_rolls_back_with_the_data() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    let scope = format!("app/{}", f.app);
    {
        let mut tx = t.cache.ingest()?;
        tx.attempts(
            f.app,
            &[attempt(Uuid::new_v4(), f.subs[0], t0(), 0, St::Ok(200))],
        )?;
        tx.set_sync_state(&scope, "cursor", "abc")?;
        // dropped: rolled back
    }
    assert_eq!(t.cache.sync_state(&scope, "cursor")?, None);
    let n: i64 = t
        .cache
        .conn()
        .query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
    assert_eq!(n, 0, "the page went with its cursor");
    let mut tx = t.cache.ingest()?;
    tx.attempts(
        f.app,
        &[attempt(Uuid::new_v4(), f.subs[0], t0(), 0, St::Ok(200))],
    )?;
    tx.set_sync_state(&scope, "cursor", "abc")?;
    tx.set_sync_state(&scope, "watermark", "2026-11-20T12:00:00Z")?;
    tx.commit()?;
    assert_eq!(
        t.cache.sync_state(&scope, "cursor")?.as_deref(),
        Some("abc")
    );
    assert_eq!(t.cache.sync_states(&scope)?.len(), 2);
    Ok(())
}

#[test]
fn what_the_writer_remembers_survives_commits_but_not_rollbacks_or_other_writers()
-> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let event = Uuid::new_v4();
    let first = attempt(event, f.subs[0], t0(), 0, St::Http(500));
    let retry = attempt(event, f.subs[0], t0() + secs(60), 1, St::Http(500));
    let other_sub = attempt(event, f.subs[1], t0(), 0, St::Ok(200));

    // A session that rolls back must not leave the writer believing its rows exist…
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, std::slice::from_ref(&retry))?;
    drop(tx);
    // …nor, having created the event in a committed session, that absent rows exist.
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, std::slice::from_ref(&retry))?;
    tx.commit()?;

    // Another connection (another process) adds an attempt of that event in between.
    {
        let mut other = Cache::open(&t.path, &t.key)?;
        let mut tx = other.ingest()?;
        tx.attempts(f.app, std::slice::from_ref(&other_sub))?;
        tx.commit()?;
    }
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, &[first.clone(), other_sub.clone(), retry.clone()])?;
    let stats = tx.commit()?;
    assert_eq!(
        stats,
        IngestStats {
            attempts_inserted: 1,
            attempts_unchanged: 2,
            ..IngestStats::default()
        },
        "the other writer's row is recognised, not inserted twice"
    );
    let (outcome, attempts, runs, _) =
        chain(&t.cache, event, f.subs[0])?.ok_or_else(|| anyhow::anyhow!("no chain"))?;
    assert_eq!((outcome, attempts, runs), (ChainOutcome::GaveUp, 2, 1));
    let (outcome, attempts, _, _) =
        chain(&t.cache, event, f.subs[1])?.ok_or_else(|| anyhow::anyhow!("no chain"))?;
    assert_eq!((outcome, attempts), (ChainOutcome::Delivered, 1));
    Ok(())
}
