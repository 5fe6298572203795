//! The manifest: exactly what a replay job will send, in order, and what produced it.
//!
//! It is what the operator approves. Its SHA-256 is taken over canonical JSON (compact, keys
//! sorted at every level — the same encoding step-up digests use), so an exported and
//! re-imported manifest hashes the same, and a step-up approval bound to
//! [`Manifest::action_digest`] covers exactly this set and nothing else.
//!
//! Exported files carry the hash beside the manifest; importing checks the structure (typed
//! [`ManifestError`]s) and that the hash still matches.

use std::collections::HashSet;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use crate::gate::{ActionDigest, GuardedAction, StepUpError};
use crate::query::DeliveryFilter;

/// The manifest format this binary writes and reads.
pub const MANIFEST_VERSION: u32 = 1;
/// Largest manifest accepted on import (events), a bound on what a file can make us hold.
pub const MAX_MANIFEST_EVENTS: usize = 1_000_000;

/// One (event, subscription) delivery, as selected in the explorer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub struct DeliveryRef {
    /// The event.
    pub event_id: Uuid,
    /// The subscription it failed on.
    pub subscription_id: Uuid,
}

/// What the operator selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
#[ts(rename_all = "snake_case")]
pub enum Selection {
    /// Every delivery an explorer filter matches.
    Filter(Box<DeliveryFilter>),
    /// These deliveries.
    Deliveries(Vec<DeliveryRef>),
}

/// One event to replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ManifestEvent {
    /// The event.
    pub event_id: Uuid,
    /// Its application (the replay call names it).
    pub application_id: Uuid,
    /// The selected deliveries of this event that failed (sorted): what verification checks.
    pub failed_subscriptions: Vec<Uuid>,
}

/// An approved-or-to-be-approved replay set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Manifest {
    /// Format version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// When the plan was computed (whole microseconds, so it survives a JSON round trip).
    pub created_at: DateTime<Utc>,
    /// What produced the set.
    pub selection: Selection,
    /// Whether deliveries that have since succeeded were kept in.
    pub include_recovered: bool,
    /// The events, in the order they will be sent; each appears once.
    pub events: Vec<ManifestEvent>,
}

/// What a step-up approval of a replay is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayApprovalParams {
    /// [`Manifest::sha256`].
    pub manifest_sha256: String,
    /// How many events it replays (shown to the operator with the code prompt).
    pub events: usize,
}

/// An exported manifest: the manifest and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ManifestFile {
    /// The manifest.
    pub manifest: Manifest,
    /// Its SHA-256, 64 lowercase hex characters.
    pub sha256: String,
}

/// Why a manifest cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Not JSON, or not shaped like a manifest file.
    #[error("the manifest is not valid JSON of the expected shape: {0}")]
    Malformed(String),
    /// Written by a newer or unknown format.
    #[error("manifest format {found} is not supported (this console reads {MANIFEST_VERSION})")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
    },
    /// No event to replay.
    #[error("the manifest lists no event")]
    Empty,
    /// More events than a manifest may hold.
    #[error("the manifest lists {0} events; at most {MAX_MANIFEST_EVENTS} are accepted")]
    TooLarge(usize),
    /// An event appears twice: it would be replayed twice.
    #[error("event {0} appears more than once in the manifest")]
    DuplicateEvent(Uuid),
    /// The file's hash does not match its content: edited after export.
    #[error(
        "the manifest's SHA-256 does not match its content (expected {expected}, computed {computed})"
    )]
    HashMismatch {
        /// The hash written in the file.
        expected: String,
        /// The hash of the content.
        computed: String,
    },
}

