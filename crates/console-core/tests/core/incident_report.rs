//! The incident report and the sealed bundle: every section present in every format, the
//! HTML escaped and self-contained; a bundle written by a real console verifies, and any
//! change to it — one byte of a member, the manifest, a member removed or added, an audit
//! record rewritten, a truncated file — fails with the error that names what changed.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use console_core::audit::{AuditAction, AuditFilter, ChainedRecord};
use console_core::cache::CacheKey;
use console_core::gate::Clock as _;
use console_core::incident::bundle::{BundleError, MANIFEST, MEMBERS, verify_bundle};
use console_core::incident::report::{IncidentReport, ReportFormat};
use console_core::incident::{
    EntryKind, EvidenceKind, IncidentKind, IncidentStatus, IncidentStore, NewEntry, NewEvidence,
    NewIncident, Phase, Roles, Scope, Severity,
};
use console_core::ipc::{
    AttachEvidenceRequest, EvidenceSource, IncidentNoteKind, IncidentNoteRequest,
    IncidentTickRequest,
};
use console_core::{ErrorCode, ErrorDto};
use uuid::Uuid;
use zip::write::SimpleFileOptions;

use crate::gate_support::{Gated, code_of};
use crate::incident_console::remote;

const HOSTILE_TITLE: &str = "<script>alert('x')</script> Orders & \"refunds\" down";
const CUSTOMER_NOTE: &str = "Zyxwvut Corp confirmed the outage by phone";

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn new_incident(title: &str, detected_at: DateTime<Utc>) -> NewIncident {
    NewIncident {
        title: title.into(),
        kind: IncidentKind::DeliveryOutage,
        severity: Severity::Sev2,
        template_id: "delivery-outage".into(),
        roles: Roles {
            commander: Some("ana".into()),
            scribe: Some("<b>bo</b>".into()),
            communications: Some("cy".into()),
        },
        scope: Scope::default(),
        detected_at: Some(detected_at),
        impact_started_at: Some(detected_at - Duration::minutes(30)),
    }
}

/// An incident walked through every phase on a real encrypted store, with a tick, notes,
/// a status update sent and notes written during Lessons Learned.
fn worked_incident(store: &mut IncidentStore) -> anyhow::Result<Uuid> {
    let id = store
        .create(&new_incident(HOSTILE_TITLE, t(-20)), "ana", t(0))?
        .id;
    store.tick(
        id,
        Phase::Identification,
        0,
        "ana",
        Some("seen <img src=x>"),
        t(1),
    )?;
    let entry = |kind, text: &str, reference| NewEntry {
        kind,
        text: text.into(),
        at: None,
        reference,
    };
    store.add_entry(id, &entry(EntryKind::Note, CUSTOMER_NOTE, None), "bo", t(2))?;
    store.attach_evidence(id, &evidence(), "ana", t(2))?;
    store.add_entry(
        id,
        &entry(
            EntryKind::Communication,
            "We are investigating failed webhook deliveries.",
            Some(serde_json::json!({ "audience": "customers" })),
        ),
        "cy",
        t(3),
    )?;
    for (minute, to) in (4..).zip([
        IncidentStatus::Containment,
        IncidentStatus::Eradication,
        IncidentStatus::Recovery,
        IncidentStatus::LessonsLearned,
    ]) {
        store.advance(id, to, Some("worked elsewhere"), "ana", t(minute))?;
    }
    store.add_entry(
        id,
        &entry(
            EntryKind::Decision,
            "Alert on 5xx rate per subscription",
            None,
        ),
        "ana",
        t(20),
    )?;
    store.tick(
        id,
        Phase::LessonsLearned,
        0,
        "ana",
        Some("review held"),
        t(21),
    )?;
    Ok(id)
}

fn evidence() -> NewEvidence {
    NewEvidence {
        kind: EvidenceKind::FailureGroup,
        label: "5xx on <orders> endpoint".into(),
        reference: serde_json::json!({ "subscription_id": Uuid::nil() }),
        snapshot: serde_json::json!({ "rows": [{ "attempt": "a1", "http": 503 }] }),
        rows: 42,
        truncated: false,
        captured_at: t(2),
    }
}

