//! The audit log on real files: the chain, tampering of every kind, pending entries sealed at
//! unlock, export and the viewer's listing. Tampering is done as an attacker with the file
//! would: a plain SQLite connection that drops the triggers first.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use console_core::audit::{
    AuditAction, AuditEntry, AuditError, AuditFilter, AuditHead, AuditKey, AuditLog, AuditOutcome,
    ProblemKind, VerifyReport, params_hash,
};
use console_core::{ErrorCode, ErrorDto};
use proptest::prelude::*;
use rusqlite::Connection;
use serde_json::Value;
use tempfile::TempDir;

struct Log {
    _dir: TempDir,
    path: PathBuf,
    log: AuditLog,
    key: AuditKey,
    head: Option<AuditHead>,
}

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
        .single()
        .unwrap()
        + Duration::minutes(minutes)
}

/// The n-th entry of a varied, repeatable sequence.
fn entry(n: usize) -> AuditEntry {
    match n % 5 {
        0 => AuditEntry::new(
            "operator",
            AuditAction::UnlockSucceeded,
            AuditOutcome::Succeeded,
        ),
        1 => AuditEntry::new("profile-1", AuditAction::Replay, AuditOutcome::Succeeded)
            .target("event-42")
            .params(params_hash(&serde_json::json!({"subscription": "sub-7"})).unwrap()),
        2 => AuditEntry::new("profile-1", AuditAction::SyncFinished, AuditOutcome::Failed),
        3 => AuditEntry::new("operator", AuditAction::StepUpFailed, AuditOutcome::Denied)
            .target("bulk_replay"),
        _ => AuditEntry::lock(console_core::gate::LockReason::Idle),
    }
}

fn log_with(records: usize) -> anyhow::Result<Log> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("audit.db");
    let mut log = AuditLog::open(&path)?;
    let key = AuditKey::generate()?;
    let mut head = None;
    for n in 0..records {
        let at = t(i64::try_from(n)?);
        head = Some(log.append(&key, head.as_ref(), &entry(n), at)?);
    }
    Ok(Log {
        _dir: dir,
        path,
        log,
        key,
        head,
    })
}

/// A connection as someone with the file has it, with the triggers out of the way.
fn attacker(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "DROP TRIGGER audit_record_no_update;
         DROP TRIGGER audit_record_no_delete;
         DROP TRIGGER audit_record_in_order;",
    )?;
    Ok(conn)
}

fn verify(l: &Log) -> anyhow::Result<VerifyReport> {
    Ok(l.log.verify(&l.key, l.head.as_ref())?)
}

fn assert_problem(report: &VerifyReport, seq: u64, kind: ProblemKind) {
    assert!(!report.intact, "tampering must be reported: {report:?}");
    let problem = report.problem.as_ref().expect("a problem");
    assert_eq!(
        (problem.seq, problem.kind),
        (seq, kind),
        "wrong first problem: {problem:?}"
    );
}

#[test]
fn appended_records_verify_and_list_back() -> anyhow::Result<()> {
    let l = log_with(5)?;
    let head = l.head.expect("a head after appending");
    assert_eq!(head.seq, 5);
    let report = verify(&l)?;
    assert!(report.intact, "a fresh log must verify: {report:?}");
    assert_eq!(
        (report.records, report.head_seq, report.pending),
        (5, Some(5), 0)
    );
    assert_eq!(
        l.log.head()?,
        Some(head),
        "the stored head is the one returned"
    );

    let page = l.log.list(&AuditFilter::default())?;
    let seqs: Vec<u64> = page.records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [5, 4, 3, 2, 1], "newest first");
    assert_eq!(page.next_before_seq, None);
    let replay = &page.records[3];
    assert_eq!(replay.action, AuditAction::Replay);
    assert_eq!(replay.actor, "profile-1");
    assert_eq!(replay.targets, ["event-42"]);
    assert_eq!(replay.at, "2026-11-30T09:01:00.000000Z");
    assert_eq!(replay.params_hash.as_ref().map(String::len), Some(64));
    assert_eq!(
        page.records[0].targets,
        ["idle"],
        "the lock reason is its target"
    );
    assert!(!replay.sealed_later);
    Ok(())
}

