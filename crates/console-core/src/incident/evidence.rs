//! Evidence: what the operator saw, kept with the incident.
//!
//! A piece of evidence is a snapshot, not a link: the rows as the cache (or the replay
//! journal, or the audit log) showed them when attached. The delivery cache may be purged or
//! rebuilt, and upstream Hook0 forgets old events; the incident's report must still say what
//! was seen. The snapshot is stored as canonical JSON and hashed (SHA-256 of exactly those
//! bytes), so a report or bundle can prove that what it quotes was not edited afterwards.
//!
//! What a snapshot holds is ids, statuses, counts and hashes of payloads and responses, not
//! the payloads themselves: evidence is read in reports that travel further than the cache.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use super::error::IncidentError;

/// Largest snapshot kept, in bytes of canonical JSON. A filter matching more rows keeps its
/// counts and its first rows (marked truncated) rather than growing the file without bound.
pub const MAX_SNAPSHOT_BYTES: usize = 4 * 1024 * 1024;

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Deliveries named one by one (the detail pane, ticked rows in the explorer).
    Deliveries,
    /// One event and every delivery of it.
    Event,
    /// Failures sharing a cause and a subscription.
    FailureGroup,
    /// An explorer filter with what it matched.
    ExplorerFilter,
    /// A replay job: its manifest hash, state, counts and verified outcome.
    ReplayJob,
    /// A record of the audit log.
    AuditRecord,
}

impl EvidenceKind {
    const ALL: [Self; 6] = [
        Self::Deliveries,
        Self::Event,
        Self::FailureGroup,
        Self::ExplorerFilter,
        Self::ReplayJob,
        Self::AuditRecord,
    ];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deliveries => "deliveries",
            Self::Event => "event",
            Self::FailureGroup => "failure_group",
            Self::ExplorerFilter => "explorer_filter",
            Self::ReplayJob => "replay_job",
            Self::AuditRecord => "audit_record",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A snapshot ready to be attached: built by the console from what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvidence {
    /// What it is.
    pub kind: EvidenceKind,
    /// One line a reader recognizes it by.
    pub label: String,
    /// What it points at: ids, or the filter that was run.
    pub reference: serde_json::Value,
    /// What was seen.
    pub snapshot: serde_json::Value,
    /// Rows seen (the filter's full count even when the snapshot keeps fewer).
    pub rows: u64,
    /// The snapshot keeps fewer rows than were seen.
    pub truncated: bool,
    /// When the snapshot was taken.
    pub captured_at: DateTime<Utc>,
}

/// A piece of evidence as listed: everything but the snapshot itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Evidence {
    /// Order of attachment, unique in the file.
    #[ts(type = "number")]
    pub id: i64,
    /// The incident.
    pub incident_id: Uuid,
    /// What it is.
    pub kind: EvidenceKind,
    /// One line a reader recognizes it by.
    pub label: String,
    /// What it points at.
    #[ts(type = "unknown")]
    pub reference: serde_json::Value,
    /// SHA-256 (lowercase hex) of the snapshot's canonical JSON.
    pub sha256: String,
    /// Rows seen.
    #[ts(type = "number")]
    pub rows: u64,
    /// The snapshot keeps fewer rows than were seen.
    pub truncated: bool,
    /// When the snapshot was taken.
    pub captured_at: DateTime<Utc>,
    /// Who attached it.
    pub added_by: String,
}

/// A piece of evidence with its snapshot, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EvidenceSnapshot {
    /// The evidence.
    pub evidence: Evidence,
    /// The snapshot, canonical JSON exactly as hashed.
    pub snapshot: String,
    /// The stored snapshot still hashes to `evidence.sha256`.
    pub intact: bool,
}

/// Canonical JSON of a snapshot and its SHA-256 (lowercase hex); refused when too large.
pub fn seal(snapshot: &serde_json::Value) -> Result<(String, String), IncidentError> {
    let bytes = crate::audit::canonical_json(snapshot);
    if bytes.len() > MAX_SNAPSHOT_BYTES {
        return Err(IncidentError::InvalidInput(format!(
            "the snapshot is {} bytes, more than the {MAX_SNAPSHOT_BYTES} kept per piece of \
             evidence; narrow the selection",
            bytes.len()
        )));
    }
    let hash = sha256_hex(&bytes);
    let text = String::from_utf8(bytes)
        .map_err(|e| IncidentError::InvalidInput(format!("the snapshot is not text: {e}")))?;
    Ok((text, hash))
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sealing_ignores_key_order_and_hashes_the_bytes_kept() {
        let (a, ha) = seal(&json!({"b": 1, "a": [{"y": 2, "x": "s"}]})).unwrap();
        let (b, hb) = seal(&json!({"a": [{"x": "s", "y": 2}], "b": 1})).unwrap();
        assert_eq!(a, b);
        assert_eq!(ha, hb);
        assert_eq!(a, r#"{"a":[{"x":"s","y":2}],"b":1}"#);
        assert_eq!(ha, sha256_hex(a.as_bytes()));
        assert_eq!(ha.len(), 64);
        let (_, hc) = seal(&json!({"a": [{"x": "s", "y": 3}], "b": 1})).unwrap();
        assert_ne!(ha, hc);
    }

    #[test]
    fn an_oversized_snapshot_is_refused() {
        let big = json!({ "rows": vec!["x".repeat(1024); 5 * 1024] });
        assert!(matches!(seal(&big), Err(IncidentError::InvalidInput(m)) if m.contains("narrow")));
    }

    #[test]
    fn kinds_round_trip_their_names() {
        for kind in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EvidenceKind::parse("payload"), None);
    }
}
