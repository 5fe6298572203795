//! Opening the cache: encryption at rest, wrong keys, damaged files, schema versions.

use console_core::cache::{Cache, CacheError, CacheReader, latest_schema_version};
use uuid::Uuid;

use crate::cache_support::*;

fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap_or_default();
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        all.extend(std::fs::read(std::path::PathBuf::from(p)).unwrap_or_default());
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_file_has_no_sqlite_header_and_no_plaintext_fts_included() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let event = Uuid::new_v4();
    let a = attempt(event, f.subs[0], t0(), 0, St::Http(500));
    let mut tx = t.cache.ingest()?;
    tx.attempts(f.app, std::slice::from_ref(&a))?;
    tx.event(
        f.app,
        &event_record(event, r#"{"customer":"zebracorn-payload-4711"}"#, t0()),
    )?;
    tx.response(&response_record(
        a.response_id.unwrap(),
        Some(500),
        Some("E_HTTP"),
        "quokkabody-0815 failure",
    ))?;
    tx.commit()?;
    // The FTS index holds the words (so the check below covers it)…
    let hits: i64 = t.cache.conn().query_row(
        "SELECT count(*) FROM event_fts WHERE event_fts MATCH 'zebracorn'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(hits, 1, "the payload is indexed");
    // …while the bytes on disk (main file and WAL) show neither the words nor a header.
    for checkpointed in [false, true] {
        if checkpointed {
            t.cache.checkpoint()?;
        }
        let bytes = file_bytes(&t.path);
        assert!(bytes.len() > 4096, "the cache wrote something");
        assert!(
            !contains(&bytes, b"SQLite format 3"),
            "no plaintext SQLite header"
        );
        for word in [
            &b"zebracorn"[..],
            b"quokkabody",
            b"hooks0.example.test",
            b"billing",
        ] {
            assert!(
                !contains(&bytes, word),
                "{} found in the file",
                String::from_utf8_lossy(word)
            );
        }
    }
    Ok(())
}

#[test]
fn a_wrong_key_is_reported_and_leaves_the_file_unchanged() -> anyhow::Result<()> {
    let t = temp_cache()?;
    let path = t.path.clone();
    drop(t.cache);
    let before = std::fs::read(&path)?;
    let err = Cache::open(&path, &random_key()).unwrap_err();
    assert!(
        matches!(err, CacheError::WrongKeyOrCorrupt { .. }),
        "got {err:?}"
    );
    assert!(matches!(
        CacheReader::open(&path, &random_key()).unwrap_err(),
        CacheError::WrongKeyOrCorrupt { .. }
    ));
    assert_eq!(std::fs::read(&path)?, before, "the file is untouched");
    // The right key still opens it.
    Cache::open(&path, &t.key)?;
    Ok(())
}

#[test]
fn a_damaged_file_is_reported_never_recreated_until_rebuild() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cache.db");
    let junk: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &junk)?;
    let key = random_key();
    let err = Cache::open(&path, &key).unwrap_err();
    assert!(
        matches!(err, CacheError::WrongKeyOrCorrupt { .. }),
        "got {err:?}"
    );
    assert_eq!(std::fs::read(&path)?, junk, "not recreated");
    let cache = Cache::rebuild(&path, &key)?;
    let n: i64 = cache
        .conn()
        .query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
    assert_eq!(n, 0);
    Ok(())
}

#[test]
fn a_newer_schema_is_refused() -> anyhow::Result<()> {
    let t = temp_cache()?;
    t.cache.conn().execute(
        "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, 'future', 0)",
        [latest_schema_version() + 1],
    )?;
    drop(t.cache);
    let err = Cache::open(&t.path, &t.key).unwrap_err();
    match err {
        CacheError::NewerSchema { found, known, .. } => {
            assert_eq!(found, latest_schema_version() + 1);
            assert_eq!(known, latest_schema_version());
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert!(matches!(
        CacheReader::open(&t.path, &t.key).unwrap_err(),
        CacheError::NewerSchema { .. }
    ));
    Ok(())
}

#[test]
fn migrations_apply_once_and_reopening_is_idempotent() -> anyhow::Result<()> {
    let t = temp_cache()?;
    let count = |c: &Cache| -> anyhow::Result<i64> {
        Ok(c.conn()
            .query_row("SELECT count(*) FROM schema_migration", [], |r| r.get(0))?)
    };
    let first = count(&t.cache)?;
    assert!(first >= 1);
    drop(t.cache);
    for _ in 0..3 {
        let again = Cache::open(&t.path, &t.key)?;
        assert_eq!(count(&again)?, first, "nothing re-applied");
        let mode: String = again
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        assert_eq!(mode, "wal");
    }
    Ok(())
}

#[test]
fn a_reader_works_beside_the_writer() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let reader = t.cache.reader(&t.key)?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let n: i64 = reader
        .conn()
        .query_row("SELECT count(*) FROM subscription", [], |r| r.get(0))?;
    assert_eq!(n, 3);
    assert!(
        reader
            .conn()
            .execute("DELETE FROM subscription", [])
            .is_err(),
        "read-only"
    );
    Ok(())
}

#[test]
fn the_key_never_prints() {
    let key = random_key();
    assert_eq!(format!("{key:?}"), "CacheKey(<redacted>)");
}

#[test]
fn the_subscription_secret_and_target_headers_are_not_stored() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let secret = Uuid::from_u128(0x5ec2e7_5ec2e7_5ec2e7);
    let conn = t.cache.conn();
    let mut stmt = conn.prepare("SELECT * FROM subscription")?;
    let columns = stmt.column_count();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        for i in 0..columns {
            let v: rusqlite::types::Value = row.get(i)?;
            let text = format!("{v:?}");
            assert!(!text.contains(&secret.to_string()), "secret stored: {text}");
            assert!(
                !text.contains("target-credential"),
                "target header stored: {text}"
            );
            if let rusqlite::types::Value::Blob(b) = v {
                assert_ne!(b, secret.as_bytes().to_vec(), "secret stored as bytes");
            }
        }
    }
    Ok(())
}