#[test]
fn an_empty_log_verifies_without_a_head_and_reopens() -> anyhow::Result<()> {
    let mut l = log_with(0)?;
    let report = verify(&l)?;
    assert!(report.intact && report.records == 0 && report.head_seq.is_none());
    drop(l.log);
    l.log = AuditLog::open(&l.path)?;
    l.head = Some(l.log.append(&l.key, None, &entry(0), t(0))?);
    assert!(verify(&l)?.intact);
    Ok(())
}

#[test]
fn append_refuses_a_head_that_is_not_the_stored_end() -> anyhow::Result<()> {
    let mut l = log_with(3)?;
    let stale = AuditHead {
        seq: 2,
        mac: [0; 32],
    };
    for head in [None, Some(&stale)] {
        let err = l
            .log
            .append(&l.key, head, &entry(0), t(9))
            .expect_err("a stale head must be refused");
        assert!(
            matches!(err, AuditError::HeadMismatch { found: Some(3), .. }),
            "{err:?}"
        );
        assert_eq!(ErrorDto::from(err).code, ErrorCode::Tampered);
    }
    let forged = AuditHead {
        seq: 3,
        mac: [1; 32],
    };
    assert!(
        l.log
            .append(&l.key, Some(&forged), &entry(0), t(9))
            .is_err()
    );
    assert_eq!(verify(&l)?.records, 3, "nothing was appended");
    Ok(())
}

#[test]
fn entries_that_look_like_payload_data_are_refused() -> anyhow::Result<()> {
    let mut l = log_with(0)?;
    let long = AuditEntry::new("operator", AuditAction::Replay, AuditOutcome::Succeeded)
        .target("x".repeat(1_000));
    let control = AuditEntry::new("a\nb", AuditAction::Replay, AuditOutcome::Succeeded);
    for e in [long, control] {
        let err = l.log.append(&l.key, None, &e, t(0)).expect_err("refused");
        assert_eq!(ErrorDto::from(err).code, ErrorCode::InvalidInput);
    }
    Ok(())
}

#[test]
fn the_triggers_refuse_update_and_delete() -> anyhow::Result<()> {
    let mut l = log_with(3)?;
    let conn = Connection::open(&l.path)?;
    for sql in [
        "UPDATE audit_record SET actor = 'someone' WHERE seq = 2",
        "DELETE FROM audit_record WHERE seq = 3",
        "INSERT INTO audit_record (seq, version, at, actor, action, targets, outcome, mac)
         VALUES (9, 1, 0, 'a', 'erase', '[]', 'succeeded', x'00')",
    ] {
        let err = conn.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains("audit"), "{sql}: {err}");
    }
    l.log.append_pending(&entry(3), t(10))?;
    for sql in [
        "UPDATE audit_pending SET actor = 'someone'",
        "DELETE FROM audit_pending",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql} must be refused");
    }
    assert!(verify(&l)?.intact);
    Ok(())
}

#[test]
fn reopening_restores_dropped_triggers() -> anyhow::Result<()> {
    let l = log_with(2)?;
    drop(attacker(&l.path)?);
    drop(l.log);
    let _reopened = AuditLog::open(&l.path)?;
    let conn = Connection::open(&l.path)?;
    assert!(conn.execute("DELETE FROM audit_record", []).is_err());
    Ok(())
}

#[test]
fn an_edited_record_is_found() -> anyhow::Result<()> {
    let l = log_with(6)?;
    attacker(&l.path)?.execute(
        "UPDATE audit_record SET outcome = 'succeeded' WHERE seq = 3",
        [],
    )?;
    assert_problem(&verify(&l)?, 3, ProblemKind::Edited);
    Ok(())
}

#[test]
fn an_edited_time_or_hash_is_found() -> anyhow::Result<()> {
    let l = log_with(6)?;
    attacker(&l.path)?.execute("UPDATE audit_record SET at = at + 1 WHERE seq = 5", [])?;
    assert_problem(&verify(&l)?, 5, ProblemKind::Edited);
    let l = log_with(6)?;
    attacker(&l.path)?.execute(
        "UPDATE audit_record SET params_hash = NULL WHERE seq = 2",
        [],
    )?;
    assert_problem(&verify(&l)?, 2, ProblemKind::Edited);
    Ok(())
}

