//! Incident records on real SQLCipher files: encryption and keys, a full incident walked
//! through every phase, the timeline, custom templates, preparation and metrics.

use chrono::{DateTime, Duration, TimeZone, Utc};
use console_core::cache::CacheKey;
use console_core::incident::metrics::{IncidentMetrics, MeanTime, summarize};
use console_core::incident::{
    EntryKind, EvidenceKind, IncidentError, IncidentFilter, IncidentKind, IncidentPatch,
    IncidentStatus, IncidentStore, NewEntry, NewEvidence, NewIncident, Phase, PreparationFacts,
    PreparationItem, Roles, Scope, Severity, Template,
};
use console_core::{ErrorCode, ErrorDto};
use uuid::Uuid;

struct Temp {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn temp() -> anyhow::Result<Temp> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("incidents-test.db");
    Ok(Temp { _dir: dir, path })
}

fn key() -> CacheKey {
    CacheKey::from_bytes([7; 32])
}

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn outage(title: &str) -> NewIncident {
    NewIncident {
        title: title.into(),
        kind: IncidentKind::DeliveryOutage,
        severity: Severity::Sev2,
        template_id: "delivery-outage".into(),
        roles: Roles {
            commander: Some("ana".into()),
            ..Roles::default()
        },
        scope: Scope::default(),
        detected_at: Some(t(-20)),
        impact_started_at: Some(t(-50)),
    }
}

fn note(text: &str, at: Option<DateTime<Utc>>) -> NewEntry {
    NewEntry {
        kind: EntryKind::Note,
        text: text.into(),
        at,
        reference: None,
    }
}

/// Ticks every required item of `phase` that is still open.
fn tick_required(
    store: &mut IncidentStore,
    id: Uuid,
    phase: Phase,
    at: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let open: Vec<u32> = store
        .checklist(id)?
        .into_iter()
        .filter(|i| i.phase == phase && i.required && i.done_at.is_none())
        .map(|i| i.position)
        .collect();
    for p in &open {
        store.tick(id, phase, *p, "ana", None, at)?;
    }
    Ok(open.len())
}

#[test]
fn reopening_keeps_every_record() -> anyhow::Result<()> {
    let tmp = temp()?;
    let (incident, checklist, timeline, templates) = {
        let mut s = IncidentStore::open(&tmp.path, &key())?;
        let i = s.create(&outage("Acme endpoint 503"), "ana", t(0))?;
        s.tick(
            i.id,
            Phase::Identification,
            0,
            "bo",
            Some("synced 09:01"),
            t(2),
        )?;
        s.add_entry(
            i.id,
            &note("Acme confirms a deploy at 07:05", None),
            "ana",
            t(3),
        )?;
        let mut custom = s.template("delivery-outage")?;
        custom.id = "acme-outage".into();
        s.save_template(&custom, t(4))?;
        s.tick_preparation(
            PreparationItem::RecoveryCodesStored,
            "ana",
            Some("safe"),
            t(5),
        )?;
        (
            s.get(i.id)?,
            s.checklist(i.id)?,
            s.timeline(i.id)?,
            s.templates()?,
        )
    };
    let s = IncidentStore::open(&tmp.path, &key())?;
    assert_eq!(s.get(incident.id)?, incident);
    assert_eq!(s.checklist(incident.id)?, checklist);
    assert_eq!(s.timeline(incident.id)?, timeline);
    assert_eq!(s.templates()?, templates);
    assert_eq!(timeline.len(), 3, "declared, item done, note");
    let done = &checklist[0];
    assert_eq!(done.done_by.as_deref(), Some("bo"));
    assert_eq!(done.note.as_deref(), Some("synced 09:01"));
    let prep = s.preparation(&PreparationFacts::default(), t(6))?;
    let codes = &prep.checks[2];
    assert_eq!(codes.item, PreparationItem::RecoveryCodesStored);
    assert!(codes.ok);
    assert_eq!(
        codes.tick.as_ref().and_then(|t| t.note.as_deref()),
        Some("safe")
    );
    assert_eq!(
        s.list(&IncidentFilter::default())?.len(),
        1,
        "one incident, nothing duplicated by the reopen"
    );
    Ok(())
}

