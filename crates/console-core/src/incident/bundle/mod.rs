//! The sealed incident bundle: one zip file holding the report (JSON, Markdown, HTML), the
//! evidence rows with their snapshots, the audit records that name the incident, and a
//! manifest of SHA-256 checksums with the audit head at export time.
//!
//! Why a zip rather than a SQLite file: whoever receives the bundle (an auditor, a customer's
//! security team, a regulator) opens it with the tools every system has, reads `report.html`
//! in a browser and `report.md` anywhere, and can recompute each checksum with `sha256sum`;
//! no SQLite client, no schema to learn. Its members are plain files, so "this member was
//! changed" is a statement about one file.
//!
//! Layout (all at the root of the archive):
//! - `report.json`, `report.md`, `report.html` — the report ([`super::report`]);
//! - `evidence.json` — every piece of evidence with its snapshot, the canonical JSON exactly
//!   as hashed, so each snapshot's SHA-256 can be recomputed;
//! - `audit.jsonl` — one [`ChainedRecord`](crate::audit::ChainedRecord) per line, in chain
//!   order: each carries its MAC, the MAC before it and its own SHA-256;
//! - `manifest.json` — [`BundleManifest`]: SHA-256 and size of every other member, the
//!   incident id, the export time, the console version, the audit head, and
//!   `manifest_sha256`, the SHA-256 of the manifest itself as canonical JSON (keys sorted, no
//!   spaces) without that field.
//!
//! What verification proves, stated plainly: without the audit key, [`verify_bundle`] shows
//! that nothing was changed, added or removed *by someone who did not also rewrite the
//! checksums*; the checksums are not a signature. The audit records additionally carry the
//! chain's MACs, which only the console holding the audit key can have made:
//! [`verify_bundle_with_key`] checks them too.

mod verify;
mod write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::audit::AuditHead;
use crate::error::{ErrorCode, ErrorDto};

pub use verify::{verify_bundle, verify_bundle_with_key};
pub use write::{BundleInput, write_bundle};

/// Version of the bundle layout, in the manifest.
pub const BUNDLE_FORMAT: &str = "hook0-console-incident-bundle/1";
/// The manifest's member name.
pub const MANIFEST: &str = "manifest.json";
/// The members the manifest must list, in this order.
pub const MEMBERS: [&str; 5] = [
    "report.json",
    "report.md",
    "report.html",
    "evidence.json",
    "audit.jsonl",
];

/// The manifest of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleManifest {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The incident.
    pub incident_id: Uuid,
    /// When the bundle was written.
    pub exported_at: DateTime<Utc>,
    /// The console that wrote it.
    pub console_version: String,
    /// The newest audit record when the bundle was written (`null`: an empty log).
    pub audit_head: Option<AuditHead>,
    /// Audit records in `audit.jsonl`.
    pub audit_records: u64,
    /// Every other member, in [`MEMBERS`] order.
    pub files: Vec<ManifestFile>,
    /// SHA-256 of this manifest as canonical JSON without this field, lowercase hex.
    pub manifest_sha256: String,
}

/// One member as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Its name in the archive.
    pub name: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// A bundle that verified: what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BundleVerdict {
    /// The incident.
    pub incident_id: Uuid,
    /// When it was written.
    pub exported_at: DateTime<Utc>,
    /// The console that wrote it.
    pub console_version: String,
    /// Sequence number of the audit head at export.
    #[ts(type = "number | null")]
    pub audit_head_seq: Option<u64>,
    /// MAC of the audit head at export, lowercase hex.
    pub audit_head_mac: Option<String>,
    /// Audit records checked.
    #[ts(type = "number")]
    pub audit_records: u64,
    /// Whether the audit records' MACs were checked with the audit key as well.
    pub audit_macs_checked: bool,
    /// Evidence items held.
    #[ts(type = "number")]
    pub evidence_items: u64,
    /// The members and their checksums (all verified).
    pub files: Vec<ManifestFile>,
    /// The manifest's own checksum.
    pub manifest_sha256: String,
}

