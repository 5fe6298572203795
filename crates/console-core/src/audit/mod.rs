//! The audit log: an append-only, tamper-evident record of every operator action.
//!
//! The log lives in its own SQLite file (`audit.db`, not encrypted: it holds pseudonymous
//! ids and hashes only, never payloads) written with `synchronous = FULL`. Each record is
//! chained to the one before it by an HMAC-SHA256 under the audit key (layout in
//! `chain.rs`), and the caller keeps the chain's head (last sequence number and MAC) in the
//! vault beside the key. So someone with the file but not the key cannot edit, delete,
//! reorder or cut off records without [`AuditLog::verify`] saying which record and how; and
//! triggers refuse `UPDATE` and `DELETE` to everyone who does not first drop them.
//!
//! API, as the gate uses it:
//! - [`AuditLog::open`] the file once; [`AuditKey`] and the last [`AuditHead`] come from the
//!   unlocked vault (a new vault: [`AuditKey::generate`] and no head).
//! - [`AuditLog::append`] while unlocked: pass the head, store the head it returns. It
//!   refuses when the stored log does not end at that head.
//! - [`AuditLog::append_pending`] while locked (failed unlocks, lockouts): no key, no MAC;
//!   the entry waits in a pending table. [`AuditLog::seal_pending`] at the next unlock moves
//!   the pending entries, oldest first, into the chain in one transaction and returns the
//!   new head. Limit, stated plainly: until sealed, pending entries are protected by nothing
//!   but the triggers — someone with the file can delete (or add) them while the console is
//!   locked. From sealing on, the chain covers them like any other record, and the viewer
//!   marks them `sealed_later`.
//! - [`AuditLog::verify`] with the head from the vault: the first bad record and its kind.
//!   A log that runs past the vault's head (the console stopped between writing a record
//!   and saving the head) is intact if the vault's head record is in it; take
//!   [`AuditLog::head`] afterwards as the new head. Without an expected head only the chain
//!   itself is checked, and a cut-off end cannot be seen.
//! - [`AuditLog::list`] for the viewer page; [`AuditLog::export`] as JSON lines (format and
//!   broken-chain behaviour in `export.rs`).
//!
//! Invariants: sequence numbers run 1, 2, 3 … without gaps; nothing is ever rewritten; no
//! function here panics on what it reads from the file.

mod chain;
mod error;
mod export;
mod key;
mod schema;
mod store;
mod types;
mod verify;

use std::path::PathBuf;

use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use error::AuditError;
pub use export::ExportSummary;
pub use key::{AuditHead, AuditKey};
pub use schema::latest_version as latest_format_version;
pub use types::{
    AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage, AuditRecord, OPERATOR,
    ProblemKind, VerifyProblem, VerifyReport,
};

/// The audit database of this console. One writer per file per process.
#[derive(Debug)]
pub struct AuditLog {
    conn: Connection,
    path: PathBuf,
}

impl AuditLog {
    /// Verifies the whole chain against the key and the head the vault keeps. A broken
    /// chain is an answer (`intact: false` and the first problem), not an error.
    pub fn verify(
        &self,
        key: &AuditKey,
        expected_head: Option<&AuditHead>,
    ) -> Result<VerifyReport, AuditError> {
        let tx = self.conn.unchecked_transaction()?;
        let report = verify::verify_in(&tx, key, expected_head)?;
        tx.finish()?;
        Ok(report)
    }
}

/// SHA-256 of `value` as canonical JSON (object keys sorted, no spaces): the same
/// parameters always give the same hash, whatever order their fields were built in.
pub fn params_hash(value: &impl Serialize) -> Result<[u8; 32], AuditError> {
    let value = serde_json::to_value(value)
        .map_err(|e| AuditError::InvalidInput(format!("parameters cannot be hashed: {e}")))?;
    Ok(Sha256::digest(canonical_json(&value)).into())
}

/// `value` as canonical JSON: object keys sorted, no spaces. Equal values give equal bytes.
pub(crate) fn canonical_json(value: &serde_json::Value) -> Vec<u8> {
    let mut bytes = Vec::new();
    canonical(value, &mut bytes);
    bytes
}

fn canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(&Value::String(k.clone()), out);
                out.push(b':');
                canonical(v, out);
            }
            out.push(b'}');
        }
        scalar => out.extend(scalar.to_string().into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn audit_params_hash_ignores_field_order() {
        let a = serde_json::json!({"b": 1, "a": [1, {"y": 2, "x": "s"}]});
        let b = serde_json::json!({"a": [1, {"x": "s", "y": 2}], "b": 1});
        assert_eq!(params_hash(&a).unwrap(), params_hash(&b).unwrap());
        let c = serde_json::json!({"a": [1, {"x": "s", "y": 3}], "b": 1});
        assert_ne!(params_hash(&a).unwrap(), params_hash(&c).unwrap());
    }

    #[test]
    fn audit_head_round_trips_as_hex() {
        let head = AuditHead {
            seq: 3,
            mac: [0xab; 32],
        };
        let text = serde_json::to_string(&head).unwrap();
        assert_eq!(
            text,
            format!("{{\"seq\":3,\"mac\":\"{}\"}}", "ab".repeat(32))
        );
        assert_eq!(serde_json::from_str::<AuditHead>(&text).unwrap(), head);
        assert!(serde_json::from_str::<AuditHead>("{\"seq\":3,\"mac\":\"zz\"}").is_err());
    }

    #[test]
    fn audit_key_is_redacted_and_random() {
        let a = AuditKey::generate().unwrap();
        let b = AuditKey::generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(format!("{a:?}"), "AuditKey(<redacted>)");
    }

    #[test]
    fn audit_action_names_round_trip() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
        }
    }

    #[test]
    fn audit_viewer_types_have_plain_number_sequences_in_typescript() {
        use ts_rs::{Config, TS};
        let cfg = Config::new();
        let decls = [
            AuditRecord::decl(&cfg),
            AuditFilter::decl(&cfg),
            AuditPage::decl(&cfg),
            VerifyReport::decl(&cfg),
            VerifyProblem::decl(&cfg),
            ExportSummary::decl(&cfg),
        ];
        for d in &decls {
            assert!(
                !d.contains("bigint"),
                "sequence numbers are plain numbers: {d}"
            );
        }
        assert!(decls[1].contains("before_seq?: number"), "{}", decls[1]);
        assert!(
            decls[2].contains("next_before_seq: number | null"),
            "{}",
            decls[2]
        );
    }
}