#[test]
fn a_wrong_key_is_a_typed_error_and_the_file_is_encrypted() -> anyhow::Result<()> {
    let tmp = temp()?;
    {
        let mut s = IncidentStore::open(&tmp.path, &key())?;
        s.create(&outage("zebracorn-outage-4711"), "ana", t(0))?;
        s.conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    let before = std::fs::read(&tmp.path)?;
    let contains = |needle: &[u8]| before.windows(needle.len()).any(|w| w == needle);
    assert!(before.len() > 4096, "something was written");
    assert!(!contains(b"SQLite format 3"), "no plaintext header");
    assert!(!contains(b"zebracorn"), "no plaintext title");
    let e = IncidentStore::open(&tmp.path, &CacheKey::from_bytes([8; 32])).unwrap_err();
    assert!(
        matches!(&e, IncidentError::WrongKeyOrCorrupt { path } if *path == tmp.path),
        "{e:?}"
    );
    assert_eq!(ErrorDto::from(e).code, ErrorCode::Storage);
    assert_eq!(
        std::fs::read(&tmp.path)?,
        before,
        "the file is left untouched"
    );
    let s = IncidentStore::open(&tmp.path, &key())?;
    assert_eq!(s.list(&IncidentFilter::default())?.len(), 1);
    Ok(())
}

#[test]
fn a_newer_schema_is_refused() -> anyhow::Result<()> {
    let tmp = temp()?;
    {
        let s = IncidentStore::open(&tmp.path, &key())?;
        s.conn().execute(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, 'future', 0)",
            [console_core::incident::latest_schema_version() + 1],
        )?;
    }
    let e = IncidentStore::open(&tmp.path, &key()).unwrap_err();
    assert!(matches!(e, IncidentError::NewerSchema { .. }), "{e:?}");
    Ok(())
}