#[test]
fn the_report_holds_every_section_in_every_format() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = IncidentStore::open(&dir.path().join("i.db"), &CacheKey::from_bytes([3; 32]))?;
    let id = worked_incident(&mut store)?;
    let report = IncidentReport::build(&store, id, t(30))?;

    assert_eq!(report.summary.title, HOSTILE_TITLE);
    assert_eq!(report.checklist.len(), 5, "one section per phase");
    assert!(
        report.timeline.len() >= 8,
        "every entry: {:?}",
        report.timeline
    );
    assert_eq!(report.communications.len(), 1, "the status update sent");
    assert_eq!(report.evidence.len(), 1);
    assert_eq!(
        report.lessons_learned.entered_at,
        Some(t(7)),
        "entered at the phase change into it"
    );
    assert_eq!(
        report
            .lessons_learned
            .notes
            .iter()
            .map(|n| n.text.as_str())
            .collect::<Vec<_>>(),
        ["Alert on 5xx rate per subscription"],
        "only what was written during Lessons Learned"
    );
    assert!(report.lessons_learned.items[0].note.as_deref() == Some("review held"));
    assert!(report.metrics.time_to_detect_s == Some(30 * 60));
    let skipped = report
        .checklist
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| i.skipped_reason.as_deref() == Some("worked elsewhere"))
        .count();
    assert!(
        skipped > 0,
        "the reasons for leaving items open are reported"
    );

    let json: serde_json::Value = serde_json::from_str(&report.render(ReportFormat::Json)?)?;
    for section in [
        "summary",
        "roles",
        "milestones",
        "metrics",
        "checklist",
        "timeline",
        "evidence",
        "communications",
        "lessons_learned",
    ] {
        assert!(json.get(section).is_some(), "JSON has {section}");
    }
    let md = report.render(ReportFormat::Markdown)?;
    let html = report.render(ReportFormat::Html)?;
    for heading in [
        "Summary",
        "Roles",
        "Phase timestamps",
        "Metrics",
        "Checklist",
        "Timeline",
        "Evidence",
        "Communications",
        "Lessons learned",
    ] {
        assert!(
            md.contains(&format!("## {heading}")),
            "Markdown has {heading}"
        );
        assert!(
            html.contains(&format!("<h2>{heading}</h2>")),
            "HTML has {heading}"
        );
    }
    let hash = report.evidence[0].sha256.clone();
    for text in [CUSTOMER_NOTE, "We are investigating", hash.as_str()] {
        assert!(md.contains(text), "Markdown holds {text:?}");
        assert!(html.contains(text), "HTML holds {text:?}");
    }
    Ok(())
}

#[test]
fn the_html_report_escapes_operator_text_and_fetches_nothing() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = IncidentStore::open(&dir.path().join("i.db"), &CacheKey::from_bytes([3; 32]))?;
    let id = worked_incident(&mut store)?;
    let html = IncidentReport::build(&store, id, t(30))?.render(ReportFormat::Html)?;

    assert!(
        html.contains(
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Orders &amp; &quot;refunds&quot;"
        ),
        "the title comes out escaped"
    );
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "no script element at all");
    assert!(!lower.contains("<img"), "a note's markup is not markup");
    assert!(!lower.contains("<b>bo"), "a role's markup is not markup");
    assert!(
        lower.contains("&lt;orders&gt;"),
        "evidence labels are escaped"
    );
    for remote in ["http://", "https://", "@import", "url("] {
        assert!(
            !lower.contains(remote),
            "the HTML references nothing: {remote}"
        );
    }
    // Every tag in the document: none may load anything (operator text is escaped, so the
    // only tags are the report's own).
    let tags: Vec<&str> = lower
        .split('<')
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
        .collect();
    assert!(tags.len() > 50, "the report's own tags: {}", tags.len());
    for tag in tags {
        let name = tag.split([' ', '/']).find(|n| !n.is_empty()).unwrap_or("");
        assert!(
            ![
                "script", "img", "link", "iframe", "object", "embed", "base", "svg"
            ]
            .contains(&name),
            "no loading element: <{tag}>"
        );
        for attribute in ["src=", "href=", "srcset=", "action=", "on"] {
            let found = tag
                .split_whitespace()
                .skip(1)
                .any(|a| a.starts_with(attribute) && (attribute != "on" || a.contains('=')));
            assert!(!found, "no loading or handler attribute: <{tag}>");
        }
    }
    let md = IncidentReport::build(&store, id, t(30))?.render(ReportFormat::Markdown)?;
    assert!(
        !md.contains("<script"),
        "Markdown does not carry raw HTML either"
    );
    Ok(())
}