#[test]
fn a_deleted_record_is_found() -> anyhow::Result<()> {
    let l = log_with(6)?;
    attacker(&l.path)?.execute("DELETE FROM audit_record WHERE seq = 3", [])?;
    assert_problem(&verify(&l)?, 3, ProblemKind::Deleted);

    let l = log_with(6)?;
    attacker(&l.path)?.execute("DELETE FROM audit_record WHERE seq IN (1, 2)", [])?;
    assert_problem(&verify(&l)?, 1, ProblemKind::Deleted);
    Ok(())
}

#[test]
fn a_deleted_record_is_found_when_the_rest_were_renumbered() -> anyhow::Result<()> {
    let l = log_with(6)?;
    let conn = attacker(&l.path)?;
    conn.execute("DELETE FROM audit_record WHERE seq = 3", [])?;
    for seq in 4..=6 {
        conn.execute(
            "UPDATE audit_record SET seq = ?1 WHERE seq = ?2",
            [seq - 1, seq],
        )?;
    }
    assert_problem(&verify(&l)?, 3, ProblemKind::Deleted);
    Ok(())
}

#[test]
fn swapped_records_are_found_as_reordered() -> anyhow::Result<()> {
    // Swapping the rows' sequence numbers.
    let l = log_with(6)?;
    let conn = attacker(&l.path)?;
    conn.execute_batch(
        "UPDATE audit_record SET seq = -1 WHERE seq = 3;
         UPDATE audit_record SET seq = 3 WHERE seq = 4;
         UPDATE audit_record SET seq = 4 WHERE seq = -1;",
    )?;
    assert_problem(&verify(&l)?, 3, ProblemKind::Reordered);

    // Swapping everything but the sequence numbers.
    let l = log_with(6)?;
    let conn = attacker(&l.path)?;
    conn.execute_batch(
        "CREATE TEMP TABLE saved AS SELECT * FROM audit_record WHERE seq IN (2, 5);
         UPDATE audit_record SET (version, at, actor, action, targets, params_hash, outcome,
                                  pending_id, mac) =
             (SELECT version, at, actor, action, targets, params_hash, outcome, pending_id, mac
              FROM saved WHERE saved.seq = 7 - audit_record.seq)
         WHERE seq IN (2, 5);",
    )?;
    assert_problem(&verify(&l)?, 2, ProblemKind::Reordered);
    Ok(())
}

#[test]
fn a_truncated_log_is_found_against_the_head() -> anyhow::Result<()> {
    let l = log_with(10)?;
    attacker(&l.path)?.execute("DELETE FROM audit_record WHERE seq > 8", [])?;
    assert_problem(&verify(&l)?, 9, ProblemKind::Truncated);
    let without_head = l.log.verify(&l.key, None)?;
    assert!(
        without_head.intact,
        "without a head only the chain is checked, and it is whole"
    );
    Ok(())
}

#[test]
fn an_emptied_log_with_a_head_is_truncated() -> anyhow::Result<()> {
    let l = log_with(4)?;
    attacker(&l.path)?.execute("DELETE FROM audit_record", [])?;
    assert_problem(&verify(&l)?, 1, ProblemKind::Truncated);
    Ok(())
}

#[test]
fn a_log_replaced_by_another_is_found() -> anyhow::Result<()> {
    let l = log_with(4)?;
    let other = AuditHead {
        seq: 4,
        mac: [9; 32],
    };
    let report = l.log.verify(&l.key, Some(&other))?;
    assert_problem(&report, 4, ProblemKind::Edited);
    Ok(())
}

#[test]
fn a_log_ahead_of_its_head_is_intact() -> anyhow::Result<()> {
    // The console stopped after writing record 4 and before the vault kept its head.
    let mut l = log_with(3)?;
    let kept = l.head;
    l.head = Some(l.log.append(&l.key, kept.as_ref(), &entry(3), t(3))?);
    let report = l.log.verify(&l.key, kept.as_ref())?;
    assert!(report.intact, "{report:?}");
    assert_eq!(l.log.head()?, l.head, "the new head to keep");
    Ok(())
}

