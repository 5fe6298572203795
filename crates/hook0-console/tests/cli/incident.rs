//! `hook0-console incident …` as an operator's script runs it, on the built-in sandbox
//! profile of a fresh data directory: declare from the GDPR template, read the 72-hour
//! deadline, be refused and then allowed to move on, back-date a note, import templates.

use crate::support::{incident, incident_ok as ok, offline_console};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use console_core::cache::CacheKey;
use console_core::incident::{EvidenceKind, IncidentStore, NewEvidence, Template};

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn current_items(view: &serde_json::Value) -> Vec<serde_json::Value> {
    view["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["current"] == true)
        .map(|p| p["items"].as_array().unwrap().clone())
        .unwrap_or_default()
}

#[test]
fn a_data_exposure_is_declared_worked_and_moved_on_with_a_reason() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let detected = Utc::now() - Duration::hours(2);
    let declared = ok(
        dir.path(),
        &[
            "declare",
            "--template",
            "data-exposure",
            "--title",
            "Orders payloads sent to a stale endpoint",
            "--severity",
            "sev1",
            "--detected-at",
            &rfc3339(detected),
            "--commander",
            "Alice",
        ],
    )?;
    let id = declared["incident"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        declared["incident"]["kind"], "data_exposure",
        "the template's kind"
    );
    assert_eq!(declared["incident"]["roles"]["commander"], "Alice");

    let shown = ok(dir.path(), &["show", &id])?;
    let items = current_items(&shown);
    let gdpr = items
        .iter()
        .find(|i| i["item"]["deadline"].is_object())
        .expect("the data-exposure template carries a notification deadline");
    let deadline: DateTime<Utc> = serde_json::from_value(gdpr["item"]["deadline"]["at"].clone())?;
    let detected_at: DateTime<Utc> =
        serde_json::from_value(shown["incident"]["milestones"]["detected_at"].clone())?;
    assert_eq!(
        deadline - detected_at,
        Duration::hours(72),
        "GDPR Art. 33: 72 h"
    );
    assert!(
        gdpr["item"]["deadline"]["label"]
            .as_str()
            .unwrap()
            .contains("GDPR"),
        "{gdpr}"
    );
    assert_eq!(gdpr["deadline_passed"], false);

    // One item done, then opened again: both stay on the timeline.
    let ticked = ok(
        dir.path(),
        &["tick", &id, "identification", "0", "--note", "DPO on call"],
    )?;
    assert!(current_items(&ticked)[0]["item"]["done_at"].is_string());
    let unticked = ok(dir.path(), &["untick", &id, "identification", "0"])?;
    assert!(current_items(&unticked)[0]["item"]["done_at"].is_null());

    let refused = incident(dir.path(), &["advance", &id])?;
    assert!(
        !refused.status.success(),
        "open required items stop the move"
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    for item in current_items(&shown)
        .iter()
        .filter(|i| i["item"]["required"] == true)
    {
        let text = item["item"]["text"].as_str().unwrap();
        assert!(said.contains(text), "the refusal lists {text:?}: {said}");
    }
    assert!(said.contains("--reason"), "{said}");

    let reason = "DPO decided: contain first, facts in parallel";
    let moved = ok(dir.path(), &["advance", &id, "--reason", reason])?;
    assert_eq!(moved["incident"]["status"], "containment");
    assert!(moved["incident"]["milestones"]["declared_at"].is_string());
    let left_open = moved["phases"][0]["items"].as_array().unwrap();
    assert!(
        left_open
            .iter()
            .filter(|i| i["item"]["required"] == true)
            .all(|i| i["item"]["skipped_reason"] == reason),
        "each skipped item keeps the reason"
    );

    let at = Utc::now() - Duration::minutes(30);
    let note = ok(
        dir.path(),
        &[
            "note",
            &id,
            "Customer confirmed receipt",
            "--at",
            &rfc3339(at),
        ],
    )?;
    assert_eq!(note["backdated"], true, "{note}");
    assert_eq!(note["kind"], "note");
    let decision = ok(
        dir.path(),
        &["note", &id, "Rotate the secret", "--decision"],
    )?;
    assert_eq!(decision["backdated"], false);
    assert_eq!(decision["kind"], "decision");

    let shown = ok(dir.path(), &["show", &id])?;
    let timeline = shown["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e["text"] == "Customer confirmed receipt" && e["backdated"] == true),
        "the back-dated note is marked so in the timeline"
    );

    let open = incident(dir.path(), &["list"])?;
    let listed: Vec<serde_json::Value> = String::from_utf8(open.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    let closed = incident(dir.path(), &["list", "--status", "closed"])?;
    assert!(closed.status.success());
    assert!(closed.stdout.is_empty(), "nothing closed yet");

    let metrics = ok(dir.path(), &["metrics"])?;
    assert_eq!(metrics["incidents"], 1);
    assert_eq!(metrics["mtta"]["count"], 1, "declared after detection");
    let preparation = ok(dir.path(), &["preparation"])?;
    assert!(preparation["status"]["checks"].as_array().unwrap().len() >= 5);
    Ok(())
}

#[test]
fn templates_are_exported_and_only_valid_ones_imported() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("bad.toml");
    let text = "id = \"our-outage\"\nname = \"Ours\"\nkind = \"delivery_outage\"\nversion = 1\n\
                description = \"x\"\ncolour = \"red\"\n";
    std::fs::write(&bad, text)?;
    let parser = Template::from_toml(text).unwrap_err().to_string();
    let out = incident(dir.path(), &["template", "import", bad.to_str().unwrap()])?;
    assert!(!out.status.success(), "an invalid template is refused");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&parser),
        "the parser's own words {parser:?}: {said}"
    );

    let exported = incident(dir.path(), &["template", "export", "delivery-outage"])?;
    assert!(exported.status.success());
    let toml = String::from_utf8(exported.stdout)?
        .replace("id = \"delivery-outage\"", "id = \"our-outage\"");
    let good = dir.path().join("ours.toml");
    std::fs::write(&good, toml)?;
    let imported = ok(dir.path(), &["template", "import", good.to_str().unwrap()])?;
    assert_eq!(imported["id"], "our-outage");
    assert_eq!(imported["shipped"], false);

    let json = incident(
        dir.path(),
        &["template", "export", "our-outage", "--format", "json"],
    )?;
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout)?;
    assert_eq!(parsed["id"], "our-outage");

    let listed = incident(dir.path(), &["templates"])?;
    let ids: Vec<String> = String::from_utf8(listed.stdout)?
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).map(|v| v["id"].to_string()))
        .collect::<Result<_, _>>()?;
    assert_eq!(ids.len(), 5, "four shipped and ours: {ids:?}");
    assert!(ids.contains(&"\"our-outage\"".to_owned()));
    Ok(())
}