#[test]
fn a_full_incident_walks_every_phase_with_reasons_for_skipped_items() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let i = s.create(&outage("Acme deliveries fail"), "ana", t(0))?;
    assert_eq!(i.status, IncidentStatus::Identification);
    assert_eq!(i.milestones.declared_at, Some(t(0)));
    assert_eq!(i.milestones.detected_at, Some(t(-20)));

    // Identification: moving on with required items open needs a reason.
    let required = s
        .checklist(i.id)?
        .into_iter()
        .filter(|c| c.phase == Phase::Identification && c.required)
        .count();
    match s.advance(i.id, IncidentStatus::Containment, None, "ana", t(10)) {
        Err(IncidentError::ReasonRequired { phase, open_items }) => {
            assert_eq!(phase, Phase::Identification);
            assert_eq!(open_items.len(), required);
            assert!(
                open_items[0].starts_with("Sync the profile"),
                "{open_items:?}"
            );
        }
        other => panic!("expected ReasonRequired, got {other:?}"),
    }
    let e = s
        .advance(i.id, IncidentStatus::Eradication, Some("x"), "ana", t(10))
        .unwrap_err();
    assert!(matches!(e, IncidentError::WrongTransition { .. }), "{e:?}");
    assert_eq!(ErrorDto::from(e).code, ErrorCode::InvalidInput);
    assert_eq!(
        tick_required(&mut s, i.id, Phase::Identification, t(10))?,
        required
    );
    let (i2, change) = s.advance(i.id, IncidentStatus::Containment, None, "ana", t(12))?;
    assert!(change.skipped.is_empty() && change.reason.is_none());
    assert_eq!(i2.milestones.contained_at, None);

    // Containment: left with two required items open, with a reason.
    let open: Vec<_> = s
        .checklist(i.id)?
        .into_iter()
        .filter(|c| c.phase == Phase::Containment && c.required)
        .collect();
    assert!(open.len() >= 2);
    for c in &open[2..] {
        s.tick(i.id, Phase::Containment, c.position, "bo", None, t(20))?;
    }
    let reason = "customer fixed their certificate before we could notify";
    let (i3, change) = s.advance(
        i.id,
        IncidentStatus::Eradication,
        Some(reason),
        "ana",
        t(40),
    )?;
    assert_eq!(change.skipped, [open[0].text.clone(), open[1].text.clone()]);
    assert_eq!(i3.milestones.contained_at, Some(t(40)));
    let items = s.checklist(i.id)?;
    let skipped: Vec<_> = items
        .iter()
        .filter(|c| c.skipped_reason.as_deref() == Some(reason))
        .map(|c| c.position)
        .collect();
    assert_eq!(skipped, [open[0].position, open[1].position]);
    let entry = s
        .timeline(i.id)?
        .into_iter()
        .rfind(|e| e.kind == EntryKind::PhaseChanged)
        .unwrap();
    assert!(entry.text.contains(reason), "{}", entry.text);
    let reference = entry.reference.unwrap();
    assert_eq!(reference["from"], "containment");
    assert_eq!(reference["to"], "eradication");
    assert_eq!(reference["skipped"].as_array().map(Vec::len), Some(2));

    // Eradication items got their due times when the phase was entered.
    let due: Vec<_> = items
        .iter()
        .filter(|c| c.phase == Phase::Eradication && c.due_after_minutes.is_some())
        .collect();
    assert!(!due.is_empty());
    for c in due {
        let m = i64::from(c.due_after_minutes.unwrap());
        assert_eq!(c.due_at, Some(t(40) + Duration::minutes(m)));
    }
    assert!(
        items
            .iter()
            .filter(|c| c.phase == Phase::Recovery)
            .all(|c| c.due_at.is_none()),
        "later phases have no due time yet"
    );

    for (phase, to, at) in [
        (Phase::Eradication, IncidentStatus::Recovery, 100),
        (Phase::Recovery, IncidentStatus::LessonsLearned, 200),
        (Phase::LessonsLearned, IncidentStatus::Closed, 3000),
    ] {
        tick_required(&mut s, i.id, phase, t(at - 1))?;
        s.advance(i.id, to, None, "ana", t(at))?;
    }
    let done = s.get(i.id)?;
    assert_eq!(done.status, IncidentStatus::Closed);
    let m = &done.milestones;
    assert_eq!(
        (m.eradicated_at, m.recovered_at, m.closed_at),
        (Some(t(100)), Some(t(200)), Some(t(3000)))
    );
    let phase_entries = s
        .timeline(i.id)?
        .into_iter()
        .filter(|e| e.kind == EntryKind::PhaseChanged)
        .count();
    assert_eq!(phase_entries, 6, "declared + five moves");

    // A closed incident is a record.
    let closed = |e: IncidentError| matches!(e, IncidentError::Closed(id) if id == i.id);
    assert!(closed(
        s.tick(i.id, Phase::Recovery, 4, "ana", None, t(3001))
            .unwrap_err()
    ));
    assert!(closed(
        s.untick(i.id, Phase::Identification, 0, "ana", None, t(3001))
            .unwrap_err()
    ));
    assert!(closed(
        s.add_entry(i.id, &note("late", None), "ana", t(3001))
            .unwrap_err()
    ));
    let patch = IncidentPatch {
        severity: Some(Severity::Sev1),
        ..IncidentPatch::default()
    };
    assert!(closed(s.update(i.id, &patch, "ana", t(3001)).unwrap_err()));
    assert!(closed(
        s.advance(i.id, IncidentStatus::Closed, None, "ana", t(3001))
            .unwrap_err()
    ));
    assert_eq!(s.get(i.id)?, done, "nothing changed");
    Ok(())
}

#[test]
fn ticks_and_unticks_are_on_the_timeline() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let i = s.create(&outage("x"), "ana", t(0))?;
    s.tick(i.id, Phase::Containment, 1, "bo", Some("disabled"), t(1))?;
    let e = s
        .tick(i.id, Phase::Containment, 1, "bo", None, t(2))
        .unwrap_err();
    assert!(
        matches!(e, IncidentError::InvalidInput(_)),
        "done twice: {e:?}"
    );
    let item = s.untick(i.id, Phase::Containment, 1, "ana", Some("not yet"), t(3))?;
    assert_eq!((item.done_at, item.done_by, item.note), (None, None, None));
    let e = s
        .untick(i.id, Phase::Containment, 1, "ana", None, t(4))
        .unwrap_err();
    assert!(matches!(e, IncidentError::InvalidInput(_)), "{e:?}");
    let e = s
        .tick(i.id, Phase::Containment, 999, "bo", None, t(4))
        .unwrap_err();
    assert!(
        matches!(e, IncidentError::UnknownItem { position: 999, .. }),
        "{e:?}"
    );
    assert_eq!(ErrorDto::from(e).code, ErrorCode::NotFound);
    let kinds: Vec<EntryKind> = s.timeline(i.id)?.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EntryKind::PhaseChanged,
            EntryKind::ItemDone,
            EntryKind::ItemReopened
        ]
    );
    let e = s.get(Uuid::now_v7()).unwrap_err();
    assert!(matches!(e, IncidentError::UnknownIncident(_)), "{e:?}");
    Ok(())
}

