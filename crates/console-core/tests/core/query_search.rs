//! Full-text search takes one of three plans by how many rows match (few: matches drive;
//! many: membership; most: per-row check). Every plan must return exactly the matching rows.

use std::collections::HashSet;

use console_core::cache::AttemptStatus;
use console_core::query::{DeliveryFilter, DeliveryQuery, SearchScope};
use uuid::Uuid;

use crate::cache_support::*;

#[test]
fn every_search_plan_returns_exactly_the_matching_rows() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    // 10,000 events: "alpha" in all (per-row check), "beta" in 2,200 (membership),
    // "gamma" in 10 (matches drive).
    const N: usize = 10_000;
    let mut by_word: Vec<(&str, HashSet<Uuid>)> = vec![
        ("alpha", HashSet::new()),
        ("beta", HashSet::new()),
        ("gamma", HashSet::new()),
    ];
    let mut failed = HashSet::new();
    let mut tx = t.cache.ingest()?;
    for i in 0..N {
        let at = t0() - secs(60 * i as i64);
        let event = v7(at);
        let st = if i % 7 == 0 {
            St::Http(500)
        } else {
            St::Ok(200)
        };
        let a = attempt(event, f.subs[i % 3], at, 0, st);
        if i % 7 == 0 {
            failed.insert(a.request_attempt_id);
        }
        let mut words = vec!["alpha"];
        if i < 2_200 {
            words.push("beta");
        }
        if i % 1_000 == 0 {
            words.push("gamma");
        }
        for (w, set) in by_word.iter_mut() {
            if words.contains(w) {
                set.insert(a.request_attempt_id);
            }
        }
        tx.attempts(f.app, std::slice::from_ref(&a))?;
        tx.event(
            f.app,
            &event_record(event, &format!(r#"{{"words":"{}"}}"#, words.join(" ")), at),
        )?;
    }
    tx.commit()?;
    for (word, want) in &by_word {
        for only_failed in [false, true] {
            let filter = DeliveryFilter {
                search: Some((*word).into()),
                search_in: Some(SearchScope::Payloads),
                statuses: only_failed.then(|| vec![AttemptStatus::Failed]),
                ..Default::default()
            };
            let mut got = HashSet::new();
            let mut cursor = None;
            let mut last = None;
            loop {
                let page = DeliveryQuery {
                    filter: filter.clone(),
                    limit: Some(1_000),
                    cursor,
                    ..Default::default()
                }
                .run(t.cache.conn())?;
                for row in &page.rows {
                    assert!(got.insert(row.attempt_id), "{word}: duplicate");
                    if let Some(prev) = last {
                        assert!(row.created_at <= prev, "{word}: newest first");
                    }
                    last = Some(row.created_at);
                }
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let want: HashSet<Uuid> = want
                .iter()
                .filter(|id| !only_failed || failed.contains(*id))
                .copied()
                .collect();
            assert_eq!(got, want, "{word}, failed only: {only_failed}");
        }
    }
    Ok(())
}
