//! Writing a bundle: every member built in memory, checksummed, then the archive written to a
//! temporary file beside the target and moved into place, so a bundle file is either whole
//! or absent.

use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{
    BUNDLE_FORMAT, BundleError, BundleManifest, MANIFEST, MEMBERS, ManifestFile, manifest_checksum,
    sha256_hex,
};
use crate::audit::{AuditHead, ChainedRecord};
use crate::incident::EvidenceSnapshot;
use crate::incident::report::{IncidentReport, ReportFormat};

/// What goes into a bundle.
#[derive(Debug)]
pub struct BundleInput<'a> {
    /// The report (written in its three forms).
    pub report: &'a IncidentReport,
    /// The evidence with its snapshots (canonical JSON exactly as hashed).
    pub evidence: &'a [EvidenceSnapshot],
    /// The audit records that name the incident, in chain order.
    pub audit: &'a [ChainedRecord],
    /// The newest audit record at export time.
    pub audit_head: Option<AuditHead>,
    /// The console writing it.
    pub console_version: &'a str,
    /// When.
    pub exported_at: DateTime<Utc>,
}

/// Writes the bundle of `input` to `path` and returns its manifest.
pub fn write_bundle(path: &Path, input: &BundleInput<'_>) -> Result<BundleManifest, BundleError> {
    let write_error = |reason: String| BundleError::Write {
        path: path.display().to_string(),
        reason,
    };
    let encode = |what: &str, e: serde_json::Error| write_error(format!("{what}: {e}"));
    let report_json = input
        .report
        .render(ReportFormat::Json)
        .map_err(|e| write_error(e.to_string()))?;
    let evidence =
        serde_json::to_string_pretty(input.evidence).map_err(|e| encode("evidence", e))?;
    let mut audit = String::new();
    for record in input.audit {
        audit.push_str(&serde_json::to_string(record).map_err(|e| encode("audit", e))?);
        audit.push('\n');
    }
    let contents: [(&str, Vec<u8>); 5] = [
        (MEMBERS[0], report_json.into_bytes()),
        (
            MEMBERS[1],
            input
                .report
                .render(ReportFormat::Markdown)
                .map_err(|e| write_error(e.to_string()))?
                .into_bytes(),
        ),
        (
            MEMBERS[2],
            input
                .report
                .render(ReportFormat::Html)
                .map_err(|e| write_error(e.to_string()))?
                .into_bytes(),
        ),
        (MEMBERS[3], evidence.into_bytes()),
        (MEMBERS[4], audit.into_bytes()),
    ];
    let files = contents
        .iter()
        .map(|(name, bytes)| ManifestFile {
            name: (*name).to_owned(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        })
        .collect();
    let mut manifest = BundleManifest {
        format: BUNDLE_FORMAT.to_owned(),
        incident_id: input.report.summary.incident_id,
        exported_at: input.exported_at,
        console_version: input.console_version.to_owned(),
        audit_head: input.audit_head,
        audit_records: input.audit.len() as u64,
        files,
        manifest_sha256: String::new(),
    };
    let value = serde_json::to_value(&manifest).map_err(|e| encode("manifest", e))?;
    manifest.manifest_sha256 = manifest_checksum(&value).map_err(write_error)?;
    let manifest_text =
        serde_json::to_string_pretty(&manifest).map_err(|e| encode("manifest", e))?;

    let dir = path
        .parent()
        .ok_or_else(|| write_error("the path has no directory".to_owned()))?;
    let io = |e: std::io::Error| write_error(e.to_string());
    let zip_error = |e: zip::result::ZipError| write_error(e.to_string());
    let temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let mut zip = ZipWriter::new(temp);
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in contents
        .iter()
        .map(|(n, b)| (*n, b.as_slice()))
        .chain([(MANIFEST, manifest_text.as_bytes())])
    {
        zip.start_file(name, options).map_err(zip_error)?;
        zip.write_all(bytes).map_err(io)?;
    }
    let temp = zip.finish().map_err(zip_error)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(manifest)
}