#[test]
fn back_dated_notes_sort_by_when_they_happened() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let i = s.create(&outage("x"), "ana", t(0))?;
    s.add_entry(i.id, &note("written at 10", None), "ana", t(10))?;
    let back = s.add_entry(i.id, &note("call at -30", Some(t(-30))), "bo", t(11))?;
    assert!(back.backdated);
    assert_eq!((back.at, back.recorded_at), (t(-30), t(11)));
    let decision = NewEntry {
        kind: EntryKind::Decision,
        text: "Do not replay before the customer confirms".into(),
        at: Some(t(5)),
        reference: Some(serde_json::json!({ "ticket": "SUP-42" })),
    };
    s.add_entry(i.id, &decision, "ana", t(12))?;
    let now = NewEntry {
        at: Some(t(13)),
        ..note("exactly now", None)
    };
    assert!(!s.add_entry(i.id, &now, "ana", t(13))?.backdated);
    let timeline = s.timeline(i.id)?;
    let texts: Vec<&str> = timeline.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts[0], "call at -30");
    assert!(texts[1].starts_with("Incident declared"));
    assert_eq!(
        &texts[2..],
        [
            "Do not replay before the customer confirms",
            "written at 10",
            "exactly now"
        ]
    );
    assert_eq!(
        timeline[2].reference,
        Some(serde_json::json!({ "ticket": "SUP-42" }))
    );
    let e = s
        .add_entry(i.id, &note("future", Some(t(20))), "ana", t(14))
        .unwrap_err();
    assert!(matches!(e, IncidentError::InvalidInput(_)), "{e:?}");
    let forged = NewEntry {
        kind: EntryKind::PhaseChanged,
        ..note("closed!", None)
    };
    let e = s.add_entry(i.id, &forged, "ana", t(14)).unwrap_err();
    assert!(matches!(e, IncidentError::InvalidInput(_)), "{e:?}");
    for blank in ["", "  \n"] {
        let e = s
            .add_entry(i.id, &note(blank, None), "ana", t(14))
            .unwrap_err();
        assert!(matches!(e, IncidentError::InvalidInput(_)), "{e:?}");
    }
    assert_eq!(s.timeline(i.id)?.len(), 5, "refusals wrote nothing");
    Ok(())
}

#[test]
fn custom_templates_are_saved_replaced_and_deleted_but_shipped_ones_are_not() -> anyhow::Result<()>
{
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let mut mine = Template::from_toml(
        r#"
id = "acme-outage"
name = "Acme outage"
kind = "delivery_outage"
version = 1
[[phases.identification]]
text = "Call Acme's on-call line"
required = true
"#,
    )?;
    s.save_template(&mine, t(0))?;
    s.save_template(&mine, t(1))?; // the same content again changes nothing
    let listed = s.templates()?;
    assert_eq!(listed.len(), 5);
    assert!(listed[..4].iter().all(|t| t.shipped));
    assert_eq!(listed[4].template, mine);
    assert_eq!(listed[4].saved_at, Some(t(0)));

    let from_v1 = s.create(
        &NewIncident {
            template_id: "acme-outage".into(),
            ..outage("with mine")
        },
        "ana",
        t(2),
    )?;
    assert_eq!(from_v1.template_version, 1);

    mine.phases.identification[0].text = "Call Acme's on-call line (+33 …)".into();
    let e = s.save_template(&mine, t(3)).unwrap_err();
    assert!(
        matches!(e, IncidentError::InvalidInput(_)),
        "same version: {e:?}"
    );
    mine.version = 2;
    s.save_template(&mine, t(3))?;
    assert_eq!(s.template("acme-outage")?, mine);

    let mut shipped = s.template("delivery-outage")?;
    shipped.version += 1;
    let e = s.save_template(&shipped, t(4)).unwrap_err();
    assert!(matches!(&e, IncidentError::ShippedTemplate(id) if id == "delivery-outage"));
    let e = s.delete_template("leaked-secret").unwrap_err();
    assert!(matches!(e, IncidentError::ShippedTemplate(_)), "{e:?}");
    assert_eq!(ErrorDto::from(e).code, ErrorCode::InvalidInput);

    let mut bad = mine.clone();
    bad.version = 3;
    bad.phases.identification[0].text = " ".into();
    let e = s.save_template(&bad, t(5)).unwrap_err();
    assert!(matches!(e, IncidentError::Template(_)), "{e:?}");

    s.delete_template("acme-outage")?;
    let e = s.delete_template("acme-outage").unwrap_err();
    assert!(matches!(e, IncidentError::UnknownTemplate(_)), "{e:?}");
    let e = s.template("acme-outage").unwrap_err();
    assert_eq!(ErrorDto::from(e).code, ErrorCode::NotFound);
    assert_eq!(s.templates()?.len(), 4);
    let items = s.checklist(from_v1.id)?;
    assert_eq!(
        items.len(),
        1,
        "the incident keeps its copy of the checklist"
    );
    assert_eq!(items[0].text, "Call Acme's on-call line");
    let e = s
        .create(
            &NewIncident {
                template_id: "acme-outage".into(),
                ..outage("gone")
            },
            "ana",
            t(6),
        )
        .unwrap_err();
    assert!(matches!(e, IncidentError::UnknownTemplate(_)), "{e:?}");
    Ok(())
}

