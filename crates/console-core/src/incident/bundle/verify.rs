//! Verifying a bundle, in the order that names the first thing wrong most precisely:
//! the archive, the manifest and its own checksum, each member against the manifest (missing,
//! damaged, changed, or added), then what the members say — the report is the manifest's
//! incident, and every audit record keeps its SHA-256, names the incident, follows the one
//! before it in the chain and does not run past the audit head.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::Path;

use zip::ZipArchive;

use super::{
    BUNDLE_FORMAT, BundleError, BundleManifest, BundleVerdict, MANIFEST, MEMBERS,
    manifest_checksum, sha256_hex,
};
use crate::audit::{AuditKey, ChainedRecord};
use crate::incident::{Evidence, EvidenceSnapshot};

/// Most bytes one member may expand to: far above any real incident, and a bound on what a
/// crafted archive can make the verifier hold in memory.
const MAX_MEMBER_BYTES: u64 = 512 * 1024 * 1024;

/// Verifies the bundle at `path` without the audit key (see the module documentation for
/// what that proves).
pub fn verify_bundle(path: &Path) -> Result<BundleVerdict, BundleError> {
    verify(path, None)
}

/// Verifies the bundle at `path`, and the MAC of each audit record with `key` (the audit key
/// of the console that wrote it).
pub fn verify_bundle_with_key(path: &Path, key: &AuditKey) -> Result<BundleVerdict, BundleError> {
    verify(path, Some(key))
}

fn verify(path: &Path, key: Option<&AuditKey>) -> Result<BundleVerdict, BundleError> {
    let file = std::fs::File::open(path).map_err(|e| BundleError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut zip = ZipArchive::new(file)
        .map_err(|e| BundleError::NotABundle(format!("not a whole zip archive ({e})")))?;

    let manifest_bytes = read_member(&mut zip, MANIFEST)?;
    let manifest = manifest_of(&manifest_bytes)?;

    let listed: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    if listed != MEMBERS {
        return Err(BundleError::ManifestAltered(format!(
            "it lists {listed:?} instead of {MEMBERS:?}"
        )));
    }
    let mut contents = Vec::with_capacity(MEMBERS.len());
    for file in &manifest.files {
        let bytes = read_member(&mut zip, &file.name)?;
        let found = sha256_hex(&bytes);
        if found != file.sha256 || bytes.len() as u64 != file.bytes {
            return Err(BundleError::ChecksumMismatch {
                member: file.name.clone(),
                expected: file.sha256.clone(),
                found,
            });
        }
        contents.push(bytes);
    }
    let known: BTreeSet<&str> = MEMBERS.iter().copied().chain([MANIFEST]).collect();
    let extra = zip
        .file_names()
        .find(|name| !known.contains(name))
        .map(str::to_owned);
    if let Some(name) = extra {
        return Err(BundleError::UnexpectedMember(name));
    }
    if zip.len() != known.len() {
        return Err(BundleError::NotABundle(
            "a member appears more than once in the archive".to_owned(),
        ));
    }

    let [report, _md, _html, evidence, audit] = &contents[..] else {
        return Err(BundleError::NotABundle("members are missing".to_owned()));
    };
    let listed = check_report(report, &manifest)?;
    let evidence_items = check_evidence(evidence, &manifest, &listed)?;
    let audit_records = check_audit(audit, &manifest, key)?;

    Ok(BundleVerdict {
        incident_id: manifest.incident_id,
        exported_at: manifest.exported_at,
        console_version: manifest.console_version.clone(),
        audit_head_seq: manifest.audit_head.map(|h| h.seq),
        audit_head_mac: manifest
            .audit_head
            .map(|h| h.mac.iter().map(|b| format!("{b:02x}")).collect()),
        audit_records,
        audit_macs_checked: key.is_some(),
        evidence_items,
        files: manifest.files.clone(),
        manifest_sha256: manifest.manifest_sha256,
    })
}

/// A member's bytes; absent, damaged or oversized members are named.
fn read_member(zip: &mut ZipArchive<std::fs::File>, name: &str) -> Result<Vec<u8>, BundleError> {
    let member = match zip.by_name(name) {
        Ok(member) => member,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(BundleError::MissingMember(name.to_owned()));
        }
        Err(e) => {
            return Err(BundleError::Damaged {
                member: name.to_owned(),
                reason: e.to_string(),
            });
        }
    };
    let mut bytes = Vec::new();
    member
        .take(MAX_MEMBER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| BundleError::Damaged {
            member: name.to_owned(),
            reason: e.to_string(),
        })?;
    if bytes.len() as u64 > MAX_MEMBER_BYTES {
        return Err(BundleError::Damaged {
            member: name.to_owned(),
            reason: format!("it expands past {MAX_MEMBER_BYTES} bytes"),
        });
    }
    Ok(bytes)
}

