//! The MAC of one record, and records as stored.
//!
//! `mac = HMAC-SHA256(audit key, version ‖ seq ‖ at ‖ actor ‖ action ‖ targets ‖
//! params_hash ‖ outcome ‖ pending_id ‖ previous mac)`, where `version` and `seq` are 8-byte
//! big-endian integers, every field between them is an 8-byte big-endian length followed by
//! its bytes (`at` as 8 big-endian bytes of microseconds since the epoch, `targets` as the
//! stored JSON array text, an absent `params_hash` or `pending_id` as an empty field), and the
//! previous MAC of the first record is 32 zero bytes. The length prefixes make the input
//! unambiguous: no two different records share it.
//!
//! Stored rows are read as raw SQLite values so that a row an attacker filled with values of
//! the wrong type is reported as a bad record, never as a read error.

use hmac::{Hmac, KeyInit, Mac};
use rusqlite::Row;
use rusqlite::types::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::key::AuditKey;

/// Version of the MAC input layout written by this console.
pub(crate) const RECORD_VERSION: i64 = 1;
/// The "previous MAC" of the first record.
pub(crate) const GENESIS: [u8; 32] = [0; 32];
/// Columns of `audit_record` in the order [`StoredRecord::from_row`] reads them.
pub(crate) const RECORD_COLUMNS: &str =
    "seq, version, at, actor, action, targets, params_hash, outcome, pending_id, mac";

/// The MAC-covered content of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Content {
    pub version: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub targets: String,
    pub params_hash: Option<Vec<u8>>,
    pub outcome: String,
    pub pending_id: Option<i64>,
}

/// One `audit_record` row: its key, its content if every column has the type the console
/// writes, and its MAC bytes.
#[derive(Debug, Clone)]
pub(crate) struct StoredRecord {
    pub seq: i64,
    pub content: Result<Content, String>,
    pub mac: Vec<u8>,
}

impl StoredRecord {
    /// Reads a row selected with [`RECORD_COLUMNS`].
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let seq: i64 = row.get(0)?;
        let raw: Vec<Value> = (1..=9)
            .map(|i| row.get(i))
            .collect::<rusqlite::Result<_>>()?;
        let mac = match &raw[8] {
            Value::Blob(b) => b.clone(),
            _ => Vec::new(),
        };
        Ok(Self {
            seq,
            content: content_of(&raw),
            mac,
        })
    }

    /// Whether this row's content and MAC verify as record `seq` following `prev`.
    pub(crate) fn verifies_as(&self, key: &AuditKey, seq: u64, prev: &[u8; 32]) -> bool {
        match &self.content {
            Ok(content) => bool::from(mac(key, seq, content, prev).ct_eq(self.mac.as_slice())),
            Err(_) => false,
        }
    }

    /// The MAC as an array, if it has the right length.
    pub(crate) fn mac_array(&self) -> Option<[u8; 32]> {
        <[u8; 32]>::try_from(self.mac.as_slice()).ok()
    }
}

fn content_of(raw: &[Value]) -> Result<Content, String> {
    let int = |i: usize, name: &str| match &raw[i] {
        Value::Integer(v) => Ok(*v),
        _ => Err(format!("{name} is not an integer")),
    };
    let text = |i: usize, name: &str| match &raw[i] {
        Value::Text(v) => Ok(v.clone()),
        _ => Err(format!("{name} is not text")),
    };
    let params_hash = match &raw[5] {
        Value::Null => None,
        Value::Blob(b) => Some(b.clone()),
        _ => return Err("params_hash is not a hash".to_owned()),
    };
    let pending_id = match &raw[7] {
        Value::Null => None,
        Value::Integer(v) => Some(*v),
        _ => return Err("pending_id is not an integer".to_owned()),
    };
    Ok(Content {
        version: int(0, "version")?,
        at: int(1, "at")?,
        actor: text(2, "actor")?,
        action: text(3, "action")?,
        targets: text(4, "targets")?,
        params_hash,
        outcome: text(6, "outcome")?,
        pending_id,
    })
}

/// The MAC of `content` as record `seq` after the record whose MAC is `prev`.
pub(crate) fn mac(key: &AuditKey, seq: u64, content: &Content, prev: &[u8; 32]) -> [u8; 32] {
    // HMAC pads a key shorter than the hash's block to the block size with zeros; doing it
    // here gives the infallible constructor (RFC 2104, checked against RFC 4231 below).
    let mut block = Zeroizing::new([0u8; 64]);
    block[..32].copy_from_slice(key.expose());
    let mut h = <Hmac<Sha256> as KeyInit>::new(&(*block).into());
    h.update(&content.version.to_be_bytes());
    h.update(&seq.to_be_bytes());
    field(&mut h, &content.at.to_be_bytes());
    field(&mut h, content.actor.as_bytes());
    field(&mut h, content.action.as_bytes());
    field(&mut h, content.targets.as_bytes());
    field(&mut h, content.params_hash.as_deref().unwrap_or_default());
    field(&mut h, content.outcome.as_bytes());
    match content.pending_id {
        Some(id) => field(&mut h, &id.to_be_bytes()),
        None => field(&mut h, &[]),
    }
    h.update(prev);
    h.finalize().into_bytes().into()
}

fn field(h: &mut Hmac<Sha256>, bytes: &[u8]) {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    h.update(&len.to_be_bytes());
    h.update(bytes);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::audit::key::to_hex;

    #[test]
    fn audit_padded_key_construction_matches_rfc4231_case_2() {
        let mut block = [0u8; 64];
        block[..4].copy_from_slice(b"Jefe");
        let mut h = <Hmac<Sha256> as KeyInit>::new(&block.into());
        h.update(b"what do ya want for nothing?");
        let out: [u8; 32] = h.finalize().into_bytes().into();
        assert_eq!(
            to_hex(&out),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn audit_mac_covers_seq_content_and_previous_mac() {
        let key = AuditKey::from_bytes([7; 32]);
        let c = Content {
            version: RECORD_VERSION,
            at: 1,
            actor: "operator".into(),
            action: "lock".into(),
            targets: "[\"idle\"]".into(),
            params_hash: None,
            outcome: "succeeded".into(),
            pending_id: None,
        };
        let base = mac(&key, 1, &c, &GENESIS);
        assert_ne!(base, mac(&key, 2, &c, &GENESIS), "seq is covered");
        assert_ne!(
            base,
            mac(&key, 1, &c, &[1; 32]),
            "the previous MAC is covered"
        );
        let moved = Content {
            actor: "operatorl".into(),
            action: "ock".into(),
            ..c.clone()
        };
        assert_ne!(
            base,
            mac(&key, 1, &moved, &GENESIS),
            "field boundaries are covered"
        );
        let sealed = Content {
            pending_id: Some(1),
            ..c.clone()
        };
        assert_ne!(
            base,
            mac(&key, 1, &sealed, &GENESIS),
            "pending id is covered"
        );
        let other = AuditKey::from_bytes([8; 32]);
        assert_ne!(base, mac(&other, 1, &c, &GENESIS), "the key is covered");
    }
}
