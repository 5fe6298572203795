//! `hook0-console incident verify-bundle FILE` as a bundle's receiver runs it: no profile, no
//! vault, an empty data directory. A bundle written by the core (a real incident store, a
//! real audit chain) verifies; one member rewritten or a file that is no bundle fails with a
//! non-zero exit that names what is wrong.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::Output;

use crate::support::{incident, offline_console};

use chrono::{Duration, Utc};
use console_core::audit::{AuditAction, AuditEntry, AuditKey, AuditLog, AuditOutcome};
use console_core::cache::CacheKey;
use console_core::incident::bundle::{BundleInput, write_bundle};
use console_core::incident::report::IncidentReport;
use console_core::incident::{
    EvidenceKind, IncidentKind, IncidentStore, NewEvidence, NewIncident, Roles, Scope, Severity,
};

fn verify(data_dir: &Path, file: &Path, json: bool) -> anyhow::Result<Output> {
    let mut command = offline_console(data_dir, &["incident", "verify-bundle"]);
    command.arg(file);
    if json {
        command.arg("--json");
    }
    Ok(command.output()?)
}

/// A bundle of one declared incident with two audit records naming it.
fn bundle(dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    let now = Utc::now();
    let mut store = IncidentStore::open(&dir.join("i.db"), &CacheKey::from_bytes([5; 32]))?;
    let incident = store.create(
        &NewIncident {
            title: "Orders webhooks failing".into(),
            kind: IncidentKind::DeliveryOutage,
            severity: Severity::Sev2,
            template_id: "delivery-outage".into(),
            roles: Roles::default(),
            scope: Scope::default(),
            detected_at: Some(now - Duration::minutes(10)),
            impact_started_at: None,
        },
        "operator",
        now,
    )?;
    let key = AuditKey::generate()?;
    let mut log = AuditLog::open(&dir.join("audit.db"))?;
    let mut head = None;
    for (target, change) in [
        ("other", "x"),
        (incident.id.to_string().as_str(), "created"),
    ] {
        let entry = AuditEntry::operator(AuditAction::IncidentChanged, AuditOutcome::Succeeded)
            .with_targets([target, change]);
        head = Some(log.append(&key, head.as_ref(), &entry, now)?);
    }
    let records = log.records_naming(&incident.id.to_string())?;
    assert_eq!(records.len(), 1, "only the record that names the incident");
    store.attach_evidence(
        incident.id,
        &NewEvidence {
            kind: EvidenceKind::Event,
            label: "the first failing event".into(),
            reference: serde_json::json!({ "event_id": "e1" }),
            snapshot: serde_json::json!({ "attempts": [{ "status": "failed", "http": 503 }] }),
            rows: 1,
            truncated: false,
            captured_at: now,
        },
        "operator",
        now,
    )?;
    let evidence = store.evidence_snapshots(incident.id)?;
    let report = IncidentReport::build(&store, incident.id, now)?;
    let path = dir.join("bundle.zip");
    write_bundle(
        &path,
        &BundleInput {
            report: &report,
            evidence: &evidence,
            audit: &records,
            audit_head: head,
            console_version: "test",
            exported_at: now,
        },
    )?;
    Ok(path)
}

#[test]
fn a_bundle_verifies_and_a_changed_one_fails_naming_the_member() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = tempfile::tempdir()?;
    let path = bundle(dir.path())?;

    let out = verify(data.path(), &path, true)?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(line["verified"], true);
    assert_eq!(line["bundle"]["audit_records"], 1);
    assert_eq!(line["bundle"]["audit_head_seq"], 2);
    assert_eq!(line["bundle"]["evidence_items"], 1);
    let human = verify(data.path(), &path, false)?;
    assert!(human.status.success());

    // report.md rewritten with one byte changed, the archive otherwise as written.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path)?)?;
    let mut members = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        if file.name() == "report.md" {
            bytes[2] ^= 0x20;
        }
        members.push((file.name().to_owned(), bytes));
    }
    let changed = dir.path().join("changed.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&changed)?);
    for (name, bytes) in &members {
        writer.start_file(name.as_str(), zip::write::SimpleFileOptions::default())?;
        writer.write_all(bytes)?;
    }
    writer.finish()?;

    let out = verify(data.path(), &changed, true)?;
    assert!(!out.status.success(), "a changed bundle must fail");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(line["verified"], false);
    assert_eq!(line["error"]["kind"], "checksum_mismatch");
    assert_eq!(line["error"]["member"], "report.md");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("report.md was changed"),
        "the message names the member: {stderr}"
    );
    Ok(())
}

#[test]
fn a_file_that_is_no_bundle_fails_clearly() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let notes = dir.path().join("notes.zip");
    std::fs::write(&notes, "not an archive")?;
    let out = verify(dir.path(), &notes, true)?;
    assert!(!out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(line["error"]["kind"], "not_a_bundle");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an incident bundle"));

    let out = verify(dir.path(), &dir.path().join("absent.zip"), false)?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    Ok(())
}

#[test]
fn the_report_prints_in_each_format_or_goes_to_a_file() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let declared = incident(
        dir.path(),
        &[
            "declare",
            "--template",
            "delivery-outage",
            "--title",
            "<b>Orders</b> webhooks failing",
            "--severity",
            "sev2",
        ],
    )?;
    assert!(
        declared.status.success(),
        "{}",
        String::from_utf8_lossy(&declared.stderr)
    );
    let view: serde_json::Value = serde_json::from_slice(&declared.stdout)?;
    let id = view["incident"]["id"].as_str().unwrap().to_owned();

    let md = incident(dir.path(), &["report", &id])?;
    assert!(md.status.success());
    let md = String::from_utf8(md.stdout)?;
    assert!(md.starts_with("# Incident report: &lt;b&gt;Orders"), "{md}");
    assert!(md.contains("## Lessons learned"));

    let html = incident(dir.path(), &["report", &id, "--format", "html"])?;
    let html = String::from_utf8(html.stdout)?;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("&lt;b&gt;Orders&lt;/b&gt;") && !html.contains("<b>Orders"));

    let out = dir.path().join("report.json");
    let written = incident(
        dir.path(),
        &[
            "report",
            &id,
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
    )?;
    assert!(written.status.success());
    assert!(written.stdout.is_empty(), "the report went to the file");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    assert_eq!(report["summary"]["incident_id"], id.as_str());

    let unknown = incident(dir.path(), &["report", &uuid::Uuid::new_v4().to_string()])?;
    assert!(!unknown.status.success(), "an unknown incident fails");
    Ok(())
}
