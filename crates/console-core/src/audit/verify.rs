//! Checking the chain: every record's MAC from the first on, then the end against the head
//! the vault keeps.
//!
//! The first bad record is classified:
//! - **deleted** — sequence numbers jump (rows removed), or they are contiguous but the rest
//!   of the chain continues genuinely only at a higher number (rows removed and the rest
//!   renumbered);
//! - **reordered** — the record expected here is found, genuine, at another position;
//! - **edited** — none of the above: the content no longer matches its MAC (a wrong key
//!   looks like this from record 1);
//! - **truncated** — every record verifies but the log ends before the expected head.
//!
//! The main pass streams rows; the classification after a failure reads the log once more.

use rusqlite::Connection;

use super::chain::{GENESIS, RECORD_COLUMNS, StoredRecord};
use super::error::AuditError;
use super::key::{AuditHead, AuditKey};
use super::types::{ProblemKind, VerifyProblem, VerifyReport};

/// Verifies the log as `conn` sees it (call inside a read transaction for one snapshot).
pub(crate) fn verify_in(
    conn: &Connection,
    key: &AuditKey,
    expected: Option<&AuditHead>,
) -> Result<VerifyReport, AuditError> {
    let (records, max_seq): (i64, Option<i64>) =
        conn.query_row("SELECT count(*), max(seq) FROM audit_record", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let pending: i64 = conn.query_row("SELECT count(*) FROM audit_pending", [], |r| r.get(0))?;
    let mut report = VerifyReport {
        intact: false,
        records: u64::try_from(records).unwrap_or(0),
        head_seq: max_seq.and_then(|s| u64::try_from(s).ok()),
        pending: u64::try_from(pending).unwrap_or(0),
        problem: None,
    };
    let problem = match walk(conn, key, expected)? {
        Walk::Broken(problem) => Some(problem),
        Walk::Ended { last, at_head } => end_problem(last, at_head, expected),
    };
    report.intact = problem.is_none();
    report.problem = problem;
    Ok(report)
}

enum Walk {
    /// The first bad record.
    Broken(VerifyProblem),
    /// Every record verified; `last` is the final one, `at_head` the MAC found at the
    /// expected head's position (if the log reaches it).
    Ended {
        last: Option<AuditHead>,
        at_head: Option<[u8; 32]>,
    },
}

fn walk(
    conn: &Connection,
    key: &AuditKey,
    expected: Option<&AuditHead>,
) -> Result<Walk, AuditError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RECORD_COLUMNS} FROM audit_record ORDER BY seq"
    ))?;
    let mut rows = stmt.query([])?;
    let mut next: u64 = 1;
    let mut prev = GENESIS;
    let mut at_head = None;
    while let Some(row) = rows.next()? {
        let rec = StoredRecord::from_row(row)?;
        let position = i64::try_from(next).unwrap_or(i64::MAX);
        if rec.seq > position {
            return Ok(Walk::Broken(problem(
                next,
                ProblemKind::Deleted,
                if rec.seq - position == 1 {
                    format!("record {next} is missing")
                } else {
                    format!("records {next} to {} are missing", rec.seq - 1)
                },
            )));
        }
        let genuine = match rec.mac_array() {
            Some(mac) if rec.seq == position && rec.verifies_as(key, next, &prev) => Some(mac),
            _ => None,
        };
        let Some(mac) = genuine else {
            drop(rows);
            return classify(conn, key, next, &prev, &rec).map(Walk::Broken);
        };
        if expected.is_some_and(|h| h.seq == next) {
            at_head = Some(mac);
        }
        prev = mac;
        next += 1;
    }
    let last = (next > 1).then_some(AuditHead {
        seq: next - 1,
        mac: prev,
    });
    Ok(Walk::Ended { last, at_head })
}

/// Why record `seq` (expected after `prev`) does not verify in the row at its position.
fn classify(
    conn: &Connection,
    key: &AuditKey,
    seq: u64,
    prev: &[u8; 32],
    here: &StoredRecord,
) -> Result<VerifyProblem, AuditError> {
    if let Err(detail) = &here.content {
        return Ok(problem(
            seq,
            ProblemKind::Edited,
            format!("record {seq} was edited: {detail}"),
        ));
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT {RECORD_COLUMNS} FROM audit_record WHERE seq <> ?1 ORDER BY seq"
    ))?;
    let others = stmt
        .query_map([here.seq], StoredRecord::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if let Some(found) = others.iter().find(|r| r.verifies_as(key, seq, prev)) {
        return Ok(problem(
            seq,
            ProblemKind::Reordered,
            format!(
                "record {seq} is stored at position {} instead of its own",
                found.seq
            ),
        ));
    }
    // Rows removed and the rest renumbered: the row after this one is genuine with this
    // one's MAC as its predecessor, but at a higher sequence number.
    let next_seq = here.seq.checked_add(1);
    let after = others.iter().find(|r| Some(r.seq) == next_seq);
    let renumbered = after.zip(here.mac_array()).and_then(|(after, here_mac)| {
        let next = u64::try_from(after.seq).ok()?;
        let limit = u64::try_from(others.len()).unwrap_or(0).saturating_add(1);
        (1..=limit).find(|gap| after.verifies_as(key, next.saturating_add(*gap), &here_mac))
    });
    if let Some(gap) = renumbered {
        return Ok(problem(
            seq,
            ProblemKind::Deleted,
            format!(
                "{gap} record(s) from position {seq} on were removed and the later ones \
                 renumbered"
            ),
        ));
    }
    Ok(problem(
        seq,
        ProblemKind::Edited,
        format!("record {seq} does not match its MAC: it was edited, or the key is not this log's"),
    ))
}

/// Compares the end of a fully verified log with the expected head.
fn end_problem(
    last: Option<AuditHead>,
    at_head: Option<[u8; 32]>,
    expected: Option<&AuditHead>,
) -> Option<VerifyProblem> {
    let expected = expected?;
    let last_seq = last.map_or(0, |h| h.seq);
    if last_seq < expected.seq {
        let detail = if last_seq == 0 {
            format!("the log is empty but should end at record {}", expected.seq)
        } else {
            format!(
                "the log ends at record {last_seq} but should reach record {}",
                expected.seq
            )
        };
        return Some(problem(last_seq + 1, ProblemKind::Truncated, detail));
    }
    let matches = at_head.is_some_and(|mac| {
        AuditHead {
            seq: expected.seq,
            mac,
        } == *expected
    });
    (!matches).then(|| {
        problem(
            expected.seq,
            ProblemKind::Edited,
            format!(
                "record {} is not the one the vault's head names: the log was replaced",
                expected.seq
            ),
        )
    })
}

fn problem(seq: u64, kind: ProblemKind, detail: String) -> VerifyProblem {
    VerifyProblem { seq, kind, detail }
}