#[test]
fn a_wrong_key_fails_from_the_first_record() -> anyhow::Result<()> {
    let l = log_with(4)?;
    let report = l.log.verify(&AuditKey::generate()?, l.head.as_ref())?;
    assert_problem(&report, 1, ProblemKind::Edited);
    Ok(())
}

#[test]
fn pending_entries_are_sealed_in_time_order_at_unlock() -> anyhow::Result<()> {
    let mut l = log_with(2)?;
    let failed = |n: &str| {
        AuditEntry::new("operator", AuditAction::UnlockFailed, AuditOutcome::Denied).target(n)
    };
    l.log.append_pending(&failed("second"), t(20))?;
    l.log.append_pending(&failed("first"), t(10))?;
    l.log.append_pending(
        &AuditEntry::new("operator", AuditAction::Lockout, AuditOutcome::Denied),
        t(30),
    )?;
    let report = verify(&l)?;
    assert!(report.intact);
    assert_eq!((report.records, report.pending), (2, 3));

    let stale = AuditHead {
        seq: 1,
        mac: [0; 32],
    };
    assert!(l.log.seal_pending(&l.key, Some(&stale)).is_err());
    assert_eq!(verify(&l)?.pending, 3, "a refused seal moves nothing");

    l.head = l.log.seal_pending(&l.key, l.head.as_ref())?;
    assert_eq!(l.head.map(|h| h.seq), Some(5));
    let report = verify(&l)?;
    assert!(report.intact, "{report:?}");
    assert_eq!((report.records, report.pending), (5, 0));
    let page = l.log.list(&AuditFilter::default())?;
    let sealed: Vec<(u64, AuditAction, Vec<String>, bool)> = page
        .records
        .iter()
        .map(|r| (r.seq, r.action, r.targets.clone(), r.sealed_later))
        .collect();
    assert_eq!(
        sealed[..3],
        [
            (5, AuditAction::Lockout, vec![], true),
            (
                4,
                AuditAction::UnlockFailed,
                vec!["second".to_owned()],
                true
            ),
            (3, AuditAction::UnlockFailed, vec!["first".to_owned()], true),
        ]
    );
    assert_eq!(
        page.records[2].at, "2026-11-30T09:10:00.000000Z",
        "the time it happened"
    );

    let again = l.log.seal_pending(&l.key, l.head.as_ref())?;
    assert_eq!(again, l.head, "nothing pending: the head is unchanged");
    Ok(())
}

#[test]
fn sealing_into_an_empty_log_starts_the_chain() -> anyhow::Result<()> {
    let mut l = log_with(0)?;
    assert_eq!(l.log.seal_pending(&l.key, None)?, None);
    l.log.append_pending(&entry(3), t(1))?;
    l.head = l.log.seal_pending(&l.key, None)?;
    assert_eq!(l.head.map(|h| h.seq), Some(1));
    assert!(verify(&l)?.intact);
    Ok(())
}

#[test]
fn a_sealed_record_edited_afterwards_is_found() -> anyhow::Result<()> {
    let mut l = log_with(1)?;
    l.log.append_pending(&entry(3), t(5))?;
    l.head = l.log.seal_pending(&l.key, l.head.as_ref())?;
    attacker(&l.path)?.execute(
        "UPDATE audit_record SET pending_id = NULL WHERE seq = 2",
        [],
    )?;
    assert_problem(&verify(&l)?, 2, ProblemKind::Edited);
    Ok(())
}

#[test]
fn a_forged_pending_row_stops_sealing_without_losing_anything() -> anyhow::Result<()> {
    let mut l = log_with(1)?;
    l.log.append_pending(&entry(3), t(5))?;
    Connection::open(&l.path)?.execute(
        "INSERT INTO audit_pending (at, actor, action, targets, outcome)
         VALUES (1, 'operator', 'launch_missiles', '[]', 'succeeded')",
        [],
    )?;
    let err = l
        .log
        .seal_pending(&l.key, l.head.as_ref())
        .expect_err("an unknown action cannot be sealed");
    assert_eq!(ErrorDto::from(err).code, ErrorCode::Tampered);
    let report = verify(&l)?;
    assert_eq!((report.records, report.pending), (1, 2));
    Ok(())
}

