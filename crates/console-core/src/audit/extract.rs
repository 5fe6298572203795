//! Records that name one subject (an incident id), taken out of the chain with what is needed
//! to check them elsewhere: their MAC and the MAC of the record before them.
//!
//! Each record carries `prev_mac`, so it can be checked on its own with the audit key (the MAC
//! covers the content and the previous MAC, see `chain.rs`), without the records between
//! those taken out. Without the key, [`ChainedRecord::sha256`] (SHA-256 of the record as
//! canonical JSON, its own `sha256` left out) shows whether a record was edited after it was
//! taken out, and consecutive records must link (`prev_mac` of one = `mac` of the one before).

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use super::AuditLog;
use super::chain::{self, Content, GENESIS, RECORD_COLUMNS, StoredRecord};
use super::error::AuditError;
use super::key::{AuditKey, mac_from_hex_str, to_hex};
use super::store::rfc3339;

/// One record as taken out of the chain, in the form a sealed bundle keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainedRecord {
    /// Position in the chain.
    pub seq: u64,
    /// MAC input layout.
    pub version: i64,
    /// When, RFC 3339 (microseconds, UTC).
    pub at: String,
    /// When, microseconds since the epoch (what the MAC covers).
    pub at_micros: i64,
    /// Who acted.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// Ids of what it was done to.
    pub targets: Vec<String>,
    /// Parameters hash, lowercase hex.
    pub params_hash: Option<String>,
    /// How it ended.
    pub outcome: String,
    /// The pending entry it was sealed from, if it was recorded while locked.
    pub pending_id: Option<i64>,
    /// The MAC of the record before it (zeros for the first), lowercase hex.
    pub prev_mac: String,
    /// Its MAC, lowercase hex.
    pub mac: String,
    /// SHA-256 of this record as canonical JSON without this field, lowercase hex.
    pub sha256: String,
}

impl ChainedRecord {
    /// The SHA-256 this record should carry: of itself as canonical JSON, `sha256` left out.
    pub fn compute_sha256(&self) -> Result<String, AuditError> {
        let mut value = serde_json::to_value(self)
            .map_err(|e| AuditError::InvalidInput(format!("a record cannot be encoded: {e}")))?;
        if let Some(map) = value.as_object_mut() {
            map.remove("sha256");
        }
        Ok(to_hex(&super::params_hash(&value)?))
    }

    /// Whether the record still has the SHA-256 it was taken out with.
    pub fn sha256_holds(&self) -> bool {
        self.compute_sha256().is_ok_and(|h| h == self.sha256)
    }

    /// Whether its MAC verifies under `key` (the console that wrote it can check this).
    pub fn mac_verifies(&self, key: &AuditKey) -> bool {
        let (Some(prev), Some(mac)) = (
            mac_from_hex_str(&self.prev_mac),
            mac_from_hex_str(&self.mac),
        ) else {
            return false;
        };
        let Ok(targets) = serde_json::to_string(&self.targets) else {
            return false;
        };
        let params_hash = match &self.params_hash {
            Some(hex) => match mac_from_hex_str(hex) {
                Some(bytes) => Some(bytes.to_vec()),
                None => return false,
            },
            None => None,
        };
        let content = Content {
            version: self.version,
            at: self.at_micros,
            actor: self.actor.clone(),
            action: self.action.clone(),
            targets,
            params_hash,
            outcome: self.outcome.clone(),
            pending_id: self.pending_id,
        };
        let expected = chain::mac(key, self.seq, &content, &prev);
        bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_slice(),
            mac.as_slice(),
        ))
    }
}

impl AuditLog {
    /// Every record whose targets include `target` exactly, in chain order, with the MAC
    /// of the record before each. Does not verify the chain (the caller does, and says so).
    pub fn records_naming(&self, target: &str) -> Result<Vec<ChainedRecord>, AuditError> {
        let columns = RECORD_COLUMNS
            .split(", ")
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {columns}, (SELECT p.mac FROM audit_record p WHERE p.seq = r.seq - 1)
             FROM audit_record r
             WHERE json_valid(r.targets)
               AND EXISTS (SELECT 1 FROM json_each(r.targets) WHERE value = ?1)
             ORDER BY r.seq"
        ))?;
        let rows = stmt.query_map([target], |row| {
            let prev: Value = row.get(10)?;
            Ok((StoredRecord::from_row(row)?, prev))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (stored, prev) = row?;
            out.push(chained(&stored, &prev)?);
        }
        Ok(out)
    }
}

fn chained(stored: &StoredRecord, prev: &Value) -> Result<ChainedRecord, AuditError> {
    let corrupt = |detail: &str| AuditError::Corrupt {
        seq: stored.seq,
        detail: detail.to_owned(),
    };
    let content = stored.content.as_ref().map_err(|why| corrupt(why))?;
    let seq = u64::try_from(stored.seq).map_err(|_| corrupt("negative sequence number"))?;
    let prev_mac = match prev {
        Value::Blob(b) => to_hex(b),
        Value::Null if seq == 1 => to_hex(&GENESIS),
        _ => return Err(corrupt("the record before it is missing or has no MAC")),
    };
    let targets: Vec<String> =
        serde_json::from_str(&content.targets).map_err(|_| corrupt("targets are not a list"))?;
    let mut record = ChainedRecord {
        seq,
        version: content.version,
        at: rfc3339(content.at).ok_or_else(|| corrupt("its time is out of range"))?,
        at_micros: content.at,
        actor: content.actor.clone(),
        action: content.action.clone(),
        targets,
        params_hash: content.params_hash.as_deref().map(to_hex),
        outcome: content.outcome.clone(),
        pending_id: content.pending_id,
        prev_mac,
        mac: to_hex(&stored.mac),
        sha256: String::new(),
    };
    record.sha256 = record.compute_sha256()?;
    Ok(record)
}
