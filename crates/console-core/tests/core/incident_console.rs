//! Incidents through the console, as the window reaches them: behind the gate, in the active
//! profile's own encrypted file, closed on lock, every change audited without its text.

use chrono::{DateTime, Duration, Utc};
use console_core::audit::{AuditAction, AuditFilter, AuditRecord};
use console_core::gate::Clock as _;
use console_core::incident::{
    CheckSource, EntryKind, IncidentKind, IncidentPatch, IncidentStatus, NewIncident, Phase,
    PreparationItem, Roles, Scope, Severity, Template,
};
use console_core::ipc::{
    IncidentAdvanceRequest, IncidentListFilter, IncidentNoteKind, IncidentNoteRequest,
    IncidentTickRequest, IncidentView, PreparationTickRequest, TemplateFormat,
};
use console_core::notify::{NotifyError, Opens, RecordingNotifier};
use console_core::{ErrorCode, ErrorDetail, ErrorDto};
use uuid::Uuid;

use crate::gate_support::{Gated, PASSPHRASE, code_of};

const TITLE: &str = "Payloads of Zyxwvut Corp sent to a stranger";
const NOTE: &str = "Quokka pager rang first";

/// A remote profile with a token, made active: its records are keyed from the vault.
pub(crate) async fn remote(gated: &Gated) -> anyhow::Result<Uuid> {
    crate::gate_support::active_token_profile(
        &gated.console,
        "Production",
        "https://hook0.example/api/v1/".into(),
        "a-token",
    )
    .await
}

fn new_incident(template: &str, kind: IncidentKind, detected_at: DateTime<Utc>) -> NewIncident {
    NewIncident {
        title: TITLE.into(),
        kind,
        severity: Severity::Sev1,
        template_id: template.into(),
        roles: Roles {
            commander: Some("ana".into()),
            ..Roles::default()
        },
        scope: Scope::default(),
        detected_at: Some(detected_at),
        impact_started_at: None,
    }
}

fn tick(id: Uuid, phase: Phase, position: u32) -> IncidentTickRequest {
    IncidentTickRequest {
        incident_id: id,
        phase,
        position,
        note: None,
    }
}

fn items_of(view: &IncidentView, phase: Phase) -> &[console_core::ipc::ChecklistItemView] {
    view.phases
        .iter()
        .find(|p| p.phase == phase)
        .map(|p| p.items.as_slice())
        .unwrap_or_default()
}

/// Moves the clock on without letting the idle lock fall (each call counts as activity).
fn pass(gated: &Gated, minutes: i64) -> anyhow::Result<()> {
    for _ in 0..minutes {
        gated.clock.advance(Duration::minutes(1));
        gated.console.report_activity()?;
    }
    Ok(())
}

fn incident_records(gated: &Gated) -> anyhow::Result<Vec<AuditRecord>> {
    Ok(gated
        .console
        .audit_list(AuditFilter {
            actions: Some(vec![AuditAction::IncidentChanged]),
            limit: Some(500),
            ..AuditFilter::default()
        })?
        .records)
}

/// Open descriptors of this process on `path` (Linux): how a closed store is told apart.
fn open_handles(path: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter(|target| target == path)
        .count()
}