#[test]
fn deadlines_count_from_detection_and_due_times_from_the_phase() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let i = s.create(
        &NewIncident {
            kind: IncidentKind::DataExposure,
            template_id: "data-exposure".into(),
            severity: Severity::Sev1,
            detected_at: Some(t(-600)),
            impact_started_at: None,
            ..outage("Payloads with emails sent to a stranger")
        },
        "ana",
        t(0),
    )?;
    let items = s.checklist(i.id)?;
    let deadlines: Vec<_> = items.iter().filter_map(|c| c.deadline.as_ref()).collect();
    assert!(!deadlines.is_empty());
    for d in deadlines {
        assert_eq!(
            d.at,
            t(-600) + Duration::hours(72),
            "72 h after becoming aware"
        );
        assert!(d.label.contains("Art. 33"));
    }
    let first = &items[0];
    assert_eq!(first.phase, Phase::Identification);
    assert_eq!(
        first.due_at,
        Some(t(0) + Duration::minutes(i64::from(first.due_after_minutes.unwrap())))
    );
    Ok(())
}

#[test]
fn bad_declarations_and_edits_are_refused() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let cases = [
        NewIncident {
            title: "  ".into(),
            ..outage("")
        },
        NewIncident {
            detected_at: Some(t(5)),
            ..outage("detected in the future")
        },
        NewIncident {
            impact_started_at: Some(t(-10)),
            ..outage("impact after detection")
        },
        NewIncident {
            title: "x".repeat(201),
            ..outage("")
        },
    ];
    for new in &cases {
        let e = s.create(new, "ana", t(0)).unwrap_err();
        assert!(
            matches!(e, IncidentError::InvalidInput(_)),
            "{new:?}: {e:?}"
        );
    }
    let e = s.create(&outage("no author"), " ", t(0)).unwrap_err();
    assert!(matches!(e, IncidentError::InvalidInput(_)), "{e:?}");
    assert!(s.list(&IncidentFilter::default())?.is_empty());

    let i = s.create(&outage("Acme"), "ana", t(0))?;
    let app = Uuid::now_v7();
    let patch = IncidentPatch {
        title: Some(" Acme 503s ".into()),
        severity: Some(Severity::Sev1),
        roles: Some(Roles {
            commander: Some("bo".into()),
            scribe: Some(" ".into()),
            communications: Some("cy".into()),
        }),
        scope: Some(Scope {
            application_ids: vec![app, app],
            ..Scope::default()
        }),
        impact_started_at: Some(t(-45)),
    };
    let u = s.update(i.id, &patch, "ana", t(5))?;
    assert_eq!(u.title, "Acme 503s");
    assert_eq!(u.severity, Severity::Sev1);
    assert_eq!(u.roles.scribe, None, "a blank name is no name");
    assert_eq!(u.scope.application_ids, [app], "duplicates dropped");
    assert_eq!(u.milestones.impact_started_at, Some(t(-45)));
    assert_eq!(s.get(i.id)?, u);
    let last = s.timeline(i.id)?.pop().unwrap();
    assert_eq!(last.kind, EntryKind::Action);
    assert!(last.text.contains("severity sev2 → sev1"), "{}", last.text);
    let same = s.update(i.id, &patch, "ana", t(6))?;
    assert_eq!(same, u);
    assert_eq!(
        s.timeline(i.id)?.len(),
        2,
        "an edit that changes nothing is not recorded"
    );
    let late = IncidentPatch {
        impact_started_at: Some(t(-10)),
        ..IncidentPatch::default()
    };
    let e = s.update(i.id, &late, "ana", t(7)).unwrap_err();
    assert!(matches!(e, IncidentError::InvalidInput(_)), "{e:?}");
    Ok(())
}