/// A console with one worked incident, and its bundle written with a fresh code.
async fn exported() -> anyhow::Result<(Gated, Uuid, PathBuf)> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let c = &gated.console;
    let id = c
        .incident_create(new_incident(HOSTILE_TITLE, gated.clock.now()))?
        .incident
        .id;
    c.incident_tick(IncidentTickRequest {
        incident_id: id,
        phase: Phase::Identification,
        position: 0,
        note: Some(CUSTOMER_NOTE.into()),
    })?;
    c.incident_note(IncidentNoteRequest {
        incident_id: id,
        kind: IncidentNoteKind::Note,
        text: CUSTOMER_NOTE.into(),
        at: None,
    })?;
    c.incident_attach_evidence(AttachEvidenceRequest {
        incident_id: id,
        source: EvidenceSource::AuditRecord { seq: 1 },
        label: None,
    })?;
    let export = c.incident_export_bundle(id, &gated.next_code())?;
    Ok((gated, id, PathBuf::from(export.path)))
}

#[tokio::test]
async fn a_bundle_from_the_console_verifies_and_its_export_is_audited() -> anyhow::Result<()> {
    let (gated, id, path) = exported().await?;
    assert!(path.starts_with(gated.path().join("exports")), "{path:?}");

    let verdict = verify_bundle(&path)?;
    assert_eq!(verdict.incident_id, id);
    assert_eq!(verdict.files.len(), MEMBERS.len());
    assert_eq!(
        verdict.audit_records, 4,
        "created, item done, note, evidence attached: the records naming the incident"
    );
    assert_eq!(verdict.evidence_items, 1);
    assert!(!verdict.audit_macs_checked);
    let with_key = gated.console.incident_verify_bundle(&path)?;
    assert!(
        with_key.audit_macs_checked,
        "the console checks the MACs too"
    );

    let members = read_members(&path)?;
    let audit = member(&members, "audit.jsonl");
    let head_seq = verdict.audit_head_seq.unwrap();
    let records: Vec<ChainedRecord> = std::str::from_utf8(audit)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert!(records.iter().all(|r| r.targets.contains(&id.to_string())));
    assert!(records.last().unwrap().seq <= head_seq);
    let audit_text = String::from_utf8_lossy(audit);
    assert!(
        !audit_text.contains("Zyxwvut") && !audit_text.contains("script"),
        "audit records hold ids only"
    );
    assert!(
        String::from_utf8_lossy(member(&members, "report.md")).contains(CUSTOMER_NOTE),
        "the report is in the bundle"
    );

    // The export is audited with ids only, and the report exports too.
    for format in [
        ReportFormat::Markdown,
        ReportFormat::Html,
        ReportFormat::Json,
    ] {
        let written = gated.console.incident_export_report(id, format)?;
        assert!(Path::new(&written.path).exists());
    }
    let exports = gated
        .console
        .audit_list(AuditFilter {
            actions: Some(vec![AuditAction::IncidentExported]),
            ..AuditFilter::default()
        })?
        .records;
    assert_eq!(
        exports.len(),
        4,
        "one bundle and three reports: {exports:?}"
    );
    for record in &exports {
        assert!(record.targets.contains(&id.to_string()));
        assert!(record.targets.iter().all(|t| !t.contains("Zyxwvut")));
    }
    let bundle_record = exports
        .iter()
        .find(|r| r.targets.iter().any(|t| t == "bundle"));
    assert!(
        bundle_record.is_some_and(|r| r.params_hash.is_some()),
        "the bundle's record carries the approval digest"
    );
    Ok(())
}

#[tokio::test]
async fn the_bundle_needs_a_fresh_code() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let id = gated
        .console
        .incident_create(new_incident("Outage", gated.clock.now()))?
        .incident
        .id;
    assert_eq!(
        code_of(gated.console.incident_export_bundle(id, "")),
        ErrorCode::StepUpRequired
    );
    assert!(
        !gated.path().join("exports").exists(),
        "nothing written without a code"
    );
    let code = gated.next_code();
    assert_eq!(
        code_of(gated.console.incident_export_bundle(Uuid::new_v4(), &code)),
        ErrorCode::NotFound,
        "an unknown incident is refused before the code is spent"
    );
    gated.console.incident_export_bundle(id, &code)?;
    let written = std::fs::read_dir(gated.path().join("exports"))?.count();
    assert_eq!(
        written, 1,
        "the bundle approved by the code not spent on the unknown id"
    );
    Ok(())
}