fn bytes_of(path: &std::path::Path) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap_or_default();
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        all.extend(std::fs::read(std::path::PathBuf::from(side)).unwrap_or_default());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn every_incident_command_refuses_while_locked() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let now = gated.clock.now();
    let view = gated.console.incident_create(new_incident(
        "delivery-outage",
        IncidentKind::DeliveryOutage,
        now,
    ))?;
    let id = view.incident.id;
    gated.console.lock()?;

    let c = &gated.console;
    let refusals: Vec<(&str, ErrorCode)> = vec![
        ("templates", code_of(c.incident_templates())),
        (
            "export",
            code_of(c.incident_template_export("data-exposure", TemplateFormat::Toml)),
        ),
        (
            "import",
            code_of(c.incident_template_import("id = \"x\"", TemplateFormat::Toml)),
        ),
        ("delete", code_of(c.incident_template_delete("x"))),
        (
            "create",
            code_of(c.incident_create(new_incident(
                "delivery-outage",
                IncidentKind::DeliveryOutage,
                now,
            ))),
        ),
        ("list", code_of(c.incidents(IncidentListFilter::All))),
        ("one", code_of(c.incident(id))),
        (
            "update",
            code_of(c.incident_update(id, IncidentPatch::default())),
        ),
        (
            "tick",
            code_of(c.incident_tick(tick(id, Phase::Identification, 0))),
        ),
        (
            "untick",
            code_of(c.incident_untick(tick(id, Phase::Identification, 0))),
        ),
        (
            "advance",
            code_of(c.incident_advance(IncidentAdvanceRequest {
                incident_id: id,
                reason: Some("why".into()),
            })),
        ),
        (
            "note",
            code_of(c.incident_note(IncidentNoteRequest {
                incident_id: id,
                kind: IncidentNoteKind::Note,
                text: "x".into(),
                at: None,
            })),
        ),
        ("preparation", code_of(c.incident_preparation())),
        (
            "preparation tick",
            code_of(c.incident_preparation_tick(PreparationTickRequest {
                item: PreparationItem::TemplatesReviewed,
                done: true,
                note: None,
            })),
        ),
        ("metrics", code_of(c.incident_metrics())),
    ];
    for (what, code) in refusals {
        assert_eq!(code, ErrorCode::Locked, "{what} must refuse while locked");
    }
    Ok(())
}

#[tokio::test]
async fn the_data_exposure_template_shows_the_gdpr_72_hour_deadline() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let declared = gated.clock.now();
    let aware = declared - Duration::hours(10);
    let view = gated.console.incident_create(new_incident(
        "data-exposure",
        IncidentKind::DataExposure,
        aware,
    ))?;
    assert_eq!(view.incident.template_id, "data-exposure");
    assert_eq!(view.now, declared);
    let current: Vec<Phase> = view
        .phases
        .iter()
        .filter(|p| p.current)
        .map(|p| p.phase)
        .collect();
    assert_eq!(current, [Phase::Identification]);

    let gdpr: Vec<_> = view
        .phases
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| i.item.deadline.is_some())
        .collect();
    assert!(
        !gdpr.is_empty(),
        "the template carries the Art. 33 deadline"
    );
    for item in &gdpr {
        let deadline = item
            .item
            .deadline
            .as_ref()
            .map(|d| (d.at, d.label.as_str()));
        let (at, label) = deadline.unwrap_or_default();
        assert_eq!(at, aware + Duration::hours(72), "72 h after becoming aware");
        assert!(label.contains("Art. 33"), "{label}");
        assert!(!item.deadline_passed, "62 h are left");
    }
    let first = &items_of(&view, Phase::Identification)[0];
    assert_eq!(first.item.due_at, Some(declared + Duration::minutes(60)));
    assert!(!first.overdue);

    // Past four hours the items due after 60 and 240 minutes are late, but a done item is
    // never overdue, and one due after 480 minutes is not yet.
    gated
        .console
        .incident_tick(tick(view.incident.id, Phase::Identification, 1))?;
    pass(&gated, 241)?;
    let later = gated.console.incident(view.incident.id)?;
    let overdue: Vec<bool> = items_of(&later, Phase::Identification)
        .iter()
        .take(3)
        .map(|i| i.overdue)
        .collect();
    assert_eq!(overdue, [true, false, false], "{:#?}", later.phases[0]);
    // The list counts what is late and names the next deadline, as the page judges them.
    let listed = gated.console.incidents(IncidentListFilter::Open)?;
    let row = listed
        .iter()
        .find(|i| i.incident.id == view.incident.id)
        .expect("listed");
    let late_items = later
        .phases
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| i.overdue)
        .count();
    assert!(late_items >= 1);
    assert_eq!(row.overdue as usize, late_items);
    assert_eq!(row.deadlines_passed, 0);
    assert_eq!(
        row.next_deadline.as_ref().map(|d| d.at),
        Some(aware + Duration::hours(72))
    );
    assert_eq!(row.evidence, 0);

    // Aware 80 hours ago: the deadline has passed.
    let late = gated.console.incident_create(new_incident(
        "data-exposure",
        IncidentKind::DataExposure,
        gated.clock.now() - Duration::hours(80),
    ))?;
    assert!(
        late.phases
            .iter()
            .flat_map(|p| &p.items)
            .filter(|i| i.item.deadline.is_some())
            .all(|i| i.deadline_passed)
    );
    let listed = gated.console.incidents(IncidentListFilter::Open)?;
    let row = listed
        .iter()
        .find(|i| i.incident.id == late.incident.id)
        .expect("listed");
    assert!(row.deadlines_passed >= 1);
    assert_eq!(row.next_deadline, None, "no deadline is ahead");
    Ok(())
}