#[test]
fn incidents_are_listed_by_status_newest_first() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let a = s.create(&outage("a"), "ana", t(0))?;
    let b = s.create(&outage("b"), "ana", t(1))?;
    let c = s.create(&outage("c"), "ana", t(2))?;
    s.advance(
        b.id,
        IncidentStatus::Containment,
        Some("urgent"),
        "ana",
        t(3),
    )?;
    let ids = |f: IncidentFilter| -> anyhow::Result<Vec<Uuid>> {
        Ok(s.list(&f)?.into_iter().map(|i| i.id).collect())
    };
    assert_eq!(ids(IncidentFilter::default())?, [c.id, b.id, a.id]);
    let ident = IncidentFilter {
        statuses: vec![IncidentStatus::Identification],
    };
    assert_eq!(ids(ident)?, [c.id, a.id]);
    let cont = IncidentFilter {
        statuses: vec![IncidentStatus::Containment, IncidentStatus::Closed],
    };
    assert_eq!(ids(cont)?, [b.id]);
    Ok(())
}

#[test]
fn preparation_combines_facts_and_stored_ticks() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let facts = PreparationFacts {
        profiles_configured: Some(true),
        two_factor_enrolled: Some(true),
        ..PreparationFacts::default()
    };
    let status = s.preparation(&facts, t(0))?;
    assert!(!status.ready);
    assert_eq!(
        status.missing,
        [
            PreparationItem::RecoveryCodesStored,
            PreparationItem::NotificationChannelWorking,
            PreparationItem::TemplatesReviewed
        ]
    );
    for item in &status.missing {
        s.tick_preparation(*item, "ana", None, t(0))?;
    }
    assert!(s.preparation(&facts, t(1))?.ready);
    let month = t(0) + Duration::days(31);
    let later = s.preparation(&facts, month)?;
    assert_eq!(later.missing, [PreparationItem::NotificationChannelWorking]);
    s.tick_preparation(
        PreparationItem::NotificationChannelWorking,
        "bo",
        None,
        month,
    )?;
    assert!(
        s.preparation(&facts, month)?.ready,
        "a fresh tick replaces the stale one"
    );
    s.untick_preparation(PreparationItem::RecoveryCodesStored)?;
    assert_eq!(
        s.preparation(&facts, month)?.missing,
        [PreparationItem::RecoveryCodesStored]
    );
    let e = s
        .tick_preparation(PreparationItem::TemplatesReviewed, "", None, month)
        .unwrap_err();
    assert!(matches!(e, IncidentError::InvalidInput(_)), "{e:?}");
    Ok(())
}

#[test]
fn metrics_come_from_stored_incidents() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    // Detected 20 min before declaration, impact 30 min before detection.
    let a = s.create(&outage("a"), "ana", t(0))?;
    s.advance(a.id, IncidentStatus::Containment, Some("go"), "ana", t(5))?;
    s.advance(a.id, IncidentStatus::Eradication, Some("go"), "ana", t(40))?;
    s.advance(a.id, IncidentStatus::Recovery, Some("go"), "ana", t(60))?;
    s.advance(
        a.id,
        IncidentStatus::LessonsLearned,
        Some("go"),
        "ana",
        t(100),
    )?;
    // Detected at declaration, no impact start known, still containing.
    let b = s.create(
        &NewIncident {
            detected_at: None,
            impact_started_at: None,
            ..outage("b")
        },
        "ana",
        t(200),
    )?;
    s.advance(b.id, IncidentStatus::Containment, Some("go"), "ana", t(210))?;
    s.advance(b.id, IncidentStatus::Eradication, Some("go"), "ana", t(270))?;

    let a = s.get(a.id)?;
    assert_eq!(
        IncidentMetrics::of(&a.milestones),
        IncidentMetrics {
            time_to_detect_s: Some(30 * 60),
            time_to_acknowledge_s: Some(20 * 60),
            time_to_contain_s: Some(60 * 60),
            time_to_recover_s: Some(120 * 60),
            time_to_close_s: None,
        }
    );
    let all = s.list(&IncidentFilter::default())?;
    let m = summarize(&all);
    assert_eq!(m.incidents, 2);
    assert_eq!(
        m.mttd,
        MeanTime {
            mean_s: Some(1800.0),
            count: 1
        }
    );
    assert_eq!(
        m.mtta,
        MeanTime {
            mean_s: Some(600.0),
            count: 2
        }
    );
    assert_eq!(
        m.mttc,
        MeanTime {
            mean_s: Some(3900.0),
            count: 2
        }
    );
    assert_eq!(
        m.mttr,
        MeanTime {
            mean_s: Some(7200.0),
            count: 1
        }
    );
    assert_eq!(
        m.mtt_close,
        MeanTime {
            mean_s: None,
            count: 0
        }
    );
    Ok(())
}