/// Why a bundle does not verify (or could not be written).
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The file cannot be read at all.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// The file is not a zip archive, is cut short, or is not an incident bundle.
    #[error("not an incident bundle: {0}")]
    NotABundle(String),
    /// A member the manifest needs is absent.
    #[error("the bundle has no {0}: a member was removed")]
    MissingMember(String),
    /// A member no bundle holds is present.
    #[error("the bundle holds {0}, which the manifest does not list: a member was added")]
    UnexpectedMember(String),
    /// A member cannot be read back from the archive (its bytes were damaged).
    #[error("{member} is damaged: {reason}")]
    Damaged {
        /// The member.
        member: String,
        /// What the archive reader said.
        reason: String,
    },
    /// A member's bytes are not the ones the manifest lists.
    #[error("{member} was changed: its SHA-256 is {found}, the manifest says {expected}")]
    ChecksumMismatch {
        /// The member.
        member: String,
        /// The manifest's checksum.
        expected: String,
        /// The checksum of the bytes found.
        found: String,
    },
    /// The manifest is not the one written with the bundle.
    #[error("the manifest was altered: {0}")]
    ManifestAltered(String),
    /// An audit record does not verify.
    #[error("audit record {seq} does not verify: {problem}")]
    AuditRecord {
        /// Its sequence number (0 when the line cannot be read at all).
        seq: u64,
        /// What is wrong.
        problem: String,
    },
    /// An evidence snapshot no longer hashes to its SHA-256, or does not belong here.
    #[error("evidence {id} does not verify: {problem}")]
    EvidenceAltered {
        /// The evidence id.
        id: i64,
        /// What is wrong.
        problem: String,
    },
    /// The members disagree with each other or with the manifest.
    #[error("the bundle is inconsistent: {0}")]
    Inconsistent(String),
    /// Writing the bundle failed.
    #[error("cannot write the bundle at {path}: {reason}")]
    Write {
        /// The file.
        path: String,
        /// What failed.
        reason: String,
    },
}

impl BundleError {
    /// The member the failure is about, when it is about one.
    pub fn member(&self) -> Option<&str> {
        match self {
            Self::MissingMember(m) | Self::UnexpectedMember(m) => Some(m),
            Self::Damaged { member, .. } | Self::ChecksumMismatch { member, .. } => Some(member),
            Self::ManifestAltered(_) => Some(MANIFEST),
            Self::AuditRecord { .. } => Some("audit.jsonl"),
            Self::EvidenceAltered { .. } => Some("evidence.json"),
            _ => None,
        }
    }

    /// A stable name for the kind of failure, for scripts (`hook0-console incident
    /// verify-bundle --json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unreadable { .. } => "unreadable",
            Self::NotABundle(_) => "not_a_bundle",
            Self::MissingMember(_) => "missing_member",
            Self::UnexpectedMember(_) => "unexpected_member",
            Self::Damaged { .. } => "damaged",
            Self::ChecksumMismatch { .. } => "checksum_mismatch",
            Self::ManifestAltered(_) => "manifest_altered",
            Self::AuditRecord { .. } => "audit_record",
            Self::EvidenceAltered { .. } => "evidence_altered",
            Self::Inconsistent(_) => "inconsistent",
            Self::Write { .. } => "write",
        }
    }

    /// The IPC code: a bundle that was changed is tampered; one that is not a bundle is
    /// bad input; one that cannot be read or written is storage.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unreadable { .. } | Self::Write { .. } => ErrorCode::Storage,
            Self::NotABundle(_) => ErrorCode::InvalidInput,
            Self::MissingMember(_)
            | Self::UnexpectedMember(_)
            | Self::Damaged { .. }
            | Self::ChecksumMismatch { .. }
            | Self::ManifestAltered(_)
            | Self::AuditRecord { .. }
            | Self::EvidenceAltered { .. }
            | Self::Inconsistent(_) => ErrorCode::Tampered,
        }
    }
}

impl From<BundleError> for ErrorDto {
    fn from(error: BundleError) -> Self {
        ErrorDto::new(error.code(), error.to_string())
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The checksum a manifest (as JSON) must carry: canonical JSON without `manifest_sha256`.
pub(crate) fn manifest_checksum(manifest: &serde_json::Value) -> Result<String, String> {
    let mut value = manifest.clone();
    value
        .as_object_mut()
        .ok_or("the manifest is not a JSON object")?
        .remove("manifest_sha256");
    let hash = crate::audit::params_hash(&value).map_err(|e| e.to_string())?;
    Ok(hash.iter().map(|b| format!("{b:02x}")).collect())
}