#[tokio::test]
async fn ticks_phase_changes_and_a_backdated_note_make_one_timeline() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let t0 = gated.clock.now();
    let view = gated.console.incident_create(new_incident(
        "delivery-outage",
        IncidentKind::DeliveryOutage,
        t0,
    ))?;
    let id = view.incident.id;
    let required: Vec<(u32, String)> = items_of(&view, Phase::Identification)
        .iter()
        .filter(|i| i.item.required)
        .map(|i| (i.item.position, i.item.text.clone()))
        .collect();
    assert!(
        required.len() >= 2,
        "the test needs two required items: {required:?}"
    );

    pass(&gated, 2)?;
    let ticked = gated
        .console
        .incident_tick(tick(id, Phase::Identification, required[0].0))?;
    let item = &items_of(&ticked, Phase::Identification)[required[0].0 as usize].item;
    assert_eq!(item.done_by.as_deref(), Some("operator"));
    assert_eq!(item.done_at, Some(t0 + Duration::minutes(2)));
    gated
        .console
        .incident_tick(tick(id, Phase::Identification, required[1].0))?;
    gated
        .console
        .incident_untick(tick(id, Phase::Identification, required[1].0))?;

    pass(&gated, 2)?;
    let note = gated.console.incident_note(IncidentNoteRequest {
        incident_id: id,
        kind: IncidentNoteKind::Note,
        text: NOTE.into(),
        at: Some(t0 + Duration::minutes(1)),
    })?;
    assert!(note.backdated);
    assert_eq!(note.recorded_at, t0 + Duration::minutes(4));

    pass(&gated, 1)?;
    let refused = gated
        .console
        .incident_advance(IncidentAdvanceRequest {
            incident_id: id,
            reason: None,
        })
        .expect_err("required items are open");
    assert_eq!(refused.code, ErrorCode::InvalidInput, "{refused:?}");
    for (_, text) in &required[1..] {
        assert!(
            refused.message.contains(text.as_str()),
            "the refusal lists {text:?}: {}",
            refused.message
        );
    }
    assert!(
        !refused.message.contains(required[0].1.as_str()),
        "a done item is not listed: {}",
        refused.message
    );
    // The window gets the open items as data, not only in the sentence.
    match &refused.detail {
        Some(ErrorDetail::RequiredItemsOpen { phase, open_items }) => {
            assert_eq!(*phase, Phase::Identification);
            let expected: Vec<&str> = required[1..].iter().map(|(_, t)| t.as_str()).collect();
            assert_eq!(open_items, &expected);
        }
        other => panic!("the refusal carries the open items: {other:?}"),
    }

    let moved = gated.console.incident_advance(IncidentAdvanceRequest {
        incident_id: id,
        reason: Some("customers first; facts later".into()),
    })?;
    assert_eq!(moved.incident.status, IncidentStatus::Containment);
    assert!(
        moved
            .phases
            .iter()
            .any(|p| p.current && p.phase == Phase::Containment)
    );
    assert_eq!(
        moved.incident.milestones.contained_at, None,
        "entering containment is not being contained"
    );

    let kinds: Vec<(EntryKind, DateTime<Utc>)> =
        moved.timeline.iter().map(|e| (e.kind, e.at)).collect();
    assert_eq!(
        kinds,
        [
            (EntryKind::PhaseChanged, t0),
            (EntryKind::Note, t0 + Duration::minutes(1)),
            (EntryKind::ItemDone, t0 + Duration::minutes(2)),
            (EntryKind::ItemDone, t0 + Duration::minutes(2)),
            (EntryKind::ItemReopened, t0 + Duration::minutes(2)),
            (EntryKind::PhaseChanged, t0 + Duration::minutes(5)),
        ],
        "{:#?}",
        moved.timeline
    );
    let listed = gated.console.incidents(IncidentListFilter::Open)?;
    assert_eq!(
        listed.iter().map(|i| i.incident.id).collect::<Vec<_>>(),
        [id]
    );
    assert!(
        gated
            .console
            .incidents(IncidentListFilter::Closed)?
            .is_empty()
    );
    let metrics = gated.console.incident_metrics()?;
    assert_eq!((metrics.incidents, metrics.mtta.count), (1, 1));
    Ok(())
}