impl Manifest {
    /// A manifest of `events` (order kept) made now.
    pub fn new(
        selection: Selection,
        include_recovered: bool,
        events: Vec<ManifestEvent>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            version: MANIFEST_VERSION,
            created_at: now.trunc_subsecs(6),
            selection,
            include_recovered,
            events,
        }
    }

    /// Compact JSON with keys sorted at every level: what the hash is taken over.
    pub fn canonical_json(&self) -> Result<String, ManifestError> {
        let value =
            serde_json::to_value(self).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        let mut out = String::new();
        crate::gate::step_up::write_canonical(&value, &mut out);
        Ok(out)
    }

    /// SHA-256 of [`Manifest::canonical_json`], 64 lowercase hex characters.
    pub fn sha256(&self) -> Result<String, ManifestError> {
        let digest = Sha256::digest(self.canonical_json()?.as_bytes());
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The parameters a step-up approval of this manifest binds to.
    pub fn approval_params(&self) -> Result<ReplayApprovalParams, ManifestError> {
        Ok(ReplayApprovalParams {
            manifest_sha256: self.sha256()?,
            events: self.events.len(),
        })
    }

    /// The step-up digest of replaying this manifest ([`GuardedAction::BulkReplay`]).
    pub fn action_digest(&self) -> Result<ActionDigest, ManifestError> {
        ActionDigest::compute(GuardedAction::BulkReplay, &self.approval_params()?)
            .map_err(|e: StepUpError| ManifestError::Malformed(e.to_string()))
    }

    /// Checks what a hand-made or imported manifest could get wrong.
    pub fn validate(&self) -> Result<(), ManifestError> {
        if self.version != MANIFEST_VERSION {
            return Err(ManifestError::UnsupportedVersion {
                found: self.version,
            });
        }
        if self.events.is_empty() {
            return Err(ManifestError::Empty);
        }
        if self.events.len() > MAX_MANIFEST_EVENTS {
            return Err(ManifestError::TooLarge(self.events.len()));
        }
        let mut seen = HashSet::with_capacity(self.events.len());
        for event in &self.events {
            if !seen.insert(event.event_id) {
                return Err(ManifestError::DuplicateEvent(event.event_id));
            }
        }
        Ok(())
    }

    /// The export: pretty JSON of the manifest and its hash.
    pub fn export(&self) -> Result<String, ManifestError> {
        let file = ManifestFile {
            manifest: self.clone(),
            sha256: self.sha256()?,
        };
        serde_json::to_string_pretty(&file).map_err(|e| ManifestError::Malformed(e.to_string()))
    }

    /// Reads an export, validating its structure and hash.
    pub fn import(json: &str) -> Result<Self, ManifestError> {
        // The version is read first so that a newer format is reported as such, not as a
        // shape error.
        let raw: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        if let Some(found) = raw
            .get("manifest")
            .and_then(|m| m.get("version"))
            .and_then(serde_json::Value::as_u64)
            && found != u64::from(MANIFEST_VERSION)
        {
            return Err(ManifestError::UnsupportedVersion {
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
        let file: ManifestFile =
            serde_json::from_value(raw).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        file.manifest.validate()?;
        let computed = file.manifest.sha256()?;
        if computed != file.sha256.to_ascii_lowercase() {
            return Err(ManifestError::HashMismatch {
                expected: file.sha256,
                computed,
            });
        }
        Ok(file.manifest)
    }

    /// The event ids, in order.
    pub fn event_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.events.iter().map(|e| e.event_id)
    }
}

/// How a fresh plan differs from an approved manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetDiff {
    /// Events the fresh plan adds.
    pub added: Vec<Uuid>,
    /// Events the fresh plan no longer holds.
    pub removed: Vec<Uuid>,
    /// Events in both whose failed subscriptions differ.
    pub changed: Vec<Uuid>,
}

impl SetDiff {
    /// The difference from `approved` to `fresh`.
    pub fn between(approved: &Manifest, fresh: &Manifest) -> Self {
        let before: std::collections::HashMap<Uuid, &ManifestEvent> =
            approved.events.iter().map(|e| (e.event_id, e)).collect();
        let after: std::collections::HashMap<Uuid, &ManifestEvent> =
            fresh.events.iter().map(|e| (e.event_id, e)).collect();
        let mut diff = Self::default();
        for e in &fresh.events {
            match before.get(&e.event_id) {
                None => diff.added.push(e.event_id),
                Some(old) if old.failed_subscriptions != e.failed_subscriptions => {
                    diff.changed.push(e.event_id);
                }
                Some(_) => {}
            }
        }
        diff.removed = approved
            .events
            .iter()
            .filter(|e| !after.contains_key(&e.event_id))
            .map(|e| e.event_id)
            .collect();
        diff
    }

    /// Whether both hold the same set.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn manifest(ids: &[u128]) -> Manifest {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 30, 1, 2, 3)
            .single()
            .unwrap_or_default();
        Manifest::new(
            Selection::Deliveries(vec![]),
            false,
            ids.iter()
                .map(|&i| ManifestEvent {
                    event_id: Uuid::from_u128(i),
                    application_id: Uuid::from_u128(99),
                    failed_subscriptions: vec![Uuid::from_u128(7)],
                })
                .collect(),
            at,
        )
    }

    #[test]
    fn the_hash_is_stable_and_known() -> Result<(), ManifestError> {
        let m = manifest(&[1, 2]);
        let json = m.canonical_json()?;
        assert!(
            json.starts_with(r#"{"created_at":"2026-11-30T01:02:03Z","events":[{"#),
            "{json}"
        );
        let hash = m.sha256()?;
        assert_eq!(hash.len(), 64);
        assert_eq!(
            hash,
            manifest(&[1, 2]).sha256()?,
            "same manifest, same hash"
        );
        let expected: String = Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hash, expected, "the hash is SHA-256 of the canonical JSON");
        Ok(())
    }

    #[test]
    fn order_and_content_change_the_hash() -> Result<(), ManifestError> {
        let a = manifest(&[1, 2]).sha256()?;
        assert_ne!(a, manifest(&[2, 1]).sha256()?, "order is part of the set");
        assert_ne!(a, manifest(&[1, 3]).sha256()?);
        let mut m = manifest(&[1, 2]);
        m.include_recovered = true;
        assert_ne!(a, m.sha256()?);
        Ok(())
    }

    #[test]
    fn export_import_round_trips_and_detects_edits() -> Result<(), ManifestError> {
        let m = manifest(&[1, 2, 3]);
        let text = m.export()?;
        assert_eq!(Manifest::import(&text)?, m);
        let edited = text.replacen(
            &Uuid::from_u128(2).to_string(),
            &Uuid::from_u128(5).to_string(),
            1,
        );
        assert!(matches!(
            Manifest::import(&edited),
            Err(ManifestError::HashMismatch { .. })
        ));
        Ok(())
    }

    #[test]
    fn import_reports_each_problem_by_kind() -> Result<(), ManifestError> {
        assert!(matches!(
            Manifest::import("{"),
            Err(ManifestError::Malformed(_))
        ));
        let mut newer: serde_json::Value = serde_json::from_str(&manifest(&[1]).export()?)
            .map_err(|e| ManifestError::Malformed(e.to_string()))?;
        newer["manifest"]["version"] = 2.into();
        assert_eq!(
            Manifest::import(&newer.to_string()),
            Err(ManifestError::UnsupportedVersion { found: 2 })
        );
        let dup = manifest(&[1, 1]);
        let file = ManifestFile {
            sha256: dup.sha256()?,
            manifest: dup,
        };
        let text =
            serde_json::to_string(&file).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        assert_eq!(
            Manifest::import(&text),
            Err(ManifestError::DuplicateEvent(Uuid::from_u128(1)))
        );
        let empty = manifest(&[]);
        assert_eq!(empty.validate(), Err(ManifestError::Empty));
        Ok(())
    }

    #[test]
    fn the_approval_digest_binds_the_manifest_hash() -> Result<(), ManifestError> {
        let a = manifest(&[1, 2]);
        let params = a.approval_params()?;
        assert_eq!(params.manifest_sha256, a.sha256()?);
        let digest = a.action_digest()?;
        let same = ActionDigest::compute(GuardedAction::BulkReplay, &params)
            .map_err(|e| ManifestError::Malformed(e.to_string()))?;
        assert_eq!(digest, same);
        assert_ne!(digest, manifest(&[1, 3]).action_digest()?);
        Ok(())
    }

    #[test]
    fn the_diff_names_added_removed_and_changed_events() {
        let approved = manifest(&[1, 2, 3]);
        let mut fresh = manifest(&[2, 3, 4]);
        fresh.events[1]
            .failed_subscriptions
            .push(Uuid::from_u128(8));
        let diff = SetDiff::between(&approved, &fresh);
        assert_eq!(diff.added, vec![Uuid::from_u128(4)]);
        assert_eq!(diff.removed, vec![Uuid::from_u128(1)]);
        assert_eq!(diff.changed, vec![Uuid::from_u128(3)]);
        assert!(SetDiff::between(&approved, &approved).is_empty());
    }
}
