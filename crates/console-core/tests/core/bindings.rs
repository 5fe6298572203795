//! The committed TypeScript bindings must be exactly what the Rust types generate.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

fn committed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings")
}

#[test]
fn committed_bindings_match_the_rust_types() -> anyhow::Result<()> {
    let fresh = console_core::bindings::render().map_err(anyhow::Error::msg)?;
    let dir = committed_dir();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        for (name, body) in &fresh {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().unwrap())?;
            fs::write(path, body)?;
        }
        return Ok(());
    }
    let mut committed = BTreeMap::new();
    if dir.exists() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            committed.insert(name, fs::read_to_string(&path)?);
        }
    }
    let stale: Vec<&String> = fresh
        .iter()
        .filter(|(name, body)| committed.get(*name) != Some(body))
        .map(|(name, _)| name)
        .chain(committed.keys().filter(|name| !fresh.contains_key(*name)))
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/lib/bindings is out of date ({stale:?}); run `cargo xtask bindings` and commit"
    );
    Ok(())
}

#[test]
fn every_command_appears_in_the_command_map() -> anyhow::Result<()> {
    let fresh = console_core::bindings::render().map_err(anyhow::Error::msg)?;
    let map = &fresh["commands.ts"];
    for name in console_core::ipc::command_names() {
        assert!(
            map.contains(&format!("  {name}: {{")),
            "{name} missing from commands.ts"
        );
    }
    Ok(())
}

/// Counts and seconds of the incident page arrive as JSON numbers: a `bigint` in their types
/// would make the UI compare numbers with bigints and never match.
#[test]
fn incident_types_have_no_bigint() -> anyhow::Result<()> {
    let fresh = console_core::bindings::render().map_err(anyhow::Error::msg)?;
    let incident_types = [
        "ChecklistItem.ts",
        "ChecklistItemView.ts",
        "Incident.ts",
        "IncidentMetrics.ts",
        "IncidentTemplateSummary.ts",
        "IncidentView.ts",
        "MeanTime.ts",
        "MetricsSummary.ts",
        "Milestones.ts",
        "NewIncident.ts",
        "PhaseChecklist.ts",
        "PreparationCheck.ts",
        "PreparationStatus.ts",
        "PreparationView.ts",
        "TemplateText.ts",
        "TimelineEntry.ts",
    ];
    for name in incident_types {
        let body = fresh
            .get(name)
            .ok_or_else(|| anyhow::anyhow!("{name} is not generated"))?;
        assert!(!body.contains("bigint"), "{name} has a bigint:\n{body}");
    }
    let map = &fresh["commands.ts"];
    for line in map.lines().filter(|l| l.contains("incident")) {
        assert!(!line.contains("bigint"), "{line}");
    }
    Ok(())
}