#[tokio::test]
async fn every_change_is_audited_by_id_without_its_text() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    let profile = remote(&gated).await?;
    let view = gated.console.incident_create(new_incident(
        "delivery-outage",
        IncidentKind::DeliveryOutage,
        gated.clock.now(),
    ))?;
    let id = view.incident.id;
    let c = &gated.console;
    c.incident_update(
        id,
        IncidentPatch {
            title: Some(format!("{TITLE} (renamed)")),
            severity: Some(Severity::Sev2),
            ..IncidentPatch::default()
        },
    )?;
    c.incident_tick(IncidentTickRequest {
        note: Some(NOTE.into()),
        ..tick(id, Phase::Identification, 0)
    })?;
    c.incident_untick(tick(id, Phase::Identification, 0))?;
    c.incident_note(IncidentNoteRequest {
        incident_id: id,
        kind: IncidentNoteKind::Decision,
        text: NOTE.into(),
        at: None,
    })?;
    c.incident_advance(IncidentAdvanceRequest {
        incident_id: id,
        reason: Some(NOTE.into()),
    })?;
    c.incident_preparation_tick(PreparationTickRequest {
        item: PreparationItem::TemplatesReviewed,
        done: true,
        note: Some(NOTE.into()),
    })?;

    let records = incident_records(&gated)?;
    let changes: Vec<&str> = records
        .iter()
        .rev()
        .filter_map(|r| r.targets.last().map(String::as_str))
        .collect();
    assert_eq!(
        changes,
        [
            "created",
            "updated:title,severity",
            "item_done:identification:0",
            "item_reopened:identification:0",
            "decision",
            "advanced:containment",
            "preparation_ticked",
        ]
    );
    for record in &records {
        assert_eq!(record.targets[0], profile.to_string(), "{record:?}");
        assert_eq!(record.targets.len(), 3, "{record:?}");
    }
    assert!(
        records[1..].iter().all(|r| r.targets[1] == id.to_string()),
        "the incident is named by its id"
    );
    let audit = bytes_of(&gated.path().join("audit.db"));
    assert!(!audit.is_empty(), "the audit log is where the test looks");
    for text in [TITLE, NOTE, "Zyxwvut"] {
        assert!(
            records
                .iter()
                .all(|r| !r.targets.iter().any(|t| t.contains(text))),
            "{text:?} in an audit record"
        );
        assert!(!contains(&audit, text), "{text:?} in the audit file");
    }
    Ok(())
}