fn filter_evidence(rows: u64) -> NewEvidence {
    NewEvidence {
        kind: EvidenceKind::ExplorerFilter,
        label: "Failures at the billing endpoint".into(),
        reference: serde_json::json!({ "filter": { "statuses": ["failed"] } }),
        snapshot: serde_json::json!({ "counts": { "attempts": rows }, "attempts": [] }),
        rows,
        truncated: rows > 0,
        captured_at: t(1),
    }
}

#[test]
fn evidence_is_kept_hashed_and_a_changed_snapshot_shows() -> anyhow::Result<()> {
    let tmp = temp()?;
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    let i = s.create(&outage("Acme deliveries fail"), "ana", t(0))?;
    let e = s.attach_evidence(i.id, &filter_evidence(42), "ana", t(2))?;
    assert_eq!(e.rows, 42);
    let kept = s.evidence_snapshot(i.id, e.id)?;
    assert!(kept.intact);
    assert_eq!(kept.snapshot, r#"{"attempts":[],"counts":{"attempts":42}}"#);
    let entry = s.timeline(i.id)?.pop().expect("an entry");
    assert_eq!(entry.kind, EntryKind::Evidence);
    assert_eq!(
        entry.reference.as_ref().map(|r| r["evidence_id"].clone()),
        Some(e.id.into())
    );

    // The operator cannot write evidence entries by hand, nor attach to a future instant.
    let forged = NewEntry {
        kind: EntryKind::Evidence,
        text: "attached".into(),
        at: None,
        reference: None,
    };
    assert!(matches!(
        s.add_entry(i.id, &forged, "ana", t(3)),
        Err(IncidentError::InvalidInput(_))
    ));
    let mut later = filter_evidence(1);
    later.captured_at = t(10);
    assert!(matches!(
        s.attach_evidence(i.id, &later, "ana", t(3)),
        Err(IncidentError::InvalidInput(_))
    ));

    // A snapshot edited behind the console's back no longer matches its hash.
    s.conn().execute(
        "UPDATE evidence SET snapshot = replace(snapshot, '42', '41') WHERE id = ?1",
        [e.id],
    )?;
    assert!(!s.evidence_snapshot(i.id, e.id)?.intact);
    assert!(matches!(
        s.evidence_snapshot(i.id, e.id + 1),
        Err(IncidentError::UnknownEvidence { .. })
    ));
    Ok(())
}

#[test]
fn the_evidence_migration_keeps_every_timeline_entry() -> anyhow::Result<()> {
    let tmp = temp()?;
    let before = {
        let mut s = IncidentStore::open(&tmp.path, &key())?;
        let i = s.create(&outage("Acme deliveries fail"), "ana", t(0))?;
        s.add_entry(i.id, &note("first call", Some(t(-5))), "ana", t(1))?;
        s.add_entry(i.id, &note("second call", None), "ana", t(2))?;
        // Back to the schema before evidence (and the reminders after it): the migrations
        // run again on the next open.
        s.conn().execute_batch(
            "DROP TABLE reminder_sent;
             DROP TABLE evidence;
             DELETE FROM schema_migration WHERE version >= 20261201010000;",
        )?;
        (i.id, s.timeline(i.id)?)
    };
    let mut s = IncidentStore::open(&tmp.path, &key())?;
    assert_eq!(s.timeline(before.0)?, before.1);
    let next = s.add_entry(before.0, &note("third call", None), "ana", t(3))?;
    assert!(
        before.1.iter().all(|e| e.id < next.id),
        "ids go on from the last one"
    );
    s.attach_evidence(before.0, &filter_evidence(0), "ana", t(4))?;
    Ok(())
}