#[test]
fn a_local_api_url_has_no_incident_records() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let out = offline_console(
        dir.path(),
        &["--api-url", "http://127.0.0.1:9", "incident", "list"],
    )
    .env("HOOK0_CONSOLE_CACHE_KEY", crate::support::KEY_HEX)
    .output()?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("--profile"),
        "says what to use instead: {said}"
    );
    Ok(())
}

#[test]
fn evidence_is_listed_shown_and_an_edited_snapshot_fails() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let declared = ok(
        dir.path(),
        &[
            "declare",
            "--template",
            "delivery-outage",
            "--title",
            "Orders fail",
        ],
    )?;
    let id: uuid::Uuid = declared["incident"]["id"].as_str().unwrap().parse()?;
    // Attached as the window attaches it (the command line reads evidence, it does not take
    // snapshots of a cache it does not sync).
    let file = std::fs::read_dir(dir.path())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("incidents-"))
        })
        .expect("the incident file");
    {
        let mut store = IncidentStore::open(&file, &CacheKey::sandbox())?;
        store.attach_evidence(
            id,
            &NewEvidence {
                kind: EvidenceKind::ReplayJob,
                label: "Replay job 0193: finished, 12 events".into(),
                reference: serde_json::json!({ "job_id": "0193" }),
                snapshot: serde_json::json!({ "job": { "state": "finished" } }),
                rows: 12,
                truncated: false,
                captured_at: Utc::now() - Duration::minutes(1),
            },
            "operator",
            Utc::now(),
        )?;
    }

    let shown = ok(dir.path(), &["show", &id.to_string()])?;
    assert_eq!(
        shown["evidence"][0]["label"],
        "Replay job 0193: finished, 12 events"
    );
    let kept = ok(dir.path(), &["evidence", &id.to_string(), "1"])?;
    assert_eq!(kept["intact"], true);
    assert_eq!(kept["snapshot"], r#"{"job":{"state":"finished"}}"#);

    IncidentStore::open(&file, &CacheKey::sandbox())?
        .conn()
        .execute(
            "UPDATE evidence SET snapshot = replace(snapshot, 'finished', 'failed')",
            [],
        )?;
    let out = incident(dir.path(), &["evidence", &id.to_string(), "1"])?;
    assert!(
        !out.status.success(),
        "an edited snapshot fails the command"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no longer matches its SHA-256"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let missing = incident(dir.path(), &["evidence", &id.to_string(), "2"])?;
    assert!(!missing.status.success());
    Ok(())
}