#[tokio::test]
async fn the_incident_file_is_encrypted_closed_on_lock_and_kept() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    let profile = remote(&gated).await?;
    let view = gated.console.incident_create(new_incident(
        "leaked-secret",
        IncidentKind::LeakedSecret,
        gated.clock.now(),
    ))?;
    let id = view.incident.id;
    gated.console.incident_note(IncidentNoteRequest {
        incident_id: id,
        kind: IncidentNoteKind::Note,
        text: NOTE.into(),
        at: None,
    })?;
    let path = gated.path().join(format!("incidents-{profile}.db"));
    assert_eq!(gated.console.incidents_path(profile), path);
    let bytes = bytes_of(&path);
    assert!(bytes.len() > 4096, "the records are in this file");
    assert!(!bytes.starts_with(b"SQLite format 3\0"), "not plain SQLite");
    for text in [TITLE, "Zyxwvut", NOTE] {
        assert!(!contains(&bytes, text), "{text:?} readable in the file");
    }
    let plain = rusqlite::Connection::open(&path)?;
    assert!(
        plain
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                .get::<_, i64>(0))
            .is_err(),
        "opened without the key"
    );
    drop(plain);

    assert!(open_handles(&path) > 0, "the store is open while unlocked");
    gated.console.lock()?;
    assert_eq!(open_handles(&path), 0, "locking closes the store");

    gated.unlock(PASSPHRASE, &gated.next_code())?;
    let again = gated.console.incident(id)?;
    assert_eq!(again.incident.title, TITLE);
    assert!(
        again
            .timeline
            .iter()
            .any(|e| e.kind == EntryKind::Note && e.text == NOTE)
    );
    assert!(open_handles(&path) > 0, "reopened on first use");

    // Its key goes with a removed profile: a profile holding incidents is kept.
    let refused = gated
        .console
        .remove_profile(profile)
        .expect_err("a profile with incidents is not removed");
    assert_eq!(refused.code, ErrorCode::InvalidInput, "{refused:?}");
    assert!(refused.message.contains("1 incident record"), "{refused:?}");
    assert_eq!(gated.console.incident(id)?.incident.title, TITLE);
    Ok(())
}

