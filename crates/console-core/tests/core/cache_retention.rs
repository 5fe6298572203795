//! Retention: purge by age, erase by event or application — derived rows and FTS included.

use console_core::cache::{Cache, Erased};
use uuid::Uuid;

use crate::cache_support::*;

fn count(cache: &Cache, sql: &str) -> anyhow::Result<i64> {
    Ok(cache.conn().query_row(sql, [], |r| r.get(0))?)
}

/// Whether a term is still anywhere in an FTS index (its vocabulary, not only live rows).
fn in_vocabulary(cache: &Cache, table: &str, term: &str) -> anyhow::Result<bool> {
    cache.conn().execute_batch(&format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_{table} USING fts5vocab(main, {table}, row);"
    ))?;
    let n: i64 = cache.conn().query_row(
        &format!("SELECT count(*) FROM temp.vocab_{table} WHERE term = ?1"),
        [term],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Two events of one application, each with a failed attempt, payload and response.
fn two_events(t: &mut TempCache, f: &Fixture) -> anyhow::Result<(Uuid, Uuid)> {
    seed_metadata(&mut t.cache, f, 30)?;
    let (keep, erase) = (Uuid::new_v4(), Uuid::new_v4());
    let a_keep = attempt(keep, f.subs[0], t0(), 0, St::Http(500));
    let a_erase = attempt(erase, f.subs[0], t0() + secs(1), 0, St::Http(500));
    let a_erase_ok = attempt(erase, f.subs[1], t0() + secs(1), 0, St::Ok(200));
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, &[a_keep.clone(), a_erase.clone(), a_erase_ok])?;
    tx.event(f.app, &event_record(keep, r#"{"note":"keepsake"}"#, t0()))?;
    tx.event(
        f.app,
        &event_record(erase, r#"{"note":"forgetmenot"}"#, t0()),
    )?;
    tx.response(&response_record(
        a_keep.response_id.unwrap(),
        Some(500),
        Some("E_HTTP"),
        "keepbody",
    ))?;
    tx.response(&response_record(
        a_erase.response_id.unwrap(),
        Some(500),
        Some("E_HTTP"),
        "secretbody",
    ))?;
    tx.commit()?;
    Ok((keep, erase))
}

#[test]
fn erasing_an_event_removes_it_everywhere_fts_included() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    let (_keep, erase) = two_events(&mut t, &f)?;
    assert!(in_vocabulary(&t.cache, "event_fts", "forgetmenot")?);
    assert!(in_vocabulary(&t.cache, "response_fts", "secretbody")?);
    assert_eq!(
        count(&t.cache, "SELECT sum(failures) FROM failure_rollup")?,
        2
    );

    let mut tx = t.cache.ingest()?;
    let erased = tx.erase_events(&[erase])?;
    tx.commit()?;
    t.cache.compact()?;
    assert_eq!(
        erased,
        Erased {
            events: 1,
            attempts: 2,
            responses: 1
        }
    );
    for (table, gone, kept) in [
        ("event_fts", "forgetmenot", "keepsake"),
        ("response_fts", "secretbody", "keepbody"),
    ] {
        let hits = count(
            &t.cache,
            &format!("SELECT count(*) FROM {table} WHERE {table} MATCH '{gone}'"),
        )?;
        assert_eq!(hits, 0, "{gone} still matches in {table}");
        assert!(
            !in_vocabulary(&t.cache, table, gone)?,
            "{gone} still in {table}'s index"
        );
        assert!(
            in_vocabulary(&t.cache, table, kept)?,
            "{kept} lost from {table}"
        );
    }
    assert_eq!(count(&t.cache, "SELECT count(*) FROM event")?, 1);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM attempt")?, 1);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM chain")?, 1);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM response")?, 1);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM event_label")?, 1);
    assert_eq!(
        count(&t.cache, "SELECT sum(failures) FROM failure_rollup")?,
        1
    );
    // Nothing of the erased text anywhere in the database's tables, shadow tables included.
    let tables: Vec<String> = t
        .cache
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let mut stmt = t
            .cache
            .conn()
            .prepare(&format!("SELECT * FROM \"{table}\""))?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..n {
                let bytes = match row.get::<_, rusqlite::types::Value>(i)? {
                    rusqlite::types::Value::Text(s) => s.into_bytes(),
                    rusqlite::types::Value::Blob(b) => b,
                    _ => continue,
                };
                for word in [&b"forgetmenot"[..], b"secretbody"] {
                    assert!(
                        !bytes.windows(word.len()).any(|w| w == word),
                        "{} left in {table}",
                        String::from_utf8_lossy(word)
                    );
                }
            }
        }
    }
    t.cache.vacuum()?;
    Ok(())
}

#[test]
fn purge_drops_events_older_than_the_retention_whole_days() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let now = t0();
    let (old, recent) = (Uuid::new_v4(), Uuid::new_v4());
    let old_at = now - chrono::Duration::days(40);
    let mut tx = t.cache.ingest()?;
    tx.attempts(
        f.app,
        &[
            attempt(old, f.subs[0], old_at, 0, St::Http(500)),
            attempt(old, f.subs[0], old_at + secs(3), 1, St::Http(500)),
            attempt(recent, f.subs[0], now - secs(60), 0, St::Http(500)),
        ],
    )?;
    tx.event(f.app, &event_record(old, r#"{"note":"ancient"}"#, old_at))?;
    tx.commit()?;
    let mut tx = t.cache.ingest()?;
    let erased = tx.purge_older_than(now, 30)?;
    tx.commit()?;
    assert_eq!((erased.events, erased.attempts), (1, 2));
    assert_eq!(count(&t.cache, "SELECT count(*) FROM attempt")?, 1);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM failure_rollup")?, 1);
    assert_eq!(
        count(&t.cache, "SELECT sum(failures) FROM failure_rollup")?,
        1
    );
    assert_eq!(
        count(
            &t.cache,
            "SELECT count(*) FROM event_fts WHERE event_fts MATCH 'ancient'"
        )?,
        0
    );
    // Idempotent.
    let mut tx = t.cache.ingest()?;
    assert_eq!(tx.purge_older_than(now, 30)?, Erased::default());
    tx.commit()?;
    Ok(())
}

#[test]
fn erasing_an_application_leaves_other_applications_alone() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    two_events(&mut t, &f)?;
    let other = fixture();
    seed_metadata(&mut t.cache, &other, 30)?;
    let mut tx = t.cache.ingest()?;
    tx.attempts(
        other.app,
        &[attempt(
            Uuid::new_v4(),
            other.subs[0],
            t0(),
            0,
            St::Http(404),
        )],
    )?;
    tx.set_sync_state(&format!("app/{}", f.app), "cursor", "x")?;
    tx.commit()?;

    let mut tx = t.cache.ingest()?;
    let erased = tx.erase_application(f.app)?;
    tx.clear_sync_state(&format!("app/{}", f.app), "cursor")?;
    tx.commit()?;
    assert_eq!((erased.events, erased.attempts), (2, 3));
    assert_eq!(count(&t.cache, "SELECT count(*) FROM attempt")?, 1);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM application")?, 1);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM subscription")?, 3);
    assert_eq!(count(&t.cache, "SELECT count(*) FROM failure_rollup")?, 1);
    assert_eq!(
        count(
            &t.cache,
            "SELECT count(*) FROM response_fts WHERE response_fts MATCH 'keepbody'"
        )?,
        0
    );
    assert_eq!(
        t.cache.sync_state(&format!("app/{}", f.app), "cursor")?,
        None
    );
    Ok(())
}