type Members = Vec<(String, Vec<u8>)>;

fn read_members(path: &Path) -> anyhow::Result<Members> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        out.push((file.name().to_owned(), bytes));
    }
    Ok(out)
}

fn member<'a>(members: &'a Members, name: &str) -> &'a [u8] {
    members
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.as_slice())
        .unwrap()
}

fn write_members(path: &Path, members: &Members) -> anyhow::Result<()> {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    for (name, bytes) in members {
        zip.start_file(name.as_str(), SimpleFileOptions::default())?;
        zip.write_all(bytes)?;
    }
    zip.finish()?;
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rewrites the manifest's checksums after members were changed, as someone who knows the
/// format would: only the audit records' own hashes (and MACs) are left to catch them.
fn reseal(members: &mut Members) -> anyhow::Result<()> {
    let sums: Vec<(String, String, usize)> = members
        .iter()
        .filter(|(n, _)| n != MANIFEST)
        .map(|(n, b)| (n.clone(), sha256_hex(b), b.len()))
        .collect();
    let slot = members.iter_mut().find(|(n, _)| n == MANIFEST).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&slot.1)?;
    for file in manifest["files"].as_array_mut().unwrap() {
        let (_, sum, len) = sums.iter().find(|(n, _, _)| file["name"] == *n).unwrap();
        file["sha256"] = (*sum).clone().into();
        file["bytes"] = (*len).into();
    }
    manifest.as_object_mut().unwrap().remove("manifest_sha256");
    let digest = console_core::audit::params_hash(&manifest)?;
    manifest["manifest_sha256"] = digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into();
    slot.1 = serde_json::to_vec(&manifest)?;
    Ok(())
}