#[tokio::test]
async fn templates_import_export_and_delete() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    remote(&gated).await?;
    let c = &gated.console;
    let listed = c.incident_templates()?;
    assert_eq!(listed.iter().filter(|t| t.shipped).count(), 4, "{listed:?}");

    let bad = "id = \"ours\"\nversion = 1\nname = ";
    let expected = Template::from_toml(bad)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let refused: ErrorDto = c
        .incident_template_import(bad, TemplateFormat::Toml)
        .expect_err("not TOML");
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(!expected.is_empty());
    assert_eq!(refused.message, expected, "the parser's own message");

    let shipped = c.incident_template_export("data-exposure", TemplateFormat::Toml)?;
    let ours = shipped
        .text
        .replacen("id = \"data-exposure\"", "id = \"our-breach\"", 1);
    assert_ne!(ours, shipped.text);
    let imported = c.incident_template_import(&ours, TemplateFormat::Toml)?;
    assert_eq!(
        (imported.id.as_str(), imported.shipped, imported.kind),
        ("our-breach", false, IncidentKind::DataExposure)
    );
    assert!(imported.items > 0);
    let json = c.incident_template_export("our-breach", TemplateFormat::Json)?;
    assert_eq!(Template::from_json(&json.text)?.id, "our-breach");
    let refused = c.incident_template_import(&json.text, TemplateFormat::Toml);
    assert_eq!(
        code_of(refused),
        ErrorCode::InvalidInput,
        "JSON is not TOML"
    );

    assert_eq!(
        code_of(c.incident_template_delete("data-exposure")),
        ErrorCode::InvalidInput
    );
    c.incident_template_delete("our-breach")?;
    assert_eq!(
        code_of(c.incident_template_delete("our-breach")),
        ErrorCode::NotFound
    );
    let changes: Vec<String> = incident_records(&gated)?
        .iter()
        .rev()
        .map(|r| r.targets[1..].join(" "))
        .collect();
    assert_eq!(
        changes,
        [
            "template:our-breach template_imported",
            "template:our-breach template_deleted"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn preparation_reflects_saved_profiles_recovery_codes_and_ticks() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    let c = &gated.console;
    let before = c.incident_preparation()?;
    assert_eq!(
        before.facts.profiles_configured,
        Some(false),
        "sandbox only"
    );
    assert_eq!(before.facts.two_factor_enrolled, Some(true));
    assert_eq!(before.recovery_codes_left as usize, gated.recovery.len());
    assert!(before.recovery_codes_left > 0);
    assert_eq!(
        before.facts.recovery_codes_stored, None,
        "codes left: only the operator knows where they are"
    );
    assert_eq!(before.templates, 4);
    assert!(
        before
            .status
            .missing
            .contains(&PreparationItem::ProfilesConfigured)
    );

    remote(&gated).await?;
    let after = c.incident_preparation()?;
    assert_eq!(after.facts.profiles_configured, Some(true));
    assert_eq!(after.profiles_with_credentials, 1);
    let profiles = &after.status.checks[0];
    assert_eq!(
        (profiles.item, profiles.ok, profiles.source),
        (
            PreparationItem::ProfilesConfigured,
            true,
            CheckSource::Computed
        )
    );

    let ticked = c.incident_preparation_tick(PreparationTickRequest {
        item: PreparationItem::RecoveryCodesStored,
        done: true,
        note: Some("team safe".into()),
    })?;
    let codes = ticked
        .status
        .checks
        .iter()
        .find(|ch| ch.item == PreparationItem::RecoveryCodesStored);
    assert_eq!(
        codes.map(|ch| (ch.ok, ch.source)),
        Some((true, CheckSource::Ticked))
    );
    assert_eq!(
        codes
            .and_then(|ch| ch.tick.as_ref())
            .map(|t| t.done_by.as_str()),
        Some("operator")
    );
    let unticked = c.incident_preparation_tick(PreparationTickRequest {
        item: PreparationItem::RecoveryCodesStored,
        done: false,
        note: None,
    })?;
    assert!(
        unticked
            .status
            .missing
            .contains(&PreparationItem::RecoveryCodesStored)
    );

    // A test notification the desktop refuses proves the channel broken, whatever the tick;
    // one it shows leaves the item to the operator, who saw it or not.
    let channel = |view: &console_core::ipc::PreparationView| {
        view.status
            .checks
            .iter()
            .find(|ch| ch.item == PreparationItem::NotificationChannelWorking)
            .map(|ch| (ch.ok, ch.source))
    };
    c.incident_preparation_tick(PreparationTickRequest {
        item: PreparationItem::NotificationChannelWorking,
        done: true,
        note: None,
    })?;
    let notifier = std::sync::Arc::new(RecordingNotifier::failing(NotifyError::Unavailable(
        "no notification service".into(),
    )));
    c.set_notifier(notifier.clone())?;
    let refused = c.incident_test_notification()?;
    let last = refused
        .last_test_notification
        .clone()
        .expect("the test is kept");
    assert!(!last.shown);
    assert!(
        last.error
            .unwrap_or_default()
            .contains("no notification service")
    );
    assert_eq!(refused.facts.notification_channel_working, Some(false));
    assert_eq!(channel(&refused), Some((false, CheckSource::Computed)));

    notifier.fail_with(None);
    let shown = c.incident_test_notification()?;
    assert!(
        shown
            .last_test_notification
            .as_ref()
            .is_some_and(|t| t.shown)
    );
    assert_eq!(shown.facts.notification_channel_working, None);
    assert_eq!(channel(&shown), Some((true, CheckSource::Ticked)));
    let sent = notifier.shown();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].opens, Opens::Window);
    Ok(())
}