fn export_lines(l: &Log) -> anyhow::Result<(Vec<Value>, console_core::audit::ExportSummary)> {
    let mut out = Vec::new();
    let summary = l.log.export(&l.key, l.head.as_ref(), &mut out)?;
    let lines = String::from_utf8(out)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<Vec<Value>, _>>()?;
    Ok((lines, summary))
}

#[test]
fn the_export_is_one_line_per_record_and_a_head_line() -> anyhow::Result<()> {
    let l = log_with(4)?;
    let (lines, summary) = export_lines(&l)?;
    assert_eq!(lines.len(), 5, "four records and the head");
    assert_eq!(summary.records, 4);
    assert!(summary.report.intact);
    for (i, line) in lines[..4].iter().enumerate() {
        assert_eq!(line["seq"], i + 1);
        assert_eq!(line["mac"].as_str().map(str::len), Some(64));
        assert!(line["at"].as_str().is_some_and(|at| at.ends_with('Z')));
    }
    assert_eq!(lines[1]["action"], "replay");
    assert_eq!(lines[1]["targets"], serde_json::json!(["event-42"]));
    let end = &lines[4];
    let head: AuditHead = serde_json::from_value(end["head"].clone())?;
    assert_eq!(Some(head), l.head, "the head line is the chain's head");
    assert_eq!(end["head"]["mac"], lines[3]["mac"]);
    assert_eq!(end["intact"], true);
    assert_eq!(end["records"], 4);
    assert_eq!(end["problem"], Value::Null);
    Ok(())
}

#[test]
fn a_broken_chain_is_still_exported_and_says_so() -> anyhow::Result<()> {
    let l = log_with(4)?;
    attacker(&l.path)?.execute("UPDATE audit_record SET actor = 'nobody' WHERE seq = 2", [])?;
    let (lines, summary) = export_lines(&l)?;
    assert_eq!(lines.len(), 5, "every record is exported");
    assert!(!summary.report.intact);
    assert_eq!(
        lines[1]["actor"], "nobody",
        "the export shows what is stored"
    );
    let end = &lines[4];
    assert_eq!(end["intact"], false);
    assert_eq!(end["problem"]["seq"], 2);
    assert_eq!(end["problem"]["kind"], "edited");
    Ok(())
}

#[test]
fn the_listing_filters_and_pages_newest_first() -> anyhow::Result<()> {
    let l = log_with(20)?;
    let replays = l.log.list(&AuditFilter {
        actions: Some(vec![AuditAction::Replay]),
        ..AuditFilter::default()
    })?;
    let seqs: Vec<u64> = replays.records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [17, 12, 7, 2]);

    let denied = l.log.list(&AuditFilter {
        outcome: Some(AuditOutcome::Denied),
        ..AuditFilter::default()
    })?;
    assert!(
        denied
            .records
            .iter()
            .all(|r| r.action == AuditAction::StepUpFailed)
    );
    assert_eq!(denied.records.len(), 4);

    let window = l.log.list(&AuditFilter {
        from: Some(t(5)),
        until: Some(t(8)),
        ..AuditFilter::default()
    })?;
    let seqs: Vec<u64> = window.records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [8, 7, 6], "from inclusive, until exclusive");

    let mut seen = Vec::new();
    let mut filter = AuditFilter {
        actions: Some(vec![AuditAction::Replay, AuditAction::Lock]),
        limit: Some(3),
        ..AuditFilter::default()
    };
    loop {
        let page = l.log.list(&filter)?;
        assert!(page.records.len() <= 3);
        seen.extend(page.records.iter().map(|r| r.seq));
        match page.next_before_seq {
            Some(before) => filter.before_seq = Some(before),
            None => break,
        }
    }
    assert_eq!(seen, [20, 17, 15, 12, 10, 7, 5, 2]);

    let err = l
        .log
        .list(&AuditFilter {
            limit: Some(0),
            ..AuditFilter::default()
        })
        .expect_err("a page holds at least one record");
    assert_eq!(ErrorDto::from(err).code, ErrorCode::InvalidInput);
    Ok(())
}