fn refused(path: &Path) -> BundleError {
    match verify_bundle(path) {
        Ok(verdict) => panic!("a changed bundle verified: {verdict:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn one_byte_changed_in_any_member_names_that_member() -> anyhow::Result<()> {
    let (_gated, _id, path) = exported().await?;
    let original = read_members(&path)?;
    let changed = path.with_extension("changed.zip");
    for name in MEMBERS.iter().copied().chain([MANIFEST]) {
        let mut members = original.clone();
        let bytes = &mut members.iter_mut().find(|(n, _)| n == name).unwrap().1;
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        write_members(&changed, &members)?;
        let error = refused(&changed);
        assert_eq!(error.member(), Some(name), "{name}: {error}");
        let expected = if name == MANIFEST {
            matches!(error, BundleError::ManifestAltered(_))
        } else {
            matches!(error, BundleError::ChecksumMismatch { .. })
        };
        assert!(expected, "{name}: {error}");
        assert_eq!(ErrorDto::from(error).code, ErrorCode::Tampered);
    }
    write_members(&changed, &original)?;
    verify_bundle(&changed)?;
    Ok(())
}

#[tokio::test]
async fn a_manifest_edit_a_removed_or_added_member_fail() -> anyhow::Result<()> {
    let (_gated, _id, path) = exported().await?;
    let original = read_members(&path)?;
    let changed = path.with_extension("changed.zip");

    let mut members = original.clone();
    let slot = members.iter_mut().find(|(n, _)| n == MANIFEST).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&slot.1)?;
    manifest["console_version"] = "9.9.9".into();
    slot.1 = serde_json::to_vec_pretty(&manifest)?;
    write_members(&changed, &members)?;
    assert!(matches!(refused(&changed), BundleError::ManifestAltered(_)));

    for name in MEMBERS {
        let members: Members = original
            .iter()
            .filter(|(n, _)| n != name)
            .cloned()
            .collect();
        write_members(&changed, &members)?;
        let error = refused(&changed);
        assert!(
            matches!(&error, BundleError::MissingMember(m) if m == name),
            "{name}: {error}"
        );
    }
    let members: Members = original
        .iter()
        .filter(|(n, _)| n != MANIFEST)
        .cloned()
        .collect();
    write_members(&changed, &members)?;
    assert!(matches!(refused(&changed), BundleError::MissingMember(m) if m == MANIFEST));

    let mut members = original.clone();
    members.push(("extra.txt".into(), b"slipped in".to_vec()));
    write_members(&changed, &members)?;
    assert!(matches!(refused(&changed), BundleError::UnexpectedMember(m) if m == "extra.txt"));
    Ok(())
}

#[tokio::test]
async fn a_rewritten_audit_record_fails_even_with_the_checksums_resealed() -> anyhow::Result<()> {
    let (gated, _id, path) = exported().await?;
    let original = read_members(&path)?;
    let changed = path.with_extension("changed.zip");
    let edit = |rehash: bool| -> anyhow::Result<Members> {
        let mut members = original.clone();
        let slot = members
            .iter_mut()
            .find(|(n, _)| n == "audit.jsonl")
            .unwrap();
        let mut lines: Vec<ChainedRecord> = std::str::from_utf8(&slot.1)?
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        lines[0].outcome = "denied".into();
        if rehash {
            lines[0].sha256 = lines[0].compute_sha256()?;
        }
        slot.1 = lines
            .iter()
            .map(|l| serde_json::to_string(l).map(|s| s + "\n"))
            .collect::<Result<String, _>>()?
            .into_bytes();
        reseal(&mut members)?;
        Ok(members)
    };

    let first_seq = serde_json::from_str::<ChainedRecord>(
        std::str::from_utf8(member(&original, "audit.jsonl"))?
            .lines()
            .next()
            .unwrap(),
    )?
    .seq;
    write_members(&changed, &edit(false)?)?;
    let error = refused(&changed);
    assert!(
        matches!(error, BundleError::AuditRecord { seq, .. } if seq == first_seq),
        "the record's own hash: {error}"
    );

    // Rehashed too: only the MAC, which needs the audit key, can tell.
    write_members(&changed, &edit(true)?)?;
    verify_bundle(&changed)?;
    let error = gated
        .console
        .incident_verify_bundle(&changed)
        .expect_err("the MAC no longer verifies");
    assert_eq!(error.code, ErrorCode::Tampered);
    assert!(error.message.contains("MAC"), "{}", error.message);
    Ok(())
}

#[tokio::test]
async fn a_truncated_or_foreign_file_is_not_a_bundle() -> anyhow::Result<()> {
    let (_gated, _id, path) = exported().await?;
    let bytes = std::fs::read(&path)?;
    let cut = path.with_extension("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2])?;
    assert!(matches!(refused(&cut), BundleError::NotABundle(_)));

    std::fs::write(&cut, b"# just a markdown file\n")?;
    assert!(matches!(refused(&cut), BundleError::NotABundle(_)));
    assert_eq!(ErrorDto::from(refused(&cut)).code, ErrorCode::InvalidInput);

    let missing = path.with_extension("absent.zip");
    assert!(matches!(refused(&missing), BundleError::Unreadable { .. }));

    // A byte flipped inside the archive itself (not rewritten): the archive's own CRC
    // catches it when the member is read back, and the member is named.
    let stored = path.with_extension("stored.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&stored)?);
    for (name, member_bytes) in read_members(&path)? {
        zip.start_file(
            name.as_str(),
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
        )?;
        zip.write_all(&member_bytes)?;
    }
    zip.finish()?;
    verify_bundle(&stored)?;
    let mut raw = std::fs::read(&stored)?;
    let at = raw
        .windows(CUSTOMER_NOTE.len())
        .position(|w| w == CUSTOMER_NOTE.as_bytes())
        .unwrap();
    raw[at] ^= 0x01;
    std::fs::write(&stored, &raw)?;
    let error = refused(&stored);
    assert_eq!(error.member(), Some("report.json"), "{error}");
    Ok(())
}

#[tokio::test]
async fn an_edited_evidence_snapshot_fails_even_with_the_checksums_resealed() -> anyhow::Result<()>
{
    let (_gated, _id, path) = exported().await?;
    let mut members = read_members(&path)?;
    let slot = members
        .iter_mut()
        .find(|(n, _)| n == "evidence.json")
        .unwrap();
    let mut evidence: serde_json::Value = serde_json::from_slice(&slot.1)?;
    let snapshot = evidence[0]["snapshot"].as_str().unwrap().to_owned();
    assert!(
        snapshot.starts_with('{'),
        "the snapshot as hashed: {snapshot}"
    );
    evidence[0]["snapshot"] = snapshot.replacen('{', "{\"edited\":true,", 1).into();
    slot.1 = serde_json::to_vec_pretty(&evidence)?;
    reseal(&mut members)?;
    let changed = path.with_extension("changed.zip");
    write_members(&changed, &members)?;
    let error = refused(&changed);
    assert!(
        matches!(error, BundleError::EvidenceAltered { .. }),
        "{error}"
    );
    assert_eq!(error.member(), Some("evidence.json"));
    Ok(())
}