/// The manifest, after its own checksum holds.
fn manifest_of(bytes: &[u8]) -> Result<BundleManifest, BundleError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| BundleError::ManifestAltered(format!("it is not JSON ({e})")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(BUNDLE_FORMAT) {
        return Err(BundleError::NotABundle(format!(
            "its manifest is not of the format {BUNDLE_FORMAT}"
        )));
    }
    let stated = value
        .get("manifest_sha256")
        .and_then(|s| s.as_str())
        .ok_or_else(|| BundleError::ManifestAltered("it has no manifest_sha256".to_owned()))?
        .to_owned();
    let computed = manifest_checksum(&value).map_err(BundleError::ManifestAltered)?;
    if computed != stated {
        return Err(BundleError::ManifestAltered(format!(
            "its SHA-256 is {computed}, it says {stated}"
        )));
    }
    serde_json::from_value(value)
        .map_err(|e| BundleError::ManifestAltered(format!("its fields do not hold ({e})")))
}

/// The report is the manifest's incident; returns the evidence it lists (id, SHA-256).
fn check_report(
    bytes: &[u8],
    manifest: &BundleManifest,
) -> Result<Vec<(i64, String)>, BundleError> {
    let report: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| BundleError::Inconsistent(format!("report.json is not JSON ({e})")))?;
    let id = report
        .pointer("/summary/incident_id")
        .and_then(|v| v.as_str());
    if id != Some(manifest.incident_id.to_string().as_str()) {
        return Err(BundleError::Inconsistent(format!(
            "report.json is about {id:?}, the manifest about {}",
            manifest.incident_id
        )));
    }
    let listed: Vec<Evidence> = report
        .get("evidence")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| BundleError::Inconsistent(format!("report.json's evidence ({e})")))?
        .unwrap_or_default();
    Ok(listed.into_iter().map(|e| (e.id, e.sha256)).collect())
}

/// Every snapshot hashes to its SHA-256, belongs to the incident, and the report lists
/// exactly these; returns how many there are.
fn check_evidence(
    bytes: &[u8],
    manifest: &BundleManifest,
    listed: &[(i64, String)],
) -> Result<u64, BundleError> {
    let items: Vec<EvidenceSnapshot> = serde_json::from_slice(bytes).map_err(|e| {
        BundleError::Inconsistent(format!("evidence.json is not a list of evidence ({e})"))
    })?;
    for item in &items {
        let e = &item.evidence;
        let bad = |problem: &str| BundleError::EvidenceAltered {
            id: e.id,
            problem: problem.to_owned(),
        };
        if e.incident_id != manifest.incident_id {
            return Err(bad("it belongs to another incident"));
        }
        if sha256_hex(item.snapshot.as_bytes()) != e.sha256 {
            return Err(bad("its snapshot no longer hashes to its SHA-256"));
        }
    }
    let held: Vec<(i64, String)> = items
        .iter()
        .map(|i| (i.evidence.id, i.evidence.sha256.clone()))
        .collect();
    if held != listed {
        return Err(BundleError::Inconsistent(
            "evidence.json and the report do not list the same evidence".to_owned(),
        ));
    }
    Ok(items.len() as u64)
}

/// Checks every audit line; returns how many there are.
fn check_audit(
    bytes: &[u8],
    manifest: &BundleManifest,
    key: Option<&AuditKey>,
) -> Result<u64, BundleError> {
    let text = std::str::from_utf8(bytes).map_err(|_| BundleError::AuditRecord {
        seq: 0,
        problem: "audit.jsonl is not UTF-8".to_owned(),
    })?;
    let incident = manifest.incident_id.to_string();
    let mut previous: Option<ChainedRecord> = None;
    let mut count: u64 = 0;
    for (line_no, line) in text.lines().enumerate() {
        let record: ChainedRecord =
            serde_json::from_str(line).map_err(|e| BundleError::AuditRecord {
                seq: 0,
                problem: format!("line {} cannot be read ({e})", line_no + 1),
            })?;
        let bad = |problem: &str| BundleError::AuditRecord {
            seq: record.seq,
            problem: problem.to_owned(),
        };
        if !record.sha256_holds() {
            return Err(bad(
                "its SHA-256 does not match its content (it was edited)",
            ));
        }
        if !record.targets.contains(&incident) {
            return Err(bad("it does not name the incident"));
        }
        if let Some(prev) = &previous {
            if record.seq <= prev.seq {
                return Err(bad("it is out of chain order"));
            }
            if record.seq == prev.seq + 1 && record.prev_mac != prev.mac {
                return Err(bad("it does not follow the record before it in the chain"));
            }
        }
        if let Some(head) = &manifest.audit_head {
            if record.seq > head.seq {
                return Err(bad("it is newer than the audit head of the export"));
            }
            let head_mac: String = head.mac.iter().map(|b| format!("{b:02x}")).collect();
            if record.seq == head.seq && record.mac != head_mac {
                return Err(bad("its MAC is not the audit head's"));
            }
        } else {
            return Err(bad("the manifest has no audit head, yet there are records"));
        }
        if let Some(key) = key
            && !record.mac_verifies(key)
        {
            return Err(bad("its MAC does not verify with this console's audit key"));
        }
        count += 1;
        previous = Some(record);
    }
    if count != manifest.audit_records {
        return Err(BundleError::Inconsistent(format!(
            "audit.jsonl holds {count} records, the manifest says {}",
            manifest.audit_records
        )));
    }
    Ok(count)
}