#[test]
fn a_file_from_a_newer_console_is_refused() -> anyhow::Result<()> {
    let l = log_with(1)?;
    Connection::open(&l.path)?.execute(
        "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, 'future', 0)",
        [console_core::audit::latest_format_version() + 1],
    )?;
    let err = AuditLog::open(&l.path).expect_err("a newer format must be refused");
    assert!(matches!(err, AuditError::NewerFormat { .. }), "{err:?}");
    assert_eq!(ErrorDto::from(err).code, ErrorCode::Storage);
    Ok(())
}

#[test]
fn a_file_that_is_not_a_database_is_a_storage_error() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("audit.db");
    std::fs::write(
        &path,
        b"this is not an SQLite database, not even close to one....",
    )?;
    let err = AuditLog::open(&path).expect_err("garbage must not open");
    assert_eq!(ErrorDto::from(err).code, ErrorCode::Storage);
    Ok(())
}

/// One column of one row, changed as an attacker might.
#[derive(Debug, Clone)]
enum Edit {
    Int(&'static str, i64),
    Text(&'static str, String),
    FlipBit(&'static str, usize),
    SetHash([u8; 32]),
}

fn edit() -> impl Strategy<Value = Edit> {
    let delta = prop_oneof![1i64..1_000_000, -1_000_000i64..-1];
    prop_oneof![
        (prop::sample::select(vec!["at", "version"]), delta).prop_map(|(c, d)| Edit::Int(c, d)),
        (
            prop::sample::select(vec!["actor", "action", "targets", "outcome"]),
            "[a-z_\\[\\]\"]{0,12}"
        )
            .prop_map(|(c, s)| Edit::Text(c, s)),
        (
            prop::sample::select(vec!["mac", "params_hash"]),
            0usize..256
        )
            .prop_map(|(c, b)| Edit::FlipBit(c, b)),
        any::<[u8; 32]>().prop_map(Edit::SetHash),
    ]
}

fn apply(conn: &Connection, seq: i64, edit: &Edit) -> anyhow::Result<bool> {
    let changed = match edit {
        Edit::Int(col, d) => conn.execute(
            &format!("UPDATE audit_record SET {col} = {col} + ?1 WHERE seq = ?2"),
            [*d, seq],
        )?,
        Edit::Text(col, s) => conn.execute(
            &format!("UPDATE audit_record SET {col} = {col} || ?1 || 'x' WHERE seq = ?2"),
            rusqlite::params![s, seq],
        )?,
        Edit::FlipBit(col, bit) => {
            let current: Option<Vec<u8>> = conn.query_row(
                &format!("SELECT {col} FROM audit_record WHERE seq = ?1"),
                [seq],
                |r| r.get(0),
            )?;
            let Some(mut bytes) = current else {
                return Ok(false);
            };
            bytes[bit / 8] ^= 1 << (bit % 8);
            conn.execute(
                &format!("UPDATE audit_record SET {col} = ?1 WHERE seq = ?2"),
                rusqlite::params![bytes, seq],
            )?
        }
        Edit::SetHash(h) => conn.execute(
            "UPDATE audit_record SET params_hash = ?1 WHERE seq = ?2 AND params_hash IS NOT ?1",
            rusqlite::params![h.as_slice(), seq],
        )?,
    };
    Ok(changed == 1)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn audit_any_single_row_edit_is_found_at_that_row(seq in 1i64..=8, edit in edit()) {
        let l = log_with(8).unwrap();
        let conn = attacker(&l.path).unwrap();
        if apply(&conn, seq, &edit).unwrap() {
            let report = verify(&l).unwrap();
            prop_assert!(!report.intact, "{edit:?} on {seq} went unnoticed");
            let problem = report.problem.unwrap();
            prop_assert_eq!(problem.seq, u64::try_from(seq).unwrap());
            prop_assert_eq!(problem.kind, ProblemKind::Edited);
        }
    }
}
