//! Payloads and bodies: text is searchable, bytes are kept as bytes, replacements re-index,
//! bad input is refused with a typed error.

use console_core::cache::CacheError;
use console_core::error::ErrorCode;
use console_core::record::ResponseBody;
use uuid::Uuid;

use crate::cache_support::*;

fn fts_hits(t: &TempCache, table: &str, word: &str) -> anyhow::Result<i64> {
    Ok(t.cache.conn().query_row(
        &format!("SELECT count(*) FROM {table} WHERE {table} MATCH ?1"),
        [word],
        |r| r.get(0),
    )?)
}

#[test]
fn a_replaced_payload_is_reindexed_and_binary_content_stays_bytes() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let (text, binary) = (v7(t0()), v7(t0() + secs(1)));
    let mut tx = t.cache.ingest()?;
    tx.event(f.app, &event_record(text, r#"{"v":"firstword"}"#, t0()))?;
    tx.event(f.app, &event_record(text, r#"{"v":"secondword"}"#, t0()))?;
    let mut bin = event_record(binary, "", t0());
    bin.payload.bytes = vec![0, 1, 0xff, b'b', b'i', b'n'];
    bin.payload.content_type = "application/octet-stream+base64".into();
    tx.event(f.app, &bin)?;
    let response = Uuid::new_v4();
    let mut r = response_record(response, Some(200), None, "");
    r.body = Some(ResponseBody::Bytes(vec![0xde, 0xad, 0xbe, 0xef]));
    tx.response(&r)?;
    tx.commit()?;
    assert_eq!(
        fts_hits(&t, "event_fts", "firstword")?,
        0,
        "the old text left the index"
    );
    assert_eq!(fts_hits(&t, "event_fts", "secondword")?, 1);
    assert_eq!(
        fts_hits(&t, "event_fts", "bin")?,
        0,
        "bytes are not indexed"
    );
    let (kind, bytes): (String, Vec<u8>) = t.cache.conn().query_row(
        "SELECT typeof(payload), payload FROM event WHERE uuid = ?1",
        [&binary.as_bytes()[..]],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(
        (kind.as_str(), bytes),
        ("blob", vec![0, 1, 0xff, b'b', b'i', b'n'])
    );
    let kind: String = t.cache.conn().query_row(
        "SELECT typeof(body) FROM response WHERE uuid = ?1",
        [&response.as_bytes()[..]],
        |r| r.get(0),
    )?;
    assert_eq!(kind, "blob");
    let labels: i64 = t
        .cache
        .conn()
        .query_row("SELECT count(*) FROM event_label", [], |r| r.get(0))?;
    assert_eq!(labels, 2, "labels replaced, not duplicated");
    Ok(())
}

#[test]
fn an_event_is_stored_as_the_api_validated_it() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    seed_metadata(&mut t.cache, &f, 30)?;
    let (with, without) = (v7(t0()), v7(t0() + secs(1)));
    let mut bare = event_record(without, "{}", t0());
    bare.metadata.clear();
    bare.ip.clear();
    let mut tx = t.cache.ingest()?;
    tx.event(f.app, &event_record(with, "{}", t0()))?;
    tx.event(f.app, &bare)?;
    tx.commit()?;
    let stored = |id: Uuid| -> anyhow::Result<(Option<String>, Option<String>)> {
        Ok(t.cache.conn().query_row(
            "SELECT metadata, ip FROM event WHERE uuid = ?1",
            [&id.as_bytes()[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    };
    assert_eq!(
        stored(with)?,
        (Some(r#"{"seq":"1"}"#.into()), Some("127.0.0.1".into())),
        "metadata kept as a JSON object, the address as sent"
    );
    assert_eq!(
        stored(without)?,
        (None, None),
        "no metadata and no address are stored as absent, not as empty values"
    );
    Ok(())
}

#[test]
fn bad_input_is_refused_with_a_typed_error_and_nothing_is_half_written() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let f = fixture();
    let good = attempt(v7(t0()), f.subs[0], t0(), 0, St::Ok(200));
    let mut bad = attempt(v7(t0()), f.subs[0], t0(), 0, St::Ok(200));
    bad.retry_count = -1;
    let err = {
        let mut tx = t.cache.ingest()?;
        tx.attempts(f.app, &[good, bad]).unwrap_err()
    };
    assert!(matches!(err, CacheError::InvalidInput(_)), "{err:?}");
    assert_eq!(err.to_dto().code, ErrorCode::InvalidInput);
    let n: i64 = t
        .cache
        .conn()
        .query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
    assert_eq!(n, 0, "the page was rolled back whole");
    Ok(())
}

#[test]
fn not_final_attempts_can_be_listed_per_application_and_paged() -> anyhow::Result<()> {
    let mut t = temp_cache()?;
    let (a, b) = (fixture(), fixture());
    let mut tx = t.cache.ingest()?;
    for i in 0..5 {
        let at = t0() + secs(i);
        tx.attempts(a.app, &[attempt(v7(at), a.subs[0], at, 0, St::Waiting)])?;
        tx.attempts(b.app, &[attempt(v7(at), b.subs[0], at, 0, St::Pending)])?;
    }
    tx.attempts(a.app, &[attempt(v7(t0()), a.subs[0], t0(), 0, St::Ok(200))])?;
    tx.commit()?;
    assert_eq!(t.cache.attempts_not_final(None, None, 100)?.len(), 10);
    let only_a = t.cache.attempts_not_final(Some(a.app), None, 100)?;
    assert_eq!(only_a.len(), 5);
    assert!(only_a.iter().all(|r| r.application_id == a.app));
    let first = t.cache.attempts_not_final(Some(a.app), None, 2)?;
    let next = t
        .cache
        .attempts_not_final(Some(a.app), Some(first[1].row), 100)?;
    assert_eq!(first.len() + next.len(), 5);
    Ok(())
}
